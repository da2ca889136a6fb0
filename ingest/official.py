"""What the two official API syncs (eCFR, Federal Register) share: requests, results, files.

Why one module: both APIs are asked for JSON and for document bodies through the same retrying
GET (`ingest/http.py`), both turn a failure into a reason a user can act on, both write a
document as `NAME.txt` plus the `NAME.meta.json` sidecar the loaders read, and both keep a small
state file so that a re-sync with nothing changed downloads no document bodies.

* `ApiError` carries the reason ("HTTP 500 from URL after 3 attempts", "malformed JSON from
  URL: ..."), the HTTP status when there was one, and whether the host could not be reached at
  all (then the rest of that API's requests are not even tried).
* `ApiResult` is one API source's outcome for the report: which keys (EAR parts, Federal
  Register document numbers) are held now, which are not, and counts of what was downloaded,
  written and removed.
* `write_document` writes text and sidecar atomically and only when they changed, so ingest's
  content hash sees exactly the documents whose text or metadata changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode

import httpx

from ingest import http
from ingest.loaders.common import sidecar_path

USER_AGENT = "trade-policy-assistant/0.1 (official corpus sync)"
# The largest eCFR part (the Commerce Control List) is a few MB of XML; a body far larger is not
# what we asked for.
MAX_BYTES = 64 * 1024 * 1024
STATE_FILE = ".official-state.json"

ApiOutcome = Literal["fetched", "not_modified", "kept", "mirror", "failed", "offline"]


class ApiError(Exception):
    """A request to an official API gave nothing usable; `str(self)` is the reason."""

    def __init__(self, reason: str, status: int | None = None, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.status = status
        self.unreachable = unreachable


def build_url(base: str, path: str, params: Iterable[tuple[str, str]] = ()) -> str:
    """`base` + `path` + a query string whose brackets stay readable (`conditions[type][]=`)."""
    query = urlencode(list(params), safe="[]")
    return f"{base}{path}" + (f"?{query}" if query else "")


def short_url(url: str, limit: int = 110) -> str:
    """A URL for a message: a long query string (a search's conditions) cut short."""
    return url if len(url) <= limit else url[:limit] + "…"


def _read(response: httpx.Response) -> bytes:
    try:
        return http.read_capped(response, MAX_BYTES)
    except http.TooLarge as exc:
        raise ApiError(f"{response.url} sent more than {MAX_BYTES} bytes") from exc


def get_bytes(client: httpx.Client, url: str, accept: str, retries: int) -> tuple[bytes, str]:
    """The body of a 200 and its media type; raises `ApiError` for anything else.

    Retried only on transient failures (connection errors, timeouts, 5xx), see `http.get`."""
    got = http.get(
        client,
        url,
        {"Accept": accept},
        retries,
        False,
        lambda r: (_read(r), r.headers.get("content-type", "")),
    )
    if isinstance(got, http.Failed):
        status = re.match(r"HTTP (\d+)", got.detail)
        raise ApiError(
            got.describe(with_url=True).replace(got.url, short_url(got.url)),
            status=int(status.group(1)) if status else None,
            unreachable=got.kind == "transport",
        )
    if isinstance(got, http.NotModified):  # pragma: no cover - no conditional request was sent
        raise ApiError(f"unexpected 304 from {url}")
    body, content_type = got
    if not body.strip():
        raise ApiError(f"{url} sent an empty body")
    return body, content_type.split(";", 1)[0].strip().lower()


def get_json(client: httpx.Client, url: str, retries: int) -> dict[str, Any]:
    """A JSON object from `url`; malformed JSON or another shape is an `ApiError`."""
    body, _ = get_bytes(client, url, "application/json", retries)
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(f"malformed JSON from {short_url(url)}: {exc}") from exc
    if not isinstance(data, dict):
        raise ApiError(f"unexpected JSON from {short_url(url)}: not an object")
    return data


@dataclass
class ApiResult:
    """One official API source's outcome, for the sync report.

    `held` are the keys whose current content is in the corpus directory now (fetched, unchanged
    or kept from an earlier sync); `missing` are the keys it could not provide, each with why.
    Stand-ins from the mirror fill in for `missing` keys, and, when the API did not answer for
    its whole scope (`complete` is false), for every key not held."""

    name: str  # "eCFR", "Federal Register"
    outcome: ApiOutcome
    detail: str
    held: set[str] = field(default_factory=set)
    missing: dict[str, str] = field(default_factory=dict)
    # The API answered for its whole scope (listing, date, table of contents): a key neither
    # held nor missing is then not part of the source at all, and needs no stand-in.
    complete: bool = False
    documents: int = 0  # documents of this API in the corpus directory after the sync
    downloads: int = 0  # document bodies (part XML, FR texts) downloaded
    written: int = 0  # documents whose text or sidecar changed
    removed: int = 0  # documents deleted (removed at the source or out of scope)
    stood_in: int = 0  # mirror documents used in its place
    stand_in_failed: int = 0  # stand-ins that could not be copied either
    stand_in_reason: str = ""
    superseded: int = 0  # mirror stand-ins not needed (and removed if copied earlier)

    def needs_stand_in(self, key: str | None) -> bool:
        """Whether a mirror stand-in holding `key` (None: unknown) is needed."""
        if key is not None and key in self.missing:
            return True
        if self.complete:
            return False
        return key not in self.held if key is not None else not self.held

    @property
    def ok(self) -> bool:
        """Whether everything this source should provide is in the corpus directory."""
        if self.stand_in_failed:
            return False
        return self.outcome in ("fetched", "not_modified", "kept", "mirror") and (
            not self.missing or self.stood_in > 0
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "outcome": self.outcome,
            "detail": self.detail,
            "documents": self.documents,
            "downloads": self.downloads,
            "written": self.written,
            "removed": self.removed,
            "missing": dict(sorted(self.missing.items())),
            "stood_in": self.stood_in,
            "stand_in_failed": self.stand_in_failed,
            "superseded": self.superseded,
        }


# --------------------------------------------------------------------------- files


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_if_file(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def sidecar_bytes(meta: dict[str, Any]) -> bytes:
    """The sidecar as written: sorted keys, so the same metadata is always the same bytes."""
    clean = {k: v for k, v in meta.items() if v not in (None, "", [])}
    return (json.dumps(clean, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode()


def write_document(target: Path, text: str, meta: dict[str, Any]) -> bool:
    """Write `text` and its sidecar, each only if different; True when either changed.

    The text is written first: a crash in between leaves a new text with an old sidecar, which
    the next sync rewrites (its hash no longer matches the state)."""
    changed = False
    for path, data in ((target, text.encode("utf-8")), (sidecar_path(target), sidecar_bytes(meta))):
        if read_if_file(path) != data:
            http.write_atomic(path, data)
            changed = True
    return changed


def document_hash(target: Path) -> str | None:
    """Hash of a document's text and sidecar together, or None when either is missing."""
    text = read_if_file(target)
    side = read_if_file(sidecar_path(target))
    if text is None or side is None:
        return None
    return sha256(text + b"\0" + side)


def remove_document(target: Path) -> bool:
    """Delete a document and its sidecar; True when anything was there."""
    removed = False
    for path in (target, sidecar_path(target)):
        try:
            path.unlink()
            removed = True
        except FileNotFoundError:
            pass
    return removed


def prune_empty_dirs(root: Path) -> None:
    """Remove folders left empty under `root` (deepest first), never `root` itself."""
    if not root.is_dir():
        return
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only when empty


class OfficialState:
    """What the official syncs remember between runs (`corpus/.official-state.json`).

    A damaged or unreadable file is ignored: everything is then fetched once more, which costs
    time but can never leave a stale document in place."""

    def __init__(self, corpus_dir: Path) -> None:
        self.path = corpus_dir / STATE_FILE
        self.data: dict[str, Any] = {}
        raw = read_if_file(self.path)
        if raw is None:
            return
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return
        if isinstance(data, dict) and data.get("version") == 1:
            self.data = {k: v for k, v in data.items() if isinstance(v, dict)}

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.data.get(name) or {})

    def save(self, name: str, value: dict[str, Any]) -> None:
        self.data[name] = value
        payload = {"version": 1, **dict(sorted(self.data.items()))}
        http.write_atomic(self.path, (json.dumps(payload, indent=1) + "\n").encode("utf-8"))

"""Bring the catalogue's `[[source]]` documents into `settings.corpus_dir`: URL, else mirror.

(The two official APIs, eCFR and the Federal Register, are synced by `ingest/ecfr_sync.py` and
`ingest/federal_register_sync.py`; `ingest/corpus_sync.py` runs everything in order.)

Why it works the way it does:

* Official pages change and the mirror is a snapshot, so each source is first fetched from its
  `download_url` (or `url`), with a conditional GET so an unchanged document costs one 304.
* Many official URLs are web pages, not the file format of `path` (the eCFR section URL serves
  an HTML page, not the plain text we keep). A body whose Content-Type does not fit the target
  suffix is refused rather than stored under a misleading name; the mirror copy is used instead.
  A source marked `accept_html` (a press release or guidance page) keeps the page as NAME.html
  instead, and only one of the two copies is ever in the corpus directory.
* A source that stands in for an official API (`mirror_only`) is copied from the mirror without
  asking its `url`, a web page: the API could not deliver its content.
* Without a network (or with `offline`), the mirror keeps `tpa sync` working, and one source that
  cannot be obtained never stops the others: it is reported as "failed".
* Files are written to a temporary name and renamed (`ingest/http.py`, which also does the
  retried, conditional GET), so an interrupted sync leaves either the old file or the new one,
  never half of one; running it again is always safe.
* Sources are handled in a small thread pool, so a hundred unreachable hosts cost a few
  timeouts, not a hundred.

The mirror's `.meta.json` sidecars are copied beside the files so loaders see the metadata.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx

from assistant.config import Settings
from assistant.progress import progress as progress_bar
from ingest import http
from ingest.loaders.common import sidecar_path
from ingest.sources import Source

logger = logging.getLogger(__name__)

Outcome = Literal["fetched", "not_modified", "mirror", "failed"]
OUTCOMES: tuple[Outcome, ...] = ("fetched", "not_modified", "mirror", "failed")

STATE_FILE = ".sync-state.json"
MAX_WORKERS = 8
# A corpus document is at most a few MB; anything far larger is not the document we asked for.
MAX_BYTES = 64 * 1024 * 1024
_USER_AGENT = "trade-policy-assistant/0.1 (corpus sync)"

# Content types accepted for each target suffix: the body must be the same format as the file.
_TEXT_TYPES = frozenset({"text/plain", "text/markdown", "text/x-markdown"})
_ACCEPTED_TYPES: dict[str, frozenset[str]] = {
    ".txt": _TEXT_TYPES,
    ".md": _TEXT_TYPES,
    ".markdown": _TEXT_TYPES,
    ".xml": frozenset({"application/xml", "text/xml"}),
    ".html": frozenset({"text/html", "application/xhtml+xml"}),
    ".htm": frozenset({"text/html", "application/xhtml+xml"}),
    ".pdf": frozenset({"application/pdf"}),
}
_ACCEPT_HEADER: dict[str, str] = {
    ".txt": "text/plain, text/markdown;q=0.9, */*;q=0.1",
    ".md": "text/markdown, text/plain;q=0.9, */*;q=0.1",
    ".markdown": "text/markdown, text/plain;q=0.9, */*;q=0.1",
    ".xml": "application/xml, text/xml;q=0.9, */*;q=0.1",
    ".html": "text/html, application/xhtml+xml;q=0.9, */*;q=0.1",
    ".htm": "text/html, application/xhtml+xml;q=0.9, */*;q=0.1",
    ".pdf": "application/pdf, */*;q=0.1",
}


@dataclass(frozen=True)
class SourceResult:
    """What happened to one source; `detail` says why, in words a user can act on."""

    id: str
    path: str
    outcome: Outcome
    detail: str = ""


@dataclass
class SyncReport:
    """Per-source results of one sync, in the order of the sources list."""

    results: list[SourceResult] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """Number of sources per outcome (every outcome present, zero when none)."""
        counted = Counter(result.outcome for result in self.results)
        return {outcome: counted.get(outcome, 0) for outcome in OUTCOMES}

    @property
    def ok(self) -> bool:
        """True when every source is present in the corpus directory."""
        return not any(result.outcome == "failed" for result in self.results)

    @property
    def failed(self) -> list[SourceResult]:
        return [result for result in self.results if result.outcome == "failed"]

    def by_id(self) -> dict[str, SourceResult]:
        return {result.id: result for result in self.results}

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, for `--json` output."""
        return {
            "ok": self.ok,
            "counts": self.counts,
            "results": [dataclasses.asdict(result) for result in self.results],
        }

    def summary(self) -> str:
        """One line for logs and the CLI, e.g. `106 sources: 3 fetched, 103 mirror, 0 failed`."""
        counts = ", ".join(f"{n} {outcome.replace('_', ' ')}" for outcome, n in self.counts.items())
        return f"{len(self.results)} sources: {counts}"


# --------------------------------------------------------------------------- files


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_if_file(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def _write_if_changed(target: Path, data: bytes) -> bool:
    """Write `data` unless the file already holds exactly these bytes; True when written."""
    if _read_if_file(target) == data:
        return False
    http.write_atomic(target, data)
    return True


# --------------------------------------------------------------------------- state


class _SyncState:
    """Validators (ETag, Last-Modified) and the hash of what was fetched, per source id.

    The hash lets us send a conditional GET only when the file on disk is still the one the
    validators describe; otherwise a 304 would leave a stale or missing file in place.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, dict[str, str]] = {}
        raw = _read_if_file(path)
        if raw is None:
            return
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            logger.warning("ignoring unreadable sync state %s: %s", path, exc)
            return
        if isinstance(data, dict) and isinstance(data.get("sources"), dict):
            self.entries = {
                key: {k: v for k, v in value.items() if isinstance(v, str)}
                for key, value in data["sources"].items()
                if isinstance(value, dict)
            }

    def get(self, source_id: str) -> dict[str, str] | None:
        return self.entries.get(source_id)

    def set(self, source_id: str, entry: dict[str, str] | None) -> bool:
        """Record (or with None forget) a source's entry; True when anything changed."""
        if entry is None:
            return self.entries.pop(source_id, None) is not None
        if self.entries.get(source_id) == entry:
            return False
        self.entries[source_id] = entry
        return True

    def save(self) -> None:
        payload = {"version": 1, "sources": dict(sorted(self.entries.items()))}
        http.write_atomic(self.path, (json.dumps(payload, indent=1) + "\n").encode("utf-8"))


# --------------------------------------------------------------------------- HTTP


@dataclass(frozen=True)
class _Fetched:
    body: bytes
    etag: str | None
    last_modified: str | None
    html: bool = False  # a web page kept as NAME.html (`Source.accept_html`)


@dataclass(frozen=True)
class _FetchFailed:
    reason: str


_FetchResult = _Fetched | http.NotModified | _FetchFailed


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _type_fits(suffix: str, content_type: str | None) -> bool:
    accepted = _ACCEPTED_TYPES.get(suffix)
    if accepted is None:  # a format we have no rule for: take what the server says it is
        return True
    media = _media_type(content_type)
    if suffix == ".xml" and media.endswith("+xml"):
        return True
    return media in accepted


def _conditional_headers(
    entry: dict[str, str] | None, url: str, current: bytes | None
) -> dict[str, str]:
    """If-None-Match / If-Modified-Since, only when the file on disk is the one last fetched."""
    if not entry or entry.get("url") != url or current is None:
        return {}
    if entry.get("sha256") != _sha256(current):
        return {}
    return http.conditional_headers(entry.get("etag"), entry.get("last_modified"))


def _read_body(response: httpx.Response, suffix: str, accept_html: bool = False) -> _FetchResult:
    """A 200's body, if it is the kind of file asked for, not empty and not too big."""
    content_type = response.headers.get("content-type")
    html = (
        accept_html and not _type_fits(suffix, content_type) and _type_fits(".html", content_type)
    )
    if not html and not _type_fits(suffix, content_type):
        return _FetchFailed(
            f"{response.url} served Content-Type {content_type or '(none)'!r}, "
            f"which is not a {suffix} file"
        )
    try:
        body = http.read_capped(response, MAX_BYTES)
    except http.TooLarge:
        return _FetchFailed(f"{response.url} sent more than {MAX_BYTES} bytes")
    if not body.strip():
        return _FetchFailed(f"{response.url} sent an empty body")
    return _Fetched(
        body=body,
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
        html=html,
    )


def _fetch(
    client: httpx.Client,
    url: str,
    suffix: str,
    conditional: dict[str, str],
    retries: int,
    accept_html: bool = False,
) -> _FetchResult:
    """GET `url` (retried on transient failures only: a 404 or a wrong content type will not
    change on a second try, so those fail at once)."""
    accept = _ACCEPT_HEADER.get(suffix, "*/*")
    if accept_html and suffix not in (".html", ".htm"):
        accept = f"{accept.split(', */*')[0]}, text/html;q=0.8, */*;q=0.1"
    headers = {"Accept": accept, **conditional}
    got = http.get(
        client,
        url,
        headers,
        retries,
        bool(conditional),
        lambda r: _read_body(r, suffix, accept_html),
    )
    if isinstance(got, http.Failed):
        return _FetchFailed(got.describe(with_url=True))
    return got


# --------------------------------------------------------------------------- one source


@dataclass(frozen=True)
class _Outcome:
    result: SourceResult
    # The state entry to record for this source; None forgets it (the file is not a fetch).
    state: dict[str, str] | None


def _target_path(corpus_dir: Path, source: Source) -> Path:
    target = corpus_dir / source.path
    # `Source` already refuses absolute paths and '..'; this also catches symlinked escapes.
    if not target.resolve().is_relative_to(corpus_dir.resolve()):
        raise ValueError(f"path {source.path!r} resolves outside {corpus_dir}")
    return target


def _html_target(target: Path) -> Path:
    """Where a web page fetched for a text source is kept: NAME.html beside NAME.txt."""
    return target.with_suffix(".html")


def _remove_file(target: Path) -> None:
    """Delete a document file, if there (NAME.txt and NAME.html share NAME.meta.json)."""
    with contextlib.suppress(FileNotFoundError):
        target.unlink()


def _copy_sidecar(source: Source, settings: Settings, target: Path) -> str | None:
    """Copy the mirror's `.meta.json` beside the target; return a problem to report, if any."""
    if settings.corpus_mirror is None:
        return None
    mirror_sidecar = sidecar_path(settings.corpus_mirror / source.path)
    data = _read_if_file(mirror_sidecar)
    if data is None:
        return None
    try:
        _write_if_changed(sidecar_path(target), data)
    except OSError as exc:
        logger.warning("%s: could not copy sidecar %s: %s", source.id, mirror_sidecar, exc)
        return f"sidecar not copied: {exc.strerror or exc}"
    return None


def _sync_one(
    source: Source,
    settings: Settings,
    client: httpx.Client | None,
    entry: dict[str, str] | None,
    mirror_only: str | None = None,
) -> _Outcome:
    """Steps for one source: network (unless offline), else mirror, else failed.

    `mirror_only` (the reason) skips the network: the source stands in for an official API
    that could not deliver its content, and its `url` is a web page, not the file."""
    plain_target = _target_path(settings.corpus_dir, source)
    html_target = _html_target(plain_target)
    as_html = entry is not None and entry.get("stored") == "html" and source.accept_html
    target = html_target if as_html else plain_target
    current = _read_if_file(target)
    url = source.download_url or source.url
    notes: list[str] = []

    def done(outcome: Outcome, detail: str, state: dict[str, str] | None) -> _Outcome:
        kept = html_target if state and state.get("stored") == "html" else plain_target
        sidecar_problem = _copy_sidecar(source, settings, kept) if outcome != "failed" else None
        if outcome != "failed" and source.accept_html:
            # One copy of the document: the page fetched or the mirror's text, never both.
            _remove_file(plain_target if kept == html_target else html_target)
        parts = [detail, *notes] + ([sidecar_problem] if sidecar_problem else [])
        result = SourceResult(source.id, source.path, outcome, "; ".join(p for p in parts if p))
        return _Outcome(result, state)

    # 1. The network.
    if mirror_only is not None:
        why_not_fetched = mirror_only
    elif settings.offline:
        why_not_fetched = "offline"
    elif url is None:
        why_not_fetched = "no URL"
    elif client is None:  # pragma: no cover - sync_sources always passes a client when online
        why_not_fetched = "no HTTP client"
    else:
        conditional = _conditional_headers(entry, url, current)
        fetched = _fetch(
            client,
            url,
            plain_target.suffix.lower(),
            conditional,
            settings.sync_retries,
            source.accept_html,
        )
        if isinstance(fetched, http.NotModified):
            return done("not_modified", f"304 from {url}", entry)
        if isinstance(fetched, _Fetched):
            written = _write_if_changed(html_target if fetched.html else plain_target, fetched.body)
            state = {"url": url, "sha256": _sha256(fetched.body)}
            if fetched.html:
                state["stored"] = "html"
            if fetched.etag:
                state["etag"] = fetched.etag
            if fetched.last_modified:
                state["last_modified"] = fetched.last_modified
            return done("fetched", f"from {url}" + ("" if written else " (unchanged)"), state)
        why_not_fetched = fetched.reason
        logger.debug("%s: not fetched, trying the mirror: %s", source.id, why_not_fetched)

    # A copy fetched earlier from the same URL is newer than the mirror snapshot: keep it
    # rather than step back to the mirror because the network is down today.
    if (
        mirror_only is None
        and entry is not None
        and current is not None
        and entry.get("url") == url
        and entry.get("sha256") == _sha256(current)
    ):
        detail = f"kept the copy fetched earlier from {url} ({why_not_fetched})"
        return done("not_modified", detail, entry)
    if url is not None and why_not_fetched != "offline" and mirror_only is None:
        notes.append(f"not fetched: {why_not_fetched}")

    # 2. The mirror.
    if settings.corpus_mirror is None:
        mirror_problem = "no mirror configured"
    else:
        mirror_file = settings.corpus_mirror / source.path
        data = _read_if_file(mirror_file)
        if data is None:
            mirror_problem = f"not in the mirror ({mirror_file})"
        else:
            written = _write_if_changed(plain_target, data)
            detail = "copied from the mirror" if written else "unchanged"
            if why_not_fetched in ("offline", "no URL") or mirror_only is not None:
                detail += f" ({why_not_fetched})"
            return done("mirror", detail, None)

    # 3. Nothing worked.
    reason = f"not fetched ({why_not_fetched}) and {mirror_problem}"
    if current is not None:
        reason += "; the existing file was left in place"
    notes.clear()
    return done("failed", reason, entry)


def _sync_one_safely(
    source: Source,
    settings: Settings,
    client: httpx.Client | None,
    entry: dict[str, str] | None,
    mirror_only: str | None = None,
) -> _Outcome:
    """Turn any unexpected error (disk full, permissions) into a "failed" result for this source
    only, so one bad source never aborts the run."""
    try:
        return _sync_one(source, settings, client, entry, mirror_only)
    except Exception as exc:
        logger.exception("%s: sync failed", source.id)
        detail = f"{type(exc).__name__}: {exc}"
        return _Outcome(SourceResult(source.id, source.path, "failed", detail), entry)


# --------------------------------------------------------------------------- the run


def sync_sources(
    sources: Sequence[Source],
    settings: Settings,
    progress: bool = True,
    mirror_only: dict[str, str] | None = None,
) -> SyncReport:
    """Put every source into `settings.corpus_dir` (same relative layout as the mirror).

    Never raises for a single source: each one ends as "fetched", "not_modified", "mirror" or
    "failed", with a reason, and `report.ok` says whether anything failed. The state file is
    saved after every source, so an interrupted run loses nothing it already finished.
    """
    corpus_dir = settings.corpus_dir
    corpus_dir.mkdir(parents=True, exist_ok=True)
    state = _SyncState(corpus_dir / STATE_FILE)
    results: dict[int, SourceResult] = {}
    mirror_only = mirror_only or {}
    workers = max(1, min(MAX_WORKERS, len(sources)))
    needs_network = not settings.offline and any(
        (s.download_url or s.url) and s.id not in mirror_only for s in sources
    )
    if settings.corpus_mirror is None:
        logger.debug("no corpus mirror configured; sources that cannot be fetched will fail")
    logger.debug(
        "syncing %d sources into %s (%s)",
        len(sources),
        corpus_dir,
        "offline, from the mirror" if settings.offline else "network first, then the mirror",
    )

    with contextlib.ExitStack() as stack:
        client = (
            stack.enter_context(http.client(settings, _USER_AGENT, workers))
            if needs_network
            else None
        )
        task = stack.enter_context(progress_bar("sync", len(sources), progress))
        pool = stack.enter_context(ThreadPoolExecutor(workers, thread_name_prefix="sync"))
        # Workers get a copy of their state entry; only this thread changes and saves the state.
        futures: dict[Future[_Outcome], int] = {}
        for index, source in enumerate(sources):
            entry = dict(state.get(source.id) or {}) or None
            job = pool.submit(
                _sync_one_safely, source, settings, client, entry, mirror_only.get(source.id)
            )
            futures[job] = index
        try:
            for future in as_completed(futures):
                outcome = future.result()
                result = outcome.result
                results[futures[future]] = result
                # The report lists failures once; the log keeps the details at debug level.
                logger.debug("%s: %s (%s)", result.id, result.outcome, result.detail)
                if state.set(result.id, outcome.state):
                    try:
                        state.save()
                    except OSError as exc:
                        logger.warning("could not save sync state %s: %s", state.path, exc)
                task.advance(note=result.id)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        task.note("done")

    report = SyncReport([results[index] for index in range(len(sources))])
    logger.debug("sync finished: %s", report.summary())
    return report

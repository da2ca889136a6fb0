"""`tpa sync`'s screening step: fetch the Consolidated Screening List and publish a new version.

The list is what answers and `tpa screen` say about a party, so a sync must never replace a
good copy with a broken one, never leave a reader with the CSV of one version and the metadata
of another, and never hold an unbounded download in memory. Hence: the download is streamed
into a staging folder and refused past `settings.csl_max_bytes` (`TPA_CSL_MAX_BYTES`); it is
stored only if it parses as a CSL with at least one entry; an unchanged list costs one
conditional GET (304); and a new copy is published as a complete version folder that `current`
is switched to in one step (the layout is in `assistant/screening/layout.py`), one sync at a
time per folder.

The list's version date is the `Last-Modified` date the server sent when it was fetched, or the
fetch date when the server sent none (trade.gov regenerates the file daily).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal

import httpx

from assistant.config import Settings
from assistant.screening.csv_format import decode_csl, parse_csl
from assistant.screening.layout import (
    CSL_FILE,
    CURRENT,
    LINK_PREFIX,
    LOCK_FILE,
    META_FILE,
    STAGING_PREFIX,
    VERSION_PREFIX,
    current_target,
)
from assistant.screening.models import ScreeningError
from assistant.screening.repository import Copy, read_copy
from ingest import http

logger = logging.getLogger(__name__)

_USER_AGENT = "trade-policy-assistant/0.1 (screening list sync)"

FetchStatus = Literal["fetched", "not_modified", "kept", "missing"]


@dataclass(frozen=True)
class FetchResult:
    """What `fetch_csl` did. `status`: fetched (a new copy), not_modified (the server's copy is
    the one we have), kept (not fetched; the existing copy stays), missing (no list at all).
    `detail` is the line to show; `version` the version date of the copy now in place."""

    status: FetchStatus
    detail: str
    version: str | None = None
    entries: int = 0
    url: str = ""

    @property
    def available(self) -> bool:
        return self.status != "missing"

    def as_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "available": self.available}


# --------------------------------------------------------------------------- publishing


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _sync_lock(directory: Path) -> Iterator[None]:
    """One sync at a time per screening folder (two would prune each other's versions)."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / LOCK_FILE).open("a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_leftovers(directory: Path) -> None:
    """Staging folders and temporary links of a sync that was killed (the lock is held)."""
    for path in directory.iterdir():
        if path.name.startswith(STAGING_PREFIX) and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        elif path.name.startswith(LINK_PREFIX):
            path.unlink(missing_ok=True)


def _publish(directory: Path, staging: Path, digest: str) -> str:
    """Make `staging` (CSV and metadata, both written) the current version, in one switch:
    the folder is renamed to its version name, then `current` is replaced by a symlink to it.
    Then the old layout's files and versions older than the previous one are removed."""
    os.chmod(staging, 0o755)
    _fsync_dir(staging)
    name = f"{VERSION_PREFIX}{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{digest[:12]}"
    os.rename(staging, directory / name)
    try:
        previous = current_target(directory)
    except ScreeningError:
        previous = None
    link = directory / f"{LINK_PREFIX}{os.getpid()}-{threading.get_ident()}"
    link.unlink(missing_ok=True)
    os.symlink(name, link)
    os.replace(link, directory / CURRENT)  # the switch
    _fsync_dir(directory)
    for old in (CSL_FILE, META_FILE):  # the old layout: readers now follow `current`
        (directory / old).unlink(missing_ok=True)
    for path in directory.iterdir():
        if path.name.startswith(VERSION_PREFIX) and path.name not in (name, previous):
            shutil.rmtree(path, ignore_errors=True)
    return name


# --------------------------------------------------------------------------- fetching


@dataclass(frozen=True)
class _Held:
    """The copy in place before a sync, and its number of entries."""

    copy: Copy
    entries: int


def _held(directory: Path) -> _Held | None:
    """The readable copy in place, or None (none, or damaged: a sync then replaces it)."""
    try:
        copy = read_copy(directory)
        return None if copy is None else _Held(copy, len(parse_csl(decode_csl(copy.raw))))
    except ScreeningError as exc:
        logger.warning("the screening list in %s is unreadable: %s", directory, exc)
        return None


@dataclass(frozen=True)
class _Download:
    status: int  # 200 (the body is in the staging file) or 304
    headers: httpx.Headers
    size: int = 0
    sha256: str = ""


def _version_from(last_modified: str | None) -> tuple[str, str]:
    if last_modified:
        with contextlib.suppress(TypeError, ValueError, IndexError):
            return parsedate_to_datetime(last_modified).date().isoformat(), "last-modified"
    return datetime.now(UTC).date().isoformat(), "fetch date"


def _save_body(response: httpx.Response, target: Path, limit: int) -> _Download | str:
    """Stream the body into `target`, refusing it past `limit` bytes: at once when the server
    announces more, else as soon as more arrives (no Content-Length, a wrong one, or a
    compressed body that inflates: the bytes counted are the decoded ones)."""
    declared = http.declared_length(response.headers)
    if declared is not None and declared > limit:
        return (
            f"refused: the server announced {declared:,} bytes (Content-Length), more than the "
            f"{limit:,}-byte limit (TPA_CSL_MAX_BYTES)"
        )
    try:
        saved = http.stream_to_file(response, target, limit)
    except http.TooLarge:
        announced = "no size" if declared is None else f"{declared:,} bytes"
        return (
            f"refused: the download passed the {limit:,}-byte limit "
            f"(TPA_CSL_MAX_BYTES); the server announced {announced}"
        )
    return _Download(200, response.headers, saved.size, saved.sha256)


def _download(
    settings: Settings, meta: dict[str, Any], have_copy: bool, target: Path
) -> _Download | str:
    """The response (200 with the body streamed into `target`, or 304), or why there is none
    ("not fetched: ..." or "refused: ...")."""
    headers = {"Accept": "text/csv, text/plain;q=0.9, */*;q=0.1"}
    if have_copy and meta.get("url") == settings.csl_url:
        etag, last_modified = meta.get("etag"), meta.get("last_modified")
        headers |= http.conditional_headers(
            str(etag) if etag else None, str(last_modified) if last_modified else None
        )
    with http.client(settings, _USER_AGENT) as client:
        got = http.get(
            client,
            settings.csl_url,
            headers,
            settings.sync_retries,
            accept_not_modified=have_copy,
            on_ok=lambda response: _save_body(response, target, settings.csl_max_bytes),
        )
    if isinstance(got, http.NotModified):
        return _Download(304, httpx.Headers())
    if isinstance(got, http.Failed):
        return f"not fetched: {got.describe(with_url=False)}"
    return got


def fetch_csl(settings: Settings) -> FetchResult:
    """Fetch `settings.csl_url` into `settings.screening_dir` as a new version folder (`csl.csv`
    + `csl.meta.json`) and switch `current` to it (see `assistant/screening/layout.py`).

    The body is streamed to disk and refused past `settings.csl_max_bytes`. It is stored only
    if it parses as a CSL with at least one entry, so a good copy is never replaced by a broken
    one or deleted. The version date is the `Last-Modified` date the server sent, else today's
    date. Offline, unreachable, an error status, too big or not a CSL: the existing copy is
    kept ("kept existing copy (version X)"), or "no screening list available"."""
    directory = settings.screening_dir
    if settings.offline:
        return _not_fetched(settings, _held(directory), "offline")
    with _sync_lock(directory):
        _remove_leftovers(directory)
        staging = Path(tempfile.mkdtemp(dir=directory, prefix=STAGING_PREFIX))
        try:
            return _fetch_into(settings, _held(directory), staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # already gone when it was published


def _not_fetched(settings: Settings, held: _Held | None, why: str) -> FetchResult:
    if held is not None:
        version, url = held.copy.version, str(held.copy.meta.get("url") or "")
        detail = f"kept existing copy (version {version}) ({why})"
        return FetchResult("kept", detail, version, held.entries, url)
    return FetchResult("missing", f"no screening list available ({why})", url=settings.csl_url)


def _fetch_into(settings: Settings, held: _Held | None, staging: Path) -> FetchResult:
    """Download into `staging` and publish it (the sync lock is held)."""
    meta = held.copy.meta if held is not None else {}
    got = _download(settings, meta, held is not None, staging / CSL_FILE)
    if isinstance(got, str):
        logger.warning("screening list not stored from %s: %s", settings.csl_url, got)
        return _not_fetched(settings, held, got)
    if got.status == 304 and held is not None:
        version = held.copy.version
        detail = f"304 from {settings.csl_url}; version {version}"
        return FetchResult("not_modified", detail, version, held.entries, settings.csl_url)
    try:
        entries = parse_csl(decode_csl((staging / CSL_FILE).read_bytes()))
    except ScreeningError as exc:
        logger.warning("refusing the screening list from %s: %s", settings.csl_url, exc)
        return _not_fetched(settings, held, f"refused: {exc}")
    if not entries:
        return _not_fetched(settings, held, "refused: the file has no entries")
    last_modified = got.headers.get("last-modified")
    version, version_from = _version_from(last_modified)
    new_meta: dict[str, Any] = {
        "version": version,
        "version_from": version_from,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "url": settings.csl_url,
        "sha256": got.sha256,
        "bytes": got.size,
        "entries": len(entries),
    }
    if last_modified:
        new_meta["last_modified"] = last_modified
    if got.headers.get("etag"):
        new_meta["etag"] = got.headers["etag"]
    unchanged = held is not None and held.copy.sha256 == got.sha256
    same = (
        unchanged
        and held is not None
        and not held.copy.legacy
        and all(new_meta.get(k) == meta.get(k) for k in ("version", "url", "etag", "last_modified"))
    )
    if not same:  # a new version folder, even for the same bytes under a new version date
        meta_bytes = (json.dumps(new_meta, indent=1) + "\n").encode()
        http.write_atomic(staging / META_FILE, meta_bytes)
        _publish(settings.screening_dir, staging, got.sha256)
    status: FetchStatus = "not_modified" if unchanged else "fetched"
    detail = f"from {settings.csl_url}: {len(entries)} entries, version {version}"
    if unchanged:
        detail += " (unchanged)"
    return FetchResult(status, detail, version, len(entries), settings.csl_url)

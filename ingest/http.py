"""The write path's HTTP and file writing: one retrying GET and one atomic write for every sync.

`tpa sync` fetches corpus documents (`ingest/sync.py`) and the Consolidated Screening List
(`ingest/screening_sync.py`) from servers that are sometimes slow, down or wrong. Both need the
same things, so they are done once, here:

* `client(settings, ...)`: timeouts from `settings.sync_timeout`, redirects followed.
* `get(...)`: a streamed GET retried `settings.sync_retries` times with backoff (0.25 s, 0.5 s,
  1 s, at most 2 s) on transient failures only (connection errors, timeouts, 5xx, also a
  connection lost mid-body); a 404 or a bad URL will not change on a second try, so those fail
  at once. A 304 is accepted only when the caller sent a conditional request
  (`conditional_headers`: If-None-Match / If-Modified-Since from the stored validators).
* `read_capped` / `stream_to_file`: the body, refused as soon as it passes a byte limit (the
  bytes counted are the decoded ones, so a compressed body that inflates is caught too).
* `write_atomic`: a temporary file in the target's folder, fsynced, then `os.replace`, so a
  reader (or a later run after a crash) sees the old content or the new, never a partial file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal, TypeVar

import httpx

from assistant.config import Settings

T = TypeVar("T")

_BACKOFF_BASE = 0.25
_BACKOFF_MAX = 2.0


def client(settings: Settings, user_agent: str, workers: int | None = None) -> httpx.Client:
    """A client for the sync: `settings.sync_timeout` per attempt, redirects followed; with
    `workers`, a connection pool sized for that many threads."""
    if workers is None:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)  # httpx's own
    else:
        limits = httpx.Limits(max_connections=workers * 2, max_keepalive_connections=workers)
    return httpx.Client(
        timeout=httpx.Timeout(settings.sync_timeout),
        follow_redirects=True,
        headers={"User-Agent": user_agent},
        limits=limits,
    )


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since for the validators a server sent with the copy held."""
    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


@dataclass(frozen=True)
class NotModified:
    """A 304: the copy held is the server's."""


@dataclass(frozen=True)
class Failed:
    """No usable response. `kind`: status (an HTTP status other than 200 or an accepted 304),
    transport (connection, timeout) or error (a bad URL, too many redirects); `url` is the
    response's URL for a status, else the URL asked for; `attempts` how many were made when
    every one failed transiently (0 when the failure was final at once)."""

    kind: Literal["status", "transport", "error"]
    detail: str  # "HTTP 503", or "ConnectError: ..."
    url: str
    attempts: int = 0

    def describe(self, with_url: bool) -> str:
        """The reason in words, e.g. "HTTP 503 from URL after 3 attempts"."""
        text = self.detail
        if with_url:
            text += f" from {self.url}" if self.kind == "status" else f" ({self.url})"
        if self.attempts:
            text += f" after {self.attempts} attempt{'s' if self.attempts > 1 else ''}"
        return text


def backoff(attempt: int) -> float:
    """Seconds to wait before retry number `attempt` (1, 2, ...)."""
    return float(min(_BACKOFF_BASE * 2 ** (attempt - 1), _BACKOFF_MAX))


def get(
    http: httpx.Client,
    url: str,
    headers: dict[str, str],
    retries: int,
    accept_not_modified: bool,
    on_ok: Callable[[httpx.Response], T],
) -> T | NotModified | Failed:
    """GET `url`, streamed; `on_ok(response)` reads a 200 while the connection is open (what
    it returns is returned; a transport error while it reads is retried like any other).
    Retries connection errors, timeouts and 5xx only, `retries` times."""
    last = Failed("error", "no attempt made", url)
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff(attempt))
        try:
            with http.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status == 304 and accept_not_modified:
                    return NotModified()
                if status >= 500:
                    last = Failed("status", f"HTTP {status}", str(response.url))
                    continue
                if status != 200:
                    return Failed("status", f"HTTP {status}", str(response.url))
                return on_ok(response)
        except httpx.TransportError as exc:  # connect/read errors and timeouts: worth a retry
            last = Failed("transport", f"{type(exc).__name__}: {str(exc) or 'no detail'}", url)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:  # e.g. too many redirects, bad URL
            return Failed("error", f"{type(exc).__name__}: {exc}", url)
    return Failed(last.kind, last.detail, last.url, retries + 1)


def declared_length(headers: httpx.Headers) -> int | None:
    """The Content-Length the server announced, if it is a number."""
    value = headers.get("content-length", "").strip()
    return int(value) if value.isdigit() else None


class TooLarge(Exception):
    """The body passed the byte limit; reading stopped there."""


def _capped(response: httpx.Response, limit: int, chunk_size: int | None) -> Iterator[bytes]:
    size = 0
    for block in response.iter_bytes(chunk_size):
        size += len(block)
        if size > limit:
            raise TooLarge
        yield block


def read_capped(response: httpx.Response, limit: int) -> bytes:
    """The whole body, in memory; raises `TooLarge` past `limit` bytes."""
    return b"".join(_capped(response, limit, None))


@dataclass(frozen=True)
class Saved:
    """A body written to disk: its size in bytes and SHA-256."""

    size: int
    sha256: str


def stream_to_file(response: httpx.Response, target: Path, limit: int) -> Saved:
    """Stream the body into `target` (atomically, see `write_atomic`) without holding it in
    memory; raises `TooLarge` past `limit` bytes, leaving `target` as it was."""
    digest, size = hashlib.sha256(), 0
    with _atomic(target) as out:
        for block in _capped(response, limit, 1 << 16):
            size += len(block)
            digest.update(block)
            out.write(block)
    return Saved(size, digest.hexdigest())


def write_atomic(target: Path, data: bytes) -> None:
    """Write via a temporary file in the same directory, fsynced, and `os.replace`, so readers
    (and a later run after a crash) see either the old content or the new, never a partial
    file. The file is 0644 (ordinary data)."""
    with _atomic(target) as out:
        out.write(data)


@contextlib.contextmanager
def _atomic(target: Path) -> Iterator[BinaryIO]:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)  # mkstemp creates 0600
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise

"""Reading the synced screening list from the data dir, and keeping one in use per process.

`load_list(settings)` is called on every answer, `tpa screen` and `/v1/screen`, and a new
`tpa sync` must be picked up by a running server without a restart, yet parsing and indexing a
full list takes seconds. So a call only compares what is on disk with the list in use (a
readlink and two stats); a changed list is built in a background thread and swapped in by one
assignment, and callers keep the list in use meanwhile. The files are read by `read_copy`, one
consistent CSV + metadata pair of the layout described in `layout.py` (also used by the sync
to know what it already holds).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.screening.csv_format import decode_csl, parse_csl
from assistant.screening.layout import CSL_FILE, CURRENT, META_FILE, current_target
from assistant.screening.models import ScreeningError, ScreeningList

logger = logging.getLogger(__name__)

_READ_ATTEMPTS = 5

# (version folder or "" for the old layout, CSV inode, size, mtime, metadata mtime)
Stamp = tuple[str, int, int, int, int]


@dataclass(frozen=True)
class Copy:
    """A CSV and its metadata as read from one version folder (or the old layout)."""

    raw: bytes
    meta: dict[str, Any]  # {} when there is none or it describes another file
    sha256: str
    stamp: Stamp
    mtime_ns: int

    @property
    def legacy(self) -> bool:
        return self.stamp[0] == ""

    @property
    def version(self) -> str:
        """The metadata's version date, else the CSV's modification date."""
        version = str(self.meta.get("version") or "")
        return version or datetime.fromtimestamp(self.mtime_ns / 1e9, UTC).date().isoformat()


def _stamp(directory: Path) -> Stamp | None:
    """What identifies the copy on disk now (a readlink and two stats: cheap enough for every
    answer), or None when there is no list."""
    target = current_target(directory)
    folder = directory / target if target else directory
    try:
        st = os.stat(folder / CSL_FILE)
    except FileNotFoundError:
        # No list; or `current` names a missing folder, which reading will report.
        return None if target is None else (target, 0, 0, 0, 0)
    except OSError:
        return (target or "", -1, 0, 0, 0)  # unreadable: reading will say why
    try:
        meta_ns = os.stat(folder / META_FILE).st_mtime_ns
    except OSError:
        meta_ns = 0
    return (target or "", st.st_ino, st.st_size, st.st_mtime_ns, meta_ns)


def _meta_of(raw: bytes | None, digest: str, where: Path) -> dict[str, Any]:
    """The metadata, or {} when it is missing, not JSON, or describes another CSV (a torn pair
    of the old layout, whose two files were replaced one after the other)."""
    if raw is None:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    claimed = data.get("sha256")
    if claimed and claimed != digest:
        logger.warning("%s describes another copy of the list (SHA-256 differs): ignored", where)
        return {}
    return data


def read_copy(directory: Path) -> Copy | None:
    """The CSV and metadata in place now, both from the folder `current` named when it was
    resolved (or from the old layout); None when there is no list.

    A sync may switch `current` (and prune the folder resolved a moment ago) or move the old
    layout away between resolving and opening: both files are then looked up again."""
    for _ in range(_READ_ATTEMPTS):
        target = current_target(directory)
        folder = directory / target if target else directory
        try:
            handle = (folder / CSL_FILE).open("rb")
        except FileNotFoundError:
            if target is None and current_target(directory) is None:
                return None
            continue
        except OSError as exc:  # permissions, a folder in its place: say so
            raise ScreeningError(
                f"cannot read the screening list {folder / CSL_FILE}: {exc}"
            ) from exc
        with handle:
            meta_raw: bytes | None = None
            meta_ns = 0
            try:
                with (folder / META_FILE).open("rb") as meta_handle:
                    meta_ns = os.fstat(meta_handle.fileno()).st_mtime_ns
                    meta_raw = meta_handle.read()
            except FileNotFoundError:
                if target is None and current_target(directory) is not None:
                    continue  # a sync moved the old layout into a version folder meanwhile
            except OSError:  # unreadable metadata: the version date is the file's date
                with contextlib.suppress(OSError):  # and the stamp still `_stamp`'s
                    meta_ns = os.stat(folder / META_FILE).st_mtime_ns
            try:
                st = os.fstat(handle.fileno())
                raw = handle.read()
            except OSError as exc:
                raise ScreeningError(f"cannot read the screening list {folder}: {exc}") from exc
        digest = hashlib.sha256(raw).hexdigest()
        return Copy(
            raw=raw,
            meta=_meta_of(meta_raw, digest, folder / META_FILE),
            sha256=digest,
            stamp=(target or "", st.st_ino, st.st_size, st.st_mtime_ns, meta_ns),
            mtime_ns=st.st_mtime_ns,
        )
    raise ScreeningError(
        f"cannot read the screening list in {directory}: {directory / CURRENT} names a missing "
        "folder (run `tpa sync`)"
    )


def _list_of(copy: Copy, threshold: float) -> ScreeningList:
    """Parse and index a copy (the slow part: seconds for a full list)."""
    screening_list = ScreeningList(
        parse_csl(decode_csl(copy.raw)),
        version=copy.version,
        url=str(copy.meta.get("url") or ""),
        threshold=threshold,
        fetched_at=copy.meta.get("fetched_at"),
        sha256=copy.sha256,
    )
    screening_list.index.person_vocab()  # here, off the request path, not at the first question
    return screening_list


# ---- the index in use, rebuilt in the background

_gc_lock = threading.Lock()
_gc_pausers = 0  # builds running with automatic collections paused
_gc_was_enabled = False


@contextlib.contextmanager
def _collections_paused() -> Iterator[None]:
    """Automatic garbage collection off while a list is parsed and indexed.

    Parsing 40,000 rows allocates hundreds of thousands of objects, which triggers full
    collections; each walks every object of the process (the model, the lexical index, the
    old list) while holding the GIL, and in a big process one took 2 s, stalling every answer
    given meanwhile. The build makes no cycles worth collecting, and the collector resumes
    (if it was on) when the last build in flight ends."""
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()


@dataclass
class _Slot:
    """The list in use for one screening folder and threshold, and the build in flight.
    `current` is replaced by a single assignment, so a reader gets the old list or the new."""

    current: tuple[Stamp, ScreeningList] | None = None
    failed: tuple[Stamp, ScreeningError] | None = None
    building: Future[ScreeningList | None] | None = None


_slots_lock = threading.Lock()  # guards `_slots` and starting a build; never held while building
_slots: dict[tuple[str, float], _Slot] = {}


def _slot(directory: Path, threshold: float) -> _Slot:
    key = (os.path.abspath(directory), threshold)
    with _slots_lock:
        return _slots.setdefault(key, _Slot())


def _start_build(slot: _Slot, directory: Path, threshold: float) -> Future[ScreeningList | None]:
    """The build in flight for `slot`, started if there is none (one at a time per slot)."""
    with _slots_lock:
        if slot.building is not None and not slot.building.done():
            return slot.building
        future: Future[ScreeningList | None] = Future()
        slot.building = future
    thread = threading.Thread(
        target=_build,
        args=(slot, future, directory, threshold),
        name="screening-index",
        daemon=True,
    )
    thread.start()
    return future


def _build(
    slot: _Slot, future: Future[ScreeningList | None], directory: Path, threshold: float
) -> None:
    """Read, parse and index the copy on disk, then put it in use (in a thread of its own)."""
    started = time.perf_counter()
    copy: Copy | None = None
    before: Stamp | None = None
    try:
        before = _stamp(directory)
        with _collections_paused():
            copy = read_copy(directory)
            screening_list = None if copy is None else _list_of(copy, threshold)
    except ScreeningError as exc:
        failed_at = copy.stamp if copy is not None else before
        if failed_at is not None:
            slot.failed = (failed_at, exc)  # not retried until the files change
        logger.warning("the screening list in %s is unusable: %s", directory, exc)
        future.set_exception(exc)
        return
    except Exception as exc:  # e.g. MemoryError: waiting callers get it, the next call retries
        logger.exception("building the screening index for %s failed", directory)
        future.set_exception(exc)
        return
    if copy is not None and screening_list is not None:
        slot.current = (copy.stamp, screening_list)  # the swap: one reference assignment
        slot.failed = None
        logger.info(
            "screening list in use: %d entries, version %s (built in %.1f s)",
            len(screening_list),
            screening_list.version,
            time.perf_counter() - started,
        )
    future.set_result(screening_list)


def load_list(settings: Settings) -> ScreeningList | None:
    """The synced list, or None when `settings.screening_dir` holds none.

    Cheap on every call (a readlink and two stats). When the files on disk have changed since
    the list in use was built, a new one is parsed and indexed in a background thread and put
    in use by a single assignment; until then every caller gets the list in use at once, so no
    answer waits for a rebuild. Only when there is no list in use yet (the first call of a
    process, per folder and threshold) does the call wait for the build: a screening block
    missing from an answer about a listed party would read as "not listed", and `tpa screen`
    or `/v1/screen` have nothing else to answer with. Concurrent first calls wait for the same
    build. Raises `ScreeningError` when there is no list in use and the copy on disk is not
    a CSL; with a list in use, a copy that cannot be read is logged and the list in use kept."""
    directory = settings.screening_dir
    stamp = _stamp(directory)
    if stamp is None:
        return None
    threshold = float(settings.screening_threshold)
    slot = _slot(directory, threshold)
    ready, failed = slot.current, slot.failed
    if ready is not None and ready[0] == stamp:
        return ready[1]
    if failed is not None and failed[0] == stamp:
        if ready is not None:
            return ready[1]
        raise failed[1]
    build = _start_build(slot, directory, threshold)
    if ready is not None:
        return ready[1]  # the list in use, until the new one is built
    return build.result()

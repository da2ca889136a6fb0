"""A replica's copy of the document ledger, kept current by reading only what was written since
its last look.

Why: a replica compares the ledger with its snapshot after every ingest, and reading the whole
ledger takes about 4 s at 100k documents (a million chunks) here, most of a refresh after a
1-document ingest. Every ledger record carries the time it was written (`WRITTEN_AT`, the
writer's clock), so the copy is brought up to date with the records stamped since its last
read began (this process's clock), less `SKEW_MS` for writers whose clocks lag or whose writes
land late. (A record the last read did not see was written after it began; records of a
store written before the stamps need none of their own.)

What that read cannot see is caught by a whole read: a removal (records gone leave no stamp;
the store's removal mark moves with each, read before the records), a count that disagrees
with the copy (a new record written by an earlier release, without a stamp, or stamped by a
clock lagging more than the margin), many records at once, and every `FULL_READ_S` in any
case: by the first look after that which finds nothing new (a replica looks at least every
minute), so that an ingest is not served seconds later for it, and at twice that age by any
look. A record that was missed is therefore missed for at most that long, and never half: the
snapshot checks every document's chunks against its record's hash whichever way the record
was read.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any

from assistant.index.store import Store, now_ms

SKEW_MS = 60_000  # records stamped up to a minute before the last read began are read again
FULL_READ_S = 300.0  # the whole ledger is read this often (twice this at most, see above)
_MOST_CHANGED = 5_000  # more records written since than this: the whole ledger is read


@dataclass(frozen=True)
class _Copy:
    records: dict[str, dict[str, Any]]
    read_ms: int  # when the read that made this copy began (ms since the epoch, this clock)
    removal_mark: str
    read_whole_at: float  # time.monotonic() of the last whole read


@dataclass
class Reads:
    """How this process read the ledger (for tests and benches)."""

    whole: int = 0
    since: int = 0


reads = Reads()
_lock = threading.Lock()
_copies: weakref.WeakKeyDictionary[Store, _Copy] = weakref.WeakKeyDictionary()


def current_records(store: Store) -> dict[str, dict[str, Any]]:
    """doc_id -> ledger record as the store holds it now (what `Store.document_records` reads),
    from the records written since the last look when that is safe, else from a whole read.
    The dict returned is the caller's: the copy kept here is never handed out."""
    with _lock:
        copy = _copies.get(store)
    began = now_ms()
    mark = store.removal_mark()  # before the records: a later removal moves it for next time
    if copy is None or mark != copy.removal_mark:
        return _read_whole(store, mark, began)
    written = store.records_written_since(copy.read_ms - SKEW_MS, _MOST_CHANGED)
    if written is None:
        return _read_whole(store, mark, began)
    records = {**copy.records, **written}
    if store.ledger_count() != len(records):
        return _read_whole(store, mark, began)
    # The periodic whole read is made by a look that found nothing new, not on the way to
    # serving an ingest (at a million chunks it was 4.5 s of a 5.7 s refresh), unless the
    # last one is twice the period old.
    # (records read again within the margin, unchanged, are nothing new)
    age = time.monotonic() - copy.read_whole_at
    changed = any(copy.records.get(doc_id) != record for doc_id, record in written.items())
    if age > 2 * FULL_READ_S or (age > FULL_READ_S and not changed):
        return _read_whole(store, mark, began)
    reads.since += 1
    _keep(store, _Copy(records, began, mark, copy.read_whole_at))
    return dict(records)


def _read_whole(store: Store, mark: str, began: int) -> dict[str, dict[str, Any]]:
    started = time.monotonic()
    records = store.document_records()
    reads.whole += 1
    _keep(store, _Copy(records, began, mark, started))
    return dict(records)


def _keep(store: Store, copy: _Copy) -> None:
    with _lock:
        _copies[store] = copy

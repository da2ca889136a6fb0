"""A replica reads only the ledger records written since its last look (a whole read took about
4 s at 100k documents, most of a refresh after a 1-document ingest), yet never misses what that
read cannot see: removals, records of an earlier release's writer, too many records at once.
Each case compares what the replica's copy holds with a whole read of the real store."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from assistant.config import Settings
from assistant.index import ledger_follow
from assistant.index import snapshot as snap
from assistant.index.store import WRITTEN_AT, Store
from assistant.models import Filters
from assistant.retrieval.retriever import Retriever
from tests.conftest import make_settings
from tests.integration.test_store_ledger import _write


@pytest.fixture
def store(tmp_path: Path) -> Store:
    settings: Settings = make_settings(tmp_path / "data")
    return Store(settings)


def _read(store: Store) -> tuple[dict[str, str], str]:
    """The copy's doc_id -> content hash, and how it was read ("whole" or "since")."""
    whole, since = ledger_follow.reads.whole, ledger_follow.reads.since
    records = ledger_follow.current_records(store)
    how = "whole" if ledger_follow.reads.whole > whole else "since"
    assert ledger_follow.reads.whole + ledger_follow.reads.since == whole + since + 1
    return {d: str(r.get("content_hash")) for d, r in records.items()}, how


def _truth(store: Store) -> dict[str, str]:
    return {d: str(r.get("content_hash")) for d, r in store.document_records().items()}


def test_a_new_or_changed_document_is_read_alone(store: Store) -> None:
    for d in range(3):
        _write(store, f"doc-{d}")
    assert _read(store) == (_truth(store), "whole")  # the first look reads everything
    _write(store, "doc-3")
    _write(store, "doc-1", digest="h2")
    got, how = _read(store)
    assert how == "since" and got == _truth(store)
    assert got["doc-1"] == "h2" and "doc-3" in got
    # every record carries its write time, in ms
    assert all(isinstance(r[WRITTEN_AT], int) for r in store.document_records().values())


def test_a_removal_is_never_missed(store: Store) -> None:
    for d in range(3):
        _write(store, f"doc-{d}")
    _read(store)
    store.delete_document("doc-0")
    _write(store, "doc-9")  # same count as before: only the removal mark tells
    got, how = _read(store)
    assert how == "whole" and got == _truth(store) and "doc-0" not in got
    assert _read(store) == (_truth(store), "since")  # and then back to reading what changed


def test_a_record_without_a_write_time_is_caught_by_the_count(store: Store) -> None:
    for d in range(2):
        _write(store, f"doc-{d}")
    _read(store)
    # a new record stamped long before the newest (a writer whose clock lags by hours)
    _write(store, "doc-old")
    store.ledger.update(ids=["doc-old"], metadatas=[{WRITTEN_AT: 1}])
    got, how = _read(store)
    # the records written since did not hold it, the count did not match: read whole
    assert how == "whole" and got == _truth(store) and "doc-old" in got


def test_many_records_at_once_read_the_whole_ledger(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(store, "doc-0")
    _read(store)
    monkeypatch.setattr(ledger_follow, "_MOST_CHANGED", 2)
    for d in range(1, 4):
        _write(store, f"doc-{d}")
    assert _read(store) == (_truth(store), "whole")


def test_a_whole_read_comes_round_in_any_case(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(store, "doc-0")
    _read(store)
    # a change the records written since cannot show: stamped before the margin, same count
    store.ledger.update(ids=["doc-0"], metadatas=[{"content_hash": "elsewhere", WRITTEN_AT: 1}])
    assert _read(store) == ({"doc-0": "h1"}, "since")  # missed for now ...
    monkeypatch.setattr(ledger_follow, "FULL_READ_S", 0.0)
    assert _read(store) == ({"doc-0": "elsewhere"}, "whole")  # ... but not for long


def _age_whole_read(store: Store, seconds: float) -> None:
    """Make the copy's last whole read `seconds` old."""
    copy = ledger_follow._copies[store]
    ledger_follow._copies[store] = replace(copy, read_whole_at=time.monotonic() - seconds)


def test_a_due_whole_read_waits_for_a_look_that_finds_nothing_new(store: Store) -> None:
    """The periodic whole read (4.5 s at a million chunks) is not made on the way to serving an
    ingest: a look that finds records written since reads only those, the next look that finds
    nothing new reads whole, and at twice the period any look does."""
    _write(store, "doc-0")
    _read(store)
    _age_whole_read(store, 1.5 * ledger_follow.FULL_READ_S)
    _write(store, "doc-1")
    assert _read(store) == (_truth(store), "since")
    assert _read(store) == (_truth(store), "whole")  # nothing new: the whole read due
    assert _read(store) == (_truth(store), "since")
    _age_whole_read(store, 2.5 * ledger_follow.FULL_READ_S)
    _write(store, "doc-2")
    assert _read(store) == (_truth(store), "whole")


def test_a_replica_refresh_after_one_ingest_reads_only_what_changed(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    for d in range(3):
        _write(store, f"doc-{d}")
    retriever = Retriever(store)
    first = retriever.refresh()
    _write(store, "doc-new")
    whole_reads: list[int] = []
    real = store.document_records
    monkeypatch.setattr(store, "document_records", lambda: whole_reads.append(1) or real())
    fresh = retriever.refresh()
    assert whole_reads == []  # the ledger was not read whole
    assert fresh.version != first.version
    assert fresh.version == snap.ledger_version(store.document_records())
    found = retriever.retrieve("doc-new passage", 5, Filters(groups=("public",)))
    assert any(p.doc_id == "doc-new" for p in found)


def test_a_store_written_before_the_stamps_is_followed_from_the_first_look(store: Store) -> None:
    for d in range(3):
        _write(store, f"doc-{d}")
    # the records as an earlier release left them: no write time
    legacy = store.document_records()
    store.ledger.delete(ids=list(legacy))
    store.ledger.add(
        ids=list(legacy),
        embeddings=np.ones((len(legacy), 1), np.float32),
        metadatas=[{k: v for k, v in r.items() if k != WRITTEN_AT} for r in legacy.values()],
    )
    assert not any(WRITTEN_AT in r for r in store.document_records().values())
    assert _read(store) == (_truth(store), "whole")
    _write(store, "doc-3")
    assert _read(store) == (_truth(store), "since")

"""The ledger (each document's hash, chunk count, origin and access) is a collection of its own,
without texts: every replica reads it every few seconds, and Chroma keeps a record's text among
its metadata, so reading records from the texts collection read every text too.

A store written before the split (records only beside the texts) is upgraded when first opened,
and an ingest mends what an interrupted write left apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.config import Settings
from assistant.index.store import WRITTEN_AT, Store
from assistant.models import Chunk
from tests.conftest import make_settings


def _write(store: Store, doc_id: str, n: int = 3, digest: str = "h1") -> None:
    chunks = [
        Chunk(f"{doc_id}-{i}", doc_id, f"{doc_id} passage {i}", i * 20, i * 20 + 12, doc_id,
              (doc_id,), {"title": doc_id, "access": ["public"], "doc_type": "memo"})
        for i in range(n)
    ]  # fmt: skip
    record = {"doc_id": doc_id, "content_hash": digest, "access": "public", "root": "corpus"}
    vectors = np.random.default_rng(3).normal(size=(n, 8)).astype(np.float32)
    store.write_document(doc_id, "x" * 5000, record, chunks, vectors, f"{doc_id}.md")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


def test_reading_the_ledger_reads_no_text(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(settings)
    for d in range(4):
        _write(store, f"doc-{d}", n=d + 1)
    reads: list[Any] = []
    real = store.documents.get
    monkeypatch.setattr(store.documents, "get", lambda *a, **k: reads.append(k) or real(*a, **k))
    records = store.document_records()
    assert reads == []  # the texts collection is not touched
    assert sorted(records) == ["doc-0", "doc-1", "doc-2", "doc-3"]
    assert records["doc-2"]["chunk_count"] == 3
    assert records["doc-2"]["content_hash"] == "h1"
    # and the document's own text is still there for citation checks
    doc = store.get_document("doc-2")
    assert doc is not None and doc.text == "x" * 5000


def test_touch_and_delete_keep_the_ledger_and_the_texts_in_step(settings: Settings) -> None:
    store = Store(settings)
    _write(store, "kept")
    _write(store, "gone")
    store.touch_record("kept", {"root": "mirror"})
    store.delete_document("gone")
    records = store.document_records()
    assert list(records) == ["kept"]
    assert records["kept"]["root"] == "mirror"
    doc = store.get_document("kept")
    assert doc is not None and doc.metadata["root"] == "mirror"
    assert store.get_document("gone") is None
    assert store.chunk_doc_ids() == {"kept": 3}


def test_a_store_written_before_the_ledger_collection_is_upgraded_on_opening(
    settings: Settings,
) -> None:
    store = Store(settings)
    for d in range(3):
        _write(store, f"doc-{d}", digest=f"h{d}")
    before = store.document_records()
    # the layout of earlier releases: records only in `<collection>_documents`
    store.client.delete_collection(f"{settings.collection}_ledger")
    store.client.delete_collection(f"{settings.collection}_changes")
    reopened = Store(settings, client=store.client)
    after = reopened.document_records()
    # copied as they were, stamped with the time of the copy (a replica then reads them)
    assert all(after[d].pop(WRITTEN_AT) >= before[d].pop(WRITTEN_AT) for d in before)
    assert after == before
    assert reopened.ledger.count() == 3


def test_an_interrupted_write_or_delete_is_mended_from_the_texts_by_the_next_ingest(
    settings: Settings, tmp_path: Path
) -> None:
    """The texts collection holds each text with its record in one write: a run killed after
    a text and before its ledger copy (or after deleting a text and before its record) leaves
    the ledger behind until an ingest mends it; merely opening the store never does (a store
    opened mid-delete would otherwise bring the deleted record back)."""
    store = Store(settings)
    _write(store, "old")
    _write(store, "gone")
    _write(store, "changed", n=2, digest="h1")
    held = store.ledger.get(ids=["changed"], include=["metadatas"])["metadatas"]
    # killed runs: a new text whose ledger copy was never made, a changed text whose ledger
    # copy is the old one, and a deleted text whose record was not deleted yet
    _write(store, "new", n=2, digest="h9")
    store.ledger.delete(ids=["new"])
    _write(store, "changed", n=4, digest="h2")
    store.ledger.upsert(ids=["changed"], embeddings=np.ones((1, 1), np.float32), metadatas=held)
    store.delete_chunks_of("gone")
    store.documents.delete(ids=["gone"])
    assert sorted(Store(settings, client=store.client).document_records()) == [
        "changed",
        "gone",
        "old",
    ]
    mark = store.ledger_mark()
    corpus = tmp_path / "empty"
    corpus.mkdir()
    from ingest.pipeline import run_ingest

    run_ingest([corpus], settings, store=Store(settings, client=store.client), progress=False)
    records = store.document_records()
    assert sorted(records) == ["changed", "new", "old"]
    assert (records["changed"]["content_hash"], records["changed"]["chunk_count"]) == ("h2", 4)
    assert (records["new"]["content_hash"], records["new"]["chunk_count"]) == ("h9", 2)
    assert store.ledger_mark() != mark  # replicas see the mended ledger


def test_an_ingest_moves_the_mark_even_when_nothing_changed(
    settings: Settings, tmp_path: Path
) -> None:
    """A run killed between its ledger write and its mark: the next ingest writes the mark."""
    store = Store(settings)
    _write(store, "doc")
    mark = store.ledger_mark()
    corpus = tmp_path / "empty"
    corpus.mkdir()
    from ingest.pipeline import run_ingest

    run_ingest([corpus], settings, store=store, progress=False)
    assert store.ledger_mark() not in ("", mark)


def test_a_collection_made_with_a_narrower_hnsw_search_is_widened_on_opening(
    settings: Settings,
) -> None:
    """Dense recall at scale rests on the HNSW search width (bench/scale.py: 94% of the exact
    50 nearest at 400, 99% at 1000 at 100k chunks; 91% at 1000, 97% at 3000 at a million); a
    store an earlier release made (the last one made them with 1000) keeps its own unless the
    store raises it."""
    from assistant.index.embeddings import ChromaEmbedding
    from assistant.index.store import HNSW_EF_SEARCH

    first = Store(settings)
    first.client.delete_collection(settings.collection)
    first.client.create_collection(
        settings.collection,
        embedding_function=ChromaEmbedding(),  # type: ignore[arg-type]
        configuration={"hnsw": {"space": "cosine", "ef_search": 1000}},
    )
    reopened = Store(settings, client=first.client)
    fresh = reopened.client.get_collection(settings.collection, embedding_function=None)
    assert fresh.configuration_json["hnsw"]["ef_search"] == HNSW_EF_SEARCH > 1000


def test_mending_returns_the_ledger_a_fresh_read_finds(settings: Settings) -> None:
    """The ingest goes on with what `reconcile_ledger` returns instead of reading the ledger a
    second time (seconds at a million chunks): it must be that ledger, mended."""
    store = Store(settings)
    _write(store, "kept")
    _write(store, "new", n=2, digest="h9")
    store.ledger.delete(ids=["new"])  # a text without its ledger copy
    _write(store, "gone")
    store.delete_chunks_of("gone")
    store.documents.delete(ids=["gone"])  # a record without its text
    mended = store.reconcile_ledger()
    assert mended == store.document_records()
    assert sorted(mended) == ["kept", "new"] and mended["new"]["chunk_count"] == 2

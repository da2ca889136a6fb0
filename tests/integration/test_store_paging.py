"""`Store.all_chunks` reads the collection page by page (texts, metadata and vectors), so a
corpus larger than what one request can carry within the read timeout still loads; every chunk
comes back exactly once, in the collection's order, with its own vector."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import assistant.index.store as store_module
from assistant.index.snapshot import build
from assistant.index.store import Store
from assistant.models import Chunk
from tests.conftest import make_settings

DOCS, PER_DOC, DIM = 5, 13, 8  # 65 chunks: several pages of 16, the last one short


def _chunks(doc_id: str) -> list[Chunk]:
    out = []
    for i in range(PER_DOC):
        text = f"{doc_id} passage {i} about licence exceptions"
        meta = {"title": doc_id, "access": ["public"], "doc_type": "memo"}
        out.append(Chunk(f"{doc_id}-{i:03d}", doc_id, text, i * 100, i * 100 + len(text),
                         doc_id, (doc_id,), meta))  # fmt: skip
    return out


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(make_settings(tmp_path / "data"))
    rng = np.random.default_rng(7)
    for d in range(DOCS):
        doc_id = f"doc-{d}"
        chunks = _chunks(doc_id)
        text = " ".join(c.text for c in chunks)
        record = {"doc_id": doc_id, "content_hash": f"h{d}", "access": ["public"]}
        vectors = rng.normal(size=(len(chunks), DIM)).astype(np.float32)
        store.write_document(doc_id, text, record, chunks, vectors, f"{doc_id}.md")
    return store


def _spy_pages(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    """The `limit` of every read of the chunk collection (None: the whole collection)."""
    limits: list[int | None] = []
    real = store.chunks.get

    def get(*args: Any, **kwargs: Any) -> Any:
        limits.append(kwargs.get("limit"))
        return real(*args, **kwargs)

    monkeypatch.setattr(store.chunks, "get", get)
    return limits


def test_all_chunks_reads_pages_and_returns_each_chunk_once(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = store.chunks.get(include=["documents", "metadatas", "embeddings"])
    monkeypatch.setattr(store_module, "CHUNK_PAGE", 16, raising=False)
    limits = _spy_pages(store, monkeypatch)

    ids, texts, metas, vectors = store.all_chunks()

    assert limits and all(limit == 16 for limit in limits)  # never one read of everything
    assert len(limits) == 5  # 16 + 16 + 16 + 16 + 1
    assert ids == list(whole["ids"]) and len(set(ids)) == DOCS * PER_DOC
    assert texts == list(whole["documents"] or [])
    assert [m["chunk_id"] for m in metas] == ids
    assert vectors.shape == (DOCS * PER_DOC, DIM)
    np.testing.assert_allclose(vectors, np.asarray(whole["embeddings"], np.float32))


@pytest.mark.parametrize("page", [1, 7, 65, 1000])
def test_any_page_size_gives_the_same_chunks(store: Store, page: int) -> None:
    reference = store.all_chunks(page=10_000)
    ids, texts, metas, vectors = store.all_chunks(page=page)
    assert ids == reference[0] and texts == reference[1] and metas == reference[2]
    np.testing.assert_array_equal(vectors, reference[3])


def test_an_empty_store_reads_nothing(tmp_path: Path) -> None:
    ids, texts, metas, vectors = Store(make_settings(tmp_path / "data")).all_chunks()
    assert ids == [] and texts == [] and metas == [] and vectors.shape[0] == 0


def test_the_bm25_index_is_built_from_pages(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "CHUNK_PAGE", 10, raising=False)
    limits = _spy_pages(store, monkeypatch)
    index = build(store)
    assert index.complete and len(index.ids) == DOCS * PER_DOC == len(set(index.ids))
    assert None not in limits


def test_chunks_of_one_document_share_their_metadata_strings(store: Store) -> None:
    """A replica holds every chunk's metadata: a document's title, type and access, and every
    key, are one object for all its chunks, not a copy per chunk (memory at a million chunks),
    and equal to what Chroma stores."""
    whole = store.chunks.get(include=["metadatas"])
    ids, _texts, metas, _vectors = store.all_chunks(page=1000, vectors=False)
    assert metas == [dict(m) for m in whole["metadatas"] or []]
    first = [m for m in metas if m["doc_id"] == "doc-1"]
    assert len(first) == PER_DOC
    for meta in first[1:]:
        assert meta["title"] is first[0]["title"]
        assert meta["access"] is first[0]["access"]
        assert {id(k) for k in meta} == {id(k) for k in first[0]}  # the keys
    assert first[0]["chunk_id"] != first[1]["chunk_id"]

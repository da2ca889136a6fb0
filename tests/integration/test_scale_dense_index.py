"""Above `dense_exact_max_chunks` a replica holds no vectors: dense candidates come from
Chroma's HNSW index with the caller's groups in its `where`, and every candidate's cosine from
the stored vectors. Over a real store (and the real model): a restricted memo never reaches a
public caller, the cosines are the ones an exact scan gives, and a 1-document ingest is served
after a refresh that reads that document only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.access import Caller
from assistant.answering.service import Assistant
from assistant.config import Settings
from assistant.index.embeddings import embed_query
from assistant.index.store import Store
from assistant.models import Filters
from assistant.retrieval import retriever as retrieval
from tests.conftest import SMALL_DOCS, make_settings, requires_mirror, small_corpus

pytestmark = requires_mirror

MEMO_ID = "memo-falconridge"
MEMO = """# Privileged memo: Project Falconridge

Project Falconridge covers shipments of encryption modules to Huawei Cloud affiliates in Europe.
Counsel concludes that a licence is required for every Falconridge shipment to Entity List
parties under 15 CFR 744.11; the reserve fund for penalties is 4.2 million dollars.
"""
QUERIES = [
    "Is a licence required for encryption shipments to Entity List parties?",
    "Project Falconridge encryption modules for Huawei Cloud affiliates",
    "temporary exports of tools of trade",
    "What does 15 CFR 744.11 require?",
]
PUBLIC = Caller("pat", ("public",), "api")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = small_corpus(tmp_path / "corpus", SMALL_DOCS)
    (folder / "memos").mkdir()
    (folder / "memos" / "falconridge.md").write_text(MEMO)
    meta = {"id": MEMO_ID, "title": "Privileged memo", "doc_type": "memo", "access": ["legal"]}
    (folder / "memos" / "falconridge.meta.json").write_text(json.dumps(meta))
    return folder


@pytest.fixture
def settings(corpus: Path, tmp_path: Path) -> Settings:
    from ingest.pipeline import run_ingest

    settings = make_settings(tmp_path / "data", dense_exact_max_chunks=0)
    report = run_ingest([corpus], settings, progress=False)
    assert not report.failures and report.added == len(SMALL_DOCS) + 1
    return settings


def _public(results: list[Any]) -> None:
    for r in results:
        assert r.doc_id != MEMO_ID and "Falconridge" not in r.text
        assert r.metadata.get("access_public") is True


def test_a_large_corpus_replica_holds_no_vectors_and_access_still_holds(
    settings: Settings,
) -> None:
    store = Store(settings)
    retriever = retrieval.Retriever(store)
    index = retriever.lexical()
    assert not index.has_vectors and index.vectors.shape == (len(index.ids), 0)
    every = settings.model_copy(update={"dense_exact_max_chunks": 10**9})
    exact = retrieval.Retriever(Store(every))
    assert exact.lexical().has_vectors

    for query in QUERIES:
        vector = embed_query(query)
        got = retriever.retrieve(query, 10, Filters(groups=("public",)), vector)
        assert got, query
        _public(got)
        # Each passage's cosine is the one an exact scan over the vectors gives.
        held = exact.lexical()
        for r in got:
            expected = float(held.vectors[held.position[r.chunk_id]] @ np.asarray(vector))
            assert r.similarity == pytest.approx(expected, abs=1e-4), (query, r.chunk_id)
        legal = retriever.retrieve(query, 10, Filters(groups=("public", "legal")), vector)
        if "Falconridge" in query:
            assert legal[0].doc_id == MEMO_ID, "the legal caller does find the memo"

    answer = Assistant(settings).ask(QUERIES[1], caller=PUBLIC)
    text = json.dumps(answer.model_dump(mode="json"))
    assert MEMO_ID not in text and "4.2 million" not in text and "reserve fund" not in text


def test_a_one_document_ingest_is_served_after_a_refresh_of_that_document(
    corpus: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.pipeline import run_ingest

    monkeypatch.setattr(retrieval, "_RELOAD_CHECK_S", 0.0)
    store = Store(settings)
    retriever = retrieval.Retriever(store)
    before = retriever.lexical()
    read: list[list[str]] = []
    real = store.chunks_of

    def spy(doc_ids: Any, *args: Any, **kwargs: Any) -> Any:
        read.append(sorted(doc_ids))
        return real(doc_ids, *args, **kwargs)

    monkeypatch.setattr(store, "chunks_of", spy)
    note = corpus / "memos" / "tmp-note.md"
    note.write_text("# Tools of trade note\n\nTools of trade returned within one year.\n")
    (corpus / "memos" / "tmp-note.meta.json").write_text(
        json.dumps({"id": "note-tmp", "title": "Tools note", "access": ["public"]})
    )
    report = run_ingest([corpus], settings, progress=False)
    assert report.added == 1 and report.unchanged == len(SMALL_DOCS) + 1

    after = retriever.lexical()
    assert after.version != before.version and after.complete
    assert read == [["note-tmp"]], "only the ingested document is read"
    public = Filters(groups=("public",))
    got = retriever.retrieve("tools of trade returned within one year", 5, public)
    assert any(r.doc_id == "note-tmp" for r in got)
    _public(got)

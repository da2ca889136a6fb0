"""The same ingest and search against a real `chroma run` server (TPA_CHROMA_HOST)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.index.store import Store
from assistant.retrieval.retriever import Retriever
from ingest.pipeline import run_ingest
from tests.conftest import SMALL_DOCS, make_settings, small_corpus
from tests.support.servers import chroma_server

pytestmark = pytest.mark.server


def test_ingest_and_search_through_a_chroma_server(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus", SMALL_DOCS)
    with chroma_server(tmp_path / "chroma-server") as port:
        settings = make_settings(tmp_path / "data", chroma_host="127.0.0.1", chroma_port=port)
        first = run_ingest([corpus], settings, progress=False)
        assert not first.failures and first.added == len(SMALL_DOCS)
        assert not (tmp_path / "data" / "chroma").exists(), "server mode must not write locally"

        store = Store(settings)
        question = "Which items are subject to the EAR wherever located?"
        results = Retriever(store).retrieve(question, 5)
        assert results and any(r.doc_id == "15-cfr-734.3" for r in results)
        for r in results:
            stored = store.get_document(r.doc_id)
            assert stored is not None and stored.text[r.start : r.end] == r.text

        again = run_ingest([corpus], settings, progress=False)
        assert again.embedded == 0 and again.unchanged == len(SMALL_DOCS)
        (corpus / "regulation/ecfr/15-CFR-746.2.txt").unlink()
        pruned = run_ingest([corpus], settings, progress=False)
        assert pruned.removed == 1
        assert store.count() == first.chunks_added - pruned.chunks_removed

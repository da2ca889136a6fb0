"""The real corpus, ingested once: every document in, every span exact, every chunk in budget."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assistant.index.embeddings import get_model
from ingest.chunking import chunk_document
from ingest.loaders import load_document
from ingest.pipeline import run_ingest
from ingest.sources import load_sources
from tests.conftest import CORPUS, EVAL_DEV, REPO, CorpusStore, cli_env

pytestmark = pytest.mark.slow


def _norm(s: str) -> str:
    return " ".join(s.split()).lower()


def test_every_document_ingested_without_failure(corpus_store: CorpusStore) -> None:
    docs = corpus_store.report["documents"]
    assert isinstance(docs, dict)
    assert docs["failed"] == 0, corpus_store.report["failures"]
    if corpus_store.mirror:
        expected = len(load_sources(REPO / "corpus" / "sources.toml"))
    else:  # the suite's own corpus: every file with a sidecar
        expected = len(list(CORPUS.rglob("*.meta.json")))
    assert docs["added"] == expected
    records = corpus_store.store.document_records()
    assert len(records) == expected
    # Ids come from corpus/sources.toml, matched by path, even when ingesting the mirror itself.
    assert records["15-cfr-744.11"]["source_path"] == "regulation/ecfr/15-CFR-744.11.txt"


def test_every_chunk_quotes_its_document_exactly_and_fits_the_model(
    corpus_store: CorpusStore,
) -> None:
    store = corpus_store.store
    got = store.chunks.get(include=["documents", "metadatas"])
    texts: dict[str, str] = {}
    for chunk_text, meta in zip(got["documents"] or [], got["metadatas"] or [], strict=True):
        doc_id = str(meta["doc_id"])
        if doc_id not in texts:
            stored = store.get_document(doc_id)
            assert stored is not None, doc_id
            texts[doc_id] = stored.text
        start, end = int(meta["start"]), int(meta["end"])
        assert texts[doc_id][start:end] == chunk_text, (doc_id, start, end)
        assert meta["citation"] and meta["source_path"] and meta["access"] == "public"
    # What was embedded (prefix + text) must fit: count with the model's own tokenizer.
    tokenizer = get_model().tokenizer
    records = store.document_records()
    embedded = 0
    for doc_id, record in records.items():
        path = CORPUS / str(record["source_path"])
        doc = load_document(path, doc_id, {k: record.get(k) for k in ("title", "citation")})
        stored = store.get_document(doc_id)
        assert stored is not None and stored.text == doc.text
        from assistant.index.embeddings import count_tokens

        for chunk in chunk_document(doc, count_tokens):
            n = len(tokenizer(chunk.embed_text, add_special_tokens=True)["input_ids"])
            assert n <= 256, (doc_id, chunk.citation, n)
            embedded += 1
    assert embedded > (1000 if corpus_store.mirror else 20)


def test_chunks_carry_paragraph_citations(corpus_store: CorpusStore) -> None:
    got = corpus_store.store.chunks.get(
        where={"doc_id": "15-cfr-744.11"}, include=["documents", "metadatas"]
    )
    phrase = "A license is required, to the extent specified on the Entity List"
    hits = [
        m
        for d, m in zip(got["documents"] or [], got["metadatas"] or [], strict=True)
        if phrase in d
    ]
    assert hits and str(hits[0]["citation"]).startswith("15 CFR 744.11(a)")


@pytest.mark.skipif(not EVAL_DEV.is_file(), reason="eval/dev.jsonl is absent")
def test_no_eval_phrase_is_cut_by_the_chunker(corpus_store: CorpusStore) -> None:
    store = corpus_store.store
    missing = []
    for line in EVAL_DEV.read_text().splitlines():
        item = json.loads(line)
        for rel in item["relevant"]:
            got = store.chunks.get(where={"source_path": rel["doc"]}, include=["documents"])
            if not any(_norm(rel["contains"]) in _norm(d) for d in got["documents"] or []):
                missing.append((item["id"], rel["doc"], rel["contains"]))
    assert not missing


def test_second_run_changes_nothing_and_embeds_nothing(corpus_store: CorpusStore) -> None:
    report = run_ingest([CORPUS], corpus_store.settings, progress=False)
    d = report.to_dict()
    assert d["documents"]["added"] == 0 and d["documents"]["updated"] == 0
    assert d["documents"]["removed"] == 0 and d["documents"]["failed"] == 0
    assert report.embedded == 0
    assert d["chunks"]["total"] == corpus_store.report["chunks"]["total"]  # type: ignore[index]


def test_cli_search_finds_the_flagship_sources(corpus_store: CorpusStore) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "api.cli",
            "search",
            "--json",
            "-k",
            "5",
            "Do mass-market software sales to Huawei need a licence?",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=cli_env(corpus_store.settings.data_dir),
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)["results"]
    assert len(results) == 5
    paths = [r["source_path"] for r in results]
    assert (
        "article/2019-11-24-microsoft-huawei-export-licence.txt" in paths
        or "regulation/ecfr/15-CFR-744.11.txt" in paths
    ), paths
    for r in results:
        assert {"chunk_id", "doc_id", "citation", "title", "text", "start", "end", "score"} <= set(
            r
        )

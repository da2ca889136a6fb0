"""The baseline the eval compares the system with: what a LangChain user builds first.

The same stored document texts split with `RecursiveCharacterTextSplitter(1000, 200)`, embedded
with the same model into a throwaway Chroma, dense top-10. It shares nothing with the system but
the texts and the embedding model, so the delta is what structure-aware chunking and hybrid
retrieval (BM25 and the legal-reference bonus beside the embeddings) buy. Only retrieval is
scored: the baseline composes no answers. LangChain and Chroma are imported on use.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Sequence
from typing import Any

from assistant.config import Settings
from assistant.eval.metrics import (
    CURVE_KS,
    RETRIEVE_K,
    EvalItem,
    Passage,
    Retrieved,
    retrieval_scores,
)
from assistant.progress import progress

log = logging.getLogger(__name__)

BASELINE_CHUNK_SIZE = 1000
BASELINE_CHUNK_OVERLAP = 200
BASELINE_BATCH = 128


def _model_embeddings(batch_size: int) -> Any:
    """LangChain `Embeddings` over our model (built on call so langchain loads only when used)."""
    from langchain_core.embeddings import Embeddings

    from assistant.index.embeddings import embed_texts

    class ModelEmbeddings(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embed_texts(texts, batch_size=batch_size).tolist()

        def embed_query(self, text: str) -> list[float]:
            return embed_texts([text])[0].tolist()

    return ModelEmbeddings()


def _baseline_chunks(settings: Settings) -> list[Any]:
    """Every stored document's text, split the LangChain way (documents in id order)."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.index.store import Store

    store = Store(settings)
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=BASELINE_CHUNK_SIZE, chunk_overlap=BASELINE_CHUNK_OVERLAP
    )
    chunks: list[Any] = []
    for doc_id, record in sorted(store.document_records().items()):
        stored = store.get_document(doc_id)
        if stored is None or not stored.text.strip():
            continue
        source = str(record.get("source_path", ""))
        chunks += splitter.create_documents(
            [stored.text], metadatas=[{"source_path": source, "doc_id": doc_id}]
        )
    return chunks


def score_baseline(
    items: list[EvalItem], settings: Settings, ks: Sequence[int], show_progress: bool
) -> dict[str, Any]:
    """Index the baseline's chunks and score its top-k on the answerable questions: the
    retrieval metrics of `retrieval_scores`, the recall curve, chunk count, indexing time and
    the configuration."""
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma

    t0 = time.perf_counter()
    chunks = _baseline_chunks(settings)
    answerable = [i for i in items if i.answerable]
    ranked_by_id: dict[str, Sequence[Retrieved]] = {}
    with tempfile.TemporaryDirectory(prefix="tpa-eval-baseline-") as tmp:
        db = Chroma(
            collection_name="baseline",
            embedding_function=_model_embeddings(settings.embed_batch_size),
            persist_directory=tmp,
            client_settings=ChromaSettings(anonymized_telemetry=False),
            collection_configuration={"hnsw": {"space": "cosine"}},
        )
        try:
            with progress("eval", len(chunks), show_progress) as task:
                task.note("baseline: embedding chunks")
                for i in range(0, len(chunks), BASELINE_BATCH):
                    part = chunks[i : i + BASELINE_BATCH]
                    db.add_documents(part, ids=[f"b{i + j}" for j in range(len(part))])
                    task.advance(len(part))
            index_s = time.perf_counter() - t0
            with progress("eval", len(answerable), show_progress) as task:
                task.note("baseline: questions")
                for item in answerable:
                    hits = db.similarity_search(item.question, k=RETRIEVE_K)
                    ranked_by_id[item.id] = [
                        Passage(str(h.metadata.get("source_path", "")), h.page_content)
                        for h in hits
                    ]
                    task.advance()
        finally:
            try:
                db.delete_collection()
            except Exception:  # cleanup only; the directory goes anyway
                log.debug("could not delete the baseline collection", exc_info=True)
    scores = retrieval_scores(items, ranked_by_id, ks)
    baseline: dict[str, Any] = dict(scores)
    baseline["recall_curve"] = [scores[f"recall@{k}"] for k in CURVE_KS]
    baseline["chunks"] = len(chunks)
    baseline["index_seconds"] = round(index_s, 1)
    baseline["config"] = {
        "splitter": "RecursiveCharacterTextSplitter",
        "chunk_size": BASELINE_CHUNK_SIZE,
        "chunk_overlap": BASELINE_CHUNK_OVERLAP,
        "store": "langchain_chroma.Chroma (cosine)",
        "search": f"similarity_search k={RETRIEVE_K}",
    }
    return baseline

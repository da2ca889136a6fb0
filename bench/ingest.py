"""Ingest throughput on the whole corpus versus the embedding model's own throughput.

Prints: end-to-end ingest chunks/s (model already loaded, as in a warm `tpa serve` or a long
ingest), the model's chunks/s on exactly the same embedded texts with the same batch size, their
ratio (goal >= 0.85), and the unchanged re-ingest time as a share of the first (goal <= 5%).
Writes bench/results/ingest.json.

    python bench/ingest.py [CORPUS_DIR]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.config import Settings  # noqa: E402
from assistant.index.embeddings import embed_texts, get_model  # noqa: E402
from assistant.index.store import Store  # noqa: E402
from ingest.pipeline import run_ingest  # noqa: E402


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "corpus"
    if not corpus.is_dir():
        sys.exit(f"corpus folder {corpus} not found; pass one as the first argument")
    t = time.perf_counter()
    get_model()
    load_s = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        first = run_ingest([corpus], settings, progress=True)
        if first.failures:
            print(f"warning: {len(first.failures)} files failed", file=sys.stderr)
        second = run_ingest([corpus], settings, progress=False)

        # The model alone on the same texts: rebuild exactly what was embedded.
        from assistant.index.embeddings import count_tokens
        from ingest.chunking import chunk_document
        from ingest.loaders import load_document

        store = Store(settings)
        texts: list[str] = []
        for doc_id, rec in store.document_records().items():
            doc = load_document(corpus / str(rec["source_path"]), doc_id, dict(rec))
            texts += [c.embed_text for c in chunk_document(doc, count_tokens)]
        t = time.perf_counter()
        embed_texts(texts, batch_size=settings.embed_batch_size)
        model_s = time.perf_counter() - t

    ingest_rate = first.embedded / first.seconds
    model_rate = len(texts) / model_s
    result = {
        "documents": first.added,
        "chunks": first.embedded,
        "model_load_seconds": round(load_s, 2),
        "ingest_seconds": round(first.seconds, 2),
        "ingest_chunks_per_s": round(ingest_rate, 2),
        "model_seconds": round(model_s, 2),
        "model_chunks_per_s": round(model_rate, 2),
        "ratio": round(ingest_rate / model_rate, 3),
        "reingest_seconds": round(second.seconds, 3),
        "reingest_share": round(second.seconds / first.seconds, 4),
        "reingest_embedded": second.embedded,
    }
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ingest.json").write_text(json.dumps(result, indent=2))
    print(f"documents                 {result['documents']}")
    print(f"chunks embedded           {result['chunks']}")
    print(f"model load                {load_s:.1f} s (once per process, excluded below)")
    print(f"ingest end-to-end         {first.seconds:.1f} s = {ingest_rate:.1f} chunks/s")
    print(f"model alone, same texts   {model_s:.1f} s = {model_rate:.1f} chunks/s")
    print(f"ratio                     {result['ratio']:.3f}  (goal >= 0.85)")
    print(
        f"unchanged re-ingest       {second.seconds:.2f} s = {100 * result['reingest_share']:.2f}% "
        f"of the first (goal <= 5%), {second.embedded} chunks embedded"
    )


if __name__ == "__main__":
    main()

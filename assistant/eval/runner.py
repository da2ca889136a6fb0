"""`tpa eval`: score the assistant (and a plain LangChain baseline) on an eval file.

The scoring rules are those of shared/eval/README.md, implemented in `assistant.evaluation`:
retrieval metrics over answerable questions, answer metrics (key facts, abstention both ways,
citation checks) and latency. The baseline is what a LangChain user builds first: the same stored
document texts split with `RecursiveCharacterTextSplitter(1000, 200)`, embedded with the same
model into a throwaway Chroma, dense top-10. It shares nothing with the system but the texts and
the embedding model, so the delta is what chunking, hybrid retrieval and reranking buy.

Writes bench/results/eval.json and bench/results/eval_recall.png (recall@k, system vs baseline).
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.eval.metrics import (
    EvalItem,
    Retrieved,
    fact_recall,
    load_eval,
    matches,
    mean,
    recall_at,
    reciprocal_rank,
    retrieval_scores,
)

log = logging.getLogger(__name__)

RESULTS_DIR = Path(__file__).resolve().parents[1] / "bench" / "results"
RETRIEVE_K = 10
CURVE_KS = tuple(range(1, 11))
HEADLINE_KS = (1, 3, 5, 10)

BASELINE_CHUNK_SIZE = 1000
BASELINE_CHUNK_OVERLAP = 200
BASELINE_BATCH = 128


@dataclass
class _Passage:
    """What `evaluation.matches` needs, for texts that are not a SearchResult (a cited chunk,
    a baseline LangChain document)."""

    source_path: str
    text: str


# ---- progress ---------------------------------------------------------------------------------


class _Bar:
    """A rich progress bar on stderr, or nothing at all."""

    def __init__(self, progress: Any | None) -> None:
        self._progress = progress

    @contextmanager
    def task(self, description: str, total: int) -> Iterator[Any]:
        if self._progress is None:
            yield lambda n=1: None
            return
        task_id = self._progress.add_task(description, total=total)
        yield lambda n=1: self._progress.advance(task_id, n)


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[_Bar]:
    if not enabled:
        yield _Bar(None)
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    ) as progress:
        yield _Bar(progress)


# ---- the system -------------------------------------------------------------------------------


def _percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if values else 0.0


def _share(flags: Sequence[bool]) -> float:
    return mean([1.0 if f else 0.0 for f in flags])


def _score_system(
    items: list[EvalItem], settings: Settings, ks: Sequence[int], bar: _Bar
) -> dict[str, Any]:
    from assistant.answering.service import Assistant
    from assistant.answering.verify import verify

    assistant = Assistant(settings)
    store = assistant.store
    records = store.document_records()
    doc_texts: dict[str, str | None] = {}

    def text_of(doc_id: str) -> str | None:
        if doc_id not in doc_texts:
            stored = store.get_document(doc_id)
            doc_texts[doc_id] = stored.text if stored else None
        return doc_texts[doc_id]

    def chunk_text(chunk_id: str, ranked_texts: dict[str, str]) -> str | None:
        if chunk_id in ranked_texts:
            return ranked_texts[chunk_id]
        got = store.chunks.get(ids=[chunk_id], include=["documents"])
        docs = got.get("documents") or []
        return docs[0] if got["ids"] and docs else None

    ranked_by_id: dict[str, Sequence[Retrieved]] = {}
    latencies: list[float] = []
    per_question: list[dict[str, Any]] = []
    n_citations = 0
    n_valid = 0
    cited_relevant_flags: list[bool] = []
    fact_scores: list[float] = []
    timings: dict[str, list[float]] = {}

    with bar.task("system: questions", len(items)) as advance:
        for item in items:
            _vector, ranked = assistant.retrieve(item.question, RETRIEVE_K)
            ranked_by_id[item.id] = ranked
            t0 = time.perf_counter()
            answer = assistant.ask(item.question)
            latency = (time.perf_counter() - t0) * 1000
            latencies.append(latency)
            for name, ms in answer.timings_ms.items():
                timings.setdefault(name, []).append(ms)

            top_ids = {r.chunk_id for r in ranked}
            ranked_texts = {r.chunk_id: r.text for r in ranked}
            for c in answer.citations:
                n_citations += 1
                if c.chunk_id in top_ids and verify(c, text_of(c.doc_id)):
                    n_valid += 1

            facts = fact_recall(answer.answer, item.answer_contains) if item.answerable else None
            if facts is not None:
                fact_scores.append(facts)
            if item.answerable and not answer.abstained:
                hit = False
                for c in answer.citations:
                    text = chunk_text(c.chunk_id, ranked_texts)
                    source = str(records.get(c.doc_id, {}).get("source_path", ""))
                    if text is not None and any(
                        matches(_Passage(source, text), e) for e in item.relevant
                    ):
                        hit = True
                        break
                cited_relevant_flags.append(hit)

            first = answer.citations[0] if answer.citations else None
            per_question.append(
                {
                    "id": item.id,
                    "kind": item.kind,
                    "answerable": item.answerable,
                    "abstained": answer.abstained,
                    "recall@5": (recall_at(ranked, item.relevant, 5) if item.answerable else None),
                    "rr": reciprocal_rank(ranked, item.relevant) if item.answerable else None,
                    "fact_recall": facts,
                    "first_citation": (
                        {
                            "citation": first.citation,
                            "doc_id": first.doc_id,
                            "source_path": records.get(first.doc_id, {}).get("source_path"),
                            "start": first.start,
                            "end": first.end,
                        }
                        if first
                        else None
                    ),
                    "latency_ms": round(latency, 1),
                }
            )
            advance()

    scores = retrieval_scores(items, ranked_by_id, ks)
    answerable = [q for q in per_question if q["answerable"]]
    unanswerable = [q for q in per_question if not q["answerable"]]
    system: dict[str, Any] = dict(scores)
    system["recall_curve"] = [scores[f"recall@{k}"] for k in CURVE_KS]
    system["n_answerable"] = len(answerable)
    system["n_abstain"] = len(unanswerable)
    system["abstain_accuracy"] = _share(
        [q["abstained"] == (not q["answerable"]) for q in per_question]
    )
    system["abstention_accuracy"] = _share([q["abstained"] for q in unanswerable])
    system["false_abstention_rate"] = _share([q["abstained"] for q in answerable])
    system["answer_fact_recall"] = mean(fact_scores)
    system["citations"] = n_citations
    system["citations_valid"] = n_valid
    system["citation_validity"] = n_valid / n_citations if n_citations else 1.0
    system["cited_relevant"] = _share(cited_relevant_flags)
    system["cited_relevant_n"] = len(cited_relevant_flags)
    system["latency_ms"] = {
        "p50": round(_percentile(latencies, 50), 1),
        "p95": round(_percentile(latencies, 95), 1),
        "mean": round(mean(latencies), 1),
        "max": round(max(latencies), 1) if latencies else 0.0,
    }
    system["timings_ms_mean"] = {name: round(mean(v), 1) for name, v in timings.items()}
    system["per_question"] = per_question
    return system


# ---- the LangChain baseline -------------------------------------------------------------------


class _ModelEmbeddings:
    """LangChain `Embeddings` over our model (built lazily so langchain loads only when used)."""

    @staticmethod
    def make(batch_size: int) -> Any:
        from langchain_core.embeddings import Embeddings

        from assistant.index.embeddings import embed_texts

        class ModelEmbeddings(Embeddings):
            def embed_documents(self, texts: list[str]) -> list[list[float]]:
                return embed_texts(texts, batch_size=batch_size).tolist()

            def embed_query(self, text: str) -> list[float]:
                return embed_texts([text])[0].tolist()

        return ModelEmbeddings()


def _baseline_chunks(settings: Settings) -> list[Any]:
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


def _score_baseline(
    items: list[EvalItem], settings: Settings, ks: Sequence[int], bar: _Bar
) -> dict[str, Any]:
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma

    t0 = time.perf_counter()
    chunks = _baseline_chunks(settings)
    answerable = [i for i in items if i.answerable]
    ranked_by_id: dict[str, Sequence[Retrieved]] = {}
    with tempfile.TemporaryDirectory(prefix="tpa-eval-baseline-") as tmp:
        db = Chroma(
            collection_name="baseline",
            embedding_function=_ModelEmbeddings.make(settings.embed_batch_size),
            persist_directory=tmp,
            client_settings=ChromaSettings(anonymized_telemetry=False),
            collection_configuration={"hnsw": {"space": "cosine"}},
        )
        try:
            with bar.task("baseline: embedding chunks", len(chunks)) as advance:
                for i in range(0, len(chunks), BASELINE_BATCH):
                    part = chunks[i : i + BASELINE_BATCH]
                    db.add_documents(part, ids=[f"b{i + j}" for j in range(len(part))])
                    advance(len(part))
            index_s = time.perf_counter() - t0
            with bar.task("baseline: questions", len(answerable)) as advance:
                for item in answerable:
                    hits = db.similarity_search(item.question, k=RETRIEVE_K)
                    ranked_by_id[item.id] = [
                        _Passage(str(h.metadata.get("source_path", "")), h.page_content)
                        for h in hits
                    ]
                    advance()
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


# ---- outputs ----------------------------------------------------------------------------------


def _plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ks = list(CURVE_KS)
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    try:
        ax.plot(ks, result["system"]["recall_curve"], marker="o", label="system (hybrid)")
        if result.get("baseline"):
            ax.plot(
                ks,
                result["baseline"]["recall_curve"],
                marker="s",
                linestyle="--",
                label="baseline (LangChain, dense)",
            )
        ax.set_xlabel("k (passages retrieved)")
        ax.set_ylabel("recall@k")
        ax.set_xticks(ks)
        ax.set_ylim(0, 1.02)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="lower right")
        ax.set_title(f"Recall@k on {Path(result['file']).name} ({result['questions']} questions)")
        fig.tight_layout()
        fig.savefig(path, format="png")
    finally:
        plt.close(fig)


def run_eval(
    path: Path,
    settings: Settings,
    with_baseline: bool = True,
    progress: bool = True,
    ks: Iterable[int] = range(1, 11),
    out_dir: Path | None = None,
) -> dict[str, Any]:
    """Score every question of `path` against the current store; see the module docstring.

    Writes eval.json and eval_recall.png into `out_dir` (default bench/results of the repo).
    Raises ValueError for an unreadable or empty eval file.
    """
    items = load_eval(Path(path))
    if not items:
        raise ValueError(f"{path}: no questions")
    all_ks = sorted(set(ks) | set(CURVE_KS))
    with _progress_bar(progress) as bar:
        system = _score_system(items, settings, all_ks, bar)
        baseline = _score_baseline(items, settings, all_ks, bar) if with_baseline else None

    out = Path(out_dir) if out_dir is not None else RESULTS_DIR
    out.mkdir(parents=True, exist_ok=True)
    json_path, plot_path = out / "eval.json", out / "eval_recall.png"
    result: dict[str, Any] = {
        "file": str(path),
        "questions": len(items),
        "system": system,
        "baseline": baseline,
        "delta_recall@5": (
            system["recall@5"] - baseline["recall@5"] if baseline is not None else None
        ),
        "outputs": {"json": str(json_path), "plot": str(plot_path)},
    }
    _plot(result, plot_path)
    json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return result


# ---- the table --------------------------------------------------------------------------------


def _fmt(value: Any, pct: bool = False) -> str:
    if value is None:
        return "-"
    if isinstance(value, float | int) and not isinstance(value, bool):
        return f"{value:.3f}" if not pct else f"{100 * value:.1f}%"
    return str(value)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    return [line(header), "  ".join("-" * w for w in widths), *[line(r) for r in rows]]


def format_table(result: dict[str, Any]) -> str:
    """Plain text: system vs baseline, the per-kind table, and where the files went."""
    s = result["system"]
    b = result.get("baseline") or {}
    lines = [f"eval: {result['file']}  ({result['questions']} questions)", ""]

    rows: list[list[str]] = []
    for k in HEADLINE_KS:
        rows.append([f"recall@{k}", _fmt(s.get(f"recall@{k}")), _fmt(b.get(f"recall@{k}"))])
    rows.append(["mrr@10", _fmt(s.get("mrr@10")), _fmt(b.get("mrr@10"))])
    rows.append(
        [
            f"abstain accuracy (all {result['questions']})",
            _fmt(s.get("abstain_accuracy")),
            "-",
        ]
    )
    rows.append(
        [
            f"abstention accuracy (n={s.get('n_abstain', 0)})",
            _fmt(s.get("abstention_accuracy")),
            "-",
        ]
    )
    rows.append(
        [
            f"false-abstention rate (n={s.get('n_answerable', 0)})",
            _fmt(s.get("false_abstention_rate")),
            "-",
        ]
    )
    rows.append(["answer fact recall", _fmt(s.get("answer_fact_recall")), "-"])
    rows.append(
        [
            f"citation validity ({s.get('citations_valid', 0)}/{s.get('citations', 0)})",
            _fmt(s.get("citation_validity")),
            "-",
        ]
    )
    rows.append(
        [
            f"cited relevant (n={s.get('cited_relevant_n', 0)})",
            _fmt(s.get("cited_relevant")),
            "-",
        ]
    )
    lat = s.get("latency_ms", {})
    rows.append(["latency p50 (ms)", f"{lat.get('p50', 0):.1f}", "-"])
    rows.append(["latency p95 (ms)", f"{lat.get('p95', 0):.1f}", "-"])
    lines += _table(["metric", "system", "baseline" if b else "baseline (off)"], rows)
    if result.get("delta_recall@5") is not None:
        lines.append(f"delta recall@5 (system - baseline): {result['delta_recall@5']:+.3f}")
    if b:
        lines.append(
            f"baseline: {b.get('chunks', 0)} chunks of {BASELINE_CHUNK_SIZE} chars "
            f"(overlap {BASELINE_CHUNK_OVERLAP}), indexed in {b.get('index_seconds', 0):.1f} s"
        )

    lines += ["", "per kind (answerable questions):"]
    kinds = sorted(set(s.get("by_kind", {})) | set(b.get("by_kind", {})))
    kind_rows = []
    for kind in kinds:
        sk = s.get("by_kind", {}).get(kind, {})
        bk = b.get("by_kind", {}).get(kind, {})
        kind_rows.append(
            [
                kind,
                str(int(sk.get("n", bk.get("n", 0)))),
                _fmt(sk.get("recall@5")),
                _fmt(sk.get("mrr@10")),
                _fmt(bk.get("recall@5")) if b else "-",
                _fmt(bk.get("mrr@10")) if b else "-",
            ]
        )
    lines += _table(["kind", "n", "recall@5", "mrr@10", "base r@5", "base mrr"], kind_rows)

    outputs = result.get("outputs") or {}
    if outputs:
        lines += ["", f"written: {outputs.get('json')}", f"         {outputs.get('plot')}"]
    return "\n".join(lines)

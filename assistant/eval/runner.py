"""`tpa eval`: score the system (and the LangChain baseline) on a question file.

Runs every question of an eval file (format of shared/eval/README.md) through the system as
`tpa ask` would, scores retrieval and answers by the rules of `assistant.eval.metrics`
(retrieval metrics over answerable questions, abstention both ways, answer fact recall, citation
checks, latency), adds the baseline of `assistant.eval.baseline`, and writes the result.

Writes `eval.json` and `eval_recall.png` (recall@k, system vs baseline; `assistant.eval.report`)
into `<data_dir>/eval/` unless told another folder. The answers the eval asks for are audited
like any answer, but in that folder's `audit/audit.jsonl`: the production audit trail
(`<data_dir>/audit/`) records what people were told, never the eval's questions.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.eval.baseline import score_baseline
from assistant.eval.metrics import (
    CURVE_KS,
    RETRIEVE_K,
    EvalItem,
    Passage,
    Retrieved,
    cites_authority,
    fact_recall,
    load_eval,
    matches,
    mean,
    recall_at,
    reciprocal_rank,
    retrieval_scores,
)
from assistant.eval.report import plot_recall
from assistant.progress import progress as progress_bar


def results_dir(settings: Settings) -> Path:
    """Where `tpa eval` writes by default: `<data_dir>/eval/`."""
    return settings.data_dir / "eval"


class _EvalSettings(Settings):
    """The settings `tpa eval` runs the Assistant with: the user's own, every one of them, but
    with the audit trail in the eval's folder (`eval_audit_dir`)."""

    eval_audit_dir: Path = Path()

    @property
    def audit_dir(self) -> Path:
        return self.eval_audit_dir


def _eval_settings(settings: Settings, audit_dir: Path) -> Settings:
    """A copy of `settings` (values as they are, not read again) audited in `audit_dir`."""
    return _EvalSettings.model_construct(**dict(settings), eval_audit_dir=audit_dir)


def _percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if values else 0.0


def _share(flags: Sequence[bool]) -> float:
    return mean([1.0 if f else 0.0 for f in flags])


def _score_system(
    items: list[EvalItem], settings: Settings, ks: Sequence[int], audit_dir: Path, show: bool
) -> dict[str, Any]:
    """Retrieve and answer every question as `tpa ask` would (answers audited in `audit_dir`)."""
    from assistant.answering.service import Assistant
    from assistant.answering.verify import verify

    assistant = Assistant(_eval_settings(settings, audit_dir))
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
    lead_relevant_flags: list[bool] = []
    authority_flags: list[bool] = []
    fact_scores: list[float] = []
    timings: dict[str, list[float]] = {}

    with progress_bar("eval", len(items), show) as task:
        task.note("system: questions")
        for item in items:
            _vector, ranked = assistant.retrieve(item.question, RETRIEVE_K)
            ranked_by_id[item.id] = ranked
            t0 = time.perf_counter()
            answer = assistant.ask(item.question)
            latency = (time.perf_counter() - t0) * 1000
            latencies.append(latency)
            for name, ms in answer.timings_ms.items():
                timings.setdefault(name, []).append(ms)

            ranked_texts = {r.chunk_id: r.text for r in ranked}
            for c in answer.citations:
                # Checkable: the chunk is stored and the quote is the document's text at its
                # span (a determination may rest on a passage its rule looked up, not only on
                # the question's own top k).
                n_citations += 1
                if chunk_text(c.chunk_id, ranked_texts) is not None and verify(
                    c, text_of(c.doc_id)
                ):
                    n_valid += 1

            facts = fact_recall(answer.answer, item.answer_contains) if item.answerable else None
            if facts is not None:
                fact_scores.append(facts)
            if item.answerable and not answer.abstained:
                relevant = []
                for c in answer.citations:
                    text = chunk_text(c.chunk_id, ranked_texts)
                    source = str(records.get(c.doc_id, {}).get("source_path", ""))
                    relevant.append(
                        text is not None
                        and any(matches(Passage(source, text), e) for e in item.relevant)
                    )
                cited_relevant_flags.append(any(relevant))
                # The bottom line is what a reader acts on: does its first citation quote a
                # passage that answers the question?
                lead_relevant_flags.append(bool(relevant) and relevant[0])

            authority_cited = None
            if item.answerable and item.authority:
                authority_cited = cites_authority(
                    [
                        (c.citation, str(records.get(c.doc_id, {}).get("source_path", "")))
                        for c in answer.citations
                    ],
                    item.authority,
                )
                authority_flags.append(authority_cited)
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
                    "authority_cited": authority_cited,
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
            task.advance()

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
    system["lead_relevant"] = _share(lead_relevant_flags)
    # Questions that name their authorities (a practitioner set): the answer cites one of them.
    system["authority_cited"] = _share(authority_flags) if authority_flags else None
    system["authority_cited_n"] = len(authority_flags)
    system["latency_ms"] = {
        "p50": round(_percentile(latencies, 50), 1),
        "p95": round(_percentile(latencies, 95), 1),
        "mean": round(mean(latencies), 1),
        "max": round(max(latencies), 1) if latencies else 0.0,
    }
    system["timings_ms_mean"] = {name: round(mean(v), 1) for name, v in timings.items()}
    system["per_question"] = per_question
    return system


def run_eval(
    path: Path,
    settings: Settings,
    with_baseline: bool = True,
    progress: bool = True,
    ks: Iterable[int] = range(1, 11),
    out_dir: Path | None = None,
) -> dict[str, Any]:
    """Score every question of `path` against the current store; see the module docstring.

    Writes eval.json and eval_recall.png into `out_dir` (default `<data_dir>/eval/`), and the
    eval's answers into `<out_dir>/audit/audit.jsonl`. Raises ValueError for an unreadable or
    empty eval file.
    """
    items = load_eval(Path(path))
    if not items:
        raise ValueError(f"{path}: no questions")
    out = Path(out_dir) if out_dir is not None else results_dir(settings)
    all_ks = sorted(set(ks) | set(CURVE_KS))
    system = _score_system(items, settings, all_ks, out / "audit", progress)
    baseline = score_baseline(items, settings, all_ks, progress) if with_baseline else None

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
    plot_recall(result, plot_path)
    json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return result

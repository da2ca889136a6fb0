"""How an eval result is shown: the plain-text table `tpa eval` prints and the recall@k plot.

Both read the result dict `assistant.eval.runner.run_eval` returns (also written as eval.json),
so they never re-score anything. matplotlib is imported inside `plot_recall` alone: nothing else
(the server, the CLI's other commands, `format_table`) pays for loading it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.eval.baseline import BASELINE_CHUNK_OVERLAP, BASELINE_CHUNK_SIZE
from assistant.eval.metrics import CURVE_KS

HEADLINE_KS = (1, 3, 5, 10)  # the recall@k rows of the table


def plot_recall(result: dict[str, Any], path: Path) -> None:
    """recall@k for k in CURVE_KS, system and (when scored) baseline, as a PNG at `path`."""
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


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float | int) and not isinstance(value, bool):
        return f"{value:.3f}"
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
    system_only = [
        (f"abstain accuracy (all {result['questions']})", "abstain_accuracy"),
        (f"abstention accuracy (n={s.get('n_abstain', 0)})", "abstention_accuracy"),
        (f"false-abstention rate (n={s.get('n_answerable', 0)})", "false_abstention_rate"),
        ("answer fact recall", "answer_fact_recall"),
        (
            f"citation validity ({s.get('citations_valid', 0)}/{s.get('citations', 0)})",
            "citation_validity",
        ),
        (f"cited relevant (n={s.get('cited_relevant_n', 0)})", "cited_relevant"),
        ("bottom line cites a relevant passage", "lead_relevant"),
    ]
    if s.get("authority_cited_n"):
        system_only.append((f"authority cited (n={s['authority_cited_n']})", "authority_cited"))
    rows += [[label, _fmt(s.get(key)), "-"] for label, key in system_only]
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

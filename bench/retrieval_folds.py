"""K-fold check of the retrieval weights: are the gains real on questions they were not tuned on?

For each fold of the dev questions, the weights are chosen on the other folds (grid search over
`assistant.retrieval.scoring.Weights`, by recall@5 then MRR@10) and scored on the fold itself;
the held-out figures are what a new question can expect. The chosen-on-all-dev weights are also
scored on the practitioner set (bench/questions/practitioner.jsonl), which nothing is tuned on.

Candidates are searched once per question (`Retriever.candidates`), then ranked for every grid
point, so the run takes about a minute on an ingested data dir:

    TPA_DATA_DIR=... python bench/retrieval_folds.py ../shared/eval/dev.jsonl \
        --also bench/questions/practitioner.jsonl [--folds 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.eval.metrics import load_eval, recall_at, reciprocal_rank
from assistant.index.store import Store
from assistant.models import SearchResult
from assistant.retrieval.retriever import Retriever, ranked
from assistant.retrieval.scoring import WEIGHTS, Weights

GRID: dict[str, list[Any]] = {
    "lexical": [0.4, 0.6, 0.8],
    "heading": [0.0, 0.1, 0.2, 0.3],
    "authority": [0.0, 0.05, 0.1, 0.2],
    "definition": [0.0, 0.2, 0.4],
    "per_doc": [0, 2, 3],
    "dated": [0.0, 0.05, 0.1, 0.2],
}


def _fold_of(qid: str, folds: int) -> int:
    return int(hashlib.sha256(qid.encode()).hexdigest(), 16) % folds


def _searched(retriever: Retriever, items: list[Any]) -> dict[str, Any]:
    out = {}
    for item in items:
        if item.answerable:
            out[item.id] = retriever.candidates(item.question)
    return out


def _ranked(found: Any, weights: Weights, k: int = 10) -> list[SearchResult]:
    return ranked(found, k, weights)


def score(items: list[Any], searched: dict[str, Any], weights: Weights) -> dict[str, float]:
    r5: list[float] = []
    rr: list[float] = []
    for item in items:
        if not item.answerable:
            continue
        ranked = _ranked(searched[item.id], weights)
        r5.append(recall_at(ranked, item.relevant, 5))
        rr.append(reciprocal_rank(ranked, item.relevant))
    n = len(r5) or 1
    return {"recall@5": sum(r5) / n, "mrr@10": sum(rr) / n, "n": len(r5)}


def by_kind(items: list[Any], searched: dict[str, Any], weights: Weights) -> dict[str, Any]:
    kinds = sorted({i.kind for i in items if i.answerable})
    return {k: score([i for i in items if i.kind == k], searched, weights) for k in kinds}


def grid() -> list[Weights]:
    keys = list(GRID)
    return [
        replace(WEIGHTS, **dict(zip(keys, combo, strict=True)))
        for combo in itertools.product(*(GRID[k] for k in keys))
    ]


def best(items: list[Any], searched: dict[str, Any], points: list[Weights]) -> Weights:
    def key(w: Weights) -> tuple[float, float]:
        s = score(items, searched, w)
        return (round(s["recall@5"], 6), round(s["mrr@10"], 6))

    return max(points, key=key)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dev", type=Path)
    ap.add_argument("--also", type=Path, action="append", default=[])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    retriever = Retriever(Store(Settings()))
    dev = load_eval(args.dev)
    searched = _searched(retriever, dev)
    points = grid()
    report: dict[str, Any] = {"folds": args.folds, "grid_points": len(points), "per_fold": []}
    held: list[tuple[int, dict[str, float]]] = []
    for fold in range(args.folds):
        train = [i for i in dev if _fold_of(i.id, args.folds) != fold]
        test = [i for i in dev if _fold_of(i.id, args.folds) == fold]
        chosen = best(train, searched, points)
        s_test = score(test, searched, chosen)
        s_default = score(test, searched, WEIGHTS)
        held.append((int(s_test["n"]), s_test))
        report["per_fold"].append(
            {
                "fold": fold,
                "questions": [i.id for i in test],
                "chosen": asdict(chosen),
                "held_out": s_test,
                "held_out_with_current_weights": s_default,
            }
        )
        print(
            f"fold {fold}: n={s_test['n']} held-out recall@5 {s_test['recall@5']:.3f} "
            f"MRR {s_test['mrr@10']:.3f} (current weights {s_default['recall@5']:.3f}) "
            f"chosen {asdict(chosen)}"
        )
    total_n = sum(n for n, _ in held) or 1
    pooled = {m: sum(n * s[m] for n, s in held) / total_n for m in ("recall@5", "mrr@10")}
    report["held_out_pooled"] = pooled
    chosen_all = best(dev, searched, points)
    report["chosen_on_all_dev"] = asdict(chosen_all)
    report["current"] = asdict(WEIGHTS)
    report["dev_current"] = score(dev, searched, WEIGHTS)
    report["dev_chosen"] = score(dev, searched, chosen_all)
    report["dev_by_kind_current"] = by_kind(dev, searched, WEIGHTS)
    print(f"held-out pooled: recall@5 {pooled['recall@5']:.3f} MRR {pooled['mrr@10']:.3f}")
    print(f"all dev, current weights {asdict(WEIGHTS)}: {report['dev_current']}")
    print(f"all dev, chosen on all dev {asdict(chosen_all)}: {report['dev_chosen']}")
    for extra in args.also:
        items = load_eval(extra)
        s = _searched(retriever, items)
        report[extra.name] = {
            "current": score(items, s, WEIGHTS),
            "chosen_on_dev": score(items, s, chosen_all),
            "by_kind_current": by_kind(items, s, WEIGHTS),
        }
        print(
            f"{extra.name}: current {report[extra.name]['current']} "
            f"chosen-on-dev {report[extra.name]['chosen_on_dev']}"
        )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

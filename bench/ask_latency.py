"""Latency of `Assistant.ask` on a warm process, over every question of the dev eval file.

Opens the store at TPA_DATA_DIR (default data/), loads the model and answers one question to
warm everything up (model, BM25 index, Chroma), then answers every question N times and prints
p50/p95/mean/max of the wall-clock time per ask, plus the retrieve/compose split reported in
`Answer.timings_ms`. Goal: p50 <= 150 ms. Writes bench/results/ask_latency.json.

    TPA_DATA_DIR=data python bench/ask_latency.py [EVAL_FILE] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from assistant.answering.service import Assistant  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.eval.metrics import load_eval  # noqa: E402
from assistant.index.embeddings import get_model  # noqa: E402

GOAL_P50_MS = 150.0


def _stats(values: list[float]) -> dict[str, float]:
    a = np.asarray(values, dtype=np.float64)
    return {
        "p50": round(float(np.percentile(a, 50)), 1),
        "p95": round(float(np.percentile(a, 95)), 1),
        "mean": round(float(a.mean()), 1),
        "max": round(float(a.max()), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "eval_file",
        nargs="?",
        type=Path,
        default=REPO.parent / "shared" / "eval" / "dev.jsonl",
        help="questions in the eval JSONL format (default ../shared/eval/dev.jsonl)",
    )
    parser.add_argument("--rounds", "-n", type=int, default=3, help="passes over the questions")
    args = parser.parse_args()
    if not args.eval_file.is_file():
        sys.exit(f"eval file {args.eval_file} not found; pass one as the first argument")
    if args.rounds < 1:
        sys.exit("--rounds must be at least 1")
    questions = [item.question for item in load_eval(args.eval_file)]
    if not questions:
        sys.exit(f"{args.eval_file} holds no questions")

    settings = Settings()
    t = time.perf_counter()
    get_model()
    assistant = Assistant(settings)
    chunks = assistant.store.count()
    if chunks == 0:
        sys.exit(f"the store at {settings.data_dir} is empty; run `tpa ingest` first")
    assistant.ask(questions[0])  # warm: BM25 index, Chroma, torch kernels
    warm_s = time.perf_counter() - t

    total: list[float] = []
    parts: dict[str, list[float]] = {}
    abstained = 0
    for _ in range(args.rounds):
        for q in questions:
            t0 = time.perf_counter()
            answer = assistant.ask(q)
            total.append((time.perf_counter() - t0) * 1000)
            abstained += answer.abstained
            for name, ms in answer.timings_ms.items():
                parts.setdefault(name, []).append(ms)

    overall = _stats(total)
    split = {name: _stats(values) for name, values in parts.items()}
    result = {
        "data_dir": str(settings.data_dir),
        "eval_file": str(args.eval_file),
        "chunks_in_store": chunks,
        "questions": len(questions),
        "rounds": args.rounds,
        "asks": len(total),
        "abstained": abstained,
        "warmup_seconds": round(warm_s, 2),
        "ask_ms": overall,
        "split_ms": split,
        "goal_p50_ms": GOAL_P50_MS,
        "goal_met": overall["p50"] <= GOAL_P50_MS,
        "cpu_count": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ask_latency.json").write_text(json.dumps(result, indent=2))

    print(f"store                     {settings.data_dir} ({chunks} chunks)")
    print(f"questions                 {len(questions)} x {args.rounds} rounds = {len(total)} asks")
    print(f"warm-up                   {warm_s:.1f} s (model load + one ask, excluded below)")
    print(
        f"ask (wall clock)          p50 {overall['p50']:.1f} ms  p95 {overall['p95']:.1f} ms  "
        f"mean {overall['mean']:.1f} ms  max {overall['max']:.1f} ms"
    )
    for name, s in split.items():
        print(
            f"  {name:<23} p50 {s['p50']:.1f} ms  p95 {s['p95']:.1f} ms  "
            f"mean {s['mean']:.1f} ms  max {s['max']:.1f} ms"
        )
    verdict = "met" if result["goal_met"] else "NOT met"
    print(f"goal p50 <= {GOAL_P50_MS:.0f} ms        {verdict} (p50 {overall['p50']:.1f} ms)")
    print(f"load average              {result['load_average']} on {os.cpu_count()} CPUs")
    print(f"written                   {out / 'ask_latency.json'}")


if __name__ == "__main__":
    main()

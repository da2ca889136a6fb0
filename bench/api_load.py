"""HTTP load on the API: closed-loop clients against a real `tpa serve`, latency and errors.

Starts `tpa serve` on a free loopback port against TPA_DATA_DIR (default data/), or uses --url
(loopback only), waits for /readyz, then runs, each for --seconds:

  * ask: POST /v1/ask at each --clients level (default 8 and 32), questions drawn round-robin
    from ../shared/eval/dev.jsonl (a built-in list when that file is absent);
  * mixed: --mixed-clients clients (default 8) for --mixed-seconds, each looping
    GET /v1/search, then GET /v1/passages/{chunk_id} on a chunk id from that search.

Every client sends its next request as soon as the previous one answers (closed loop). Prints a
table per phase (requests, requests/s, p50/p95/p99 latency of the successful requests, errors =
non-2xx answers or exceptions, counted by kind) and the load average seen; writes
bench/results/api_load.json. Goal: 0 errors, p95 <= 500 ms for /v1/ask at 8 clients.

Server settings for the bench (say so when quoting figures): the `tpa serve` it starts has
TPA_RATE_LIMIT_PER_MINUTE=1000000, because every client shares one loopback address and the
default 120/min would answer most requests with 429: the bench measures the handlers, not the
limiter. Other limits stay at their defaults. When more than half of all requests are rejected
(any non-2xx), the bench says so and exits 1, since its latencies would then describe refusals.

    TPA_DATA_DIR=data python bench/api_load.py [--url http://127.0.0.1:8000] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
from loadkit import Stats, cell, serve_env, tpa_serve, wait_ready  # noqa: E402

EVAL_FILE = REPO.parent / "shared" / "eval" / "dev.jsonl"
RESULTS = REPO / "bench" / "results" / "api_load.json"
GOAL_P95_MS = 500.0
GOAL_CLIENTS = 8
MAX_REQUESTS_PER_PHASE = 50_000  # a hard stop whatever --seconds says
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

FALLBACK_QUESTIONS = [
    "Do mass-market software sales to Huawei need a US export licence?",
    "Does the Entity List licence requirement reach a company 50 percent owned by a listed entity?",
    "Do we need a BIS licence to send EAR99 goods to Syria?",
    "What is License Exception TSU for mass-market software?",
    "Which items are subject to the Export Administration Regulations?",
    "What does the foreign direct product rule cover?",
    "Can a US person support the development of advanced chips in China?",
    "What are the licence requirements for exports to Russia?",
    "What is the de minimis rule for foreign-made items?",
    "How do I request removal from the Entity List?",
]


# ---- statistics ----------------------------------------------------------------------------


def phase_row(stats: Stats, phase: str, clients: int, seconds: float) -> dict[str, Any]:
    return {
        "phase": phase,
        "clients": clients,
        "seconds": round(seconds, 2),
        **stats.summary(seconds),
    }


async def timed(stats: Stats, send: Awaitable[httpx.Response]) -> httpx.Response | None:
    """Await one request; record its latency if it succeeded, else the kind of error."""
    t = time.perf_counter()
    try:
        response = await send
    except Exception as exc:  # every failure is a data point, never a crash of the bench
        stats.errors[type(exc).__name__] += 1
        return None
    elapsed_ms = (time.perf_counter() - t) * 1000
    if 200 <= response.status_code < 300:
        stats.latencies_ms.append(elapsed_ms)
        return response
    stats.errors[f"HTTP {response.status_code}"] += 1
    return None


# ---- phases --------------------------------------------------------------------------------


class Budget:
    """Stops every client at the deadline or after the phase's maximum number of requests."""

    def __init__(self, seconds: float, max_requests: int) -> None:
        self.deadline = time.perf_counter() + seconds
        self.left = max_requests

    def take(self) -> bool:
        if self.left <= 0 or time.perf_counter() >= self.deadline:
            return False
        self.left -= 1
        return True


def _client(base: str, clients: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base,
        limits=httpx.Limits(max_connections=clients, max_keepalive_connections=clients),
        timeout=httpx.Timeout(60.0),
        trust_env=False,  # loopback: never through a proxy from the environment
    )


async def _run_clients(
    base: str, clients: int, seconds: float, loop: Callable[[httpx.AsyncClient, Budget], Any]
) -> float:
    async with _client(base, clients) as client:
        budget = Budget(seconds, MAX_REQUESTS_PER_PHASE)
        t = time.perf_counter()
        await asyncio.gather(*(loop(client, budget) for _ in range(clients)))
        return time.perf_counter() - t


async def ask_phase(
    base: str, clients: int, seconds: float, questions: list[str]
) -> tuple[Stats, float]:
    stats = Stats("POST /v1/ask")
    counter = itertools.count()

    async def loop(client: httpx.AsyncClient, budget: Budget) -> None:
        while budget.take():
            question = questions[next(counter) % len(questions)]
            await timed(stats, client.post("/v1/ask", json={"question": question}))

    elapsed = await _run_clients(base, clients, seconds, loop)
    return stats, elapsed


async def mixed_phase(
    base: str, clients: int, seconds: float, questions: list[str]
) -> tuple[Stats, Stats, float]:
    search, passages = Stats("GET /v1/search"), Stats("GET /v1/passages/{chunk_id}")
    counter = itertools.count()

    async def loop(client: httpx.AsyncClient, budget: Budget) -> None:
        while budget.take():
            i = next(counter)
            q = questions[i % len(questions)]
            response = await timed(search, client.get("/v1/search", params={"q": q, "k": 5}))
            if response is None:
                continue
            ids = [r["chunk_id"] for r in response.json().get("results", [])]
            if not ids or not budget.take():
                continue
            chunk_id = quote(ids[i % len(ids)], safe="")
            await timed(passages, client.get(f"/v1/passages/{chunk_id}"))

    elapsed = await _run_clients(base, clients, seconds, loop)
    return search, passages, elapsed


BENCH_RATE_LIMIT = "1000000"  # see the module docstring: the limiter is not what is measured


# ---- the server ----------------------------------------------------------------------------


@contextmanager
def server(url: str | None, data_dir: Path) -> Iterator[tuple[str, dict]]:
    """The base URL of a ready server: --url as given, else a `tpa serve` started (and always
    stopped) here."""
    if url:
        base = url.rstrip("/")
        host = urlsplit(base).hostname or ""
        if host not in LOOPBACK:
            sys.exit(f"--url must be a loopback address ({', '.join(sorted(LOOPBACK))}): {url}")
        print(f"server: {base} (given)")
        yield base, wait_ready(base, None, None)
        return
    with tempfile.NamedTemporaryFile("w+b", prefix="tpa-serve-", suffix=".log", delete=False) as f:
        log = Path(f.name)
    env = serve_env(data_dir, TPA_RATE_LIMIT_PER_MINUTE=BENCH_RATE_LIMIT)
    print(f"server settings: TPA_RATE_LIMIT_PER_MINUTE={BENCH_RATE_LIMIT}")
    with tpa_serve(env, log) as (base, ready):
        yield base, ready
    log.unlink(missing_ok=True)


# ---- main ----------------------------------------------------------------------------------


def load_questions(path: Path) -> tuple[list[str], str]:
    if not path.is_file():
        return FALLBACK_QUESTIONS, "built-in list"
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            question = json.loads(line).get("question")
            if question:
                questions.append(str(question))
    return (questions, str(path)) if questions else (FALLBACK_QUESTIONS, "built-in list")


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def print_table(rows: list[dict[str, Any]]) -> None:
    head = (
        f"{'phase':<8} {'endpoint':<28} {'clients':>7} {'requests':>8} {'req/s':>7} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}  {'load avg (1m)':>13}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['phase']:<8} {r['endpoint']:<28} {r['clients']:>7} {r['requests']:>8} "
            f"{cell(r['rps']):>7} {cell(r['p50_ms']):>8} {cell(r['p95_ms']):>8} "
            f"{cell(r['p99_ms']):>8} "
            f"{r['errors']:>6}  {r['loadavg_before'][0]:>5} -> {r['loadavg_after'][0]:<5}"
        )
        if r["errors_by_kind"]:
            kinds = ", ".join(f"{k}: {n}" for k, n in sorted(r["errors_by_kind"].items()))
            print(f"{'':<8} errors by kind: {kinds}")


async def run(args: argparse.Namespace, base: str, questions: list[str]) -> list[dict]:
    rows: list[dict[str, Any]] = []
    # Warm-up, not measured: every code path once (model, BM25, Chroma, the answer composer).
    async with _client(base, 1) as client:
        for q in questions[:3]:
            (await client.post("/v1/ask", json={"question": q})).raise_for_status()
            (await client.get("/v1/search", params={"q": q, "k": 5})).raise_for_status()

    for clients in args.clients:
        before = loadavg()
        stats, elapsed = await ask_phase(base, clients, args.seconds, questions)
        row = phase_row(stats, "ask", clients, elapsed)
        rows.append({**row, "loadavg_before": before, "loadavg_after": loadavg()})
        print_table(rows[-1:])

    if args.mixed_seconds > 0:
        before = loadavg()
        search, passages, elapsed = await mixed_phase(
            base, args.mixed_clients, args.mixed_seconds, questions
        )
        after = loadavg()
        for stats in (search, passages):
            row = phase_row(stats, "mixed", args.mixed_clients, elapsed)
            rows.append({**row, "loadavg_before": before, "loadavg_after": after})
        print_table(rows[-2:])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--url", help="use this running server (loopback only) instead")
    parser.add_argument("--seconds", type=float, default=20.0, help="per /v1/ask phase")
    parser.add_argument(
        "--clients",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[8, 32],
        help="concurrency levels for /v1/ask, comma-separated (default 8,32)",
    )
    parser.add_argument("--mixed-seconds", type=float, default=10.0, help="0 skips the phase")
    parser.add_argument("--mixed-clients", type=int, default=8)
    parser.add_argument("--questions", type=Path, default=EVAL_FILE, help="eval JSONL file")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if not 0 < args.seconds <= 600 or not 0 <= args.mixed_seconds <= 600:
        sys.exit("--seconds and --mixed-seconds must be within (0, 600]")
    if any(not 1 <= c <= 256 for c in args.clients) or not 1 <= args.mixed_clients <= 256:
        sys.exit("client counts must be within 1..256")

    questions, source = load_questions(args.questions)
    print(f"questions: {len(questions)} from {source}")
    data_dir = Path(os.environ.get("TPA_DATA_DIR", "data"))
    data_dir = (data_dir if data_dir.is_absolute() else REPO / data_dir).resolve()
    if not args.url:
        print(f"store: TPA_DATA_DIR={data_dir}")

    started = time.time()
    with server(args.url, data_dir) as (base, ready):
        print(
            f"ready: {ready.get('chunks')} chunks; load average {loadavg()}; {os.cpu_count()} CPUs"
        )
        rows = asyncio.run(run(args, base, questions))

    print("\nall phases:")
    print_table(rows)
    goal = next((r for r in rows if r["phase"] == "ask" and r["clients"] == GOAL_CLIENTS), None)
    errors = sum(r["errors"] for r in rows)
    goal_met = bool(goal and goal["p95_ms"] is not None and goal["p95_ms"] <= GOAL_P95_MS)
    print(
        f"\ngoal: 0 errors ({'met' if errors == 0 else f'NOT met: {errors}'}); "
        f"p95 <= {GOAL_P95_MS:.0f} ms for /v1/ask at {GOAL_CLIENTS} clients ("
        + (f"{goal['p95_ms']} ms: {'met' if goal_met else 'NOT met'}" if goal else "not run")
        + ")"
    )
    result = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "server": args.url or "tpa serve (started by the bench)",
        "data_dir": None if args.url else str(data_dir),
        "chunks": ready.get("chunks"),
        "cpus": os.cpu_count(),
        "questions": {"count": len(questions), "source": source},
        "seconds": args.seconds,
        "mixed_seconds": args.mixed_seconds,
        "phases": rows,
        "goals": {
            "errors": errors,
            "ask_p95_ms_at_8_clients": goal["p95_ms"] if goal else None,
            "ask_p95_goal_ms": GOAL_P95_MS,
            "met": errors == 0 and goal_met,
        },
        "loadavg_end": loadavg(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")
    total = sum(r["requests"] for r in rows)
    if total and errors > total / 2:
        sys.exit(
            f"FAILED: {errors} of {total} requests were rejected; the figures are not a load test"
        )


if __name__ == "__main__":
    main()

"""Where an answer's time goes under load: `POST /v1/ask` at N clients, sampled with py-spy.

Starts `tpa serve` on a free loopback port against TPA_DATA_DIR (default data/), with the same
settings as bench/api_load.py (rate limit raised, every other TPA_ at its default), warms it up,
then runs --clients closed-loop /v1/ask clients for --seconds while two py-spy recorders sample
the server (non-blocking, so the server is not paused):

  * CPU: the samples of threads that were running (py-spy's default), in the server and its
    embedding process. Each sample is put in one stage (the first rule of STAGES that any frame
    of its stack matches) and the stages' shares are scaled by the CPU seconds both processes
    used during the run (/proc/PID/stat), so "ms CPU per answer" adds up to what an answer
    really costs, event loop included. On a busy machine a runnable thread waiting for a core
    also counts as running.
  * wall: every thread's samples (`--idle`) inside `Assistant.stream`, i.e. the time an answer
    spends in each stage, waiting (for the model lock, an fsync) included.

Writes a Markdown report (default bench/results/ask_profile.md) with the command, the load
average, the throughput seen and both tables, plus the raw collapsed stacks beside it
(`.cpu.txt`, `.wall.txt`) for flame graphs. Needs py-spy (in the dev extras).

    TPA_DATA_DIR=data python bench/profile_ask.py [--clients 8] [--seconds 30] [--rate 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from api_load import (  # noqa: E402
    BENCH_RATE_LIMIT,
    ask_phase,
    default_question_files,
    load_questions,
)
from loadkit import cell, serve_env, tpa_serve_process  # noqa: E402

OUT = REPO / "bench" / "results" / "ask_profile.md"
_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*):(?P<line>\d+)\)$")


@dataclass(frozen=True)
class Frame:
    func: str
    file: str
    line: int

    @property
    def source(self) -> str:
        """The source line the frame is at (empty when the file cannot be read)."""
        return _source_line(self.file, self.line)

    def at(self, path_part: str, func: str | None = None, code: str | None = None) -> bool:
        return (
            path_part in self.file
            and (func is None or self.func == func or self.func.endswith("." + func))
            and (code is None or code in self.source)
        )


@lru_cache(maxsize=4096)
def _source_line(file: str, line: int) -> str:
    for base in (Path(file), REPO / file):
        try:
            return base.read_text(encoding="utf-8").splitlines()[line - 1]
        except (OSError, IndexError, UnicodeDecodeError):
            continue
    return ""


def parse_frame(text: str) -> Frame:
    m = _FRAME.match(text.strip())
    if not m:
        return Frame(text.strip(), "", 0)
    return Frame(m["func"], m["file"], int(m["line"]))


Rule = Callable[[Frame], bool]

# In priority order: a sample belongs to the first stage any frame of its stack matches.
STAGES: list[tuple[str, Rule]] = [
    ("audit: fsync", lambda f: f.at("answering/audit", code="fsync")),
    ("audit: waiting for the group commit", lambda f: f.at("answering/audit", code=".wait(")),
    ("audit: lock, JSON, write", lambda f: f.at("answering/audit")),
    ("audit: record (hashes, bounds)", lambda f: f.at("answering/audit_bounds")),
    ("embedding: waiting for the model", lambda f: f.at("index/embeddings", code="_encode_lock")),
    ("embedding: waiting for its batch", lambda f: f.at("index/query_batcher", "embed")),
    ("embedding: pipe to the embedding process", lambda f: f.at("index/model_process", "__call__")),
    (
        "embedding: model",
        lambda f: (
            f.at("index/embeddings")
            or f.at("index/query_batcher")
            or f.at("index/onnx_model")
            or "onnxruntime" in f.file
            or "sentence_transformers" in f.file
            or "/torch/" in f.file
            or "/transformers/" in f.file
        ),
    ),
    ("snapshot: version check / refresh", lambda f: f.at("retrieval/retriever", "lexical")),
    ("term statistics", lambda f: f.at("index/term_stats")),
    ("screening (list match, 744.11 lookup)", lambda f: f.at("answering/screening_lead")),
    ("BM25", lambda f: f.at("index/snapshot", "scores")),
    ("dense scan (snapshot vectors)", lambda f: f.at("retrieval/retriever", code="vectors @ q")),
    ("dense: Chroma query", lambda f: f.at("retrieval/retriever", "_dense")),
    ("candidate cut (top-k)", lambda f: f.at("index/snapshot", "top")),
    ("query expansion", lambda f: f.at("index/vocabulary")),
    (
        "ranking: features, fusion, results",
        lambda f: (
            f.at("retrieval/features")
            or f.at("retrieval/scoring")
            or f.at("retrieval/references")
            or f.at("retrieval/retriever")
        ),
    ),
    (
        "citation check: document text from the store",
        lambda f: (
            f.at("index/store", "get_document")
            or f.at("index/store", "document_texts")
            or f.at("answering/verify")
        ),
    ),
    (
        "compose (extractive, determination)",
        lambda f: (
            any(
                f.at(f"answering/{m}")
                for m in ("compose", "extractive", "determination", "quotes", "bottom_line")
            )
            or f.at("answering/abstention")
        ),
    ),
    ("answer service (plan, memory)", lambda f: f.at("answering/")),
    (
        "serialisation (response model, JSON)",
        lambda f: (
            f.func.rsplit(".", 1)[-1]
            in ("serialize_response", "_prepare_response_content", "jsonable_encoder", "render")
            or "pydantic" in f.file
        ),
    ),
    (
        "middleware (auth, limits, errors, proxy)",
        lambda f: f.at("api/security") or f.at("api/openai") or f.at("api/app"),
    ),
    ("request parsing, routing, dependencies", lambda f: "fastapi/" in f.file),
    ("thread-pool hand-off", lambda f: "anyio" in f.file or f.at("concurrent/futures")),
    ("HTTP server (uvicorn, h11, asyncio)", lambda f: "uvicorn" in f.file or "asyncio" in f.file),
    ("starlette", lambda f: "starlette" in f.file),
]
OTHER = "other"


def stage_of(frames: list[Frame]) -> str:
    for name, rule in STAGES:
        if any(rule(f) for f in frames):
            return name
    return OTHER


def read_collapsed(path: Path) -> list[tuple[list[Frame], int]]:
    """py-spy's raw (collapsed) format: `frame;frame;... count`, root first."""
    stacks = []
    if not path.is_file():
        return stacks
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        head, _, count = line.rpartition(" ")
        if not head or not count.isdigit():
            continue
        stacks.append(([parse_frame(x) for x in head.split(";")], int(count)))
    return stacks


def tally(stacks: list[tuple[list[Frame], int]], within: Rule | None = None) -> Counter[str]:
    out: Counter[str] = Counter()
    for frames, count in stacks:
        if within is not None and not any(within(f) for f in frames):
            continue
        out[stage_of(frames)] += count
    return out


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process and its live children (the embedding process), all their
    threads, in seconds."""
    total = 0.0
    for p in [pid, *children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def py_spy(pid: int, out: Path, rate: int, seconds: float, idle: bool) -> subprocess.Popen[bytes]:
    exe = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    cmd = [exe, "record", "--pid", str(pid), "--format", "raw", "--output", str(out)]
    cmd += ["--rate", str(rate), "--duration", str(int(seconds)), "--nonblocking"]
    cmd.append("--subprocesses")  # the embedding process too
    if idle:
        cmd.append("--idle")
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def in_answer(f: Frame) -> bool:
    return f.at("answering/service", "stream")


def table(counts: Counter[str], per_answer_ms: Callable[[int], float]) -> list[str]:
    total = sum(counts.values()) or 1
    rows = ["| stage | samples | share | ms per answer |", "| --- | ---: | ---: | ---: |"]
    order = [name for name, _ in STAGES] + [OTHER]
    for name in order:
        n = counts.get(name, 0)
        if n:
            rows.append(f"| {name} | {n} | {100 * n / total:.1f}% | {per_answer_ms(n):.1f} |")
    rows.append(f"| **total** | {total} | 100% | {per_answer_ms(total):.1f} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--questions", type=Path, action="append", help="JSONL (repeatable; default: every set)"
    )
    args = parser.parse_args()
    if not 1 <= args.clients <= 256 or not 5 <= args.seconds <= 600:
        sys.exit("--clients must be within 1..256 and --seconds within 5..600")
    if not (shutil.which("py-spy") or (Path(sys.executable).parent / "py-spy").exists()):
        sys.exit("py-spy is not installed: pip install -e '.[dev]'")

    questions, source = load_questions(*(args.questions or default_question_files()))
    data_dir = Path(os.environ.get("TPA_DATA_DIR", "data"))
    data_dir = (data_dir if data_dir.is_absolute() else REPO / data_dir).resolve()
    command = " ".join(
        [f"TPA_DATA_DIR={data_dir}", "python", "bench/profile_ask.py"]
        + [f"--clients {args.clients}", f"--seconds {args.seconds:g}", f"--rate {args.rate}"]
    )
    work = Path(tempfile.mkdtemp(prefix="tpa-profile-"))
    env = serve_env(data_dir, TPA_RATE_LIMIT_PER_MINUTE=BENCH_RATE_LIMIT)
    with tpa_serve_process(env, work / "serve.log") as (base, _ready, proc):

        async def warm() -> None:
            await ask_phase(base, 1, 3.0, questions)

        asyncio.run(warm())
        load_before = [round(x, 2) for x in os.getloadavg()]
        cpu_before, t0 = cpu_seconds(proc.pid), time.perf_counter()
        spies = [
            py_spy(proc.pid, work / "cpu.txt", args.rate, args.seconds, idle=False),
            py_spy(proc.pid, work / "wall.txt", args.rate, args.seconds, idle=True),
        ]
        stats, elapsed = asyncio.run(ask_phase(base, args.clients, args.seconds, questions))
        cpu_used = cpu_seconds(proc.pid) - cpu_before
        wall = time.perf_counter() - t0
        load_after = [round(x, 2) for x in os.getloadavg()]
        for spy in spies:
            try:
                _, err = spy.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                spy.kill()
                _, err = spy.communicate()
            if spy.returncode:
                print(f"py-spy exited {spy.returncode}: {err.decode(errors='replace')[-500:]}")

    summary = stats.summary(elapsed)
    answers = summary["ok"] or 1
    cpu = tally(read_collapsed(work / "cpu.txt"))
    walls = tally(read_collapsed(work / "wall.txt"), within=in_answer)
    cpu_total = sum(cpu.values()) or 1

    def cpu_ms(n: int) -> float:
        return 1000 * cpu_used * n / cpu_total / answers

    def wall_ms(n: int) -> float:
        return 1000 * n / args.rate / answers

    lines = [
        f"# Where an answer's time goes: POST /v1/ask at {args.clients} clients",
        "",
        f"Command: `{command}` ({time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} CPUs, "
        f"load average {load_before} before, {load_after} after; questions: {len(questions)} "
        f"from {source}).",
        "",
        f"Throughput while sampled: {summary['requests']} requests in {elapsed:.1f} s = "
        f"{cell(summary['rps'])} requests/s, p50 {cell(summary['p50_ms'])} ms, p95 "
        f"{cell(summary['p95_ms'])} ms, errors {summary['errors']} "
        f"{dict(summary['errors_by_kind']) or ''}. Server CPU: {cpu_used:.1f} s in {wall:.1f} s "
        f"= {1000 * cpu_used / answers:.1f} ms CPU per answer.",
        "",
        "## CPU per answer, by stage",
        "",
        "Running threads' samples, scaled to the server's measured CPU time.",
        "",
        *table(cpu, cpu_ms),
        "",
        "## Wall time inside `Assistant.stream`, by stage",
        "",
        "Every sample of a thread inside an answer, waiting included (for the model, a disk "
        "flush, the GIL).",
        "",
        *table(walls, wall_ms),
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines))
    for name in ("cpu", "wall"):
        src = work / f"{name}.txt"
        if src.is_file():
            shutil.copy(src, args.out.with_suffix(f".{name}.txt"))
    print("\n".join(lines))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

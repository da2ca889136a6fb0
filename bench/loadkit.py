"""What the HTTP load benches share: latency statistics and a `tpa serve` started for the run.

Imported as `loadkit` by the scripts next to it (`python bench/X.py` puts bench/ on sys.path).
"""

from __future__ import annotations

import math
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
READY_TIMEOUT_S = 180.0


# ---- statistics ----------------------------------------------------------------------------


def percentile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), on sorted values."""
    if not sorted_values:
        return math.nan
    pos = (len(sorted_values) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


@dataclass
class Stats:
    """What a run measured for one endpoint."""

    endpoint: str
    latencies_ms: list[float] = field(default_factory=list)  # successful requests only
    errors: Counter[str] = field(default_factory=Counter)

    @property
    def requests(self) -> int:
        return len(self.latencies_ms) + sum(self.errors.values())

    def summary(self, seconds: float) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)

        def ms(q: float) -> float | None:
            return round(percentile(lat, q), 1) if lat else None

        return {
            "endpoint": self.endpoint,
            "requests": self.requests,
            "ok": len(lat),
            "rps": round(self.requests / seconds, 2) if seconds > 0 else None,
            "p50_ms": ms(50),
            "p95_ms": ms(95),
            "p99_ms": ms(99),
            "max_ms": round(lat[-1], 1) if lat else None,
            "errors": sum(self.errors.values()),
            "errors_by_kind": dict(self.errors),
        }


def cell(v: float | None) -> str:
    """A figure for the printed tables: one decimal, "-" for none."""
    return "-" if v is None else f"{v:.1f}"


# ---- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """This machine's environment minus any TPA_ the developer set, on `data_dir`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPA_")}
    env.update(
        HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False", TPA_DATA_DIR=str(data_dir), **extra
    )
    return env


def wait_ready(
    base: str,
    proc: subprocess.Popen[bytes] | None,
    log: Path | None,
    timeout: float = READY_TIMEOUT_S,
) -> dict:
    """The /readyz body once it answers 200; exits the bench if the server dies or never does
    within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log else ""
            sys.exit(f"tpa serve exited with {proc.returncode} before it was ready:\n{tail}")
        try:
            response = httpx.get(f"{base}/readyz", timeout=5, trust_env=False)
            if response.status_code == 200:
                return dict(response.json())
            last = response.text[:300]
        except httpx.HTTPError as exc:
            last = repr(exc)
        time.sleep(0.5)
    sys.exit(f"{base}/readyz not ready within {timeout:.0f} s: {last}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)


@contextmanager
def tpa_serve(env: dict[str, str], log: Path) -> Iterator[tuple[str, dict]]:
    """`tpa serve` on a free loopback port with `env`, its output in `log`: the base URL and
    the /readyz body once it is ready; always stopped."""
    with tpa_serve_process(env, log) as (base, ready, _proc):
        yield base, ready


@contextmanager
def tpa_serve_process(
    env: dict[str, str], log: Path
) -> Iterator[tuple[str, dict, subprocess.Popen[bytes]]]:
    """As `tpa_serve`, with the server's process too (a profiler attaches to its pid)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    print(f"server: starting `tpa serve` at {base} on {env.get('TPA_DATA_DIR')} (log {log})")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1"]
            + ["--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=REPO,
        )
        try:
            yield base, wait_ready(base, proc, log), proc
        finally:
            stop(proc)
            print(f"server: stopped (exit code {proc.returncode})")

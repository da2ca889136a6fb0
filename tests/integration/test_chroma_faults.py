"""Faults under a running API over a real `chroma run` server: the server killed and restarted,
an ingest killed half-way. Requests get 200 or 503 (never 500, never a hang), and everything
recovers without restarting the API."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from assistant.index.store import Store
from ingest.pipeline import run_ingest
from tests.conftest import (
    REPO,
    SMALL_DOCS,
    cli_env,
    free_port,
    make_settings,
    small_corpus,
)
from tests.support.servers import _stop, api_server, start_chroma

pytestmark = pytest.mark.server

QUESTIONS = [
    "Do mass-market software sales to Huawei need a licence?",
    "Which items are subject to the EAR wherever located?",
    "What does the Entity List licence requirement cover?",
]
REQUEST_TIMEOUT_S = 20


def _api_env(data: Path, port: int) -> dict[str, str]:
    return {
        "TPA_DATA_DIR": str(data),
        "TPA_CHROMA_HOST": "127.0.0.1",
        "TPA_CHROMA_PORT": str(port),
        "TPA_RATE_LIMIT_PER_MINUTE": "1000000",
        "TPA_REQUEST_TIMEOUT": str(REQUEST_TIMEOUT_S),
        "TPA_QUEUE_TIMEOUT": "10",
    }


class Load:
    """Client threads asking and searching in a loop, recording (status, seconds) per request."""

    def __init__(self, base: str, clients: int = 3) -> None:
        self.base = base
        self.results: list[tuple[str, int | str, float]] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._loop, args=(i,)) for i in range(clients)]

    def _loop(self, n: int) -> None:
        with httpx.Client(base_url=self.base, timeout=60, trust_env=False) as client:
            i = n
            while not self._stop.is_set():
                q = QUESTIONS[i % len(QUESTIONS)]
                t = time.monotonic()
                try:
                    if i % 2:
                        r = client.post("/v1/ask", json={"question": q})
                        what = "ask"
                    else:
                        r = client.get("/v1/search", params={"q": q, "k": 5})
                        what = "search"
                    status: int | str = r.status_code
                except httpx.HTTPError as exc:
                    what, status = "error", type(exc).__name__
                self.results.append((what, status, time.monotonic() - t))
                i += 1

    def __enter__(self) -> Load:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=120)

    def statuses(self) -> Counter[int | str]:
        return Counter(s for _, s, _ in self.results)


def _wait_ready(base: str, ready: bool, timeout: float = 60) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        r = httpx.get(f"{base}/readyz", timeout=10, trust_env=False)
        if (r.status_code == 200) == ready or time.monotonic() > deadline:
            return r
        time.sleep(0.3)


def test_chroma_killed_and_restarted_under_load(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus", SMALL_DOCS)
    path, port = tmp_path / "chroma-server", free_port()
    chroma = start_chroma(path, port)
    try:
        settings = make_settings(tmp_path / "data", chroma_host="127.0.0.1", chroma_port=port)
        assert not run_ingest([corpus], settings, progress=False).failures
        with api_server(_api_env(settings.data_dir, port)) as base:
            assert _wait_ready(base, True).status_code == 200
            with Load(base) as load:
                time.sleep(3)
                up = len(load.results)
                chroma.send_signal(signal.SIGKILL)
                chroma.wait(timeout=30)
                time.sleep(4)
                down = _wait_ready(base, False, timeout=10)
                r = httpx.post(
                    f"{base}/v1/ask", json={"question": QUESTIONS[0]}, timeout=30, trust_env=False
                )
                chroma = start_chroma(path, port)  # same port, same data
                back = _wait_ready(base, True, timeout=60)
                time.sleep(3)
            after = httpx.post(
                f"{base}/v1/ask", json={"question": QUESTIONS[0]}, timeout=60, trust_env=False
            )
    finally:
        _stop(chroma)

    assert down.status_code == 503
    body = down.json()
    assert body["ready"] is False and body["store"] is False
    assert f"127.0.0.1:{port} unreachable" in body["detail"]
    assert r.status_code == 503
    assert r.json()["detail"].startswith(f"store unavailable: Chroma server at 127.0.0.1:{port}")

    statuses = load.statuses()
    assert set(statuses) <= {200, 503}, statuses  # never a 500, never a dropped connection
    assert statuses[200] > up and statuses[503] > 0, statuses
    slowest = max(s for _, _, s in load.results)
    assert slowest < REQUEST_TIMEOUT_S, f"a request took {slowest:.1f} s"

    assert back.status_code == 200 and back.json()["ready"], back.text  # same API process
    assert after.status_code == 200 and after.json()["citations"], after.text
    print(f"\nrequests: {dict(statuses)}; slowest {slowest:.2f} s")


def _chunk_ids(store: Store) -> dict[str, str]:
    got = store.chunks.get(include=["metadatas"])
    return {
        cid: str(m["doc_id"]) for cid, m in zip(got["ids"], got["metadatas"] or [], strict=True)
    }


def test_ingest_killed_while_the_api_serves_then_repaired(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus", SMALL_DOCS[:3])
    path, port = tmp_path / "chroma-server", free_port()
    chroma = start_chroma(path, port)
    try:
        settings = make_settings(tmp_path / "data", chroma_host="127.0.0.1", chroma_port=port)
        assert not run_ingest([corpus], settings, progress=False).failures
        # The next run has work: three new documents and a changed one.
        small_corpus(corpus, SMALL_DOCS[3:])
        changed = corpus / SMALL_DOCS[0]
        changed.write_text(changed.read_text() + "\n\nA paragraph on wombat export permits.\n")
        clean = make_settings(tmp_path / "clean")
        run_ingest([corpus], clean, progress=False)
        expected = _chunk_ids(Store(clean))

        with api_server(_api_env(settings.data_dir, port)) as base:
            assert _wait_ready(base, True).status_code == 200
            with Load(base) as load:
                time.sleep(2)
                env = cli_env(
                    settings.data_dir,
                    TPA_CHROMA_HOST="127.0.0.1",
                    TPA_CHROMA_PORT=str(port),
                    TPA_LOG_LEVEL="DEBUG",
                )
                proc = subprocess.Popen(
                    [sys.executable, "-m", "api.cli", "ingest", str(corpus), "--json"],
                    stderr=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    text=True,
                    env=env,
                    cwd=REPO,
                )
                assert proc.stderr is not None
                for line in proc.stderr:
                    if "stored " in line:
                        os.kill(proc.pid, signal.SIGKILL)
                        break
                proc.wait(timeout=60)
                assert proc.returncode == -signal.SIGKILL, "the run ended before it was killed"
                time.sleep(6)  # the API notices the changed ledger (checked every 5 s)
                killed_at = len(load.results)
                report = run_ingest([corpus], settings, progress=False)
                time.sleep(6)
            statuses = load.statuses()
            found = httpx.get(
                f"{base}/v1/search", params={"q": "wombat export permits", "k": 3}, timeout=60
            ).json()["results"]
        actual = _chunk_ids(Store(settings))
    finally:
        _stop(chroma)

    assert statuses == {200: len(load.results)}, statuses
    assert killed_at > 0 and len(load.results) > killed_at
    assert not report.failures and report.embedded > 0
    assert actual == expected  # exactly what one clean run stores
    assert any("wombat" in p["text"] for p in found), "the API serves the repaired store"
    print(f"\nrequests while killed and repaired: {dict(statuses)}")

"""Real servers for tests: `chroma run`, `tpa serve` and small fake HTTP servers on free loopback
ports, always stopped."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from tests.conftest import REPO, free_port


def _wait(url: str, proc: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def _stop(proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)


def chroma_binary() -> str | None:
    local = Path(sys.executable).with_name("chroma")
    return str(local) if local.exists() else shutil.which("chroma")


def start_chroma(path: Path, port: int) -> subprocess.Popen[bytes]:
    """`chroma run` on a given port, answering when this returns (the caller stops it)."""
    binary = chroma_binary()
    assert binary, "the `chroma` CLI (from the chromadb package) is not installed"
    proc = subprocess.Popen(
        [binary, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        _wait(f"http://127.0.0.1:{port}/api/v2/heartbeat", proc)
    except BaseException:
        _stop(proc)
        raise
    return proc


@contextmanager
def chroma_server(path: Path) -> Iterator[int]:
    port = free_port()
    proc = start_chroma(path, port)
    try:
        yield port
    finally:
        _stop(proc)


@contextmanager
def api_process(
    env: dict[str, str],
    *,
    log: Path | None = None,
    ready: str = "/healthz",
    start_timeout: float = 90,
    stop_timeout: float = 15,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`tpa serve` on a free port with `env` over this machine's (minus its TPA_): the base URL
    once `ready` answers, and the process, for tests that watch it or its children. Output goes
    to `log` when given (its tail is added to a failed start); a server whose embedding process
    must end first may need a longer `stop_timeout`."""
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TPA_")}
    command = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with open(log or os.devnull, "wb") as out:
        proc = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**clean, "HF_HUB_OFFLINE": "1", **env},
            cwd=REPO,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            _wait(f"{base}{ready}", proc, start_timeout)
        except (RuntimeError, TimeoutError) as exc:
            if log is not None:
                exc.add_note(log.read_text(errors="replace")[-2000:])
            raise
        yield base, proc
    finally:
        _stop(proc, stop_timeout)


@contextmanager
def api_server(env: dict[str, str]) -> Iterator[str]:
    """`tpa serve` with `env`, answering: its base URL (see `api_process`)."""
    with api_process(env) as (base, _):
        yield base


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler for fake servers: logs nothing; `reply` writes a whole answer."""

    def reply(
        self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """`handler` served from a thread on a free loopback port: the base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-http", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)

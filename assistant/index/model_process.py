"""The embedding model in a child process, for a server's questions.

A server answers on threads of one Python process, and the model's forward pass gives up and
takes back the GIL around every one of its operations. While other threads run Python (ranking,
composing, the next request), each take-back waits for them, up to the switch interval: on 2
cores one question then took 150 ms instead of 25 (6.7 questions/s with one busy Python thread
beside the model, against 44 alone). A child process holding the same model has a GIL of its
own: the server's threads hand it a batch of questions over a pipe and get the vectors back,
and the two processes use two cores.

The child runs `python -m assistant.index.model_process READ_FD WRITE_FD`, loads the model as
this process would (same package, same settings; torch on every core but the one the server's
Python uses), says "ready", then answers each list of texts with their vectors from
`embed_texts`, what this process would compute. It ends
when its pipe closes, so it never outlives the server, however the server ends. A child that
dies is started again at the next batch (that batch is retried once).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

RUNTIMES = ("torch", "onnx")
START_TIMEOUT_S = 180.0  # loading torch and the model on a busy machine
CALL_TIMEOUT_S = 60.0


class ModelProcessError(RuntimeError):
    """The child could not be started, or did not answer."""


class ModelProcess:
    """`texts -> vectors` computed by a child process (thread-safe: one batch at a time)."""

    def __init__(
        self,
        start_timeout: float = START_TIMEOUT_S,
        runtime: str = "torch",
        cache_dir: Path | None = None,
    ) -> None:
        if runtime not in RUNTIMES or (runtime == "onnx" and cache_dir is None):
            raise ValueError(f"runtime must be one of {RUNTIMES} (onnx needs a cache_dir)")
        self.start_timeout = start_timeout
        self.runtime = runtime
        self.cache_dir = cache_dir
        self.engine = ""  # what the child said embeds: torch, or ONNX Runtime and its gap
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._send: Connection | None = None
        self._recv: Connection | None = None
        self.starts = 0

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self) -> None:
        """Start the child and wait until its model is loaded; raises ModelProcessError."""
        with self._lock:
            if not self._alive():
                self._start()

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            for attempt in (1, 2):
                if not self._alive():
                    self._start()
                assert self._send is not None and self._recv is not None
                try:
                    self._send.send(list(texts))
                    if not self._recv.poll(CALL_TIMEOUT_S):
                        raise TimeoutError(f"no answer within {CALL_TIMEOUT_S:g} s")
                    ok, payload = self._recv.recv()
                except (EOFError, OSError, TimeoutError) as exc:
                    self._stop()
                    if attempt == 2:
                        raise ModelProcessError(f"the embedding process failed: {exc!r}") from exc
                    log.warning("the embedding process failed (%r); starting it again", exc)
                    continue
                if not ok:
                    raise ModelProcessError(f"the embedding process could not embed: {payload}")
                return np.asarray(payload, dtype=np.float32)
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _start(self) -> None:
        self._stop()
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        root = str(Path(__file__).resolve().parents[2])  # this code, whatever sys.path says
        path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
        extra = [self.runtime, str(self.cache_dir or "")]
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", __name__, str(to_child_r), str(from_child_w), *extra],
                pass_fds=(to_child_r, from_child_w),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                env={**os.environ, "PYTHONPATH": path},
            )
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self._send = Connection(to_child_w, readable=False)
        self._recv = Connection(from_child_r, writable=False)
        self.starts += 1
        try:
            if not self._recv.poll(self.start_timeout):
                raise ModelProcessError(f"not ready within {self.start_timeout:g} s")
            message = self._recv.recv()
        except (EOFError, OSError) as exc:
            self._stop()
            raise ModelProcessError(f"the embedding process did not start: {exc!r}") from exc
        except ModelProcessError:
            self._stop()
            raise
        if not (isinstance(message, tuple) and message[:1] == ("ready",)):
            self._stop()
            raise ModelProcessError(f"the embedding process said {message!r}, not ready")
        self.engine = str(message[1])

    def _stop(self) -> None:
        for conn in (self._send, self._recv):
            if conn is not None:
                conn.close()
        self._send = self._recv = None
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            proc.wait(timeout=5)  # its pipe is closed: it ends by itself
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def model_threads(cores: int) -> int:
    """Threads for the child's model: every core but one, which the server's Python needs (its
    answers hold the GIL, so they use about one core however many there are). On 2 cores the
    model then has one thread, and nothing to spin-wait for."""
    return max(1, cores - 1)


def _serve(read_fd: int, write_fd: int, runtime: str = "torch", cache_dir: str = "") -> None:
    """The child: load the model, then embed every list of texts read, until the pipe closes.
    With runtime "onnx", ONNX Runtime embeds when its vectors match the model's (see
    onnx_model); the model stays loaded for that check, and embeds when they do not."""
    from assistant.index.embeddings import embed_texts, get_model

    # Ctrl-C in a terminal reaches the whole process group: the server shuts down, and this
    # process ends when the server closes its pipe, not with a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    incoming = Connection(read_fd, writable=False)
    outgoing = Connection(write_fd, readable=False)
    get_model()
    import torch

    threads = model_threads(os.cpu_count() or 1)
    torch.set_num_threads(threads)
    embed_texts(["ready"])  # warm: the first call builds torch's kernels
    encode: Callable[[Sequence[str]], np.ndarray] = embed_texts
    engine = "torch"
    if runtime == "onnx":
        from assistant.index.onnx_model import checked_encoder

        onnx, engine = checked_encoder(Path(cache_dir), threads)
        if onnx is not None:
            encode = onnx
        else:
            engine = f"torch: {engine}"
    outgoing.send(("ready", engine))
    while True:
        try:
            texts = incoming.recv()
        except (EOFError, OSError):
            return
        reply: tuple[bool, Any]
        try:
            reply = (True, encode(texts))
        except Exception as exc:  # reported to the server, which fails that batch
            reply = (False, repr(exc))
        try:
            outgoing.send(reply)
        except OSError:
            return


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]), *sys.argv[3:5])

"""Questions asked at the same time share one model call.

An answer embeds its question once, and on a server the model is the scarcest thing: one call
at a time (torch already spreads a call over every core), each paying a fixed cost (tokenising,
launching every layer) that hardly grows with the number of texts. So concurrent questions are
gathered: one worker thread takes every question waiting when the model comes free (up to
`max_batch`, and, after the first, whatever else arrives within `window` seconds) and embeds
them in one call; each caller waits for its own row. Under load the queue fills while the model
works, so batches form without any added wait; alone, a question is embedded at once, by itself,
exactly as before.

A row of a batch is its text's embedding: the model masks the padding of shorter texts, so a
batched vector differs from the lone one at most in the last bits of float32 (about 1e-7, from
the summation order over a padded row), far below what separates two passages' scores.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future

import numpy as np

log = logging.getLogger(__name__)

Encode = Callable[[Sequence[str]], np.ndarray]  # texts -> (n, dims) unit vectors

MAX_BATCH = 32


class QueryBatcher:
    """Embeds single texts for many threads, in batches; `embed` blocks until its row is ready.

    The worker thread starts on first use and lives as long as the process (a daemon): it holds
    nothing but the queue."""

    def __init__(self, encode: Encode, max_batch: int = MAX_BATCH, window: float = 0.0) -> None:
        if max_batch < 1 or window < 0:
            raise ValueError("max_batch must be >= 1 and window >= 0")
        self._encode = encode
        self.max_batch = max_batch
        self.window = window
        self._queue: deque[tuple[str, Future[np.ndarray]]] = deque()
        self._ready = threading.Condition()
        self._worker: threading.Thread | None = None
        self.batches = 0  # model calls made, and texts embedded by them (for tests, benches)
        self.texts = 0

    @property
    def encoder(self) -> Encode:
        return self._encode

    @property
    def pending(self) -> int:
        """Texts waiting for a model call (not counting the batch being embedded)."""
        with self._ready:
            return len(self._queue)

    def set_encoder(self, encode: Encode) -> None:
        """Embed the next batches with `encode` (the batch being embedded keeps its own)."""
        with self._ready:
            self._encode = encode

    def embed(self, text: str) -> np.ndarray:
        """The text's embedding (a float32 row); raises what the model raised."""
        future: Future[np.ndarray] = Future()
        with self._ready:
            self._queue.append((text, future))
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(
                    target=self._run, name="query-embedding", daemon=True
                )
                self._worker.start()
            self._ready.notify()
        return future.result()

    def _take(self) -> tuple[list[tuple[str, Future[np.ndarray]]], Encode]:
        """The next batch and the encoder for it: waits for a first text, then takes what is
        queued (up to max_batch), waiting at most `window` seconds for more."""
        with self._ready:
            while not self._queue:
                self._ready.wait()
            if self.window > 0:
                deadline = time.monotonic() + self.window
                while len(self._queue) < self.max_batch:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._ready.wait(left)
            n = min(len(self._queue), self.max_batch)
            return [self._queue.popleft() for _ in range(n)], self._encode

    def _run(self) -> None:
        while True:
            batch, encode = self._take()
            # A caller that gave up (cannot happen today: `embed` waits) is skipped.
            live = [(t, f) for t, f in batch if f.set_running_or_notify_cancel()]
            if not live:
                continue
            try:
                vectors = encode([t for t, _ in live])
            except BaseException as exc:  # every waiter learns why, the worker lives on
                for _, future in live:
                    future.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise
                continue
            self.batches += 1
            self.texts += len(live)
            for (_, future), row in zip(live, vectors, strict=True):
                future.set_result(row)

"""Limits as pure ASGI middleware (BaseHTTPMiddleware would buffer streamed answers).

BodySizeLimit: a 64 KiB cap is checked before any parsing, on the declared length and on what
actually arrives (chunked bodies declare none). /v1/chat/completions gets 1 MiB: chat UIs resend
the whole conversation with every message, answers and sources included (20 exchanges pass
64 KiB; 1 MiB holds well over 100), and only the last turns of it are read. The body is read
here, up to the cap, and replayed to the app: raising from inside the app's own body reading
would be swallowed by FastAPI's parser as a 400.

ConcurrencyLimit: the endpoints that embed and rank (answers, search, screening) are CPU work;
at most `max_concurrency` run at once, others wait up to `queue_timeout` seconds for a slot and
then get 503 with Retry-After, so an overloaded server says so at once instead of letting every
request slow down until they all time out. A request whose response has not started after
`request_timeout` seconds gets 504. A streamed response (SSE) that has started is not cut: the
timeout bounds the time to its first byte.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_CHAT_BODY_BYTES = 1024 * 1024
# Paths with a cap of their own (exact match).
BODY_LIMITS = {"/v1/chat/completions": MAX_CHAT_BODY_BYTES}


class BodySizeLimit:
    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = MAX_BODY_BYTES,
        path_limits: dict[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.path_limits = BODY_LIMITS if path_limits is None else path_limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        cap = self.path_limits.get(str(scope.get("path", "")), self.max_bytes)
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > cap:
                await self._reject(send, cap)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > cap:
                await self._reject(send, cap)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _reject(self, send: Send, cap: int) -> None:
        body = json.dumps({"detail": f"request body larger than {cap} bytes"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


# Paths whose requests do CPU work (embedding, ranking, composing). /slack/events is not here:
# Slack needs its acknowledgement within 3 s and the bot answers in the background.
HEAVY_PATHS = ("/v1/ask", "/v1/chat", "/v1/chat/completions", "/v1/search", "/v1/screen")


async def _send_json(
    send: Send, status: int, detail: str, headers: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class ConcurrencyLimit:
    """At most `max_concurrency` heavy requests at once; a bounded wait, then 503; 504 after
    `request_timeout` seconds without a response. Other paths pass straight through."""

    def __init__(
        self,
        app: ASGIApp,
        max_concurrency: int = 4,
        queue_timeout: float = 2.0,
        request_timeout: float = 60.0,
        paths: Sequence[str] = HEAVY_PATHS,
    ) -> None:
        self.app = app
        self.max_concurrency = max_concurrency
        self.queue_timeout = queue_timeout
        self.request_timeout = request_timeout
        self.paths = tuple(paths)
        self.active = 0  # requests holding a slot, including ones abandoned after a 504
        self._slots: asyncio.Semaphore | None = None  # made on first use, in the server's loop

    def _heavy(self, path: str) -> bool:
        return any(path == p or path.startswith(p + "/") for p in self.paths)

    async def _acquire(self) -> bool:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_concurrency)
        if self.queue_timeout <= 0:
            if self._slots.locked():
                return False
            await self._slots.acquire()
            return True
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout=self.queue_timeout)
        except TimeoutError:
            return False
        return True

    def _release(self) -> None:
        self.active -= 1
        assert self._slots is not None
        self._slots.release()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._heavy(scope["path"]):
            await self.app(scope, receive, send)
            return
        if not await self._acquire():
            await _send_json(
                send,
                503,
                f"server busy: {self.active} requests in progress; retry shortly",
                [(b"retry-after", b"1")],
            )
            return
        self.active += 1
        started = timed_out = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if timed_out:
                return  # the client already has its 504; the late answer goes nowhere
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        task = asyncio.ensure_future(self.app(scope, receive, guarded_send))
        try:
            done, _ = await asyncio.wait({task}, timeout=self.request_timeout)
        except BaseException:  # the server is cancelling us (client gone, shutdown)
            task.cancel()
            task.add_done_callback(self._finished)
            raise
        if done or started:
            try:
                await task
            finally:
                self._release()
            return
        # Too slow and nothing sent yet: answer 504 now. The work itself runs on in a worker
        # thread (threads cannot be stopped), so its slot is only freed when it ends.
        timed_out = True
        task.add_done_callback(self._finished)
        log.warning(
            "%s %s took longer than %s s: 504", scope["method"], scope["path"], self.request_timeout
        )
        await _send_json(send, 504, f"request took longer than {self.request_timeout:g} s")

    def _finished(self, task: asyncio.Future[None]) -> None:
        self._release()
        if not task.cancelled() and task.exception() is not None:
            log.warning("request abandoned after its timeout failed: %r", task.exception())

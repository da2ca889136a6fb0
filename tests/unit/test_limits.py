"""ConcurrencyLimit over real HTTP: a tiny app behind the middleware, served by uvicorn."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from api.security.limits import ConcurrencyLimit
from tests.conftest import free_port


async def ask(request: Request) -> JSONResponse:
    seconds = float(request.query_params.get("s", "0.5"))
    await run_in_threadpool(time.sleep, seconds)  # CPU work happens in worker threads
    return JSONResponse({"slept": seconds})


async def chat(request: Request) -> StreamingResponse:
    async def events() -> AsyncIterator[str]:
        for i in range(4):
            yield f"data: {i}\n\n"
            await asyncio.sleep(0.3)

    return StreamingResponse(events(), media_type="text/event-stream")


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


@contextmanager
def serve(**limits: float) -> Iterator[tuple[str, ConcurrencyLimit]]:
    app = Starlette(
        routes=[
            Route("/v1/ask", ask, methods=["POST"]),
            Route("/v1/chat", chat, methods=["POST"]),
            Route("/healthz", healthz),
        ]
    )
    limiter = ConcurrencyLimit(app, **limits)  # type: ignore[arg-type]
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(limiter, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", limiter
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _post(base: str, path: str, seconds: float) -> httpx.Response:
    return httpx.post(f"{base}{path}", params={"s": seconds}, timeout=30, trust_env=False)


def test_saturated_server_answers_503_with_retry_after_and_never_500() -> None:
    with serve(max_concurrency=1, queue_timeout=0, request_timeout=30) as (base, _):
        with ThreadPoolExecutor(2) as pool:
            first = pool.submit(_post, base, "/v1/ask", 1.0)
            time.sleep(0.3)  # the first one holds the only slot
            second = pool.submit(_post, base, "/v1/ask", 1.0)
            # Not limited: health answers while the heavy slot is taken.
            health = httpx.get(f"{base}/healthz", timeout=5, trust_env=False)
            codes = sorted([first.result().status_code, second.result().status_code])
        assert health.status_code == 200
        assert codes == [200, 503]
        busy = second.result()
        assert busy.json() == {"detail": "server busy: 1 requests in progress; retry shortly"}
        assert busy.headers["retry-after"] == "1"
        # The slot is free again afterwards.
        assert _post(base, "/v1/ask", 0).status_code == 200


def test_requests_wait_for_a_slot_up_to_the_queue_timeout() -> None:
    with serve(max_concurrency=1, queue_timeout=5, request_timeout=30) as (base, limiter):
        with ThreadPoolExecutor(3) as pool:
            t = time.monotonic()
            results = list(pool.map(lambda _: _post(base, "/v1/ask", 0.4), range(3)))
            elapsed = time.monotonic() - t
        assert [r.status_code for r in results] == [200, 200, 200]
        assert elapsed >= 1.1, "three 0.4 s requests with one slot run one after another"
        # The slot is released just after the last byte is sent, so allow it a moment.
        deadline = time.monotonic() + 2.0
        while limiter.active and time.monotonic() < deadline:
            time.sleep(0.01)
        assert limiter.active == 0


def test_slow_request_gets_504_and_keeps_its_slot_until_the_work_ends() -> None:
    with serve(max_concurrency=1, queue_timeout=0, request_timeout=0.5) as (base, limiter):
        t = time.monotonic()
        slow = _post(base, "/v1/ask", 2.0)
        assert time.monotonic() - t < 1.5, "the 504 comes at the timeout, not when work ends"
        assert slow.status_code == 504
        assert slow.json() == {"detail": "request took longer than 0.5 s"}
        # The abandoned work still runs in its thread: the CPU bound holds, so this is busy.
        assert _post(base, "/v1/ask", 0).status_code == 503
        time.sleep(2.0)
        assert limiter.active == 0
        assert _post(base, "/v1/ask", 0).status_code == 200


def test_a_started_stream_is_not_cut_by_the_timeout() -> None:
    with serve(max_concurrency=1, queue_timeout=0, request_timeout=0.5) as (base, _):
        r = httpx.post(f"{base}/v1/chat", timeout=30, trust_env=False)
        assert r.status_code == 200
        assert r.text == "".join(f"data: {i}\n\n" for i in range(4))

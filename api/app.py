"""The FastAPI app factory: builds shared state once, mounts the routers and the web page,
and maps errors so no request ever sees a stack trace."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from threadpoolctl import threadpool_limits
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api.openai.errors import OpenAIErrors
from api.routes import ask, documents, health, openai, screen, search
from api.security.auth import (
    Authenticate,
    RateLimiter,
    caller_group_sets,
    check_exposure,
    load_keys,
)
from api.security.limits import BodySizeLimit, ConcurrencyLimit
from assistant import __version__
from assistant.answering.audit import AuditError
from assistant.answering.service import Assistant
from assistant.config import Settings, get_settings
from assistant.index.embeddings import (
    get_model,
    start_query_process,
    stop_query_process,
    wait_for_query_process,
)
from assistant.index.store import StoreUnavailable
from assistant.logs import setup_logging

log = logging.getLogger(__name__)


class AsciiJSONResponse(JSONResponse):
    """JSON escaped to ASCII, so any string (even a lone surrogate) can be written."""

    def render(self, content: object) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


WEB_DIR = Path(__file__).parent / "web"
EMBED_PROCESS_WAIT_S = 120.0  # then serve anyway: questions use this process's model meanwhile
SWITCH_INTERVAL_S = 0.0005


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; raises AuthConfigError when the key setup is unusable or would be open access
    on a non-loopback `settings.host` without TPA_ALLOW_ANONYMOUS."""
    settings = settings or get_settings()
    keys = load_keys(settings)
    check_exposure(settings, keys, settings.host)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        setup_logging(settings)
        # Answers run side by side, each doing small numpy products (a question against every
        # vector, BM25 sums): one BLAS thread each. BLAS's own threads would spin-wait for cores
        # the other answers hold; on 2 busy cores that doubled an answer's CPU time.
        blas = threadpool_limits(limits=1, user_api="blas")
        # A thread back from the disk (an audit flush) or the embedding process waits for the
        # GIL until the running thread yields it: every 0.5 ms instead of Python's 5 ms (about
        # 10% more answers a second at 8 clients, measured on 2 cores).
        switch = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        if settings.embed_process:
            # loads beside the rest of the start-up, waited for below; this process loads the
            # model only if the child cannot start (torch and the weights: ~0.4 GB per replica)
            start_query_process(settings.embed_runtime, settings.model_cache_dir)
        else:
            await run_in_threadpool(get_model)  # load the model once, before the first request
        assistant: Assistant | None = None
        try:
            assistant = await run_in_threadpool(Assistant, settings)
            await run_in_threadpool(assistant.retriever.lexical)  # warm the BM25 index
        except StoreUnavailable as exc:
            assistant = None
            log.error("store unavailable at start-up (will retry per request): %s", exc)
        if settings.embed_process:
            # Serving before the child is up would work (questions use this process's model),
            # but the first answers would compete with its loading for the cores.
            await run_in_threadpool(wait_for_query_process, EMBED_PROCESS_WAIT_S)
        if assistant is not None:
            app.state.assistant = assistant
            try:
                # what each kind of caller's first question would wait for: their view of the
                # snapshot, the dense index's first query, the embedding process's first question
                sets = caller_group_sets(settings, keys)
                warmed = await run_in_threadpool(assistant.warm, sets)
                log.info(
                    "ready: %d chunks in the store; views for %d group set(s) made",
                    assistant.store.count(),
                    warmed,
                )
            except Exception:  # serving goes on: a caller's first question makes what is missing
                log.exception("warming up failed; the first questions will be slower")
        try:
            yield
        finally:
            stop_query_process()
            sys.setswitchinterval(switch)
            blas.restore_original_limits()

    app = FastAPI(
        title="Trade-policy assistant",
        version=__version__,
        description="Export-control answers from a local corpus, citing verbatim passages.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.assistant = None
    app.state.keys = keys
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)
    # Added first, so it runs innermost: no slot is taken before auth and the body check pass.
    app.add_middleware(
        ConcurrencyLimit,
        max_concurrency=settings.max_concurrency,
        queue_timeout=settings.queue_timeout,
        request_timeout=settings.request_timeout,
    )
    app.add_middleware(BodySizeLimit)
    app.add_middleware(Authenticate)  # 401 before anything else but the proxy rewrite below
    if settings.forwarded_allow_ips:
        # X-Forwarded-For names the caller (rate-limit bucket, audit) only when the connection
        # comes from a proxy named in TPA_FORWARDED_ALLOW_IPS; `tpa serve` turns uvicorn's own
        # rewrite off, which would otherwise believe any loopback client.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    # Outermost: every error under /v1/chat/completions and /v1/models, whichever layer sent it
    # (auth, limits, validation, the routes), in OpenAI's shape; other routes keep {"detail"}.
    app.add_middleware(OpenAIErrors)
    app.include_router(health.router)
    app.include_router(ask.router)
    app.include_router(openai.router)
    app.include_router(search.router)
    app.include_router(documents.router)
    app.include_router(screen.router)
    if settings.slack_bot_token and settings.slack_signing_secret:
        from api.slack.transport import mount_slack

        mount_slack(app, settings)
    else:
        log.info("Slack bot off: TPA_SLACK_BOT_TOKEN and TPA_SLACK_SIGNING_SECRET are not set")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Name each field and say what is wrong; never echo the input back (it may be huge, or
        # hold unpaired surrogates that cannot even be encoded as UTF-8).
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return AsciiJSONResponse(status_code=422, content={"detail": errors})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
            # FastAPI's word for a body that is not even text: malformed JSON, like any other.
            detail: object = [
                {"loc": ["body"], "msg": "body is not valid JSON", "type": "json_invalid"}
            ]
            return AsciiJSONResponse(status_code=422, content={"detail": detail})
        return AsciiJSONResponse(
            status_code=exc.status_code, content={"detail": exc.detail}, headers=exc.headers
        )

    @app.exception_handler(StoreUnavailable)
    async def _store_down(request: Request, exc: StoreUnavailable) -> JSONResponse:
        return JSONResponse(status_code=503, content={"detail": f"store unavailable: {exc}"})

    @app.exception_handler(AuditError)
    async def _audit_down(request: Request, exc: AuditError) -> JSONResponse:
        log.error("%s", exc)
        return JSONResponse(
            status_code=503, content={"detail": "audit trail unavailable; no answer given"}
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(status_code=500, content={"detail": "internal error (logged)"})

    if WEB_DIR.is_dir():
        app.mount("/", StaticFiles(directory=WEB_DIR, html=True), name="web")
    return app

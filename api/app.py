"""The FastAPI app factory: builds shared state once, mounts the routers, maps errors."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.routes import health, search
from assistant import __version__
from assistant.config import Settings, get_settings
from assistant.embeddings import get_model
from assistant.logs import setup_logging
from assistant.store import Store, StoreUnavailable

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        setup_logging(settings)
        app.state.store = Store(settings)
        await run_in_threadpool(get_model)  # load the model once, before the first request
        log.info("ready: %d chunks in the store", app.state.store.count())
        yield

    app = FastAPI(
        title="Trade-policy assistant",
        version=__version__,
        description="Export-control answers from a local corpus, citing verbatim passages.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.include_router(health.router)
    app.include_router(search.router)

    @app.exception_handler(StoreUnavailable)
    async def _store_down(request: Request, exc: StoreUnavailable) -> JSONResponse:
        return JSONResponse(status_code=503, content={"detail": f"store unavailable: {exc}"})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(status_code=500, content={"detail": "internal error (logged)"})

    return app

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.deps import app_assistant
from api.schemas import Health, Readiness
from assistant.index.embeddings import model_ready

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="The process is up")
def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="Store reachable, model loaded, index not empty",
    responses={503: {"model": Readiness}},
)
async def readyz(request: Request) -> JSONResponse:
    def check() -> Readiness:
        model_loaded = model_ready()
        try:
            chunks = app_assistant(request.app).store.count()
        except Exception as exc:  # any failure to reach the store means "not ready"
            return Readiness(
                ready=False, store=False, model=model_loaded, indexed=False, detail=str(exc)[:300]
            )
        ready = model_loaded and chunks > 0
        detail = (
            None if ready else ("the store is empty: run `tpa ingest`" if chunks == 0 else None)
        )
        return Readiness(
            ready=ready, store=True, model=model_loaded, indexed=chunks > 0, detail=detail
        )

    readiness = await run_in_threadpool(check)
    return JSONResponse(readiness.model_dump(), status_code=200 if readiness.ready else 503)

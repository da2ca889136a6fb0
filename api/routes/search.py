from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from starlette.concurrency import run_in_threadpool

from api.deps import get_store
from api.schemas import ErrorResponse, Passage, SearchResponse
from assistant.retrieval import search
from assistant.store import Store

router = APIRouter(prefix="/v1", tags=["search"])


@router.get(
    "/search",
    response_model=SearchResponse,
    summary="Passages closest in meaning to a query",
    responses={422: {"model": ErrorResponse}, 503: {"model": ErrorResponse}},
)
async def search_passages(
    store: Annotated[Store, Depends(get_store)],
    q: Annotated[str, Query(min_length=1, max_length=2000, description="The query.")],
    k: Annotated[int, Query(ge=1, le=50, description="How many passages.")] = 5,
) -> SearchResponse:
    if not q.strip():
        raise HTTPException(status_code=422, detail="q: the query is blank")
    # Embedding is CPU work: keep it off the event loop.
    results = await run_in_threadpool(search, store, q, k)
    return SearchResponse(query=q, results=[Passage(**r.to_dict()) for r in results])

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from starlette.concurrency import run_in_threadpool

from api.deps import get_assistant
from api.schemas import ErrorResponse, Passage, SearchResponse
from api.security.auth import get_caller
from assistant.access import Caller
from assistant.answering.conversation import MAX_QUESTION_CHARS
from assistant.answering.service import Assistant

router = APIRouter(prefix="/v1", tags=["search"])


@router.get(
    "/search",
    response_model=SearchResponse,
    summary="Passages that best match a query (hybrid dense + BM25)",
    responses={
        401: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
        429: {"model": ErrorResponse},
        503: {"model": ErrorResponse},
    },
)
async def search_passages(
    assistant: Annotated[Assistant, Depends(get_assistant)],
    caller: Annotated[Caller, Depends(get_caller)],
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUESTION_CHARS, description="The query.")],
    k: Annotated[int, Query(ge=1, le=50, description="How many passages.")] = 5,
    as_of: Annotated[
        date | None, Query(description="Leave out documents dated after this day (ISO date).")
    ] = None,
) -> SearchResponse:
    if not q.strip():
        raise HTTPException(status_code=422, detail="q: the query is blank")
    # Embedding is CPU work: keep it off the event loop.
    results = await run_in_threadpool(assistant.search, q, k, None, caller, as_of)
    return SearchResponse(query=q, results=[Passage(**r.to_dict()) for r in results])

"""Questions in, cited answers out: /v1/ask, and /v1/chat (an answer in a conversation, or its
text streamed as Server-Sent Events as it is checked, then the answer)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from api.deps import get_assistant
from api.schemas import ANSWER_ERRORS, AnswerOut, AskRequest, ChatRequest
from api.security.auth import get_caller
from assistant.access import Caller
from assistant.answering.audit import AuditError
from assistant.answering.conversation import QuestionError, validate_question
from assistant.answering.service import Assistant
from assistant.index.store import StoreUnavailable
from assistant.models import Answer

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1", tags=["chat"])

_SSE = {"text/event-stream": {"schema": {"type": "string"}}}


def _ask(assistant: Assistant, body: AskRequest, caller: Caller) -> Answer:
    try:
        return assistant.ask(
            body.question,
            conversation_id=body.conversation_id,
            filters=body.filters.to_filters() if body.filters else None,
            caller=caller,
            as_of=body.as_of,
        )
    except QuestionError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc


@router.post("/ask", response_model=AnswerOut, summary="Answer a question", responses=ANSWER_ERRORS)
async def ask(
    body: AskRequest,
    assistant: Annotated[Assistant, Depends(get_assistant)],
    caller: Annotated[Caller, Depends(get_caller)],
) -> Answer:
    return await run_in_threadpool(_ask, assistant, body, caller)


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _events(parts: Iterator[str | Answer]) -> Iterator[str]:
    """SSE frames: a `delta` per text piece, then `answer`; failures end with one `error`."""
    try:
        for part in parts:
            if isinstance(part, Answer):
                yield _sse("answer", part.model_dump(mode="json"))
            else:
                yield _sse("delta", {"text": part})
    except QuestionError as exc:
        yield _sse("error", {"detail": str(exc)})
    except StoreUnavailable as exc:
        yield _sse("error", {"detail": f"store unavailable: {exc}"})
    except AuditError:
        log.exception("audit trail unavailable")
        yield _sse("error", {"detail": "audit trail unavailable; no answer given"})
    except Exception:
        log.exception("streamed answer failed")
        yield _sse("error", {"detail": "the answer failed (logged)"})


@router.post(
    "/chat",
    response_model=AnswerOut,
    summary="Answer in a conversation; `stream: true` sends Server-Sent Events",
    responses={
        **ANSWER_ERRORS,
        200: {"content": _SSE, "description": "Answer, or SSE when streamed"},
    },
)
async def chat(
    body: ChatRequest,
    assistant: Annotated[Assistant, Depends(get_assistant)],
    caller: Annotated[Caller, Depends(get_caller)],
) -> Any:
    if not body.stream:
        return await run_in_threadpool(_ask, assistant, body, caller)
    try:
        validate_question(body.question)
    except QuestionError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    parts = assistant.stream(
        body.question,
        conversation_id=body.conversation_id,
        filters=body.filters.to_filters() if body.filters else None,
        caller=caller,
        as_of=body.as_of,
    )
    return StreamingResponse(
        iterate_in_threadpool(_events(parts)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )

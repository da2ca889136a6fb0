"""An OpenAI-compatible /v1/chat/completions, so existing chat clients work unchanged.

The last user message is the question and earlier turns the history; the reply is the answer
with its numbered sources appended, plus a `citations` list and `abstained` (extensions), as one
`chat.completion` or, with `stream: true`, as `chat.completion.chunk` SSE frames ending
`data: [DONE]`.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from api.deps import get_assistant
from api.schemas import ANSWER_ERRORS, ChatCompletionRequest
from api.security.auth import get_caller
from assistant.access import Caller
from assistant.answering.audit import AuditError
from assistant.answering.conversation import (
    MAX_QUESTION_CHARS,
    MAX_TURNS,
    QuestionError,
    Turn,
    has_lone_surrogate,
    validate_question,
)
from assistant.answering.service import Assistant
from assistant.index.store import StoreUnavailable
from assistant.models import Answer

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1", tags=["chat"])

# Of an earlier assistant message (our own answer, sources included) only this much is kept:
# more than the LLM rewriter reads of it, and the deterministic rewriter reads none.
HISTORY_ANSWER_CHARS = 4000


def _split_messages(body: ChatCompletionRequest) -> tuple[str, list[Turn]]:
    """The last user message is the question; earlier user/assistant pairs are the history.

    Every user message is held to the limits of a question, earlier ones too: one that is too
    long is refused (422, naming it) rather than cut, since cutting would change what was
    asked. Earlier assistant messages are our own answers, rightly longer than a question, so
    they are cut to HISTORY_ANSWER_CHARS instead. Only the last MAX_TURNS turns are used, as in
    a remembered conversation.
    """
    indexed = [(i, m) for i, m in enumerate(body.messages) if m.role in ("user", "assistant")]
    if not indexed or indexed[-1][1].role != "user":
        raise HTTPException(status_code=422, detail="messages: the last message must be a user's")
    turns: list[Turn] = []
    pending: str | None = None
    for i, m in indexed:
        text = m.text()
        if has_lone_surrogate(text):
            raise HTTPException(
                status_code=422,
                detail=f"messages[{i}]: contains an unpaired surrogate (not valid text)",
            )
        if m.role == "user" and len(text) > MAX_QUESTION_CHARS:
            raise HTTPException(
                status_code=422,
                detail=f"messages[{i}]: longer than {MAX_QUESTION_CHARS} characters",
            )
        if i == indexed[-1][0]:
            break
        if m.role == "user":
            pending = text.strip() or None
        elif pending is not None:
            turns.append(Turn(pending, pending, text[:HISTORY_ANSWER_CHARS]))
            pending = None
    return indexed[-1][1].text(), turns[-MAX_TURNS:]


def _sources(answer: Answer) -> str:
    if not answer.citations:
        return ""
    lines = ["", "", "Sources:"]
    for c in answer.citations:
        where = f" {c.source_url}" if c.source_url else ""
        lines.append(f'[{c.n}] {c.citation}: "{" ".join(c.quote.split())}"{where}')
    return "\n".join(lines)


def _citations_json(answer: Answer) -> list[dict[str, Any]]:
    return [c.model_dump(mode="json") for c in answer.citations]


@router.post(
    "/chat/completions",
    summary="OpenAI-compatible chat completions (answer + numbered sources, and `citations`)",
    responses={
        **ANSWER_ERRORS,
        200: {"description": "chat.completion, or SSE chunks when streamed"},
    },
)
async def chat_completions(
    body: ChatCompletionRequest,
    assistant: Annotated[Assistant, Depends(get_assistant)],
    caller: Annotated[Caller, Depends(get_caller)],
) -> Any:
    question, history = _split_messages(body)
    try:
        question = validate_question(question)
    except QuestionError as exc:
        # Checked before any streaming starts, so bad input is a 422 in both modes.
        raise HTTPException(status_code=422, detail=f"messages: {exc}") from exc
    created = int(time.time())
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"

    if not body.stream:

        def run() -> Answer:
            try:
                return assistant.ask(question, history=history, caller=caller, as_of=body.as_of)
            except QuestionError as exc:
                raise HTTPException(
                    status_code=422, detail=f"messages: {exc}".replace("question: ", "")
                ) from exc

        answer = await run_in_threadpool(run)
        content = answer.answer + _sources(answer)
        return {
            "id": completion_id,
            "object": "chat.completion",
            "created": created,
            "model": body.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            "citations": _citations_json(answer),
            "abstained": answer.abstained,
        }

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        payload = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": body.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"

    def frames() -> Iterator[str]:
        yield chunk({"role": "assistant", "content": ""})
        try:
            for part in assistant.stream(
                question, history=history, caller=caller, as_of=body.as_of
            ):
                if isinstance(part, Answer):
                    yield chunk({"content": _sources(part)})
                    yield chunk(
                        {},
                        "stop",
                        citations=_citations_json(part),
                        abstained=part.abstained,
                    )
                else:
                    yield chunk({"content": part})
        except (QuestionError, StoreUnavailable) as exc:
            yield chunk({"content": f"\n\nError: {exc}"}, "stop")
        except AuditError:
            log.exception("audit trail unavailable")
            yield chunk({"content": "\n\nError: audit trail unavailable; no answer given"}, "stop")
        except Exception:
            log.exception("streamed completion failed")
            yield chunk({"content": "\n\nError: the answer failed (logged)"}, "stop")
        yield "data: [DONE]\n\n"

    async def stream() -> AsyncIterator[str]:
        async for frame in iterate_in_threadpool(frames()):
            yield frame

    return StreamingResponse(stream(), media_type="text/event-stream")

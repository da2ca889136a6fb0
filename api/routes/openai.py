"""The OpenAI-compatible routes: `POST /v1/chat/completions`, `GET /v1/models[/{id}]`.

The last user message is the question and earlier turns the history (`api/openai/request.py`);
the reply is the answer as Markdown with a Sources list, plus `citations` and `abstained`
(extensions), as one `chat.completion` or, with `stream: true`, as `chat.completion.chunk` SSE
frames ending `data: [DONE]`. Chat UIs' background tasks (titles, tags, follow-ups) get the
short reply they parse. Errors here are OpenAI-shaped (`api/openai/errors.py`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from api.deps import get_assistant
from api.openai.completion import Completion, content_parts, extensions, sse
from api.openai.errors import request_error
from api.openai.request import ChatRequest, read_request
from api.openai.tokens import tokens_in
from api.schemas import OPENAI_ERRORS, ChatCompletionRequest, ModelList, ModelOut
from api.security.auth import get_caller
from assistant.access import Caller
from assistant.answering.audit import AuditError
from assistant.answering.conversation import QuestionError, validate_question
from assistant.answering.service import Assistant
from assistant.index.store import StoreUnavailable
from assistant.models import Answer

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1", tags=["chat"])

MODEL_ID = "trade-policy-assistant"
_STARTED = int(time.time())


def _model() -> ModelOut:
    return ModelOut(id=MODEL_ID, created=_STARTED, owned_by="trade-policy-assistant")


@router.get(
    "/models",
    summary="The model list OpenAI clients and chat UIs read first",
    responses=OPENAI_ERRORS,
)
def list_models(caller: Annotated[Caller, Depends(get_caller)]) -> ModelList:
    return ModelList(data=[_model()])


@router.get("/models/{model_id}", summary="One model", responses=OPENAI_ERRORS)
def retrieve_model(model_id: str, caller: Annotated[Caller, Depends(get_caller)]) -> ModelOut:
    if model_id != MODEL_ID:
        raise request_error(
            404,
            f"The model '{model_id}' does not exist; the model here is '{MODEL_ID}'",
            "model",
            "model_not_found",
        )
    return _model()


def _checked(body: ChatCompletionRequest) -> tuple[ChatRequest, str]:
    """The request as read, and its question validated (both before any streaming starts, so
    bad input is an error status in both modes)."""
    if body.n is not None and body.n > 1:
        raise request_error(400, "only one choice is served: n must be 1", "n", "unsupported_value")
    request = read_request(body)
    if request.task is not None:
        return request, ""
    try:
        return request, validate_question(request.question)
    except QuestionError as exc:
        where = f"messages[{request.index}].content"
        message = f"{where}: {str(exc).replace('question: ', '')}"
        raise request_error(422, message, where) from exc


@router.post(
    "/chat/completions",
    summary="OpenAI-compatible chat completions (Markdown answer + Sources, and `citations`)",
    responses={
        **OPENAI_ERRORS,
        200: {"description": "chat.completion, or SSE chunks when streamed"},
    },
)
async def chat_completions(
    body: ChatCompletionRequest,
    assistant: Annotated[Assistant, Depends(get_assistant)],
    caller: Annotated[Caller, Depends(get_caller)],
) -> Any:
    request, question = _checked(body)
    completion = Completion(model=body.model, max_tokens=body.token_limit())

    def parts() -> Iterator[str | Answer]:
        completion.prompt_tokens = tokens_in(m.text() for m in body.messages)
        if request.task is not None:
            yield request.task.reply
            return
        answering = assistant.stream(
            question, history=request.history, caller=caller, as_of=body.as_of
        )
        yield from content_parts(answering, request.note)

    if not body.stream:

        def run() -> dict[str, Any]:
            sent: list[str] = []
            answer: Answer | None = None
            try:
                for item in parts():
                    if isinstance(item, Answer):
                        answer = item
                    else:
                        sent.append(completion.budget.take(item))
            except QuestionError as exc:
                raise request_error(422, str(exc), "messages") from exc
            return completion.whole("".join(sent), answer, abstained=request.unanswered)

        return await run_in_threadpool(run)

    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    usage: dict[str, Any] = {"usage": None} if include_usage else {}

    def frames() -> Iterator[str]:
        yield sse(completion.chunk({"role": "assistant", "content": ""}, **usage))
        answer: Answer | None = None
        failed: str | None = None
        try:
            for item in parts():
                if isinstance(item, Answer):
                    answer = item
                elif text := completion.budget.take(item):
                    yield sse(completion.chunk({"content": text}, **usage))
        except (QuestionError, StoreUnavailable) as exc:
            failed = f"Error: {exc}"
        except AuditError:
            log.exception("audit trail unavailable")
            failed = "Error: audit trail unavailable; no answer given"
        except Exception:
            log.exception("streamed completion failed")
            failed = "Error: the answer failed (logged)"
        if failed is not None:
            yield sse(completion.chunk({"content": f"\n\n{failed}"}, "stop", **usage))
        else:
            facts = extensions(answer, abstained=request.unanswered)
            final = completion.chunk({}, completion.finish_reason, **facts, **usage)
            yield sse(final)
        if include_usage:
            yield sse(completion.usage_chunk())
        yield sse("[DONE]")

    async def stream() -> AsyncIterator[str]:
        async for frame in iterate_in_threadpool(frames()):
            yield frame

    return StreamingResponse(stream(), media_type="text/event-stream")

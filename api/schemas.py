"""Request and response models: the public contract (the OpenAPI schema comes from these)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from assistant.answering.conversation import MAX_QUESTION_CHARS, has_lone_surrogate
from assistant.models import Answer, Filters

Question = Field(
    min_length=1,
    max_length=MAX_QUESTION_CHARS,
    description="The question, in plain words.",
    examples=["Do mass-market software sales to Huawei need a licence?"],
)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    if has_lone_surrogate(value):
        raise ValueError("contains an unpaired surrogate (not valid text)")
    return value


def _valid_text(value: str | None) -> str | None:
    if value is not None and has_lone_surrogate(value):
        raise ValueError("contains an unpaired surrogate (not valid text)")
    return value


def _iso_date(value: object) -> object:
    """Dates arrive as JSON strings "YYYY-MM-DD"; numbers (timestamps) and other spellings are
    refused rather than guessed at."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("must be an ISO date string like 2019-11-20")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError("must be an ISO date like 2019-11-20") from exc


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class Readiness(BaseModel):
    ready: bool
    store: bool = Field(description="The vector store answers.")
    model: bool = Field(description="The embedding model is loaded.")
    indexed: bool = Field(
        description="The store holds chunks. (No count: it would tell any caller how much "
        "restricted material there is.)"
    )
    detail: str | None = None


class FiltersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    doc_types: list[Annotated[str, Field(max_length=100)]] | None = Field(
        None, max_length=20, examples=[["regulation"]]
    )
    date_from: IsoDate | None = Field(None, description="ISO date, e.g. 2019-11-20")
    date_to: IsoDate | None = Field(None, description="ISO date, e.g. 2019-11-20")

    def to_filters(self) -> Filters:
        return Filters(doc_types=self.doc_types, date_from=self.date_from, date_to=self.date_to)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Question
    filters: FiltersIn | None = None
    conversation_id: str | None = Field(None, min_length=1, max_length=100)
    as_of: IsoDate | None = Field(
        None,
        description="Answer as of this date (ISO): later documents and list entries are left out.",
        examples=["2019-11-20"],
    )

    _blank = field_validator("question")(_not_blank)
    _text = field_validator("conversation_id")(_valid_text)


class ChatRequest(AskRequest):
    stream: bool = Field(False, description="Server-Sent Events: `delta` events, then `answer`.")


class AnswerOut(Answer):
    """The Answer contract (ARCHITECTURE.md, invariant 1): quotes equal the document text at
    their spans."""


class Passage(BaseModel):
    chunk_id: str
    doc_id: str
    source_path: str
    citation: str = Field(examples=["15 CFR 744.11(a)"])
    title: str
    text: str = Field(description="Verbatim text: equals the document text at [start, end).")
    start: int
    end: int
    score: float
    source_url: str | None = None
    date: str | None = None
    doc_type: str | None = None


class SearchResponse(BaseModel):
    query: str
    results: list[Passage]


class DocumentOut(BaseModel):
    doc_id: str
    title: str | None = None
    citation: str | None = None
    doc_type: str | None = None
    agency: str | None = None
    date: str | None = None
    source_url: str | None = None
    source_path: str | None = None
    text: str = Field(description="The stored text every span and quote refers to.")


class PassageContext(BaseModel):
    chunk_id: str
    doc_id: str
    title: str | None = None
    citation: str
    source_url: str | None = None
    date: str | None = None
    doc_type: str | None = None
    text: str = Field(description="The passage: the document text at [start, end).")
    start: int
    end: int
    context: str = Field(description="The document text at [context_start, context_end).")
    context_start: int
    context_end: int


class ErrorResponse(BaseModel):
    detail: Any


# The error responses of a route that answers a question: no or a bad key, bad input, the rate
# limit, the store or the audit trail unavailable.
ANSWER_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (401, 422, 429, 503)
}


# ---- OpenAI chat-completions compatibility -------------------------------------------------


class ChatMessage(BaseModel):
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        if isinstance(self.content, list):
            return " ".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return ""


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_usage: bool = Field(
        False, description="Send a last chunk with `usage` (and no choices) before [DONE]."
    )


class ChatCompletionRequest(BaseModel):
    """The part of OpenAI's request this server honours (README, "OpenAI-compatible"); other
    fields (temperature, top_p, stop, seed, tools, ...) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str = Field("trade-policy-assistant", max_length=200)
    # Chat UIs resend the whole conversation: a long chat has hundreds of messages (only the
    # last turns are read; the body-size cap bounds the rest).
    messages: list[ChatMessage] = Field(min_length=1, max_length=1000)
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(
        None, ge=1, description="Cut the reply after this many tokens (finish_reason `length`)."
    )
    max_completion_tokens: int | None = Field(None, ge=1, description="As max_tokens.")
    n: int | None = Field(None, ge=1, le=128, description="Only 1 is served (400 otherwise).")
    as_of: IsoDate | None = Field(None, description="As in /v1/ask (an extension).")

    _text = field_validator("model")(_valid_text)

    def token_limit(self) -> int | None:
        limits = [v for v in (self.max_tokens, self.max_completion_tokens) if v is not None]
        return min(limits) if limits else None


class OpenAIErrorDetail(BaseModel):
    message: str
    type: str = Field(examples=["invalid_request_error"])
    param: str | None = Field(None, examples=["messages[0].content"])
    code: str | None = Field(None, examples=["invalid_api_key"])


class OpenAIError(BaseModel):
    """The error shape of the OpenAI-compatible routes (the others answer {"detail": ...})."""

    error: OpenAIErrorDetail


OPENAI_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": OpenAIError} for code in (400, 401, 404, 413, 422, 429, 503)
}


class ModelOut(BaseModel):
    id: str = Field(examples=["trade-policy-assistant"])
    object: Literal["model"] = "model"
    created: int = Field(description="Unix time the server started.")
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelOut]

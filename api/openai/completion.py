"""A chat completion as it is written: Markdown pieces from the answer's parts, the token budget,
and the OpenAI objects (`chat.completion`, `chat.completion.chunk`) around them.

Plain and streamed completions run the same steps over the same parts (`assistant.stream`), so
the streamed deltas always assemble into the plain reply's content. An extractive answer is
composed at once and arrives as one part: it goes out line by line (each line a delta). The
LLM's sentences go out as each passes its checks. Each text part is held until the next part
arrives, so when the last one is followed by the Answer the Markdown can use it (the lead in
bold); then the Sources list follows.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from api.openai.markdown import MarkdownWriter, sources
from api.openai.tokens import Budget
from assistant.models import Answer


def content_parts(parts: Iterable[str | Answer], note: str = "") -> Iterator[str | Answer]:
    """The answer's parts as Markdown pieces (the note first, Sources last), then the Answer."""
    writer = MarkdownWriter()
    yield from writer.note(note)
    held: str | None = None
    for part in parts:
        if isinstance(part, Answer):  # the last part
            if held is not None:
                yield from writer.feed(held, part.lead)
                held = None
            yield from writer.close()
            yield from sources(part, part.answer)
            yield part
            continue
        if held is not None:
            yield from writer.feed(held)
        held = part
    if held is not None:  # parts ended without an Answer (not what Assistant.stream does)
        yield from writer.feed(held)
        yield from writer.close()


@dataclass
class Completion:
    """One completion's identity, its limits and what it has sent so far."""

    model: str
    max_tokens: int | None = None
    prompt_tokens: int = 0
    id: str = field(default_factory=lambda: f"chatcmpl-{uuid.uuid4().hex}")
    created: int = field(default_factory=lambda: int(time.time()))
    budget: Budget = field(init=False)

    def __post_init__(self) -> None:
        self.budget = Budget(self.max_tokens)

    @property
    def finish_reason(self) -> str:
        return "length" if self.budget.exhausted else "stop"

    def usage(self) -> dict[str, int]:
        used = self.budget.used
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": used,
            "total_tokens": self.prompt_tokens + used,
        }

    def _head(self, kind: str) -> dict[str, Any]:
        return {"id": self.id, "object": kind, "created": self.created, "model": self.model}

    def whole(self, content: str, answer: Answer | None, abstained: bool = False) -> dict[str, Any]:
        """The `chat.completion` object (with `citations` and `abstained` beside `choices`)."""
        return {
            **self._head("chat.completion"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": self.finish_reason,
                }
            ],
            "usage": self.usage(),
            **extensions(answer, abstained),
        }

    def chunk(
        self, delta: dict[str, Any], finish: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        return {
            **self._head("chat.completion.chunk"),
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }

    def usage_chunk(self) -> dict[str, Any]:
        """The last chunk `stream_options.include_usage` asks for: no choices, the usage."""
        return {**self._head("chat.completion.chunk"), "choices": [], "usage": self.usage()}


def extensions(answer: Answer | None, abstained: bool = False) -> dict[str, Any]:
    """Our fields beside OpenAI's: the checked citations and whether the answer abstained
    (without an Answer, `abstained` says whether the reply left the message unanswered)."""
    if answer is None:
        return {"citations": [], "abstained": abstained}
    return {
        "citations": [c.model_dump(mode="json") for c in answer.citations],
        "abstained": answer.abstained,
    }


def sse(payload: dict[str, Any] | str) -> str:
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return f"data: {data}\n\n"

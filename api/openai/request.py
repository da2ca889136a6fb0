"""A chat-completions request read as this assistant needs it: the question, its history, or a
chat UI's background task.

Chat UIs resend the whole conversation with every message; only the last MAX_TURNS exchanges
are read (as in a remembered conversation), so a long chat costs no more than a short one. The
last user message is the question. One longer than a question may be (2,000 characters) is
not refused: it is a chat UI's background task (`tasks.detect`), or else its last paragraph (or,
that too long, its last sentence) is the question, with a note saying so; a message with no
such part gets a reply saying how long a question may be. Earlier user messages are read the
same way, so a conversation that went on after such a message is not stuck on it.
Earlier assistant messages are our own answers, cut to HISTORY_ANSWER_CHARS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from api.openai.errors import request_error
from api.openai.tasks import ChatTask, detect
from api.schemas import ChatCompletionRequest
from assistant.answering.conversation import (
    MAX_QUESTION_CHARS,
    MAX_TURNS,
    Turn,
    has_lone_surrogate,
)

# Of an earlier assistant message (our own answer, sources included) only this much is kept:
# more than the LLM rewriter reads of it, and the deterministic rewriter reads none.
HISTORY_ANSWER_CHARS = 4000
_PARAGRAPHS = re.compile(r"\n\s*\n")
_SENTENCES = re.compile(r"(?<=[.?!])\s+")


@dataclass(frozen=True)
class ChatRequest:
    question: str  # what is searched (empty for a task)
    history: list[Turn]
    note: str = ""  # said before the answer (a long message of which only a part was read)
    task: ChatTask | None = None
    index: int = 0  # of the message the question comes from, in `messages`

    @property
    def unanswered(self) -> bool:
        """A reply that answers nothing: the message had no part short enough to be a question."""
        return self.task is not None and self.task.kind == "too_long"


def question_part(text: str) -> str | None:
    """The question in a message: all of it when short enough, else its last paragraph, else
    its last sentence, when that is short enough; None when no part is."""
    if len(text) <= MAX_QUESTION_CHARS:
        return text.strip() or None
    paragraphs = [p.strip() for p in _PARAGRAPHS.split(text) if p.strip()]
    last = paragraphs[-1] if paragraphs else ""
    if len(last) > MAX_QUESTION_CHARS:
        sentences = [s.strip() for s in _SENTENCES.split(last) if s.strip()]
        last = sentences[-1] if sentences else ""
    return last if 0 < len(last) <= MAX_QUESTION_CHARS else None


def read_request(body: ChatCompletionRequest) -> ChatRequest:
    """The question and history of `body`; raises an OpenAI-shaped 422 for what cannot be read
    (no user message last, text that is not valid Unicode)."""
    indexed = [(i, m) for i, m in enumerate(body.messages) if m.role in ("user", "assistant")]
    if not indexed or indexed[-1][1].role != "user":
        raise request_error(422, "messages: the last message must be a user's", "messages")
    for i, m in enumerate(body.messages):  # every role: all of them are counted for `usage`
        if has_lone_surrogate(m.text()):
            where = f"messages[{i}].content"
            raise request_error(
                422, f"{where}: contains an unpaired surrogate (not valid text)", where
            )
    turns: list[Turn] = []
    pending: str | None = None
    for _, m in indexed[:-1]:
        text = m.text()
        if m.role == "user":
            pending = question_part(text)
        elif pending is not None:
            turns.append(Turn(pending, pending, text[:HISTORY_ANSWER_CHARS]))
            pending = None
    history = turns[-MAX_TURNS:]
    index, text = indexed[-1][0], indexed[-1][1].text()
    task = detect(text, [m.text() for _, m in indexed[:-1] if m.role == "user"])
    if task is not None:
        return ChatRequest("", history, task=task, index=index)
    if len(text) <= MAX_QUESTION_CHARS:
        return ChatRequest(text, history, index=index)
    question = question_part(text)
    limit = f"Your message is {len(text):,} characters long; questions are limited to "
    if question is None:
        reply = (
            f"{limit}{MAX_QUESTION_CHARS:,} and no paragraph or sentence of it is that short. "
            "Please ask the question on its own; pasted documents are not read."
        )
        return ChatRequest("", history, task=ChatTask("too_long", reply), index=index)
    shown = question if len(question) <= 200 else question[:200].rstrip() + "…"
    note = f"{limit}{MAX_QUESTION_CHARS:,}, so this answers only its last part: “{shown}”"
    return ChatRequest(question, history, note=note, index=index)

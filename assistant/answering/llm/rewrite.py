"""Rewriting a follow-up into a standalone question with the model, so retrieval sees what
"it" refers to. The conversation is shown to the model fenced and escaped like passages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.answering.llm.check import strip_thinking
from assistant.answering.llm.client import content_text
from assistant.answering.llm.prompt import escape_passage_text, load_prompt

# How much of the conversation the rewriter sees: recent turns matter, old answers are long.
_REWRITE_TURNS = 6
_REWRITE_ANSWER_CHARS = 1200
_ROLES = {"user": "User", "human": "User", "assistant": "Assistant", "ai": "Assistant"}


def _transcript(history: Sequence[tuple[str, str]]) -> str:
    """History as "User:/Assistant:" lines.

    Accepts (question, answer) pairs, or (role, text) tuples with roles user/assistant
    (human/ai), so callers can pass either what they store.
    """
    by_role = bool(history) and all(str(a).lower() in _ROLES for a, _ in history)
    lines: list[str] = []
    if by_role:
        for role, text in list(history)[-2 * _REWRITE_TURNS :]:
            label = _ROLES[str(role).lower()]
            limit = _REWRITE_ANSWER_CHARS if label == "Assistant" else None
            lines.append(f"{label}: {str(text).strip()[:limit]}")
    else:
        for q, a in list(history)[-_REWRITE_TURNS:]:
            lines.append(f"User: {str(q).strip()}")
            lines.append(f"Assistant: {str(a).strip()[:_REWRITE_ANSWER_CHARS]}")
    return escape_passage_text("\n".join(lines))


_REWRITE_LABEL = re.compile(r"^(?:standalone question|rewritten question|question)\s*:\s*", re.I)


def rewrite_question(question: str, history: list[tuple[str, str]], model: BaseChatModel) -> str:
    """A follow-up turned into a standalone question, so retrieval sees what "it" refers to.

    Without history the question is already standalone and the model is not called. An empty
    or runaway reply falls back to the question as asked.
    """
    if not history or not question.strip():
        return question
    user = (
        f"<conversation>\n{_transcript(history)}\n</conversation>\n\n"
        f"Follow-up question: {question.strip()}\n\nStandalone question:"
    )
    reply = model.invoke(
        [SystemMessage(content=load_prompt("rewrite")), HumanMessage(content=user)]
    )
    text = strip_thinking(content_text(reply.content))
    for line in text.splitlines():
        line = _REWRITE_LABEL.sub("", line.strip()).strip().strip("\"'“”").strip()
        if line:
            return line if len(line) <= max(1000, 4 * len(question)) else question
    return question

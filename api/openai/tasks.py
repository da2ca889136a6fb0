"""Chat UIs' background requests, answered without searching the corpus.

After each exchange Open WebUI asks the same model for a chat title, tags and follow-up
questions (LibreChat for a title), sending the conversation inside one user message with the
instruction around it (Open WebUI's default templates start "### Task:" and wrap the history
in `<chat_history>`, one `USER:` / `ASSISTANT:` line per message). Searched as a question that
is a 422 (over 2,000 characters) or an answer nobody asked for; here such a request gets the
short reply the UI parses: a title made from the conversation's first question, an empty list
of follow-ups or search queries, a fixed tag. JSON when the instruction asks for JSON, as Open
WebUI's do (`{"title": ...}`), else plain text.

Recognised only when the message both reads as an instruction to generate one of these and
carries a conversation (a `<chat_history>` block, `USER:`/`User:` lines, the "Here is the
query" form), follows earlier user messages in the same request (LibreChat's way: the
instruction as the last message), or is longer than any question may be; so a real question
that mentions a title is still answered from the corpus.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from assistant.answering.conversation import MAX_QUESTION_CHARS

_HISTORY = re.compile(r"<chat_history>(.*?)(?:</chat_history>|$)", re.DOTALL | re.IGNORECASE)
_SPEAKER = re.compile(r"^\s*(USER|User|Human|ASSISTANT|Assistant|AI)\s*:\s?(.*)$")
_QUERY_FORM = re.compile(r"Here is the query:\s*-{3,}\s*(.*?)\s*-{3,}", re.DOTALL)
_ASKS = {
    "title": re.compile(
        r"\b(generate|create|write|suggest|provide)\b[^\n.]{0,80}\btitle\b|\bconcise title\b|"
        r"\btitle for (the|this) (conversation|chat|previous query)\b",
        re.I,
    ),
    "follow_ups": re.compile(r"\bfollow[- ]up (questions|prompts)\b", re.I),
    "tags": re.compile(r"\b(generate|suggest)\b[^\n.]{0,40}\btags?\b", re.I),
    "queries": re.compile(r"\b(generat\w*|suggest)\b[^\n.]{0,60}\bsearch quer(y|ies)\b", re.I),
}
_ABOUT_CHAT = re.compile(r"\b(conversation|chat)\b", re.I)  # "a title for the conversation"
_ORDER = ("title", "follow_ups", "tags", "queries")  # a title prompt may mention the others
_LEADING = re.compile(
    r"^(?:(?:please|hi|hello|hey|so|ok|okay|and|but|also|then|now|tell me|can you|could you|"
    r"would you|do|does|did|is|are|was|were|will|would|can|could|should|shall|must|may|might|"
    r"what|which|who|whom|whose|when|where|why|how|i|we|my|our|the|a|an|about)\b[\s,]*)+",
    re.I,
)
_TRAILING = re.compile(
    r"(?:\s+\b(?:to|of|for|a|an|the|and|or|in|on|by|with|from|at|need|needs|require|requires)\b)+$",
    re.I,
)
QUERY_FORM_CHARS = 8000  # the "Here is the query" form puts the query at the top
TITLE_WORDS = 5
DEFAULT_TITLE = "Trade policy question"
TAGS = ["Export Controls"]


@dataclass(frozen=True)
class ChatTask:
    kind: str  # "title", "follow_ups", "tags", "queries"
    reply: str


def _speaker_lines(text: str) -> list[tuple[str, str]]:
    """(role, text) of each `ROLE: text` line; a line without a speaker continues the last."""
    out: list[tuple[str, str]] = []
    for line in text.splitlines():
        m = _SPEAKER.match(line)
        if m:
            role = "user" if m.group(1).lower() in ("user", "human") else "assistant"
            out.append((role, m.group(2).strip()))
        elif out and line.strip():
            out[-1] = (out[-1][0], f"{out[-1][1]} {line.strip()}")
    return out


def _conversation(message: str) -> tuple[bool, list[tuple[str, str]]]:
    """Whether the message carries a conversation, and its (role, text) lines."""
    block = _HISTORY.search(message)
    if block:
        return True, _speaker_lines(block.group(1))
    query = _QUERY_FORM.search(message[:QUERY_FORM_CHARS])  # bounded: a lazy match may rescan
    if query:
        return True, [("user", " ".join(query.group(1).split()))]
    lines = _speaker_lines(message)
    return any(role == "user" for role, _ in lines), lines


def short_title(question: str) -> str:
    """A few words naming the question: question words and fillers dropped, at most
    TITLE_WORDS words, no trailing article or preposition, no quotes, first letter capital."""
    text = re.sub(r"[\"“”‘’`*_#<>\[\]]", "", " ".join(question.split()))
    text = re.split(r"[?!.;:\n]", text, maxsplit=1)[0].strip()
    text = _LEADING.sub("", text).strip(" ,")
    words = text.split()[:TITLE_WORDS]
    title = _TRAILING.sub("", " ".join(words)).strip(" ,")
    if not title:
        return DEFAULT_TITLE
    return title[0].upper() + title[1:]


def _wants_json(message: str, key: str) -> bool:
    return "json" in message.lower() and f'"{key}"' in message


def detect(message: str, earlier: list[str] | None = None) -> ChatTask | None:
    """The background task this message asks for, with its reply; None for a question.
    `earlier`: the user messages sent before it in the same request."""
    head_tail = message[:1500] + "\n" + message[-1500:]
    kind = next((k for k in _ORDER if _ASKS[k].search(head_tail)), None)
    if kind is None:
        return None
    has_history, lines = _conversation(message)
    if not has_history and earlier and _ABOUT_CHAT.search(head_tail):
        has_history, lines = True, [("user", text) for text in earlier]
    if not has_history and len(message) <= MAX_QUESTION_CHARS:
        return None
    if kind == "title":
        first = next((text for role, text in lines if role == "user" and text.strip()), "")
        title = short_title(first) if first else DEFAULT_TITLE
        reply = json.dumps({"title": title}) if _wants_json(message, "title") else title
        return ChatTask(kind, reply)
    empty: dict[str, list[str]] = {"follow_ups": [], "tags": TAGS, "queries": []}
    value = empty[kind]
    if _wants_json(message, kind):
        return ChatTask(kind, json.dumps({kind: value}))
    return ChatTask(kind, ", ".join(value))

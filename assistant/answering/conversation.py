"""Conversations: what a question may be, how a follow-up becomes a standalone question, and the
bounded memory of the threads the server keeps.

A follow-up such as "and its affiliates?" means nothing to a retriever on its own, so it is
rewritten into a standalone question first: by the LLM when one is configured, otherwise by
joining it to the previous standalone question (deterministic, and good enough for retrieval);
either way it stays within the length a question may have.

Conversations are remembered only for callers that let the server keep the thread (REST, the
web page, Slack DMs): the OpenAI endpoint and Slack threads send their history each time and
leave nothing behind. Memory is bounded per conversation, per caller (a caller's oldest threads
go first, so nobody's traffic evicts anyone else's) and overall.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict, deque
from dataclasses import dataclass

from assistant.access import Caller

MAX_QUESTION_CHARS = 2000
MAX_TURNS = 6
MAX_CONVERSATIONS = 1000  # remembered in all
MAX_CONVERSATIONS_PER_CALLER = 50  # a caller's own oldest are forgotten first
MEMORY_ANSWER_CHARS = 2000  # of each remembered answer (the LLM rewriter reads 1,200)

_FOLLOW_UP_START = re.compile(
    r"^\s*(and|also|but|or|what about|how about|what if|same for|then|so)\b", re.I
)
_PRONOUN = re.compile(r"\b(it|its|they|them|their|that|those|this|these|he|she|such)\b", re.I)


class QuestionError(ValueError):
    """The question cannot be answered as given (empty, too long)."""


@dataclass(frozen=True)
class Turn:
    question: str
    standalone: str
    answer: str


def has_lone_surrogate(text: str) -> bool:
    """Unpaired UTF-16 surrogates (from JSON "\\ud800") are not text: no tokenizer takes them."""
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def validate_question(question: str) -> str:
    if not question or not question.strip():
        raise QuestionError("question: must not be empty")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(f"question: longer than {MAX_QUESTION_CHARS} characters")
    if has_lone_surrogate(question):
        raise QuestionError("question: contains an unpaired surrogate (not valid text)")
    return question.strip()


def is_follow_up(question: str) -> bool:
    words = question.split()
    return bool(_FOLLOW_UP_START.match(question)) or (
        len(words) <= 8 and bool(_PRONOUN.search(question))
    )


def rewrite_deterministic(question: str, history: list[Turn]) -> str:
    """Standalone form of a follow-up: the previous standalone question plus the follow-up.

    The follow-up is kept whole, and of the earlier context only as much as fits beside it in
    MAX_QUESTION_CHARS (its latest words, which "it" most likely means): a long conversation
    cannot grow the question that is searched, returned and audited.
    """
    if not history or not is_follow_up(question):
        return question
    question = question.strip()
    context = _last_words(history[-1].standalone, MAX_QUESTION_CHARS - len(question) - 1)
    return f"{context} {question}" if context else question


def _last_words(text: str, room: int) -> str:
    """The end of `text` in at most `room` characters, starting at a word."""
    text = text.strip()
    if len(text) <= room:
        return text
    if room <= 0:
        return ""
    cut = text[len(text) - room :]
    return cut if text[len(text) - room - 1].isspace() else cut.partition(" ")[2].strip()


class ConversationMemory:
    """The turns of the threads the server keeps, per caller, bounded three ways: MAX_TURNS per
    conversation, `max_per_caller` conversations per caller (their own least recently used go
    first) and `max_conversations` in all. Safe to share between threads."""

    def __init__(
        self,
        max_conversations: int = MAX_CONVERSATIONS,
        max_per_caller: int = MAX_CONVERSATIONS_PER_CALLER,
    ) -> None:
        self.max_conversations = max_conversations
        self.max_per_caller = max_per_caller
        # (caller, conversation id) -> turns, least recently used first; and each caller's ids.
        self._conversations: OrderedDict[tuple[str, str], deque[Turn]] = OrderedDict()
        self._by_caller: dict[str, OrderedDict[str, None]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _owner(caller: Caller) -> str:
        """Whose memory: a caller is its name and its groups (a key's groups may change)."""
        return f"{caller.name}\0{caller.groups}"

    def history(self, caller: Caller, conversation_id: str | None) -> list[Turn]:
        """The turns remembered for this caller's conversation (none for anyone else's)."""
        if not conversation_id:
            return []
        with self._lock:
            return list(self._conversations.get((self._owner(caller), conversation_id), ()))

    def remember(
        self, caller: Caller, conversation_id: str, question: str, standalone: str, answer: str
    ) -> None:
        """Add a turn (the answer cut to MEMORY_ANSWER_CHARS) and forget what is over a bound."""
        turn = Turn(question, standalone, answer[:MEMORY_ANSWER_CHARS])
        owner = self._owner(caller)
        with self._lock:
            key = (owner, conversation_id)
            turns = self._conversations.pop(key, None) or deque(maxlen=MAX_TURNS)
            turns.append(turn)
            self._conversations[key] = turns
            mine = self._by_caller.setdefault(owner, OrderedDict())
            mine.pop(conversation_id, None)
            mine[conversation_id] = None
            while len(mine) > self.max_per_caller:
                self._forget(owner, next(iter(mine)))
            while len(self._conversations) > self.max_conversations:
                self._forget(*next(iter(self._conversations)))

    def _forget(self, owner: str, conversation_id: str) -> None:
        """Drop one conversation (under the lock)."""
        self._conversations.pop((owner, conversation_id), None)
        theirs = self._by_caller.get(owner)
        if theirs is not None:
            theirs.pop(conversation_id, None)
            if not theirs:
                del self._by_caller[owner]

"""Conversations: the assistant service that turns a question (and its history) into an Answer.

A follow-up such as "and its affiliates?" means nothing to a retriever on its own, so it is
rewritten into a standalone question first: by the LLM when one is configured, otherwise by
joining it to the previous standalone question (deterministic, and good enough for retrieval).
History is bounded per conversation and in the number of conversations kept.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from assistant.answer import Answer, compose_extractive, not_covered
from assistant.citations import keep_verified
from assistant.config import Settings
from assistant.embeddings import embed_texts
from assistant.retrieval import Filters, Retriever, SearchResult
from assistant.store import Store

MAX_QUESTION_CHARS = 2000
MAX_TURNS = 6
MAX_CONVERSATIONS = 1000
TOP_K = 8

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


def is_follow_up(question: str) -> bool:
    words = question.split()
    return bool(_FOLLOW_UP_START.match(question)) or (
        len(words) <= 8 and bool(_PRONOUN.search(question))
    )


def rewrite_deterministic(question: str, history: list[Turn]) -> str:
    """Standalone form of a follow-up: the previous standalone question plus the follow-up."""
    if not history or not is_follow_up(question):
        return question
    return f"{history[-1].standalone} {question.strip()}"


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


class Assistant:
    """Retrieval + answer composition + citation check, with conversation memory."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.store = store or Store(settings)
        self.retriever = Retriever(self.store)
        self._conversations: OrderedDict[str, deque[Turn]] = OrderedDict()
        self._lock = threading.Lock()
        self._llm = None
        self._llm_config = None
        if settings.llm != "none":
            from assistant.llm import LLMConfig, make_chat_model

            self._llm_config = LLMConfig.from_settings(settings)
            self._llm = make_chat_model(self._llm_config)

    # ---- conversations ------------------------------------------------------------------
    def history(self, conversation_id: str | None) -> list[Turn]:
        if not conversation_id:
            return []
        with self._lock:
            return list(self._conversations.get(conversation_id, ()))

    def _remember(self, conversation_id: str, turn: Turn) -> None:
        with self._lock:
            turns = self._conversations.pop(conversation_id, deque(maxlen=MAX_TURNS))
            turns.append(turn)
            self._conversations[conversation_id] = turns
            while len(self._conversations) > MAX_CONVERSATIONS:
                self._conversations.popitem(last=False)

    def standalone(self, question: str, history: list[Turn]) -> str:
        if not history:
            return question
        if self._llm is not None:
            from assistant.llm import rewrite_question

            pairs = [(t.question, t.answer) for t in history]
            return rewrite_question(question, pairs, self._llm) or question
        return rewrite_deterministic(question, history)

    # ---- answering ----------------------------------------------------------------------
    def retrieve(
        self, question: str, k: int = TOP_K, filters: Filters | None = None
    ) -> tuple[np.ndarray, list[SearchResult]]:
        vector = embed_texts([question])[0]
        return vector, self.retriever.retrieve(question, k, filters, vector=vector)

    def ask(
        self,
        question: str,
        conversation_id: str | None = None,
        filters: Filters | None = None,
        history: list[Turn] | None = None,
    ) -> Answer:
        final: Answer | None = None
        for part in self.stream(question, conversation_id, filters, history):
            if isinstance(part, Answer):
                final = part
        assert final is not None
        return final

    def stream(
        self,
        question: str,
        conversation_id: str | None = None,
        filters: Filters | None = None,
        history: list[Turn] | None = None,
    ) -> Iterator[str | Answer]:
        """Text deltas as they are produced, then the final, checked Answer.

        `history` replaces the stored conversation (the OpenAI endpoint sends it each time)."""
        question = validate_question(question)
        conversation_id = conversation_id or uuid.uuid4().hex
        if history is None:
            history = self.history(conversation_id)
        t0 = time.perf_counter()
        standalone = self.standalone(question, history)
        vector, passages = self.retrieve(standalone, TOP_K, filters)
        t1 = time.perf_counter()
        answer: Answer | None = None
        if self._llm is not None and self._llm_config is not None and passages:
            from assistant.llm import stream_with_llm

            for part in stream_with_llm(standalone, passages[:6], self._llm, self._llm_config):
                if isinstance(part, Answer):
                    answer = part
                else:
                    yield part
        else:
            lexical = self.retriever.lexical()
            answer = compose_extractive(
                standalone,
                passages,
                self.settings.min_relevance,
                lexical.knows,
                self.settings.min_relevance_unknown_name,
                lexical.idf,
            )
            yield answer.answer
        assert answer is not None
        t2 = time.perf_counter()
        answer = self._checked(answer)
        answer.timings_ms = {
            "retrieve": round((t1 - t0) * 1000, 1),
            "compose": round((t2 - t1) * 1000, 1),
        }
        answer.conversation_id = conversation_id
        answer.question = standalone
        self._remember(conversation_id, Turn(question, standalone, answer.answer))
        yield answer

    def _checked(self, answer: Answer) -> Answer:
        """Drop any citation whose quote is not the stored text at its span."""
        if answer.abstained:
            return answer
        texts: dict[str, str | None] = {}

        def text_of(doc_id: str) -> str | None:
            if doc_id not in texts:
                stored = self.store.get_document(doc_id)
                texts[doc_id] = stored.text if stored else None
            return texts[doc_id]

        kept = keep_verified(answer.citations, text_of)
        if not kept:
            return not_covered()
        answer.citations = kept
        return answer

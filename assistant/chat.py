"""Conversations: the assistant service that turns a question (and its history) into an Answer.

A follow-up such as "and its affiliates?" means nothing to a retriever on its own, so it is
rewritten into a standalone question first: by the LLM when one is configured, otherwise by
joining it to the previous standalone question (deterministic, and good enough for retrieval).
History is bounded per conversation and in the number of conversations kept.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from assistant.access import OPERATOR, Caller
from assistant.answer import Answer, compose_extractive, not_covered
from assistant.audit import AuditLog, audit_record
from assistant.citations import keep_verified
from assistant.config import Settings
from assistant.embeddings import embed_texts
from assistant.lexical import LexicalIndex
from assistant.retrieval import Filters, Retriever, SearchResult
from assistant.screening import ScreeningError, load_list
from assistant.screening_lead import ScreeningLead, screening_lead
from assistant.store import Store
from assistant.term_stats import term_stats

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
SCREENING_ONLY = "The corpus passages do not answer the rest of this question."
LLM_PASSAGES = 6  # passages given to the model
MAX_LOOKUPS = 256  # cached screening lookups (per snapshot and filter)
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
        self.audit = AuditLog(settings)
        self._lookups: dict[tuple[int, str, str, str], list[SearchResult]] = {}
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
        self,
        question: str,
        k: int = TOP_K,
        filters: Filters | None = None,
        caller: Caller = OPERATOR,
        index: LexicalIndex | None = None,
    ) -> tuple[np.ndarray, list[SearchResult]]:
        vector = embed_texts([question])[0]
        filters = caller.restrict(filters)
        return vector, self.retriever.retrieve(question, k, filters, vector=vector, index=index)

    def search(
        self,
        query: str,
        k: int = 5,
        filters: Filters | None = None,
        caller: Caller = OPERATOR,
        as_of: date | None = None,
    ) -> list[SearchResult]:
        """Passages for a query, limited to what the caller may read (and to `as_of`)."""
        return self.retriever.retrieve(query, k, caller.restrict(until(filters, as_of)))

    def ask(
        self,
        question: str,
        conversation_id: str | None = None,
        filters: Filters | None = None,
        history: list[Turn] | None = None,
        caller: Caller = OPERATOR,
        as_of: date | None = None,
    ) -> Answer:
        final: Answer | None = None
        for part in self.stream(question, conversation_id, filters, history, caller, as_of):
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
        caller: Caller = OPERATOR,
        as_of: date | None = None,
    ) -> Iterator[str | Answer]:
        """Text deltas as they are produced, then the final, checked and audited Answer.

        `history` replaces the stored conversation (the OpenAI endpoint sends it each time).
        Conversations are kept per caller, so nobody continues (or reads) another's thread.
        With `as_of`, documents dated later are left out and the answer says which date it
        speaks for."""
        question = validate_question(question)
        request_filters = filters
        filters = until(filters, as_of)
        conversation_id = conversation_id or uuid.uuid4().hex
        memory_key = f"{caller.name}\0{caller.groups}\0{conversation_id}"
        if history is None:
            history = self.history(memory_key)
        t0 = time.perf_counter()
        standalone = self.standalone(question, history)
        lexical = self.retriever.lexical()  # one snapshot for the whole answer
        vector, passages = self.retrieve(standalone, TOP_K, filters, caller, lexical)
        t1 = time.perf_counter()
        lead = f"As of {as_of.isoformat()}: " if as_of else ""
        screen = self._screening(standalone, as_of, filters, caller, lexical)
        use_llm = self._llm is not None and self._llm_config is not None and bool(passages)

        def audit(answer: Answer, **extra: object) -> None:
            self.audit.append(
                audit_record(
                    answer,
                    caller=caller.name,
                    surface=caller.surface,
                    route=caller.route,
                    client_hint=caller.client_hint,
                    groups=list(caller.groups) if caller.groups is not None else None,
                    question=question,
                    corpus_version=lexical.version,
                    settings=self.settings,
                    extra={
                        **_filters_record(request_filters),
                        "as_of": as_of.isoformat() if as_of else None,
                        **extra,
                    },
                )
            )

        answer: Answer | None = None
        meaning_n = 0
        if use_llm:
            from assistant.llm import stream_with_llm

            assert self._llm is not None and self._llm_config is not None

            given = passages[:LLM_PASSAGES]
            meaning_n = len(given) + 1  # the model cites only [1..len(given)]
            head = lead + (screen.text(meaning_n) if screen else "")
            streamed = [head] if head else []
            try:
                if head:
                    yield head
                for part in stream_with_llm(standalone, given, self._llm, self._llm_config):
                    if isinstance(part, Answer):
                        answer = part
                    else:
                        streamed.append(part)
                        yield part
            except GeneratorExit:
                # The client left mid-stream: what it was sent still leaves a trace.
                partial = Answer(answer="".join(streamed), conversation_id=conversation_id)
                audit(partial, interrupted=True)
                raise
        else:
            terms = term_stats(lexical, caller.groups)
            answer = compose_extractive(
                standalone,
                passages,
                self.settings.min_relevance,
                terms.knows,
                self.settings.min_relevance_unknown_name,
                terms.idf,
            )
        assert answer is not None
        t2 = time.perf_counter()
        answer = self._checked(answer)
        head = lead
        if screen is not None:
            answer, cited_n = self._with_screening(answer, screen, meaning_n)
            head += screen.text(cited_n)
        answer.answer = head + answer.answer
        answer.timings_ms = {
            "retrieve": round((t1 - t0) * 1000, 1),
            "compose": round((t2 - t1) * 1000, 1),
        }
        answer.conversation_id = conversation_id
        answer.question = standalone
        answer.as_of = as_of
        audit(answer)  # before any of it is sent: an answer that leaves no trace is not given
        if not use_llm:
            yield answer.answer  # composed at once: the whole text is one delta
        self._remember(memory_key, Turn(question, standalone, answer.answer))
        yield answer

    def _screening(
        self,
        question: str,
        as_of: date | None,
        filters: Filters | None,
        caller: Caller,
        index: LexicalIndex,
    ) -> ScreeningLead | None:
        """The screening block when the question names a listed party (None without a list)."""
        try:
            listed = load_list(self.settings)
        except ScreeningError as exc:
            log.warning("screening list unusable, answering without it: %s", exc)
            return None
        restricted = caller.restrict(filters)

        def lookup(query: str) -> list[SearchResult]:
            # The same fixed query for every screened answer: once per snapshot and filter.
            key = (id(index), index.version, query, repr(restricted))
            with self._lock:
                found = self._lookups.get(key)
            if found is None:
                found = self.retriever.retrieve(query, 8, restricted, index=index)
                with self._lock:
                    if len(self._lookups) >= MAX_LOOKUPS:
                        self._lookups.clear()
                    self._lookups[key] = found
            return found

        return screening_lead(question, listed, as_of, lookup)

    def _with_screening(
        self, answer: Answer, screen: ScreeningLead, at_least: int = 0
    ) -> tuple[Answer, int | None]:
        """The answer with the screening facts attached and the 744.11 citation (verified like
        every other) numbered after the passage citations (and from `at_least`, the number
        announced while streaming)."""
        if answer.abstained:
            answer = Answer(answer=SCREENING_ONLY)
        n = max(at_least, max((c.n for c in answer.citations), default=0) + 1)
        meaning = screen.citation(n)
        kept = keep_verified([meaning], self._text_of) if meaning else []
        answer.citations = [*answer.citations, *kept]
        answer.screening = screen.screening
        return answer, (n if kept else None)

    def _text_of(self, doc_id: str) -> str | None:
        stored = self.store.get_document(doc_id)
        return stored.text if stored else None

    def _checked(self, answer: Answer) -> Answer:
        """Drop any citation whose quote is not the stored text at its span."""
        if answer.abstained:
            return answer
        texts: dict[str, str | None] = {}

        def text_of(doc_id: str) -> str | None:  # one read per document, however many cites
            if doc_id not in texts:
                texts[doc_id] = self._text_of(doc_id)
            return texts[doc_id]

        kept = keep_verified(answer.citations, text_of)
        if not kept:
            return not_covered()
        answer.citations = kept
        return answer


def until(filters: Filters | None, as_of: date | None) -> Filters | None:
    """Filters that also leave out every document dated after `as_of`."""
    if as_of is None:
        return filters
    filters = filters or Filters()
    latest = min(filters.date_to, as_of) if filters.date_to else as_of
    return replace(filters, date_to=latest)


def _filters_record(filters: Filters | None) -> dict[str, object]:
    """The request's own filters, for the audit line (the caller's groups are logged apart)."""
    if filters is None:
        return {"filters": None}
    return {
        "filters": {
            "doc_types": filters.doc_types,
            "date_from": filters.date_from.isoformat() if filters.date_from else None,
            "date_to": filters.date_to.isoformat() if filters.date_to else None,
        }
    }

"""Conversations: the assistant service that turns a question (and its history) into an Answer.

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

import hashlib
import logging
import re
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Generator, Iterator
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from assistant.access import OPERATOR, Caller
from assistant.answering.audit import AuditLog, audit_record
from assistant.answering.extractive import compose_extractive, keep_cited
from assistant.answering.screening_lead import ScreeningLead, screening_lead
from assistant.answering.verify import keep_verified
from assistant.config import Settings
from assistant.index.embeddings import embed_texts
from assistant.index.snapshot import CorpusSnapshot
from assistant.index.store import Store
from assistant.index.term_stats import term_stats
from assistant.models import Answer, Citation, Filters, SearchResult, not_covered
from assistant.retrieval.retriever import Retriever
from assistant.screening.repository import ScreeningError, load_list

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
SCREENING_ONLY = "The corpus passages do not answer the rest of this question."
LLM_PASSAGES = 6  # passages given to the model
MAX_LOOKUPS = 256  # cached screening lookups (per snapshot and filter)
MAX_TURNS = 6
MAX_CONVERSATIONS = 1000  # remembered in all
MAX_CONVERSATIONS_PER_CALLER = 50  # a caller's own oldest are forgotten first
MEMORY_ANSWER_CHARS = 2000  # of each remembered answer (the LLM rewriter reads 1,200)
TOP_K = 8
# The audit line is bounded per answer: the question and the standalone question are at most
# MAX_QUESTION_CHARS each, the answer text at most AUDIT_ANSWER_CHARS (a longer one is cut, with
# its full length and SHA-256 beside it), each filter value at most AUDIT_VALUE_CHARS. With at
# most 8 citations a line stays under 32 KB of ASCII text (JSON escapes can make it up to six
# times that for text that is all non-ASCII).
AUDIT_ANSWER_CHARS = 20_000
AUDIT_VALUE_CHARS = 100

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
        # (caller, conversation id) -> turns, least recently used first; and each caller's ids.
        self._conversations: OrderedDict[tuple[str, str], deque[Turn]] = OrderedDict()
        self._by_caller: dict[str, OrderedDict[str, None]] = {}
        self._lock = threading.Lock()
        self._llm = None
        self._llm_config = None
        if settings.llm != "none":
            from assistant.answering.llm import LLMConfig, make_chat_model

            self._llm_config = LLMConfig.from_settings(settings)
            self._llm = make_chat_model(self._llm_config)

    # ---- conversations ------------------------------------------------------------------
    @staticmethod
    def _owner(caller: Caller) -> str:
        """Whose memory: a caller is its name and its groups (a key's groups may change)."""
        return f"{caller.name}\0{caller.groups}"

    def history(self, conversation_id: str | None, caller: Caller = OPERATOR) -> list[Turn]:
        """The turns remembered for this caller's conversation (none for anyone else's)."""
        if not conversation_id:
            return []
        with self._lock:
            return list(self._conversations.get((self._owner(caller), conversation_id), ()))

    def _remember(self, caller: Caller, conversation_id: str, turn: Turn) -> None:
        owner = self._owner(caller)
        with self._lock:
            key = (owner, conversation_id)
            turns = self._conversations.pop(key, None) or deque(maxlen=MAX_TURNS)
            turns.append(turn)
            self._conversations[key] = turns
            mine = self._by_caller.setdefault(owner, OrderedDict())
            mine.pop(conversation_id, None)
            mine[conversation_id] = None
            while len(mine) > MAX_CONVERSATIONS_PER_CALLER:
                self._forget(owner, next(iter(mine)))
            while len(self._conversations) > MAX_CONVERSATIONS:
                self._forget(*next(iter(self._conversations)))

    def _forget(self, owner: str, conversation_id: str) -> None:
        """Drop one conversation (under the lock)."""
        self._conversations.pop((owner, conversation_id), None)
        theirs = self._by_caller.get(owner)
        if theirs is not None:
            theirs.pop(conversation_id, None)
            if not theirs:
                del self._by_caller[owner]

    def standalone(self, question: str, history: list[Turn]) -> str:
        """The follow-up as a question that stands alone, no longer than a question may be."""
        if not history:
            return question
        if self._llm is not None:
            from assistant.answering.llm import rewrite_question

            pairs = [(t.question, t.answer) for t in history]
            rewritten = rewrite_question(question, pairs, self._llm) or question
            ok = len(rewritten) <= MAX_QUESTION_CHARS and not has_lone_surrogate(rewritten)
            return rewritten if ok else question
        return rewrite_deterministic(question, history)

    # ---- answering ----------------------------------------------------------------------
    def retrieve(
        self,
        question: str,
        k: int = TOP_K,
        filters: Filters | None = None,
        caller: Caller = OPERATOR,
        index: CorpusSnapshot | None = None,
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
        # A caller that sends its history keeps the thread itself: nothing is remembered for it.
        remember = history is None
        if history is None:
            history = self.history(conversation_id, caller)
        conversation_id = conversation_id or uuid.uuid4().hex
        t0 = time.perf_counter()
        standalone = self.standalone(question, history)
        lexical = self.retriever.lexical()  # one snapshot for the whole answer
        vector, passages = self.retrieve(standalone, TOP_K, filters, caller, lexical)
        t1 = time.perf_counter()
        lead = f"As of {as_of.isoformat()}: " if as_of else ""
        screen = self._screening(standalone, as_of, filters, caller, lexical)
        use_llm = self._llm is not None and self._llm_config is not None and bool(passages)

        def audit(answer: Answer, **extra: object) -> None:
            bounded, cut = _for_audit(answer)
            self.audit.append(
                audit_record(
                    bounded,
                    caller=caller.name,
                    surface=caller.surface,
                    groups=list(caller.groups) if caller.groups is not None else None,
                    question=question,
                    corpus_version=lexical.version,
                    settings=self.settings,
                    extra={
                        **_filters_record(request_filters),
                        "as_of": as_of.isoformat() if as_of else None,
                        **cut,
                        **extra,
                    },
                )
            )

        sent: list[str] = []  # the text the client has been sent so far
        if use_llm:
            try:
                answer = yield from self._llm_answer(standalone, passages, lead, screen, sent)
            except GeneratorExit:
                # The client left mid-stream: what it was sent still leaves a trace.
                partial = Answer(answer="".join(sent), conversation_id=conversation_id)
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
            answer = self._checked(answer)
            head = lead
            if screen is not None:
                answer, cited_n = self._with_screening(answer, screen)
                head += screen.text(cited_n)
            answer.answer = head + answer.answer
        t2 = time.perf_counter()
        answer.timings_ms = {
            "retrieve": round((t1 - t0) * 1000, 1),
            "compose": round((t2 - t1) * 1000, 1),
        }
        answer.conversation_id = conversation_id
        answer.question = standalone
        answer.as_of = as_of
        audit(answer)  # before the rest is sent: an answer that leaves no trace is not given
        done = "".join(sent)
        if not answer.answer.startswith(done):  # cannot happen: sent is checked text only
            raise RuntimeError("the streamed text is not the checked answer's")
        if answer.answer[len(done) :]:
            yield answer.answer[len(done) :]  # composed at once, or an abstention
        if remember:
            turn = Turn(question, standalone, answer.answer[:MEMORY_ANSWER_CHARS])
            self._remember(caller, conversation_id, turn)
        yield answer

    def _llm_answer(
        self,
        question: str,
        passages: list[SearchResult],
        lead: str,
        screen: ScreeningLead | None,
        sent: list[str],
    ) -> Generator[str, None, Answer]:
        """Stream the model's answer as it passes the checks (appending what goes out to `sent`)
        and return the Answer, screening block included.

        The screening block goes first, its 15 CFR 744.11 citation verified before it is shown
        (numbered [1], the passages from [2]); the model's sentences follow one by one once they
        pass. An answer that ends up abstaining sends nothing of what the model wrote: the
        caller sends the abstention."""
        from assistant.answering.llm import stream_with_llm

        assert self._llm is not None and self._llm_config is not None
        meaning = self._verified_meaning(screen, 1) if screen is not None else None
        head = lead + (screen.text(1 if meaning else None) if screen is not None else "")
        if head:
            sent.append(head)
            yield head
        texts: dict[str, str | None] = {}

        def text_of(doc_id: str) -> str | None:  # one read per document, however many cites
            if doc_id not in texts:
                texts[doc_id] = self._text_of(doc_id)
            return texts[doc_id]

        answer: Answer | None = None
        given = passages[:LLM_PASSAGES]
        first_n = 2 if meaning else 1
        for part in stream_with_llm(question, given, self._llm, self._llm_config, text_of, first_n):
            if isinstance(part, Answer):
                answer = part
            else:
                sent.append(part)
                yield part
        assert answer is not None
        if screen is not None:
            if answer.abstained:
                answer = Answer(answer=SCREENING_ONLY)
            answer.citations = [*([meaning] if meaning else []), *answer.citations]
            answer.screening = screen.screening
        answer.answer = head + answer.answer
        return answer

    def _screening(
        self,
        question: str,
        as_of: date | None,
        filters: Filters | None,
        caller: Caller,
        index: CorpusSnapshot,
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

    def _with_screening(self, answer: Answer, screen: ScreeningLead) -> tuple[Answer, int | None]:
        """The extractive answer with the screening facts attached and the 744.11 citation
        (verified like every other) numbered after the passage citations."""
        if answer.abstained:
            answer = Answer(answer=SCREENING_ONLY)
        n = max((c.n for c in answer.citations), default=0) + 1
        meaning = self._verified_meaning(screen, n)
        answer.citations = [*answer.citations, *([meaning] if meaning else [])]
        answer.screening = screen.screening
        return answer, (n if meaning else None)

    def _verified_meaning(self, screen: ScreeningLead, n: int) -> Citation | None:
        """The 15 CFR 744.11 citation of the screening block as [n], if the store verifies it."""
        meaning = screen.citation(n)
        kept = keep_verified([meaning], self._text_of) if meaning else []
        return kept[0] if kept else None

    def _text_of(self, doc_id: str) -> str | None:
        stored = self.store.get_document(doc_id)
        return stored.text if stored else None

    def _checked(self, answer: Answer) -> Answer:
        """The extractive answer without any citation whose quote is not the stored text at its
        span: its line and claim go too, and the numbers close up. (LLM answers are checked
        sentence by sentence while they stream, in assistant/llm.py.)"""
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
        return answer if len(kept) == len(answer.citations) else keep_cited(answer, kept)


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
            "doc_types": [t[:AUDIT_VALUE_CHARS] for t in filters.doc_types[:20]]
            if filters.doc_types is not None
            else None,
            "date_from": filters.date_from.isoformat() if filters.date_from else None,
            "date_to": filters.date_to.isoformat() if filters.date_to else None,
        }
    }


def _for_audit(answer: Answer) -> tuple[Answer, dict[str, object]]:
    """The answer as the audit line records it, bounded (see AUDIT_ANSWER_CHARS), and what
    says so when it had to be cut: the full text's length and SHA-256."""
    text, cut = answer.answer, {}
    if len(text) > AUDIT_ANSWER_CHARS:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        cut = {"answer_chars": len(text), "answer_sha256": digest}
        text = text[:AUDIT_ANSWER_CHARS]
    standalone = answer.question[:MAX_QUESTION_CHARS] if answer.question else answer.question
    return answer.model_copy(update={"answer": text, "question": standalone}), cut

"""The answering service: a question (and its conversation) in, a checked, audited Answer out.

Every surface asks through `Assistant`, which runs the same steps for each question: plan (the
standalone question, from the conversation), retrieve (one snapshot for the whole answer,
limited to what the caller may read), compose (extractive, or the LLM's reply as it passes the
checks, with the screening block first), verify (no citation the store cannot confirm is
shown) and audit (the answer is logged before it is given). The steps live in their own
modules; this one only puts them in order.

Answers given at the same time share work without sharing results: the question's embedding
shares a model call with questions asked meanwhile (`embeddings.query_vector`), and audit lines
share one flush to disk (`audit.JsonlWriter`), each answer still waiting for its own line to be
on disk before it is sent. An answer reads its passages' documents from the store in one call
for its citation checks (`_texts_for`).
"""

from __future__ import annotations

import functools
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from assistant.access import OPERATOR, Caller
from assistant.answering.audit import AuditLog
from assistant.answering.audit_bounds import answer_record
from assistant.answering.compose import extractive_answer, llm_answer
from assistant.answering.conversation import (
    MAX_QUESTION_CHARS,
    ConversationMemory,
    Turn,
    has_lone_surrogate,
    rewrite_deterministic,
    validate_question,
)
from assistant.answering.determination.listing import about_listed_parties, listing_passage
from assistant.answering.question_parts import first_question, question_parts
from assistant.answering.scope import unaddressed_regime
from assistant.answering.screening_lead import ScreeningStep
from assistant.config import Settings
from assistant.index.embeddings import query_vector
from assistant.index.snapshot import MAX_VIEWS, CorpusSnapshot
from assistant.index.store import Store
from assistant.index.term_stats import term_stats
from assistant.models import Answer, Filters, SearchResult
from assistant.retrieval.retriever import Retriever
from assistant.screening.models import ScreeningError
from assistant.screening.repository import load_list

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from assistant.answering.llm.client import LLMConfig

TOP_K = 8
PART_K = 4  # passages searched for each later question of a message asking several
log = logging.getLogger(__name__)

# What `warm` asks for each group set: any question exercises the same structures.
WARM_UP_QUESTION = "Do we need an export licence for this item?"
LISTING_K = 6  # passages searched for the names a question gives (`listing_passage`)


class Assistant:
    """Retrieval + answer composition + citation check, with conversation memory."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.store = store or Store(settings)
        self.retriever = Retriever(self.store)
        self.audit = AuditLog(settings)
        self.memory = ConversationMemory()
        self.screening = ScreeningStep(settings, self.retriever)
        self._llm: BaseChatModel | None = None
        self._llm_config: LLMConfig | None = None
        if settings.llm != "none":
            from assistant.answering.llm.client import LLMConfig, make_chat_model

            self._llm_config = LLMConfig.from_settings(settings)
            self._llm = make_chat_model(self._llm_config)

    # ---- conversations ------------------------------------------------------------------
    def history(self, conversation_id: str | None, caller: Caller = OPERATOR) -> list[Turn]:
        """The turns remembered for this caller's conversation (none for anyone else's)."""
        return self.memory.history(caller, conversation_id)

    def standalone(self, question: str, history: list[Turn]) -> str:
        """The follow-up as a question that stands alone, no longer than a question may be."""
        if not history:
            return question
        if self._llm is not None:
            from assistant.answering.llm.rewrite import rewrite_question

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
        vector = query_vector(question)
        filters = caller.restrict(filters)
        found = self.retriever.retrieve(question, k, filters, vector=vector, index=index)
        # The sentence adding a party the question names to the Entity List, which the whole
        # question's words may rank below the top k: it takes the last place.
        listing = listing_passage(
            question,
            found,
            lambda words: self.retriever.matching(words, LISTING_K, filters, index),
        )
        # Parties the passages say were added to the Entity List ("Huawei"), or that the
        # question says were listed: what 744.11 requires is part of the answer, though the
        # question does not name the list.
        if about_listed_parties(question, _with(found, listing, k)):
            found = self.retriever.retrieve(
                question, k, filters, vector=vector, index=index, implied=("744.11",)
            )
        return vector, _with(found, listing, k)

    def warm(self, group_sets: Iterable[tuple[str, ...]]) -> int:
        """Build, before the first caller asks, what a caller's first question would otherwise
        wait for: the snapshot's view of the chunks each group set may read, its term
        statistics and removals, the index of rows by citation that section reads use, the
        dense index's first query, and the screening list's index. Most grow with the corpus:
        at 100k chunks the scale bench's first /v1/ask after "ready" took 19.5 s without this
        (at a million it was a 504). At most as many group sets as a snapshot keeps views of;
        returns how many were warmed."""
        try:  # the screening list's index, built by the first call of a process
            load_list(self.settings)
        except ScreeningError as exc:
            log.warning("screening list unusable at start-up: %s", exc)
        warmed = 0
        distinct = dict.fromkeys(tuple(sorted(set(g))) for g in group_sets)
        snapshot = self.retriever.lexical()
        for groups in list(distinct)[:MAX_VIEWS]:
            self.retrieve(WARM_UP_QUESTION, caller=Caller("warm-up", groups), index=snapshot)
            snapshot.view(groups).removals()
            term_stats(snapshot, groups)
            # the index of rows by citation that a determination's section reads use
            self.retriever.section("744.11", Filters(groups=list(groups)), snapshot)
            warmed += 1
        return warmed

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
        # Plan: the question as it stands alone in its conversation.
        question = validate_question(question)
        # A caller that sends its history keeps the thread itself: nothing is remembered for it.
        remember = history is None
        if history is None:
            history = self.history(conversation_id, caller)
        conversation_id = conversation_id or uuid.uuid4().hex
        t0 = time.perf_counter()
        standalone = self.standalone(question, history)

        # Retrieve, from one snapshot for the whole answer.
        snapshot = self.retriever.lexical()
        scope = until(filters, as_of)
        _, passages = self.retrieve(standalone, TOP_K, scope, caller, snapshot)
        # A message asking several things: each later question searched on its own, so the
        # answer can give it a line (the extractive composer; a model reads the whole message).
        parts = [
            (part, self.retriever.retrieve(part, PART_K, caller.restrict(scope), index=snapshot))
            for part in (question_parts(standalone) if self._llm is None else [])
        ]
        # ... and its first question too, in case a rule the later ones state answers them and
        # not it ("(1) How do we make a VSD? (2) Can we ship the lot back?"); searched only if
        # the composer needs its passages (most messages' first part is what the answer opens on)
        first = first_question(standalone) if parts else None
        lead_part = (
            (
                *first,
                functools.partial(
                    self.retriever.retrieve,
                    first[1],
                    PART_K,
                    caller.restrict(scope),
                    index=snapshot,
                ),
            )
            if first is not None
            else None
        )
        t1 = time.perf_counter()
        screen = self.screening.lead(standalone, as_of, scope, caller, snapshot)
        head = f"As of {as_of.isoformat()}: " if as_of else ""
        text_of = self._texts_for(passages)
        # Sections a rule the caller may read removed: their older text is not shown as law.
        removals = snapshot.view(caller.groups).removals()

        def audit(answer: Answer, **extra: object) -> None:
            record = answer_record(
                answer,
                caller=caller,
                question=question,
                filters=filters,
                as_of=as_of,
                corpus_version=snapshot.version,
                settings=self.settings,
                **extra,
            )
            self.audit.append(record)

        # Compose and verify: the LLM's checked sentences stream as they pass; an extractive
        # answer is composed at once.
        sent: list[str] = []  # the text the client has been sent so far
        # A question about another regime (the ITAR, OFAC's licences, EU law) is refused by
        # the extractive path, naming the regime, without spending a model call on it.
        if (
            self._llm is not None
            and self._llm_config is not None
            and passages
            and unaddressed_regime(standalone) is None
        ):
            model, cfg = self._llm, self._llm_config
            composing = llm_answer(
                standalone,
                passages,
                head,
                screen,
                model,
                cfg,
                text_of,
                sent,
                lookup=self.screening.lookup_for(scope, caller, snapshot),
                on=as_of or date.today(),
                removals=removals,
            )
            try:
                answer = yield from composing
            except GeneratorExit:
                # The client left mid-stream: what it was sent still leaves a trace.
                partial = Answer(answer="".join(sent), conversation_id=conversation_id)
                audit(partial, interrupted=True)
                raise
        else:
            terms = term_stats(snapshot, caller.groups)
            answer = extractive_answer(
                standalone,
                passages,
                head,
                screen,
                self.settings,
                terms,
                text_of,
                lookup=self.screening.lookup_for(scope, caller, snapshot),
                on=as_of or date.today(),
                removals=removals,
                parts=parts,
                lead_part=lead_part,
            )
        t2 = time.perf_counter()
        answer.timings_ms = {
            "retrieve": round((t1 - t0) * 1000, 1),
            "compose": round((t2 - t1) * 1000, 1),
        }
        answer.conversation_id = conversation_id
        answer.question = standalone
        answer.as_of = as_of

        # Audit before the rest is sent: an answer that leaves no trace is not given.
        audit(answer)
        done = "".join(sent)
        if not answer.answer.startswith(done):  # cannot happen: sent is checked text only
            raise RuntimeError("the streamed text is not the checked answer's")
        if answer.answer[len(done) :]:
            yield answer.answer[len(done) :]  # composed at once, or an abstention
        if remember:
            self.memory.remember(caller, conversation_id, question, standalone, answer.answer)
        yield answer

    def _texts_for(self, passages: list[SearchResult]) -> Callable[[str], str | None]:
        """`doc_id -> stored text` for one answer's citation checks: the store as it is during
        this answer, as one read per document would give, but the documents of all its
        passages are read at once, on the first check (each read of the store costs about as
        much whatever it holds); any other document is read when it is first checked. Never
        cached across answers: a text changed in the store (a re-ingest, or tampering with the
        same content hash) must fail the check at once."""
        wanted = list(dict.fromkeys(p.doc_id for p in passages))
        read: dict[str, str | None] = {}

        def text_of(doc_id: str) -> str | None:
            if doc_id not in read:
                ids = [d for d in wanted if d not in read] if doc_id in wanted else [doc_id]
                found = self.store.document_texts(ids)
                read.update({d: found.get(d) for d in ids})
            return read[doc_id]

        return text_of


def until(filters: Filters | None, as_of: date | None) -> Filters | None:
    """Filters that also leave out what was not in force on `as_of` (see `Filters.as_of`)."""
    if as_of is None:
        return filters
    return replace(filters or Filters(), as_of=as_of)


def _with(found: list[SearchResult], extra: SearchResult | None, k: int) -> list[SearchResult]:
    """The passages with `extra` among them: in the last of the k places unless already in."""
    if extra is None or any(p.chunk_id == extra.chunk_id for p in found):
        return found
    return [*found[: k - 1], extra]

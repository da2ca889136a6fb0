"""Composing an answer from the retrieved passages, one of two ways, each checked as it is made.

Without a model (the default) the extractive answerer quotes sentences and every citation is
verified against the store before anything is sent. With one, the model's reply streams out
sentence by sentence as each passes the reply check. Either way the answer opens with the as-of
lead and the screening block, whose 15 CFR 744.11 citation is numbered only once verified.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from assistant.answering.bottom_line import Citer, bottom_line, with_authority
from assistant.answering.determination import determine
from assistant.answering.determination.basis import Lookup
from assistant.answering.extractive import PARTIAL_NOTE, absent_note, compose_extractive
from assistant.answering.screening_lead import (
    SCREENING_ONLY,
    ScreeningLead,
    verified_meaning,
    with_screening,
)
from assistant.answering.verify import verified_extractive
from assistant.config import Settings
from assistant.index.term_stats import TermStats
from assistant.models import Answer, SearchResult
from assistant.removals import Removal, removal_note, removal_of
from assistant.status import notes_for

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from assistant.answering.llm.client import LLMConfig

LLM_PASSAGES = 6  # passages given to the model

TextOf = Callable[[str], str | None]  # doc_id -> the stored text (None when it is gone)


@dataclass
class Checks:
    """What both answerers check spans against: the store's text (read once per document per
    answer), and the legal-status notes judged for the answer's day."""

    text_of: TextOf
    on: date | None = None
    # Section -> the corpus's instructions removing it, from the rules the reader may read.
    removals: Mapping[str, list[Removal]] = field(default_factory=dict)
    _texts: dict[str, str | None] = field(default_factory=dict)

    def stored(self, doc_id: str) -> str | None:
        if doc_id not in self._texts:
            self._texts[doc_id] = self.text_of(doc_id)
        return self._texts[doc_id]

    def verify_span(self, p: SearchResult, a: int, b: int) -> bool:
        text = self.stored(p.doc_id)
        return text is not None and text[a:b] == p.text[a - p.start : b - p.start]

    def notes_of(self, p: SearchResult, a: int, b: int) -> list[str]:
        removed = removal_of(p.metadata, self.removals)
        notes = notes_for(p.metadata, a, b, self.on)
        return [removal_note(removed, p.metadata, self.on), *notes] if removed else notes


def extractive_answer(
    question: str,
    passages: list[SearchResult],
    head: str,
    screen: ScreeningLead | None,
    settings: Settings,
    terms: TermStats,
    text_of: TextOf,
    lookup: Lookup | None = None,
    on: date | None = None,
    removals: Mapping[str, list[Removal]] | None = None,
    parts: Sequence[tuple[str, Sequence[SearchResult]]] = (),
    lead_part: tuple[str, str, Callable[[], Sequence[SearchResult]]] | None = None,
) -> Answer:
    """The bottom line, then the screening block, then the quoted provisions: every span
    checked against the store before it is used, and again once the answer is whole.

    `lookup` lets the determination rules fetch the sentence they rest on when retrieval did
    not bring it; `on` (the as-of day, else today) is the day legal-status notes are judged for;
    `parts` are the later questions of a message asking several, with the passages searched
    for each; `lead_part` its first part, the question that part asks, and the search for
    that question (run only when its line needs the passages)."""
    checks = Checks(text_of, on, removals or {})
    answer = compose_extractive(
        question,
        passages,
        min_relevance=settings.min_relevance,
        min_relevance_unknown_name=settings.min_relevance_unknown_name,
        is_known=terms.knows,
        idf=terms.idf,
        documents=terms.documents,
        hits=screen.screening.hits if screen is not None else (),
        lookup=lookup,
        verify_span=checks.verify_span,
        notes_of=checks.notes_of,
        parts=parts,
        lead_part=lead_part,
    )
    answer = verified_extractive(answer, checks.stored)
    if screen is not None:
        answer, cited_n = with_screening(answer, screen, checks.stored)
        block = screen.text(cited_n)
        # After the bottom line's block (the determination, or the lead sentence), before the
        # quoted provisions.
        opening, sep, rest = answer.answer.partition("\n\n")
        if answer.lead and opening.startswith(answer.lead):
            answer.answer = f"{opening}\n\n{block}{rest}" if sep else f"{opening}\n\n{block}"
        else:
            answer.answer = block + answer.answer
    answer.answer = head + answer.answer
    return answer


def llm_answer(
    question: str,
    passages: list[SearchResult],
    head: str,
    screen: ScreeningLead | None,
    model: BaseChatModel,
    cfg: LLMConfig,
    text_of: TextOf,
    sent: list[str],
    lookup: Lookup | None = None,
    on: date | None = None,
    removals: Mapping[str, list[Removal]] | None = None,
) -> Generator[str, None, Answer]:
    """Stream the model's answer as it passes the checks (appending what goes out to `sent`)
    and return the Answer, screening block included.

    The same shape as the extractive answer: a licence question's determination first (the
    rules' lines, each span verified before it is shown, numbered from [1]), then the screening
    block, its 15 CFR 744.11 citation verified too (numbered next), then the model's sentences,
    their passages numbered after those, one by one once they pass. An answer
    that ends up abstaining sends nothing of what the model wrote: the caller sends the
    abstention (or, after a determination, says the passages do not answer the rest)."""
    from assistant.answering.llm.stream import stream_with_llm

    checks = Checks(text_of, on, removals or {})
    citer = Citer(checks.verify_span, checks.notes_of)
    hits = screen.screening.hits if screen is not None else ()
    opening = bottom_line(determine(question, passages, hits, lookup), citer)
    meaning_n = citer.first + len(citer.citations)
    meaning = verified_meaning(screen, meaning_n, checks.stored) if screen is not None else None
    if opening.lines:
        head += "\n".join(opening.lines) + "\n\n"
    head += screen.text(meaning_n if meaning else None) if screen is not None else ""
    if head:
        sent.append(head)
        yield head
    answer: Answer | None = None
    given = passages[:LLM_PASSAGES]
    first_n = meaning_n + 1 if meaning else meaning_n
    for part in stream_with_llm(question, given, model, cfg, text_of, first_n):
        if isinstance(part, Answer):
            answer = part
        else:
            sent.append(part)
            yield part
    assert answer is not None
    # The model's citations carry what the extractive ones do: their authority, and the legal
    # status of the cited text, which the answer states after the model's words.
    by_chunk = {p.chunk_id: p for p in given}
    status: list[str] = []
    for i, c in enumerate(answer.citations):
        p = by_chunk.get(c.chunk_id)
        cited = with_authority(c)
        if p is not None:
            cited.notes = checks.notes_of(p, c.start, c.end)
            status += [f"Status of {c.citation} [{c.n}]: {note}" for note in cited.notes]
        answer.citations[i] = cited
    if status and not answer.abstained:
        answer.answer += "\n\n" + "\n".join(dict.fromkeys(status))
    # A section or paragraph the question names that the corpus lacks is said, as the
    # extractive answer says it: the model's passages are the closest, not what was named.
    absent = absent_note(question, lookup)
    if absent and not answer.abstained:
        answer.partial, answer.partial_note = True, f"{absent} {PARTIAL_NOTE}"
        answer.answer += "\n\n" + answer.partial_note
    if screen is not None or opening.determination is not None:
        if answer.abstained:
            answer = Answer(answer=SCREENING_ONLY)
        answer.citations = [*citer.citations, *([meaning] if meaning else []), *answer.citations]
        answer.claims = [*opening.claims, *answer.claims]
        answer.determination = opening.determination
        answer.lead = opening.lines[0] if opening.lines else ""
        answer.screening = screen.screening if screen is not None else None
    answer.answer = head + answer.answer
    return answer

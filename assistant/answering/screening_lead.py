"""The screening block an answer opens with when the question names a listed party.

"Can we sell X to Huawei?" turns first on whether the party is listed, and with which licence
requirement and review policy. That fact comes from the deterministic screen of the
Consolidated Screening List (assistant/screening/), never from retrieval or a model, and is
cited as a structured source ("[S1]"). For an Entity List hit the block also quotes what an
entry means, from 15 CFR 744.11, as an ordinary verified passage citation: it is numbered only
once the store verifies it. `ScreeningStep` finds the block for a request, `with_screening`
and `verified_meaning` attach it to a composed answer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from assistant.access import Caller
from assistant.answering.determination.basis import find_sentence
from assistant.answering.determination.entity_list import EL_QUERY, EL_REQUIRED
from assistant.answering.verify import keep_verified
from assistant.config import Settings
from assistant.index.snapshot import CorpusSnapshot
from assistant.models import Answer, Citation, Filters, Screening, SearchResult
from assistant.retrieval.retriever import SECTION_LIMIT, Retriever
from assistant.screening.models import ScreeningError, ScreeningList
from assistant.screening.parties import find_parties
from assistant.screening.repository import load_list

log = logging.getLogger(__name__)

SCREENING_ONLY = "The corpus passages do not answer the rest of this question."
MAX_LOOKUPS = 256  # cached screening lookups (per snapshot and filter)
SHOWN = 3  # entries spelled out in the block; the rest are counted


@dataclass(frozen=True)
class ScreeningLead:
    screening: Screening
    more: int  # matching entries not spelled out
    meaning: SearchResult | None  # the 744.11 passage saying what an entry means
    meaning_span: tuple[int, int] | None

    def text(self, meaning_n: int | None) -> str:
        """The block, ending in a blank line; `meaning_n` numbers the 744.11 citation."""
        s = self.screening
        lines = [f"Screening against the Consolidated Screening List (version {s.list_version}):"]
        for hit in s.hits:
            facts = [
                f"licence requirement: {_bare(hit.license_requirement)}"
                if hit.license_requirement
                else None,
                f"review policy: {_bare(hit.license_policy)}" if hit.license_policy else None,
                hit.federal_register_notice or None,
                f"listed since {hit.start_date}" if hit.start_date else None,
            ]
            detail = "; ".join(f for f in facts if f)
            lines.append(
                f'- "{hit.query}" matches {hit.name} on the {hit.source} '
                f"(score {hit.score:g}) [{hit.ref}]" + (f": {detail}." if detail else ".")
            )
        if self.more:
            lines.append(f"- {self.more} more list entries match; see `tpa screen` or /v1/screen.")
        if self.meaning is not None and self.meaning_span is not None and meaning_n is not None:
            a, b = self.meaning_span
            quote = " ".join(
                self.meaning.text[a - self.meaning.start : b - self.meaning.start].split()
            )
            lines.append(f"What an Entity List entry means: {quote} [{meaning_n}]")
        return "\n".join(lines) + "\n\n"

    def citation(self, n: int) -> Citation | None:
        if self.meaning is None or self.meaning_span is None:
            return None
        return self.meaning.cite(n, *self.meaning_span, score=self.meaning.score)


def _bare(value: str) -> str:
    """A list field without its closing period, so facts join cleanly with '; '."""
    return value.strip().rstrip(".").strip()


def _meaning(results: list[SearchResult]) -> tuple[SearchResult, tuple[int, int]] | None:
    """The first 744.11 sentence (in rank order) saying a licence is required for a listed
    entity: the sentence the Entity List determination rests on too."""
    found = find_sentence(results, "15 CFR 744.11", EL_REQUIRED)
    return (found.passage, (found.start, found.end)) if found else None


def screening_lead(
    question: str,
    screening_list: ScreeningList | None,
    as_of: date | None,
    retrieve: Callable[[str], list[SearchResult]],
) -> ScreeningLead | None:
    """The block for the listed parties `question` names, or None when it names none."""
    if screening_list is None:
        return None
    matches = find_parties(question, screening_list, as_of=as_of)
    if not matches:
        return None
    hits = [m.to_hit(f"S{i}") for i, m in enumerate(matches[:SHOWN], 1)]
    meaning = None
    if any("entity list" in h.source.lower() for h in hits):
        meaning = _meaning(retrieve(EL_QUERY))
    return ScreeningLead(
        screening=Screening(list_version=screening_list.version, hits=hits),
        more=max(0, len(matches) - SHOWN),
        meaning=meaning[0] if meaning else None,
        meaning_span=meaning[1] if meaning else None,
    )


class ScreeningStep:
    """Finds the screening block for each request: the list as it is now (None without one),
    and the 744.11 passage by the same fixed query, looked up once per snapshot and filter."""

    def __init__(self, settings: Settings, retriever: Retriever) -> None:
        self.settings = settings
        self.retriever = retriever
        self._lookups: dict[tuple[int, str, str, str], list[SearchResult]] = {}
        self._lock = threading.Lock()

    def lookup_for(
        self, filters: Filters | None, caller: Caller, index: CorpusSnapshot
    ) -> CachedLookup:
        """Retrieval by a fixed query (the screening block's and the determination rules'),
        and a section's chunks in order, limited like the answer, cached once per snapshot and
        filter."""
        return CachedLookup(self, caller.restrict(filters), index)

    def cached(
        self, key: tuple[int, str, str, str], find: Callable[[], list[SearchResult]]
    ) -> list[SearchResult]:
        with self._lock:
            found = self._lookups.get(key)
        if found is None:
            found = find()
            with self._lock:
                if len(self._lookups) >= MAX_LOOKUPS:
                    self._lookups.clear()
                self._lookups[key] = found
        return found

    def lead(
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
        lookup = self.lookup_for(filters, caller, index)
        return screening_lead(question, listed, as_of, lookup)


def verified_meaning(
    screen: ScreeningLead, n: int, text_of: Callable[[str], str | None]
) -> Citation | None:
    """The 15 CFR 744.11 citation of the screening block as [n], if the store verifies it."""
    meaning = screen.citation(n)
    kept = keep_verified([meaning], text_of) if meaning else []
    return kept[0] if kept else None


def with_screening(
    answer: Answer, screen: ScreeningLead, text_of: Callable[[str], str | None]
) -> tuple[Answer, int | None]:
    """The extractive answer with the screening facts attached and the 744.11 citation
    (verified like every other) numbered after the passage citations; and that number."""
    if answer.abstained:
        answer = Answer(answer=SCREENING_ONLY)
    n = max((c.n for c in answer.citations), default=0) + 1
    meaning = verified_meaning(screen, n, text_of)
    answer.citations = [*answer.citations, *([meaning] if meaning else [])]
    answer.screening = screen.screening
    return answer, (n if meaning else None)


@dataclass(frozen=True)
class CachedLookup:
    """What the determination rules may fetch besides the answer's passages, under the
    caller's filters and the answer's snapshot: a fixed query's top passages (call it), one
    section's chunks in order (`section`), or one document's (`document`)."""

    step: ScreeningStep
    restricted: Filters
    index: CorpusSnapshot

    def __call__(self, query: str) -> list[SearchResult]:
        key = (id(self.index), self.index.version, query, repr(self.restricted))
        return self.step.cached(
            key, lambda: self.step.retriever.retrieve(query, 8, self.restricted, index=self.index)
        )

    def document(self, citation: str) -> list[SearchResult]:
        key = (id(self.index), self.index.version, f"doc {citation}", repr(self.restricted))
        return self.step.cached(
            key, lambda: self.step.retriever.document(citation, self.restricted, self.index)
        )

    def section(self, section: str, limit: int = SECTION_LIMIT) -> list[SearchResult]:
        key = (id(self.index), self.index.version, f"§ {section} ({limit})", repr(self.restricted))
        return self.step.cached(
            key,
            lambda: self.step.retriever.section(section, self.restricted, self.index, limit),
        )

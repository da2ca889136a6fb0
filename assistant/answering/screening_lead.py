"""The screening block an answer opens with when the question names a listed party.

"Can we sell X to Huawei?" turns first on whether the party is listed, and with which licence
requirement and review policy. That fact comes from the deterministic screen of the
Consolidated Screening List (assistant/screening.py), never from retrieval or a model, and is
cited as a structured source ("[S1]"). For an Entity List hit the block also quotes what an
entry means, from 15 CFR 744.11, as an ordinary verified passage citation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from assistant.models import Citation, Screening, ScreeningHit, SearchResult
from assistant.screening.repository import Match, ScreeningList, find_parties
from assistant.text import sentence_spans

SHOWN = 3  # entries spelled out in the block; the rest are counted
MEANING_QUERY = (
    "15 CFR 744.11 A license is required, to the extent specified on the Entity List, to export "
    "any item subject to the EAR when an entity listed on the Entity List is a party"
)
_MEANING = re.compile(r"\blicen[sc]e is required\b.*\bEntity List\b", re.I | re.S)


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


def _hit(ref: str, match: Match) -> ScreeningHit:
    fields = ScreeningHit.model_fields
    return ScreeningHit(
        ref=ref,
        query=match.query,
        **{k: v for k, v in match.to_dict().items() if k in fields and k not in ("ref", "query")},
    )


def _meaning(results: list[SearchResult]) -> tuple[SearchResult, tuple[int, int]] | None:
    """The first 744.11 sentence (in rank order) saying a licence is required for a listed
    entity."""
    for r in results:
        if not r.citation.startswith("15 CFR 744.11"):
            continue
        for a, b in sentence_spans(r.text):
            if _MEANING.search(r.text[a:b]):
                return r, (r.start + a, r.start + b)
    return None


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
    hits = [_hit(f"S{i}", m) for i, m in enumerate(matches[:SHOWN], 1)]
    meaning = None
    if any("entity list" in h.source.lower() for h in hits):
        meaning = _meaning(retrieve(MEANING_QUERY))
    return ScreeningLead(
        screening=Screening(list_version=screening_list.version, hits=hits),
        more=max(0, len(matches) - SHOWN),
        meaning=meaning[0] if meaning else None,
        meaning_span=meaning[1] if meaning else None,
    )

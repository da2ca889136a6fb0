"""What a rule's finding is made of, and how a rule finds the sentence it rests on.

`Finding`, `FindingLine` and `Basis` are what every rule returns; `find_sentence`, `_matching`,
`_first_in_section`, `_sought` and `_with_section` are how each looks for its sentence among the
passages or in the section itself (through the `Lookup`). Apart from the rules because all of
them use it and it uses none of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from assistant.models import SearchResult
from assistant.text import chunk_sentences

Lookup = Callable[[str], list[SearchResult]]


@dataclass(frozen=True)
class Basis:
    """A sentence of a passage a line rests on (document offsets)."""

    passage: SearchResult
    start: int
    end: int


@dataclass
class FindingLine:
    label: str
    text: str
    basis: list[Basis] = field(default_factory=list)
    screening: list[str] = field(default_factory=list)
    # words the line takes from a list's items ("BAG (excluding firearms and ammunition)"):
    # cited, so a reviewer can check them, but not quoted under the bottom line as provisions
    named: list[Basis] = field(default_factory=list)


@dataclass
class Finding:
    outcome: Literal["yes", "depends"]
    rule: str
    lines: list[FindingLine]
    missing_facts: list[str] = field(default_factory=list)
    # The regulation sentences it rests on are the rule itself (744.11, part 746), worth
    # quoting whole under the bottom line; the general case rests on the best sentence found.
    operative: bool = False
    # An outcome that rests on a provision a stay can suspend (the affiliates rule): the line
    # whose basis is checked, and the outcome and text that hold while a stay is in effect on
    # the answer's day (its legal-status notes say "Stayed: ..."; `bottom_line` reads them).
    if_stayed: tuple[int, Literal["yes", "depends"], str] | None = None
    # the general rule's "depends on the facts 736.2 names" (`general_rule`): no rule of its own
    general: bool = False


def cites(p: SearchResult, citation: str) -> bool:
    """Whether passage `p` is `citation` ("15 CFR 740.2") or one of its paragraphs
    ("15 CFR 740.2(a)"), not another section it is a prefix of ("15 CFR 740.20")."""
    return p.citation == citation or p.citation.startswith(f"{citation}(")


def _section_of(p: SearchResult) -> str:
    """The section a passage cites ("740.12" for "15 CFR 740.12(a)(2)")."""
    return p.citation.removeprefix("15 CFR ").split("(", 1)[0]


_WHOLE_SECTION = re.compile(r"15 CFR \d{3}\.\d+[a-z]?")


def find_sentence(
    passages: Sequence[SearchResult], citation_prefix: str, pattern: re.Pattern[str]
) -> Basis | None:
    """The first sentence (in rank order) of a passage citing `citation_prefix` that matches."""
    return next(_matching(passages, citation_prefix, pattern), None)


def _matching(
    passages: Sequence[SearchResult], citation_prefix: str, pattern: re.Pattern[str]
) -> Iterator[Basis]:
    """Every sentence matching `pattern` in the passages citing `citation_prefix`, in rank
    order, then in each passage's order. A whole section ("15 CFR 744.2") is that section and
    its paragraphs, not the sections its number is a prefix of (744.21, 744.22); anything
    shorter ("15 CFR 7", "") is a prefix."""
    section = bool(_WHOLE_SECTION.fullmatch(citation_prefix))
    for p in passages:
        if not (cites(p, citation_prefix) if section else p.citation.startswith(citation_prefix)):
            continue
        for a, b in chunk_sentences(p.text):
            if pattern.search(p.text[a:b]):
                yield Basis(p, p.start + a, p.start + b)


def _first_in_section(
    passages: Sequence[SearchResult], citation_prefix: str, pattern: re.Pattern[str]
) -> Basis | None:
    """The matching sentence that comes first in the section, wherever its passage ranked: a
    section states its general requirement before its special cases ("(a) License
    requirements. ... a license is required as specified under paragraphs (a)(1) through (8)"
    before (a)(4)(i)'s oil-and-gas rule), and a "depends on the item" line rests on the
    general one."""
    found = _matching(passages, citation_prefix, pattern)
    return min(found, key=lambda x: (x.passage.doc_id, x.start), default=None)


def _sought(
    passages: Sequence[SearchResult],
    lookup: Lookup | None,
    citation_prefix: str,
    pattern: re.Pattern[str],
    query: str,
) -> Basis | None:
    found = find_sentence(passages, citation_prefix, pattern)
    if found is None and lookup is not None:
        found = find_sentence(lookup(query), citation_prefix, pattern)
    return found


def _quoted(basis: Basis) -> str:
    """A sentence as a line quotes it: one line, without its closing period (the line's)."""
    return " ".join(_sentence(basis).split()).rstrip(".")


def _sentence(basis: Basis) -> str:
    offset = basis.passage.start
    return basis.passage.text[basis.start - offset : basis.end - offset]


def section_chunks(lookup: Lookup, section: str) -> list[SearchResult]:
    """A section's chunks in its own order when the lookup can read them (the service's
    `CachedLookup.section`), else what a query naming the section finds (a plain callable)."""
    reader = getattr(lookup, "section", None)
    return list(reader(section)) if reader is not None else lookup(f"15 CFR {section}")


def _with_section(
    passages: Sequence[SearchResult], lookup: Lookup | None, section: str
) -> list[SearchResult]:
    """The passages, then the section's own chunks when there is a lookup (those retrieval did
    not bring already): where a rule looks for the sentence it rests on."""
    if lookup is None:
        return list(passages)
    have = {p.chunk_id for p in passages}
    return [*passages, *(c for c in section_chunks(lookup, section) if c.chunk_id not in have)]

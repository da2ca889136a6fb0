"""Which License Exception the answer points to (`licence_exception_line`, `exception_rule`), and
the exceptions a section's own list names, with one the question names that it leaves out.

Apart from the rules that require a licence: these name an exception to look at ("depends on
whether its conditions are met"), never whether the item needs a licence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.determination.basis import (
    Basis,
    Finding,
    FindingLine,
    Lookup,
    _section_of,
    _with_section,
    cites,
    find_sentence,
    section_chunks,
)
from assistant.answering.determination.facts import _ECCN
from assistant.answering.exception_limits import (
    EXCEPTION_SECTIONS,
    lost_exceptions,
    named_exceptions,
)
from assistant.answering.exception_lists import listed_exceptions, names
from assistant.models import SearchResult
from assistant.text import chunk_sentences

# "Which licence exception could cover this?", "Is there a license exception for ...?"
_ASKS_EXCEPTION = re.compile(
    r"\b(?:which|what|any|is there an?|can we use an?)\s+(?:licen[cs]e\s+)?exceptions?\b", re.I
)


def exception_rule(
    passages: Sequence[SearchResult], question: str = "", lookup: Lookup | None = None
) -> Finding | None:
    """Which License Exception may cover the case: the best-ranked one among the passages (by
    its authorizing sentence), on its conditions. Only for a question asking for one, when no
    party or destination rule decided it."""
    exception = licence_exception_line(passages, question, lookup)
    if exception is None:
        return None
    return Finding(
        "depends",
        "License Exceptions (15 CFR part 740)",
        [exception],
        ["whether the exception's conditions are met"],
    )


def licence_exception_line(
    passages: Sequence[SearchResult], question: str = "", lookup: Lookup | None = None
) -> FindingLine | None:
    """The best-ranked License Exception among the passages (part 740), by its authorizing
    sentence: what the answer names as the exception to look at. Not one whose passage speaks
    of other ECCNs than the question's (`_for_other_items`), unless the question names it."""
    pattern = re.compile(r"\b(?:authoriz\w*|License Exception [A-Z]{3}|may be exported)\b", re.I)
    eccns = _eccn_families(question)
    named = {section for _, section in named_exceptions(question)} if question else set()
    lost = [EXCEPTION_SECTIONS[code] for code in lost_exceptions(question)]
    for p in passages[:5]:
        if not p.citation.startswith("15 CFR 740.") or any(
            cites(p, f"15 CFR {s}") for s in ("740.1", "740.2")
        ):
            continue  # the introduction and the restrictions on all exceptions: not one of them
        if any(cites(p, f"15 CFR {s}") for s in lost):
            continue  # "the new rule took GBS away": not the exception to point to
        if _for_other_items(p, eccns, lookup) and not any(cites(p, f"15 CFR {s}") for s in named):
            continue  # License Exception HBM (3A090.c) for 3A002 signal generators
        for a, b in chunk_sentences(p.text):
            if pattern.search(p.text[a:b]) and b - a > 40:
                section = p.citation.split("(", 1)[0]
                title = re.sub(r"^§\s*[\d.]+\s*", "", p.title).rstrip(".")
                return FindingLine(
                    "Licence exceptions",
                    f"see {title} ({section}), if its conditions are met",
                    [Basis(p, p.start + a, p.start + b)],
                )
    return None


def _eccn_families(text: str) -> set[str]:
    """The ECCNs a text names, by their five characters ("3A090" for "3A090.a"); not EAR99."""
    return {e[:5].upper() for e in _ECCN.findall(text) if not re.match(r"EAR", e, re.I)}


def _for_other_items(p: SearchResult, eccns: set[str], lookup: Lookup | None = None) -> bool:
    """Whether an exception's opening (its section's first chunk: the scope it authorizes)
    names ECCNs and none of the question's: an exception written for other items (HBM for
    3A090.c, ENC for Category 5 Part 2) is no pointer for the item asked about (3A002 signal
    generators). Not what a later paragraph names: BAG's and TMP's firearms paragraphs name
    0A501, yet they are for any item. Without an ECCN in the question, or in the opening, it
    may be."""
    if not eccns:
        return False
    section = _section_of(p)
    chunks = section_chunks(lookup, section) if lookup is not None else []
    if not chunks and p.start != 0:
        return False
    # its heading and "(a) Scope" paragraph: the first _OPENING characters of the section
    opening = "".join(c.text for c in chunks or [p])[:_OPENING]
    named = _eccn_families(opening)
    return bool(named) and not (named & eccns)


_OPENING = 600


def _named_exceptions_first(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> list[SearchResult]:
    """The passages of the exceptions the question names ("under TMP"), from its section when
    retrieval did not bring them, then the rest: the exception the asker means to use is the one
    to look at first, not whichever other part 740 section ranked best."""
    named = [section for _, section in named_exceptions(question)]
    company_owned = bool(_COMPANY_OWNED.search(question)) and "740.14" not in named
    if company_owned and not named:
        # BAG is for what the traveller owns (740.14(c)(1)), not the company's laptop, which
        # travels as a tool of trade "for use by ... employees of the exporter" (740.9(a)(1))
        named = ["740.9"]
    pool = [*passages, *(c for s in named for c in _with_section([], lookup, s))]
    first = [p for s in named for p in pool if cites(p, f"15 CFR {s}")]
    ordered = [*first, *passages]
    if company_owned:
        ordered = [p for p in ordered if not cites(p, "15 CFR 740.14")]
    return ordered


# An item the company owns, as travellers say it: "my company laptop", "company-owned",
# "our company's demo unit", "belongs to my employer".
_COMPANY_OWNED = re.compile(
    r"\bcompany(?:-owned|\s+owned)?\s+(?:laptops?|computers?|phones?|devices?|equipment|"
    r"tablets?|demo)|\bcompany[- ]owned\b|\b(?:our|the|my)\s+company['’]s\b|"
    r"\bbelongs? to (?:the|my|our) (?:company|employer)\b|\bemployer['’]s\b",
    re.I,
)


def _name_listed(
    listed: FindingLine,
    question: str,
    passages: Sequence[SearchResult],
    lookup: Lookup | None,
) -> set[str]:
    """Say which exceptions the section's list names ("only those 15 CFR 746.8(c) lists, on
    their conditions: TMP (for items for use by the news media), GOV, ..."), citing the items
    whose words it shows; and that an exception the question names is not among them ("GFT is
    not among them"). Nothing when the list cannot be read whole (`listed_exceptions`).
    Returns the part 740 sections of the named exceptions the list leaves out."""
    if not listed.basis:
        return set()
    stem = listed.basis[0]
    section = _section_of(stem.passage)
    own = section_chunks(lookup, section) if lookup is not None else []
    items = listed_exceptions(stem.passage, stem.start, [*passages, *own])
    if not items:
        return set()
    titles = {x.code: _exception_title(x.code, lookup) for x in items if x.purpose}
    said, shown = names(items, titles)
    codes = {x.code for x in items}
    named = [code for code, _ in named_exceptions(question)]
    listed.text = listed.text.replace(", on their conditions", f", on their conditions: {said}", 1)
    first = {x.code: x for x in reversed(items)}  # each symbol's first item
    asked = [first[c] for c in dict.fromkeys(named) if c in first]
    listed.basis += [Basis(x.passage, x.start, x.end) for x in asked]
    listed.named += [Basis(x.passage, x.start, x.end) for x in shown if x not in asked]
    absent = list(dict.fromkeys(code for code in named if code not in codes))
    if absent:
        verb = "is" if len(absent) == 1 else "are"
        listed.text += f"; {' and '.join(absent)} {verb} not among them"
    return {EXCEPTION_SECTIONS[c] for c in absent if c in EXCEPTION_SECTIONS}


def _exception_title(code: str, lookup: Lookup | None) -> str:
    """The heading of an exception's part 740 section ("§ 740.12 Gift parcels and humanitarian
    donations (GFT)."), when the lookup can read it."""
    if lookup is None:
        return ""
    section = EXCEPTION_SECTIONS.get(code, "")
    own = [c for c in section_chunks(lookup, section) if cites(c, f"15 CFR {section}")]
    return own[0].title if own else ""


def _names_it(question: str, exception: FindingLine) -> bool:
    """Whether the question names the exception `exception` points to ("Does MED cover ...")."""
    section = re.search(r"740\.\d+", exception.text)
    return section is not None and any(s == section.group(0) for _, s in named_exceptions(question))


def _listing(
    listed: FindingLine,
    exception: FindingLine,
    passages: Sequence[SearchResult],
    lookup: Lookup | None = None,
) -> Basis | None:
    """The sentence by which the section whose exceptions `listed` rests on names
    `exception`'s section ("740.19"), in the passages at hand or in the section's own chunks
    when the lookup can read them (746.8(c)(2)(viii) names MED in a chunk retrieval need not
    bring); None when it does not: License Exception MED is no help for Crimea because 746.6(c)
    does not list it."""
    section = re.search(r"740\.\d+", exception.text)
    if section is None or not listed.basis:
        return None
    cited = listed.basis[0].passage.citation.split("(", 1)[0]
    own = (
        section_chunks(lookup, cited.removeprefix("15 CFR "))
        if lookup is not None and getattr(lookup, "section", None) is not None
        else []
    )
    pool = [
        listed.basis[0].passage,
        *(p for p in [*passages, *own] if p.citation.startswith(cited)),
    ]
    return find_sentence(pool, cited, re.compile(rf"\b{re.escape(section.group(0))}\b"))


# "License Exception AVS, excluding any aircraft registered in ... Russia or Belarus"
_LISTED_WITH_LIMIT = re.compile(r"\b(?:excluding|except(?:ing)?|only)\b", re.I)


def _left_out(line: FindingLine, restricted: FindingLine) -> bool:
    """Whether every exception the line speaks of is one the 740.2 restriction leaves out."""
    named = set(_SYMBOLS.findall(line.text)) & EXCEPTION_SECTIONS.keys()
    kept = set(_SYMBOLS.findall(restricted.text)) & EXCEPTION_SECTIONS.keys()
    return bool(named) and not named & kept


_SYMBOLS = re.compile(r"\b[A-Z]{3}\b")

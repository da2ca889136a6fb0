"""A reason for control the question gives ("NS Column 2", "RS1", "UN"): part 742's own sentence
for that column (`control_reason_rule`), or 746.1(b)'s list of countries for UN
(`un_reason_rule`).

Apart from `ccl` because these start from the reason, not from the ECCN.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from assistant.answering.control_reasons import (
    REASON_SECTIONS,
    UN_COUNTRIES,
    UNKNOWN_COLUMN,
    Reach,
    column_pattern,
    gives_un_reason,
    reach_of,
    reasons_given,
    un_countries,
)
from assistant.answering.determination.basis import (
    Basis,
    Finding,
    FindingLine,
    Lookup,
    _matching,
    _sentence,
    _sought,
    _with_section,
)
from assistant.answering.determination.facts import (
    _ORIGIN,
    _destinations,
    _listed,
    _named_places,
    _this_deal_sentences,
)
from assistant.answering.question_facts import names_of, place_sent_to
from assistant.models import SearchResult

# "a license is required", "Licenses are required for all destinations" (742.14), "Licenses for
# these items are required to all destinations" (742.5)
_REASON_LICENCE = re.compile(
    r"\blicen[cs]e is required\b|\blicen[cs]es\b(?:\s+[\w,]+){0,3}?\s+are\s+required\b", re.I
)


def control_reason_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """A reason for control the question gives ("NS Column 2", "RS1") and the destinations it
    names: part 742's own sentence for that column says where it needs a licence
    (`control_reasons`). "yes" for a destination outside the countries it excepts; "not for that
    reason" for one it excepts; "depends" on a country group the corpus does not list. Not for
    an embargoed destination (part 746 decides) or a question that gives no such reason."""
    reasons = reasons_given(question)
    deal = " ".join(_this_deal_sentences(question))
    if not reasons or place_sent_to(deal) is not None:
        return None
    places = _named_places(_ORIGIN.sub(" ", question))
    # (a column not given is the weaker reading, applied only where the item goes; a question
    # whose places are all nationalities, a deemed export's, keeps them)
    going_to = _destinations(question) or places
    lines: list[FindingLine] = []
    missing: list[str] = []
    outcome: Literal["yes", "depends"] = "depends"
    unknown = False
    for reason, column in reasons:
        section = REASON_SECTIONS[reason]
        pool = _with_section(passages, lookup, section)
        if column == UNKNOWN_COLUMN:
            either = _either_column(reason, section, pool, going_to)
            if either is not None:
                lines.append(either[0])
                missing += either[1]
                unknown = True
            continue
        found = _column_sentence(pool, section, reason, column)
        if found is None:
            continue
        basis, reach = found
        cite = basis.passage.citation
        name = f"{reason} column {column}" if column else reason
        if reach.everywhere:
            scope = "every destination, Australia, Canada and the United Kingdom included"
        elif reach.except_group:
            scope = f"every destination except those in Country Group {reach.except_group}"
        else:
            scope = f"every destination except {reach.written}"
        rule = f"{name} items need a licence to {scope} ({cite})"
        if not places:
            missing.append("the destination")
            lines.append(
                FindingLine("Licence required", f"depends on the destination — {rule}", [basis])
            )
            continue
        excepted = _excepted(places, reach)
        needs = [p for p in places if p not in excepted]
        parts: list[str] = []
        if reach.everywhere or (reach.except_countries and needs):
            outcome = "yes"
            parts.append(f"yes for {_listed(needs)}")
        if excepted:
            parts.append(f"not for {name} reasons to {_listed(excepted)}")
            missing.append(f"the item's other reasons for control to {_listed(excepted)}")
        if reach.except_group:
            parts.append(
                f"depends on whether {_listed(places)} "
                f"{'is' if len(places) == 1 else 'are'} in Country Group {reach.except_group}"
            )
            missing.append(_group_fact(places, reach.except_group))
        lines.append(FindingLine("Licence required", f"{'; '.join(parts)} — {rule}", [basis]))
    if not lines:
        return None
    if len(lines) > 1:
        for extra in lines[1:]:
            extra.label = "Also"
    missing = list(dict.fromkeys(missing))
    rule = f"Reasons for control (15 CFR {REASON_SECTIONS[reasons[0][0]]})"
    # (a column the question does not give leaves the outcome to a fact, like the general
    # rule's: in a message of many facts the sentence that answers its own questions leads)
    return Finding(outcome, rule, lines, missing, general=unknown and len(lines) == 1)


def _group_fact(places: Sequence[str], group: str) -> str:
    """The fact a column excepting a country group leaves open for the places."""
    verb = "is" if len(places) == 1 else "are"
    where = _listed(places)
    return f"whether {where} {verb} in Country Group {group} (supplement no. 1 to part 740)"


def _excepted(places: Sequence[str], reach: Reach) -> list[str]:
    """The places a column's sentence excepts by name ("except Australia, Canada, or the United
    Kingdom")."""
    return [
        p
        for p in places
        if any(p.lower() in names_of(c) or c.lower() in names_of(p) for c in reach.except_countries)
    ]


def _column_sentence(
    pool: Sequence[SearchResult], section: str, reason: str, column: str
) -> tuple[Basis, Reach] | None:
    """Part 742's licence sentence for the column ("National Security column 1 (NS:1). A
    license is required ... to all destinations, except ...") and the reach it states."""
    return next(
        (
            (b, reach)
            for b in _matching(pool, f"15 CFR {section}", column_pattern(reason, column))
            if _REASON_LICENCE.search(_sentence(b))
            and (reach := reach_of(_sentence(b))) is not None
        ),
        None,
    )


def _either_column(
    reason: str, section: str, pool: Sequence[SearchResult], places: list[str]
) -> tuple[FindingLine, list[str]] | None:
    """A reason the question gives without its column ("NS-controlled"): what each column's own
    sentence says for the destinations, "depends on the item's NS column — if NS column 1, yes
    for Hong Kong (...); if NS column 2, depends on whether Hong Kong is in Country Group A:1
    (...)"; None unless both sentences are found."""
    clauses, bases, missing = [], [], []
    for column in ("1", "2"):
        found = _column_sentence(pool, section, reason, column)
        if found is None:
            return None
        basis, reach = found
        bases.append(basis)
        name = f"{reason} column {column}"
        where = _listed(places)
        if reach.everywhere:
            verdict = f"yes for {where}" if places else "a licence to every destination"
        elif reach.except_group:
            group = reach.except_group
            verb = "is" if len(places) == 1 else "are"
            verdict = (
                f"depends on whether {where} {verb} in Country Group {group}"
                if places
                else f"a licence to every destination except Country Group {group}"
            )
            if places:
                missing.append(_group_fact(places, group))
        else:
            excepted = _excepted(places, reach)
            needs = [p for p in places if p not in excepted]
            parts = [f"yes for {_listed(needs)}"] if needs else []
            if excepted:
                parts.append(f"not for {reason} reasons to {_listed(excepted)}")
            verdict = (
                "; ".join(parts)
                if places
                else f"a licence to every destination except {reach.written}"
            )
        clauses.append(f"if {name}, {verdict} ({basis.passage.citation})")
    text = f"depends on the item's {reason} column — " + "; ".join(clauses)
    facts = [f"the item's {reason} column (the License Requirements of its ECCN)", *missing]
    if not places:
        facts.append("the destination")
    return FindingLine("Licence required", text, bases), facts


_UN_LICENCE = re.compile(r"\bhaving a\W+UN\W+reason for control\b", re.I)
_UN_EXCEPTIONS = re.compile(r"\bother than License Exception GOV\b", re.I)
_UN_QUERY = (
    "15 CFR 746.1(b) countries subject to United Nations Security Council arms embargoes; a "
    "license is required for items having a UN reason for control"
)


def un_reason_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """An item with a "UN" reason for control (746.1(b)): a licence to the countries under UN
    Security Council arms embargoes that (b)(2) lists, no License Exception but GOV ((b)(4)),
    and no approval contrary to the Council's resolution ((b)(3)). Not for an embargoed
    destination part 746 decides in its own section."""
    if not gives_un_reason(question):
        return None
    deal = " ".join(_this_deal_sentences(question))
    if place_sent_to(deal) is not None:
        return None
    listing = _sought(passages, lookup, "15 CFR 746.1", UN_COUNTRIES, _UN_QUERY)
    licence = _sought(passages, lookup, "15 CFR 746.1", _UN_LICENCE, _UN_QUERY)
    if listing is None or licence is None:
        return None
    listed = un_countries(_sentence(listing))
    places = _named_places(question)
    covered = [p for p in places if any(p.lower() in names_of(c) for c in listed)]
    others = [p for p in places if p not in covered]
    rule = (
        "items with a UN reason for control need a licence to the countries under United "
        f"Nations Security Council arms embargoes: {_listed(list(listed))} (15 CFR 746.1(b)(2)-(3))"
    )
    outcome: Literal["yes", "depends"] = "depends"
    if not places:
        text, missing = f"depends on the destination — {rule}", ["the destination"]
    else:
        parts = [f"yes for {_listed(covered)}"] if covered else []
        if others:
            parts.append(f"not for UN reasons to {_listed(others)}")
        text = f"{'; '.join(parts)} — {rule}"
        outcome = "yes" if covered else "depends"
        missing = [f"the item's other reasons for control to {_listed(others)}"] if others else []
    lines = [FindingLine("Licence required", text, [listing, licence])]
    none = _sought(passages, lookup, "15 CFR 746.1", _UN_EXCEPTIONS, _UN_QUERY)
    if none is not None and covered:
        lines.append(
            FindingLine(
                "Licence exceptions",
                "none but GOV, for U.S. Government personnel and agencies and those of "
                "cooperating governments (15 CFR 746.1(b)(4))",
                [none],
            )
        )
    if covered:
        lines.append(
            FindingLine(
                "Review policy",
                "no approval contrary to the relevant United Nations Security Council "
                "resolution (15 CFR 746.1(b)(3))",
                [licence],
            )
        )
    return Finding(outcome, "UN reason for control (15 CFR 746.1(b))", lines, missing, True)

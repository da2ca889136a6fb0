"""The Country Chart for one ECCN to one named country (738.4(a)(2)): the reasons for control in
the ECCN against the country's column.

Apart because it is the deciding fact only when no party, end-use or destination rule decided.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.determination.basis import (
    Finding,
    FindingLine,
    Lookup,
    _first_in_section,
    _with_section,
)
from assistant.answering.determination.ccl import worldwide_paragraphs
from assistant.answering.determination.facts import (
    _EAR99,
    _ECCN,
    _VAGUE_PLACE,
    _missing_parties,
    _this_deal_sentences,
    _whole_eccn,
)
from assistant.answering.question_facts import foreign_places, negated, place_sent_to
from assistant.models import SearchResult

# 738.4(a)(2)(ii): "... determine whether an "X" is marked in the cell next to the country in
# question for each Country Chart column identified in the applicable ECCN."; (A) "If yes, a
# license application must be submitted ... unless a License Exception applies."
_CHART_CELL = re.compile(r"\bdetermine whether an\W+X\W+is marked\b", re.I)
_PART_NUMBER = re.compile(r"-\w")  # "3A001-BLK": a SKU, not a classification
_CHART_YES = re.compile(r"\bIf yes, a license application must be submitted\b", re.I)


def country_chart_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """An item the question classifies under an ECCN, going to a country no part 746 rule
    covers, for no party or end use a rule above decides: 738.4(a)(2) says what decides —
    the reasons for control in the ECCN's License Requirements section against that country's
    column of the Country Chart. The chart (supplement no. 1 to part 738) is not in the corpus,
    so the outcome depends on it, and on the prohibitions that reach every item (Four to Ten);
    the general rule's "depends on the end user and end use" would name the wrong fact first."""
    deal = " ".join(_this_deal_sentences(question))
    eccns = [
        _whole_eccn(deal, m)
        for m in _ECCN.finditer(deal)
        if not _EAR99.fullmatch(m.group(0))
        and not negated(deal, m.start())
        and not _PART_NUMBER.match(deal, m.end())
    ]
    definite = [x for x in foreign_places(deal) if x.lower() not in _VAGUE_PLACE]
    if len(set(eccns)) != 1 or not definite or place_sent_to(deal) is not None:
        return None
    if len({x.lower() for x in definite}) > 1:
        return None  # two countries: which one the item goes to is not plain
    pool = _with_section(passages, lookup, "738.4")
    cell = _first_in_section(pool, "15 CFR 738.4", _CHART_CELL)
    if cell is None:
        return None
    yes = _first_in_section(pool, "15 CFR 738.4", _CHART_YES)
    eccn, place = eccns[0], definite[0]
    text = (
        f"depends on the Country Chart — a licence is required when a reason for control in "
        f"{eccn}'s License Requirements section has an “X” in the column for the destination "
        f"({place}), unless a License Exception applies (15 CFR 738.4(a)(2))"
    )
    missing = [
        f"whether the Country Chart (supplement no. 1 to part 738) marks an “X” for {place} "
        f"under a reason for control of {eccn}",
        *_missing_parties(question),
    ]
    lines = [FindingLine("Licence required", text, [b for b in (cell, yes) if b is not None])]
    # ("3A090 chips to Japan": 3A090.a needs a licence everywhere, whatever the chart says)
    worldwide = worldwide_paragraphs(eccn, passages, lookup)
    if worldwide is not None:
        named, bases = worldwide
        which = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} or {named[-1]}"
        cited = bases[0].passage.citation
        lines.append(
            FindingLine(
                "Worldwide",
                f"items in {which} need a licence to every destination ({cited})",
                bases,
            )
        )
        missing.insert(0, f"whether the item is in {which}")
    return Finding("depends", "Commerce Country Chart (15 CFR 738.4)", lines, missing)

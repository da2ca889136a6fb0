"""De minimis U.S. content (734.4(c), (d)): a foreign-made item whose U.S. content is within the
level is not subject to the EAR when reexported.

Apart because it turns on a share the question gives, not on the item or the parties.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.determination.basis import FindingLine, Lookup, _sought
from assistant.answering.determination.facts import _E1_E2, _this_deal_sentences
from assistant.answering.question_facts import DESTINATIONS, EMBARGOES, place_sent_to
from assistant.models import SearchResult

# The de minimis rule (734.4): a foreign-made item whose controlled U.S. content is at most
# 10% of its value (Country Groups E:1 and E:2: Iran, North Korea, Syria; Cuba) or 25% (every
# other destination) is not subject to the EAR when reexported. The question gives the share:
# "about 15% U.S.-origin controlled content", "U.S. parts make up 30% of its value".
_US = r"(?:\bU\.\s?S\.(?!\w)|\bUSA?\b|\bAmerican\b|\bUnited States\b)"
_US_CONTENT_WORDS = re.compile(
    rf"{_US}[^;?!%]{{0,40}}?\b(?:origin|content|parts?|components?|chips?|controlled|value|"
    r"software|technology)\b"
    rf"|\b(?:origin|content|parts?|components?)\b[^;?!%]{{0,12}}?{_US}",
    re.I,
)
# a share of a company, not of an item's value ("60% owned by", "a 30% stake")
_HOLDING = re.compile(r"\b(?:owned|owns|ownership|stake|shares?|shareholders?|held)\b", re.I)
_PERCENT = re.compile(r"(?<![\d.])(\d{1,2}(?:\.\d+)?)\s*(?:%|percent\b|per\s+cent\b)", re.I)
_DE_MINIMIS_10 = re.compile(r"\bnot subject to the EAR when made to any country in the world", re.I)
_DE_MINIMIS_25 = re.compile(
    r"\bnot subject to the EAR when made to countries other than those listed in Country Group E:1",
    re.I,
)
_DE_MINIMIS_QUERY = (
    "15 CFR 734.4 De minimis U.S. content: reexports of a foreign-made commodity incorporating "
    "controlled U.S.-origin commodities valued at 10% or 25% or less are not subject to the EAR"
)


def us_content_share(question: str) -> float | None:
    """The share of a foreign-made item's value the question says is U.S. content ("about 15%
    U.S.-origin controlled content"), or None: a percentage with U.S. content named within a
    few words of it, not an ownership share ("60% owned by")."""
    for m in _PERCENT.finditer(question):
        window = question[max(0, m.start() - 60) : m.end() + 60]
        near = question[max(0, m.start() - 25) : m.end() + 25]
        if _HOLDING.search(near):
            continue
        if _US_CONTENT_WORDS.search(window):
            return float(m.group(1))
    return None


def de_minimis_line(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> tuple[FindingLine, bool] | None:
    """Whether the foreign-made item the question describes is subject to the EAR by its U.S.
    content (734.4(c) and (d)): the line, and True when the content is within the de minimis
    level (then no EAR licence rule reaches it, unless 734.4(a) sets no level for it). None
    when the question gives no share of U.S. content, or the corpus lacks the rule."""
    share = us_content_share(question)
    if share is None:
        return None
    m = place_sent_to(" ".join(_this_deal_sentences(question)))
    strict = m is not None and EMBARGOES[m.group(0)][0] in _E1_E2
    level = 10 if strict else 25
    pattern = _DE_MINIMIS_10 if strict else _DE_MINIMIS_25
    basis = _sought(passages, lookup, "15 CFR 734.4", pattern, _DE_MINIMIS_QUERY)
    if basis is None:
        return None
    where = (
        f"{EMBARGOES[m.group(0)][1]} (Country Group E:1/E:2)"
        if strict and m is not None
        else "a destination outside Country Groups E:1 and E:2"
    )
    within = share <= level
    text = (
        f"no — at {share:g}% its controlled U.S. content is within the {level}% de minimis "
        f"level for {where}, unless 15 CFR 734.4(a) sets no level for what it incorporates "
        "(600 series, 9x515 and other items it lists)"
        if within
        else f"yes — its controlled U.S. content ({share:g}%) is above the {level}% de minimis "
        f"level for {where}, so the foreign-made item is subject to the EAR"
    )
    bases = [basis]
    other = _other_destination(question)
    if strict and other is not None:
        # "a civilian factory in Venezuela ... different if the buyer were in Cuba?": both
        # levels, each for its destination
        wider = _sought(passages, lookup, "15 CFR 734.4", _DE_MINIMIS_25, _DE_MINIMIS_QUERY)
        if wider is not None:
            verdict = (
                f"no — at {share:g}% within the 25% level"
                if share <= 25
                else "yes — above the 25% level"
            )
            text = f"for {other}: {verdict} (15 CFR 734.4(d)); for {where}: {text}"
            bases.append(wider)
    return FindingLine("Subject to the EAR", text, bases), within


def _other_destination(question: str) -> str | None:
    """A place the question sends something to, or puts a buyer in, outside Country Groups E:1
    and E:2 ("a civilian factory in Venezuela"): named after "in" or "to", not a part 746
    place ("to North Korea") and not where the maker is ("our Malaysian subsidiary")."""
    for m in _IN_OR_TO_PLACE.finditer(question):
        name = m.group(1)
        if DESTINATIONS.fullmatch(name) and name.lower() not in EMBARGOES:
            return name
    return None


_IN_OR_TO_PLACE = re.compile(r"\b(?:in|to)\s+(?:the\s+)?([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)")

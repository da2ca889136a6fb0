"""Passages about one country's sanctions, kept for questions about that country.

Part 746's sections (Cuba, Iraq, North Korea, Crimea, Iran, Russia and Belarus, Syria) and the
anti-terrorism controls of part 742 (Iran, Syria, Sudan, North Korea) share their words with
any licence question ("license exceptions", "records", "aircraft", "medical devices"), so a
question about a shipment to Vietnam or a recordkeeping question was padded with Iraq's and
Libya's rules, and one about Wuhan led with Syria's (a held-out grading counted such padding in
9 of 40 answers). A passage whose section is about countries the question does not name is
beside the point when the question names a destination; a question naming none ("Which
countries are embargoed?") keeps them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.answering.question_facts import (
    EMBARGOES,
    country_of,
    embargoes_named,
    foreign_places,
)
from assistant.models import SearchResult

# The countries a sanctions section's heading names, as one name each
_COUNTRY_WORDS = {
    "cuba": "Cuba",
    "iraq": "Iraq",
    "north korea": "North Korea",
    "russia": "Russia",
    "russian": "Russia",
    "belarus": "Belarus",
    "belarusian": "Belarus",
    "crimea": "Ukraine",
    "ukraine": "Ukraine",
    "iran": "Iran",
    "syria": "Syria",
    "sudan": "Sudan",
    "libya": "Libya",
}
_WORDS = re.compile(r"\b(?:" + "|".join(map(re.escape, _COUNTRY_WORDS)) + r")\b", re.I)
# The sections that are about named countries: part 746 and part 742's anti-terrorism controls
_COUNTRY_SECTIONS = re.compile(r"^15 CFR (?:746\.\d+|742\.(?:8|9|10|19))\b")


# Words that say "outside the United States" without naming where
_NOWHERE = frozenset(["abroad", "overseas", "worldwide", "foreign", "europe", "eu"])


def passage_countries(p: SearchResult) -> frozenset[str]:
    """The countries the passage's section is about (empty: not a country's section)."""
    if not _COUNTRY_SECTIONS.match(p.citation):
        return frozenset()
    return frozenset(_COUNTRY_WORDS[m.group(0).lower()] for m in _WORDS.finditer(p.title))


def question_countries(question: str) -> frozenset[str]:
    """The destinations the question names, as `passage_countries` names them."""
    found = {
        country_of(place) for place in foreign_places(question) if place.lower() not in _NOWHERE
    }
    found.update(EMBARGOES[name][1] for name in embargoes_named(question))
    out: set[str] = set()
    for country in found:
        words = _WORDS.findall(country)
        if words:
            out.update(_COUNTRY_WORDS[w.lower()] for w in words)
        else:
            out.add(country)
    return frozenset(out)


def beside_the_point(question: str, passages: Iterable[SearchResult]) -> set[int]:
    """Positions of the passages about countries the question does not name, when it names a
    destination (none when it names none)."""
    asked = question_countries(question)
    if not asked:
        return set()
    return {
        i
        for i, p in enumerate(passages)
        if (countries := passage_countries(p)) and not countries & asked
    }

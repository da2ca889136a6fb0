"""Whether the places a question names are ones the military end-use rule reaches.

15 CFR 744.21(a) is not worldwide. It names where it applies: a 'military end use' in Burma,
Cambodia, China, Nicaragua or Venezuela ((a)(1)) or in Belarus or Russia ((a)(2)), and those
countries' 'military end users' wherever located; and it says who counts outside them: "'Military
end users' located outside of Burma, Cambodia, China, Nicaragua, or Venezuela are limited to
entities identified on the 'Military End-User' (MEU) List". So "EAR99 laptops for the Indonesian
navy" does not turn on supplement no. 2 to part 744 at all: 744.21 reaches that sale only if a
list names the end user. The countries are read from the section's own sentences, so a later
version of the text that adds or removes one is followed; the other names a question may use for
them (its people, its capital, "Myanmar", China's cities) are geography
(`question_facts.names_of`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answering.question_facts import embargoes_named, foreign_places, names_of
from assistant.text import cached_pattern

# "'Military end users' located outside of Burma, ..., or Venezuela are limited to entities
# identified on the 'Military End-User' (MEU) List under supplement no. 7 to this part."
OUTSIDE_LIMITED = re.compile(
    r"\blocated outside of (?P<places>[^.;]+?) are limited to entities identified on the "
    r"(?P<list>[^.;]+?) under supplement no\. (?P<supplement>\d+)",
    re.I,
)
_SEPARATOR = re.compile(r",\s*(?:or\s+|and\s+)?|\s+(?:or|and)\s+")
_PARENTHESISED = re.compile(r"\(([^()]+)\)\s*$")

# Words DESTINATIONS matches that name no country: they leave the destination open.
_VAGUE = frozenset(["abroad", "overseas", "worldwide", "foreign", "europe", "eu"])


@dataclass(frozen=True)
class Reach:
    """The countries a "located outside of ..." sentence names, and the list that names the
    military end users located elsewhere."""

    countries: tuple[str, ...]
    listing: str


def reach(sentence: str) -> Reach | None:
    """The countries and the list a "located outside of X are limited to entities identified on
    the Y" sentence names ("the People's Republic of China (China)" is "China")."""
    m = OUTSIDE_LIMITED.search(sentence)
    if m is None:
        return None
    countries = []
    for part in _SEPARATOR.split(m.group("places")):
        name = part.strip()
        short = _PARENTHESISED.search(name)
        name = (short.group(1) if short else name).removeprefix("the ").strip()
        if name:
            countries.append(name)
    return Reach(tuple(countries), m.group("list").strip()) if countries else None


# Where an item was made, passes through or whose parent owns the buyer: not where its military
# end use is ("boards made in China", "via a Hong Kong warehouse", "a German firm with a Chinese
# parent").
_NOT_THE_END_USE_BEFORE = re.compile(
    r"(?:(?:made|manufactured|produced|built|sourced|assembled)\s+in|through|via|from)\s+"
    r"(?:an?\s+|the\s+)?$"
)
_NOT_THE_END_USE_AFTER = re.compile(
    r"^(?:-|\s+)(?:made|origin|built|manufactured|parent|owner|shareholder|warehouse|"
    r"transit|port)\b"
)


def names_any(text: str, countries: tuple[str, ...]) -> bool:
    """Whether the text names one of the countries, its people or one of its places as where
    the end use or the end user is (not as an item's origin, a transit point or an owner)."""
    lowered = text.lower()
    for country in countries:
        for name in names_of(country):
            for m in cached_pattern(rf"(?<![\w'-]){re.escape(name)}(?![\w'-])").finditer(lowered):
                before = lowered[max(0, m.start() - 30) : m.start()]
                after = lowered[m.end() : m.end() + 20]
                if _NOT_THE_END_USE_BEFORE.search(before) or _NOT_THE_END_USE_AFTER.match(after):
                    continue
                return True
    return False


def only_places_outside(text: str, countries: tuple[str, ...]) -> bool:
    """Whether the text names a destination, and every destination it names is outside the
    countries: "a distributor in Indonesia", not "abroad" (which leaves it open), not "a Chinese
    army unit in Indonesia" (its end user is one of theirs), and not an embargoed place (part 746
    decides those)."""
    embargoed = bool(embargoes_named(text))
    definite = [n for n in foreign_places(text) if n.lower() not in _VAGUE]
    return bool(definite) and not embargoed and not names_any(text, countries)

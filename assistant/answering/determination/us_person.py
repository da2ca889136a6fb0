"""A U.S. person's own support for an end use part 744 names, with no item exported (744.6(b),
(c)(2)): the licence is for the support itself.

Apart from `end_use`, whose end uses it shares, because the question sends nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from assistant.answering.determination.basis import (
    Finding,
    Lookup,
    _first_in_section,
    _sentence,
    _with_section,
)
from assistant.answering.determination.end_use import (
    _ADVANCED_NODE,
    _END_USES,
    _FAB_WORDS,
    _named_end_user,
)
from assistant.answering.determination.facts import _D5_WORDS, _E1_E2
from assistant.answering.determination.section_terms import _operative
from assistant.answering.question_facts import (
    EMBARGOES,
    asserted,
    country_of,
    foreign_places,
    place_sent_to,
)
from assistant.models import SearchResult

# A U.S. person's own help, not an item sent: "our engineers support", "help a military
# intelligence unit", "even if no U.S. items are exported".
_US_PERSON = re.compile(
    r"\bU\.?\s?S\.?[- ](?:persons?|citizens?|nationals?|engineers?|staff|employees?)\b|"
    r"\bAmerican (?:citizens?|engineers?|staff|employees?|nationals?)\b",
    re.I,
)
_SUPPORTS = re.compile(
    r"\b(?:help\w*|support\w*|assist\w*|servic\w*|train\w*|consult\w*|perform\w*|"
    r"repair\w*|maint\w*|install\w*|overhaul\w*|refurbish\w*|"
    r"facilitat\w*|work(?:s|ing)? (?:for|with|on))\b",
    re.I,
)
_NO_ITEM = re.compile(
    r"\b(?:no|without)\s+(?:U\.?S\.?(?:[- ]origin)?\s+)?(?:items?|goods|products?|exports?|"
    r"exporting|shipping|equipment)\b|"
    r"\bnot? (?:\w+\s+){0,2}export(?:ed|ing)?\b|\bnothing (?:is )?(?:exported|shipped)\b|"
    # "made in Spain and Israel, zero US content", "nothing is US-origin"
    r"\b(?:zero|no|without)\s+(?:any\s+)?U\.?S\.?(?:[- ]origin)?\s+(?:content|parts|components)\b|"
    r"\bnothing\s+(?:in\s+it\s+)?(?:is\s+)?U\.?S\.?[- ](?:origin|made)\b",
    re.I,
)
_US_PERSON_SUPPORT = re.compile(r"\bNo\s+\W?U\.S\. person\W?\s+may, without a license", re.I)
# 744.6(c)(2): U.S. persons' shipping, facilitating or servicing for the "development" or
# "production" of advanced-node ICs at a facility in Macau or Country Group D:5 (China among
# them), whether or not the item is subject to the EAR. The question names a chip plant there.
_FAB = re.compile(
    rf"{_FAB_WORDS}|\b(?:wafer|semiconductor (?:manufactur\w*|production)|chip (?:maker|"
    r"manufactur\w*)|advanced[- ]node|\d{1,2}\s?nm|FinFET|GAAFET)\b",
    re.I,
)
_D5_OR_MACAU = re.compile(_D5_WORDS, re.I)
_US_PERSON_FAB = re.compile(
    r"\bBIS is hereby informing\s+\W?U\.S\. persons\W?\s+that a license is required", re.I
)


# 744.6(b)(5): "... 'military-intelligence end user,' as defined in § 744.22(f), in Belarus,
# Burma, Cambodia, the People's Republic of China, Russia, or Venezuela; or a country listed in
# Country Groups E:1 or E:2"
_MI_SUPPORT_PLACES = re.compile(
    r"military-intelligence end user,?\W*\s+as defined in § 744\.22\(f\)\s*,?\s+in\s+([^;]+)",
    re.I,
)


def _in_mi_support_reach(question: str, pool: Sequence[SearchResult]) -> bool:
    """Whether the question's destination is one 744.6(b)(5) reaches for a military-intelligence
    end user: a country its sentence names (read from the section), or one of Country Groups
    E:1/E:2's."""
    reach = _first_in_section(pool, "15 CFR 744.6", _MI_SUPPORT_PLACES)
    found = _MI_SUPPORT_PLACES.search(_sentence(reach)) if reach is not None else None
    named = found.group(1) if found else ""
    embargoed = place_sent_to(question)
    if embargoed is not None and EMBARGOES[embargoed.group(0).lower()][0] in _E1_E2:
        return True  # Country Groups E:1 and E:2: Cuba, Iran, North Korea, Syria
    places = {country_of(p) for p in foreign_places(question)}
    if embargoed is not None:
        places.add(EMBARGOES[embargoed.group(0).lower()][1])
    return bool(named) and any(p in named for p in places)


def us_person_support_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """A U.S. person's own support for an end use part 744 names, with no item exported (the
    grading's "help a foreign military-intelligence end user even if no US items are
    exported"): 744.6(b) requires a licence for the 'support' itself, for the end uses and
    destinations it lists, so the bottom line rests on 744.6 rather than on the item rules of
    744.2-744.22."""
    if not (_US_PERSON.search(question) and _SUPPORTS.search(question)):
        return None
    fab = bool(_FAB.search(question) and _D5_OR_MACAU.search(question))
    if not _NO_ITEM.search(question) and not fab:
        return None
    pool = _with_section(passages, lookup, "744.6")
    if fab:
        # a chip plant in China: 744.6(c)(2), whatever the item, servicing and installing too
        found = _first_in_section(pool, "15 CFR 744.6", _US_PERSON_FAB)
        if found is not None:
            licence = (
                "a U.S. person needs a licence to ship, transmit, transfer, facilitate or service "
                "(maintain, repair, install) items for the 'development' or 'production' of ICs "
                "there, even items not subject to the EAR (15 CFR 744.6(c)(2), (c)(3))"
            )
            # "I'm told it produces advanced-node logic chips": the question gives the fact
            outcome: Literal["yes", "depends"] = "depends"
            if asserted(_ADVANCED_NODE, question):
                outcome, missing = "yes", []
                text = f"yes — the facility produces 'advanced-node integrated circuits': {licence}"
            else:
                text = (
                    "depends on whether the facility produces 'advanced-node integrated "
                    f"circuits' — if it does, {licence}"
                )
                missing = [
                    "whether the facility produces 'advanced-node integrated circuits' (15 CFR "
                    "744.6(c)(2)(i))"
                ]
            return _operative(
                outcome,
                "U.S. person activities (15 CFR 744.6)",
                text,
                [found],
                "744.6",
                pool,
                missing,
            )
    basis = _first_in_section(pool, "15 CFR 744.6", _US_PERSON_SUPPORT)
    if basis is None:
        return None
    # "for DGCIM", "a military intelligence unit": 744.6(b)(5)'s military-intelligence end user
    # (by the acronym 744.22 names it with, or in words); where it is decides the rest
    intelligence = next((p for sec, p, _ in _END_USES if sec == "744.22"), None)
    named = _named_end_user(question, passages, lookup)
    in_words = intelligence is not None and asserted(intelligence, question)
    if in_words and named is None:
        in_words = _in_mi_support_reach(question, pool)
    if named is not None or in_words:
        who = (
            f"{named[0]}, a military-intelligence end user 15 CFR 744.22 names"
            if named
            else "a military-intelligence end use or end user there"
        )
        text = (
            f"yes — a U.S. person may not, without a licence, 'support' {who} (15 CFR "
            "744.6(b)(5)), even when no item subject to the EAR is exported"
        )
        bases = [basis, *([named[1]] if named else [])]
        return _operative(
            "yes", "U.S. person activities (15 CFR 744.6)", text, bases, "744.6", pool, [], "(b)(5)"
        )
    text = (
        "depends on whether the end use or end user is one 15 CFR 744.6(b) lists — a U.S. "
        "person needs a licence for the 'support' itself, even when no item subject to the EAR "
        "is exported"
    )
    missing = ["whether the end use, end user and destination are among those 744.6(b) lists"]
    return _operative(
        "depends", "U.S. person activities (15 CFR 744.6)", text, [basis], "744.6", pool, missing
    )

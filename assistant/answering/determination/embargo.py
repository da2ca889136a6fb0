"""Embargoed and specially controlled destinations (part 746): a licence for the items the
destination's section names, and what OFAC's authorization counts for.

Apart from `embargo_terms`, which reads what a section itself excepts or adds for particular
items (deemed exports, software, food and medicine), so the destination rule reads on its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from assistant.answering.deemed_exports import national_here, releases_to_a_national
from assistant.answering.determination.basis import (
    Finding,
    Lookup,
    _first_in_section,
    _with_section,
)
from assistant.answering.determination.embargo_terms import (
    _deemed_export,
    _food_and_medicine,
    _listed_software,
)
from assistant.answering.determination.facts import (
    _ECCN,
    _EMBARGO_NAME,
    _VAGUE_PLACE,
    _gives_ccl_eccn,
    _listed,
    _this_deal_sentences,
)
from assistant.answering.determination.section_terms import _operative
from assistant.answering.question_facts import (
    DESTINATIONS,
    EMBARGOES,
    asserted,
    country_of,
    foreign_places,
    names_of,
    place_sent_to,
)
from assistant.models import SearchResult

_LICENSE_IS_REQUIRED = re.compile(
    r"\b(?:a license is required|you (?:will )?need a license)\b", re.I
)
# a requirement stated, not one lifted ("do not require a license")
_REQUIRES = re.compile(
    r"(?<!not )\b(?:license is required|requires? a license|license requirements? (?:set|in|of))\b",
    re.I,
)


_OFAC_EMBARGO = re.compile(r"\bOffice of Foreign Assets Control\b.{0,80}\bembargo\b", re.I)
# 746.7(a)(2): "... if OFAC authorizes an export or reexport, such authorization is considered
# authorization for purposes of the EAR as well."
_OFAC_COUNTS = re.compile(r"\bif OFAC authorizes an export\b", re.I)
# The question says OFAC authorized this deal, or asks about the case where it does: "we hold an
# OFAC specific license", "licensed by OFAC", "OFAC has authorized", "if OFAC grants a license";
# not "do we need an OFAC license?".
_OFAC_AUTHORIZED = re.compile(
    r"\b(?:have|has|hold|holds|got|obtained|received|were\s+granted|was\s+granted|with)\s+"
    r"(?:an?\s+|the\s+|our\s+)?OFAC(?:'s|’s)?\s+(?:(?:specific|general)\s+)?"
    r"(?:licen[cs]e|authori[sz]ation)\b|"
    r"\b(?:licen[cs]ed|authori[sz]ed)\s+by\s+OFAC\b|"
    r"\b(?:if\s+)?OFAC\s+(?:has\s+|had\s+)?(?:licen[cs]e[ds]|authori[sz]e[ds]|grant(?:s|ed))\b|"
    r"\bOFAC\s+(?:has\s+|had\s+)?(?:given|issued|granted)\s+(?:us\s+)?(?:an?\s+|the\s+)?"
    r"(?:(?:specific|general)\s+)?licen[cs]e\b",
    re.I,
)


_ANY_CCL_ITEM = re.compile(
    r"\blicense is required\b[^.]{0,160}\bany item subject to the EAR and specified in any "
    r"Export Control Classification Number\b",
    re.I,
)


def _other_destinations(question: str, place: str, section: str) -> str:
    """What the line says of the message's other destinations ("testers in Brazil, India, Iran
    and Cuba"): another embargoed one by its own section, the rest as outside part 746, so a
    line about the first embargo is not read as the answer for all of them. Not a place the
    item passes through or comes from ("via China", "our Malaysian subsidiary"), nor a word of
    the embargoed name ("Korea" in "North Korea")."""
    deal = " ".join(_this_deal_sentences(question))
    # the other embargoed places the deal sends something to, read as the first was
    # (`place_sent_to`: not a denied one, a demonym, or Moscow, Idaho)
    embargoed: list[tuple[str, str]] = []
    unread = deal
    while (m := place_sent_to(unread)) is not None:
        unread = unread[: m.start()] + " " * (m.end() - m.start()) + unread[m.end() :]
        found = EMBARGOES[m.group(0)]
        if found[0] != section and found not in embargoed:
            embargoed.append(found)
    rest = _EMBARGO_NAME.sub(lambda m: " " * len(m[0]), deal)
    # the countries `foreign_places` reads as places in their context (not "New Mexico",
    # "Paris, Texas", "in Spanish")
    places = set(foreign_places(rest))
    free: list[str] = []
    skipped_to = -1  # where the last place skipped as passed through or ours ended
    for m in DESTINATIONS.finditer(rest):
        name, country = m.group(0), country_of(m.group(0))
        before = rest[max(0, m.start() - 40) : m.start()].lower()
        if (
            _PASSED_THROUGH.search(before)
            or _OUR_SITE.search(before)
            or (
                # "through Turkey and Jordan": the list goes on
                skipped_to >= 0
                and re.fullmatch(r",?\s*(?:and|or)?\s*", rest[skipped_to : m.start()])
            )
        ):
            skipped_to = m.end()
            continue
        if (
            country.lower() in _VAGUE_PLACE
            or name.lower() in names_of(place)
            or country in free
            or (name.lower() != country.lower() and _DEMONYM_FORM.search(name))
            or country not in places
        ):
            continue
        free.append(country)
    said = "".join(f"; {where}: 15 CFR {sec} as well" for sec, where in embargoed)
    if free:
        said += (
            f"; {_listed(free)}: not by this section; there the item's ECCN and the parties decide"
        )
    return said


# a place the item passes through or comes from, not where it goes
_PASSED_THROUGH = re.compile(
    r"\b(?:via|through|transit\w*|from|made\s+in|produced\s+in|origin\s+in)\s+(?:the\s+)?$"
)
_DEMONYM_FORM = re.compile(r"(?:ian|ese|ish|ean|an|i)$", re.I)
# where we are, not where the item goes: "our subsidiary in Brazil", "our office in Mexico City"
_OUR_SITE = re.compile(
    r"\bour\s+(?:[\w-]+\s+)?(?:subsidiary|office|plant|factory|warehouse|branch|affiliate|"
    r"team|engineers?|staff|headquarters|HQ|site|lab)\s+(?:in|at)\s+(?:the\s+)?$"
)


def embargo_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """An embargoed or specially controlled destination (part 746): a licence is required for
    the items the section names; which items depends on the item's classification."""
    m = place_sent_to(" ".join(_this_deal_sentences(question)))
    if m is None:
        return None
    section, place = EMBARGOES[m.group(0)]
    # Part 746's sections open with their licence requirements: with the section's chunks
    # among the passages, `_first_in_section` rests the line on the general requirement.
    pool = _with_section(passages, lookup, section)
    basis = _first_in_section(pool, f"15 CFR {section}", _LICENSE_IS_REQUIRED) or (
        _first_in_section(pool, f"15 CFR {section}", _REQUIRES)
    )
    if basis is None:
        return None
    if national_here(question) and not releases_to_a_national(question):
        # a Cuban forklift driver in Miami, a Russian-born green-card holder: the country is a
        # person's nationality, and nothing controlled goes to it or is released to him
        return None
    if releases_to_a_national(question):
        # technology released to a national of the place, where he or she is: the section's
        # own rule for deemed exports, before any rule for items sent there
        deemed = _deemed_export(question, pool, section, place, basis)
        return _operative(
            deemed[0], f"Embargoes and special controls (15 CFR {section})", *deemed[1:3],
            section, pool, deemed[3],
        )  # fmt: skip
    has_eccn = bool(_ECCN.search(question)) or _gives_ccl_eccn(question)
    outcome: Literal["yes", "depends"] = (
        "yes" if section in ("746.2", "746.4", "746.6", "746.7", "746.9") else "depends"
    )
    bases = [basis]
    text = (
        f"yes for most items subject to the EAR going to {place}"
        if outcome == "yes"
        else f"depends on the item: {place} is under the special controls of 15 CFR {section}"
    )
    ccl = (
        _first_in_section(pool, f"15 CFR {section}", _ANY_CCL_ITEM)
        if _gives_ccl_eccn(question)
        else None
    )
    if ccl is not None:
        # "routers ... They are 5A991" to Belarus: 746.8(a)(1) reaches every item with an ECCN
        outcome, bases = "yes", [ccl]
        text = (
            f"yes — a licence is required for any item specified in an ECCN on the CCL going to "
            f"{place} (15 CFR {section}(a)(1)), unless an exclusion of {section}(a)(12) applies"
        )
    text += _other_destinations(question, place, section)
    # what the section itself lists or excepts for the item given (not once a CCL ECCN made
    # it "yes" under (a)(1))
    for reads in (_listed_software, _food_and_medicine):
        found = reads(question, pool, section, place) if ccl is None else None
        if found is not None:
            outcome, text, bases, missing = found
            return _operative(
                outcome, f"Embargoes and special controls (15 CFR {section})", text, bases,
                section, pool, missing,
            )  # fmt: skip
    ofac = _first_in_section(pool, f"15 CFR {section}", _OFAC_EMBARGO)
    counts = (
        _first_in_section(pool, f"15 CFR {section}", _OFAC_COUNTS)
        if ofac is not None and asserted(_OFAC_AUTHORIZED, " ".join(_this_deal_sentences(question)))
        else None
    )
    if counts is not None:
        # "We hold an OFAC specific license for the Tehran hospital; do we also need a BIS
        # licence?": 746.7(a)(2) makes OFAC's authorization the EAR's too.
        return _operative(
            "depends",
            f"Embargoes and special controls (15 CFR {section})",
            "depends on whether OFAC's authorization covers this export — 15 CFR "
            f"{section}(a)(2): to avoid duplication, an export OFAC authorizes is authorized for "
            "the EAR as well, with no separate BIS licence; what OFAC's rules do not reach may "
            "still need one",
            [counts],
            section,
            pool,
            ["whether the OFAC authorization covers this export, on its terms"],
        )
    if ofac is not None:
        # Iran: the embargo is OFAC's (31 CFR part 560) and reaches EAR99 items too; the EAR's
        # own licence covers only the items 746.7(a)(1) lists. "A BIS licence for most items"
        # would send an exporter of EAR99 goods to the wrong agency.
        bases = [ofac, basis]
        text = (
            f"yes: OFAC's embargo covers exports to {place}, EAR99 items included, and the EAR "
            f"adds a licence requirement for the items 15 CFR {section}(a) lists"
        ) + _other_destinations(question, place, section)
    return _operative(
        outcome,
        f"Embargoes and special controls (15 CFR {section})",
        text,
        bases,
        section,
        pool,
        [] if has_eccn else ["the item's ECCN (or EAR99)"],
    )

"""The other restricted-party rules: the Unverified List (744.15), OFAC's SDN List (744.8), and a
party called "blacklisted" or "restricted" without naming the list.

Apart from the Entity List rule (`entity_list`), which has grown its own module; these are small
and each says what its own list adds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from assistant.answering.determination.basis import (
    Finding,
    FindingLine,
    Lookup,
    _first_in_section,
    _sought,
    _with_section,
    cites,
    find_sentence,
)
from assistant.answering.determination.denial import _GP4, _GP4_QUERY
from assistant.answering.determination.embargo import _OFAC_AUTHORIZED
from assistant.answering.determination.entity_list import EL_QUERY, EL_REQUIRED
from assistant.answering.determination.facts import _ECCN
from assistant.answering.determination.section_terms import _operative
from assistant.answering.question_facts import asserted, negated
from assistant.models import SearchResult

# A party on the Unverified List (744.15): a statement before any shipment that needs no licence,
# and no License Exception (740.2(a)(17)).
_UVL = re.compile(r"\b(?:unver\w*\s+(?:part\w*\s+)?list|UVL)\b", re.I)
_UVL_LIST = re.compile(r"\b(?:unver\w*\s+(?:part\w*\s+)?list|UVL)\b(?!\s+statements?)", re.I)
_UVL_STATEMENT = re.compile(r"\bmust obtain a UVL statement\b", re.I)
_UVL_ELSEWHERE = re.compile(r"\bRequirements found elsewhere in the EAR also apply\b", re.I)
_UVL_NO_EXCEPTIONS = re.compile(r"\blisted on the Unverified List\b", re.I)
_UVL_EEI = re.compile(
    r"\blisted on the Unverified List\b.{0,80}?\bregardless of value or destination\b", re.I | re.S
)
_NO_LICENCE_NEEDED = re.compile(
    r"\bNLR\b|\bno licen[cs]e (?:is )?(?:required|needed)\b"
    r"|\b(?:doesn't|does not|don't|do not|won't|will not)\s+(?:need|require)\s+an?\s+licen[cs]e\b",
    re.I,
)


def unverified_list_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """A party on the Unverified List: the listing adds no licence requirement of its own
    (those elsewhere in the EAR still apply, 744.15(a)), but a shipment that needs no licence
    may go only once the listed party has given a UVL statement (744.15(b)), and no License
    Exception may be used (740.2(a)(17))."""
    # Not mentioned, or only to say the party is not (or no longer) on it: "was removed from
    # the Unverified List ... do we still need a UVL statement?" asks about a statement for a
    # party the question says is off the list.
    listed = asserted(_UVL_LIST, question)
    denied = any(negated(question, m.start(), m.end()) for m in _UVL_LIST.finditer(question))
    if not listed and (denied or not asserted(_UVL, question)):
        return None
    query = "15 CFR 744.15(b) UVL statement: before proceeding you must obtain a UVL statement"
    statement = _sought(passages, lookup, "15 CFR 744.15", _UVL_STATEMENT, query)
    if statement is None:
        return None
    elsewhere = _sought(passages, lookup, "15 CFR 744.15", _UVL_ELSEWHERE, query)
    lines = [
        FindingLine(
            "Licence required",
            "depends on the item and destination (licence requirements elsewhere in the EAR "
            "still apply); a shipment that needs no licence may go only after you obtain a UVL "
            "statement from the listed party",
            [statement, *([elsewhere] if elsewhere is not None else [])],
        )
    ]
    none = _sought(
        passages,
        lookup,
        "15 CFR 740.2",
        _UVL_NO_EXCEPTIONS,
        "15 CFR 740.2(a)(17) restrictions on all License Exceptions: a party to the transaction "
        "is listed on the Unverified List",
    )
    if none is not None:
        lines.append(
            FindingLine(
                "Licence exceptions",
                "none while a party to the transaction is on the Unverified List",
                [none],
            )
        )
    eei = _sought(
        passages,
        lookup,
        "15 CFR 758.1",
        _UVL_EEI,
        "15 CFR 758.1(b)(8) EEI filing required for all exports of tangible items where parties "
        "are listed on the Unverified List, regardless of value or destination",
    )
    if eei is not None:
        lines.append(
            FindingLine(
                "EEI filing",
                "required for every export of tangible items to a party on the Unverified List, "
                "whatever its value or destination (15 CFR 758.1(b)(8))",
                [eei],
            )
        )
    given = _NO_LICENCE_NEEDED.search(question) or _ECCN.search(question)
    return Finding(
        "depends",
        "Unverified List (15 CFR 744.15)",
        lines,
        [] if given else ["whether the item needs a licence to that destination"],
        operative=True,
    )


# A party on OFAC's SDN List with one of the identifiers 744.8(a)(1) lists ([RUSSIA-EO14024],
# [SDGT], [SDNTK] ...): an EAR licence for any item subject to the EAR (744.8(b)), unless OFAC
# authorizes it; no License Exception (744.8(c)); presumption of denial (744.8(d)).
_SDN = re.compile(
    r"\bSDNs?\b|\bSpecially\s+Designated\s+Nationals?\b|\bblocked\s+(?:person|party|entity)", re.I
)
_SDN_IDENTIFIER = re.compile(r"\[([A-Z][A-Z0-9]*(?:[- ][A-Z0-9]+)*)\]")
_SDN_REQUIRED = re.compile(
    r"\ba license is required under the EAR for the export\b.{0,300}?\bSDN List\b", re.I | re.S
)
_SDN_QUERY = (
    "15 CFR 744.8 SDN List identifiers: a license is required under the EAR for the export of any "
    "item subject to the EAR when a person designated on OFAC's SDN List is a party"
)


def sdn_party_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """A party the question says is on OFAC's SDN List: 744.8 adds an EAR licence requirement
    for any item subject to the EAR, EAR99 included, when the party's SDN identifier is one
    744.8(a)(1) lists (read from the section itself), unless OFAC has authorized the
    transaction; "depends on the identifier" when the question gives none of them."""
    if not asserted(_SDN, question):
        return None
    pool = _with_section(passages, lookup, "744.8")
    required = _first_in_section(pool, "15 CFR 744.8", _SDN_REQUIRED)
    if required is None and lookup is not None:
        required = find_sentence(lookup(_SDN_QUERY), "15 CFR 744.8", _SDN_REQUIRED)
    if required is None:
        return None
    listed = {
        tag for p in pool if cites(p, "15 CFR 744.8") for tag in _SDN_IDENTIFIER.findall(p.text)
    }
    given = [
        tag
        for tag in sorted(listed, key=len, reverse=True)
        if re.search(rf"(?<![\w-]){re.escape(tag)}(?![\w-])", question)
    ]
    if asserted(_OFAC_AUTHORIZED, question):
        # "OFAC has given us a specific licence": 744.8(b) applies only "unless ... authorized
        # under an OFAC specific or general license"
        return _operative(
            "depends",
            "SDN List parties (15 CFR 744.8)",
            "depends on whether OFAC's licence covers this transaction — if it does, 15 CFR "
            "744.8(b) adds no EAR licence requirement for the SDN party (it applies unless OFAC "
            "has authorized the transaction); the item's own EAR requirements still apply",
            [required],
            "744.8",
            pool,
            ["whether OFAC's licence covers this export"],
        )
    if given:
        outcome: Literal["yes", "depends"] = "yes"
        text = (
            f"yes — a person on OFAC's SDN List with the identifier [{given[0]}] is a party: "
            "15 CFR 744.8(b) requires an EAR licence for any item subject to the EAR, EAR99 "
            "included, unless OFAC has authorized the transaction"
        )
        missing: list[str] = []
    else:
        outcome = "depends"
        text = (
            "depends on the party's SDN identifier — 15 CFR 744.8(b) requires an EAR licence for "
            "any item subject to the EAR, EAR99 included, when a party is on OFAC's SDN List "
            "with an identifier 744.8(a)(1) lists (Russia- and Ukraine-related, terrorism, WMD, "
            "narcotics), unless OFAC has authorized the transaction"
        )
        missing = ["the party's identifier on the SDN List"]
    finding = _operative(
        outcome, "SDN List parties (15 CFR 744.8)", text, [required], "744.8", pool, missing
    )
    if outcome == "yes":
        # 90 FR 50857 stayed 744.8(b)'s first sentence until Nov. 9, 2026: on a day the stay
        # holds, the EAR requirement does not (OFAC's own sanctions still do)
        finding.if_stayed = (
            0,
            "depends",
            "depends on OFAC's sanctions, not the EAR's — the EAR licence requirement of 15 CFR "
            "744.8(b) for SDN parties is stayed on this day",
        )
    return finding


# A party said to be restricted without naming the list ("blacklisted", "debarred", "a
# restricted party"): which list decides the rule.
_RESTRICTED = re.compile(
    r"\b(?:black-?listed|blacklist|debarred|restricted part(?:y|ies)|sanctioned (?:company|"
    r"companies|firm|firms|party|parties|entity|entities|customer))\b",
    re.I,
)


def restricted_party_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """A party called "blacklisted" or "debarred": the EAR has several lists, each with its own
    rule, so the outcome depends on which one names the party. The Entity List's licence
    requirement (744.11(a)) and General Prohibition Four (736.2(b)(4)) are cited as the two
    that reach every item."""
    if not asserted(_RESTRICTED, question):
        return None
    el = _sought(passages, lookup, "15 CFR 744.11", EL_REQUIRED, EL_QUERY)
    gp4 = _sought(passages, lookup, "15 CFR 736.2", _GP4, _GP4_QUERY)
    basis = [b for b in (el, gp4) if b is not None]
    if not basis:
        return None
    return Finding(
        "depends",
        "Restricted parties (15 CFR 744.11, 736.2(b)(4))",
        [
            FindingLine(
                "Licence required",
                "depends on which list names the party: on the Entity List a licence is "
                "required for any item subject to the EAR; under a denial order the "
                "transaction is prohibited",
                basis,
            )
        ],
        ["which list names the party (screen it against the Consolidated Screening List)"],
        operative=True,
    )

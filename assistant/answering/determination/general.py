"""The general rule: any other licence question depends on the facts 736.2(a) names, and the
answer says which the question did not give.

Apart because it is the last rule tried and speaks only when no other decided.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.determination.basis import (
    Basis,
    Finding,
    FindingLine,
    Lookup,
    _first_in_section,
    _matching,
    _sentence,
    _with_section,
)
from assistant.answering.determination.entity_list import _MENTIONS_ENTITY_LIST
from assistant.answering.determination.exceptions import (
    _named_exceptions_first,
    licence_exception_line,
)
from assistant.answering.determination.facts import (
    _ECCN,
    _EMBARGO_NAME,
    _listed,
    _missing_parties,
    party_names,
)
from assistant.answering.determination.listing import _ENTITY_LIST
from assistant.answering.listed_names import names_as_party
from assistant.answering.question_facts import DESTINATIONS, asserted, placed_in_us
from assistant.models import SearchResult
from assistant.text import cached_pattern, chunk_sentences

_PROHIBITS = re.compile(
    r"\b(?:you may not|may not|is required|are required|requires?|must not|prohibit\w*)\b", re.I
)


_FIVE_FACTS = re.compile(r"\bfive types of facts determine your obligations\b", re.I)


# the general rule's missing facts that decide a licence question before any other
ITEM_FACT = "the item's ECCN (or EAR99)"
DESTINATION_FACT = "the destination"


def _named_beside_entity_list(question: str, passages: Sequence[SearchResult]) -> str | None:
    """A party the question names (in a party's place) that a passage names in a sentence about
    the Entity List without adding it there: "two Entity List parties, SMIC Northern Integrated
    Circuit Manufacturing (Beijing) Co., Ltd. and ..." for "spare parts to SMIC". Whether the
    party is listed is then what the answer turns on first, though the corpus does not settle
    it (a brand word, a recalled listing)."""
    names = [n for n in party_names(question) if names_as_party(question, n)]
    if not names or _SCREENED_CLEAR.search(question):
        return None
    for basis in _matching(passages, "", _ENTITY_LIST):
        if re.search(r"\bremov(?:e|es|ed|ing|al)\b", _sentence(basis), re.I):
            continue  # ("removes two Entity List entities, Sandvine ...")
        for m in _ENTITY_LIST_PARTIES.finditer(_sentence(basis)):
            # (a name that begins one of the names listed: "SMIC" of "SMIC Northern ...", in
            # any place but the United States: a listed company's sister elsewhere is worth
            # screening, and the line only says "depends")
            listed = m.group("names")
            for name in names:
                # (a company's name, run to its form or to the end of the list: "SMIC Northern
                # ... Co., Ltd.", "including Huawei and HiSilicon."; not "Nvidia said ...")
                at = cached_pattern(
                    rf"(?:^|,\s+|\band\s+|\bincluding\s+){re.escape(name)}(?![\w-])"
                    r"(?:\s+(?:[A-Z][\w&'’.-]*|\([^)]*\)|of|and|for|the|de))*?"
                    r"(?:,?\s+(?:Co\.|Company|Corp\.|Corporation|Inc\.|Incorporated|Ltd\.?|Limited|"
                    r"LLC|GmbH|University|Institute|Academy)|\s*\.?\s*$)"
                )
                if at.search(listed) and not placed_in_us(question, name):
                    return name
    return None


# The question settles the screening itself: "screened SMIC: no hits", "not on any list".
_SCREENED_CLEAR = re.compile(
    r"\b(?:no\s+hits?|screen\w*\s+(?:\w+\s+){0,3}(?:clear|clean)|is\s+clear|not\s+on\s+"
    r"(?:any|the\s+Consolidated\s+Screening)|not\s+(?:listed|designated))\b",
    re.I,
)


# "... for two Entity List parties, SMIC Northern Integrated Circuit Manufacturing (Beijing) Co.,
# Ltd. and Semiconductor Manufacturing International (Beijing) Corporation, without ...": the
# names a sentence calls Entity List parties (not ones it adds: `names_added`).
_ENTITY_LIST_PARTIES = re.compile(
    r"\bEntity List (?:part(?:y|ies)|entit(?:y|ies)),?\s+(?:namely\s+|including\s+)?"
    r"(?P<names>[A-Z][^;:]{0,250})"
)


def general_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None = None
) -> Finding | None:
    """Any other licence question: it depends on the facts 736.2 names (the item's
    classification, the destination, the end user and end use). States which of them the
    question did not give, resting on 736.2(a), the sentence that says so ("The following five
    types of facts determine your obligations ..."), or without it on the best retrieved
    regulation sentence that states a requirement or a prohibition."""
    pool = _with_section(passages, lookup, "736.2")
    basis = _first_in_section(pool, "15 CFR 736.2", _FIVE_FACTS)
    for p in passages[:5] if basis is None else ():
        if p.metadata.get("doc_type") != "regulation":
            continue
        for a, b in chunk_sentences(p.text):
            if _PROHIBITS.search(p.text[a:b]) and b - a > 40:
                basis = Basis(p, p.start + a, p.start + b)
                break
        if basis is not None:
            break
    exception = (
        licence_exception_line(
            _named_exceptions_first(question, passages, lookup), question, lookup
        )
        if basis is None
        else None
    )
    if basis is None and exception is None:
        return None
    missing = []
    if not asserted(_ECCN, question):  # ("The item is not EAR99": its ECCN is still unknown)
        missing.append(ITEM_FACT)
    if not DESTINATIONS.search(question) and not _EMBARGO_NAME.search(question):
        missing.append(DESTINATION_FACT)
    if not _MENTIONS_ENTITY_LIST.search(question):
        beside = _named_beside_entity_list(question, passages)
        if beside is not None:
            missing.insert(0, f"whether {beside} is on the Entity List (screen it)")
        missing.extend(_missing_parties(question))
    if basis is None and exception is not None:
        # No requirement among the passages, but a License Exception: whether one is needed
        # still turns on the facts, and the exception is where to look.
        text = "depends on " + (_listed(missing) if missing else "the item and destination")
        text += "; a License Exception may authorize it without one"
        return Finding(
            "depends",
            "License Exceptions (15 CFR part 740)",
            [FindingLine("Licence required", text, exception.basis), exception],
            missing,
        )
    assert basis is not None
    rule_cite = basis.passage.citation.split("(", 1)[0]
    text = "depends on " + (
        _listed(missing) if missing else "whether the provision quoted covers the case"
    )
    return Finding(
        "depends",
        f"{rule_cite}",
        [FindingLine("Licence required", text, [basis])],
        missing,
        general=True,
    )

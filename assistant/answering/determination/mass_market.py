"""Mass-market encryption (742.15(a)(1)): out of the EI licence requirement once classified,
never "no licence" for what is left.

Apart because it answers only the encryption control; destinations and parties decide the rest.
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
from assistant.answering.question_facts import DESTINATIONS, asserted, place_sent_to
from assistant.models import SearchResult

_MASS_MARKET = re.compile(r"\bmass[- ]market\b", re.I)
_ENCRYPTION = re.compile(
    r"\b(?:encrypt\w*|crypto\w*|cipher\w*|TLS|SSL|HTTPS|AES|VPN|5[AD]99[12]|5[AD]002)\b", re.I
)
_MASS_MARKET_BASIS = re.compile(
    r"\bself-classification\b.{0,200}\bmass market\b.{0,80}\b5A992 or 5D992\b", re.I
)


_SAYS_CLASSIFIED = re.compile(r"\b(?:self-)?classifi(?:ed|cation)\b|\b5[AD]992\b", re.I)


_NON_STANDARD_CRYPTO = re.compile(
    r"\bnon-?standard\s+(?:crypto\w*|ciphers?|algorithms?|encryption)|"
    r"\b(?:proprietary|unpublished|home-?grown|in-?house|custom)\s+(?:\([\w\s-]+\)\s+)?"
    r"(?:ciphers?|crypto\w*|encryption\s+algorithms?|algorithms?)\b",
    re.I,
)


def mass_market_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """Mass-market encryption (742.15(a)(1)): once classified or self-classified as mass
    market, an item is 5A992 or 5D992 and out of the encryption (EI) licence requirement; what
    is left turns on the destination and the parties (embargoes and lists are rules of their
    own, tried first). Never "no licence": the Country Chart is not in the corpus."""
    if not asserted(_MASS_MARKET, question) or not _ENCRYPTION.search(question):
        return None  # not said, denied ("non-mass-market"), or not about encryption (drones)
    if _NON_STANDARD_CRYPTO.search(question):
        # "our own proprietary (unpublished) cipher": non-standard cryptography is a 740.17(b)(3)
        # item, classified by BIS first; "mass market" is what the asker hopes, not the rule
        return None
    pool = _with_section(passages, lookup, "742.15")
    basis = _first_in_section(pool, "15 CFR 742.15", _MASS_MARKET_BASIS)
    if basis is None:
        return None
    # (not asked again of a question that says so: "self-classified as 5D992")
    missing = (
        []
        if _SAYS_CLASSIFIED.search(question)
        else ["whether the item is classified or self-classified as mass market (740.17)"]
    )
    if not DESTINATIONS.search(question) and place_sent_to(question) is None:
        missing.append("the destination")
    text = (
        "depends on the destination and the parties — classified or self-classified as mass "
        "market, the item is 5A992 or 5D992 and no longer under the encryption licence "
        "requirement of 15 CFR 742.15(a)(1)"
    )
    return Finding(
        "depends",
        "Mass-market encryption (15 CFR 742.15(a)(1))",
        [FindingLine("Licence required", text, [basis])],
        missing,
        operative=True,
    )

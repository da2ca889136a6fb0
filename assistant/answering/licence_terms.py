"""Whether a question asks to act against the terms or conditions of a licence it holds.

General Prohibition Nine (15 CFR 736.2(b)(9)) forbids violating "terms or conditions of a
license or of a License Exception", and no License Exception overcomes it. A customer who
"paid for the machine" and wants to move it to another country, when the licence says "no
reexport without prior BIS authorization", is not asking whether the machine's ECCN needs a
licence for the new country: the licence's own condition decides, whoever owns the item. Only a
licence the question holds counts ("our licence ... has a condition"); a condition the question
asks about in general ("what conditions do BIS licences carry?") is not a plan to act on.
"""

from __future__ import annotations

import re

# A licence the question holds: "our BIS license", "the licence we got", "we hold a licence".
_HELD = re.compile(
    r"\b(?:our|my|the\s+customer's|this|that)\s+(?:(?:BIS|export|individual|existing|current)"
    r"\s+)*licen[cs]e\b(?!\s+(?:applications?|exceptions?|agreements?|keys?|fees?))|"
    r"\b(?:we|I|they)\s+(?:have|hold|got|obtained|received)\s+(?:a|an|the)\s+"
    r"(?:(?:BIS|export|individual)\s+)*licen[cs]e\b",
    re.I,
)
# What the licence says: a condition, a term, or a limit in its own words.
_CONDITION = re.compile(
    r"\b(?:conditions?|provisos?|riders?|terms)\b|"
    r"\b(?:says|states|stipulates|specifies|requires|prohibits|forbids|limits|restricts)\b"
    r"[^.?!;]{0,60}\b(?:no|not|only|without|prior)\b|"
    r"\b(?:limited|restricted)\s+to\b|\bonly\s+(?:for|be\s+used|to)\b|"
    r"\bno\s+(?:re-?export|resale|re-?transfer|transfer)\w*\b",
    re.I,
)
# An act against it the question proposes: moving, reselling, re-exporting, another use.
_ACT = re.compile(
    r"\b(?:move|moving|relocate|relocating|resell|reselling|re-?sell|re-?export\w*|"
    r"transfer\w*|ship\w*|lend|lending|loan|use\s+(?:some|it|them|one)|using\s+(?:some|it|them)|"
    r"sell|selling|give|giving|send|sending|repurpose\w*)\b",
    re.I,
)


# A commercial licence, not one issued under the EAR: "our licence agreement with the CAD
# vendor", "software licence", "seats"
_COMMERCIAL = re.compile(
    r"\blicen[cs]e\s+(?:agreements?|keys?|fees?)\b|\b(?:software|end[- ]user|EULA|vendor)\s+"
    r"licen[cs]e|\bseats?\b|\bEULA\b",
    re.I,
)
# An act already done ("Last year we transferred two units despite the condition"): a
# violation to disclose, not an authorization to seek
_DONE = re.compile(
    r"\b(?:moved|resold|sold|re-?exported|transferred|shipped|lent|used|gave|sent)\b[^.?!;]{0,60}"
    r"\b(?:despite|in\s+breach|against|contrary\s+to|without)\b",
    re.I,
)


def acts_against_licence_terms(question: str) -> bool:
    """Whether the question holds a licence that states a condition (in the same sentence:
    not a competitor's licence beside it), and proposes an act the condition may forbid: the
    terms decide (General Prohibition Nine). Not a commercial licence agreement, and not an act
    already done."""
    if _COMMERCIAL.search(question) or _DONE.search(question):
        return False
    for sentence in re.split(r"(?<=[.;?!])\s+", question):
        held = _HELD.search(sentence)
        if held is not None and _CONDITION.search(sentence[held.start() :]):
            rest = question[question.find(sentence) + held.end() :]
            if _ACT.search(rest):
                return True
    return False

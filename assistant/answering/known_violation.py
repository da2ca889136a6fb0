"""Whether a question states that a violation of the EAR has occurred or is about to occur in
connection with the item it asks about, and what it asks to do with that item.

General Prohibition Ten (15 CFR 736.2(b)(10), and 764.2(e) in the same words) forbids anyone to
forward, store, sell, finance or otherwise service an item with knowledge of such a violation,
and no License Exception overcomes it: a forwarder who has "learned the client shipped earlier
lots without the required licence" is not asking whether the pallet's ECCN needs a licence. The
question's own statement is the knowledge; the rule needs nothing else from it. Only what the
question asserts counts: "we don't know of any violation" or "what if the customer diverted it?"
state no knowledge.
"""

from __future__ import annotations

import re

from assistant.answering.question_facts import negated

# A licence that was needed and not had: "without the required licence", "without a licence
# that was required", "without the licence it needed". A bare "without a licence" is what many
# questions ask about ("Can we ship it without a licence?"), so the requirement must be stated.
_UNLICENSED = re.compile(
    r"\b(?:shipped|exported|re-?exported|sent|sold|delivered|transferred|diverted|moved|released)"
    r"\b[^.?!;]{0,120}?\bwithout\s+(?:(?:a|an|the|any)\s+)?"
    r"(?:(?:required|necessary|needed|proper|valid)\s+(?:(?:export|BIS|U\.?S\.?)\s+)?licen[cs]es?"
    r"|(?:(?:export|BIS|U\.?S\.?)\s+)?licen[cs]es?\s+(?:that|which|they|it|we)\s+"
    r"(?:was\s+|were\s+)?(?:required|needed|necessary))\b",
    re.I,
)
# A violation named as a fact, not asked about: "shipped them in violation of the EAR",
# "unlawfully exported", "the customer diverted earlier lots to Iran".
_VIOLATION_STATED = re.compile(
    r"\b(?:in\s+violation\s+of|unlawfully|illegally)\b[^.?!;]{0,40}?"
    r"|\b(?:shipped|exported|re-?exported|sent|sold|delivered|transferred)\b[^.?!;]{0,80}?"
    r"\b(?:in\s+violation\s+of|unlawfully|illegally)\b"
    r"|\b(?:diverted|has\s+diverted|have\s+diverted)\b",
    re.I,
)
# One about to occur: a party the question names says it will send the item on unlawfully.
_ABOUT_TO = re.compile(
    r"\b(?:customer|client|buyer|distributor|consignee|end[- ]user|importer|they|he|she)\b"
    r"[^.?!;]{0,40}?\b(?:will|plans?\s+to|intends?\s+to|is\s+going\s+to|are\s+going\s+to|"
    r"wants?\s+to)\s+(?:\w+\s+){0,2}?(?:re-?export|divert|send|ship|resell|forward|transfer)\w*"
    r"\b[^.?!;]{0,80}?\b(?:without\s+(?:(?:a|an|the|any)\s+)?(?:required\s+)?licen[cs]e|"
    r"in\s+violation\s+of)\b",
    re.I,
)
_QUESTION_ONLY = re.compile(r"\b(?:what\s+if|suppose|hypothetically|in\s+case)\b", re.I)
# Someone else's deal: "Our competitor shipped routers to Iran without the required licence"
# is no violation in connection with the item the question would sell.
_OTHERS_DEAL = re.compile(r"\b(?:competitors?|rivals?|another\s+(?:company|exporter|firm))\b", re.I)

# What the question would do with the item: forward it, hold it, sell it, ship it back.
_ACTS = re.compile(
    r"\b(?:forward|move|ship|send|store|hold|keep|sell|resell|finance|deliver|service|repair|"
    r"transport|handle|release|return|bring|export|re-?export|fill|complete|proceed|continue|"
    r"exposed|liable|liability|risk)\w*\b",
    re.I,
)
# Back to the United States: 764.5(g)(1)(iii) needs only a notice to the Director of OEE.
_RETURN = re.compile(
    r"\b(?:back\s+to\s+(?:us|the\s+(?:U\.?S\.?A?|United\s+States)|our\s+\w+)|"
    r"return(?:ed|ing|s)?\s+(?:\w+\s+){0,3}?to\s+(?:us|the\s+(?:U\.?S\.?A?|United\s+States))|"
    r"(?:ship|send|bring)\w*\s+(?:\w+\s+){0,4}?back|re-?import\w*)\b",
    re.I,
)
_DISCLOSED = re.compile(
    r"\bvoluntary\s+self[- ]disclosures?\b|\bVSDs?\b|\bself[- ]disclos\w+|"
    r"\bdisclos(?:ed|ing|ure)\b[^.?!;]{0,30}\b(?:BIS|OEE)\b",
    re.I,
)


def _sentences(question: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?!;])\s+", question) if s.strip()]


def _asked(question: str) -> list[str]:
    """Its question sentences (the whole text when none ends in "?")."""
    return [s for s in _sentences(question) if s.rstrip().endswith("?")] or [question]


def knows_of_violation(question: str) -> bool:
    """Whether the question states, as a fact, a violation in connection with its item: one
    that has occurred (shipped without the licence that was required, diverted, unlawfully
    exported) or one a party has said it will commit."""
    for sentence in _sentences(question):
        if _QUESTION_ONLY.search(sentence) or _OTHERS_DEAL.search(sentence):
            continue
        for pattern in (_UNLICENSED, _VIOLATION_STATED, _ABOUT_TO):
            # the negation is looked for before the statement only: its own "without" is
            # what it states
            if any(not negated(sentence, m.start()) for m in pattern.finditer(sentence)):
                return True
    return False


def acts_on_item(question: str) -> bool:
    """Whether it asks about doing something with the item (forwarding, storing, selling,
    shipping it back) or about its exposure, not only how to disclose or what penalties are."""
    return any(_ACTS.search(s) for s in _asked(question))


def asks_return(question: str) -> bool:
    """Whether what it asks to do is bring the item back to the United States."""
    return any(_RETURN.search(s) for s in _asked(question))


def disclosed(question: str) -> bool:
    """Whether it says the violation is (being) disclosed to BIS under 15 CFR 764.5."""
    return bool(_DISCLOSED.search(question))

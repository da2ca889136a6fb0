"""Denial orders: General Prohibition Four (736.2(b)(4)) forbids whatever the order prohibits,
whatever the item or destination, and no License Exception authorizes it.

Apart because it comes first among the party rules: a denied party settles the answer whatever
the item or destination.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.determination.basis import Finding, FindingLine, Lookup, _sought
from assistant.answering.question_facts import asserted
from assistant.models import SearchResult

# A person denied export privileges: General Prohibition Four (736.2(b)(4)) in its own words.
_DENIAL = re.compile(
    r"\b(?:(?:temporary\s+)?denial\s+orders?|denied\s+(?:persons?|part(?:y|ies)|export\s+"
    r"privileges)|TDOs?|DPL|export privileges (?:were|have been|are|was) (?:denied|revoked)|"
    # "an order denying his export privileges for seven years"
    r"den(?:ying|ies)\s+(?:\w+\s+){0,2}export\s+privileges)\b",
    re.I,
)
# an order no longer in force: "it expired in 2017", "BIS terminated it early"
_ORDER_ENDED = re.compile(
    r"\b(?:expired|terminated|lifted|rescinded|revoked\s+(?:the\s+order|on\s+appeal)|vacated|"
    r"no\s+longer\s+in\s+(?:force|effect))\b|"
    # (said of the order: "the TDO lapsed", "it was not renewed", "the order was set aside")
    r"\b(?:order|TDO|it)\b[^.;?]{0,20}?\b(?:lapsed|ended|ran\s+out|not\s+renewed|withdrawn|"
    r"cancell?ed|set\s+aside)\b",
    re.I,
)
_GP4 = re.compile(r"\bmay not take any action that is prohibited by a denial order\b", re.I)
_GP4_NO_EXCEPTIONS = re.compile(
    r"\bno License Exceptions\b.*\bGeneral Prohibition Four\b", re.I | re.S
)
_GP4_QUERY = (
    "15 CFR 736.2(b)(4) General Prohibition Four (Denial Orders): you may not take any action "
    "that is prohibited by a denial order; no License Exceptions authorize conduct prohibited"
)


# The only way to deal with a denied person: BIS's authorization on a written request
# (764.3(a)(2)), the counterpart of 764.5(g)'s permission for a known violation.
_DENIAL_AUTHORIZATION = re.compile(
    r"\bAuthorization to engage in actions otherwise prohibited by a denial order may be given by "
    r"the Office of Exporter Services\b",
    re.I,
)
_DENIAL_AUTHORIZATION_QUERY = (
    "15 CFR 764.3(a)(2) Authorization to engage in actions otherwise prohibited by a denial order "
    "may be given by the Office of Exporter Services upon a written request"
)
_DENIAL_AUTHORIZATION_TEXT = (
    "BIS's Office of Exporter Services may authorize an action the order otherwise prohibits, "
    "on a written request, as 15 CFR 764.3(a)(2) provides"
)


def denial_order_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """A party under a denial order: General Prohibition Four forbids any action the order
    prohibits, whatever the item or destination (736.2(b)(4)(i)), and no License Exception
    authorizes it (736.2(b)(4)(ii)). It comes before every other rule: a licence or exception
    that would otherwise cover the item does not help."""
    if not _DENIAL.search(question):
        return None
    prohibited = _sought(passages, lookup, "15 CFR 736.2", _GP4, _GP4_QUERY)
    if prohibited is None:
        return None
    # "Our forwarder was named in a denial order": prohibited. "None of the parties are denied
    # persons", "the order expired in 2022": only whether one is in force decides.
    denied = asserted(_DENIAL, question) and not _ORDER_ENDED.search(question)
    lines = [
        FindingLine(
            "Licence required",
            "the transaction is prohibited — no one may take an action a denial order "
            "prohibits (General Prohibition Four), whatever the item or destination"
            if denied
            else "depends on whether a party is subject to a denial order in force: no one may "
            "take an action such an order prohibits (General Prohibition Four)",
            [prohibited],
        )
    ]
    none = _sought(passages, lookup, "15 CFR 736.2", _GP4_NO_EXCEPTIONS, _GP4_QUERY)
    if none is not None:
        lines.append(
            FindingLine(
                "Licence exceptions",
                "none: no License Exception authorizes what a denial order prohibits",
                [none],
            )
        )
    # (only for a party under an order in force: one that ended, or none, needs no permission)
    authorization = (
        _sought(
            passages, lookup, "15 CFR 764.3", _DENIAL_AUTHORIZATION, _DENIAL_AUTHORIZATION_QUERY
        )
        if denied
        else None
    )
    if authorization is not None:
        lines.append(FindingLine("Authorization", _DENIAL_AUTHORIZATION_TEXT, [authorization]))
    return Finding(
        "yes" if denied else "depends",
        "Denial orders: General Prohibition Four (15 CFR 736.2(b)(4))",
        lines,
        ["the terms of the denial order (published in the Federal Register)"]
        if denied
        else ["whether a party to the transaction is subject to a denial order in force"],
        operative=True,
    )

"""Acting against the EAR the question itself states: General Prohibition Ten (knowledge of a
violation, 736.2(b)(10)) and Nine (a licence's terms or conditions, 736.2(b)(9)).

Apart from the party and destination rules because these turn on what the asker has done or
means to do, not on who or where the other party is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.determination.asks import ASKS_LICENCE
from assistant.answering.determination.basis import Finding, FindingLine, Lookup, _sought
from assistant.answering.known_violation import (
    acts_on_item,
    asks_return,
    disclosed,
    knows_of_violation,
)
from assistant.answering.licence_terms import acts_against_licence_terms
from assistant.models import SearchResult

# Knowledge of a violation: General Prohibition Ten (736.2(b)(10)) and 764.2(e), with the way
# out 764.5(g) gives (BIS's permission; only a notice to OEE to bring the item home).
_GP10 = re.compile(r"\bwith knowledge that a violation of the Export Administration\b", re.I)
_GP10_NO_EXCEPTIONS = re.compile(r"\bno license exceptions to this General Prohibition Ten\b", re.I)
_GP10_QUERY = (
    "15 CFR 736.2(b)(10) General Prohibition Ten Knowledge Violation to Occur: you may not sell, "
    "transport, forward, store or otherwise service any item with knowledge that a violation has "
    "occurred"
)
_KNOWLEDGE_PERMISSION = re.compile(
    r"\brequest permission from BIS to engage in the activities described in\b", re.I
)
_KNOWLEDGE_RETURN = re.compile(r"\bActions to return to the United States an item\b", re.I)
_KNOWLEDGE_QUERY = (
    "15 CFR 764.5(g) treatment of unlawfully exported items: request permission from BIS; "
    "actions to return to the United States an item that has been unlawfully exported only "
    "require notification to the Director of OEE"
)
_DISCLOSED_FACT = "whether the violation has been disclosed to BIS under 15 CFR 764.5"


def known_violation_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """The question states a violation in connection with its item: General Prohibition Ten
    forbids forwarding, storing, selling, financing or otherwise servicing that item, whatever
    its classification, and no License Exception overcomes it (736.2(b)(10)); BIS may permit
    it on request (764.5(g)(1)(i)-(ii)), and bringing a disclosed item back to the United States
    needs only a notice to the Director of OEE (764.5(g)(1)(iii))."""
    if not (knows_of_violation(question) and acts_on_item(question)):
        return None
    prohibited = _sought(passages, lookup, "15 CFR 736.2", _GP10, _GP10_QUERY)
    if prohibited is None:
        return None
    permission = _sought(passages, lookup, "15 CFR 764.5", _KNOWLEDGE_PERMISSION, _KNOWLEDGE_QUERY)
    if asks_return(question):
        home = _sought(passages, lookup, "15 CFR 764.5", _KNOWLEDGE_RETURN, _KNOWLEDGE_QUERY)
        if home is not None:
            told = disclosed(question)
            text = (
                "a notice, not a licence — bringing back to the United States an item that was "
                "unlawfully exported and disclosed under 15 CFR 764.5 needs only notification to "
                "the Director of OEE; any other action with it, knowing of the violation, is "
                "prohibited (General Prohibition Ten) unless BIS permits it"
            )
            if not told:
                text = f"depends on whether the violation is disclosed to BIS: {text}"
            return Finding(
                "depends",
                "Knowledge of a violation: General Prohibition Ten (15 CFR 736.2(b)(10))",
                [
                    FindingLine("Licence required", text, [home, prohibited]),
                    *(
                        [FindingLine("Permission", _PERMISSION_TEXT, [permission])]
                        if permission is not None
                        else []
                    ),
                ],
                [] if told else [_DISCLOSED_FACT],
                operative=True,
            )
    lines = [
        FindingLine(
            "Licence required",
            "the transaction is prohibited — no one may forward, transport, store, sell, finance "
            "or otherwise service an item with knowledge that a violation of the EAR has "
            "occurred, is about to occur, or is intended to occur in connection with it "
            "(General Prohibition Ten), whatever its classification",
            [prohibited],
        )
    ]
    lines += _no_exceptions(passages, lookup, _GP10_NO_EXCEPTIONS, _GP10_QUERY, "Ten")
    if permission is not None:
        lines.append(FindingLine("Permission", _PERMISSION_TEXT, [permission]))
    return Finding(
        "yes",
        "Knowledge of a violation: General Prohibition Ten (15 CFR 736.2(b)(10))",
        lines,
        ["the facts of the violation you know of"],
        operative=True,
    )


def _no_exceptions(
    passages: Sequence[SearchResult],
    lookup: Lookup | None,
    pattern: re.Pattern[str],
    query: str,
    number: str,
) -> list[FindingLine]:
    """The "Licence exceptions: none" line of a general prohibition that says no License
    Exception overcomes it (736.2(b)(9), (b)(10)), resting on that sentence; none without it."""
    none = _sought(passages, lookup, "15 CFR 736.2", pattern, query)
    if none is None:
        return []
    text = f"none: no License Exception overcomes General Prohibition {number}"
    return [FindingLine("Licence exceptions", text, [none])]


_GP9 = re.compile(r"\bYou may not violate terms or conditions of a license\b", re.I)
_GP9_NO_EXCEPTIONS = re.compile(r"\bno License Exceptions to this General Prohibition Nine\b", re.I)
_GP9_QUERY = "General Prohibition Nine violate terms or conditions of a license"


def licence_terms_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """A licence the question holds states a condition, and the question proposes to act
    against it (move, resell, re-export, use otherwise): General Prohibition Nine forbids
    violating a licence's terms or conditions, whoever owns the item, and no License Exception
    overcomes it (736.2(b)(9)). BIS's authorization (an amended or a new licence) comes first."""
    if not (acts_against_licence_terms(question) and ASKS_LICENCE.search(question)):
        return None
    basis = _sought(passages, lookup, "15 CFR 736.2", _GP9, _GP9_QUERY)
    if basis is None:
        return None
    lines = [
        FindingLine(
            "Licence required",
            "yes — BIS's authorization first, when the act goes beyond what the licence's "
            "terms and conditions allow: acting against them violates General Prohibition Nine "
            "(15 CFR 736.2(b)(9)), whoever owns the item; ask BIS to amend the licence or "
            "apply for a new one",
            [basis],
        )
    ]
    lines += _no_exceptions(passages, lookup, _GP9_NO_EXCEPTIONS, _GP9_QUERY, "Nine")
    return Finding(
        "yes",
        "Licence terms and conditions: General Prohibition Nine (15 CFR 736.2(b)(9))",
        lines,
        ["what the licence's terms and conditions allow"],
        operative=True,
    )


_PERMISSION_TEXT = (
    "BIS may permit it: with a voluntary self-disclosure, or by notifying the Director of OEE "
    "of the violation, you may request permission to act on the item (15 CFR 764.5(g)(1))"
)

"""A section's own "Licence exceptions" and "Review policy" lines under the finding it rests on
(`_operative`), and whether a sentence naming paragraphs speaks to the rule's paragraph
(`speaks_to_paragraph`).

Apart because the party, destination and end-use rules all end their findings with these lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from assistant.answering.determination.basis import (
    Basis,
    Finding,
    FindingLine,
    _matching,
    _sentence,
)
from assistant.models import SearchResult

# What part 746's sections say about License Exceptions and how applications are reviewed:
# "No license exceptions may be used for exports or reexports to Iran", "No License Exceptions
# ... are available ..., except the following", "You may export or reexport without a license
# if your transaction meets ... any of the following License Exceptions"; "subject to a
# general policy of denial", "reviewed on a case-by-case basis", "presumption of approval".
_NO_EXCEPTIONS = re.compile(r"\bNo License Exceptions?\b", re.I)
_LISTED_EXCEPTIONS = re.compile(
    r"\bwithout a license if your transaction meets\b.{0,80}\blicense exception", re.I
)
_REVIEW_POLICY = re.compile(
    r"\b(?:policy of denial|case-by-case|presumption of (?:approval|denial))\b", re.I
)


# "under paragraph (a)(3) of this section", "paragraphs (a)(1), (2), and (4) through (8)"
_SCOPED_TO = re.compile(r"\bparagraphs?\s+\(a\)\((\d+)\)", re.I)


def _first_general(
    pool: Sequence[SearchResult], citation_prefix: str, pattern: re.Pattern[str]
) -> Basis | None:
    """The first matching sentence of the section that speaks to its general requirement, not
    only to a special one: 746.8(b)(1)'s "applications required under paragraph (a)(3) ... policy
    of denial in all cases" is the policy for one product rule; (b)(3)'s, for "paragraphs
    (a)(1), (2) ...", is the one for the CCL items the general requirement covers. A sentence
    scoped to no paragraph counts as general; without one, the first sentence."""
    found = sorted(
        _matching(pool, citation_prefix, pattern), key=lambda x: (x.passage.doc_id, x.start)
    )
    general = [
        b for b in found if not (scoped := _SCOPED_TO.findall(_sentence(b))) or "1" in scoped
    ]
    chosen = general or found
    return chosen[0] if chosen else None


def _section_terms(
    section: str, pool: Sequence[SearchResult], paragraph: str | None = None
) -> list[FindingLine]:
    """The section's own "Licence exceptions" and "Review policy" lines, each resting on the
    first sentence of the section that states them (part 746's sections put them in paragraphs
    (b) and (c)). A section that states neither gets neither line, and a sentence naming the
    paragraphs it speaks to ("No license exceptions apply to the prohibitions described in
    paragraphs (b)(1) through (4) or paragraph (c)(2)") gives no line for a requirement in
    another `paragraph` ("(b)(5)"): cited for it, the pinpoint would be wrong."""
    cite = f"15 CFR {section}"
    lines = []
    exceptions = _first_general(pool, cite, _NO_EXCEPTIONS) or _first_general(
        pool, cite, _LISTED_EXCEPTIONS
    )
    if (
        exceptions is not None
        and paragraph is not None
        and not speaks_to_paragraph(_sentence(exceptions), paragraph)
    ):
        exceptions = None
    if exceptions is not None:
        sentence = _sentence(exceptions)
        where = exceptions.passage.citation
        text = (
            f"none (see {where})"
            if _NO_EXCEPTIONS.search(sentence) and not re.search(r"\bexcept\b", sentence)
            else f"only those {where} lists, on their conditions"
        )
        lines.append(FindingLine("Licence exceptions", text, [exceptions]))
    policy = _first_general(pool, cite, _REVIEW_POLICY)
    if policy is not None:
        sentence = _sentence(policy)
        found = _REVIEW_POLICY.search(sentence)
        kind = found.group(0).lower() if found else "as stated"
        where = policy.passage.citation
        text = (
            f"{kind}, except as {where} lists"
            if re.search(r"\bexcept\b", sentence)
            else f"{kind} for the applications {where} describes"
        )
        lines.append(FindingLine("Review policy", text, [policy]))
    return lines


_PARAGRAPHS = re.compile(
    r"\bparagraphs?\s+((?:\(\s*[a-z0-9]+\s*\))+)(?:\s+(?:through|to)\s+((?:\(\s*[a-z0-9]+\s*\))+))?",
    re.I,
)
_DESIGNATOR = re.compile(r"\(\s*([a-z0-9]+)\s*\)", re.I)


def _ordinal(designator: str) -> tuple[int, str]:
    """A designator's place in its sequence: 1, 2, ... or a, b, ... (roman numerals compare
    as text: equal or not)."""
    if designator.isdigit():
        return (0, designator.zfill(4))
    if len(designator) == 1:
        return (1, designator.lower())
    return (2, designator.lower())


def speaks_to_paragraph(sentence: str, paragraph: str) -> bool:
    """Whether a sentence that names paragraphs ("paragraphs (b)(1) through (4) or paragraph
    (c)(2)") names `paragraph` ("(b)(5)": no), or names none (then it speaks to the section)."""
    target = _DESIGNATOR.findall(paragraph)
    ranges = _PARAGRAPHS.findall(sentence)
    if not ranges or not target:
        return True
    for first, last in ranges:
        start = _DESIGNATOR.findall(first)
        if not last:
            if target[: len(start)] == start:
                return True
            continue
        end = _DESIGNATOR.findall(last)
        # ("(b)(1) through (4)": the range runs over the last designator of the first; the
        # paragraph must share everything before it)
        at = len(start) - 1
        if len(end) > len(start) or len(target) <= at or target[:at] != start[:at]:
            continue
        low, high, mine = _ordinal(start[at]), _ordinal(end[-1]), _ordinal(target[at])
        if low[0] == high[0] == mine[0] and low <= mine <= high:
            return True
    return False


def _operative(
    outcome: Literal["yes", "depends"],
    rule: str,
    text: str,
    bases: list[Basis],
    section: str,
    pool: Sequence[SearchResult],
    missing: list[str],
    paragraph: str | None = None,
) -> Finding:
    """A finding resting on a section's own requirement, with the section's licence
    exceptions and review policy lines after it (an end-use or destination rule); `paragraph`,
    the requirement's own paragraph when the rule knows it, keeps out a line whose sentence
    speaks only to other paragraphs."""
    lines = [
        FindingLine("Licence required", text, bases),
        *_section_terms(section, pool, paragraph),
    ]
    return Finding(outcome, rule, lines, missing, operative=True)

"""The EEI line: 758.1(b)(10) requires filing EEI for every CCL item to China, Russia or
Venezuela, whatever the value.

Apart because it is added to any determination, whichever rule decided it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.country_scope import question_countries
from assistant.answering.determination.basis import FindingLine, Lookup, _sought
from assistant.answering.determination.facts import _ECCN
from assistant.answering.question_facts import asserted
from assistant.models import SearchResult

# Asked about filing EEI: 758.1(b)(10) requires it for every CCL item to China, Russia or
# Venezuela, whatever the value (the $2,500 threshold of (b)(5) does not apply to them).
_ASKS_EEI = re.compile(
    r"\bEEI\b|\bAES\b|\belectronic export information\b|\bshipper'?s export declaration\b",
    re.I,
)
_EEI_WHATEVER_VALUE = re.compile(
    r"\bitems on the Commerce Control List to the People's Republic of China, Russia, or "
    r"Venezuela, regardless of value\b",
    re.I,
)
_EEI_COUNTRIES = frozenset(["China", "Russia", "Venezuela"])


def eei_line(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> FindingLine | None:
    """The EEI line for a question that asks about filing EEI for a CCL item (an ECCN it gives,
    not EAR99) to China, Russia or Venezuela, resting on 758.1(b)(10)."""
    if not asserted(_ASKS_EEI, question):
        return None
    eccns = [e for e in _ECCN.findall(question) if not re.match(r"EAR", e, re.I)]
    if not eccns or not question_countries(question) & _EEI_COUNTRIES:
        return None
    basis = _sought(
        passages,
        lookup,
        "15 CFR 758.1",
        _EEI_WHATEVER_VALUE,
        "15 CFR 758.1(b)(10) EEI for all exports of items on the Commerce Control List to the "
        "People's Republic of China, Russia, or Venezuela, regardless of value",
    )
    if basis is None:
        return None
    return FindingLine(
        "EEI filing",
        "required whatever the value: every export of an item on the Commerce Control List to "
        "China, Russia or Venezuela needs EEI in AES (15 CFR 758.1(b)(10))",
        [basis],
    )

"""A question asking when something was done ("When was X added to the Entity List?") gets the
effective date of the rule that did it among its first passages: the rule's "This rule is
effective May 9, 2024." shares no word with the question but "effective", so it ranked far
below the rule's other paragraphs (`bench/questions/dates.jsonl`, 14 questions written for the
check: recall@5 0.21 -> 0.86)."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.retrieval.features import asks_when_done
from tests.support.snapshots import retrieve, snapshot, unit


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("When was Zhejiang Uniview added to the Entity List?", True),
        ("Is Kaspersky on the Entity List, and since when?", True),
        ("When did Nicaragua become a D:5 country?", True),
        ("What compliance date did the AI diffusion rule set?", True),
        ("From what date did the correction apply?", True),
        ("When did the expanded sanctions take effect?", True),
        # the conditions a rule applies under, not when it was made
        ("When must we ask BIS to keep the item abroad longer?", False),
        ("When is our joint venture controlled in fact?", False),
        ("When does the stay on the affiliates rule end?", False),
        ("Can we sell to Zhejiang Uniview?", False),
    ],
)
def test_questions_asking_when_something_was_done_are_told_apart(question: str, asks: bool) -> None:
    assert asks_when_done(question) is asks


def _meta(cid: str, doc: str, doc_type: str, start: int) -> dict[str, Any]:
    return {
        "doc_id": doc,
        "citation": f"FR Doc. {doc}" if doc_type == "federal_register" else "15 CFR 744.11(a)",
        "title": "",
        "doc_type": doc_type,
        "access": "public",
        "access_public": True,
        "start": start,
        "end": start + 10,
    }


# (id, text, document, type, vector): the rule adding Acme Widgets ranks first by far; its date
# line shares nothing with the question, and seven regulation paragraphs outrank it
_ADDING = "The ERC determined to add Acme Widgets Co., Ltd., under China, to the Entity List."
_ROWS = [
    ("add", _ADDING, "2024-10485", "federal_register", 0, unit(1, 0, 0, 0)),
    ("date", "This rule is effective May 9, 2024.", "2024-10485", "federal_register", 500,
     unit(0, 0, 0, 1)),
    ("other_date", "This rule is effective March 28, 2025.", "2025-05426", "federal_register",
     0, unit(0, 0, 0.1, 1)),
] + [
    (f"reg{i}", f"A license is required for entities on the Entity List ({i}).", "744.11",
     "regulation", 100 * i, unit(1, 0.2 + 0.1 * i, 0, 0))
    for i in range(7)
]  # fmt: skip


def _ranked(question: str, rows: list[tuple[Any, ...]] = _ROWS) -> list[str]:
    snap = snapshot([(r[0], r[1], _meta(r[0], r[2], r[3], r[4]), r[5]) for r in rows])
    return [r.chunk_id for r in retrieve(question, unit(1, 0.1, 0, 0), snap)]


def test_asked_when_the_rule_s_effective_date_comes_second() -> None:
    got = _ranked("When was Acme Widgets added to the Entity List?")
    assert got[:2] == ["add", "date"]
    assert "other_date" not in got  # another rule's date is never brought in


def test_asked_anything_else_the_date_line_keeps_its_own_place() -> None:
    assert "date" not in _ranked("Can we sell to Acme Widgets, on the Entity List?")


def test_a_rule_stating_no_date_gets_none_of_another_rule_s() -> None:
    """The best-ranked rule is an excerpt without its DATES line: nothing is placed, though
    another rule's date is among the candidates."""
    rows = [r for r in _ROWS if r[0] != "date"]
    assert "other_date" not in _ranked("When was Acme Widgets added to the Entity List?", rows)


def test_a_dates_line_ranking_first_does_not_make_its_rule_the_one_asked_about() -> None:
    """Another rule's date line ranks first ("effective", "rule" are all it shares with the
    question); the rule asked about is the best-ranked one by what it did, and its date is
    placed."""
    rows = [
        ("other_date", "DATES: This rule adding Widgets entries is effective March 28, 2025.",
         "2025-05426", "federal_register", 0, unit(1, 0.1, 0, 0)),
        *[r for r in _ROWS if r[0] != "other_date"],
    ]  # fmt: skip
    got = _ranked("What is the effective date of the rule adding Acme Widgets?", rows)
    assert got[0] == "other_date" and "add" in got and "date" in got[:3]

"""The separate questions one message asks (assistant/answering/question_parts.py)."""

from __future__ import annotations

import pytest

from assistant.answering.extractive import PART_RELEVANCE, compose_extractive
from assistant.answering.question_parts import question_parts
from tests.support.passages import regulation_passage as _passage


@pytest.mark.parametrize(
    ("message", "later"),
    [
        (
            "BIS sent us an intent-to-deny letter. What happens next, and how long do we have "
            "to appeal if it ends up denied?",
            ["how long do we have to appeal if it ends up denied?"],
        ),
        (
            "How long does BIS take to process a licence application, and how long is an "
            "approved licence valid? Can we get it extended?",
            ["how long is an approved licence valid?"],  # "Can we get it extended?": 1 term
        ),
        (
            "We're preparing a licence application for China. (1) Do we need a PRC End-User "
            "Statement? (2) Can we submit the application before MOFCOM issues the statement?",
            ["Can we submit the application before MOFCOM issues the statement?"],
        ),
        (
            "What does 'knowledge' mean under the EAR? Our sales director says we only know "
            "what the customer tells us in writing.",
            [],  # a later statement is background, not a question
        ),
        (
            "An American engineer lives in Riyadh and is employed by a Saudi contractor. Is he "
            "a 'United States person' under the antiboycott rules?",
            [],  # "and is employed" goes on with one statement
        ),
        (
            "Three prospects: (a) a plant in Yekaterinburg, (b) our subsidiary in Moscow, (c) a "
            "hospital chain. Which of these need a licence?",
            [],  # lettered facts are no questions
        ),
        ("Is a licence required under 15 CFR 744.11(a)(1) and (2)?", []),
        ("Do we need a licence to ship 3A001 chips to Brazil?", []),
    ],
)
def test_the_later_questions_of_a_message(message: str, later: list[str]) -> None:
    assert question_parts(message) == later


def test_at_most_three_later_questions_are_taken() -> None:
    message = "What is LVS? " + " ".join(
        f"What is the value limit for ECCN 3A00{i} shipments?" for i in range(1, 6)
    )
    assert len(question_parts(message)) == 3


INTENT = _passage(
    1,
    "15 CFR 750.6(a)",
    "( a ) Intent to deny notification. If BIS intends to deny your license application, BIS "
    "will notify you in writing within 5 days of the decision.",
    0.7,
)
APPEAL_RULE = (
    "An appeal under this part must be received within 45 days after the date of the notice of "
    "the decision."
)
APPEAL_TEXT = "( c ) Appeal procedures. " + APPEAL_RULE


@pytest.mark.parametrize(
    ("similarity", "shown"),
    [(0.7, True), (PART_RELEVANCE - 0.01, False)],
)
def test_a_later_question_gets_the_closest_provision_found_for_it_when_close_enough(
    similarity: float, shown: bool
) -> None:
    message = (
        "BIS sent us an intent-to-deny letter. What happens next, and how long do we have to "
        "appeal if it ends up denied?"
    )
    [part] = question_parts(message)
    appeal = _passage(2, "15 CFR 750.6(c)", APPEAL_TEXT, similarity)
    answer = compose_extractive(
        message,
        [INTENT],
        min_relevance=0.45,
        min_relevance_unknown_name=0.5,
        parts=[(part, [appeal])],
    )
    line = next((x for x in answer.answer.splitlines() if x.startswith("Also asked")), None)
    if not shown:
        assert line is None and all(c.chunk_id != "c2" for c in answer.citations)
        return
    assert line == (
        "Also asked, “how long do we have to appeal if it ends up denied?”: the closest provision "
        f"found for it: “{APPEAL_RULE}” [2]"
    )  # (its sentence, not the paragraph's heading)
    cited = answer.citations[1]
    assert (cited.citation, cited.quote) == ("15 CFR 750.6(c)", APPEAL_RULE)


def test_a_later_question_about_another_regime_gets_no_line() -> None:
    part = "do we need a TAA from DDTC before we share the drawings?"
    itar = _passage(
        3, "15 CFR 734.3(b)", "Items subject to the ITAR are not subject to the EAR.", 0.8
    )
    answer = compose_extractive(
        "What happens next with the intent to deny? " + part,
        [INTENT],
        min_relevance=0.45,
        min_relevance_unknown_name=0.5,
        parts=[(part, [itar])],
    )
    assert "Also asked" not in answer.answer

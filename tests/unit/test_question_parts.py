"""The separate questions one message asks (assistant/answering/question_parts.py)."""

from __future__ import annotations

import pytest

from assistant.answering.extractive import PART_RELEVANCE, compose_extractive
from assistant.answering.question_parts import first_question, question_parts
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
        f"found for it, 15 CFR 750.6(c): “{APPEAL_RULE}” [2]"
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


@pytest.mark.parametrize(
    ("message", "first"),
    [
        (
            "Audit found we shipped 3A001 parts to China without the licence that was required. "
            "(1) How do we make a voluntary self-disclosure and what is the deadline? (2) Can we "
            "have the remaining lot shipped back to us?",
            "How do we make a voluntary self-disclosure and what is the deadline?",
        ),
        # one question: no first part of its own
        ("Can we ship 3A001 parts to China?", None),
        # a first part of too few words of its own
        ("Is it fine? And how long does a temporary denial order last?", None),
    ],
)
def test_the_first_question_of_a_message(message: str, first: str | None) -> None:
    found = first_question(message)
    assert (found[1] if found else None) == first
    if found:
        assert found[0].startswith("Audit found"), "the first part keeps its background"


GP10 = _passage(
    5,
    "15 CFR 736.2(b)(10)",
    "You may not sell, transfer, export, reexport, finance, order, buy, remove, conceal, store, "
    "use, loan, dispose of, transport, forward, or otherwise service any item subject to the EAR "
    "with knowledge that a violation of the Export Administration Regulations has occurred, is "
    "about to occur, or is intended to occur in connection with the item.",
    0.7,
)
RETURN = _passage(
    6,
    "15 CFR 764.5(g)(1)",
    "(iii) Actions to return to the United States an item that has been unlawfully exported and "
    "disclosed under this section only require notification to the Director of OEE.",
    0.7,
)
VSD_DEADLINE = (
    "The full narrative account must be received by OEE within 180 days of the initial "
    "notification of the voluntary self-disclosure."
)


def test_a_first_question_a_later_parts_rule_does_not_answer_gets_its_own_line() -> None:
    """ "(2) Can we have the lot shipped back?" states the violation the determination rests
    on (General Prohibition Ten); "(1) How do we make a VSD and what is the deadline?" is not
    answered by it and gets its line, from the passages searched for it."""
    message = (
        "Audit found we shipped 3A001 parts to China without the licence that was required. "
        "(1) How do we make a voluntary self-disclosure and what is the deadline? (2) Can we "
        "have the remaining lot shipped back to us?"
    )
    piece, asked = first_question(message) or ("", "")
    deadline = _passage(7, "15 CFR 764.5(c)", VSD_DEADLINE, 0.75)
    answer = compose_extractive(
        message,
        [GP10, RETURN],
        min_relevance=0.45,
        min_relevance_unknown_name=0.5,
        lookup=lambda _q: [GP10, RETURN],
        lead_part=(piece, asked, lambda: [deadline]),
    )
    assert answer.answer.startswith("**Licence required: ")
    lines = [x for x in answer.answer.splitlines() if x.startswith("Also asked")]
    assert lines and lines[0].startswith(f"Also asked, “{asked}”: the closest provision")
    assert VSD_DEADLINE in lines[0]
    # answered by the same rule (its own part states the violation): no second line for it
    same = compose_extractive(
        message,
        [GP10, RETURN],
        min_relevance=0.45,
        min_relevance_unknown_name=0.5,
        lookup=lambda _q: [GP10, RETURN],
        lead_part=(message, asked, lambda: [deadline]),
    )
    assert not any(x.startswith("Also asked") for x in same.answer.splitlines())


DENIAL = _passage(
    8,
    "15 CFR 736.2(b)(4)",
    "( 4 ) General Prohibition Four. You may not take any action that is prohibited by a denial "
    "order issued under part 766 of the EAR.",
    0.7,
)
SDN = _passage(
    9,
    "15 CFR 744.8(b)",
    "[SDNTK]. ( b ) License requirements. Unless the export is authorized under an OFAC "
    "license, a license is required under the EAR for the export of any item subject to the "
    "EAR when a person who is designated on OFAC's SDN List with any of the identifiers set "
    "forth in paragraph (a)(1) of this section is a party to the transaction.",
    0.7,
)


def test_a_first_question_its_own_rule_decides_gets_that_rules_bottom_line() -> None:
    """The message opens on the denial order (General Prohibition Four comes first); its first
    question, about an [SDNTK] buyer, gets 744.8's bottom line as its line."""
    message = (
        "(1) Our Singapore subsidiary wants to sell EAR99 parts to a Mexican company on the SDN "
        "list with the SDNTK tag; is that fine? (2) The director of our forwarder is under a BIS "
        "denial order; can we keep using the forwarder?"
    )
    piece, asked = first_question(message) or ("", "")
    answer = compose_extractive(
        message,
        [DENIAL, SDN],
        min_relevance=0.45,
        min_relevance_unknown_name=0.5,
        lookup=lambda _q: [DENIAL, SDN],
        lead_part=(piece, asked, list),
    )
    assert "General Prohibition Four" in answer.answer.split("\n", 1)[0]
    line = next(x for x in answer.answer.splitlines() if x.startswith("Also asked"))
    assert line.startswith(f"Also asked, “{asked}”: Licence required: yes")
    assert "744.8(b)" in line

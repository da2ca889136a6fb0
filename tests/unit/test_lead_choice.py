"""What may lead an answer: not a text its source marks as superseded when a current one
answers too, and no licence determination for a question that asks how to do something or
about another obligation."""

from __future__ import annotations

import pytest

from assistant.answering.determination import determine
from assistant.answering.determination.asks import asks_how_or_other_obligation
from assistant.answering.extractive import (
    PERIOD_NOTE,
    _period_note,
    compose_extractive,
)
from assistant.models import Claim, SearchResult
from assistant.retrieval.stay_subject import ASKS_STATUS
from tests.support.passages import regulation_passage

OLD_FDP = (
    "( ii ) Direct product of a complete plant. A foreign-produced item meets the product scope "
    "of this paragraph if it is produced by any plant that is itself a direct product of "
    "U.S.-origin technology specified in Categories 3, 4, 5, 6, 7, 8, or 9 of the CCL."
)
NEW_FDP = (
    "The foreign-produced item is a direct product of U.S.-origin technology or software "
    "specified in Categories 3 through 9 of the CCL, and there is knowledge that it is destined "
    "to Iran."
)
QUESTION = (
    "Our Malaysian plant makes marine navigation gear from U.S.-origin Category 8 technology. "
    "Is the foreign-produced item caught by the direct product rule?"
)


def _old(superseded: bool) -> SearchResult:
    p = regulation_passage(1, "15 CFR 734.9(f)(1)(ii)", OLD_FDP, similarity=0.7)
    if superseded:
        p.metadata["superseded"] = True
    return p


def _new() -> SearchResult:
    return regulation_passage(
        2, "FR Doc. 2024-16566", NEW_FDP, similarity=0.62, doc_type="federal_register"
    )


def _lead(passages: list[SearchResult]) -> str:
    answer = compose_extractive(
        QUESTION, passages, min_relevance=0.1, min_relevance_unknown_name=0.1
    )
    assert not answer.abstained
    return answer.lead


def test_a_superseded_text_does_not_lead_when_a_current_one_answers() -> None:
    # the same passages, the old text current: it leads on its score
    assert _lead([_old(superseded=False), _new()]).startswith("15 CFR 734.9")
    # marked superseded by its source: the rule in force leads, the old text is still quoted
    assert _lead([_old(superseded=True), _new()]).startswith("FR Doc. 2024-16566")


def test_a_superseded_text_still_leads_when_nothing_else_answers() -> None:
    assert _lead([_old(superseded=True)]).startswith("15 CFR 734.9")


IRAN = regulation_passage(
    3,
    "15 CFR 746.7(a)",
    "( a ) License requirements. A license is required under the EAR to export or reexport to "
    "Iran any item on the CCL. The Treasury Department's Office of Foreign Assets Control "
    "administers a comprehensive trade and investment embargo against Iran.",
)

MASS_MARKET = regulation_passage(
    4,
    "15 CFR 742.15(a)(1)",
    "( 1 ) Following classification or self-classification, items that meet the criteria of "
    "Note 3 to Category 5—Part 2 of the Commerce Control List (the “mass market” note), are "
    "classified under ECCN 5A992 or 5D992 and are no longer subject to this Section (see "
    "§ 740.17 of the EAR).",
)


@pytest.mark.parametrize(
    "question",
    [
        "Internal audit found a router shipment that went to Iran via a UAE distributor, and "
        "some shipments under the wrong licence exception. How do we disclose to BIS, and how "
        "long do we have?",
        "Shipping a 5A992.c mass-market router worth $2,900 to Germany. Do we need to file EEI, "
        "and does the commercial invoice need the destination control statement?",
    ],
)
def test_a_how_or_filing_question_gets_no_licence_determination(question: str) -> None:
    assert asks_how_or_other_obligation(question)
    assert determine(question, [IRAN, MASS_MARKET], [], None) is None


@pytest.mark.parametrize(
    "question",
    [
        "We shipped a router to Iran via a UAE distributor. Did we need a licence?",
        "How do we disclose the Iran shipment, and did it need a licence?",
        "Can we ship EAR99 parts to Tehran?",
    ],
)
def test_a_licence_question_beside_a_procedure_still_asks_whether(question: str) -> None:
    assert not asks_how_or_other_obligation(question)


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("What happened to the 50 percent affiliates rule for the Entity List?", True),
        ("What has happened with the Entity List FDP requirements?", True),
        ("Has the affiliates rule been postponed?", True),
        ("Is the new rule on hold now?", True),
        ("What happened to Huawei after it was added to the Entity List?", False),
        ("What happened to our shipment after the new restrictions?", False),
        ("What happened to the order we placed with the listed supplier?", False),
        ("What happened to section 744.11(a)(1)?", True),
        ("Was the requirement delayed again?", True),
        # put off, but a shipment, a delivery or an application, not a rule
        (
            "Our shipment to a subsidiary of an Entity List company has been on hold at customs "
            "for two weeks. What should we do?",
            False,
        ),
        ("The buyer postponed delivery; do we need a new licence?", False),
        ("Our license application has been on hold for 60 days.", False),
    ],
)
def test_what_became_of_a_rule_asks_its_status(question: str, asks: bool) -> None:
    assert bool(ASKS_STATUS.search(question)) is asks


def test_a_period_asked_for_and_not_stated_is_noted() -> None:
    said = [Claim(text="Records must be produced on request.", citations=[1])]
    assert _period_note("How long do we have to keep export records?", said, []) == PERIOD_NOTE
    told = [*said, Claim(text="They must be kept for five years from the export.", citations=[2])]
    assert _period_note("How long do we have to keep export records?", told, []) == ""
    # a determination line that states it counts; a question not asking how long is not noted
    assert not _period_note("How long can it stay abroad?", said, ["… up to 12 months …"])
    assert not _period_note("Which records must we keep?", said, [])


POINTER = (
    "[ 1 ] Part 772 of the EAR defines “knowledge” for all of the EAR except part 760, "
    "Restrictive Trade Practices and Boycotts."
)
KNOWLEDGE = (
    "*Knowledge.* Knowledge of a circumstance (the term may be a variant, such as “know,” "
    "“reason to know,” or “reason to believe”) includes not only positive knowledge that the "
    "circumstance exists or is substantially certain to occur, but also an awareness of a high "
    "probability of its existence or future occurrence."
)


@pytest.mark.parametrize("defined", [True, False])
def test_a_pointer_to_a_definition_yields_to_the_definition(defined: bool) -> None:
    """ "What does 'knowledge' mean?": 744.2's footnote saying that part 772 defines it shares
    more of the question's words than 772.1's definition does; the definition leads, when the
    passages hold it."""
    pointer = regulation_passage(1, "15 CFR 744.2", POINTER, similarity=0.62)
    other = regulation_passage(
        2,
        "15 CFR 772.1",
        KNOWLEDGE if defined else "*Knowingly.* See knowledge in part 772.",
        similarity=0.45,
    )
    answer = compose_extractive(
        "What does 'knowledge' mean under the EAR?",
        [pointer, other],
        min_relevance=0.1,
        min_relevance_unknown_name=0.1,
    )
    assert answer.lead.startswith("15 CFR 772.1" if defined else "15 CFR 744.2"), answer.lead

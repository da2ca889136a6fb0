"""Which recorded stay a status question asks about (`assistant.retrieval.stay_subject`): the
one whose stayed text alone holds the question's subject words."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.retrieval.stay_subject import rows_of_stays_asked, stay_subject
from assistant.status import NoteTarget, StatusNote, dump_notes

INTRO = "(a) License requirement. A license is required for entities on the Entity List. "
STAYED = "(1) Entity List entries extend to foreign affiliates owned 50 percent or more. "
REST = "(2) See the Entity List for the license review policy of each listed entity."
TEXT = INTRO + STAYED + REST
NOTE = "At 90 FR 50857, in § 744.11, paragraph (a)(1) was stayed."
OTHER = "(b) Criteria for the Entity List. Entities may be added for foreign policy reasons."


def _meta(start: int, text: str, stayed: bool) -> dict[str, Any]:
    meta: dict[str, Any] = {"doc_id": "15-cfr-744.11", "start": start, "end": start + len(text)}
    if stayed:
        a = len(INTRO)
        note = StatusNote(
            kind="stay",
            text=NOTE,
            start=5000,
            end=5000 + len(NOTE),
            section="15 CFR 744.11",
            targets=(NoteTarget("(a)(1)", "paragraph (a)(1)", ((a, a + len(STAYED)),)),),
            fr="90 FR 50857",
            until="2026-11-09",
        )
        meta["status_notes"] = dump_notes([note])
    return meta


STAYED_CHUNKS = [(0, TEXT, _meta(0, TEXT, True))]
SECTION = [*STAYED_CHUNKS, (1, OTHER, _meta(len(TEXT) + 1, OTHER, False))]


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("Is the affiliates rule stayed?", True),
        ("Is the affiliates rule in effect?", True),
        ("What is the status of the 50 percent affiliates rule?", True),
        ("Is the 50% rule still in force?", True),
        # its words are in the unstayed text too: not what the stay is about
        ("Is the Entity List rule still in force?", False),
        ("Is the Entity List affiliates rule in effect?", False),
        # a word the stayed text does not hold
        ("Is the Unverified List requirement still in effect?", False),
        ("Are foreign affiliates of Huawei covered by the stay?", False),
        # not a question about legal status, or about nothing beyond "the rule"
        ("What does the affiliates rule extend to?", False),
        ("Is the rule still in force?", False),
    ],
)
def test_a_stay_is_asked_about_when_only_its_text_holds_the_subject(
    question: str, asked: bool
) -> None:
    assert bool(rows_of_stays_asked(question, STAYED_CHUNKS, SECTION)) is asked


def test_the_subject_leaves_out_the_words_that_ask_about_status() -> None:
    assert stay_subject("Is the 50 percent affiliates rule still in force?") == {
        "50",
        "percent",
        "affiliate",
    }
    assert not stay_subject("Has the rule been stayed?")

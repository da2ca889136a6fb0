"""Which recorded stay a status question asks about (`assistant.retrieval.stay_subject`): the
one whose stayed text alone holds the question's subject words."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.retrieval.stay_subject import Chunk, StayTexts, rows_of_stays_asked, stay_subject
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


def _chunk(
    row: int, doc: str, text: str, stays: list[tuple[str, str]], at: int = 0
) -> tuple[int, str, dict[str, Any]]:
    """A chunk of `doc` at offset `at` whose sentences in `stays` ((stay, sentence)) a stay
    affects."""
    meta: dict[str, Any] = {"doc_id": doc, "start": at, "end": at + len(text)}
    notes = []
    for fr, sentence in stays:
        a = at + text.index(sentence)
        notes.append(
            StatusNote(
                kind="stay",
                text=f"At {fr}, ... was stayed.",
                start=9000,
                end=9020,
                section=doc,
                targets=(NoteTarget("", "", ((a, a + len(sentence)),)),),
                fr=fr,
            )
        )
    if notes:
        meta["status_notes"] = dump_notes(notes)
    return row, text, meta


def _two_sections() -> tuple[list[Chunk], list[Chunk]]:
    """One stay over two sections (the stayed chunks, then every chunk of both): 744.11's
    stayed text names the MEU List, which the rest of 744.11 does not, and 744.21's unstayed
    text does."""
    el = _chunk(
        0,
        "744.11",
        "Affiliates of listed entities and MEU List parties. Other text.",
        [("90 FR 1", "Affiliates of listed entities and MEU List parties.")],
    )
    el_rest = _chunk(1, "744.11", "The Entity List criteria.", [], at=500)
    meu = _chunk(
        2,
        "744.21",
        "The MEU List names military end users. Affiliates owned.",
        [("90 FR 1", "Affiliates owned.")],
    )
    return [el, meu], [el, el_rest, meu]


def test_a_word_another_affected_section_uses_unstayed_is_not_the_stays() -> None:
    """The stayed text of 744.11 names the MEU List, which the rest of 744.11 does not; the rest
    of 744.21, which the same stay affects, does: the MEU List is not what the stay is about."""
    stayed, sections = _two_sections()
    assert rows_of_stays_asked("Is the affiliates rule in effect?", stayed, sections) == {0, 2}
    assert not rows_of_stays_asked("Is the MEU rule still in effect?", stayed, sections)


def test_a_chunk_another_stay_affects_counts_toward_this_stays_rest() -> None:
    """Two stays in one section: the gizmo paragraph is unstayed text for the widget stay,
    though the chunk holding it carries the gizmo stay's note."""
    both = _chunk(
        0,
        "744.9",
        "Gizmos need a licence. Widgets need one too. Gizmo rules differ.",
        [("90 FR 1", "Widgets need one too."), ("90 FR 2", "Gizmos need a licence.")],
    )
    rest = _chunk(1, "744.9", "Other provisions of the section.", [], at=500)
    assert not rows_of_stays_asked("Is the gizmo rule still in effect?", [both], [both, rest])
    assert rows_of_stays_asked("Is the widget rule still in effect?", [both], [both, rest])


def test_a_stay_whose_unstayed_text_is_not_known_is_not_picked_by_its_subject() -> None:
    whole = _chunk(0, "supp-4", "Entity List entries.", [("90 FR 1", "Entity List entries.")])
    assert not rows_of_stays_asked("Is the Entity List still in effect?", [whole], [whole])


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("Is the affiliates rule still in effect in 2026?", True),
        ("Is the affiliates rule still enforced?", True),
        ("Is there a stay on the affiliates rule until November?", True),
        # "stay" the verb
        ("Can an affiliate owned 50 percent stay unlisted?", False),
    ],
)
def test_dates_and_the_verb_stay(question: str, asked: bool) -> None:
    assert bool(rows_of_stays_asked(question, STAYED_CHUNKS, SECTION)) is asked


@pytest.mark.parametrize(
    ("question", "may"),
    [
        ("Is the affiliates rule in effect?", True),
        ("Is the MEU rule still in force?", False),  # in 744.21's unstayed text
        ("Is the Entity List still in force?", False),
        ("Is the rule still in force?", True),  # names nothing: a follow-up's "it"
    ],
)
def test_a_stayed_provision_may_lead_only_a_question_naming_what_only_it_says(
    question: str, may: bool
) -> None:
    texts = StayTexts.of(*_two_sections())
    assert texts.may_lead(question) is may


def test_a_word_of_one_sections_stayed_text_only_is_not_what_the_stay_is_about() -> None:
    """ "parties" is in 744.11's stayed text and nowhere unstayed, but 744.21's stayed text does
    not say it: as "deemed" or "email" in one of the four sections the Affiliates stay affects,
    it is not what the stay is about."""
    stayed, sections = _two_sections()
    assert not rows_of_stays_asked("Is the parties rule still in effect?", stayed, sections)
    assert not StayTexts.of(stayed, sections).may_lead("Is the parties rule still in effect?")
    assert StayTexts.of(stayed, sections).may_lead("Is the affiliates rule still in effect?")

"""A "how long" question is answered by the period its section states of the asked subject,
not by the paragraph nearest the question's other words, and never by a period of something
else."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.answering.extractive import compose_extractive
from assistant.answering.section_periods import STATES_DURATION, period_in_section
from assistant.models import SearchResult
from tests.support.passages import ChunkLookup, section_chunk

TITLE = "§ 766.24 Temporary denials."
DOC = "15-cfr-766.24"
GENERAL = (
    "(a) *General.* The procedures in this section apply to temporary denial orders issued on "
    "or after July 12, 1985."
)
TERM = "(4) The temporary denial order will be issued for a period not exceeding 180 days."
APPEAL = (
    "(e) *Appeals* - (1) *Filing.* (i) A respondent may, at any time, file an appeal of the "
    "initial or renewed temporary denial order with the administrative law judge."
)
RENEWAL = (
    "(d) *Renewal.* (1) If, no later than 20 days before the expiration date of a temporary "
    "denial order, BIS believes that renewal is necessary, BIS may ask that the order be renewed "
    "for an additional period not exceeding 180 days."
)


def _section() -> list[SearchResult]:
    at, chunks = 0, []
    for n, (citation, text) in enumerate(
        [
            ("15 CFR 766.24(a)", GENERAL),
            ("15 CFR 766.24(b)", TERM),
            ("15 CFR 766.24(d)", RENEWAL),
            ("15 CFR 766.24(e)", APPEAL),
        ]
    ):
        chunks.append(section_chunk(n, text, at, citation, DOC, TITLE))
        at += len(text) + 2
    return chunks


def _period(question: str, lead: SearchResult, lead_text: str) -> str | None:
    found = period_in_section(question, lead, lead_text, lambda _section_number: _section())
    if found is None:
        return None
    return found.chunk.text[found.start - found.chunk.start : found.end - found.chunk.start]


def test_the_period_of_the_asked_subject_is_read_from_the_lead_s_section() -> None:
    general = _section()[0]
    # (the rule's term before its renewal's, which shares as many words)
    assert _period("How long does a temporary denial order last?", general, GENERAL) == TERM
    assert _period("How many days does a temporary denial order last?", general, GENERAL) == TERM


def test_no_period_of_something_else_and_none_when_the_lead_gives_one() -> None:
    appeal = _section()[3]
    # asked of the subject in the section's words: the period must be of that, not the order's
    asked = "How long do we have to appeal a temporary denial order?"
    assert _period(asked, _section()[0], GENERAL) is None
    # the lead is about appealing: the order's own 180 days answer no appeal question
    assert _period("How long do we have to appeal a denial order?", appeal, APPEAL) is None
    # a lead already stating a period stays
    assert _period("How long does a TDO renewal last?", _section()[2], RENEWAL) is None
    # not a "how long" question
    assert _period("What is a temporary denial order?", _section()[0], GENERAL) is None
    # a heading sharing no word with the question names no subject
    assert _period("How long can the order stay in place?", _section()[0], GENERAL) is None
    # a Federal Register rule has no section to read
    rule = section_chunk(9, GENERAL, 0, "FR Doc. 2025-00001", "fr-2025-00001", TITLE)
    rule.metadata["doc_type"] = "federal_register"
    assert _period("How long does a temporary denial order last?", rule, GENERAL) is None


def test_the_heading_word_alone_is_no_shared_topic() -> None:
    title = "§ 748.4 Basic guidance related to applying for a license."
    lead_text = "The letter must state why a license was not obtained."
    lead = section_chunk(1, lead_text, 0, "15 CFR 748.4(d)(2)", "15-cfr-748.4", title)
    barred = (
        "(c) No person convicted of a violation of any statute specified in section 11(h) of the "
        "Export Administration Act may apply for any license for a period up to 10 years."
    )
    other = section_chunk(2, barred, 200, "15 CFR 748.4(c)", "15-cfr-748.4", title)
    question = (
        "We used the wrong licence exception. How do we disclose it, and how long do we have?"
    )
    assert (
        period_in_section(question, lead, lead_text, lambda _section_number: [lead, other]) is None
    )
    # ("years" asks for a period; it is no word of what is asked)
    question = question.replace("how long", "how many years")
    assert (
        period_in_section(question, lead, lead_text, lambda _section_number: [lead, other]) is None
    )


def test_the_answer_opens_with_the_period_and_cites_its_paragraph() -> None:
    passages = [replace(p, similarity=0.7, score=0.7) for p in _section()[::3]]
    answer = compose_extractive(
        "How long does a temporary denial order last?",
        passages,
        min_relevance=0.1,
        min_relevance_unknown_name=0.1,
        lookup=ChunkLookup(_section()),
    )
    assert answer.lead.startswith(f"15 CFR 766.24(b): **{TERM}**")
    first = answer.citations[0]
    assert first.citation == "15 CFR 766.24(b)"
    assert first.quote == TERM


@pytest.mark.parametrize(
    ("text", "states"),
    [
        # the forms the corpus writes periods in
        ("within Thirty (30) days after the date of export", True),
        ("forty-five (45) days before the visit", True),
        ("no later than five (5) calendar days after the date of exportation", True),
        ("BIS will respond within eleven business days", True),
        ("within 48 hours of the request", True),
        ("the item must return within a year", True),
        ("report annually to BIS", True),
        ("paragraph (a)(1) was stayed, effective until Nov. 9, 2026.", True),
        ("a four-year validity period", True),
        # no period
        ("file the annual report with BIS", False),
        ("one of the parties is listed", False),
        ("Section 744.11 applies to the transaction", False),
    ],
)
def test_a_period_in_the_words_the_regulations_use(text: str, states: bool) -> None:
    assert bool(STATES_DURATION.search(text)) is states

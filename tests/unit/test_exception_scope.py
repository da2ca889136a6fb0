""" "What is License Exception TMP?" is answered by what the exception authorizes, read from its
own section, not by whichever paragraph repeats the symbol most."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.answering.exception_scope import asked_exception, scope_sentence, states_scope
from assistant.answering.extractive import compose_extractive
from assistant.models import Answer, SearchResult
from tests.support.passages import ChunkLookup, section_chunk

TITLE = "§ 740.9 Temporary imports, exports, reexports, and transfers (in-country) (TMP)."
DOC = "15-cfr-740.9"
INTRO = (
    "This License Exception authorizes various temporary exports and reexports; exports and "
    "reexports of items temporarily in the United States; and exports and reexports of beta "
    "test software."
)
TEMPORARY = (
    "(a) *Temporary exports, reexports, and transfers (in-country).* License Exception TMP "
    "authorizes exports, reexports, and transfers (in-country) of items for temporary use abroad "
    "subject to the conditions specified in this paragraph (a)."
)
TOOLS = (
    "(1) *Tools of trade.* Exports of commodities and software as tools of trade under License "
    "Exception TMP may be made only to destinations other than Country Group E:1."
)
ELSEWHERE = (
    "License Exceptions TMP, RPL, BAG, AVS, GOV, and TSU authorize exports notwithstanding the "
    "provisions of the CCL."
)


def _section() -> list[SearchResult]:
    at, chunks = 0, []
    for n, (citation, text) in enumerate(
        [("15 CFR 740.9", INTRO), ("15 CFR 740.9(a)", TEMPORARY), ("15 CFR 740.9(a)(1)", TOOLS)]
    ):
        chunks.append(section_chunk(n, text, at, citation, DOC, TITLE))
        at += len(text) + 2
    return chunks


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("What is License Exception TMP?", ("TMP", "740.9")),
        ("What is the TMP exception?", ("TMP", "740.9")),
        ("What does License Exception ACE cover?", ("ACE", "740.22")),
        ("What does License Exception MED allow?", ("MED", "740.23")),
        ("What is License Exception STA used for?", ("STA", "740.20")),
        # the symbol alone, typed as one
        ("What is TMP?", ("TMP", "740.9")),
        ("What does GFT allow?", ("GFT", "740.12")),
        ("What is tmp?", None),
        ("What is CCD?", None),  # the image sensor
        # a case under the exception, not the exception itself
        ("Can we use TMP for a trade show in Brazil?", None),
        ("Can we ship our 5A002 routers to Germany under STA?", None),
        ("What is License Exception STA used for when shipping to China?", None),
        ("What does License Exception ENC allow for mass market software?", None),
        # one of its terms, its status, something else asked under it, or two exceptions
        ("What is License Exception TMP's time limit?", None),
        ("What are the conditions of License Exception TMP?", None),
        ("What is the status of License Exception STA?", None),
        ("What is EEI for under STA?", None),
        ("What does BIS allow under STA?", None),
        ("What are License Exceptions GBS and LVS?", None),
        # not named as an exception
        ("What is a CCD image sensor?", None),
    ],
)
def test_which_questions_ask_what_an_exception_is(
    question: str, asked: tuple[str, str] | None
) -> None:
    assert asked_exception(question) == asked


def test_the_scope_sentence_is_the_first_that_says_what_the_exception_authorizes() -> None:
    found = scope_sentence("TMP", _section())
    assert found is not None and found.chunk.citation == "15 CFR 740.9"
    assert found.chunk.text[found.start - found.chunk.start : found.end - found.chunk.start] == (
        INTRO
    )
    assert states_scope("TMP", TEMPORARY)
    assert not states_scope("TMP", TOOLS)  # a condition of one paragraph, not the scope
    assert not states_scope("RPL", TEMPORARY)  # another exception's
    assert scope_sentence("TMP", _section()[2:]) is None
    # the exception's full name before its symbol
    assert states_scope(
        "RFF", "License Exception Restricted Fabrication “Facility” (RFF) authorizes the export"
    )
    assert states_scope("HBM", "This License Exception High Bandwidth Memory (HBM) authorizes")
    # GFT's "(1) Scope." paragraph speaks of itself
    assert states_scope(
        "GFT", "The provisions of paragraph (a) authorize exports and reexports of gift parcels"
    )
    assert not states_scope("GFT", "The provisions of paragraph (a) apply to gift parcels")


def test_the_answer_opens_with_what_the_exception_authorizes() -> None:
    tools = _section()[2]
    other = section_chunk(9, ELSEWHERE, 0, "15 CFR 732.4(b)(3)(iii)", "15-cfr-732.4", "§ 732.4")
    passages = [replace(p, similarity=0.7, score=0.7) for p in (other, tools)]

    def answer(question: str) -> Answer:
        return compose_extractive(
            question,
            passages,
            min_relevance=0.1,
            min_relevance_unknown_name=0.1,
            lookup=ChunkLookup(_section()),
        )

    asked = answer("What is License Exception TMP?")
    assert asked.lead.startswith(f"15 CFR 740.9: **{INTRO}**"), asked.lead
    assert asked.citations[0].citation == "15 CFR 740.9"
    assert asked.citations[0].quote == INTRO
    # a question about a case under it keeps the lead retrieval chose
    case = answer("Can we take our tools of trade to Canada under License Exception TMP?")
    assert INTRO not in case.lead

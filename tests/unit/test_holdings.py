"""A worked example's holding, set as its own paragraph, is quoted with the example."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answering.continuation import holding_after
from assistant.answering.quotes import is_holding, provision_span, with_holding
from assistant.models import SearchResult
from tests.support.passages import section_chunk

EXAMPLE = (
    "(viii) A, a U.S. chemical manufacturer, receives a boycott questionnaire from boycotting "
    "country Y asking whether A has any plants located in boycotted country X. A responds to "
    "Y's questionnaire, indicating that it does have plants in X."
)
HOLDING = (
    "A's responding to Y's questionnaire is deemed to be action with intent to comply with Y's "
    "boycott because A knows that the questionnaire is boycott-related."
)
NEXT_EXAMPLE = "(ix) U.S. company A has a manufacturing facility in boycotted country X."


def _chunk(n: int, text: str, start: int) -> SearchResult:
    return section_chunk(
        n, text, start, "15 CFR 760.1(e)(7)", "15-cfr-760.1", "§ 760.1 Definitions."
    )


def test_a_paragraph_about_the_examples_lettered_party_is_its_holding() -> None:
    assert is_holding(EXAMPLE, HOLDING)
    assert is_holding(EXAMPLE, "Since C's blacklist status is a reason for A's choice, A acts.")
    # not a designated paragraph, a note, a source note, or a sentence opening with "A license"
    assert not is_holding(EXAMPLE, NEXT_EXAMPLE)
    assert not is_holding(EXAMPLE, "[61 FR 12862, Mar. 25, 1996]")
    assert not is_holding(EXAMPLE, "A license is required for the items in paragraph (a).")
    # nor after a paragraph that is no example (no designator, or no lettered party)
    assert not is_holding("The following examples illustrate intent.", HOLDING)
    assert not is_holding("(1) A license is required to Cuba.", HOLDING)


def test_the_quote_of_an_example_runs_on_through_its_holding_in_the_same_passage() -> None:
    text = f"{EXAMPLE}\n\n{HOLDING}\n\n{NEXT_EXAMPLE}"
    p = _chunk(1, text, 1000)
    a, b = provision_span(p, 1000, 1000 + len(EXAMPLE))
    assert text[a - 1000 : b - 1000] == f"{EXAMPLE}\n\n{HOLDING}"
    assert with_holding(p, 1000, 1000 + len(EXAMPLE)) == b


def test_a_holding_that_opens_the_next_chunk_is_found_there() -> None:
    first = _chunk(1, EXAMPLE, 0)
    second = _chunk(2, f"{HOLDING}\n\n{NEXT_EXAMPLE}", len(EXAMPLE) + 2)

    def reader(section: str) -> Sequence[SearchResult]:
        return [first, second]

    found = holding_after(first, 0, first.end, reader)
    assert found is not None
    nxt, start, end = found
    assert nxt.chunk_id == "c2" and nxt.text[start - nxt.start : end - nxt.start] == HOLDING
    # a quote stopping short of its chunk's end gets nothing
    assert holding_after(first, 0, first.end - 20, reader) is None

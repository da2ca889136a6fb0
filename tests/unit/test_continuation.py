"""A quoted list its chunk leaves open goes on in the next chunk of the same section."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answering.continuation import continuation
from assistant.models import SearchResult
from tests.support.passages import section_chunk

FIRST = (
    "( ii ) Mass market encryption. Items do not require a license for the following civil "
    "end-users:\n\n( A ) Wholly owned U.S. subsidiaries;\n\n( B ) Joint ventures of U.S. companies;"
)
SECOND = (
    "( C ) Joint ventures with companies headquartered in Country Group A:5;\n\n"
    "( D ) Wholly owned subsidiaries of companies headquartered in Country Group A:5; and\n\n"
    "( E ) Joint ventures between companies headquartered in Country Group A:5.\n\n"
    "( iii ) Another exclusion entirely."
)
DOC = FIRST + "\n\n" + SECOND


def _chunk(n: int, text: str, start: int, citation: str, doc: str = "15-cfr-746.8") -> SearchResult:
    return section_chunk(n, text, start, citation, doc, "§ 746.8")


A = _chunk(1, FIRST, 0, "15 CFR 746.8(a)(12)(ii)")
B = _chunk(2, SECOND, len(FIRST) + 2, "15 CFR 746.8(a)(12)(ii)")


def _reader(*chunks: SearchResult) -> object:
    def read(section: str) -> Sequence[SearchResult]:
        return [c for c in chunks if c.citation.startswith(f"15 CFR {section}")]

    return read


def test_an_open_list_goes_on_to_the_item_that_closes_it() -> None:
    found = continuation(A, A.start, A.end, _reader(A, B))  # type: ignore[arg-type]
    assert found is not None
    nxt, start, end = found
    assert nxt.chunk_id == "c2"
    quoted = DOC[start:end]
    assert quoted.startswith("( C )") and quoted.endswith("Country Group A:5.")
    assert "( D ) Wholly owned subsidiaries" in quoted
    assert "( iii )" not in quoted  # the next exclusion is another provision


def test_no_continuation_when_the_quote_is_closed_or_stops_short_of_the_chunk_end() -> None:
    closed = _chunk(3, "( a ) A license is required.", 0, "15 CFR 746.8(a)")
    after = _chunk(4, "( 1 ) More.", 30, "15 CFR 746.8(a)")
    assert continuation(closed, closed.start, closed.end, _reader(closed, after)) is None  # type: ignore[arg-type]
    assert continuation(A, A.start, A.end - 10, _reader(A, B)) is None  # type: ignore[arg-type]
    assert continuation(A, A.start, A.end, None) is None


def test_no_continuation_into_a_higher_paragraph_another_document_or_a_gap() -> None:
    higher = _chunk(
        5, "( b ) Licensing policy. Applications are denied.", B.start, "15 CFR 746.8(b)"
    )
    assert continuation(A, A.start, A.end, _reader(A, higher)) is None  # type: ignore[arg-type]
    other_doc = _chunk(6, SECOND, B.start, "15 CFR 746.8(a)(12)(ii)", doc="15-cfr-746.9")
    assert continuation(A, A.start, A.end, _reader(A, other_doc)) is None  # type: ignore[arg-type]
    far = _chunk(7, SECOND, A.end + 50, "15 CFR 746.8(a)(12)(ii)")
    assert continuation(A, A.start, A.end, _reader(A, far)) is None  # type: ignore[arg-type]
    reserved = _chunk(8, "( 2 ) [Reserved]\n\n( 3 ) Other.", B.start, "15 CFR 746.8(a)(12)(ii)")
    assert continuation(A, A.start, A.end, _reader(A, reserved)) is None  # type: ignore[arg-type]


def test_news_and_rules_are_not_continued() -> None:
    fr = _chunk(9, FIRST, 0, "89 FR 1")
    fr.metadata["doc_type"] = "federal_register"
    assert continuation(fr, fr.start, fr.end, _reader(fr, B)) is None  # type: ignore[arg-type]


def test_an_open_list_inside_one_chunk_runs_past_the_usual_quote_length() -> None:
    """A paragraph whose items take it past MAX_QUOTE characters is quoted to the item that
    closes the list (within MAX_LIST_QUOTE), not cut after the item that reached MAX_QUOTE."""
    from assistant.answering.quotes import MAX_LIST_QUOTE, MAX_QUOTE, provision_span

    # four items that together pass MAX_QUOTE, with the closing item still inside the list limit
    words = (MAX_QUOTE + MAX_LIST_QUOTE) // 2 // 4 // len("words ")
    items = [f"( {c} ) Item {c} " + "words " * words + ";" for c in "ABCD"]
    items.append("( E ) The closing item.")
    text = "( ii ) Excluded end users are the following:\n\n" + "\n\n".join(items)
    p = _chunk(10, text, 0, "15 CFR 746.8(a)(12)(ii)")
    a, b = provision_span(p, 0, text.index(":") + 1)
    assert MAX_QUOTE < len(text) <= MAX_LIST_QUOTE
    assert b - a > MAX_QUOTE
    assert text[a:b].endswith("( E ) The closing item.")


def test_an_italic_list_under_a_capital_item_ends_at_the_next_capital_item() -> None:
    """From an attack: 740.11(b)(2)(iii) nests "(A) ... when: (1) ...; and (2) ...; (B) ...".
    The continuation of the open (1) is (2), not the sibling (B) of (A)."""
    first = (
        "( iii ) Programs.\n\n( A ) This paragraph authorizes exports when:\n\n"
        "( 1 ) It is lent; and"
    )
    second = "( 2 ) It is returned;\n\n( B ) This paragraph authorizes other exports when:"
    a = _chunk(11, first, 0, "15 CFR 740.11(b)(2)(iii)", doc="d740.11")
    b = _chunk(12, second, len(first) + 2, "15 CFR 740.11(b)(2)(iii)", doc="d740.11")
    quoted_from = first.index("( A )")  # the quote is (A) with its items
    found = continuation(a, quoted_from, a.end, _reader(a, b))  # type: ignore[arg-type]
    assert found is not None
    nxt, start, end = found
    assert nxt.text[start - nxt.start : end - nxt.start] == "( 2 ) It is returned;"
    # quoted from (iii), whose items (A) and (B) both are, it goes on to (B)
    whole = continuation(a, a.start, a.end, _reader(a, b))  # type: ignore[arg-type]
    assert whole is not None and whole[0].text[: whole[2] - whole[1]].endswith("exports when:")


def test_an_item_ending_in_a_quote_mark_before_and_is_open() -> None:
    """740.23(a): '... such a “medical device;” and' leaves the list open."""
    first = "( a ) Items are eligible when:\n\n( 1 ) It is for use in such a “medical device;” and"
    second = "( 2 ) It is returned.\n\n( b ) Other."
    a = _chunk(13, first, 0, "15 CFR 740.23(a)", doc="d740.23")
    b = _chunk(14, second, len(first) + 2, "15 CFR 740.23(a)", doc="d740.23")
    found = continuation(a, a.start, a.end, _reader(a, b))  # type: ignore[arg-type]
    assert found is not None and found[0].text[: found[2] - found[1]] == "( 2 ) It is returned."


def test_items_of_a_kind_not_used_yet_and_ranking_below_continue() -> None:
    """750.4(b)(2) ends its stem with a semicolon ("... the following time frames;") and its
    items are (A) and (B): a deeper kind, so they follow."""
    first = "( b ) Delays.\n\n( 2 ) A check is made in accordance with the following time frames;"
    second = "( A ) It is requested within 5 days; and\n\n( B ) It is completed within 5 days."
    a = _chunk(15, first, 0, "15 CFR 750.4(b)", doc="d750.4")
    b = _chunk(16, second, len(first) + 2, "15 CFR 750.4(b)", doc="d750.4")
    found = continuation(a, first.index("( 2 )"), a.end, _reader(a, b))  # type: ignore[arg-type]
    assert found is not None and found[0].text[: found[2] - found[1]] == second

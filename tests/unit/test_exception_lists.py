"""A sanctions section's list of License Exceptions is read whole, item by item, across chunks."""

from __future__ import annotations

from assistant.answering.exception_lists import listed_exceptions, names
from assistant.models import SearchResult
from tests.support.passages import section_chunk

# 746.8(c)'s shape: a stem that ends "except the following:", eight items over several chunks,
# then the next paragraph (d) at the stem's parent level.
PARTS = [
    "( c ) License exceptions. BIS may revise License Exception availability.\n\n"
    "( 2 ) No license exceptions may overcome the license requirements in paragraphs (a)(1) "
    "of this section except the following:\n\n"
    "( i ) License Exception TMP for items for use by the news media as set forth in "
    "§ 740.9(a)(9) of the EAR.",
    "( ii ) License Exception GOV (§ 740.11(b) of the EAR) may overcome the license "
    "requirements in paragraphs (a)(1) of this section.",
    "( iii ) License Exception BAG, excluding firearms and ammunition (§ 740.14, excluding "
    "paragraph (e), of the EAR).\n\n"
    "( iv ) License Exception Consumer Communications Devices (CCD) for the export of "
    "consumer communications devices as set forth in § 740.19 of the EAR.",
    "( v ) Permissive reexports of certain spare parts in foreign-made equipment (see "
    "§ 740.16(h) of the EAR).\n\n"
    "( d ) License Applications. License applications submitted to BIS under this section "
    "must include the following:",
]


def _chunks(parts: list[str], skip: int | None = None) -> list[SearchResult]:
    out, at = [], 0
    for n, text in enumerate(parts):
        if n != skip:
            out.append(
                section_chunk(
                    n,
                    text,
                    at,
                    "15 CFR 746.8(c)",
                    "15-cfr-746.8",
                    "§ 746.8 Sanctions against Russia and Belarus.",
                )  # fmt: skip
            )
        at += len(text) + 2
    return out


def _stem(chunks: list[SearchResult]) -> tuple[SearchResult, int]:
    first = chunks[0]
    return first, first.start + first.text.index("( 2 )")


def test_every_item_is_read_across_chunks_with_what_narrows_it() -> None:
    chunks = _chunks(PARTS)
    stem, at = _stem(chunks)
    items = listed_exceptions(stem, at, chunks)
    assert [x.code for x in items] == ["TMP", "GOV", "BAG", "CCD", "APR"]
    said, shown = names(items)
    assert said.startswith(
        "TMP (for items for use by the news media), GOV, BAG (excluding firearms and ammunition)"
    )
    # each shown qualifier is the item's own words, and its span is the item's first sentence
    for x in shown:
        quoted = x.passage.text[x.start - x.passage.start : x.end - x.passage.start]
        assert x.qualifier in quoted
    assert "( d )" not in said and "APR" in said  # (v) named by its section, (d) ends the list


def test_a_purpose_that_restates_the_exceptions_title_is_left_out() -> None:
    chunks = _chunks(PARTS)
    stem, at = _stem(chunks)
    said, shown = names(
        listed_exceptions(stem, at, chunks),
        {"CCD": "§ 740.19 Consumer Communications Devices (CCD).", "TMP": "§ 740.9 Temporary"},
    )
    assert "CCD," in said and "consumer communications devices" not in said
    assert "TMP (for items for use by the news media)" in said
    assert all(x.code != "CCD" for x in shown)


def test_a_list_with_a_chunk_missing_is_not_read() -> None:
    chunks = _chunks(PARTS, skip=2)  # the caller may not read the chunk with BAG and CCD
    stem, at = _stem(chunks)
    assert listed_exceptions(stem, at, chunks) == []


def test_a_list_that_is_not_of_exceptions_is_not_read() -> None:
    parts = [
        "( 3 ) Applications will be reviewed on a case-by-case basis for the following:\n\n"
        "( i ) Applications for items necessary for health and safety reasons;",
        "( ii ) Applications for the disposition of items by companies winding down.\n\n"
        "( c ) License exceptions.",
    ]
    chunks = _chunks(parts)
    assert listed_exceptions(chunks[0], chunks[0].start, chunks) == []


def test_a_stem_without_items_is_no_list() -> None:
    parts = [
        "( c ) License exceptions. No license exceptions may overcome the prohibition "
        "described in paragraph (a) of this section.\n\n"
        "( d ) License review standards. License review will consider several factors.",
    ]
    chunks = _chunks(parts)
    assert listed_exceptions(chunks[0], chunks[0].start + 30, chunks) == []

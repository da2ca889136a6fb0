"""A reason for control the question gives, and where part 742's own sentence says it needs a
licence: read from the sentence, decided where the sentence names the countries, "depends"
where it names a country group the corpus does not list."""

from __future__ import annotations

import pytest

from assistant.answering.control_reasons import (
    UNKNOWN_COLUMN,
    Reach,
    column_pattern,
    reach_of,
    reasons_given,
)
from assistant.answering.determination import determine
from assistant.models import SearchResult
from tests.support.passages import ChunkLookup

NS1 = (
    "( 1 ) National Security column 1 (NS:1). A license is required for exports and reexports to "
    "all destinations, except Australia, Canada, or the United Kingdom, for all items in ECCNs on "
    "the CCL that include NS Column 1 in the Country Chart column of the “License Requirements” "
    "section."
)
NS2 = (
    "( 2 ) National Security column 2 (NS:2). A license is required to all destinations except "
    "those specified in Country Group A:1 (see supplement no. 1 to part 740 of the EAR), for all "
    "items in ECCNs on the CCL that include NS column 2 in the Commerce Country Chart column."
)
CB1 = (
    "( 1 ) If CB Column 1 of the Country Chart is indicated in the appropriate ECCN, a license is "
    "required to all destinations, including Australia, Canada, and the United Kingdom, for the "
    "following."
)


def _chunk(n: int, citation: str, text: str) -> SearchResult:
    return SearchResult(
        chunk_id=f"c{n}", doc_id=f"d{n}", source_path=f"p{n}", citation=citation, title="",
        text=text, start=0, end=len(text), score=0.6, metadata={"doc_type": "regulation"},
        similarity=0.6,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("question", "reasons"),
    [
        ("The ECCN lists NS Column 2 (plus AT 1).", [("NS", "2")]),
        ("It is NS1 and RS-1 controlled.", [("NS", "1"), ("RS", "1")]),
        ("controlled for national security column 2", [("NS", "2")]),
        ("NS:1 only", [("NS", "1")]),
        # lower case is a part number or a word, not a Country Chart column
        ("part ns2-44 of the chassis", []),
    ],
)
def test_the_reasons_a_question_gives_by_their_chart_symbols(
    question: str, reasons: list[tuple[str, str]]
) -> None:
    assert reasons_given(question) == reasons


def test_a_columns_reach_is_read_from_its_own_sentence() -> None:
    assert reach_of(NS1) == Reach(
        except_countries=("Australia", "Canada", "United Kingdom"),
        written="Australia, Canada, or the United Kingdom",
    )
    assert reach_of(NS2) == Reach(except_group="A:1")
    assert reach_of(CB1) == Reach(everywhere=True)
    assert column_pattern("NS", "1").search(NS1) and not column_pattern("NS", "2").search(NS1)


@pytest.mark.parametrize(
    ("question", "outcome", "says"),
    [
        ("Our sensor is NS1 controlled. Do we need a licence to export it to Mexico?", "yes",
         "yes for Mexico"),
        ("Our sensor is NS1 controlled. Can we ship it to Canada without a licence?", "depends",
         "not for NS column 1 reasons to Canada"),
        ("The ECCN lists NS Column 2. Do I need a license to ship it to Japan? What about Brazil?",
         "depends", "depends on whether Japan and Brazil are in Country Group A:1"),
    ],
)  # fmt: skip
def test_a_given_reason_for_control_decides_by_part_742s_sentence(
    question: str, outcome: str, says: str
) -> None:
    lookup = ChunkLookup([_chunk(1, "15 CFR 742.4(a)", f"{NS1} {NS2}")])
    finding = determine(question, [], lookup=lookup)
    assert finding is not None and "Reasons for control" in finding.rule
    assert finding.outcome == outcome and says in finding.lines[0].text
    basis = finding.lines[0].basis[0]
    assert "A license is required" in basis.passage.text[basis.start : basis.end]


def test_an_embargoed_destination_is_left_to_part_746() -> None:
    lookup = ChunkLookup([_chunk(1, "15 CFR 742.4(a)", f"{NS1} {NS2}")])
    finding = determine("Our NS2 item is going to Iran. Do we need a licence?", [], lookup=lookup)
    assert finding is None or "Reasons for control" not in finding.rule


@pytest.mark.parametrize(
    "question",
    [
        # from an attack on the rule: biology, model names, a denied reason
        "We ship dengue NS1 antigen rapid test kits to clinics in Brazil. Do we need a licence?",
        "Can we send our CB1 receptor antagonist compounds to a university in Germany?",
        "Our smart thermostat, model NS2, is EAR99. Can we ship it to Brazil?",
        "Our item is not NS1; the ECCN lists only AT Column 1. Can we ship it to Brazil?",
    ],
)
def test_symbols_that_are_not_a_reason_for_control_are_not_read_as_one(question: str) -> None:
    assert reasons_given(question) == []


def test_a_compact_symbol_beside_its_own_qualifier_is_one() -> None:
    assert reasons_given("Our NS2-only sensor module goes to Wuhan.") == [("NS", "2")]


SI = (
    "( a ) License requirement. Licenses are required for all destinations, except Australia, "
    "Canada, and the United Kingdom, for ECCNs having an “SI” under the “Reason for Control” "
    "paragraph."
)
MT = (
    "( a ) License requirements. Licenses for these items are required to all destinations, "
    "except Australia, Canada, or the United Kingdom, as indicated by MT Column 1 of the Country "
    "Chart."
)


@pytest.mark.parametrize(
    ("question", "reasons"),
    [
        ("ECCN 9E003.a.1, SI is among its reasons for control", [("SI", "")]),
        ("Our guidance kit is MT controlled.", [("MT", "1")]),
        ("The ECCN says SL under reasons for control.", [("SL", "")]),
        # the same letters as units, sizes and weights are not reasons
        ("The gauge reads in SI units and ships to Brazil.", []),
        ("We sell 50 MT of steel billets to Mexico.", []),
        ("We export about 20 MT of ECCN 1C350 chemicals a month.", []),
        ("Our warehouse in Billings, MT stocks ECCN 4A994 computers.", []),
        ("Our shirts come in SL sizes.", []),
    ],
)
def test_reasons_part_742_states_without_columns_are_read_by_their_symbol(
    question: str, reasons: list[tuple[str, str]]
) -> None:
    assert reasons_given(question) == reasons


@pytest.mark.parametrize(
    ("question", "citation", "text", "says"),
    [
        ("Our hot-section data (SI is among its reasons for control): do we need a licence to "
         "send it to Japan and to Canada?", "15 CFR 742.14(a)", SI,
         "yes for Japan; not for SI reasons to Canada"),
        ("Our guidance kit is MT controlled. Do we need a licence to ship it to Brazil?",
         "15 CFR 742.5(a)", MT, "yes for Brazil"),
    ],
)  # fmt: skip
def test_a_reason_without_columns_is_decided_by_its_own_sentence(
    question: str, citation: str, text: str, says: str
) -> None:
    finding = determine(question, [], lookup=ChunkLookup([_chunk(1, citation, text)]))
    assert finding is not None and finding.outcome == "yes" and says in finding.lines[0].text
    basis = finding.lines[0].basis[0]
    assert "are required" in basis.passage.text[basis.start : basis.end]


@pytest.mark.parametrize(
    "question",
    [
        "Our oscilloscopes are NS-controlled.",
        "an NS controlled signal analyser",
        "technology controlled for national security reasons",
        "It is an NS-only item.",
    ],
)
def test_national_security_without_its_column_is_given_as_an_unknown_column(
    question: str,
) -> None:
    assert reasons_given(question) == [("NS", UNKNOWN_COLUMN)]


@pytest.mark.parametrize(
    "question",
    [
        "It is NS2-controlled.",  # the column is given
        "controlled for NS column 1",
        "The board is not NS-controlled.",  # denied
        "ns-controlled",  # lower case: not the chart symbol
    ],
)
def test_a_column_given_or_a_denied_reason_is_not_an_unknown_column(question: str) -> None:
    assert ("NS", UNKNOWN_COLUMN) not in reasons_given(question)


@pytest.mark.parametrize(
    ("question", "says"),
    [
        ("Do we need a licence to ship NS-controlled test equipment to Vietnam?",
         "if NS column 1, yes for Vietnam (15 CFR 742.4(a)); if NS column 2, depends on whether "
         "Vietnam is in Country Group A:1"),
        ("Can we send NS-controlled instruments to Canada?",
         "if NS column 1, not for NS reasons to Canada"),
    ],
)  # fmt: skip
def test_ns_without_its_column_depends_on_the_column_and_says_what_each_does(
    question: str, says: str
) -> None:
    """ "NS-controlled" names the reason and not the column, and 742.4(a)(1) and (2) reach
    different destinations: the outcome depends on the column, and each column's own sentence
    says what it means for the destination."""
    lookup = ChunkLookup([_chunk(1, "15 CFR 742.4(a)", f"{NS1} {NS2}")])
    finding = determine(question, [], lookup=lookup)
    assert finding is not None and "Reasons for control" in finding.rule
    assert finding.outcome == "depends"
    line = finding.lines[0].text
    assert line.startswith("depends on the item's NS column — ") and says in line, line
    assert finding.missing_facts[0].startswith("the item's NS column")
    quoted = [b.passage.text[b.start : b.end] for b in finding.lines[0].basis]
    assert "NS Column 1" in quoted[0] and "NS column 2" in quoted[1]


def test_where_the_item_was_made_is_not_a_destination() -> None:
    """ "Korean-made oscilloscopes ... to a buyer in Shenzhen": Korea is the origin, China the
    destination; only the destination gets a verdict."""
    lookup = ChunkLookup([_chunk(1, "15 CFR 742.4(a)", f"{NS1} {NS2}")])
    finding = determine(
        "Our Korean-made oscilloscopes are NS-controlled. Do we need a licence to air-ship some "
        "to a buyer in Shenzhen?",
        [],
        lookup=lookup,
    )
    assert finding is not None
    line = finding.lines[0].text
    assert "yes for China" in line and "Korea" not in line, line


@pytest.mark.parametrize(
    ("question", "places", "not_places"),
    [
        ("BIS sent us an intent-to-deny for our NS-controlled instrument going to a private "
         "company in Vietnam. Two Chinese manufacturers and a Korean one sell there. Do we "
         "need a licence?", ["Vietnam"], ["China", "Korea"]),
        ("Our engineers at our German GmbH fly from Munich to Shanghai with NS-controlled "
         "technology to work there. Do they need a licence to take it?", ["China"], ["Germany"]),
        ("Do we need a licence to ship NS-controlled boards to a customer in Kowloon, Hong Kong?",
         ["China"], []),
    ],
)  # fmt: skip
def test_only_the_places_the_item_goes_to_get_a_verdict(
    question: str, places: list[str], not_places: list[str]
) -> None:
    """A nationality ("two Chinese manufacturers"), a company's home ("our German GmbH") or a
    place of departure is not where the item goes."""
    lookup = ChunkLookup([_chunk(1, "15 CFR 742.4(a)", f"{NS1} {NS2}")])
    finding = determine(question, [], lookup=lookup)
    assert finding is not None and "Reasons for control" in finding.rule
    line = finding.lines[0].text
    assert all(f"yes for {p}" in line for p in places), line
    assert not any(p in line for p in not_places), line

"""ingest/structure.py: paragraph spans, leading CFR markers, and the CFR numbering tracker."""

from __future__ import annotations

import pytest

from assistant.text import paragraph_spans
from ingest.documents import Section
from ingest.structure import (
    DIGIT,
    DIGIT2,
    LOWER,
    ROMAN,
    ROMAN2,
    UPPER,
    MarkerTracker,
    cfr_sections,
    common_citation,
    leading_markers,
)

BASE = "15 CFR 744.11"


def _sections(paragraphs: list[str], base: str = BASE) -> tuple[str, list[Section]]:
    text = "\n\n".join(paragraphs)
    return text, cfr_sections(text, paragraph_spans(text), base)


def _suffixes(paragraphs: list[str]) -> list[str]:
    """Citations without the base, e.g. ["(h)", "(h)(1)", ...]."""
    _, sections = _sections(paragraphs)
    return [s.citation.removeprefix(BASE) for s in sections]


# --- paragraph_spans -------------------------------------------------------------------------


def test_paragraph_spans_are_trimmed_and_exact() -> None:
    text = "  First line\nstill first  \n\n\n \t Second \n   \n\nThird\n"
    spans = paragraph_spans(text)
    assert [text[a:b] for a, b in spans] == ["First line\nstill first", "Second", "Third"]
    assert spans[0] == (2, text.index("  \n\n"))
    for a, b in spans:
        assert not text[a].isspace() and not text[b - 1].isspace()


def test_paragraph_spans_single_block_and_blank_text() -> None:
    assert paragraph_spans("one block") == [(0, 9)]
    assert paragraph_spans("") == []
    assert paragraph_spans(" \n\n \n\t\n") == []


def test_paragraph_spans_line_break_without_blank_line_is_not_a_paragraph() -> None:
    text = "line one\nline two\n\nnext"
    assert [text[a:b] for a, b in paragraph_spans(text)] == ["line one\nline two", "next"]


def test_paragraph_spans_respects_start_and_end() -> None:
    text = "HEADER\n\n  alpha  \n\n beta \n\nTRAILER"
    start = text.index("alpha") - 2
    end = text.index("TRAILER")
    spans = paragraph_spans(text, start, end)
    assert [text[a:b] for a, b in spans] == ["alpha", "beta"]
    assert all(start <= a < b <= end for a, b in spans)
    assert spans[0][0] == text.index("alpha")
    assert spans[1] == (text.index("beta"), text.index("beta") + len("beta"))


# --- leading_markers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("(a) Scope.", ["a"]),
        ("( a ) License requirement.", ["a"]),
        ("( iv ) Footnote 4 entities.", ["iv"]),
        ("(a)(1) Text", ["a", "1"]),
        ("( a ) ( 1 ) Text", ["a", "1"]),
        ("(b)(2)(iii)(B) Deep", ["b", "2", "iii", "B"]),
        ("(<I>1</I>) Italic digit", ["1"]),
        ("(<i>ii</i>) Italic roman", ["ii"]),
        ("(A)(<I>2</I>) mixed", ["A", "2"]),
        ("(aa) Long list", ["aa"]),
        ("(b) Title. (1) Text", ["b"]),
        ("(e) *Appeals* - (1) *Filing.* (i) A respondent", ["e", "1", "i"]),
        ("(9) - (11) [Reserved]", ["9"]),
        ("( 4 ) through ( 8 ) will be reviewed", []),
        ("(a) See paragraph (c) of this section and (d)(1).", ["a"]),
        ("A license is required (see paragraph (a) of this section).", []),
        ("Note to paragraph (a)(4):", []),
        ("(2019) is not a marker", []),
        ("[84 FR 43487, Aug. 21, 2019]", []),
        ("", []),
    ],
)
def test_leading_markers(paragraph: str, expected: list[str]) -> None:
    assert leading_markers(paragraph) == expected


# --- MarkerTracker ---------------------------------------------------------------------------


def test_tracker_full_hierarchy() -> None:
    tracker = MarkerTracker()
    assert tracker.push("a") == ["a"]
    assert tracker.push("1") == ["a", "1"]
    assert tracker.push("i") == ["a", "1", "i"]
    assert tracker.push("A") == ["a", "1", "i", "A"]
    assert tracker.push("1") == ["a", "1", "i", "A", "1"]
    assert tracker.push("i") == ["a", "1", "i", "A", "1", "i"]
    assert [level for level, _, _ in tracker.stack] == [LOWER, DIGIT, ROMAN, UPPER, DIGIT2, ROMAN2]
    assert tracker.push("2") == ["a", "1", "i", "A", "2"]
    assert tracker.push("B") == ["a", "1", "i", "B"]
    assert tracker.push("ii") == ["a", "1", "ii"]
    assert tracker.push("2") == ["a", "2"]
    assert tracker.push("b") == ["b"]


def test_tracker_i_after_h_is_a_letter() -> None:
    tracker = MarkerTracker()
    tracker.push("h")
    assert tracker.push("i") == ["i"]
    assert tracker.stack[-1][:2] == (LOWER, 9)


def test_tracker_i_after_1_is_roman() -> None:
    tracker = MarkerTracker()
    tracker.push("a")
    tracker.push("1")
    assert tracker.push("i") == ["a", "1", "i"]
    assert tracker.stack[-1][:2] == (ROMAN, 1)


def test_tracker_ambiguous_i_decided_by_next_marker() -> None:
    roman = MarkerTracker()
    roman.push("h")
    roman.push("1")
    assert roman.push("i", next_token="ii") == ["h", "1", "i"]
    assert roman.push("ii") == ["h", "1", "ii"]

    letter = MarkerTracker()
    letter.push("h")
    letter.push("1")
    assert letter.push("i", next_token="j") == ["i"]
    assert letter.push("j") == ["j"]


def test_tracker_v_and_x_after_letters_and_romans() -> None:
    tracker = MarkerTracker()
    for token in "abcdefghijklmnopqrstu":
        tracker.push(token)
    assert tracker.push("v") == ["v"]  # the letter after (u), not roman five
    tracker.push("1")
    for token in ("i", "ii", "iii", "iv"):
        tracker.push(token)
    assert tracker.push("v", next_token="vi") == ["v", "1", "v"]
    assert tracker.stack[-1][:2] == (ROMAN, 5)


def test_tracker_double_letters_continue_after_z() -> None:
    tracker = MarkerTracker()
    for token in "abcdefghijklmnopqrstuvwxyz":
        tracker.push(token, None)
    assert tracker.push("aa") == ["aa"]
    assert tracker.stack[-1][:2] == (LOWER, 27)


def test_tracker_ignores_tokens_that_are_no_marker() -> None:
    tracker = MarkerTracker()
    tracker.push("a")
    tracker.push("1")
    assert tracker.push("US") == ["a", "1"]
    assert tracker.push("2") == ["a", "2"]


def test_tracker_levels_are_distinct() -> None:
    assert len({LOWER, DIGIT, ROMAN, UPPER, DIGIT2, ROMAN2}) == 6


# --- cfr_sections ----------------------------------------------------------------------------


def test_cfr_sections_full_hierarchy_citations_paths_levels() -> None:
    text, sections = _sections(
        ["(a) General.", "(1) One.", "(i) Roman.", "(A) Upper.", "(B) Upper two.", "(b) Next."]
    )
    assert [s.citation for s in sections] == [
        f"{BASE}(a)",
        f"{BASE}(a)(1)",
        f"{BASE}(a)(1)(i)",
        f"{BASE}(a)(1)(i)(A)",
        f"{BASE}(a)(1)(i)(B)",
        f"{BASE}(b)",
    ]
    assert sections[3].path == (BASE, "(a)", "(1)", "(i)", "(A)")
    assert [s.level for s in sections] == [1, 2, 3, 4, 4, 1]
    assert [text[s.start : s.end] for s in sections][0] == "(a) General."


def test_cfr_sections_spaced_markers_as_in_the_mirror() -> None:
    assert _suffixes(["( a ) Scope.", "( 1 ) First.", "( i ) Sub.", "( ii ) Sub two."]) == [
        "(a)",
        "(a)(1)",
        "(a)(1)(i)",
        "(a)(1)(ii)",
    ]


def test_cfr_sections_combined_markers_in_one_paragraph() -> None:
    assert _suffixes(["(a)(1) Text.", "(2) Text.", "(b)(1)(i) Text.", "(ii) Text."]) == [
        "(a)(1)",
        "(a)(2)",
        "(b)(1)(i)",
        "(b)(1)(ii)",
    ]


def test_cfr_sections_italic_markers() -> None:
    assert _suffixes(["(a) A.", "(1) One.", "(i) I.", "(A) Up.", "(<I>1</I>) Italic."]) == [
        "(a)",
        "(a)(1)",
        "(a)(1)(i)",
        "(a)(1)(i)(A)",
        "(a)(1)(i)(A)(1)",
    ]


def test_cfr_sections_i_after_h_is_a_letter() -> None:
    assert _suffixes(["(h) H.", "(i) I.", "(j) J."]) == ["(h)", "(i)", "(j)"]
    assert _suffixes(["(h) H.", "(i) I.", "(1) One.", "(j) J."]) == [
        "(h)",
        "(i)",
        "(i)(1)",
        "(j)",
    ]


def test_cfr_sections_i_after_1_is_roman() -> None:
    assert _suffixes(["(a) A.", "(1) One.", "(i) I."]) == ["(a)", "(a)(1)", "(a)(1)(i)"]


def test_cfr_sections_ambiguous_i_roman_when_ii_follows() -> None:
    assert _suffixes(["(h) H.", "(1) One.", "(i) I.", "(ii) Two."]) == [
        "(h)",
        "(h)(1)",
        "(h)(1)(i)",
        "(h)(1)(ii)",
    ]


def test_cfr_sections_ambiguous_i_letter_when_j_follows() -> None:
    assert _suffixes(["(h) H.", "(1) One.", "(i) I.", "(j) J."]) == [
        "(h)",
        "(h)(1)",
        "(i)",
        "(j)",
    ]


def test_cfr_sections_lookahead_skips_unmarked_paragraphs() -> None:
    assert _suffixes(["(h) H.", "(1) One.", "(i) I.", "A note in between.", "(ii) Two."]) == [
        "(h)",
        "(h)(1)",
        "(h)(1)(i)",
        "(h)(1)(i)",
        "(h)(1)(ii)",
    ]


def test_cfr_sections_letter_i_with_its_own_numbered_children() -> None:
    assert _suffixes(
        ["(h) H.", "(1) One.", "(2) Two.", "(i) I.", "(1) One.", "(2) Two.", "(j) J."]
    ) == [
        "(h)",
        "(h)(1)",
        "(h)(2)",
        "(i)",
        "(i)(1)",
        "(i)(2)",
        "(j)",
    ]


def test_cfr_sections_list_restarting_inside_a_definition_is_not_top_level() -> None:
    # "(a) ... 'Foo' means: (1) x (2) y" then "(b)": the definition's list keeps (a)(2)'s
    # citation, and its "(b)" is not the section's (b).
    assert _suffixes(
        [
            "(a) Definitions.",
            "(1) Bar. 'Bar' means a bar.",
            "(2) Foo. 'Foo' means any of the following:",
            "(a) An x; or",
            "(b) A y.",
            "(3) Baz.",
            "(b) Scope.",
        ]
    ) == ["(a)", "(a)(1)", "(a)(2)", "(a)(2)", "(a)(2)", "(a)(3)", "(b)"]


def test_cfr_sections_list_after_an_unmarked_definition_keeps_its_citation() -> None:
    # Definitions sections (772.1): "*Bank.* Means any of the following:" then (a), (b), ...
    assert _suffixes(
        [
            "The following definitions apply.",
            "*Bank.* Means any of the following:",
            "(a) A bank; or",
            "(b) A branch of one.",
            "*Business Unit.* Means a unit that has:",
            "(a) A distinct structure;",
            "(b) A distinct set of accounts; and",
            "(c) Separate facilities.",
            "*Camming.* Axial displacement.",
        ]
    ) == ["", "", "", "", "", "", "", "", ""]


def test_cfr_sections_definition_list_ends_where_the_section_resumes() -> None:
    assert _suffixes(
        [
            "(a) Definitions.",
            "'Foo' means any of the following:",
            "(1) An x; or",
            "(2) A y.",
            "(b) Scope.",
            "(1) One.",
        ]
    ) == ["(a)", "(a)", "(a)", "(a)", "(b)", "(b)(1)"]


def test_cfr_sections_h_i_j_or_i_ii_iii_decided_by_the_sequence() -> None:
    # (i) after (h) is a letter when (j) follows ...
    assert _suffixes(["(g) G.", "(h) H.", "(i) I.", "(1) One.", "(j) J."]) == [
        "(g)",
        "(h)",
        "(i)",
        "(i)(1)",
        "(j)",
    ]
    # ... and roman when (ii) follows, even where the letter would fit: the section's (i)
    # comes later.
    assert _suffixes(
        ["(h) H.", "(1) One.", "(i) R1.", "(ii) R2.", "(iii) R3.", "(i) I.", "(1) One."]
    ) == ["(h)", "(h)(1)", "(h)(1)(i)", "(h)(1)(ii)", "(h)(1)(iii)", "(i)", "(i)(1)"]


def test_cfr_sections_examples_restarting_romans_after_a_heading() -> None:
    # 760.3: "Examples of ..." then (i), (ii) again: a new group of (h)(2), not the letter (i).
    assert _suffixes(
        [
            "(h) H.",
            "(1) One.",
            "(2) Two.",
            "(i) Example one.",
            "(ii) Example two.",
            "Examples of Something",
            "(i) Another example.",
            "(ii) And another.",
            "(i) *Letter i.* (1) Text.",
            "(2) Two.",
        ]
    ) == [
        "(h)",
        "(h)(1)",
        "(h)(2)",
        "(h)(2)(i)",
        "(h)(2)(ii)",
        "(h)(2)(ii)",
        "(h)(2)",
        "(h)(2)",
        "(i)(1)",
        "(i)(2)",
    ]


def test_cfr_sections_g_inside_a_definition_list_without_a_top_level_g() -> None:
    # 740.17: a definition inside (b)(2)(i)(A)(2) lists (a)..(g); the section has (a)..(f)
    # only, and its "(g) Trunked." is no top-level (g) (nor is anything after it under (g)).
    _, sections = _sections(
        [
            "(a) A.",
            "(b) B.",
            "(1) One.",
            "(2) Two.",
            "(i) Roman.",
            "(A) Upper.",
            "(1) One.",
            "(2) Two.",
            "2. 'Network infrastructure' means any of the following communications:",
            "(a) Wide Area Network (WAN);",
            "(b) Metropolitan Area Network (MAN);",
            "(c) Virtual Private Network (VPN);",
            "(d) Satellite;",
            "(e) Digital packet telephony;",
            "(f) Cellular; or",
            "(g) Trunked.",
            "(B) Other.",
            "(ii) Cryptanalytic.",
            "(c) C.",
            "(d) D.",
            "(1) One.",
            "(2) Two.",
            "(iii) BIS may require.",
            "(e) E.",
            "(f) F.",
        ]
    )
    cites = [s.citation.removeprefix(BASE) for s in sections]
    inner = "(b)(2)(i)(A)(2)"
    assert cites[6:8] == ["(b)(2)(i)(A)(1)", inner]
    assert cites[8:16] == [inner] * 8
    assert cites[16:] == [
        "(b)(2)(i)(B)",
        "(b)(2)(ii)",
        "(c)",
        "(d)",
        "(d)(1)",
        "(d)(2)",
        "(d)(2)(iii)",
        "(e)",
        "(f)",
    ]
    assert not any(c.startswith("(g)") for c in cites)


def test_cfr_sections_list_that_skips_a_level() -> None:
    # 740.29(f): a consignee statement lists (i)..(iv) right under (f).
    assert _suffixes(["(f) Statement:", "(i) Is aware;", "(ii) Agrees.", "(g) G."]) == [
        "(f)",
        "(f)(i)",
        "(f)(ii)",
        "(g)",
    ]


def test_cfr_sections_bracketed_placeholder_is_not_amendment_history() -> None:
    assert _suffixes(
        ["(d) D.", "(1) One.", "(2) Two.", "[INSERT NAME OF CONSIGNEE]:", "(i) Is aware;"]
    ) == ["(d)", "(d)(1)", "(d)(2)", "(d)(2)", "(d)(2)(i)"]


def test_cfr_sections_sentence_broken_at_a_range_is_no_paragraph() -> None:
    # 746.8(b)(3): "... paragraphs (a)(1), (2), (3), and" / "( 4 ) through ( 8 ) will be ...".
    assert _suffixes(
        [
            "( b ) Policy.",
            "( 3 ) Applications under paragraphs (a)(1), (2), (3), and",
            "( 4 ) through ( 8 ) will be reviewed case by case:",
            "( i ) First;",
            "( v ) Fifth.",
        ]
    )[1:] == ["(b)(3)", "(b)(3)", "(b)(3)(i)", "(b)(3)(v)"]


def test_cfr_sections_unmarked_notes_inherit_previous_citation() -> None:
    _, sections = _sections(
        ["(a) A.", "(1) One.", "Note to paragraph (a)(1): see also (b).", "Continuation.", "(b) B."]
    )
    cites = [s.citation.removeprefix(BASE) for s in sections]
    assert cites == ["(a)", "(a)(1)", "(a)(1)", "(a)(1)", "(b)"]
    assert sections[2].path == (BASE, "(a)", "(1)")
    assert sections[2].level == 2


def test_cfr_sections_intro_before_first_marker_gets_section_citation() -> None:
    _, sections = _sections(["BIS may impose license requirements.", "(a) A."])
    assert sections[0].citation == BASE
    assert sections[0].path == (BASE,)
    assert sections[0].level == 0


def test_cfr_sections_amendment_history_gets_section_citation() -> None:
    text, sections = _sections(
        [
            "(a) A.",
            "(1) One.",
            "(2) Two.",
            "[84 FR 22961, May 21, 2019, as amended at 85 FR 29853, May 19, 2020]",
            "For Federal Register citations affecting this section, see the List.",
        ]
    )
    history, note = sections[3], sections[4]
    assert text[history.start : history.end].startswith("[84 FR 22961")
    assert history.citation == BASE
    assert history.path == (BASE,)
    assert history.level == 0
    assert note.citation == BASE  # an unmarked paragraph after the history inherits it


def test_cfr_sections_spaced_amendment_history_as_in_the_mirror() -> None:
    _, sections = _sections(["( a ) A.", "( 1 ) One.", "[ 87 FR 61973 , Oct. 13, 2022]"])
    assert sections[-1].citation == BASE


def test_cfr_sections_offsets_heading_and_root_label() -> None:
    text = "\n\n".join(["(a) First.", "(1) Sub."])
    spans = paragraph_spans(text)
    sections = cfr_sections(
        text, spans, "15 CFR part 774, Supplement No. 2", heading="Notes", root_label="Supp. 2"
    )
    assert [(s.start, s.end) for s in sections] == spans
    assert sections[1].citation == "15 CFR part 774, Supplement No. 2(a)(1)"
    assert sections[1].path == ("Supp. 2", "(a)", "(1)")
    assert all(s.heading == "Notes" for s in sections)


def test_cfr_sections_real_744_11_shape() -> None:
    """The shape of the mirror's 744.11: spaced markers, (a)(2)(v)(A)(3)(i), history at the end."""
    _, sections = _sections(
        [
            "BIS may impose foreign policy export license requirements.",
            "( a ) License requirement.",
            "( 1 ) Entity List entries extend.",
            "( 2 ) Entity List FDP.",
            "( i ) Footnote 1 entities.",
            "( ii ) [Reserved]",
            "( iii ) Footnote 3 entities.",
            "( iv ) Footnote 4 entities.",
            "( v ) Footnote 5 entities.",
            "( A ) License requirement.",
            "( 1 ) Exports from abroad.",
            "( 2 ) Exports from some countries.",
            "( 3 ) Exports from all countries.",
            "( i ) A license is required.",
            "( ii ) A license is required.",
            "( B ) License review policy.",
            "( b ) Criteria.",
            "[ 87 FR 61973 , Oct. 13, 2022]",
        ]
    )
    cites = [s.citation.removeprefix(BASE) for s in sections]
    assert cites[:9] == [
        "",
        "(a)",
        "(a)(1)",
        "(a)(2)",
        "(a)(2)(i)",
        "(a)(2)(ii)",
        "(a)(2)(iii)",
        "(a)(2)(iv)",
        "(a)(2)(v)",
    ]
    assert cites[9:13] == [
        "(a)(2)(v)(A)",
        "(a)(2)(v)(A)(1)",
        "(a)(2)(v)(A)(2)",
        "(a)(2)(v)(A)(3)",
    ]
    assert cites[13:] == [
        "(a)(2)(v)(A)(3)(i)",
        "(a)(2)(v)(A)(3)(ii)",
        "(a)(2)(v)(B)",
        "(b)",
        "",
    ]


# --- common_citation -------------------------------------------------------------------------


def _sec(*markers: str) -> Section:
    return Section(
        start=0,
        end=1,
        citation=BASE + "".join(f"({m})" for m in markers),
        path=(BASE, *(f"({m})" for m in markers)),
        level=len(markers),
    )


def test_common_citation_of_siblings_is_their_parent() -> None:
    assert common_citation([_sec("a", "1"), _sec("a", "2")]) == f"{BASE}(a)"


def test_common_citation_of_parent_and_child_is_the_parent() -> None:
    assert common_citation([_sec("a"), _sec("a", "1"), _sec("a", "1", "i")]) == f"{BASE}(a)"


def test_common_citation_of_cousins() -> None:
    sections = [
        _sec("a", "2", "v", "A", "1"),
        _sec("a", "2", "v", "A", "2"),
        _sec("a", "2", "v", "B"),
    ]
    assert common_citation(sections) == f"{BASE}(a)(2)(v)"


def test_common_citation_across_top_level_is_the_section() -> None:
    assert common_citation([_sec("a", "1"), _sec("b")]) == BASE
    assert common_citation([_sec(), _sec("a")]) == BASE


def test_common_citation_same_or_none() -> None:
    assert common_citation([_sec("a", "1"), _sec("a", "1")]) == f"{BASE}(a)(1)"
    assert common_citation([_sec("c")]) == f"{BASE}(c)"
    assert common_citation([]) == ""


def test_common_citation_of_real_cfr_sections() -> None:
    _, sections = _sections(["(a) A.", "(1) One.", "(2) Two.", "(b) B."])
    assert common_citation(sections[1:3]) == f"{BASE}(a)"
    assert common_citation(sections[0:3]) == f"{BASE}(a)"
    assert common_citation(sections) == BASE


def test_cached_passage_sentences_are_the_sentence_spans() -> None:
    from assistant.text import chunk_sentences, sentence_spans

    text = (
        "( a ) License requirements. A license is required for U.S. origin items. See § 744.11."
        "\n\n( b ) Exceptions. None apply, e.g. to Cuba."
    )
    assert list(chunk_sentences(text)) == sentence_spans(text)
    assert chunk_sentences(text) is chunk_sentences(text)


def test_company_forms_and_street_words_do_not_end_a_sentence() -> None:
    """ "The ERC determined to add TechCamel Pte. Ltd. ..." once led an answer as "The ERC
    determined to add TechCamel Pte.": the sentence is the whole addition."""
    from assistant.text import sentence_spans

    text = (
        "The ERC determined to add TechCamel Pte. Ltd. and Agrim Aviation Pvt. Ltd. to the Entity "
        "List. A Malaysian firm, Sunrise Sdn. Bhd. of 12 Fifth Ave. North, was removed. "
        "Review is case by case."
    )
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    assert sentences == [
        "The ERC determined to add TechCamel Pte. Ltd. and Agrim Aviation Pvt. Ltd. to the "
        "Entity List.",
        "A Malaysian firm, Sunrise Sdn. Bhd. of 12 Fifth Ave. North, was removed.",
        "Review is case by case.",
    ]

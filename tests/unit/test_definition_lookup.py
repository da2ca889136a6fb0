""" "What is an SDN?" is answered by where the term is defined. Part 772's glossary defines
abbreviations in its headings ("*Specially Designated National (SDN).* Any person who ..."),
and one glossary chunk defines a dozen terms, so it shares few words with any one question:
the retriever brings in the definitions sections' chunks that define the asked term and gives
the best one the third place at the latest, and the bottom line quotes the definition when it
says what the term is."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from assistant.answering.extractive import _defines_outright
from assistant.index.snapshot import CorpusSnapshot, _holds_definitions
from assistant.retrieval.features import (
    _term_words,
    defined_terms,
    definitions_pattern,
    first_word_lead,
)
from tests.support.snapshots import retrieve, snapshot, unit


@pytest.mark.parametrize(
    ("term", "text", "strict"),
    [
        ("ECCN", "*Export Control Classification Number (ECCN).* The numbers used", True),
        ("ECCNs", "*Export Control Classification Number (ECCN).* The numbers used", True),
        ("OFAC", "*Office of Foreign Assets Control (FAC) or (OFAC).* The office at", True),
        ("FAC", "*Office of Foreign Assets Control (FAC) or (OFAC).* The office at", True),
        ("MDE", "*600 Series Major Defense Equipment* or *MDE.* Any item listed in", True),
        ("knowledge", "*Knowledge.* Knowledge of a circumstance includes", True),
        ("commodity", "*Commodities.* Any article, material, or supply", True),
        ("export", "*Exporter.* The person in the United States who has", False),
        ("commodity", "*Military commodity.* As used here, military commodity means", False),
        ("person", "For this section a U.S. person is defined as follows", False),
        ("regular employee", "(3) Regular employee. A regular employee means: (i) An", True),
        ("United States person", "the term *United States person* means any person", True),
        ("published", "of this section. “Published” means made available to the", True),
        ("commodity", "The ‘form’ of a commodity is defined by its configuration", False),
        ("regular employee", "A regular employee means: (i) An individual", True),
        ("person", "For purposes of this section, U.S. person means any", False),
        ("deemed export", "a deemed export means any release of technology", True),
        # forms that also find sentences merely using the term: found, but not strictly
        ("Commerce Control List", "Items on the Commerce Control List are controlled", False),
        ("License Exception", "( a ) Scope. A “License Exception” is an authorization", False),
        ("controlled in fact", "(c) *Definition of “Controlled in Fact”.* (1) This part", False),
    ],
)
def test_the_regulations_own_forms_define_strictly(term: str, text: str, strict: bool) -> None:
    pattern = definitions_pattern([term])
    assert pattern is not None
    assert pattern.search(text)  # every one is a definition for scoring
    assert pattern.search_strict(text) is strict
    # an abbreviation somewhere else in a heading defines nothing
    assert not pattern.search_strict(f"*Other term.* See the {term} rules (Cat 5).")


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        ("What is an SDN?", ["SDN"]),
        ("What is the EAR?", ["EAR"]),
        ("What is a TDO?", ["TDO"]),
        ("What is it?", []),
        ("What is (a)?", []),
    ],
)
def test_an_abbreviation_asked_about_is_a_term(question: str, terms: list[str]) -> None:
    assert defined_terms(question) == terms


@pytest.mark.parametrize(
    ("text", "outright"),
    [
        ("*Specially Designated National (SDN).* Any person who is determined by the "
         "Secretary of the Treasury to be a specially designated national", True),
        ("*SDN.* See § 744.8 of the EAR.", False),  # a pointer
        ("*Specially Designated National (SDN).*", False),  # a heading alone
        ("*SDN” (as applied to the antiboycott rules of this part*).", False),  # ... qualified
        ("*Specially Designated National (SDN).* For the purposes of this part an SDN is "
         "defined as follows:", False),  # the stem of a list found elsewhere
    ],
)  # fmt: skip
def test_a_bottom_line_definition_says_what_the_term_is(text: str, outright: bool) -> None:
    pattern = definitions_pattern(["SDN"])
    assert pattern is not None
    assert _defines_outright(text, pattern) is outright


@pytest.mark.parametrize(
    ("title", "text", "holds"),
    [
        ("§ 772.1 Definitions of terms as used in the EAR", "*Knowledge.* Knowledge of", True),
        ("§ 744.22 Restrictions on military-intelligence end uses", "(f) Definitions. For the "
         "purposes of this section: (1) 'Military-intelligence end use' means", True),
        ("§ 760.1 Definitions", "(c) *Definition of “Controlled in Fact”.* (1)", True),
        ("§ 744.22 Restrictions", "(b) The definitions in paragraph (f) apply.", False),
    ],
)  # fmt: skip
def test_definitions_sections_and_paragraphs_are_told_apart(
    title: str, text: str, holds: bool
) -> None:
    assert _holds_definitions(text, {"title": title}) is holds


def _meta(cid: str, citation: str, title: str) -> dict[str, Any]:
    return {
        "doc_id": cid,
        "citation": citation,
        "title": title,
        "doc_type": "regulation",
        "access": "public",
        "access_public": True,
        "start": 0,
        "end": 10,
    }


def _ranked(question: str) -> list[str]:
    rows = [
        (f"u{i}", f"A licence is required when an SDN is a party ({i}); SDN SDN.",
         "15 CFR 744.8(b)", "§ 744.8 Restrictions", unit(1, 0.1 * i, 0, 0))
        for i in range(5)
    ] + [
        ("g", "*Specially Designated National (SDN).* Any person who is determined by the "
         "Secretary of the Treasury to be a specially designated national.",
         "15 CFR 772.1", "§ 772.1 Definitions of terms as used in the EAR", unit(0, 0, 0, 1)),
    ]  # fmt: skip
    snap = snapshot([(r[0], r[1], _meta(r[0], r[2], r[3]), r[4]) for r in rows])
    return [r.chunk_id for r in retrieve(question, unit(1, 0, 0, 0), snap)]


def test_asked_what_a_term_is_its_definition_takes_the_third_place_at_the_latest() -> None:
    assert _ranked("What is an SDN?")[2] == "g"
    # asked anything else, the glossary chunk keeps its own place
    assert "g" not in _ranked("Do we need a licence when an SDN is a party?")[:3]


def test_an_abbreviation_in_capitals_is_spelled_out_for_the_answer_s_sentences() -> None:
    """A sentence naming "temporary denial order" shares no word with "What is a TDO?": the
    sentences are scored with the regulations' words for it (retrieval expands any lay word;
    the answer only abbreviations in capitals, so "publish on GitHub" is scored as asked)."""
    from assistant.index.vocabulary import spelled_out

    assert spelled_out("How long does a TDO renewal last?") == "temporary denial order"
    assert spelled_out("Who issues TDOs?") == "temporary denial order"
    assert spelled_out("Is a TDO like the DPL?") == "temporary denial order Denied Persons List"
    assert spelled_out("a tdo renewal") == ""
    assert spelled_out("Can we publish it on GitHub?") == ""


@pytest.mark.parametrize("k", [4, 5])
def test_a_definition_placed_never_pushes_out_the_stay_placed(k: int) -> None:
    """A question both about a stay and quoting a term: the stay's provision keeps its place
    (the fifth, or the last of four for a message's later question) beside the definition."""
    got = _ranked_ten("15 CFR 744.11", k, stayed=np.eye(10)[8], defining=np.eye(10)[9])
    assert got[2] == "c9" and "c8" in got and len(got) == k


@pytest.mark.parametrize(
    ("term", "context", "text", "weight"),
    [
        ("person", "", "*Person.* A natural person, including a citizen or national of", 1.0),
        ("end item", "", "*End item.* This is a system, equipment or assembled commodity", 1.0),
        # a definition for its own part, section or paragraph only
        ("person", "", "(a) *Definition of person.* For purposes of this part, the term "
         "*person* means any individual, or any association", 0.5),
        # (part 772 lists where its terms are used: its own definitions hold throughout)
        ("U.S. person", "", "*U.S. Person.* (a) For purposes of §§ 732.3(j), 736.2(b)(7) of "
         "the EAR, the term U.S. person includes:", 1.0),
        ("military commodity", "", "*Military commodity.* As used in § 734.4(a)(5), §§ "
         "740.2(a)(11), “military commodity” or “military commodities” means an article", 1.0),
        ("military end use", "", "In this section, “military end use” means incorporation "
         "into a military item", 0.5),
        # ... said earlier in its paragraph
        ("U.S. person", "(12) U.S. persons. For purposes of this § 740.9, a U.S. person is "
         "defined as follows: an individual who is a citizen. ", "U.S. person also means any "
         "juridical person organized under the laws of the United States", 0.5),
        ("U.S. person", "(12) U.S. persons. For purposes of this § 740.9, it is so.\n",
         "U.S. person also means any juridical person organized under the laws", 1.0),
        # a limit between the term and its "means", or to one paragraph of the section
        ("government end user", "", "“Government end user,” for purposes of this section, "
         "means any foreign central government", 0.5),
        ("luxury good", "", "For purposes of paragraph (a)(7) of this section, a 'luxury "
         "good' means any item", 0.5),
        ("ultimate consignee", "", "For purposes of this license exception, ultimate "
         "consignee means the entity that has ownership over the items.", 0.5),
        # "in this" without a part, section or paragraph limits nothing
        ("MTCR", "", "*Missile Technology Control Regime (MTCR).* The United States and other "
         "nations in this multilateral control regime have agreed", 1.0),
        # not a definition in the regulations' forms
        ("person", "", "Any person who is determined by the Secretary to be a national", 0.0),
    ],
)  # fmt: skip
def test_a_definition_that_holds_throughout_weighs_more_than_one_for_its_part(
    term: str, context: str, text: str, weight: float
) -> None:
    pattern = definitions_pattern([term])
    assert pattern is not None
    assert pattern.defining_weight(text, context) == weight


def test_a_definition_for_one_part_placed_already_still_lets_the_general_one_in() -> None:
    """ "What is a person?": the antiboycott part's own definition (0.5) is in the top three,
    and the glossary's "*Person.*" (1) takes the third place; with only the part's own, the
    order stays as scored."""
    part_only = np.eye(10)[1] * 0.5
    assert _ranked_ten("15 CFR 772.1", 5, defining=part_only) == ["c0", "c1", "c2", "c3", "c4"]
    both = part_only + np.eye(10)[8] + np.eye(10)[9]
    assert _ranked_ten("15 CFR 772.1", 5, defining=both) == ["c0", "c1", "c8", "c2", "c3"]


def _ranked_ten(
    citation: str,
    k: int,
    stayed: np.ndarray | None = None,
    defining: np.ndarray | None = None,
) -> list[str]:
    """The top k of ten chunks scored by cosine alone (c0 best), with the flags that place."""
    from assistant.retrieval.retriever import ranked
    from assistant.retrieval.scoring import Features

    n = 10
    ids = [f"c{i}" for i in range(n)]
    snap = CorpusSnapshot(
        ids, [f"text {i}" for i in range(n)], [_meta(c, citation, "") for c in ids], "v1"
    )
    zero = np.zeros(n)
    features = Features(
        cosine=np.linspace(0.9, 0.1, n),
        bm25=zero,
        reference=zero,
        heading=zero,
        authority=zero,
        definition=zero,
        doc=ids,
        stayed=stayed,
        defining=defining,
    )
    return [r.chunk_id for r in ranked((snap, np.arange(n), features), k)]


def test_the_lead_is_the_definition_in_the_regulations_form_that_holds_throughout() -> None:
    """Both sentences say what the term is and score near each other; the one in the
    regulations' own form leads ("*End item.* This is ..."), and of two in that form the one
    that holds throughout the regulations ("*Person.*") before a part's own."""
    from assistant.answering.extractive import _lead_sentence, _Sentence
    from assistant.models import SearchResult

    def lead(question: str, texts: list[tuple[str, float]]) -> str:
        passages = [
            SearchResult(f"c{i}", "d", "p", "15 CFR 772.1", "", t, 0, len(t), 0.5,
                         {"doc_type": "regulation"})
            for i, (t, _) in enumerate(texts)
        ]  # fmt: skip
        scored = [_Sentence(i, 0, len(t), t, s, 0.5) for i, (t, s) in enumerate(texts)]
        return _lead_sentence(question, scored, passages).text

    equipment = (
        "Equipment that does not meet the definition of an end-item is a part, component, "
        "accessory, attachment, firmware, or software."
    )
    end_item = "*End item.* This is a system, equipment or assembled commodity ready for use."
    assert lead("What is an end item?", [(equipment, 1.1), (end_item, 1.0)]) == end_item
    part = (
        "(a) *Definition of person.* For purposes of this part, the term *person* means any "
        "individual, or any association or organization."
    )
    glossary = "*Person.* A natural person, including a citizen or national of any country."
    assert lead("What is a person?", [(part, 1.0), (glossary, 0.7)]) == glossary
    assert lead("What is a person?", [(part, 1.0)]) == part


def test_a_glossary_heading_set_as_its_own_sentence_is_read_with_the_sentence_after_it() -> None:
    """772.1's "*Government end user” (as applied to encryption items*)." closes its italic
    heading with a full stop after a bracket, so it is a sentence of its own and says nothing;
    the sentence after it says what the term is and leads "is a national bank a 'government end
    user'?", ahead of a sentence elsewhere that shares more of the question's words."""
    from assistant.answering.extractive import _lead_sentence, _Sentence
    from assistant.models import SearchResult

    heading = "*Government end user” (as applied to encryption items*). "
    says = (
        "A government end user is any foreign central, regional or local government "
        "department, agency, or other entity performing governmental functions."
    )
    entry = heading + says + " This term does not include: banks and financial institutions."
    other = (
        "License Exception ENC authorizes exports to a national bank's foreign employees "
        "without prior review by the U.S. Government."
    )
    passages = [
        SearchResult("c0", "d0", "p", "15 CFR 740.17(a)", "", other, 0, len(other), 0.6,
                     {"doc_type": "regulation"}),
        SearchResult("c1", "d1", "p", "15 CFR 772.1", "", entry, 0, len(entry), 0.5,
                     {"doc_type": "regulation"}),
    ]  # fmt: skip
    at = len(heading)
    scored = [
        _Sentence(0, 0, len(other), other, 1.2, 0.6),
        _Sentence(1, at, at + len(says), says, 0.9, 0.5),
    ]
    question = "For License Exception ENC, is a national bank a 'government end user'?"
    assert _lead_sentence(question, scored, passages).text == says
    # the same sentence without the heading before it defines nothing: the better score leads
    bare = [scored[0], _Sentence(1, 0, len(says), says, 0.9, 0.5)]
    passages[1] = SearchResult("c1", "d1", "p", "15 CFR 772.1", "", says, 0, len(says), 0.5,
                               {"doc_type": "regulation"})  # fmt: skip
    assert _lead_sentence(question, bare, passages).text == other


_DEFINING_TEXTS = [
    "*Person.* A natural person, including a citizen or national of the United States.",
    "(a) *Definition of person.* For purposes of this part, the term *person* means any "
    "individual. A U.S. person is defined as follows. The ‘form’ of a commodity is defined.",
    "Items are exported. “Export” means an actual shipment. Exports of items; *Exporter.* The "
    "person. an export means\n*Export.* See § 734.13.\n“Exports” means several.",
    "In this section, “military end use” means incorporation. A military end use means; the "
    "term military end use means. military end-use means. (military end use) means",
    "*Export Control Classification Number (ECCN).* The numbers.\n*600 Series Major Defense "
    "Equipment* or *MDE.* Any item. ECCNs are defined in part 774.",
    "(b) *Definitions of the term \u201cexport\u201d.* Persons are. A person is a natural "
    "person; a U.S. person includes. Military end uses refer to. (ECCN) is an number.",
    # a term's first word overlapping itself, and a definition opening a later line
    "exportexport means. person-person means\n  *Exports.* Any shipment\n\u201cPerson\u201d "
    "means a natural person.\n*Military end use.* Any use. military military end use means",
]


@pytest.mark.parametrize(
    "term", ["person", "U.S. person", "export", "exports", "military end use", "ECCN", "MDE"]
)
def test_the_lookahead_finds_the_same_definitions_as_the_patterns_without_it(term: str) -> None:
    """The lookahead before both definition patterns, and trying them only where it can
    hold, only make them faster: every match, where it starts and ends, is the one the
    pattern without it finds over the whole text."""
    split = _term_words(term)
    assert split is not None
    pattern = definitions_pattern([term])
    assert pattern is not None
    for compiled, strict in ((pattern.full, False), (pattern.strict, True)):
        lead = first_word_lead(*split, strict)
        assert lead in compiled.pattern
        without = re.compile(compiled.pattern.replace(lead, ""), compiled.flags)
        for text in _DEFINING_TEXTS:
            spans = [m.span() for m in compiled.finditer(text)]
            assert spans == [m.span() for m in without.finditer(text)]
            # ... and trying it only where a match can begin finds them all too
            assert spans == [m.span() for m in pattern.matches(text, strict)]
            first = pattern.first(text, strict)
            assert (first.span() if first else None) == (spans[0] if spans else None)
        assert any(compiled.search(text) for text in _DEFINING_TEXTS)

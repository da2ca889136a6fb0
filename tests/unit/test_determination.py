"""The bottom line of a licence question: which rule fires, the outcome in fixed words, and the
sentence of the regulation each line rests on; and the shape of the extractive answer around it
(determination first, provisions whole, authority order, news marked secondary)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest

from assistant.answering.determination import determine
from assistant.answering.determination.asks import asks_whether
from assistant.answering.determination.basis import Finding, find_sentence
from assistant.answering.determination.facts import party_names
from assistant.answering.determination.listing import listed_in_corpus
from assistant.answering.extractive import compose_extractive
from assistant.answering.quotes import is_furniture, is_heading, provision_span
from assistant.models import SearchResult

EL_TEXT = (
    "( a ) General. A license is required, to the extent specified on the Entity List, to export "
    "any item subject to the EAR when an entity that is listed on the Entity List is a party to "
    "the transaction. License exceptions may not be used unless authorized in the Entity List "
    "entry for the entity or entities involved."
)
FR_TEXT = (
    "This final rule adds Huawei Technologies Co., Ltd. (Huawei) to the Entity List. "
    "The listing imposes a license requirement for all items subject to the EAR."
)
NEWS_TEXT = (
    "Microsoft said the Commerce Department granted its request for a licence to export "
    "mass-market software to Huawei on 20 November 2019."
)
RUSSIA_TEXT = (
    "( a ) License requirements — ( 1 ) A license is required for the export to Russia of any "
    "item subject to the EAR listed on the CCL."
)


def _p(
    n: int, citation: str, text: str, doc_type: str, sim: float = 0.6, **meta: Any
) -> SearchResult:
    return SearchResult(
        chunk_id=f"c{n}",
        doc_id=f"d{n}",
        source_path=f"p{n}",
        citation=citation,
        title=meta.pop("title", ""),
        text=text,
        start=0,
        end=len(text),
        score=sim,
        metadata={"doc_type": doc_type, **meta},
        similarity=sim,
    )


EL = _p(1, "15 CFR 744.11(a)", EL_TEXT, "regulation", title="§ 744.11 License requirements.")
FR = _p(2, "84 FR 22961", FR_TEXT, "federal_register")
NEWS = _p(3, "CPI Financial, 24 November 2019", NEWS_TEXT, "article", sim=0.7)


def test_a_party_the_corpus_lists_gets_yes_with_the_entity_list_rule_and_its_basis() -> None:
    finding = determine("Do mass-market software sales to Huawei need a licence?", [NEWS, EL, FR])
    assert finding is not None
    assert finding.outcome == "yes" and "744.11" in finding.rule
    first = finding.lines[0]
    assert first.label == "Licence required" and first.text.startswith("yes")
    assert (
        first.basis
        and "A license is required" in EL_TEXT[first.basis[0].start : first.basis[0].end]
    )
    labels = [line.label for line in finding.lines]
    assert "Listed" in labels and "Licence exceptions" in labels
    listed = listed_in_corpus("Do sales to Huawei need a licence?", [NEWS, EL, FR])
    assert listed is not None and listed[1].passage is FR, "the FR rule, not the news, says so"


def test_without_the_regulation_sentence_no_determination_is_made() -> None:
    assert determine("Huawei is on the Entity List. Can we ship to it?", [NEWS, FR]) is None


def test_the_entity_list_rule_looks_up_its_sentence_when_retrieval_missed_it() -> None:
    asked: list[str] = []

    def lookup(query: str) -> list[SearchResult]:
        asked.append(query)
        return [EL]

    finding = determine("Huawei is on the Entity List. Can we ship to it?", [NEWS], lookup=lookup)
    assert finding is not None and finding.outcome == "yes" and asked


def test_an_unnamed_party_depends_on_whether_it_is_listed() -> None:
    finding = determine(
        "Under the Entity List rules, do we need a licence to sell to a distributor?", [EL]
    )
    assert finding is not None and finding.outcome == "depends"
    assert finding.missing_facts == ["whether a party to the transaction is on the Entity List"]


def test_an_embargoed_destination_cites_its_part_746_section() -> None:
    russia = _p(4, "15 CFR 746.8(a)(1)", RUSSIA_TEXT, "regulation")
    finding = determine("Can we sell smartphones to Russia?", [russia])
    assert finding is not None and "746.8" in finding.rule
    assert finding.outcome == "depends" and "the item's ECCN (or EAR99)" in finding.missing_facts


def test_a_depends_line_rests_on_the_sections_general_requirement_not_a_special_case() -> None:
    """A "depends on the item" line rests on the paragraph that states the section's general
    licence requirement, even when a special case (oil and gas) ranked above it."""
    special = (
        "( i ) Certain exploration or production of oil or gas. A license is required to export "
        "items listed in supplement no. 2 when you know they will be used in Russian deepwater."
    )
    late = replace(
        _p(6, "15 CFR 746.8(a)(4)(i)", special, "regulation"),
        doc_id="d746",
        start=900,
        end=900 + len(special),
    )
    general = replace(
        _p(7, "15 CFR 746.8(a)", RUSSIA_TEXT, "regulation"),
        doc_id="d746",
        start=40,
        end=40 + len(RUSSIA_TEXT),
    )
    asked: list[str] = []

    def lookup(query: str) -> list[SearchResult]:
        asked.append(query)
        return [late, general]

    finding = determine("Can we sell smartphones to Russia?", [late], lookup=lookup)
    assert finding is not None and asked and "746.8" in asked[0]
    basis = finding.lines[0].basis[0]
    assert basis.passage is general, "the general requirement, not the oil-and-gas case"


def test_other_licence_questions_name_the_facts_they_lack_and_never_say_no() -> None:
    prohibition = _p(
        5,
        "15 CFR 736.2(b)(1)",
        "You may not export any item subject to the EAR without a "
        "license if one is required by the Country Chart.",
        "regulation",
    )
    finding = determine("Do we need a licence to ship our product?", [prohibition])
    assert finding is not None and finding.outcome == "depends"
    assert finding.missing_facts == [
        "the item's ECCN (or EAR99)",
        "the destination",
        "the end user and end use",
    ]
    given = determine(
        "Do we need a licence to ship 5A002 routers to a military end user in China?", [prohibition]
    )
    assert given is not None and given.missing_facts == []
    # A fact the question states is not asked for again: the retailer is the end user.
    retailer = determine("Can we sell Swiss Army knives to a retailer in Brazil?", [prohibition])
    assert retailer is not None
    assert retailer.missing_facts == ["the item's ECCN (or EAR99)", "the end use"]
    assert "depends on the item's ECCN (or EAR99) and the end use" in retailer.lines[0].text
    # a buyer named by its people names the destination: "a Venezuelan airline" is Venezuela
    airline = determine(
        "We sell spare parts for civil aircraft to a Venezuelan airline. Any licence needed?",
        [prohibition],
    )
    assert airline is not None and "the destination" not in airline.missing_facts
    assert determine("What does the Entity List say about addresses?", [EL]) is None, "not asked"


def test_the_answer_opens_with_the_determination_and_orders_sources_by_authority() -> None:
    answer = compose_extractive(
        "Do mass-market software sales to Huawei need a licence?",
        [NEWS, EL, FR],
        min_relevance=0.45,
        min_relevance_unknown_name=0.5,
    )
    assert answer.answer.startswith("**Licence required: yes")
    assert answer.determination is not None and answer.determination.outcome == "yes"
    assert answer.lead and answer.answer.startswith(answer.lead)
    support = [line for line in answer.answer.splitlines() if line.startswith("- ")]
    kinds = [next(c.authority for c in answer.citations if f"[{c.n}]" in line) for line in support]
    assert kinds == sorted(kinds, key=["regulation", "federal_register", "guidance", "news"].index)
    news_lines = [line for line in support if line.startswith("- CPI Financial")]
    assert news_lines and all("(secondary source)" in line for line in news_lines)
    assert all(c.secondary == (c.authority == "news") for c in answer.citations)
    for c in answer.citations:  # every quote is the passage's text at its span
        src = {p.chunk_id: p for p in (NEWS, EL, FR)}[c.chunk_id]
        assert src.text[c.start : c.end] == c.quote


def test_the_support_opens_with_the_provision_the_determination_rests_on() -> None:
    """The bottom line paraphrases the rule in fixed words; the rule's own text comes first
    under it, quoted whole with its pinpoint, even when retrieval did not bring it (the rule
    looked it up) and the news ranked first."""
    answer = compose_extractive(
        "Do mass-market software sales to Huawei need a licence?",
        [NEWS, FR],
        min_relevance=0.45,
        min_relevance_unknown_name=0.5,
        lookup=lambda _query: [EL],
    )
    support = [line for line in answer.answer.splitlines() if line.startswith("- ")]
    assert support[0].startswith("- 15 CFR 744.11(a)")
    first = next(c for c in answer.citations if support[0].endswith(f"[{c.n}]"))
    assert first.quote == EL_TEXT, "the whole paragraph, not only its deciding sentence"
    assert sum("A license is required, to the extent" in line for line in support) == 1


def test_an_unverifiable_basis_drops_the_determination_not_the_answer() -> None:
    answer = compose_extractive(
        "Do mass-market software sales to Huawei need a licence?",
        [NEWS, EL, FR],
        min_relevance=0.45,
        min_relevance_unknown_name=0.5,
        verify_span=lambda p, a, b: p is not EL,
    )
    assert answer.determination is None and not answer.abstained
    assert "Licence required" not in answer.answer
    assert all(c.chunk_id != EL.chunk_id for c in answer.citations)


def test_headings_templates_and_site_furniture_are_not_lines() -> None:
    assert is_heading("( b ) License exceptions.")
    assert is_heading("§ 744.1 General provisions.")
    assert is_heading("[78 FR 61902, Oct. 4, 2013]")
    long_title = (
        "§ 744.15 Restrictions on exports, reexports and transfers (in-country) to persons "
        "listed on the unverified list."
    )
    assert is_heading(long_title), "a long section title is still a title"
    assert not is_heading("Section 744.15 requires a UVL statement before any shipment.")
    assert not is_heading("( b ) A license is required for all items subject to the EAR.")
    # a short designated provision with a verb is a statement; a titled paragraph is not
    assert not is_heading("( 4 ) A temporary denial order may be renewed more than once.")
    assert not is_heading("(ii) This paragraph applies to all exports.")
    assert is_heading("(e) Removal or modification requests.")
    assert is_heading("(2) Items that are not subject to the EAR.")
    # a title whose full stop sits inside its closing quote is a title too
    assert is_heading("( 4 ) Semiconductor manufacturing equipment and “accessories.”")
    # initials with full stops are still a few words: "(12) U.S. persons." led an answer
    assert is_heading("(12) U.S. persons.")
    assert is_heading("(d) U.S. controls.")
    assert not is_heading("(a) U.S. persons may not export these items.")
    # ... but a party, a comma, a list's stem or other initials keep a line a statement
    assert not is_heading("(xiii) U.S. company A manufactures furniture.")
    assert not is_heading("(iv) A, a U.S. company, manufactures machine tools.")
    assert not is_heading("(b) A foreign subsidiary or entity of a U.S. entity in which:")
    assert not is_heading("(38) (C.A.S. #151-50-8) Potassium cyanide")
    assert is_furniture("Font Size Share this article Print Friendly Version")
    assert is_furniture("[INSERT GENERAL DESCRIPTION OF ITEMS]")
    assert not is_furniture("A license is required.")


def test_a_provision_is_quoted_with_the_list_it_introduces() -> None:
    text = (
        "( a ) Scope. The following five types of facts determine your obligations:\n\n"
        "( 1 ) The classification of the item;\n\n( 2 ) The destination;\n\n"
        "( 3 ) The end user;\n\n( 4 ) The end use; and\n\n( 5 ) The conduct.\n\n"
        "( b ) Another paragraph entirely."
    )
    p = _p(6, "15 CFR 736.2(a)", text, "regulation")
    sentence_end = text.index(":") + 1
    a, b = provision_span(p, 0, sentence_end)
    quoted = text[a:b]
    assert quoted.startswith("( a ) Scope.") and quoted.endswith("The conduct.")
    assert "( b ) Another" not in quoted


def test_a_definition_paragraph_is_quoted_whole_with_what_the_term_does_not_include() -> None:
    """772.1's "government end user" (as applied to encryption items) runs to about 1,100
    characters: its second sentence, what the term does not include (telecommunications
    companies, banks), is what decides "is a national bank a 'government end user'?". A
    paragraph of that length is quoted whole, not cut to the sentence that matched."""
    text = (
        "*Government end user” (as applied to encryption items*). A government end user is "
        "any foreign central, regional or local government department, agency, or other entity "
        "performing governmental functions; including governmental research institutions, "
        "governmental corporations or their separate business units (as defined in part 772 of "
        "the EAR) which are engaged in the manufacture or distribution of items or services "
        "controlled on the Wassenaar Munitions List, and international governmental "
        "organizations. This term does not include: Utilities (including telecommunications "
        "companies and Internet service providers); banks and financial institutions; "
        "transportation; broadcast or entertainment; educational organizations (except public "
        "schools and universities); civil health and medical organizations (including public "
        "civilian hospitals); retail or wholesale firms; and manufacturing or industrial "
        "entities not engaged in the manufacture or distribution of items or services "
        "controlled on the Wassenaar Munitions List.\n\n"
        "*Hazardous materials.* Another definition entirely."
    )
    p = _p(7, "15 CFR 772.1", text, "regulation")
    first = text.index("A government end user")
    a, b = provision_span(p, first, text.index("organizations.") + len("organizations."))
    quoted = text[a:b]
    assert len(quoted) > 900
    assert quoted.startswith("*Government end user")
    assert quoted.endswith("Wassenaar Munitions List.") and "banks and financial" in quoted
    assert "Hazardous" not in quoted


def test_a_question_about_a_whole_section_is_answered_by_its_opening_in_order() -> None:
    """ "What is 15 CFR 744.11?" opens with what the section does, then quotes its opening
    provisions in the section's order, ahead of a deep paragraph that matched better; the
    section's heading is not a line of its own (every line's label names the section)."""
    heading = "§ 744.11 License requirements that apply to entities."
    opening = (
        "BIS may impose license requirements and set license application review policy "
        "based on the criteria in this section."
    )
    deep = "( v ) Footnote 5 entities. You may not export advanced-node items to them."
    title = {"title": heading}
    second = "Requirements are imposed by adding an entity to the Entity List."
    text = f"{heading}\n\n{opening}\n\n{second}"
    top = replace(_p(8, "15 CFR 744.11", text, "regulation", sim=0.5, **title), doc_id="d744.11")
    later = replace(
        _p(9, "15 CFR 744.11(a)(2)", deep, "regulation", sim=0.7, **title),
        doc_id="d744.11",
        start=5000,
        end=5000 + len(deep),
    )
    answer = compose_extractive(
        "What is 15 CFR 744.11?", [later, top], min_relevance=0.45, min_relevance_unknown_name=0.5
    )
    assert answer.lead.startswith("15 CFR 744.11: **BIS may impose license requirements")
    support = [line for line in answer.answer.splitlines() if line.startswith("- ")]
    assert [("Requirements are imposed" in ln, "Footnote 5" in ln) for ln in support] == [
        (True, False),
        (False, True),
    ], "the opening's next paragraph, then the deep one that matched better"
    assert not any(line.split(": ", 1)[1].startswith("§") for line in support)


GP4_TEXT = (
    "( 4 ) General Prohibition Four (Denial Orders)—Engaging in actions prohibited by a denial "
    "order.\n\n( i ) You may not take any action that is prohibited by a denial order issued "
    "under part 766 of the EAR.\n\n( ii ) There are no License Exceptions described in part 740 "
    "of the EAR that authorize conduct prohibited by this General Prohibition Four."
)
UVL_TEXT = (
    "( b ) UVL statement. Before proceeding with any export that is not subject to a license "
    "requirement, involving a person listed on the Unverified List, an exporter must obtain a "
    "UVL statement from such person."
)
UVL_EXCEPTIONS = (
    "( 17 ) A party to the transaction is listed on the Unverified List in supplement no. 6 to "
    "part 744."
)


DENIAL_AUTHORIZATION = (
    "( 2 ) Denial of export privileges. An order may be issued that restricts the ability of "
    "the named persons to engage in export and reexport transactions. Authorization to engage "
    "in actions otherwise prohibited by a denial order may be given by the Office of Exporter "
    "Services after consultation with the Office of Export Enforcement upon a written request by "
    "a person named in the denial order or by a person seeking permission to deal with a named "
    "person."
)


def test_a_denial_order_s_only_way_out_is_bis_s_authorization_on_request() -> None:
    """pr-009: "... or any other way?" — 764.3(a)(2)'s authorization, cited, after "none"."""
    gp4 = _p(10, "15 CFR 736.2(b)(4)", GP4_TEXT, "regulation")
    route = _p(11, "15 CFR 764.3(a)(2)", DENIAL_AUTHORIZATION, "regulation")
    question = (
        "Our forwarder was named in a denial order. Is there a license exception, or any way?"
    )
    finding = determine(question, [EL], lookup=lambda q: [gp4, route] if "764.3" in q else [gp4])
    assert finding is not None
    assert [line.label for line in finding.lines] == [
        "Licence required",
        "Licence exceptions",
        "Authorization",
    ]
    basis = finding.lines[2].basis[0]
    assert DENIAL_AUTHORIZATION[basis.start : basis.end].startswith("Authorization to engage")
    assert "Office of Exporter Services" in finding.lines[2].text
    assert "764.3(a)(2)" in finding.lines[2].text
    # (nor for an order that ended: nothing left to authorize)
    ended = determine(
        "His denial order expired in 2017. Is there a license exception, or any way?",
        [EL],
        lookup=lambda q: [gp4, route] if "764.3" in q else [gp4],
    )
    assert ended is not None and "Authorization" not in [line.label for line in ended.lines]
    # (without 764.3's sentence, no line claims it)
    alone = determine(question, [EL], lookup=lambda _q: [gp4])
    assert alone is not None and "Authorization" not in [line.label for line in alone.lines]


def test_a_denial_order_prohibits_the_transaction_and_no_exception_helps() -> None:
    gp4 = _p(10, "15 CFR 736.2(b)(4)", GP4_TEXT, "regulation")
    asked: list[str] = []

    def lookup(query: str) -> list[SearchResult]:
        asked.append(query)
        return [gp4]

    question = "Our forwarder was named in a BIS denial order. Is there a license exception?"
    finding = determine(question, [EL], lookup=lookup)
    assert finding is not None and "736.2(b)(4)" in finding.rule and asked
    assert finding.lines[0].text.startswith("the transaction is prohibited")
    assert [line.label for line in finding.lines] == ["Licence required", "Licence exceptions"]
    none = finding.lines[1].basis[0]
    assert "no License Exceptions" in GP4_TEXT[none.start : none.end]
    # Without General Prohibition Four's sentence no rule fits: "is there a license exception?"
    # is not the general rule's question (it asks whether a licence is needed).
    assert determine(question, [EL], lookup=lambda _q: []) is None
    answer = compose_extractive(
        question, [EL], min_relevance=0.45, min_relevance_unknown_name=0.5, lookup=lookup
    )
    support = [line for line in answer.answer.splitlines() if line.startswith("- ")]
    assert support[0].startswith("- 15 CFR 736.2(b)(4)"), "the prohibition quoted first"


def test_an_unverified_list_party_needs_a_statement_and_gets_no_exception() -> None:
    uvl = _p(11, "15 CFR 744.15(b)", UVL_TEXT, "regulation")
    no_exc = _p(12, "15 CFR 740.2(a)", UVL_EXCEPTIONS, "regulation")
    question = "Our distributor just showed up on the Unverified List. Can we keep shipping?"
    finding = determine(question, [uvl, no_exc])
    assert finding is not None and finding.outcome == "depends" and "744.15" in finding.rule
    assert "UVL statement" in finding.lines[0].text
    assert finding.lines[1].label == "Licence exceptions" and finding.lines[1].basis
    assert finding.missing_facts == ["whether the item needs a licence to that destination"]
    nlr = determine("Our goods are NLR; can we keep shipping to a UVL party?", [uvl, no_exc])
    assert nlr is not None and nlr.missing_facts == []
    said = determine("A UVL buyer; the item doesn't need a licence. Can we ship?", [uvl, no_exc])
    assert said is not None and said.missing_facts == []
    assert determine(question, [no_exc]) is None, "no basis for the statement: nothing said"
    removed = (
        "Our customer was removed from the Unverified List last month. Do we still need a UVL "
        "statement before we ship?"
    )
    after = determine(removed, [uvl, no_exc])
    assert after is None or "744.15" not in after.rule, "the question says it is off the list"
    asked = determine("Do we need a UVL statement before we ship to this buyer?", [uvl, no_exc])
    assert asked is not None and "744.15" in asked.rule, "a statement asked about: the rule"
    assert not any(line.label == "EEI filing" for line in finding.lines), "no basis, no line"


def test_an_unverified_list_party_gets_eei_whatever_the_value() -> None:
    """758.1(b)(8): EEI for every export of tangible items to a party on the Unverified List,
    regardless of value or destination: the line rests on that sentence."""
    uvl = _p(11, "15 CFR 744.15(b)", UVL_TEXT, "regulation")
    eei_text = (
        "( 8 ) For all exports of tangible items subject to the EAR where parties to the "
        "transaction are listed on the Unverified List, regardless of value or destination; or"
    )
    eei = _p(13, "15 CFR 758.1(b)", eei_text, "regulation")
    question = (
        "Our Monterrey distributor showed up on the Unverified List. Ops says no EEI because the "
        "$1,200 shipment is small. What do we need to do?"
    )
    finding = determine(question, [uvl, eei])
    assert finding is not None and "744.15" in finding.rule
    line = next(x for x in finding.lines if x.label == "EEI filing")
    assert line.basis[0].passage is eei and "whatever its value" in line.text


STANDARDS_TEXT = (
    "( b ) Standards-related activity. When released for a standards-related activity, "
    "technology or software is not subject to the EAR provided it meets the conditions below."
)


def test_a_release_that_may_be_outside_the_ear_makes_a_listed_party_depend_on_that() -> None:
    """Standards work with a listed party: the Entity List rule holds only for what is subject
    to the EAR, so "yes" becomes "depends" on that, with part 734's provision beside it."""
    standards = _p(13, "15 CFR 734.10(b)", STANDARDS_TEXT, "regulation")
    question = "Can our engineers present draft contributions in a 3GPP standards body with Huawei?"
    finding = determine(question, [EL, FR, standards])
    assert finding is not None and finding.outcome == "depends" and "744.11" in finding.rule
    assert finding.lines[0].text.startswith("depends on whether it is subject to the EAR")
    assert finding.lines[1].label == "Subject to the EAR"
    assert finding.lines[1].basis[0].passage is standards
    assert finding.missing_facts[0].startswith("whether what is released is subject to the EAR")
    plain = determine("Can we sell laptops to Huawei?", [EL, FR, standards])
    assert plain is not None and plain.outcome == "yes", "no hint of a release: unchanged"


@pytest.mark.parametrize(
    ("question", "outside"),
    [
        # the equipment's ECCN says what the technology is for: technology is released
        (
            "We want to upload 5E002 technology for 5A002.a equipment to a 3GPP working group "
            "where Huawei participates. Do we need a licence?",
            True,
        ),
        # a commodity is sent: nothing of it is published
        ("Can we ship 5A002.a routers to Huawei for a 3GPP test lab?", False),
    ],
)
def test_an_eccn_named_only_as_what_the_technology_is_for_is_no_commodity(
    question: str, outside: bool
) -> None:
    standards = _p(13, "15 CFR 734.10(b)", STANDARDS_TEXT, "regulation")
    finding = determine(question, [EL, FR, standards])
    assert finding is not None and "744.11" in finding.rule
    assert (finding.outcome == "depends") is outside
    assert any(line.label == "Subject to the EAR" for line in finding.lines) is outside


def test_with_no_other_rule_being_subject_to_the_ear_is_the_deciding_fact() -> None:
    published = _p(
        14,
        "15 CFR 742.15(b)",
        "( 1 ) Publicly available encryption source code classified under ECCN 5D002 is not "
        "subject to the EAR.",
        "regulation",
    )
    finding = determine("Can we publish our crypto source code on GitHub?", [published])
    assert finding is not None and finding.outcome == "depends"
    assert finding.lines[0].text.startswith("depends on whether it is subject to the EAR: not if")
    assert finding.lines[0].basis[0].passage is published
    other = determine("Can we publish our source code on GitHub?", [EL])
    assert other is not None and "Subject to the EAR" not in [ln.label for ln in other.lines]
    assert not other.lines[0].text.startswith("depends on whether it is subject"), "no basis"


PUBLISHED_TEXT = (
    "( a ) Except as set forth in paragraphs (b) and (c) of this section, unclassified "
    "“technology” or “software” is “published,” and is thus not “technology” or “software” "
    "subject to the EAR, when it has been made available to the public without restrictions "
    "upon its further dissemination such as through any of the following:"
)
PUBLISHED_LIMIT_TEXT = (
    "( b ) Published encryption software classified under ECCN 5D002 remains subject to the EAR "
    "unless it is publicly available encryption object code software."
)


def test_what_the_question_says_is_published_depends_on_734_7s_definition() -> None:
    """734.7(a) takes published technology and software out of the EAR, whatever the
    destination: the line says so, on the definition's condition, with 734.7's own exceptions;
    "depends", because the question's words cannot show that what is sent is itself published."""
    reg = _p(15, "15 CFR 734.7(a)", PUBLISHED_TEXT, "regulation")
    limit = _p(16, "15 CFR 734.7(b)", PUBLISHED_LIMIT_TEXT, "regulation")
    question = "Is a licence needed to email our published conference paper to a lab in China?"
    finding = determine(question, [reg, limit])
    assert finding is not None and finding.outcome == "depends" and "734.7" in finding.rule
    first = finding.lines[0]
    assert first.text.startswith("depends on whether what is sent is itself “published”")
    assert "without restrictions upon its further dissemination" in first.text
    assert first.basis[0].passage is reg
    assert [ln.label for ln in finding.lines] == ["Licence required", "Except"]
    assert finding.lines[1].basis[0].passage is limit
    # Not said without the regulation's sentence, nor of what is not (yet) published, nor of
    # 734.7(b)'s encryption software or of a commodity.
    without = determine(question, [limit])
    assert without is None or "734.7" not in without.rule
    for other in (
        "Can we publish our conference paper and send it to a lab in China?",
        "Our paper will be published next year; can we email the draft to a lab in China?",
        "The technology is not publicly available. Do we need a licence to send it to India?",
        "Our unpublished drawings: do we need a licence to send them to Mexico?",
        "Do we need a licence to send published encryption source code to India?",
        "Can we ship a 3A001 chip whose datasheet is published to China?",
        "We sell commercial software that is publicly available; can we export it to China?",
        "BIS published a rule on AI chips; do we need a licence for technology to the UAE?",
        # (a helper's attack: the thing sent is not what is published)
        "Can we export the router to China? Its datasheet is publicly available.",
        "Do we need a licence to send the data underlying our published paper to China?",
        "Only the abstract of our paper is published. Can we send the full paper to China?",
        "According to the published guidance from BIS, do we need a licence for software to China?",
        "Our technology is published internally on our intranet; can we send it to China?",
        "Do we need a licence to send published technical drawings for a handgun to Brazil?",
        "We intend to make the software open source next year. Can we send it to China now?",
        "Our software is open source under a licence that prohibits distribution outside the "
        "United States. Do we need a licence to send it to China?",
    ):
        found = determine(other, [reg, limit, EL])
        assert found is None or "734.7" not in found.rule, other


def test_is_a_licence_needed_is_a_licence_question() -> None:
    """ "Is a licence needed" asks as "do we need a licence" does."""
    russia = _p(4, "15 CFR 746.8(a)(1)", RUSSIA_TEXT, "regulation")
    finding = determine("Is an export licence needed for smartphones to Russia?", [russia])
    assert finding is not None and "746.8" in finding.rule


def test_the_people_of_an_embargoed_country_are_its_destination() -> None:
    cuba = _p(17, "15 CFR 746.2(a)", CUBA_TEXT, "regulation")
    finding = determine("Do we need a licence for routers that help ordinary Cubans?", [cuba])
    assert finding is not None and "746.2" in finding.rule


CUBA_TEXT = "( a ) License requirements. You will need a license to export all items to Cuba."
SHENZHEN_EL = _p(
    15,
    "89 FR 1000",
    "This rule adds Acme Optics, located in Shenzhen, China, to the Entity List.",
    "federal_register",
)


@pytest.mark.parametrize(
    ("question", "outcome", "rule"),
    [
        # a denial order mentioned, not asserted of a party, or no transaction at all
        ("How long does a temporary denial order last? Can we expect BIS to renew it?", None, ""),
        (
            "Our freight forwarder confirmed none of the parties are denied persons. Can we ship "
            "4A994 computers to Japan?",
            "depends",
            "Denial orders",
        ),
        (
            "Our distributor's denial order expired in 2022. Do we need a licence to ship them "
            "EAR99 parts?",
            "depends",
            "Denial orders",
        ),
        (
            "Our forwarder was named in a denial order. Can we keep shipping through them?",
            "yes",
            "Denial orders",
        ),
        # in the words of the order itself
        (
            "BIS issued an order denying his export privileges for seven years. Can we hire him "
            "as our export logistics coordinator?",
            "yes",
            "Denial orders",
        ),
        # the Entity List: negated, ended, a place taken for a party, buying rather than selling
        (
            "Our customer in Shenzhen is not on the Entity List. Do we need a licence to ship "
            "EAR99 printers to them?",
            "depends",
            "Entity List",
        ),
        (
            "Our customer was on the Entity List until BIS removed it. Do we need a licence to "
            "ship to them now?",
            "depends",
            "Entity List",
        ),
        (
            "Do we need a licence to ship EAR99 printers to a customer in Shenzhen?",
            "depends",
            "736.2",
        ),
        (
            "Do we need an export licence to buy components from a supplier on the Entity List?",
            None,
            "",
        ),
        (
            "Our customer got Entity-listed last week; can we still ship the pending orders?",
            "yes",
            "Entity List",
        ),
        # places: an origin, a negation, an import
        (
            "Is a licence required for our Cuban-American engineer to access 5E002 technology?",
            "depends",
            "736.2",
        ),
        (
            "We do not sell to Cuba. Do we need a licence to ship 5A992 software to France?",
            "depends",
            "736.2",
        ),
        ("Is it legal to bring Cuban cigars bought in Europe back into the US?", None, ""),
        ("Do we need a licence to ship EAR99 goods to Cuba?", "yes", "746.2"),
        ("Can we ship EAR99 goods to a hotel in Havana?", "yes", "746.2"),  # its capital
        ("Our buyer is on the DPL. Can we still ship to them?", "yes", "Denial orders"),
        # "None of the ... are": the clause's subject denies it, however long the group's name
        (
            "None of the parties to this deal are on the Denied Persons List. Do we need a "
            "licence for EAR99 pumps to Mexico?",
            "depends",
            "Denial orders",
        ),
        # (a negation of another phrase 31-37 characters back, and the tail of a cut word, deny
        # nothing: a review found the first flipped by a wider window, the second old)
        (
            "We shipped without a licence to a buyer on the Denied Persons List. Can we ship "
            "spare parts?",
            "yes",
            "Denial orders",
        ),
        (
            "We sell a transformer to our customer on the Denied Persons List. Do we need a "
            "licence?",
            "yes",
            "Denial orders",
        ),
        (
            "The TDO against our buyer lapsed in March. Do we need a licence to ship EAR99 parts?",
            "depends",
            "Denial orders",
        ),
        # the owner is listed, not the party: the ownership test decides
        (
            "Can we sell routers to a distributor whose 20% shareholder is on the Entity List?",
            "depends",
            "Entity List",
        ),
        # a party called blacklisted: which list names it decides
        (
            "Can we ship EAR99 parts to a company Commerce blacklisted last year?",
            "depends",
            "Restricted parties",
        ),
    ],
)
def test_a_rule_fires_only_on_what_the_question_asserts(
    question: str, outcome: str | None, rule: str
) -> None:
    gp4 = _p(10, "15 CFR 736.2(b)(4)", GP4_TEXT, "regulation")
    gp = _p(
        16,
        "15 CFR 736.2(b)(1)",
        "You may not export any item subject to the EAR without a license if one is required.",
        "regulation",
    )
    cuba = _p(17, "15 CFR 746.2(a)", CUBA_TEXT, "regulation")
    finding = determine(question, [gp4, EL, SHENZHEN_EL, cuba, gp])
    assert (finding.outcome if finding else None) == outcome
    if finding is not None:
        assert rule in finding.rule


IRAN_INTRO = (
    "The Treasury Department's Office of Foreign Assets Control (OFAC) administers a "
    "comprehensive trade and investment embargo against Iran. This embargo includes prohibitions "
    "on exports and certain reexport transactions involving Iran."
)
IRAN_A = (
    "( i ) CCL-based license requirements. A license is required under the EAR to export or "
    "reexport to Iran any item on the CCL containing an NS Column 1 or AT Column 1 entry."
)
IRAN_B = (
    "( b ) Licensing policy. Applications for licenses for transactions for humanitarian reasons "
    "will be considered on a case-by-case basis. Licenses for other purposes generally will be "
    "denied."
)
IRAN_C = "( c ) License exceptions. No license exceptions may be used for exports to Iran."


def _section_of(texts: list[tuple[str, str]]) -> list[SearchResult]:
    """One section's chunks in order, as `CachedLookup.section` returns them."""
    out, start = [], 0
    for n, (citation, text) in enumerate(texts):
        out.append(
            replace(
                _p(40 + n, citation, text, "regulation"),
                doc_id="d746.7",
                start=start,
                end=start + len(text),
            )
        )
        start += len(text) + 2
    return out


class _SectionLookup:
    """A lookup that can read a section's chunks in order (like the service's)."""

    def __init__(self, chunks: list[SearchResult]) -> None:
        self.chunks = chunks
        self.sections: list[str] = []

    def __call__(self, query: str) -> list[SearchResult]:
        return []

    def section(self, section: str) -> list[SearchResult]:
        self.sections.append(section)
        return [c for c in self.chunks if c.citation.startswith(f"15 CFR {section}")]


IRAN = _section_of(
    [
        ("15 CFR 746.7", IRAN_INTRO),
        ("15 CFR 746.7(a)(1)(i)", IRAN_A),
        ("15 CFR 746.7(b)", IRAN_B),
        ("15 CFR 746.7(c)", IRAN_C),
    ]
)


IRAN_OFAC = (
    "( 2 ) BIS authorization. To avoid duplication, exporters or reexporters are not required to "
    "seek separate authorization from BIS for an export or reexport subject both to the EAR and "
    "to OFAC's Iranian Transactions Regulations. Therefore, if OFAC authorizes an export or "
    "reexport, such authorization is considered authorization for purposes of the EAR as well."
)
IRAN_WITH_OFAC = _section_of(
    [
        ("15 CFR 746.7", IRAN_INTRO),
        ("15 CFR 746.7(a)(1)(i)", IRAN_A),
        ("15 CFR 746.7(a)(2)", IRAN_OFAC),
        ("15 CFR 746.7(b)", IRAN_B),
        ("15 CFR 746.7(c)", IRAN_C),
    ]
)


@pytest.mark.parametrize(
    ("question", "counts"),
    [
        (
            "Our US company holds an OFAC specific license to sell medical imaging equipment to "
            "a hospital in Tehran. Do we also need a separate BIS licence for the export?",
            True,
        ),
        (
            "If OFAC grants a specific license for the Iran shipment, is an export licence "
            "still needed?",
            True,
        ),
        ("Do we need an OFAC license or a BIS licence to ship EAR99 pumps to Iran?", False),
        ("We don't have an OFAC license yet. Can we ship EAR99 pumps to Iran?", False),
    ],
)
def test_an_export_ofac_authorizes_is_authorized_for_the_ear_too(
    question: str, counts: bool
) -> None:
    """746.7(a)(2): OFAC's authorization is the EAR's as well, so a question saying OFAC
    licensed the deal depends on what that licence covers, not "yes"."""
    finding = determine(question, [], lookup=_SectionLookup(IRAN_WITH_OFAC))
    assert finding is not None and "746.7" in finding.rule
    if counts:
        assert finding.outcome == "depends"
        basis = finding.lines[0].basis[0]
        assert "if OFAC authorizes an export" in basis.passage.text
        assert finding.missing_facts == [
            "whether the OFAC authorization covers this export, on its terms"
        ]
    else:
        assert finding.outcome == "yes" and "OFAC's embargo" in finding.lines[0].text


def test_iran_names_ofacs_embargo_beside_the_ears_own_licence_requirement() -> None:
    """EAR99 goods to Iran need OFAC's authorization, not a BIS licence: the bottom line says
    whose embargo it is and rests on that sentence as well as the EAR's requirement."""
    lookup = _SectionLookup(IRAN)
    finding = determine("Can we ship EAR99 office furniture to Tehran?", [], lookup=lookup)
    assert finding is not None and finding.outcome == "yes" and lookup.sections == ["746.7"]
    first = finding.lines[0]
    assert "OFAC" in first.text and "EAR99 items included" in first.text
    quoted = [
        b.passage.text[b.start - b.passage.start : b.end - b.passage.start] for b in first.basis
    ]
    assert quoted[0].startswith("The Treasury Department's Office of Foreign Assets Control")
    assert "A license is required under the EAR" in quoted[1]


def test_an_embargo_states_the_sections_exceptions_and_review_policy_from_its_own_text() -> None:
    finding = determine(
        "Can we ship EAR99 office furniture to Tehran?", [], lookup=_SectionLookup(IRAN)
    )
    assert finding is not None
    lines = {line.label: line for line in finding.lines}
    assert lines["Licence exceptions"].text == "none (see 15 CFR 746.7(c))"
    policy = lines["Review policy"]
    assert policy.text.startswith("case-by-case") and "746.7(b)" in policy.text
    assert policy.basis[0].passage.citation == "15 CFR 746.7(b)"


def test_a_section_listing_its_exceptions_is_not_summarised_as_none() -> None:
    syria = [
        replace(c, citation=c.citation.replace("746.7", "746.9"))
        for c in _section_of(
            [
                (
                    "15 CFR 746.7(a)",
                    "( a ) License requirements. A license is required for the "
                    "export or reexport to Syria of all items subject to the EAR, except food.",
                ),
                (
                    "15 CFR 746.7(b)",
                    "( b ) License Exceptions. No License Exceptions are available "
                    "for exports or reexports to Syria, except the following: ( 1 ) SPP.",
                ),
            ]
        )
    ]
    finding = determine(
        "Do we need a licence to send laptops to Syria?", [], lookup=_SectionLookup(syria)
    )
    assert finding is not None
    lines = {line.label: line.text for line in finding.lines}
    assert lines["Licence exceptions"] == "only those 15 CFR 746.9(b) lists, on their conditions"
    assert "Review policy" not in lines, "the section states none: no line"


def test_an_exception_the_list_names_with_a_limit_carries_the_limit() -> None:
    """746.8(c)(2)(v) lists AVS "excluding any aircraft registered in, owned or controlled by
    ... Belarus": the exceptions line rests on that item too and says a limit applies."""
    belarus = [
        replace(c, citation=c.citation.replace("746.7", "746.8"))
        for c in _section_of(
            [
                (
                    "15 CFR 746.7(a)",
                    "( a ) License requirements. A license is required as specified under "
                    "paragraphs (a)(1) through (8) of this section.",
                ),
                (
                    "15 CFR 746.7(c)",
                    "( 2 ) No license exceptions may overcome the license requirements in "
                    "paragraphs (a)(1) through (8) of this section except the following: ( v ) "
                    "License Exception AVS, excluding any aircraft owned or controlled by Russia "
                    "or Belarus (§ 740.15(a) and (b) of the EAR).",
                ),
            ]
        )
    ]
    avs = _p(
        171,
        "15 CFR 740.15(a)",
        "( a ) Aircraft. License Exception AVS authorizes the departure of aircraft on "
        "temporary sojourn.",
        "regulation",
    )
    question = (
        "We need to ship 9A991.d parts to an MRO in Minsk for a Belarusian airline. Can we use AVS?"
    )
    finding = determine(question, [belarus[1], avs], lookup=_SectionLookup(belarus))
    assert finding is not None and "746.8" in finding.rule
    line = next(x for x in finding.lines if x.label == "Licence exceptions")
    assert "(15 CFR 740.15)" in line.text and "within the limit 15 CFR 746.8(c)" in line.text
    assert any("excluding any aircraft" in _basis_text(b) for b in line.basis)


def _basis_text(b: Any) -> str:
    return str(b.passage.text[b.start - b.passage.start : b.end - b.passage.start])


def test_an_exception_the_question_names_is_found_in_the_sections_whole_list() -> None:
    """746.8(c)(2)(viii) names MED in a chunk retrieval did not bring: asked "Does MED cover
    it?", the section's own list is read, and the exceptions line points to MED."""
    belarus = [
        replace(c, citation=c.citation.replace("746.7", "746.8"))
        for c in _section_of(
            [
                (
                    "15 CFR 746.7(a)",
                    "( a ) License requirements. A license is required as specified under "
                    "paragraphs (a)(1) through (8) of this section.",
                ),
                (
                    "15 CFR 746.7(c)",
                    "( 2 ) No license exceptions may overcome the license requirements in "
                    "paragraphs (a)(1) through (8) of this section except the following: ( i ) "
                    "License Exception TMP for items for use by the news media.",
                ),
                ("15 CFR 746.7(c)", "( viii ) License Exception MED (§ 740.23 of the EAR)."),
            ]
        )
    ]
    med = _p(
        170,
        "15 CFR 740.23(a)",
        "( a ) Scope. License Exception MED authorizes the export of medical devices designated "
        "as EAR99 to or within Russia or Belarus.",
        "regulation",
    )
    retrieved = [belarus[1], med]  # not the chunk naming MED
    question = "We need to ship EAR99 dialysis machines to a clinic in Minsk. Does MED cover it?"
    finding = determine(question, retrieved, lookup=_SectionLookup(belarus))
    assert finding is not None and "746.8" in finding.rule
    lines = {line.label: line.text for line in finding.lines}
    assert "(15 CFR 740.23)" in lines["Licence exceptions"], lines
    # not named by the question: the pointer needs the list in the passages at hand
    plain = determine(
        "We need to ship EAR99 dialysis machines to a clinic in Minsk. Do we need a licence?",
        retrieved,
        lookup=_SectionLookup(belarus),
    )
    assert plain is not None
    plain_lines = {line.label: line.text for line in plain.lines}
    assert "740.23" not in plain_lines["Licence exceptions"]


@pytest.mark.parametrize(
    "question",
    [
        "Does 'knowledge' under the export rules only mean we actually knew, or can we be on the "
        "hook for things we suspected?",
        "We used the wrong licence exception on a few shipments. How do we report this to BIS?",
        "Which licence exception could cover a demo unit we hand-carry to a trade show in Tokyo?",
        "For our export files, is it enough to keep the invoice, or do we also need the emails "
        "with the customer we ship to?",
    ],
)
def test_the_general_rule_answers_only_whether_a_licence_is_needed(question: str) -> None:
    """A definition, a procedure or a choice of exception gets no "Licence required: depends"
    line resting on whatever regulation sentence ranked first."""
    prohibition = _p(
        5,
        "15 CFR 764.5(a)",
        "You may not export without a license if one is required by the EAR.",
        "regulation",
    )
    assert determine(question, [prohibition]) is None


END_USE_TEXT = (
    "( a ) General prohibition. In addition to the license requirements for items specified on "
    "the CCL, you may not export, reexport, or transfer (in-country) any item subject to the EAR "
    "without a license from BIS if you have knowledge that the item is intended for a "
    "military-intelligence end use or end user."
)


@pytest.mark.parametrize(
    ("question", "section", "outcome"),
    [
        (
            "The intelligence directorate of Venezuela's armed forces wants to buy office laptops "
            "(EAR99) through a distributor. Do we need BIS authorization?",
            "744.22",
            "yes",
        ),
        (
            "Our EAR99 valves will maintain a research reactor. Can we ship without a licence?",
            "744.2",
            "depends",
        ),
        ("Can we sell EAR99 sensors to a Chinese army unit?", "744.21", "depends"),
        ("Can we sell EAR99 sensors to a Russian army unit?", "744.21", "yes"),
        # 744.21(f): maintenance, repair and overhaul of military items is a military end use
        (
            "Russian company in Kazan overhauls military helicopters. They want to buy EAR99 "
            "lubricants from us. EAR99 to Russia is mostly fine, isn't it?",
            "744.21",
            "yes",
        ),
        (
            "Can we sell EAR99 tools to a Chinese firm that repairs military trucks?",
            "744.21",
            "depends",
        ),
        # a Russian city names Russia; building naval ships is production of military items
        (
            "Can we sell EAR99 pumps to a shipyard in Vladivostok that builds navy submarines?",
            "744.21",
            "yes",
        ),
    ],
)
def test_an_end_use_the_question_states_needs_a_licence_whatever_the_items_class(
    question: str, section: str, outcome: str
) -> None:
    chunk = _p(30, f"15 CFR {section}(a)", END_USE_TEXT, "regulation")
    finding = determine(question, [], lookup=_SectionLookup([chunk]))
    assert finding is not None and section in finding.rule and finding.outcome == outcome
    assert finding.lines[0].basis[0].passage is chunk
    if outcome == "depends":
        # the military rule turns on the item, the nuclear rule on the destination
        assert finding.missing_facts == [
            "whether the item is in supplement no. 2 to part 744"
            if section == "744.21"
            else "whether the destination is a country of supplement no. 3 to part 744"
        ]


def test_a_party_on_the_military_end_user_list_as_people_capitalise_it() -> None:
    chunk = _p(30, "15 CFR 744.21(a)", END_USE_TEXT, "regulation")
    question = (
        "A buyer in Russia shows up on the Military End-User List. Do we need a licence for "
        "EAR99 items or only for certain ECCNs?"
    )
    finding = determine(question, [], lookup=_SectionLookup([chunk]))
    assert finding is not None and "744.21" in finding.rule and finding.outcome == "yes"
    assert "any item subject to the EAR" in finding.lines[0].text


@pytest.mark.parametrize(
    "question",
    [
        "Can we sell EAR99 tools to a Chinese maker of military-grade connectors?",
        "Can we sell EAR99 tools to a Chinese surplus shop selling military-style jackets?",
    ],
)
def test_military_grade_goods_are_no_military_end_use(question: str) -> None:
    chunk = _p(30, "15 CFR 744.21(a)", END_USE_TEXT, "regulation")
    finding = determine(question, [], lookup=_SectionLookup([chunk]))
    assert finding is None or "744.21" not in finding.rule


def test_an_end_use_the_question_denies_is_no_end_use() -> None:
    chunk = _p(30, "15 CFR 744.21(a)", END_USE_TEXT, "regulation")
    question = "Our buyer is not the military. Can we sell EAR99 sensors to it?"
    finding = determine(question, [], lookup=_SectionLookup([chunk]))
    assert finding is None or "744.21" not in finding.rule


MASS_MARKET_TEXT = (
    "( 1 ) Licensing requirements. A license is required to export encryption items classified "
    "under ECCN 5A002 to all destinations, except Canada. Following classification or "
    "self-classification, items that meet the criteria of Note 3 to Category 5—Part 2 of the "
    "Commerce Control List (the “mass market” note), are classified under ECCN 5A992 or 5D992 "
    "and are no longer subject to this Section (see § 740.17 of the EAR)."
)


def test_mass_market_encryption_depends_on_destination_and_parties_never_no() -> None:
    chunk = _p(50, "15 CFR 742.15(a)(1)", MASS_MARKET_TEXT, "regulation")
    question = "Our app uses TLS and is mass-market. Do we need a licence to sell it?"
    finding = determine(question, [], lookup=_SectionLookup([chunk]))
    assert finding is not None and finding.outcome == "depends" and "742.15" in finding.rule
    basis = finding.lines[0].basis[0]
    assert "5A992 or 5D992" in MASS_MARKET_TEXT[basis.start : basis.end]
    assert "the destination" in finding.missing_facts
    classification = "whether the item is classified or self-classified as mass market (740.17)"
    assert classification in finding.missing_facts
    # ... not asked again when the question says the item is self-classified
    said = question.replace("is mass-market", "is self-classified as mass-market 5D992")
    told = determine(said, [], lookup=_SectionLookup([chunk]))
    assert told is not None and classification not in told.missing_facts
    # a listed party or an embargoed place decides first
    cuba_text = "( a ) License requirements. You will need a license to export all items to Cuba."
    cuba_chunk = _p(51, "15 CFR 746.2(a)", cuba_text, "regulation")
    to_cuba = question.replace("?", " to Cuba?")
    cuba = determine(to_cuba, [], lookup=_SectionLookup([chunk, cuba_chunk]))
    assert cuba is not None and "746.2" in cuba.rule
    alone = determine(to_cuba, [], lookup=_SectionLookup([chunk]))
    assert alone is not None and "the destination" not in alone.missing_facts
    denied = "Our app is not mass-market. Do we need a licence to sell it?"
    assert (determine(denied, [chunk]) or Finding("depends", "", [])).rule != finding.rule


def test_the_bottom_line_of_an_undecided_question_prefers_authority_and_the_definition() -> None:
    """A Federal Register commenter's sentence that scores a little higher (it repeats more of
    the question's words) does not open the answer over the regulation's definition."""
    fr = _p(
        60,
        "89 FR 58263",
        "One commenter suggested that the EAR's definition of “published” should be expanded "
        "to include sharing information within conformity assessment procedures.",
        "federal_register",
        sim=0.60,
    )
    reg = _p(
        61,
        "15 CFR 734.7(a)",
        "“Published” means made available to the public without restrictions upon its further "
        "dissemination.",
        "regulation",
        sim=0.70,
    )
    question = "What does 'published' mean under the EAR?"

    def lead(passages: list[SearchResult]) -> str:
        return compose_extractive(
            question, passages, min_relevance=0.3, min_relevance_unknown_name=0.3
        ).lead

    assert lead([fr, reg]).startswith("15 CFR 734.7(a): **“Published” means")
    # far below the best, a definition in the regulations' own form ("X means ...") still
    # opens: it is what the question asks for
    far = replace(reg, similarity=0.5)
    assert lead([fr, far]).startswith("15 CFR 734.7(a): **“Published” means")
    # a sentence that only uses the term that way ("X includes ...") opens only within 90%
    uses = "“Published” includes what a conference makes available to its attendees for free."
    loose = _p(62, "15 CFR 734.7(a)", uses, "regulation", sim=0.5)
    assert lead([fr, loose]).startswith("89 FR 58263: **One commenter")
    assert lead([fr, replace(loose, similarity=0.7)]).startswith("15 CFR 734.7(a): **“Published”")


def test_a_question_asking_which_exception_gets_the_best_ranked_one_on_its_conditions() -> None:
    tmp = _p(
        70,
        "15 CFR 740.9(a)(5)",
        "( 5 ) Exhibition and demonstration. This paragraph (a)(5) authorizes exports of "
        "commodities and software for exhibition or demonstration in all destinations.",
        "regulation",
        title="§ 740.9 Temporary imports, exports, reexports, and transfers (in-country) (TMP).",
    )
    question = "We hand-carry a demo unit to a trade show in Tokyo. Which licence exception fits?"
    finding = determine(question, [tmp])
    assert finding is not None and finding.outcome == "depends"
    assert [line.label for line in finding.lines] == ["Licence exceptions"]
    assert "(TMP) (15 CFR 740.9)" in finding.lines[0].text
    assert determine("What does TMP stand for?", [tmp]) is None


def test_a_party_typed_in_lower_case_is_still_found_on_the_entity_list() -> None:
    finding = determine("can we sell laptops to huawei?", [NEWS, EL, FR])
    assert finding is not None and "744.11" in finding.rule and finding.outcome == "yes"
    listed = listed_in_corpus("can we sell laptops to huawei?", [FR])
    assert listed is not None and listed[0] == "Huawei"
    # a company word the rule capitalises is not a party the question names
    assert listed_in_corpus("can our technology company ship to a customer?", [FR]) is None
    assert listed_in_corpus("we do not sell to huawei. can we ship to acme?", [FR]) is None
    # an item's word that a listed name starts with is not a party ("Huawei Technologies ..."
    # holds "huawei"; here the word only describes the software)
    assert listed_in_corpus("can we sell huawei design software to a firm in egypt?", [FR]) is None
    assert listed_in_corpus("is huawei on the entity list?", [FR]) is not None
    assert listed_in_corpus("can huawei buy our laptops?", [FR]) is not None
    assert listed_in_corpus("huawei wants our laptops. ok?", [FR]) is not None


def test_a_lower_case_party_in_a_capitalised_question_is_still_found() -> None:
    """People capitalise the sentence and the country, not always the company."""
    listed = listed_in_corpus("Can we ship laptops to huawei in China?", [FR])
    assert listed is not None and listed[0] == "Huawei"
    # a city that starts a listed name is a place, typed either way
    shanghai = _p(
        4,
        "89 FR 1",
        "This rule adds Shanghai Micro Electronics Equipment Group to the Entity List.",
        "federal_register",
    )
    assert listed_in_corpus("Can we export lasers to shanghai?", [shanghai]) is None
    assert listed_in_corpus("can we export lasers to shanghai?", [shanghai]) is None


def test_a_listed_name_must_go_on_as_the_question_s_name_goes_on() -> None:
    caep = _p(
        5,
        "85 FR 2",
        "This rule adds the China Academy of Engineering Physics and the Chinese Academy of "
        "Engineering Physics Institute to the Entity List.",
        "federal_register",
    )
    for question in (
        "Do we need a license to ship chips to the Chinese Academy of Sciences?",
        # the listing names its institute, not the academy
        "Do we need a license to ship chips to the Chinese Academy of Engineering Physics?",
    ):
        assert listed_in_corpus(question, [caep]) is None, question
    listed = listed_in_corpus(
        "Do we need a license to ship chips to the China Academy of Engineering Physics?", [caep]
    )
    assert listed is not None and listed[0] == "China Academy of Engineering Physics"


FIVE_FACTS_TEXT = (
    "( a ) Information or facts that determine the applicability of the general prohibitions. "
    "The following five types of facts determine your obligations under the ten general "
    "prohibitions and the EAR generally:"
)


def test_the_general_rule_rests_on_the_five_facts_of_736_2_not_any_sentence() -> None:
    other = _p(
        80,
        "15 CFR 760.3(e)(4)",
        "As a condition of securing an export license from Y, A may not ship any of its "
        "products to country X or to companies that Y lists.",
        "regulation",
    )
    facts = _p(81, "15 CFR 736.2(a)", FIVE_FACTS_TEXT, "regulation")
    question = "Can we ship routers to a customer in Germany?"
    finding = determine(question, [other], lookup=_SectionLookup([facts]))
    assert finding is not None and finding.rule == "15 CFR 736.2"
    assert finding.lines[0].basis[0].passage is facts
    # without the lookup, the best retrieved requirement as before
    alone = determine(question, [other])
    assert alone is not None and alone.rule == "15 CFR 760.3"


SMIC_PARTIES = (
    "Specifically, these entities acquired U.S. origin semiconductor manufacturing equipment for "
    "two Entity List parties, SMIC Northern Integrated Circuit Manufacturing (Beijing) Co., Ltd. "
    "and Semiconductor Manufacturing International (Beijing) Corporation, without the requisite "
    "license."
)


def test_a_party_the_corpus_names_beside_the_entity_list_is_the_first_fact_to_settle() -> None:
    """Probe Q2: "spare parts to SMIC in Shanghai" got "depends on the end user and end use",
    though a rule calls companies named SMIC ... Entity List parties; not for a competitor."""
    named = _p(82, "FR Doc. 2025-17893", SMIC_PARTIES, "federal_register")
    facts = _p(81, "15 CFR 736.2(a)", FIVE_FACTS_TEXT, "regulation")
    question = "Do we need a licence to sell EAR99 spare parts to SMIC in Shanghai?"
    finding = determine(question, [named], lookup=_SectionLookup([facts]))
    assert finding is not None and finding.outcome == "depends"
    assert finding.missing_facts[0].startswith("whether SMIC is on the Entity List")
    for other in (
        "Can we sell EAR99 pumps to a reseller in Brazil that competes with SMIC?",
        "Do we need a licence to sell EAR99 spare parts to Acme in Shanghai?",
    ):
        found = determine(other, [named], lookup=_SectionLookup([facts]))
        assert found is None or not any("Entity List" in f for f in found.missing_facts), other
    # (a name the sentence only mentions beside the list, not among its parties, or one the
    # question puts in the US)
    near = _p(
        83,
        "FR Doc. 2025-1",
        "Reza Trading shipped parts to two Entity List parties, Kestrel Avionics Ltd. and "
        "Arrow Electronics (Hong Kong) Ltd., without a licence.",
        "federal_register",
    )
    # (a review: the question settles the screening; a sentence that names no company after
    # "Entity List parties,"; one that removes the parties)
    for other in (
        "We already screened SMIC in Shanghai: no hits. Can we sell them EAR99 spare parts?",
        "Can we sell EAR99 spare parts to SMIC? It is not on any BIS list.",
    ):
        found = determine(other, [named], lookup=_SectionLookup([facts]))
        assert found is None or not any("Entity List" in f for f in found.missing_facts), other
    for sentence, other in (
        (
            "Exports to Entity List parties, Nvidia said in a statement, will fall by half.",
            "Can we sell EAR99 cables to Nvidia in Taiwan?",
        ),
        (
            "This rule removes two Entity List entities, Sandvine Incorporated and Kestrel "
            "Avionics Ltd., from the Entity List.",
            "Can we sell EAR99 servers to Sandvine in Canada?",
        ),
    ):
        said = _p(84, "FR Doc. 2025-2", sentence, "federal_register")
        found = determine(other, [said], lookup=_SectionLookup([facts]))
        assert found is None or not any("Entity List" in f for f in found.missing_facts), other
    for other in (
        "Can we share drawings with Reza, our new hire from Jordan?",
        "Can we ship FPGAs to Arrow Electronics, Inc. of Centennial, Colorado?",
        "Can we sell pumps to an LLC in Texas that resells to Mexico?",
    ):
        found = determine(other, [near], lookup=_SectionLookup([facts]))
        assert found is None or not any("Entity List" in f for f in found.missing_facts), other


def _all_rules_lookup() -> _SectionLookup:
    """Every end-use section's general prohibition and an embargo requirement, so a rule that
    fires wrongly has its basis: what decides is the reading of the question."""
    chunks = [
        _p(90 + n, f"15 CFR {sec}(a)", END_USE_TEXT, "regulation")
        for n, sec in enumerate(["744.2", "744.3", "744.4", "744.21", "744.22"])
    ]
    for n, sec in enumerate(["746.6", "746.7", "746.8", "746.9"]):
        text = f"( a ) License requirements. A license is required for all items ({sec})."
        chunks.append(_p(100 + n, f"15 CFR {sec}(a)", text, "regulation"))
    chunks.append(_p(110, "15 CFR 742.15(a)(1)", MASS_MARKET_TEXT, "regulation"))
    return _SectionLookup(chunks)


@pytest.mark.parametrize(
    "question",
    [
        "Can we export military-grade AES-256 encryption software (5D002) to a bank in Germany?",
        "Our army of sales reps in Mexico wants to sell EAR99 office chairs there; need a licence?",
        "Do we need a licence to ship Missile Command arcade cabinets (EAR99) to Canada?",
        "Can we sell Swiss Army knives to a retailer in Brazil?",
        # "rocket" as a modifier, a nerve-agent detector: no rocket or chemical weapons end use
        "Can we sell our rocket stoves to a charity in Kenya?",
        "Do we need a licence for nerve agent detectors for a fire brigade in Spain?",
        "Can we sell PLA filament for 3D printers to a hobby shop in Mexico?",
        "Do we need a licence to sell our customer-data enrichment software to a retailer?",
        "Can we sell our threat intelligence service subscription to a bank in Singapore?",
        "Can we export this non-military civilian drone camera to a farm in Turkey?",
        "Can we ship GPS receivers to Malaysia, to be used without any military application?",
        "Our sales director served in the Army; can we now sell laptops to a university in Brazil?",
        "We sold radar parts to the Air Force in 2019. Do we need a licence to ship printers?",
        "Can we sell chemical weapons detection kits to a fire department in Canada?",
        "Our competitor sells to the Russian army; can we sell EAR99 furniture to a school?",
        "Can we ship Syrian hamsters to a research lab in Canada?",
        "Can we sell our Russian translation of the user manual to a distributor in Kazakhstan?",
        "We refused an order from Iran last year. Can we sell EAR99 pumps to a customer in Canada?",
        "Can we export a non-mass-market encryption appliance (5A002) to a bank in India?",
        "Can we export mass-market consumer drones to a retailer in Vietnam?",
        "Can we ship 3A001 chips to the University of Idaho in Moscow, Idaho?",
        "Police asked for records of our shipments to Iran last year; may we hand them over?",
        # a past deal inside the question that asks about another one
        "Can we sell laptops to a school in Spain like the radars we sold to Iran in 2010?",
        # where the item came from, not where it goes
        "A smelter in India wants scrap brass that came from the military. Can we ship it?",
        "We resell surplus bought from the Army to a scrapyard in Mexico. Do we need a licence?",
    ],
)
def test_words_that_only_look_like_an_end_use_or_a_destination_fire_no_such_rule(
    question: str,
) -> None:
    """From an attack on the rules: each of these got an end-use, embargo or mass-market
    bottom line it should not have."""
    finding = determine(question, [], lookup=_all_rules_lookup())
    assert finding is None or not any(
        s in finding.rule for s in ("End-use", "Embargoes", "Mass-market")
    ), finding.rule


@pytest.mark.parametrize(
    ("question", "rule"),
    [
        ("Can we sell servers to the Ministry of Defence of Venezuela?", "744.21"),
        ("Our pumps are bound for a heavy-water plant in India; do we need a licence?", "744.2"),
        ("The customer asks us for gyroscopes to put in its ICBMs; is that allowed?", "744.3"),
        ("Can our subsidiary in Donetsk receive EAR99 software updates from us?", "746"),
        ("Is it legal to let a Tehran-based firm download our EAR99 app?", "746.7"),
        ("A Russian distributor wants our EAR99 pumps. Can we ship?", "746.8"),
        ("Can we ship EAR99 pumps to a customer in Moscow?", "746.8"),
        ("Our shipments to Iran were stopped last year. Can we ship EAR99 pumps to Iran?", "746.7"),
    ],
)
def test_an_end_use_or_destination_in_unusual_words_still_fires(question: str, rule: str) -> None:
    finding = determine(question, [], lookup=_all_rules_lookup())
    assert finding is not None and rule in finding.rule


REMOVAL_TEXT = (
    "The ERC determined to remove Sandvine Incorporated from the Entity List, under the "
    "destinations of Canada, India, Japan, Malaysia, Sweden, and the UAE."
)


def test_a_party_the_corpus_says_was_removed_depends_on_the_current_list_not_an_old_note() -> None:
    removal = _p(120, "FR Doc. 2024-24562", REMOVAL_TEXT, "federal_register")
    question = (
        "Our screening notes from 2023 flag Sandvine Incorporated as an Entity List party. "
        "Do we need a BIS licence to ship EAR99 cables to them because of the Entity List?"
    )
    asked: list[str] = []

    def lookup(query: str) -> list[SearchResult]:
        asked.append(query)
        return [removal] if "removed" in query else [EL]

    finding = determine(question, [EL], lookup=lookup)
    assert finding is not None and finding.outcome == "depends" and "744.11" in finding.rule
    assert "Sandvine Incorporated is still on the Entity List" in finding.lines[0].text
    assert finding.lines[0].basis[0].passage is removal
    assert not any(line.label == "Licence exceptions" for line in finding.lines)
    # no removal anywhere: the note stands, "yes"
    still = determine(question, [EL], lookup=lambda q: [] if "removed" in q else [EL])
    assert still is not None and still.outcome == "yes"


MI_LIST_TEXT = (
    "( 2 ) Military-intelligence end users include: ( vii ) Russia. Main Intelligence "
    "Directorate (GRU). ( ix ) Venezuela. General Directorate of Military Counterintelligence "
    "(DGCIM)."
)


def test_a_party_named_by_the_acronym_744_22_lists_is_a_military_intelligence_end_user() -> None:
    prohibition = _p(121, "15 CFR 744.22(a)", END_USE_TEXT, "regulation")
    listing = _p(122, "15 CFR 744.22(f)(2)", MI_LIST_TEXT, "regulation")
    question = "We got an order; the end user is 'la DGCIM'. EAR99 tablets, so no licence, right?"
    finding = determine(question, [], lookup=_SectionLookup([prohibition, listing]))
    assert finding is not None and finding.outcome == "yes" and "744.22" in finding.rule
    listed = next(line for line in finding.lines if line.label == "Listed")
    assert listed.basis[0].passage is listing and "DGCIM" in listed.text
    other = determine(
        "The end user is ACME in Caracas. Can we ship EAR99 tablets?",
        [],
        lookup=_SectionLookup([prohibition, listing]),
    )
    assert other is None or "744.22" not in other.rule


MI_BURMA_TEXT = (
    "( i ) Burma. Office of Chief of Military Security Affairs (OCMSA) and the Directorate of "
    "Signal.\n\n( ii ) Cambodia. General Department of Research and Intelligence (GDRI)."
)


@pytest.mark.parametrize(
    ("question", "name"),
    [
        (
            "A Singapore reseller ordered EAR99 rack servers; the end user on the PO is the "
            "Directorate of Signal in Nay Pyi Taw, Burma. What do we need?",
            "Directorate of Signal",
        ),
        (
            "Can we sell laptops to the general department of research and intelligence?",
            "General Department of Research and Intelligence",
        ),
        # a word of a listed name is no name ("Signal" the app, "Burma" the place)
        ("Can we sell Signal-compatible phones to a shop in Burma?", None),
    ],
)
def test_a_party_named_by_its_name_in_744_22s_list_is_a_military_intelligence_end_user(
    question: str, name: str | None
) -> None:
    """Grade41 Q40: the Directorate of Signal, named in 744.22(f)(2)(i) without an acronym."""
    prohibition = _p(121, "15 CFR 744.22(a)", END_USE_TEXT, "regulation")
    listing = _p(123, "15 CFR 744.22(f)(2)", MI_BURMA_TEXT, "regulation")
    finding = determine(question, [], lookup=_SectionLookup([prohibition, listing]))
    if name is None:
        assert finding is None or "744.22" not in finding.rule
        return
    assert finding is not None and finding.outcome == "yes" and "744.22" in finding.rule
    listed = next(line for line in finding.lines if line.label == "Listed")
    assert listed.text.startswith(name)
    basis = listed.basis[0]
    assert MI_BURMA_TEXT[basis.start : basis.end] == name


def test_a_question_asking_to_confirm_no_licence_is_a_licence_question() -> None:
    question = "A hotel in Sevastopol wants EAR99 dishwashers. No licence, correct?"
    finding = determine(question, [], lookup=_all_rules_lookup())
    assert finding is not None and "746" in finding.rule and finding.outcome == "yes"


STA_TEXTS = [
    (
        "15 CFR 740.20(a)",
        "( a ) Scope. License Exception STA authorizes the export of items to the destinations "
        "named in paragraph (c) of this section.",
    ),
    (
        "15 CFR 740.20(b)(2)",
        "( i ) License Exception STA may not be used in lieu of any license requirement imposed "
        "by part 744. ( iii ) License Exception STA may not be used for any item that is "
        "controlled for reason of encryption items (EI), short supply (SS), surreptitious "
        "listening (SL), or chemical weapons (CW). ( v ) License Exception STA may not be used "
        "for any item controlled by ECCN 1C351.",
    ),
]


def _sta_lookup() -> _SectionLookup:
    return _SectionLookup([_p(120 + n, c, t, "regulation") for n, (c, t) in enumerate(STA_TEXTS)])


@pytest.mark.parametrize(
    ("question", "restriction"),
    [
        ("Can we ship our 5A002 routers to Germany under STA? Is that the right exception?", "EI"),
        ("Sales wants to send encrypted gateways to France under License Exception STA: OK?", "EI"),
        ("Can we ship 1C351 samples to a lab in Japan under STA?", "1C351"),
    ],
)
def test_an_exception_the_question_names_brings_its_own_restriction_for_the_case(
    question: str, restriction: str
) -> None:
    """The restriction is read from the named exception's section, whatever retrieval ranked:
    the one sharing the question's item (an encryption ECCN reads as encryption). No rule
    about parties or places decided it, so that restriction is the first line: it answers
    whether the exception the question names can be used."""
    finding = determine(question, [], lookup=_sta_lookup())
    assert finding is not None
    limits = [ln for ln in finding.lines if ln.label in ("Exception limits", "Licence exception")]
    assert len(limits) == 1 and "15 CFR 740.20" in limits[0].text
    assert finding.lines[0] is limits[0] and limits[0].label == "Licence exception"
    assert restriction in limits[0].text and "may not be used" in limits[0].text
    basis = limits[0].basis[0]
    quoted = basis.passage.text[basis.start - basis.passage.start : basis.end - basis.passage.start]
    assert restriction in quoted  # the line cites the very sentence it quotes


GOV_TEXTS = [
    (
        "15 CFR 740.11(a)(2)",
        "( iv ) Without prior authorization from the Bureau of Industry and Security, nationals "
        "of countries in Country Group E:1 may not physically or computationally access "
        "computers that have been enhanced by electronic assemblies exported under License "
        "Exception GOV. ( v ) Items controlled for NS reasons may not be exported to, or for the "
        "use of military, police, intelligence entities, or other sensitive end users (e.g., "
        "contractors or other governmental parties performing functions on behalf of military "
        "entities) of a government in a Country Group E:1 or E:2 country.",
    ),
    (
        "15 CFR 740.11(b)",
        "( b ) Scope. This paragraph authorizes exports to agencies of cooperating governments. "
        "Items for diplomatic missions are eligible. Humanitarian donations are covered by a "
        "different exception. Shipments to international inspectors are described in (d). "
        "Space station items are described in (e).",
    ),
]


@pytest.mark.parametrize(
    ("question", "limited"),
    [
        # "Security" of the agency's name is no fact of the case, nor "also", "same", "some";
        # a restriction reaching only E:1/E:2 does not reach Germany
        (
            "Our engineers at a USAF facility in Germany need NS1 test equipment. Can we use "
            "License Exception GOV? Could the private security company on the base use it as "
            "well, for some of the same kind of equipment, and its contractors too?",
            False,
        ),
        # ... nor one going "abroad", to anyone who downloads it (grade39 Q1)
        (
            "Our contractors abroad download NS items from our portal. Can we use License "
            "Exception GOV for the military entities that log in?",
            True,
        ),
        # ... but does reach Syria
        (
            "Can we use License Exception GOV to send NS items to contractors of Syria's military?",
            True,
        ),
    ],
)
def test_a_restriction_reaching_only_e1_e2_or_sharing_only_the_agencys_name_is_not_the_cases(
    question: str, limited: bool
) -> None:
    lookup = _SectionLookup([_p(140 + n, c, t, "regulation") for n, (c, t) in enumerate(GOV_TEXTS)])
    finding = determine(question, [], lookup=lookup)
    lines = [] if finding is None else finding.lines
    found = [ln for ln in lines if ln.label in ("Exception limits", "Licence exception")]
    assert bool(found) is limited
    if limited:
        assert "E:1 or E:2" in found[0].text


@pytest.mark.parametrize(
    "question",
    [
        "Can we ship 2B001 machine tools to Germany under STA?",  # no restriction shares a fact
        "Can we ship our app's 5A002 update to Germany under ENC?",  # ENC's section not read
        "Under License Exception STA, what does 'ultimate consignee' mean?",  # a meaning
        "Can our app send 5A002 routers to Germany?",  # "app" is not License Exception APP
    ],
)
def test_no_restriction_line_without_a_named_exception_and_a_shared_fact(question: str) -> None:
    finding = determine(question, [], lookup=_sta_lookup())
    assert finding is None or not any(
        ln.label in ("Exception limits", "Licence exception") for ln in finding.lines
    )


def test_exception_symbols_and_the_facts_that_tell_restrictions_apart() -> None:
    from assistant.answering.exception_limits import (
        distinctive,
        exception_facts,
        named_exceptions,
        sentence_words,
    )

    assert named_exceptions("Can we use STA instead of ENC?") == [
        ("STA", "740.20"),
        ("ENC", "740.17"),
    ]
    assert named_exceptions("Is our app covered by License Exception APP?") == [("APP", "740.7")]
    assert named_exceptions("Can we put it in a bag? Is sta ok?") == []
    # capitals alone are not an exception (from an attack on the rule)
    for other in (
        "Do we need a licence to export CCD image sensors (6A002.a.2) to Brazil?",
        "Our Wi-Fi module supports AP and STA modes. Can we sell it to the UAE?",
        "Do we need a licence to export TMP (trimethyl phosphite, 1C350) to India?",
        "Our firewall is certified to IEC 62443; can we ship it to Saudi Arabia?",
        "Our NAC appliance is classified 5A002; can we sell it to a bank?",
        "Can we present our research at an ACM conference in Beijing?",
    ):
        assert named_exceptions(other) == [], other
    assert named_exceptions("can we ship routers to germany under sta?") == [("STA", "740.20")]
    # asked of the symbol itself ("Is BAG OK ...?"), and symbols joined to a named one
    assert named_exceptions("Is BAG OK for that?") == [("BAG", "740.14")]
    # (the last clause's first: "or would STA apply?" asks about STA)
    assert named_exceptions("Does TMP work here, or would STA apply?") == [
        ("STA", "740.20"),
        ("TMP", "740.9"),
    ]
    assert named_exceptions("Can we still use GBS or LVS?") == [("GBS", "740.4"), ("LVS", "740.3")]
    assert named_exceptions("Under TMP, BAG or GOV?") == [
        ("TMP", "740.9"),
        ("BAG", "740.14"),
        ("GOV", "740.11"),
    ]
    assert named_exceptions("Can we use LVS and the app?") == [("LVS", "740.3")]
    assert named_exceptions("Is the app OK to ship? Is CCD available in 4K?") == []
    # the exception the question sentence asks about comes first, not the one it replaces
    wants_enc = "We normally use STA, but our items are EI-controlled, so can we use ENC instead?"
    assert [c for c, _ in named_exceptions(wants_enc)] == ["ENC", "STA"]
    # a symbol that is also a word needs capitals; one that is not may be typed in lower case
    assert named_exceptions("Can our engineers use the app to send design files?") == []
    assert named_exceptions("Can we ship it under APP?") == [("APP", "740.7")]
    stems, eccns = exception_facts("a ministry buys 5A002 routers", "STA")
    # only EI-controlled ECCNs read as encryption, not the mass-market 5A992
    assert "encryp" not in exception_facts("mass market 5A992 routers", "STA")[0]
    assert {"govern", "encryp", "router"} <= stems and eccns == {"5A002"}
    # a word in most of the section's sentences tells none of them apart
    sentences = ["Encryption items may be exported.", "Encryption software is eligible.", "x y"]
    held = [sentence_words(s) for s in sentences]
    assert "encryp" not in distinctive((stems, eccns), held)[0]


def test_the_exception_pointer_is_never_the_restrictions_on_all_exceptions() -> None:
    """740.2 restricts every exception and 740.1 introduces them: neither is one to offer."""
    restrictions = _p(
        130,
        "15 CFR 740.2(a)",
        "( a ) The authorization to use a License Exception is subject to the restrictions of "
        "this section, which authorize nothing by themselves.",
        "regulation",
        title="§ 740.2 Restrictions on all License Exceptions.",
    )
    tmp = _p(
        131,
        "15 CFR 740.9(a)",
        "( a ) License Exception TMP authorizes exports of items for temporary use abroad.",
        "regulation",
        title="§ 740.9 Temporary imports, exports, reexports, and transfers (in-country) (TMP).",
    )
    finding = determine("Which licence exception fits a demo unit for a fair?", [restrictions, tmp])
    assert finding is not None
    assert "(TMP) (15 CFR 740.9)" in finding.lines[0].text


def test_the_exception_pointer_follows_the_exception_the_question_asks_about() -> None:
    sta = _p(132, "15 CFR 740.20(a)", STA_TEXTS[0][1], "regulation", title="§ 740.20 STA.")
    enc = _p(
        133,
        "15 CFR 740.17(a)",
        "( a ) License Exception ENC authorizes exports of encryption items to most destinations.",
        "regulation",
        title="§ 740.17 Encryption commodities, software, and technology (ENC).",
    )
    question = "We normally use STA, but our routers are EI items, so can we use ENC instead?"
    finding = determine(question, [sta, enc])
    assert finding is not None
    pointer = next(ln for ln in finding.lines if ln.label == "Licence exceptions")
    assert "15 CFR 740.17" in pointer.text


def test_a_section_is_not_the_sections_its_number_is_a_prefix_of() -> None:
    """ "15 CFR 744.2" (nuclear end uses) must not be read in 744.21 (military end uses): the
    rule quoting 744.2 would otherwise rest on another section's requirement."""
    required = re.compile(r"\blicense is required\b")
    military = _p(
        1, "15 CFR 744.21(a)", "A license is required for military end uses.", "regulation"
    )
    nuclear = _p(2, "15 CFR 744.2(a)", "A license is required for nuclear end uses.", "regulation")
    found = find_sentence([military, nuclear], "15 CFR 744.2", required)
    assert found is not None and found.passage is nuclear
    assert find_sentence([military], "15 CFR 744.2", required) is None
    # a part ("15 CFR 7") or no citation at all is still a prefix
    assert find_sentence([military], "15 CFR 7", required) is not None


def test_a_status_question_is_led_by_the_provision_whose_status_the_corpus_records() -> None:
    """ "Is the affiliates rule in force?": the rule that explains it may share more words with
    the question, but the bottom line is the stayed provision and its status note."""
    rule = _p(
        1,
        "FR Doc. 2025-19001",
        "The affiliates rule in force under this rule extends the Entity List to affiliates "
        "owned 50 percent or more by listed entities.",
        "federal_register",
        sim=0.7,
    )
    provision = _p(
        2,
        "15 CFR 744.11(a)(1)",
        "( 1 ) Entity List entries extend to foreign affiliates owned 50 percent or more by "
        "listed entities.",
        "regulation",
        sim=0.6,
    )
    note = "Stayed: 90 FR 50857 stayed paragraph (a)(1) until Nov. 9, 2026."

    def notes_of(p: SearchResult, _a: int, _b: int) -> list[str]:
        return [note] if p is provision else []

    def ask(question: str) -> str:
        return compose_extractive(
            question,
            [rule, provision],
            min_relevance=0.45,
            min_relevance_unknown_name=0.5,
            notes_of=notes_of,
        ).answer

    status = ask("Is the 50% affiliates rule in force?")
    assert "**(1) Entity List entries extend" in status.splitlines()[0]
    assert status.splitlines()[1] == f"Status: {note}"
    # a question not about status keeps the best sentence as its bottom line
    assert (
        ": **The affiliates rule" in ask("What does the affiliates rule extend to?").splitlines()[0]
    )


def test_the_bottom_line_never_stops_at_a_colon() -> None:
    """A lead sentence introducing a list is shown with its items, or, when the passage does
    not hold them, gives way to a sentence that says something on its own."""
    listed = _p(
        70,
        "15 CFR 744.6(b)",
        "( b ) No U.S. person may, without a license from BIS, support:\n\n"
        "( 1 ) The design of nuclear explosive devices;\n\n"
        "( 2 ) The development of missiles.",
        "regulation",
        sim=0.7,
    )
    cut = _p(
        71,
        "15 CFR 744.6(c)",
        "( c ) No U.S. person may, without a license from BIS, support the following:",
        "regulation",
        sim=0.7,
    )
    other = _p(
        72, "15 CFR 744.6(a)", "A license may be needed to support some activities.", "regulation"
    )

    def lead(passages: list[SearchResult]) -> str:
        answer = compose_extractive(
            "May a U.S. person support missile development without a license from BIS?",
            passages,
            min_relevance=0.3,
            min_relevance_unknown_name=0.3,
        )
        return answer.lead

    whole = lead([listed])
    assert "support: (1) The design" in whole, (
        "the items, designators closed up as in the support"
        and "(2) The development of missiles." in whole
    )
    assert not lead([cut, other]).split("**")[1].endswith(":")


def test_a_question_about_what_the_government_will_do_says_the_corpus_cannot_tell() -> None:
    """The closest provisions are still given, under a note that the corpus holds what was
    published, not what BIS will do next; a question about what the rules will require is not
    such a question."""
    from assistant.answering.extractive import FUTURE_NOTE, PARTIAL_NOTE

    rule = _p(80, "15 CFR 744.11(a)", EL_TEXT, "regulation", sim=0.9)

    def answer(question: str) -> str:
        return compose_extractive(
            question, [rule], min_relevance=0.3, min_relevance_unknown_name=0.3
        ).answer

    assert FUTURE_NOTE in answer("Will BIS add more Chinese chip makers to the Entity List?")
    assert FUTURE_NOTE in answer("Is Commerce going to remove entities from the Entity List?")
    plain = answer("Will we need a licence for a listed entity on the Entity List?")
    assert FUTURE_NOTE not in plain and PARTIAL_NOTE not in plain


def test_a_named_section_the_corpus_does_not_hold_is_said_to_be_absent() -> None:
    """ "What does 15 CFR 762.6 require?" with no 762.6 in the corpus: the closest provisions
    come under a note naming the missing section, never passed off as its text; a section
    the corpus holds gets no such note."""
    records = _p(
        30,
        "15 CFR 762.2(a)",
        "( a ) Records to be retained. The records to be retained include contracts, invitations "
        "to bid, books of account and financial records.",
        "regulation",
        sim=0.55,
    )
    lookup = _SectionLookup([records])

    def ask(question: str) -> Any:
        return compose_extractive(
            question, [records], min_relevance=0.3, min_relevance_unknown_name=0.3, lookup=lookup
        )

    absent = ask("Which records must be retained under 15 CFR 762.6(a)?")
    assert absent.partial and absent.partial_note.startswith(
        "The corpus does not hold the text of 15 CFR 762.6."
    )
    assert "The corpus does not hold the text of 15 CFR 762.6." in absent.answer
    for not_a_section in (
        "Which records must we keep for a $1,762.60 shipment under 15 CFR 762.2?",
        "How does 31 CFR 762.6 interact with the records rules of 15 CFR 762.2?",
    ):
        assert "does not hold" not in ask(not_a_section).answer, not_a_section
    held = ask("Which records must be retained under 15 CFR 762.2?")
    assert "does not hold" not in held.answer and "does not hold" not in held.partial_note
    plain = compose_extractive(
        "Which records must be retained under 15 CFR 762.6?",
        [records],
        min_relevance=0.3,
        min_relevance_unknown_name=0.3,
    )
    assert "does not hold" not in plain.answer, "no section reader: nothing claimed"


def test_a_missing_paragraph_another_part_s_section_and_a_bare_refusal_are_said() -> None:
    """A paragraph the held text lacks (734.9(h) in its 2022 version), a title-15 section
    outside the EAR's parts ("15 CFR 30.37", the FTR), and a named section whose closest
    passages offer nothing to quote: each answer says what the corpus lacks."""
    fdp = _p(
        31,
        "15 CFR 734.9(a)",
        "(a) *Definitions.* The terms defined in this paragraph are specific to this section.\n\n"
        "(b) *Foreign-direct product rule.* A foreign-produced item is subject to the EAR if it "
        "meets the conditions of paragraph (h) of § 744.21.\n\n(g) *Reserved.*",
        "regulation",
        sim=0.55,
    )
    lookup = _SectionLookup([fdp])

    def ask(question: str, passages: list[SearchResult]) -> Any:
        return compose_extractive(
            question, passages, min_relevance=0.3, min_relevance_unknown_name=0.3, lookup=lookup
        )

    lacking = ask("What does 15 CFR 734.9(h) say?", [fdp])
    assert "The corpus's text of 15 CFR 734.9 has no paragraph (h)." in lacking.partial_note
    for held in ("What does 15 CFR 734.9(b) say?", "What does 15 CFR 734.9(g) say?"):
        assert "no paragraph" not in ask(held, [fdp]).answer, held
    ftr = ask("Which exemptions does 15 CFR 30.37 give for foreign-direct products?", [fdp])
    assert "The corpus does not hold the text of 15 CFR 30.37." in ftr.answer
    heading = _p(32, "15 CFR 748.8(o)", "(o) Technology.", "regulation", sim=0.76)
    refused = ask("What does 15 CFR 748.7 say?", [heading])
    assert refused.abstained
    assert refused.answer.endswith("The corpus does not hold the text of 15 CFR 748.7.")


GP1_TEXT = (
    "( 1 ) General Prohibition One—Export and reexport of controlled items to listed countries "
    "(Exports and Reexports). You may not, without a license or License Exception, export any "
    "item subject to the EAR to another country if each of the following is true: ( i ) The item "
    "is controlled for a reason indicated in the applicable Export Control Classification Number "
    "(ECCN), and ( ii ) Export to the country of destination requires a license for the control "
    "reason as indicated on the Country Chart."
)
STEPS_TEXT = (
    "( a ) Introduction. General Prohibitions Four through Ten are prohibitions on certain "
    "activities that are not allowed without authorization from BIS, and these prohibitions "
    "apply to all items subject to the EAR unless otherwise specified."
)


def test_an_ear99_item_to_a_country_no_embargo_covers_depends_on_the_parties_not_gp1() -> None:
    """EAR99 has no ECCN reason for control, so General Prohibition One requires no licence;
    whether one is needed depends on the prohibitions that reach every item, named with the
    facts missing (never "no": the question cannot rule them out)."""
    gp1 = _p(18, "15 CFR 736.2(b)(1)", GP1_TEXT, "regulation")
    steps = _p(19, "15 CFR 732.3(a)", STEPS_TEXT, "regulation")
    question = "Do we need a licence to ship EAR99 pumps to a hospital in Brazil?"
    finding = determine(question, [gp1, steps])
    assert finding is not None and finding.outcome == "depends" and "736.2(b)(1)" in finding.rule
    assert finding.lines[0].text.startswith("depends on the parties, the end use and any embargo")
    cited = [GP1_TEXT[b.start : b.end] for b in finding.lines[0].basis]
    assert any("controlled for a reason indicated" in c for c in cited)
    assert finding.lines[1].label == "Still required if"
    assert finding.lines[1].basis[0].passage is steps
    assert finding.missing_facts[1:] == ["the end use"], "the hospital is the end user"
    assert not any(ln.label == "Licence exceptions" for ln in finding.lines), "none is needed"
    russia = _p(4, "15 CFR 746.8(a)(1)", RUSSIA_TEXT, "regulation")
    for other, passages in (
        ("Do we need a licence to export EAR99 spare parts to Russia?", [gp1, steps, russia]),
        ("Our item is EAR99. Do we need a licence to ship it?", [gp1, steps]),
        ("Do we need a licence to ship EAR99 goods worldwide?", [gp1, steps]),
        ("Can we export EAR99 and 3A001 items to Japan?", [gp1, steps]),
        ("The item is not EAR99; do we need a licence to ship it to India?", [gp1, steps]),
        ("Do we need a licence to ship EAR99 pumps to Brazil?", [steps]),  # no basis
        # (a helper's attack: an embargo, a party, an end use or a doubt the rules cannot read)
        ("Can our German subsidiary reexport EAR99 parts without a licence to Iran?", [gp1, steps]),
        ("Can we sell EAR99 goods to a Cuban state-owned enterprise through Mexico?", [gp1, steps]),
        ("Can we ship EAR99 goods to Vladivostok via China?", [gp1, steps]),
        ("Can we sell EAR99 office supplies to HiSilicon in China?", [gp1, steps]),
        ("Can we sell EAR99 laptops to huawei in China?", [gp1, steps]),
        ("Do we need a licence for EAR99 valves for a nuclear plant in Pakistan?", [gp1, steps]),
        ("Our broker thinks the rifle scopes are EAR99. Can we ship them to Brazil?", [gp1, steps]),
        ("Is our thermal camera EAR99? Do we need a licence to ship it to Germany?", [gp1, steps]),
        ("Can we ship EAR99 tools to Germany and France?", [gp1, steps]),
    ):
        found = determine(other, passages)
        assert found is None or "736.2(b)(1)" not in found.rule, other
    unknown = determine("The item is not EAR99; do we need a licence to ship it to India?", [gp1])
    assert unknown is not None and "the item's ECCN (or EAR99)" in unknown.missing_facts
    # one country under two of its names is one named country
    for one in (
        "Do we need a licence to sell EAR99 pumps to a PRC hospital in Shanghai?",
        "Do we need a licence to sell EAR99 pumps to a Canadian hospital in Toronto?",
    ):
        found = determine(one, [gp1, steps])
        assert found is not None and "736.2(b)(1)" in found.rule, one


@pytest.mark.parametrize(
    "question",
    [
        "Do we need a licence to ship ear99 pumps to a distributor in Spain?",
        "Do we need a licence to ship EAR-99 pumps to a distributor in the Netherlands?",
        "Do we need a licence to ship EAR 99 pumps to a distributor in Nigeria?",
    ],
)
def test_an_item_called_ear99_in_any_spelling_to_a_named_country_is_not_asked_again(
    question: str,
) -> None:
    """ "ear99", "EAR-99", "EAR 99" give the classification and Spain, the Netherlands,
    Nigeria the destination: neither is listed as a fact the question did not give."""
    gp1 = _p(18, "15 CFR 736.2(b)(1)", GP1_TEXT, "regulation")
    steps = _p(19, "15 CFR 732.3(a)", STEPS_TEXT, "regulation")
    finding = determine(question, [gp1, steps])
    assert finding is not None and "736.2(b)(1)" in finding.rule, question
    assert "the item's ECCN (or EAR99)" not in finding.missing_facts
    assert "the destination" not in finding.missing_facts


def test_a_question_asking_what_how_long_or_who_gets_no_general_bottom_line() -> None:
    """ "How long can it stay out?" asks for a fact of the rules: "depends on the item's ECCN"
    would answer what was not asked. A wh-question asking for a licence still asks whether."""
    rule = _p(90, "15 CFR 736.2(a)", FIVE_FACTS_TEXT, "regulation", sim=0.6)
    for question in (
        "We sent demo equipment abroad under the temporary-export exception. How long can it "
        "stay out, and when must we ask BIS if we want to keep it there longer?",
        "What does the consignee need to give us before we can use License Exception STA?",
        "Our Korean customer offered to apply for the BIS export licence. Who is allowed to "
        "be the applicant?",
    ):
        assert determine(question, [rule]) is None, question
    for question in (
        "What licence do we need to export oscilloscopes to China?",
        "Which export authorization is needed to ship lasers to Brazil?",
        "Do we need a licence to export lasers to Brazil? What does it depend on?",
    ):
        finding = determine(question, [rule])
        assert finding is not None and finding.rule == "15 CFR 736.2", question


def _bold_lead(question: str, passages: list[SearchResult]) -> str:
    """The bottom line's quoted sentence (the answer's bold text)."""
    answer = compose_extractive(
        question, passages, min_relevance=0.3, min_relevance_unknown_name=0.3
    )
    return answer.answer.split("**")[1]


def test_when_a_rule_took_effect_is_answered_by_its_effective_date() -> None:
    """The bottom line is the effective date of the document that answers best, not its
    summary; another rule's date is never taken for it."""
    summary = (
        "In this final rule, BIS amends the EAR by adding 37 entities under 37 entries to the "
        "Entity List. This rule is effective May 9, 2024."
    )
    rule = _p(91, "FR Doc. 2024-10485", summary, "federal_register", sim=0.8)
    other = _p(
        92, "FR Doc. 2022-1", "This rule is effective April 11, 2022.", "federal_register", sim=0.5
    )
    question = "When did the rule adding 37 Chinese entities to the Entity List take effect?"
    assert _bold_lead(question, [rule, other]) == "This rule is effective May 9, 2024."
    alone = _p(93, "FR Doc. 2024-10485", summary.split(" This")[0], "federal_register", sim=0.8)
    assert "April 11, 2022" not in _bold_lead(question, [alone, other])
    assert _bold_lead("What did the rule adding 37 entities do?", [rule]).startswith(
        "In this final rule"
    )


def test_the_date_asked_is_the_rule_s_that_did_it_not_the_best_scoring_dates_line() -> None:
    """Another rule's DATES line shares "effective", "date" and "rule" with the question and
    outscores the sentence naming the rule asked about: the date is still that rule's."""
    dates = _p(
        94,
        "87 FR 21011",
        "DATES: This rule is effective April 11, 2022. This rule is applicable as of February "
        "14, 2022.",
        "federal_register",
        sim=0.8,
    )
    adding = _p(
        95,
        "FR Doc. 2024-31468",
        "The ERC has determined to add Chengdu Yaguang Electronics Co., Ltd. to the Entity "
        "List. This rule is effective January 6, 2025.",
        "federal_register",
        sim=0.6,
    )
    question = (
        "What is the effective date of the rule that put Yaguang Electronics on the Entity List?"
    )
    assert _bold_lead(question, [dates, adding]) == "This rule is effective January 6, 2025."


AFFILIATES_TEXT = (
    "( 1 ) The Entity List license requirements and other Entity List restrictions also apply "
    "to any foreign entity that is owned, directly or indirectly, individually or in aggregate, "
    "50 percent or more by one or more listed entities."
)


@pytest.mark.parametrize(
    "question",
    [
        "Two listed entities each own 25% of our buyer in Thailand. Can we ship parts without "
        "a licence?",
        "A 30% shareholder of our customer in Vietnam is on the Entity List. Do we need a "
        "license to ship them routers?",
    ],
)
def test_a_party_owned_by_listed_entities_is_answered_by_the_affiliates_rule(
    question: str,
) -> None:
    """The deciding provision for an owned party is 744.11(a)(1), quoted under the bottom line
    (so its legal status is shown with it); whether the ownership reaches 50 percent decides."""
    affiliates = _p(95, "15 CFR 744.11(a)(1)", AFFILIATES_TEXT, "regulation")
    finding = determine(question, [EL, affiliates])
    assert finding is not None and "744.11" in finding.rule and finding.outcome == "depends"
    assert "owned 50 percent or more" in finding.lines[0].text
    line = next(x for x in finding.lines if x.label == "Affiliates rule")
    assert line.basis[0].passage is affiliates


@pytest.mark.parametrize(
    "question",
    [
        "Our reseller in Singapore isn't on the Entity List itself, but 60% of its shares are "
        "held by a Chinese company that is listed. Do Entity List licence requirements apply "
        "when we sell them EAR99 parts?",
        "We have a distributor in Shenzhen that's 60% owned by a company on the Entity List, but "
        "the distributor itself isn't listed. Do we need a license to ship them EAR99 connectors?",
        "Our customer in Vietnam is majority-owned by an Entity List company. Can we sell them "
        "EAR99 cables?",
        "Our Indian customer's parent company is on the Entity List and owns 75% of it. Can we "
        "ship EAR99 pumps without a licence?",
        # no transaction verb: whether the requirements "automatically apply to" the company
        "A prospective customer in Malaysia is not on the Entity List itself, but 60% of it is "
        "owned by a Chinese company that IS on the Entity List. Do the Entity List licence "
        "requirements automatically apply to the Malaysian company?",
    ],
)
def test_a_party_half_owned_by_a_listed_owner_needs_a_licence_under_the_affiliates_rule(
    question: str,
) -> None:
    """Owned 50 percent or more by a listed entity, the party is treated as listed: "yes", resting
    on 744.11(a)(1) itself (whose status line then shows whether a stay holds)."""
    affiliates = _p(95, "15 CFR 744.11(a)(1)", AFFILIATES_TEXT, "regulation")
    finding = determine(question, [EL, affiliates])
    assert finding is not None and finding.outcome == "yes", question
    assert "744.11(a)(1)" in finding.lines[0].text
    assert finding.lines[0].basis[0].passage is affiliates
    assert finding.if_stayed is not None and finding.if_stayed[1] == "depends"
    # the outcome's line quotes the rule: no second line repeating it
    assert not any(x.label == "Affiliates rule" for x in finding.lines)


def test_our_own_ownership_does_not_make_a_listed_buyer_an_owned_one() -> None:
    """ "Our wholly owned subsidiary sells to a company that is on the Entity List": the buyer is
    listed; the ownership in the question is ours."""
    question = (
        "Our wholly owned subsidiary in Germany sells to a company that is on the Entity List. "
        "Do we need a licence?"
    )
    finding = determine(question, [EL])
    assert finding is not None and finding.outcome == "yes"


def test_an_outcome_resting_on_a_stayed_rule_holds_only_while_it_is_not_stayed() -> None:
    """The bottom line reads its basis's legal-status notes for the answer's day: stayed, the
    affiliates outcome gives way to the one the rule states for that case; a stay that ended,
    or no notes at all, leaves "yes"."""
    from assistant.answering.bottom_line import Citer, bottom_line

    affiliates = _p(95, "15 CFR 744.11(a)(1)", AFFILIATES_TEXT, "regulation")
    question = "Our buyer in Vietnam is 60% owned by a company on the Entity List. Can we ship?"
    finding = determine(question, [EL, affiliates])
    assert finding is not None

    def notes(say: str) -> Any:
        return lambda p, a, b: [say] if p is affiliates else []

    stayed = bottom_line(finding, Citer(notes_of=notes("Stayed: 90 FR 50857 stays (a)(1).")))
    assert stayed.determination is not None and stayed.determination.outcome == "depends"
    assert "stayed on this day" in stayed.lines[0]
    ended = bottom_line(finding, Citer(notes_of=notes("Stay ended: 90 FR 50857 stayed (a)(1).")))
    assert ended.determination is not None and ended.determination.outcome == "yes"
    assert bottom_line(finding, Citer()).determination.outcome == "yes"  # type: ignore[union-attr]


def test_a_party_that_s_on_the_entity_list_is_listed() -> None:
    """ "that's on the entity list" says the party is listed, as "that is on" does."""
    for question in (
        "can we use license exception TMP to send a demo unit to a company that's on the "
        "entity list?",
        "Our customer’s on the Entity List. Can we ship EAR99 cables to them?",
    ):
        finding = determine(question, [EL])
        assert finding is not None and finding.outcome == "yes", question


def test_a_what_or_how_long_question_about_an_exception_gets_no_restriction_as_bottom_line() -> (
    None
):
    """Asked what STA requires or how long it lasts, a restriction sharing a word with the
    question is not the answer; asked whether a deal may go under it, it is."""
    asked = "What does License Exception STA require for encrypted gateways sent to France?"
    assert determine(asked, [], lookup=_sta_lookup()) is None
    deal = "Sales wants to send encrypted gateways to France under License Exception STA: OK?"
    assert determine(deal, [], lookup=_sta_lookup()) is not None


def test_asking_whether_a_party_is_listed_does_not_say_it_is() -> None:
    asked = determine(
        "Is Lenovo on the Entity List? Do we need a licence to ship them laptops?", [EL]
    )
    assert asked is None or asked.outcome != "yes"
    said = determine(
        "Lenovo is on the Entity List. Do we need a licence to ship them laptops?", [EL]
    )
    assert said is not None and said.outcome == "yes"


US_PERSON_TEXT = (
    "( b ) General prohibitions. No “U.S. person” may, without a license from BIS, 'support': "
    "( 5 ) A 'military-intelligence end use' or a 'military-intelligence end user,' as defined "
    "in § 744.22(f), in Belarus, Burma, Cambodia, the People's Republic of China, Russia, or "
    "Venezuela."
)


def test_a_us_person_s_support_without_an_item_rests_on_744_6() -> None:
    """The support itself needs a licence (744.6(b)); the item rules of 744.22 do not decide a
    case in which nothing is exported."""
    support = _p(96, "15 CFR 744.6(b)", US_PERSON_TEXT, "regulation")
    question = (
        "Can a US person need a license to help a foreign military-intelligence end user even "
        "if no US items are exported?"
    )
    finding = determine(question, [], lookup=_SectionLookup([support]))
    assert finding is not None and "744.6" in finding.rule and finding.outcome == "depends"
    assert finding.lines[0].basis[0].passage is support
    # an export of an item is not a U.S. person's support alone
    shipped = "Our U.S. engineers ship EAR99 sensors to a lab in Brazil. Do they need a licence?"
    found = determine(shipped, [], lookup=_SectionLookup([support]))
    assert found is None or "744.6" not in found.rule


def test_a_section_s_policy_and_exceptions_lines_rest_on_its_general_requirement() -> None:
    """746.8(b)(1) and (c)(1) speak of paragraph (a)(3) alone (one product rule); (b)(3) and
    (c)(2) of the CCL items of (a)(1): those are the lines for a destination's general case."""
    from assistant.answering.determination.section_terms import _section_terms

    text = (
        "( b ) Licensing policy. ( 1 ) License applications required under paragraph (a)(3) of "
        "this section will be reviewed under a policy of denial in all cases. ( 3 ) Applications "
        "for any item pursuant to paragraphs (a)(1) , (2) , and (a)(5) through (8) of this "
        "section will be reviewed under a policy of denial. ( c ) License exceptions. ( 1 ) No "
        "license exceptions may overcome the license requirements in paragraph (a)(3) of this "
        "section. ( 2 ) No license exceptions may overcome the license requirements in "
        "paragraphs (a)(1) , (2) , and (4) through (8) of this section except the following:"
    )
    chunk = _p(97, "15 CFR 746.8(b)", text, "regulation")
    lines = {line.label: line for line in _section_terms("746.8", [chunk])}
    for label in ("Licence exceptions", "Review policy"):
        quoted = _sentence_of(lines[label])
        assert "(a)(1)" in quoted and "(a)(3)" not in quoted, label


def _sentence_of(line: Any) -> str:
    basis = line.basis[0]
    p = basis.passage
    return p.text[basis.start - p.start : basis.end - p.start]


RUSSIA_CCL_TEXT = (
    "( a ) License requirements. ( 1 ) Items classified in any ECCN on the CCL. A license is "
    "required to export, reexport, or transfer (in-country) to or within Russia or Belarus any "
    "item subject to the EAR and specified in any Export Control Classification Number (ECCN) "
    "on the CCL."
)


def test_an_eccn_on_the_ccl_to_russia_or_belarus_needs_a_licence() -> None:
    """746.8(a)(1) reaches every item with an ECCN: given one, the bottom line is yes, not
    'depends on the item'; EAR99, or no classification, still depends."""
    chunk = _p(98, "15 CFR 746.8(a)", RUSSIA_CCL_TEXT, "regulation")
    given = determine(
        "Can we ship routers to a distributor in Minsk, Belarus? They are 5A991.",
        [],
        lookup=_SectionLookup([chunk]),
    )
    assert given is not None and given.outcome == "yes" and "746.8(a)(1)" in given.lines[0].text
    # (an item the question says is on the CCL has an ECCN, whichever: probe Q4)
    for question in (
        "Do we need a licence to export items on the Commerce Control List to a customer in "
        "Belarus?",
        "Do we need a licence to ship CCL-controlled items to Russia?",
    ):
        said = determine(question, [], lookup=_SectionLookup([chunk]))
        assert said is not None and said.outcome == "yes" and not said.missing_facts, question
    for question in (
        "Can we ship EAR99 pumps to a distributor in Minsk, Belarus?",
        "Can we ship routers to a distributor in Moscow?",
        # (asked, or denied, it is not given; nor the CCL as a reference, or another item: a
        # review found these read as "yes")
        "Is it on the CCL? Can we ship it to a distributor in Moscow?",
        "Our pumps are not on the CCL. Can we ship them to a distributor in Moscow?",
        "Based on the CCL, our pumps are EAR99. Can we ship them to a distributor in Moscow?",
        "Our CCL items go to Germany; can we ship our pumps to a distributor in Moscow?",
        "Can we ship pumps to a distributor in Moscow, or are they on the CCL?",
        "Our pumps might be on the CCL. Can we ship them to a distributor in Moscow?",
        "Do we need a licence under the CCL to ship pumps to a distributor in Moscow?",
    ):
        found = determine(question, [], lookup=_SectionLookup([chunk]))
        assert found is not None and found.outcome == "depends", question


def test_a_rule_on_a_section_s_own_requirement_gets_no_borrowed_exception() -> None:
    """An end-use rule names the exceptions its section allows, or none; the best-ranked part
    740 section (RPL here) is not one of them (the grading's RPL for a Russian military end
    user)."""
    rpl = _p(
        99,
        "15 CFR 740.10(a)",
        "( a ) Servicing and replacement. License Exception RPL authorizes exports of one-for-one "
        "replacement parts for equipment previously exported.",
        "regulation",
        title="§ 740.10 License Exception Servicing and replacement of parts and equipment (RPL).",
    )
    chunk = _p(30, "15 CFR 744.22(a)", END_USE_TEXT, "regulation")
    question = "Can we send replacement parts to a military-intelligence unit in Venezuela?"
    finding = determine(question, [rpl], lookup=_SectionLookup([chunk]))
    assert finding is not None and "744.22" in finding.rule
    assert not any("RPL" in line.text for line in finding.lines)


def test_a_company_laptop_is_pointed_to_tmp_not_bag() -> None:
    """BAG covers what the traveller owns (740.14(c)(1)); the company's laptop goes as a tool of
    trade under TMP (740.9(a)(1)). A personal laptop may still be pointed to BAG."""
    bag = _p(
        100,
        "15 CFR 740.14(a)",
        "( a ) Scope. This License Exception authorizes individuals leaving the United States to "
        "take personally owned items as baggage.",
        "regulation",
        sim=0.7,
        title="§ 740.14 Baggage (BAG).",
    )
    tmp = _p(
        101,
        "15 CFR 740.9(a)",
        "( a ) Temporary exports. License Exception TMP authorizes exports of items for temporary "
        "use abroad, including tools of trade.",
        "regulation",
        sim=0.5,
        title="§ 740.9 Temporary imports, exports, reexports, and transfers (in-country) (TMP).",
    )
    lookup = _SectionLookup([tmp])
    company = determine("Can I take my company laptop to China?", [bag], lookup=lookup)
    assert company is not None
    pointer = next(x for x in company.lines if x.label == "Licence exceptions")
    assert "(TMP)" in pointer.text and "BAG" not in pointer.text
    personal = determine("Can I take my personal laptop to China?", [bag], lookup=lookup)
    assert personal is not None
    assert any("(BAG)" in x.text for x in personal.lines if x.label == "Licence exceptions")


def test_a_list_item_is_never_the_bottom_line_alone() -> None:
    """ "(i) To domestic or foreign co-authors, editors, or reviewers ...;" says nothing without
    its stem: the stem leads, with its items."""
    text = (
        "(5) Submission of a written composition or manuscript with the intention that such "
        "information will be made publicly available if accepted for publication:\n\n"
        "(i) To domestic or foreign co-authors, editors, or reviewers of journals or trade "
        "publications;\n\n(ii) To researchers conducting fundamental research."
    )
    chunk = _p(102, "15 CFR 734.7(a)", text, "regulation", sim=0.7)
    answer = compose_extractive(
        "Can we send our manuscript to journal editors and co-authors abroad before publication?",
        [chunk],
        min_relevance=0.3,
        min_relevance_unknown_name=0.3,
    )
    # the bottom line is 734.7(a)(5)'s determination; the quote it rests on is the stem with
    # its items, never the item alone
    lead = answer.answer.split("**")[1]
    assert lead.startswith("Licence required: no licence for the submission"), lead
    quoted = next(line for line in answer.answer.splitlines() if line.startswith("- 15 CFR"))
    assert "(5) Submission of a written composition" in quoted, quoted
    assert "co-authors" in quoted


DE_MINIMIS_C = (
    "(c) *10% De Minimis Rule.* Except as provided in paragraphs (a) and (b)(1)(iii) of this "
    "section, the following reexports are not subject to the EAR when made to any country in the "
    "world."
)
DE_MINIMIS_D = (
    "(d) *25% De Minimis Rule.* Except as provided in paragraph (a) of this section, the following "
    "reexports are not subject to the EAR when made to countries other than those listed in "
    "Country Group E:1 or E:2 of supplement no. 1 to part 740 of the EAR."
)


def _de_minimis_passages() -> list[SearchResult]:
    return [
        _p(120, "15 CFR 734.4(c)", DE_MINIMIS_C, "regulation"),
        _p(121, "15 CFR 734.4(d)", DE_MINIMIS_D, "regulation"),
    ]


@pytest.mark.parametrize(
    ("question", "share"),
    [
        (
            "Our Korean subsidiary builds a device with about 15% U.S.-origin controlled content.",
            15,
        ),
        ("Our German plant makes a machine whose U.S.-origin parts are 20% of its value.", 20),
        ("A Taiwanese company builds routers with 8% US content.", 8),
        ("It has roughly 12 percent American components.", 12),
        # shares of a company, and percentages with no U.S. content, are no content share
        ("A distributor 60% owned by a U.S. company on the Entity List.", None),
        ("Do we need a licence to export 5A992 routers to India if 20% is prepaid?", None),
    ],
)
def test_the_share_of_us_content_a_question_gives(question: str, share: float | None) -> None:
    from assistant.answering.determination.de_minimis import us_content_share

    assert us_content_share(question) == share


def test_a_foreign_made_item_s_us_content_decides_whether_it_is_subject_to_the_ear() -> None:
    """734.4: at most 10% controlled U.S. content for Country Groups E:1/E:2 (Iran), 25%
    elsewhere, and the foreign-made item is outside the EAR; above it, inside, and the
    destination's rule decides."""
    passages = _de_minimis_passages()
    brazil = (
        "Our German plant's machine has U.S.-origin parts worth {}% of its value. Can we sell "
        "it to a customer in Brazil without a licence?"
    )
    within = determine(brazil.format(20), passages)
    assert within is not None and within.outcome == "depends" and "734.4" in within.rule
    assert "not subject to the EAR" in within.lines[0].text and "25%" in within.lines[0].text
    assert within.lines[0].basis[0].passage.citation == "15 CFR 734.4(d)"
    above = determine(brazil.format(30), passages)
    assert above is not None
    # (no other rule's basis here: the de minimis finding is the bottom line)
    assert "subject to the EAR" in above.lines[0].text and "above the 25%" in above.lines[0].text
    iran = (
        "Our Korean subsidiary builds a device with about 15% U.S.-origin controlled content. "
        "Can it sell the device to a customer in Iran without a BIS license?"
    )
    finding = determine(iran, [*passages, *IRAN])
    assert finding is not None and finding.outcome == "yes" and "746.7" in finding.rule
    line = next(x for x in finding.lines if x.label == "Subject to the EAR")
    assert "above the 10%" in line.text and line.basis[0].passage.citation == "15 CFR 734.4(c)"


WORLDWIDE_742_6 = (
    "( iii ) License requirements for certain items. ( A ) Worldwide license requirement. A "
    "license is required to export, reexport, or transfer (in-country) items specified in ECCNs "
    "3A001.z.1.a, z.2.a; 3A090.a; 4A090.a; or 5A992.z to any destination."
)
EXCEPT_A1 = (
    "( 3 ) 6A003.b.4.b. A license is required to all destinations except those specified in "
    "Country Group A:1 for those cameras in ECCN 6A003.b.4.b."
)


@pytest.mark.parametrize(
    ("question", "outcome"),
    [
        ("Do we need a license to export GPUs (ECCN 3A090.a) to a data center in Malaysia?", "yes"),
        ("Can we ship 3A090.a accelerators to Germany without a licence?", "yes"),
        # an item of the listed paragraph is in it
        ("Do we need a licence to ship 3A090.a.1 chips to Japan?", "yes"),
        # another paragraph, the ECCN without one (which paragraph decides), or a requirement
        # with exceptions: the destination decides
        ("Do we need a licence to ship 3A090.b chips to Japan?", None),
        ("Do we need a licence to ship 3A090 chips to Japan?", None),
        ("Do we need a licence to export 6A003.b.4.b cameras to France?", None),
    ],
)
def test_an_eccn_a_provision_controls_to_every_destination_needs_a_licence(
    question: str, outcome: str | None
) -> None:
    """ "(A) Worldwide license requirement. A license is required ... 3A090.a ...": the ECCN
    the question gives is licensed to every destination, whatever the destination."""
    from assistant.answering.determination.ccl import worldwide_ccl_rule

    passages = [
        _p(130, "15 CFR 742.6(a)(6)(iii)(A)", WORLDWIDE_742_6, "regulation"),
        _p(131, "15 CFR 742.4(a)(3)", EXCEPT_A1, "regulation"),
    ]
    finding = worldwide_ccl_rule(question, passages, None)
    assert (finding.outcome if finding else None) == outcome
    if finding is not None:
        assert finding.lines[0].basis[0].passage.citation == "15 CFR 742.6(a)(6)(iii)(A)"
        assert "every destination" in finding.lines[0].text


SL_742_13 = (
    "( 1 ) In support of U.S. foreign policy to prohibit the export of items that may be used "
    "for the surreptitious interception of wire, oral, or electronic communications, a license "
    "is required for all destinations, including Australia, Canada, and the United Kingdom, for "
    "ECCNs having an “SL” under the “Reason for Control” paragraph."
)
SL_POLICY = (
    "( 1 ) License applications will generally be approved for exports requiring a license for "
    "SL reasons when the exporter is a provider of wire or electronic communication services. "
    "For SL reasons, license applications will generally be denied to countries that are "
    "subject to controls for AT reasons. ( 2 ) Other license applications will generally be "
    "denied for exports or reexports requiring a license for SL reasons."
)
SL_NAMES = (
    "( d ) U.S. controls. Controls on items classified under ECCNs 5A980, 5D980, and 5E980 are "
    "maintained by the United States government for foreign policy purposes."
)


@pytest.mark.parametrize(
    ("question", "outcome"),
    [
        (
            "A Canadian retailer wants our covert recorder pens (5A980). Canada needs no licence, "
            "right?",
            "yes",
        ),
        # an ECCN the section does not name: its reason for control is not known here
        ("A Canadian retailer wants our 5A002 routers. Do we need a licence?", None),
    ],
)
def test_a_reason_controlled_to_every_destination_reaches_the_eccns_its_section_names(
    question: str, outcome: str | None
) -> None:
    """742.13(a)(1) licenses "ECCNs having an "SL"" to all destinations, Canada included, and
    742.13(d) names 5A980: the two sentences are the basis, and (b)'s policy follows."""
    from assistant.answering.determination.ccl import worldwide_ccl_rule

    section = [
        _p(140, "15 CFR 742.13(a)", SL_742_13, "regulation"),
        _p(141, "15 CFR 742.13(b)", SL_POLICY, "regulation"),
        _p(142, "15 CFR 742.13(d)", SL_NAMES, "regulation"),
    ]
    finding = worldwide_ccl_rule(question, section, None)
    assert (finding.outcome if finding else None) == outcome
    if finding is not None:
        first = finding.lines[0]
        assert [b.passage.citation for b in first.basis] == ["15 CFR 742.13(a)", "15 CFR 742.13(d)"]
        assert "Canada" in first.text and "SL" in first.text
        policy = finding.lines[1]
        assert policy.label == "Review policy"
        denied = policy.basis[1]
        assert SL_POLICY[denied.start : denied.end].startswith("( 2 ) Other license")


US_PERSON_FAB_TEXT = (
    "( 2 ) Consistent with paragraph (c)(1) of this section, BIS is hereby informing “U.S. "
    "persons” that a license is required for the following activities, which could involve "
    "'support' for the weapons of mass destruction-related end uses set forth in paragraph (b) "
    "of this section."
)


@pytest.mark.parametrize(
    ("question", "fab"),
    [
        (
            "Can a U.S. citizen field engineer help a Chinese company install equipment at a fab "
            "that makes 16nm logic chips if no U.S.-origin items are involved?",
            True,
        ),
        (
            "Our American engineers will service etch tools at a Wuxi foundry. Need a licence?",
            True,
        ),
        # no chip plant in China or Macau: 744.6(b)'s end uses decide
        (
            "Can a U.S. citizen help a Chinese university with research if no items are exported?",
            False,
        ),
    ],
)
def test_a_us_person_servicing_a_chip_plant_in_china_is_answered_by_744_6_c_2(
    question: str, fab: bool
) -> None:
    """744.6(c)(2)-(3): a U.S. person's shipping, facilitating or servicing for the production
    of advanced-node ICs at a facility in Macau or D:5 needs a licence, item or no item; whether
    the plant makes advanced-node ICs is the fact named."""
    passages = [
        _p(
            140,
            "15 CFR 744.6(b)",
            "No “U.S. person” may, without a license from BIS, 'support':",
            "regulation",
        ),
        _p(141, "15 CFR 744.6(c)(2)", US_PERSON_FAB_TEXT, "regulation"),
    ]
    finding = determine(question, passages)
    assert finding is not None and "744.6" in finding.rule
    assert ("advanced-node" in finding.lines[0].text) is fab
    if fab:
        assert finding.lines[0].basis[0].passage.citation == "15 CFR 744.6(c)(2)"
        assert finding.outcome == "depends" and finding.missing_facts


@pytest.mark.parametrize(
    ("question", "outcome"),
    [
        (
            "I'm a US citizen engineer sent to repair Japanese-made tools at a fab in Wuxi, "
            "China; I'm told it produces advanced-node logic chips. I'm fine, right?",
            "yes",
        ),
        (
            "Our American engineers will service tools at a Wuxi fab that does not produce "
            "advanced-node chips. Need a licence?",
            "depends",
        ),
    ],
)
def test_a_chip_plant_the_question_says_is_advanced_node_needs_the_us_person_licence(
    question: str, outcome: str
) -> None:
    passages = [_p(141, "15 CFR 744.6(c)(2)", US_PERSON_FAB_TEXT, "regulation")]
    finding = determine(question, passages)
    assert finding is not None and "744.6" in finding.rule and finding.outcome == outcome
    assert bool(finding.missing_facts) is (outcome == "depends")


SME_744_23 = (
    "( a ) General prohibition. In addition to the license requirements for items specified on "
    "the CCL, you may not export, reexport, or transfer (in-country) without a license any item "
    "subject to the EAR described in paragraphs (a)(1) through (4) of this section."
)
NUCLEAR_744_2 = (
    "( a ) General prohibitions. In addition to the license requirements for items specified on "
    "the CCL, you may not export, reexport, or transfer (in-country) an item subject to the EAR "
    "without a license if at the time you know it will be used in nuclear activities."
)


@pytest.mark.parametrize(
    ("question", "section", "outcome"),
    [
        (
            "A fab in Wuxi that makes 14nm FinFET logic wants EAR99 spare O-rings. Do we need a "
            "licence?",
            "744.23",
            "depends",
        ),
        ("Can we sell EAR99 gloves to an advanced-node foundry in Shanghai?", "744.23", "yes"),
        (
            "We learned the EAR99 valves are for a reactor project that is not under IAEA "
            "safeguards. Do we need a licence to ship them to India?",
            "744.2",
            "depends",
        ),
        # a chip plant outside D:5 and Macau: no end-use rule
        ("Can we ship EAR99 tools to a semiconductor plant in Germany?", None, None),
        # the question denies a listing: the fab's end use decides, not "depends on whether a
        # party is on the Entity List"
        (
            "New customer: a Shanghai fab (not on the Entity List as far as we can tell) running "
            "14nm FinFET logic wants EAR99 o-rings. These are EAR99 so it's NLR, correct?",
            "744.23",
            "depends",
        ),
    ],
)
def test_end_uses_stated_in_plain_words(
    question: str, section: str | None, outcome: str | None
) -> None:
    """A chip plant in China is 744.23's end use (whether it makes advanced-node ICs decides,
    unless the question says so); a project "not under IAEA safeguards" is unsafeguarded
    nuclear activity (744.2), its "not" denying the safeguards, not the end use."""
    passages = [
        _p(150, "15 CFR 744.23(a)", SME_744_23, "regulation"),
        _p(151, "15 CFR 744.2(a)", NUCLEAR_744_2, "regulation"),
        EL,
    ]
    finding = determine(question, passages)
    rule = finding.rule if finding else ""
    if section is None:
        assert not rule.startswith("End-use controls"), rule
    else:
        assert finding is not None and section in rule and finding.outcome == outcome


@pytest.mark.parametrize(
    ("question", "other"),
    [
        (
            "We're shipping $1,200 of 5A991 modems to Hong Kong under NLR. Do we have to file EEI "
            "in AES for the shipment?",
            True,
        ),
        (
            "Does the destination control statement have to go on our invoices for 5A992 items "
            "shipped NLR? What exactly must it say?",
            True,
        ),
        (
            "How long does BIS take to process a licence application, and how long is an "
            "approved licence valid? Can we get it extended?",
            True,
        ),
        (
            "Our EEI showed the wrong ECCN, though no licence was needed. Do we have to file a "
            "full voluntary self-disclosure?",
            True,
        ),
        # "Is that allowed?" asks about the statement before it (grade41 Q20)
        (
            "Staff in Manila would log into our AES account and file the EEI, pulling the ECCN "
            "and licence code from our ERP. Is that allowed, and who is on the hook if it's wrong?",
            True,
        ),
        (
            "Our distributor in Manila wants to resell our 5A992 routers to a bank in Iran. Is "
            "that allowed?",
            False,
        ),
        # a classification: self-classified, or requested from BIS (pr-070)
        (
            "We sell a cryptographic library SDK to other developers. Can we self-classify it "
            "like our apps, or does BIS have to see it first?",
            True,
        ),
        ("Do we need to submit a classification request for our VPN before exporting it?", True),
        # (an item's classification given is a fact, not the question; classifying it and
        # sending it somewhere asks whether the shipment needs a licence: a review found
        # embargo questions losing their determination)
        ("Our NAC appliance is classified 5A002; can we sell it to a bank?", False),
        ("Can we classify it as EAR99 and ship it to Iran?", False),
        ("We self-classified the pumps as EAR99; can we ship them to Cuba?", False),
        ("Is a classification request needed before we export the chip to Iran?", False),
        # (an exception or term named is not a licence asked for: the EEI is still the question)
        ("If we export 5A992 laptops under NLR to Shanghai, do we still have to file EEI?", True),
        # a licence asked about too: the determination stays
        ("Do we need a licence to ship 5A992 routers to China, and do we have to file EEI?", False),
        ("Can we ship EAR99 pumps to Brazil without a licence?", False),
    ],
)
def test_a_question_about_another_obligation_gets_no_licence_bottom_line(
    question: str, other: bool
) -> None:
    """Filing EEI, the destination control statement, processing times, a self-disclosure:
    "Licence required: depends on ..." answers what was not asked, however "NLR" or "no licence
    was needed" reads around it."""
    from assistant.answering.determination.asks import asks_other_obligation, asks_whether

    assert asks_other_obligation(question) is other
    if other:
        assert not asks_whether(question)
        gp = _p(
            16,
            "15 CFR 736.2(b)(1)",
            "You may not export any item without a license if one is required.",
            "regulation",
        )
        assert determine(question, [gp]) is None


def test_an_exception_written_for_other_items_is_no_pointer() -> None:
    """HBM's scope names 3A090.c: no pointer for 3A002 signal generators, one for 3A090.c
    memory; BAG names firearms ECCNs only in a later paragraph, so it still points for any
    item (and for a question giving no ECCN nothing is filtered)."""
    from assistant.answering.determination.exceptions import licence_exception_line

    hbm_text = (
        "( a ) Scope. This License Exception High Bandwidth Memory (HBM) authorizes the export, "
        "reexport, or transfer (in-country) of items specified in ECCN 3A090.c on the CCL if all "
        "terms and conditions within this section are met."
    )
    hbm = _p(
        160, "15 CFR 740.25(a)", hbm_text, "regulation", title="§ 740.25 License Exception HBM."
    )
    bag_text = (
        "( e ) Firearms. A U.S. citizen may export under this License Exception BAG shotguns "
        "classified under ECCN 0A502 that are authorized for personal use."
    )
    bag = replace(
        _p(161, "15 CFR 740.14(e)", bag_text, "regulation", title="§ 740.14 Baggage (BAG)."),
        start=2000,
        end=2000 + len(bag_text),
    )
    assert licence_exception_line([hbm], "Can our distributor resell 3A002 generators?") is None
    line = licence_exception_line([hbm], "Can we ship 3A090.c memory to Korea?")
    assert line is not None and "740.25" in line.text
    assert licence_exception_line([hbm], "Can we ship memory to Korea?") is not None
    line = licence_exception_line([bag], "Can I take my 5A992 laptop to Suzhou?")
    assert line is not None and "740.14" in line.text


def test_asked_whether_a_foreign_made_item_is_subject_to_the_ear_both_levels_are_given() -> None:
    """ "About 20% of the value ... a factory in Venezuela ... Are the controllers subject to the
    EAR? Would the answer be different if the buyer were in Cuba?": no licence word, yet the
    share asks the de minimis question; each destination gets its level."""
    question = (
        "Our Malaysian subsidiary builds motion controllers in which US-origin 3A001 chips make "
        "up about 20% of the value. A civilian factory in Venezuela wants 50 units. Are the "
        "controllers subject to the EAR? Would the answer be different if the buyer were in Cuba?"
    )
    finding = determine(question, _de_minimis_passages())
    assert finding is not None
    line = next(x for x in [*finding.lines] if "de minimis" in x.text or "25% level" in x.text)
    assert "for Venezuela: no" in line.text and "above the 10%" in line.text
    assert {b.passage.citation for b in line.basis} == {"15 CFR 734.4(c)", "15 CFR 734.4(d)"}


def test_which_authorization_covers_it_asks_about_a_licence() -> None:
    """ "Which EAR authorization covers this?" asks what a licence question asks: a restaurant
    in Havana buying EAR99 ovens gets Cuba's rule, not a refusal."""
    from assistant.answering.determination.asks import ASKS_LICENCE

    assert ASKS_LICENCE.search("Which EAR authorization covers this, and what would disqualify it?")
    assert ASKS_LICENCE.search("What licence do we need for this?")
    assert not ASKS_LICENCE.search("Which authorization did BIS publish in 2024?")


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Can a US company sell software to Huawei?", True),
        ("Can the German subsidiary ship the spare parts to Iran?", True),
        ("Are mass-market software sales to Huawei licensable under the EAR?", True),
        ("Is this transfer licence-free?", True),
        ("Can the Entity List be downloaded as a spreadsheet?", False),
        # to someone else, not to us, and not a payment or a quote
        ("Can a Kaspersky employee send us a quote?", False),
        ("Can a bank transfer money to Iran?", False),
        ("Can a Chinese supplier ship parts to our US factory?", False),
        ("Where can a company find the Commerce Country Chart?", False),
        # "could", and U.S. companies without an article; not another party's own sales
        ("Can US companies sell software to Huawei?", True),
        ("Can U.S. exporters ship routers to Huawei?", True),
        ("Could a US company sell chips to Huawei?", True),
        ("Could we sell mass-market software to Huawei?", True),
        ("Could we keep shipping to a customer that was just listed?", True),
        ("Can Huawei sell phones to Germany?", False),
        ("Can Chinese suppliers ship parts to our US factory?", False),
        ("Could a bank transfer money to Iran?", False),
        ("Could you tell me what 744.11 says?", False),
        # "could" only with an export after it; no shares, loans or subsidiaries sold
        ("Could we explain to Huawei why the shipment was late?", False),
        ("Could we be liable for our distributor's sales to Huawei?", False),
        ("Could we have avoided the penalty for the Huawei shipments?", False),
        ("Can US companies sell their shares to Huawei?", False),
        ("Could US banks supply loans to Huawei?", False),
        ("Could US companies sell their Russian subsidiary to a buyer?", False),
    ],
)
def test_whether_a_party_may_make_the_export_asks_about_a_licence(
    question: str, asks: bool
) -> None:
    """ "Can a US company sell software to Huawei?" and "is it licensable?" ask what "do we need a
    licence?" asks; "can the list be downloaded?" does not."""
    from assistant.answering.determination.asks import ASKS_LICENCE

    assert bool(ASKS_LICENCE.search(question)) is asks


RESTRICTION_600 = (
    "( 12 ) The item is described in a 9x515 or “600 series” ECCN and is destined to, shipped "
    "from, or was manufactured in a destination listed in Country Group D:5 or Hong Kong (see "
    "Supplement No. 1 to part 740 of the EAR), except that:"
)
RESTRICTION_0Y521 = (
    "( 14 ) Items classified under ECCNs 0A521, 0B521, 0C521, 0D521 and 0E521 may only be "
    "authorized by License Exception GOV (§ 740.11(b)(2)(ii)) or an item-specific license "
    "exception identified in supplement no. 5 to part 774 for a particular ECCN 0Y521 item."
)
RESTRICTION_PAKISTAN = (
    "( 25 ) No license exception is available for the export, reexport, or transfer "
    "(in-country) to or within Pakistan of items controlled under ECCNs 1B999, 2A992, 2B999 "
    "(except 2B999.h.2), 3A992, 3A999, or 6A996 (see § 742.6(a)(12) of the EAR), apart from TMP "
    "(limited to 740.9(a)(1), (a)(4), (a)(5), (a)(10), (b)(2), and (b)(3)), RPL (740.10), or GOV "
    "(740.11(a), (b), or (d))."
)
STA_TEXT = "License Exception STA authorizes exports of items to destinations in Country Group A:5."


@pytest.mark.parametrize(
    ("question", "says"),
    [
        (
            "Is there any licence exception for shipping a 9A515.x reaction wheel to a startup "
            "in Beijing?",
            "none but GOV",
        ),
        ("Can we send 0A521 demo units to Munich under STA or LVS?", "only GOV"),
        # (a)(12)(ii): helmets and body armour to D:5 may also go under TMP or BAG
        (
            "Is there any licence exception for our photographer's 1A613.d body armour for a trip "
            "to Erbil, Iraq?",
            "none but GOV (15 CFR 740.11(b)(2)), and for 1A613.c or .d",
        ),
        # (a)(12)(i) allows GOV only for an item destined to D:5: to Hong Kong, none at all
        (
            "Is there any licence exception for shipping 9A610.x fittings to a distributor in "
            "Hong Kong?",
            "none — a 9x515",
        ),
        # a 600 series item to an ally: 740.2(a)(12) does not reach it
        ("Is there any licence exception for shipping a 9A610 part to Japan?", None),
        # grade41 Q16: the regional-stability items to Pakistan (740.2(a)(25)), not 2B999.h.2
        ("Can we ship $1,900 of 2A992 valves to a mill in Faisalabad under LVS?", "none but TMP"),
        ("Can we export 2B999.h.2 machines to Karachi under LVS?", None),
        ("Can we ship 2A992 valves to a mill in India under LVS?", None),
    ],
)
def test_740_2_restrictions_on_all_exceptions_override_any_pointer(
    question: str, says: str | None
) -> None:
    """9x515 / 600 series to D:5 or Hong Kong: GOV only (740.2(a)(12)); 0Y521: GOV or its own
    supplement no. 5 exception (740.2(a)(14)); the STA pointer a keyword would give goes."""
    passages = [
        _p(
            170, "15 CFR 740.20(a)", STA_TEXT, "regulation", title="§ 740.20 License Exception STA."
        ),
        _p(171, "15 CFR 740.2(a)(12)", RESTRICTION_600, "regulation"),
        _p(172, "15 CFR 740.2(a)(14)", RESTRICTION_0Y521, "regulation"),
        _p(173, "15 CFR 740.2(a)(25)", RESTRICTION_PAKISTAN, "regulation"),
    ]
    finding = determine(question, passages)
    lines = [x for x in finding.lines if x.label == "Licence exceptions"] if finding else []
    if says is None:
        assert not any("740.2(a)" in x.text for x in lines)
    else:
        assert len(lines) == 1 and lines[0].text.startswith(says)
        assert lines[0].basis[0].passage.citation.startswith("15 CFR 740.2(a)")


SAVINGS_TEXT = (
    "For the changes being made in this final rule, shipments of items removed from eligibility "
    "for a License Exception or export without a license (NLR) as a result of this regulatory "
    "action that were en route aboard a carrier to a port of export, on March 25, 2025, pursuant "
    "to actual orders for export to a foreign destination, may proceed to that destination under "
    "the previous eligibility before April 24, 2025."
)


def test_a_shipment_en_route_when_its_buyer_was_listed_turns_on_the_savings_clause() -> None:
    """ "Already on a truck to LAX for export that day": the listing rule's savings clause, not
    "yes", decides; a shipment not yet on its way gets "yes" as before."""
    savings = _p(180, "FR Doc. 2025-05427", SAVINGS_TEXT, "federal_register")
    en_route = (
        "Our customer was added to the Entity List on March 25, 2025. An order of EAR99 "
        "connectors was already on a truck to LAX for export that day. Can it still go without a "
        "licence?"
    )
    finding = determine(en_route, [EL, savings])
    assert finding is not None and finding.outcome == "depends"
    assert finding.lines[0].basis[0].passage is savings
    # the date the question gives, placed against the clause's own dates
    dates = next(line for line in finding.lines if line.label == "Dates")
    assert dates.text.startswith("March 25, 2025 is on or after March 25, 2025")
    assert "if completed before April 24, 2025" in dates.text
    plain = "Our customer was added to the Entity List. Can we ship them EAR99 connectors?"
    finding = determine(plain, [EL, savings])
    assert finding is not None and finding.outcome == "yes"


NORTH_KOREA = [
    _p(
        40,
        "15 CFR 746.4(a)",
        "( a ) Licensing requirements. A license is required to export or reexport any item "
        "subject to the EAR (see part 734 of the EAR) to the Democratic People's Republic of "
        "Korea (North Korea), except food and medicines classified as EAR99 (definitions in "
        "part 772 of the EAR).",
        "regulation",
    )
]


@pytest.mark.parametrize(
    ("question", "outcome", "says"),
    [
        # EAR99 medicine alone: not under 746.4(a), and never "no" (a party could still need one)
        ("Do we need a licence to ship EAR99 antibiotics to North Korea?", "depends", "not under"),
        ("Can we send EAR99 rice and insulin to North Korea?", "depends", "not under"),
        # other goods beside it: they need one
        (
            "Can we send EAR99 antibiotics and two ultrasound machines to a clinic in North Korea?",
            "yes",
            "yes for the other items",
        ),
        # not said to be EAR99: the classification decides
        ("Can we ship antibiotics to North Korea?", "depends", "depends on the classification"),
        # no food or medicine: the section's general requirement
        ("Do EAR99 tractor parts for North Korea need a licence?", "yes", "yes for most items"),
        # from an attack: other goods beside the food or medicine need a licence
        (
            "Do we need a licence for EAR99 rice and tractors to North Korea?",
            "yes",
            "yes for the other",
        ),
        (
            "Can we ship EAR99 food, bottled water and tents to North Korea?",
            "yes",
            "yes for the other",
        ),
        # food and medicine words that name something else
        (
            "Can we ship EAR99 medicine cabinets to a hospital in North Korea?",
            "yes",
            "yes for most",
        ),
        (
            "Can we export EAR99 rice cookers to a distributor in North Korea?",
            "yes",
            "yes for most",
        ),
        ("Do we need a licence to export insulin pumps to North Korea?", "yes", "yes for most"),
        (
            "Can we ship drug testing kits to a police department in North Korea?",
            "yes",
            "yes for most",
        ),
        # an ECCN on the CCL, or EAR99 denied: not the exception
        (
            "Do we need a licence to ship vaccines classified under 1C991 to North Korea?",
            "yes",
            "yes for most",
        ),
        ("Our vaccines are not EAR99. Can we send them to North Korea?", "yes", "yes for most"),
        # what is said not to be food; 772.1's castor bean seeds; oils that are food
        (
            "These are EAR99 cooking pots, not food. Can they go to North Korea?",
            "yes",
            "yes for most",
        ),
        ("Can we export EAR99 castor bean seeds to North Korea?", "yes", "yes for most"),
        ("Can we send EAR99 cooking oil and sugar to North Korea?", "depends", "not under"),
        ("Is a licence needed for EAR99 wheat flour going to North Korea?", "depends", "not under"),
    ],
)
def test_ear99_food_and_medicine_rest_on_the_sections_own_exception(
    question: str, outcome: str, says: str
) -> None:
    finding = determine(question, [], lookup=_SectionLookup(NORTH_KOREA))
    assert finding is not None and "746.4" in finding.rule
    assert finding.outcome == outcome
    first = finding.lines[0]
    assert first.text.startswith(says), first.text
    if not says.startswith("yes for most"):
        quoted = first.basis[0].passage.text
        assert "except food and medicines classified as EAR99" in quoted
        assert "746.4(a)" in first.text


def test_acronyms_the_ear_spells_out_are_not_parties() -> None:
    """ "Commerce Control List (CCL)" in 744.22 is not a military-intelligence end user named
    "CCL": a question about "our CCL items" names no party."""
    assert "CCL" not in party_names("Can our UAE distributor resell our CCL items to Iran?")


RUSSIA_SOFTWARE = [
    _p(
        41,
        "15 CFR 746.8(a)",
        "( a ) License requirements. A license is required as specified under paragraphs (a)(1) "
        "through (8) of this section.",
        "regulation",
    ),
    _p(
        42,
        "15 CFR 746.8(a)(8)",
        "( i ) A license is required to export, reexport, or transfer (in-country) to or within "
        "Russia or Belarus any “software” subject to the EAR and described in paragraph "
        "(a)(8)(ii) of this section.\n\n( ii ) The following types of software subject to the "
        "EAR are in the scope of paragraph (a)(8): Enterprise resource planning (ERP); project "
        "management software, product lifecycle management (PLM); computer aided design (CAD); "
        "and software for the operation of computer numerical control (CNC) machine tools.",
        "regulation",
    ),
]


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Can we send EAR99 CAD/PLM updates to an engineering firm in Russia?", "PLM, CAD"),
        ("Do we need a licence to sell computer-aided design software to Russia?", "CAD"),
        ("Can we sell our enterprise resource planning suite to a retailer in Minsk?", "ERP"),
        # the acronym's plural names the software on its own
        ("Can we sell ERPs and PLMs to Russian companies?", "ERP, PLM"),
    ],
)
def test_software_a_russia_paragraph_lists_needs_a_licence_read_from_its_own_list(
    question: str, named: str
) -> None:
    finding = determine(question, [], lookup=_SectionLookup(RUSSIA_SOFTWARE))
    assert finding is not None and finding.outcome == "yes"
    first = finding.lines[0]
    assert f"({named} among them)" in first.text and "746.8(a)(8)" in first.text
    quoted = [
        b.passage.text[b.start - b.passage.start : b.end - b.passage.start] for b in first.basis
    ]
    assert quoted[0].startswith("( i ) A license is required")
    assert quoted[1].startswith("( ii ) The following types of software")


@pytest.mark.parametrize(
    "question",
    [
        # hardware named after a list item's tail ("... (CNC) machine tools") is not software
        "Do we need a licence to ship EAR99 machine tools to Russia?",
        "Do we need a licence to ship EAR99 office furniture to Moscow?",
        # from an attack: a kind's acronym or name that is not software here
        "Can we send CAD drawings of a warehouse to a contractor in Moscow?",
        "Can we ship EAR99 pumps priced at 50,000 CAD to a distributor in Moscow?",
        "Can our consultants provide CRM consulting services to a retailer in Moscow?",
        "A clinic in Moscow wants our EAR99 ultrasound units. Do we need a BIS licence?",
    ],
)
def test_other_items_to_russia_are_not_the_listed_software(question: str) -> None:
    finding = determine(question, [], lookup=_SectionLookup(RUSSIA_SOFTWARE))
    assert finding is not None and finding.outcome == "depends"
    assert "software" not in finding.lines[0].text


@pytest.mark.parametrize(
    ("question", "section"),
    [
        # the deal asked about goes where the past one went: parts, service, updates for it
        (
            "Can we ship EAR99 replacement pumps and filters for dialysis machines we sold years "
            "ago to a hospital in Donetsk (the so-called DNR region)?",
            "746.6",
        ),
        (
            "Can we send spare parts for the compressors we sold to a plant in Iran in 2015?",
            "746.7",
        ),
        (
            "Can we keep servicing the MRI scanners we supplied to a clinic in Syria last year?",
            "746.9",
        ),
    ],
)
def test_parts_or_service_for_what_was_sold_go_where_it_was_sold(
    question: str, section: str
) -> None:
    finding = determine(question, [], lookup=_all_rules_lookup())
    assert finding is not None and f"15 CFR {section}" in finding.rule, finding


def test_listed_software_for_a_subsidiary_turns_on_the_civil_end_user_exclusion() -> None:
    """746.8(a)(12)(ii) excludes the (a)(8) software for wholly owned subsidiaries of U.S. or
    A:5/A:6 companies: a question whose end user is a subsidiary gets "depends on the end
    user", resting on the exclusion too."""
    exclusion = _p(
        43,
        "15 CFR 746.8(a)(12)(ii)",
        "( ii ) Software designated EAR99 and identified in paragraph (a)(8)(ii) of this section "
        "do not require a license to export to or within Russia or Belarus for the following "
        "civil end-users:",
        "regulation",
    )
    finding = determine(
        "Our EAR99 CAD software goes to our wholly owned U.S. subsidiary in Moscow. "
        "Do we need a licence?",
        [],
        lookup=_SectionLookup([*RUSSIA_SOFTWARE, exclusion]),
    )
    assert finding is not None and finding.outcome == "depends"
    first = finding.lines[0]
    assert first.text.startswith("depends on the end user") and "746.8(a)(12)(ii)" in first.text
    assert any(b.passage.citation == "15 CFR 746.8(a)(12)(ii)" for b in first.basis)


def test_listed_software_for_a_medical_only_end_user_turns_on_the_sector_exclusion() -> None:
    """746.8(a)(12)(iv) excludes EAR99 (a)(8) software for entities engaged exclusively in the
    agriculture or medical industries: a hospital chain doing only medical work gets "depends on
    the end user", resting on that exclusion."""
    sector = _p(
        44,
        "15 CFR 746.8(a)(12)",
        "( iv ) Software designated EAR99. Software that is subject to the EAR and designated "
        "EAR99 is excluded from the license requirement in paragraph (a)(8) when destined to "
        "entities engaged exclusively in the agriculture or medical industries.",
        "regulation",
    )
    lookup = _SectionLookup([*RUSSIA_SOFTWARE, sector])
    finding = determine(
        "We sell EAR99 CAD software. A private hospital chain in Russia that does only medical "
        "work wants it. Do we need a licence?",
        [],
        lookup=lookup,
    )
    assert finding is not None and finding.outcome == "depends"
    first = finding.lines[0]
    assert "agriculture or medical industries" in first.text
    assert any(b.passage is sector for b in first.basis)
    plain = determine(
        "We sell EAR99 CAD software. A machine-building plant in Russia wants it. Do we need a "
        "licence?",
        [],
        lookup=lookup,
    )
    assert plain is not None and plain.outcome == "yes", "no medical end user: no exclusion"


CHART_TEXT = (
    "( ii ) Review the Country Chart. With each of the applicable Country Chart Column "
    "identifiers noted, turn to the Country Chart (supplement no. 1 to part 738). Locate the "
    "correct Country Chart column identifier on the diagonal headings, and determine whether an "
    "“X” is marked in the cell next to the country in question for each Country Chart column "
    "identified in the applicable ECCN.\n\n( A ) If yes, a license application must be "
    "submitted based on the particular reason for control and destination, unless a License "
    "Exception applies."
)


@pytest.mark.parametrize(
    ("question", "eccn", "place"),
    [
        ("Do we need a licence to export 3A001 ICs to Brazil?", "3A001", "Brazil"),
        (
            "Do we need a licence to export 6A003.b.4.b cameras to France?",
            "6A003.b.4.b",
            "France",
        ),
        (
            "Is an export of 5A002 routers to Pakistan subject to a licence requirement?",
            "5A002",
            "Pakistan",
        ),
        # its people and its cities are one country, named as the country
        (
            "A Canadian retailer in Toronto wants our 5A980 pens. Canada needs no licence, right?",
            "5A980",
            "Canada",
        ),
        ("Can I take my 5A992 laptop to Suzhou?", "5A992", "China"),
        # a language and an ocean are not destinations
        (
            "Can we export ECCN 2B001 machine tools to Colombia with the operator manual in "
            "Spanish, or do we need a license?",
            "2B001",
            "Colombia",
        ),
        (
            "Do we need a license to export ECCN 6A001 sonar to an institute in Australia for a "
            "survey of the Indian Ocean?",
            "6A001",
            "Australia",
        ),
    ],
)
def test_an_eccn_to_a_named_country_depends_on_the_country_chart_not_first_on_the_end_user(
    question: str, eccn: str, place: str
) -> None:
    chart = _p(120, "15 CFR 738.4(a)(2)", CHART_TEXT, "regulation")
    finding = determine(question, [], lookup=_SectionLookup([chart]))
    assert finding is not None and finding.rule == "Commerce Country Chart (15 CFR 738.4)"
    assert finding.outcome == "depends"
    assert finding.missing_facts[0] == (
        f"whether the Country Chart (supplement no. 1 to part 738) marks an “X” for {place} "
        f"under a reason for control of {eccn}"
    )
    quoted = [chart.text[b.start : b.end] for b in finding.lines[0].basis]
    assert "“X” is marked" in quoted[0] and quoted[1].startswith("( A ) If yes")


@pytest.mark.parametrize(
    "question",
    [
        "Do we need a licence to export 3A001 ICs?",  # no country: the general rule's facts
        "Can we ship 3A001 chips to Brazil or to India?",  # which country is not plain
        "Do we need a licence to ship 3A001 chips to Cuba?",  # part 746 decides
        "Can we export 3A001 and 5A002 items to Japan?",  # two ECCNs
        # from an attack: a U.S. place named like a foreign one, a part number
        "Do we need a license to ship ECCN 3A001 chips from Albuquerque, New Mexico to a "
        "customer in Colorado?",
        "Is an export license required for ECCN 4A003 servers shipped to Paris, Texas?",
        "Our SKU 3A001-BLK (the product is EAR99) is going to a retailer in Brazil. License?",
    ],
)
def test_the_country_chart_rule_needs_one_eccn_and_one_plain_country(question: str) -> None:
    chart = _p(120, "15 CFR 738.4(a)(2)", CHART_TEXT, "regulation")
    finding = determine(question, [], lookup=_SectionLookup([chart]))
    assert finding is None or "Country Chart" not in finding.rule


@pytest.mark.parametrize(
    ("question", "whether"),
    [
        # the terms of a licence the company holds, not whether one is needed
        (
            "We got a BIS licence last month for 3 machines. The price has gone up 7%; can we "
            "still ship under the same licence or do we need a replacement licence?",
            False,
        ),
        ("We received a licence for 10 units; can we ship 11 under that licence?", False),
        (
            "Our customer, named as ultimate consignee on our BIS licence, has moved. Can we edit "
            "the PDF of the licence to show the new address?",
            False,
        ),
        # one being applied for: what to do while it is pending, not whether one is needed
        (
            "Our licence application for two 2B001 grinders for Thailand is pending in SNAP-R. "
            "The end user may change. Do we have to tell BIS now, or can we wait?",
            False,
        ),
        # a licence for another transaction is still asked for
        (
            "We got a BIS licence last year for Germany. Do we need a licence to ship the same "
            "3A001 parts to India?",
            True,
        ),
        # a boycott request: part 760 allows or prohibits the act, no licence is asked for
        (
            "A customer in Kuwait asked us to certify we don't do business with Israel (boycott "
            "clause). Can we agree?",
            False,
        ),
        (
            "Our boycott compliance team asks: do we need an export licence to ship 5A992 "
            "phones to Saudi Arabia?",
            True,
        ),
    ],
)
def test_a_held_licence_or_a_boycott_request_is_not_asked_whether_a_licence_is_needed(
    question: str, whether: bool
) -> None:
    from assistant.answering.determination.asks import asks_whether

    assert asks_whether(question) is whether


GP10_TEXT = (
    "( 10 ) General Prohibition Ten—Proceeding with transactions with knowledge that a "
    "violation has occurred or is about to occur (Knowledge Violation to Occur). You may not "
    "sell, transfer, export, reexport, finance, order, buy, remove, conceal, store, use, loan, "
    "dispose of, transport, forward, or otherwise service, in whole or in part, any item subject "
    "to the EAR and exported, reexported, or transferred (in-country) or to be exported, "
    "reexported, or transferred (in-country) with knowledge that a violation of the Export "
    "Administration Regulations, the Export Control Reform Act of 2018, or any order, license, "
    "license exception, or other authorization issued thereunder has occurred, is about to "
    "occur, or is intended to occur in connection with the item. There are no license "
    "exceptions to this General Prohibition Ten in part 740 of the EAR."
)
VSD_TEXT = (
    "(i) Any person who has made a voluntary self-disclosure knows that a violation may have "
    "occurred. Therefore, at the time that a voluntary self-disclosure is made, the person "
    "making the disclosure may request permission from BIS to engage in the activities "
    "described in § 764.2(e) that would otherwise be prohibited. (iii) Actions to return to the "
    "United States an item that has been unlawfully exported and disclosed under this section "
    "only require notification to the Director of OEE."
)
FORWARDER = (
    "We're a freight forwarder. A client's pallet of 3A001 parts is in our warehouse. We've now "
    "learned the client shipped earlier lots to a Russian end user without the required "
    "licence, and they want us to forward this pallet to Kyrgyzstan. Are we exposed if we move "
    "it?"
)


def _gp10_lookup() -> Any:
    chunks = [
        _p(60, "15 CFR 736.2(b)(10)", GP10_TEXT, "regulation"),
        _p(61, "15 CFR 764.5(g)(1)", VSD_TEXT, "regulation"),
    ]
    return lambda _query: chunks


def test_knowing_of_a_violation_prohibits_servicing_the_item_and_no_exception_helps() -> None:
    finding = determine(FORWARDER, [], lookup=_gp10_lookup())
    assert finding is not None and "736.2(b)(10)" in finding.rule and finding.outcome == "yes"
    assert finding.lines[0].text.startswith("the transaction is prohibited")
    assert [line.label for line in finding.lines] == [
        "Licence required",
        "Licence exceptions",
        "Permission",
    ]
    none = finding.lines[1].basis[0]
    assert GP10_TEXT[none.start : none.end].startswith("There are no license exceptions")
    permission = finding.lines[2].basis[0]
    assert "request permission from BIS" in VSD_TEXT[permission.start : permission.end]


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        (
            "We shipped three lots to China without the licence that was required. We filed a "
            "voluntary self-disclosure. Can we have the last lot shipped back to us?",
            [],
        ),
        (
            "We exported a lot to China without the licence that was required. Can we bring it "
            "back to the US?",
            ["whether the violation has been disclosed to BIS under 15 CFR 764.5"],
        ),
    ],
)
def test_bringing_an_unlawfully_exported_item_home_needs_a_notice(
    question: str, missing: list[str]
) -> None:
    finding = determine(question, [], lookup=_gp10_lookup())
    assert finding is not None and "736.2(b)(10)" in finding.rule
    assert finding.outcome == "depends" and finding.missing_facts == missing
    assert "needs only notification to the Director of OEE" in finding.lines[0].text
    home = finding.lines[0].basis[0]
    assert VSD_TEXT[home.start : home.end].startswith("(iii) Actions to return")


@pytest.mark.parametrize(
    "question",
    [
        # asking whether one may, not saying a violation happened
        "Can we ship 3A001 parts to Kyrgyzstan without a licence?",
        "We never shipped anything without the required licence. Can we forward this pallet?",
        "What if the customer diverted earlier lots to Russia? Would we be liable?",
        "We don't know of any shipment made without the required licence. Can we ship?",
        # someone else's violation, not one in connection with this item
        "Our competitor shipped routers to Iran without the required licence last year. Can we "
        "sell the same routers to a distributor in Dubai?",
        # knowing of it, but asking only how to disclose
        "We shipped parts without the required licence. How do we file a voluntary "
        "self-disclosure?",
    ],
)
def test_no_violation_stated_or_nothing_to_do_with_the_item_is_not_general_prohibition_ten(
    question: str,
) -> None:
    finding = determine(question, [], lookup=_gp10_lookup())
    assert finding is None or "736.2(b)(10)" not in finding.rule


SOURCE_CODE_742_15 = (
    "( 1 ) Scope and eligibility. Subject to the notification requirements of paragraph (b)(2) "
    "of this section, publicly available encryption source code classified under ECCN 5D002 is "
    "not subject to the EAR. ( 2 ) Notification requirement for “non-standard cryptography.” "
    "For publicly available encryption source code classified under ECCN 5D002 that provides "
    "or performs “non-standard cryptography” as defined in part 772 of the EAR, you must notify "
    "BIS and the ENC Encryption Request Coordinator via email of the internet location."
)
SUBMISSION_734_7 = (
    "( 5 ) Submission of a written composition, manuscript, presentation, or some other "
    "representation of knowledge with the intention that such information will be made publicly "
    "available if accepted for publication or presentation: (i) To domestic or foreign "
    "co-authors, editors, or reviewers of journals, magazines, newspapers or trade publications;"
)


def _publication_passages() -> list[SearchResult]:
    return [
        _p(150, "15 CFR 742.15(b)", SOURCE_CODE_742_15, "regulation"),
        _p(151, "15 CFR 734.7(a)(5)", SUBMISSION_734_7, "regulation"),
    ]


@pytest.mark.parametrize(
    ("question", "rule", "lead"),
    [
        (
            "We want to publish our encryption library (standard AES and TLS only, nothing "
            "proprietary) on a public GitHub repo. Do we need a licence or to notify anybody?",
            "742.15(b)",
            "no licence and no notice",
        ),
        (
            "Can we publish our crypto source code on GitHub?",
            "742.15(b)",
            "depends on the cryptography",
        ),
        (
            "We want to post the source code of our proprietary (non-standard) cipher on our "
            "public website for anyone to download. Do we need anything from BIS?",
            "742.15(b)",
            "no licence once the source code is publicly available, but a notice",
        ),
        (
            "Our engineer wants to email a draft paper on our cooling technique to co-authors in "
            "India and then submit it to a journal. Does that need a licence?",
            "734.7(a)(5)",
            "no licence for the submission",
        ),
        # asked whether the EAR still reaches it, not whether a licence is needed
        (
            "We're open-sourcing our crypto library on GitHub (standard algorithms, would be "
            "5D002). Is the source still subject to the EAR? Do we have to notify anyone? And "
            "what about the compiled binaries we post?",
            "742.15(b)",
            "no licence and no notice",
        ),
    ],
)
def test_making_technology_public_is_answered_by_the_provision_that_takes_it_out(
    question: str, rule: str, lead: str
) -> None:
    finding = determine(question, _publication_passages())
    assert finding is not None and rule in finding.rule and finding.outcome == "depends"
    assert finding.lines[0].text.startswith(lead)
    assert all(b.passage.citation.startswith("15 CFR 7") for b in finding.lines[0].basis)


@pytest.mark.parametrize(
    "question",
    [
        # a commodity is never published
        "Can we ship 5A002 routers with our published crypto library to India?",
        # kept confidential: not a submission for publication
        "Can we email a confidential draft paper to co-authors in India under an NDA?",
        # firearm files stay subject (734.7(c))
        "Can we send a draft paper with 0A501 firearm G-code to journal co-authors abroad?",
    ],
)
def test_no_publication_rule_for_commodities_confidential_drafts_or_firearm_files(
    question: str,
) -> None:
    finding = determine(question, _publication_passages())
    assert finding is None or not any(r in finding.rule for r in ("742.15(b)", "734.7(a)(5)"))


SDN_744_8 = (
    "( C ) [RUSSIA-EO14024]; ( B ) [SDGT]. ( C ) [SDNTK]; or ( D ) [TCO]. ( b ) License "
    "requirements. Unless the export, reexport, or transfer (in-country) is authorized under an "
    "OFAC specific or general license or exempted under OFAC's regulations, a license is "
    "required under the EAR for the export, reexport, or transfer (in-country) of any item "
    "“subject to the EAR” when a person who is designated on OFAC's SDN List with, or blocked "
    "pursuant to, any of the identifiers set forth in paragraph (a)(1) of this section is a "
    "party to the transaction. ( c ) License exceptions. No license exceptions may overcome the "
    "license requirements in this section."
)


@pytest.mark.parametrize(
    ("question", "outcome"),
    [
        (
            "Our Italian dealer ordered EAR99 marine audio systems for a yacht whose owner is a "
            "Russian individual on OFAC's SDN list tagged [RUSSIA-EO14024]. Do we need a licence?",
            "yes",
        ),
        (
            "Our Singapore subsidiary wants to sell US-origin EAR99 auto parts to a Mexican "
            "company on the SDN list with the SDNTK tag. The sub says OFAC doesn't reach them, "
            "so it's fine?",
            "yes",
        ),
        # an identifier 744.8(a)(1) does not list, or none: the identifier decides
        ("A buyer in Turkey is on the SDN list. Can we ship EAR99 valves?", "depends"),
        ("Can we ship EAR99 valves to our buyer, on the SDN list under [CYBER2]?", "depends"),
    ],
)
def test_an_sdn_party_with_a_listed_identifier_needs_an_ear_licence(
    question: str, outcome: str
) -> None:
    """744.8(b): an EAR licence for any item subject to the EAR when a party is on OFAC's SDN
    List with an identifier 744.8(a)(1) lists (read from the section), unless OFAC authorizes
    it; the stay of 90 FR 50857 turns "yes" into "depends" on a day it holds."""
    chunk = _p(160, "15 CFR 744.8(b)", SDN_744_8, "regulation")
    finding = determine(question, [chunk])
    assert finding is not None and "744.8" in finding.rule and finding.outcome == outcome
    assert finding.lines[0].basis[0].passage is chunk
    assert "EAR99 included" in finding.lines[0].text
    assert (finding.if_stayed is not None) is (outcome == "yes")


def test_an_sdn_party_the_question_denies_is_no_sdn_rule() -> None:
    chunk = _p(160, "15 CFR 744.8(b)", SDN_744_8, "regulation")
    finding = determine("Our buyer is not on the SDN list. Can we ship EAR99 valves?", [chunk])
    assert finding is None or "SDN List parties" not in finding.rule


def test_an_sdn_party_ofac_has_licensed_needs_no_744_8_licence_if_the_licence_covers_it() -> None:
    chunk = _p(160, "15 CFR 744.8(b)", SDN_744_8, "regulation")
    finding = determine(
        "OFAC has given us a specific licence for a deal with a Russian SDN tagged "
        "[RUSSIA-EO14024]. Do we also need a BIS licence under the EAR?",
        [chunk],
    )
    assert finding is not None and "744.8" in finding.rule and finding.outcome == "depends"
    assert finding.lines[0].text.startswith("depends on whether OFAC's licence covers")
    assert finding.missing_facts == ["whether OFAC's licence covers this export"]


@pytest.mark.parametrize(
    ("question", "outcome"),
    [
        # in words, in a country 744.6(b)(5) names
        (
            "Can a US citizen help a military intelligence unit in Caracas, Venezuela if no US "
            "items are exported?",
            "yes",
        ),
        # "zero US content" says no item is exported; "the EAR doesn't apply to me, right?"
        (
            "I'm a US citizen engineer. A Spanish integrator wants me to help install a "
            "direction-finding system (zero US content) for a military intelligence agency of "
            "Venezuela. The EAR doesn't apply to me, right?",
            "yes",
        ),
        # a military-intelligence end user outside the countries it names: where decides
        (
            "Can a US citizen help a military intelligence unit in Brazil if no US items are "
            "exported?",
            "depends",
        ),
    ],
)
def test_a_us_person_supporting_military_intelligence_where_744_6_b_5_reaches_needs_a_licence(
    question: str, outcome: str
) -> None:
    support = _p(96, "15 CFR 744.6(b)", US_PERSON_TEXT, "regulation")
    finding = determine(question, [], lookup=_SectionLookup([support]))
    assert finding is not None and "744.6" in finding.rule and finding.outcome == outcome
    assert finding.lines[0].basis[0].passage is support


EEI_758_1 = (
    "( 10 ) For all exports of items on the Commerce Control List to the People's Republic of "
    "China, Russia, or Venezuela, regardless of value, unless the export may be made under the "
    "exemption listed under paragraph (c)(4) of this section."
)


@pytest.mark.parametrize(
    ("question", "line"),
    [
        (
            "Shipping one 5A992.c router, $1,800, to a customer in Shenzhen. Do we need to file "
            "EEI in AES even though it's under $2,500? Do we need a licence?",
            True,
        ),
        # EAR99, or a destination (b)(10) does not name: no such line
        ("Shipping EAR99 cables, $1,800, to Shenzhen. Do we need EEI or a licence?", False),
        ("Shipping a 5A992.c router, $1,800, to Brazil. Do we need EEI or a licence?", False),
    ],
)
def test_eei_for_a_ccl_item_to_china_russia_or_venezuela_whatever_the_value(
    question: str, line: bool
) -> None:
    eei = _p(180, "15 CFR 758.1(b)", EEI_758_1, "regulation")
    finding = determine(
        question, [eei, _p(50, "15 CFR 742.15(a)(1)", MASS_MARKET_TEXT, "regulation")]
    )
    assert finding is not None
    found = [x for x in finding.lines if x.label == "EEI filing"]
    assert bool(found) is line
    if found:
        assert found[0].basis[0].passage is eei


def test_a_question_naming_an_exception_without_asking_need_or_can_gets_its_restriction() -> None:
    """ "Each order is under $5k, so we can ship every one under LVS, right?" asks about LVS
    though it says neither "need" nor "can we": the exception's restriction that shares the
    case's facts leads."""
    lvs = _p(
        190,
        "15 CFR 740.3(d)",
        "( 1 ) License Exception LVS authorizes the export of commodities in a single shipment "
        "whose net value does not exceed the amount in the LVS paragraph of the ECCN. ( 2 ) The "
        "total value of exports per calendar year to the same ultimate or intermediate "
        "consignee of commodities classified under a single ECCN may not exceed 12 times the LVS "
        "value limit for that ECCN. ( 3 ) Orders may not be split to meet the applicable LVS "
        "dollar limits. ( 4 ) The value of a shipment is the net price of the commodities. ( 5 ) "
        "This exception does not authorize exports to Country Group E:1. ( 6 ) Commodities "
        "for unspecified end users are not eligible. ( 7 ) Software and technology are not "
        "eligible for this exception.",
        "regulation",
    )
    question = (
        "A 3A002.a digital recorder (NS2/AT1; the entry shows LVS $5,000). Our Brazilian "
        "distributor (the ultimate consignee) plans ~$4k orders every three weeks, roughly $70k "
        "in the calendar year. Each is under $5k, so we can ship every one under LVS, right?"
    )
    finding = determine(question, [lvs], lookup=_SectionLookup([lvs]))
    assert finding is not None and finding.lines[0].basis[0].passage is lvs
    assert (
        "12 times the LVS value limit"
        in lvs.text[finding.lines[0].basis[0].start : finding.lines[0].basis[0].end]
    )


@pytest.mark.parametrize(
    ("question", "rule"),
    [
        # mailing is sending
        (
            "my nephew lives in tehran. can i just mail him my old ipad? isnt there some kind of "
            "gift exemption",
            "746.7",
        ),
        # a premise to check: "they say we can keep supplying them. Is that correct?"
        (
            "A Kazakh trading company that buys EAR99 pump parts from us was added to the SDN "
            "list with the [RUSSIA-EO14024] tag. Our lawyers say we can keep supplying them. Is "
            "that correct?",
            "744.8",
        ),
    ],
)
def test_plain_ways_of_asking_whether_something_may_be_done(question: str, rule: str) -> None:
    iran = _p(
        200,
        "15 CFR 746.7(a)",
        "( a ) License requirements. A license is required to export or reexport to Iran any "
        "item on the CCL. You may not export without a license.",
        "regulation",
    )
    sdn = _p(160, "15 CFR 744.8(b)", SDN_744_8, "regulation")
    finding = determine(question, [iran, sdn], lookup=_SectionLookup([iran, sdn]))
    assert finding is not None and rule in finding.rule, finding


def test_a_question_about_eei_alone_gets_no_licence_determination() -> None:
    """Asked only whether EEI may be skipped, the answer is not a licence determination (its
    outcome reads "Licence required" on the web page and in Slack): no finding at all."""
    eei = _p(180, "15 CFR 758.1(b)", EEI_758_1, "regulation")
    chart = _p(50, "15 CFR 742.15(a)(1)", MASS_MARKET_TEXT, "regulation")
    question = (
        "Our forwarder says we can skip the AES/EEI filing for a $900 box of 5A992 laptops to "
        "Shanghai because it's under the $2,500 threshold. Is that right?"
    )
    assert determine(question, [eei, chart]) is None


SUPERCOMPUTER_TEXT = (
    "( a ) General prohibition. In addition to the license requirements for items specified on "
    "the CCL, you may not export, reexport, or transfer (in-country) without a license any item "
    "subject to the EAR described in paragraphs (a)(1) through (4) of this section. ( 1 ) "
    "“Supercomputers” — ( i ) Item scope. ( A ) An integrated circuit (IC) subject to the EAR "
    "and specified in ECCN 3A001, 3A991, 4A994, 5A002, 5A004, or 5A992; or ( B ) A computer, "
    "“electronic assembly,” or “component” subject to the EAR and specified in ECCN 4A003, "
    "4A004, 4A994, 5A002, 5A004, or 5A992."
)


@pytest.mark.parametrize(
    ("question", "outcome", "says"),
    [
        # the section's own words for rocket systems and UAVs; D:4 and the range decide
        (
            "An Egyptian institute wants our EAR99 accelerometers for a sounding rocket program; "
            "they cannot tell us the range. Can we ship?",
            "depends",
            "Country Group D:4",
        ),
        (
            "A firm in the UAE wants servo motors for target drones. Do we need a licence?",
            "depends",
            "(a)(3)",
        ),
        # a range nobody can tell: (a)(3) is the paragraph, D:4 the only fact left
        (
            "A firm in Lahore wants EAR99 transducers for a sounding rocket test stand; they don't "
            "know the range of the rockets. Can we ship?",
            "depends",
            "you cannot determine the range",
        ),
        # delivering chemical, biological or nuclear weapons: anywhere (a)(2)
        (
            "A buyer in Brazil wants our EAR99 valves for rockets that will deliver chemical "
            "weapons. Can we ship?",
            "yes",
            "anywhere in the world",
        ),
    ],
)
def test_rocket_and_drone_end_uses_turn_on_country_group_d4_unless_they_deliver_wmd(
    question: str, outcome: str, says: str
) -> None:
    finding = determine(question, [], lookup=_all_rules_lookup())
    assert finding is not None and "744.3" in finding.rule and finding.outcome == outcome
    assert says in finding.lines[0].text
    if outcome == "depends":
        assert any("Country Group D:4" in fact for fact in finding.missing_facts)


@pytest.mark.parametrize(
    ("question", "fires"),
    [
        (
            "A Turkish buyer will use our EAR99 glass reactors to make nerve agents. Ok to ship?",
            True,
        ),
        ("Their slides mention filling of chemical munitions. Can we sell them EAR99 pumps?", True),
        ("Our distributor's customer works on bioweapons. Can we ship lab fermenters?", True),
        ("Can we sell nerve agent detectors to a fire brigade in Spain?", False),
        ("Can we ship chemical warfare protective suits to Poland?", False),
    ],
)
def test_chemical_and_biological_weapons_in_other_words_are_744_4(
    question: str, fires: bool
) -> None:
    finding = determine(question, [], lookup=_all_rules_lookup())
    assert (finding is not None and "744.4" in finding.rule) is fires
    if fires:
        assert finding is not None and finding.outcome == "yes"
        assert "in or by any country" in finding.lines[0].text


def test_a_heavy_water_plant_needs_a_licence_safeguarded_or_not() -> None:
    question = (
        "We got an order for EAR99 valves from a heavy water production plant in India that is "
        "under IAEA safeguards. Is there any export issue?"
    )
    finding = determine(question, [], lookup=_all_rules_lookup())
    assert finding is not None and "744.2" in finding.rule and finding.outcome == "depends"
    assert "safeguarded or not (15 CFR 744.2(a)(3))" in finding.lines[0].text


@pytest.mark.parametrize(
    ("question", "outcome"),
    [
        (
            "A university in Shenzhen wants 200 of our 4A994 servers for a new supercomputer. "
            "Is there any export issue?",
            "yes",
        ),
        # a computing centre may or may not be a 'supercomputer'
        (
            "A university in Hefei wants 300 rack servers (4A994) with 5A992 network cards for "
            "a new campus computing centre. Anything special beyond our normal screening?",
            "depends",
        ),
        # an ECCN the item scope does not name
        ("Can we sell 3A090 boards to a supercomputer centre in Wuxi?", "depends"),
    ],
)
def test_items_for_a_supercomputer_in_d5_turn_on_the_eccns_744_23_a_1_names(
    question: str, outcome: str
) -> None:
    chunk = _p(130, "15 CFR 744.23(a)", SUPERCOMPUTER_TEXT, "regulation")
    finding = determine(question, [], lookup=_SectionLookup([chunk]))
    assert finding is not None and "744.23" in finding.rule and finding.outcome == outcome
    text = finding.lines[0].text
    # the item scope is read from the section's own sentence
    assert "(3A001, 3A991, 4A003, 4A004, 4A994, 5A002, 5A004, 5A992)" in text
    assert "15 CFR 744.23(a)(1)" in text


@pytest.mark.parametrize(
    ("question", "outcome"),
    [
        (
            "We license ECAD tools. A new prospect is a chip-design startup in Shanghai. Can we "
            "sell to them?",
            "depends",
        ),
        (
            "Can we license our TCAD software to a Beijing design house for advanced-node chips "
            "made in China?",
            "yes",
        ),
    ],
)
def test_chip_design_software_turns_on_where_an_advanced_node_chip_is_made(
    question: str, outcome: str
) -> None:
    chunk = _p(131, "15 CFR 744.23(a)", SUPERCOMPUTER_TEXT, "regulation")
    finding = determine(question, [], lookup=_SectionLookup([chunk]))
    assert finding is not None and "744.23" in finding.rule and finding.outcome == outcome
    assert "(15 CFR 744.23(a)(2)(iii))" in finding.lines[0].text


GP9_TEXT = (
    "( 9 ) General Prohibition Nine—Violation of any order, terms, and conditions (Orders, "
    "Terms, and Conditions). You may not violate terms or conditions of a license or of a "
    "License Exception issued under or made a part of the EAR, and you may not violate any "
    "order issued under or made a part of the EAR. There are no License Exceptions to this "
    "General Prohibition Nine in part 740 of the EAR."
)


@pytest.mark.parametrize(
    ("question", "fires"),
    [
        (
            "Our BIS license for a measuring machine to a customer in Bangkok has a condition: no "
            "reexport without prior BIS authorization. The customer wants to move it to Hanoi. "
            "It's their machine, so they can just move it, can't they?",
            True,
        ),
        (
            "We hold a BIS licence for 3A001 parts to Israel limited to medical imaging. The "
            "customer wants to use some for a radar project. Is that allowed?",
            True,
        ),
        # no licence held, or none of its terms stated
        ("What conditions do BIS licences usually carry? Can we negotiate them?", False),
        (
            "We have a licence for 3A001 parts to Israel. Can we ship the same parts to India?",
            False,
        ),
    ],
)
def test_acting_against_a_licences_conditions_is_general_prohibition_nine(
    question: str, fires: bool
) -> None:
    chunk = _p(132, "15 CFR 736.2(b)(9)", GP9_TEXT, "regulation")
    finding = determine(question, [chunk], lookup=lambda _query: [chunk])
    assert (finding is not None and "736.2(b)(9)" in finding.rule) is fires
    if fires:
        assert finding is not None and finding.outcome == "yes"
        assert [line.label for line in finding.lines] == ["Licence required", "Licence exceptions"]
        none = finding.lines[1].basis[0]
        assert GP9_TEXT[none.start : none.end].startswith("There are no License Exceptions")


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("We got an order for EAR99 valves from India. Is there any export issue?", True),
        ("A data centre in Beijing wants our network cards. Any issues?", True),
        ("Any problem shipping EAR99 pumps to Jordan?", True),
        ("The order is for EAR99 pumps to Jordan. Are we good to ship?", True),
        ("Is there anything special about selling servers to a university in Hefei?", True),
        ("What problems does the Unverified List cause for exporters?", False),
        ("Is there an issue with the EEI filing for this shipment?", False),
        ("Our Shenzhen buyer supplies the PLA Air Force. Any licence issue for the sale?", True),
        # a request to the assistant asks for an answer, not whether a licence is needed
        ("For our training slide on penalties: can you give us the numbers from the EAR?", False),
        ("Can you explain what de minimis means for our Mexican plant?", False),
        ("Can you ship EAR99 pumps to Jordan without a licence?", True),
    ],
)
def test_plain_ways_of_asking_whether_a_deal_is_allowed(question: str, asks: bool) -> None:
    assert asks_whether(question) is asks


CUBA_DEEMED = (
    "( a ) License requirements. A license is required to export or reexport to Cuba all items "
    "subject to the EAR. ( 2 ) Deemed exports and deemed reexports. A license is not required to "
    "release technology or source code subject to the EAR but not on the Commerce Control List "
    "( i.e., EAR99 technology or source code) to a Cuban national in the United States or a "
    "third country."
)
RUSSIA_DEEMED = (
    "( a ) License requirements. A license is required to export any item subject to the EAR to "
    "Russia. ( i ) Deemed exports and deemed reexports. The license requirements in paragraph "
    "(a) do not apply to deemed exports or reexports. However, the exclusion for deemed exports "
    "and deemed reexports is limited to the license requirements specified only in this section "
    "of the EAR."
)
SYRIA_DEEMED = (
    "( a ) License requirements. A license is required for the export or reexport to Syria of "
    "all items subject to the EAR, except food and medicine classified as EAR99. A license is "
    "required for the deemed export and deemed reexport of any technology or source code on the "
    "Commerce Control List (CCL) to a Syrian foreign national. Deemed exports and deemed "
    "reexports to Syrian foreign nationals involving technology or source code subject to the "
    "EAR but not listed on the CCL do not require a license."
)


@pytest.mark.parametrize(
    ("question", "section", "text", "outcome", "says"),
    [
        (
            "We want to hire a Cuban national who lives in Miami to work on our EAR99 source "
            "code. Do we need a licence?",
            "746.2",
            CUBA_DEEMED,
            "depends",
            "not under 15 CFR 746.2",
        ),
        # 746.2's exclusion is for EAR99 only: CCL technology is Cuba's general requirement
        (
            "A Cuban engineer on a work visa in our lab would see 3E001 technology. Do we need a "
            "licence?",
            "746.2",
            CUBA_DEEMED,
            "yes",
            "excludes only technology not on the CCL",
        ),
        # Russia's (a) does not reach deemed exports at all; the CCL-based rules still do
        (
            "We are hiring a Russian citizen on an O-1 visa who would see our 5D002 source code. "
            "Is the hire blocked?",
            "746.8",
            RUSSIA_DEEMED,
            "depends",
            "do not apply to deemed exports, but the CCL-based ones do",
        ),
        (
            "A Syrian PhD student in our Boston lab would see 3E001 technology. Do we need a "
            "licence?",
            "746.9",
            SYRIA_DEEMED,
            "yes",
            "requires a licence to release technology or source code on the CCL",
        ),
        # students enrolled in a course here are here
        (
            "Our adjunct professor wants to teach 3E001 technology in a graduate course with "
            "Syrian students enrolled. Do we need a licence?",
            "746.9",
            SYRIA_DEEMED,
            "yes",
            "requires a licence to release technology or source code on the CCL",
        ),
        (
            "A Syrian student intern in our lab would see our design documents. Do we need a "
            "licence?",
            "746.9",
            SYRIA_DEEMED,
            "depends",
            "depends on the technology's classification",
        ),
    ],
)
def test_technology_released_to_a_national_here_follows_the_sections_deemed_export_rule(
    question: str, section: str, text: str, outcome: str, says: str
) -> None:
    chunk = _p(140, f"15 CFR {section}(a)", text, "regulation")
    finding = determine(question, [], lookup=_SectionLookup([chunk]))
    assert finding is not None and section in finding.rule and finding.outcome == outcome
    assert says in finding.lines[0].text
    # never the "licence for any item going there" an export would get
    assert "going to" not in finding.lines[0].text


@pytest.mark.parametrize(
    "question",
    [
        # sent there, or nobody's nationality: an export, not a deemed one
        "Can we ship EAR99 technology documentation to a customer in Havana?",
        "Our engineer will send the source code to our distributor in Moscow. Licence needed?",
    ],
)
def test_technology_sent_to_the_country_is_an_export_not_a_deemed_one(question: str) -> None:
    chunk = _p(141, "15 CFR 746.2(a)", CUBA_DEEMED, "regulation")
    russia = _p(142, "15 CFR 746.8(a)", RUSSIA_DEEMED, "regulation")
    finding = determine(question, [], lookup=_SectionLookup([chunk, russia]))
    assert finding is not None and "746" in finding.rule
    assert "deemed" not in finding.lines[0].text


@pytest.mark.parametrize(
    "question",
    [
        # from an attack on the end-use readings: a trade name, a metaphor, countering drones,
        # detecting, protecting against, destroying or writing about weapons; heavy water as a
        # solvent, ore enrichment; a turbofan's HPC, a cluster in Austin; board layout software
        "Our 'pocket rocket' ultralight camping stoves are EAR99. Can we ship 200 of them to "
        "a retailer in Chile?",
        "Our new gaming laptop is a rocket. Can we sell it to gamers in Mexico without a licence?",
        "We make counter-UAV radars that jam hostile drones near airports. A civil airport "
        "operator in Saudi Arabia wants two. Is there any export issue?",
        "Our charcoal-lined suits protect soldiers against chemical warfare agents. A "
        "distributor in Kenya wants 500. Do we need a licence?",
        "A contractor in Libya will use our EAR99 incinerator to destroy old chemical munitions. "
        "Do we need a licence?",
        "We publish a history book on biological warfare. Can we sell it to bookstores in Egypt?",
        "We sell heavy water (D2O) as an NMR solvent to a university lab in Brazil. Do we need a "
        "licence?",
        "Our EAR99 slurry pumps go to an iron-ore enrichment plant in Kazakhstan. Licence needed?",
        "We make HPC blades for turbofan engines and COMAC in Shanghai wants a quote. Is there "
        "any export issue?",
        "Our HPC cluster in Austin sells compute time to universities in China. Do we need a "
        "licence?",
        "A contract manufacturer in Shenzhen wants our ECAD tool for printed circuit board "
        "layout only. Do we need a licence?",
        "The customer is in Munich, not China. They want to license our chip design software. "
        "Any problems?",
    ],
)
def test_words_that_only_look_like_the_new_end_uses_fire_no_end_use_rule(question: str) -> None:
    chunks = [_p(150, "15 CFR 744.23(a)", SUPERCOMPUTER_TEXT, "regulation")]
    lookup = _all_rules_lookup()
    lookup.chunks += chunks
    finding = determine(question, [], lookup=lookup)
    assert finding is None or "End-use" not in finding.rule, finding.rule


def test_research_payloads_and_a_temperature_range_are_not_weapons_or_an_unknown_range() -> None:
    for question in (
        "Our client's sounding rockets carry biological payloads for experiments on yeast. A "
        "university in Brazil wants our EAR99 flight computers. Do we need a licence?",
        "A space agency in India wants transmitters for sounding rockets, which carry weather "
        "payloads, not nuclear or chemical warheads. Do we need a licence?",
    ):
        finding = determine(question, [], lookup=_all_rules_lookup())
        assert finding is not None and "744.3" in finding.rule and finding.outcome == "depends"
        assert "Country Group D:4" in finding.lines[0].text
    gimbals = (
        "A research institute in Pakistan flies reconnaissance drones for crop surveys and "
        "wants our EAR99 gimbals; they can't tell us the operating temperature range yet. Can we "
        "ship?"
    )
    finding = determine(gimbals, [], lookup=_all_rules_lookup())
    assert finding is not None and "you cannot determine the range" not in finding.lines[0].text


@pytest.mark.parametrize(
    "question",
    [
        # a commercial licence, someone else's licence, an act already done
        "Our licence agreement with the CAD vendor says no transfer of seats to affiliates. Can "
        "we transfer two seats to our subsidiary in Mexico?",
        "We hold a BIS licence with no end-use limit; our competitor's licence has a condition "
        "restricting use to civil end users. Can we sell to a defence contractor in Japan?",
        "Last year we transferred two units to a sister company despite our licence's "
        "no-transfer condition. Is there any issue now?",
    ],
)
def test_no_licence_of_ours_or_nothing_yet_to_do_is_not_general_prohibition_nine(
    question: str,
) -> None:
    chunk = _p(132, "15 CFR 736.2(b)(9)", GP9_TEXT, "regulation")
    finding = determine(question, [chunk], lookup=lambda _query: [chunk])
    assert finding is None or "736.2(b)(9)" not in finding.rule


@pytest.mark.parametrize(
    "question",
    [
        # U.S. persons, a person over there, nothing released: no deemed export and no
        # "licence for items going to" the country either
        "Our new hire is a Russian citizen with a green card. He will work with our 3E001 "
        "source code in our Boston office. Is there any export issue?",
        "We're hiring an Iranian American engineer, a U.S. citizen, to work on our 3E001 "
        "technology. Is the hire blocked?",
        "We employ a Cuban national in our Miami warehouse as a forklift driver; he has no "
        "access to any technology. Is there any export issue?",
    ],
)
def test_a_nationality_that_is_no_destination_gets_no_embargo_line(question: str) -> None:
    chunks = [
        _p(160, "15 CFR 746.2(a)", CUBA_DEEMED, "regulation"),
        _p(161, "15 CFR 746.8(a)", RUSSIA_DEEMED, "regulation"),
        _p(162, "15 CFR 746.7(a)", "( a ) License requirements. A license is required for Iran.",
           "regulation"),
    ]  # fmt: skip
    finding = determine(question, [], lookup=_SectionLookup(chunks))
    assert finding is None or "746" not in finding.rule, finding.rule


def test_a_person_there_gets_the_export_not_the_deemed_export_rule() -> None:
    chunk = _p(163, "15 CFR 746.8(a)", RUSSIA_DEEMED, "regulation")
    question = (
        "We want to hire a Russian engineer who will work remotely from Moscow on our 3E001 "
        "technology. Do we need a licence?"
    )
    finding = determine(question, [], lookup=_SectionLookup([chunk]))
    assert finding is not None and "746.8" in finding.rule
    assert "deemed" not in finding.lines[0].text


def test_a_denial_order_that_expired_or_was_terminated_prohibits_nothing_now() -> None:
    chunk = _p(164, "15 CFR 736.2(b)(4)", GP4_TEXT, "regulation")
    for question in (
        "In 2012 BIS issued an order denying his export privileges for five years; it expired "
        "in 2017. Can we hire him as a sales consultant?",
        "The owner was subject to an order denying his export privileges, but BIS terminated it "
        "in 2022. Can we ship to them?",
    ):
        finding = determine(question, [chunk], lookup=lambda _query: [chunk])
        assert finding is not None and "Denial orders" in finding.rule
        assert finding.outcome == "depends"


def test_a_long_message_the_general_rule_decides_nothing_of_is_led_by_its_best_sentence() -> None:
    """A practitioner's case of many facts gets the general rule's "depends on the end use"
    after the sentence that speaks to it; a one-line licence question keeps the general rule
    first, and so does a long one without its item or destination."""
    facts = _p(81, "15 CFR 736.2(a)", FIVE_FACTS_TEXT, "regulation", sim=0.5)
    gov = _p(
        82,
        "15 CFR 740.11(e)(2)",
        "For purposes of this paragraph (e), 'short notice' means the exporter is required to "
        "have a commodity manifested at the launch site no more than forty-five days from the "
        "time the exporter receives the complete technical description.",
        "regulation",
        sim=0.7,
    )

    def answer(question: str) -> Any:
        return compose_extractive(
            question, [gov, facts], min_relevance=0.3, min_relevance_unknown_name=0.3
        )

    long = (
        "We want to ship a flight-spare assembly classified 9A004 to NASA's cargo integrator "
        "for a resupply flight to the space station launching from Kazakhstan. We got the "
        "technical description on March 3 and the launch is April 11, so we have 39 days to get "
        "it manifested at the launch site. Do we need a licence, and does short notice matter?"
    )
    led = answer(long)
    assert led.lead.startswith("15 CFR 740.11(e)(2): **For purposes of this paragraph (e)")
    lines = led.answer.splitlines()
    assert lines[1].startswith("**Licence required: depends on") and "[2]" in lines[1]
    assert led.determination is not None and led.determination.outcome == "depends"
    short = answer("Do we need a licence to ship 9A004 assemblies to Kazakhstan?")
    assert short.lead.startswith("**Licence required: depends on")
    vague = answer(
        long.replace("classified 9A004", "").replace("launching from Kazakhstan", "soon")
    )
    assert vague.lead.startswith("**Licence required: depends on")


def test_a_case_of_many_facts_is_not_answered_from_the_news() -> None:
    """A news article is context for what happened, not what the rules require of a case: a
    long message gets no news lines; a short question, or one asking about the news, may."""
    rpl = _p(
        83,
        "15 CFR 740.10(a)(3)",
        "(iii) The parts, components, accessories, or attachments to be replaced must either be "
        "destroyed abroad or returned promptly to the person who supplied the replacements.",
        "regulation",
        sim=0.55,
    )
    news = replace(NEWS, similarity=0.7, score=0.7)
    long = (
        "Our customer in Mexico runs a machine we lawfully exported in 2021 under a licence, and "
        "they buy mass-market software from us too, like Microsoft sells to Huawei. One controller "
        "board failed and they also want ten spare boards to keep on the shelf just in case. "
        "Can we send all of that under RPL, and what happens to the failed board?"
    )

    def sources(question: str) -> set[str]:
        answer = compose_extractive(
            question, [news, rpl], min_relevance=0.3, min_relevance_unknown_name=0.3
        )
        return {c.citation for c in answer.citations}

    assert sources(long) == {"15 CFR 740.10(a)(3)"}
    assert "CPI Financial, 24 November 2019" in sources(
        long.replace("Can we send", "The news article says Microsoft got one. Can we send")
    )
    assert "CPI Financial, 24 November 2019" in sources("Did Microsoft get a licence for Huawei?")


@pytest.mark.parametrize(
    ("question", "says", "not_says"),
    [
        ("We want beta testers in Brazil, India, Iran and Cuba. Do we need a licence?",
         "Brazil and India: not by this section", "Korea"),
        # a word of the embargoed name, a place passed through, an origin: not destinations
        ("Do we need a licence for pumps going to North Korea?", "North Korea.", "Korea:"),
        ("Can we ship EAR99 goods to Syria via Turkey?", "Syria.", "Turkey"),
        ("Our pumps are made in Malaysia. Can we ship them to Cuba?", "Cuba.", "Malaysia"),
        # from an attack: a list of transit countries, our own site, an American town
        ("Can we send 5A992 routers to Syria, routing the cargo through Turkey and Jordan?",
         "Syria.", "Jordan"),
        ("Our subsidiary in Brazil wants to sell EAR99 software to a hotel in Havana, Cuba. "
         "Is a licence needed?", "Cuba.", "Brazil"),
        ("Our distributor in Moscow, Idaho wants to resell our EAR99 pumps to a buyer in "
         "Syria. Do we need a licence?", "Syria.", "Russia"),
        ("Can we ship EAR99 pumps to Cuba and to a dealer in Paris, Texas?", "Cuba.", "France"),
    ],
)  # fmt: skip
def test_an_embargo_line_says_it_is_not_the_answer_for_the_messages_other_destinations(
    question: str, says: str, not_says: str
) -> None:
    finding = determine(question, [], lookup=_all_rules_lookup_with_cuba())
    assert finding is not None and "Embargoes" in finding.rule
    assert says in finding.lines[0].text + "." and not_says not in finding.lines[0].text


def _all_rules_lookup_with_cuba() -> _SectionLookup:
    lookup = _all_rules_lookup()
    for n, sec in enumerate(["746.2", "746.4"]):
        text = f"( a ) License requirements. A license is required for all items ({sec})."
        lookup.chunks.append(_p(120 + n, f"15 CFR {sec}(a)", text, "regulation"))
    return lookup


def test_another_rules_entity_list_additions_are_not_quoted_for_a_listed_party() -> None:
    """Asked about a party a retrieved rule lists, the answer quotes that rule, not another
    rule's additions of other parties (whose review policy and savings clause would read as
    this party's)."""
    other = _p(
        84,
        "FR Doc. 2025-17893",
        "The ERC determined to add HAS General Trading LLC, under the destination of the UAE, to "
        "the Entity List. The license review policy is a presumption of denial.",
        "federal_register",
        sim=0.69,
    )

    def sources(question: str) -> set[str]:
        answer = compose_extractive(
            question, [FR, other, EL], min_relevance=0.3, min_relevance_unknown_name=0.3
        )
        return {c.citation for c in answer.citations}

    assert "FR Doc. 2025-17893" not in sources("Can we sell routers to Huawei in China?")
    assert "84 FR 22961" in sources("Can we sell routers to Huawei in China?")
    # no listed party named: the other rule may answer
    assert "FR Doc. 2025-17893" in sources("What license review policy applies to new entries?")


@pytest.mark.parametrize(
    ("question", "lost"),
    [
        ("Our new hire says the September 2024 rule took GBS away. What can we use now?", {"GBS"}),
        ("The rule took away GBS for these tools; which exceptions are open?", {"GBS"}),
        ("GBS was removed for our etch tools. What else is there?", {"GBS"}),
        ("We can no longer use STA for this item, so what now?", {"STA"}),
        ("STA is no longer available to us; can we use ENC?", {"STA"}),
        # using, taking along or asking about one is not losing it
        ("We take TMP kits to the show. Can we use TMP?", set()),
        ("Can we use STA instead of ENC?", set()),
    ],
)
def test_an_exception_the_question_says_was_lost(question: str, lost: set[str]) -> None:
    from assistant.answering.exception_limits import lost_exceptions

    assert lost_exceptions(question) == lost


def test_no_pointer_to_an_exception_the_question_says_the_case_has_lost() -> None:
    """Grade38 Q27: "the semiconductor rule took GBS away. What can we use now?" was answered
    "see GBS ... if its conditions are met"."""
    from assistant.answering.determination.exceptions import licence_exception_line

    gbs_text = (
        "( a ) Scope. License Exception GBS authorizes exports and reexports to Country Group B "
        "of those items the CCL marks GBS-eligible."
    )
    gbs = _p(170, "15 CFR 740.4(a)", gbs_text, "regulation", title="§ 740.4 Shipments to B (GBS).")
    assert licence_exception_line([gbs], "Can we ship 3B001 tools to Japan?") is not None
    asked = "The new rule took GBS away for our 3B001 tools. What can we use to ship to Japan?"
    assert licence_exception_line([gbs], asked) is None


def test_a_denied_party_in_a_domestic_sale_still_meets_general_prohibition_four() -> None:
    """Grade38 Q34: "It's a purely domestic sale, so his denial order doesn't matter, does
    it?" asks whether the fact changes what the rules require."""
    gp4 = _p(10, "15 CFR 736.2(b)(4)", GP4_TEXT, "regulation")
    question = (
        "A machine-shop owner named in a BIS denial order wants to buy a used EAR99 lathe from "
        "our Ohio plant. It's a purely domestic sale, so his denial order doesn't matter, does it?"
    )
    finding = determine(question, [gp4], lookup=lambda _q: [gp4])
    assert finding is not None and "736.2(b)(4)" in finding.rule and finding.outcome == "yes"


ADDING_RULE = (
    "The ERC determined to add TechCamel Pte. Ltd., under the destination of Singapore, to the "
    "Entity List. TechCamel supplied U.S.-origin aircraft parts to Russia. It is added with a "
    "license review policy of denial.\n\nThe ERC determined to add Agrim Aviation Private "
    "Limited, under the destination of India, to the Entity List. Agrim diverted items to "
    "Russia. License applications will be reviewed under a presumption of denial.\n\n"
    "For the changes being made in this final rule, shipments of items removed from "
    "eligibility for a License Exception or export, reexport, or transfer (in-country) without "
    "a license (NLR) as a result of this regulatory action that were en route aboard a carrier "
    "to a port of export, reexport, or transfer (in-country), on November 1, 2024, may proceed "
    "to that destination under the previous eligibility."
)


def _adding_rule() -> SearchResult:
    return _p(
        180,
        "FR Doc. 2024-25411",
        ADDING_RULE,
        "federal_register",
        date="2024-10-30",
        date_basis="filed",
    )


@pytest.mark.parametrize(
    ("party", "policy"),
    [("TechCamel Pte. Ltd.", "license review policy of denial"), ("Agrim Aviation", "presumption")],
)
def test_a_party_the_corpus_adds_gets_its_rules_date_policy_and_savings_clause(
    party: str, policy: str
) -> None:
    """Grade38 Q3: the review policy quoted was 744.11's footnote-5 text, not the one the
    listing rule gave the party; each of two parties gets its own."""
    question = f"Our screening tool flags {party}, a customer. Can we keep shipping spare parts?"
    finding = determine(question, [_adding_rule()], lookup=lambda _q: [EL])
    assert finding is not None and finding.outcome == "yes"
    lines = {line.label: line for line in finding.lines}
    assert "by FR Doc. 2024-25411 (filed 2024-10-30)" in lines["Listed"].text
    assert policy in lines["Review policy"].text
    assert "November 1, 2024" in lines["Savings clause"].text
    for line in (lines["Review policy"], lines["Savings clause"]):
        basis = line.basis[0]
        quoted = ADDING_RULE[basis.start : basis.end].rstrip(".")
        assert quoted in " ".join(line.text.split())  # the line quotes the sentence it cites


def test_a_question_naming_a_listed_party_as_flagged_is_answered_by_the_listing() -> None:
    """No licence word ("When and why was it listed? Anything we should know?"): a party the
    corpus lists, flagged by screening, in a deal with us."""
    question = "We sell parts to TechCamel Pte. Ltd. Our screening flags it. When was it listed?"
    finding = determine(question, [_adding_rule()], lookup=lambda _q: [EL])
    assert finding is not None and "744.11" in finding.rule
    # not a question about the listing: no determination made for it
    assert determine("We sell parts to TechCamel. How do we ship?", [_adding_rule()]) is None
    # an audit of shipments to it asks the same ("Was either of them a problem?")
    audit = (
        "We sell parts directly to TechCamel Pte. Ltd. One shipment left on May 3 and another "
        "on June 10. Was either of them a problem?"
    )
    finding = determine(audit, [_adding_rule()], lookup=lambda _q: [EL])
    assert finding is not None and "744.11" in finding.rule
    # ... not of a supplier's, nor of a deal with no listed party
    bought = "We buy modules from TechCamel Pte. Ltd. Was that a problem?"
    assert determine(bought, [_adding_rule()], lookup=lambda _q: [EL]) is None
    invoice = "We sell EAR99 pumps to Acme in Mexico. Would it be a problem to invoice in euros?"
    finding = determine(invoice, [_adding_rule()], lookup=lambda _q: [EL])
    assert finding is None or "744.11" not in finding.rule


def test_asked_what_a_listing_requires_the_listing_answers_whoever_the_party_is_to_us() -> None:
    """Grade41 Q29: "Is X on the Entity List, and if so why, since when, and for which items?"
    asks what the listing requires though X is no customer of ours, and so does "Is X on the
    Entity List?" asked alone (the Listed line answers it, and what the listing requires is what
    the asker needs next); a question about a party the corpus does not list, or asked with
    what X is to us ("our supplier"), does not."""
    asked = (
        "Is TechCamel Pte. Ltd. on the Entity List, and if so why, since when, and for which items?"
    )
    finding = determine(asked, [_adding_rule()], lookup=lambda _q: [EL])
    assert finding is not None and "744.11" in finding.rule
    lines = {line.label: line for line in finding.lines}
    assert "by FR Doc. 2024-25411" in lines["Listed"].text and "Review policy" in lines
    for plain in (
        "Is TechCamel Pte. Ltd. on the Entity List?",
        "is techcamel pte. ltd. still on the entity list",
        "When was TechCamel Pte. Ltd. added to the Entity List?",
        "Since when has TechCamel Pte. Ltd. been on the Entity List?",
    ):
        finding = determine(plain, [_adding_rule()], lookup=lambda _q: [EL])
        assert finding is not None and "744.11" in finding.rule, plain
        assert finding.lines[1].label == "Listed"
        assert "by FR Doc. 2024-25411" in finding.lines[1].text
    for aside in (
        # a party the corpus does not list
        "Is Zorblax Widgets Ltd. on the Entity List, and for which items?",
        "Is Zorblax Widgets Ltd. on the Entity List?",
        # what the party is to us
        "TechCamel Pte. Ltd. is the supplier we buy modules from. Is it on the Entity List?",
        # another party, related to the listed one
        "Is a supplier to TechCamel Pte. Ltd. on the Entity List?",
        "Is a subsidiary of TechCamel Pte. Ltd. on the Entity List?",
        "Purely for a training slide (no dealings with them): when was TechCamel Pte. Ltd. listed?",
    ):
        assert determine(aside, [_adding_rule()], lookup=lambda _q: [EL]) is None, aside


def test_a_rule_recalling_an_earlier_addition_is_not_the_listing_rule() -> None:
    """ "On May 16, 2019, Huawei ... were added": the rule quoting it did not add it, so neither
    its date nor its savings clause is the listing's."""
    text = (
        "SUMMARY: On May 16, 2019, Huawei Technologies Co., Ltd. (Huawei) and sixty-eight of its "
        "affiliates were added to the Entity List. This rule extends a temporary general "
        "license. Shipments that were en route aboard a carrier to a port of export on August "
        "19, 2019 may proceed."
    )
    recalling = _p(181, "84 FR 43487", text, "federal_register", date="2019-08-21")
    finding = determine("Can we sell routers to Huawei?", [recalling], lookup=lambda _q: [EL])
    assert finding is not None
    lines = {line.label: line for line in finding.lines}
    assert "Savings clause" not in lines
    # the day it recalls is the listing's, cited to the sentence that says so; not the rule's own
    listed = lines["Listed"]
    assert "added to the Entity List on May 16, 2019, as 84 FR 43487 states" in listed.text
    assert "2019-08-21" not in listed.text
    assert [b.passage.citation for b in listed.basis] == ["84 FR 43487"]
    assert _sentence_of(listed).startswith("SUMMARY: On May 16, 2019, Huawei")


def test_a_recalled_listing_without_a_day_in_a_rule_says_only_that_the_corpus_lists_it() -> None:
    """A rule that mentions Huawei's listing without its day, and a press release that dates it
    ("Since May 16, 2019 ..."): no day is given, since news is not asked for one."""
    rule = _p(
        182,
        "FR Doc. 2024-15810",
        "The listing of Huawei Technologies Co., Ltd on the Entity List and associated licensing "
        "requirements can be found at 84 FR 22961.",
        "federal_register",
        date="2024-07-30",
    )
    news = _p(
        183,
        "CPI Financial",
        "Huawei was added to the Entity List on May 16, 2019, reported Bloomberg.",
        "article",
        date="2019-11-24",
    )
    finding = determine("Can we sell routers to Huawei?", [rule, news], lookup=lambda _q: [EL])
    assert finding is not None
    listed = next(line for line in finding.lines if line.label == "Listed")
    assert "(per the corpus; screen the party" in listed.text and "2019" not in listed.text


def test_when_parties_were_given_different_policies_only_one_naming_the_party_is_quoted() -> None:
    from assistant.answering.determination.listing_terms import _RULE_POLICY, listing_rule_sentence

    text = (
        "The ERC determined to add Alpha Corp and Beta Corp to the Entity List.\n\n"
        "Alpha Corp is added with a license review policy of denial. License applications for "
        "the other entity will be reviewed case-by-case."
    )
    rule = _p(182, "FR Doc. 2025-00001", text, "federal_register")
    listing = listing_in(rule, "The ERC determined")
    found = listing_rule_sentence(listing, "Alpha Corp", [rule], None, _RULE_POLICY)
    assert found is not None and "Alpha Corp is added" in text[found.start : found.end]
    found = listing_rule_sentence(listing, "Beta Corp", [rule], None, _RULE_POLICY)
    assert found is not None and "other entity" in text[found.start : found.end]
    # a party whose paragraph gives no policy, in a rule giving two: neither is its
    gamma = _p(
        183,
        "FR Doc. 2025-00001",
        "The ERC determined to add Gamma Ltd to the Entity List.",
        "federal_register",
    )
    assert (
        listing_rule_sentence(
            listing_in(gamma, "The ERC"), "Gamma", [gamma, rule], None, _RULE_POLICY
        )
        is None
    )


def listing_in(p: SearchResult, start: str) -> Any:
    from assistant.answering.determination.basis import Basis

    a = p.text.index(start)
    return Basis(p, a, p.text.index(".", a) + 1)


def test_asked_why_a_party_was_listed_the_rules_next_sentence_about_it_is_quoted() -> None:
    text = (
        "The ERC determined to add Alpha Corp and Beta Corp, under the destination of China, to "
        "the Entity List. Alpha Corp is being added because it supplies the PLA. Beta Corp is "
        "being added because it enables surveillance. Licenses will be reviewed under a "
        "presumption of denial."
    )
    rule = _p(184, "FR Doc. 2024-29136", text, "federal_register", date="2024-12-11")
    for party, why in [("Alpha Corp", "supplies the PLA"), ("Beta Corp", "enables surveillance")]:
        question = f"We sell sensors to {party}. Our screening flags it. Why was it listed?"
        finding = determine(question, [rule], lookup=lambda _q: [EL])
        assert finding is not None
        lines = {line.label: line for line in finding.lines}
        assert why in lines["Reason given"].text
        assert "presumption of denial" in lines["Review policy"].text
    # not asked why: no reason line
    finding = determine(
        "Our screening flags Alpha Corp. Can we ship?", [rule], lookup=lambda _q: [EL]
    )
    assert finding is not None and "Reason given" not in {line.label for line in finding.lines}


UN_TEXT = (
    "( 2 ) The countries subject to United Nations Security Council arms embargoes are: Central "
    "African Republic, Democratic Republic of the Congo, Eritrea, Iran, Iraq, Lebanon, Libya, "
    "North Korea, Somalia, and Sudan.\n\n( 3 ) A license is required to export or reexport items "
    "identified in Part 774 as having a “UN” reason for control to countries identified in "
    "paragraph (b)(2) of this section. BIS will not approve applications for such licenses if "
    "the authorization would be contrary to the relevant United Nations Security Council "
    "Resolution.\n\n( 4 ) You may not use any License Exception, other than License Exception "
    "GOV, to export or reexport items with a UN reason for control to countries listed in "
    "paragraph (b)(2) of this section."
)


@pytest.mark.parametrize(
    ("question", "outcome", "text"),
    [
        (
            "Our ECCN lists UN among the reasons for control. Enquiries came from a company in "
            "Libya and a firm in Lebanon. Can we use LVS or STA?",
            "yes",
            "yes for Libya and Lebanon",
        ),
        (
            "Can we ship our UN-controlled sensors to Brazil and Sudan?",
            "yes",
            "yes for Sudan; not for UN reasons to Brazil",
        ),
        ("Can we ship our UN-controlled sensors to Brazil?", "depends", "not for UN reasons"),
    ],
)
def test_a_un_reason_for_control_needs_a_licence_to_the_un_embargoed_countries(
    question: str, outcome: str, text: str
) -> None:
    un = _p(190, "15 CFR 746.1(b)", UN_TEXT, "regulation")
    finding = determine(question, [un], lookup=lambda _q: [un])
    assert finding is not None and "746.1(b)" in finding.rule and finding.outcome == outcome
    assert finding.lines[0].text.startswith(text)
    labels = [line.label for line in finding.lines]
    assert ("Licence exceptions" in labels) is (outcome == "yes")


@pytest.mark.parametrize(
    "question",
    [
        "We work with a UN agency in Lebanon. Can we ship laptops there?",
        "Can we sell radios to UN peacekeepers in Somalia?",
        "Our ECCN does not list UN among its reasons for control. Can we ship it to Libya?",
    ],
)
def test_the_un_as_a_body_is_no_reason_for_control(question: str) -> None:
    un = _p(190, "15 CFR 746.1(b)", UN_TEXT, "regulation")
    finding = determine(question, [un], lookup=lambda _q: [un])
    assert finding is None or "746.1(b)" not in finding.rule


@pytest.mark.parametrize(
    "question",
    [
        # the attack (atk39): our supplier, a competitor, a training slide
        "Our screening tool flags TechCamel Pte. Ltd. They are the supplier we buy modules "
        "from; we don't export to them. When were they listed?",
        "Our screening tool flags TechCamel Pte. Ltd. It is a competitor; we don't sell to "
        "them. Anything we should know?",
        "Purely for a training slide (no dealings with them): when was TechCamel Pte. Ltd. listed?",
    ],
)
def test_a_listed_party_that_is_not_our_customer_gets_no_listing_determination(
    question: str,
) -> None:
    assert determine(question, [_adding_rule()], lookup=lambda _q: [EL]) is None


@pytest.mark.parametrize(
    "question",
    [
        "Does it matter which ECCN format we use in our ERP? We ship EAR99 pumps to Mexico.",
        "We ship EAR99 pumps to Mexico; does it matter if the invoice is in euros?",
    ],
)
def test_does_it_matter_of_an_invoice_asks_no_licence_question(question: str) -> None:
    finding = determine(question, [EL], lookup=lambda _q: [EL])
    assert finding is None


def test_a_listed_name_on_a_company_placed_in_the_united_states_is_not_the_listing() -> None:
    question = (
        "TechCamel Inc., a fabricator in Cleveland, Ohio, wants to buy our plasma cutters. Do "
        "we have an Entity List problem?"
    )
    finding = determine(question, [_adding_rule()], lookup=lambda _q: [EL])
    assert finding is None or finding.outcome == "depends"
    assert finding is None or not any(line.label == "Listed" for line in finding.lines)


def test_a_brand_word_of_a_longer_listed_name_is_not_named_as_added_by_the_rule() -> None:
    """ "Inspur Group" matched through "Inspur (Beijing) Electronic ..." may be the parent an
    earlier rule listed: the rule adding the subsidiary is not named as its listing."""
    from assistant.answering.listed_names import named_whole

    sentence = (
        "The ERC determined to add Inspur (Beijing) Electronic Information Industry Co., Ltd. "
        "and Sangon Biotech (Shanghai) Co., Ltd. to the Entity List."
    )
    assert not named_whole(sentence, "Inspur")
    assert named_whole(sentence, "Sangon Biotech")
    assert named_whole("add Royal Impact Trading L.L.C. to the list", "Royal Impact Trading")


GFT_TEXT = (
    "( b ) Humanitarian donations. ( 1 ) Scope. This paragraph authorizes exports of donated "
    "items to meet basic human needs. ( 2 ) Eligible donors are U.S. charitable organizations "
    "that have an established record of involvement in donative programs and experience in "
    "maintaining a system of distribution to the intended beneficiaries. ( 3 ) Eligible "
    "commodities are food, medicines, and clothing. ( 4 ) Items controlled for crime control "
    "reasons may not be exported under this paragraph. ( c ) Gift parcels. ( 1 ) Gift parcels "
    "may be sent by individuals to family members. ( 2 ) The value may not exceed $800. ( 3 ) "
    "Parcels must be marked as gifts. ( 4 ) One parcel per month is allowed. ( 5 ) Seeds and "
    "vitamins are eligible. ( 6 ) Mail order firms may ship on a donor's behalf."
)


def test_a_named_exception_brings_the_terms_that_fit_the_case() -> None:
    """Grade37 Q29: a newly founded charity's donation to Cuba under GFT; the answer quoted
    GFT's gift-parcel paragraph, not (b)'s eligible donors."""
    gft = _p(200, "15 CFR 740.12(b)", GFT_TEXT, "regulation", title="§ 740.12 Gift parcels (GFT).")
    cuba = _p(
        201,
        "15 CFR 746.2(a)",
        "( a ) A license is required to export any item to Cuba.",
        "regulation",
    )
    question = (
        "We're a newly founded US charity with no established record of programs and no "
        "distribution system there yet. Can we ship donated school supplies to Cuba under "
        "License Exception GFT?"
    )
    finding = determine(question, [gft, cuba], lookup=_SectionLookup([gft, cuba]))
    assert finding is not None
    terms = [line for line in finding.lines if line.label == "Exception terms"]
    assert terms and "Eligible donors are U.S. charitable organizations" in terms[0].text
    # a question with little in common with any paragraph gets no terms line
    short = determine(
        "Can we ship pens to Cuba under GFT?", [gft, cuba], lookup=_SectionLookup([gft, cuba])
    )
    assert short is None or not any(line.label == "Exception terms" for line in short.lines)


def test_an_addition_that_says_why_itself_is_the_reason_quoted() -> None:
    """Grade39 Q25: "... to the Entity List because of their links to TFASA ...", then a
    background sentence; the reason is the addition's own clause."""
    text = (
        "The ERC determined to add Blue Sky Aviation (Pty) Ltd. to the Entity List because of "
        "its links to the Test Flying Academy of South Africa. TFASA was added to the Entity "
        "List on June 12, 2023. BIS will review license applications under a presumption of "
        "denial."
    )
    rule = _p(185, "FR Doc. 2025-05426", text, "federal_register", date="2025-03-28")
    question = "We service simulators for Blue Sky Aviation (Pty) Ltd. Our screening flags it. Why?"
    finding = determine(question, [rule], lookup=lambda _q: [EL])
    assert finding is not None
    reason = next(line for line in finding.lines if line.label == "Reason given")
    basis = reason.basis[0]
    assert text[basis.start : basis.end].startswith("because of its links")
    assert "TFASA was added" not in reason.text


def test_the_exceptions_line_names_the_list_and_says_a_named_exception_is_not_in_it() -> None:
    """746.8(c)(2) lists its exceptions over several chunks; asked about GFT for a gift to
    Russia, the line names what the list allows (with BAG's own limit, cited) and says GFT is
    not among them, and GFT's $800 parcel limit is not offered as if GFT applied."""
    russia = [
        replace(c, citation=c.citation.replace("746.7", "746.8"))
        for c in _section_of(
            [
                (
                    "15 CFR 746.7(a)",
                    "( a ) License requirements. A license is required to export to Russia any "
                    "item specified in any Export Control Classification Number (ECCN) on the "
                    "CCL.",
                ),
                (
                    "15 CFR 746.7(c)",
                    "( 2 ) No license exceptions may overcome the license requirements in "
                    "paragraphs (a)(1) through (8) of this section except the following:\n\n"
                    "( i ) License Exception TMP for items for use by the news media as set "
                    "forth in § 740.9(a)(9) of the EAR.",
                ),
                (
                    "15 CFR 746.7(c)(2)",
                    "( ii ) License Exception BAG, excluding firearms and ammunition (§ 740.14, "
                    "excluding paragraph (e), of the EAR).\n\n"
                    "( iii ) License Exception CCD (§ 740.19 of the EAR).\n\n"
                    "( d ) License Applications. Applications must include the following:",
                ),
            ]
        )
    ]
    gft = _p(
        172,
        "15 CFR 740.12(a)(2)",
        "( iv ) Value. The combined total domestic retail value of all commodities and software "
        "in a single gift parcel may not exceed $800.",
        "regulation",
    )
    question = (
        "Our employee wants to mail a used 5A992.c laptop to her brother in Kazan, Russia as a "
        "gift. Can she use License Exception GFT?"
    )
    finding = determine(question, [russia[1], gft], lookup=_SectionLookup(russia))
    assert finding is not None and "746.8" in finding.rule
    line = next(x for x in finding.lines if x.label == "Licence exceptions")
    assert line.text.endswith(
        "on their conditions: TMP (for items for use by the news media), "
        "BAG (excluding firearms and ammunition), CCD; GFT is not among them"
    )
    # BAG's words are cited (to check) but not among the provisions quoted under the line
    assert any(_basis_text(b).startswith("( ii ) License Exception BAG") for b in line.named)
    assert not any("BAG" in _basis_text(b) for b in line.basis)
    assert not any("$800" in _basis_text(b) for x in finding.lines for b in x.basis)


FOOTNOTED_ADDITION = (
    "The ERC determined to add Supra Tech Sdn Bhd under the destination of Malaysia to the "
    "Entity List. It transshipped U.S.-origin goods to Russia."
)
FOOTNOTED_TERMS = (
    "A footnote 3 designation subjects this entity to the Russia/Belarus-Military End User and "
    "Procurement Foreign Direct Product (FDP) rule, detailed in § 734.9(g). It is added with a "
    "license review policy of denial.\n\nThe ERC determined to add Acme Widgets Ltd. under the "
    "destination of Turkey to the Entity List. A footnote 4 designation applies to it, under "
    "§ 734.9(e)(2). It is added with a case-by-case review policy."
)


class _DocumentLookup:
    """A lookup that reads a Federal Register document's chunks in order, as the service's."""

    def __init__(self, chunks: list[SearchResult]) -> None:
        self.chunks = chunks

    def __call__(self, query: str) -> list[SearchResult]:
        return [EL]

    def document(self, citation: str) -> list[SearchResult]:
        return [c for c in self.chunks if c.citation == citation]


def test_a_listing_rules_next_chunk_gives_the_partys_policy_and_foreign_made_reach() -> None:
    """Grade41 Q9, Q34: the policy and footnote sentences came in the chunk after the one that
    adds the party, which no query for its name ranks; the rule's own chunks are read on."""
    first = replace(
        _p(190, "FR Doc. 2024-25411", FOOTNOTED_ADDITION, "federal_register", date="2024-10-30"),
        doc_id="fr1",
        start=100,
        end=100 + len(FOOTNOTED_ADDITION),
    )
    second = replace(
        _p(191, "FR Doc. 2024-25411", FOOTNOTED_TERMS, "federal_register", date="2024-10-30"),
        doc_id="fr1",
        start=first.end + 2,
        end=first.end + 2 + len(FOOTNOTED_TERMS),
    )
    lookup = _DocumentLookup([first, second])
    question = "Can we sell 5,000 boards to a new customer in Kuala Lumpur, Supra Tech Sdn Bhd?"
    finding = determine(question, [first], lookup=lookup)
    assert finding is not None and finding.outcome == "yes"
    lines = {line.label: line for line in finding.lines}
    assert "review policy of denial" in lines["Review policy"].text
    reach = lines["Foreign-made items"]
    assert "Foreign Direct Product (FDP) rule, detailed in § 734.9(g)" in reach.text
    assert reach.basis[0].passage.chunk_id == second.chunk_id
    # the next party's footnote is not this one's
    assert "734.9(e)(2)" not in reach.text
    # without the document reader, nothing past the chunk is guessed at
    alone = determine(question, [first], lookup=lambda _q: [EL])
    assert alone is not None
    assert "Foreign-made items" not in {line.label for line in alone.lines}


def test_the_passage_listing_a_named_party_is_searched_for_when_retrieval_missed_it() -> None:
    from assistant.answering.determination.listing import listing_passage

    listing = _p(192, "FR Doc. 2024-25411", FOOTNOTED_ADDITION, "federal_register")
    question = "Our customer in Kuala Lumpur, Supra Tech Sdn Bhd, wants 5,000 boards. Licence?"
    asked: list[str] = []

    def search(words: str) -> list[SearchResult]:
        asked.append(words)
        return [listing]

    assert listing_passage(question, [EL], search) == listing
    assert "Supra" in asked[0] and "Malaysia" not in asked[0]
    # already among the passages: that one, with no search
    asked.clear()
    assert listing_passage(question, [EL, listing], search) == listing and not asked
    # a party no sentence adds: none
    other = "Our customer in Kuala Lumpur, Zorblax Widgets Sdn Bhd, wants boards. Licence?"
    assert listing_passage(other, [EL], search) is None


def test_a_quote_for_a_listed_party_asks_what_its_listing_requires() -> None:
    """Grade41 Q34: "Anything we should know before we quote?" about a party the corpus lists."""
    question = (
        "Supra Tech Sdn Bhd wants valves and spares for a plant in Oman. Anything we should "
        "know before we quote?"
    )
    listing = _p(193, "FR Doc. 2024-25411", FOOTNOTED_ADDITION, "federal_register")
    finding = determine(question, [listing], lookup=lambda _q: [EL])
    assert finding is not None and "744.11" in finding.rule
    # a quote we ask for from a supplier is no sale to it
    bought = (
        "Supra Tech Sdn Bhd sells valves. Anything we should know before we get a quote from it?"
    )
    assert determine(bought, [listing], lookup=lambda _q: [EL]) is None


PAKISTAN_RS = (
    "( 12 ) RS requirements that apply to Pakistan. A license is required to export, reexport, "
    "or transfer (in-country) to or within Pakistan the following items: 1B999 (“Specific "
    "Processing Equipment, n.e.s.”); 2A992 (“Piping, fittings and valves”); 2B999 (“Specific "
    "Processing Equipment, n.e.s.”), except 2B999.h.2; and 6A996 (“'Magnetometers'”)."
)


@pytest.mark.parametrize(
    ("question", "yes"),
    [
        ("Do we need a licence to ship 2A992 valves to a mill in Faisalabad?", True),
        ("Can we export 2B999.b machines to Karachi?", True),
        ("Can we export used 2B999 press brakes to a maker in Lahore?", True),
        # the paragraph excepts it, names another place, or the place is only the origin
        ("Can we export 2B999.h.2 machines to Karachi?", False),
        ("Do we need a licence to ship 2A992 valves to a mill in India?", False),
        ("Do we need a licence to ship Pakistani-made 2A992 valves to Canada?", False),
    ],
)
def test_a_part_742_paragraph_naming_the_item_and_the_place_says_yes(
    question: str, yes: bool
) -> None:
    """742.6(a)(12) names the items and Pakistan: the Country Chart's "depends" is settled."""
    from assistant.answering.determination.ccl import destination_ccl_rule

    rs = _p(175, "15 CFR 742.6(a)(12)", PAKISTAN_RS, "regulation")
    finding = destination_ccl_rule(question, [rs], None)
    if not yes:
        assert finding is None
        return
    assert finding is not None and finding.outcome == "yes" and finding.operative
    line = finding.lines[0]
    assert line.text.startswith("yes — 15 CFR 742.6(a)(12) requires a licence")
    assert "to or within Pakistan" in line.text and line.basis[0].passage is rs
    # the entry's own exception is said when the question does not say which 2B999 it is
    assert ("(not 2B999.h.2)" in line.text) is ("2B999 " in question)


MISSILE_PROHIBITION = (
    "( a ) General prohibition. In addition to the license requirements for items specified on "
    "the CCL, you may not export, reexport, or transfer (in-country) an item subject to the EAR "
    "without a license if, at the time of export, reexport or transfer (in-country) you know "
    "that the item:\n\n( 1 ) Will be used in the design, “development,” “production,” "
    "operation, installation (including on-site installation), maintenance (checking), repair, "
    "overhaul, or refurbishing of rocket systems or unmanned aerial vehicles capable of a range "
    "of at least 300 kilometers in or by a country listed in Country Group D:4 of supplement no. "
    "1 to part 740 of the EAR."
)
MISSILE_EXCEPTIONS = (
    "( c ) Exceptions. No License Exceptions apply to the prohibitions described in paragraph "
    "(a) and (b) of this section."
)


def test_a_rule_that_allows_no_exception_is_not_loosened_by_740_2() -> None:
    """A missile end use (744.3(c): no exception) outranks 740.2(a)(25)'s "none but TMP, RPL or
    GOV" for 3A992 items to Pakistan: the stricter line stays."""
    question = (
        "A firm in Lahore wants a 3A992 data acquisition system for a static test stand for "
        "solid rocket motors. Can we ship it under LVS?"
    )
    passages = [
        replace(
            _p(176, "15 CFR 744.3(a)", MISSILE_PROHIBITION, "regulation"),
            doc_id="d744_3",
            start=100,
            end=100 + len(MISSILE_PROHIBITION),
        ),
        replace(
            _p(177, "15 CFR 744.3(c)", MISSILE_EXCEPTIONS, "regulation"),
            doc_id="d744_3",
            start=2000,
            end=2000 + len(MISSILE_EXCEPTIONS),
        ),
        _p(173, "15 CFR 740.2(a)(25)", RESTRICTION_PAKISTAN, "regulation"),
    ]
    finding = determine(question, passages)
    assert finding is not None and "744.3" in finding.rule
    lines = [x.text for x in finding.lines if x.label == "Licence exceptions"]
    assert lines and lines[0].startswith("none") and "744.3(c)" in lines[0], lines
    assert not any("740.2(a)(25)" in x for x in lines)


def test_an_audit_of_shipments_to_a_listed_party_places_each_date_against_the_savings_clause() -> (
    None
):
    """Grade40 Q4, grade41 Q3: the dates decided the audit and no line applied them."""
    text = ADDING_RULE.replace(
        "may proceed to that destination under the previous eligibility.",
        "may proceed to that destination under the previous eligibility before December 1, 2024.",
    )
    rule = _p(182, "FR Doc. 2024-25411", text, "federal_register", date="2024-10-30")
    question = (
        "We sell spare parts directly to TechCamel Pte. Ltd. One shipment left on October 20, "
        "2024, another on November 12, 2024 and a third on December 3, 2024. Was either of them "
        "a problem?"
    )
    finding = determine(question, [rule], lookup=lambda _q: [EL])
    assert finding is not None and "744.11" in finding.rule
    dates = next(line for line in finding.lines if line.label == "Dates")
    assert dates.text.startswith("October 20, 2024 is before November 1, 2024")
    assert "November 12, 2024 is on or after November 1, 2024" in dates.text
    assert "December 3, 2024 is past the savings clause's limit (before December 1, 2024)" in (
        dates.text
    )
    assert dates.basis[0].passage is rule
    # no dates in the question: no such line
    plain = determine(
        "Can we sell spare parts to TechCamel Pte. Ltd.?", [rule], lookup=lambda _q: [EL]
    )
    assert plain is not None and not any(line.label == "Dates" for line in plain.lines)


GBS_SCOPE = (
    "License Exception GBS authorizes exports and reexports to Country Group B (see Supplement "
    "No. 1 to part 740), except Sudan and Ukraine, of those commodities where the Commerce "
    "Country Chart indicates a license requirement for national security reasons only."
)


@pytest.mark.parametrize(
    ("question", "barred"),
    [
        (
            "A distributor in Kyiv wants NS2-only oscilloscopes. Our desk plans to ship them under "
            "GBS because Ukraine is in Country Group B. Does that work?",
            True,
        ),
        (
            "Can we ship NS2-only oscilloscopes to a lab in Warsaw under License Exception GBS?",
            False,
        ),
        # a place the item comes from is not where it goes
        (
            "Can we ship Ukrainian-made NS2 oscilloscopes from our stock to a lab in Warsaw under "
            "License Exception GBS?",
            False,
        ),
    ],
)
def test_an_exception_whose_own_section_excepts_the_destination_is_said_to_be_unavailable(
    question: str, barred: bool
) -> None:
    """Grade42 Q14 (graded before this rule): GBS was pointed to for Kyiv, though 740.4 quoted
    "except Sudan and Ukraine"."""
    from assistant.answering.determination.exception_bars import excepted_destination

    gbs = _p(178, "15 CFR 740.4", GBS_SCOPE, "regulation", title="§ 740.4 GBS.")
    line = excepted_destination(question, [gbs], None)
    if not barred:
        assert line is None
        return
    assert line is not None and line.text.startswith("no GBS for Ukraine — 15 CFR 740.4")
    assert "“except Sudan and Ukraine”" in line.text and line.basis[0].passage is gbs


def test_an_order_already_placed_is_the_tmp_restriction_that_answers() -> None:
    """ "They'll buy the demo unit at the show" is the EAR's "order to acquire the item": TMP's
    bar on it leads, not another TMP restriction; "No item may be exported ... if" restricts."""
    from assistant.answering.determination.exception_terms import exception_limit_line

    tmp = _p(
        140,
        "15 CFR 740.9(a)",
        "( a ) Temporary exports. The commodities and software may not be used when abroad for "
        "more than the minimum extent required for effective demonstration. No item may be "
        "exported, reexported, or transferred (in-country) under this paragraph (a) if an order "
        "to acquire the item, such as a purchase order, has been received before shipment. "
        # (the rest of the section: a fact in most of its sentences tells none apart)
        "Tools of trade must remain under the effective control of the exporter. Items must be "
        "returned no later than one year after the date of export. Beta test software may be "
        "exported to a tester. Containers may be exported for use in transporting items. "
        "Broadcast equipment may be exported for use by the news media.",
        "regulation",
    )
    question = (
        "We're taking an NS-controlled demo instrument to a trade show in Shanghai. A Chinese "
        "distributor has already said they'll buy the demo unit at the show. Can we use TMP?"
    )
    line = exception_limit_line(question, [tmp], None)
    assert line is not None and "order to acquire the item" in line.text, line
    # without the buyer, the demonstration limit is what the case shares
    demo = "We're taking a demo instrument to a trade show in Shanghai. Can we use TMP?"
    line = exception_limit_line(demo, [tmp], None)
    assert line is not None and "minimum extent required" in line.text, line


@pytest.mark.parametrize(
    ("question", "reaches"),
    [
        # a person's nationality is no facility in China
        (
            "We want to hire a PhD whose most recent citizenship is Chinese to work on our qubit "
            "fab technology (3E901). Do we need a deemed export licence?",
            False,
        ),
        (
            "Two Chinese PhD students will work in our Austin fab. Do they need a licence?",
            False,
        ),
        # a fab located there still is
        ("Can we sell EAR99 spare pumps to a wafer fab in Shanghai?", True),
        ("A Chinese fab wants our 3B991 parts. Do we need a licence?", True),
    ],
)
def test_the_fab_rule_reaches_a_place_not_a_persons_nationality(
    question: str, reaches: bool
) -> None:
    from assistant.answering.determination.end_use import end_use_rule

    passage = _p(
        150,
        "15 CFR 744.23(a)",
        "( a ) General prohibition. In addition to the license requirements for items specified "
        "on the CCL, you may not export, reexport, or transfer (in-country) without a license "
        "any item subject to the EAR described in paragraphs (a)(1) through (4) of this section "
        "when you have “knowledge” at the time of export, reexport, or transfer (in-country) "
        "that the item is destined for a destination, end use, or type of end user described "
        "in paragraphs (a)(1) through (4) of this section.",
        "regulation",
    )
    finding = end_use_rule(question, [passage], None)
    assert (finding is not None and "744.23" in finding.rule) is reaches, finding and finding.rule


def test_asked_only_whether_it_is_subject_the_generic_scope_line_does_not_lead() -> None:
    """ "depends on whether it is subject to the EAR" answers nothing to "is it subject to the
    EAR?": the provision that says so leads instead."""
    question = "If we publish our source code on GitHub for anyone, is it subject to the EAR?"
    finding = determine(question, _publication_passages())
    assert finding is None or not finding.rule.startswith("Scope of the EAR"), finding.rule


def test_an_exception_a_rule_made_unavailable_for_the_place_is_said_to_be_gone() -> None:
    """A Federal Register rule moving a country out of Country Group B says which exceptions it
    made unavailable: the pointer to GBS gives way to "no GBS or LVS for Nicaragua"."""
    from assistant.answering.determination.exception_bars import made_unavailable

    rule = _p(
        160,
        "FR Doc. 2024-05696",
        "Removing Nicaragua from Country Group B and placing it in Country Group D:1 also makes "
        "certain license exceptions unavailable. The license exceptions made unavailable in full "
        "are: Shipments of limited value (LVS) (§ 740.3); License Exception Shipments to Country "
        "Group B countries (GBS) (§ 740.4); and Technology and software under restriction (TSR) "
        "(§ 740.6).",
        "federal_register",
    )
    question = (
        "We sell test equipment to a distributor in Managua. I heard Nicaragua's treatment "
        "changed in 2024. Can we still use GBS or LVS?"
    )
    line = made_unavailable(question, [rule])
    assert line is not None and line.text.startswith("no GBS or LVS for Nicaragua"), line
    assert line.basis[0].passage.citation == "FR Doc. 2024-05696"
    # another place, an exception the rule does not name, or news saying it: nothing
    assert made_unavailable("Can we still use GBS for Chile?", [rule]) is None
    assert made_unavailable("Can we ship to Nicaragua under STA?", [rule]) is None
    news = _p(161, "CPI Financial", rule.text, "article")
    assert made_unavailable(question, [news]) is None


def test_an_aside_denying_a_listing_does_not_deny_the_end_use() -> None:
    from assistant.answering.determination.end_use import end_use_rule

    passage = _p(
        170,
        "15 CFR 744.23(a)",
        "( a ) General prohibition. In addition to the license requirements for items specified "
        "on the CCL, you may not export, reexport, or transfer (in-country) without a license "
        "any item subject to the EAR described in paragraphs (a)(1) through (4) of this section "
        "when you have “knowledge” at the time of export that the item is destined for a "
        "destination, end use, or type of end user described in paragraphs (a)(1) through (4).",
        "regulation",
    )
    question = (
        "A Chinese university (not on any list) wants to buy a batch of our 4A994 servers for a "
        "new national supercomputing centre. Do we need a licence?"
    )
    finding = end_use_rule(question, [passage], None)
    assert finding is not None and "744.23" in finding.rule
    # a sentence that denies the end use itself still does
    denied = "A Chinese university wants our 4A994 servers, not for any supercomputing centre."
    assert end_use_rule(denied, [passage], None) is None


@pytest.mark.parametrize(
    ("question", "boycott"),
    [
        (
            "A letter of credit from a Kuwaiti bank asks us to certify that 'the goods are not of "
            "Israeli origin and not shipped on an Israeli-flag vessel'. Can we just sign it?",
            True,
        ),
        ("Can we sell our boycott-screening software to a bank in Dubai?", True),
        ("Can we ship EAR99 tools to a customer in Israel?", False),
    ],
)
def test_a_boycott_request_in_its_usual_words_asks_no_licence_question(
    question: str, boycott: bool
) -> None:
    from assistant.answering.determination.asks import asks_whether

    assert asks_whether(question) is not boycott


def test_a_proprietary_cipher_is_not_answered_as_mass_market() -> None:
    from assistant.answering.determination.mass_market import mass_market_rule

    passage = _p(
        171,
        "15 CFR 742.15(a)(1)",
        "( 1 ) Following classification or self-classification, items that meet the criteria of "
        "Note 3 to Category 5—Part 2 of the Commerce Control List (the “mass market” note), are "
        "classified under ECCN 5A992 or 5D992 and are no longer subject to this Section.",
        "regulation",
    )
    standard = "Our mass-market router uses standard AES encryption. Can we ship it to Chile?"
    assert mass_market_rule(standard, [passage], None) is not None
    proprietary = (
        "Our appliance uses our own proprietary (unpublished) cipher. Can we self-classify it as "
        "mass market encryption and ship it to Chile?"
    )
    assert mass_market_rule(proprietary, [passage], None) is None


def test_a_no_exceptions_sentence_is_cited_only_for_the_paragraphs_it_names() -> None:
    """744.6(d) bars exceptions for (b)(1)-(4) and (c)(2): cited for a (b)(5) requirement (a
    military-intelligence end user), the pinpoint would be wrong, so no line rests on it."""
    from assistant.answering.determination.section_terms import speaks_to_paragraph

    sentence = (
        "No license exceptions apply to the prohibitions described in paragraphs (b)(1) through "
        "(4) or paragraph (c)(2) of this section."
    )
    assert speaks_to_paragraph(sentence, "(b)(3)")
    assert speaks_to_paragraph(sentence, "(c)(2)(i)")
    assert not speaks_to_paragraph(sentence, "(b)(5)")
    assert not speaks_to_paragraph(sentence, "(c)(1)")
    assert speaks_to_paragraph("No license exceptions may be used.", "(b)(5)")
    assert speaks_to_paragraph("under paragraphs (a)(1) through (a)(3) of this section", "(a)(2)")


def test_a_listed_party_as_the_premise_of_a_question_is_listed() -> None:
    """ "Is a licence required for exporting servers to a company on the Entity List?" gives the
    listing as its premise: yes, not "depends on whether a party is listed". A named party
    asked about, or one said not to be listed, is no such premise."""
    for question in (
        "Is a U.S. license required for exporting servers to a company on the Entity List?",
        "Can we use License Exception LVS for a small shipment to a company on the Entity List?",
        "Do exports of EAR99 items to parties listed on the Entity List need a licence?",
    ):
        finding = determine(question, [EL], lookup=lambda _q: [EL])
        assert finding is not None and finding.outcome == "yes", question
        assert not finding.missing_facts, question
    for question in (
        "Do we need a licence to sell routers to Lenovo? Is it on the Entity List?",
        "Do we need a licence for servers to a company that is not on the Entity List?",
        # a bystander is listed, not the party we deal with
        "Our buyer competes with a company on the Entity List. Do we need a licence to sell "
        "them EAR99 pumps?",
        "Our buyer is a subsidiary of a company on the Entity List. Do we need a licence?",
    ):
        finding = determine(question, [EL], lookup=lambda _q: [EL])
        assert finding is None or finding.outcome != "yes", question


def test_a_party_the_corpus_does_not_list_is_said_to_be_not_found() -> None:
    """ "Is Siemens on the Entity List?" asked alone, with no passage adding Siemens or naming it
    beside the Entity List, opens by saying so (and to screen it), not with a rule that lists
    other parties; a party a passage names as listed, added or removed, or the question asked
    with more, is left to the rules and the passages."""
    from assistant.answering.determination.listing import unlisted_party

    others = _p(
        2,
        "FR Doc. 2025-17893",
        "The ERC determined to add GMC Semiconductor Technology (Wuxi) Co., Ltd. to the Entity "
        "List. These entities acquired equipment for two Entity List parties, SMIC Northern "
        "Integrated Circuit Manufacturing (Beijing) Co., Ltd. and Semiconductor Manufacturing "
        "International (Beijing) Corporation. The ERC determined to remove Sandvine Incorporated "
        "from the Entity List.",
        "federal_register",
    )
    assert unlisted_party("Is Siemens on the Entity List?", [EL, others]) == "Siemens"
    assert unlisted_party("Is SMIC on the Entity List?", [EL, others]) is None
    assert unlisted_party("Is Sandvine on the Entity List?", [EL, others]) is None
    assert unlisted_party("Is GMC Semiconductor Technology on the Entity List?", [others]) is None
    assert unlisted_party("We sell to Siemens. Is it on the Entity List?", [EL, others]) is None
    assert unlisted_party("Is it on the Entity List?", [EL, others]) is None
    # in any case: a capitalised name, a news report's "an entity list"
    assert unlisted_party("Is SANDVINE on the Entity List?", [EL, others]) is None
    news = _p(3, "CPI Financial", "In May 2019, the US added Huawei to an entity list.", "article")
    assert unlisted_party("Is Huawei on the Entity List?", [EL, news]) is None

    answer = compose_extractive(
        "Is Siemens on the Entity List?",
        [EL, others],
        min_relevance=0.3,
        min_relevance_unknown_name=0.3,
    ).answer
    assert answer.startswith("**Not found in the corpus:** none of the Entity List additions")
    assert "screen Siemens against the current Consolidated Screening List" in answer
    assert "GMC Semiconductor" not in answer.splitlines()[0]

    # refused (a name no document mentions, no passage close enough), the refusal says so too
    refused = compose_extractive(
        "Is Siemens on the Entity List?",
        [EL, others],
        min_relevance=0.99,
        min_relevance_unknown_name=0.99,
        is_known=lambda _name: False,
    )
    assert refused.abstained
    assert refused.answer.startswith("The corpus does not cover this question. None of the Entity")
    assert "screen Siemens against the current Consolidated Screening List" in refused.answer
    assert not refused.citations
    # ... but not of a name the corpus mentions: passages too far to answer are no evidence
    # that no rule in it lists the party
    known = compose_extractive(
        "Is Siemens on the Entity List?",
        [],
        min_relevance=0.5,
        min_relevance_unknown_name=0.5,
        is_known=lambda _name: True,
    )
    assert known.abstained
    assert "Entity List additions" not in known.answer


@pytest.mark.parametrize(
    ("question", "paragraphs"),
    [
        ("Do we need a licence to ship 3A090 chips to Japan?", "3A090.a"),
        # the same ECCN's further paragraphs written short after the first ("z.2.a")
        (
            "Do we need a licence to export 3A001 ICs to Brazil?",
            "3A001.z.1.a, 3A001.z.2.a or 3A001.z.4.a",
        ),
        # a paragraph the question gives above the listed one
        ("Can we ship 3A001.z items to Brazil?", "3A001.z.1.a, 3A001.z.2.a or 3A001.z.4.a"),
        # ".d.16" after "or": the same ECCN again
        ("Can we ship 1C351 samples to a lab in Japan?", "1C351.d.15 or 1C351.d.16"),
        # only what lies within the question's paragraph (z.1 is not z.2.a)
        ("Can we ship 3A001.z.1 items to Brazil?", "3A001.z.1.a"),
    ],
)
def test_an_eccn_given_without_the_paragraph_a_worldwide_rule_lists_names_that_paragraph(
    question: str, paragraphs: str
) -> None:
    """ "3A090 chips to Japan": the chart decides most of 3A090, but 742.6(a)(6)(iii)(A) needs a
    licence for 3A090.a everywhere; the answer says so and asks which paragraph the item is."""
    chart = _p(120, "15 CFR 738.4(a)(2)", CHART_TEXT, "regulation")
    worldwide = _p(
        130,
        "15 CFR 742.6(a)(6)(iii)(A)",
        "( A ) Worldwide license requirement. A license is required to export, reexport, or "
        "transfer (in-country) items specified in ECCNs 3A001.z.1.a, z.2.a, z.4.a; 3A090.a; "
        "1C351.d.15 or .d.16; 4A090.a; or 5A992.z to any destination.",
        "regulation",
    )
    finding = determine(question, [worldwide], lookup=_SectionLookup([chart]))
    assert finding is not None and finding.rule == "Commerce Country Chart (15 CFR 738.4)"
    line = next(x for x in finding.lines if x.label == "Worldwide")
    assert line.text.startswith(f"items in {paragraphs} need a licence to every destination")
    assert line.basis[0].passage is worldwide
    assert finding.missing_facts[0] == f"whether the item is in {paragraphs}"


def _run_on_chunks() -> list[SearchResult]:
    """742.6(a)(6)(iii)(A) as the store holds it: one sentence over three chunks, only the first
    saying "A license is required"."""
    texts = [
        "( A ) Worldwide license requirement. A license is required to export, reexport, or "
        "transfer (in-country) items specified in ECCNs 3A001.z.1.a, z.2.a; 3A090.a; 4A090.a;",
        "4D090 (for “software” for commodities controlled by 4A090.a); 5A002.z.1.a, z.2.a;",
        "5A004.z.1.a, z.2.a; 5A992.z.1; 5D002.z.1.a, z.2.a, z.3.a;",
    ]
    chunks, at = [], 100
    for n, text in enumerate(texts):
        chunk = replace(
            _p(140 + n, "15 CFR 742.6(a)(6)(iii)(A)", text, "regulation"),
            doc_id="d742.6",
            start=at,
            end=at + len(text),
        )
        chunks.append(chunk)
        at += len(text) + 1
    return chunks


@pytest.mark.parametrize(
    ("question", "cited"),
    [
        # the item in the third chunk: the first (the requirement) and the third are cited
        ("Do we need a licence to export 5A992.z.1 items to Japan?", [0, 2]),
        # a paragraph written short ("z.3.a" after "5D002.z.1.a") in the third
        ("Do we need a licence to export 5D002.z.3.a software to Japan?", [0, 2]),
        # in the first: the first alone
        ("Do we need a licence to export 4A090.a computers to Japan?", [0]),
    ],
)
def test_a_worldwide_sentence_over_several_chunks_names_items_in_any_of_them(
    question: str, cited: list[int]
) -> None:
    chunks = _run_on_chunks()
    finding = determine(question, [chunks[0]], lookup=_SectionLookup(chunks))
    assert finding is not None and finding.outcome == "yes", finding
    line = finding.lines[0]
    assert [b.passage for b in line.basis] == [chunks[i] for i in cited]
    for b in line.basis:  # each basis is its chunk's part of the sentence, verbatim
        assert b.passage.text[b.start - b.passage.start : b.end - b.passage.start].strip()


@pytest.mark.parametrize(
    ("second", "gap"),
    [
        # the sentence goes on, but with an exception: not every destination
        ("5A992.z.1 to all destinations except Country Group A:1.", 1),
        # a new paragraph after a blank line, or opening with its designator, is not the sentence
        ("5A992.z.1 require a license to or within Country Group D:5.", 2),
        ("( 7 ) 5A992.z.1 require a license to or within Country Group D:5.", 1),
    ],
)
def test_what_follows_a_worldwide_sentence_is_read_on_only_as_that_sentence(
    second: str, gap: int
) -> None:
    first = _run_on_chunks()[0]
    after = replace(
        _p(150, "15 CFR 742.6(a)(6)(iii)(A)", second, "regulation"),
        doc_id="d742.6",
        start=first.end + gap,
        end=first.end + gap + len(second),
    )
    finding = determine(
        "Do we need a licence to export 5A992.z.1 items to Japan?",
        [first],
        lookup=_SectionLookup([first, after]),
    )
    assert finding is None or finding.outcome != "yes"


def test_the_chunk_cited_names_the_paragraph_itself_not_a_longer_one() -> None:
    chunks = _run_on_chunks()
    longer = replace(chunks[1], text=chunks[1].text.replace("5A002.z.1.a, z.2.a", "5A992.z.10"))
    longer = replace(longer, end=longer.start + len(longer.text))
    third = replace(chunks[2], start=longer.end + 1, end=longer.end + 1 + len(chunks[2].text))
    finding = determine(
        "Do we need a licence to export 5A992.z.1 items to Japan?",
        [chunks[0]],
        lookup=_SectionLookup([chunks[0], longer, third]),
    )
    assert finding is not None and finding.outcome == "yes"
    assert [b.passage for b in finding.lines[0].basis] == [chunks[0], third]


def test_an_eccn_named_only_in_a_later_chunk_gets_the_worldwide_line() -> None:
    chunks = _run_on_chunks()
    chart = _p(120, "15 CFR 738.4(a)(2)", CHART_TEXT, "regulation")
    finding = determine(
        "Can we ship 5A002 routers to Canada?",
        [chunks[0]],
        lookup=_SectionLookup([chart, *chunks]),
    )
    assert finding is not None and finding.outcome == "depends"
    line = next(x for x in finding.lines if x.label == "Worldwide")
    assert line.text.startswith("items in 5A002.z.1.a or 5A002.z.2.a need a licence")
    assert [b.passage for b in line.basis] == [chunks[0], chunks[1]]


def test_the_worldwide_rule_is_found_in_the_section_of_a_passage_naming_the_eccn() -> None:
    """A list naming many ECCNs ranks low for any one of them: no query for 4A090 brought
    742.6(a)(6)(iii)(A), where 4A090.a comes twelfth. A part 742 passage naming the ECCN sends
    the rule to read its section, where the worldwide sentence is."""
    chart = _p(120, "15 CFR 738.4(a)(2)", CHART_TEXT, "regulation")
    worldwide = _p(
        130,
        "15 CFR 742.6(a)(6)(iii)(A)",
        "( A ) Worldwide license requirement. A license is required to export, reexport, or "
        "transfer (in-country) items specified in ECCNs 3A001.z.1.a, z.2.a; 3A090.a; 4A003.z.1.a; "
        "4A090.a; or 5A992.z.1 to any destination.",
        "regulation",
    )
    mentions = _p(
        131,
        "15 CFR 742.6(a)(13)",
        "( 13 ) A license is required for the export of 4A090 items to Macau as set forth in "
        "this paragraph.",
        "regulation",
    )
    lookup = _SectionLookup([chart, mentions, worldwide])
    question = "Do we need a licence to export 4A090 computers to France?"
    finding = determine(question, [mentions], lookup=lookup)
    assert "742.6" in lookup.sections
    assert finding is not None
    line = next(x for x in finding.lines if x.label == "Worldwide")
    assert line.text.startswith("items in 4A090.a need a licence to every destination")
    assert finding.missing_facts[0] == "whether the item is in 4A090.a"
    # a passage of another part naming the ECCN sends no section read
    other = _p(
        132, "15 CFR 740.8(a)", "License Exception NAC authorizes 4A090 items.", "regulation"
    )
    lookup = _SectionLookup([chart, worldwide])
    finding = determine(question, [other], lookup=lookup)
    assert "742.6" not in lookup.sections


@pytest.mark.parametrize(
    "text",
    [
        # another ECCN's paragraphs only; a requirement with exceptions; not worldwide
        "( A ) Worldwide license requirement. A license is required to export items specified in "
        "ECCNs 4A090.a to any destination.",
        "( 3 ) A license is required to all destinations except those specified in Country Group "
        "A:1 for those items in ECCN 3A090.a.",
        "( B ) A license is required to export items specified in ECCNs 3A090.b to Country Groups "
        "D:1, D:4, or D:5.",
    ],
)
def test_no_worldwide_line_without_a_worldwide_rule_for_a_paragraph_of_that_eccn(
    text: str,
) -> None:
    chart = _p(120, "15 CFR 738.4(a)(2)", CHART_TEXT, "regulation")
    other = _p(131, "15 CFR 742.6(a)(6)(iii)", text, "regulation")
    finding = determine(
        "Do we need a licence to ship 3A090 chips to Japan?",
        [other],
        lookup=_SectionLookup([chart]),
    )
    assert finding is not None and finding.rule == "Commerce Country Chart (15 CFR 738.4)"
    assert all(x.label != "Worldwide" for x in finding.lines)


@pytest.mark.parametrize(
    ("question", "named"),
    [
        # the listed paragraph itself, given to its last level (and at a sentence's end)
        ("Can we ship 3A001.z.1.a items to Brazil?", "3A001.z.1.a"),
        ("Do we need a licence for 1C351.d.15 going to a lab in Japan?", "1C351.d.15"),
        ("Our chips are 3A001.z.2.a. Can they go to Brazil?", "3A001.z.2.a"),
        # an item of the listed paragraph: the paragraph as the sentence names it
        ("Do we need a licence to ship 3A090.a.1 chips to Japan?", "3A090.a"),
    ],
)
def test_an_item_in_a_paragraph_licensed_everywhere_needs_a_licence_at_any_depth(
    question: str, named: str
) -> None:
    from assistant.answering.determination.ccl import worldwide_ccl_rule

    worldwide = _p(
        130,
        "15 CFR 742.6(a)(6)(iii)(A)",
        "( A ) Worldwide license requirement. A license is required to export, reexport, or "
        "transfer (in-country) items specified in ECCNs 3A001.z.1.a, z.2.a, z.4.a; 3A090.a; "
        "1C351.d.15 or .d.16; 4A090.a; or 5A992.z to any destination.",
        "regulation",
    )
    finding = worldwide_ccl_rule(question, [worldwide], None)
    assert finding is not None and finding.outcome == "yes"
    assert f"items in ECCN {named} to every destination" in finding.lines[0].text


def test_an_eccn_named_for_some_of_it_only_is_not_licensed_everywhere() -> None:
    """ "3D001 (for “software” for commodities controlled by 3A001.z.1.a ...)": the worldwide
    requirement reaches that software only; "3D001 software" is not a "yes", and the answer
    names the part the requirement reaches as the fact to settle."""
    from assistant.answering.determination.ccl import worldwide_ccl_rule

    worldwide = _p(
        130,
        "15 CFR 742.6(a)(6)(iii)(A)",
        "( A ) Worldwide license requirement. A license is required to export, reexport, or "
        "transfer (in-country) items specified in ECCNs 3A001.z.1.a, z.2.a; 3A090.a; 3D001 (for "
        "“software” for commodities controlled by 3A001.z.1.a, z.2.a, or 3A090.a); or 4A090.a "
        "to any destination.",
        "regulation",
    )
    question = "Do we need a licence to export 3D001 software to Germany?"
    assert worldwide_ccl_rule(question, [worldwide], None) is None
    chart = _p(120, "15 CFR 738.4(a)(2)", CHART_TEXT, "regulation")
    finding = determine(question, [worldwide], lookup=_SectionLookup([chart]))
    assert finding is not None and finding.outcome == "depends"
    line = next(x for x in finding.lines if x.label == "Worldwide")
    assert line.text.startswith(
        "items in 3D001 (for “software” for commodities controlled by 3A001.z.1.a, z.2.a, or "
        "3A090.a) need a licence to every destination"
    )


@pytest.mark.parametrize(
    "text",
    [
        "( B ) A license is required to export items specified in ECCNs 3A090.a to any "
        "destination in Country Group D:5.",
        "( B ) A license is required to export items specified in ECCNs 3A090.a to all "
        "destinations other than Canada.",
        "( B ) A license is required for items in ECCN 3A090.a to any destination unless a "
        "License Exception applies.",
        "( B ) No license is required for items in ECCN 3A090.a to any destination.",
    ],
)
def test_a_requirement_narrowed_or_denied_is_not_a_worldwide_yes(text: str) -> None:
    from assistant.answering.determination.ccl import worldwide_ccl_rule

    sentence = _p(131, "15 CFR 742.6(a)(6)(iii)", text, "regulation")
    question = "Can we ship 3A090.a chips to Germany?"
    assert worldwide_ccl_rule(question, [sentence], None) is None

"""Under a bottom line quoting the rule that added the question's party to the Entity List, the
answer quotes what that rule says the listing requires of that party: its licence requirement
and review policy, and what its footnote designation reaches. Never another party's policy,
and never for a sentence recalling an earlier listing or a brand word shared by a group."""

from __future__ import annotations

from assistant.answering.extractive import compose_extractive
from assistant.answering.listed_names import named_whole
from assistant.models import SearchResult
from tests.support.passages import ChunkLookup, section_chunk

CITATION = "FR Doc. 2024-29136"
ADDS = (
    "The ERC determined to add Beijing Zhongdun Security Technology Group Co., Ltd. and Zhejiang "
    "Uniview Technologies Co., Ltd., under the destination of China, to the Entity List."
)
WHY = (
    " Zhejiang Uniview Technologies Co., Ltd. is being added because it enables human rights "
    "violations."
)
POLICY = (
    " Licenses to export, reexport or transfer (in-country) items subject to the EAR to both of "
    "these entities will be required for all items subject to the EAR, and license applications "
    "will be reviewed with a license review policy of presumption of denial."
)
OTHER = (
    "\n\nThe ERC determined to add Aviasnab LLC, under the destination of Russia, to the Entity "
    "List. Applications for Aviasnab LLC will be reviewed on a case-by-case basis."
)
APPROVED = (
    "The ERC approved the addition of Sophgo Technologies Ltd. and Wuxi Sophgo Technology Co., "
    "Ltd. under the destination of China; and Sophgo Technologies Pte. Ltd. under the "
    "destination of Singapore to the Entity List. For all of these entities, BIS imposes a "
    "license requirement for all items subject to the EAR, and a license review policy of a "
    "presumption of denial. The footnote 4 designation means that “items subject to the EAR,” "
    "for the purpose of the license requirements for these entries, includes foreign-produced "
    "items that are subject to the EAR pursuant to § 734.9(e)(2) of the EAR."
)
RECALLS = (
    "That final rule amended supplement no. 4 to part 744 by adding a new entry for Zhejiang "
    "Uniview Technologies Co., Ltd. under China, to the Entity List." + POLICY
)


def _rule(text: str) -> SearchResult:
    chunk = section_chunk(0, text, 500, CITATION, "fr-2024-29136")
    chunk.metadata["doc_type"] = "federal_register"
    return chunk


def _answer(question: str, text: str) -> tuple[str, list[tuple[str, str]]]:
    """The answer, and each citation's quote beside the rule's text at its span."""
    rule = _rule(text)
    answer = compose_extractive(
        question,
        [rule],
        min_relevance=0.0,
        min_relevance_unknown_name=0.0,
        lookup=ChunkLookup([rule]),
    )
    spans = [(c.quote, text[c.start - rule.start : c.end - rule.start]) for c in answer.citations]
    return answer.answer, spans


def _line(answer: str, label: str) -> str | None:
    return next((ln for ln in answer.splitlines() if ln.startswith(f"{label}: ")), None)


def test_the_listing_rule_s_policy_for_the_party_follows_the_bottom_line() -> None:
    answer, spans = _answer(
        "When was Zhejiang Uniview added to the Entity List, and why?", ADDS + WHY + POLICY
    )
    assert answer.startswith(f"{CITATION}: **The ERC determined to add")
    line = _line(answer, "Review policy")
    assert line is not None and "presumption of denial" in line
    assert line.startswith(f"Review policy: {CITATION}: “Licenses to export")
    assert all(quote == stored for quote, stored in spans)  # every quote is the rule's text


def test_another_party_s_policy_in_the_same_rule_is_not_given() -> None:
    answer, _ = _answer("Why was Zhejiang Uniview added to the Entity List?", ADDS + WHY + OTHER)
    assert _line(answer, "Review policy") is None
    answer, _ = _answer("Why was Aviasnab LLC added to the Entity List?", ADDS + WHY + OTHER)
    line = _line(answer, "Review policy")
    assert line is not None and "case-by-case" in line


def test_an_approved_addition_gives_policy_and_foreign_made_items() -> None:
    answer, spans = _answer("Is Sophgo Technologies Pte. Ltd. listed?", APPROVED)
    assert "presumption of denial" in (_line(answer, "Review policy") or "")
    assert "§ 734.9(e)(2)" in (_line(answer, "Foreign-made items") or "")
    assert all(quote == stored for quote, stored in spans)


def test_no_policy_line_for_a_recalled_listing_or_a_group_s_brand_word() -> None:
    answer, _ = _answer("When was Zhejiang Uniview added to the Entity List?", RECALLS)
    assert _line(answer, "Review policy") is None
    # ("Sophgo" is the brand of every company the rule adds: whose policy is asked is unknown)
    answer, _ = _answer("Why was Sophgo restricted?", APPROVED)
    assert _line(answer, "Review policy") is None


def test_a_name_of_two_words_may_leave_out_generic_words_before_the_company_form() -> None:
    assert named_whole(ADDS, "Zhejiang Uniview")
    assert named_whole(ADDS, "Beijing Zhongdun")
    assert not named_whole(ADDS, "Uniview")
    assert not named_whole(APPROVED, "Sophgo")
    assert named_whole(APPROVED, "Sophgo Technologies Pte")


TWO_PARTIES = (
    "The ERC determined to add Agrim Aviation Private Limited, under the destination of India, "
    "to the Entity List. It is added with a license review policy of presumption of denial."
    "\n\nThe ERC determined to add Supra Tech Sdn Bhd, under the destination of Malaysia, to the "
    "Entity List. It is added with a license review policy of denial. A footnote 3 designation "
    "subjects this entity to the Russia/Belarus-Military End User and Procurement Foreign Direct "
    "Product (FDP) rule, detailed in § 734.9(g)."
)


def test_a_question_about_two_parties_never_gets_one_s_policy_under_the_other_s_addition() -> None:
    """A review found Supra Tech's footnote 3 shown under Agrim Aviation's addition."""
    for question in (
        "Why were Agrim Aviation and Supra Tech added to the Entity List?",
        "Why were Supra Tech and Agrim Aviation added to the Entity List?",
    ):
        answer, _ = _answer(question, TWO_PARTIES)
        lead = answer.splitlines()[0]
        policy = _line(answer, "Review policy")
        footnote = _line(answer, "Foreign-made items")
        if "Agrim" in lead:
            assert policy is None or "presumption of denial" in policy
            assert footnote is None
        else:
            assert policy is None or "presumption" not in policy


def test_an_addition_to_another_list_names_no_party_added_to_the_entity_list() -> None:
    from assistant.answering.listed_names import names_added

    assert names_added(
        "In conjunction with OFAC's addition of Acme Trading Co., Ltd. to the SDN List, BIS is "
        "adding Beta Electronics Ltd. to the Entity List."
    ) == ["Beta Electronics", "Beta"]
    assert not names_added(
        "Following the addition of Acme Trading Co. to the Unverified List, BIS may consider "
        "adding the party to the Entity List."
    )
    assert names_added(
        "In addition of Acme Trading Co., the ERC determined to add Beta Ltd. to the Entity List."
    ) == ["Beta"]


def test_a_recalled_addition_is_not_the_rule_s_own() -> None:
    recalled = (
        "In a final rule published on January 16, 2025, the ERC approved the addition of Kestrel "
        "Avionics Technology Co., Ltd. to the Entity List. Licenses will be reviewed under a "
        "presumption of denial."
    )
    answer, _ = _answer("Why was Kestrel Avionics Technology Co., Ltd. listed?", recalled)
    assert _line(answer, "Review policy") is None


def test_generic_words_are_skipped_only_up_to_a_company_form() -> None:
    assert not named_whole(
        "On May 16, 2019, Kestrel Avionics Research Institute and two other entities were added.",
        "Kestrel Avionics",
    )
    assert named_whole("add Kestrel Avionics Technology Co., Ltd. to the list", "Kestrel Avionics")


def test_a_year_in_a_party_s_name_is_no_recollection() -> None:
    """ "TG Training 2023 FZCO" is a name: the rule adding it is still its listing."""
    adds = (
        "The ERC determined to add TG Training 2023 FZCO, under the destination of the United "
        "Arab Emirates, to the Entity List. For this entity, BIS imposes a license requirement "
        "for all items subject to the EAR and will review applications under a presumption of "
        "denial."
    )
    answer, _ = _answer("Why was TG Training 2023 FZCO added to the Entity List?", adds)
    assert "presumption of denial" in (_line(answer, "Review policy") or "")

"""A support line does not repeat the bottom line: a provision that opens with the bottom
line's sentence and goes on is quoted from where the bottom line ends. A provision that puts a
heading before it, or that the bottom line introduces as a list, is kept whole: the heading
may say what the sentence does not ("(ii) Cambodia."), and a list read without its stem may
read backwards."""

from __future__ import annotations

from dataclasses import replace

from assistant.answering.extractive import compose_extractive
from tests.support.passages import ChunkLookup, regulation_passage, section_chunk

POLICY = "Applications for such licenses will generally be denied to all destinations."
AFTER = "Each application is reviewed by the Departments of State and Defense."
REQUIREMENT = (
    "(a) *License requirements.* A license is required to export any implement of torture to "
    "all destinations, including Canada."
)


def _answer(question: str, citation: str, text: str, lead: str) -> str:
    """The answer to `question` from a passage of `text` under `citation` and 742.11(a), its
    bottom line holding `lead`."""
    passages = [
        regulation_passage(1, citation, text, similarity=0.8),
        regulation_passage(2, "15 CFR 742.11(a)", REQUIREMENT, similarity=0.6),
    ]
    answer = compose_extractive(
        question, passages, min_relevance=0.1, min_relevance_unknown_name=0.1
    ).answer
    assert lead in answer.split("\n", 1)[0], answer
    return answer


def test_a_heading_before_the_bottom_line_keeps_the_line_whole() -> None:
    """ "What is License Exception LVS?": the bottom line is the scope sentence, read from the
    section; the passage retrieval brought is that sentence under "( a ) Scope." (the eCFR
    text's own spacing)."""
    scope = (
        "( a ) Scope. License Exception LVS authorizes the export and reexport in a single "
        "shipment of eligible commodities as identified by “LVS - $(value limit)” on the CCL."
    )
    title = "§ 740.3 Shipments of limited value (LVS)."
    chunk = section_chunk(1, scope, 0, "15 CFR 740.3(a)", "15-cfr-740.3", title)
    other = section_chunk(2, REQUIREMENT, 0, "15 CFR 742.11(a)", "15-cfr-742.11", "§ 742.11")
    passages = [replace(p, similarity=0.7, score=0.7) for p in (chunk, other)]
    text = compose_extractive(
        "What is License Exception LVS?",
        passages,
        min_relevance=0.1,
        min_relevance_unknown_name=0.1,
        lookup=ChunkLookup([chunk]),
    ).answer
    assert text.startswith("15 CFR 740.3(a): **License Exception LVS authorizes"), text
    assert "): (a) Scope. License Exception LVS authorizes" in text, text


def test_a_provision_going_on_past_the_bottom_line_is_quoted_from_there() -> None:
    text = _answer(
        "Will applications for such licenses be denied?",
        "15 CFR 742.11(b)",
        f"(b) *Licensing policy.* {POLICY} {AFTER}",
        POLICY,
    )
    assert text.count("generally be denied") == 1, text
    assert f"- 15 CFR 742.11(b): {AFTER} [2]" in text, text


def test_a_bottom_line_introducing_a_list_keeps_the_line_whole() -> None:
    stem = "The following changes do not require a replacement license."
    items = "(i) Decrease in unit price; (ii) Increase in price up to 25 percent."
    text = _answer(
        "Which changes do not require a replacement license?",
        "15 CFR 750.7(c)",
        f"{stem} {items}",
        stem,
    )
    assert f"- 15 CFR 750.7(c): {stem} {items} [" in text, text

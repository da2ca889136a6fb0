"""News and republished official text are marked secondary wherever a citation is shown."""

from __future__ import annotations

from assistant.answering.extractive import compose_extractive
from assistant.models import SearchResult, is_secondary

TEXT = (
    "BIS has also announced that it will extend the Temporary General License authorizing "
    "specific, limited engagements in transactions involving Huawei. This license will be "
    "effective on August 19, 2019 and last an additional 90 days."
)


def _passage(doc_type: str, citation: str) -> SearchResult:
    return SearchResult(
        chunk_id="c1",
        doc_id="d1",
        source_path="press_release/x.txt",
        citation=citation,
        title="Commerce extends the Temporary General License",
        text=TEXT,
        start=0,
        end=len(TEXT),
        score=1.0,
        metadata={"doc_type": doc_type, "citation": citation},
        similarity=0.8,
    )


def test_which_sources_are_secondary() -> None:
    assert is_secondary("news", "CPI Financial, 24 November 2019")
    assert is_secondary("article", "Reuters")
    assert is_secondary(
        "press_release", "U.S. Department of Commerce press release (as republished by EMSNow)"
    )
    assert not is_secondary("press_release", "BIS press release, Aug. 19, 2019")
    assert not is_secondary("regulation", "15 CFR 744.11(a)")
    assert not is_secondary("federal_register", "84 FR 43487")


def test_a_republished_release_is_cited_and_labelled_secondary() -> None:
    citation = "U.S. Department of Commerce press release, Aug. 19, 2019 (as republished by EMSNow)"
    answer = compose_extractive(
        "How long was the Huawei temporary general license extended in August 2019?",
        [_passage("press_release", citation)],
        min_relevance=0.1,
        min_relevance_unknown_name=0.1,
    )
    assert not answer.abstained and answer.citations
    assert all(c.secondary and c.authority == "guidance" for c in answer.citations)
    assert f"{citation} (secondary source):" in answer.answer

    own = compose_extractive(
        "How long was the Huawei temporary general license extended in August 2019?",
        [_passage("press_release", "BIS press release, Aug. 19, 2019")],
        min_relevance=0.1,
        min_relevance_unknown_name=0.1,
    )
    assert own.citations and not any(c.secondary for c in own.citations)
    assert "(secondary source)" not in own.answer

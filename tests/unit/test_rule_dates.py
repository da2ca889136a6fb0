"""Asked when a rule did what the bottom line quotes, the answer gives that rule's own
effective-date sentence, cited; never for a sentence recalling an earlier rule's action, nor
when the quoted sentence dates what it says."""

from __future__ import annotations

from assistant.answering.extractive import compose_extractive
from assistant.models import SearchResult
from tests.support.passages import ChunkLookup, section_chunk

DOC = "fr-2024-29136"
CITATION = "FR Doc. 2024-29136"
DATE = "This rule is effective December 11, 2024."
ADDS = (
    "The ERC determined to add Beijing Zhongdun Security Technology Group Co., Ltd. and Zhejiang "
    "Uniview Technologies Co., Ltd., under the destination of China, to the Entity List."
)
RECALLS = (
    "That final rule amended supplement no. 4 to part 744 by adding a new entry for Zhejiang "
    "Uniview Technologies Co., Ltd. under China."
)
EARLIER = "Prior to this final rule, BIS had added these entities under another destination."
STANDING = (
    "The EAR imposes additional license requirements on, and limits the availability of most "
    "license exceptions for, exports when a listed entity is a party."
)
DATED = (
    "On May 16, 2019, the ERC determined to add Huawei Technologies Co., Ltd. to the Entity List."
)


def _rule(lead: str) -> list[SearchResult]:
    """The rule's chunks in order: its date line first, the quoted sentence later."""
    chunks = []
    for n, text in enumerate([DATE, lead]):
        chunk = section_chunk(n, text, n * 400, CITATION, DOC)
        chunk.metadata["doc_type"] = "federal_register"
        chunks.append(chunk)
    return chunks


def _answer(question: str, lead: str) -> str:
    chunks = _rule(lead)
    return compose_extractive(
        question,
        [chunks[1]],
        min_relevance=0.0,
        min_relevance_unknown_name=0.0,
        lookup=ChunkLookup(chunks),
    ).answer


def test_when_a_rule_added_a_party_its_effective_date_follows_the_bottom_line() -> None:
    answer = _answer("When was Zhejiang Uniview added to the Entity List, and why?", ADDS)
    lines = answer.splitlines()
    assert lines[0].startswith(f"{CITATION}: **The ERC determined to add")
    assert lines[1] == f"Effective: {CITATION}: “{DATE}” [2]"


def test_no_date_line_for_another_question_a_recollection_or_a_dated_sentence() -> None:
    assert "Effective:" not in _answer("Why was Zhejiang Uniview added to the Entity List?", ADDS)
    # (not the date of a removal, nor for a "when" that is a condition)
    assert "Effective:" not in _answer("When was Zhejiang Uniview removed from the list?", ADDS)
    assert "Effective:" not in _answer(
        "When an entity is added to the Entity List, what does the EAR require?", ADDS
    )
    # (this rule's date is not when an earlier rule added the party, nor standing law's)
    assert "Effective:" not in _answer(
        "When was Zhejiang Uniview added to the Entity List?", RECALLS
    )
    assert "Effective:" not in _answer("When were these requirements added?", STANDING)
    assert "Effective:" not in _answer("When were these entities added to the list?", EARLIER)
    assert "Effective:" not in _answer("When was the Huawei listing announced?", DATED)

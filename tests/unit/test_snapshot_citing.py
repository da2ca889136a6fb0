"""`CorpusSnapshot.citing` finds the rows a legal reference may match from an index of the
citations, not a pass over every chunk: it must hold every row `reference_match` matches (it
may hold more; the retriever checks each), and few others."""

from __future__ import annotations

from assistant.index.snapshot import CorpusSnapshot
from assistant.retrieval.references import legal_references
from assistant.retrieval.scoring import reference_match

CITATIONS = [
    "15 CFR 744.11(a)(1)",
    "15 CFR 744.11",
    "15 CFR 744.1",
    "15 CFR 1744.11",
    "15 CFR 744.11a",
    "15 CFR 740.17(b)(3)",
    "15 CFR 740.9(a)(2)(i)",
    "84 FR 22961",
    "184 FR 22961",
    "Federal Register 84 FR 43487, May 21, 2019",
    "",
    "Supplement No. 4 to part 744",
]
QUESTIONS = [
    "What does 744.11 require?",
    "Is 744.11(a)(1) stayed?",
    "§ 740.17 (b) (3) mass market",
    "What did 84 FR 22961 add?",
    "84FR43487 and 740.9(a)",
    "no reference at all",
]


def test_citing_holds_every_matching_row_and_few_others() -> None:
    metas = [{"citation": c, "doc_id": f"d{i}"} for i, c in enumerate(CITATIONS)]
    index = CorpusSnapshot([f"c{i:02d}" for i in range(len(metas))], [""] * len(metas), metas, "v")
    for question in QUESTIONS:
        refs = legal_references(question)
        matching = [i for i, c in enumerate(CITATIONS) if reference_match(c, refs) > 0]
        found = index.citing(refs)
        assert set(matching) <= set(found), question
        assert found == sorted(found)
        assert len(found) <= len(matching) + 3, (question, found)
    assert index.citing([]) == []


def test_a_section_reference_looks_at_that_section_alone() -> None:
    """A large corpus holds tens of thousands of chunks in one part: a question naming a
    section is matched against that section's chunks, not the part's."""
    citations = ["15 CFR 762.7", "15 CFR 762.7(a)(1)", "15 CFR 762.70(b)", "15 CFR 762.1"]
    metas = [{"citation": c, "doc_id": f"d{i}"} for i, c in enumerate(citations)]
    index = CorpusSnapshot([f"c{i}" for i in range(len(metas))], [""] * len(metas), metas, "v")
    assert index.citing(["762.7"]) == index.citing(["762.7(a)"]) == [0, 1]
    assert index.citing(["762.1", "762.70(b)(2)"]) == [2, 3]

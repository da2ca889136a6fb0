"""`Retriever.section`: a section's chunks the caller may read, in the section's own order, for
the determination rules that quote what a section says about exceptions and review policy."""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from assistant.index.snapshot import CorpusSnapshot
from assistant.index.store import Store
from assistant.models import Filters
from assistant.retrieval.retriever import Retriever

ROWS = [
    # (chunk id, citation, start, doc_type, groups)
    ("a-3", "15 CFR 746.2(c)", 900, "regulation", ["public"]),
    ("a-1", "15 CFR 746.2", 0, "regulation", ["public"]),
    ("a-2", "15 CFR 746.2(b)", 450, "regulation", ["public"]),
    ("b-1", "15 CFR 746.20", 0, "regulation", ["public"]),  # another section
    ("c-1", "15 CFR 744.11(a)", 0, "regulation", ["public"]),  # cites nothing of 746.2
    ("f-1", "84 FR 22961", 0, "federal_register", ["public"]),  # not the section's text
    ("m-1", "15 CFR 746.2(d)", 1200, "regulation", ["legal"]),  # unreadable to the public
]


def _meta(cid: str, citation: str, start: int, doc_type: str, groups: list[str]) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "doc_id": cid.split("-")[0],
        "citation": citation,
        "doc_type": doc_type,
        "access": ",".join(groups),
        "start": start,
        "end": start + 100,
    }
    meta.update({f"access_{g}": True for g in groups})
    return meta


def _index() -> CorpusSnapshot:
    vectors = np.eye(len(ROWS), 8, dtype=np.float32)
    return CorpusSnapshot(
        [r[0] for r in ROWS],
        [f"text of {r[1]}" for r in ROWS],
        [_meta(*r) for r in ROWS],
        "v1",
        vectors,
    )


def _section(groups: list[str] | None, limit: int = 40) -> list[str]:
    retriever = Retriever(cast(Store, None))  # `index` is given: the store is never read
    found = retriever.section("746.2", Filters(groups=groups), _index(), limit)
    return [r.citation for r in found]


def test_a_section_comes_whole_and_in_its_own_order() -> None:
    assert _section(["public"]) == ["15 CFR 746.2", "15 CFR 746.2(b)", "15 CFR 746.2(c)"]


def test_a_section_holds_only_what_the_caller_may_read() -> None:
    assert "15 CFR 746.2(d)" not in _section(["public"])
    assert _section(["legal"]) == ["15 CFR 746.2(d)"]
    assert _section(["public", "legal"])[-1] == "15 CFR 746.2(d)"


def test_the_limit_keeps_the_sections_opening() -> None:
    assert _section(["public"], limit=2) == ["15 CFR 746.2", "15 CFR 746.2(b)"]


DOCUMENT_ROWS = [
    ("g-2", "FR Doc. 2025-19508", 700, "federal_register", ["public"]),
    ("g-1", "FR Doc. 2025-19508", 0, "federal_register", ["public"]),
    ("g-3", "FR Doc. 2025-19508", 1400, "federal_register", ["legal"]),
    ("h-1", "FR Doc. 2025-1950", 0, "federal_register", ["public"]),  # another document
    ("i-1", "15 CFR 744.11(a)", 0, "regulation", ["public"]),
]


def test_a_rules_document_comes_in_its_own_order_and_only_as_the_caller_may_read_it() -> None:
    """`Retriever.document`: what a Federal Register rule says after it adds a party may be in
    its next chunk, which the determination reads on into."""
    rows = DOCUMENT_ROWS
    index = CorpusSnapshot(
        [r[0] for r in rows],
        ["Sisdoz Aritma", "Royal Impact", "Zorblax Widgets", "Arrow China", "license"],
        [_meta(*r) for r in rows],
        "v1",
        np.eye(len(rows), 8, dtype=np.float32),
    )
    retriever = Retriever(cast(Store, None))
    public = retriever.document("FR Doc. 2025-19508", Filters(groups=["public"]), index)
    assert [r.chunk_id for r in public] == ["g-1", "g-2"]
    both = retriever.document("FR Doc. 2025-19508", Filters(groups=["public", "legal"]), index)
    assert [r.chunk_id for r in both] == ["g-1", "g-2", "g-3"]
    # the words of a name alone rank the chunk that holds them
    found = retriever.matching("Royal Impact Trading", 1, Filters(groups=["public"]), index)
    assert [r.chunk_id for r in found] == ["g-1"]  # (g-1 holds "Royal Impact")
    assert retriever.matching("Zorblax", 1, Filters(groups=["public"]), index) == []

"""Stored document texts for citation checks: read once per document version."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.index.document_texts import DocumentTexts


class _Store:
    """Stands in for `Store.document_texts`: the texts it holds now, and the reads it served."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.texts = texts
        self.reads: list[list[str]] = []

    def read(self, doc_ids: Sequence[str]) -> dict[str, str]:
        self.reads.append(list(doc_ids))
        return {d: self.texts[d] for d in doc_ids if d in self.texts}


def test_a_document_version_is_read_once_and_a_new_version_is_read_again() -> None:
    store = _Store({"a": "text A1", "b": "text B"})
    texts = DocumentTexts(store.read)
    assert texts.get(["a", "b"], {"a": "h1", "b": "h2"}) == {"a": "text A1", "b": "text B"}
    assert texts.get(["a", "b"], {"a": "h1", "b": "h2"}) == {"a": "text A1", "b": "text B"}
    assert store.reads == [["a", "b"]]  # the second answer read nothing
    # the document is re-ingested: the snapshot now serves its new hash
    store.texts["a"] = "text A2"
    assert texts.get(["a"], {"a": "h3"}) == {"a": "text A2"}
    assert store.reads[-1] == ["a"]


def test_a_document_served_without_a_hash_is_read_every_time_and_absent_ones_stay_absent() -> None:
    store = _Store({"legacy": "old text"})
    texts = DocumentTexts(store.read)
    for _ in range(2):
        assert texts.get(["legacy", "gone"], {"legacy": None, "gone": "h9"}) == {
            "legacy": "old text"
        }
    assert store.reads == [["legacy", "gone"], ["legacy", "gone"]]


def test_the_cache_keeps_at_most_its_limit_of_documents() -> None:
    store = _Store({f"d{i}": f"text {i}" for i in range(5)})
    texts = DocumentTexts(store.read, limit=2)
    served = {f"d{i}": "h" for i in range(5)}
    for i in range(5):
        texts.get([f"d{i}"], served)
    texts.get(["d4", "d3", "d0"], served)  # the two newest are kept, the oldest was dropped
    assert store.reads[-1] == ["d0"]

"""Retrieved passages for unit tests of the answer rules: a whole chunk of one document."""

from __future__ import annotations

from assistant.models import SearchResult


def regulation_passage(
    n: int, citation: str, text: str, similarity: float = 0.6, doc_type: str = "regulation"
) -> SearchResult:
    """Passage `n` (chunk "c<n>" of document "d<n:02d>") holding `text` whole."""
    return SearchResult(
        chunk_id=f"c{n}",
        doc_id=f"d{n:02d}",
        source_path=f"p{n}",
        citation=citation,
        title="",
        text=text,
        start=0,
        end=len(text),
        score=similarity,
        metadata={"doc_type": doc_type},
        similarity=similarity,
    )


def section_chunk(
    n: int, text: str, start: int, citation: str, doc_id: str, title: str = ""
) -> SearchResult:
    """Chunk "c<n>" of regulation document `doc_id`, holding `text` from document offset
    `start`: one of a section's chunks in order, as the section reader returns them."""
    return SearchResult(
        chunk_id=f"c{n}",
        doc_id=doc_id,
        source_path="p",
        citation=citation,
        title=title,
        text=text,
        start=start,
        end=start + len(text),
        score=0.0,
        metadata={"doc_type": "regulation"},
    )


class ChunkLookup:
    """The service's lookup over a fixed list of chunks: a query finds nothing; a section
    (`CachedLookup.section`) or a document (`CachedLookup.document`) is read whole, in the
    list's order, as the answer rules that read around a passage expect."""

    def __init__(self, chunks: list[SearchResult]) -> None:
        self.chunks = chunks

    def __call__(self, query: str) -> list[SearchResult]:
        return []

    def section(self, section: str) -> list[SearchResult]:
        return [
            c
            for c in self.chunks
            if c.citation == f"15 CFR {section}" or c.citation.startswith(f"15 CFR {section}(")
        ]

    def document(self, citation: str) -> list[SearchResult]:
        return [c for c in self.chunks if c.citation == citation]

"""Finding the passages for a question.

Today: dense retrieval over Chroma with metadata filters. The hybrid (BM25 + fusion) retriever
of the cited-answers work extends this module; callers only see `search()` and `SearchResult`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.embeddings import embed_query
from assistant.store import Store


@dataclass(frozen=True)
class SearchResult:
    chunk_id: str
    doc_id: str
    source_path: str
    citation: str
    title: str
    text: str
    start: int
    end: int
    score: float
    metadata: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "source_path": self.source_path,
            "citation": self.citation,
            "title": self.title,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
            "source_url": self.metadata.get("source_url"),
            "date": self.metadata.get("date"),
            "doc_type": self.metadata.get("doc_type"),
        }


def build_where(
    doc_types: list[str] | None = None, groups: list[str] | None = None
) -> dict[str, Any] | None:
    """A Chroma filter: any of the doc types, and any of the caller's access groups."""
    clauses: list[dict[str, Any]] = []
    if doc_types:
        clauses.append({"doc_type": {"$in": list(doc_types)}})
    if groups:
        ors = [{f"access_{g}": True} for g in groups]
        clauses.append(ors[0] if len(ors) == 1 else {"$or": ors})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def search(
    store: Store,
    query: str,
    k: int = 5,
    doc_types: list[str] | None = None,
    groups: list[str] | None = None,
) -> list[SearchResult]:
    """Dense top-k chunks for a query, best first."""
    hits = store.query(embed_query(query), k, where=build_where(doc_types, groups))
    return [
        SearchResult(
            chunk_id=cid,
            doc_id=str(meta.get("doc_id", "")),
            source_path=str(meta.get("source_path", "")),
            citation=str(meta.get("citation", "")),
            title=str(meta.get("title", "")),
            text=text,
            start=int(meta.get("start", 0)),
            end=int(meta.get("end", 0)),
            score=score,
            metadata=meta,
        )
        for cid, text, meta, score in hits
    ]

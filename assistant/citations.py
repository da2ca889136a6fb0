"""Citations and their verification: a quote is only ever what the store holds at its span.

Legal reviewers check every cited passage, so a citation that cannot be verified is dropped, not
shown: `verify()` is the one place that decides.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, Field


class Citation(BaseModel):
    """One cited passage, checkable by anyone: quote == document_text[start:end]."""

    n: int = Field(ge=1, description="The [n] marker used in the answer text.")
    chunk_id: str
    doc_id: str
    title: str = ""
    citation: str = Field(description='Legal citation, e.g. "15 CFR 744.11(a)".')
    source_url: str | None = None
    date: str | None = None
    doc_type: str | None = None
    quote: str = Field(description="Verbatim text of the document at [start, end).")
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    score: float = 0.0


class Claim(BaseModel):
    """A sentence of the answer and the passages it cites; unsupported when it cites none."""

    text: str
    citations: list[int] = Field(default_factory=list)
    supported: bool = True


def verify(citation: Citation, document_text: str | None) -> bool:
    """True when the quote is exactly the stored text at its span."""
    if document_text is None or citation.end <= citation.start:
        return False
    return document_text[citation.start : citation.end] == citation.quote


def keep_verified(
    citations: list[Citation], text_of: Callable[[str], str | None]
) -> list[Citation]:
    """The citations whose quotes match the store; `text_of(doc_id)` returns the stored text."""
    cache: dict[str, str | None] = {}
    kept = []
    for c in citations:
        if c.doc_id not in cache:
            cache[c.doc_id] = text_of(c.doc_id)
        if verify(c, cache[c.doc_id]):
            kept.append(c)
    return kept

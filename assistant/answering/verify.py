"""Citations and their verification: a quote is only ever what the store holds at its span.

Legal reviewers check every cited passage, so a citation that cannot be verified is dropped, not
shown: `verify()` is the one place that decides.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.models import Citation


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

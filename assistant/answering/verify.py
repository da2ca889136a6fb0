"""Citations and their verification: a quote is only ever what the store holds at its span.

Legal reviewers check every cited passage, so a citation that cannot be verified is dropped, not
shown: `verify()` is the one place that decides.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assistant.answering.extractive import keep_cited
from assistant.models import Answer, Citation, SearchResult, not_covered


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


def verified_passages(
    passages: Sequence[SearchResult], text_of: Callable[[str], str | None]
) -> set[int]:
    """The numbers (1..k) of the passages whose text is what the store holds at their span:
    the only ones a model's marker may cite."""
    cites = [p.cite(n) for n, p in enumerate(passages, start=1)]
    return {c.n for c in keep_verified(cites, text_of)}


def verified_extractive(answer: Answer, text_of: Callable[[str], str | None]) -> Answer:
    """The extractive answer without any citation whose quote is not the stored text at its
    span: its line and claim go too, and the numbers close up (nothing verified: it abstains).
    LLM answers are checked sentence by sentence while they stream (llm/check.py)."""
    if answer.abstained:
        return answer
    kept = keep_verified(answer.citations, text_of)
    if not kept:
        return not_covered()
    return answer if len(kept) == len(answer.citations) else keep_cited(answer, kept)

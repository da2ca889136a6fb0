"""One answer's audit line as the answering service writes it, bounded whatever was asked.

The question and the standalone question are at most MAX_QUESTION_CHARS each, the answer text at
most AUDIT_ANSWER_CHARS (a longer one is cut, with its full length and SHA-256 beside it), each
filter value at most AUDIT_VALUE_CHARS. With at most 8 citations a line stays under 32 KB of
ASCII text (JSON escapes can make it up to six times that for text that is all non-ASCII).
`audit.py` keeps the record's shape and the file; this module decides what of a request goes in.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from assistant.access import Caller
from assistant.answering.audit import audit_record
from assistant.answering.conversation import MAX_QUESTION_CHARS
from assistant.config import Settings
from assistant.models import Answer, Filters

AUDIT_ANSWER_CHARS = 20_000
AUDIT_VALUE_CHARS = 100


def answer_record(
    answer: Answer,
    *,
    caller: Caller,
    question: str,
    filters: Filters | None,
    as_of: date | None,
    corpus_version: str,
    settings: Settings,
    **extra: object,
) -> dict[str, Any]:
    """The audit line of `answer`, given to `caller` for `question` with the request's own
    `filters` and `as_of` (the caller's groups are logged apart)."""
    bounded, cut = _bounded(answer)
    return audit_record(
        bounded,
        caller=caller.name,
        surface=caller.surface,
        route=caller.route,
        client_hint=caller.client_hint,
        groups=list(caller.groups) if caller.groups is not None else None,
        question=question,
        corpus_version=corpus_version,
        settings=settings,
        extra={
            **_filters_record(filters),
            "as_of": as_of.isoformat() if as_of else None,
            **cut,
            **extra,
        },
    )


def _filters_record(filters: Filters | None) -> dict[str, object]:
    """The request's own filters, for the audit line."""
    if filters is None:
        return {"filters": None}
    return {
        "filters": {
            "doc_types": [t[:AUDIT_VALUE_CHARS] for t in filters.doc_types[:20]]
            if filters.doc_types is not None
            else None,
            "date_from": filters.date_from.isoformat() if filters.date_from else None,
            "date_to": filters.date_to.isoformat() if filters.date_to else None,
        }
    }


def _bounded(answer: Answer) -> tuple[Answer, dict[str, object]]:
    """The answer as the audit line records it, bounded (see AUDIT_ANSWER_CHARS), and what
    says so when it had to be cut: the full text's length and SHA-256."""
    text, cut = answer.answer, {}
    if len(text) > AUDIT_ANSWER_CHARS:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        cut = {"answer_chars": len(text), "answer_sha256": digest}
        text = text[:AUDIT_ANSWER_CHARS]
    standalone = answer.question[:MAX_QUESTION_CHARS] if answer.question else answer.question
    return answer.model_copy(update={"answer": text, "question": standalone}), cut

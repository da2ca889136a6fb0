"""👍/👎 on an answer, kept in `$TPA_DATA_DIR/feedback.jsonl` (question, answer, citations, user,
channel, time, vote) for whoever reviews the answers.

Written like the audit trail and by the same writer (`JsonlWriter`): one ASCII JSON line per
vote, under an exclusive lock, fsynced, rotated by size (`TPA_AUDIT_MAX_BYTES`, keeping
`TPA_AUDIT_BACKUPS` files), never truncated.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from api.slack.blocks import FEEDBACK_UP
from assistant.answering.audit import JsonlWriter
from assistant.config import Settings
from assistant.models import Answer

FILE_NAME = "feedback.jsonl"


def feedback_log(settings: Settings) -> JsonlWriter:
    """The writer of `<data_dir>/feedback.jsonl`."""
    return JsonlWriter(
        settings.data_dir / FILE_NAME,
        max_bytes=settings.audit_max_bytes,
        backups=settings.audit_backups,
        lock=settings.data_dir / ".feedback.lock",
    )


def feedback_record(
    body: dict[str, Any],
    action: dict[str, Any],
    question: str | None = None,
    answer: Answer | None = None,
    conversation_id: str | None = None,
) -> dict[str, Any]:
    """One vote: the button clicked (`action`, in the interaction `body`), and the answer voted
    on when the bot still remembers it (else only the clicked message's text)."""
    message = body.get("message") or {}
    return {
        "time": datetime.now(UTC).isoformat(),
        "vote": "up" if action.get("action_id") == FEEDBACK_UP else "down",
        "user": (body.get("user") or {}).get("id"),
        "channel": (body.get("channel") or {}).get("id"),
        "question": question,
        "answer": answer.answer if answer is not None else message.get("text"),
        "abstained": answer.abstained if answer is not None else None,
        "citations": [c.model_dump() for c in answer.citations] if answer is not None else [],
        "conversation_id": conversation_id,
        "answer_key": action.get("value", ""),
    }

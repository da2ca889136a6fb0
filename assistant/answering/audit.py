"""The audit trail: one JSON line per answer, enough to reconstruct it months later.

A legal reviewer must be able to say what the assistant answered, to whom, from which text, under
which settings. So each line holds the question and answer, every citation's span and a hash of
its quote, the corpus version (a hash over the ingested documents' hashes) and the settings that
shape answers. Lines are appended under an exclusive file lock, so several workers (or replicas
sharing a data dir) never interleave half lines; the file is rotated by size, never truncated.
If the line cannot be written the answer fails: an answer that leaves no trace is not given.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.models import Answer

FILE_NAME = "audit.jsonl"


class AuditError(RuntimeError):
    """The audit line could not be written; the answer must not be given."""


def quote_hash(quote: str) -> str:
    return hashlib.sha256(quote.encode("utf-8", "surrogatepass")).hexdigest()


def answer_settings(settings: Settings) -> dict[str, Any]:
    """The settings that change what an answer says (not where files live)."""
    return {
        "min_relevance": settings.min_relevance,
        "min_relevance_unknown_name": settings.min_relevance_unknown_name,
        "llm": settings.llm,
        "llm_model": settings.llm_model if settings.llm != "none" else None,
        "llm_temperature": settings.llm_temperature if settings.llm != "none" else None,
        "llm_unsupported": settings.llm_unsupported if settings.llm != "none" else None,
        "chunk_max_tokens": settings.chunk_max_tokens,
        "chunk_target_tokens": settings.chunk_target_tokens,
        "collection": settings.collection,
    }


def audit_record(
    answer: Answer,
    *,
    caller: str,
    surface: str,
    groups: list[str] | None,
    question: str,
    corpus_version: str,
    settings: Settings,
    extra: dict[str, Any] | None = None,
    route: str | None = None,
    client_hint: str | None = None,
) -> dict[str, Any]:
    """One audit line. `surface` and `route` are what the server knows; `client_hint` is what
    the client claimed (e.g. the web page's "web"), recorded apart and never as the surface."""
    return {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "caller": caller,
        "surface": surface,
        "route": route,
        "client_hint": client_hint,
        "groups": groups,
        "question": question,
        "standalone_question": answer.question,
        "conversation_id": answer.conversation_id,
        "answer": answer.answer,
        "abstained": answer.abstained,
        "citations": [
            {
                "n": c.n,
                "doc_id": c.doc_id,
                "chunk_id": c.chunk_id,
                "citation": c.citation,
                "start": c.start,
                "end": c.end,
                "quote_sha256": quote_hash(c.quote),
            }
            for c in answer.citations
        ],
        "corpus_version": corpus_version,
        "settings": answer_settings(settings),
        **(extra or {}),
    }


class JsonlWriter:
    """Appends JSON lines to `path` under an exclusive lock on `lock`, each line fsynced before
    `append` returns, rotating the file to `.1`, `.2`, ... (`backups` kept) once it would pass
    `max_bytes`. Never truncates. Lines are ASCII JSON, so any string can be written.

    The audit trail writes through one; so does the Slack bot's feedback file."""

    def __init__(self, path: Path, *, max_bytes: int, backups: int, lock: Path) -> None:
        self.dir = path.parent
        self.path = path
        self.max_bytes = max_bytes
        self.backups = backups
        self.lock_path = lock
        self._lock = threading.Lock()

    def append(self, record: dict[str, Any]) -> None:
        """Write one line; raises OSError when it cannot."""
        line = (json.dumps(record, ensure_ascii=True, default=str) + "\n").encode("ascii")
        self.dir.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                self._rotate_if_full(len(line))
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
                try:
                    os.write(fd, line)
                    os.fsync(fd)
                finally:
                    os.close(fd)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _rotate_if_full(self, incoming: int) -> None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        if size + incoming <= self.max_bytes:
            return
        name = self.path.name
        oldest = self.dir / f"{name}.{self.backups}"
        oldest.unlink(missing_ok=True)
        for i in range(self.backups - 1, 0, -1):
            src = self.dir / f"{name}.{i}"
            if src.exists():
                src.rename(self.dir / f"{name}.{i + 1}")
        self.path.rename(self.dir / f"{name}.1")

    def files(self) -> list[Path]:
        """The written files, oldest first."""
        rotated = sorted(
            (p for p in self.dir.glob(f"{self.path.name}.*") if p.suffix[1:].isdigit()),
            key=lambda p: int(p.suffix[1:]),
            reverse=True,
        )
        return [*rotated, self.path] if self.path.exists() else rotated


class AuditLog(JsonlWriter):
    """Appends records to `<data_dir>/audit/audit.jsonl`, rotating to `.1`, `.2`, ... by size."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            settings.audit_dir / FILE_NAME,
            max_bytes=settings.audit_max_bytes,
            backups=settings.audit_backups,
            lock=settings.audit_dir / ".lock",
        )

    def append(self, record: dict[str, Any]) -> None:
        try:
            super().append(record)
        except OSError as exc:
            raise AuditError(f"cannot write the audit trail at {self.path}: {exc}") from exc

    def read(
        self, since: date | datetime | None = None, caller: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Records in order, optionally from a date (UTC) on and for one caller."""
        if isinstance(since, datetime):
            floor = since if since.tzinfo else since.replace(tzinfo=UTC)
        elif isinstance(since, date):
            floor = datetime(since.year, since.month, since.day, tzinfo=UTC)
        else:
            floor = None
        for path in self.files():
            with path.open(encoding="ascii", errors="replace") as handle:
                for line in handle:
                    if not line.strip():
                        continue
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError:
                        continue  # a line cut by a crash mid-write; the rest still count
                    if caller is not None and record.get("caller") != caller:
                        continue
                    if floor is not None:
                        try:
                            when = datetime.fromisoformat(str(record.get("time")))
                        except ValueError:
                            continue
                        if when < floor:
                            continue
                    yield record

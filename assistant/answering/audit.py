"""The audit trail: one JSON line per answer, enough to reconstruct it months later.

A legal reviewer must be able to say what the assistant answered, to whom, from which text, under
which settings. So each line holds the question and answer, every citation's span and a hash of
its quote, the corpus version (a hash over the ingested documents' hashes) and the settings that
shape answers. Lines are appended under an exclusive file lock, so several workers (or replicas
sharing a data dir) never interleave half lines; the file is rotated by size, never truncated.
If the line cannot be written the answer fails: an answer that leaves no trace is not given.

A line is on disk (fsynced) before `append` returns. Answers finishing at the same time share
that flush (group commit): while one thread writes and flushes, the lines of the others queue,
and the next of them writes and flushes them all at once; each waits for the flush that holds
its own line, and learns if it failed. One fsync then serves many answers instead of each
paying for its own in turn.
"""

from __future__ import annotations

import copy
import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
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


@dataclass
class _Pending:
    """A line waiting for the flush that writes it."""

    line: bytes
    done: bool = False
    error: OSError | None = None


class JsonlWriter:
    """Appends JSON lines to `path` under an exclusive lock on `lock`, each line fsynced before
    `append` returns, rotating the file to `.1`, `.2`, ... (`backups` kept) once it would pass
    `max_bytes`. Never truncates. Lines are ASCII JSON, so any string can be written. Lines
    appended concurrently are written and fsynced together (group commit).

    The audit trail writes through one; so does the Slack bot's feedback file."""

    def __init__(self, path: Path, *, max_bytes: int, backups: int, lock: Path) -> None:
        self.dir = path.parent
        self.path = path
        self.max_bytes = max_bytes
        self.backups = backups
        self.lock_path = lock
        self._cond = threading.Condition()
        self._queue: list[_Pending] = []
        self._writing = False
        self.flushes = 0  # fsynced writes so far, and lines they held (for tests and benches)
        self.lines = 0

    def append(self, record: dict[str, Any]) -> None:
        """Write one line and wait until it is on disk; raises OSError when it cannot."""
        mine = _Pending((json.dumps(record, ensure_ascii=True, default=str) + "\n").encode("ascii"))
        with self._cond:
            self._queue.append(mine)
            while self._writing and not mine.done:
                self._cond.wait()
            if not mine.done:  # nobody is writing: this thread writes every queued line
                batch, self._queue, self._writing = self._queue, [], True
        if not mine.done:
            error: OSError | None = OSError("the audit write was interrupted")
            try:
                self._write([p.line for p in batch])
                error = None
            except OSError as exc:
                error = exc
            finally:  # whatever happened, the waiters learn it and the next writer can start
                with self._cond:
                    for pending in batch:
                        pending.done = True
                        pending.error = error if error is None else copy.copy(error)
                    self._writing = False
                    self._cond.notify_all()
        if mine.error is not None:
            raise mine.error

    def _write(self, lines: list[bytes]) -> None:
        """Append `lines` in order under the file lock, rotating between two lines when the
        next would pass `max_bytes`; every file written is fsynced before it is rotated away."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                fd = self._open()
                try:
                    size, pending = os.fstat(fd).st_size, bytearray()
                    for line in lines:
                        if size and size + len(line) > self.max_bytes:
                            _write_all(fd, bytes(pending))
                            os.fsync(fd)
                            os.close(fd)
                            fd = -1
                            self._rotate()
                            fd = self._open()
                            size, pending = 0, bytearray()
                        pending += line
                        size += len(line)
                    _write_all(fd, bytes(pending))
                    os.fsync(fd)
                    self.flushes += 1
                    self.lines += len(lines)
                finally:
                    if fd >= 0:
                        os.close(fd)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _open(self) -> int:
        return os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)

    def _rotate(self) -> None:
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


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


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

"""The audit trail's file: one ASCII JSON line per answer, rotated by size with a fixed number of
backups (never truncated), read back in order and filtered by date and caller; a trail that cannot
be written raises, so the answer is not given."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from assistant.answering.audit import AuditError, AuditLog
from assistant.config import Settings

MAX_BYTES = 10_000  # the smallest rotation size the settings accept


def _log(tmp_path: Path, backups: int = 20) -> AuditLog:
    return AuditLog(
        Settings(data_dir=tmp_path / "data", audit_max_bytes=MAX_BYTES, audit_backups=backups)
    )


def _record(n: int, caller: str = "alice", when: str = "2026-03-01T10:00:00Z") -> dict[str, Any]:
    return {"time": when, "caller": caller, "n": n, "question": f"question {n}"}


def test_each_append_is_one_complete_line(tmp_path: Path) -> None:
    log = _log(tmp_path)
    for n in range(3):
        log.append(_record(n))
    assert log.path == tmp_path / "data" / "audit" / "audit.jsonl"
    raw = log.path.read_bytes()
    assert raw.endswith(b"\n") and raw.count(b"\n") == 3
    assert [json.loads(line)["n"] for line in raw.splitlines()] == [0, 1, 2]


def test_lines_are_ascii_and_read_back_as_written(tmp_path: Path) -> None:
    log = _log(tmp_path)
    text = 'Zoll für Ausfuhr — 輸出許可 \u2028 next line "quoted" \\ and 🚢'
    log.append({**_record(0), "question": text, "answer": "line one\nline two"})
    raw = log.path.read_bytes()
    assert raw.isascii(), "non-ASCII is escaped, never written raw"
    assert raw.count(b"\n") == 1, "newlines inside strings stay inside the line"
    (back,) = list(log.read())
    assert back["question"] == text and back["answer"] == "line one\nline two"


def test_values_json_cannot_encode_are_written_as_text(tmp_path: Path) -> None:
    log = _log(tmp_path)
    log.append({**_record(0), "as_of": date(2019, 11, 20), "path": Path("/x/y")})
    (back,) = list(log.read())
    assert back["as_of"] == "2019-11-20" and back["path"] == "/x/y"


def _big(n: int) -> dict[str, Any]:
    return {**_record(n), "answer": "x" * 3_000}  # about 3.1 kB a line: 3 lines a file


def test_rotation_by_size_keeps_n_backups_and_drops_the_oldest(tmp_path: Path) -> None:
    log = _log(tmp_path, backups=2)
    for n in range(12):
        log.append(_big(n))
    names = [p.name for p in log.files()]
    assert names == ["audit.jsonl.2", "audit.jsonl.1", "audit.jsonl"], "oldest first"
    for path in log.files():
        assert path.stat().st_size <= MAX_BYTES
        assert all(json.loads(line) for line in path.read_bytes().splitlines())
    kept = [r["n"] for r in log.read()]
    assert kept == list(range(12 - len(kept), 12)), "the newest lines, in order, none split"
    assert 6 <= len(kept) < 12
    assert not (log.dir / "audit.jsonl.3").exists()


def test_a_file_is_rotated_only_when_the_next_line_would_pass_the_limit(tmp_path: Path) -> None:
    log = _log(tmp_path)
    log.append(_big(0))
    log.append(_big(1))
    assert [p.name for p in log.files()] == ["audit.jsonl"]
    size = log.path.stat().st_size
    line = len(log.path.read_bytes().splitlines()[0]) + 1
    for n in range(2, 10):
        log.append(_big(n))
    first = log.files()[0]
    assert first.name == f"audit.jsonl.{len(log.files()) - 1}"
    assert first.stat().st_size == (MAX_BYTES // line) * line >= size, "files are filled up"


def test_read_filters_by_date_and_caller(tmp_path: Path) -> None:
    log = _log(tmp_path)
    log.append(_record(0, "alice", "2026-02-27T23:59:59.999+00:00"))
    log.append(_record(1, "bob", "2026-02-28T00:00:00+00:00"))
    log.append(_record(2, "alice", "2026-03-01T08:30:00+00:00"))
    log.append(_record(3, "alice", "2026-03-01T12:00:00+02:00"))  # 10:00 UTC
    assert [r["n"] for r in log.read()] == [0, 1, 2, 3]
    assert [r["n"] for r in log.read(since=date(2026, 2, 28))] == [1, 2, 3]
    assert [r["n"] for r in log.read(caller="alice")] == [0, 2, 3]
    assert [r["n"] for r in log.read(since=date(2026, 2, 28), caller="alice")] == [2, 3]
    assert [r["n"] for r in log.read(since=datetime(2026, 3, 1, 9, 0))] == [3], "naive is UTC"
    since = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    assert [r["n"] for r in log.read(since=since)] == [3]
    assert list(log.read(caller="carol")) == []


def test_read_spans_rotated_files_and_skips_a_line_cut_by_a_crash(tmp_path: Path) -> None:
    log = _log(tmp_path)
    for n in range(5):
        log.append(_big(n))
    with log.path.open("ab") as handle:
        handle.write(b'{"time": "2026-03-01T10:00:00+00:00", "caller": "ali')  # killed mid-line
    log.append(_record(5))
    assert len(log.files()) == 2
    assert [r["n"] for r in log.read()] == [0, 1, 2, 3, 4]


def test_an_empty_or_missing_trail_reads_as_nothing(tmp_path: Path) -> None:
    log = _log(tmp_path)
    assert log.files() == []
    assert list(log.read()) == []


def test_an_unwritable_trail_raises_audit_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "audit").write_text("a file where the audit folder should be")
    log = AuditLog(Settings(data_dir=data))
    with pytest.raises(AuditError, match="cannot write the audit trail"):
        log.append(_record(0))
    assert (data / "audit").read_text() == "a file where the audit folder should be"


def test_a_trail_whose_file_is_a_folder_raises_audit_error(tmp_path: Path) -> None:
    log = _log(tmp_path)
    log.path.mkdir(parents=True)
    with pytest.raises(AuditError):
        log.append(_record(0))

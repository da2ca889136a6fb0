"""Audit lines written at the same time share one flush to disk, and each answer still waits for
its own: every line is in the file, whole and once, when its `append` returns; a flush that
fails fails every answer in it (none hangs), and the trail works again once the disk does."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.answering.audit import AuditError, AuditLog
from assistant.config import Settings

WRITERS = 24
EACH = 5


def _log(tmp_path: Path, max_bytes: int = 50_000_000) -> AuditLog:
    return AuditLog(Settings(data_dir=tmp_path / "data", audit_max_bytes=max_bytes))


def _together(n: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run `work(i)` on n threads released at once; the exceptions they raised."""
    start = threading.Barrier(n)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        start.wait()
        try:
            work(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
        assert not t.is_alive(), "an append never returned"
    return errors


def _lines(log: AuditLog) -> list[dict[str, Any]]:
    return [json.loads(line) for p in log.files() for line in p.read_bytes().splitlines()]


def test_lines_appended_together_are_all_written_whole_in_fewer_flushes(tmp_path: Path) -> None:
    log = _log(tmp_path)
    seen_on_return: list[bool] = []

    def answer(i: int) -> None:
        for k in range(EACH):
            log.append({"caller": f"w{i}", "k": k, "answer": "x" * 500})
            # When append returns, the line is in the file (it was fsynced with its group).
            raw = log.path.read_bytes()
            seen_on_return.append(f'"caller": "w{i}", "k": {k},'.encode() in raw)

    assert _together(WRITERS, answer) == []
    assert all(seen_on_return) and len(seen_on_return) == WRITERS * EACH
    records = _lines(log)
    assert sorted((r["caller"], r["k"]) for r in records) == sorted(
        (f"w{i}", k) for i in range(WRITERS) for k in range(EACH)
    ), "every line once, none cut"
    for i in range(WRITERS):  # each writer's lines in the order it wrote them
        assert [r["k"] for r in records if r["caller"] == f"w{i}"] == list(range(EACH))
    assert log.lines == WRITERS * EACH
    assert log.flushes < log.lines, "answers arriving together shared flushes"


def test_group_writes_rotate_between_lines_and_keep_every_line(tmp_path: Path) -> None:
    log = _log(tmp_path, max_bytes=10_000)  # about 3 lines a file

    def answer(i: int) -> None:
        for k in range(3):
            log.append({"caller": f"w{i}", "k": k, "answer": "y" * 3_000})

    assert _together(8, answer) == []
    assert all(p.stat().st_size <= 10_000 for p in log.files())
    assert len(_lines(log)) == 24, "20 backups hold all 24 lines: none lost to rotation"


def test_a_failed_flush_fails_every_answer_in_it_and_the_trail_recovers(tmp_path: Path) -> None:
    log = _log(tmp_path)
    log.append({"caller": "before", "k": 0})
    audit_dir = log.dir
    moved = audit_dir.with_name("audit-moved")
    audit_dir.rename(moved)
    audit_dir.write_text("a file where the audit folder should be")  # the disk refuses
    errors = _together(12, lambda i: log.append({"caller": f"w{i}", "k": 0}))
    assert len(errors) == 12 and all(isinstance(e, AuditError) for e in errors)
    assert all("cannot write the audit trail" in str(e) for e in errors)

    audit_dir.unlink()
    moved.rename(audit_dir)
    assert _together(6, lambda i: log.append({"caller": f"after{i}", "k": 0})) == []
    callers = [r["caller"] for r in _lines(log)]
    assert callers[0] == "before" and sorted(callers[1:]) == [f"after{i}" for i in range(6)]


def test_an_interrupted_writer_does_not_block_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _log(tmp_path)
    real = log._write
    calls = {"n": 0}

    def interrupted(lines: list[bytes]) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyboardInterrupt  # not an OSError: the answer still fails, nobody hangs
        real(lines)

    monkeypatch.setattr(log, "_write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        log.append({"caller": "first", "k": 0})
    assert _together(1, lambda i: log.append({"caller": "second", "k": 0})) == []  # no hang
    assert [r["caller"] for r in _lines(log)] == ["second"]

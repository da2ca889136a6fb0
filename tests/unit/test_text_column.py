"""Chunk texts held as bytes in files (`assistant.index.text_column`): every row reads back as
the text it was, whatever was spliced or written, and reading them leaves nothing of the file
in the replica's resident memory."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.index.snapshot import _runs, _spliced
from assistant.index.text_column import TextColumn, TextFile

TEXTS = [
    "§ 744.11 License requirements that apply to entities.",
    "",  # a chunk may be empty: its row is still there
    "“Quoted” — and ünïcode: 5D992.c, ≤ 50%.",
    "(a) General prohibition. " * 40,
    "last",
]


def test_rows_read_back_as_they_were_given() -> None:
    col = TextColumn.of(TEXTS)
    assert len(col) == len(TEXTS)
    assert list(col) == TEXTS and col == TEXTS and col == TEXTS
    assert [col[i] for i in range(len(TEXTS))] == TEXTS
    assert col[-1] == "last" and col[1:3] == TEXTS[1:3]
    with pytest.raises(IndexError):
        col[len(TEXTS)]
    assert col != TEXTS[:-1] and col != [*TEXTS[:-1], "other"]


def test_a_written_column_maps_back_the_same_and_checks_its_offsets(tmp_path: Path) -> None:
    path = tmp_path / "texts.bin"
    TextColumn.of(TEXTS).write(path)
    mapped = TextColumn.open_file(path)
    assert mapped.in_file and list(mapped) == TEXTS

    path.write_bytes(path.read_bytes()[:-1])  # a file cut short: its last text would be too
    with pytest.raises(ValueError):
        TextColumn.open_file(path)

    empty = tmp_path / "empty.bin"
    TextColumn.of([]).write(empty)
    assert list(TextColumn.open_file(empty)) == []
    TextColumn.of(["", ""]).write(empty)
    assert list(TextColumn.open_file(empty)) == ["", ""]


def test_a_spilled_column_leaves_no_file_behind(tmp_path: Path) -> None:
    spilled = TextColumn.of(TEXTS).spilled(tmp_path)
    assert spilled.in_file and list(spilled) == TEXTS
    assert list(tmp_path.iterdir()) == [], "unlinked at once: the open file keeps it"
    copy = tmp_path / "copy.bin"
    spilled.write(copy)  # persisting a column read from a file writes its bytes out again
    assert list(TextColumn.open_file(copy)) == TEXTS


def test_splicing_keeps_every_row_as_a_list_splice_would(tmp_path: Path) -> None:
    """A refresh splices the previous snapshot's rows (from a file) with the new documents' texts
    (in memory), again and again: each result reads as the same splice of plain lists."""
    rng = np.random.default_rng(7)
    plain = [f"chunk {i} — {'x' * int(rng.integers(0, 50))}" for i in range(300)]
    col = TextColumn.of(plain).spilled(tmp_path)
    for step in range(30):
        new = [f"new {step}.{k} ü" for k in range(int(rng.integers(0, 5)))]
        keep = np.sort(rng.choice(len(plain), size=len(plain) - 3, replace=False))
        order = np.sort(np.concatenate([keep, np.arange(len(plain), len(plain) + len(new))]))
        runs = _runs(order)
        plain = _spliced(plain, new, runs)
        col = col.spliced(new, runs)
        assert list(col) == plain, step
    buffers = col._buffers
    assert sum(not isinstance(b, TextFile) for b in buffers) <= 8, "small buffers merged"
    assert any(isinstance(b, TextFile) for b in buffers), "the rows read from the file still are"
    assert col.take([5, 0, 5]) == [plain[5], plain[0], plain[5]]


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/self/status")


def test_reading_every_text_leaves_the_file_out_of_resident_memory(tmp_path: Path) -> None:
    """Counting terms or flagging stays reads every text once, and questions read texts all
    over the file: the replica's resident memory must not grow with the file (a mapped file
    did: each read mapped its neighbouring pages in)."""
    big = ["y" * 4000] * 16_000  # 64 MB
    col = TextColumn.of(big).spilled(tmp_path)
    del big
    before = _rss_kb()
    for _ in range(2):
        assert sum(len(t) for t in col) == 64_000_000
    rng = np.random.default_rng(3)
    assert all(col[int(i)] == "y" * 4000 for i in rng.integers(0, 16_000, 5_000))
    assert _rss_kb() - before < 16_000, "the texts stay in the page cache, not the replica"

"""Chunk texts held as bytes in mapped files (`assistant.index.text_column`): every row reads
back as the text it was, whatever was spliced, written or mapped, and a replica's memory does
not keep the pages a pass over every text brought in."""

from __future__ import annotations

import mmap
from pathlib import Path

import numpy as np
import pytest

from assistant.index.snapshot import _runs, _spliced
from assistant.index.text_column import TextColumn

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
    mapped = TextColumn.open_mapped(path)
    assert mapped.mapped and list(mapped) == TEXTS

    path.write_bytes(path.read_bytes()[:-1])  # a file cut short: its last text would be too
    with pytest.raises(ValueError):
        TextColumn.open_mapped(path)

    empty = tmp_path / "empty.bin"
    TextColumn.of([]).write(empty)
    assert list(TextColumn.open_mapped(empty)) == []
    TextColumn.of(["", ""]).write(empty)
    assert list(TextColumn.open_mapped(empty)) == ["", ""]


def test_a_spilled_column_leaves_no_file_behind(tmp_path: Path) -> None:
    spilled = TextColumn.of(TEXTS).spilled(tmp_path)
    assert spilled.mapped and list(spilled) == TEXTS
    assert list(tmp_path.iterdir()) == [], "unlinked at once: the mapping keeps the file"
    copy = tmp_path / "copy.bin"
    spilled.write(copy)  # persisting a mapped column writes its bytes out again
    assert list(TextColumn.open_mapped(copy)) == TEXTS


def test_splicing_keeps_every_row_as_a_list_splice_would(tmp_path: Path) -> None:
    """A refresh splices the previous snapshot's rows (mapped) with the new documents' texts
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
    assert sum(not isinstance(b, mmap.mmap) for b in buffers) <= 8, "small buffers merged"
    assert any(isinstance(b, mmap.mmap) for b in buffers), "the mapped rows stay mapped"
    assert col.take([5, 0, 5]) == [plain[5], plain[0], plain[5]]


def _rss_file_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssFile:"):
            return int(line.split()[1])
    raise AssertionError("no RssFile in /proc/self/status")


def test_release_hands_back_the_pages_a_full_pass_read(tmp_path: Path) -> None:
    """Counting terms or flagging stays reads every text once: without `release` the whole
    file would stay in the replica's resident memory."""
    big = ["y" * 4000] * 16_000  # 64 MB
    col = TextColumn.of(big).spilled(tmp_path)
    before = _rss_file_kb()
    assert sum(len(t) for t in col) == 64_000_000
    read = _rss_file_kb()
    assert read - before > 40_000, "the pass mapped the pages in"
    col.release()
    assert _rss_file_kb() - before < 10_000, "and release handed them back"
    assert col[15_999] == big[0], "still readable after"

"""Chunk texts as UTF-8 bytes in a few buffers, not as one Python string per chunk.

A replica serves every chunk's text, but reads few of them per question (the candidates it
scores and quotes). Held as `str` objects, a million chunks' texts are about 1.5 GB of the
replica's heap. Here they are one buffer of bytes and two small arrays (where each row's text
starts and ends), and a `str` is made only for a row that is read. The buffer of a snapshot
built or loaded by a replica is a file mapped read-only (`spilled`, `open_mapped`): the kernel
keeps its pages in the page cache, maps into the replica only those read, and takes them back
under pressure, so the replica's memory does not grow with the texts. `release` hands back
the pages a pass over every text (counting terms, persisting) brought in.

Rows from several buffers mix after a refresh (the previous snapshot's file, the new
documents' texts in memory); many small in-memory buffers are merged into one.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import uuid
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import overload

import numpy as np

Buffer = bytes | mmap.mmap
_WRITE_PIECE = 64 << 20  # bytes copied at once when a column is written out
_MAX_MEMORY_BUFFERS = 8  # in-memory buffers past which a splice merges them into one
OFFSETS_SUFFIX = ".offsets.npy"


class TextColumn(Sequence[str]):
    """Immutable rows of text: row i is `buffers[which[i]][start[i]:end[i]]`, decoded."""

    __slots__ = ("_buffers", "_which", "_start", "_end")

    def __init__(
        self,
        buffers: Sequence[Buffer],
        which: np.ndarray,
        start: np.ndarray,
        end: np.ndarray,
    ):
        self._buffers = tuple(buffers)
        self._which = which.astype(np.uint16, copy=False)
        self._start = start.astype(np.int64, copy=False)
        self._end = end.astype(np.int64, copy=False)

    # -- making ---------------------------------------------------------------------------
    @staticmethod
    def of(texts: Iterable[str]) -> TextColumn:
        """The texts in one in-memory buffer."""
        if isinstance(texts, TextColumn):
            return texts
        encoded = [t.encode("utf-8") for t in texts]
        lengths = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
        ends = np.cumsum(lengths)
        return TextColumn(
            (b"".join(encoded),),
            np.zeros(len(encoded), dtype=np.uint16),
            ends - lengths,
            ends,
        )

    @staticmethod
    def open_mapped(path: Path) -> TextColumn:
        """The column `write` wrote at `path` (its offsets beside it), mapped read-only."""
        offsets = np.load(str(path) + OFFSETS_SUFFIX)
        n = len(offsets) - 1
        if n < 0:
            raise ValueError(f"{path}{OFFSETS_SUFFIX}: no offsets")
        size = os.path.getsize(path)
        if int(offsets[-1]) != size or (n and np.any(np.diff(offsets) < 0)):
            raise ValueError(f"{path}: {size} bytes, offsets disagree")
        buffer: Buffer = b""
        if size:
            with open(path, "rb") as f:
                buffer = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        return TextColumn((buffer,), np.zeros(n, dtype=np.uint16), offsets[:-1], offsets[1:])

    def spilled(self, folder: Path) -> TextColumn:
        """This column written to a private file in `folder`, mapped, and the file unlinked
        (the mapping keeps it until the column is dropped; nothing is left on disk)."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f".tmp-texts-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            self.write(path)
            return TextColumn.open_mapped(path)
        finally:
            for leftover in (path, Path(str(path) + OFFSETS_SUFFIX)):
                leftover.unlink(missing_ok=True)

    # -- reading --------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._which)

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> TextColumn: ...

    def __getitem__(self, i: int | slice) -> str | TextColumn:
        if isinstance(i, slice):
            return self.take(np.arange(len(self))[i])
        i = int(i)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("text row out of range")
        buffer = self._buffers[self._which[i]]
        return buffer[self._start[i] : self._end[i]].decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        buffers = self._buffers
        for w, a, b in zip(
            self._which.tolist(), self._start.tolist(), self._end.tolist(), strict=True
        ):
            yield buffers[w][a:b].decode("utf-8")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TextColumn({len(self)} rows, {len(self._buffers)} buffer(s))"

    @property
    def mapped(self) -> bool:
        """Whether any row is read from a mapped file."""
        return any(isinstance(b, mmap.mmap) for b in self._buffers)

    def release(self) -> None:
        """Hand back the mapped pages read so far (they stay in the page cache and come back
        when read again): after a pass over every row, so that it does not stay resident."""
        for buffer in self._buffers:
            if isinstance(buffer, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
                with contextlib.suppress(OSError, ValueError):
                    buffer.madvise(mmap.MADV_DONTNEED)

    # -- rearranging ----------------------------------------------------------------------
    def take(self, rows: Sequence[int] | np.ndarray) -> TextColumn:
        """The given rows, in that order (sharing this column's buffers)."""
        idx = np.asarray(rows, dtype=np.int64)
        return TextColumn(self._buffers, self._which[idx], self._start[idx], self._end[idx])

    def spliced(self, new: Sequence[str], runs: Sequence[tuple[int, int]]) -> TextColumn:
        """The rows `runs` name ([a, b) ranges over this column's rows, then `new`'s)."""
        both = _concat(self, TextColumn.of(new)) if len(new) else self
        if runs:
            order = np.concatenate([np.arange(a, b, dtype=np.int64) for a, b in runs])
        else:
            order = np.zeros(0, dtype=np.int64)
        return _merged_memory(both.take(order))

    def write(self, path: Path) -> None:
        """The rows' bytes in order to `path`, their offsets to `path` + OFFSETS_SUFFIX.
        Contiguous rows of one buffer are copied together, in pieces of at most 64 MB."""
        n = len(self)
        lengths = self._end - self._start
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        with open(path, "wb") as f:
            for w, a, b in _contiguous(self._which, self._start, self._end):
                buffer = self._buffers[w]
                for at in range(a, b, _WRITE_PIECE):
                    f.write(buffer[at : min(b, at + _WRITE_PIECE)])
        np.save(str(path) + OFFSETS_SUFFIX, offsets)
        self.release()


def _concat(a: TextColumn, b: TextColumn) -> TextColumn:
    """a's rows, then b's."""
    buffers = list(a._buffers)
    index = {id(buf): k for k, buf in enumerate(buffers)}
    remap = np.zeros(len(b._buffers), dtype=np.uint16)
    for k, buf in enumerate(b._buffers):
        if id(buf) not in index:
            index[id(buf)] = len(buffers)
            buffers.append(buf)
        remap[k] = index[id(buf)]
    if len(buffers) > np.iinfo(np.uint16).max:
        raise ValueError("too many text buffers")
    return TextColumn(
        buffers,
        np.concatenate([a._which, remap[b._which]]),
        np.concatenate([a._start, b._start]),
        np.concatenate([a._end, b._end]),
    )


def _merged_memory(col: TextColumn) -> TextColumn:
    """`col` without the buffers no row uses any more, and with the rows held in memory moved
    into one buffer when they are spread over many (a refresh adds one each time)."""
    used = np.unique(col._which).tolist()
    memory = [w for w in used if not isinstance(col._buffers[w], mmap.mmap)]
    merge = len(memory) > _MAX_MEMORY_BUFFERS
    if len(used) == len(col._buffers) and not merge:
        return col
    kept = [w for w in used if not (merge and w in memory)]
    renumber = np.zeros(len(col._buffers), dtype=np.uint16)
    renumber[kept] = np.arange(len(kept), dtype=np.uint16)
    buffers: list[Buffer] = [col._buffers[w] for w in kept]
    which, start, end = renumber[col._which], col._start.copy(), col._end.copy()
    if merge:
        rows = np.flatnonzero(np.isin(col._which, memory))
        pieces = [
            col._buffers[w][a:b]
            for w, a, b in zip(
                col._which[rows].tolist(),
                col._start[rows].tolist(),
                col._end[rows].tolist(),
                strict=True,
            )
        ]
        lengths = end[rows] - start[rows]
        ends = np.cumsum(lengths)
        which[rows] = len(buffers)
        start[rows], end[rows] = ends - lengths, ends
        buffers.append(b"".join(pieces))
    return TextColumn(buffers, which, start, end)


def _contiguous(
    which: np.ndarray, start: np.ndarray, end: np.ndarray
) -> Iterator[tuple[int, int, int]]:
    """(buffer, a, b) byte ranges covering the rows in order, adjacent rows joined."""
    if not len(which):
        return
    joins = (which[1:] == which[:-1]) & (start[1:] == end[:-1])
    breaks = np.flatnonzero(~joins) + 1
    firsts = np.concatenate([[0], breaks])
    lasts = np.concatenate([breaks, [len(which)]]) - 1
    for f, last in zip(firsts.tolist(), lasts.tolist(), strict=True):
        yield int(which[f]), int(start[f]), int(end[last])

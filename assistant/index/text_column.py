"""Chunk texts as UTF-8 bytes in a file or a few buffers, not as one Python string per chunk.

A replica serves every chunk's text, but reads few of them per question (the candidates it
scores and quotes). Held as `str` objects, a million chunks' texts are about 1.5 GB of the
replica's heap. Here they are bytes and two small arrays (where each row's text starts and
ends), and a `str` is made only for a row that is read. A snapshot of a large store (one
whose replicas hold no vectors, `assistant.index.snapshot`) reads them from a file
(`spilled`, `open_file`) with `os.pread`: the kernel's page cache holds the texts, shared and
given back under pressure, and nothing of them stays in the replica's memory. (Mapped, every
read also mapped its neighbouring pages into the replica: at 100k chunks the whole file was
resident after 200 questions.) A read costs a system call and a decode, a few microseconds,
and gives up the GIL: a small store keeps a list of `str` instead, which answers read
hundreds of times each at no cost.

Rows from several buffers mix after a refresh (the previous snapshot's file, the new
documents' texts in memory); many small in-memory buffers are merged into one.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import overload

import numpy as np


class TextFile:
    """An open file rows are read from with `os.pread` (no shared offset: any thread, any
    forked child). Closed when no column uses it any more."""

    __slots__ = ("_fd", "size")

    def __init__(self, path: Path):
        self._fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        self.size = os.fstat(self._fd).st_size

    def __getitem__(self, span: slice) -> bytes:
        start, stop = int(span.start), int(span.stop)
        out = os.pread(self._fd, stop - start, start)
        while len(out) < stop - start:  # (a regular file returns it whole; a signal may not)
            more = os.pread(self._fd, stop - start - len(out), start + len(out))
            if not more:
                raise OSError(f"chunk texts file ends at {start + len(out)}, before {stop}")
            out += more
        return out

    def __del__(self) -> None:
        try:  # noqa: SIM105 (no contextlib: __del__ may run while the interpreter shuts down)
            os.close(self._fd)
        except (OSError, AttributeError):
            pass


Buffer = bytes | TextFile
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
    def open_file(path: Path, into_memory: bool = False) -> TextColumn:
        """The column `write` wrote at `path` (its offsets beside it), read from the file, or
        read whole into memory (`into_memory`)."""
        offsets = np.load(str(path) + OFFSETS_SUFFIX)
        n = len(offsets) - 1
        if n < 0:
            raise ValueError(f"{path}{OFFSETS_SUFFIX}: no offsets")
        buffer = TextFile(path)
        if int(offsets[-1]) != buffer.size or (n and np.any(np.diff(offsets) < 0)):
            raise ValueError(f"{path}: {buffer.size} bytes, offsets disagree")
        if into_memory:
            whole = buffer[0 : buffer.size]
            return TextColumn((whole,), np.zeros(n, dtype=np.uint16), offsets[:-1], offsets[1:])
        return TextColumn((buffer,), np.zeros(n, dtype=np.uint16), offsets[:-1], offsets[1:])

    def spilled(self, folder: Path) -> TextColumn:
        """This column written to a private file in `folder`, opened, and the file unlinked
        (the open file keeps it until the column is dropped; nothing is left on disk)."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f".tmp-texts-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            self.write(path)
            return TextColumn.open_file(path)
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
    def in_file(self) -> bool:
        """Whether any row is read from a file."""
        return any(isinstance(b, TextFile) for b in self._buffers)

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
    memory = [w for w in used if not isinstance(col._buffers[w], TextFile)]
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

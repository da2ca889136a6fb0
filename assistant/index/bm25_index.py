"""BM25 from per-chunk term counts kept between snapshots: added to, never rebuilt.

bm25s builds its index in Python loops over every token of every chunk, and stores each
(chunk, term) pair's score, which depends on the whole collection (term rarity, average
length): one new document changes every stored score. Here each chunk's terms are counted once,
when it enters a snapshot (`Vocabulary.encode`), into `Postings`: append-only segments of raw
term counts by *slot* (a chunk's number while it is served; not reused, until a refresh after
much churn renumbers them all), shared by a snapshot, its access-group views and the snapshots
refreshed from it. A refresh adds a segment
for the chunks it read; removed chunks' slots just stop being served. The statistics BM25 needs
(number of chunks, average length, each query term's document frequency) are taken at query
time over the rows one `Ranker` serves, so nothing is recomputed per refresh.

The scores are bm25s's (method "lucene", k1 1.5, b 0.75, float32), bit for bit: the same idf
(math.log per term, stored as float32), the same term-frequency component with the same
float64 promotions, summed in float32 in query-term order as bm25s's `get_scores` does.
`Ranker.to_bm25s` makes bm25s's own index from the postings (what a snapshot is persisted as),
`build_index` from a list of counts; tests/unit/test_snapshot_bm25.py compares them with bm25s.
"""

from __future__ import annotations

import itertools
import json
import math
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import bm25s
import numpy as np
import scipy.sparse as sp

Terms = tuple[np.ndarray, np.ndarray]  # one chunk's distinct term ids (int32) and their counts

POSTINGS_FILE, VOCABULARY_FILE = "postings.npz", "vocabulary.json"  # see save_postings
_K1, _B = 1.5, 0.75  # bm25s's defaults, which the snapshot has always used
_SHORT = 32  # token lists up to this long are counted without numpy


class Vocabulary:
    """Term -> id, shared by a snapshot, its views and the snapshots refreshed from it. Ids are
    only ever added (a term no chunk holds any more just has no postings)."""

    def __init__(self, terms: Sequence[str] = ()) -> None:
        """`terms`: the terms of ids 0, 1, 2, ... (a persisted vocabulary, `terms`)."""
        self._ids: dict[str, int] = {t: i for i, t in enumerate(terms)}
        if len(self._ids) != len(terms):
            raise ValueError("a vocabulary's terms must be distinct")
        self._lock = threading.Lock()

    def encode(self, tokens: Sequence[str]) -> Terms:
        """A chunk's terms: distinct ids, ascending, and counts (total length = len(tokens))."""
        if len(tokens) <= _SHORT:  # a label: counted in Python, quicker than numpy's set-up
            with self._lock:
                ids = self._ids
                counted = Counter([ids.setdefault(t, len(ids)) for t in tokens])
            keys = sorted(counted)
            return (
                np.array(keys, dtype=np.int32),
                np.array([counted[k] for k in keys], dtype=np.int32),
            )
        with self._lock:
            ids = self._ids
            arr = np.fromiter(
                (ids.setdefault(t, len(ids)) for t in tokens), dtype=np.int32, count=len(tokens)
            )
        uniq, counts = np.unique(arr, return_counts=True)
        return uniq.astype(np.int32), counts.astype(np.int32)

    def lookup(self, tokens: Sequence[str]) -> list[int]:
        """The ids of the tokens any chunk ever held, in query order (repeats kept, as bm25s)."""
        with self._lock:
            ids = self._ids
            return [ids[t] for t in tokens if t in ids]

    def snapshot(self) -> dict[str, int]:
        """A copy (an index keeps the vocabulary it was built with)."""
        with self._lock:
            return dict(self._ids)

    def terms(self) -> list[str]:
        """The terms in id order (what `Vocabulary(terms)` makes again)."""
        with self._lock:
            return list(self._ids)  # (ids are given in insertion order: 0, 1, 2, ...)


def build_index(terms: Sequence[Terms], vocabulary: Vocabulary) -> bm25s.BM25 | None:
    """The BM25 index of chunks given by their terms; None when no chunk has a term (bm25s
    cannot index that, and such an index scores nothing anyway)."""
    n = len(terms)
    per_doc = np.fromiter((len(u) for u, _ in terms), dtype=np.int64, count=n)
    if n == 0 or not per_doc.any():
        return None
    vocab = vocabulary.snapshot()
    vocab.setdefault("", len(vocab))  # bm25s's empty token, scored by nothing
    n_vocab = len(vocab)
    cols = np.concatenate([u for u, _ in terms])
    tf = np.concatenate([c for _, c in terms]).astype(np.float32)
    lengths = np.fromiter((int(c.sum()) for _, c in terms), dtype=np.int64, count=n)
    avg_len = lengths.mean()

    df = np.bincount(cols, minlength=n_vocab)
    idf = np.zeros(n_vocab, dtype=np.float32)
    for t in np.flatnonzero(df):
        d = int(df[t])
        idf[t] = math.log(1 + (n - d + 0.5) / (d + 0.5))

    l_d = np.repeat(lengths, per_doc)
    tfc = tf / (_K1 * ((1 - _B) + _B * l_d / avg_len) + tf)
    data = (idf[cols] * tfc).astype(np.float32)

    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(per_doc, out=indptr[1:])
    csc = sp.csr_matrix((data, cols, indptr), shape=(n, n_vocab)).tocsc()
    csc.sort_indices()
    return _bm25s(csc.data, csc.indices, csc.indptr, n, vocab)


_MAX_SEGMENTS = 8  # past this many, the small segments are merged (the largest kept)
# Per ranker, the scores of the terms asked most recently: this many postings, or as many as
# _CACHED_PER_ROW terms found in every row (8 bytes each; bm25s kept every posting's score).
_CACHED_POSTINGS = 4_000_000
_CACHED_PER_ROW = 16


class Segment(NamedTuple):
    """Term counts of some chunks, term-major: term t's postings are slots[indptr[t]:
    indptr[t + 1]] with counts tf[...]. Terms past len(indptr) - 1 have none."""

    indptr: np.ndarray  # int64
    slots: np.ndarray  # int32
    tf: np.ndarray  # uint16 (float32 in a segment holding a count past 65,535)

    @property
    def size(self) -> int:
        return len(self.slots)

    def columns(self) -> np.ndarray:
        """The term id of each posting."""
        return np.repeat(np.arange(len(self.indptr) - 1, dtype=np.int64), np.diff(self.indptr))


def _segment(cols: np.ndarray, slots: np.ndarray, tf: np.ndarray) -> Segment:
    """Postings (term, slot, count) as a segment; within a term, slots keep their given order."""
    order = np.argsort(cols, kind="stable")
    n_terms = int(cols.max()) + 1 if len(cols) else 0
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(np.bincount(cols, minlength=n_terms), out=indptr[1:])
    return Segment(indptr, slots[order].astype(np.int32), _counts(tf[order]))


def _counts(tf: np.ndarray) -> np.ndarray:
    """Term counts as uint16 (2 bytes a posting, not 4: 0.3 KB a chunk of a replica's
    memory), float32 in the segment that holds a larger one. Scores are the same bit for bit:
    both promote exactly to the float64 of the term-frequency component."""
    if len(tf) and int(tf.max()) > np.iinfo(np.uint16).max:
        return tf.astype(np.float32)
    return tf.astype(np.uint16)


def _merged(segments: Sequence[Segment], live: np.ndarray | None) -> Segment:
    """One segment of these, without the postings of slots no longer served (`live` False).
    (No score depends on the order of a term's slots: each slot is one row, added once.)"""
    cols = np.concatenate([s.columns() for s in segments])
    slots = np.concatenate([s.slots for s in segments])
    tf = np.concatenate([s.tf for s in segments])
    if live is not None:
        keep = live[slots]
        cols, slots, tf = cols[keep], slots[keep], tf[keep]
    return _segment(cols, slots, tf)


class Postings:
    """Every slot's term counts (immutable: `add` returns new postings sharing the segments)
    and length (its number of terms)."""

    def __init__(self, segments: tuple[Segment, ...] = (), lengths: np.ndarray | None = None):
        self.segments = segments
        self.lengths = lengths if lengths is not None else np.zeros(0, dtype=np.int64)

    @property
    def n_slots(self) -> int:
        return len(self.lengths)

    def add(self, terms: Sequence[Terms], live: np.ndarray | None = None) -> Postings:
        """These chunks' counts under the next slots (n_slots, n_slots + 1, ...). When the
        segments grow past _MAX_SEGMENTS, the smaller ones are merged, dropping the postings of
        slots `live` (over all slots, the new ones included) says are no longer served: the
        cost of a merge is that of the segments merged, the largest one only when the rest
        together outgrow it."""
        k = len(terms)
        first = self.n_slots
        per_doc = np.fromiter((len(u) for u, _ in terms), dtype=np.int64, count=k)
        if per_doc.any():
            cols = np.concatenate([u for u, _ in terms]).astype(np.int64)
            tf = np.concatenate([c for _, c in terms])
            slots = np.repeat(np.arange(first, first + k, dtype=np.int64), per_doc)
            segments = (*self.segments, _segment(cols, slots, tf))
        else:
            segments = self.segments
        lengths = np.fromiter((int(c.sum()) for _, c in terms), dtype=np.int64, count=k)
        if len(segments) > _MAX_SEGMENTS:
            largest = max(range(len(segments)), key=lambda i: segments[i].size)
            rest = [s for i, s in enumerate(segments) if i != largest]
            if sum(s.size for s in rest) <= segments[largest].size:
                segments = (segments[largest], _merged(rest, live))
            else:
                segments = (_merged(segments, live),)
        return Postings(segments, np.concatenate([self.lengths, lengths]))

    def renumbered(self, new_of_old: np.ndarray) -> Postings:
        """The postings with slot s renumbered new_of_old[s] (-1: dropped), in one segment:
        what keeps slots about as many as the chunks served after much churn."""
        n_new = int(new_of_old.max(initial=-1)) + 1
        lengths = np.zeros(n_new, dtype=np.int64)
        kept = new_of_old >= 0
        lengths[new_of_old[kept]] = self.lengths[kept]
        if not self.segments:
            return Postings((), lengths)
        merged = _merged(self.segments, kept)
        return Postings(
            (merged._replace(slots=new_of_old[merged.slots].astype(np.int32)),), lengths
        )

    def of(self, term: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The term's postings, segment by segment: slots and counts."""
        for seg in self.segments:
            if term + 1 < len(seg.indptr):
                lo, hi = int(seg.indptr[term]), int(seg.indptr[term + 1])
                if lo < hi:
                    yield seg.slots[lo:hi], seg.tf[lo:hi]


class Ranker:
    """BM25 over the rows one snapshot or view serves: row i is the chunk in slot
    slot_of_row[i] of the shared postings. Its statistics are those rows' alone."""

    def __init__(self, postings: Postings, slot_of_row: np.ndarray):
        self.postings = postings
        self.slot_of_row = slot_of_row
        self.n = len(slot_of_row)
        self._row_of_slot: np.ndarray | None = None
        self._norm: np.ndarray | None = None
        # term -> (rows, their float32 scores): a term's scores cost arithmetic over its
        # postings the first time it is asked here, an addition afterwards.
        self._terms: OrderedDict[int, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cached = 0
        self._cache_limit = max(_CACHED_POSTINGS, _CACHED_PER_ROW * self.n)
        self._lock = threading.Lock()

    def row_of_slot(self) -> np.ndarray:
        """Slot -> row (-1: not served here), made once."""
        if self._row_of_slot is None:
            rows = np.full(self.postings.n_slots, -1, dtype=np.int32)
            rows[self.slot_of_row] = np.arange(self.n, dtype=np.int32)
            self._row_of_slot = rows
        return self._row_of_slot

    def _length_norm(self) -> np.ndarray | None:
        """k1 * (1 - b + b * length / average length) per slot, in float64 as bm25s computes
        it (None when the rows hold no term: nothing scores)."""
        if self._norm is None:
            lengths = self.postings.lengths
            avg_len = lengths[self.slot_of_row].mean() if self.n else 0.0
            if not avg_len:
                return None
            self._norm = _K1 * ((1 - _B) + _B * lengths / avg_len)
        return self._norm

    def scores(self, term_ids: Sequence[int]) -> np.ndarray:
        """The BM25 score of every row for a query given by its term ids (in query order)."""
        out = np.zeros(self.n, dtype=np.float32)
        norm = self._length_norm() if term_ids else None
        if norm is None:
            return out
        for term in term_ids:
            rows, values = self._term_scores(term, norm)
            np.add.at(out, rows, values)  # float32 sums in query-term order, as bm25s adds
        return out

    def _term_scores(self, term: int, norm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The rows holding the term and its BM25 score in each (kept; the least recently
        used dropped past the cache's limit)."""
        with self._lock:
            found = self._terms.get(term)
            if found is not None:
                self._terms.move_to_end(term)
                return found
        row_of_slot = self.row_of_slot()
        parts = []
        for slots, tf in self.postings.of(term):
            rows = row_of_slot[slots]
            keep = rows >= 0
            if not keep.all():
                rows, slots, tf = rows[keep], slots[keep], tf[keep]
            if len(rows):
                parts.append((rows, slots, tf))
        df = sum(len(rows) for rows, _, _ in parts)
        if not df:
            found = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))
        else:
            idf = np.float32(math.log(1 + (self.n - df + 0.5) / (df + 0.5)))
            found = (
                np.concatenate([rows for rows, _, _ in parts]),
                np.concatenate(
                    [(idf * (tf / (norm[slots] + tf))).astype(np.float32) for _, slots, tf in parts]
                ),
            )
        with self._lock:
            if term not in self._terms:
                self._terms[term] = found
                self._cached += len(found[0])
                while self._cached > self._cache_limit and len(self._terms) > 1:
                    self._cached -= len(self._terms.popitem(last=False)[1][0])
        return found

    def to_bm25s(self, vocabulary: Vocabulary) -> bm25s.BM25 | None:
        """bm25s's index of these rows (what a snapshot is persisted as), from the postings with
        array arithmetic; None when the rows hold no term (see `build_index`)."""
        norm = self._length_norm()
        if norm is None or not self.postings.segments:
            return None
        vocab = vocabulary.snapshot()
        vocab.setdefault("", len(vocab))
        n_vocab = len(vocab)
        cols = np.concatenate([s.columns() for s in self.postings.segments])
        slots = np.concatenate([s.slots for s in self.postings.segments])
        tf = np.concatenate([s.tf for s in self.postings.segments])
        rows = self.row_of_slot()[slots]
        keep = rows >= 0
        cols, slots, tf, rows = cols[keep], slots[keep], tf[keep], rows[keep]
        if not len(rows):
            return None
        df = np.bincount(cols, minlength=n_vocab)
        idf = np.zeros(n_vocab, dtype=np.float32)
        for t in np.flatnonzero(df):
            d = int(df[t])
            idf[t] = math.log(1 + (self.n - d + 0.5) / (d + 0.5))
        data = (idf[cols] * (tf / (norm[slots] + tf))).astype(np.float32)
        if len(self.postings.segments) > 1:  # each is by term already: a merge of sorted runs
            order = np.argsort(cols, kind="stable")
            data, rows = data[order], rows[order]
        indptr = np.zeros(n_vocab + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        csc = sp.csc_matrix((data, rows, indptr), shape=(self.n, n_vocab))
        csc.sort_indices()  # rows ascending within a term, as bm25s lays them out
        return _bm25s(csc.data, csc.indices, csc.indptr, self.n, vocab)


def _bm25s(
    data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, n: int, vocab: dict[str, int]
) -> bm25s.BM25:
    index = bm25s.BM25()
    index.scores = {
        "data": data.astype(np.float32),
        "indices": indices.astype(np.int32),
        "indptr": indptr.astype(np.int64),
        "num_docs": n,
    }
    index.vocab_dict = vocab
    index.unique_token_ids_set = set(vocab.values())
    index.nonoccurrence_array = None
    return index


def save_postings(
    folder: Path,
    vocabulary: Vocabulary,
    postings: Postings,
    labels: Postings,
    slot_of_row: np.ndarray,
) -> None:
    """A snapshot's BM25 as it is held (`load_postings` reads it back): its vocabulary, its
    postings and its labels' (`CorpusSnapshot.labels`), and which slot each row is. Written
    from the arrays themselves: persisting bm25s's index instead derived every posting's
    score, several GB of arrays for a moment at a million chunks, and a loaded one had to
    count every chunk's terms again (minutes)."""
    arrays: dict[str, np.ndarray] = {
        "slot_of_row": np.asarray(slot_of_row, dtype=np.int64),
        "lengths": postings.lengths,
        "label_lengths": labels.lengths,
    }
    for name, held in (("seg", postings), ("label", labels)):
        for k, seg in enumerate(held.segments):
            arrays[f"{name}{k}_indptr"] = seg.indptr
            arrays[f"{name}{k}_slots"] = seg.slots
            arrays[f"{name}{k}_tf"] = seg.tf
    (folder / VOCABULARY_FILE).write_text(json.dumps(vocabulary.terms()))
    with open(folder / POSTINGS_FILE, "wb") as f:
        # (numpy's stubs take **arrays for its allow_pickle flag)
        np.savez(f, **arrays)  # type: ignore[arg-type]


def load_postings(folder: Path) -> tuple[Vocabulary, Postings, Postings, np.ndarray]:
    """What `save_postings` wrote: (vocabulary, postings, labels' postings, slot_of_row);
    ValueError when the files do not agree with each other."""
    terms = json.loads((folder / VOCABULARY_FILE).read_text())
    vocabulary, n_terms = Vocabulary(terms), len(terms)
    with np.load(folder / POSTINGS_FILE, allow_pickle=False) as saved:
        arrays = {name: saved[name] for name in saved.files}

    def held(name: str, lengths: np.ndarray) -> Postings:
        segments = []
        for k in itertools.count():
            if f"{name}{k}_indptr" not in arrays:
                break
            seg = Segment(
                arrays[f"{name}{k}_indptr"], arrays[f"{name}{k}_slots"], arrays[f"{name}{k}_tf"]
            )
            if (
                len(seg.indptr) - 1 > n_terms
                or len(seg.slots) != len(seg.tf)
                or int(seg.indptr[-1]) != len(seg.slots)
                or (len(seg.slots) and int(seg.slots.max()) >= len(lengths))
            ):
                raise ValueError(f"{POSTINGS_FILE}: segment {name}{k} does not fit")
            segments.append(seg)
        return Postings(tuple(segments), lengths)

    postings = held("seg", arrays["lengths"])
    labels = held("label", arrays["label_lengths"])
    slot_of_row = arrays["slot_of_row"]
    if len(labels.lengths) != len(postings.lengths) or (
        len(slot_of_row) and int(slot_of_row.max()) >= len(postings.lengths)
    ):
        raise ValueError(f"{POSTINGS_FILE}: slots do not fit")
    return vocabulary, postings, labels, slot_of_row

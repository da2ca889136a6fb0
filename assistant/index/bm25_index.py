"""BM25 indexes built from per-chunk term counts kept between snapshots, vectorised.

bm25s builds its index in Python loops over every token of every chunk (vocabulary, ids,
document frequencies, per-document counts): seconds at 10k chunks, minutes at a million, and
all of it again after every ingest. Here each chunk's terms are counted once, when it enters a
snapshot (`Vocabulary.encode`), and carried to the next snapshot and to every access-group
view; building an index is then array arithmetic over those counts.

The index is the one bm25s builds (method "lucene", k1 1.5, b 0.75, float32), bit for bit: the
same idf (math.log per term), the same term-frequency component with the same float64
promotions, the same CSC layout (rows ascending within a term). Only term ids differ, which
no score depends on. tests/unit/test_snapshot_bm25.py compares both.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence

import bm25s
import numpy as np
import scipy.sparse as sp

Terms = tuple[np.ndarray, np.ndarray]  # one chunk's distinct term ids (int32) and their counts

_K1, _B = 1.5, 0.75  # bm25s's defaults, which the snapshot has always used


class Vocabulary:
    """Term -> id, shared by a snapshot, its views and the snapshots refreshed from it. Ids are
    only ever added (a term no chunk holds any more just has no postings)."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._lock = threading.Lock()

    def encode(self, tokens: Sequence[str]) -> Terms:
        """A chunk's terms: distinct ids and counts (total length = len(tokens))."""
        with self._lock:
            ids = self._ids
            arr = np.fromiter(
                (ids.setdefault(t, len(ids)) for t in tokens), dtype=np.int32, count=len(tokens)
            )
        uniq, counts = np.unique(arr, return_counts=True)
        return uniq.astype(np.int32), counts.astype(np.int32)

    def snapshot(self) -> dict[str, int]:
        """A copy (an index keeps the vocabulary it was built with)."""
        with self._lock:
            return dict(self._ids)


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
    index = bm25s.BM25()
    index.scores = {
        "data": csc.data.astype(np.float32),
        "indices": csc.indices.astype(np.int32),
        "indptr": csc.indptr.astype(np.int64),
        "num_docs": n,
    }
    index.vocab_dict = vocab
    index.unique_token_ids_set = set(vocab.values())
    index.nonoccurrence_array = None
    return index

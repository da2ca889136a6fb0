"""Term statistics over the chunks one set of access groups may read.

Abstention asks "does the corpus know this name?" and weighs question terms by rarity. Answering
that from every chunk would let a restricted document change what a public caller is told (a
side channel on its contents), so the statistics are those of the chunks one set of groups may
read (the view retrieval ranks with). They are counted per question term, when asked, from the
view's BM25 postings (`CorpusSnapshot.ranker`, `labels`), so neither a snapshot nor its refresh
makes a pass over the corpus for them.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Iterator

import numpy as np

from assistant.index.snapshot import Change, CorpusSnapshot


class TermStats:
    """How many of the view's chunks hold a term in their text (citation and title left out),
    and whether any holds it at all (a name in a citation or title counts as known, as it does
    for the BM25 vocabulary). Counted per term on first use, then kept."""

    def __init__(self, view: CorpusSnapshot) -> None:
        self._ranker = view.ranker()
        self._labels = view.labels()
        self._vocabulary = view.vocabulary
        self._n = len(view.ids) or 1
        self._metas = view.metas
        self._seen: dict[str, tuple[int, bool]] = {}
        self._documents: dict[str, frozenset[str]] = {}
        self._lock = threading.Lock()

    def idf(self, token: str) -> float:
        d = self._counts(token)[0]
        return math.log(1 + (self._n - d + 0.5) / (d + 0.5))

    def knows(self, token: str) -> bool:
        return self._counts(token)[1]

    def documents(self, token: str) -> frozenset[str]:
        """The documents (doc_id) of the view whose chunks hold the token (in text or label:
        the BM25 postings hold both): whether a name is in a document retrieval found, though
        not in the chunks it ranked. Costs one pass over the token's postings (about 0.4 µs a
        chunk): meant for rare tokens (abstention asks only for names under 1% of the view)."""
        with self._lock:
            found = self._documents.get(token)
        if found is None:
            found = frozenset(
                str(self._metas[r].get("doc_id", ""))
                for _slots, rows, _tf in self._served(token)
                for r in rows
            )
            with self._lock:
                self._documents[token] = found
        return found

    def patched(self, change: Change) -> None:
        """Nothing to carry to a refreshed snapshot: counting a term there is as cheap."""
        return None

    def _counts(self, token: str) -> tuple[int, bool]:
        with self._lock:
            found = self._seen.get(token)
        if found is None:
            found = self._count(token)
            with self._lock:
                self._seen[token] = found
        return found

    def _served(self, token: str) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """The token's BM25 postings in chunks this view serves, run by run: (slots, the view's
        rows of them, term counts)."""
        ids = self._vocabulary.lookup([token])
        if not ids:
            return
        row_of_slot = self._ranker.row_of_slot()
        for slots, tf in self._ranker.postings.of(ids[0]):
            rows = row_of_slot[slots]
            served = rows >= 0
            if served.any():
                yield slots[served], rows[served], tf[served]

    def _count(self, token: str) -> tuple[int, bool]:
        """(chunks whose text holds the token, whether any chunk holds it at all)."""
        ids = self._vocabulary.lookup([token])
        if not ids:
            return 0, False
        term = ids[0]
        in_labels = list(self._labels.of(term))
        label_slots = np.concatenate([s for s, _ in in_labels]) if in_labels else None
        label_tf = np.concatenate([c for _, c in in_labels]) if in_labels else None
        if label_slots is not None and label_tf is not None:
            order = np.argsort(label_slots)
            label_slots, label_tf = label_slots[order], label_tf[order]
        df, known = 0, False
        for slots, _rows, tf in self._served(token):
            known = True
            if label_slots is None or label_tf is None:
                df += len(slots)
                continue
            # A chunk's text holds the term when its count exceeds its label's.
            at = np.minimum(np.searchsorted(label_slots, slots), len(label_slots) - 1)
            in_label = np.where(label_slots[at] == slots, label_tf[at], 0)
            df += int(np.count_nonzero(tf > in_label))
        return df, known


def term_stats(index: CorpusSnapshot, groups: Iterable[str] | None) -> TermStats:
    """TermStats of the chunks `groups` may read (None: all), one per snapshot and group set.

    They are the statistics of the same view retrieval ranks with (`CorpusSnapshot.view`): the
    chunks, and only those, that the caller may read."""
    key = frozenset(groups) if groups is not None else None
    stats = index.derived(("term_stats", key), lambda: TermStats(index.view(key)))
    assert isinstance(stats, TermStats)
    return stats

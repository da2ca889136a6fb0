"""Term statistics over the chunks one set of access groups may read.

Abstention asks "does the corpus know this name?" and weighs question terms by rarity. Answering
that from every chunk would let a restricted document change what a public caller is told (a
side channel on its contents), so the statistics are computed over the chunks one set of groups
may read (the view retrieval ranks with), once per lexical snapshot.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Iterable

from assistant.index.snapshot import CorpusSnapshot
from assistant.index.tokenize import tokenize


class TermStats:
    def __init__(
        self, texts: list[str], labels: list[str], tokens: list[list[str]] | None = None
    ) -> None:
        """Document frequencies of the texts' terms. `tokens`, when given, are each chunk's
        `chunk_tokens` (its label's terms, then its text's), which the snapshot holds already:
        the text's terms are what follows the label's, so nothing is tokenized again."""
        label_terms = [tokenize(label) for label in labels]
        if tokens is None:
            text_terms: Iterable[list[str]] = (tokenize(text) for text in texts)
        else:
            text_terms = (t[len(lt) :] for t, lt in zip(tokens, label_terms, strict=True))
        df: dict[str, int] = {}
        for terms in text_terms:
            for t in set(terms):
                df[t] = df.get(t, 0) + 1
        self._df = df
        self._n = len(texts) or 1
        # A name in a citation or title counts as known, as it does for the BM25 vocabulary.
        self._known = set(df).union(*label_terms)

    def idf(self, token: str) -> float:
        d = self._df.get(token, 0)
        return math.log(1 + (self._n - d + 0.5) / (d + 0.5))

    def knows(self, token: str) -> bool:
        return token in self._known


_lock = threading.Lock()
# Per view (weakly held: a replaced snapshot takes its views, and their statistics, with it).
_cache: weakref.WeakKeyDictionary[CorpusSnapshot, TermStats] = weakref.WeakKeyDictionary()


def term_stats(index: CorpusSnapshot, groups: Iterable[str] | None) -> TermStats:
    """TermStats of the chunks `groups` may read (None: all), computed once per snapshot.

    They are the statistics of the same view retrieval ranks with (`CorpusSnapshot.view`): the
    chunks, and only those, that the caller may read."""
    view = index.view(groups)
    with _lock:
        stats = _cache.get(view)
    if stats is not None:
        return stats
    # Computed outside the lock: other answers go on meanwhile (two may compute the same once).
    stats = TermStats(
        view.texts,
        [f"{m.get('citation', '')} {m.get('title', '')}" for m in view.metas],
        view.tokens(),
    )
    with _lock:
        return _cache.setdefault(view, stats)

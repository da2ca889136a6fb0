"""Term statistics over the chunks one set of access groups may read.

Abstention asks "does the corpus know this name?" and weighs question terms by rarity. Answering
that from every chunk would let a restricted document change what a public caller is told (a
side channel on its contents), so the statistics are computed per set of groups, once per
lexical snapshot.
"""

from __future__ import annotations

import math
import threading
import weakref

from assistant.lexical import LexicalIndex, tokenize


class TermStats:
    def __init__(self, texts: list[str], labels: list[str]) -> None:
        df: dict[str, int] = {}
        for text in texts:
            for t in set(tokenize(text)):
                df[t] = df.get(t, 0) + 1
        self._df = df
        self._n = len(texts) or 1
        # A name in a citation or title counts as known, as it does for the BM25 vocabulary.
        self._known = set(df).union(*(tokenize(label) for label in labels))

    def idf(self, token: str) -> float:
        d = self._df.get(token, 0)
        return math.log(1 + (self._n - d + 0.5) / (d + 0.5))

    def knows(self, token: str) -> bool:
        return token in self._known


_lock = threading.Lock()
# Per snapshot (weakly held: a replaced snapshot takes its statistics with it), per group set.
_cache: weakref.WeakKeyDictionary[LexicalIndex, dict[tuple[str, ...] | None, TermStats]] = (
    weakref.WeakKeyDictionary()
)


def term_stats(index: LexicalIndex, groups: tuple[str, ...] | None) -> TermStats:
    """TermStats of the chunks `groups` may read (None: all), computed once per snapshot."""
    key = tuple(sorted(groups)) if groups is not None else None
    with _lock:
        stats = _cache.get(index, {}).get(key)
    if stats is not None:
        return stats
    # Computed outside the lock: other answers go on meanwhile (two may compute the same once).
    wanted = set(key) if key is not None else None
    visible = [
        i
        for i, m in enumerate(index.metas)
        if wanted is None or any(m.get(f"access_{g}") for g in wanted)
    ]
    stats = TermStats(
        [index.texts[i] for i in visible],
        [
            f"{index.metas[i].get('citation', '')} {index.metas[i].get('title', '')}"
            for i in visible
        ],
    )
    with _lock:
        _cache.setdefault(index, {})[key] = stats
    return stats

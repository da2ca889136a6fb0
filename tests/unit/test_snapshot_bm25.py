"""The snapshot's BM25 index (built from per-chunk term counts, `assistant.index.bm25_index`)
scores exactly as bm25s's own index of the same chunks, bit for bit: for a whole corpus, for a
subset (a view) sharing the vocabulary, and after terms were added by other chunks."""

from __future__ import annotations

import bm25s
import numpy as np
import pytest

from assistant.index.bm25_index import Vocabulary, build_index
from assistant.index.tokenize import tokenize

WORDS = (
    "licence license export exporter item items entity list huawei encryption 5d002 744.11 "
    "740.9 tools trade temporary year deemed foreign national party parties consignee end user "
    "military intelligence reserved de minimis china russia wassenaar commerce control"
).split()
QUERIES = [
    "Is a licence required to export encryption items to Entity List parties?",
    "744.11 huawei",
    "tools of trade temporary export within one year",
    "deemed export to a foreign national",
    "licence licence licence",
    "words no chunk holds",
]


def _corpus(n: int, seed: int) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    p = 1 / np.arange(1, len(WORDS) + 1)  # a Zipf-like spread: common and rare terms
    docs = []
    for _ in range(n):
        words = rng.choice(WORDS, int(rng.integers(1, 120)), p=p / p.sum())
        docs.append(tokenize(" ".join(words)))
    docs.append(tokenize("[Reserved]"))  # a chunk with one term
    return docs


def _bits(index: bm25s.BM25, query: str) -> bytes:
    return np.asarray(index.get_scores(tokenize(query)), dtype=np.float32).tobytes()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_index_scores_as_bm25s_does_bit_for_bit(seed: int) -> None:
    docs = _corpus(400, seed)
    reference = bm25s.BM25()
    reference.index(docs, show_progress=False)
    vocabulary = Vocabulary()
    terms = [vocabulary.encode(d) for d in docs]
    built = build_index(terms, vocabulary)
    assert built is not None
    for query in QUERIES:
        if tokenize(query):
            assert _bits(built, query) == _bits(reference, query), query

    # A view: a subset of the same chunks, their counts reused, the vocabulary shared and grown
    # by chunks outside it (as after a refresh).
    vocabulary.encode(tokenize("brand new terms from another document"))
    rows = list(range(0, len(docs), 3))
    subset = bm25s.BM25()
    subset.index([docs[i] for i in rows], show_progress=False)
    view = build_index([terms[i] for i in rows], vocabulary)
    assert view is not None
    for query in QUERIES:
        if tokenize(query):
            assert _bits(view, query) == _bits(subset, query), query


def test_chunks_without_any_term_have_no_index() -> None:
    vocabulary = Vocabulary()
    assert build_index([vocabulary.encode([])], vocabulary) is None
    assert build_index([], vocabulary) is None

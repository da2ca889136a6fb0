"""The snapshot's BM25 (built from per-chunk term counts, `assistant.index.bm25_index`) scores
exactly as bm25s's own index of the same chunks, bit for bit: for a whole corpus, for a subset
(a view) sharing the vocabulary, after terms were added by other chunks, and after chunks were
replaced in the shared postings over many refreshes."""

from __future__ import annotations

import bm25s
import numpy as np
import pytest

from assistant.index import bm25_index
from assistant.index.bm25_index import _MAX_SEGMENTS, Postings, Ranker, Vocabulary, build_index
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


@pytest.mark.parametrize("cached", [4_000_000, 0])
def test_postings_score_as_bm25s_does_after_chunks_come_and_go(
    cached: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refreshed snapshot's scorer (`Ranker` over shared postings, statistics at query time)
    against bm25s's index of the rows it serves: chunks replaced over many refreshes (so that
    segments are merged and slots no longer served are dropped), and a subset (a view); with
    each term's scores kept between queries, and with none kept."""
    monkeypatch.setattr(bm25_index, "_CACHED_POSTINGS", cached)
    monkeypatch.setattr(bm25_index, "_CACHED_PER_ROW", 0)
    docs = _corpus(300, 4)
    vocabulary = Vocabulary()
    postings = Postings().add([vocabulary.encode(d) for d in docs])
    served = list(range(len(docs)))  # row -> slot
    tokens_of = dict(enumerate(docs))  # slot -> tokens
    rng = np.random.default_rng(5)
    for step in range(2 * _MAX_SEGMENTS + 3):
        fresh = _corpus(int(rng.integers(1, 6)), 100 + step)
        replaced = sorted(rng.choice(len(served), len(fresh), replace=False).tolist())
        slots = range(postings.n_slots, postings.n_slots + len(fresh))
        for row, slot, tokens in zip(replaced, slots, fresh, strict=True):
            served[row] = slot
            tokens_of[slot] = tokens
        live = np.zeros(postings.n_slots + len(fresh), dtype=bool)
        live[served] = True
        postings = postings.add([vocabulary.encode(t) for t in fresh], live)
        assert len(postings.segments) <= _MAX_SEGMENTS
    for rows in (list(range(len(served))), list(range(1, len(served), 4))):
        reference = bm25s.BM25()
        reference.index([tokens_of[served[i]] for i in rows], show_progress=False)
        ranker = Ranker(postings, np.asarray([served[i] for i in rows], dtype=np.int64))
        persisted = ranker.to_bm25s(vocabulary)
        assert persisted is not None
        for query in QUERIES:
            tokens = tokenize(query)
            if tokens:
                expected = _bits(reference, query)
                for _ in range(2):  # the second time from the kept scores, if kept
                    assert ranker.scores(vocabulary.lookup(tokens)).tobytes() == expected, query
                assert _bits(persisted, query) == expected, query


def test_counts_take_two_bytes_a_posting_and_a_huge_one_still_scores_as_bm25s() -> None:
    """Postings hold term counts as uint16 (a replica's memory: 0.3 KB a chunk); a chunk with
    a term repeated past 65,535 times keeps its exact count in a float32 segment."""
    docs = _corpus(50, 9)
    huge = ["licence"] * 70_000 + ["export"]
    vocabulary = Vocabulary()
    small = Postings().add([vocabulary.encode(d) for d in docs])
    assert all(s.tf.dtype == np.uint16 for s in small.segments)
    postings = small.add([vocabulary.encode(huge)])
    assert postings.segments[-1].tf.dtype == np.float32
    reference = bm25s.BM25()
    reference.index([*docs, huge], show_progress=False)
    ranker = Ranker(postings, np.arange(len(docs) + 1, dtype=np.int64))
    for query in ("licence", "export licence", "encryption"):
        expected = _bits(reference, query)
        assert ranker.scores(vocabulary.lookup(tokenize(query))).tobytes() == expected, query

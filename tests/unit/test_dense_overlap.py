"""A replica that holds no vectors asks Chroma for the nearest chunks on another thread while
BM25 scores its view (bench/scale.py at a million chunks: retrieval p50 48 -> 29 ms). What the
caller sees must not change: the same passages, and a store that is down still fails the
request with `StoreUnavailable` (a 503), never an empty dense side or a hang."""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any, cast

import numpy as np
import pytest

from assistant.index.snapshot import CorpusSnapshot
from assistant.index.store import Store, StoreUnavailable
from assistant.models import Filters
from assistant.retrieval import retriever as retrieval
from assistant.retrieval.retriever import Retriever

PUBLIC = Filters(groups=["public"])


def _meta(cid: str) -> dict[str, Any]:
    return {
        "doc_id": cid,
        "citation": f"15 CFR 744.{cid}",
        "title": "",
        "doc_type": "regulation",
        "access": "public",
        "access_public": True,
        "start": 0,
        "end": 10,
    }


class _Chroma:
    """Chroma's two calls a replica without vectors makes: the nearest chunks, and the vectors
    of other candidates by id. `down` fails both as an unreachable server does."""

    def __init__(self, vectors: dict[str, np.ndarray], down: bool = False) -> None:
        self.vectors, self.down = vectors, down
        self.settings = type("S", (), {"chroma_host": "127.0.0.1", "max_concurrency": 4})()
        self.threads: set[str] = set()

    def nearest(self, vector: Any, k: int, where: Any = None) -> list[tuple[str, float]]:
        self.threads.add(threading.current_thread().name)
        if self.down:
            raise StoreUnavailable("Chroma server at 127.0.0.1:1 unreachable: refused")
        q = np.asarray(vector)
        scored = sorted(((float(v @ q), c) for c, v in self.vectors.items()), reverse=True)
        return [(c, s) for s, c in scored[:k]]

    def embeddings_of(self, ids: list[str]) -> dict[str, np.ndarray]:
        if self.down:
            raise StoreUnavailable("Chroma server at 127.0.0.1:1 unreachable: refused")
        return {c: self.vectors[c] for c in ids if c in self.vectors}


def _corpus() -> tuple[CorpusSnapshot, dict[str, np.ndarray]]:
    rng = np.random.default_rng(3)
    ids = [f"{i}" for i in range(1, 41)]
    texts = [f"licence requirement number {i} for entity list parties" for i in range(1, 41)]
    vectors = {c: v / np.linalg.norm(v) for c, v in zip(ids, rng.normal(size=(40, 8)), strict=True)}
    snap = CorpusSnapshot(ids, texts, [_meta(c) for c in ids], "v1", None)
    return snap, vectors


def test_the_dense_side_is_asked_on_another_thread_and_ranks_as_the_exact_scan() -> None:
    snap, vectors = _corpus()
    assert not snap.has_vectors
    chroma = _Chroma(vectors)
    q = vectors["7"]
    got = Retriever(cast(Store, chroma)).retrieve("entity list licence", 5, PUBLIC, q, snap)
    assert chroma.threads and threading.current_thread().name not in chroma.threads
    # the same ranking as a replica holding every vector
    exact = CorpusSnapshot(
        snap.ids, snap.texts, snap.metas, "v1", np.stack([vectors[c] for c in snap.ids])
    )
    want = Retriever(cast(Store, None)).retrieve("entity list licence", 5, PUBLIC, q, exact)
    assert [r.chunk_id for r in got] == [r.chunk_id for r in want]
    assert got[0].chunk_id == "7"


def test_a_store_down_fails_the_retrieval_from_the_dense_thread() -> None:
    snap, vectors = _corpus()
    with pytest.raises(StoreUnavailable, match="unreachable"):
        Retriever(cast(Store, _Chroma(vectors, down=True))).retrieve(
            "entity list licence", 5, PUBLIC, vectors["7"], snap
        )


def _ask_in_child(out: Any) -> None:
    out.put(retrieval._dense_pool().submit(lambda: 41 + 1).result(timeout=10))


def test_a_forked_process_gets_threads_of_its_own() -> None:
    """A child forked after the parent used the pool inherits a pool whose threads it does
    not have; asking there would wait for ever."""
    assert retrieval._dense_pool().submit(lambda: 1).result(timeout=10) == 1
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    child = ctx.Process(target=_ask_in_child, args=(out,))
    child.start()
    child.join(30)
    assert child.exitcode == 0 and out.get(timeout=1) == 42


def test_the_pool_has_a_thread_for_every_request_the_server_runs_at_once() -> None:
    assert retrieval._dense_pool(4)._max_workers >= 16
    assert retrieval._dense_pool(40)._max_workers >= 80
    assert retrieval._dense_pool(4).submit(lambda: 7).result(timeout=10) == 7

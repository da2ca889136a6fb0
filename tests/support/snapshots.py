"""Small in-memory corpora for retrieval unit tests: a snapshot built from rows, and the
"public" caller's retrieval over it (exact neighbours from the snapshot alone: no Chroma, and
the store is never read)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

import numpy as np

from assistant.index.snapshot import CorpusSnapshot
from assistant.index.store import Store
from assistant.models import Filters, SearchResult
from assistant.retrieval.retriever import Retriever

PUBLIC = Filters(groups=["public"])


def unit(*values: float) -> np.ndarray:
    """A unit vector (float32) in the direction given."""
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def snapshot(rows: Sequence[tuple[str, str, Mapping[str, Any], np.ndarray]]) -> CorpusSnapshot:
    """A snapshot of (chunk id, text, metadata, vector) rows."""
    return CorpusSnapshot(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [dict(r[2]) for r in rows],
        "v1",
        np.stack([r[3] for r in rows]),
    )


def retrieve(
    question: str, vector: np.ndarray, snap: CorpusSnapshot, k: int = 5
) -> list[SearchResult]:
    """The top k for the "public" caller, the question embedded as `vector`."""
    return Retriever(cast(Store, None)).retrieve(question, k, PUBLIC, vector, snap)

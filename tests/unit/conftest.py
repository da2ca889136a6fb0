"""The stand-in store the snapshot tests share (no model, no Chroma): hand-made chunks, a ledger,
and counts of full and partial reads, so a test can see what a build or refresh read. Kept here
so test_snapshot and test_snapshot_refresh build on one definition of what a store returns."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest

from assistant.config import Settings
from assistant.index.store import Store

DIM = 4
TEXTS = {
    "a-0": "A license is required to export encryption items to parties on the Entity List.",
    "a-1": "License Exception ENC authorizes exports of mass-market encryption software.",
    "b-0": "Tools of trade may stay abroad for no longer than one year (License Exception TMP).",
    "c-0": "Counsel's note on the Falconridge review: no further licence is needed.",
}
ACCESS = {"a": ["public"], "b": ["public"], "c": ["legal"]}


def chunk_meta(cid: str, doc_hash: str | None = None) -> dict[str, Any]:
    """A chunk's metadata as ingest stores it: document, hash, citation and access flags."""
    doc = cid.split("-")[0]
    groups = ACCESS[doc]
    return {
        "doc_id": doc,
        "doc_hash": doc_hash or f"hash-{doc}",
        "citation": f"15 CFR 740.{ord(doc) - 96}",
        "title": f"Document {doc}",
        "access": ",".join(groups),
        **{f"access_{g}": True for g in groups},
    }


def chunk_vector(cid: str) -> np.ndarray:
    """A unit vector fixed by the chunk id, so builds can be compared bit for bit."""
    v = np.random.default_rng(sum(map(ord, cid))).normal(size=DIM).astype(np.float32)
    return v / np.linalg.norm(v)


class FakeStore:
    """What `build`, persistence and versions read of a store: the ledger and every chunk."""

    def __init__(self, data_dir: Path) -> None:
        self.settings = Settings(data_dir=data_dir)
        self.records: dict[str, dict[str, Any]] = {}
        self.rows: dict[str, tuple[str, dict[str, Any]]] = {}
        self.reads = 0
        self.partial_reads: list[list[str]] = []

    def put(self, doc: str, cids: list[str], content_hash: str | None = None) -> None:
        """A document written completely: its chunks, then its ledger record."""
        content_hash = content_hash or f"hash-{doc}"
        for cid in cids:
            self.rows[cid] = (TEXTS[cid], chunk_meta(cid, content_hash))
        self.records[doc] = {"content_hash": content_hash, "chunk_count": len(cids)}

    def document_records(self) -> dict[str, dict[str, Any]]:
        return {k: dict(v) for k, v in self.records.items()}

    def removal_mark(self) -> str:
        return ""

    def records_written_since(self, since_ms: int, most: int) -> None:
        return None  # records carry no write stamps here: the ledger is read whole every time

    def count(self) -> int:
        return len(self.rows)

    def all_chunks(
        self, vectors: bool = True
    ) -> tuple[list[str], list[str], list[dict[str, Any]], np.ndarray]:
        self.reads += 1
        return self._rows(list(reversed(self.rows)), vectors)  # not in id order: it sorts

    def chunks_of(
        self, doc_ids: list[str], vectors: bool = True
    ) -> tuple[list[str], list[str], list[dict[str, Any]], np.ndarray]:
        self.partial_reads.append(sorted(doc_ids))
        wanted = set(doc_ids)
        return self._rows([c for c in self.rows if self.rows[c][1]["doc_id"] in wanted], vectors)

    def _rows(
        self, ids: list[str], vectors: bool
    ) -> tuple[list[str], list[str], list[dict[str, Any]], np.ndarray]:
        if not vectors:
            block = np.zeros((len(ids), 0), np.float32)
        else:
            block = (
                np.stack([chunk_vector(c) for c in ids]) if ids else np.zeros((0, DIM), np.float32)
            )
        return ids, [self.rows[c][0] for c in ids], [self.rows[c][1] for c in ids], block


def as_store(fake: FakeStore) -> Store:
    """The fake typed as the real store it stands in for."""
    return cast(Store, fake)


@pytest.fixture
def store(tmp_path: Path) -> FakeStore:
    """Three documents: two public (a with two chunks, b with one), one for "legal" (c)."""
    fake = FakeStore(tmp_path / "data")
    fake.put("a", ["a-0", "a-1"])
    fake.put("b", ["b-0"])
    fake.put("c", ["c-0"])
    return fake

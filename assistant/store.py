"""Chroma access: the chunk collection, and a ledger of documents (full text, hash, origin).

Both live in the same Chroma, embedded (`PersistentClient`) or a server (`HttpClient` when
TPA_CHROMA_HOST is set), so every replica pointed at one server sees the same documents, and the
ingest ledger can never disagree with the chunks by living somewhere else.
Crash safety comes from write order: a document's chunks are written before its ledger record,
and removed before it; a run that dies in between leaves a record that no longer matches, and
the next run repairs it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings

from assistant.config import Settings
from assistant.embeddings import ChromaEmbedding
from ingest.documents import Chunk

log = logging.getLogger(__name__)

_PAGE = 2000


class StoreUnavailable(RuntimeError):
    """The vector store cannot be reached (server down, data dir unreadable)."""


def _clean(meta: dict[str, Any]) -> dict[str, str | int | float | bool]:
    """Chroma metadata holds scalars only: lists are joined, None is left out."""
    out: dict[str, str | int | float | bool] = {}
    for key, value in meta.items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            out[key] = ",".join(str(v) for v in value)
        elif isinstance(value, str | int | float | bool):
            out[key] = value
        else:
            out[key] = str(value)
    return out


def chunk_metadata(chunk: Chunk, source_path: str) -> dict[str, str | int | float | bool]:
    meta = chunk.metadata
    access = list(meta.get("access") or ["public"])
    flat: dict[str, Any] = {
        "chunk_id": chunk.chunk_id,
        "doc_id": chunk.doc_id,
        "source_path": source_path,
        "title": meta.get("title"),
        "citation": chunk.citation,
        "section_path": " > ".join(chunk.section_path),
        "doc_type": meta.get("doc_type"),
        "date": meta.get("date"),
        "source_url": meta.get("source_url"),
        "start": chunk.start,
        "end": chunk.end,
        "access": access,
    }
    # One boolean per group, so retrieval can filter "any of the caller's groups" in Chroma.
    flat.update({f"access_{group}": True for group in access})
    return _clean(flat)


@dataclass(frozen=True)
class StoredDocument:
    doc_id: str
    text: str
    metadata: dict[str, Any]


def make_client(settings: Settings) -> ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if settings.chroma_host:
            return chromadb.HttpClient(
                host=settings.chroma_host,
                port=settings.chroma_port,
                ssl=settings.chroma_ssl,
                settings=chroma_settings,
            )
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as exc:  # chromadb raises plain ValueError/ConnectionError variants
        where = (
            f"{settings.chroma_host}:{settings.chroma_port}"
            if settings.chroma_host
            else settings.chroma_dir
        )
        raise StoreUnavailable(f"cannot open the Chroma store at {where}: {exc}") from exc


class Store:
    """The chunks collection plus the document ledger, behind a small interface."""

    def __init__(self, settings: Settings, client: ClientAPI | None = None) -> None:
        self.settings = settings
        self.client = client or make_client(settings)
        try:
            self.chunks: Collection = self.client.get_or_create_collection(
                settings.collection,
                embedding_function=ChromaEmbedding(),  # type: ignore[arg-type]
                configuration={"hnsw": {"space": "cosine"}},
            )
            # Document texts need no vectors; a constant 1-d vector keeps Chroma happy.
            self.documents: Collection = self.client.get_or_create_collection(
                f"{settings.collection}_documents", embedding_function=None
            )
        except Exception as exc:
            raise StoreUnavailable(f"cannot open the Chroma collections: {exc}") from exc

    # ---- ledger -------------------------------------------------------------------------
    def document_records(self) -> dict[str, dict[str, Any]]:
        """doc_id -> ledger metadata (hash, source_path, root, chunk_count, ...), no texts."""
        out: dict[str, dict[str, Any]] = {}
        for ids, metas in self._pages(self.documents, include=["metadatas"]):
            for doc_id, meta in zip(ids, metas, strict=True):
                out[doc_id] = dict(meta or {})
        return out

    def get_document(self, doc_id: str) -> StoredDocument | None:
        got = self.documents.get(ids=[doc_id], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        docs = got["documents"] or [""]
        metas = got["metadatas"] or [{}]
        return StoredDocument(doc_id=doc_id, text=docs[0] or "", metadata=dict(metas[0] or {}))

    def write_document(
        self,
        doc_id: str,
        text: str,
        record: dict[str, Any],
        chunks: Sequence[Chunk],
        embeddings: np.ndarray,
        source_path: str,
    ) -> tuple[int, int]:
        """Replace a document's chunks and then its record. Returns (added, removed)."""
        removed = self.delete_chunks_of(doc_id)
        batch = max(1, min(self.settings.embed_batch_size * 4, self.client.get_max_batch_size()))
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            self.chunks.add(
                ids=[c.chunk_id for c in part],
                documents=[c.text for c in part],
                embeddings=embeddings[i : i + batch],
                metadatas=[chunk_metadata(c, source_path) for c in part],
            )
        self.documents.upsert(
            ids=[doc_id],
            documents=[text],
            embeddings=np.ones((1, 1), dtype=np.float32),
            metadatas=[_clean({**record, "chunk_count": len(chunks)})],
        )
        return len(chunks), removed

    def touch_record(self, doc_id: str, record: dict[str, Any]) -> None:
        """Update ledger fields (e.g. the root it was last seen under) without touching chunks."""
        self.documents.update(ids=[doc_id], metadatas=[_clean(record)])

    def delete_document(self, doc_id: str) -> int:
        removed = self.delete_chunks_of(doc_id)
        self.documents.delete(ids=[doc_id])
        return removed

    def delete_chunks_of(self, doc_id: str) -> int:
        ids = self.chunks.get(where={"doc_id": doc_id}, include=[])["ids"]
        if ids:
            self.chunks.delete(ids=ids)
        return len(ids)

    # ---- chunks -------------------------------------------------------------------------
    def chunk_doc_ids(self) -> dict[str, int]:
        """doc_id -> number of chunks actually stored (for repair after a crash)."""
        counts: dict[str, int] = {}
        for _, metas in self._pages(self.chunks, include=["metadatas"]):
            for meta in metas:
                doc_id = str((meta or {}).get("doc_id", ""))
                counts[doc_id] = counts.get(doc_id, 0) + 1
        return counts

    def get_chunk(self, chunk_id: str) -> tuple[str, dict[str, Any]] | None:
        """A chunk's text and metadata, or None when no such chunk is stored."""
        got = self.chunks.get(ids=[chunk_id], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        docs = got["documents"] or [""]
        metas = got["metadatas"] or [{}]
        return docs[0] or "", dict(metas[0] or {})

    def count(self) -> int:
        return self.chunks.count()

    def query(
        self, embedding: Sequence[float], k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, str, dict[str, Any], float]]:
        """Nearest chunks: (chunk_id, text, metadata, cosine similarity)."""
        if k <= 0 or self.chunks.count() == 0:
            return []
        res = self.chunks.query(
            query_embeddings=np.asarray([embedding], dtype=np.float32),
            n_results=k,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        ids = res["ids"][0]
        docs = (res["documents"] or [[]])[0]
        metas = (res["metadatas"] or [[]])[0]
        dists = (res["distances"] or [[]])[0]
        return [
            (cid, doc or "", dict(meta or {}), 1.0 - float(dist))
            for cid, doc, meta, dist in zip(ids, docs, metas, dists, strict=True)
        ]

    def _pages(
        self, collection: Collection, include: list[str]
    ) -> Iterator[tuple[list[str], list[Any]]]:
        offset = 0
        while True:
            got = collection.get(limit=_PAGE, offset=offset, include=include)  # type: ignore[arg-type]
            ids = got["ids"]
            if not ids:
                return
            metas: list[Any] = list(got["metadatas"] or [{} for _ in ids])
            yield ids, metas
            if len(ids) < _PAGE:
                return
            offset += len(ids)

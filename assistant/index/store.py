"""Chroma access: the chunk collection, the documents' texts, and a ledger of documents (hash,
origin, chunk count, access: metadata only).

All live in the same Chroma, embedded (`PersistentClient`) or a server (`HttpClient` when
TPA_CHROMA_HOST is set), so every replica pointed at one server sees the same documents, and the
ingest ledger can never disagree with the chunks by living somewhere else.
The ledger is its own collection, without texts, because Chroma keeps a record's text among its
metadata: a metadata-only read of the texts collection still reads every text, and every
replica reads the ledger every few seconds to see whether anything changed.
Crash safety comes from write order: a document's chunks, then its text with its record (one
write, the truth), then the ledger's copy of the record, then the change mark are written, and
removed in the same order. A run that dies in between leaves a ledger record that no longer
matches its chunks or its text; replicas serve that document as it was, and the next ingest
mends the ledger from the texts (`reconcile_ledger`) and repairs the chunks.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import chromadb
import chromadb.errors
import httpx
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings

from assistant.config import Settings
from assistant.index.embeddings import ChromaEmbedding
from assistant.models import Chunk
from assistant.status import STATUS_KEYS

log = logging.getLogger(__name__)

_PAGE = 2000
# How wide Chroma's HNSW search is. On bench/scale.py's 100k-chunk corpus, Chroma's 50 nearest
# held 94.3% of the exact 50 at 400 and 98.6% at 1000, for 6.3 -> 8.2 ms a query (p50; 100
# questions). At a million chunks 1000 held 90.7%; 1500 93.0%, 2000 94.7%, 2500 95.7% and
# 3000 96.7%, for 8.3, 10.3, 15.2, 14.6 and 15.0 ms a query (p50, 100 questions, one run each).
# Set when the collection is created, and raised on opening a collection made with less
# (Chroma applies it when it next loads the index: at once, or after a server restart).
HNSW_EF_SEARCH = 3000
_MARK_ID = "ledger"  # the changes collection's record of the latest ledger write
_LAYOUT_ID = "layout"  # ... and its note that the ledger has its own collection
_DELETED_ID = "deleted"  # ... and its record of the latest removal of ledger records
# Every ledger record carries the time it was written (ms since the epoch, by the writer's
# clock), so a replica can read only the records written since its last look
# (`records_written_since`, `assistant.index.ledger_follow`).
WRITTEN_AT = "written_at"
_DOCS_PER_FILTER = 200  # document ids in one `$in` filter when reading some documents' chunks
# Chunks with their texts and vectors are read this many at a time: one call for the whole
# collection outgrows the read timeout (and the server's response size) on a larger corpus.
CHUNK_PAGE = 1000
# A Chroma server that died refuses connections at once; one that hangs must not hold a worker
# for long either (chromadb's own client waits forever).
_CONNECT_TIMEOUT_S = 3.0
_READ_TIMEOUT_S = 30.0

P = ParamSpec("P")
R = TypeVar("R")


class StoreUnavailable(RuntimeError):
    """The vector store cannot be reached (server down, data dir unreadable)."""


def _is_transport_error(exc: BaseException) -> bool:
    """Whether the failure (or what caused it) is the network: refused, reset, timed out."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, httpx.TransportError | ConnectionError | TimeoutError):
            return True
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return False


def _is_missing_collection(exc: BaseException) -> bool:
    """Chroma's "collection does not exist" (a handle gone stale: server reset or re-created)."""
    name = type(exc).__name__
    return "NotFound" in name or "InvalidCollection" in name


def _guarded(method: Callable[P, R]) -> Callable[P, R]:
    """Store operations against a Chroma server: a server that cannot be reached becomes
    StoreUnavailable (503 in the API), and a collection handle that went stale is re-opened and
    the operation tried once more. Any other error is the caller's (a bug, not an outage).

    Embedded: Chroma keeps a per-process view of the vector index, which does not see what
    another process (a `tpa ingest` beside `tpa serve`) wrote since; reading such records fails
    with an InternalError ("Error finding id"). The store is then re-opened from disk, once."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        self: Store = args[0]  # type: ignore[assignment]
        generation = self._generation
        try:
            return method(*args, **kwargs)
        except StoreUnavailable:
            raise
        except Exception as exc:
            if not self.settings.chroma_host:
                if not isinstance(exc, chromadb.errors.InternalError):
                    raise
                log.info("embedded Chroma view is stale (%s); re-opening it", _describe(exc))
                self._reopen(generation)
                return method(*args, **kwargs)
            if _is_transport_error(exc) or not self.alive():
                raise StoreUnavailable(f"{self.where} unreachable: {_describe(exc)}") from exc
            if not _is_missing_collection(exc):
                raise
            log.warning("Chroma collection handle is stale (%s); re-opening", exc)
            self._open_collections()
            return method(*args, **kwargs)

    return wrapper


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "..."


def now_ms() -> int:
    """The time as ledger records are stamped with it (`WRITTEN_AT`): ms since the epoch."""
    return int(time.time() * 1000)


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


def _groups(raw: Any) -> list[str]:
    """A list of non-blank group names from a list or a comma-joined string; [] for anything
    else (mirrors `assistant.access.access_groups`, which imports this module)."""
    items = raw.split(",") if isinstance(raw, str) else raw if isinstance(raw, list | tuple) else []
    return [g.strip() for g in items if isinstance(g, str) and g.strip()]


def chunk_metadata(
    chunk: Chunk, source_path: str, doc_hash: str | None = None
) -> dict[str, str | int | float | bool]:
    """`doc_hash` is the content hash of the document version the chunk belongs to (the ledger
    record's), so a reader can tell a complete document from one half-way through a re-ingest."""
    meta = chunk.metadata
    # No default: a chunk without groups gets no `access_<group>` flag, so no caller's filter
    # matches it (fail closed). Ingest always supplies a checked, non-empty list.
    access = _groups(meta.get("access"))
    flat: dict[str, Any] = {
        "chunk_id": chunk.chunk_id,
        "doc_id": chunk.doc_id,
        "doc_hash": doc_hash,
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
    # Legal status and what the date means (assistant.status reads them back).
    flat.update({key: meta.get(key) for key in STATUS_KEYS})
    # One boolean per group, so retrieval can filter "any of the caller's groups" in Chroma.
    flat.update({f"access_{group}": True for group in access})
    return _clean(flat)


@dataclass(frozen=True)
class StoredDocument:
    doc_id: str
    text: str
    metadata: dict[str, Any]


def _where(settings: Settings) -> str:
    if settings.chroma_host:
        return f"Chroma server at {settings.chroma_host}:{settings.chroma_port}"
    return f"Chroma store at {settings.chroma_dir}"


def _http_timeout() -> httpx.Timeout:
    return httpx.Timeout(_READ_TIMEOUT_S, connect=_CONNECT_TIMEOUT_S)


def _set_timeout(client: ClientAPI) -> None:
    """chromadb's HttpClient waits forever by default; bound it (best-effort: private API)."""
    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = _http_timeout()


def make_client(settings: Settings) -> ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if settings.chroma_host:
            # A quick probe first: the client's own first requests have no timeout at all.
            scheme = "https" if settings.chroma_ssl else "http"
            httpx.get(
                f"{scheme}://{settings.chroma_host}:{settings.chroma_port}/api/v2/heartbeat",
                timeout=_http_timeout(),  # proxies from the environment, as chromadb's own
            ).raise_for_status()
            client = chromadb.HttpClient(
                host=settings.chroma_host,
                port=settings.chroma_port,
                ssl=settings.chroma_ssl,
                settings=chroma_settings,
            )
            _set_timeout(client)
            return client
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as exc:  # chromadb raises plain ValueError/ConnectionError variants
        unreachable = "unreachable" if settings.chroma_host else "cannot be opened"
        raise StoreUnavailable(f"{_where(settings)} {unreachable}: {_describe(exc)}") from exc


class Store:
    """The chunks collection plus the document ledger, behind a small interface.

    With a Chroma server, every operation that cannot reach it raises StoreUnavailable, and the
    same Store works again once the server is back (on the same address): no restart needed."""

    def __init__(self, settings: Settings, client: ClientAPI | None = None) -> None:
        self.settings = settings
        self.where = _where(settings)
        self.client = client or make_client(settings)
        self._generation = 0  # bumped by each _reopen
        self._reopen_lock = threading.Lock()
        self._open_collections()

    def _reopen(self, generation: int) -> None:
        """A fresh embedded client (this process's cached one has a stale view), unless another
        thread already made one since `generation`."""
        with self._reopen_lock:
            if generation != self._generation:
                return
            try:  # chromadb shares one client system per path; make the next client load anew
                from chromadb.api.shared_system_client import SharedSystemClient

                SharedSystemClient._identifier_to_system.pop(str(self.settings.chroma_dir), None)
            except (ImportError, AttributeError):  # private API: without it, nothing changes
                pass
            self.client = make_client(self.settings)
            self._open_collections()
            self._generation += 1

    def _open_collections(self) -> None:
        try:
            self.chunks: Collection = self.client.get_or_create_collection(
                self.settings.collection,
                embedding_function=ChromaEmbedding(),  # type: ignore[arg-type]
                configuration={"hnsw": {"space": "cosine", "ef_search": HNSW_EF_SEARCH}},
            )
            self._widen_search()
            # Document texts and ledger records need no vectors; a constant 1-d vector keeps
            # Chroma happy.
            self.documents: Collection = self.client.get_or_create_collection(
                f"{self.settings.collection}_documents", embedding_function=None
            )
            self.ledger: Collection = self.client.get_or_create_collection(
                f"{self.settings.collection}_ledger", embedding_function=None
            )
            # `_MARK_ID`, given a fresh token after every ledger write (see `ledger_mark`),
            # and `_LAYOUT_ID` (see `_upgrade_ledger`).
            self.changes: Collection = self.client.get_or_create_collection(
                f"{self.settings.collection}_changes", embedding_function=None
            )
            self._upgrade_ledger()
        except Exception as exc:
            if self.settings.chroma_host:
                raise StoreUnavailable(f"{self.where} unreachable: {_describe(exc)}") from exc
            raise StoreUnavailable(f"cannot open the Chroma collections: {exc}") from exc

    def _widen_search(self) -> None:
        """Raise a collection's HNSW search width to HNSW_EF_SEARCH when it was made with less
        (by an earlier release): best-effort, a store that refuses still serves."""
        try:
            hnsw = (self.chunks.configuration_json or {}).get("hnsw") or {}
            current = int(hnsw.get("ef_search") or 0)
            if 0 < current < HNSW_EF_SEARCH:
                self.chunks.modify(configuration={"hnsw": {"ef_search": HNSW_EF_SEARCH}})
                log.info("HNSW ef_search raised from %d to %d", current, HNSW_EF_SEARCH)
        except Exception as exc:  # (private to Chroma's versions: never a reason not to serve)
            log.warning("could not raise the HNSW search width: %s", _describe(exc))

    def _upgrade_ledger(self) -> None:
        """Once per store: copy the records of a store written before the ledger had its own
        collection (they were only beside the texts), then note the upgrade in the changes
        collection. Every later opening costs one small read. Upgrade every writer first: a
        writer of an earlier release does not write the ledger."""
        got = self.changes.get(ids=[_LAYOUT_ID], include=[])
        if got["ids"]:
            return
        copied = 0
        for ids, metas in self._pages(self.documents, include=["metadatas"]):
            held = set(self.ledger.get(ids=list(ids), include=[])["ids"])  # a writer's own
            new = [(i, m) for i, m in zip(ids, metas, strict=True) if i not in held]
            if new:
                self._upsert_records([i for i, _ in new], [dict(m or {}) for _, m in new])
                copied += len(new)
        if copied:
            log.info("copied %d document records into the ledger collection", copied)
        self.changes.upsert(
            ids=[_LAYOUT_ID], embeddings=np.ones((1, 1), np.float32), metadatas=[{"ledger": 1}]
        )
        self._mark_changed()

    @_guarded
    def reconcile_ledger(self) -> dict[str, dict[str, Any]]:
        """Make the ledger agree with the texts collection, which holds each document's text
        and record in one write and is the truth: a run killed after a document's text and
        before its ledger copy (or after its text was deleted and before its record was) left
        them apart. Called by an ingest under its lock (it reads every text once, which the
        replicas' checks must not); always moves the change mark, so a mark a killed run never
        wrote is written now. Returns the ledger as mended (what `document_records` would read
        now), so the ingest need not read it again."""
        truth: dict[str, dict[str, Any]] = {}
        for ids, metas in self._pages(self.documents, include=["metadatas"]):
            truth.update((i, dict(m or {})) for i, m in zip(ids, metas, strict=True))
        held = self.document_records()
        stale = [
            i
            for i, rec in truth.items()
            if i not in held
            or any(held[i].get(k) != rec.get(k) for k in ("content_hash", "chunk_count"))
        ]
        gone = [i for i in held if i not in truth]
        written = self._upsert_records(stale, [truth[i] for i in stale]) if stale else []
        if gone:
            self.ledger.delete(ids=gone)
        if stale or gone:
            log.warning(
                "ledger mended: %d record(s) copied from the texts, %d without a text removed "
                "(an earlier run was interrupted)",
                len(stale),
                len(gone),
            )
        self._mark_changed(removed=bool(gone))
        for i in gone:
            del held[i]
        held.update(zip(stale, written, strict=True))
        return held

    def _upsert_records(
        self, doc_ids: list[str], records: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Write ledger records, stamped with the time; returns them as written."""
        stamp = now_ms()
        written: list[dict[str, Any]] = [{**_clean(r), WRITTEN_AT: stamp} for r in records]
        self.ledger.upsert(
            ids=doc_ids,
            embeddings=np.ones((len(doc_ids), 1), dtype=np.float32),
            metadatas=written,  # type: ignore[arg-type]
        )
        return written

    def _mark_changed(self, removed: bool = False) -> None:
        """A fresh change mark, written after the ledger write it announces; after a removal
        of ledger records the removal mark too (a replica that reads only the records written
        since its last look cannot see a record that is gone, so it reads the whole ledger
        when this mark moved)."""
        ids = [_MARK_ID, _DELETED_ID] if removed else [_MARK_ID]
        self.changes.upsert(
            ids=ids,
            embeddings=np.ones((len(ids), 1), dtype=np.float32),
            metadatas=[{"mark": uuid.uuid4().hex} for _ in ids],
        )

    def alive(self) -> bool:
        """Whether the store answers right now (a heartbeat; always true when embedded)."""
        try:
            self.client.heartbeat()
        except Exception:
            return False
        return True

    # ---- ledger -------------------------------------------------------------------------
    @_guarded
    def document_records(self) -> dict[str, dict[str, Any]]:
        """doc_id -> ledger metadata (hash, source_path, root, chunk_count, ...), no texts."""
        out: dict[str, dict[str, Any]] = {}
        for ids, metas in self._pages(self.ledger, include=["metadatas"]):
            for doc_id, meta in zip(ids, metas, strict=True):
                out[doc_id] = dict(meta or {})
        return out

    @_guarded
    def ledger_mark(self) -> str:
        """A token that changes with every write of the ledger ("" before the first): one small
        read instead of the whole ledger (seconds at a million chunks) for a replica that only
        wants to know whether anything changed. Read the mark before the ledger: a write whose
        mark comes later is then seen by the next look at the mark. A run killed between its
        ledger write and its mark leaves the mark behind until the next ingest: readers still
        read the ledger now and then."""
        return self._token(_MARK_ID)

    @_guarded
    def removal_mark(self) -> str:
        """A token that changes with every removal of ledger records ("" before the first).
        Read it before the records written since (`records_written_since`): a removal whose
        mark comes later is then seen by the next look."""
        return self._token(_DELETED_ID)

    def _token(self, mark_id: str) -> str:
        got = self.changes.get(ids=[mark_id], include=["metadatas"])
        metas = got["metadatas"] or []
        return str((metas[0] or {}).get("mark", "")) if got["ids"] and metas else ""

    @_guarded
    def records_written_since(self, since_ms: int, most: int) -> dict[str, dict[str, Any]] | None:
        """doc_id -> ledger metadata of the records written at or after `since_ms` (their
        WRITTEN_AT); None when more than `most` were (the caller reads the whole ledger).
        The ids come from one filtered read, the records by id a page at a time (Chroma refuses
        to return many records' metadata in one call: "too many SQL variables")."""
        where: dict[str, Any] = {WRITTEN_AT: {"$gte": since_ms}}
        ids = self.ledger.get(where=where, include=[])["ids"]
        if len(ids) > most:
            return None
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(ids), _PAGE):
            got = self.ledger.get(ids=list(ids[i : i + _PAGE]), include=["metadatas"])
            metas = got["metadatas"] or [{} for _ in got["ids"]]
            out.update((d, dict(m or {})) for d, m in zip(got["ids"], metas, strict=True))
        return out

    @_guarded
    def ledger_count(self) -> int:
        """How many documents the ledger holds (one small read)."""
        return self.ledger.count()

    @_guarded
    def has_chunk_of(self, doc_id: str, where: dict[str, Any] | None = None) -> bool:
        """Whether a document has a chunk matching `where` (e.g. a caller's access filter).

        Used to decide access before a document's text is read: ids only, from chunk metadata,
        so a restricted id and an unknown one cost the same query."""
        clause: dict[str, Any] = {"doc_id": doc_id}
        if where is not None:
            clause = {"$and": [clause, where]}
        return bool(self.chunks.get(where=clause, limit=1, include=[])["ids"])

    @_guarded
    def get_document(self, doc_id: str) -> StoredDocument | None:
        got = self.documents.get(ids=[doc_id], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        docs = got["documents"] or [""]
        metas = got["metadatas"] or [{}]
        return StoredDocument(doc_id=doc_id, text=docs[0] or "", metadata=dict(metas[0] or {}))

    @_guarded
    def document_texts(self, doc_ids: Sequence[str]) -> dict[str, str]:
        """The stored texts of these documents (those that exist), in one read: an answer's
        citation checks need several, and each read of the store costs ~2 ms however small."""
        got = self.documents.get(ids=list(doc_ids), include=["documents"])
        return {i: t or "" for i, t in zip(got["ids"], got["documents"] or [], strict=False)}

    @_guarded
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
        doc_hash = str(record.get("content_hash") or "") or None
        removed = self.delete_chunks_of(doc_id)
        batch = max(1, min(self.settings.embed_batch_size * 4, self.client.get_max_batch_size()))
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            self.chunks.add(
                ids=[c.chunk_id for c in part],
                documents=[c.text for c in part],
                embeddings=embeddings[i : i + batch],
                metadatas=[chunk_metadata(c, source_path, doc_hash) for c in part],
            )
        full = _clean({**record, "chunk_count": len(chunks)})
        self.documents.upsert(
            ids=[doc_id],
            documents=[text],
            embeddings=np.ones((1, 1), dtype=np.float32),
            metadatas=[full],
        )
        self._upsert_records([doc_id], [full])
        self._mark_changed()
        return len(chunks), removed

    @_guarded
    def touch_record(self, doc_id: str, record: dict[str, Any]) -> None:
        """Update ledger fields (e.g. the root it was last seen under) without touching chunks."""
        self.documents.update(ids=[doc_id], metadatas=[_clean(record)])
        self.ledger.update(ids=[doc_id], metadatas=[{**_clean(record), WRITTEN_AT: now_ms()}])
        self._mark_changed()

    @_guarded
    def delete_document(self, doc_id: str) -> int:
        removed = self.delete_chunks_of(doc_id)
        self.documents.delete(ids=[doc_id])
        self.ledger.delete(ids=[doc_id])
        self._mark_changed(removed=True)
        return removed

    @_guarded
    def delete_chunks_of(self, doc_id: str) -> int:
        ids = self.chunks.get(where={"doc_id": doc_id}, include=[])["ids"]
        if ids:
            self.chunks.delete(ids=ids)
        return len(ids)

    # ---- chunks -------------------------------------------------------------------------
    @_guarded
    def chunk_doc_ids(self) -> dict[str, int]:
        """doc_id -> number of chunks actually stored (for repair after a crash)."""
        counts: dict[str, int] = {}
        for _, metas in self._pages(self.chunks, include=["metadatas"]):
            for meta in metas:
                doc_id = str((meta or {}).get("doc_id", ""))
                counts[doc_id] = counts.get(doc_id, 0) + 1
        return counts

    @_guarded
    def get_chunk(self, chunk_id: str) -> tuple[str, dict[str, Any]] | None:
        """A chunk's text and metadata, or None when no such chunk is stored."""
        got = self.chunks.get(ids=[chunk_id], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        docs = got["documents"] or [""]
        metas = got["metadatas"] or [{}]
        return docs[0] or "", dict(metas[0] or {})

    @_guarded
    def all_chunks(
        self, page: int | None = None, vectors: bool = True
    ) -> tuple[list[str], list[str], list[dict[str, Any]], np.ndarray]:
        """Every chunk: ids, texts, metadata and embeddings (shape (n, 0) when `vectors` is
        False), read `page` (CHUNK_PAGE) at a time.

        Pages are not one snapshot: a write between two pages can shift offsets, so a chunk may
        be seen twice (kept once, first seen) or missed. Callers check each document against
        its ledger record (count and hash), as `assistant.index.snapshot.build` does."""
        return self._read_chunks(None, page or CHUNK_PAGE, vectors)

    @_guarded
    def chunks_of(
        self, doc_ids: Sequence[str], page: int | None = None, vectors: bool = True
    ) -> tuple[list[str], list[str], list[dict[str, Any]], np.ndarray]:
        """The chunks of some documents (what an incremental snapshot refresh re-reads), in the
        shape of `all_chunks`, paged the same way, a bounded number of documents per filter."""
        out: tuple[list[str], list[str], list[dict[str, Any]], list[np.ndarray]] = ([], [], [], [])
        wanted = sorted(set(doc_ids))
        for i in range(0, len(wanted), _DOCS_PER_FILTER):
            part = wanted[i : i + _DOCS_PER_FILTER]
            where = {"doc_id": part[0]} if len(part) == 1 else {"doc_id": {"$in": part}}
            ids, texts, metas, block = self._read_chunks(where, page or CHUNK_PAGE, vectors)
            out[0].extend(ids)
            out[1].extend(texts)
            out[2].extend(metas)
            out[3].append(block)
        return out[0], out[1], out[2], _stack(out[3], len(out[0]), vectors)

    def _read_chunks(
        self, where: dict[str, Any] | None, size: int, vectors: bool
    ) -> tuple[list[str], list[str], list[dict[str, Any]], np.ndarray]:
        include = ["documents", "metadatas"] + (["embeddings"] if vectors else [])
        ids: list[str] = []
        texts: list[str] = []
        metas: list[dict[str, Any]] = []
        blocks: list[np.ndarray] = []
        seen: set[str] = set()
        offset = 0
        while True:
            got = self.chunks.get(where=where, limit=size, offset=offset, include=include)  # type: ignore[arg-type]
            page_ids = list(got["ids"])
            if not page_ids:
                break
            docs = got["documents"] or [""] * len(page_ids)
            page_metas = got["metadatas"] or [{}] * len(page_ids)
            keep = [i for i, cid in enumerate(page_ids) if cid not in seen]
            seen.update(page_ids)
            ids += [page_ids[i] for i in keep]
            texts += [docs[i] or "" for i in keep]
            metas += shared_strings([page_metas[i] or {} for i in keep])
            if vectors:
                blocks.append(np.asarray(got["embeddings"], np.float32)[keep])
            if len(page_ids) < size:
                break
            offset += len(page_ids)
        return ids, texts, metas, _stack(blocks, len(ids), vectors)

    @_guarded
    def embeddings_of(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors of some chunks by id (those no longer stored are absent)."""
        if not chunk_ids:
            return {}
        got = self.chunks.get(ids=list(chunk_ids), include=["embeddings"])
        found = got["embeddings"]
        if found is None or not got["ids"]:
            return {}
        return {cid: np.asarray(v, np.float32) for cid, v in zip(got["ids"], found, strict=True)}

    @_guarded
    def count(self) -> int:
        return self.chunks.count()

    @_guarded
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

    @_guarded
    def nearest(
        self, embedding: Sequence[float] | np.ndarray, k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """Chroma's approximate nearest chunks (its HNSW index, `where` applied inside it):
        (chunk_id, cosine similarity) only, for a caller that holds the texts already."""
        if k <= 0:
            return []
        res = self.chunks.query(
            query_embeddings=np.asarray([embedding], dtype=np.float32),
            n_results=k,
            where=where,
            include=["distances"],
        )
        dists = (res["distances"] or [[]])[0]
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], dists, strict=True)]

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


def shared_strings(metas: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Copies of chunks' metadata in which equal keys and string values are one object.

    Chroma and JSON hand back fresh strings for every chunk, though a document's title,
    source, URL, date, hash, access and status, and every key, are repeated in each of its
    chunks: shared, a chunk's metadata takes about 0.7 KB of a replica's memory instead of
    2.5 KB (1.8 GB less at a million chunks). The table of strings seen is started afresh every
    CHUNK_PAGE chunks (a document's chunks are read together), so building it never holds a
    second copy of every chunk's own strings (ids, citations)."""
    out: list[dict[str, Any]] = []
    shared: dict[str, str] = {}
    for n, meta in enumerate(metas):
        if n % CHUNK_PAGE == 0:
            shared = {}
        out.append(
            {
                shared.setdefault(k, k): shared.setdefault(v, v) if isinstance(v, str) else v
                for k, v in meta.items()
            }
        )
    return out


def json_with_shared_strings(text: str) -> Any:
    """`json.loads(text)` in which equal keys and string values of objects are one object, as
    `shared_strings` makes them, but shared while parsing: sharing after a parse leaves the
    parsed copies' memory scattered among what stays (at 100k persisted chunks, ids and
    metadata held 2.0 KB a chunk shared afterwards, 0.95 KB shared while parsed)."""
    seen: dict[str, str] = {}

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        return {
            seen.setdefault(k, k): seen.setdefault(v, v) if isinstance(v, str) else v
            for k, v in items
        }

    return json.loads(text, object_pairs_hook=pairs)


def _stack(blocks: list[np.ndarray], rows: int, vectors: bool) -> np.ndarray:
    """Pages of vectors as one array of `rows` rows; (rows, 0) when vectors were not read."""
    blocks = [b for b in blocks if len(b)]
    if not vectors or not blocks:
        return np.zeros((rows if not vectors else 0, 0), np.float32)
    return np.concatenate(blocks)

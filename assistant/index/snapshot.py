"""The corpus snapshot retrieval reads: every stored chunk's text, metadata and vector, with a
BM25 index over them; built from the store and persisted per corpus version in the data dir.

Dense retrieval misses exact terms (ECCNs such as 5D992, section numbers, defined terms); BM25
catches them. The snapshot is rebuilt from the store, never from files, so it always describes
what is actually stored; its version (a hash of the document ledger) tells when it is stale,
which also keeps several API replicas over one Chroma server in step.

BM25 scores depend on the whole indexed collection (term rarity, average length), so a caller
limited to some access groups is served from a view: a snapshot of exactly the chunks those
groups may read, in a fixed order. Nothing outside it can move that caller's scores or ranks.

On disk each version is a folder `<data_dir>/lexical/<collection>/<version>/` (chunks.json,
vectors.npy, bm25/), published complete or not at all; superseded versions are removed after a
grace period.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from assistant.access import readable
from assistant.index.store import Store
from assistant.index.tokenize import tokenize

log = logging.getLogger(__name__)

MAX_VIEWS = 16  # group sets whose views one snapshot keeps (least recently used dropped)


def chunk_tokens(text: str, meta: Mapping[str, Any]) -> list[str]:
    """What BM25 indexes of a chunk: its citation and title too, so "744.11" finds its rule."""
    return tokenize(f"{meta.get('citation', '')} {meta.get('title', '')} {text}")


class CorpusSnapshot:
    """One corpus version in memory: chunk ids, texts, metadata and vectors (row i of each is
    one chunk; `position` maps an id to its row) and BM25 over the chunks' `chunk_tokens`."""

    def __init__(
        self,
        ids: list[str],
        texts: list[str],
        metas: list[dict[str, Any]],
        version: str,
        vectors: np.ndarray | None = None,
        bm25: bm25s.BM25 | None = None,
        tokens: list[list[str]] | None = None,
    ):
        """Indexes the texts, unless `bm25` is an index of them already (loaded from disk);
        `tokens` are the texts' `chunk_tokens` when the caller has them (a view's parent)."""
        self.ids, self.texts, self.metas, self.version = ids, texts, metas, version
        self.vectors = vectors if vectors is not None else np.zeros((len(ids), 0), np.float32)
        self.position = {cid: i for i, cid in enumerate(ids)}
        # False when built while an ingest was mid-document (see `build`); `chunks_seen` is how
        # many chunks the store held then, so a reader can tell when it is worth rebuilding.
        self.complete = True
        self.chunks_seen = len(ids)
        self._tokens = tokens
        self._views: OrderedDict[frozenset[str], CorpusSnapshot] = OrderedDict()
        self._views_lock = threading.Lock()
        self.bm25 = bm25 or bm25s.BM25()
        # bm25s cannot index a collection without a single term (a view of one "[Reserved]"
        # chunk): such an index scores nothing, which is what it knows.
        self._indexed = bm25 is not None
        if ids and bm25 is None:
            corpus = self.tokens()
            if any(corpus):
                self.bm25.index(corpus, show_progress=False)
                self._indexed = True

    def tokens(self) -> list[list[str]]:
        """Every chunk's `chunk_tokens`, computed once (views are built from them)."""
        if self._tokens is None:
            self._tokens = [chunk_tokens(t, m) for t, m in zip(self.texts, self.metas, strict=True)]
        return self._tokens

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for the query (zeros when no term matches)."""
        tokens = tokenize(query)
        if not self.ids or not tokens or not self._indexed:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)

    def view(self, groups: Iterable[str] | None) -> CorpusSnapshot:
        """The index of exactly the chunks `groups` may read (None: this whole index).

        Its BM25 statistics, candidate cuts and vectors are those chunks' alone, and its rows
        are in chunk-id order, so what a caller gets is a function of what they may read:
        adding, changing or removing a document outside their groups changes nothing for them.
        Built on first use and kept per group set (bounded), for this snapshot only."""
        if groups is None:
            return self
        key = frozenset(groups)
        with self._views_lock:
            found = self._views.get(key)
            if found is not None:
                self._views.move_to_end(key)
                return found
        # Built outside the lock: other group sets go on meanwhile (two may build one once).
        made = self._make_view(key)
        with self._views_lock:
            found = self._views.setdefault(key, made)
            self._views.move_to_end(key)
            while len(self._views) > MAX_VIEWS:
                self._views.popitem(last=False)
        return found

    def _make_view(self, groups: frozenset[str]) -> CorpusSnapshot:
        rows = sorted(
            (i for i, m in enumerate(self.metas) if readable(m, groups)), key=self.ids.__getitem__
        )
        if rows == list(range(len(self.ids))):
            return self  # every chunk, already in that order: the same index, not a copy
        tokens = self.tokens()
        made = CorpusSnapshot(
            [self.ids[i] for i in rows],
            [self.texts[i] for i in rows],
            [self.metas[i] for i in rows],
            self.version,
            self.vectors[rows] if len(self.vectors) == len(self.ids) else None,
            tokens=[tokens[i] for i in rows],
        )
        made.complete, made.chunks_seen = self.complete, self.chunks_seen
        return made

    def top(self, scores: np.ndarray, k: int, allowed: set[int] | None = None) -> list[int]:
        """Positions of the k best-scoring chunks (score > 0), among `allowed` when given."""
        if allowed is not None:
            mask = np.full(len(self.ids), -np.inf, dtype=np.float32)
            mask[np.fromiter(allowed, dtype=np.int64)] = 0.0
            scores = scores + mask
        return [int(i) for i in np.argsort(-scores)[:k] if scores[i] > 0]


def ledger_version(records: dict[str, dict[str, Any]]) -> str:
    """A hash of the ledger: changes whenever any document is added, changed or removed."""
    h = hashlib.sha256()
    for doc_id in sorted(records):
        h.update(f"{doc_id}\0{records[doc_id].get('content_hash', '')}\0".encode())
    return h.hexdigest()[:16]


def corpus_version(store: Store) -> str:
    """The version of what the store holds now (see `ledger_version`)."""
    return ledger_version(store.document_records())


_lock = threading.Lock()  # one load-or-build at a time in this process
_VERSION_DIR = re.compile(r"^[0-9a-f]{16}$")
_LEGACY = ("chunks.json", "vectors.npy", "bm25")  # the unversioned layout of earlier releases
_OLD_VERSION_GRACE_S = 60.0  # a reader that chose an older version has this long to load it
_STALE_TMP_S = 600.0  # half-written folders of a writer that died


def _index_dir(store: Store) -> Path:
    return store.settings.data_dir / "lexical" / store.settings.collection


def index_path(store: Store, version: str) -> Path:
    """Where the index of one corpus version is published (a folder, complete or absent)."""
    return _index_dir(store) / version


def index_exists(store: Store) -> bool:
    """Whether the index of the store's current version is on disk."""
    return (index_path(store, corpus_version(store)) / "chunks.json").is_file()


def _consistent_rows(
    records: dict[str, dict[str, Any]], metas: list[dict[str, Any]]
) -> tuple[list[int], list[str]]:
    """Rows of the documents stored completely (every chunk carries the ledger record's hash,
    and as many as it counts), and the ids of the documents that are not (mid-write)."""
    rows_of: dict[str, list[int]] = {}
    for i, meta in enumerate(metas):
        rows_of.setdefault(str(meta.get("doc_id", "")), []).append(i)
    keep: list[int] = []
    partial: list[str] = []
    for doc_id, record in records.items():
        rows = rows_of.get(doc_id, [])
        hashes = {metas[i].get("doc_hash") for i in rows}
        # Chunks written before chunks carried a hash are judged by their number alone.
        hash_ok = hashes <= {record.get("content_hash")} or hashes == {None}
        if hash_ok and len(rows) == int(record.get("chunk_count", -1)):
            keep.extend(rows)
        else:
            partial.append(doc_id)
    # Chunks of a document with no ledger record are not added yet (or being deleted): left out.
    return keep, partial


def build(store: Store, previous: CorpusSnapshot | None = None) -> CorpusSnapshot:
    """Rebuild from the store, and persist it when it describes a consistent store.

    An ingest may be half-way through a document (its old chunks deleted, some new ones added,
    its ledger record not yet updated). Such a document is served as it was in `previous` (the
    snapshot being replaced), or left out if it was not there: readers see each document before
    or after its update, never half. The index is then marked incomplete and is not persisted;
    readers rebuild it when the ledger or the number of stored chunks changes (a killed ingest
    that changes neither is not rebuilt over and over)."""
    records = store.document_records()  # the ledger first: chunks are written before it
    ids, texts, metas, vectors = store.all_chunks()
    version = ledger_version(records)
    keep, partial = _consistent_rows(records, metas)
    out_ids = [ids[i] for i in keep]
    out_texts = [texts[i] for i in keep]
    out_metas = [metas[i] for i in keep]
    blocks = [vectors[keep]] if keep else []
    if partial:
        log.info("lexical index: %d document(s) mid-update, served as before", len(partial))
        if previous is not None:
            wanted = set(partial)
            carried = [i for i, m in enumerate(previous.metas) if m.get("doc_id") in wanted]
            out_ids += [previous.ids[i] for i in carried]
            out_texts += [previous.texts[i] for i in carried]
            out_metas += [previous.metas[i] for i in carried]
            if carried:
                blocks.append(previous.vectors[carried])
    try:
        out_vectors = np.concatenate(blocks) if blocks else np.zeros((0, 0), np.float32)
    except ValueError:  # the previous snapshot's vectors have another width: none for any
        out_vectors = np.zeros((len(out_ids), 0), np.float32)
    # Rows in chunk-id order, the order of every view (see `CorpusSnapshot.view`): a caller who
    # may read everything is then served from this index itself, no copy.
    order = sorted(range(len(out_ids)), key=out_ids.__getitem__)
    index = CorpusSnapshot(
        [out_ids[i] for i in order],
        [out_texts[i] for i in order],
        [out_metas[i] for i in order],
        version,
        out_vectors[order] if len(out_vectors) == len(out_ids) else out_vectors,
    )
    index.complete = not partial
    index.chunks_seen = len(ids)
    if index.complete:
        _persist(store, index)
    return index


def _persist(store: Store, index: CorpusSnapshot) -> None:
    """Publish the index under its version: written to a private folder, then renamed into
    place, so a reader (another process, another replica on this data dir) finds a complete
    index or none. Best-effort: a failure is logged and the index is served from memory."""
    base = _index_dir(store)
    final = base / index.version
    tmp = base / f".tmp-{index.version}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        if not (final / "chunks.json").is_file():
            tmp.mkdir(parents=True)
            if index.ids:
                index.bm25.save(str(tmp / "bm25"), show_progress=False)
                np.save(tmp / "vectors.npy", index.vectors)
            (tmp / "chunks.json").write_text(
                json.dumps(
                    {
                        "version": index.version,
                        "ids": index.ids,
                        "texts": index.texts,
                        "metas": index.metas,
                    }
                )
            )
            try:
                os.rename(tmp, final)
            except OSError:  # another writer published this version first: same content
                shutil.rmtree(tmp, ignore_errors=True)
        _clean_old(base, keep=index.version)
    except Exception as exc:
        log.warning("could not persist the lexical index in %s (%s); kept in memory", base, exc)
        shutil.rmtree(tmp, ignore_errors=True)


def _clean_old(base: Path, keep: str) -> None:
    """Best-effort removal of superseded versions, the legacy layout and dead writers' folders."""
    now = time.time()
    for entry in base.iterdir():
        try:
            age = now - entry.stat().st_mtime
            if entry.name in _LEGACY:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
            elif _VERSION_DIR.match(entry.name) and entry.name != keep:
                if age > _OLD_VERSION_GRACE_S:
                    shutil.rmtree(entry)
            elif entry.name.startswith(".tmp-") and age > _STALE_TMP_S:
                shutil.rmtree(entry)
        except OSError:
            continue


def _load(store: Store, version: str) -> CorpusSnapshot | None:
    """The persisted snapshot of `version`, or None (absent, damaged, or of another version)."""
    folder = index_path(store, version)
    if not (folder / "chunks.json").is_file():
        return None
    try:
        data = json.loads((folder / "chunks.json").read_text())
        if data.get("version") != version:
            return None
        ids = data["ids"]
        return CorpusSnapshot(
            ids,
            data["texts"],
            data["metas"],
            version,
            np.load(folder / "vectors.npy") if ids else None,
            bm25s.BM25.load(str(folder / "bm25"), load_corpus=False) if ids else None,
        )
    except Exception as exc:  # removed under us by a newer writer, or damaged: build instead
        log.warning("lexical index %s unreadable (%s); rebuilding", folder, exc)
        return None


def load_or_build(
    store: Store, version: str | None = None, previous: CorpusSnapshot | None = None
) -> CorpusSnapshot:
    """The persisted index of the store's current version if there is one, else a fresh build
    (which may describe a newer version than `version`, if the store moved on meanwhile)."""
    with _lock:
        version = version or corpus_version(store)
        loaded = _load(store, version)
        if loaded is not None:
            return loaded
        log.info("building the lexical index (corpus version %s)", version)
        return build(store, previous)

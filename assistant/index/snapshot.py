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

Scale: above `Settings.dense_exact_max_chunks` chunks a snapshot holds no vectors (dense
candidates then come from Chroma's index, `assistant.retrieval.retriever`), and once a replica
has a snapshot, the next one is a refresh (`refresh`): only the documents whose ledger hash
changed are read again, the rest is carried over, BM25 is re-indexed over the result.
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
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from assistant.access import readable
from assistant.index.bm25_index import Terms, Vocabulary, build_index
from assistant.index.store import Store
from assistant.index.tokenize import tokenize

log = logging.getLogger(__name__)

MAX_VIEWS = 16  # group sets whose views one snapshot keeps (least recently used dropped)
# Up to this many chunks the candidates are cut from a full sort (its order among equal scores
# is the one the retrieval weights were fitted with); above, from a linear-time partition.
_FULL_SORT_MAX = 50_000
# What a citation is indexed by for `citing`: every "NNN." (a part number) and "NN FR " (a
# Federal Register volume), overlapping ones too, so that any citation containing a reference's
# section or FR page holds the reference's own key.
_CITATION_KEY = re.compile(r"(?=(\d{3}\.|\d{2,3} FR ))")


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
        terms: list[Terms] | None = None,
        vocabulary: Vocabulary | None = None,
    ):
        """Indexes the texts, unless `bm25` is an index of them already (loaded from disk);
        `tokens` are the texts' `chunk_tokens` and `terms` their counts under `vocabulary`
        when the caller has them (a view's parent, the snapshot a refresh starts from)."""
        self.ids, self.texts, self.metas, self.version = ids, texts, metas, version
        self.vectors = vectors if vectors is not None else np.zeros((len(ids), 0), np.float32)
        self.position = {cid: i for i, cid in enumerate(ids)}
        # False when built while an ingest was mid-document (see `build`); `chunks_seen` is how
        # many chunks the store held then, so a reader can tell when it is worth rebuilding.
        self.complete = True
        self.chunks_seen = len(ids)
        self._tokens = tokens
        self._terms = terms
        self._citing: dict[str, list[int]] | None = None
        self.vocabulary = vocabulary or Vocabulary()
        self._views: OrderedDict[frozenset[str], CorpusSnapshot] = OrderedDict()
        self._views_lock = threading.Lock()
        # A collection without a single term (a view of one "[Reserved]" chunk) has no index:
        # it scores nothing, which is what it knows.
        built = build_index(self.terms(), self.vocabulary) if ids and bm25 is None else None
        self.bm25 = bm25 or built or bm25s.BM25()
        self._indexed = bm25 is not None or built is not None

    def citing(self, refs: Iterable[str]) -> list[int]:
        """Rows whose citation may match one of the legal references (`assistant.retrieval.
        references`: "744.11(a)", "84 FR 22961"), in row order: every row whose citation holds
        the reference's part number ("744.") or Federal Register volume ("84 FR "), a superset
        the caller checks exactly, found from an index instead of a pass over every chunk."""
        if self._citing is None:
            keys: dict[str, list[int]] = {}
            for i, meta in enumerate(self.metas):
                citation = str(meta.get("citation", "") or "")
                for key in set(_CITATION_KEY.findall(citation)):
                    keys.setdefault(key, []).append(i)
            self._citing = keys
        rows: set[int] = set()
        for ref in refs:
            for key in set(_CITATION_KEY.findall(ref)):
                rows.update(self._citing.get(key, ()))
        return sorted(rows)

    def terms(self) -> list[Terms]:
        """Every chunk's term counts under `vocabulary`, computed once (views and refreshed
        snapshots reuse them, so their indexes cost arithmetic, not tokenizing)."""
        if self._terms is None:
            self._terms = [self.vocabulary.encode(t) for t in self.tokens()]
        return self._terms

    def served(self) -> dict[str, str | None]:
        """doc_id -> the content hash of the version of it this snapshot serves (its chunks'
        `doc_hash`, None for chunks written before chunks carried one): what a refresh compares
        with the ledger to find what changed."""
        out: dict[str, str | None] = {}
        for meta in self.metas:
            doc_hash = meta.get("doc_hash")
            out[str(meta.get("doc_id", ""))] = str(doc_hash) if doc_hash is not None else None
        return out

    @property
    def has_vectors(self) -> bool:
        """Whether every chunk's vector is held (small corpora: exact dense scan)."""
        return self.vectors.shape[1:] != (0,) and len(self.vectors) == len(self.ids)

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
        tokens, terms = self.tokens(), self.terms()
        made = CorpusSnapshot(
            [self.ids[i] for i in rows],
            [self.texts[i] for i in rows],
            [self.metas[i] for i in rows],
            self.version,
            self.vectors[rows] if len(self.vectors) == len(self.ids) else None,
            tokens=[tokens[i] for i in rows],
            terms=[terms[i] for i in rows],
            vocabulary=self.vocabulary,
        )
        made.complete, made.chunks_seen = self.complete, self.chunks_seen
        return made

    def top(self, scores: np.ndarray, k: int, allowed: set[int] | None = None) -> list[int]:
        """Positions of the k best-scoring chunks (score > 0), among `allowed` when given."""
        if allowed is not None:
            mask = np.full(len(self.ids), -np.inf, dtype=np.float32)
            mask[np.fromiter(allowed, dtype=np.int64)] = 0.0
            scores = scores + mask
        if len(scores) <= _FULL_SORT_MAX or k >= len(scores):
            return [int(i) for i in np.argsort(-scores)[:k] if scores[i] > 0]
        # A large corpus: the k best found in linear time, then only they are sorted.
        best = np.argpartition(-scores, k)[:k]
        best = best[np.argsort(-scores[best])]
        return [int(i) for i in best if scores[i] > 0]


def ledger_version(records: dict[str, dict[str, Any]]) -> str:
    """A hash of the ledger: changes whenever any document is added, changed or removed."""
    h = hashlib.sha256()
    for doc_id in sorted(records):
        h.update(f"{doc_id}\0{records[doc_id].get('content_hash', '')}\0".encode())
    return h.hexdigest()[:16]


def corpus_version(store: Store) -> str:
    """The version of what the store holds now (see `ledger_version`). The ledger read is kept
    for a moment: a refresh that follows at once (the version changed) starts from it instead
    of reading the whole ledger again."""
    records = store.document_records()
    with _recent_lock:
        _recent_ledgers[store] = (time.monotonic(), records)
    return ledger_version(records)


def _ledger(store: Store) -> dict[str, dict[str, Any]]:
    """The ledger `corpus_version` just read, once, if it is at most _LEDGER_REUSE_S old (an
    older ledger is still read before the chunks, so nothing is ever half), else a fresh read."""
    with _recent_lock:
        seen = _recent_ledgers.pop(store, None)
    if seen is not None and time.monotonic() - seen[0] <= _LEDGER_REUSE_S:
        return seen[1]
    return store.document_records()


_recent_lock = threading.Lock()
_recent_ledgers: weakref.WeakKeyDictionary[Store, tuple[float, dict[str, dict[str, Any]]]] = (
    weakref.WeakKeyDictionary()
)
_LEDGER_REUSE_S = 2.0


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


def holds_vectors(store: Store) -> bool:
    """Whether snapshots of this store keep every vector (exact dense scan in each replica):
    only up to `Settings.dense_exact_max_chunks` chunks; above, Chroma's index serves."""
    return store.count() <= store.settings.dense_exact_max_chunks


def build(store: Store, previous: CorpusSnapshot | None = None) -> CorpusSnapshot:
    """Rebuild from the store, and persist it when it describes a consistent store.

    An ingest may be half-way through a document (its old chunks deleted, some new ones added,
    its ledger record not yet updated). Such a document is served as it was in `previous` (the
    snapshot being replaced), or left out if it was not there: readers see each document before
    or after its update, never half. The index is then marked incomplete and is not persisted;
    readers rebuild it when the ledger or the number of stored chunks changes (a killed ingest
    that changes neither is not rebuilt over and over)."""
    records = store.document_records()  # the ledger first: chunks are written before it
    vectors_too = holds_vectors(store)
    ids, texts, metas, vectors = store.all_chunks(vectors=vectors_too)
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
    index = _assemble(out_ids, out_texts, out_metas, blocks, version, vectors_too)
    index.complete = not partial
    index.chunks_seen = len(ids)
    if index.complete:
        _persist(store, index)
    return index


def _assemble(
    ids: list[str],
    texts: list[str],
    metas: list[dict[str, Any]],
    blocks: list[np.ndarray],
    version: str,
    vectors_too: bool,
    tokens: list[list[str]] | None = None,
    terms: list[Terms] | None = None,
    vocabulary: Vocabulary | None = None,
) -> CorpusSnapshot:
    """A snapshot of these rows, in chunk-id order (the order of every view, see
    `CorpusSnapshot.view`: a caller who may read everything is served from it, no copy)."""
    try:
        vectors = np.concatenate(blocks) if blocks and vectors_too else None
    except ValueError:  # the previous snapshot's vectors have another width: none for any
        vectors = None
    if vectors is None or len(vectors) != len(ids):
        vectors = np.zeros((len(ids), 0), np.float32)
    order = sorted(range(len(ids)), key=ids.__getitem__)
    return CorpusSnapshot(
        [ids[i] for i in order],
        [texts[i] for i in order],
        [metas[i] for i in order],
        version,
        vectors[order],
        tokens=[tokens[i] for i in order] if tokens is not None else None,
        terms=[terms[i] for i in order] if terms is not None else None,
        vocabulary=vocabulary,
    )


def refresh(store: Store, previous: CorpusSnapshot) -> CorpusSnapshot:
    """The next snapshot from `previous`, reading only the documents whose ledger hash differs
    from the version `previous` serves (added, changed, or left out as half-written); removed
    documents are dropped, every other row is carried over as it is (texts, metadata, vectors
    and BM25 terms). What is read is checked like a full build (`_consistent_rows`): a document
    still mid-update is served as `previous` served it, or left out. An unchanged ledger hash
    means `previous` serves that document whole, so nothing is ever half.

    Complete (and persisted, in the background) only when the store is quiescent: every ledger
    record's chunks are all there and nothing else is stored (count = sum of chunk counts)."""
    records = _ledger(store)
    version = ledger_version(records)
    vectors_too = previous.has_vectors
    served = previous.served()
    changed = [
        doc_id
        for doc_id, record in records.items()
        if doc_id not in served or served[doc_id] != record.get("content_hash")
    ]
    dropped = set(changed) | (set(served) - set(records))
    ids, texts, metas, vectors = store.chunks_of(changed, vectors=vectors_too)
    total = store.count()
    keep, partial = _consistent_rows({d: records[d] for d in changed}, metas)
    carry = set(partial)
    old_rows = [
        i
        for i, m in enumerate(previous.metas)
        if (doc := str(m.get("doc_id", ""))) not in dropped or (doc in carry and doc in records)
    ]
    old_tokens, old_terms = previous.tokens(), previous.terms()
    new_tokens = [chunk_tokens(texts[i], metas[i]) for i in keep]
    new_terms = [previous.vocabulary.encode(t) for t in new_tokens]
    blocks = [previous.vectors[old_rows]] if vectors_too and old_rows else []
    if vectors_too and keep:
        blocks.append(vectors[keep])
    index = _assemble(
        [previous.ids[i] for i in old_rows] + [ids[i] for i in keep],
        [previous.texts[i] for i in old_rows] + [texts[i] for i in keep],
        [previous.metas[i] for i in old_rows] + [metas[i] for i in keep],
        blocks,
        version,
        vectors_too,
        tokens=[old_tokens[i] for i in old_rows] + new_tokens,
        terms=[old_terms[i] for i in old_rows] + new_terms,
        vocabulary=previous.vocabulary,
    )
    # The views callers used are made now, by the refreshing request, not by the next callers.
    with previous._views_lock:
        used = list(previous._views)
    for groups in used:
        index.view(groups)
    expected = sum(int(r.get("chunk_count", 0) or 0) for r in records.values())
    index.complete = not partial and total == expected
    index.chunks_seen = total
    log.info(
        "snapshot refreshed: %d document(s) re-read, %d removed, %d chunk(s)",
        len(changed),
        len(set(served) - set(records)),
        len(index.ids),
    )
    if index.complete:
        _publisher.publish(store, index)
    return index


class _Publisher:
    """Persists refreshed snapshots on a background thread, the newest pending one only: a
    replica serves its refresh at once, and other processes find a recent version on disk."""

    def __init__(self) -> None:
        self._pending: tuple[Store, CorpusSnapshot] | None = None
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def publish(self, store: Store, index: CorpusSnapshot) -> None:
        with self._cond:
            self._pending = (store, index)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="snapshot-publisher", daemon=True
                )
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._pending is None:
                    self._thread = None
                    return
                store, index = self._pending
                self._pending = None
            _persist(store, index)

    def wait(self, timeout: float = 60.0) -> None:
        """Until nothing is pending (tests, and a bench that times publishing apart)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._cond:
                thread = self._thread
            if thread is None:
                return
            thread.join(max(0.0, deadline - time.monotonic()))


_publisher = _Publisher()


def wait_for_publishing(timeout: float = 60.0) -> None:
    """Block until refreshed snapshots queued for persisting are written."""
    _publisher.wait(timeout)


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
                if index.has_vectors:
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
    """The persisted snapshot of `version`, or None (absent, damaged, or of another version;
    or without the vectors this store's size asks a replica to hold)."""
    folder = index_path(store, version)
    if not (folder / "chunks.json").is_file():
        return None
    try:
        data = json.loads((folder / "chunks.json").read_text())
        if data.get("version") != version:
            return None
        ids = data["ids"]
        vectors = None
        if ids and holds_vectors(store):
            if not (folder / "vectors.npy").is_file():
                return None  # persisted by a replica of a larger store: build with vectors
            vectors = np.load(folder / "vectors.npy")
        return CorpusSnapshot(
            ids,
            data["texts"],
            data["metas"],
            version,
            vectors,
            bm25s.BM25.load(str(folder / "bm25"), load_corpus=False) if ids else None,
        )
    except Exception as exc:  # removed under us by a newer writer, or damaged: build instead
        log.warning("lexical index %s unreadable (%s); rebuilding", folder, exc)
        return None


def load_or_build(
    store: Store, version: str | None = None, previous: CorpusSnapshot | None = None
) -> CorpusSnapshot:
    """The next snapshot: a refresh of `previous` when there is one (only changed documents are
    read), else the persisted index of the store's current version if there is one, else a
    fresh build (which may describe a newer version than `version`, if the store moved on)."""
    with _lock:
        if previous is not None and previous.ids and previous.has_vectors == holds_vectors(store):
            return refresh(store, previous)
        version = version or corpus_version(store)
        loaded = _load(store, version)
        if loaded is not None:
            return loaded
        log.info("building the lexical index (corpus version %s)", version)
        return build(store, previous)

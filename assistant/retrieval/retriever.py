"""Finding the passages for a question: dense + BM25, fused, with legal references honoured.

Why each step:
- Dense (Chroma) finds paraphrases; BM25 finds exact terms (ECCNs, defined terms, "licence"
  and "license" alike). Reciprocal-rank fusion combines them without calibrating scores.
- A legal reference in the question ("744.11", "§ 740.17(b)(3)", "84 FR 22961") is an explicit
  request: chunks carrying that citation are ranked up.
- Questions often need two passages from different documents; a mild per-document decay keeps
  one long document from filling the whole top-k.
Filters (doc_type, date range, access groups) apply inside both retrievers, so nothing outside
them is ever scored, let alone returned. A caller limited to some groups goes further: every
statistic behind their scores (BM25 term rarity and average length, the candidate cuts, the
nearest neighbours) comes from the chunks they may read alone (`CorpusSnapshot.view`), so a
document outside their groups cannot move their scores, ranks or abstention either.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from assistant.index.embeddings import embed_query
from assistant.index.snapshot import CorpusSnapshot, corpus_version, load_or_build
from assistant.index.store import Store, StoreUnavailable
from assistant.index.vocabulary import expand_query
from assistant.models import Filters, SearchResult

log = logging.getLogger(__name__)

CANDIDATES = 50
REFERENCE_BONUS = 0.3
LEXICAL_WEIGHT = 0.6
_RELOAD_CHECK_S = 5.0

_SECTION_REF = re.compile(r"(?<![\d.])(\d{3})\.(\d{1,3}[a-z]?)((?:\s?\([a-z0-9]{1,4}\))*)", re.I)
_FR_REF = re.compile(r"\b(\d{2,3})\s*FR\s*(\d{3,6})\b")


def legal_references(question: str) -> list[str]:
    """Citations named in a question, normalised to how chunks cite them ("744.11(a)")."""
    refs = []
    for m in _SECTION_REF.finditer(question):
        paragraphs = re.sub(r"\s+", "", m.group(3) or "")
        refs.append(f"{m.group(1)}.{m.group(2)}{paragraphs}")
    refs += [f"{m.group(1)} FR {m.group(2)}" for m in _FR_REF.finditer(question)]
    return refs


def _citation_match(citation: str, ref: str) -> float:
    """How closely a chunk's citation matches a reference named in the question: 1 for the
    paragraph itself or one inside it, 0.8 for a paragraph that contains it (chunks pack small
    paragraphs under their parent's citation), 0.4 for elsewhere in the same section."""
    if not citation:
        return 0.0
    if " FR " in ref:
        return 1.0 if ref in citation else 0.0
    section = ref.split("(", 1)[0]
    found = re.search(rf"(?<![\d.]){re.escape(section)}(?![\d])", citation)
    if not found:
        return 0.0
    local = citation[found.start() :].split(" ", 1)[0]
    if local.startswith(ref):
        return 1.0
    if ref.startswith(local) and local != section:
        return 0.8
    return 0.4


class Retriever:
    """Hybrid retrieval over one store; reloads its BM25 index when the corpus changes.

    The in-memory snapshot (texts, metadata, vectors, BM25) is what results are made of, so a
    request sees one consistent corpus. Every few seconds one request checks the ledger's
    version; if it changed, that request rebuilds the snapshot while the others keep being
    served from the previous one."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lexical: CorpusSnapshot | None = None
        self._checked = 0.0
        self._building = threading.Lock()
        self._dense_warned = False

    def lexical(self) -> CorpusSnapshot:
        current = self._lexical
        if current is not None and time.monotonic() - self._checked <= _RELOAD_CHECK_S:
            return current
        # Only one request checks and rebuilds; the others use the snapshot they have (the
        # first ever build is waited for: there is nothing to serve before it).
        if not self._building.acquire(blocking=current is None):
            assert current is not None
            return current
        try:
            current = self._lexical
            if current is None or time.monotonic() - self._checked > _RELOAD_CHECK_S:
                try:
                    version = corpus_version(self.store)
                    if (
                        current is None
                        or version != current.version
                        or (not current.complete and self.store.count() != current.chunks_seen)
                    ):
                        current = self._lexical = load_or_build(self.store, version, current)
                except StoreUnavailable:
                    raise
                except Exception:
                    if current is None:
                        raise
                    # The snapshot in hand is consistent: serve it, and try again next check.
                    log.exception("rebuilding the lexical index failed; serving the previous one")
                self._checked = time.monotonic()
            return current
        finally:
            self._building.release()

    def _dense(
        self, vector: Sequence[float], filters: Filters
    ) -> list[tuple[str, str, dict[str, Any], float]]:
        try:
            return self.store.query(vector, CANDIDATES, where=filters.where())
        except StoreUnavailable:
            raise
        except Exception as exc:
            if self.store.settings.chroma_host:
                raise
            # An embedded Chroma keeps its vector index per process: after another process
            # (`tpa ingest`) replaced chunks, this one's can point at deleted records ("Error
            # finding id"). The snapshot's exact neighbours below stand in for it.
            if not self._dense_warned:
                self._dense_warned = True
                log.warning("embedded Chroma query failed (%s); using the snapshot's vectors", exc)
            return []

    def retrieve(
        self,
        query: str,
        k: int = 10,
        filters: Filters | None = None,
        vector: Sequence[float] | None = None,
        index: CorpusSnapshot | None = None,
    ) -> list[SearchResult]:
        """Top-k passages; `index` pins the snapshot (one answer uses one corpus version)."""
        filters = filters or Filters()
        if vector is None:
            vector = embed_query(query)
        q = np.asarray(vector, dtype=np.float32)
        lexical = (index or self.lexical()).view(filters.groups)
        has_vectors = lexical.vectors.shape[1:] == q.shape
        # Chroma's approximate search walks a graph built over every vector, restricted ones
        # too, so which readable chunks it finds depends on them: a caller limited to groups
        # gets the view's exact neighbours alone (Chroma only stands in when there are none).
        dense = self._dense(vector, filters) if filters.groups is None or not has_vectors else []
        allowed = (
            {i for i, m in enumerate(lexical.metas) if filters.admits(m)}
            if filters != Filters()
            else None
        )
        bm_all = lexical.scores(expand_query(query))  # one BM25 pass serves both uses below
        sparse = lexical.top(bm_all, CANDIDATES, allowed)
        cos_all = lexical.vectors @ q if has_vectors else np.zeros(len(lexical.ids), np.float32)
        # The snapshot's own nearest neighbours too (exact, and cheap at this size): an embedded
        # Chroma opened by this process does not see vectors another process (`tpa ingest`)
        # added since, while the snapshot, rebuilt from the ledger, does.
        nearest = lexical.top(cos_all, CANDIDATES, allowed)

        # Candidates from both retrievers (and from legal references), then one score each:
        # cosine similarity plus the normalised BM25 score plus a bonus for a cited reference.
        candidates: set[int] = set()
        for cid, _text, meta, _score in dense:
            if filters.admits(meta) and cid in lexical.position:
                candidates.add(lexical.position[cid])
        candidates.update(sparse)
        candidates.update(nearest)
        bonus: dict[int, float] = {}
        refs = legal_references(query)
        if refs:
            for i, meta in enumerate(lexical.metas):
                if allowed is not None and i not in allowed:
                    continue
                match = max(_citation_match(str(meta.get("citation", "")), r) for r in refs)
                if match:
                    candidates.add(i)
                    bonus[i] = REFERENCE_BONUS * match
        if not candidates:
            return []
        idx = np.fromiter(sorted(candidates), dtype=np.int64)
        cos = cos_all[idx]
        bm = bm_all[idx]
        top_bm = float(bm.max()) if len(bm) else 0.0
        bm_norm = bm / top_bm if top_bm > 0 else bm
        total = cos + LEXICAL_WEIGHT * bm_norm + np.array([bonus.get(int(i), 0.0) for i in idx])
        order = np.argsort(-total)[:k]
        return [
            _result(
                lexical.ids[int(idx[o])],
                float(total[o]),
                lexical.texts[int(idx[o])],
                lexical.metas[int(idx[o])],
                float(cos[o]),
            )
            for o in order
        ]


def _result(
    cid: str, score: float, text: str, meta: dict[str, Any], similarity: float | None = None
) -> SearchResult:
    return SearchResult(
        chunk_id=cid,
        doc_id=str(meta.get("doc_id", "")),
        source_path=str(meta.get("source_path", "")),
        citation=str(meta.get("citation", "")),
        title=str(meta.get("title", "")),
        text=text,
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        score=score,
        metadata=meta,
        similarity=score if similarity is None else similarity,
    )


def dense_search(
    store: Store, query: str, k: int = 5, filters: Filters | None = None
) -> list[SearchResult]:
    """Dense-only top-k (what `tpa search --dense` shows, and a baseline for evaluation)."""
    filters = filters or Filters()
    hits = store.query(embed_query(query), k, where=filters.where())
    return [
        _result(cid, score, text, meta) for cid, text, meta, score in hits if filters.admits(meta)
    ]

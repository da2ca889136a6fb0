"""BM25 over the same chunks as the dense index, persisted in the data dir.

Dense retrieval misses exact terms (ECCNs such as 5D992, section numbers, defined terms); BM25
catches them. The index is rebuilt from the store, never from files, so it always describes what
is actually stored; a version stamp (a hash of the document ledger) tells when it is stale, which
also keeps several API replicas over one Chroma server in step.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import shutil
import threading
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from assistant.store import Store

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"[a-z0-9]+(?:[.:][a-z0-9]+)*")
# British and American spellings meet in one form so "licence" finds "license".
_SPELLING = {
    "licence": "license",
    "licences": "licenses",
    "licenced": "licensed",
    "licencing": "licensing",
    "authorisation": "authorization",
    "authorised": "authorized",
    "authorise": "authorize",
    "organisation": "organization",
    "organisations": "organizations",
    "defence": "defense",
    "programme": "program",
    "centre": "center",
    "favour": "favor",
    "behaviour": "behavior",
    "colour": "color",
    "utilise": "utilize",
    "recognise": "recognize",
    "analyse": "analyze",
    "cheque": "check",
    # a few irregular forms that matter in trade questions
    "sale": "sell",
    "sales": "sell",
    "sold": "sell",
    "selling": "sell",
    "sells": "sell",
    "bought": "buy",
    "shipped": "ship",
    "shipping": "ship",
    "shipments": "shipment",
}
_STOPWORDS = frozenset(
    """a an and are as at be but by can do does for from has have how i if in into is it its
    of on or our so such that the their them then there these they this to was we were what when
    which who will with would you your any all may must not no""".split()
)


def _stem(token: str) -> str:
    """A deliberately light stemmer: plurals and a few endings; legal terms stay readable."""
    if token[0].isdigit() or len(token) <= 3:
        return token
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("s", "")):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            if suffix == "s" and token.endswith(("ss", "us", "is")):
                return token
            return token[: -len(suffix)] + repl
    return token


def tokenize(text: str) -> list[str]:
    out = []
    for raw in _TOKEN.findall(text.lower()):
        tok = _SPELLING.get(raw, raw)
        if tok in _STOPWORDS:
            continue
        out.append(_stem(tok))
        if "." in tok or ":" in tok:
            # "744.11" should also match a bare "744" part reference and vice versa.
            out.extend(p for p in re.split(r"[.:]", tok) if p and p not in _STOPWORDS)
    return out


class LexicalIndex:
    """BM25 over every stored chunk, with the chunks' texts and metadata kept for filtering."""

    def __init__(
        self,
        ids: list[str],
        texts: list[str],
        metas: list[dict[str, Any]],
        version: str,
        vectors: np.ndarray | None = None,
        bm25: bm25s.BM25 | None = None,
    ):
        """Indexes the texts, unless `bm25` is an index of them already (loaded from disk)."""
        self.ids, self.texts, self.metas, self.version = ids, texts, metas, version
        self.vectors = vectors if vectors is not None else np.zeros((len(ids), 0), np.float32)
        self.position = {cid: i for i, cid in enumerate(ids)}
        self._df: dict[str, int] | None = None
        self.bm25 = bm25 or bm25s.BM25()
        if ids and bm25 is None:
            corpus = [
                tokenize(f"{m.get('citation', '')} {m.get('title', '')} {t}")
                for t, m in zip(texts, metas, strict=True)
            ]
            self.bm25.index(corpus, show_progress=False)

    def idf(self, token: str) -> float:
        """Inverse document frequency of a term over the chunks (rare terms weigh more)."""
        if self._df is None:
            df: dict[str, int] = {}
            for text in self.texts:
                for t in set(tokenize(text)):
                    df[t] = df.get(t, 0) + 1
            self._df = df
        n = len(self.texts) or 1
        return math.log(1 + (n - self._df.get(token, 0) + 0.5) / (self._df.get(token, 0) + 0.5))

    def knows(self, token: str) -> bool:
        """Whether a (tokenized) term occurs anywhere in the indexed chunks."""
        vocab = getattr(self.bm25, "vocab_dict", None) or {}
        return token in vocab

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for the query (zeros when no term matches)."""
        tokens = tokenize(query)
        if not self.ids or not tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)

    def top(self, scores: np.ndarray, k: int, allowed: set[int] | None = None) -> list[int]:
        """Positions of the k best-scoring chunks (score > 0), among `allowed` when given."""
        if allowed is not None:
            mask = np.full(len(self.ids), -np.inf, dtype=np.float32)
            mask[np.fromiter(allowed, dtype=np.int64)] = 0.0
            scores = scores + mask
        return [int(i) for i in np.argsort(-scores)[:k] if scores[i] > 0]


def corpus_version(store: Store) -> str:
    """A hash of the ledger: changes whenever any document is added, changed or removed."""
    records = store.document_records()
    h = hashlib.sha256()
    for doc_id in sorted(records):
        h.update(f"{doc_id}\0{records[doc_id].get('content_hash', '')}\0".encode())
    return h.hexdigest()[:16]


_lock = threading.Lock()


def _index_dir(store: Store) -> Path:
    return store.settings.data_dir / "lexical" / store.settings.collection


def index_exists(store: Store) -> bool:
    return (_index_dir(store) / "chunks.json").is_file()


def build(store: Store, version: str | None = None) -> LexicalIndex:
    """Rebuild from the store and persist (texts and metadata beside the BM25 matrices)."""
    version = version or corpus_version(store)
    got = store.chunks.get(include=["documents", "metadatas", "embeddings"])
    ids = list(got["ids"])
    texts = [d or "" for d in (got["documents"] or [])]
    metas = [dict(m or {}) for m in (got["metadatas"] or [])]
    raw = got["embeddings"]
    vectors = np.asarray(raw if raw is not None and len(raw) else np.zeros((0, 0)), np.float32)
    index = LexicalIndex(ids, texts, metas, version, vectors)
    target = _index_dir(store)
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    if ids:
        index.bm25.save(str(tmp / "bm25"), show_progress=False)
        np.save(tmp / "vectors.npy", vectors)
    (tmp / "chunks.json").write_text(
        json.dumps({"version": version, "ids": ids, "texts": texts, "metas": metas})
    )
    # A reader finds the old index, the new one, or none (and then builds its own), never half.
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return index


def load_or_build(store: Store, version: str | None = None) -> LexicalIndex:
    """The persisted index if it matches the store's current version, else a fresh build."""
    with _lock:
        version = version or corpus_version(store)
        folder = _index_dir(store)
        if (folder / "chunks.json").is_file():
            try:
                data = json.loads((folder / "chunks.json").read_text())
                if data.get("version") == version:
                    ids = data["ids"]
                    return LexicalIndex(
                        ids,
                        data["texts"],
                        data["metas"],
                        version,
                        np.load(folder / "vectors.npy") if ids else None,
                        bm25s.BM25.load(str(folder / "bm25"), load_corpus=False) if ids else None,
                    )
            except (OSError, ValueError, KeyError) as exc:
                log.warning("lexical index unreadable (%s); rebuilding", exc)
        log.info("building the lexical index (corpus version %s)", version)
        return build(store, version)

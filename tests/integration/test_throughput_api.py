"""`tpa serve` answering many questions at once, over real HTTP: each caller gets the answer its
question gets alone (the questions' embeddings shared model calls in the embedding process), its
audit line is on disk when the answer arrives, an audit trail that cannot be written fails every
answer in flight (503, none hangs) and heals once it can be, and the embedding process ends
with the server."""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.answering.service import Assistant
from tests.conftest import SMALL_DOCS, make_settings, small_corpus
from tests.support.servers import api_process

pytestmark = pytest.mark.slow

QUESTIONS = [
    "Which license requirements apply to parties listed on the Entity List?",
    "What does the Entity List licence requirement cover for foreign affiliates?",
    "What is License Exception TMP for temporary exports?",
    "Which destinations are subject to embargoes under part 746?",
    "Which items are subject to the Export Administration Regulations?",
    "Did Microsoft get a licence to sell software to Huawei?",
    "What is the VAT rate on meals in Portugal?",  # abstains
    "What are the license requirements for exports to Cuba?",
]
CLIENTS = 8


@dataclass
class Server:
    url: str
    data_dir: Path
    log: Path
    proc: subprocess.Popen[bytes]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from ingest.pipeline import run_ingest

    corpus = small_corpus(tmp_path_factory.mktemp("throughput-corpus"), SMALL_DOCS)
    data = tmp_path_factory.mktemp("throughput-data")
    run_ingest([corpus], make_settings(data), progress=False)
    log = data / "serve.log"
    env = {
        "TPA_DATA_DIR": str(data),
        # 8 at once on 2 busy cores: no request may give up waiting for a slot.
        "TPA_RATE_LIMIT_PER_MINUTE": "100000",
        "TPA_QUEUE_TIMEOUT": "60",
    }
    # Ready means the model is loaded; stopping waits for the embedding process to end too.
    serving = api_process(env, log=log, ready="/readyz", start_timeout=240, stop_timeout=30)
    with serving as (url, proc):
        yield Server(url, data, log, proc)


def _ask(url: str, question: str) -> httpx.Response:
    return httpx.post(f"{url}/v1/ask", json={"question": question}, timeout=120)


def _shape(answer: dict[str, Any]) -> tuple[Any, ...]:
    """What a caller reads: the text and every citation (not the ids and timings of the call)."""
    cited = [(c["n"], c["chunk_id"], c["start"], c["end"], c["quote"]) for c in answer["citations"]]
    return answer["answer"], answer["abstained"], cited, answer.get("determination")


def _audit_conversations(data_dir: Path) -> set[str]:
    """The conversations of the complete lines on disk. Read while other answers' lines are
    being appended, the file may end in part of one (a write of several KB is not seen at once
    by a concurrent reader); a line is on disk when its newline is."""
    found = set()
    for path in (data_dir / "audit").glob("audit.jsonl*"):
        complete = path.read_bytes().split(b"\n")[:-1]
        for line in complete:
            if line.strip():
                found.add(json.loads(line)["conversation_id"])
    return found


def test_concurrent_questions_each_get_the_answer_they_get_alone(server: Server) -> None:
    alone = {}
    for q in QUESTIONS:
        r = _ask(server.url, q)
        assert r.status_code == 200, r.text
        alone[q] = _shape(r.json())
    assert any(a[2] for a in alone.values()) and any(a[1] for a in alone.values())

    # Then all at once, several rounds, each question asked by two callers at a time: every
    # answer is its own question's, word for word and citation for citation.
    asked = QUESTIONS * 3
    with ThreadPoolExecutor(CLIENTS) as pool:
        responses = list(pool.map(lambda q: _ask(server.url, q), asked))
    assert [r.status_code for r in responses] == [200] * len(asked)
    for q, r in zip(asked, responses, strict=True):
        assert _shape(r.json()) == alone[q], f"{q!r} got another answer when asked with others"
    assert len({r.json()["conversation_id"] for r in responses}) == len(asked)

    # They were embedded by the server's embedding process, in shared calls, run by ONNX Runtime;
    # and each is the answer this process gives with the torch model.
    assert re.search(
        r"questions are embedded by process \d+ \(ONNX Runtime",
        server.log.read_text(errors="replace"),
    )
    local = Assistant(make_settings(server.data_dir))
    for q in QUESTIONS:
        assert _shape(local.ask(q).model_dump(mode="json")) == alone[q], q


def test_each_answers_audit_line_is_on_disk_when_the_answer_arrives(server: Server) -> None:
    def ask_and_look(q: str) -> tuple[int, bool]:
        r = _ask(server.url, q)
        # Read at once, while other answers are still being written: this one's line is there.
        return r.status_code, r.json()["conversation_id"] in _audit_conversations(server.data_dir)

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(ask_and_look, QUESTIONS * 2))
    assert results == [(200, True)] * len(QUESTIONS) * 2


def test_an_unwritable_audit_trail_fails_every_answer_in_flight_and_heals(server: Server) -> None:
    audit = server.data_dir / "audit"
    moved = server.data_dir / "audit-moved"
    before = _audit_conversations(server.data_dir)
    audit.rename(moved)
    audit.write_text("a file where the audit folder should be")  # the disk refuses
    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            refused = list(pool.map(lambda q: _ask(server.url, q), QUESTIONS))
    finally:
        audit.unlink()
        moved.rename(audit)
    for r in refused:
        assert r.status_code == 503
        assert r.json() == {"detail": "audit trail unavailable; no answer given"}
    assert _audit_conversations(server.data_dir) == before, "no line for a refused answer"

    with ThreadPoolExecutor(CLIENTS) as pool:
        healed = list(pool.map(lambda q: _ask(server.url, q), QUESTIONS))
    assert [r.status_code for r in healed] == [200] * len(QUESTIONS)
    assert {r.json()["conversation_id"] for r in healed} <= _audit_conversations(server.data_dir)


def test_the_server_is_ready_without_a_second_copy_of_the_model(server: Server) -> None:
    """The embedding process holds the model; the server process loads neither torch nor the
    weights (about 0.4 GB of every replica's memory), and still reports the model ready."""
    ready = httpx.get(f"{server.url}/readyz", timeout=30)
    assert ready.status_code == 200 and ready.json()["model"] is True
    assert _ask(server.url, QUESTIONS[0]).status_code == 200
    maps = Path(f"/proc/{server.proc.pid}/maps").read_text()
    assert "libtorch" not in maps, "the server process loaded torch"


def test_the_embedding_process_ends_with_the_server(server: Server) -> None:
    children = [
        int(pid)
        for task in Path(f"/proc/{server.proc.pid}/task").glob("*")
        for pid in (task / "children").read_text().split()
    ]
    embedding = [
        pid
        for pid in children
        if b"assistant.index.model_process" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]
    assert len(embedding) == 1
    server.proc.terminate()
    server.proc.wait(timeout=30)
    time.sleep(1)
    assert not Path(f"/proc/{embedding[0]}").exists() or (
        Path(f"/proc/{embedding[0]}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    ), "the embedding process outlived the server"
    # Its last words: questions asked together shared model calls.
    said = re.search(r"(\d+) questions embedded in (\d+) model calls", server.log.read_text())
    assert said is not None
    assert int(said[1]) > int(said[2]) > 0

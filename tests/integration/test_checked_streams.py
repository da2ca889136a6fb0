"""Every surface delivers only checked text: `tpa serve` with TPA_LLM=openai (a scripted
OpenAI-protocol server on loopback) over real HTTP. What a client assembles from the `/v1/chat`
SSE deltas, or from the OpenAI-compatible stream, is the final checked answer: no invented
[n], no dropped sentence, nothing of a reply that ends up abstaining; the screening block's
citation is numbered only once verified. Also: an over-long earlier OpenAI message is read by its
last sentence, never passed on whole."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from assistant.models import NOT_COVERED
from tests.conftest import SMALL_DOCS, make_settings, small_corpus
from tests.support.csl import ROWS, write_list
from tests.support.fake_openai import FakeOpenAI
from tests.support.servers import api_server

QUESTION = "What do the rules say about sales to Entity List parties?"
SCREENED = "Can we sell mass-market encryption software to Huawei Technologies?"
# Cites passages 1 and 2, invents [7] and [9], and says one thing no passage supports.
REPLY = (
    "A license is required when a listed entity is a party to the transaction [1][7]. "
    "Huawei also makes excellent phones. "
    "License exceptions may not be used unless the entry allows them [2]. "
    "Everything else is allowed [9]."
)
CHECKED = (
    "A license is required when a listed entity is a party to the transaction [1]. "
    "License exceptions may not be used unless the entry allows them [2]."
)
UNCHECKED = ("[7]", "[9]", "phones", "Everything else")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, fake: FakeOpenAI) -> Iterator[str]:
    from ingest.pipeline import run_ingest

    corpus = small_corpus(tmp_path_factory.mktemp("streams-corpus"), SMALL_DOCS)
    data = tmp_path_factory.mktemp("streams-data")
    run_ingest([corpus], make_settings(data), progress=False)
    folder = data / "screening"
    write_list(folder, ROWS, {"version": "2026-02-10", "url": "test"})
    env = {
        "TPA_DATA_DIR": str(data),
        "TPA_LLM": "openai",
        "TPA_LLM_BASE_URL": f"{fake.url}/v1",
        "TPA_LLM_MODEL": "fake",
        "TPA_LLM_UNSUPPORTED": "drop",
    }
    with api_server(env) as url:
        yield url


@pytest.fixture(autouse=True)
def _fresh(fake: FakeOpenAI) -> None:
    fake.reset()


def _sse(base: str, body: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """The `delta` texts and the final `answer` of a streamed /v1/chat."""
    deltas: list[str] = []
    final: dict[str, Any] | None = None
    with httpx.stream("POST", f"{base}/v1/chat", json={**body, "stream": True}, timeout=120) as r:
        assert r.status_code == 200
        event = None
        for line in r.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
                assert event != "error", data
                if event == "delta":
                    deltas.append(data["text"])
                elif event == "answer":
                    final = data
    assert final is not None
    return deltas, final


def _completion_stream(base: str, messages: list[dict[str, str]]) -> tuple[list[str], dict]:
    """The content deltas of a streamed /v1/chat/completions, and its last chunk."""
    body = {"model": "tpa", "messages": messages, "stream": True}
    contents: list[str] = []
    last: dict[str, Any] = {}
    with httpx.stream("POST", f"{base}/v1/chat/completions", json=body, timeout=120) as r:
        assert r.status_code == 200
        for line in r.iter_lines():
            if line.startswith("data: ") and line != "data: [DONE]":
                chunk = json.loads(line[6:])
                contents.append(chunk["choices"][0]["delta"].get("content") or "")
                last = chunk
    return contents, last


def _completion(base: str, messages: list[dict[str, str]]) -> httpx.Response:
    body = {"model": "tpa", "messages": messages}
    return httpx.post(f"{base}/v1/chat/completions", json=body, timeout=120)


def _assert_sources(tail: str, citations: list[dict[str, Any]]) -> None:
    """The Markdown Sources list after the answer: every citation numbered, and its quote (the
    model's sentences quote nothing) shown once."""
    assert tail.startswith("\n\n**Sources**\n\n- "), tail[:80]
    for c in citations:
        assert f"[{c['n']}]" in tail
        assert tail.count(" ".join(c["quote"].split()).strip('"“”')) == 1


def test_chat_sse_sends_only_checked_sentences(base: str, fake: FakeOpenAI) -> None:
    fake.push(REPLY)
    deltas, final = _sse(base, {"question": QUESTION})
    assert len(deltas) >= 2, "sentences go out as they pass"
    assert "".join(deltas) == final["answer"] == CHECKED
    assert not any(bad in d for d in deltas for bad in UNCHECKED)
    assert [c["n"] for c in final["citations"]] == [1, 2]
    assert all(claim["supported"] for claim in final["claims"])


def test_openai_stream_assembles_the_same_checked_answer_as_the_plain_reply(
    base: str, fake: FakeOpenAI
) -> None:
    messages = [{"role": "user", "content": QUESTION}]
    fake.push(REPLY)
    contents, last = _completion_stream(base, messages)
    assembled = "".join(contents)
    assert assembled.startswith(CHECKED)
    _assert_sources(assembled[len(CHECKED) :], last["citations"])
    assert not any(bad in c for c in contents for bad in UNCHECKED)
    assert last["abstained"] is False and last["choices"][0]["finish_reason"] == "stop"

    fake.push(REPLY)
    plain = _completion(base, messages)
    assert plain.status_code == 200
    assert plain.json()["choices"][0]["message"]["content"] == assembled


def test_a_stream_that_ends_up_abstaining_sends_only_the_abstention(
    base: str, fake: FakeOpenAI
) -> None:
    # Reads like an answer, but cites only passages that were never given.
    refusal = "Yes, such sales are always allowed [8]. No licence is needed."
    fake.push(refusal)
    deltas, final = _sse(base, {"question": QUESTION})
    assert final["abstained"]
    assert "".join(deltas) == final["answer"] == NOT_COVERED

    fake.push(refusal)
    contents, last = _completion_stream(base, [{"role": "user", "content": QUESTION}])
    assert "".join(contents) == NOT_COVERED
    assert last["abstained"] is True and last["citations"] == []


def test_the_screening_block_cites_744_11_as_verified_before_the_passages(
    base: str, fake: FakeOpenAI
) -> None:
    fake.push("A license is required for items subject to the EAR [1][2][3][4][5][6]. Trust me.")
    deltas, final = _sse(base, {"question": SCREENED})
    text = final["answer"]
    assert "".join(deltas) == text
    # The determination first (a listed party: licence required), then the screening block.
    assert deltas[0].startswith("**Licence required: yes")
    assert final["determination"]["outcome"] == "yes"
    blocks = text.split("\n\n")
    screening = next(b for b in blocks if b.startswith("Screening against the Consolidated"))
    assert "What an Entity List entry means:" in screening
    assert re.search(r"\[\d+\]$", screening.rstrip())
    assert final["citations"][0]["citation"].startswith("15 CFR 744.11")
    numbers = [c["n"] for c in final["citations"]]
    assert numbers == list(range(1, len(numbers) + 1))
    assert {int(n) for n in re.findall(r"\[(\d+)\]", text)} == set(numbers)
    assert "Trust me" not in text


def test_an_over_long_earlier_openai_message_is_read_by_its_last_sentence(
    base: str, fake: FakeOpenAI
) -> None:
    long_question = "Is Huawei listed? " * 3300  # about 60 KB, one paragraph
    messages = [
        {"role": "user", "content": long_question},
        {"role": "assistant", "content": "Yes [1]."},
        {"role": "user", "content": "and its affiliates?"},
    ]
    fake.push("Are Huawei affiliates on the Entity List subject to a licence requirement?")
    fake.push(CHECKED)
    r = _completion(base, messages)
    assert r.status_code == 200, r.text[:300]
    rewrite_prompt = json.dumps(fake.chat_requests[0]["messages"])
    assert "Is Huawei listed?" in rewrite_prompt and len(rewrite_prompt) < 10_000
    fake.reset()

    # Our own earlier answers may be long (sources included): accepted, and only what is
    # needed of them is passed on to the rewriter.
    messages[0]["content"] = "Is Huawei on the Entity List?"
    messages[1]["content"] = "Yes, it is listed [1]. " + "Sources: a quote. " * 3000
    fake.push("Are Huawei affiliates on the Entity List subject to a licence requirement?")
    fake.push(CHECKED)
    r = _completion(base, messages)
    assert r.status_code == 200, r.text[:300]
    rewrite_prompt = json.dumps(fake.chat_requests[0]["messages"])
    assert len(rewrite_prompt) < 10_000

"""`tpa serve` over real HTTP against the session's ingested corpus: every endpoint, the
OpenAI-compatible one through the official client, and every kind of bad input."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import CorpusStore
from tests.support.servers import api_server

pytestmark = pytest.mark.slow

FLAGSHIP = "Do mass-market software sales to Huawei need a licence?"


@pytest.fixture(scope="module")
def base_url(corpus_store: CorpusStore) -> Iterator[str]:
    with api_server({"TPA_DATA_DIR": str(corpus_store.settings.data_dir)}) as url:
        yield url


@pytest.fixture(scope="module")
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=60) as c:
        yield c


def _document_text(client: httpx.Client, doc_id: str, cache: dict[str, str]) -> str:
    if doc_id not in cache:
        r = client.get(f"/v1/documents/{doc_id}")
        assert r.status_code == 200
        cache[doc_id] = r.json()["text"]
    return cache[doc_id]


def test_health_and_readiness(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["ready"] and body["store"] and body["model"] and body["indexed"]
    assert "chunks" not in body  # a count would leak how much restricted material exists
    assert client.get("/docs").status_code == 200
    assert "/v1/ask" in client.get("/openapi.json").json()["paths"]


def test_ask_citations_match_the_served_documents(client: httpx.Client) -> None:
    r = client.post("/v1/ask", json={"question": FLAGSHIP})
    assert r.status_code == 200
    answer = r.json()
    assert not answer["abstained"] and answer["citations"]
    texts: dict[str, str] = {}
    for c in answer["citations"]:
        assert _document_text(client, c["doc_id"], texts)[c["start"] : c["end"]] == c["quote"]
        assert c["citation"] and c["title"]
    assert answer["timings_ms"]["retrieve"] >= 0


def test_ask_abstains_and_filters(client: httpx.Client) -> None:
    r = client.post("/v1/ask", json={"question": "What is the VAT rate on meals in Portugal?"})
    assert r.status_code == 200 and r.json()["abstained"] and r.json()["citations"] == []
    r = client.post(
        "/v1/ask", json={"question": FLAGSHIP, "filters": {"doc_types": ["regulation"]}}
    )
    assert r.status_code == 200
    assert all(c["doc_type"] == "regulation" for c in r.json()["citations"])


def test_chat_streams_deltas_then_the_answer_and_keeps_the_conversation(
    client: httpx.Client,
) -> None:
    events: list[tuple[str, dict]] = []
    with client.stream("POST", "/v1/chat", json={"question": FLAGSHIP, "stream": True}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        event = None
        for line in r.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event:
                events.append((event, json.loads(line[6:])))
    kinds = [e for e, _ in events]
    assert kinds[0] == "delta" and kinds[-1] == "answer" and "error" not in kinds
    final = events[-1][1]
    assert final["citations"]
    follow = client.post(
        "/v1/chat",
        json={"question": "and its affiliates?", "conversation_id": final["conversation_id"]},
    )
    assert follow.status_code == 200
    assert "Huawei" in follow.json()["question"]


def test_search_documents_and_passages(client: httpx.Client) -> None:
    r = client.get("/v1/search", params={"q": FLAGSHIP, "k": 5})
    assert r.status_code == 200
    results = r.json()["results"]
    assert len(results) == 5
    texts: dict[str, str] = {}
    for p in results:
        assert _document_text(client, p["doc_id"], texts)[p["start"] : p["end"]] == p["text"]
    first = results[0]
    r = client.get(f"/v1/passages/{first['chunk_id']}", params={"context": 100})
    assert r.status_code == 200
    passage = r.json()
    assert passage["text"] == first["text"]
    lo = passage["context_start"]
    assert passage["context"][first["start"] - lo : first["end"] - lo] == first["text"]
    assert passage["context_start"] >= max(0, first["start"] - 100)
    doc = client.get(f"/v1/documents/{first['doc_id']}").json()
    assert doc["doc_id"] == first["doc_id"] and doc["title"]


def test_openai_client_gets_answers_with_citations(base_url: str) -> None:
    from openai import OpenAI

    client = OpenAI(base_url=f"{base_url}/v1", api_key="unused")
    done = client.chat.completions.create(
        model="trade-policy-assistant", messages=[{"role": "user", "content": FLAGSHIP}]
    )
    content = done.choices[0].message.content or ""
    assert "**Sources**" in content and "[1]" in content
    citations = (done.model_extra or {}).get("citations")
    assert citations and citations[0]["quote"]

    stream = client.chat.completions.create(
        model="trade-policy-assistant",
        messages=[{"role": "user", "content": FLAGSHIP}],
        stream=True,
    )
    pieces, streamed_citations = [], None
    for event in stream:
        if event.choices and event.choices[0].delta.content:
            pieces.append(event.choices[0].delta.content)
        streamed_citations = (event.model_extra or {}).get("citations") or streamed_citations
    assert len(pieces) >= 2 and "**Sources**" in "".join(pieces)
    assert streamed_citations and streamed_citations[0]["citation"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "names"),
    [
        ("POST", "/v1/ask", {"json": {"question": ""}}, 422, "question"),
        ("POST", "/v1/ask", {"json": {"question": "   "}}, 422, "question"),
        ("POST", "/v1/ask", {"json": {"question": "x" * 2001}}, 422, "question"),
        ("POST", "/v1/ask", {"json": {"question": 42}}, 422, "question"),
        ("POST", "/v1/ask", {"json": {}}, 422, "question"),
        (
            "POST",
            "/v1/ask",
            {"json": {"question": "ok?", "filters": {"doc_types": 3}}},
            422,
            "doc_types",
        ),
        (
            "POST",
            "/v1/ask",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
            422,
            "json",
        ),
        ("POST", "/v1/chat", {"json": {"question": "ok?", "stream": "maybe"}}, 422, "stream"),
        ("POST", "/v1/chat/completions", {"json": {"messages": []}}, 422, "messages"),
        (
            "POST",
            "/v1/chat/completions",
            {"json": {"messages": [{"role": "assistant", "content": "hi"}]}},
            422,
            "messages",
        ),
        ("GET", "/v1/search", {"params": {}}, 422, "q"),
        ("GET", "/v1/search", {"params": {"q": "  "}}, 422, "q"),
        ("GET", "/v1/search", {"params": {"q": "ok", "k": 0}}, 422, "k"),
        ("GET", "/v1/search", {"params": {"q": "ok", "k": "many"}}, 422, "k"),
        ("GET", "/v1/passages/x", {"params": {"context": -1}}, 422, "context"),
        ("GET", "/v1/documents/no-such-document", {}, 404, "no-such-document"),
        ("GET", "/v1/passages/no-such-chunk", {}, 404, "no-such-chunk"),
        (
            "POST",
            "/v1/ask",
            {
                "content": b'{"question": "' + b"a" * 70000 + b'"}',
                "headers": {"content-type": "application/json"},
            },
            413,
            "larger",
        ),
    ],
)
def test_bad_input_gets_a_clear_error(
    client: httpx.Client, method: str, path: str, kwargs: dict, status: int, names: str
) -> None:
    r = client.request(method, path, **kwargs)
    assert r.status_code == status, r.text
    assert names in r.text
    assert "Traceback" not in r.text


def test_chunked_body_over_the_limit_is_413(client: httpx.Client) -> None:
    def body() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(80):
            yield b"a" * 1024
        yield b'"}'

    r = client.post("/v1/ask", content=body(), headers={"content-type": "application/json"})
    assert r.status_code == 413


MICROSOFT = "Did Microsoft get a licence to export software to Huawei?"


def test_as_of_changes_the_answer_with_the_date(client: httpx.Client) -> None:
    # The licence was granted on 20 Nov 2019 and reported on 24 Nov: the corpus learns of it then.
    before = client.post("/v1/ask", json={"question": MICROSOFT, "as_of": "2019-11-20"}).json()
    after = client.post("/v1/ask", json={"question": MICROSOFT, "as_of": "2019-11-30"}).json()
    assert before["as_of"] == "2019-11-20" and before["answer"].startswith("As of 2019-11-20")
    assert after["answer"].startswith("As of 2019-11-30")
    # Regulation texts stay (the corpus holds one version of a section; a note says when it is
    # later than the day); every other source is one in force or published by then.
    assert all(
        c["date"] <= "2019-11-20" for c in before["citations"] if c["doc_type"] != "regulation"
    )
    assert "granted Microsoft" not in before["answer"]
    assert re.search(r"granted Microsoft|Microsoft granted", " ".join(after["answer"].split()))
    assert any(c["date"] == "2019-11-24" for c in after["citations"])

    found = client.get("/v1/search", params={"q": MICROSOFT, "k": 20, "as_of": "2019-11-20"})
    assert found.status_code == 200
    dates = [p["date"] for p in found.json()["results"] if p.get("doc_type") != "regulation"]
    assert dates and all(d <= "2019-11-20" for d in dates)
    for bad in ("2019-13-01", "yesterday", 20191120):
        r = client.post("/v1/ask", json={"question": MICROSOFT, "as_of": bad})
        assert r.status_code == 422, bad
        assert "as_of" in json.dumps(r.json())
    assert client.get("/v1/search", params={"q": "x", "as_of": "soon"}).status_code == 422

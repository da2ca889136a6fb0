"""Property-based fuzzing of the real HTTP API: schemathesis reads the running server's OpenAPI
schema and sends every operation a bounded number of generated requests, valid and invalid.

The contract checked: no response is a server error (status >= 500), no body leaks a stack
trace, and no streamed answer ends with the "failed (logged)" frame that stands in for a 500
once a Server-Sent Events response has started (its status is already 200 by then).

Run with an API key configured (as a deployment would be): every request carries it, so the
fuzzing reaches the handlers instead of stopping at 401.

Bounded: 25 generated cases per operation and mode (positive, negative), plus the id routes
with a few real ids, plus hand-written edge cases schemathesis cannot generate (lone
surrogates, invalid UTF-8); about 400 requests, some 20 s once the corpus is ingested.

The cases come from schemathesis's public strategy API (`APIOperation.as_strategy`) run under
Hypothesis here: `schemathesis.pytest.from_fixture`, which a server started by a fixture would
need, fails under pytest 9.2 (it sets `Function._nodeid`, which pytest 9.2 no longer has).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err

from tests.conftest import CorpusStore
from tests.support.servers import api_server

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 25
# Real ids (from a search) given to the id routes, and the cases generated for each.
REAL_IDS = 3
REAL_ID_EXAMPLES = 10
# A body with any of these is a leaked internal error, whatever its status: a stack trace, the
# 500 handler's message, or the error frame that ends a stream whose answer failed.
LEAKS = ("Traceback", "internal error (logged)", "the answer failed (logged)")

# Requests sent per operation, printed at teardown (`pytest -s` shows it).
SENT: Counter[str] = Counter()


KEY = "fuzz-key-0123456789"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def api_base(corpus_store: CorpusStore) -> Iterator[str]:
    # A screening list, so /v1/screen is fuzzed past its "no list synced" 503 (removed after:
    # the corpus data dir is shared by the session).
    from tests.support.csl import ROWS, write_list

    folder = corpus_store.settings.data_dir / "screening"
    write_list(folder, ROWS, {"version": "2026-02-10"})
    env = {
        "TPA_DATA_DIR": str(corpus_store.settings.data_dir),
        "TPA_API_KEYS": json.dumps({KEY: {"name": "fuzzer", "groups": ["public"]}}),
        "TPA_RATE_LIMIT_PER_MINUTE": "1000000",  # fuzz the handlers, not the limiter
    }
    try:
        with api_server(env) as base:
            yield base
    finally:
        for name in ("csl.csv", "csl.meta.json"):
            (folder / name).unlink(missing_ok=True)
    if SENT:
        lines = [f"  {n:4d}  {label}" for label, n in sorted(SENT.items())]
        print(f"\nfuzz: {sum(SENT.values())} requests\n" + "\n".join(lines))


@pytest.fixture(scope="module")
def api_schema(api_base: str) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_dict(
        {"base-url": api_base, "request-timeout": 60, "max-stream-events": 200}
    )
    return schemathesis.openapi.from_url(f"{api_base}/openapi.json", config=config, timeout=30)


def _sent(response: schemathesis.Response) -> str:
    """What the request carried (URL and body), to tell a leak from an echo of the input."""
    request = response.request
    body = request.body or b""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else str(body)
    return unquote(str(request.url)) + text


def no_leaked_error(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """No stack trace in any body; no internal-error frame in an event stream.

    A 404 or 422 echoes its input, and schemathesis seeds its inputs with string constants from
    this very module, so a leak string the request itself carried does not count."""
    body = response.content.decode("utf-8", errors="replace")
    for leak in LEAKS:
        if leak in body and leak not in _sent(response):
            raise AssertionError(
                f"{case.operation.label}: response {response.status_code} contains {leak!r}: "
                f"{body[:500]!r}"
            )
    return None


def _fuzz(
    operation: schemathesis.APIOperation,
    mode: schemathesis.GenerationMode,
    max_examples: int = MAX_EXAMPLES,
    path_parameters: dict[str, str] | None = None,
) -> None:
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
    where = f" {path_parameters}" if path_parameters else ""

    @given(case=strategy)
    @settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,  # the same cases every run
        database=None,  # no .hypothesis/ directory, no replay of old failures
        phases=[Phase.explicit, Phase.generate],  # no shrinking: report the failure as found
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        response = case.call_and_validate(
            headers=AUTH, checks=[not_a_server_error, no_leaked_error]
        )
        kind = response.headers.get("content-type", ["-"])[0].split(";")[0]
        SENT[f"{operation.label}{where} {mode.value} -> {response.status_code} {kind}"] += 1

    run()


def _stored_ids(base: str) -> tuple[list[str], list[str]]:
    """A few real document and chunk ids, so the happy paths of the id routes are fuzzed too
    (random ids only ever reach the 404)."""
    response = httpx.get(
        f"{base}/v1/search",
        params={"q": "Entity List licence requirement", "k": 10},
        headers=AUTH,
        timeout=60,
    )
    response.raise_for_status()
    results = response.json()["results"]
    doc_ids = list(dict.fromkeys(r["doc_id"] for r in results))[:REAL_IDS]
    chunk_ids = [r["chunk_id"] for r in results][:REAL_IDS]
    assert doc_ids and chunk_ids, results
    return doc_ids, chunk_ids


def test_no_server_errors(api_base: str, api_schema: schemathesis.BaseSchema) -> None:
    """Every operation, valid and invalid inputs: never a 5xx, never a leaked error."""
    operations: dict[str, schemathesis.APIOperation] = {}
    for result in api_schema.get_all_operations():
        if isinstance(result, Err):  # an operation the schema cannot describe
            raise result.err()
        operations[result.ok().label] = result.ok()
    assert len(operations) >= 8, list(operations)

    runs: list[tuple[schemathesis.APIOperation, int, dict[str, str] | None]] = [
        (operation, MAX_EXAMPLES, None) for operation in operations.values()
    ]
    doc_ids, chunk_ids = _stored_ids(api_base)
    documents = operations.get("GET /v1/documents/{doc_id}")
    passages = operations.get("GET /v1/passages/{chunk_id}")
    assert documents and passages, list(operations)
    runs += [(documents, 2, {"doc_id": doc_id}) for doc_id in doc_ids]
    runs += [(passages, REAL_ID_EXAMPLES, {"chunk_id": chunk_id}) for chunk_id in chunk_ids]

    failures: list[str] = []
    for operation, max_examples, path_parameters in runs:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            try:
                _fuzz(operation, mode, max_examples, path_parameters)
            except Unsatisfiable:
                # Nothing to make invalid (GET /healthz has no parameters and no body).
                if mode is schemathesis.GenerationMode.POSITIVE:
                    raise
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis raises a group
                # Collect every operation's failure (with its curl line), then report them all.
                label = f"{operation.label} {path_parameters or ''} ({mode.value})"
                failures.append(f"--- {label} ---\n{exc}")
    assert not failures, "\n\n".join(failures)


# Inputs schemathesis never generates: it serializes bodies with json.dumps from Hypothesis
# text, which holds no lone surrogates, and it always sends valid UTF-8. JSON itself allows an
# escaped lone surrogate ("\\ud800"), so any client can send one; json.dumps below writes it so.
LONE = "\ud800 Huawei licence"
USER = {"role": "user", "content": "Huawei licence"}
EDGE_CASES: dict[str, tuple[str, str, Any, dict[str, str]]] = {
    # name: (method, path, JSON body (bytes are sent as they are), extra headers)
    "ask: lone surrogate in question": ("POST", "/v1/ask", {"question": LONE}, {}),
    "chat: lone surrogate in conversation_id": (
        "POST",
        "/v1/chat",
        {"question": "Huawei licence", "conversation_id": "\udc00"},
        {},
    ),
    "chat (stream): lone surrogate in question": (
        "POST",
        "/v1/chat",
        {"question": LONE, "stream": True},
        {},
    ),
    "completions: lone surrogate in content": (
        "POST",
        "/v1/chat/completions",
        {"messages": [{"role": "user", "content": LONE}]},
        {},
    ),
    "completions: lone surrogate in model": (
        "POST",
        "/v1/chat/completions",
        {"model": "\ud800", "messages": [USER]},
        {},
    ),
    "completions: lone surrogate in a text part": (
        "POST",
        "/v1/chat/completions",
        {"messages": [{"role": "user", "content": [{"type": "text", "text": LONE}]}]},
        {},
    ),
    "completions (stream): lone surrogate in a text part": (
        "POST",
        "/v1/chat/completions",
        {
            "stream": True,
            "messages": [{"role": "user", "content": [{"type": "text", "text": LONE}]}],
        },
        {},
    ),
    "completions: non-string text part": (
        "POST",
        "/v1/chat/completions",
        {"messages": [{"role": "user", "content": [{"type": "text", "text": {"a": [1]}}]}]},
        {},
    ),
    "ask: NUL characters": ("POST", "/v1/ask", {"question": "\u0000\u0000"}, {}),
    "ask: invalid UTF-8 body": ("POST", "/v1/ask", b'{"question": "\xed\xa0\x80\xff"}', {}),
    "ask: not JSON": ("POST", "/v1/ask", b"\x00\x01{", {}),
    "ask: JSON sent as text/plain": (
        "POST",
        "/v1/ask",
        {"question": "Huawei licence"},
        {"content-type": "text/plain"},
    ),
    "ask: dates reversed, empty doc type": (
        "POST",
        "/v1/ask",
        {
            "question": "Huawei licence",
            "filters": {"date_from": "2030-01-01", "date_to": "1990-01-01", "doc_types": [""]},
        },
        {},
    ),
    "search: invalid UTF-8 in q": ("GET", "/v1/search?q=%ED%A0%80%FF&k=50", None, {}),
    "documents: invalid UTF-8 id": ("GET", "/v1/documents/%ED%A0%80", None, {}),
    "passages: invalid UTF-8 id": ("GET", "/v1/passages/%ED%A0%80?context=20000", None, {}),
}


@pytest.mark.parametrize("name", list(EDGE_CASES))
def test_edge_cases_are_never_server_errors(api_base: str, name: str) -> None:
    method, path, body, headers = EDGE_CASES[name]
    content = None if body is None else body if isinstance(body, bytes) else json.dumps(body)
    if content is not None:
        headers = {"content-type": "application/json", **headers}
    headers = {**AUTH, **headers}
    response = httpx.request(
        method, f"{api_base}{path}", content=content, headers=headers, timeout=60
    )
    SENT[f"edge case: {name} -> {response.status_code}"] += 1
    text = response.text
    assert response.status_code < 500, f"{name}: {response.status_code} {text[:300]}"
    leaks = [leak for leak in LEAKS if leak in text]
    assert not leaks, f"{name}: {response.status_code} {text[:500]}"

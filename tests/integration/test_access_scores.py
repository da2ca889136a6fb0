"""A restricted document cannot move what a public caller gets: not which passages, not their
order, not their scores, not abstention. Public searches and answers are recorded over a real
store (and over HTTP), then only the `legal` memo is edited (a word of the public queries put
in, text added) and re-ingested; everything the public caller receives must be byte-identical,
while the legal caller's results do change."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import assistant.retrieval.retriever as retrieval
from assistant.access import Caller
from assistant.answering.service import Assistant
from assistant.config import Settings
from tests.conftest import SMALL_DOCS, make_settings, small_corpus
from tests.support.servers import api_server

MEMO_ID = "memo-falconridge"
MEMO_BEFORE = """# Privileged memo: Project Falconridge

Project Falconridge covers shipments of encryption modules to Huawei Cloud affiliates in Europe.

Counsel concludes that a permit is required for every Falconridge shipment, because the
consignees are parties named in 15 CFR 744.11 and the modules are subject to the EAR.
"""
# "permit" becomes "licence" (a word of the public queries), and text is added that is dense in
# the public queries' terms: every BM25 statistic computed over all chunks would move.
MEMO_AFTER = MEMO_BEFORE.replace("a permit is required", "a licence is required") + (
    "\nAddendum: licence, licence, licence. Every Entity List licence for encryption shipments "
    "and temporary exports of tools of trade is reviewed by counsel; the Entity List licence "
    "requirement applies to each shipment of encryption items to Entity List parties.\n"
)
SEARCHES = [
    "Is a licence required for encryption shipments to Entity List parties?",
    "encryption modules for affiliates in Europe",
    "temporary exports of tools of trade",
    "What does 15 CFR 744.11 require?",
    "licence",
]
QUESTIONS = [
    "Is a licence required to export to parties on the Entity List?",
    "What does counsel conclude about Project Falconridge shipments?",  # a legal-only name
]
PUBLIC = Caller("pat", ("public",), "api")
LEGAL = Caller("lee", ("public", "legal"), "api")
KEYS = {
    "pub-key-123": {"name": "pat", "groups": ["public"]},
    "legal-key-456": {"name": "lee", "groups": ["public", "legal"]},
}
PUBLIC_KEY = {"Authorization": "Bearer pub-key-123"}
LEGAL_KEY = {"Authorization": "Bearer legal-key-456"}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = small_corpus(tmp_path / "corpus", SMALL_DOCS[:3])
    (folder / "memos").mkdir()
    _write_memo(folder, MEMO_BEFORE)
    return folder


@pytest.fixture
def settings(corpus: Path, tmp_path: Path) -> Settings:
    from ingest.pipeline import run_ingest

    settings = make_settings(tmp_path / "data")
    report = run_ingest([corpus], settings, progress=False)
    assert not report.failures and report.added == 4
    return settings


@pytest.fixture
def api(settings: Settings) -> Iterator[str]:
    env = {
        "TPA_DATA_DIR": str(settings.data_dir),
        "TPA_API_KEYS": json.dumps(KEYS),
        "TPA_RATE_LIMIT_PER_MINUTE": "100000",
    }
    with api_server(env) as url:
        yield url


def _write_memo(corpus: Path, text: str) -> None:
    (corpus / "memos" / "falconridge.md").write_text(text)
    meta = {
        "id": MEMO_ID,
        "title": "Privileged memo: Project Falconridge",
        "doc_type": "memo",
        "date": "2024-03-01",
        "access": ["legal"],
    }
    (corpus / "memos" / "falconridge.meta.json").write_text(json.dumps(meta))


def _searches(assistant: Assistant, caller: Caller) -> str:
    """Every search's passages, in order, with their exact scores (not only the rounded ones)."""
    out = [
        [
            {**r.to_dict(), "exact": [repr(r.score), repr(r.similarity)]}
            for r in assistant.search(query, 10, caller=caller)
        ]
        for query in SEARCHES
    ]
    return json.dumps(out, sort_keys=True)


def _answers(assistant: Assistant, caller: Caller) -> str:
    """Every answer, without what differs between two asks of one question (id, timings)."""
    out: list[dict[str, Any]] = []
    for question in QUESTIONS:
        answer = assistant.ask(question, caller=caller).model_dump(mode="json")
        out.append({k: v for k, v in answer.items() if k not in ("conversation_id", "timings_ms")})
    return json.dumps(out, sort_keys=True)


def _http_searches(base: str, headers: dict[str, str]) -> list[str]:
    with httpx.Client(base_url=base, headers=headers, timeout=60) as c:
        bodies = [c.get("/v1/search", params={"q": q, "k": 10}) for q in SEARCHES]
    assert all(r.status_code == 200 for r in bodies), [r.text for r in bodies]
    return [r.text for r in bodies]


def _reingest(corpus: Path, settings: Settings) -> None:
    from ingest.pipeline import run_ingest

    _write_memo(corpus, MEMO_AFTER)
    report = run_ingest([corpus], settings, progress=False)
    assert not report.failures and report.updated == 1 and report.unchanged == 3


def test_editing_a_legal_memo_changes_nothing_a_public_caller_receives(
    corpus: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retrieval, "_RELOAD_CHECK_S", 0.0)  # every request sees the latest
    assistant = Assistant(settings)
    public_before = _searches(assistant, PUBLIC)
    legal_before = _searches(assistant, LEGAL)
    answers_before = _answers(assistant, PUBLIC)
    version_before = assistant.retriever.lexical().version
    assert MEMO_ID not in public_before and MEMO_ID in legal_before
    assert json.loads(answers_before)[1]["abstained"], "the memo's name is unknown to the public"

    _reingest(corpus, settings)
    assert assistant.retriever.lexical().version != version_before, "a new snapshot is served"

    assert _searches(assistant, PUBLIC) == public_before
    assert _answers(assistant, PUBLIC) == answers_before
    assert _searches(assistant, LEGAL) != legal_before, "the edit is one retrieval does see"
    # A process that never saw the old memo (it loads the new snapshot from disk) agrees.
    assert _searches(Assistant(settings), PUBLIC) == public_before


def test_editing_a_legal_memo_changes_no_public_search_over_http(
    corpus: Path, settings: Settings, api: str
) -> None:
    public_before = _http_searches(api, PUBLIC_KEY)
    legal_before = _http_searches(api, LEGAL_KEY)
    assert all(MEMO_ID not in body for body in public_before)

    _reingest(corpus, settings)
    # The server re-checks the corpus version every few seconds: wait for the legal caller to
    # see the edit, which proves the public searches below run on the new snapshot.
    deadline = time.monotonic() + 60
    while _http_searches(api, LEGAL_KEY) == legal_before:
        assert time.monotonic() < deadline, "the server never served the edited memo"
        time.sleep(1)
    assert _http_searches(api, PUBLIC_KEY) == public_before

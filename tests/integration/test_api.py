"""`tpa serve` over real HTTP against the session's ingested corpus."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import CorpusStore
from tests.integration.servers import api_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def base_url(corpus_store: CorpusStore):  # type: ignore[no-untyped-def]
    with api_server({"TPA_DATA_DIR": str(corpus_store.settings.data_dir)}) as url:
        yield url


def test_health(base_url: str) -> None:
    r = httpx.get(f"{base_url}/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_search_returns_verifiable_passages(base_url: str, corpus_store: CorpusStore) -> None:
    r = httpx.get(
        f"{base_url}/v1/search",
        params={"q": "Do mass-market software sales to Huawei need a licence?", "k": 5},
        timeout=30,
    )
    assert r.status_code == 200
    results = r.json()["results"]
    assert len(results) == 5
    store = corpus_store.store
    for p in results:
        doc = store.get_document(p["doc_id"])
        assert doc is not None and doc.text[p["start"] : p["end"]] == p["text"]
        assert p["citation"]


@pytest.mark.parametrize(
    "params",
    [{}, {"q": ""}, {"q": "   "}, {"q": "x" * 2001}, {"q": "ok", "k": 0}, {"q": "ok", "k": "many"}],
)
def test_bad_search_input_is_422_naming_the_field(base_url: str, params: dict) -> None:
    r = httpx.get(f"{base_url}/v1/search", params=params, timeout=30)
    assert r.status_code == 422
    body = r.text
    assert ("q" in body or "k" in body) and "Traceback" not in body

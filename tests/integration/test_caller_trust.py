"""What the audit trail and the rate limit believe about a caller, over a real `tpa serve`:
forwarded headers only from proxies named in TPA_FORWARDED_ALLOW_IPS, the surface from the
server (a client's claim kept apart as `client_hint`), and an export that stays one record per
line whatever the questions held."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import SMALL_DOCS, cli_env, make_settings, run_cli, small_corpus
from tests.support.servers import api_server

pytestmark = pytest.mark.slow

QUESTION = "What does the Entity List require for exports to listed parties?"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ingest.pipeline import run_ingest

    corpus = small_corpus(tmp_path_factory.mktemp("trust-corpus"), SMALL_DOCS[:2])
    data = tmp_path_factory.mktemp("trust-data")
    report = run_ingest([corpus], make_settings(data), progress=False)
    assert not report.failures
    return data


def _audit(data_dir: Path) -> list[dict[str, Any]]:
    path = data_dir / "audit" / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _ask(base: str, **headers: str) -> httpx.Response:
    return httpx.post(f"{base}/v1/ask", json={"question": QUESTION}, headers=headers, timeout=60)


@pytest.fixture(scope="module")
def anonymous(data_dir: Path) -> Iterator[str]:
    """No keys, loopback, no trusted proxy: the default a developer runs."""
    with api_server({"TPA_DATA_DIR": str(data_dir), "TPA_RATE_LIMIT_PER_MINUTE": "3"}) as url:
        yield url


def test_forwarded_for_from_loopback_neither_dodges_the_limit_nor_forges_the_caller(
    anonymous: str, data_dir: Path
) -> None:
    before = len(_audit(data_dir))
    codes = [_ask(anonymous, **{"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(4)]
    assert codes == [200, 200, 200, 429], "each forged address got a fresh rate-limit bucket"
    callers = {line["caller"] for line in _audit(data_dir)[before:]}
    assert callers == {"anonymous@127.0.0.1"}


def test_forwarded_for_is_believed_from_a_named_proxy(data_dir: Path) -> None:
    env = {
        "TPA_DATA_DIR": str(data_dir),
        "TPA_RATE_LIMIT_PER_MINUTE": "1",
        "TPA_FORWARDED_ALLOW_IPS": json.dumps(["127.0.0.1"]),
    }
    before = len(_audit(data_dir))
    with api_server(env) as url:
        first = _ask(url, **{"X-Forwarded-For": "198.51.100.7"})
        second = _ask(url, **{"X-Forwarded-For": "198.51.100.8"})  # another client: own bucket
        again = _ask(url, **{"X-Forwarded-For": "198.51.100.7"})
    assert (first.status_code, second.status_code, again.status_code) == (200, 200, 429)
    callers = [line["caller"] for line in _audit(data_dir)[before:]]
    assert callers == ["anonymous@198.51.100.7", "anonymous@198.51.100.8"]


def test_audit_surface_is_what_the_server_knows_and_the_hint_is_kept_apart(
    data_dir: Path,
) -> None:
    env = {"TPA_DATA_DIR": str(data_dir), "TPA_RATE_LIMIT_PER_MINUTE": "100"}
    before = len(_audit(data_dir))
    with api_server(env) as url:
        assert _ask(url, **{"X-TPA-Surface": "web"}).status_code == 200
        assert _ask(url, **{"X-TPA-Surface": "slack"}).status_code == 200
        assert _ask(url, **{"X-TPA-Surface": '<script>"cli"'}).status_code == 200
    lines = _audit(data_dir)[before:]
    assert [line["surface"] for line in lines] == ["api", "api", "api"]
    assert [line["route"] for line in lines] == ["/v1/ask"] * 3
    assert [line["client_hint"] for line in lines] == ["web", "slack", None]


def test_audit_export_keeps_one_record_per_line(data_dir: Path) -> None:
    env = {"TPA_DATA_DIR": str(data_dir), "TPA_RATE_LIMIT_PER_MINUTE": "100"}
    odd = "Entity List\u2028licence\u2029requirements\x85for \U0001f600 parties?"
    with api_server(env) as url:
        r = httpx.post(f"{url}/v1/ask", json={"question": odd}, timeout=60)
        assert r.status_code == 200
    out = run_cli(cli_env(data_dir), "audit")
    assert out.returncode == 0, out.stderr
    assert out.stdout.isascii()
    records = [json.loads(line) for line in out.stdout.splitlines()]  # splits at U+2028 too
    assert len(records) == len(_audit(data_dir))
    assert records[-1]["question"] == odd

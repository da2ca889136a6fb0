"""`tpa` on a fresh clone: no `../shared` mirror beside it, the official APIs stood in for locally.

A fresh clone is simulated by copying the packages and the catalogue into a temporary folder and
running `python -m api.cli` there, so the default mirror (`../shared/corpus` beside the code) is
not found. Outside requests go through a proxy address that refuses connections, so "nothing is
reachable" holds on a machine with network too; the loopback stand-ins are exempt.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.index.store import Store
from tests.conftest import REPO
from tests.support.csl import ROWS, csl_text
from tests.support.fake_ecfr import FakeEcfr, fake_ecfr
from tests.support.fake_federal_register import FakeFederalRegister, fake_federal_register
from tests.support.servers import QuietHandler, http_server


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """The repository's code and catalogue, alone in a folder with no `../shared` beside it."""
    root = tmp_path / "clone" / "main"
    for name in ("assistant", "ingest", "api", "corpus"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    assert not (root.parent / "shared").exists()
    return root


def clone_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPA_")}
    dead = f"http://127.0.0.1:{_closed_port()}"
    env.update(
        {
            "TPA_DATA_DIR": str(tmp_path / "data"),
            "HF_HUB_OFFLINE": "1",
            "HTTP_PROXY": dead,
            "HTTPS_PROXY": dead,
            "ALL_PROXY": dead,
            "NO_PROXY": "127.0.0.1,localhost",
            "TPA_SYNC_RETRIES": "0",
            **extra,
        }
    )
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        env.pop(name, None)
    return env


def tpa(clone: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_fresh_clone_with_nothing_reachable_and_no_mirror(tmp_path: Path, clone: Path) -> None:
    dead = f"http://127.0.0.1:{_closed_port()}"
    env = clone_env(
        tmp_path,
        TPA_ECFR_URL=dead,
        TPA_FEDERAL_REGISTER_URL=dead,
        TPA_CSL_URL=f"{dead}/consolidated.csv",
    )
    result = tpa(clone, env, "sync")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert len(output.splitlines()) <= 40, output
    assert "Traceback" not in output
    assert "TPA_CORPUS_MIRROR" in output
    assert "Nothing was synced" in output
    assert "eCFR API" in output and "Federal Register API" in output


@pytest.fixture
def stand_ins() -> Iterator[tuple[FakeEcfr, FakeFederalRegister, str]]:
    class CslHandler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self.reply(200, csl_text(ROWS).encode("utf-8"), "text/csv")

    with fake_ecfr() as ecfr, fake_federal_register() as fr, http_server(CslHandler) as csl:
        yield ecfr, fr, f"{csl}/consolidated.csv"


@pytest.mark.slow
def test_fresh_clone_syncs_ingests_and_answers_from_the_official_apis(
    tmp_path: Path, clone: Path, stand_ins: tuple[FakeEcfr, FakeFederalRegister, str]
) -> None:
    ecfr, fr, csl = stand_ins
    env = clone_env(
        tmp_path, TPA_ECFR_URL=ecfr.base, TPA_FEDERAL_REGISTER_URL=fr.base, TPA_CSL_URL=csl
    )
    synced = tpa(clone, env, "sync", "--json")
    report = json.loads(synced.stdout)
    official = {api["name"]: api for api in report["official"]}
    assert official["eCFR"]["outcome"] == official["Federal Register"]["outcome"] == "fetched"
    assert ecfr.hits(r"^/api/versioner/v1/full/") and fr.hits(r"^/api/v1/documents\.json")
    # The press pages cannot be reached and no mirror stands in: reported, the rest is there.
    assert {r["outcome"] for r in report["results"]} == {"failed"}

    started = time.monotonic()
    ingested = tpa(clone, env, "ingest", "--json")
    seconds = time.monotonic() - started
    first = json.loads(ingested.stdout)
    assert first["documents"]["added"] == 15 and first["documents"]["failed"] == 0
    print(
        f"\ningest of the stand-in corpus: {first['chunks']['added']} chunks in "
        f"{first['seconds']:.1f} s ({seconds:.1f} s with process start)"
    )

    asked = tpa(
        clone, env, "ask", "Do mass-market software sales to Huawei need a licence?", "--json"
    )
    answer = json.loads(asked.stdout)
    cited = [c for c in answer["citations"] if c["citation"].startswith("15 CFR 744.11")]
    assert cited, answer["answer"]
    assert cited[0]["doc_id"] == "15-cfr-744.11"
    assert "A license is required, to the extent specified on the Entity List" in " ".join(
        c["quote"] for c in cited
    )

    found = tpa(clone, env, "search", "temporary general license extension Huawei", "--json")
    results = json.loads(found.stdout)["results"]
    fr_hits = [r for r in results if r["doc_id"] == "fr-2019-17920"]
    assert fr_hits and fr_hits[0]["source_path"].startswith("official/federal-register/")
    assert fr_hits[0]["citation"] == "84 FR 43487"
    # What the APIs state is kept with the document, not re-derived from its text.
    records = Store(Settings(data_dir=tmp_path / "data")).document_records()
    fr_doc = fr.documents["2019-17920"]
    assert records["fr-2019-17920"]["document_number"] == "2019-17920"
    assert records["fr-2019-17920"]["effective"] == fr_doc["effective_on"]
    assert records["15-cfr-744.11"]["version"] == ecfr.latest_issue_date
    assert records["15-cfr-744.11"]["part_name"]

    # Nothing changed at the source: no body downloaded, nothing re-embedded.
    ecfr.requests.clear()
    fr.requests.clear()
    tpa(clone, env, "sync", "--json")
    assert not ecfr.hits(r"/full/") and fr.body_hits() == []
    again = json.loads(tpa(clone, env, "ingest", "--json").stdout)
    assert again["documents"] == {
        "added": 0,
        "updated": 0,
        "unchanged": 15,
        "removed": 0,
        "failed": 0,
    }
    assert again["chunks"]["added"] == 0

    # One section amended at the source: only its document is ingested again.
    ecfr.publish(
        "2024-06-03", "744", ecfr.current("744").replace(b"BIS may impose", b"BIS can impose")
    )
    tpa(clone, env, "sync", "--json")
    amended = json.loads(tpa(clone, env, "ingest", "--json").stdout)
    assert amended["documents"]["updated"] == 1 and amended["documents"]["unchanged"] == 14

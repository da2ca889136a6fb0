"""Access and links as ingest stores them, end to end on a tiny corpus with the real model and
Chroma: a sources.toml entry without `access` keeps the sidecar's restriction; empty or malformed
access fails the document (and drops a version stored before) instead of making it public;
non-http links are dropped with a warning; `/v1/documents/{id}` decides access before reading
the text (so a restricted id costs what an unknown one does)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.access import access_groups
from assistant.index.store import Store
from ingest.pipeline import run_ingest
from tests.conftest import cli_env, make_settings, run_cli

SOURCES = """
[[source]]
id = "memo-ashgrove"
path = "ashgrove.md"
title = "Privileged memo: Project Ashgrove"
doc_type = "memo"
date = "2024-05-01"

[[source]]
id = "narrowed"
path = "narrowed.md"
title = "Narrowed"
doc_type = "memo"
access = ["legal"]

[[source]]
id = "conflict"
path = "conflict.md"
title = "Conflict"
doc_type = "memo"
access = ["export"]
"""
# name -> sidecar; every file holds a line naming it, to find it in the store.
FILES: dict[str, dict[str, Any]] = {
    "ashgrove": {"access": ["legal"]},  # catalogued without access: must stay legal
    "narrowed": {"access": ["legal", "export"]},  # catalogue narrows it: warning
    "conflict": {"access": ["legal"]},  # catalogue says export: nobody is left, fails
    "empty-list": {"access": []},
    "empty-string": {"access": ""},
    "null": {"access": None},
    "comma": {"access": ","},
    "blank-group": {"access": ["legal", " "]},
    "number": {"access": [7]},
    "js-link": {"source_url": "javascript:alert(1)", "access": ["public"]},
    "plain": {"source_url": "https://www.bis.gov/x"},
}
FAILING = {"conflict", "empty-list", "empty-string", "null", "comma", "blank-group", "number"}
KEYS = {
    "pub-key": {"name": "pat", "groups": ["public"]},
    "legal-key": {"name": "lee", "groups": ["public", "legal"]},
}


def _write_corpus(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, sidecar in FILES.items():
        (folder / f"{name}.md").write_text(
            f"# Note {name}\n\nThe {name} note concerns licence applications for Project "
            f"{name.title()} under 15 CFR 744.11.\n"
        )
        (folder / f"{name}.meta.json").write_text(json.dumps({"doc_type": "memo", **sidecar}))


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, Any]]:
    root = tmp_path_factory.mktemp("ingest-access")
    corpus, data = root / "corpus", root / "data"
    _write_corpus(corpus)
    (root / "sources.toml").write_text(SOURCES)
    env = cli_env(data, TPA_SOURCES_FILE=str(root / "sources.toml"), COLUMNS="1000")
    out = run_cli(env, "ingest", str(corpus), timeout=300)
    yield corpus, data, out


def _settings(data: Path, corpus: Path, **extra: Any) -> Any:
    return make_settings(data, sources_file=corpus.parent / "sources.toml", **extra)


def test_cli_reports_failures_and_warnings_by_file(ingested: tuple[Path, Path, Any]) -> None:
    _, _, out = ingested
    assert out.returncode == 1, out.stderr
    failed = [line for line in out.stderr.splitlines() if line.startswith("failed:")]
    assert {Path(line.split(":")[1].strip()).stem for line in failed} == FAILING
    for line in failed:
        if "conflict.md" in line:
            assert "share no group" in line and "conflict.meta.json" in line
        else:
            assert "meta.json: field 'access' is " in line
            assert "must be a non-empty list" in line or "groups are non-empty strings" in line
    warnings = [line for line in out.stderr.splitlines() if line.startswith("warning:")]
    assert any("narrowed.md" in w and "access differs" in w for w in warnings)
    assert any("js-link.md" in w and "javascript:alert(1)" in w for w in warnings)
    assert "4 added" in out.stdout and "7 failed" in out.stdout


def test_store_holds_the_most_restrictive_access_and_http_links_only(
    ingested: tuple[Path, Path, Any],
) -> None:
    corpus, data, _ = ingested
    store = Store(_settings(data, corpus))
    records = store.document_records()
    assert set(records) == {"memo-ashgrove", "narrowed", "js-link", "plain"}
    assert access_groups(records["memo-ashgrove"]) == ["legal"]
    assert access_groups(records["narrowed"]) == ["legal"]
    assert access_groups(records["plain"]) == ["public"]
    assert "source_url" not in records["js-link"]
    assert records["plain"]["source_url"] == "https://www.bis.gov/x"
    _, _, metas, _ = store.all_chunks()
    for meta in metas:
        if meta["doc_id"] in ("memo-ashgrove", "narrowed"):
            assert meta["access"] == "legal" and "access_public" not in meta
        assert not str(meta.get("source_url", "")).startswith("javascript")


def test_json_report_lists_warnings_on_every_run(ingested: tuple[Path, Path, Any]) -> None:
    corpus, data, _ = ingested
    report = run_ingest([corpus], _settings(data, corpus), progress=False).to_dict()
    assert report["documents"]["unchanged"] == 4 and report["documents"]["failed"] == 7
    messages = {Path(w["path"]).stem: w["message"] for w in report["warnings"]}
    assert set(messages) == {"narrowed", "js-link"}
    assert "using the more restrictive ['legal']" in messages["narrowed"]


def test_restricted_id_is_refused_before_its_text_is_read(
    ingested: tuple[Path, Path, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.app import create_app

    corpus, data, _ = ingested
    reads: list[str] = []
    real = Store.get_document

    def counting(self: Store, doc_id: str) -> Any:
        reads.append(doc_id)
        return real(self, doc_id)

    monkeypatch.setattr(Store, "get_document", counting)
    settings = _settings(data, corpus, api_keys=KEYS, rate_limit_per_minute=100_000)
    with TestClient(create_app(settings)) as client:
        public = {"Authorization": "Bearer pub-key"}
        hidden = client.get("/v1/documents/narrowed", headers=public)  # legal only
        unknown = client.get("/v1/documents/memo-nope", headers=public)
        assert hidden.status_code == unknown.status_code == 404
        assert reads == []  # neither the restricted nor the unknown document's text was loaded
        shown = client.get("/v1/documents/narrowed", headers={"Authorization": "Bearer legal-key"})
        assert shown.status_code == 200 and "Project Narrowed" in shown.json()["text"]
        assert reads == ["narrowed"]


def test_a_stored_document_whose_access_turns_malformed_is_removed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("# A\n\nAlpha licence note.\n")
    (corpus / "b.md").write_text("# B\n\nBeta licence note.\n")
    settings = make_settings(tmp_path / "data")
    assert run_ingest([corpus], settings, progress=False).added == 2

    # a: its sidecar now says `"access": []`. It must not stay stored (as public).
    (corpus / "a.meta.json").write_text(json.dumps({"access": []}))
    # b: restricted, and at the same time the file no longer loads: the public copy must go.
    (corpus / "b.meta.json").write_text(json.dumps({"access": ["legal"]}))
    (corpus / "b.md").write_bytes(b"\x00\x01binary")
    report = run_ingest([corpus], settings, progress=False)
    reasons = {Path(f.path).name: f.reason for f in report.failures}
    assert set(reasons) == {"a.md", "b.md"}
    assert "a.meta.json: field 'access'" in reasons["a.md"]
    assert all("stored earlier was removed" in r for r in reasons.values())
    store = Store(settings)
    assert store.document_records() == {} and store.count() == 0


def test_a_changed_file_that_fails_keeps_its_version_when_access_is_unchanged(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("# A\n\nAlpha licence note.\n")
    settings = make_settings(tmp_path / "data")
    run_ingest([corpus], settings, progress=False)
    (corpus / "a.md").write_bytes(b"\x00\x01binary")
    report = run_ingest([corpus], settings, progress=False)
    assert len(report.failures) == 1 and "removed" not in report.failures[0].reason
    assert Store(settings).get_document("a") is not None

"""Incremental ingest on a small copy of the corpus: edits, deletions, bad files, SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from assistant.index.snapshot import corpus_version, index_path
from assistant.index.store import Store
from ingest.pipeline import run_ingest
from tests.conftest import (
    REPO,
    SMALL_DOCS,
    cli_env,
    make_settings,
    run_cli,
    small_corpus,
)


def _chunk_ids(store: Store) -> dict[str, str]:
    got = store.chunks.get(include=["metadatas"])
    return {
        cid: str(m["doc_id"]) for cid, m in zip(got["ids"], got["metadatas"] or [], strict=True)
    }


def test_edit_delete_and_bad_files(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus", SMALL_DOCS)
    settings = make_settings(tmp_path / "data")
    first = run_ingest([corpus], settings, progress=False).to_dict()
    assert first["documents"] == {
        "added": len(SMALL_DOCS),
        "updated": 0,
        "unchanged": 0,
        "removed": 0,
        "failed": 0,
    }
    store = Store(settings)
    before = _chunk_ids(store)
    assert len(before) == first["chunks"]["total"]

    # Editing one file updates exactly that document.
    article = corpus / "article/2019-11-24-microsoft-huawei-export-licence.txt"
    article.write_text(article.read_text() + "\n\nA sentence added in an edit.\n")
    second = run_ingest([corpus], settings, progress=False).to_dict()
    assert second["documents"]["updated"] == 1
    assert second["documents"]["unchanged"] == len(SMALL_DOCS) - 1
    after = _chunk_ids(store)
    changed_docs = {d for c, d in before.items() if c not in after} | {
        d for c, d in after.items() if c not in before
    }
    assert changed_docs == {"article-2019-11-24-microsoft-huawei-export-licence"}

    # Deleting one file removes its chunks and its text.
    (corpus / "regulation/ecfr/15-CFR-740.9.txt").unlink()
    third = run_ingest([corpus], settings, progress=False).to_dict()
    assert third["documents"]["removed"] == 1
    assert "15-cfr-740.9" not in set(_chunk_ids(store).values())
    assert store.get_document("15-cfr-740.9") is None
    # The BM25 index on disk follows every ingest, deletions included.
    persisted = json.loads((index_path(store, corpus_version(store)) / "chunks.json").read_text())
    assert persisted["version"] == corpus_version(store)
    assert set(persisted["ids"]) == set(_chunk_ids(store))
    assert not any(m["doc_id"] == "15-cfr-740.9" for m in persisted["metas"])

    # Unreadable files are reported with path and reason; the rest still ingest; exit code 1.
    (corpus / "empty.txt").write_text("")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02garbage\xff" * 50)
    (corpus / "latin1.md").write_bytes("Caf\xe9 au lait".encode("latin-1"))
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n% truncated")
    (corpus / "good.md").write_text("# A new note\n\nLicence Exception GFT covers gift parcels.\n")
    proc = run_cli(cli_env(settings.data_dir), "ingest", str(corpus), "--json", timeout=300)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["documents"]["added"] == 1 and report["documents"]["failed"] == 4
    reasons = {Path(f["path"]).name: f["reason"] for f in report["failures"]}
    assert set(reasons) == {"empty.txt", "binary.txt", "latin1.md", "broken.pdf"}
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin1.md"] and "PDF" in reasons["broken.pdf"]
    # Nothing already stored was lost.
    assert Store(settings).get_document("15-cfr-744.11") is not None


def test_sigkill_mid_ingest_then_rerun_equals_clean_ingest(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus", SMALL_DOCS)
    clean = make_settings(tmp_path / "clean")
    run_ingest([corpus], clean, progress=False)
    expected = _chunk_ids(Store(clean))

    crashed = tmp_path / "crashed"
    env = cli_env(crashed, TPA_LOG_LEVEL="DEBUG")
    cmd = [sys.executable, "-m", "api.cli", "ingest", str(corpus), "--json"]
    # Kill twice, at different points: right after the first and the third document landed.
    for kill_after in (1, 3):
        proc = subprocess.Popen(
            cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env, cwd=REPO
        )
        assert proc.stderr is not None
        stored = 0
        deadline = time.monotonic() + 240
        for line in proc.stderr:
            if "stored " in line:
                stored += 1
                if stored >= kill_after:
                    os.kill(proc.pid, signal.SIGKILL)
                    break
            if time.monotonic() > deadline:
                break
        proc.wait(timeout=60)
        assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"

    settings = make_settings(crashed)
    report = run_ingest([corpus], settings, progress=False)
    assert not report.failures
    assert _chunk_ids(Store(settings)) == expected
    # And one more run is a no-op.
    again = run_ingest([corpus], settings, progress=False)
    assert again.embedded == 0 and again.unchanged == len(SMALL_DOCS)

"""A press or guidance page (`accept_html`): fetched as HTML beside the mirror's text path, one
copy of the document at a time, found by the catalogue at either path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import Settings
from ingest.sources import Source, sources_by_path
from ingest.sync import STATE_FILE, sync_sources
from tests.support.servers import QuietHandler, http_server

PAGE = b"<html><body><main><h1>Commerce adds entities</h1><p>The release.</p></main></body></html>"


@pytest.fixture
def page_server() -> Iterator[dict[str, object]]:
    state: dict[str, object] = {"status": 200, "hits": 0}

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            state["hits"] = int(state["hits"]) + 1  # type: ignore[call-overload]
            if state["status"] != 200:
                self.reply(int(state["status"]), b"down", "text/plain")  # type: ignore[call-overload]
                return
            self.reply(200, PAGE, "text/html; charset=utf-8")

    with http_server(Handler) as base:
        state["base"] = base
        yield state


def test_a_page_is_kept_as_html_and_the_mirror_text_is_the_fallback(
    tmp_path: Path, page_server: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    mirror = tmp_path / "mirror"
    (mirror / "press_release").mkdir(parents=True)
    (mirror / "press_release/release.txt").write_text("Mirror text of the release.\n")
    (mirror / "press_release/release.meta.json").write_text(json.dumps({"title": "Release"}))
    source = Source(
        id="press-release",
        path="press_release/release.txt",
        title="Release",
        doc_type="press_release",
        url=f"{page_server['base']}/release",
        accept_html=True,
    )
    settings = Settings(data_dir=tmp_path / "data", corpus_mirror=mirror, sync_retries=0)
    corpus = settings.corpus_dir

    report = sync_sources([source], settings, progress=False)
    assert report.by_id()["press-release"].outcome == "fetched"
    assert (corpus / "press_release/release.html").read_bytes() == PAGE
    assert not (corpus / "press_release/release.txt").exists()  # one copy of the document
    assert (corpus / "press_release/release.meta.json").is_file()
    assert json.loads((corpus / STATE_FILE).read_text())["sources"]["press-release"]["stored"] == (
        "html"
    )

    # The server goes down: the page fetched earlier is kept, not replaced by the mirror's text.
    page_server["status"] = 503
    report = sync_sources([source], settings, progress=False)
    assert report.by_id()["press-release"].outcome == "not_modified"
    assert (corpus / "press_release/release.html").is_file()
    assert not (corpus / "press_release/release.txt").exists()

    # A fresh data dir with the server down: the mirror's text, and no page.
    fresh = settings.model_copy(update={"data_dir": tmp_path / "fresh"})
    report = sync_sources([source], fresh, progress=False)
    assert report.by_id()["press-release"].outcome == "mirror"
    assert (fresh.corpus_dir / "press_release/release.txt").is_file()
    assert not (fresh.corpus_dir / "press_release/release.html").exists()

    # Either file is the same catalogue entry (so the same document id) at ingest.
    by_path = sources_by_path([source])
    assert by_path["press_release/release.html"] is by_path["press_release/release.txt"]


def test_without_accept_html_a_page_is_still_refused(
    tmp_path: Path, page_server: dict[str, object]
) -> None:
    source = Source(
        id="fr-doc",
        path="federal_register/doc.txt",
        title="doc",
        doc_type="federal_register",
        url=f"{page_server['base']}/doc",
    )
    settings = Settings(data_dir=tmp_path / "data", corpus_mirror=None, sync_retries=0)
    report = sync_sources([source], settings, progress=False)
    assert report.by_id()["fr-doc"].outcome == "failed"
    assert "text/html" in report.by_id()["fr-doc"].detail
    assert not (settings.corpus_dir / "federal_register/doc.html").exists()

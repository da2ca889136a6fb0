"""`sync_sources` against a real local HTTP server (no outside network) and a mirror folder."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from assistant.config import Settings
from ingest.sources import Source, load_sources
from ingest.sync import STATE_FILE, sync_sources
from tests.support.servers import QuietHandler, http_server

REPO = Path(__file__).resolve().parents[2]
REAL_MIRROR = Path(__file__).parents[2].parent / "shared" / "corpus"

LAST_MODIFIED = "Tue, 10 Feb 2026 16:27:00 GMT"


@dataclass
class Route:
    body: bytes
    content_type: str
    status: int = 200
    etag: str | None = None


@dataclass
class FakeServer:
    """Serves `routes`; records every request so tests can count what reached the network."""

    base: str
    routes: dict[str, Route]
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in self.requests if p == path]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # httpx honours proxy variables; requests to the loopback server must not go through one.
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    state = FakeServer(base="", routes={})
    lock = threading.Lock()

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            with lock:
                state.requests.append((self.path, dict(self.headers.items())))
                route = state.routes.get(self.path)
            if route is None:
                self.reply(404, b"not found", "text/plain")
                return
            if route.status != 200:
                self.reply(route.status, b"server error", "text/plain")
                return
            if route.etag and self.headers.get("If-None-Match") == route.etag:
                self.send_response(304)
                self.send_header("ETag", route.etag)
                self.end_headers()
                return
            extra = {"Last-Modified": LAST_MODIFIED}
            if route.etag:
                extra["ETag"] = route.etag
            self.reply(200, route.body, route.content_type, extra)

    with http_server(Handler) as base:
        state.base = base
        yield state


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


MIRROR_FILES = {
    "regulation/ecfr/15-CFR-744.11.txt": b"mirror text of 744.11\n",
    "regulation/ecfr_md/15-CFR-734.3.md": b"# mirror 734.3\n",
    "federal_register/FR-2024-01408.txt": b"mirror FR 2024-01408\n",
    "press_release/2019-08-19_release.txt": b"mirror press release\n",
    "article/seed.txt": b"mirror article\n",
}


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    root = tmp_path / "mirror"
    for rel, data in MIRROR_FILES.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        meta = {"title": f"title of {rel}", "doc_type": "regulation", "source_url": None}
        target.with_name(target.stem + ".meta.json").write_text(json.dumps(meta))
    return root


@pytest.fixture
def sources(server: FakeServer) -> list[Source]:
    server.routes.update(
        {
            "/744.11.txt": Route(b"served 744.11 v1\n", "text/plain; charset=utf-8", etag='"a1"'),
            "/734.3.md": Route(b"# served 734.3\n", "text/markdown", etag='"b1"'),
            "/fr/2024-01408": Route(b"<html>a web page</html>", "text/html; charset=utf-8"),
            "/press": Route(b"", "text/plain", status=500),
        }
    )

    def source(id_: str, path: str, url: str | None, download_url: str | None = None) -> Source:
        return Source(
            id=id_, path=path, title=id_, doc_type="regulation", url=url, download_url=download_url
        )

    return [
        source(
            "15-cfr-744.11",
            "regulation/ecfr/15-CFR-744.11.txt",
            "https://www.ecfr.gov/current/title-15/section-744.11",
            download_url=server.url("/744.11.txt"),
        ),
        source("15-cfr-734.3", "regulation/ecfr_md/15-CFR-734.3.md", server.url("/734.3.md")),
        source("fr-2024-01408", "federal_register/FR-2024-01408.txt", server.url("/fr/2024-01408")),
        source("press", "press_release/2019-08-19_release.txt", server.url("/press")),
        source("article", "article/seed.txt", None),
    ]


def make_settings(tmp_path: Path, mirror: Path | None, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "corpus_mirror": mirror,
        "offline": False,
        "sync_retries": 1,
        "sync_timeout": 2,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def outcomes(report) -> dict[str, str]:
    return {r.id: r.outcome for r in report.results}


# ----------------------------------------------------------------- tests


def test_first_sync_fetches_then_falls_back_to_mirror(
    tmp_path: Path, server: FakeServer, mirror: Path, sources: list[Source]
) -> None:
    settings = make_settings(tmp_path, mirror)
    report = sync_sources(sources, settings, progress=False)
    corpus = settings.corpus_dir

    assert outcomes(report) == {
        "15-cfr-744.11": "fetched",
        "15-cfr-734.3": "fetched",
        "fr-2024-01408": "mirror",
        "press": "mirror",
        "article": "mirror",
    }
    assert report.ok
    assert report.counts == {"fetched": 2, "not_modified": 0, "mirror": 3, "failed": 0}
    details = report.by_id()

    # Served files are written, and the mirror's sidecars travel with them.
    assert (corpus / "regulation/ecfr/15-CFR-744.11.txt").read_bytes() == b"served 744.11 v1\n"
    assert (corpus / "regulation/ecfr_md/15-CFR-734.3.md").read_bytes() == b"# served 734.3\n"
    for rel in MIRROR_FILES:
        target = corpus / rel
        sidecar = target.with_name(target.stem + ".meta.json")
        assert json.loads(sidecar.read_text())["title"] == f"title of {rel}"

    # download_url wins over url (the official eCFR page is never asked for).
    assert "ecfr.gov" in sources[0].url  # type: ignore[operator]
    assert len(server.hits("/744.11.txt")) == 1

    # An HTML page for a .txt target is refused, and the detail says why.
    assert (corpus / "federal_register/FR-2024-01408.txt").read_bytes() == b"mirror FR 2024-01408\n"
    assert "Content-Type" in details["fr-2024-01408"].detail
    assert "text/html" in details["fr-2024-01408"].detail
    assert len(server.hits("/fr/2024-01408")) == 1  # a wrong type is not retried

    # A 500 is retried (sync_retries=1 → two attempts), then the mirror is used.
    assert len(server.hits("/press")) == 2
    assert "500" in details["press"].detail
    assert (
        corpus / "press_release/2019-08-19_release.txt"
    ).read_bytes() == b"mirror press release\n"

    # No URL: straight to the mirror.
    assert details["article"].outcome == "mirror"

    # No temporary files are left behind; the state file records the validators.
    assert not [p for p in corpus.rglob("*.part")]
    state = json.loads((corpus / STATE_FILE).read_text())["sources"]
    assert set(state) == {"15-cfr-744.11", "15-cfr-734.3"}
    assert state["15-cfr-744.11"]["etag"] == '"a1"'
    assert state["15-cfr-744.11"]["last_modified"] == LAST_MODIFIED


def test_second_sync_is_conditional(
    tmp_path: Path, server: FakeServer, mirror: Path, sources: list[Source]
) -> None:
    settings = make_settings(tmp_path, mirror)
    sync_sources(sources, settings, progress=False)
    server.requests.clear()

    report = sync_sources(sources, settings, progress=False)
    got = outcomes(report)
    assert got["15-cfr-744.11"] == "not_modified"
    assert got["15-cfr-734.3"] == "not_modified"
    assert got["fr-2024-01408"] == "mirror"
    assert report.by_id()["article"].detail.startswith("unchanged")
    (sent,) = server.hits("/744.11.txt")
    assert sent.get("If-None-Match") == '"a1"'
    assert sent.get("If-Modified-Since") == LAST_MODIFIED
    target = settings.corpus_dir / "regulation/ecfr/15-CFR-744.11.txt"
    assert target.read_bytes() == b"served 744.11 v1\n"

    # A new version on the server is fetched; a locally damaged file is not "not modified".
    server.routes["/744.11.txt"] = Route(b"served 744.11 v2\n", "text/plain", etag='"a2"')
    (settings.corpus_dir / "regulation/ecfr_md/15-CFR-734.3.md").write_bytes(b"edited locally")
    server.requests.clear()
    report = sync_sources(sources, settings, progress=False)
    assert outcomes(report)["15-cfr-744.11"] == "fetched"
    assert target.read_bytes() == b"served 744.11 v2\n"
    assert outcomes(report)["15-cfr-734.3"] == "fetched"
    assert "If-None-Match" not in server.hits("/734.3.md")[0]
    md = settings.corpus_dir / "regulation/ecfr_md/15-CFR-734.3.md"
    assert md.read_bytes() == b"# served 734.3\n"


def test_fetched_copy_is_kept_when_the_server_goes_down(
    tmp_path: Path, server: FakeServer, mirror: Path, sources: list[Source]
) -> None:
    settings = make_settings(tmp_path, mirror)
    sync_sources(sources, settings, progress=False)
    server.routes["/744.11.txt"] = Route(b"", "text/plain", status=503)

    report = sync_sources(sources, settings, progress=False)
    result = report.by_id()["15-cfr-744.11"]
    assert result.outcome == "not_modified"
    assert "kept the copy fetched earlier" in result.detail
    target = settings.corpus_dir / "regulation/ecfr/15-CFR-744.11.txt"
    assert target.read_bytes() == b"served 744.11 v1\n"


def test_missing_everywhere_fails_alone(
    tmp_path: Path, server: FakeServer, mirror: Path, sources: list[Source]
) -> None:
    missing = Source(
        id="ghost",
        path="regulation/ecfr/15-CFR-999.1.txt",
        title="ghost",
        doc_type="regulation",
        url=server.url("/nowhere.txt"),
    )
    settings = make_settings(tmp_path, mirror)
    report = sync_sources([*sources, missing], settings, progress=False)

    assert not report.ok
    assert report.counts["failed"] == 1
    (failed,) = report.failed
    assert failed.id == "ghost"
    assert "404" in failed.detail and "not in the mirror" in failed.detail
    assert outcomes(report)["15-cfr-744.11"] == "fetched"
    assert report.counts["mirror"] == 3
    assert not (settings.corpus_dir / "regulation/ecfr/15-CFR-999.1.txt").exists()
    assert [r.id for r in report.results] == [*(s.id for s in sources), "ghost"]


def test_offline_never_touches_the_network(
    tmp_path: Path, server: FakeServer, mirror: Path, sources: list[Source]
) -> None:
    settings = make_settings(tmp_path, mirror, offline=True)
    report = sync_sources(sources, settings, progress=False)

    assert server.requests == []
    assert set(outcomes(report).values()) == {"mirror"}
    assert report.ok
    for rel, data in MIRROR_FILES.items():
        assert (settings.corpus_dir / rel).read_bytes() == data

    again = sync_sources(sources, settings, progress=True)
    assert server.requests == []
    assert all(r.detail.startswith("unchanged") for r in again.results)


def test_no_mirror_and_offline_fails_every_source(tmp_path: Path, sources: list[Source]) -> None:
    settings = make_settings(tmp_path, None, offline=True)
    report = sync_sources(sources, settings, progress=False)
    assert report.counts["failed"] == len(sources)
    assert all("no mirror configured" in r.detail for r in report.results)


def test_unreachable_host_falls_back_quickly(tmp_path: Path, mirror: Path) -> None:
    port = closed_port()
    sources = [
        Source(
            id=f"doc-{i}",
            path=path,
            title=path,
            doc_type="regulation",
            url=f"http://127.0.0.1:{port}/{i}.txt",
        )
        for i, path in enumerate(MIRROR_FILES)
    ]
    settings = make_settings(tmp_path, mirror)
    started = time.monotonic()
    report = sync_sources(sources, settings, progress=False)
    elapsed = time.monotonic() - started

    assert set(outcomes(report).values()) == {"mirror"}
    assert all("ConnectError" in r.detail for r in report.results)
    assert elapsed < 3, f"took {elapsed:.1f}s"


@pytest.mark.skipif(
    not REAL_MIRROR.is_dir(),
    reason=f"offline mirror not found at {REAL_MIRROR} (checkout without ../shared)",
)
def test_default_corpus_syncs_offline_from_the_real_mirror(tmp_path: Path) -> None:
    sources = load_sources(REPO / "corpus" / "sources.toml")
    settings = make_settings(tmp_path, REAL_MIRROR, offline=True)
    report = sync_sources(sources, settings, progress=False)

    assert report.ok, report.failed
    assert report.counts["mirror"] == len(sources)
    for source in sources:
        target = settings.corpus_dir / source.path
        assert target.read_bytes() == (REAL_MIRROR / source.path).read_bytes()
        assert target.with_name(target.stem + ".meta.json").is_file()

"""The Consolidated Screening List end to end: `tpa sync` (a subprocess) fetches it from a real
local HTTP server, `tpa screen` and `GET /v1/screen` read it, and a sync that cannot get a good
copy (offline, HTTP 500, a body that is not a CSL) keeps the one it has."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from assistant.config import Settings
from tests.conftest import cli_env
from tests.conftest import run_cli as tpa
from tests.support.csl import EL, ROWS, csl_text
from tests.support.servers import QuietHandler, api_server, http_server

LAST_MODIFIED = "Tue, 10 Feb 2026 16:27:00 GMT"
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@dataclass
class CslServer:
    """Serves `body` at /csl.csv with `status`; answers 304 to a matching If-Modified-Since.

    `length`: send Content-Length (else the body ends when the connection closes); `gzip`:
    send the body gzip-compressed (Content-Length is then the compressed size); `endless`: send
    that many bytes of CSV-looking rows without a length, counting in `sent` what the client
    took before it hung up."""

    base: str = ""
    body: bytes = b""
    status: int = 200
    content_type: str = "text/csv; charset=utf-8"
    last_modified: str | None = LAST_MODIFIED
    length: bool = True
    gzip: bool = False
    endless: int = 0
    sent: int = 0
    requests: list[dict[str, str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.base + "/csl.csv"


@pytest.fixture
def csl_server() -> Iterator[CslServer]:
    state = CslServer(body=csl_text(ROWS).encode("utf-8"))

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            state.requests.append(dict(self.headers.items()))
            if self.path != "/csl.csv":
                self.reply(404, b"not found", "text/plain")
            elif state.status != 200:
                self.reply(state.status, b"server error", "text/plain")
            elif state.last_modified and self.headers.get("If-Modified-Since") == (
                state.last_modified
            ):
                self.send_response(304)
                self.end_headers()
            elif state.endless:
                self.send_response(200)
                self.send_header("Content-Type", state.content_type)
                self.end_headers()
                fields = ["e1", EL, "1", "Entity", "", "Filler Trading Co.", *[""] * 23]
                row = (",".join(fields) + "\r\n").encode()
                state.sent = 0
                with contextlib.suppress(OSError):  # the client hangs up: stop
                    self.wfile.write(csl_text([]).encode())
                    while state.sent < state.endless:
                        self.wfile.write(row * 1024)
                        state.sent += len(row) * 1024
            elif not state.length or state.gzip:
                body = gzip.compress(state.body) if state.gzip else state.body
                self.send_response(200)
                self.send_header("Content-Type", state.content_type)
                if state.last_modified:
                    self.send_header("Last-Modified", state.last_modified)
                if state.gzip:
                    self.send_header("Content-Encoding", "gzip")
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(body)
            else:
                modified = {"Last-Modified": state.last_modified} if state.last_modified else None
                self.reply(200, state.body, state.content_type, modified)

    with http_server(Handler) as base:
        state.base = base
        yield state


@pytest.fixture
def env(tmp_path: Path, csl_server: CslServer) -> dict[str, str]:
    """A one-document corpus (mirror only, no URL) so `tpa sync` is about the list."""
    mirror = tmp_path / "mirror"
    (mirror / "notes").mkdir(parents=True)
    (mirror / "notes" / "memo.txt").write_text("A memo.\n")
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[source]]\nid = "memo"\npath = "notes/memo.txt"\ntitle = "Memo"\ndoc_type = "guidance"\n'
    )
    values = cli_env(
        tmp_path / "data",
        TPA_SOURCES_FILE=str(sources),
        TPA_CORPUS_MIRROR=str(mirror),
        TPA_CSL_URL=csl_server.url,
        TPA_SYNC_RETRIES="1",
        TPA_SYNC_TIMEOUT="3",
    )
    for name in PROXY_VARS:  # the loopback server must not be reached through a proxy
        values.pop(name, None)
    return values


def sync_json(env: dict[str, str], *args: str) -> dict:  # type: ignore[type-arg]
    proc = tpa(env, "sync", "--json", *args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def csl_path(env: dict[str, str]) -> Path:
    """The CSV in use: in the version folder `current` names."""
    return Path(env["TPA_DATA_DIR"]) / "screening" / "current" / "csl.csv"


def old_layout_path(env: dict[str, str]) -> Path:
    """Where data dirs of the first release hold the CSV (beside `csl.meta.json`)."""
    return Path(env["TPA_DATA_DIR"]) / "screening" / "csl.csv"


# --------------------------------------------------------------------------- sync + CLI


def test_sync_fetches_the_list_and_screen_finds_huawei(
    env: dict[str, str], csl_server: CslServer
) -> None:
    report = sync_json(env)
    screening = report["screening"]
    assert screening["status"] == "fetched", screening
    assert screening["version"] == "2026-02-10"  # from Last-Modified
    assert screening["entries"] == 8
    assert report["results"][0]["outcome"] == "mirror"  # the corpus step still reports
    meta = json.loads((csl_path(env).parent / "csl.meta.json").read_text())
    assert meta["url"] == csl_server.url and len(meta["sha256"]) == 64 and meta["fetched_at"]
    assert csl_path(env).read_bytes() == csl_server.body

    proc = tpa(env, "screen", "Huawei", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["list_version"] == "2026-02-10"
    top = data["matches"][0]
    assert top["name"] == "Huawei Technologies Co., Ltd."
    assert top["license_requirement"] == "For all items subject to the EAR."
    assert top["license_policy"] == "Presumption of denial."
    assert top["federal_register_notice"] == "84 FR 22961"
    assert top["start_date"] == "2019-05-16"
    assert top["country"] == "CN"
    assert {"matched_name", "score", "source"} <= set(top)

    text = tpa(env, "screen", "Melli Foods")
    assert text.returncode == 0
    assert "no match in the Consolidated Screening List as of 2026-02-10" in text.stdout
    assert "clear" not in text.stdout.casefold()
    wide = {**env, "COLUMNS": "200"}
    table = tpa(wide, "screen", "Huawei", "--country", "DE", "--as-of", "2020-01-01")
    assert table.returncode == 0 and "Huawei Technologies Deutschland GmbH" in table.stdout
    assert "Cloud" not in table.stdout


def test_offline_and_failed_syncs_keep_the_existing_copy(
    env: dict[str, str], csl_server: CslServer
) -> None:
    assert sync_json(env)["screening"]["status"] == "fetched"
    good = csl_path(env).read_bytes()

    # Unchanged at the server: a conditional GET, 304.
    again = sync_json(env)["screening"]
    assert again["status"] == "not_modified" and again["version"] == "2026-02-10"
    assert csl_server.requests[-1].get("If-Modified-Since") == LAST_MODIFIED

    offline = tpa(env, "sync", "--offline")
    assert offline.returncode == 0, offline.stderr
    assert "kept existing copy (version 2026-02-10)" in offline.stdout
    assert "offline" in offline.stdout

    csl_server.status = 500
    failed = sync_json(env)["screening"]
    assert failed["status"] == "kept" and "HTTP 500" in failed["detail"]
    assert "kept existing copy (version 2026-02-10)" in failed["detail"]

    csl_server.status = 200
    csl_server.last_modified = "Wed, 11 Feb 2026 08:00:00 GMT"
    csl_server.body = b"<html><body>Maintenance</body></html>"
    csl_server.content_type = "text/html"
    garbage = sync_json(env)["screening"]
    assert garbage["status"] == "kept" and "not a Consolidated Screening List" in garbage["detail"]

    assert csl_path(env).read_bytes() == good
    proc = tpa(env, "screen", "Huawei", "--json")
    assert json.loads(proc.stdout)["matches"][0]["name"] == "Huawei Technologies Co., Ltd."


def test_a_damaged_copy_is_replaced(env: dict[str, str], csl_server: CslServer) -> None:
    old_layout_path(env).parent.mkdir(parents=True)
    old_layout_path(env).write_text("<html>half a download</html>")
    assert tpa(env, "screen", "Huawei").returncode == 2
    assert sync_json(env)["screening"]["status"] == "fetched"
    assert csl_path(env).read_bytes() == csl_server.body
    assert not old_layout_path(env).exists()


def test_no_list_anywhere(env: dict[str, str]) -> None:
    report = sync_json(env, "--offline")  # a missing list does not fail the sync
    assert report["screening"]["status"] == "missing"
    assert report["screening"]["detail"] == "no screening list available (offline)"
    proc = tpa(env, "screen", "Huawei")
    assert proc.returncode == 2
    assert "run `tpa sync`" in " ".join(proc.stderr.split())
    assert not csl_path(env).exists()


def test_unreachable_server_keeps_nothing_and_says_so(env: dict[str, str]) -> None:
    env = {**env, "TPA_CSL_URL": "http://127.0.0.1:9/csl.csv", "TPA_SYNC_RETRIES": "0"}
    screening = sync_json(env)["screening"]
    assert screening["status"] == "missing"
    assert screening["detail"].startswith("no screening list available (not fetched: ")


# --------------------------------------------------------------------------- API


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)


def test_api_screens_and_picks_up_a_new_sync(
    env: dict[str, str], csl_server: CslServer, no_proxy: None
) -> None:
    sync_json(env)
    server_env = {k: v for k, v in env.items() if k.startswith("TPA_")}
    with api_server(server_env) as base, httpx.Client(base_url=base, timeout=30) as client:
        found = client.get("/v1/screen", params={"name": "Huawei Technologies"})
        assert found.status_code == 200, found.text
        data = found.json()
        assert data["list_version"] == "2026-02-10"
        top = data["matches"][0]
        assert top["name"] == "Huawei Technologies Co., Ltd."
        assert top["license_policy"] == "Presumption of denial."

        none = client.get("/v1/screen", params={"name": "Melli Foods", "country": "ir"})
        assert none.json()["matches"] == []
        assert none.json()["message"] == (
            "Melli Foods: no match in the Consolidated Screening List as of 2026-02-10"
        )
        before = client.get("/v1/screen", params={"name": "Huawei", "as_of": "2019-05-15"})
        assert before.json()["matches"] == []

        for params in (
            {"name": "   "},
            {"name": "x" * 201},
            {"name": "Huawei", "country": "China"},
            {"name": "Huawei", "as_of": "2019-13-01"},
            {},
        ):
            bad = client.get("/v1/screen", params=params)
            assert bad.status_code == 422, (params, bad.text)
            assert "detail" in bad.json()

        # A new list at the source: the next sync replaces it and the server sees it at once.
        new_rows = [*ROWS, dict(ROWS[0], _id="n1", name="Newco Drones Ltd")]
        csl_server.body = csl_text(new_rows).encode("utf-8")
        csl_server.last_modified = "Thu, 12 Feb 2026 09:00:00 GMT"
        assert sync_json(env)["screening"]["version"] == "2026-02-12"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            newer = client.get("/v1/screen", params={"name": "Newco Drones"}).json()
            if newer["matches"]:
                break
            time.sleep(0.2)
        assert newer["list_version"] == "2026-02-12"
        assert newer["matches"][0]["name"] == "Newco Drones Ltd"


def test_api_without_a_list_is_503(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", allow_anonymous=True)
    client = TestClient(create_app(settings))  # no lifespan: the route needs no model
    response = client.get("/v1/screen", params={"name": "Huawei"})
    assert response.status_code == 503
    assert "tpa sync" in response.json()["detail"]
    (settings.screening_dir).mkdir(parents=True)
    (settings.screening_dir / "csl.csv").write_text("not,a,list\n1,2,3\n")
    unusable = client.get("/v1/screen", params={"name": "Huawei"})
    assert unusable.status_code == 503
    assert "screening list unusable" in unusable.json()["detail"]


# --------------------------------------------------------------------------- one switch, a cap


def screening_dir(env: dict[str, str]) -> Path:
    return Path(env["TPA_DATA_DIR"]) / "screening"


def read_pair(folder: Path) -> tuple[bytes, dict]:  # type: ignore[type-arg]
    """The CSV and metadata as an outside reader takes them: `current` resolved once and both
    files opened in that folder (in the first release's layout: the two files side by side)."""
    link = folder / "current"
    where = folder / os.readlink(link) if link.is_symlink() else folder
    return (where / "csl.csv").read_bytes(), json.loads((where / "csl.meta.json").read_bytes())


def test_a_sync_switches_one_link_to_a_complete_version_folder(
    env: dict[str, str], csl_server: CslServer
) -> None:
    folder = screening_dir(env)
    assert sync_json(env)["screening"]["status"] == "fetched"
    link = folder / "current"
    assert link.is_symlink(), sorted(p.name for p in folder.iterdir())
    first = os.readlink(link)
    # Everything a reader uses is inside the version folder the link names: the CSV and its
    # metadata are never two separate switches, so nothing can stop a sync between them.
    assert "/" not in first and (folder / first).is_dir()
    assert sorted(p.name for p in (folder / first).iterdir()) == ["csl.csv", "csl.meta.json"]
    assert not (folder / "csl.csv").exists() and not (folder / "csl.meta.json").exists()
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [
        "current",
        first,
    ]
    body, meta = read_pair(folder)
    assert body == csl_server.body
    assert meta["sha256"] == hashlib.sha256(body).hexdigest() and meta["version"] == "2026-02-10"
    kept = {p.name: p.read_bytes() for p in (folder / first).iterdir()}

    # A new list: a second folder, then the link switched to it; the first is left as it was
    # (a reader may have just resolved it) and goes at the sync after.
    csl_server.body = csl_text([*ROWS, dict(ROWS[0], _id="n1", name="Newco Drones Ltd")]).encode()
    csl_server.last_modified = "Thu, 12 Feb 2026 09:00:00 GMT"
    assert sync_json(env)["screening"]["status"] == "fetched"
    second = os.readlink(link)
    assert second != first
    assert {p.name: p.read_bytes() for p in (folder / first).iterdir()} == kept
    body, meta = read_pair(folder)
    assert body == csl_server.body and meta["version"] == "2026-02-12"
    assert meta["sha256"] == hashlib.sha256(body).hexdigest()
    csl_server.last_modified = "Fri, 13 Feb 2026 09:00:00 GMT"
    assert sync_json(env)["screening"]["status"] == "not_modified"  # same bytes, new date
    assert not (folder / first).exists() and (folder / second).is_dir()
    assert read_pair(folder)[1]["version"] == "2026-02-13"


BIG_ROWS = [
    *ROWS,
    *(
        {"_id": f"f{i}", "source": EL, "type": "Entity", "name": f"Filler Trading {i} Co., Ltd."}
        for i in range(40)
    ),
]


@pytest.mark.parametrize("how", ["content-length", "no-length", "gzip"])
def test_a_list_over_the_size_limit_is_refused_and_the_old_one_kept(
    env: dict[str, str], csl_server: CslServer, how: str
) -> None:
    env = {**env, "TPA_CSL_MAX_BYTES": "3000"}
    assert len(csl_server.body) < 3000
    assert sync_json(env)["screening"]["status"] == "fetched"
    folder = screening_dir(env)
    good = read_pair(folder)

    csl_server.body = csl_text(BIG_ROWS).encode()
    assert len(csl_server.body) > 3000 and len(gzip.compress(csl_server.body)) < 3000
    csl_server.last_modified = "Thu, 12 Feb 2026 09:00:00 GMT"
    csl_server.length = how == "content-length"
    csl_server.gzip = how == "gzip"  # Content-Length under the limit, the body over it
    screening = sync_json(env)["screening"]
    assert screening["status"] == "kept", screening
    assert screening["version"] == "2026-02-10" and screening["entries"] == 8
    detail = screening["detail"]
    assert detail.startswith("kept existing copy (version 2026-02-10) (refused: ")
    assert "3,000-byte limit (TPA_CSL_MAX_BYTES)" in detail
    if how == "content-length":
        assert f"announced {len(csl_server.body):,} bytes (Content-Length)" in detail
    else:
        assert "passed the 3,000-byte limit" in detail

    assert read_pair(folder) == good
    data = json.loads(tpa(env, "screen", "Filler Trading 7", "--json").stdout)
    assert data["list_version"] == "2026-02-10" and data["matches"] == []


def test_a_download_is_streamed_and_dropped_at_the_limit(
    env: dict[str, str], csl_server: CslServer
) -> None:
    """No Content-Length and far more than the limit: the client stops reading at the limit
    instead of holding the whole body, and the server sees it hang up."""
    env = {**env, "TPA_CSL_MAX_BYTES": "100000"}
    csl_server.endless = 48 * 1024 * 1024
    screening = sync_json(env)["screening"]
    assert screening["status"] == "missing"
    assert "passed the 100,000-byte limit (TPA_CSL_MAX_BYTES)" in screening["detail"]
    assert "announced no size" in screening["detail"]
    assert csl_server.sent < 16 * 1024 * 1024, f"the client read {csl_server.sent:,} bytes"
    folder = screening_dir(env)
    assert not (folder / "current").exists()
    assert [p.name for p in folder.iterdir() if p.name.startswith(".staging")] == []


def test_a_reader_during_swaps_always_sees_a_matching_pair(
    tmp_path: Path, csl_server: CslServer, no_proxy: None
) -> None:
    from assistant.screening.repository import load_list
    from ingest.screening_sync import fetch_csl

    settings = Settings(data_dir=tmp_path / "data", csl_url=csl_server.url, sync_retries=0)
    versions = {
        "2026-02-10": (ROWS, "Tue, 10 Feb 2026 16:27:00 GMT"),
        "2026-02-12": (
            [*ROWS, dict(ROWS[0], _id="n1", name="Newco Drones Ltd")],
            "Thu, 12 Feb 2026 09:00:00 GMT",
        ),
    }
    bodies = {v: csl_text(rows).encode() for v, (rows, _) in versions.items()}
    version_of = {hashlib.sha256(b).hexdigest(): v for v, b in bodies.items()}
    csl_server.body, csl_server.last_modified = bodies["2026-02-10"], LAST_MODIFIED
    assert fetch_csl(settings).status == "fetched"
    torn: list[str] = []
    reads = {"files": 0, "lists": 0}
    done = threading.Event()

    def read_files() -> None:  # the files, as any reader opens them
        while not done.is_set():
            with contextlib.suppress(FileNotFoundError):  # the old layout, mid-replace
                body, meta = read_pair(settings.screening_dir)
                reads["files"] += 1
                digest = hashlib.sha256(body).hexdigest()
                if meta.get("sha256") != digest or meta.get("version") != version_of.get(digest):
                    torn.append(f"files: CSV of {version_of.get(digest)}, meta {meta}")

    def read_lists() -> None:  # what answers use
        while not done.is_set():
            in_use = load_list(settings)
            assert in_use is not None
            reads["lists"] += 1
            newco = any(e.name == "Newco Drones Ltd" for e in in_use.entries)
            if newco != (in_use.version == "2026-02-12"):
                torn.append(f"list: version {in_use.version} with Newco {newco}")

    readers = [threading.Thread(target=read_files), threading.Thread(target=read_lists)]
    for r in readers:
        r.start()
    try:
        for i in range(40):
            version = ("2026-02-12", "2026-02-10")[i % 2]
            csl_server.body, csl_server.last_modified = bodies[version], versions[version][1]
            result = fetch_csl(settings)
            assert (result.status, result.version) == ("fetched", version), result
            if torn:
                break
    finally:
        done.set()
        for r in readers:
            r.join(timeout=30)
    assert not torn, torn[:3]
    assert reads["files"] > 100 and reads["lists"] > 10, reads


def test_an_old_layout_data_dir_is_read_then_moved_by_the_next_sync(
    env: dict[str, str], csl_server: CslServer
) -> None:
    folder = screening_dir(env)
    folder.mkdir(parents=True)
    old = csl_text(ROWS[:2]).encode()
    (folder / "csl.csv").write_bytes(old)
    meta = {"version": "2026-01-05", "url": "https://example.test/old.csv"}
    (folder / "csl.meta.json").write_text(json.dumps({**meta, "sha256": sha(old)}))
    data = json.loads(tpa(env, "screen", "Huawei", "--json").stdout)
    assert data["list_version"] == "2026-01-05"
    offline = sync_json(env, "--offline")["screening"]
    assert offline["status"] == "kept" and offline["version"] == "2026-01-05"

    assert sync_json(env)["screening"]["status"] == "fetched"
    assert (folder / "current").is_symlink()
    assert not (folder / "csl.csv").exists() and not (folder / "csl.meta.json").exists()
    assert read_pair(folder)[0] == csl_server.body
    data = json.loads(tpa(env, "screen", "Huawei", "--json").stdout)
    assert data["list_version"] == "2026-02-10"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

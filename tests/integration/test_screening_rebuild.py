"""Answers go on while a new screening list is indexed: a sync stores a new list (40,000
entries) and answers given during the rebuild (a real Assistant over a small ingested corpus)
come back at their usual speed with the screening block of the list in use, until the new list
is swapped in and named by the next answers."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from assistant.config import Settings
from tests.conftest import SMALL_DOCS, make_settings, small_corpus
from tests.support.csl import NEWCO, csl_text, synthetic_rows
from tests.support.servers import QuietHandler, http_server

QUESTION = "Do mass-market software sales to Huawei need a licence?"
ENTRIES = 40_000
BODY: dict[str, bytes | str] = {}


@pytest.fixture(scope="module")
def csl_url() -> Iterator[str]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            modified = {"Last-Modified": str(BODY["last_modified"])}
            self.reply(200, bytes(BODY["csv"]), "text/csv", modified)  # type: ignore[arg-type]

    with http_server(Handler) as base:
        yield base + "/csl.csv"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, csl_url: str) -> Settings:
    from ingest.pipeline import run_ingest

    corpus = small_corpus(tmp_path_factory.mktemp("rebuild-corpus"), SMALL_DOCS[:2])
    data = tmp_path_factory.mktemp("rebuild-data")
    run_ingest([corpus], make_settings(data), progress=False)
    return make_settings(data, csl_url=csl_url, sync_retries=0)


def sync(settings: Settings, rows: list[dict[str, str]], last_modified: str) -> None:
    from ingest.screening_sync import fetch_csl

    BODY.update(csv=csl_text(rows).encode(), last_modified=last_modified)
    result = fetch_csl(settings)
    assert result.status == "fetched", result


def test_answers_during_a_rebuild_use_the_list_in_use_at_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.answering.service import Assistant

    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    rows = synthetic_rows(ENTRIES)
    sync(settings, rows, "Tue, 10 Feb 2026 16:27:00 GMT")
    assistant = Assistant(settings)

    def answer() -> tuple[float, str | None, str]:
        started = time.perf_counter()
        got = assistant.ask(QUESTION)
        version = got.screening.list_version if got.screening else None
        return time.perf_counter() - started, version, got.answer

    answer()  # the first load indexes the list (nothing to answer with before), and warms up
    usual = min(answer()[0] for _ in range(3))
    sync(settings, [*rows, NEWCO], "Thu, 12 Feb 2026 09:00:00 GMT")
    changed = time.perf_counter()
    seen: list[tuple[float, str | None, float]] = []  # (seconds, list version, when)
    stop = threading.Event()

    def keep_asking() -> None:
        while not stop.is_set():
            took, version, text = answer()
            # The block follows the determination it backs ([S1]); it names the list in use.
            assert version is not None and (
                f"Screening against the Consolidated Screening List (version {version})" in text
            )
            seen.append((took, version, time.perf_counter() - changed))

    askers = [threading.Thread(target=keep_asking) for _ in range(2)]
    for a in askers:
        a.start()
    try:
        deadline = changed + 180
        while time.perf_counter() < deadline and not any(v == "2026-02-12" for _, v, _ in seen):
            time.sleep(0.02)
    finally:
        stop.set()
        for a in askers:
            a.join(timeout=120)
    swapped = next((when for _, v, when in seen if v == "2026-02-12"), None)
    assert swapped is not None, f"the new list was not in use after 180 s: {seen[-3:]}"
    during = [took for took, v, _ in seen if v == "2026-02-10"]
    slowest = max(took for took, _, _ in seen)
    assert slowest < swapped / 2, (
        f"an answer took {slowest:.2f} s while the list was rebuilt ({swapped:.2f} s); "
        f"usually {usual:.2f} s"
    )
    assert len(during) >= 3, f"{len(during)} answers during a {swapped:.2f} s rebuild"
    # Once swapped in, every answer begun later names the new list.
    after = {v for took, v, when in seen if when - took > swapped}
    assert after <= {"2026-02-12"}

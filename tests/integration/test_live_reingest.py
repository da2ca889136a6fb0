"""Re-ingest while the API answers: every passage is a document's old or new text, never half.

A build of the BM25 snapshot can land between an ingest's writes (old chunks deleted, new ones
being added, ledger record not yet updated). Such a document is served as it was, or left out
if it had not been served before; the passage endpoint answers 404 rather than a span of another
version; and the new version is served after the ingest without a restart.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pytest
from fastapi.testclient import TestClient

import assistant.index.snapshot as lexical
import assistant.retrieval.retriever as retrieval
from assistant.index.store import Store
from ingest.pipeline import run_ingest
from tests.conftest import (
    SMALL_DOCS,
    cli_env,
    make_settings,
    run_cli,
    small_corpus,
)

ARTICLE = "article/2019-11-24-microsoft-huawei-export-licence.txt"
ENTITY_LIST = "regulation/ecfr/15-CFR-744.11.txt"
EMBARGO = "regulation/ecfr/15-CFR-746.2.txt"
NEW_SENTENCE = "Quokka Systems must file a zebra-striped licence form before any reexport."
QUERIES = [
    "Do mass-market software sales to Huawei need a licence?",
    "Entity List licence requirements for listed parties",
    "embargoed destinations Cuba licence policy",
    "Quokka Systems zebra-striped licence form",
]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small corpus ingested once; each test works on its own copy of corpus and data."""
    root = tmp_path_factory.mktemp("live")
    corpus = small_corpus(root / "corpus", SMALL_DOCS)
    run_ingest([corpus], make_settings(root / "data"), progress=False)
    return corpus, root / "data"


@pytest.fixture
def copy(ingested: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    corpus, data = ingested
    shutil.copytree(corpus, tmp_path / "corpus")
    shutil.copytree(data, tmp_path / "data")
    return tmp_path / "corpus", tmp_path / "data"


def _edit(corpus: Path) -> None:
    """Change three documents: words inside (later spans move), and a paragraph appended."""
    for rel in (ARTICLE, ENTITY_LIST, EMBARGO):
        path = corpus / rel
        text = path.read_text()
        text = text.replace("license", "licence", 3).replace("Huawei", "Huawei Technologies", 2)
        path.write_text(text + f"\n\n{NEW_SENTENCE} (added to {path.stem})\n")


def _texts(store: Store) -> dict[str, str]:
    out = {}
    for doc_id in store.document_records():
        stored = store.get_document(doc_id)
        assert stored is not None
        out[doc_id] = stored.text
    return out


def _is_old_or_new(
    doc_id: str, start: int, end: int, text: str, old: dict[str, str], new: dict[str, str]
) -> bool:
    return any(doc_id in v and v[doc_id][start:end] == text for v in (old, new))


def test_queries_during_a_reingest_see_old_or_new_never_half(
    copy: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, data = copy
    # Check the ledger on every request (not every 5 s), so snapshots are built mid-ingest.
    monkeypatch.setattr(retrieval, "_RELOAD_CHECK_S", 0.0)
    snapshots: list[tuple[str, bool]] = []  # every snapshot the server switched to
    real_load_or_build = retrieval.load_or_build

    def recording(*args: Any, **kwargs: Any) -> lexical.CorpusSnapshot:
        index = real_load_or_build(*args, **kwargs)
        snapshots.append((index.version, index.complete))
        return index

    monkeypatch.setattr(retrieval, "load_or_build", recording)
    settings = make_settings(
        data, rate_limit_per_minute=1_000_000, max_concurrency=8, allow_anonymous=True
    )
    from api.app import create_app

    old = _texts(Store(settings))
    _edit(corpus)
    seen: list[tuple[str, str, int, int, str]] = []  # (kind, doc_id, start, end, text)
    failures: list[str] = []
    passages_404 = 0
    stop = threading.Event()

    with TestClient(create_app(settings)) as client:

        def query_loop() -> None:
            nonlocal passages_404
            i = 0
            while not stop.is_set():
                q = QUERIES[i % len(QUERIES)]
                i += 1
                r = client.get("/v1/search", params={"q": q, "k": 8})
                if r.status_code != 200:
                    failures.append(f"search {r.status_code}: {r.text[:200]}")
                    continue
                results = r.json()["results"]
                for p in results:
                    seen.append(("search", p["doc_id"], p["start"], p["end"], p["text"]))
                for p in results[:3]:
                    got = client.get(f"/v1/passages/{quote(p['chunk_id'], safe='')}")
                    if got.status_code == 404:
                        passages_404 += 1  # replaced by the ingest since the search
                    elif got.status_code == 200:
                        b = got.json()
                        seen.append(("passage", b["doc_id"], b["start"], b["end"], b["text"]))
                    else:
                        failures.append(f"passage {got.status_code}: {got.text[:200]}")
                if i % 3 == 0:
                    a = client.post("/v1/ask", json={"question": q})
                    if a.status_code != 200:
                        failures.append(f"ask {a.status_code}: {a.text[:200]}")
                        continue
                    for c in a.json()["citations"]:
                        seen.append(("quote", c["doc_id"], c["start"], c["end"], c["quote"]))

        thread = threading.Thread(target=query_loop)
        thread.start()
        try:
            # Small embedding batches: many writes per document, many chances to land between.
            env = cli_env(data, TPA_EMBED_BATCH_SIZE="1")
            proc = run_cli(env, "ingest", str(corpus), "--json", timeout=300)
            assert proc.returncode == 0, proc.stderr[-2000:]
            time.sleep(1.0)  # a few more queries against the finished store
        finally:
            stop.set()
            thread.join(timeout=120)
        during = len(seen)

        new = _texts(Store(settings))
        changed = {d for d in new if old.get(d) != new[d]}
        assert len(changed) == 3
        # Without a restart: the new sentence is found, and only new text of changed documents.
        r = client.get("/v1/search", params={"q": "Quokka Systems zebra-striped licence", "k": 8})
        assert r.status_code == 200
        results = r.json()["results"]
        assert any(NEW_SENTENCE in p["text"] for p in results)
        for p in results:
            assert new[p["doc_id"]][p["start"] : p["end"]] == p["text"]
        a = client.post("/v1/ask", json={"question": "Which form must Quokka Systems file?"})
        assert a.status_code == 200 and a.json()["citations"]
        for c in a.json()["citations"]:
            assert new[c["doc_id"]][c["start"] : c["end"]] == c["quote"]

    assert not failures, failures[:5]
    assert during > 50, f"only {during} passages seen during the ingest"
    half = [s for s in seen if not _is_old_or_new(s[1], s[2], s[3], s[4], old, new)]
    assert not half, f"{len(half)} of {len(seen)} passages match neither version: {half[:2]}"
    assert {c for _, c, *_ in seen} & changed, "no passage of a changed document was served"
    # The snapshot followed the ledger through the ingest, and ended complete.
    assert len({v for v, _ in snapshots}) >= 2 and snapshots[-1][1], snapshots
    print(
        f"\n{len(seen)} passages checked, {passages_404} passage 404s, {len(snapshots)} "
        f"snapshots ({sum(not c for _, c in snapshots)} built mid-document)"
    )


def _doc_rows(index: lexical.CorpusSnapshot, doc_id: str) -> list[tuple[str, str]]:
    return sorted(
        (cid, text)
        for cid, text, meta in zip(index.ids, index.texts, index.metas, strict=True)
        if meta["doc_id"] == doc_id
    )


def test_build_serves_a_half_written_document_as_before(copy: tuple[Path, Path]) -> None:
    corpus, data = copy
    settings = make_settings(data)
    store = Store(settings)
    before = lexical.build(store)
    assert before.complete
    doc_id = "15-cfr-744.11"
    rows = _doc_rows(before, doc_id)
    assert len(rows) > 2

    # What an ingest looks like half-way through this document: old chunks deleted, the first
    # of the new ones added (with the new version's hash), the ledger record still the old one.
    got = store.chunks.get(
        where={"doc_id": doc_id}, include=["documents", "metadatas", "embeddings"]
    )
    store.delete_chunks_of(doc_id)
    metas = [{**m, "doc_hash": "the-new-version"} for m in got["metadatas"] or []][:2]
    store.chunks.add(
        ids=[f"{cid}-new" for cid in got["ids"][:2]],
        documents=[f"NEW {t}" for t in (got["documents"] or [])[:2]],
        embeddings=np.asarray(got["embeddings"], np.float32)[:2],
        metadatas=metas,  # type: ignore[arg-type]
    )

    carried = lexical.build(store, previous=before)
    assert not carried.complete
    assert _doc_rows(carried, doc_id) == rows, "served as it was before the update"
    assert len(carried.ids) == len(before.ids) and carried.vectors.shape == before.vectors.shape
    fresh = lexical.build(store)  # a reader that never saw it: left out, not half
    assert not fresh.complete and _doc_rows(fresh, doc_id) == []
    # Neither incomplete index replaced the published one.
    assert lexical._load(store, before.version) is not None

    # A retriever holding an incomplete snapshot rebuilds only once the store moved on.
    retriever = retrieval.Retriever(store)
    retriever._lexical = carried
    assert retriever.refresh() is carried, "nothing changed since: no rebuild"
    store.delete_chunks_of(doc_id)  # the (killed) ingest's leftovers are repaired ...
    report = run_ingest([corpus], settings, progress=False)
    assert report.updated == 1 and not report.failures
    repaired = retriever.refresh()
    assert repaired.complete and len(_doc_rows(repaired, doc_id)) == len(rows)


def test_persisting_is_safe_with_concurrent_writers(copy: tuple[Path, Path]) -> None:
    _, data = copy
    store = Store(make_settings(data))
    base = data / "lexical" / store.settings.collection
    stale = base / "0123456789abcdef"
    stale.mkdir(parents=True, exist_ok=True)
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    (base / "chunks.json").write_text("{}")  # the unversioned layout of earlier releases

    errors: list[BaseException] = []

    def writer() -> None:
        try:
            lexical.build(store)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    version = lexical.corpus_version(store)
    loaded = lexical._load(store, version)
    assert loaded is not None and loaded.ids
    entries = sorted(p.name for p in base.iterdir())
    assert entries == [version], entries  # old version, legacy files and tmp folders gone

    # A folder that cannot be written does not fail the build: the index is served from memory.
    shutil.rmtree(base)
    base.parent.mkdir(parents=True, exist_ok=True)
    base.write_text("not a folder")
    assert lexical.build(store).ids
    assert lexical.load_or_build(store).ids


def test_no_request_waits_for_the_ledger_check(
    copy: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check that the store moved on reads the whole ledger (seconds at a million chunks):
    it runs beside the requests, which go on with the snapshot in hand, and the new version is
    served once it is built."""
    corpus, data = copy
    settings = make_settings(data)
    retriever = retrieval.Retriever(Store(settings))
    before = retriever.lexical()
    _edit(corpus)
    assert not run_ingest([corpus], settings, progress=False).failures
    slow_ledger = lexical.corpus_version

    def slow(store: Store) -> str:
        time.sleep(1.5)  # what reading a large ledger costs
        return slow_ledger(store)

    monkeypatch.setattr(retrieval, "corpus_version", slow)
    retriever._checked = 0.0  # the check is due
    t = time.perf_counter()
    assert retriever.lexical() is before
    assert retriever.lexical() is before  # a second request while the check runs: no second
    assert time.perf_counter() - t < 0.5, "a request waited for the check"
    deadline = time.monotonic() + 120
    while retriever.lexical() is before and time.monotonic() < deadline:
        time.sleep(0.1)
    after = retriever.lexical()
    assert after is not before and after.version != before.version
    assert any(NEW_SENTENCE in text for text in after.texts)


def test_the_first_build_is_made_once_and_a_store_down_is_checked_once_an_interval(
    copy: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Requests waiting for the first snapshot get the one built, not a ledger read each; a
    store that is down is not asked again, nor logged again, until the next check is due."""
    from assistant.index.store import StoreUnavailable

    _, data = copy
    retriever = retrieval.Retriever(Store(make_settings(data)))
    reads: list[float] = []
    read_ledger = lexical.corpus_version

    def counted(store: Store) -> str:
        reads.append(time.monotonic())
        time.sleep(0.3)
        return read_ledger(store)

    monkeypatch.setattr(retrieval, "corpus_version", counted)
    got: list[Any] = []
    threads = [threading.Thread(target=lambda: got.append(retriever.lexical())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(reads) == 1 and len({id(x) for x in got}) == 1

    def down() -> str:
        reads.append(time.monotonic())
        raise StoreUnavailable("Chroma server at 127.0.0.1:1 unreachable")

    monkeypatch.setattr(retriever.store, "ledger_mark", down)  # the check's first read
    reads.clear()
    retriever._checked = 0.0
    for _ in range(50):
        assert retriever.lexical() is got[0]  # served from the snapshot in hand
        time.sleep(0.01)
    assert len(reads) == 1, f"{len(reads)} checks within one interval"


def test_a_check_reads_the_whole_ledger_only_when_the_change_mark_moved(
    copy: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every write of the ledger moves the store's change mark; a periodic check that finds it
    where it was serves on without reading the ledger (seconds at a million chunks), and one
    that finds it moved reads it and serves the new version."""
    corpus, data = copy
    settings = make_settings(data)
    retriever = retrieval.Retriever(Store(settings))
    before = retriever.lexical()
    reads: list[str] = []
    read_ledger = lexical.corpus_version

    def counted(store: Store) -> str:
        reads.append("ledger")
        return read_ledger(store)

    monkeypatch.setattr(retrieval, "corpus_version", counted)
    for _ in range(3):
        retriever._checked = 0.0
        assert retriever._check(force=False) is before
    assert reads == []
    _edit(corpus)
    assert not run_ingest([corpus], settings, progress=False).failures  # another writer
    retriever._checked = 0.0
    after = retriever._check(force=False)
    assert reads == ["ledger"]
    assert after is not before and any(NEW_SENTENCE in text for text in after.texts)


def test_a_write_whose_mark_was_lost_is_still_seen_by_the_periodic_full_check(
    copy: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer killed between its ledger writes and its marks moves no mark: the whole ledger
    is still read every `_FULL_CHECK_S`, so its writes are served a little later, not never."""
    corpus, data = copy
    settings = make_settings(data)
    retriever = retrieval.Retriever(Store(settings))
    before = retriever.lexical()
    writer = Store(settings)
    monkeypatch.setattr(writer, "_mark_changed", lambda removed=False: None)  # marks lost
    _edit(corpus)
    assert not run_ingest([corpus], settings, progress=False, store=writer).failures
    retriever._checked = 0.0
    assert retriever._check(force=False) is before  # the mark stood still
    monkeypatch.setattr(retrieval, "_FULL_CHECK_S", 0.0)
    retriever._checked = 0.0
    after = retriever._check(force=False)
    assert after is not before and any(NEW_SENTENCE in text for text in after.texts)

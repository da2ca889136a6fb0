"""A snapshot refresh after a small ingest reads only the documents whose ledger hash changed,
and serves exactly what a full build would (same rows, vectors and BM25 scores), each document
before or after its update, never half. Above `dense_exact_max_chunks` a snapshot holds no
vectors. Hand-made chunks and the stand-in store of tests/unit/conftest.py (no model, no Chroma)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

import numpy as np

from assistant.config import Settings
from assistant.index.snapshot import (
    CorpusSnapshot,
    build,
    corpus_version,
    index_path,
    load_or_build,
    refresh,
    wait_for_publishing,
)
from assistant.index.term_stats import term_stats
from assistant.index.tokenize import tokenize
from assistant.status import StatusNote, dump_notes
from tests.unit.conftest import TEXTS, FakeStore, as_store, chunk_meta

QUERIES = ("license encryption", "tools of trade one year", "740.2", "falconridge counsel")


def _same(one: object, other: object) -> None:
    assert isinstance(one, CorpusSnapshot) and isinstance(other, CorpusSnapshot)
    assert (one.ids, one.texts, one.metas, one.version) == (
        other.ids,
        other.texts,
        other.metas,
        other.version,
    )
    assert np.array_equal(one.vectors, other.vectors)
    for query in QUERIES:
        assert one.scores(query).tobytes() == other.scores(query).tobytes(), query
        assert one.view(["public"]).scores(query).tobytes() == (
            other.view(["public"]).scores(query).tobytes()
        )


def test_a_refresh_reads_only_the_changed_document_and_equals_a_full_build(
    store: FakeStore,
) -> None:
    before = build(as_store(store))
    TEXTS["b-1"] = "Tools of trade returned within one year need no further licence."
    try:
        store.put("b", ["b-0", "b-1"], content_hash="hash-b2")
        reads = store.reads
        after = refresh(as_store(store), before)
        assert store.reads == reads, "no full read of the store"
        assert store.partial_reads == [["b"]], "only the changed document is read"
        assert after.complete and after.version != before.version
        _same(after, build(as_store(store)))
    finally:
        del TEXTS["b-1"]


def test_a_removed_document_is_dropped_and_an_added_one_read(store: FakeStore) -> None:
    before = build(as_store(store))
    del store.records["c"], store.rows["c-0"]
    after = refresh(as_store(store), before)
    assert store.partial_reads == [[]], "nothing to read for a removal"
    assert [m["doc_id"] for m in after.metas] == ["a", "a", "b"]
    _same(after, build(as_store(store)))

    store.put("c", ["c-0"])
    again = refresh(as_store(store), after)
    assert store.partial_reads[-1] == ["c"]
    _same(again, build(as_store(store)))


def test_a_document_mid_update_is_served_whole_as_before(store: FakeStore) -> None:
    before = build(as_store(store))
    # An ingest replacing "a": new chunks written, old ones deleted, ledger not updated yet.
    del store.rows["a-1"]
    store.rows["a-0"] = (TEXTS["a-0"] + " Amended.", chunk_meta("a-0", "hash-a2"))
    same_ledger = refresh(as_store(store), before)
    rows = [(c, t) for c, t in zip(same_ledger.ids, same_ledger.texts, strict=True)]
    assert rows[:2] == [("a-0", TEXTS["a-0"]), ("a-1", TEXTS["a-1"])], "the old version, whole"
    assert not same_ledger.complete, "the store holds fewer chunks than the ledger counts"

    # The ledger moved to a version whose chunks are not all there yet: still the old one.
    store.records["a"] = {"content_hash": "hash-a3", "chunk_count": 2}
    moved = refresh(as_store(store), same_ledger)
    assert [t for c, t in zip(moved.ids, moved.texts, strict=True) if c.startswith("a-")] == [
        TEXTS["a-0"],
        TEXTS["a-1"],
    ]
    assert not moved.complete

    # The ingest finishes: the new version, whole.
    store.put("a", ["a-0"], content_hash="hash-a3")
    store.rows["a-0"] = (TEXTS["a-0"] + " Amended.", chunk_meta("a-0", "hash-a3"))
    done = refresh(as_store(store), moved)
    assert done.complete and [t for c, t in zip(done.ids, done.texts, strict=True)][0] == (
        TEXTS["a-0"] + " Amended."
    )
    assert "a-1" not in done.position


def test_load_or_build_refreshes_a_snapshot_in_hand_and_publishes_it(store: FakeStore) -> None:
    before = build(as_store(store))
    store.put("b", ["b-0"], content_hash="hash-b2")
    reads = store.reads
    after = load_or_build(as_store(store), previous=before)
    assert store.reads == reads and store.partial_reads == [["b"]]
    wait_for_publishing()
    assert (index_path(as_store(store), after.version) / "chunks.json").is_file()
    reloaded = load_or_build(as_store(store))
    assert store.reads == reads, "loaded from disk"
    _same(reloaded, after)


def test_above_the_threshold_a_snapshot_holds_no_vectors(store: FakeStore) -> None:
    store.settings = Settings(data_dir=store.settings.data_dir, dense_exact_max_chunks=3)
    index = build(as_store(store))
    assert not index.has_vectors and index.vectors.shape == (4, 0)
    assert index.view(["public"]).vectors.shape == (3, 0)
    folder = index_path(as_store(store), index.version)
    assert not (folder / "vectors.npy").exists()
    store.put("b", ["b-0"], content_hash="hash-b2")
    after = load_or_build(as_store(store), previous=index)
    assert store.partial_reads == [["b"]] and not after.has_vectors

    # Back under the threshold: the next snapshot is a full build with every vector.
    del store.records["c"], store.rows["c-0"]
    small = load_or_build(as_store(store), previous=after)
    assert small.has_vectors and small.vectors.shape == (3, 4)


WORDS = (
    "license export item entity list encryption deemed foreign national consignee end user "
    "military intelligence reserved minimis china russia wassenaar commerce control tools "
    "trade temporary year falconridge counsel review shipment party 5d002 744.11 740.9"
).split()
MANY_QUERIES = (*QUERIES, "entity list 744.11", "deemed export foreign national", "5d002 china")


def _put_random(store: FakeStore, doc: str, version: int, rng: np.random.Generator) -> None:
    """A document of 1-4 chunks (ids reused across versions, so a new version may also have
    fewer or more chunks), public or legal-only, written completely."""
    groups = ["legal"] if doc.endswith("7") else ["public"]
    old = [c for c in store.rows if c.startswith(f"{doc}-")]
    for cid in old:
        del store.rows[cid]
    count = int(rng.integers(1, 5))
    for k in range(count):
        words = rng.choice(WORDS, int(rng.integers(3, 40)))
        # some chunks carry a recorded stay (`CorpusSnapshot.stayed`), some an amendment note
        noted = rng.random()
        notes = (
            {"start": 0, "end": 100, "status_notes": dump_notes([_note(k, noted < 0.1)])}
            if noted < 0.2
            else {}
        )
        # some are a rule's text removing a section (`CorpusSnapshot.removals`)
        removes = rng.random() < 0.1
        rule = (
            {"doc_type": "federal_register", "effective": f"2024-0{k + 1}-01", "start": 0}
            if removes
            else {}
        )
        ending = f" Section 744.{k + 1} is removed and reserved." if removes else ""
        store.rows[f"{doc}-{k}"] = (
            " ".join(words) + ending,
            {
                "doc_id": doc,
                "doc_hash": f"{doc}-v{version}",
                "citation": f"15 CFR {740 + int(doc[1:]) % 6}.{k + 1}",
                "title": f"Section on {words[0]}",
                "access": ",".join(groups),
                **{f"access_{g}": True for g in groups},
                **notes,
                **rule,
            },
        )
    store.records[doc] = {"content_hash": f"{doc}-v{version}", "chunk_count": count}


def _note(k: int, stay: bool) -> StatusNote:
    kind: Literal["stay", "amendment"] = "stay" if stay else "amendment"
    return StatusNote(kind, f"At 90 FR 50857 paragraph {k} was stayed.", 10, 50, "15 CFR 740.1")


def _reference_idf(index: CorpusSnapshot, token: str) -> tuple[float, bool]:
    """Term statistics as counted from the texts (what `term_stats` must equal)."""
    view = index.view(["public"])
    df = sum(token in tokenize(t) for t in view.texts)
    labels = {t for m in view.metas for t in tokenize(f"{m['citation']} {m['title']}")}
    n = len(view.texts) or 1
    return math.log(1 + (n - df + 0.5) / (df + 0.5)), df > 0 or token in labels


def test_many_refreshes_serve_exactly_what_a_full_build_serves(tmp_path: Path) -> None:
    """Documents changed (with more or fewer chunks), added and removed, public and legal-only,
    over enough refreshes that the shared postings merge their segments: every refreshed
    snapshot has a full build's rows, BM25 scores (to 1e-6, in fact bit for bit, for the whole
    snapshot and the public view), term statistics and citation index; and what it persists
    loads back scoring the same."""
    rng = np.random.default_rng(11)
    store = FakeStore(tmp_path / "data")
    for d in range(40):
        _put_random(store, f"d{d:02d}", 0, rng)
    index = build(as_store(store))
    index.view(["public"])
    term_stats(index, ["public"]).idf("license")
    index.citing(["744.11"])
    index.stayed()
    index.removals()
    for step in range(1, 20):
        for d in rng.choice(45, 3, replace=False).tolist():
            doc = f"d{d:02d}"
            if doc in store.records and rng.random() < 0.3:
                del store.records[doc]
                for cid in [c for c in store.rows if c.startswith(f"{doc}-")]:
                    del store.rows[cid]
            else:
                _put_random(store, doc, step, rng)
        index = refresh(as_store(store), index)
        full = build(as_store(store))
        _same(index, full)
        assert index.complete and index.position == full.position
        for query in MANY_QUERIES:
            for mine, theirs in ((index, full), (index.view(["public"]), full.view(["public"]))):
                assert np.abs(mine.scores(query) - theirs.scores(query)).max(initial=0) <= 1e-6
        for token in ("license", "falconridge", "744.11", "740", "section", "absent"):
            stats = term_stats(index, ["public"])
            assert (stats.idf(token), stats.knows(token)) == _reference_idf(index, token), token
        for refs in (["744.11"], ["740.9(a)"], ["741.2", "745.1"]):
            assert index.citing(refs) == full.citing(refs)
            assert index.view(["public"]).citing(refs) == full.view(["public"]).citing(refs)
        assert index.stayed() == full.stayed()
        assert index.view(["public"]).stayed() == full.view(["public"]).stayed()
        assert index.removals() == full.removals()
        assert index.view(["public"]).removals() == full.view(["public"]).removals()
    assert index.stayed(), "the random documents carry stays"
    assert index.removals(), "the random documents remove sections"
    wait_for_publishing()
    loaded = load_or_build(as_store(store))
    _same(loaded, index)
    assert loaded._bm25 is None, "its term counts were read back, not counted again"
    for token in ("license", "falconridge", "744.11", "740", "section", "absent"):
        stats, theirs = term_stats(loaded, ["public"]), term_stats(index, ["public"])
        assert (stats.idf(token), stats.knows(token)) == (theirs.idf(token), theirs.knows(token))
    # A replica that starts from the persisted snapshot refreshes from it the same way.
    _put_random(store, "d03", 99, rng)
    assert corpus_version(as_store(store)) != loaded.version  # what a replica checks first
    _same(refresh(as_store(store), loaded), build(as_store(store)))

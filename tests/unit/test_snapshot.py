"""The corpus snapshot on hand-made chunks and a stand-in store (no model, no Chroma): what a
build keeps, how versions are named, persisted and loaded back, and what a per-group view holds."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np

from assistant.index.snapshot import (
    MAX_VIEWS,
    CorpusSnapshot,
    build,
    chunk_label,
    corpus_version,
    index_exists,
    index_path,
    ledger_version,
    load_or_build,
)
from assistant.index.text_column import TextColumn
from tests.unit.conftest import TEXTS, FakeStore, as_store, chunk_meta, chunk_vector

# ---- versions ---------------------------------------------------------------------------------


def test_the_version_names_the_ledger_and_changes_with_any_document() -> None:
    ledger = {"a": {"content_hash": "1"}, "b": {"content_hash": "2"}}
    version = ledger_version(ledger)
    assert len(version) == 16 and int(version, 16) >= 0
    assert ledger_version(dict(reversed(list(ledger.items())))) == version, "order-free"
    assert ledger_version({**ledger, "b": {"content_hash": "3"}}) != version, "changed"
    assert ledger_version({**ledger, "c": {"content_hash": "4"}}) != version, "added"
    assert ledger_version({"a": {"content_hash": "1"}}) != version, "removed"
    assert ledger_version({"a": {"content_hash": "1", "chunk_count": 9}}) == ledger_version(
        {"a": {"content_hash": "1"}}
    ), "only ids and content hashes count"


# ---- build, persist, load ---------------------------------------------------------------------


def test_a_build_holds_every_stored_chunk_in_id_order(store: FakeStore) -> None:
    index = build(as_store(store))
    assert index.ids == sorted(TEXTS)
    assert index.texts == [TEXTS[c] for c in index.ids]
    assert [m["doc_id"] for m in index.metas] == ["a", "a", "b", "c"]
    assert np.array_equal(index.vectors, np.stack([chunk_vector(c) for c in index.ids]))
    assert index.position == {cid: i for i, cid in enumerate(index.ids)}
    assert index.version == corpus_version(as_store(store))
    assert index.complete and index.chunks_seen == 4


def test_counting_a_snapshot_leaves_the_tokenizer_cache_to_answers(store: FakeStore) -> None:
    """A chunk's text is tokenized once per snapshot: kept in the cache, a corpus's chunks would
    push out the sentences answers score again and again (and hold a tuple per chunk)."""
    from assistant.index import tokenize as tokenizer

    tokenizer._tokenize_short.cache_clear()
    index = build(as_store(store))
    index.ranker()
    labels = {chunk_label(m) for m in index.metas}  # (a few per section: cached, reused)
    assert tokenizer._tokenize_short.cache_info().currsize == len(labels)


def test_a_complete_build_is_persisted_and_loads_back_the_same(store: FakeStore) -> None:
    built = build(as_store(store))
    folder = index_path(as_store(store), built.version)
    assert folder == store.settings.data_dir / "lexical" / "chunks" / built.version
    assert {p.name for p in folder.iterdir()} == {
        "chunks.json",
        "texts.bin",
        "texts.bin.offsets.npy",
        "vectors.npy",
        "postings.npz",
        "vocabulary.json",
    }
    assert index_exists(as_store(store))
    assert not list(folder.parent.glob(".tmp-*")), "no half-written folder or texts file left"
    assert isinstance(built.texts, list), "a store whose vectors replicas hold: texts too"

    reads = store.reads
    loaded = load_or_build(as_store(store))
    assert store.reads == reads, "loaded from disk, not rebuilt from the store"
    assert (loaded.ids, loaded.texts, loaded.metas) == (built.ids, built.texts, built.metas)
    assert isinstance(loaded.texts, list) and loaded.texts == built.texts
    # one string object per distinct value (not one per chunk, as JSON hands them back)
    strings = [v for m in loaded.metas for v in m.values() if isinstance(v, str)]
    assert len({id(v) for v in strings}) == len(set(strings)) < len(strings)
    assert np.array_equal(loaded.vectors, built.vectors)
    # Its BM25 term counts are read back as they were held: nothing is counted again, and
    # it scores as the built one, bit for bit (the labels' counts too: term statistics).
    assert loaded._ranker is not None and loaded._bm25 is None
    assert loaded.vocabulary.terms() == built.vocabulary.terms()
    for query in ("license encryption", "tools of trade one year", "740.2", "nothing-matches"):
        assert loaded.scores(query).tobytes() == built.scores(query).tobytes(), query
    for a, b in zip(loaded.labels().segments, built.labels().segments, strict=True):
        assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert loaded.bm25s_index() is not None
    assert loaded.view(["public"]).ids == built.view(["public"]).ids


def test_a_folder_an_earlier_release_persisted_with_bm25s_still_loads(
    store: FakeStore,
) -> None:
    """Earlier releases persisted bm25s's index (bm25/) instead of the term counts: such a
    folder scores with it, and once something needs postings, counts the terms once and
    scores the same, bit for bit."""
    built = build(as_store(store))
    folder = index_path(as_store(store), built.version)
    bm25 = built.bm25s_index()
    assert bm25 is not None
    bm25.save(str(folder / "bm25"), show_progress=False)
    (folder / "postings.npz").unlink()
    (folder / "vocabulary.json").unlink()
    reads = store.reads
    loaded = load_or_build(as_store(store))
    assert store.reads == reads, "loaded from disk"
    assert loaded._bm25 is not None and loaded._ranker is None
    for query in ("license encryption", "tools of trade one year", "740.2", "nothing-matches"):
        assert loaded.scores(query).tobytes() == built.scores(query).tobytes(), query
    loaded.ranker()
    assert loaded._bm25 is None, "dropped once the counts exist (a second copy of them)"
    for query in ("license encryption", "tools of trade one year", "740.2", "nothing-matches"):
        assert loaded.scores(query).tobytes() == built.scores(query).tobytes(), query


def test_postings_that_do_not_fit_their_chunks_are_rebuilt(store: FakeStore) -> None:
    built = build(as_store(store))
    folder = index_path(as_store(store), built.version)
    (folder / "vocabulary.json").write_text("[]")  # terms the postings name are missing
    reads = store.reads
    again = load_or_build(as_store(store))
    assert store.reads == reads + 1, "rebuilt from the store"
    assert (
        again.scores("license encryption").tobytes() == built.scores("license encryption").tobytes()
    )


def test_a_new_version_replaces_the_old_one_after_a_grace_period(store: FakeStore) -> None:
    old = build(as_store(store))
    old_folder = index_path(as_store(store), old.version)
    store.put("b", ["b-0"], content_hash="hash-b2")
    new = build(as_store(store))
    assert new.version != old.version
    assert old_folder.is_dir(), "a reader that chose the old version may still load it"
    assert index_exists(as_store(store))

    long_ago = time.time() - 3600
    os.utime(old_folder, (long_ago, long_ago))
    store.put("b", ["b-0"], content_hash="hash-b3")
    newest = build(as_store(store))
    assert not old_folder.exists(), "superseded long ago: removed"
    assert index_path(as_store(store), new.version).is_dir(), "recent: kept for now"
    assert index_path(as_store(store), newest.version).is_dir()


def test_a_damaged_persisted_version_is_rebuilt(store: FakeStore) -> None:
    built = build(as_store(store))
    chunks = index_path(as_store(store), built.version) / "chunks.json"
    chunks.write_text("{not json")
    reads = store.reads
    again = load_or_build(as_store(store))
    assert store.reads == reads + 1, "rebuilt from the store"
    assert again.ids == built.ids
    # ... and persisted again in its place: the next start loads it instead of building
    reads = store.reads
    restarted = load_or_build(as_store(store))
    assert store.reads == reads, "loaded from disk"
    assert restarted.ids == built.ids and list(restarted.texts) == list(built.texts)
    assert not list(chunks.parent.parent.glob(".tmp-*")), "the damaged copy is removed"


def test_a_persisted_file_of_another_version_is_not_trusted(store: FakeStore) -> None:
    built = build(as_store(store))
    chunks = index_path(as_store(store), built.version) / "chunks.json"
    data = json.loads(chunks.read_text())
    chunks.write_text(json.dumps({**data, "version": "0" * 16}))
    reads = store.reads
    load_or_build(as_store(store))
    assert store.reads == reads + 1


def test_a_document_mid_update_is_served_as_before_and_nothing_is_persisted(
    store: FakeStore,
) -> None:
    before = build(as_store(store))
    shutil.rmtree(store.settings.data_dir / "lexical")  # so a persisted file would be this one's
    # An ingest replacing "a": new chunk written, old ones deleted, ledger not yet updated.
    del store.rows["a-1"]
    store.rows["a-0"] = (TEXTS["a-0"] + " Amended.", chunk_meta("a-0", "hash-a2"))
    carried = build(as_store(store), previous=before)
    assert not carried.complete and carried.chunks_seen == 3
    rows = [
        (c, t)
        for c, t, m in zip(carried.ids, carried.texts, carried.metas, strict=True)
        if m["doc_id"] == "a"
    ]
    assert rows == [("a-0", TEXTS["a-0"]), ("a-1", TEXTS["a-1"])], "the old version, whole"
    assert carried.ids == sorted(carried.ids)
    assert not index_exists(as_store(store)), "an incomplete snapshot is never persisted"

    fresh = build(as_store(store))  # a reader that never saw "a": left out, not half
    assert [m["doc_id"] for m in fresh.metas] == ["b", "c"]
    assert not fresh.complete


def test_an_empty_store_builds_an_empty_snapshot(tmp_path: Path) -> None:
    empty = FakeStore(tmp_path / "data")
    index = build(as_store(empty))
    assert index.ids == [] and index.complete
    assert index.scores("license").tolist() == []
    assert load_or_build(as_store(empty)).ids == []


# ---- views --------------------------------------------------------------------------------


def test_a_view_scores_like_a_snapshot_of_only_the_readable_chunks(store: FakeStore) -> None:
    index = build(as_store(store))
    public = index.view(["public"])
    assert public.ids == ["a-0", "a-1", "b-0"]
    alone = CorpusSnapshot(
        public.ids, [TEXTS[c] for c in public.ids], public.metas, index.version, public.vectors
    )
    for query in ("license", "licence encryption", "falconridge counsel"):
        assert public.scores(query).tobytes() == alone.scores(query).tobytes()
    assert public.scores("falconridge").tolist() == [0.0, 0.0, 0.0], "no legal term leaks"
    assert public.version == index.version and public.complete == index.complete


def test_top_keeps_positive_scores_among_the_allowed(store: FakeStore) -> None:
    index = build(as_store(store))
    scores = np.array([0.5, 0.0, 0.9, 0.2], dtype=np.float32)
    assert index.top(scores, 10) == [2, 0, 3], "best first, zero scores left out"
    assert index.top(scores, 2) == [2, 0]
    assert index.top(scores, 10, allowed={0, 1}) == [0]
    assert index.top(scores, 10, allowed=set()) == []


def test_views_are_kept_per_group_set_and_bounded(store: FakeStore) -> None:
    index = build(as_store(store))
    assert index.view(None) is index
    assert index.view(["public", "legal"]) is index, "every chunk: the index itself"
    first = index.view(["public"])
    assert index.view(("public",)) is first
    for n in range(MAX_VIEWS):
        index.view([f"group-{n}"])
    assert index.view(["public"]) is not first, "least recently used set dropped"


def test_the_unversioned_layout_of_earlier_releases_is_removed(store: FakeStore) -> None:
    base = store.settings.data_dir / "lexical" / "chunks"
    base.mkdir(parents=True)
    (base / "chunks.json").write_text("{}")  # an earlier release's unversioned layout
    (base / "bm25").mkdir()
    build(as_store(store))
    assert not (base / "chunks.json").exists() and not (base / "bm25").exists()
    assert [p.name for p in base.iterdir()] == [corpus_version(as_store(store))]
    assert index_exists(as_store(store))


def test_a_damaged_texts_file_is_rebuilt_and_an_earlier_layout_still_loads(
    store: FakeStore,
) -> None:
    """Texts are persisted beside chunks.json (texts.bin): a truncated one is not served (a
    quote cut short would not verify), and a folder of an earlier release, with the texts
    inside chunks.json, loads as it did."""
    built = build(as_store(store))
    folder = index_path(as_store(store), built.version)
    texts = folder / "texts.bin"
    whole = texts.read_bytes()
    texts.write_bytes(whole[:-5])
    reads = store.reads
    again = load_or_build(as_store(store))
    assert store.reads == reads + 1, "rebuilt from the store"
    assert list(again.texts) == [TEXTS[c] for c in again.ids]
    assert texts.read_bytes() == whole, "persisted again, whole"

    texts.unlink()
    (folder / "texts.bin.offsets.npy").unlink()
    chunks = folder / "chunks.json"
    data = json.loads(chunks.read_text())
    chunks.write_text(json.dumps({**data, "texts": list(built.texts)}))
    reads = store.reads
    legacy = load_or_build(as_store(store))
    assert store.reads == reads, "loaded from disk"
    assert list(legacy.texts) == list(built.texts)


def test_a_large_store_s_replica_reads_its_texts_from_a_file(store: FakeStore) -> None:
    """Above the size at which replicas stop holding vectors, they stop holding texts: built,
    refreshed or loaded, a snapshot reads them from a file (its own, unlinked, or the
    persisted one), and they read back the same."""
    from assistant.config import Settings

    store.settings = Settings(data_dir=store.settings.data_dir, dense_exact_max_chunks=3)
    built = build(as_store(store))
    assert isinstance(built.texts, TextColumn) and built.texts.in_file
    assert list(built.texts) == [TEXTS[c] for c in built.ids]
    base = index_path(as_store(store), built.version).parent
    assert not list(base.glob(".tmp-*")), "its own file is unlinked at once"
    store.put("b", ["b-0"], content_hash="hash-b2")
    refreshed = load_or_build(as_store(store), previous=built)
    assert isinstance(refreshed.texts, TextColumn) and refreshed.texts.in_file
    assert list(refreshed.texts) == [TEXTS[c] for c in refreshed.ids]
    loaded = load_or_build(as_store(store))
    assert isinstance(loaded.texts, TextColumn) and loaded.texts.in_file
    assert list(loaded.texts) == list(refreshed.texts)

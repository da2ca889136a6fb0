"""The corpus snapshot retrieval reads: every stored chunk's text, metadata and vector, with a
BM25 index over them; built from the store and persisted per corpus version in the data dir.

Dense retrieval misses exact terms (ECCNs such as 5D992, section numbers, defined terms); BM25
catches them. The snapshot is rebuilt from the store, never from files, so it always describes
what is actually stored; its version (a hash of the document ledger) tells when it is stale,
which also keeps several API replicas over one Chroma server in step.

BM25 scores depend on the whole indexed collection (term rarity, average length), so a caller
limited to some access groups is served from a view: a snapshot of exactly the chunks those
groups may read, in a fixed order. Nothing outside it can move that caller's scores or ranks.

On disk each version is a folder `<data_dir>/lexical/<collection>/<version>/` (chunks.json:
ids and metadata; texts.bin and its offsets; vectors.npy; postings.npz and vocabulary.json,
the BM25 term counts as held, `save_postings`; bm25/ in earlier releases), published complete
or not at all; superseded versions are removed after a grace period. A replica of a large
store reads chunk texts from a file (`assistant.index.text_column`), the persisted one or, for
a snapshot it built, a private one it unlinks at once, so its memory does not hold them (see
`_TEXTS`).

Scale: above `Settings.dense_exact_max_chunks` chunks a snapshot holds no vectors (dense
candidates then come from Chroma's index, `assistant.retrieval.retriever`), and once a replica
has a snapshot, the next one is a refresh (`refresh`): only the documents whose ledger hash
changed are read again. Nothing in a refresh is a Python loop over every chunk: the rows are
spliced (list slices), BM25 term counts live in append-only postings by slot shared with the
views and the next snapshots (`assistant.index.bm25_index`; BM25's and abstention's statistics
are taken from them at query time), and what a snapshot derives from its rows (which slots a
group set may read, the citation index) is patched with the chunks that changed (`Change`).
tests/unit/test_snapshot_refresh.py holds a refresh to a full build's rows and scores; the
time one takes at 100k-300k chunks is measured by bench/refresh_profile.py.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import logging
import os
import re
import shutil
import threading
import time
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol

import bm25s
import numpy as np

from assistant.access import readable
from assistant.index import ledger_follow
from assistant.index.bm25_index import (
    POSTINGS_FILE,
    Postings,
    Ranker,
    Terms,
    Vocabulary,
    load_postings,
    save_postings,
)
from assistant.index.heap import return_freed_memory
from assistant.index.store import Store, json_with_shared_strings
from assistant.index.text_column import TextColumn
from assistant.index.tokenize import tokenize, tokenize_once
from assistant.models import is_federal_register
from assistant.removals import Removal, find_removals
from assistant.status import load_notes
from assistant.text import STATES_EFFECTIVE

log = logging.getLogger(__name__)

MAX_VIEWS = 16  # group sets whose views one snapshot keeps (least recently used dropped)
# Up to this many chunks the candidates are cut from a full sort (its order among equal scores
# is the one the retrieval weights were fitted with); above, from a linear-time partition.
_FULL_SORT_MAX = 50_000
# What a citation is indexed by for `citing`: every "NNN." (a part number) and "NN FR " (a
# Federal Register volume), overlapping ones too, so that any citation containing a reference's
# section or FR page holds the reference's own key.
# ("FR Doc. 2025-19508": a Federal Register document's own chunks, read in order by the rules)
_CITATION_KEY = re.compile(r"(?=(\d{3}\.|\d{2,3} FR |FR Doc\. \d{4}-\d+))")
# ... and every section ("§744.11", as `citation_match` finds a reference's section in a
# citation), so that a reference to a section looks at that section's chunks alone, not its
# whole part's (tens of thousands of chunks in a large corpus, each matched exactly).
_SECTION_KEY = re.compile(r"(?<![\d.])(\d{3}\.\d+)(?!\d)")
_SECTION_REF = re.compile(r"\d{3}\.\d+")
# Slots (chunk numbers in the BM25 postings, never reused) per chunk served, past which a
# refresh renumbers them: replaced chunks' slots cost memory in every per-slot array.
_MAX_SLOTS_PER_ROW = 2
_TEXTS = "texts.bin"  # a persisted snapshot's chunk texts (`TextColumn.write`), read from there
# A store small enough that replicas hold its vectors (`holds_vectors`) has its texts held in
# memory too, a `str` per chunk; above, a replica reads them from a file (`TextColumn`). A text
# read from a column costs a decode (and from a file a system call, which gives up the GIL):
# with 8 answers at once on the mirror's 4k chunks, /v1/ask answered 10-15% fewer a second
# (bench/api_load.py), for memory a small store does not need back.


def chunk_tokens(text: str, meta: Mapping[str, Any]) -> list[str]:
    """What BM25 indexes of a chunk: its citation and title too, so "744.11" finds its rule."""
    return tokenize(chunk_label(meta)) + tokenize_once(text)


def chunk_label(meta: Mapping[str, Any]) -> str:
    """A chunk's citation and title, as `chunk_tokens` puts them before its text."""
    return f"{meta.get('citation', '')} {meta.get('title', '')}"


def _count_terms(
    vocabulary: Vocabulary, texts: Sequence[str], metas: Sequence[Mapping[str, Any]]
) -> tuple[list[Terms], list[Terms]]:
    """Each chunk's `chunk_tokens` counted, and its label's alone (the label's tokens come
    from the tokenizer's cache the second time: labels repeat across a section's chunks)."""
    terms: list[Terms] = []
    labels: list[Terms] = []
    for text, meta in zip(texts, metas, strict=True):
        terms.append(vocabulary.encode(chunk_tokens(text, meta)))
        labels.append(vocabulary.encode(tokenize(chunk_label(meta))))
    return terms, labels


@dataclass(frozen=True)
class Change:
    """What a refresh changed: the chunks it stops serving and those it starts serving (with
    the slots they were added at), how many slots the postings then number, and, when the
    refresh renumbered the slots (`renumber`: old -> new, -1 for a slot no longer served), how.
    What a snapshot derives from its rows is carried to the refreshed one patched with it
    (`Derived.patched`)."""

    removed_texts: list[str]
    removed_metas: list[dict[str, Any]]
    added_texts: list[str]
    added_metas: list[dict[str, Any]]
    added_slots: np.ndarray
    n_slots: int
    renumber: np.ndarray | None = None


class Derived(Protocol):
    """Something computed from a snapshot's rows that a refresh can patch (None: drop it)."""

    def patched(self, change: Change) -> Derived | None: ...


@dataclass(frozen=True)
class _Members:
    """Which slots one group set may read (True), over every slot of the postings."""

    groups: frozenset[str]
    mask: np.ndarray

    def patched(self, change: Change) -> _Members:
        mask = np.zeros(change.n_slots, dtype=bool)
        mask[: len(self.mask)] = self.mask  # slots no longer served are never looked up
        mask[change.added_slots] = [readable(m, self.groups) for m in change.added_metas]
        if change.renumber is not None:
            kept = change.renumber >= 0
            renumbered = np.zeros(int(change.renumber.max(initial=-1)) + 1, dtype=bool)
            renumbered[change.renumber[kept]] = mask[kept]
            mask = renumbered
        return _Members(self.groups, mask)


@dataclass(frozen=True)
class _Citing:
    """Citation key ("744.", "84 FR ") -> the slots whose citation holds it."""

    keys: dict[str, np.ndarray]

    @staticmethod
    def of(slots: Sequence[int], metas: Sequence[Mapping[str, Any]]) -> dict[str, list[int]]:
        keys: dict[str, list[int]] = {}
        for slot, meta in zip(slots, metas, strict=True):
            citation = str(meta.get("citation", "") or "")
            found = _CITATION_KEY.findall(citation)
            found += ["§" + section for section in _SECTION_KEY.findall(citation)]
            for key in set(found):
                keys.setdefault(key, []).append(slot)
        return keys

    def patched(self, change: Change) -> _Citing:
        keys = dict(self.keys)  # slots no longer served stay: no row maps to them
        for key, added in _Citing.of(change.added_slots.tolist(), change.added_metas).items():
            old = keys.get(key)
            new = np.asarray(added, dtype=np.int64)
            keys[key] = new if old is None else np.concatenate([old, new])
        if change.renumber is not None:
            for key, slots in keys.items():
                now = change.renumber[slots]
                keys[key] = now[now >= 0]
        return _Citing(keys)


def _keys_of(ref: str) -> set[str]:
    """The `_Citing` keys under which every citation a reference may match is found: its
    section's when it names one, else its part's or Federal Register volume's."""
    section = ref.split("(", 1)[0].strip()
    if " FR " not in ref and "FR Doc" not in ref and _SECTION_REF.fullmatch(section):
        return {"§" + section}
    return set(_CITATION_KEY.findall(ref))


def _carries_a_stay(text: str, meta: Mapping[str, Any]) -> bool:
    """Whether a chunk's text is, or is affected by, a stay its legal-status notes record."""
    if not meta.get("status_notes"):
        return False
    start, end = int(meta.get("start", 0) or 0), int(meta.get("end", 0) or 0)
    return any(n.kind == "stay" and n.touches(start, end) for n in load_notes(meta))


def _removes_a_section(text: str, meta: Mapping[str, Any]) -> bool:
    """Whether a chunk is a Federal Register rule's text that removes a section: a rule that
    took effect (it states its effective date; a proposed rule has none, and its amendatory
    text reads like a final rule's)."""
    return (
        is_federal_register(meta)
        and bool(meta.get("effective"))
        and "remov" in text.lower()
        and bool(find_removals(text))
    )


def _states_effective_date(text: str, meta: Mapping[str, Any]) -> bool:
    """Whether a chunk is a Federal Register rule's statement of when it takes effect ("This
    rule is effective May 9, 2024.")."""
    return is_federal_register(meta) and bool(STATES_EFFECTIVE.search(text))


# A section given over to definitions ("§ 772.1 Definitions of terms as used in the Export
# Administration Regulations (EAR)"), or a paragraph headed as one ("(c) *Definitions.*",
# "(j) Definitions. For purposes of this section")
_DEFINITIONS_TITLE = re.compile(r"\bDefinitions?\b")
_DEFINITIONS_HEADING = re.compile(
    r"^\W*(?:\(\s*\w{1,4}\s*\)\s*)*\*?Definitions?\b(?:\s+of\b[^.*\n]{0,60})?[.:*]", re.M
)


def _holds_definitions(text: str, meta: Mapping[str, Any]) -> bool:
    """Whether a chunk belongs to a section or paragraph given over to definitions."""
    return bool(_DEFINITIONS_TITLE.search(str(meta.get("title") or ""))) or bool(
        _DEFINITIONS_HEADING.search(text)
    )


@dataclass(frozen=True)
class _Flagged:
    """The slots of the chunks a predicate picks out (few: the stays the corpus records, the
    rules that remove a section), kept per snapshot and patched by a refresh."""

    picks: Callable[[str, Mapping[str, Any]], bool]
    slots: np.ndarray

    @staticmethod
    def of(
        picks: Callable[[str, Mapping[str, Any]], bool],
        slots: Sequence[int],
        texts: Sequence[str],
        metas: Sequence[Mapping[str, Any]],
    ) -> _Flagged:
        chosen = [s for s, t, m in zip(slots, texts, metas, strict=True) if picks(t, m)]
        return _Flagged(picks, np.asarray(chosen, dtype=np.int64))

    def patched(self, change: Change) -> _Flagged:
        added = _Flagged.of(
            self.picks, change.added_slots.tolist(), change.added_texts, change.added_metas
        )
        slots = np.concatenate([self.slots, added.slots])
        if change.renumber is not None:
            now = change.renumber[slots]
            slots = now[now >= 0]
        return _Flagged(self.picks, slots)


def _spliced(old: list[Any], new: list[Any], runs: list[tuple[int, int]]) -> list[Any]:
    """The rows `runs` name ([a, b) ranges over old + new), copied slice by slice."""
    n_old = len(old)
    out: list[Any] = []
    for a, b in runs:
        if b <= n_old:
            out.extend(old[a:b])
        elif a >= n_old:
            out.extend(new[a - n_old : b - n_old])
        else:
            out.extend(old[a:])
            out.extend(new[: b - n_old])
    return out


def _runs(order: np.ndarray) -> list[tuple[int, int]]:
    """`order` (row numbers) as maximal ranges of consecutive rows [a, b)."""
    if not len(order):
        return []
    breaks = np.flatnonzero(np.diff(order) != 1) + 1
    starts = np.concatenate([[0], breaks])
    ends = np.concatenate([breaks, [len(order)]])
    return [(int(order[s]), int(order[e - 1]) + 1) for s, e in zip(starts, ends, strict=True)]


class CorpusSnapshot:
    """One corpus version in memory: chunk ids, texts, metadata and vectors (row i of each is
    one chunk; `position` maps an id to its row) and BM25 over the chunks' `chunk_tokens`.

    Row i is the chunk in slot `slot_of_row[i]` of BM25 postings shared with the snapshot's
    views and the snapshots refreshed from it (loaded from disk, they are read back as they
    were persisted; a folder of an earlier release holds a bm25s index instead, which scores
    until something needs postings, and then the terms are counted once)."""

    def __init__(
        self,
        ids: list[str],
        texts: Sequence[str],
        metas: list[dict[str, Any]],
        version: str,
        vectors: np.ndarray | None = None,
        bm25: bm25s.BM25 | None = None,
        *,
        vocabulary: Vocabulary | None = None,
        postings: Postings | None = None,
        labels: Postings | None = None,
        slot_of_row: np.ndarray | None = None,
        in_id_order: bool = False,
    ):
        """Indexes the texts, unless `bm25` is an index of them already (loaded from disk) or
        `postings` hold their term counts (a view's parent's, a refresh's) under `vocabulary`
        at `slot_of_row`, and `labels` those of their citations and titles alone (what term
        statistics tell apart, `assistant.index.term_stats`). `in_id_order`: the caller knows
        the ids are sorted."""
        self.ids, self.metas, self.version = ids, metas, version
        # (a list for a small store: a `str` per chunk, read at no cost; see `_TEXTS`)
        self.texts: Sequence[str] = texts
        self.vectors = vectors if vectors is not None else np.zeros((len(ids), 0), np.float32)
        # False when built while an ingest was mid-document (see `build`); `chunks_seen` is how
        # many chunks the store held then, so a reader can tell when it is worth rebuilding.
        self.complete = True
        self.chunks_seen = len(ids)
        self.vocabulary = vocabulary or Vocabulary()
        self.slot_of_row = (
            slot_of_row if slot_of_row is not None else np.arange(len(ids), dtype=np.int64)
        )
        self._n_slots = postings.n_slots if postings is not None else len(ids)
        self._bm25 = bm25
        self._ranker = Ranker(postings, self.slot_of_row) if postings is not None else None
        self._labels = labels if labels is not None else Postings()
        self._in_id_order: bool | None = True if in_id_order else None
        self._position: dict[str, int] | None = None
        self._row_of_slot: np.ndarray | None = None
        self._served: dict[str, str | None] | None = None
        self._doc_slots: dict[str, np.ndarray] | None = None
        self._removals: dict[str, list[Removal]] | None = None
        self._root = self  # whose derived citation index a view reads
        self._derived: dict[Hashable, Derived] = {}
        self._views: OrderedDict[frozenset[str], CorpusSnapshot] = OrderedDict()
        self._views_lock = threading.Lock()
        self._postings_lock = threading.Lock()
        if postings is None and bm25 is None:
            self.ranker()

    @property
    def position(self) -> dict[str, int]:
        """Chunk id -> row, made on first use."""
        if self._position is None:
            self._position = dict(zip(self.ids, range(len(self.ids)), strict=True))
        return self._position

    def ranker(self) -> Ranker:
        """BM25 over this snapshot's rows; the rows' terms are counted here only when no
        postings came with them (a fresh build, a snapshot loaded from a folder an earlier
        release persisted)."""
        with self._postings_lock:
            if self._ranker is None:
                terms, labels = _count_terms(self.vocabulary, self.texts, self.metas)
                self._labels = Postings().add(labels)
                self._ranker = Ranker(Postings().add(terms), self.slot_of_row)
                # A loaded snapshot's bm25s index scores as the postings do, bit for bit: once
                # they exist it is a second copy of every term count (`bm25s_index` derives
                # it again if asked), and the counting's garbage goes back to the system.
                self._bm25 = None
                del terms, labels
                return_freed_memory()
            return self._ranker

    def labels(self) -> Postings:
        """The term counts of each slot's citation and title alone (their part of `ranker`'s)."""
        self.ranker()
        return self._labels

    def row_of_slot(self) -> np.ndarray:
        """Slot -> row (-1: a chunk this snapshot does not serve), made once."""
        if self._ranker is not None:
            return self._ranker.row_of_slot()
        if self._row_of_slot is None:
            rows = np.full(self._n_slots, -1, dtype=np.int64)
            rows[self.slot_of_row] = np.arange(len(self.ids), dtype=np.int64)
            self._row_of_slot = rows
        return self._row_of_slot

    def in_id_order(self) -> bool:
        """Whether the rows are in chunk-id order (every snapshot built or refreshed here is)."""
        if self._in_id_order is None:
            self._in_id_order = all(a < b for a, b in pairwise(self.ids))
        return self._in_id_order

    def derived(self, key: Hashable, make: Callable[[], Derived]) -> Derived:
        """What `make` computes from this snapshot's rows, once; a refresh carries it to the
        next snapshot patched with what changed instead of computing it again."""
        with self._views_lock:
            found = self._derived.get(key)
        if found is None:
            made = make()  # outside the lock: other keys go on meanwhile
            with self._views_lock:
                found = self._derived.setdefault(key, made)
        return found

    def citing(self, refs: Iterable[str]) -> list[int]:
        """Rows whose citation may match one of the legal references (`assistant.retrieval.
        references`: "744.11(a)", "84 FR 22961"), in row order: every row whose citation holds
        the reference's section ("744.11"), or else its part number ("744.") or Federal
        Register volume ("84 FR "), a superset the caller checks exactly, found from an index
        instead of a pass over every chunk."""
        root = self._root

        def make() -> _Citing:
            keys = _Citing.of(root.slot_of_row.tolist(), root.metas)
            return _Citing({k: np.asarray(v, dtype=np.int64) for k, v in keys.items()})

        index = root.derived(("citing",), make)
        assert isinstance(index, _Citing)
        found = [index.keys[key] for ref in refs for key in _keys_of(ref) if key in index.keys]
        if not found:
            return []
        rows = self.row_of_slot()[np.concatenate(found)]
        return [int(r) for r in np.unique(rows[rows >= 0])]

    def stayed(self) -> list[int]:
        """Rows whose text a recorded stay affects (`assistant.status`: "At 90 FR 50857 ...
        paragraph (a)(1) was stayed"), in row order: what a question about a rule's legal status
        may be asking about, though no word of the note is in the text. From an index kept per
        snapshot, not a pass over every chunk."""
        return self._flagged("stayed", _carries_a_stay)

    def definitional(self) -> list[int]:
        """Rows of sections and paragraphs given over to definitions (part 772's glossary, a
        section's "Definitions" paragraph), in row order: where "what is X" is answered, though
        a chunk of a glossary holds a dozen terms and matches no question well as a whole."""
        return self._flagged("definitional", _holds_definitions)

    def effective_dates(self) -> list[int]:
        """Rows of Federal Register rules stating when the rule takes effect, in row order:
        what "When was X added to the Entity List?" asks of the rule that added X, though the
        sentence shares no word with the question but "effective"."""
        return self._flagged("effective dates", _states_effective_date)

    def _flagged(self, key: str, picks: Callable[[str, Mapping[str, Any]], bool]) -> list[int]:
        """This snapshot's rows among the chunks `picks` picks out, in row order, from the
        index the root keeps under `key` (`_Flagged`)."""
        root = self._root

        def make() -> _Flagged:
            return _Flagged.of(picks, root.slot_of_row.tolist(), root.texts, root.metas)

        index = root.derived((key,), make)
        assert isinstance(index, _Flagged)
        if not len(index.slots):
            return []
        rows = self.row_of_slot()[index.slots]
        return [int(r) for r in np.unique(rows[rows >= 0])]

    def removals(self) -> dict[str, list[Removal]]:
        """Section ("744.13") -> the instructions removing it in the rules this snapshot serves
        (a view: only those its readers may read), for `assistant.removals.removal_of`. From
        an index kept per snapshot, not a pass over every chunk."""
        if self._removals is not None:
            return self._removals
        out: dict[str, list[Removal]] = {}
        for row in self._flagged("removing", _removes_a_section):
            text, meta = self.texts[row], self.metas[row]
            offset = int(meta.get("start", 0) or 0)
            for section, a, b in find_removals(text):
                out.setdefault(section, []).append(
                    Removal(
                        section=section,
                        doc_id=str(meta.get("doc_id") or ""),
                        source=str(meta.get("citation") or meta.get("doc_id") or ""),
                        effective=str(meta.get("effective") or "") or None,
                        quote=text[a:b],
                        start=offset + a,
                        end=offset + b,
                    )
                )
        self._removals = out  # (a snapshot's rows never change: read once)
        return out

    def served(self) -> dict[str, str | None]:
        """doc_id -> the content hash of the version of it this snapshot serves (its chunks'
        `doc_hash`, None for chunks written before chunks carried one): what a refresh compares
        with the ledger to find what changed."""
        if self._served is None:
            out: dict[str, str | None] = {}
            for meta in self.metas:
                doc_hash = meta.get("doc_hash")
                out[str(meta.get("doc_id", ""))] = str(doc_hash) if doc_hash is not None else None
            self._served = out
        return self._served

    def doc_slots(self) -> dict[str, np.ndarray]:
        """doc_id -> the slots of its chunks here (what a refresh drops when it changes)."""
        if self._doc_slots is None:
            grouped: dict[str, list[int]] = {}
            for slot, meta in zip(self.slot_of_row.tolist(), self.metas, strict=True):
                grouped.setdefault(str(meta.get("doc_id", "")), []).append(slot)
            self._doc_slots = {d: np.asarray(s, dtype=np.int64) for d, s in grouped.items()}
        return self._doc_slots

    @property
    def has_vectors(self) -> bool:
        """Whether every chunk's vector is held (small corpora: exact dense scan)."""
        return self.vectors.shape[1:] != (0,) and len(self.vectors) == len(self.ids)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for the query (zeros when no term matches)."""
        tokens = tokenize(query)
        if not self.ids or not tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        if self._ranker is None and self._bm25 is not None:
            return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)
        return self.ranker().scores(self.vocabulary.lookup(tokens))

    def bm25s_index(self) -> bm25s.BM25 | None:
        """bm25s's index of these rows (what is persisted; None: no row holds a term)."""
        if self._bm25 is not None:
            return self._bm25
        return self.ranker().to_bm25s(self.vocabulary)

    def view(self, groups: Iterable[str] | None) -> CorpusSnapshot:
        """The index of exactly the chunks `groups` may read (None: this whole index).

        Its BM25 statistics, candidate cuts and vectors are those chunks' alone, and its rows
        are in chunk-id order, so what a caller gets is a function of what they may read:
        adding, changing or removing a document outside their groups changes nothing for them.
        Built on first use and kept per group set (bounded), for this snapshot only."""
        if groups is None:
            return self
        key = frozenset(groups)
        with self._views_lock:
            found = self._views.get(key)
            if found is not None:
                self._views.move_to_end(key)
                return found
        # Built outside the lock: other group sets go on meanwhile (two may build one once).
        made = self._make_view(key)
        with self._views_lock:
            found = self._views.setdefault(key, made)
            self._views.move_to_end(key)
            while len(self._views) > MAX_VIEWS:
                self._views.popitem(last=False)
        return found

    def _make_view(self, groups: frozenset[str]) -> CorpusSnapshot:
        ranker = self.ranker()

        def make() -> _Members:
            mask = np.zeros(self._n_slots, dtype=bool)
            mask[self.slot_of_row] = np.fromiter(
                (readable(m, groups) for m in self.metas), dtype=bool, count=len(self.metas)
            )
            return _Members(groups, mask)

        members = self.derived(("members", groups), make)
        assert isinstance(members, _Members)
        rows = np.flatnonzero(members.mask[self.slot_of_row])
        if self.in_id_order():
            if len(rows) == len(self.ids):
                return self  # every chunk, already in that order: the same index, not a copy
        else:
            rows = np.asarray(sorted(rows.tolist(), key=self.ids.__getitem__), dtype=np.int64)
        runs = _runs(rows)
        made = CorpusSnapshot(
            _spliced(self.ids, [], runs),
            _spliced_texts(self.texts, [], runs),
            _spliced(self.metas, [], runs),
            self.version,
            self.vectors[rows] if len(self.vectors) == len(self.ids) else None,
            vocabulary=self.vocabulary,
            postings=ranker.postings,
            labels=self._labels,
            slot_of_row=self.slot_of_row[rows],
            in_id_order=True,
        )
        made._root = self._root
        made.complete, made.chunks_seen = self.complete, self.chunks_seen
        return made

    def top(self, scores: np.ndarray, k: int, allowed: set[int] | None = None) -> list[int]:
        """Positions of the k best-scoring chunks (score > 0), among `allowed` when given."""
        if allowed is not None:
            mask = np.full(len(self.ids), -np.inf, dtype=np.float32)
            mask[np.fromiter(allowed, dtype=np.int64)] = 0.0
            scores = scores + mask
        if len(scores) <= _FULL_SORT_MAX or k >= len(scores):
            return [int(i) for i in np.argsort(-scores)[:k] if scores[i] > 0]
        # A large corpus: the k best found in linear time, then only they are sorted.
        best = np.argpartition(-scores, k)[:k]
        best = best[np.argsort(-scores[best])]
        return [int(i) for i in best if scores[i] > 0]


def ledger_version(records: dict[str, dict[str, Any]]) -> str:
    """A hash of the ledger: changes whenever any document is added, changed or removed."""
    h = hashlib.sha256()
    for doc_id in sorted(records):
        h.update(f"{doc_id}\0{records[doc_id].get('content_hash', '')}\0".encode())
    return h.hexdigest()[:16]


def corpus_version(store: Store) -> str:
    """The version of what the store holds now (see `ledger_version`), from the ledger as
    `ledger_follow` reads it (the records written since the last look, when that is safe). The
    records are kept for a moment: a refresh that follows at once (the version changed) starts
    from them instead of reading the ledger again."""
    records = ledger_follow.current_records(store)
    with _recent_lock:
        _recent_ledgers[store] = (time.monotonic(), records)
    return ledger_version(records)


def _ledger(store: Store) -> dict[str, dict[str, Any]]:
    """The ledger `corpus_version` just read, once, if it is at most _LEDGER_REUSE_S old (an
    older ledger is still read before the chunks, so nothing is ever half), else a fresh read."""
    with _recent_lock:
        seen = _recent_ledgers.pop(store, None)
    if seen is not None and time.monotonic() - seen[0] <= _LEDGER_REUSE_S:
        return seen[1]
    return ledger_follow.current_records(store)


_recent_lock = threading.Lock()
_recent_ledgers: weakref.WeakKeyDictionary[Store, tuple[float, dict[str, dict[str, Any]]]] = (
    weakref.WeakKeyDictionary()
)
_LEDGER_REUSE_S = 2.0


_lock = threading.Lock()  # one load-or-build at a time in this process
_VERSION_DIR = re.compile(r"^[0-9a-f]{16}$")
_LEGACY = ("chunks.json", "vectors.npy", "bm25")  # the unversioned layout of earlier releases
_OLD_VERSION_GRACE_S = 60.0  # a reader that chose an older version has this long to load it
_STALE_TMP_S = 600.0  # half-written folders of a writer that died


def _index_dir(store: Store) -> Path:
    return store.settings.data_dir / "lexical" / store.settings.collection


def index_path(store: Store, version: str) -> Path:
    """Where the index of one corpus version is published (a folder, complete or absent)."""
    return _index_dir(store) / version


def index_exists(store: Store) -> bool:
    """Whether the index of the store's current version is on disk."""
    return (index_path(store, corpus_version(store)) / "chunks.json").is_file()


def _consistent_rows(
    records: dict[str, dict[str, Any]], metas: list[dict[str, Any]]
) -> tuple[list[int], list[str]]:
    """Rows of the documents stored completely (every chunk carries the ledger record's hash,
    and as many as it counts), and the ids of the documents that are not (mid-write)."""
    rows_of: dict[str, list[int]] = {}
    for i, meta in enumerate(metas):
        rows_of.setdefault(str(meta.get("doc_id", "")), []).append(i)
    keep: list[int] = []
    partial: list[str] = []
    for doc_id, record in records.items():
        rows = rows_of.get(doc_id, [])
        hashes = {metas[i].get("doc_hash") for i in rows}
        # Chunks written before chunks carried a hash are judged by their number alone.
        hash_ok = hashes <= {record.get("content_hash")} or hashes == {None}
        if hash_ok and len(rows) == int(record.get("chunk_count", -1)):
            keep.extend(rows)
        else:
            partial.append(doc_id)
    # Chunks of a document with no ledger record are not added yet (or being deleted): left out.
    return keep, partial


def holds_vectors(store: Store) -> bool:
    """Whether snapshots of this store keep every vector (exact dense scan in each replica):
    only up to `Settings.dense_exact_max_chunks` chunks; above, Chroma's index serves."""
    return store.count() <= store.settings.dense_exact_max_chunks


def build(store: Store, previous: CorpusSnapshot | None = None) -> CorpusSnapshot:
    """Rebuild from the store, and persist it when it describes a consistent store.

    An ingest may be half-way through a document (its old chunks deleted, some new ones added,
    its ledger record not yet updated). Such a document is served as it was in `previous` (the
    snapshot being replaced), or left out if it was not there: readers see each document before
    or after its update, never half. The index is then marked incomplete and is not persisted;
    readers rebuild it when the ledger or the number of stored chunks changes (a killed ingest
    that changes neither is not rebuilt over and over)."""
    records = ledger_follow.current_records(store)  # the ledger first: chunks are written before it
    vectors_too = holds_vectors(store)
    ids, texts, metas, vectors = store.all_chunks(vectors=vectors_too)
    version = ledger_version(records)
    keep, partial = _consistent_rows(records, metas)
    out_ids = [ids[i] for i in keep]
    out_texts = [texts[i] for i in keep]
    out_metas = [metas[i] for i in keep]
    blocks = [vectors[keep]] if keep else []
    if partial:
        log.info("lexical index: %d document(s) mid-update, served as before", len(partial))
        if previous is not None:
            wanted = set(partial)
            carried = [i for i, m in enumerate(previous.metas) if m.get("doc_id") in wanted]
            out_ids += [previous.ids[i] for i in carried]
            out_texts += [previous.texts[i] for i in carried]
            out_metas += [previous.metas[i] for i in carried]
            if carried:
                blocks.append(previous.vectors[carried])
    # (a large store's replica reads its texts from a file, see `_TEXTS`)
    spill_to = None if vectors_too else _index_dir(store)
    index = _assemble(
        out_ids, out_texts, out_metas, blocks, version, vectors_too, spill_to=spill_to
    )
    index.served()  # what the first refresh starts from, made here with the rest
    index.doc_slots()
    index.complete = not partial
    index.chunks_seen = len(ids)
    if index.complete:
        _persist(store, index)
    return index


def _assemble(
    ids: list[str],
    texts: list[str],
    metas: list[dict[str, Any]],
    blocks: list[np.ndarray],
    version: str,
    vectors_too: bool,
    spill_to: Path | None = None,
) -> CorpusSnapshot:
    """A snapshot of these rows, in chunk-id order (the order of every view, see
    `CorpusSnapshot.view`: a caller who may read everything is served from it, no copy).
    With `spill_to`, its texts are read from a file written there (`TextColumn.spilled`), not
    held in memory; if that file cannot be written, they are held."""
    try:
        vectors = np.concatenate(blocks) if blocks and vectors_too else None
    except ValueError:  # the previous snapshot's vectors have another width: none for any
        vectors = None
    if vectors is None or len(vectors) != len(ids):
        vectors = np.zeros((len(ids), 0), np.float32)
    order = sorted(range(len(ids)), key=ids.__getitem__)
    ordered = [texts[i] for i in order]
    return CorpusSnapshot(
        [ids[i] for i in order],
        ordered if spill_to is None else _spilled(TextColumn.of(ordered), spill_to),
        [metas[i] for i in order],
        version,
        vectors[order],
        in_id_order=True,
    )


def _spliced_texts(
    old: Sequence[str], new: list[str], runs: list[tuple[int, int]]
) -> Sequence[str]:
    """`_spliced` for texts: a column stays a column (read from its file), a list a list."""
    if isinstance(old, TextColumn):
        return old.spliced(new, runs)
    assert isinstance(old, list)
    return _spliced(old, new, runs)


def _spilled(texts: TextColumn, folder: Path) -> Sequence[str]:
    """`texts` read from a private file in `folder` (`TextColumn.spilled`), or held
    as they are when it cannot be written (a read-only or full disk: served all the same)."""
    try:
        return texts.spilled(folder)
    except OSError as exc:
        log.warning("chunk texts kept in memory: cannot write them in %s (%s)", folder, exc)
        return texts


def _merge_order(previous: CorpusSnapshot, gone: np.ndarray, new_ids: list[str]) -> np.ndarray:
    """The refreshed rows in chunk-id order, numbered over previous rows + new rows: the
    previous rows but `gone` (sorted), with the new ones (sorted) inserted where they belong."""
    n = len(previous.ids)
    kept = np.delete(np.arange(n, dtype=np.int64), gone)
    added = np.arange(n, n + len(new_ids), dtype=np.int64)
    if previous.in_id_order():
        at = [bisect.bisect_left(previous.ids, cid) for cid in new_ids]
        return np.insert(kept, np.searchsorted(kept, at), added)
    both = previous.ids + new_ids  # a snapshot made by hand: sorted once
    return np.asarray(sorted([*kept.tolist(), *added.tolist()], key=both.__getitem__))


def _documents_after(
    served: dict[str, str | None],
    doc_slots: dict[str, np.ndarray],
    gone: set[str],
    new_slots: np.ndarray,
    new_metas: list[dict[str, Any]],
    renumber: np.ndarray | None,
) -> tuple[dict[str, str | None], dict[str, np.ndarray]]:
    """`served` and `doc_slots` of a refreshed snapshot: copies without the documents whose
    rows went, with the documents of the new rows."""
    served, doc_slots = dict(served), dict(doc_slots)
    for doc_id in gone:
        served.pop(doc_id, None)
        doc_slots.pop(doc_id, None)
    grouped: dict[str, list[int]] = {}
    for slot, meta in zip(new_slots.tolist(), new_metas, strict=True):
        doc_id = str(meta.get("doc_id", ""))
        grouped.setdefault(doc_id, []).append(slot)
        doc_hash = meta.get("doc_hash")
        served[doc_id] = str(doc_hash) if doc_hash is not None else None
    doc_slots.update((d, np.asarray(s, dtype=np.int64)) for d, s in grouped.items())
    if renumber is not None:
        doc_slots = {d: renumber[s] for d, s in doc_slots.items()}
    return served, doc_slots


def refresh(store: Store, previous: CorpusSnapshot) -> CorpusSnapshot:
    """The next snapshot from `previous`, reading only the documents whose ledger hash differs
    from the version `previous` serves (added, changed, or left out as half-written); removed
    documents are dropped, every other row is carried over as it is (texts, metadata, vectors
    and BM25 term counts, by slot). What is read is checked like a full build
    (`_consistent_rows`): a document still mid-update is served as `previous` served it, or
    left out. An unchanged ledger hash means `previous` serves that document whole, so nothing
    is ever half. The work is the changed chunks' plus array and slice copies of the rest.

    Complete (and persisted, in the background) only when the store is quiescent: every ledger
    record's chunks are all there and nothing else is stored (count = sum of chunk counts)."""
    records = _ledger(store)
    version = ledger_version(records)
    vectors_too = previous.has_vectors
    served = previous.served()
    changed = [
        doc_id
        for doc_id, record in records.items()
        if doc_id not in served or served[doc_id] != record.get("content_hash")
    ]
    removed = set(served) - set(records)
    ids, texts, metas, vectors = store.chunks_of(changed, vectors=vectors_too)
    total = store.count()
    keep, partial = _consistent_rows({d: records[d] for d in changed}, metas)
    # Documents whose previous rows go: removed ones, and changed ones now stored whole (one
    # still mid-update keeps the rows `previous` served, if any).
    gone_docs = (set(changed) - set(partial)) | removed
    doc_slots = previous.doc_slots()
    slots_gone = [doc_slots[d] for d in gone_docs if d in doc_slots]
    gone = (
        np.sort(previous.row_of_slot()[np.concatenate(slots_gone)])
        if slots_gone
        else np.zeros(0, dtype=np.int64)
    )
    keep.sort(key=ids.__getitem__)
    new_ids = [ids[i] for i in keep]
    new_texts = [texts[i] for i in keep]
    new_metas = [metas[i] for i in keep]
    ranker = previous.ranker()
    first = ranker.postings.n_slots
    new_slots = np.arange(first, first + len(keep), dtype=np.int64)

    order = _merge_order(previous, gone, new_ids)
    runs = _runs(order)
    slot_of_row = np.concatenate([previous.slot_of_row, new_slots])[order]
    live = np.zeros(first + len(keep), dtype=bool)
    live[slot_of_row] = True
    new_terms, new_labels = _count_terms(previous.vocabulary, new_texts, new_metas)
    postings = ranker.postings.add(new_terms, live)
    labels = previous.labels().add(new_labels, live)
    n_slots = postings.n_slots
    renumber = None
    if n_slots > _MAX_SLOTS_PER_ROW * len(slot_of_row):
        # Replaced chunks' slots outnumber those served: one pass renumbers them 0..n-1.
        renumber = np.full(n_slots, -1, dtype=np.int64)
        renumber[slot_of_row] = np.arange(len(slot_of_row), dtype=np.int64)
        postings, labels = postings.renumbered(renumber), labels.renumbered(renumber)
        slot_of_row = renumber[slot_of_row]
    out_vectors = None  # none for any chunk if the new ones have another width (a new model)
    if vectors_too and not keep:
        out_vectors = previous.vectors[order]
    elif vectors_too and vectors.shape[1:] == previous.vectors.shape[1:]:
        out_vectors = np.concatenate([previous.vectors, vectors[keep]])[order]
    index = CorpusSnapshot(
        _spliced(previous.ids, new_ids, runs),
        _spliced_texts(previous.texts, new_texts, runs),
        _spliced(previous.metas, new_metas, runs),
        version,
        out_vectors,
        vocabulary=previous.vocabulary,
        postings=postings,
        labels=labels,
        slot_of_row=slot_of_row,
        in_id_order=True,
    )

    # What `previous` derived from its rows, patched with what changed.
    index._served, index._doc_slots = _documents_after(
        served, doc_slots, gone_docs, new_slots, new_metas, renumber
    )
    change = Change(
        [previous.texts[i] for i in gone.tolist()],
        [previous.metas[i] for i in gone.tolist()],
        new_texts,
        new_metas,
        new_slots,
        n_slots,
        renumber,
    )
    with previous._views_lock:
        derived = list(previous._derived.items())
        used = list(previous._views)
    for key, value in derived:
        patched = value.patched(change)
        if patched is not None:
            index._derived[key] = patched
    # The views callers used are made now, by the refreshing request, not by the next callers.
    for groups in used:
        index.view(groups)
    expected = sum(int(r.get("chunk_count", 0) or 0) for r in records.values())
    index.complete = not partial and total == expected
    index.chunks_seen = total
    log.info(
        "snapshot refreshed: %d document(s) re-read, %d removed, %d chunk(s)",
        len(changed),
        len(removed),
        len(index.ids),
    )
    if index.complete:
        _publisher.publish(store, index)
    return index


class _Publisher:
    """Persists refreshed snapshots on a background thread, the newest pending one only: a
    replica serves its refresh at once, and other processes find a recent version on disk."""

    def __init__(self) -> None:
        self._pending: tuple[Store, CorpusSnapshot] | None = None
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def publish(self, store: Store, index: CorpusSnapshot) -> None:
        with self._cond:
            self._pending = (store, index)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="snapshot-publisher", daemon=True
                )
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._pending is None:
                    self._thread = None
                    return
                store, index = self._pending
                self._pending = None
            _persist(store, index)
            return_freed_memory()  # the JSON it wrote

    def wait(self, timeout: float = 60.0) -> None:
        """Until nothing is pending (tests, and a bench that times publishing apart)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._cond:
                thread = self._thread
            if thread is None:
                return
            thread.join(max(0.0, deadline - time.monotonic()))


_publisher = _Publisher()


def wait_for_publishing(timeout: float = 60.0) -> None:
    """Block until refreshed snapshots queued for persisting are written."""
    _publisher.wait(timeout)


def _persist(store: Store, index: CorpusSnapshot) -> None:
    """Publish the index under its version: written to a private folder, then renamed into
    place, so a reader (another process, another replica on this data dir) finds a complete
    index or none. Best-effort: a failure is logged and the index is served from memory."""
    base = _index_dir(store)
    final = base / index.version
    tmp = base / f".tmp-{index.version}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        if not (final / "chunks.json").is_file():
            tmp.mkdir(parents=True)
            if index.ids:
                save_postings(
                    tmp,
                    index.vocabulary,
                    index.ranker().postings,
                    index.labels(),
                    index.slot_of_row,
                )
            if index.ids and index.has_vectors:
                np.save(tmp / "vectors.npy", index.vectors)
            TextColumn.of(index.texts).write(tmp / _TEXTS)
            (tmp / "chunks.json").write_text(
                json.dumps({"version": index.version, "ids": index.ids, "metas": index.metas})
            )
            try:
                os.rename(tmp, final)
            except OSError:  # another writer published this version first: same content
                shutil.rmtree(tmp, ignore_errors=True)
        _clean_old(base, keep=index.version)
    except Exception as exc:
        log.warning("could not persist the lexical index in %s (%s); kept in memory", base, exc)
        shutil.rmtree(tmp, ignore_errors=True)


def _clean_old(base: Path, keep: str) -> None:
    """Best-effort removal of superseded versions, the legacy layout and dead writers' folders."""
    now = time.time()
    for entry in base.iterdir():
        try:
            age = now - entry.stat().st_mtime
            if entry.name in _LEGACY:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
            elif _VERSION_DIR.match(entry.name) and entry.name != keep:
                if age > _OLD_VERSION_GRACE_S:
                    shutil.rmtree(entry)
            elif entry.name.startswith(".tmp-") and age > _STALE_TMP_S:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        except OSError:
            continue


def _load(store: Store, version: str) -> CorpusSnapshot | None:
    """The persisted snapshot of `version`, or None (absent, damaged, or of another version;
    or without the vectors this store's size asks a replica to hold)."""
    folder = index_path(store, version)
    if not (folder / "chunks.json").is_file():
        return None
    try:
        data = json_with_shared_strings((folder / "chunks.json").read_text())
        if data.get("version") != version:
            return None
        ids = data["ids"]
        small = holds_vectors(store)  # its vectors and texts are held in memory, see `_TEXTS`
        texts: Sequence[str]
        if "texts" in data:  # inside chunks.json: a folder persisted by an earlier release
            texts = data.pop("texts")
            texts = texts if small else _spilled(TextColumn.of(texts), folder.parent)
        else:
            texts = TextColumn.open_file(folder / _TEXTS, into_memory=small)
            texts = list(texts) if small else texts
        if len(texts) != len(ids):
            raise ValueError(f"{len(texts)} texts for {len(ids)} chunks")
        vectors = None
        if ids and small:
            if not (folder / "vectors.npy").is_file():
                return None  # persisted by a replica of a larger store: build with vectors
            vectors = np.load(folder / "vectors.npy")
        held: dict[str, Any] = {}
        if (folder / POSTINGS_FILE).is_file():
            vocabulary, postings, labels, slot_of_row = load_postings(folder)
            if len(slot_of_row) != len(ids):
                raise ValueError(f"{len(slot_of_row)} slots for {len(ids)} chunks")
            held = {"vocabulary": vocabulary, "postings": postings, "labels": labels}
            held["slot_of_row"] = slot_of_row
        elif (folder / "bm25").is_dir():  # bm25s's index: a folder of an earlier release
            held["bm25"] = bm25s.BM25.load(str(folder / "bm25"), load_corpus=False)
        # (neither: no chunk holds a term, or there is no chunk; counting them again is nothing)
        return CorpusSnapshot(
            ids, texts, data["metas"], version, vectors, in_id_order=True, **held
        )  # (in id order: as it was persisted)
    except Exception as exc:  # removed under us by a newer writer, or damaged: build instead
        log.warning("lexical index %s unreadable (%s); rebuilding", folder, exc)
        _set_aside(folder)
        return None


def _set_aside(folder: Path) -> None:
    """Take a damaged persisted version out of its place, so that the rebuild persists a sound
    one there (`_persist` keeps a version that is in place): left, it made every start build
    again, minutes at a million chunks. Renamed first, then removed: a reader that has its
    files open keeps reading them, and one that looks for the folder finds none and builds."""
    aside = folder.parent / f".tmp-damaged-{folder.name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        os.rename(folder, aside)
    except OSError:  # gone already (a newer writer cleaned it up)
        return
    shutil.rmtree(aside, ignore_errors=True)


def load_or_build(
    store: Store, version: str | None = None, previous: CorpusSnapshot | None = None
) -> CorpusSnapshot:
    """The next snapshot: a refresh of `previous` when there is one (only changed documents are
    read), else the persisted index of the store's current version if there is one, else a
    fresh build (which may describe a newer version than `version`, if the store moved on)."""
    with _lock:
        if previous is not None and previous.ids and previous.has_vectors == holds_vectors(store):
            # (no heap trim here: it walks the whole heap, 2.7 s of a 1M-chunk replica's
            # refresh, for the little a refresh frees; the publisher trims after persisting)
            return refresh(store, previous)
        try:
            version = version or corpus_version(store)
            loaded = _load(store, version)
            if loaded is not None:
                return loaded
            log.info("building the lexical index (corpus version %s)", version)
            return build(store, previous)
        finally:
            return_freed_memory()  # what the pages read, the JSON and the counting freed

"""The name index of a screening list: every match key of every name, computed once per list.

A full CSL has tens of thousands of names, and a question is screened phrase by phrase in
milliseconds, so nothing is normalised or compared at query time that could be done here: the
keys of whole names, the leading word runs ("heads") the short-name rule needs, acronyms,
word postings, phonetic keys blocked by first letter for free text, and the vocabulary of
people's name words. `Column` keeps strings sorted by length, so a fuzzy comparison skips every
string whose length alone rules out the cutoff.
"""

from __future__ import annotations

import bisect
import math
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from rapidfuzz import process

from assistant.screening.names import (
    NON_WORD,
    distinctive,
    initials,
    key_tokens,
    normalize_name,
    phonetic,
)

if TYPE_CHECKING:
    from assistant.screening.models import ScreeningEntry

MAX_NGRAM = 5  # the longest word run looked at: short-name heads, free-text phrases


class Column:
    """Strings sorted by length, so a query is compared only with those whose length allows
    the cutoff: `fuzz.ratio` (and `token_sort_ratio`, same characters) is at most
    2·min(a, b) / (a + b), so most of a large list is skipped without being looked at."""

    def __init__(self, texts: Sequence[str], ids: Sequence[int] | None = None) -> None:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        self.ids = np.asarray([ids[i] if ids is not None else i for i in order], dtype=np.int64)
        self.texts = [texts[i] for i in order]
        self.lengths = [len(t) for t in self.texts]

    def scores(self, query: str, scorer: Any, cutoff: float) -> tuple[np.ndarray, np.ndarray]:
        """(ids, scores) of the strings scoring `cutoff` or more against `query`."""
        if not query or not self.texts or cutoff > 100:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        c = max(min(cutoff, 100.0), 1.0) / 100.0
        n = len(query)
        lo = bisect.bisect_left(self.lengths, math.floor(n * c / (2 - c)))
        hi = bisect.bisect_right(self.lengths, math.ceil(n * (2 - c) / c))
        if lo >= hi:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        row = process.cdist(
            [query], self.texts[lo:hi], scorer=scorer, score_cutoff=cutoff, workers=1
        )[0]
        keep = np.nonzero(row >= cutoff)[0]
        return self.ids[lo:hi][keep], row[keep].astype(np.float64)


def best(parts: Sequence[tuple[np.ndarray, np.ndarray]]) -> dict[int, float]:
    """The best score per id over several `Column.scores` results."""
    found: dict[int, float] = {}
    for ids, scores in parts:
        for i, score in zip(ids.tolist(), scores.tolist(), strict=True):
            if score > found.get(i, 0.0):
                found[i] = score
    return found


@dataclass
class Heads:
    """Leading word runs (1-5 words) of organisation names, for the short-name rule."""

    texts: list[str] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    compacts: list[str] = field(default_factory=list)
    phons: list[str] = field(default_factory=list)
    name_ids: list[int] = field(default_factory=list)
    by_size: dict[int, Column] = field(default_factory=dict)
    compact_column: Column | None = None
    phon_column: Column | None = None

    def add(self, head: Sequence[str], name_id: int) -> None:
        self.texts.append(" ".join(head))
        self.sizes.append(len(head))
        self.compacts.append("".join(head))
        self.phons.append(phonetic("".join(head)))
        self.name_ids.append(name_id)

    def freeze(self) -> None:
        """Word-order-free comparison within runs of the query's word count; spacing-free and
        phonetic comparison across all ("Hua Wei" is the one-word head "Huawei")."""
        groups: dict[int, list[int]] = {}
        for i, size in enumerate(self.sizes):
            groups.setdefault(size, []).append(i)
        self.by_size = {
            size: Column([self.texts[i] for i in ids], ids) for size, ids in groups.items()
        }
        self.compact_column = Column(self.compacts)
        self.phon_column = Column(self.phons)


# A list is indexed in a background thread while answers go on (`repository`). An answer hands
# the GIL back and forth hundreds of times (each torch op of the question's embedding, each
# store read), and each time it waits until the running thread yields: every 5 ms by default,
# so behind a busy build one answer took 1.9 s on CI's 2 cores. The build yields every few
# entries (well under a millisecond of work) instead.
YIELD_EVERY = 8


class NameIndex:
    """Precomputed match keys of every name of every entry. A name id (`nid`) numbers one
    variant of one listed name; `name_entry[nid]` is its entry's position in the list."""

    def __init__(self, entries: Sequence[ScreeningEntry]) -> None:
        self.name_entry: list[int] = []
        self.name_text: list[str] = []  # the name as listed, reported as matched_name
        self.is_person: list[bool] = []  # its entry is an Individual
        self.tokens: list[tuple[str, ...]] = []
        self.keys: list[str] = []
        self.compacts: list[str] = []
        self.phons: list[str] = []
        self.heads = Heads()
        self.by_key: dict[str, list[int]] = {}
        self.by_head: dict[tuple[str, ...], list[int]] = {}
        self.by_acronym: dict[str, list[int]] = {}
        self.by_token: dict[str, list[int]] = {}
        self._people: tuple[list[str], dict[str, set[int]]] | None = None
        for entry_id, entry in enumerate(entries):
            if entry_id % YIELD_EVERY == 0:
                time.sleep(0)  # see YIELD_EVERY
            for listed in entry.names:
                for variant in self._variants(listed):
                    self._add(entry_id, entry, listed, variant)
        self.key_column = Column(self.keys)
        self.compact_column = Column(self.compacts)
        self.phon_column = Column(self.phons)
        self.heads.freeze()
        # For free text: phonetic keys of whole names and short-name heads, blocked by their
        # first letter, so hundreds of phrases can be prefiltered in a few milliseconds.
        blocks: dict[str, set[str]] = {}
        for text in [*self.phons, *self.heads.phons]:
            if text:
                blocks.setdefault(text[0], set()).add(text)
        self.blocks = {first: Column(sorted(texts)) for first, texts in blocks.items()}

    @staticmethod
    def _variants(listed: str) -> list[str]:
        """The name, the name without its parenthesised parts, and a parenthesised alias
        ("... Corporation (SMIC)") when it holds a distinctive word."""
        variants = [listed]
        inner = re.findall(r"\(([^()]*)\)", listed)
        if inner:
            outer = re.sub(r"\([^()]*\)", " ", listed)
            if outer.strip():
                variants.append(outer)
            for alias in inner:
                if any(distinctive(t) for t in key_tokens(normalize_name(alias))):
                    variants.append(alias)
        return variants

    def _add(self, entry_id: int, entry: ScreeningEntry, listed: str, variant: str) -> None:
        tokens = tuple(key_tokens(normalize_name(variant)))
        if not tokens:
            return
        key = " ".join(tokens)
        if key in self.by_key and any(self.name_entry[i] == entry_id for i in self.by_key[key]):
            return
        nid = len(self.keys)
        compact = "".join(tokens)
        self.name_entry.append(entry_id)
        self.name_text.append(listed)
        self.is_person.append(entry.is_individual)
        self.tokens.append(tokens)
        self.keys.append(key)
        self.compacts.append(compact)
        self.phons.append(phonetic(compact))
        self.by_key.setdefault(key, []).append(nid)
        for token in set(tokens):
            self.by_token.setdefault(token, []).append(nid)
        if entry.is_individual:
            return
        starts = [0]
        core = 0
        while core < len(tokens) and not distinctive(tokens[core]):
            core += 1
        if 0 < core < len(tokens):
            starts.append(core)
        for start in starts:
            for k in range(1, min(MAX_NGRAM, len(tokens) - start) + 1):
                if start == 0 and k == len(tokens):
                    continue  # the whole name: rule 1
                head = tokens[start : start + k]
                if not any(distinctive(t) for t in head):
                    continue
                self.heads.add(head, nid)
                self.by_head.setdefault(tuple(sorted(head)), []).append(nid)
        if len(tokens) >= 3 or len(variant.split()) >= 3:
            raw = NON_WORD.sub(" ", normalize_name(variant)).split()
            full = NON_WORD.sub(" ", unicodedata.normalize("NFKD", variant).casefold()).split()
            for words in (raw, full):
                acronym = initials(words)
                if 4 <= len(acronym) <= 8 and len(words) >= 3:
                    ids = self.by_acronym.setdefault(acronym, [])
                    if nid not in ids:
                        ids.append(nid)

    def person_vocab(self) -> tuple[list[str], dict[str, set[int]]]:
        """The phonetic keys of people's name words (sorted) and the name ids holding each;
        built at the first use and kept."""
        cached = self._people
        if cached is None:
            by_phon: dict[str, set[int]] = {}
            for nid, person in enumerate(self.is_person):
                if person:
                    for token in self.tokens[nid]:
                        by_phon.setdefault(phonetic(token), set()).add(nid)
            cached = (sorted(by_phon), by_phon)
            self._people = cached
        return cached

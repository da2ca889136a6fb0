"""The five rules by which a query matches a listed name, over a list's `NameIndex`.

One fuzzy ratio is not enough: users type "Huawei" for "Huawei Technologies Co., Ltd.", "SMIC"
for an acronym, "Vladimir Putin" for "PUTIN, Vladimir Vladimirovich", and a long shared tail
("... Digital Technology") must not carry a different company over the threshold. Each rule
below says when it counts and what it scores.

How names are compared (all on `normalize_name` output, threshold `settings.screening_threshold`,
88 by default; scores are 0-100, rounded to one decimal by the list):

1. **Whole name** (rule `name`): the best of `fuzz.ratio`, `fuzz.token_sort_ratio` (word order
   ignored: "Iran Bank Melli"), the ratio of both names with spaces removed ("Hua Wei
   Technologies") and the ratio of a rough phonetic key (kh→h, ph→f, x→ks, w→v, y→i, c/q→k,
   z→s, Cyrillic transliterated, doubled letters single: "Rosoboroneksport", "Wladimir").
   Common abbreviations are expanded first ("Tech" → technology, "Intl" → international).
   It counts only if every *distinctive* word of the listed name (one that is not a place name,
   an industry word or a legal form, e.g. "hikvision" in "Hangzhou Hikvision Digital
   Technology") has a counterpart in the query at 80 or more; a name made only of generic words
   needs all of its words. So a long shared tail ("... Digital Technology") cannot carry a
   different company name over the threshold.
2. **Short name** (rule `short_name`, organisations only): users type "Huawei", "Hikvision" or
   "Bank Melli". When the query's words (any order) match the first words of a listed name, or
   of the name after its leading place and industry words ("SZ DJI Technology" → "DJI
   Technology"), and the query holds a distinctive word of at least 3 letters, the score is that
   comparison minus 5. Every entry whose name starts that way matches: "Huawei" finds Huawei
   Technologies and Huawei Device alike, which is what a screen should show. Leading place and
   industry words of the query are tried without, too ("Shenzhen DJI").
3. **Acronym** (rule `acronym`, organisations of 3+ words): a 4-8 letter query equal to the
   initials of a listed name ("SMIC") scores 95, like an exact short name. Shorter acronyms
   are too ambiguous.
4. **Listed name inside a longer query** (rule `contains`, organisations): every word of a
   listed name with a distinctive word appears in the query and the extra query words are only
   place, industry or legal words ("Huawei Technologies Shenzhen"): 93; the same with a short
   name of rule 2 ("Hikvision USA", "DJI Innovations"): 90, the weakest rule.
5. **People** (rule `person`, entries of type Individual): each of two or more query words
   matches a different word of the listed name at 88+ ("Vladimir Putin" for "PUTIN, Vladimir
   Vladimirovich"): the mean word score minus 5.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from assistant.screening.index import MAX_NGRAM, NameIndex, best
from assistant.screening.names import (
    LEGAL_WORDS,
    distinctive,
    identifying,
    key_tokens,
    normalize_name,
    phonetic,
)

SHORT_NAME_PENALTY = 5.0
ACRONYM_SCORE = 95.0
CONTAINS_SCORE = 93.0
CONTAINS_SHORT_SCORE = 90.0
WORD_MATCH = 80.0  # a distinctive word of the listed name counts as present from this score

# name id -> (score, name id, rule), the best rule per name reaching the threshold
Found = dict[int, tuple[float, int, str]]


def _word_score(word: str, tokens: Sequence[str]) -> float:
    """How well `word` is present among `tokens` (or two adjacent ones run together, or, for
    3+ letters, inside them run together: "hua" in "Huawei")."""
    if word in tokens or (len(word) >= 3 and word in "".join(tokens)):
        return 100.0
    candidates = list(tokens) + [a + b for a, b in zip(tokens, tokens[1:], strict=False)]
    if not candidates:
        return 0.0
    pw = phonetic(word)
    return max(max(fuzz.ratio(word, c), fuzz.ratio(pw, phonetic(c))) for c in candidates)


def _covered(these: Sequence[str], those: Sequence[str]) -> bool:
    """Every distinctive word or number of `these` (all words if there is none) is in `those`
    at `WORD_MATCH` or better."""
    needed = [t for t in these if identifying(t)] or list(these)
    return all(_word_score(t, those) >= WORD_MATCH for t in needed)


def _same_words(name_tokens: Sequence[str], query_tokens: Sequence[str]) -> bool:
    """Both ways: the name's distinctive words are in the query, and the query's in the name
    ("Beijing Institute of Fashion Technology" is not "Beijing Institute of Technology")."""
    return _covered(name_tokens, query_tokens) and _covered(query_tokens, name_tokens)


@dataclass(frozen=True)
class Query:
    """A name to screen, as match keys: its tokens, joined (`key`), without spaces
    (`compact`) and as a phonetic key (`phon`)."""

    tokens: tuple[str, ...]
    key: str
    compact: str
    phon: str

    @classmethod
    def of(cls, text: str) -> Query:
        tokens = tuple(key_tokens(normalize_name(text)))
        compact = "".join(tokens)
        return cls(tokens, " ".join(tokens), compact, phonetic(compact))

    @classmethod
    def of_tokens(cls, tokens: Sequence[str]) -> Query:
        compact = "".join(tokens)
        return cls(tuple(tokens), " ".join(tokens), compact, phonetic(compact))

    @property
    def has_distinctive(self) -> bool:
        return any(distinctive(t) and len(t) >= 3 for t in self.tokens)

    def core(self) -> Query | None:
        """The query without its leading place and industry words ("Shenzhen DJI" → "DJI"),
        when there are some and something distinctive remains."""
        start = 0
        while start < len(self.tokens) and not distinctive(self.tokens[start]):
            start += 1
        if 0 < start < len(self.tokens):
            return Query.of_tokens(self.tokens[start:])
        return None


def match_names(ix: NameIndex, q: Query, threshold: float) -> Found:
    """Best (score, name id, rule) per name id reaching the threshold, by the five rules."""
    found: Found = {}

    def offer(nid: int, score: float, rule: str) -> None:
        if score >= threshold and (nid not in found or score > found[nid][0]):
            found[nid] = (score, nid, rule)

    # 1. Whole name.
    whole = best(
        [
            ix.key_column.scores(q.key, fuzz.ratio, threshold),
            ix.key_column.scores(q.key, fuzz.token_sort_ratio, threshold),
            ix.compact_column.scores(q.compact, fuzz.ratio, threshold),
            ix.phon_column.scores(q.phon, fuzz.ratio, threshold),
        ]
    )
    for nid, score in whole.items():
        if _same_words(ix.tokens[nid], q.tokens):
            offer(nid, score, "name")

    # 2. Short name of an organisation (also for the query without leading place words).
    for variant in (q, q.core()):
        if variant is not None and variant.has_distinctive:
            for nid, score in _short_names(ix, variant, threshold).items():
                offer(nid, score, "short_name")

    # 3. Acronym.
    if len(q.tokens) == 1 and q.compact.isalpha() and 4 <= len(q.compact) <= 8:
        for nid in ix.by_acronym.get(q.compact, []):
            offer(nid, ACRONYM_SCORE, "acronym")

    # 4. A listed organisation name inside a longer query.
    if len(q.tokens) >= 2:
        counts: dict[int, int] = {}
        for token in set(q.tokens):
            for nid in ix.by_token.get(token, []):
                counts[nid] = counts.get(nid, 0) + 1
        qset = set(q.tokens)
        for nid, n in counts.items():
            tokens = ix.tokens[nid]
            if n != len(set(tokens)) or len(tokens) >= len(q.tokens):
                continue
            if ix.is_person[nid]:
                continue
            if not any(distinctive(t) for t in tokens):
                continue
            if all(not identifying(t) or t in LEGAL_WORDS for t in qset - set(tokens)):
                offer(nid, CONTAINS_SCORE, "contains")
        # ... or its short name, the other query words generic ("Hikvision USA").
        for size in range(1, min(MAX_NGRAM, len(q.tokens) - 1) + 1):
            for start in range(len(q.tokens) - size + 1):
                run = q.tokens[start : start + size]
                nids = ix.by_head.get(tuple(sorted(run)))
                rest = q.tokens[:start] + q.tokens[start + size :]
                if nids and all(not identifying(t) or t in LEGAL_WORDS for t in rest):
                    for nid in nids:
                        offer(nid, CONTAINS_SHORT_SCORE, "contains")

    # 5. People: each query word is one of the listed person's words.
    if len(q.tokens) >= 2:
        for nid in _person_candidates(ix, q, threshold):
            person = _person_score(q.tokens, ix.tokens[nid])
            if person is not None:
                offer(nid, person, "person")
    return found


def _short_names(ix: NameIndex, q: Query, threshold: float) -> dict[int, float]:
    """Rule 2: name id -> score for heads matching the whole query."""
    heads, cutoff = ix.heads, threshold + SHORT_NAME_PENALTY
    if heads.compact_column is None or heads.phon_column is None:
        return {}
    parts = [
        heads.compact_column.scores(q.compact, fuzz.ratio, cutoff),
        heads.phon_column.scores(q.phon, fuzz.ratio, cutoff),
    ]
    same_size = heads.by_size.get(len(q.tokens))
    if same_size is not None:
        parts.append(same_size.scores(q.key, fuzz.token_sort_ratio, cutoff))
    found: dict[int, float] = {}
    for i, score in best(parts).items():
        if _same_words(heads.texts[i].split(), q.tokens):
            nid = heads.name_ids[i]
            found[nid] = max(found.get(nid, 0.0), score - SHORT_NAME_PENALTY)
    return found


def _person_candidates(ix: NameIndex, q: Query, threshold: float) -> set[int]:
    """Names of people holding, for every query word, a word that is close in spelling or
    in sound (looked up in the vocabulary of people's name words)."""
    vocab, by_phon = ix.person_vocab()
    if not vocab:
        return set()
    per_token: list[set[int]] = []
    for token in q.tokens:
        ids: set[int] = set()
        hits = process.extract(
            phonetic(token), vocab, scorer=fuzz.ratio, score_cutoff=threshold, limit=None
        )
        for key, _, _ in hits:
            ids.update(by_phon[key])
        per_token.append(ids)
    return set.intersection(*per_token)


def _person_score(query: Sequence[str], name: Sequence[str]) -> float | None:
    """Each query word matched to a different word of the person's name, greedily by score."""
    if len(query) > len(name):
        return None
    free = list(range(len(name)))
    scores: list[float] = []
    for word in sorted(query, key=len, reverse=True):
        best_i, best_s = -1, 0.0
        for i in free:
            s = max(fuzz.ratio(word, name[i]), fuzz.ratio(phonetic(word), phonetic(name[i])))
            if s > best_s:
                best_i, best_s = i, s
        if best_s < 88.0:
            return None
        free.remove(best_i)
        scores.append(best_s)
    mean = sum(scores) / len(scores)
    return mean if len(query) == len(name) else mean - SHORT_NAME_PENALTY

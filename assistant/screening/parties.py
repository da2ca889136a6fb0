"""Listed parties named in free text: a question is cut into name-like phrases, screened.

"Can we sell X to Huawei?" names its party inside a sentence, and an answer must say whether
that party is listed before anything else (`answering/screening_lead.py`). Screening every
word run of a long question against a full list with every rule would take too long, so the
phrases are prefiltered against the name index first and only the few survivors are screened.
"""

from __future__ import annotations

import re
from datetime import date

from rapidfuzz import fuzz

from assistant.screening.index import MAX_NGRAM
from assistant.screening.models import Match, ScreeningList
from assistant.screening.names import phonetic
from assistant.screening.rules import Query, match_names

_STOPWORDS = frozenset(
    "a an the and or but if then else of to in on at by for with from into onto about as is are "
    "was were be been being do does did done can could may might must shall should will would "
    "we you i he she it they them us our your their my me this that these those there here "
    "what which who whom whose when where why how whether not no yes any all some each every "
    "need needs require requires required license licence licences licenses licensing export "
    "exports exported exporting reexport ship shipping shipment sell sale sales sold buy item "
    "items software hardware technology rule rules regulation regulations ear itar ofac bis "
    "entity entities list listed party parties company companies customer customers supplier "
    "please tell explain under also still just only than so such other another new mass market "
    "de minimis".split()
)
_WORD = re.compile(r"[^\W_](?:[\w.&'’-]*[^\W_])?")


def _name_like(token: str) -> bool:
    return (
        token[:1].isupper()
        or any(ch.isupper() for ch in token[1:])
        or any(ch.isdigit() for ch in token)
    )


def _candidate_phrases(text: str) -> list[str]:
    """Runs of 1-5 words that could be a party's name. Words must be capitalised (or hold a
    capital or a digit), except connectors inside a run ("Bank of Kunlun"); when no word but the
    first is capitalised (a question typed in lower case), every non-stopword counts."""
    words = _WORD.findall(text[:20_000])
    if not words:
        return []
    lower_text = not any(_name_like(w) for w in words[1:])
    usable = [(lower_text or _name_like(w)) and w.casefold() not in _STOPWORDS for w in words]
    connectors = {"of", "and", "&", "for", "de", "al", "el", "la"}
    phrases: list[str] = []
    seen: set[str] = set()
    for i in range(len(words)):
        if not usable[i]:
            continue
        for n in range(1, MAX_NGRAM + 1):
            j = i + n
            if j > len(words):
                break
            inner = words[i:j]
            if not usable[j - 1]:
                if inner[-1].casefold() in connectors:
                    continue
                break
            if any(not usable[k] and words[k].casefold() not in connectors for k in range(i, j)):
                break
            phrase = " ".join(inner)
            if phrase not in seen:
                seen.add(phrase)
                phrases.append(phrase)
    return phrases


def find_parties(
    text: str, screening_list: ScreeningList, as_of: date | None = None, limit: int = 10
) -> list[Match]:
    """Listed parties mentioned in free text, best first, one per entry.

    Candidate phrases are runs of 1-5 capitalised words (connectors such as "of" allowed
    inside; every word when the text is all lower case), stopwords and question words
    excluded. Each is prefiltered against the name index (exact names, short-name heads and
    acronyms by dictionary lookup, people by the sound of each of their names; misspellings by
    rapidfuzz over the phonetic keys of names and heads that begin with the same letter, so in
    free text a misspelled name must still begin with the same sound), and the few survivors
    are screened with the same rules as `ScreeningList.screen`. Each `Match.query` holds the
    phrase that matched."""
    candidates = _candidate_phrases(text)
    if not candidates:
        return []
    ix, threshold = screening_list.index, screening_list.threshold
    queries: dict[str, tuple[str, Query]] = {}
    for phrase in candidates:
        q = Query.of(phrase)
        if q.key and q.key not in queries:
            queries[q.key] = (phrase, q)
    if not queries:
        return []
    # Cheap prefilter: an exact name, short-name head or acronym (dictionary lookups), or
    # a phonetic key close to a whole name or head that starts with the same letter. Only
    # the survivors are scored with every rule.
    keys = list(queries)
    survivors: list[int] = []
    people = ix.person_vocab()[1]
    for i, key in enumerate(keys):
        q = queries[key][1]
        block = ix.blocks.get(q.phon[:1])
        if (
            key in ix.by_key
            or (q.has_distinctive and tuple(sorted(q.tokens)) in ix.by_head)
            or (len(q.tokens) == 1 and q.compact in ix.by_acronym)
            or (len(q.tokens) >= 2 and all(phonetic(t) in people for t in q.tokens))
            or (block is not None and len(block.scores(q.phon, fuzz.ratio, threshold)[0]))
        ):
            survivors.append(i)
    best: dict[int, tuple[float, int, int, Match]] = {}
    for i in survivors:
        phrase, q = queries[keys[i]]
        for item in screening_list.ranked(match_names(ix, q, threshold), phrase, None, as_of):
            entry_id = item[2]
            if entry_id not in best or item[:2] < best[entry_id][:2]:
                best[entry_id] = item
    ranked = sorted(best.values(), key=lambda item: item[:3])
    return [m for *_, m in ranked[: max(0, limit)]]

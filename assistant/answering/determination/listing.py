"""Whether the corpus lists the question's party on the Entity List: the passage adding it
(`listed_in_corpus`, `listing_passage`), removing it, or recalling when it was added; and the
party "Is X on the Entity List?" names when no passage adds it (`unlisted_party`).

Apart from the Entity List rule because retrieval and the composer ask the same of the
passages (`about_listed_parties`, `listing_passage`), not only the rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from assistant.answering.determination.basis import Basis, Lookup, _matching, _sentence
from assistant.answering.determination.facts import party_names
from assistant.answering.listed_names import (
    ADDS,
    mentions_added,
    named_party,
    named_whole,
    question_names,
)
from assistant.answering.listing_dates import addition_date
from assistant.models import SearchResult
from assistant.text import cached_pattern, chunk_sentences

_ADDED = re.compile(r"\b(?:add(?:s|ed|ing)?|addition\s+of|placed|placing|list(?:s|ed|ing))\b", re.I)


_REMOVED = re.compile(
    r"\bremov\w*\b[^.;]{0,160}\bfrom (?:the|its|their|this) (?:\w+\s+){0,3}?(?:on\s+the\s+)?"
    r"Entity List\b|\bremoving the entry for\b|\bremoval of\b[^.;]{0,160}\bEntity List\b",
    re.I,
)


def removed_in_corpus(
    names: Sequence[str], passages: Sequence[SearchResult], lookup: Lookup | None
) -> tuple[str, Basis] | None:
    """A party the question names that a passage says was removed from the Entity List (a
    screening note or a memory older than the removal): the name and that sentence."""
    for name in names:
        pool = [*passages, *(lookup(f"{name} removed from the Entity List") if lookup else [])]
        found = next((b for b in _matching(pool, "", _REMOVED) if name in _sentence(b)), None)
        if found is not None:
            return name, found
    return None


# "were listed", "was blacklisted", "added to the Entity List": a question about listed parties
_SPEAKS_OF_LISTING = re.compile(
    r"\b(?:was|were|been|being|got|get)\s+(?:\w+\s+){0,2}(?:listed|blacklisted|added to the "
    r"Entity List)\b",
    re.I,
)


def about_listed_parties(question: str, passages: Sequence[SearchResult]) -> bool:
    """Whether the question is about parties on the Entity List, for retrieval to bring in what
    744.11 requires: it says parties were listed, or mentions in any role a name a retrieved
    sentence adds ("diversion risk to Huawei"). Looser than `listed_in_corpus`, which decides a
    bottom line."""
    if _SPEAKS_OF_LISTING.search(question):
        return True
    # (the loose mention first: it is cheaper, and true for nearly every strict match)
    return any(
        mentions_added(question, p.text[a:b])
        for p in passages
        for a, b in chunk_sentences(p.text)
        if "Entity List" in p.text[a:b] and _ADDED.search(p.text[a:b])
    ) or (listed_in_corpus(question, passages) is not None)


def listed_in_corpus(question: str, passages: Sequence[SearchResult]) -> tuple[str, Basis] | None:
    """A party the question names that a retrieved passage says was added to the Entity List:
    the name as the passage spells it and that sentence (Federal Register rules before press
    releases and news). The name must be the question's party, named whole
    (`assistant.answering.listed_names`). The last question's reading is kept: the rules,
    retrieval and the composer ask it of the same passages."""
    key = (question, tuple((p.chunk_id, p.start, p.end) for p in passages))
    last = _LAST_LISTED.get("last")
    if last is not None and last[0] == key:
        return last[1]
    found = _listed_in_corpus(question, passages)
    _LAST_LISTED["last"] = (key, found)
    return found


def listing_passage(
    question: str,
    passages: Sequence[SearchResult],
    search: Callable[[str], Sequence[SearchResult]],
) -> SearchResult | None:
    """The passage that adds to the Entity List a party the question names: one of the
    passages, or else one `search` finds for the names the question gives. Ranked among all a
    long question's words, the one sentence that lists "Supra Tech Sdn Bhd" may fall out of the
    top k, and with it the rule that decides the answer."""
    listed = listed_in_corpus(question, passages)
    if listed is not None:
        return listed[1].passage
    words = question_names(question)
    if not words:
        return None
    found = list(search(" ".join(words)))
    listed = listed_in_corpus(question, [*passages, *found])
    return None if listed is None else listed[1].passage


# (one slot per process: a dict item set in one step, so threads never see half of it)
_LAST_LISTED: dict[str, tuple[tuple[object, ...], tuple[str, Basis] | None]] = {}


# A sentence naming the Entity List as rules write it, and in a report's words ("an entity list")
_ENTITY_LIST = re.compile("Entity List")
_ENTITY_LIST_ANY_CASE = re.compile("entity list", re.I)


def _dated_addition(
    name: str, listing: Basis, passages: Sequence[SearchResult], lookup: Lookup | None
) -> tuple[str, Basis] | None:
    """The day a Federal Register rule or the regulation says `name` was added to the Entity
    List, and that sentence (`listing_dates.addition_date`): for a party the corpus lists only
    through a later rule recalling its listing ("the listing of Huawei ... can be found at 84 FR
    22961"), whose own date is not the listing's. Looked for in the passages, the rest of that
    rule, then by a query; news and press releases are not asked."""

    def found_in(pool: Sequence[SearchResult]) -> tuple[str, Basis] | None:
        official = [
            p for p in pool if p.metadata.get("doc_type") in ("regulation", "federal_register")
        ]
        for basis in _matching(official, "", _ENTITY_LIST):
            sentence = _sentence(basis)
            day = addition_date(sentence, name) if named_whole(sentence, name) else None
            if day is not None:
                return day, basis
        return None

    found = found_in(passages)
    reader = getattr(lookup, "document", None)
    if found is None and reader is not None:
        found = found_in(reader(listing.passage.citation))
    if found is None and lookup is not None:
        found = found_in(lookup(f"On which date was {name} added to the Entity List"))
    return found


def unlisted_party(question: str, passages: Sequence[SearchResult]) -> str | None:
    """The party that "Is X on the Entity List?", asked alone, names when no passage adds it
    (retrieval brings in the sentence adding a named party when the corpus holds one:
    `listing_passage`), and no passage names it beside the Entity List in any words ("two
    Entity List parties, SMIC Northern Integrated Circuit ..."; "removed Sandvine from the Entity
    List"): the answer says the corpus does not list it, rather than lead with a rule that lists
    others."""
    if not _ONLY_ASKS_IF_LISTED.fullmatch(question) or listed_in_corpus(question, passages):
        return None
    names = party_names(question)
    if not names:
        return None
    # (in any case and any of its names: "HUAWEI", "the US added Huawei to an entity list")
    named = cached_pattern(
        r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])", re.I
    )
    if any(named.search(_sentence(b)) for b in _matching(passages, "", _ENTITY_LIST_ANY_CASE)):
        return None
    return names[0]


def _listed_in_corpus(question: str, passages: Sequence[SearchResult]) -> tuple[str, Basis] | None:
    ranked = sorted(
        passages,
        key=lambda p: (
            ["regulation", "federal_register"].index(t)
            if (t := str(p.metadata.get("doc_type"))) in ("regulation", "federal_register")
            else 2
        ),
    )
    texts = [p.text for p in passages]
    for p in ranked:
        for a, b in chunk_sentences(p.text):
            sentence = p.text[a:b]
            if "Entity List" not in sentence or not _ADDED.search(sentence):
                continue
            if _REMOVED.search(sentence) and not ADDS.search(sentence):
                continue  # "remove the three entities listed within the entry"
            name = named_party(question, sentence, texts)
            if name is not None:
                return name, Basis(p, p.start + a, p.start + b)
    return None


# "Is Huawei on the Entity List?", "When was Huawei added to the Entity List?", asked with
# nothing else: where the corpus lists the party, the listing (with its day) and what it
# requires answer it, as they answer "... and since when?". (Asked with what the party is to
# us, "our supplier; we don't export to them", the listing sentence leads.)
# (a party's own name: not "a subsidiary of Kaspersky", "a supplier to Kaspersky")
_PARTY_WORDS = (
    r"(?:(?!(?:of|to|for|with|by|from|a|an|any|some|our|their|its|his|her)\s)[\w.&'’-]+\s+){1,6}?"
)
_ONLY_ASKS_IF_LISTED = re.compile(
    rf"\s*(?:(?:is|are)\s+{_PARTY_WORDS}(?:still\s+)?(?:on|in)|"
    rf"when\s+(?:was|were|did)\s+{_PARTY_WORDS}(?:first\s+)?(?:get\s+|go\s+)?"
    rf"(?:added\s+to|put\s+on|placed\s+on|on)|"
    rf"since\s+when\s+(?:has|have|is|are)\s+{_PARTY_WORDS}(?:been\s+)?on)"
    r"\s+the\s+entity\s+list\s*\??\s*",
    re.I,
)

"""What the rule that added a party to the Entity List says of that party: the review policy,
the reason, what its footnote designation reaches of foreign-made items, its savings clause for
shipments en route (`listing_rule_sentence`, `listing_terms`).

Apart from the Entity List rule because the extractive answer quotes these sentences under a
listing lead of its own, with no determination.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answering.determination.basis import Basis, Lookup, _sentence
from assistant.answering.determination.listing import listed_in_corpus
from assistant.answering.listed_names import named_whole, names_added
from assistant.models import SearchResult
from assistant.text import chunk_sentences

# A shipment already on its way when a rule took effect: "already on a truck to LAX", "in
# transit", "en route", "aboard a carrier"; and the savings clause Federal Register rules give
# such shipments ("... that were en route aboard a carrier to a port of export ... may proceed")
_EN_ROUTE = re.compile(
    r"\b(?:en route|in transit|aboard (?:a|the) (?:carrier|ship|vessel|truck|plane)|"
    r"already (?:on (?:a|the|its) (?:truck|ship|vessel|plane|way)|shipped|in transit|loaded))\b",
    re.I,
)
_SAVINGS_CLAUSE = re.compile(r"\bwere en route aboard a carrier to a port of export\b", re.I)


# What a rule adding parties says of their licence review: "It is added with a license review
# policy of denial", "License applications will be reviewed under a presumption of denial".
_RULE_POLICY = re.compile(
    r"\b(?:review(?:ed)?\s+(?:policy|under|with)\b[^.;]{0,60}?\b(?:denial|case[- ]by[- ]case|"
    r"approval)|reviewed\s+(?:on\s+an?\s+)?case[- ]by[- ]case|polic(?:y|ies)\s+of\s+denial|"
    r"presumption\s+of\s+denial)\b",
    re.I,
)
# An addition the sentence recalls rather than makes ("That final rule amended ... by adding",
# "In a final rule published on January 16, 2025, the ERC approved the addition of ...", "On
# May 16, 2019, the ERC determined to add ..."): the rule it is in is not the listing. (Not any
# year: "TG Training 2023 FZCO" is a name.)
_RECALLED = re.compile(
    r"\b(?:prior\s+to|previously|already|originally|earlier|that\s+(?:final\s+|interim\s+"
    r"final\s+)?rule|in\s+an?\s+(?:final\s+|interim\s+final\s+)?rule|published\s+on)\b|"
    r"^\W*On\s+\w+\s+\d{1,2},\s+(?:19|20)\d\d\b",
    re.I,
)
# A rule's own addition of a party, as the rules word it.
_ADDS_HERE = re.compile(
    r"\b(?:determined to add|approved the addition of|(?:is|are|by) adding|"
    r"adding (?:an |in alphabetical order )?entr)",
    re.I,
)
# Another party's addition: where the sentences about the listed party end.
_NEXT_ADDITION = re.compile(
    r"\b(?:determined to (?:add|remove|revise|modify)|approved the (?:addition|removal)|is adding|"
    r"are adding|(?:is|are) removing)\b",
    re.I,
)
_FOLLOWING = 10  # sentences after the listing sentence that may still be about its party


def _listing_reason(listing: Basis, name: str) -> Basis | None:
    """The sentence after a rule's addition of a party that says why: the next one in its
    paragraph about that party (not one about another party the sentence adds), unless the
    review policy, the savings clause or another addition comes first."""
    own = listing.passage
    sentence = _sentence(listing)
    because = _BECAUSE.search(sentence)
    if because is not None:
        # "... to the Entity List because of their links to ...": the addition says why itself
        return Basis(own, listing.start + because.start(), listing.end)
    others = _other_parties(listing, name)
    for a, b in [(a, b) for a, b in chunk_sentences(own.text) if own.start + a >= listing.end][
        :_FOLLOWING
    ]:
        sentence = own.text[a:b]
        if "\n\n" in own.text[listing.end - own.start : a]:
            return None  # the paragraph ended
        if _NEXT_ADDITION.search(sentence) or _RULE_POLICY.search(sentence):
            return None
        if _SAVINGS_CLAUSE.search(sentence):
            return None
        if _about_another(sentence, name, others):
            continue
        return Basis(own, own.start + a, own.start + b)
    return None


_BECAUSE = re.compile(r"\b(?:because|due to|on the basis of|based on)\b", re.I)


def _other_parties(listing: Basis, name: str) -> list[str]:
    """The other parties the listing sentence adds ("add Alpha Corp and Beta Corp")."""
    return [
        n
        for n in names_added(_sentence(listing))
        if n.lower() not in name.lower() and name.lower() not in n.lower()
    ]


def _about_another(sentence: str, name: str, others: Sequence[str]) -> bool:
    """Whether the sentence names another party of the listing sentence and not this one."""
    low = sentence.lower()
    return any(n.lower() in low for n in others) and name.lower() not in low


def listing_rule_sentence(
    listing: Basis,
    name: str,
    passages: Sequence[SearchResult],
    lookup: Lookup | None,
    pattern: re.Pattern[str],
) -> Basis | None:
    """The sentence of the rule that listed `name` (the document `listing` is from) matching
    `pattern`, when the rule says it of that party: among the few sentences after the listing
    sentence (read on into the document's next chunk), before another party's addition; else
    one naming the party; for the savings clause, which is the whole rule's, any. A rule
    adding forty parties may give them different policies, so a policy sentence elsewhere in
    the rule, or about another party, is no answer."""
    own = listing.passage
    doc = {p.chunk_id: p for p in passages if p.doc_id == own.doc_id}
    doc[own.chunk_id] = own
    reader = getattr(lookup, "document", None)
    if reader is not None:
        # the rule's own chunks in order: what it says of the party may be in the next one
        doc.update((p.chunk_id, p) for p in reader(own.citation) if p.doc_id == own.doc_id)
    elif lookup is not None:
        # (the savings clause is the whole rule's: one query per rule, which the lookup caches;
        # a policy is a party's, found beside its name)
        query = (
            f"{own.citation} savings clause en route aboard a carrier"
            if pattern is _SAVINGS_CLAUSE
            else f"{own.citation} {name} license review policy"
        )
        doc.update((p.chunk_id, p) for p in lookup(query) if p.doc_id == own.doc_id)
    chunks = sorted(doc.values(), key=lambda p: p.start)
    # the other parties the listing sentence adds ("add Alpha Corp and Beta Corp"): a sentence
    # naming one of them and not this party is about that one
    others = _other_parties(listing, name)
    for basis in _following(listing, chunks)[:_FOLLOWING]:
        sentence = _sentence(basis).lower()
        if _NEXT_ADDITION.search(sentence):
            break
        if _about_another(sentence, name, others):
            continue
        if pattern.search(sentence):
            return basis
    found = [
        Basis(p, p.start + a, p.start + b)
        for p in chunks
        for a, b in chunk_sentences(p.text)
        if pattern.search(p.text[a:b])
    ]
    named = [x for x in found if name.lower() in _sentence(x).lower()]
    if named:
        return named[0]
    if pattern is _RULE_POLICY or pattern is FOOTNOTE_EFFECT:
        return None  # (a party's own, never another's)
    return found[0] if found else None


# What a listing rule says a party's footnote designation does: the foreign-made items the
# listing reaches ("A footnote 3 designation subjects these entities to the Russia/Belarus-
# Military End User and Procurement Foreign Direct Product (FDP) rule, detailed in § 734.9(g)").
FOOTNOTE_EFFECT = re.compile(
    r"\bfootnote \d designation\b[^.;]*?\b(?:foreign direct product|foreign-produced|"
    r"§\s*734\.9)",
    re.I,
)


_CHUNK_GAP = 4  # the whitespace between one chunk's end and the next one's start


def _following(listing: Basis, chunks: Sequence[SearchResult]) -> list[Basis]:
    """The sentences after `listing` in document order, through the chunks that continue its
    passage without a gap (overlapping chunks give each sentence once)."""
    out: list[Basis] = []
    reached = listing.end
    for p in chunks:
        if p.start > reached + _CHUNK_GAP:
            break  # a chunk missing between: what follows it is not known
        if p.end <= reached:
            continue
        for a, b in chunk_sentences(p.text):
            if p.start + a >= reached:
                out.append(Basis(p, p.start + a, p.start + b))
        reached = max(reached, p.end)
    return out


@dataclass(frozen=True)
class ListingTerms:
    """A rule's addition of the question's party to the Entity List, and the sentences of that
    rule about it (see `listing_terms`)."""

    name: str
    listing: Basis
    policy: Basis | None
    footnote: Basis | None


def listing_terms(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> ListingTerms | None:
    """When a retrieved rule adds the party the question names to the Entity List ("The ERC
    determined to add ... Zhejiang Uniview Technologies Co., Ltd. ..."), what the same rule
    says that listing means for it: the licence requirement and review policy, and what its
    footnote designation reaches. Asked when or why a party was listed, or whether it is
    restricted, a practitioner's next question is what the listing requires; the rule answers
    it for that party, in sentences retrieval ranks below the one naming it. Only a rule's own
    addition, naming the party whole: one recalling an earlier listing has no policy of its
    own to give."""
    said = listed_in_corpus(question, passages)
    if said is None:
        return None
    name, basis = said
    sentence = _sentence(basis)
    if not (_ADDS_HERE.search(sentence) and named_whole(sentence, name)) or _RECALLED.search(
        sentence
    ):
        return None
    return ListingTerms(
        name,
        basis,
        listing_rule_sentence(basis, name, passages, lookup, _RULE_POLICY),
        listing_rule_sentence(basis, name, passages, lookup, FOOTNOTE_EFFECT),
    )

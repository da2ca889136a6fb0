"""A License Exception the question names: the restriction in its own section that shares the
question's facts (`exception_limit_line`), and the authorizing sentence that fits its case
(`exception_terms_line`).

Apart from `exceptions` because both read the named exception's section sentence by sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.determination.asks import _ASKS_MEANING
from assistant.answering.determination.basis import (
    Basis,
    FindingLine,
    Lookup,
    _quoted,
    _sentence,
    _with_section,
    cites,
)
from assistant.answering.determination.facts import _E1_E2, _EMBARGO_NAME
from assistant.answering.exception_limits import (
    MIN_OVERLAP,
    RESTRICTS,
    distinctive,
    exception_facts,
    named_exceptions,
    restriction_overlap,
    sentence_words,
)
from assistant.answering.question_facts import EMBARGOES, foreign_places
from assistant.models import SearchResult
from assistant.retrieval.features import defined_terms
from assistant.text import chunk_sentences

_LEADING_MARKER = re.compile(r"^(?:\(\s*[A-Za-z0-9]{1,5}\s*\)\s*)+")  # "( iii ) "


def exception_limit_line(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> FindingLine | None:
    """The restriction in a named exception's own section that shares the question's facts
    ("STA may not be used for any item that is controlled for reason of encryption items" for
    5A002 routers under STA), read from the passages and the section itself; None when the
    question names no exception, asks what a term means, or no restriction shares a fact with
    it."""
    if _ASKS_MEANING.search(question) or defined_terms(question):
        return None  # what a term means under the exception ("lost 'effective control'?")
    for code, section in named_exceptions(question):
        basis = _restriction_sharing_facts(question, code, section, passages, lookup)
        if basis is not None:
            quote = _LEADING_MARKER.sub("", _quoted(basis))
            return FindingLine(
                "Exception limits",
                f"check {code}'s own restriction in 15 CFR {section}: “{quote}”",
                [basis],
            )
    return None


# A sentence that grants the exception: "authorizes", "may be exported", "are eligible".
_AUTHORIZES = re.compile(
    r"\b(?:authoriz\w*|may be (?:exported|reexported|made|used|shipped)|(?:is|are) eligible|"
    r"eligible (?:donors|commodities|items|end users|parties)|(?:is|are) permitted)\b",
    re.I,
)
# Facts an authorizing sentence must share with the case to be its terms (an ECCN counts
# three): two or three words shared say little in a long section, where every paragraph
# shares "export" and a place.
TERMS_OVERLAP = 5.0


def exception_terms_line(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> FindingLine | None:
    """The paragraph of the exception the question names that grants it for a case like this
    one: the authorizing sentence of its section sharing the most of the question's
    distinctive facts, at least TERMS_OVERLAP ("Eligible donors are U.S. charitable
    organizations that have an established record ..." for a newly founded charity's donation
    under GFT; GOV's "Contractor support personnel ... are eligible" for a contractor's
    engineers at a U.S. base). Retrieval, ranking by the whole message, often brings another
    paragraph of the section; the pointer alone ("see GFT, if its conditions are met") does not
    say which conditions."""
    if _ASKS_MEANING.search(question) or defined_terms(question):
        return None
    for code, section in named_exceptions(question)[:1]:
        sentences, facts = _exception_sentences(question, code, section, passages, lookup)
        best: tuple[float, Basis] | None = None
        for basis, words in sentences:
            sentence = _sentence(basis)
            if not _AUTHORIZES.search(sentence) or RESTRICTS.search(sentence):
                continue
            score = restriction_overlap(sentence, words, facts)
            if score >= TERMS_OVERLAP and (best is None or score > best[0]):
                best = (score, basis)
        if best is not None:
            quote = _LEADING_MARKER.sub("", _quoted(best[1]))
            return FindingLine(
                "Exception terms", f"{best[1].passage.citation}: “{quote}”", [best[1]]
            )
    return None


def _exception_sentences(
    question: str,
    code: str,
    section: str,
    passages: Sequence[SearchResult],
    lookup: Lookup | None,
) -> tuple[list[tuple[Basis, frozenset[str]]], tuple[set[str], set[str]]]:
    """The sentences of an exception's section (from the passages and the section itself), in
    its order, each with its words; and the question's facts that tell them apart. `code`, the
    symbol the question names the exception by, is not such a fact."""
    cited = f"15 CFR {section}"
    pool = _with_section(passages, lookup, section)
    chunks = sorted((p for p in pool if cites(p, cited)), key=lambda p: (p.doc_id, p.start))
    sentences = [
        (Basis(p, p.start + a, p.start + b), sentence_words(p.text[a:b]))
        for p in chunks
        for a, b in chunk_sentences(p.text)
    ]
    return sentences, distinctive(exception_facts(question, code), [w for _, w in sentences])


def _restriction_sharing_facts(
    question: str,
    code: str,
    section: str,
    passages: Sequence[SearchResult],
    lookup: Lookup | None,
) -> Basis | None:
    """The restriction of `section` (read from the passages and the section itself) that
    shares the most of the question's distinctive facts, at least MIN_OVERLAP of them, first
    in the section on a tie. `code`, the symbol the question names the exception by, is not a
    fact that picks out one of its sentences."""
    sentences, facts = _exception_sentences(question, code, section, passages, lookup)
    # (a case named by its destinations, none in E:1/E:2, is not reached by a restriction for
    # those groups alone; one going "abroad", "worldwide" or to "anyone" may be)
    embargoed = _names_e1_e2(question) or not _only_named_places(question)
    best: tuple[float, Basis] | None = None
    for basis, words in sentences:
        sentence = _sentence(basis)
        if not RESTRICTS.search(sentence):
            continue
        if not embargoed and _ONLY_E1_E2.search(sentence) and not _OTHER_GROUP.search(sentence):
            continue  # reaches only Country Groups E:1/E:2, which the case does not go to
        score = restriction_overlap(sentence, words, facts)
        if score >= MIN_OVERLAP and (best is None or score > best[0]):
            best = (score, basis)
    return best[1] if best is not None else None


_ONLY_E1_E2 = re.compile(r"\bCountry Groups?\s+E:[12]\b")
_OTHER_GROUP = re.compile(r"\b(?:Country Groups?\s+)?[A-D]:\d\b")


_ANYWHERE = re.compile(
    r"\b(?:abroad|overseas|worldwide|world-wide|anywhere|any country|all countries|globally|"
    r"global customers|foreign customers|anyone|download\w*)\b",
    re.I,
)


def _only_named_places(question: str) -> bool:
    """Whether the question sends things only to destinations it names ("to Germany"), not
    "abroad", "worldwide", to "anyone" or for download."""
    return bool(foreign_places(question)) and not _ANYWHERE.search(question)


def _names_e1_e2(question: str) -> bool:
    """Whether the question names a place in Country Group E:1 or E:2 (Cuba; Iran, North
    Korea, Syria) or the groups themselves."""
    return bool(re.search(r"\bE:[12]\b", question)) or any(
        EMBARGOES[m.group(0).lower()][0] in _E1_E2 for m in _EMBARGO_NAME.finditer(question)
    )

"""What takes an exception away: 740.2(a)'s restrictions on all License Exceptions for the item
and destination (`restriction_on_all_exceptions`), an exception's own scope sentence excepting
the destination (`excepted_destination`), or a rule making it unavailable there
(`made_unavailable`).

Apart because each overrides any exception pointer the other lines would give.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.determination.basis import (
    Basis,
    FindingLine,
    Lookup,
    _matching,
    _quoted,
    _section_of,
    _sentence,
    _with_section,
    find_sentence,
)
from assistant.answering.determination.exception_terms import _LEADING_MARKER
from assistant.answering.determination.facts import _D5_WORDS, _destinations, _sent_to
from assistant.answering.exception_limits import named_exceptions
from assistant.answering.question_facts import foreign_places
from assistant.models import SearchResult
from assistant.text import cached_pattern, chunk_sentences

# 740.2(a): restrictions on all License Exceptions that turn on the item and the destination.
_9X515_OR_600 = re.compile(r"\b(?:9[A-E]515|\d[A-E]6\d\d)(?:\.[a-z])?\b|\b600[- ]series\b", re.I)
_0Y521 = re.compile(r"\b0[A-E]521\b")
_D5_OR_HONG_KONG = re.compile(
    rf"{_D5_WORDS}|\b(?:russia|russian|belarus|iran|north korea|syria|venezuela|cuba|burma|"
    r"myanmar|cambodia|nicaragua|moscow|minsk|tehran|caracas|havana|iraq|baghdad|erbil|"
    r"basra|afghanistan|kabul|libya|tripoli|lebanon|beirut|somalia|sudan|zimbabwe|haiti|"
    r"eritrea)\b",
    re.I,
)
_BODY_ARMOUR = re.compile(r"\b1A613\.[cd]\b|\b1A613\b", re.I)
_HONG_KONG = re.compile(r"\bhong\s+kong\b|\bmacau\b", re.I)
_D5_NOT_HONG_KONG = re.compile(
    r"\b(?:china|prc|shanghai|beijing|shenzhen|wuxi|hefei|wuhan|nanjing|tianjin|xi'an|chengdu|"
    r"guangzhou|russia|belarus|iran|north korea|syria|venezuela|cuba|burma|myanmar|cambodia|"
    r"nicaragua|moscow|minsk|tehran|caracas|havana|iraq|baghdad|erbil|basra|afghanistan|"
    r"kabul|libya|tripoli|lebanon|beirut|somalia|sudan|zimbabwe|haiti|eritrea)\b",
    re.I,
)
_RESTRICTION_600 = re.compile(
    r"\bdescribed in a 9x515 or .600 series. ECCN and is destined to\b", re.I
)
_RESTRICTION_0Y521 = re.compile(r"\bmay only be authorized by License Exception GOV\b", re.I)
# 740.2(a)(25): the regional-stability items of 742.6(a)(12) to Pakistan
_PAKISTAN_RS_ITEM = re.compile(
    r"\b(?:1B999|2A992|2B999(?!\.h\.2)|3A992|3A999|6A996)(?:\.[a-z0-9]+)*\b", re.I
)
_RESTRICTION_PAKISTAN = re.compile(
    r"\bNo license exception is available for the export, reexport, or transfer \(in-country\) "
    r"to or within Pakistan\b",
    re.I,
)


def excepted_destination(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> FindingLine | None:
    """The exceptions the question names whose own section excepts the place the item goes
    ("License Exception GBS authorizes exports ... to Country Group B ..., except Sudan and
    Ukraine"): "no GBS or TSR for Ukraine", resting on those sentences. A colleague's "Ukraine
    is in Country Group B" is answered by the section's own exception to it."""
    places = {x.lower(): x for x in _destinations(question)}
    if not places:
        return None
    barred: list[tuple[str, str, Basis]] = []
    for code, section in named_exceptions(question):
        pool = _with_section(passages, lookup, section)
        for basis in _matching(pool, f"15 CFR {section}", _AUTHORIZES_EXCEPT):
            m = _EXCEPT_PLACES.search(_sentence(basis))
            named = [x.strip() for x in re.split(r",\s*|\s+(?:and|or)\s+", m.group(1))] if m else []
            hit = next((places[x.lower()] for x in named if x.lower() in places), None)
            if hit is not None:
                barred.append((code, hit, basis))
                break
    if not barred:
        return None
    codes = " or ".join(dict.fromkeys(code for code, _, _ in barred))
    where = " or ".join(dict.fromkeys(place for _, place, _ in barred))
    cited = " and ".join(dict.fromkeys(_section_of(b.passage) for _, _, b in barred))
    clause = _EXCEPT_PLACES.search(_sentence(barred[0][2]))
    assert clause is not None
    return FindingLine(
        "Licence exceptions",
        f"no {codes} for {where} — 15 CFR {cited} "
        + ("leave it out" if " and " in cited else "leaves it out")
        + f" (“{clause.group(0)}”)",
        [b for _, _, b in barred],
    )


def made_unavailable(question: str, passages: Sequence[SearchResult]) -> FindingLine | None:
    """The exceptions the question names that an official passage about its destination says
    a rule made unavailable ("Removing Nicaragua from Country Group B ... The license exceptions
    made unavailable in full are: Shipments of limited value (LVS) ...; ... (GBS) ..."): "no GBS
    or LVS for Nicaragua", resting on that sentence, instead of a pointer to them. Only the
    regulation or a Federal Register rule says so, and only in a passage naming the place."""
    named = [code for code, _ in named_exceptions(question)]
    places = foreign_places(question)
    if not named or not places:
        return None
    for p in passages:
        if str(p.metadata.get("doc_type") or "") not in ("regulation", "federal_register"):
            continue
        place = next(
            (x for x in places if cached_pattern(rf"\b{re.escape(x)}\b").search(p.text)), None
        )
        if place is None:
            continue
        for a, b in chunk_sentences(p.text):
            sentence = p.text[a:b]
            if not _MADE_UNAVAILABLE.search(sentence):
                continue
            codes = [c for c in named if cached_pattern(rf"\b{c}\b").search(sentence)]
            if not codes:
                continue
            basis = Basis(p, p.start + a, p.start + b)
            quote = _LEADING_MARKER.sub("", _quoted(basis))
            them = "them" if len(codes) > 1 else "it"
            return FindingLine(
                "Licence exceptions",
                f"no {' or '.join(codes)} for {place} — {p.citation} made {them} unavailable "
                f"(“{quote}”)",
                [basis],
            )
    return None


_MADE_UNAVAILABLE = re.compile(
    r"\b(?:made|are|is|becomes?|became|were|will\s+be)\s+(?:no\s+longer\s+)?unavailable\b|"
    r"\bno\s+longer\s+(?:be\s+)?available\b",
    re.I,
)


# An exception's own scope sentence, naming the places it leaves out
_AUTHORIZES_EXCEPT = re.compile(r"\b(?:authoriz|permits?\b)[^;]{0,500}?\bexcept\s+[A-Z]", re.I)
_EXCEPT_PLACES = re.compile(
    r"\bexcept\s+([A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*"
    r"(?:(?:,\s*|,?\s+(?:and|or)\s+)[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)*)"
)


def restriction_on_all_exceptions(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> FindingLine | None:
    """The line 740.2(a) gives for the item and destination the question names, whatever
    exception it asks about: a 9x515 or "600 series" item to Country Group D:5 or Hong Kong may
    go under GOV only ((a)(12)); a 0Y521 item under GOV or its own supplement no. 5 exception
    only ((a)(14)). None when neither applies or the corpus lacks the paragraph."""
    military = bool(_9X515_OR_600.search(question) and _D5_OR_HONG_KONG.search(question))
    pakistan = bool(_PAKISTAN_RS_ITEM.search(question)) and "Pakistan" in _destinations(question)
    if not military and not pakistan and not _0Y521.search(question):
        return None  # (read 740.2 only when one of its paragraphs may apply)
    pool = _with_section(passages, lookup, "740.2")
    if pakistan:
        basis = find_sentence(pool, "15 CFR 740.2", _RESTRICTION_PAKISTAN)
        if basis is not None:
            item = _PAKISTAN_RS_ITEM.search(question)
            assert item is not None
            return FindingLine(
                "Licence exceptions",
                "none but TMP (only under 15 CFR 740.9(a)(1), (a)(4), (a)(5), (a)(10), (b)(2) "
                "and (b)(3)), RPL (15 CFR 740.10) or GOV (15 CFR 740.11(a), (b) or (d)) — "
                f"{item.group(0).upper()} items going to Pakistan are excluded from every other "
                "exception (15 CFR 740.2(a)(25))",
                [basis],
            )
    if military:
        basis = find_sentence(pool, "15 CFR 740.2", _RESTRICTION_600)
        if basis is not None:
            # (a)(12)(i): GOV only for an item destined to Country Group D:5 itself; to Hong
            # Kong, or from or made in either and bound elsewhere, no exception at all
            sent = _sent_to(question)
            to_d5 = bool(_D5_NOT_HONG_KONG.search(_HONG_KONG.sub(" ", sent)))
            armour = to_d5 and bool(_BODY_ARMOUR.search(question))
            return FindingLine(
                "Licence exceptions",
                "none but GOV (15 CFR 740.11(b)(2)), and for 1A613.c or .d helmets and body "
                "armour TMP (15 CFR 740.9(a)(11)) or BAG (15 CFR 740.14(h)(2)) — a 9x515 or 600 "
                "series item going to Country Group D:5 is excluded from every other exception "
                "(15 CFR 740.2(a)(12)(i), (ii))"
                if armour
                else "none but GOV (15 CFR 740.11(b)(2)) — a 9x515 or 600 series item going to "
                "Country Group D:5 is excluded from every other exception (15 CFR 740.2(a)(12), "
                "(a)(12)(i))"
                if to_d5
                else "none — a 9x515 or 600 series item destined to, shipped from or made in "
                "Country Group D:5 or Hong Kong is excluded from every License Exception, and "
                "GOV is allowed only for one destined to D:5 (15 CFR 740.2(a)(12))",
                [basis],
            )
    if _0Y521.search(question):
        basis = find_sentence(pool, "15 CFR 740.2", _RESTRICTION_0Y521)
        if basis is not None:
            return FindingLine(
                "Licence exceptions",
                "only GOV (15 CFR 740.11(b)(2)(ii)) or an exception supplement no. 5 to part 774 "
                "names for the 0Y521 item (15 CFR 740.2(a)(14))",
                [basis],
            )
    return None

"""CCL requirements for a named ECCN: a part 742 paragraph naming the ECCN with the place it goes
(`destination_ccl_rule`, 742.6(a)(12)) or requiring a licence to every destination
(`worldwide_ccl_rule`, 742.6(a)(6)(iii)(A), 742.11(a)).

Apart because the ECCN alone decides these, before the Country Chart would.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.determination.basis import (
    Basis,
    Finding,
    FindingLine,
    Lookup,
    _matching,
    _section_of,
    _sentence,
    _with_section,
    find_sentence,
    section_chunks,
)
from assistant.answering.determination.facts import _ECCN, _destinations, _whole_eccn
from assistant.models import SearchResult
from assistant.text import cached_pattern, chunk_sentences

# A licence requirement the CCL-based controls state for named ECCNs whatever the destination:
# "(A) Worldwide license requirement. A license is required to export ... items specified in
# ECCNs ...; 3A090.a; ..." (742.6(a)(6)(iii)(A)), "a license is required to export any commodity
# controlled by ECCN 0A983 to all destinations" (742.11(a)). Not one with exceptions ("to all
# destinations except Country Group A:1"): then the destination decides.
# ("to any destination", never "to any destination in Country Group D:5" or "listed in ...")
_WORLDWIDE = re.compile(
    r"\bworldwide\b|\b(?:to|for) (?:all|any) destinations?\b"
    r"(?!\s+(?:in|listed|specified|named|identified|within)\b)",
    re.I,
)
# a sentence that narrows what it says or says no licence is required
_NOT_EVERYWHERE = re.compile(
    r"\b(?:except|other than|unless)\b"
    r"|\bno licen[cs]e is required\b|\blicen[cs]e is not required\b",
    re.I,
)
_LICENCE_REQUIRED = re.compile(r"\blicen[cs]e is required\b", re.I)


def _eccn_named(eccn: str) -> re.Pattern[str]:
    """The ECCN as a list of them writes it ("3A090.a;"), not a longer one ("3A090.a.1") nor a
    part of another ("13A090")."""
    return cached_pattern(rf"(?<![\w.]){re.escape(eccn)}(?![\w]|\.[a-z0-9])", re.I)


def destination_ccl_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """An ECCN the question sends to a place that a part 742 paragraph names together: "yes",
    resting on that sentence ("RS requirements that apply to Pakistan. A license is required to
    export ... to or within Pakistan the following items: ... 2A992 ..."), unless the sentence
    excepts the item ("2B999 ..., except 2B999.h.2"). The Country Chart would only say
    "depends" on a column the paragraph has already settled."""
    eccns = [e for e in dict.fromkeys(_ECCN.findall(question)) if not re.match(r"EAR", e, re.I)]
    places = _destinations(question)
    if not eccns or not places:
        return None
    for eccn in eccns:
        stem = eccn[:5]
        pool = list(passages)
        if lookup is not None:
            pool += lookup(f"15 CFR 742 a license is required to or within {places[0]} {stem}")
        for basis in _matching(pool, "15 CFR 742", _LICENCE_REQUIRED):
            sentence = _sentence(basis)
            place = next(
                (x for x in places if re.search(rf"\bto or within {re.escape(x)}\b", sentence)),
                None,
            )
            named = _eccn_named(stem).search(sentence)
            if place is None or named is None or _EXCEPT_BEFORE.search(sentence[: named.start()]):
                continue
            if eccn != stem and re.search(rf"\bexcept\s+{re.escape(eccn)}\b", sentence, re.I):
                continue  # "2B999 ..., except 2B999.h.2"
            # ("2B999 (...), except 2B999.h.2;": what the item's own entry leaves out)
            entry = sentence[named.end() :].split(";", 1)[0]
            excepted = re.search(rf"\bexcept\s+({re.escape(stem)}\.[\w.]*\w)", entry, re.I)
            unless = f" (not {excepted.group(1)})" if excepted and eccn == stem else ""
            return Finding(
                "yes",
                f"Licence requirement for {place} ({basis.passage.citation})",
                [
                    FindingLine(
                        "Licence required",
                        f"yes — {basis.passage.citation} requires a licence for {stem} items"
                        f"{unless} to or within {place}",
                        [basis],
                    )
                ],
                [],
                True,
            )
    return None


_EXCEPT_BEFORE = re.compile(r"\bexcept\s+(?:for\s+)?$", re.I)


def _worldwide_sentences(
    eccn: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> tuple[list[SearchResult], list[tuple[list[Basis], str]]]:
    """The passages searched for `eccn` (the question's and the lookup's) and their part 742
    sentences requiring a licence to every destination, with no exception: the sentence says
    so ("to all destinations"), or follows a "Worldwide license requirement" heading. A
    sentence its chunk leaves open goes on in the next chunks of the section the pool holds
    (742.6(a)(6)(iii)(A) lists its ECCNs over three): its bases are then each chunk's part."""
    pool = list(passages)
    if lookup is not None:
        pool += lookup(f"15 CFR 742 worldwide license requirement {eccn} all destinations")
        # and the part 742 sections those passages come from, read in their order (those naming
        # the ECCN first): a list naming many ECCNs ranks low for any one of them
        # (742.6(a)(6)(iii)(A) names 4A090 after eleven others, and no query for 4A090 brings it)
        have = {p.chunk_id for p in pool}
        ranked = sorted(
            (p for p in pool if p.citation.startswith("15 CFR 742.")),
            key=lambda p: eccn[:5] not in p.text,
        )
        sections = list(dict.fromkeys(_section_of(p) for p in ranked))[:_SECTIONS_READ]
        for section in sections:
            for chunk in section_chunks(lookup, section):
                if chunk.chunk_id not in have:
                    have.add(chunk.chunk_id)
                    pool.append(chunk)
    found = []
    for basis in _matching(pool, "15 CFR 742", _LICENCE_REQUIRED):
        p = basis.passage
        sentence = p.text[basis.start - p.start : basis.end - p.start]
        before = p.text[max(0, basis.start - p.start - 60) : basis.start - p.start]
        worldwide = _WORLDWIDE.search(sentence) or re.search(
            r"worldwide licen[cs]e requirement\W*$", before, re.I
        )
        if worldwide and not _NOT_EVERYWHERE.search(sentence):
            bases, whole = _run_on(basis, sentence, pool, lookup)
            if not _NOT_EVERYWHERE.search(whole):  # ("... to all destinations except ...")
                found.append((bases, whole))
    return pool, found


# Part 742 sections read whole for a worldwide sentence, at most
_SECTIONS_READ = 4
# A chunk cut inside a sentence is followed by the next after one space; a blank line (a gap of
# two) is a new paragraph, and so is a chunk opening with a paragraph's designator.
_CHUNK_GAP = 1
_OPENS_PARAGRAPH = re.compile(r"\s*\(\s*[A-Za-z0-9]{1,4}\s*\)\s")
# How many chunks after its own one sentence may run on over
_MAX_RUN_ON = 4


def _citing(bases: list[Basis], paragraphs: Sequence[str]) -> list[Basis]:
    """Of a sentence's parts, the opening one (it says a licence is required) and, when that
    does not name the item, the first part that does: what a reader needs to check the line.
    A paragraph written short ("z.2.a" after "3A001.z.1.a") counts where its ECCN is named."""

    def naming(b: Basis) -> bool:
        text = _sentence(b)
        for name in paragraphs:
            eccn, _, rest = name.partition(".")
            if _eccn_named(name).search(text):
                return True
            stem = cached_pattern(rf"(?<![\w.]){re.escape(eccn)}(?!\w)", re.I)
            if rest and stem.search(text) and _eccn_named(rest).search(text):
                return True
        return False

    if naming(bases[0]):
        return bases[:1]
    first = next((b for b in bases[1:] if naming(b)), None)
    return bases[:1] + [first] if first is not None else bases  # (none naming it: all)


def _run_on(
    basis: Basis, sentence: str, pool: Sequence[SearchResult], lookup: Lookup | None
) -> tuple[list[Basis], str]:
    """The sentence with what the next chunks of its text add to it (from `pool`, else its
    section read in order), while it runs to its chunk's end without a full stop; each chunk's
    part is a basis."""
    bases, whole = [basis], sentence
    section: list[SearchResult] | None = None
    while len(bases) <= _MAX_RUN_ON and not re.search(r"\.[\"”’')\]]*\s*$", whole):
        last = bases[-1]
        if last.end < last.passage.end - 3:
            break  # the sentence ends inside its chunk (before its trailing spaces)

        def follows(p: SearchResult, last: Basis = last) -> bool:
            # (not by citation: the chunker may cite a list's last chunk by its parent)
            return (
                p.doc_id == last.passage.doc_id
                and 0 <= p.start - last.passage.end <= _CHUNK_GAP
                and not _OPENS_PARAGRAPH.match(p.text)
            )

        nxt = next((p for p in pool if follows(p)), None)
        if nxt is None and lookup is not None:
            if section is None:
                section = section_chunks(lookup, _section_of(last.passage))
            nxt = next((p for p in section if follows(p)), None)
        spans = chunk_sentences(nxt.text) if nxt is not None else ()
        if nxt is None or not spans:
            break
        a, b = spans[0]
        bases.append(Basis(nxt, nxt.start + a, nxt.start + b))
        whole = f"{whole} {nxt.text[a:b]}"
    return bases, whole


def worldwide_ccl_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """An ECCN the question gives that a part 742 provision requires a licence for to every
    destination: "yes", resting on that sentence (its heading's "Worldwide" counts when the
    sentence follows it). The sentence may name the ECCN (742.11's 0A983) or a reason for
    control ("for ECCNs having an "SL" under the "Reason for Control" paragraph", 742.13(a)(1)):
    then the same section's sentence naming the ECCN (742.13(d)'s 5A980) is the second basis."""
    eccns = _question_eccns(question)
    if not eccns:
        return None
    for whole in eccns:
        named = _named_at_any_level(whole)
        pool, found = _worldwide_sentences(whole, passages, lookup)
        for sentence_bases, sentence in found:
            p = sentence_bases[0].passage
            section = _section_of(p)
            bases = list(sentence_bases)
            level = _unqualified(named, sentence)
            # (the paragraph as the sentence names it: "3A090.a" for "3A090.a.1 chips"; or
            # as it lists it written short: "z.2.a" after "3A001.z.1.a")
            listed = _paragraphs_listed(sentence, whole[:5])
            short = [x for x in _levels(whole) if x in listed]
            if level is None and not short and _qualified(named, sentence):
                continue  # "3D001 (for “software” for ... 3A001.z.1.a)": only some of it
            eccn = level.group(0) if level else short[0] if short else _one_level(whole)
            if level or short:
                bases = _citing(bases, [eccn])
                text = (
                    f"yes — {p.citation} requires a licence for items in ECCN {eccn} to every "
                    "destination"
                )
            else:
                reason = _BY_REASON.search(sentence)
                naming = (
                    find_sentence(_with_section(pool, lookup, section), f"15 CFR {section}", named)
                    if reason is not None
                    else None
                )
                if reason is None or naming is None:
                    continue
                bases.append(naming)
                included = _INCLUDED.search(sentence)
                also = f"{included.group(1)} included, " if included else ""
                text = (
                    f"yes — {p.citation} requires a licence to every destination, {also}"
                    f"for ECCNs controlled for {reason.group(1)} reasons, and "
                    f"{naming.passage.citation} names ECCN {eccn} among its items"
                )
            lines = [FindingLine("Licence required", text, bases)]
            policy = _section_policy(_with_section(pool, lookup, section), section)
            if policy is not None:
                lines.append(policy)
            return Finding(
                "yes", f"CCL-based controls (15 CFR {section})", lines, [], operative=True
            )
    return None


def _question_eccns(question: str) -> list[str]:
    """The ECCNs the question gives, each to its last paragraph ("3A001.z.1.a"), not EAR99."""
    return list(
        dict.fromkeys(
            _whole_eccn(question, m)
            for m in _ECCN.finditer(question)
            if not re.match(r"EAR", m.group(0), re.I)
        )
    )


def _one_level(eccn: str) -> str:
    """ "3A001.z.1.a" -> "3A001.z" (what `_ECCN` reads)."""
    return ".".join(eccn.split(".")[:2])


def _levels(eccn: str) -> list[str]:
    """The ECCN and each paragraph above it, deepest first: "3A001.z.1.a", "3A001.z.1",
    "3A001.z", "3A001"."""
    parts = eccn.split(".")
    return [".".join(parts[:n]) for n in range(len(parts), 0, -1)]


def _named_at_any_level(eccn: str) -> re.Pattern[str]:
    """A sentence naming the ECCN or a paragraph above it as a list names an entry (then the
    item is within what it names), never a longer one nor a part of another."""
    levels = "|".join(re.escape(x) for x in _levels(eccn))
    return cached_pattern(rf"(?<![\w.])(?:{levels})(?![\w]|\.[a-z0-9])", re.I)


_FURTHER_PARAGRAPHS = re.compile(
    r"(?:(?:,\s*(?:or\s+|and\s+)?|\s+(?:or|and)\s+)"
    r"(?:\.[a-z](?:\.[a-z0-9]+)*|[a-z](?:\.[a-z0-9]+)+)(?![\w]))*"
)


def worldwide_paragraphs(
    eccn: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> tuple[list[str], list[Basis]] | None:
    """Paragraphs of `eccn` that a part 742 provision requires a licence for to every
    destination when the question gives the ECCN without them ("3A090 chips": the worldwide
    requirement names 3A090.a, 742.6(a)(6)(iii)(A)), with that sentence; None when there is no
    such sentence or it names `eccn` itself (then `worldwide_ccl_rule` says "yes"). Which
    paragraph the item is in is then the deciding fact the answer names."""
    for bases, sentence in _worldwide_sentences(eccn, passages, lookup)[1]:
        listed = _paragraphs_listed(sentence, eccn[:5])
        named_here = _named_at_any_level(eccn)
        if _unqualified(named_here, sentence) or set(_levels(eccn)) & set(listed):
            return None  # it names the item's own paragraph: `worldwide_ccl_rule` says "yes"
        # (only what lies within the question's paragraph: "3A001.z.1" is not "3A001.z.2.a")
        named = [n for n in listed if n.lower().startswith(f"{eccn.lower()}.")]
        if named:
            return named, _citing(bases, named)
        qualified = _qualified(named_here, sentence)
        if qualified is not None:
            return [qualified], _citing(bases, [qualified])  # "3D001 (for “software” ...)"
    return None


# "3D001 (for “software” for commodities controlled by 3A001.z.1.a, ...)": the entry names the
# ECCN only for what its parenthesis says
_FOR_ONLY = re.compile(r"\s*\(\s*for\b", re.I)


def _unqualified(named: re.Pattern[str], sentence: str) -> re.Match[str] | None:
    """The first place the sentence names the ECCN as a whole entry, not "(for ...)" some of
    it."""
    whole = (m for m in named.finditer(sentence) if not _FOR_ONLY.match(sentence, m.end()))
    return next(whole, None)


def _qualified(named: re.Pattern[str], sentence: str) -> str | None:
    """The ECCN as the sentence names it for some of it only, with its parenthesis: "3D001
    (for “software” for commodities controlled by 3A001.z.1.a, z.2.a, or 3A090.a)"."""
    for m in named.finditer(sentence):
        prefix = sentence[: m.start()]
        if prefix.count("(") > prefix.count(")"):
            continue  # inside another entry's parenthesis: "5E002 (for ... 5D002 (for ...))"
        if _FOR_ONLY.match(sentence, m.end()):
            depth, end = 0, m.end()
            for i in range(m.end(), min(len(sentence), m.end() + 400)):
                depth += {"(": 1, ")": -1}.get(sentence[i], 0)
                if depth == 0 and sentence[i] == ")":
                    end = i + 1
                    break
            if end > m.end():
                return sentence[m.start() : end]
    return None


def _paragraphs_listed(sentence: str, stem: str) -> list[str]:
    """The paragraphs of ECCN `stem` a sentence lists, written out: "3A001.z.1.a, z.2.a" gives
    3A001.z.1.a and 3A001.z.2.a; "1C351.d.15 or .d.16" gives 1C351.d.15 and 1C351.d.16."""
    below = cached_pattern(rf"(?<![\w.]){re.escape(stem)}(?:\.[a-z0-9]+)+(?![\w])", re.I)
    named: list[str] = []
    for m in below.finditer(sentence):
        named.append(m.group(0))
        tail = _FURTHER_PARAGRAPHS.match(sentence, m.end())
        for more in re.split(r",|\s+(?:or|and)\s+", tail.group(0) if tail else ""):
            more = re.sub(r"^(?:or|and)\s+", "", more.strip()).lstrip(".")
            if more:
                named.append(f"{stem}.{more}")
    return list(dict.fromkeys(named))


# "for ECCNs having an “SL” under the “Reason for Control” paragraph"
_BY_REASON = re.compile(r"\bECCNs having an?\s+\W?([A-Z]{2,3}\d?)\W?\s+under the\b")
_INCLUDED = re.compile(r"\bincluding\s+((?:[A-Z][\w ]+?,\s+)*(?:and\s+)?(?:the\s+)?[A-Z][\w ]+?),")
_OTHERS = re.compile(r"\W*(?:\(\s*\w+\s*\)\s*)*Other\b")
_GENERALLY = re.compile(r"\bwill generally be (approved|denied)\b", re.I)


def _section_policy(pool: Sequence[SearchResult], section: str) -> FindingLine | None:
    """The section's own licensing policy, when it says which applications "will generally be
    approved" and which "denied" (742.13(b)): the first sentence of each kind."""
    found: dict[str, Basis] = {}
    for b in _matching(pool, f"15 CFR {section}", _GENERALLY):
        kind = _GENERALLY.search(_sentence(b))
        if kind is None:
            continue
        k = kind.group(1).lower()
        # the denial for "Other license applications" is the rule for the rest, not one for
        # a group of countries
        if k not in found or (k == "denied" and _OTHERS.match(_sentence(b))):
            found[k] = b
    if not found:
        return None
    if len(found) == 2:
        said = (
            f"generally approved only for the applicants 15 CFR {section} names, otherwise "
            "generally denied"
        )
    else:
        said = f"generally {next(iter(found))} (15 CFR {section})"
    return FindingLine(
        "Review policy",
        said,
        [found[k] for k in ("approved", "denied") if k in found],
    )

"""The License Exceptions a sanctions section lists, read item by item.

Part 746 answers "which exceptions are left?" with a list: 746.8(c)(2) "No license exceptions
may overcome the license requirements ... except the following:" and then eight items, (i) TMP
for the news media through (viii) MED, spread over five chunks; 746.2(a)(1), 746.4(c), 746.6(c)
and 746.9(b) do the same. A bottom line that says only "only those 746.8(c) lists" leaves the
reader to find the list, and a quote of the paragraph stops after (i) because the items are
long. The names are short: the determination can say them ("TMP (for items for use by the news
media), GOV, TSU, BAG (excluding firearms and ammunition), ...") and say that the exception the
question names (GFT for a gift to Russia) is not among them.

A list is read only when it is whole: every item names an exception by its symbol, and the list
ends where the section goes on to a paragraph at the stem's level or higher (or to a note). A
gap between two chunks (one the caller may not read) ends the reading without a list: "not
among them" is never said of a list partly seen.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assistant.answering.continuation import ADJOIN_GAP
from assistant.answering.exception_limits import EXCEPTION_SECTIONS
from assistant.answering.quotes import KIND_RANK, designator_rank, ends_open, marker_kind
from assistant.models import SearchResult
from assistant.text import paragraph_spans, sentence_spans

_CODES = "|".join(EXCEPTION_SECTIONS)
# "(iv) License Exception BAG, ...", "(vi) Baggage (BAG) (see § 740.14 ...)", "(3) GFT, except"
_SYMBOL = re.compile(
    rf"\bLicense Exception\s+(?P<a>{_CODES})\b|\((?P<b>{_CODES})\)|"
    rf"^\(\s*\w{{1,4}}\s*\)\s*(?P<c>{_CODES})\b"
)
_SYMBOL_WITHIN = 160  # characters of an item where its symbol must be
# ... or, without one, its reference to the exception's section: "(xi) Permissive reexports of
# certain spare parts in foreign-made equipment (see § 740.16(h) of the EAR)" is APR.
_SECTION_REF = re.compile(r"§\s*(740\.\d+)\b")
_CODE_OF = {section: code for code, section in reversed(EXCEPTION_SECTIONS.items())}
# What narrows an exception inside the list: "excluding firearms and ammunition", "except that
# GFT is not available to export ... luxury goods", "provided that such exports will not support
# the Syrian police".
# It must run to the item's reference or its end ("provided that such export, reexport, or
# transfer (in-country) ..." is not cut at its parenthesis).
_LIMIT = re.compile(
    r"\b(?:excluding|except that|provided that|other than)\b[^();§]*"
    r"(?=\(\s*(?:§|see\b)|[.;]?\s*$)",
    re.I,
)
# What it is for, when that is short and all the item says before its reference: "for items
# for use by the news media" (then only "as set forth in § 740.9(a)(9) of the EAR."). A purpose
# that goes on ("for operation technology ... as set forth in § 740.13(a) and sales technology
# ...", "for civil end-users that are wholly-owned U.S. subsidiaries, branches, ...") is not cut.
_PURPOSE = re.compile(
    r"^\s*,?\s*(?P<p>for\s[^();§,]*?)\s*"
    r"(?:(?:as set forth in|pursuant to(?: the provisions (?:of|in))?|see)\s*)?"
    r"\(?\s*§+\s*[\d.()a-z, ]+?(?:\s*of the EAR)?\s*\)?\s*[.;]?\s*$"
)
MAX_LIMIT_WORDS = 28
MAX_PURPOSE_WORDS = 16

_Block = tuple[SearchResult, int, int]  # a passage and a paragraph's span (document offsets)


@dataclass(frozen=True)
class ListedException:
    """One item of a section's list of exceptions: its symbol, what narrows it (verbatim
    words of the item, or ""), and the item's first sentence as the span to cite."""

    code: str
    qualifier: str
    purpose: bool  # the qualifier says what the exception is for, not what it excludes
    passage: SearchResult
    start: int  # the item's first sentence (document offsets)
    end: int


def listed_exceptions(
    stem: SearchResult, stem_start: int, chunks: Sequence[SearchResult]
) -> list[ListedException]:
    """The exceptions listed under the paragraph holding `stem_start` (document offset) of
    passage `stem`, read through the following `chunks` of the same document; [] when what
    follows is not a whole list of exceptions."""
    blocks = _blocks(stem, chunks)
    at = next(
        (i for i, b in enumerate(blocks) if b is not None and b[1] <= stem_start < b[2]), None
    )
    if at is None:
        return []
    stem_rank = designator_rank(_text(blocks[at]))
    item_kind: str | None = None
    items: list[_Block] = []
    ended = False
    for block in blocks[at + 1 :]:
        if block is None:
            return []  # a chunk missing between two read ones: the list is not seen whole
        kind = marker_kind(_text(block))
        if kind is None or KIND_RANK[kind] <= stem_rank:
            ended = True
            break
        if item_kind is None:
            item_kind = kind
        if kind != item_kind:
            if KIND_RANK[kind] > KIND_RANK[item_kind]:
                continue  # an item's own sub-items
            ended = True
            break
        items.append(block)
    if len(items) < 2 or (not ended and ends_open(_text(items[-1]))):
        return []  # (chunks ran out inside a list still open: not seen whole)
    found = []
    for p, s, e in items:
        text = p.text[s - p.start : e - p.start]
        first = sentence_spans(text)
        a, b = first[0] if first else (0, len(text))
        m = _SYMBOL.search(text[:_SYMBOL_WITHIN])
        ref = _SECTION_REF.search(text[a:b])
        if m is not None:
            code = m.group("a") or m.group("b") or m.group("c")
        else:
            code = _CODE_OF.get(ref.group(1), "") if ref is not None else ""
        if not code:
            return []  # not a list of exceptions (746.8(b)(3)'s kinds of applications)
        qualifier, purpose = _qualifier(text[m.end() : b]) if m is not None else ("", False)
        found.append(
            ListedException(
                code=code,
                qualifier=qualifier,
                purpose=purpose,
                passage=p,
                start=s + a,
                end=s + b,
            )
        )
    return found


def names(
    listed: Sequence[ListedException], titles: Mapping[str, str] | None = None
) -> tuple[str, list[ListedException]]:
    """The list as a determination says it ("TMP (for items for use by the news media), GOV,
    BAG (excluding firearms and ammunition)"), and the items whose words it shows (to cite).

    A symbol listed twice (746.2's three TSU items) is said once, without words (each item
    narrows it differently). A purpose that only restates the exception's own title (`titles`:
    symbol -> its part 740 heading) is left out: "GFT (for gift parcels and humanitarian
    donations)" says nothing "GFT" does not."""
    seen: dict[str, list[ListedException]] = {}
    for x in listed:
        seen.setdefault(x.code, []).append(x)
    said, shown = [], []
    for code, items in seen.items():
        x = items[0]
        title = (titles or {}).get(code, "")
        if (
            len(items) == 1
            and x.qualifier
            and not (x.purpose and _words(x.qualifier) & _words(title))
        ):
            said.append(f"{code} ({x.qualifier})")
            shown.append(x)
        else:
            said.append(code)
    return ", ".join(said), shown


def _words(text: str) -> set[str]:
    return {w.lower().rstrip("s") for w in re.findall(r"[A-Za-z]{4,}", text)} - _COMMON


# words any exception's purpose may share with any title
_COMMON = frozenset({"item", "export", "reexport", "transfer", "license", "exception"})


def _qualifier(after: str) -> tuple[str, bool]:
    """What narrows the exception, from the item's words after its symbol (first sentence),
    and whether it is a purpose ("for ...") rather than a limit ("excluding ...")."""
    limit = _LIMIT.search(after)
    if limit is not None:
        words = limit.group(0).strip(" ,.").split()
        return (" ".join(words), False) if len(words) <= MAX_LIMIT_WORDS else ("", False)
    purpose = _PURPOSE.search(after)
    if purpose is not None:
        words = purpose.group("p").strip(" ,.").split()
        if len(words) <= MAX_PURPOSE_WORDS:
            return " ".join(words), True
    return "", False


def _blocks(stem: SearchResult, chunks: Sequence[SearchResult]) -> list[_Block | None]:
    """The paragraphs of the stem's chunk and the chunks after it, in document order, each
    once; None where a chunk that should adjoin is missing."""
    same = {c.chunk_id: c for c in [stem, *chunks] if c.doc_id == stem.doc_id}
    ordered = sorted(
        (c for c in same.values() if c.end > stem.start), key=lambda c: (c.start, c.end)
    )
    blocks: list[_Block | None] = []
    reached = ordered[0].start if ordered else 0
    for c in ordered:
        if c.start > reached + ADJOIN_GAP:
            blocks.append(None)
        for s, e in paragraph_spans(c.text):
            if c.start + s >= reached:
                blocks.append((c, c.start + s, c.start + e))
        reached = max(reached, c.end)
    return blocks


def _text(block: _Block | None) -> str:
    if block is None:
        return ""
    p, s, e = block
    return p.text[s - p.start : e - p.start]

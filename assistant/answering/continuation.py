"""The rest of a list a quote leaves open at the end of its chunk.

A regulation paragraph can run past the chunk that holds its start: 746.8(a)(12)(ii) lists
the civil end users it excludes in (A) through (E), and the chunk ends after (B); 734.10(b)
names its conditions in (b)(1)(i)-(iii) and (b)(2), and the chunk ends at "(ii) ...; or". A quote
that stops there hides the item that may decide the case (the third grading's Moscow
subsidiary of a French company turns on (D)). So when a quoted provision ends its chunk still
open (its last item ends in ";", "; or", ", and" or ":"), the next chunk of the same section
supplies the items that follow, up to the one that closes the list.

The continuation is its own citation of that next chunk (its own span, verified on its own):
every citation stays inside one stored chunk, as the passage viewer and the Slack "show
passage" button require.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from assistant.answering.quotes import MAX_QUOTE, ends_open, marker_level
from assistant.models import SearchResult
from assistant.text import paragraph_spans

_SECTION = re.compile(r"15 CFR (\d{3}\.\d+[a-z]?)")
_RESERVED = re.compile(r"^\(\s*\w{1,4}\s*\)(?:\s*-\s*\(\s*\w{1,4}\s*\))?\s*\[Reserved\]\.?$")
_GAP = 4  # at most this many characters (the blank line) between two chunks that adjoin


def next_chunk(
    p: SearchResult, section_reader: Callable[[str], Sequence[SearchResult]]
) -> SearchResult | None:
    """The chunk of the same regulation document that starts where `p` ends."""
    if p.metadata.get("doc_type") != "regulation":
        return None
    m = _SECTION.match(p.citation)
    if m is None:
        return None
    after = [
        c
        for c in section_reader(m.group(1))
        if c.doc_id == p.doc_id and p.end <= c.start <= p.end + _GAP
    ]
    return min(after, key=lambda c: c.start) if after else None


def continuation(
    p: SearchResult,
    end: int,
    section_reader: Callable[[str], Sequence[SearchResult]] | None,
) -> tuple[SearchResult, int, int] | None:
    """The next chunk and the span (document offsets) of the items that continue the list the
    quote ending at `end` leaves open at the end of `p`; None when the quote is closed, does
    not reach the chunk's end, or the next chunk opens something else (a paragraph of a
    higher level than the open list's items)."""
    if section_reader is None or p.text[end - p.start :].strip():
        return None
    blocks = paragraph_spans(p.text)
    if not blocks:
        return None
    last = p.text[blocks[-1][0] : blocks[-1][1]]
    if not ends_open(last):
        return None
    nxt = next_chunk(p, section_reader)
    if nxt is None:
        return None
    # The items that follow must be of the open item's level (its next sibling) or deeper (a
    # stem's items); a higher level ("(b) Licensing policy" after "(B) ...;") is another part.
    level = marker_level(last)
    stem = last.rstrip().endswith(":")
    taken: tuple[int, int] | None = None
    for s, e in paragraph_spans(nxt.text):
        block = nxt.text[s:e]
        lv = marker_level(block)
        if taken is None and (_RESERVED.match(block) or (lv == 0 and not block[:1].islower())):
            return None  # a new unnumbered paragraph, or a "(2) [Reserved]" standing alone
        if lv and level and (lv < level or (stem and lv == level)):
            break
        if e - (taken[0] if taken else s) > MAX_QUOTE:
            break
        taken = (taken[0] if taken else s, e)
        if not ends_open(block):
            break
    if taken is None:
        return None
    return nxt, nxt.start + taken[0], nxt.start + taken[1]

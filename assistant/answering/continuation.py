"""The rest of a list a quote leaves open at the end of its chunk (or a worked example's
holding, set as its own paragraph at the start of the next chunk).

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

from assistant.answering.quotes import (
    KIND_RANK,
    MAX_LIST_QUOTE,
    ends_open,
    is_holding,
    marker_kind,
)
from assistant.models import SearchResult
from assistant.text import paragraph_spans

_SECTION = re.compile(r"15 CFR (\d{3}\.\d+[a-z]?)")
_RESERVED = re.compile(r"^\(\s*\w{1,4}\s*\)(?:\s*-\s*\(\s*\w{1,4}\s*\))?\s*\[Reserved\]\.?$")
ADJOIN_GAP = 4  # at most this many characters (the blank line) between two chunks that adjoin


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
        if c.doc_id == p.doc_id and p.end <= c.start <= p.end + ADJOIN_GAP
    ]
    return min(after, key=lambda c: c.start) if after else None


def continuation(
    p: SearchResult,
    start: int,
    end: int,
    section_reader: Callable[[str], Sequence[SearchResult]] | None,
) -> tuple[SearchResult, int, int] | None:
    """The next chunk and the span (document offsets) of the items that continue the list the
    quote [start, end) leaves open at the end of `p`; None when the quote is closed, does not
    reach the chunk's end, or the next chunk opens something else: a paragraph at the level of
    the quoted provision or higher (its own items are what may follow)."""
    blocks = _blocks_to_chunk_end(p, end)
    if section_reader is None or blocks is None:
        return None
    last = p.text[blocks[-1][0] : blocks[-1][1]]
    if not ends_open(last):
        return _holding(last, next_chunk(p, section_reader))
    nxt = next_chunk(p, section_reader)
    if nxt is None:
        return None
    # The designators' nesting as the chunk leaves it: the EAR nests (a), (1), (i), (A) and
    # then an italic (1), (i) again, so a level is a place on the path, not a fixed rank;
    # after "(A) ... when: (1) ...; and", "(2)" is the next item and "(B)" is a sibling of
    # (A), where the list has ended.
    path: list[str] = []
    after_stem = False
    top: int | None = None  # the quoted provision's own place on the path
    first: str | None = None
    for s, e in blocks:
        block = p.text[s:e]
        _descend(path, marker_kind(block), after_stem)
        after_stem = block.rstrip().endswith(":")
        if top is None and s <= start - p.start < e and marker_kind(block) is not None:
            top, first = len(path) - 1, marker_kind(block)
            # a stem ("(A) ... when:") is one provision with its items, and its siblings are
            # others; a quoted item ("(C) ...;") is one of a list whose next items follow
            if not block.rstrip().endswith(":"):
                top -= 1
    if top is None:
        # a quote opening with no designator: its open item's level bounds what follows
        top = (len(path) if after_stem else len(path) - 1) - 1
        first = path[top] if 0 <= top < len(path) else None
    taken: tuple[int, int] | None = None
    for s, e in paragraph_spans(nxt.text):
        block = nxt.text[s:e]
        kind = marker_kind(block)
        if taken is None and (_RESERVED.match(block) or (kind is None and not block[:1].islower())):
            return None  # a new unnumbered paragraph, or a "(2) [Reserved]" standing alone
        if kind is None and taken is not None:
            break  # a note or a new paragraph after the items
        if kind is not None and not _within(path, kind, after_stem, top, first):
            break  # back up to a higher level, or a kind that does not belong: the list ended
        if e - (taken[0] if taken else s) > MAX_LIST_QUOTE:
            break
        _descend(path, kind, after_stem)
        after_stem = block.rstrip().endswith(":")
        taken = (taken[0] if taken else s, e)
        if not ends_open(block):
            break
    if taken is None:
        return None
    return nxt, nxt.start + taken[0], nxt.start + taken[1]


def holding_after(
    p: SearchResult,
    start: int,
    end: int,
    section_reader: Callable[[str], Sequence[SearchResult]] | None,
) -> tuple[SearchResult, int, int] | None:
    """The holding of the worked example a quote [start, end) ends its chunk with, from the
    next chunk; None when the quote stops short of the chunk's end or no holding follows."""
    blocks = _blocks_to_chunk_end(p, end)
    if section_reader is None or blocks is None:
        return None
    return _holding(p.text[blocks[-1][0] : blocks[-1][1]], next_chunk(p, section_reader))


def _blocks_to_chunk_end(p: SearchResult, end: int) -> list[tuple[int, int]] | None:
    """The paragraphs of passage `p` when a quote ending at `end` reaches its chunk's end;
    None when it stops short (nothing can continue it) or the chunk has none."""
    if p.text[end - p.start :].strip():
        return None
    return paragraph_spans(p.text) or None


def _holding(example: str, nxt: SearchResult | None) -> tuple[SearchResult, int, int] | None:
    """The next chunk's first paragraph when it is the holding of the worked example the quote
    ends its chunk with ("A's responding to Y's questionnaire is deemed to be action with intent
    ..."): the answer to the example, set as its own paragraph (`quotes.is_holding`)."""
    if nxt is None:
        return None
    first = paragraph_spans(nxt.text)[:1]
    if not first:
        return None
    s, e = first[0]
    if e - s > MAX_LIST_QUOTE or not is_holding(example, nxt.text[s:e]):
        return None
    return nxt, nxt.start + s, nxt.start + e


# The kind of designator the items of a list introduced by a kind's stem carry.
_ITEMS_OF = {"lower": "digit", "digit": "roman", "roman": "upper", "upper": "digit"}


def _within(path: list[str], kind: str, after_stem: bool, top: int, first: str | None) -> bool:
    """Whether a block of designator `kind` still belongs to the quoted provision: a child of
    the block before it, or anything below the provision's own place `top` on the path (of
    kind `first`); a kind not used yet belongs when it ranks below `first`."""
    if _child(path, kind, after_stem):
        return True
    if kind in path:
        return len(path) - 1 - path[::-1].index(kind) > top
    return first is None or KIND_RANK[kind] > KIND_RANK[first]


def _child(path: list[str], kind: str, after_stem: bool) -> bool:
    """Whether `kind` is the next level down from the path's last block: (a) > (1) > (i) > (A),
    and under (A) an italic (1) only after a stem ("(A) ... when:"), since a (2) after an (A)
    item is otherwise the parent list's next item."""
    return bool(path) and kind == _ITEMS_OF[path[-1]] and (path[-1] != "upper" or after_stem)


def _descend(path: list[str], kind: str | None, after_stem: bool) -> None:
    """Move the nesting path to a block of designator `kind`: one level deeper for a child of
    the last block, else back to that kind's last place on the path (or deeper, when it is not
    on it)."""
    if kind is None:
        return
    if _child(path, kind, after_stem):
        path.append(kind)
    elif kind in path:
        del path[len(path) - path[::-1].index(kind) :]
    else:
        path.append(kind)

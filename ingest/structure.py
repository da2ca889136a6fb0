"""Finding legal structure in plain text: paragraphs, and CFR paragraph markers such as (a)(1)(i).

Loaders of every format reduce their input to text plus these spans, so the CFR numbering logic
lives once, here, whatever format the regulation arrived in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ingest.documents import Section

# "[84 FR 22961, May 21, 2019, ...]", "[ 87 FR 61973 , Oct. 13, 2022]": a section's history.
_AMENDMENTS = re.compile(r"\[\s*\d+\s+FR\s")

# One leading marker: "(a)", "( a )", "(1)", "(iv)", "(A)", and eCFR XML's italic "(<I>1</I>)".
_MARKER = re.compile(
    r"\(\s*(?:<[iI]>\s*)?([a-z]{1,2}|[0-9]{1,3}|[ivxlcdm]{1,7}|[A-Z]{1,2})(?:\s*</[iI]>)?\s*\)"
)
_ROMAN = re.compile(r"^(?=[ivxlcdm]+$)m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}

# Levels of the CFR paragraph hierarchy (1 CFR 21.11): (a) (1) (i) (A) (<i>1</i>) (<i>i</i>).
LOWER, DIGIT, ROMAN, UPPER, DIGIT2, ROMAN2 = 1, 2, 3, 4, 5, 6


# Between a marker and the next one of the same paragraph: an italic Markdown heading, as in
# "(e) *Appeals* - (1) *Filing.* (i) A respondent ...".
_ITALIC_HEADING = re.compile(r"\*[^*\n]{1,150}\*[.:]?\s*(?:[-—–]\s*)?")
# "(4) through (8)" / "(9) - (11)": a range of paragraphs, or a sentence broken across lines.
_RANGE = re.compile(r"\s*(?:-|–|—|through)\s*" + _MARKER.pattern)
_RESERVED = re.compile(r"\s*\[\s*Reserved\s*\]")


def leading_markers(paragraph: str) -> list[str]:
    """The markers a paragraph opens with: "(b) Title. (1) Text" -> ["b"]; "(a)(1)" -> ["a", "1"].

    Only markers that directly follow each other (or an italic heading: "(a) *Scope.* (1)")
    count, so a cross-reference later in the sentence ("see paragraph (c) of this section") is
    never mistaken for structure. "(9) - (11) [Reserved]" opens with (9); "(4) through (8) will
    be reviewed ..." is the rest of a sentence broken across lines, not a paragraph.
    """
    markers: list[str] = []
    pos = 0
    while True:
        while pos < len(paragraph) and paragraph[pos] in " \t":
            pos += 1
        m = _MARKER.match(paragraph, pos)
        if not m and markers:
            heading = _ITALIC_HEADING.match(paragraph, pos)
            m = _MARKER.match(paragraph, heading.end()) if heading else None
        if not m:
            break
        pos = m.end()
        span = _RANGE.match(paragraph, pos)
        if span:
            if not _RESERVED.match(paragraph, span.end()):
                break
            markers.append(m.group(1))
            break
        markers.append(m.group(1))
    return markers


def _is_roman(token: str) -> bool:
    return bool(_ROMAN.match(token))


def _roman_value(token: str) -> int:
    total = 0
    for i, ch in enumerate(token):
        value = _ROMAN_VALUES[ch]
        if i + 1 < len(token) and _ROMAN_VALUES[token[i + 1]] > value:
            total -= value
        else:
            total += value
    return total


def _letter_value(token: str) -> int:
    # (a)..(z), then (aa), (bb), ... as the CFR continues long lists.
    if len(token) == 2 and token[0] == token[1]:
        return 26 + ord(token[0].lower()) - ord("a") + 1
    return ord(token[0].lower()) - ord("a") + 1


def _candidates(token: str) -> list[tuple[int, int]]:
    """(level, ordinal) pairs the token could stand for."""
    out: list[tuple[int, int]] = []
    if token.isdigit():
        out += [(DIGIT, int(token)), (DIGIT2, int(token))]
    elif token.islower():
        if _is_roman(token):
            out += [(ROMAN, _roman_value(token)), (ROMAN2, _roman_value(token))]
        if len(token) == 1 or (len(token) == 2 and token[0] == token[1]):
            out.append((LOWER, _letter_value(token)))
    elif token.isupper() and (len(token) == 1 or token[0] == token[1]):
        out.append((UPPER, _letter_value(token)))
    return out


class MarkerTracker:
    """Assigns each marker its level, following the numbering the way a reader does.

    A marker either continues a level already open (its ordinal is the next one there) or opens
    the next deeper level (ordinal 1). "(i)" after "(h)" is a letter; "(i)" after "(1)" opens
    roman numerals; when both readings fit, the next marker decides ("(ii)" means roman).

    A list that restarts where it cannot be a paragraph of the section ("(a)" deep inside
    (b)(2)(i), or any list after a definition such as "'Bank' means any of the following:") is
    a list *inside* the paragraph: its items keep the paragraph's citation, and while it goes on
    ("(b)", "(c)", ...) its items are never taken for the section's own paragraphs. The first
    marker that continues a paragraph level of the section ends it.
    """

    def __init__(self) -> None:
        self.stack: list[tuple[int, int, str]] = []  # (level, ordinal, token)
        self.inner: tuple[int, int] | None = None  # (level, ordinal) of a list inside a paragraph
        self.definition = False  # an unmarked definition introduces a list: that list is inner
        self.introduced = False  # the paragraph before ends with ":" or a dash

    def _fits(self, level: int, ordinal: int) -> bool:
        for lvl, ordv, _ in self.stack:
            if lvl == level:
                return ordinal == ordv + 1
        return ordinal == 1 and level == self._depth() + 1

    def _continues(self, level: int, ordinal: int) -> bool:
        return any(lvl == level and ordinal == ordv + 1 for lvl, ordv, _ in self.stack)

    def _path(self) -> list[str]:
        return [t for _, _, t in self.stack]

    def start_definition(self) -> None:
        """An unmarked paragraph defining a term (and ending in ":") precedes its own list."""
        self.definition = True
        self.inner = None

    def push(self, token: str, next_token: str | None = None) -> list[str]:
        cands = _candidates(token)
        if not cands:
            return self._path()
        if token == "i" and next_token == "ii":
            # "(i)" followed by "(ii)" opens (or restarts) roman numerals, whatever fits.
            cands = [c for c in cands if c[0] in (ROMAN, ROMAN2)]
        if self.inner is not None:
            inner_level, inner_ordinal = self.inner
            if (inner_level, inner_ordinal + 1) in cands:
                self.inner = (inner_level, inner_ordinal + 1)
                return self._path()
        if self.inner is not None or self.definition:
            continuing = [c for c in cands if self._continues(*c)]
            if not continuing:
                starts = [c for c in cands if c[1] == 1]
                if starts:  # a new list inside the same paragraph
                    self.inner = min(starts)
                return self._path()
            # The section's own numbering resumes: the inner list is over.
            self.inner, self.definition = None, False
            cands = continuing
        fitting = [c for c in cands if self._fits(*c)]
        if len(fitting) > 1:
            nxt = _candidates(next_token) if next_token else []
            depth = self._depth()

            def preference(cand: tuple[int, int]) -> tuple[bool, bool, int]:
                # Best: the next marker continues this level; then: it opens the level below;
                # last resort: the reading nearest the current depth.
                lvl, ordv = cand
                continues = any(nl == lvl and no == ordv + 1 for nl, no in nxt)
                opens_child = any(nl == lvl + 1 and no == 1 for nl, no in nxt)
                return (not continues, not opens_child, abs(lvl - depth))

            level, ordinal = min(fitting, key=preference)
        elif fitting:
            level, ordinal = fitting[0]
        else:
            starts = [c for c in cands if c[1] == 1]
            skipping = [c for c in starts if c[0] == self._depth() + 2]
            if self.stack and skipping:
                # A list one level down that skips a level: "(f) ... (i) ... (ii)".
                level, ordinal = min(skipping)
            elif self.stack and starts:
                # A list restarting at a level already open. After "... the following:" it is
                # a list inside this paragraph; after a heading ("Examples of ...") it is a new
                # group of the paragraph the restarted level belongs to.
                self.inner = min(starts)
                if not self.introduced:
                    self.stack = [entry for entry in self.stack if entry[0] < self.inner[0]]
                return self._path()
            else:
                # Irregular numbering: take the reading nearest the current depth.
                level, ordinal = min(cands, key=lambda c: (abs(c[0] - self._depth() - 1), c[0]))
        self.stack = [entry for entry in self.stack if entry[0] < level]
        self.stack.append((level, ordinal, token))
        return self._path()

    def _depth(self) -> int:
        return self.stack[-1][0] if self.stack else 0


# An unmarked paragraph that defines a term: "*Bank.* Means ...", "“Foo” means ...", 'Foo' means.
_DEFINITION = re.compile(r"\s*(?:\*[^*\n]{1,120}\*|[“\"‘'][^”\"’'\n]{1,120}[”\"’'])")
_INTRODUCES_LIST = re.compile(r"(?:[:—–-]|:[”\"’'*]+)\s*$")


def cfr_sections(
    text: str,
    paragraphs: Sequence[tuple[int, int]],
    base_citation: str,
    heading: str = "",
    root_label: str | None = None,
) -> list[Section]:
    """Sections for the paragraphs of one CFR section: each marked paragraph gets its citation.

    `base_citation` is e.g. "15 CFR 744.11"; a paragraph opening with "(a)(1)" becomes
    "15 CFR 744.11(a)(1)". Paragraphs without a marker (notes, continuation text) keep the
    citation of the paragraph they follow.
    """
    tracker = MarkerTracker()
    label = root_label or base_citation
    sections: list[Section] = []
    current: list[str] = []
    marker_lists = [leading_markers(text[a:b]) for a, b in paragraphs]
    for idx, (a, b) in enumerate(paragraphs):
        markers = marker_lists[idx]
        if not markers and _AMENDMENTS.match(text, a):
            # "[84 FR 22961, May 21, 2019, as amended at ...]": the section's amendment history.
            current = []
            tracker = MarkerTracker()
        elif not markers and _DEFINITION.match(text, a) and _INTRODUCES_LIST.search(text, a, b):
            tracker.start_definition()
        if markers:
            tracker.introduced = idx > 0 and bool(
                _INTRODUCES_LIST.search(text, *paragraphs[idx - 1])
            )
            following = [m for ms in marker_lists[idx + 1 :] for m in ms[:1]]
            for j, token in enumerate(markers):
                nxt = (
                    markers[j + 1]
                    if j + 1 < len(markers)
                    else (following[0] if following else None)
                )
                current = tracker.push(token, nxt)
        citation = base_citation + "".join(f"({m})" for m in current)
        path = (label, *(f"({m})" for m in current))
        sections.append(
            Section(
                start=a, end=b, citation=citation, path=path, level=len(current), heading=heading
            )
        )
    return sections


def common_citation(sections: Iterable[Section]) -> str:
    """The citation that covers all given sections: their deepest common ancestor."""
    secs = list(sections)
    if not secs:
        return ""
    if all(s.citation == secs[0].citation for s in secs):
        return secs[0].citation
    prefix = list(secs[0].path)
    for s in secs[1:]:
        n = 0
        while n < min(len(prefix), len(s.path)) and prefix[n] == s.path[n]:
            n += 1
        prefix = prefix[:n]
    first = secs[0]
    # CFR paths carry their markers: rebuild the ancestor's citation from the first section's.
    base = first.citation
    for marker in first.path[len(prefix) :][::-1]:
        if base.endswith(marker):
            base = base[: -len(marker)]
    return base

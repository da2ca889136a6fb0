"""Finding legal structure in plain text: paragraphs, and CFR paragraph markers such as (a)(1)(i).

Loaders of every format reduce their input to text plus these spans, so the CFR numbering logic
lives once, here, whatever format the regulation arrived in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ingest.documents import Section

# One leading marker: "(a)", "( a )", "(1)", "(iv)", "(A)", and eCFR XML's italic "(<I>1</I>)".
_MARKER = re.compile(
    r"\(\s*(?:<[iI]>\s*)?([a-z]{1,2}|[0-9]{1,3}|[ivxlcdm]{1,7}|[A-Z]{1,2})(?:\s*</[iI]>)?\s*\)"
)
_ROMAN = re.compile(r"^(?=[ivxlcdm]+$)m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}

# Levels of the CFR paragraph hierarchy (1 CFR 21.11): (a) (1) (i) (A) (<i>1</i>) (<i>i</i>).
LOWER, DIGIT, ROMAN, UPPER, DIGIT2, ROMAN2 = 1, 2, 3, 4, 5, 6


def leading_markers(paragraph: str) -> list[str]:
    """The markers a paragraph opens with: "(b) Title. (1) Text" -> ["b"]; "(a)(1)" -> ["a", "1"].

    Only markers that directly follow each other count, so a cross-reference later in the
    sentence ("see paragraph (c) of this section") is never mistaken for structure.
    """
    markers: list[str] = []
    pos = 0
    while True:
        while pos < len(paragraph) and paragraph[pos] in " \t":
            pos += 1
        m = _MARKER.match(paragraph, pos)
        if not m:
            break
        markers.append(m.group(1))
        pos = m.end()
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
    """

    def __init__(self) -> None:
        self.stack: list[tuple[int, int, str]] = []  # (level, ordinal, token)

    def _fits(self, level: int, ordinal: int) -> bool:
        for lvl, ordv, _ in self.stack:
            if lvl == level:
                return ordinal == ordv + 1
        return ordinal == 1 and level == self._depth() + 1

    def push(self, token: str, next_token: str | None = None) -> list[str]:
        cands = _candidates(token)
        if not cands:
            return [t for _, _, t in self.stack]
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
            # Irregular numbering: take the reading nearest the current depth.
            level, ordinal = min(cands, key=lambda c: (abs(c[0] - self._depth() - 1), c[0]))
        self.stack = [entry for entry in self.stack if entry[0] < level]
        self.stack.append((level, ordinal, token))
        return [t for _, _, t in self.stack]

    def _depth(self) -> int:
        return self.stack[-1][0] if self.stack else 0


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
        if text.startswith("[", a) and not markers:
            # "[84 FR 22961, May 21, 2019, as amended at ...]": the section's amendment history.
            current = []
            tracker = MarkerTracker()
        if markers:
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

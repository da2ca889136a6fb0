"""Issue #13, "Pinpoints that exist": every chunk citation of every CFR section in the mirror names
a paragraph that is really there.

"Exists" is decided here without the parser under test (ingest/structure.py). A citation
"15 CFR 744.11(a)(1)(ii)" exists for a chunk when the section text has paragraph-leading markers
(a), then (1), then (ii), properly nested, and the chunk starts inside the last of them:

- a *leading marker* is a "(x)" (also "( x )", "(*x*)") at the start of a line, or chained
  directly after another leading marker ("(a)(1) Text" has (a) and (1));
- the children of a paragraph are looked for between the paragraph's own marker and its next
  sibling's (the section's bounds for the top level); a child with ordinal n is reached by
  walking its list from ordinal 1 in document order, where a list of the same numbering style
  that restarts at 1 inside (a definition's "(a) ... (b) ...") is skipped while it continues,
  so its items are never taken for the outer list's;
- "(i)", "(v)", "(x)" are roman numerals when their neighbours say so: "(i)" unless the next
  lower-case marker is "(j)", or the previous one that cannot be a roman numeral is "(h)" and
  the next is not "(ii)"; "(v)" and
  "(x)" when the previous one is "(iv)"/"(ix)"; otherwise letters;
- a child is numbered in the style of the next CFR level ((a) (1) (i) (A) (1) (i)), or of a
  deeper one when the text skips a level ("(f) ... (i) ... (ii)");
- a list whose first item sits inline ("(b) *Title.* (1) Text", not a leading marker) is walked
  from its first leading item.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from assistant.index.embeddings import count_tokens
from assistant.models import Chunk
from ingest.chunking import chunk_document
from ingest.loaders import load_document
from ingest.loaders.common import read_sidecar
from tests.conftest import CORPUS  # noqa: E402

REGULATION_FILES = sorted((CORPUS / "regulation" / "ecfr").glob("*.txt")) + sorted(
    (CORPUS / "regulation" / "ecfr_md").glob("*.md")
)

_LINE_MARKER = re.compile(r"\(\s*\*?\s*([A-Za-z]{1,5}|[0-9]{1,3})\s*\*?\s*\)")
_ROMAN = re.compile(r"^(?=[ivxlc]+$)c{0,3}(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}

DIGIT, UPPER, LETTER, ROMAN = "digit", "upper", "letter", "roman"


@dataclass(frozen=True)
class Marker:
    pos: int  # where its line's chain of markers starts
    token: str
    style: str
    ordinal: int
    last: int  # "(9) - (11) [Reserved]" stands for (9), (10) and (11)


def _roman(token: str) -> int:
    total = 0
    for i, ch in enumerate(token):
        v = _ROMAN_VALUES[ch]
        total += -v if i + 1 < len(token) and _ROMAN_VALUES[token[i + 1]] > v else v
    return total


def _to_roman(n: int) -> str:
    out = ""
    for value, sym in ((100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix")):
        while n >= value:
            out, n = out + sym, n - value
    return out + ["", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix"][n]


def _letter(token: str) -> int | None:
    t = token.lower()
    if len(t) == 1:
        return ord(t) - ord("a") + 1
    if len(t) == 2 and t[0] == t[1]:
        return 26 + ord(t[0]) - ord("a") + 1
    return None


_ITALIC_HEADING = re.compile(r"\*[^*\n]{1,150}\*[.:]?\s*(?:[-—–]\s*)?")
_RANGE = re.compile(r"\s*(?:-|–|—|through)\s*" + _LINE_MARKER.pattern)
_RESERVED = re.compile(r"\s*\[\s*Reserved\s*\]")


def leading_markers(text: str) -> list[Marker]:
    """Every paragraph-leading marker, in document order, with its numbering style.

    A marker may follow another one's italic heading: "(e) *Appeals* - (1) *Filing.* (i) A".
    "(9) - (11) [Reserved]" is one marker standing for three; "(4) through (8) will be ..." at
    the start of a line is a sentence broken by the extraction, not a paragraph."""
    raw: list[tuple[int, str, str]] = []  # (line start, token, last token of a range)
    for line in re.finditer(r"^[ \t]*", text, re.MULTILINE):
        pos = start = line.end()
        while True:
            m = _LINE_MARKER.match(text, pos)
            if not m and pos > start and (heading := _ITALIC_HEADING.match(text, pos)):
                m = _LINE_MARKER.match(text, heading.end())
            if not m:
                break
            pos, last = m.end(), m.group(1)
            if rng := _RANGE.match(text, pos):
                if not _RESERVED.match(text, rng.end()):
                    break
                pos, last = rng.end(), rng.group(1)
            raw.append((start, m.group(1), last))
            while pos < len(text) and text[pos] in " \t":
                pos += 1
    lowers = [i for i, (_, t, _) in enumerate(raw) if t.islower()]
    out: list[Marker] = []
    for i, (pos, token, last) in enumerate(raw):
        if token.isdigit():
            out.append(
                Marker(pos, token, DIGIT, int(token), int(last) if last.isdigit() else int(token))
            )
        elif token.isupper():
            n = _letter(token)
            if n is not None:
                out.append(Marker(pos, token, UPPER, n, _letter(last) or n))
        elif token.islower():
            k = lowers.index(i)
            prev = raw[lowers[k - 1]][1] if k > 0 else None
            nxt = raw[lowers[k + 1]][1] if k + 1 < len(lowers) else None
            prev_letter = next(
                (raw[j][1] for j in reversed(lowers[:k]) if not _ROMAN.match(raw[j][1])), None
            )
            is_roman = bool(_ROMAN.match(token))
            if is_roman and len(token) == 1:
                r = _roman(token)
                is_roman = (
                    (nxt != "j" and (prev_letter != "h" or nxt == "ii"))
                    if token == "i"
                    else prev == _to_roman(r - 1)
                )
            if is_roman:
                n = _roman(token)
                end = _roman(last) if _ROMAN.match(last) else n
                out.append(Marker(pos, token, ROMAN, n, end))
            elif (n := _letter(token)) is not None:
                out.append(Marker(pos, token, LETTER, n, _letter(last) or n))
    return out


# The CFR's levels (1 CFR 21.11): (a) (1) (i) (A) (<i>1</i>) (<i>i</i>).
LEVEL_STYLES = (LETTER, DIGIT, ROMAN, UPPER, DIGIT, ROMAN)


def _reading(token: str, style: str) -> int | None:
    if style == DIGIT:
        return int(token) if token.isdigit() else None
    if style == ROMAN:
        return _roman(token) if _ROMAN.match(token) else None
    if style == UPPER:
        return _letter(token) if token.isupper() else None
    return _letter(token) if token.islower() else None


def _siblings(markers: Sequence[Marker], style: str) -> list[Marker]:
    """The items of the list in `style` that a paragraph's children form, given all the leading
    markers inside that paragraph in document order.

    The list is walked from its first item; a list of the same style restarting at 1 in
    between (a definition's "(a) ... (b) ...", the (1), (2) under an (A)) is an inner list, and
    an item that could go on both wins for the inner list when it follows that list's last item
    directly (no marker of another style in between), else for the outer one.
    """
    items: list[Marker] = []
    expected: int | None = None
    inner: int | None = None  # last ordinal of the inner list
    adjacent = False  # the previous marker was the inner list's last item
    for m in markers:
        if m.style != style:
            adjacent = False
            continue
        continues_inner = inner is not None and m.ordinal == inner + 1
        if expected is None:
            items.append(m)
            expected = m.last + 1
        elif continues_inner and (adjacent or m.ordinal != expected):
            inner = m.last
        elif m.ordinal == expected:
            items.append(m)
            expected, inner = m.last + 1, None
        elif m.ordinal == 1:
            inner = m.last
        else:
            adjacent = False
            continue
        adjacent = inner is not None
    return items


def _child(
    markers: Sequence[Marker], lo: int, hi: int, token: str, style: str
) -> tuple[Marker, int] | None:
    """The child `token` (numbered in `style`) of the paragraph spanning text [lo, hi), with
    where it ends."""
    target = _reading(token, style)
    if target is None:
        return None
    items = _siblings([m for m in markers if lo <= m.pos < hi], style)
    for k, m in enumerate(items):
        if m.ordinal <= target <= m.last:
            return m, items[k + 1].pos if k + 1 < len(items) else hi
    return None


def citation_exists(text: str, markers: Sequence[Marker], path: Sequence[str], at: int) -> bool:
    """The designator path is a proper nesting of leading markers and `at` lies inside it.

    The top level is lettered; a child is numbered in the style of the next level down or, when
    the text skips a level ("(f) ... (i) ... (ii)"), of a deeper one."""
    spans = [(0, len(text), 0)]  # (lo, hi, level) of every reading of the path so far
    for token in path:
        deeper: list[tuple[int, int, int]] = []
        for lo, hi, level in spans:
            levels = [1] if level == 0 else range(level + 1, len(LEVEL_STYLES) + 1)
            for lvl in levels:
                hit = _child(markers, lo, hi, token, LEVEL_STYLES[lvl - 1])
                if hit is not None:
                    deeper.append((hit[0].pos, hit[1], lvl))
                    break
        spans = deeper
    return any(lo <= at < hi for lo, hi, _ in spans) if path else True


def _path(citation: str, base: str) -> list[str] | None:
    if not citation.startswith(base):
        return None
    rest = citation[len(base) :]
    tokens = re.findall(r"\(([^()]+)\)", rest)
    return tokens if "".join(f"({t})" for t in tokens) == rest else None


@cache
def _checked(path: Path) -> tuple[list[str], int]:
    """Failures ("citation @ offset: text") and the number of chunks checked."""
    rel = path.relative_to(CORPUS).as_posix()
    doc = load_document(path, rel, read_sidecar(path))
    chunks: list[Chunk] = chunk_document(doc, count_tokens)
    base = str(doc.metadata.get("citation"))
    markers = leading_markers(doc.text)
    failures = []
    for chunk in chunks:
        tokens = _path(chunk.citation, base)
        if tokens is None or not citation_exists(doc.text, markers, tokens, chunk.start):
            snippet = " ".join(chunk.text[:60].split())
            failures.append(f"{chunk.citation} @ {chunk.start}: {snippet}")
    return failures, len(chunks)


# --- the oracle itself -----------------------------------------------------------------------


def _exists(paragraphs: list[str], citation_path: list[str], inside: str) -> bool:
    text = "\n\n".join(paragraphs)
    return citation_exists(text, leading_markers(text), citation_path, text.index(inside))


def test_oracle_nesting_and_restarted_lists() -> None:
    paras = [
        "Intro.",
        "( a ) A.",
        "( 1 ) 'Foo' means:",
        "(a) x;",
        "(b) y.",
        "( 2 ) Two.",
        "( i ) Roman one.",
        "( ii ) Roman two.",
        "( b ) B.",
    ]
    assert _exists(paras, ["a", "1"], "(b) y.")
    assert _exists(paras, ["a", "2", "ii"], "( ii ) Roman")
    assert _exists(paras, ["b"], "( b ) B.")
    assert not _exists(paras, ["b"], "(b) y.")  # an item of the definition's list
    assert not _exists(paras, ["a", "1"], "( 2 ) Two.")  # the chunk is past (a)(1)
    assert not _exists(paras, ["c"], "( b ) B.")


def test_oracle_letters_and_romans() -> None:
    paras = [f"({c}) {c.upper()}." for c in "abcdefg"]
    paras += ["(h) H.", "(1) One.", "(i) R1.", "(ii) R2.", "(i) Letter i.", "(j) J."]
    assert _exists(paras, ["h", "1", "ii"], "(ii) R2.")
    assert _exists(paras, ["i"], "(i) Letter i.")
    assert not _exists(paras, ["i"], "(i) R1.")


# --- the corpus ------------------------------------------------------------------------------


def test_every_chunk_citation_names_an_existing_paragraph() -> None:
    failures: list[str] = []
    total = 0
    for path in REGULATION_FILES:
        bad, n = _checked(path)
        total += n
        failures += [f"{path.name}: {f}" for f in bad]
    assert not failures, f"{len(failures)} of {total} chunk citations do not exist:\n" + "\n".join(
        failures[:60]
    )

"""Text utilities shared by ingest and answers: one paragraph splitter, one sentence splitter
and one list of abbreviations, so the chunker, the extractive answerer, the LLM reply check and
the screening block cut text the same way ("U.S. origin" is never split)."""

from __future__ import annotations

import functools
import re


@functools.lru_cache(maxsize=1 << 13)
def cached_pattern(regex: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile`, remembered: patterns built from a name or a kind recur answer after answer,
    and an answer goes through more distinct patterns than Python's own cache keeps (512), so
    without this about eight were compiled again for every answer (~2 ms of CPU)."""
    return re.compile(regex, flags)


# Words whose trailing period does not end a sentence (lower case, without that period): legal
# and everyday abbreviations. `sentence_spans` (chunker, extractive answers, screening block)
# and the LLM reply check (answering/llm/check.py) both read this one list.
ABBREVIATIONS = frozenset(
    [
        "u.s",
        "e.g",
        "i.e",
        "no",
        "nos",
        "sec",
        "secs",
        "co",
        "ltd",
        "inc",
        "corp",
        "mr",
        "ms",
        "mrs",
        "dr",
        "st",
        "v",
        "vs",
        "al",
        "etc",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s.c",
        "c.f.r",
        "fed",
        "reg",
        "pub",
        "stat",
        "para",
        "paras",
        "ch",
        "art",
        "approx",
        "fig",
        "figs",
        "app",
        "supp",
        "ref",
        "refs",
        "cf",
        "ibid",
        "op",
        "cit",
        "l",
        "n.w",
        "s.w",
        "n.e",
        "s.e",
        "d.c",
        "p",
        "pp",
        "dept",
        "arts",
        "pt",
        "pts",
        "subpt",
        "cl",
        "ex",
        "ft",
        # company forms of Singapore, India and Malaysia ("TechCamel Pte. Ltd.", "Agrim Aviation
        # Pvt. Ltd.", "Sdn. Bhd."), and street words in addresses ("Fifth Ave. North")
        "pte",
        "pvt",
        "sdn",
        "bhd",
        "ave",
        "blvd",
        "para",
        "subpara",
    ]
)

SENTENCE_END = re.compile(r"[.!?][\"”’)\]]*\s+(?=[\"“(\[§A-Z0-9])")

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")


def paragraph_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the blank-line separated blocks of `text[start:end]`, trimmed of whitespace."""
    stop = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    for m in _BLANK_LINE.finditer(text, start, stop):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, stop))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def is_abbreviation(text: str, dot: int) -> bool:
    word_start = dot
    while (
        word_start > 0 and not text[word_start - 1].isspace() and text[word_start - 1] not in '(“"'
    ):
        word_start -= 1
    word = text[word_start:dot].lower().rstrip(".")
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def boundaries(text: str, start: int, end: int, pattern: re.Pattern[str]) -> list[int]:
    """Offsets where a piece may begin, after a sentence/clause/word break inside [start, end)."""
    cuts = []
    for m in pattern.finditer(text, start, end):
        if pattern is SENTENCE_END and text[m.start()] == "." and is_abbreviation(text, m.start()):
            continue
        if start < m.end() < end:
            cuts.append(m.end())
    return cuts


def rstrip_end(text: str, a: int, b: int) -> int:
    while b > a and text[b - 1].isspace():
        b -= 1
    return b


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentences of text[start:end] as trimmed spans, with the chunker's abbreviation rules
    (so "U.S. origin" is never split); blank lines also end a sentence."""
    stop = len(text) if end is None else end
    spans = []
    for a, b in paragraph_spans(text, start, stop):
        cuts = boundaries(text, a, b, SENTENCE_END)
        # (a person's initials end no sentence: "Institute ... named after Academicians M.M.
        # Shemyakin and Yu.A. Ovchinnikov"; the chunker's own cuts are left as they are)
        edges = [a, *(c for c in cuts if not _INITIALS.search(text, a, c)), b]
        for x, y in zip(edges, edges[1:], strict=False):
            y = rstrip_end(text, x, y)
            if y > x:
                spans.append((x, y))
    return spans


_INITIALS = re.compile(r"(?<![\w.])(?:[A-Z][a-z]?\.){2,}\s+$")


@functools.lru_cache(maxsize=1 << 12)
def chunk_sentences(text: str) -> tuple[tuple[int, int], ...]:
    """`sentence_spans` of a whole passage, cached: every answer reads the sentences of its
    passages several times (scoring, each rule looking for its sentence), and popular passages
    come back answer after answer. For chunk-sized texts only: the cache keeps its keys."""
    return tuple(sentence_spans(text))


# ... a full date not far after, in the same clause: "on January 23, 2024", "as of February 14,
# 2022"
_DATE_AFTER = (
    r"\b[^.;]{0,40}\b(?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December)\s+\d{1,2},\s+\d{4}\b"
)
# A sentence stating when a rule takes effect ("This rule is effective May 9, 2024.", "...
# effective on January 23, 2024"): what a question asking when a rule was made or a party
# listed is answered by (retrieval places it, the extractive answer leads with it).
STATES_EFFECTIVE = re.compile(r"\beffective" + _DATE_AFTER)
# ... or when it applies from ("This rule is applicable as of February 14, 2022."): what a
# rule's DATES paragraph says, not what the rule did
DATES_A_RULE = re.compile(r"\b(?:effective|applicable)" + _DATE_AFTER)

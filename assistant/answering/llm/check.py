"""Checking the model's reply: its [n] markers are claims to check, not facts.

Every `[n]` marker is checked against the passages actually given (and verified against the
store): markers that point elsewhere are removed, and sentences left without a valid citation
are flagged or dropped. Quotes are always the passage text at its stored span, never text the
model wrote. `ReplyChecker` does this while the reply streams, so that only checked text is ever
sent; `postprocess` runs the same checker over a whole reply.
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from dataclasses import dataclass

from assistant.models import NOT_COVERED, Answer, Claim, SearchResult, not_covered
from assistant.text import ABBREVIATIONS

UNSUPPORTED_MODES = ("flag", "drop")


# [1]  [1, 2]  [1;2]  [1-3]  [passage 2]; "[1][2]" is two markers.
_MARKER_SRC = r"\[\s*(?:passages?\s*)?(\d+(?:\s*(?:[,;]|[-–])\s*\d+)*)\s*\]"
_MARKER = re.compile(_MARKER_SRC, re.IGNORECASE)
_MARKER_WITH_SPACE = re.compile(r"(\s*)" + _MARKER_SRC, re.IGNORECASE)
_MARKER_BEFORE = re.compile(_MARKER_SRC + r"\s*$", re.IGNORECASE)
_LEADING_MARKERS = re.compile(r"^(?:\s*" + _MARKER_SRC + r")+", re.IGNORECASE)
# A sentence ends at . ! or ?, possibly followed by closing quotes/brackets and by markers.
_SENTENCE_END = re.compile(
    r"[.!?]+[\"'”’)]*(?:\s*" + _MARKER_SRC + r")*(?=\s+\S|\s*$)", re.IGNORECASE
)
_THINK = re.compile(r"<think>.*?(?:</think>|\Z)", re.DOTALL | re.IGNORECASE)
_INITIALS = re.compile(r"(?:[A-Za-z]\.){2,}")  # U.S.  U.S.C.  E.U.  e.g.
_REFUSALS = (
    re.compile(r"\b(?:cannot|can ?not|can't|unable to|not able to)\s+(?:answer|determine|tell)\b"),
    re.compile(
        r"\b(?:passages?|corpus|documents?|context|sources?)\s+(?:provided\s+)?"
        r"(?:do|does)\s*(?:not|n't)\s+(?:answer|cover|address)\b"
    ),
    re.compile(r"\bnot (?:covered|addressed|answered) (?:by|in) the\b"),
)


def strip_thinking(text: str) -> str:
    """The reply without the <think> blocks reasoning models write (an unclosed one runs to the
    end)."""
    return _THINK.sub("", text)


def _numbers(inner: str, k: int) -> list[int]:
    """Valid passage numbers (1..k, first-seen order) named inside one marker's brackets."""
    found: list[int] = []
    for part in re.split(r"\s*[,;]\s*", inner.strip()):
        bounds = re.split(r"\s*[-–]\s*", part)
        if len(bounds) == 2:
            lo, hi = int(bounds[0]), int(bounds[1])
            candidates = list(range(max(lo, 1), min(hi, k) + 1)) if lo <= hi else []
        else:
            candidates = [int(bounds[0])]
        found.extend(n for n in candidates if 1 <= n <= k and n not in found)
    return found


# While a reply is checked, valid markers are written as placeholders, so text the model wrote
# can never pass for one (removing "[7]" from "[[7]1]" would leave a "[1]" nobody checked). They
# become "[n]", numbered in order of first use, when their sentence is sent.
_OPEN, _CLOSE = "\ue000", "\ue001"
_PLACEHOLDER = re.compile(_OPEN + r"(\d+)" + _CLOSE)


def _clean_markers(
    sentence: str, k: int, valid: Container[int] | None = None
) -> tuple[str, list[int]]:
    """The sentence with markers that name no valid passage removed and valid ones written as
    placeholders, and the valid passage numbers it cites (first-seen order). `valid` (default:
    all of 1..k) leaves out passages whose text could not be verified."""
    cited: list[int] = []

    def replace(m: re.Match[str]) -> str:
        good = [n for n in _numbers(m.group(2), k) if valid is None or n in valid]
        cited.extend(n for n in good if n not in cited)
        if good:
            return m.group(1) + "".join(f"{_OPEN}{n}{_CLOSE}" for n in good)
        following = m.string[m.end() : m.end() + 1]
        # Removing "[7]" from "listed [7] and" or "[7][1]" keeps the space, from "listed [7]."
        # or "listed [7] [1]" it does not.
        if not following or following.isspace() or following in ".,;:!?)":
            return ""
        return m.group(1)

    text = sentence
    while _MARKER.search(text):  # each pass removes at least one "[": it ends
        text = _MARKER_WITH_SPACE.sub(replace, text)
    return re.sub(r"[ \t]{2,}", " ", text).strip(), cited


_LOOK_BACK = 256  # how much of a line before a period decides whether it ends a sentence


def _is_boundary(line: str, m: re.Match[str]) -> bool:
    """False when the period ending at m is an abbreviation's ("U.S. Government", "No. 5")."""
    if _MARKER.search(m.group(0)) or line[m.start()] != ".":
        return True  # a marker after the punctuation, or ! / ?, always ends a sentence
    # Only the text just before the period matters (a window keeps long lines linear).
    if _MARKER_BEFORE.search(line, max(0, m.start() - _LOOK_BACK), m.start()):
        return True  # "listed [1]. next": the model closed a cited sentence
    following = line[m.end() :].lstrip()[:1]
    if following.islower():
        return False  # "e.g. the", "U.S. persons": sentences start with a capital
    token = re.search(r"(\S+)$", line[max(0, m.start() - _LOOK_BACK) : m.start() + 1])
    word = token.group(1) if token else ""
    word = word.lstrip("\"'“‘(")
    return not (_INITIALS.fullmatch(word) or word[:-1].lower() in ABBREVIATIONS)


def reply_sentences(line: str, start: int = 0) -> list[tuple[str, int]]:
    """The sentences of one line of a model's reply from `start` (where a sentence begins), each
    with the offset its own text starts at: markers after a period stay with its sentence, and
    markers a sentence opens with belong to the one before it. A checker may resume from such an
    offset and cut the rest of the line exactly as from the start, because only whitespace and
    markers (no sentence end) lie before it.

    This is not `assistant.text.sentence_spans` (which cuts stored documents for the chunker,
    the extractive answerer and the screening block), though it shares its abbreviation list,
    because a reply is different text read a different way: its sentences carry [n] markers
    that must stay with the sentence they close, a period before a marker always ends a
    sentence, the text arrives piece by piece (so a boundary is judged from a bounded look-back
    and parsing resumes at an offset, keeping the work linear as a line grows), and a model's
    sentence may start with any non-lowercase character, not only a capital or a digit."""
    found: list[tuple[str, int]] = []
    pos = start
    for m in _SENTENCE_END.finditer(line, start):
        if m.end() <= pos or not _is_boundary(line, m):
            continue
        found.append((line[pos : m.end()], pos))
        pos = m.end()
    if line[pos:].strip():
        found.append((line[pos:], pos))
    out: list[tuple[str, int]] = []
    for raw, at in found:
        text = raw.strip()
        at += len(raw) - len(raw.lstrip())
        lead = _LEADING_MARKERS.match(text) if out else None
        if lead:  # "Foo. [1] Bar.": the [1] closes "Foo."
            out[-1] = (f"{out[-1][0]} {lead.group(0).strip()}", out[-1][1])
            text, at = text[lead.end() :].strip(), at + lead.end()
        out.append((text, at))
    return [(text, at) for text, at in out if text]


def _normalise(text: str) -> str:
    text = _PLACEHOLDER.sub("", _MARKER.sub("", text)).lower()
    return re.sub(r"\s+", " ", text).strip(" \t\n.!?\"'")


def is_refusal(sentence: str) -> bool:
    """True for the fixed not-covered sentence or a plain "I cannot answer" statement."""
    norm = _normalise(sentence)
    if not norm or _normalise(NOT_COVERED) in norm:
        return True
    return any(p.search(norm) for p in _REFUSALS)


@dataclass
class _Item:
    """One sentence of the reply as a claim (passage numbers, placeholders in its text), with
    the line and the paragraph it stands in, which decide how it joins the one before."""

    claim: Claim
    line: int
    para: int

    def copy(self) -> _Item:
        return _Item(self.claim.model_copy(deep=True), self.line, self.para)


@dataclass(frozen=True)
class _Sentence:
    text: str
    line: int
    offset: int  # where its own text starts in its line: a parse may resume there
    para: int


def _walk(lines: list[str], line: int = 0, offset: int = 0, para: int = 0) -> list[_Sentence]:
    """The sentences of a reply (without <think>, cut at \\n), from the one that starts at
    `offset` in `lines[line]` (paragraph `para`) on; a blank line starts a new paragraph."""
    found: list[_Sentence] = []
    for number in range(line, len(lines)):
        if not lines[number].strip():
            para += 1
            continue
        for text, at in reply_sentences(lines[number], offset if number == line else 0):
            found.append(_Sentence(text, number, at, para))
    return found


def _apply(items: list[_Item], sentence: _Sentence, k: int, valid: Container[int]) -> None:
    """Add a sentence to the claims so far: a claim citing the valid passages it names, or, if
    it is nothing but markers, support for the claim just before it (an invalid marker alone is
    nothing at all)."""
    cleaned, cited = _clean_markers(sentence.text, k, valid)
    if _normalise(cleaned):
        claim = Claim(text=cleaned, citations=cited, supported=bool(cited))
        items.append(_Item(claim, sentence.line, sentence.para))
    elif cited and items:
        prev = items[-1].claim
        prev.text = f"{prev.text} {cleaned}"
        prev.citations.extend(n for n in cited if n not in prev.citations)
        prev.supported = True


_PARTIAL_TAG = re.compile(r"</?(?:t(?:h(?:i(?:n(?:k)?)?)?)?)?\Z", re.IGNORECASE)
# A sentence end (or a line's) and the start of more text, which may settle the sentence before.
_SETTLING = re.compile(r"[.!?\]>\n]\s*(?=\S)")
_BRACKET_WINDOW = 256  # how far back an unclosed "[" may still become a marker
_MIN_STEP = 16  # characters of reply between two reads
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _held_back(text: str) -> str:
    """`text` without a tail that more text could still turn into a marker ("[1" becoming
    "[1]") or a <think> tag: until then it would read as words and settle the wrong way."""
    cut = len(text)
    stop = max(text.rfind("\n") + 1, len(text) - _BRACKET_WINDOW)
    depth = 0
    for i in range(len(text) - 1, stop - 1, -1):
        if text[i] == "]":
            depth += 1
        elif text[i] == "[":
            if depth:
                depth -= 1
            else:
                cut = i  # unclosed: keep looking for an earlier one ("[[7]1")
    tag = _PARTIAL_TAG.search(text, max(0, len(text) - 8))
    if tag:
        cut = min(cut, tag.start())
    return text[:cut]


class ReplyChecker:
    """Checks a model's reply while it streams, so that only checked text is ever sent.

    A sentence is taken once nothing the model may still write can change it (the next sentence
    has begun, or the reply has ended) and gets the treatment `postprocess` describes: markers
    naming no given, verified passage are removed, and an uncited sentence is flagged or
    dropped. Nothing is released until a sentence with a valid citation (other than a refusal)
    is taken, since until then the reply may still end up abstaining; the sentences before it
    follow it out then. Citations are numbered in order of first use from `first_n`, so the
    text, the claims and the citations agree. `feed` returns the text now safe to send;
    `finish` returns the rest and the Answer, whose `answer` is everything released, joined.

    Each sentence is read once (the last, unfinished one again as it grows), so checking stays
    linear in the length of the reply.
    """

    def __init__(
        self,
        passages: Sequence[SearchResult],
        unsupported: str = "flag",
        valid: Container[int] | None = None,
        first_n: int = 1,
    ) -> None:
        if unsupported not in UNSUPPORTED_MODES:
            raise ValueError(
                f"unsupported={unsupported!r}: expected one of {', '.join(UNSUPPORTED_MODES)}"
            )
        self._passages = list(passages)
        self._k = len(self._passages)
        self._valid = {n for n in range(1, self._k + 1) if valid is None or n in valid}
        self._drop = unsupported == "drop"
        self._first_n = first_n
        self._raw = ""
        self._seen = 0  # length of the raw text at the last look for a settled sentence
        self._due = False  # a sentence may have been settled since the last read
        self._read_at = 0  # length of the raw text at the last read
        self._unread = 0  # length of the text from the first sentence not read, at that read
        self._resume = (0, 0, 0)  # line, offset and paragraph of the first sentence not read
        self._tail: _Item | None = None  # the last claim read: later markers may still join it
        self._held: list[_Item] = []  # settled before the reply was known not to abstain
        self._answering = False
        self._last: _Item | None = None  # the last claim released
        self._numbers: dict[int, int] = {}  # passage number -> citation number
        self._claims: list[Claim] = []
        self._sent: list[str] = []

    def feed(self, delta: str) -> str:
        """Add a piece of the reply; the checked text it lets out (often "")."""
        if not delta:
            return ""
        # Placeholders are ours alone; a lone surrogate (JSON allows "\\ud800") is not text.
        delta = _LONE_SURROGATE.sub("\ufffd", delta.replace(_OPEN, "").replace(_CLOSE, ""))
        self._raw += delta
        # Only a sentence end followed by more text can settle a sentence: read only then, and
        # not again before the unread part has grown by a share of itself (linear work even
        # when the model glues endless markers onto one sentence).
        self._due = self._due or any(
            m.end() >= self._seen for m in _SETTLING.finditer(self._raw, max(0, self._seen - 64))
        )
        self._seen = len(self._raw)
        if not self._due or self._seen - self._read_at < max(_MIN_STEP, self._unread // 8):
            return ""
        self._due, self._read_at = False, self._seen
        return self._read(_held_back(self._text()), final=False)

    def finish(self) -> tuple[str, Answer]:
        """The text still to send and the final Answer (abstaining: no text at all)."""
        rest = self._read(self._text(), final=True)
        if not self._answering:
            return "", not_covered()
        order = sorted(self._numbers.items(), key=lambda pn: pn[1])
        return rest, Answer(
            answer="".join(self._sent),
            abstained=False,
            citations=[self._passages[p - 1].cite(n) for p, n in order],
            claims=self._claims,
        )

    def _text(self) -> str:
        return strip_thinking(self._raw.replace("\r\n", "\n").replace("\r", "\n"))

    def _read(self, text: str, final: bool) -> str:
        """Read the sentences not read yet; settle the claims nothing can change any more."""
        lines = text.split("\n")
        line, offset, _ = self._resume
        self._unread = len("\n".join(lines[line:])) - offset
        sentences = _walk(lines, *self._resume)
        done = sentences if final else sentences[:-1]  # the last one may still grow
        items = [self._tail] if self._tail else []
        for sentence in done:
            _apply(items, sentence, self._k, self._valid)
        if final:
            self._tail = None
            return self._take(items)
        begun = False  # whether the unfinished last sentence already is a claim of its own
        if sentences:
            last = sentences[-1]
            self._resume = (last.line, last.offset, last.para)
            probe = [items[-1].copy()] if items else []
            _apply(probe, last, self._k, self._valid)
            begun = len(probe) > min(len(items), 1)
        if begun or not items:
            settled, self._tail = items, None  # markers to come can only join the new claim
        else:
            settled, self._tail = items[:-1], items[-1]
        return self._take(settled)

    def _take(self, items: list[_Item]) -> str:
        out: list[str] = []
        for item in items:
            if self._answering:
                out.append(self._release(item))
                continue
            self._held.append(item)
            if item.claim.citations and not is_refusal(item.claim.text):
                self._answering = True
                out.extend(self._release(held) for held in self._held)
                self._held = []
        return "".join(out)

    def _number(self, passage: int) -> int:
        if passage not in self._numbers:
            self._numbers[passage] = self._first_n + len(self._numbers)
        return self._numbers[passage]

    def _release(self, item: _Item) -> str:
        """The sentence as sent, joined to the one before as the model laid them out."""
        if self._drop and not item.claim.citations:
            return ""
        text = _PLACEHOLDER.sub(lambda m: f"[{self._number(int(m.group(1)))}]", item.claim.text)
        cited = [self._number(n) for n in item.claim.citations]
        last, self._last = self._last, item
        if last is None:
            joint = ""
        elif last.line == item.line:
            joint = " "
        else:  # one blank line between paragraphs, however many the model wrote
            joint = "\n\n" if last.para != item.para else "\n"
        self._claims.append(Claim(text=text, citations=cited, supported=bool(cited)))
        self._sent.append(joint + text)
        return joint + text


def postprocess(
    raw_text: str,
    passages: Sequence[SearchResult],
    unsupported: str = "flag",
    valid: Container[int] | None = None,
    first_n: int = 1,
) -> Answer:
    """Turn the model's reply into an Answer whose every citation points at a given passage.

    Markers outside 1..len(passages) (or outside `valid`, the verified ones) are removed; each
    sentence becomes a Claim citing the valid passages it names, renumbered 1..N (from
    `first_n`) in order of first use, in the text, the claims and the citations alike.
    Sentences citing nothing are kept with supported=False ("flag") or removed ("drop"). When
    no sentence other than a refusal carries a valid citation, the answer is the fixed
    abstention. The same checker streams (`stream_with_llm`), so both give the same Answer.
    """
    checker = ReplyChecker(passages, unsupported, valid, first_n)
    checker.feed(raw_text or "")
    return checker.finish()[1]

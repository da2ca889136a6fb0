"""The period a "how long" question asks for, read from the whole section its bottom line
comes from.

Why: retrieval ranks the paragraph nearest the whole question, and the period usually sits in
another paragraph of the same section, sharing only the subject's words. "How long does a
temporary denial order last?" finds 766.24(a) ("The procedures in this section apply to
temporary denial orders ...") and 766.24(d) (renewals), while 766.24(b)(4) says "The
temporary denial order will be issued for a period not exceeding 180 days."

Why only there, and only so: a period elsewhere is a period of something else (750.6(b)'s 45
days to appeal a licence denial is no denial order's term, and a bigger bonus for any period
made that the answer). A regulation section has one subject, named in its heading ("§ 766.24
Temporary denials."); the period quoted must be stated of the words the question and that
heading share, in a sentence of that section holding every other word of the question the
section uses and every one the bottom line chosen so far shares: what the question asks of
the subject ("appeal" in "How long do we have to appeal a temporary denial order?", whose
answer is not the order's own 180 days). The words that only ask for a period ("how long",
"days", "last", "valid") count for nothing. A heading sharing no word with the question names
no subject, a question asking nothing of it beyond its heading's words asks too little, and
nothing is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.index.tokenize import tokenize
from assistant.models import SearchResult
from assistant.text import chunk_sentences

ASKS_DURATION = re.compile(
    r"\bhow\s+long\b|\bhow\s+many\s+(?:days|weeks|months|years)\b|\bvalidity\s+period\b",
    re.I,
)
_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred)"
)
# "180 days", "four-year", "Thirty (30) days", "forty-five (45) days", "five (5) calendar
# days", "48 hours", "within a year", "annually"; and an end date ("until Nov. 9, 2026")
STATES_DURATION = re.compile(
    rf"\b(?:\d+|{_NUMBER_WORD}(?:-{_NUMBER_WORD})?)(?:\s*\(\d+\))?"
    r"[\s-]+(?:calendar\s+|business\s+)?(?:hours?|days?|weeks?|months?|years?)\b"
    r"|\b(?:a|one)[\s-]+year\b|\bannually\b|\bon\s+an\s+annual\s+basis\b"
    r"|\buntil\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2},\s+\d{4}\b",
    re.I,
)


@dataclass(frozen=True)
class Period:
    """A sentence stating the period asked for: its chunk and its document offsets."""

    chunk: SearchResult
    start: int
    end: int


# How a question asks for a period, not what it asks about ("How many days does it last?")
_DURATION_WORDS = frozenset(
    "how long many day week month year last take have keep stay remain valid".split()
)
# The endings a word of the question may gain in the section's ("valid", "validity"); the
# stemmer keeps legal terms whole. Never a mere prefix: "party" is not "part", "term" not
# "terminate", "license" not "licensee".
_SAME_WORD_ENDINGS = ("", "s", "es", "ity", "ion", "ions")


def _words(text: str) -> set[str]:
    return {t for t in tokenize(text) if not t[0].isdigit()}


def _among(term: str, words: set[str]) -> bool:
    return any(f"{term}{ending}" in words for ending in _SAME_WORD_ENDINGS)


def period_in_section(
    question: str,
    lead: SearchResult,
    lead_text: str,
    read_section: Callable[[str], Sequence[SearchResult]],
    idf: Callable[[str], float] | None = None,
) -> Period | None:
    """The sentence of `lead`'s section (its chunks in order, from `read_section("766.24")`,
    read only for a question this can answer) that states a period of the section's subject
    and holds every other word of the question the section uses (and every one the bottom
    line so far has), when the question asks how long and `lead_text` (that bottom line)
    states no period; None otherwise. Of several, the one sharing most of the question's
    words; ties go to the earlier sentence: a section states its rule before its renewals."""
    if (
        not ASKS_DURATION.search(question)
        or STATES_DURATION.search(lead_text)
        or str(lead.metadata.get("doc_type") or "") != "regulation"
    ):
        return None
    asked = _words(question) - _DURATION_WORDS
    heading = _words(lead.title)
    subject = asked & heading
    if not subject:
        return None
    section = lead.citation.split("(", 1)[0]
    # (each sentence's words, tokenized once: sentences, not whole chunks, are what the
    # tokenizer's cache is for)
    sentences = [
        (chunk, a, b, _words(chunk.text[a:b]))
        for chunk in read_section(section.removeprefix("15 CFR "))
        if chunk.citation.split("(", 1)[0] == section
        for a, b in chunk_sentences(chunk.text)
    ]
    used = set().union(*(words for *_, words in sentences))
    # What the question asks of the subject, in the section's words ("appeal", "extend",
    # "review"): a period sentence without one of them is a period of something else ("How
    # long do we have to appeal a temporary denial order?" is not answered by the order's own
    # 180 days); a question asking nothing more of the subject than its heading is not read.
    needed = (asked & used) - heading
    # (and what the bottom line so far is about stays)
    needed |= asked & _words(lead_text) - heading
    if not needed:
        return None
    weight = idf or (lambda _t: 1.0)
    best: tuple[float, int, Period] | None = None
    for chunk, a, b, words in sentences:
        if not STATES_DURATION.search(chunk.text[a:b]):
            continue
        if not subject <= words or not all(_among(t, words) for t in needed):
            continue
        share = sum(weight(t) for t in asked & words)
        key = (share, -(chunk.start + a))
        if best is None or key > best[:2]:
            best = (*key, Period(chunk, chunk.start + a, chunk.start + b))
    return best[2] if best else None

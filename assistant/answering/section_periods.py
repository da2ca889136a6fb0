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
heading share, and one more of the question's words, in a sentence of that section that
also keeps every question word the bottom line chosen so far shares (the topic the ranking
found: "appeal" in "How long do we have to appeal a denial order?"). A heading sharing no word
with the question names no subject, and nothing is read.
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
STATES_DURATION = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|thirty|sixty|ninety)"
    r"[\s-]+(?:calendar\s+|business\s+)?(?:days?|weeks?|months?|years?)\b",
    re.I,
)


@dataclass(frozen=True)
class Period:
    """A sentence stating the period asked for: its chunk and its document offsets."""

    chunk: SearchResult
    start: int
    end: int


def _words(text: str) -> set[str]:
    return {t for t in tokenize(text) if not t[0].isdigit()}


def _among(term: str, words: set[str]) -> bool:
    """`term` or a word it begins or that begins it ("valid", "validity"): the stemmer keeps
    legal terms whole."""
    return term in words or any(
        min(len(term), len(w)) >= 4 and (w.startswith(term) or term.startswith(w)) for w in words
    )


def period_in_section(
    question: str,
    lead: SearchResult,
    lead_text: str,
    chunks: Sequence[SearchResult],
    idf: Callable[[str], float] | None = None,
) -> Period | None:
    """The sentence of `lead`'s section (`chunks`, in order) that states a period of the
    section's subject, keeps every question word the bottom line has, and shares most of the
    question's words, when the question asks how long and `lead_text` (the bottom line chosen
    so far) states no period; None otherwise. Ties go to the earlier sentence: a section
    states its rule before its renewals."""
    if (
        not ASKS_DURATION.search(question)
        or STATES_DURATION.search(lead_text)
        or str(lead.metadata.get("doc_type") or "") != "regulation"
    ):
        return None
    asked = _words(question)
    subject = asked & _words(lead.title)
    if not subject:
        return None
    # (what the bottom line so far is about stays: "How long do we have to appeal a denial
    # order?" is not answered by the order's own 180 days)
    topic = asked & _words(lead_text)
    weight = idf or (lambda _t: 1.0)
    best: tuple[float, int, Period] | None = None
    for chunk in chunks:
        if chunk.citation.split("(", 1)[0] != lead.citation.split("(", 1)[0]:
            continue
        for a, b in chunk_sentences(chunk.text):
            text = chunk.text[a:b]
            if not STATES_DURATION.search(text):
                continue
            words = _words(text)
            # (the subject's words and one more of the question's: "license" alone is the
            # subject of 748.4 and of a question about disclosures, not their shared topic)
            if not subject < (asked & words) or not all(_among(t, words) for t in topic):
                continue
            share = sum(weight(t) for t in asked & words)
            key = (share, -(chunk.start + a))
            if best is None or key > best[:2]:
                best = (*key, Period(chunk, chunk.start + a, chunk.start + b))
    return best[2] if best else None

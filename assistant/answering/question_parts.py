"""The separate questions one message asks.

"How long does a TDO last, can it be extended, and can we keep filling their open orders?" and
"(1) Do we need a PRC End-User Statement? (2) Can we apply before MOFCOM issues it?" ask two
or three things. Retrieval ranks passages by the whole message, so the passages come mostly
from its first and longest part, and a practitioner's later question goes unanswered (six of
forty answers in a fresh grading). Each later part is found here, to be searched on its own
and answered in a line of its own; the message as a whole is still what the answer opens on.

A part is kept only when it is a question (a later sentence that states something is the
background of the first) and has words of its own (at least MIN_TERMS index terms): "can it be
extended?" and "Is that the right exception?" lean on the first part for their subject, and
searched alone would find whatever shares "extend" or "exception".
"""

from __future__ import annotations

import re

from assistant.index.tokenize import tokenize

MIN_TERMS = 3
MAX_PARTS = 3  # later parts answered at most (a message listing ten questions gets three)

# "(1) ... (2) ...", "1) ... 2) ...", "(a) ... (b) ..." opening a part: after the start, a
# sentence end or a colon, not inside a citation ("744.11(a)(1)", "paragraph (2)").
_NUMBERED = re.compile(r"(?:^|(?<=[.?!:;])\s+|\s+(?=\())(?:\(\s*[1-9]\s*\)|[1-9]\))\s+")
# A question sentence ends and another begins ("... to China? And do we ...").
_SENTENCE = re.compile(r"(?<=\?)\s+(?=\S)")
# ", and how long ...", ", and can we ...": a second question inside one sentence.
# (after a comma: "lives in Riyadh and is employed by ..." goes on with one statement)
_JOINED = re.compile(
    r",\s+(?:and|also|plus)\s+(?=(?:how|what|when|which|who|where|why|can|could|do|does|did|"
    r"is|are|must|should|will|would|may)\b)",
    re.I,
)
_PARAGRAPH_WORD = re.compile(r"(?:paragraphs?|§|\d)\s*$", re.I)


def question_parts(question: str) -> list[str]:
    """The message's questions after its first, each with words of its own, in order; none
    when it asks one thing. (The first is what the answer opens on: the message's own lead
    or determination.)"""
    pieces = _pieces(question)
    # (a later sentence that is no question is background: "I remember Microsoft got a licence")
    later = [p for p in pieces[1:] if p.endswith("?") and len(set(tokenize(p))) >= MIN_TERMS]
    return later[:MAX_PARTS]


def first_question(question: str) -> tuple[str, str] | None:
    """The message's first part (with its background) and the question it asks, without the
    background and its number ("(1) How do we make a voluntary self-disclosure, and what is
    the deadline?"), when the message asks several things; None when it asks one, or when its
    first part asks nothing of its own words. A determination may answer a later part ("(2)
    Can we ship it back?"); then this one still needs a line."""
    pieces = _pieces(question)
    if len(pieces) < 2:
        return None
    asked = [x for x in re.split(r"(?<=[.!?])\s+", pieces[0]) if x.rstrip().endswith("?")]
    if not asked:
        return None
    first = _NUMBER.sub("", asked[-1]).strip()
    return (pieces[0], first) if len(set(tokenize(first))) >= MIN_TERMS else None


_NUMBER = re.compile(r"^\s*(?:\(\s*[1-9a-z]\s*\)|[1-9]\))\s*")


def _pieces(question: str) -> list[str]:
    """The message cut at its numbers, its question marks and its ", and how ..." joins, in
    order (the first keeps the background before it)."""
    pieces = [question]
    for splitter in (_split_numbered, _split_sentences, _split_joined):
        pieces = [x for piece in pieces for x in splitter(piece)]
    return [p.strip(" ,;") for p in pieces if p.strip(" ,;")]


def _split_numbered(text: str) -> list[str]:
    cuts = [m for m in _NUMBERED.finditer(text) if not _PARAGRAPH_WORD.search(text[: m.start()])]
    if len(cuts) < 2:
        return [text]
    out, pos = [], 0
    for m in cuts:
        out.append(text[pos : m.start()])
        pos = m.end()
    out.append(text[pos:])
    # the text before the first number is the background: it belongs to the first part
    return [out[0] + " " + out[1], *out[2:]] if out[0].strip() else out[1:]


def _split_sentences(text: str) -> list[str]:
    return _SENTENCE.split(text)


def _split_joined(text: str) -> list[str]:
    if not text.rstrip().endswith("?"):
        return [text]
    return _JOINED.split(text)

"""What a License Exception is: the sentence of its own section that says what it authorizes.

"What is License Exception TMP?" or "What does GBS allow?" is answered by the exception's scope
sentence ("License Exception TMP authorizes exports, reexports, and transfers (in-country) of
items for temporary use abroad ...", "This License Exception authorizes ..."), which nearly
every section of part 740 opens a paragraph with. Retrieval, ranking sentences by the question's
words, brings whichever paragraph repeats the symbol most (STA's "(d)(2)(viii) ... under License
Exception STA, a single prior consignee statement ..."), not the one that says what it is.

Pure text functions over the section's chunks; the extractive answer cites what they find.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answering.exception_limits import EXCEPTION_SECTIONS, TECHNOLOGIES, named_exceptions
from assistant.models import SearchResult
from assistant.text import cached_pattern, chunk_sentences


def _name(group: str) -> str:
    """The exception as a question names it: "License Exception TMP", "the TMP exception"."""
    return (
        rf"(?:the\s+)?(?:licen[cs]e\s+exceptions?\s+)?(?P<{group}>[A-Za-z]{{3}})"
        r"(?:\s+(?:licen[cs]e\s+)?exception)?"
    )


# The whole question asks what the exception is, allows or is for, and nothing more: "What is
# License Exception TMP?", "What does License Exception ACE cover?", "What is STA used for?"
# (not "What is TMP's time limit?", "What does ENC allow for mass market software?")
_ASKS_WHAT_IT_IS = re.compile(
    rf"\s*what\s+(?:is|are)\s+{_name('a')}(?:\s+(?:for|used\s+for|about))?\s*\??\s*"
    rf"|\s*what\s+(?:does|do)\s+{_name('b')}\s+(?:allow|authori[sz]e|cover|permit|do)\s*\??\s*",
    re.I,
)
# "(a) *Scope.* License Exception TMP authorizes ...", "This License Exception authorizes ...",
# "This section authorizes ...", "License Exception Restricted Fabrication “Facility” (RFF)
# authorizes ..." ({code}: the symbol)
_SCOPE = (
    r"^\W*(?:\(\s*\w{{1,4}}\s*\)\s*)*(?:\*[^*]{{1,80}}\*\s*)?"
    r"(?:License\s+Exception\s+(?:{code}|[^.()]{{1,80}}\(\s*{code}\s*\))"
    r"|This\s+(?:License\s+Exception|licen[cs]e\s+exception|section)(?:\s+[^.()]{{1,80}}\(\s*{code}\s*\))?"
    # GFT's "(1) Scope. The provisions of paragraph (a) authorize exports ... of gift parcels"
    r"|The\s+provisions\s+of\s+(?:this\s+section|paragraph\s+\(\s*[a-z]\s*\)))"
    r"\s+(?:authorizes?|permits?|allows?)\b"
)


@dataclass(frozen=True)
class Scope:
    """The scope sentence found: its chunk and its span in the document."""

    code: str
    chunk: SearchResult
    start: int
    end: int


def asked_exception(question: str) -> tuple[str, str] | None:
    """(symbol, section) of the one exception a question asks, and only asks, what it is or
    allows; None for a question about a case under it ("Can we ship X to Y under TMP?"), about
    one of its terms ("What is TMP's time limit?") or about two ("TMP and RPL")."""
    named = named_exceptions(question)
    asked = _ASKS_WHAT_IT_IS.fullmatch(question)
    code = asked and (asked.group("a") or asked.group("b"))
    # "What is TMP?": the symbol alone, typed as one; not a technology's name too ("What is
    # CCD?" asks about image sensors)
    if (
        not named
        and code
        and code == code.upper()
        and code in EXCEPTION_SECTIONS.keys() - TECHNOLOGIES
    ):
        named = [(code, EXCEPTION_SECTIONS[code])]
    if len(named) != 1 or not code or code.upper() != named[0][0]:
        return None
    return named[0]


def states_scope(code: str, sentence: str) -> bool:
    """Whether the sentence says what the exception authorizes, permits or allows (read inside
    its own section: "This section authorizes ...")."""
    return cached_pattern(_SCOPE.format(code=re.escape(code)), re.I).search(sentence) is not None


def scope_sentence(code: str, chunks: Sequence[SearchResult]) -> Scope | None:
    """The first sentence of the section's chunks (in the section's order) saying what the
    exception authorizes, permits or allows."""
    for chunk in chunks:
        for a, b in chunk_sentences(chunk.text):
            if states_scope(code, chunk.text[a:b]):
                return Scope(code, chunk, chunk.start + a, chunk.start + b)
    return None

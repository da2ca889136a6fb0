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

from assistant.answering.exception_limits import named_exceptions
from assistant.models import SearchResult
from assistant.retrieval.features import defined_terms
from assistant.text import chunk_sentences

# "what does TMP allow / cover / do", "what is GBS for", "what can I do under License Exception
# ACE": the exception itself is asked about, not a case under it
_ASKS_WHAT_IT_DOES = re.compile(
    r"\bwhat\s+(?:does|do)\s+(?:(?:the\s+)?licen[cs]e\s+exception\s+)?[A-Za-z]{3}\b"
    r"(?:\s+(?:licen[cs]e\s+)?exception)?\s+(?:allow|authori[sz]e|cover|permit|do)\b"
    r"|\bwhat\s+(?:is|are)\s+(?:(?:the\s+)?licen[cs]e\s+exception\s+)?[A-Za-z]{3}\b"
    r"(?:\s+(?:licen[cs]e\s+)?exception)?\s+(?:for|used\s+for|about)\b",
    re.I,
)
# "(a) *Scope.* License Exception TMP authorizes ...", "This License Exception authorizes ...",
# "This section authorizes ..." ({code}: the symbol)
_SCOPE = (
    r"^\W*(?:\(\s*\w{{1,4}}\s*\)\s*)*(?:\*[^*]{{1,80}}\*\s*)?"
    r"(?:License\s+Exception\s+{code}|This\s+(?:License\s+Exception|licen[cs]e\s+exception|section))"
    r"\s+(?:authorizes|permits|allows)\b"
)


@dataclass(frozen=True)
class Scope:
    """The scope sentence found: its chunk and its span in the document."""

    code: str
    chunk: SearchResult
    start: int
    end: int


def asked_exception(question: str) -> tuple[str, str] | None:
    """(symbol, section) of the exception a question asks what it is or allows; None for a
    question about a case under it ("Can we ship X to Y under TMP?")."""
    named = named_exceptions(question)
    if not named:
        return None
    code, section = named[0]
    terms = [t for t in defined_terms(question) if re.search(rf"\b{code}\b", t, re.I)]
    if terms or _ASKS_WHAT_IT_DOES.search(question):
        return code, section
    return None


def states_scope(code: str, sentence: str) -> bool:
    """Whether the sentence says what the exception authorizes, permits or allows (read inside
    its own section: "This section authorizes ...")."""
    return re.search(_SCOPE.format(code=re.escape(code)), sentence, re.I) is not None


def scope_sentence(code: str, chunks: Sequence[SearchResult]) -> Scope | None:
    """The first sentence of the section's chunks (in the section's order) saying what the
    exception authorizes, permits or allows."""
    pattern = re.compile(_SCOPE.format(code=re.escape(code)), re.I)
    for chunk in chunks:
        for a, b in chunk_sentences(chunk.text):
            if pattern.search(chunk.text[a:b]):
                return Scope(code, chunk, chunk.start + a, chunk.start + b)
    return None

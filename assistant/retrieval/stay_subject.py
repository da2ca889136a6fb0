"""Which recorded stay a question about a rule's legal status is asking about.

Why: "Is the affiliates rule stayed?", "Is the affiliates rule in effect?" and "What is the
status of the affiliates rule?" were answered from the Federal Register rule that made the
Affiliates rule, with no word of the stay: the stayed provisions (15 CFR 744.11(a)(1) and its
siblings in 744.8, 744.16 and 744.21) say "foreign affiliates ... owned 50 percent or more", not
"affiliates rule", and the note recording the stay says neither. Bringing every stayed chunk into
every status question was tried (2026-12-02): asked whether the Unverified List, the Entity List
FDP rule or the MEU List is still in force, the Affiliates paragraphs led with their note, which
tells a legal reader that rule was stayed.

So a status question is taken to ask about a recorded stay only when its subject, the words left
once the words that ask about status or name a kind of provision are dropped, is made of words
every section that stay affects shares in its stayed text: what the stay is about, read from the
provisions themselves. "affiliates" and "50 percent" are in each of the four sections' stayed
text; "unverified", "FDP" and "MEU" are not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from assistant.index.tokenize import tokenize
from assistant.status import load_notes

# A question about a rule's legal status: "is it stayed?", "still in force?", "What is the
# status of the affiliates rule?", "What happened to the 50 percent rule?", "Has the rule been put
# on hold?". ("status" alone is not asked: "UVEU status", "the status of my licence application".)
ASKS_STATUS = re.compile(
    r"\b(?:stay|stayed|in\s+force|in\s+effect|suspended|paused|still\s+(?:apply|applies|"
    r"valid|effective|operative|binding|current)|legal\s+status)\b"
    r"|\bstatus\s+of\s+(?:[\w%.'’()-]+\s+){0,6}?(?:rules?|provisions?|section|paragraph|"
    r"requirements?|restrictions?|prohibitions?|general\s+licen[cs]e|exceptions?|TGL|"
    r"amendments?)\b(?!\s+(?:applications?|requests?))"
    # "What happened to the 50 percent affiliates rule?", "Has the rule been put on hold?"
    # (what happened to a rule, not to a company: "What happened to Huawei?" is not asked)
    r"|\bwhat\s+(?:has\s+)?happened\s+(?:to|with)\s+"
    r"(?:(?!(?:after|before|since|under|when|because|with|from|to|for)\b)[\w%.'’()-]+\s+){0,6}?"
    r"(?:rules?|provisions?|sections?|paragraphs?|requirements?|restrictions?|prohibitions?|"
    r"amendments?)\b"
    # ... put off: a rule or "it" the subject, not a shipment, an order or an application
    r"|\b(?:rules?|provisions?|sections?|paragraphs?|requirements?|amendments?|it)\b"
    r"(?:\s+\w+){0,3}?\s+(?:been\s+|was\s+|is\s+)?(?:postponed|delayed|deferred|"
    r"put\s+on\s+hold|on\s+hold)\b",
    re.I,
)

# Words that ask about status, or name a kind of provision or the regulation itself, rather than
# say which provision: left out of the subject.
_NOT_SUBJECT = frozenset(
    tokenize(
        "stay stays stayed still force effect effective suspended suspension paused apply "
        "applies applied valid operative binding current currently status legal happened "
        "postponed delayed deferred put hold now today yet longer anymore ever been being "
        "rule rules provision provisions section sections paragraph paragraphs requirement "
        "requirements restriction restrictions prohibition prohibitions amendment amendments "
        "regulation regulations ear bis commerce export exports control controls us u.s "
        "has had did was is are new old recent latest"
    )
)


def stay_subject(question: str) -> frozenset[str]:
    """The words of a status question that say what it asks about ("affiliates", "50",
    "percent" of "Is the 50 percent affiliates rule still in force?")."""
    return frozenset(t for t in tokenize(question) if t not in _NOT_SUBJECT)


def _split(text: str, meta: Mapping[str, Any]) -> dict[str, tuple[set[str], set[str]]]:
    """Stay -> the terms of the chunk's text that stay affects (its targets' spans inside the
    chunk) and the terms of the rest of the chunk."""
    start = int(meta.get("start", 0) or 0)
    end = start + len(text)
    out: dict[str, tuple[set[str], set[str]]] = {}
    for note in load_notes(meta):
        if note.kind != "stay":
            continue
        spans = sorted(
            (max(a, start) - start, min(b, end) - start)
            for t in note.targets
            for a, b in t.applies
            if a < end and start < b
        )
        stayed, rest = out.setdefault(note.fr or note.text, (set(), set()))
        at = 0
        for a, b in spans:
            rest.update(tokenize(text[at:a]))
            stayed.update(tokenize(text[a:b]))
            at = max(at, b)
        rest.update(tokenize(text[at:]))
    return out


Chunk = tuple[int, str, Mapping[str, Any]]


def rows_of_stays_asked(
    question: str, stayed: Iterable[Chunk], sections: Iterable[Chunk]
) -> set[int]:
    """The rows, among `stayed` (row, text, metadata of each chunk a recorded stay affects), of
    the stay a status question asks about, in the sections whose stayed text holds every
    subject word. A stay is asked about when, in one section it affects, every subject word is
    in the stayed text and none in the rest of the section (`sections`: every chunk of the
    documents the stayed chunks belong to), so the words name what only the stay touches:
    "affiliates", not "Entity List". Empty when the question does not ask about legal status
    or names nothing beyond "the rule"."""
    if not ASKS_STATUS.search(question):
        return set()
    subject = stay_subject(question)
    if not subject:
        return set()
    # (stay, document) -> stayed terms, the rest's terms, the rows
    parts: dict[tuple[str, str], tuple[set[str], set[str], set[int]]] = {}
    stayed_rows: set[int] = set()
    for row, text, meta in stayed:
        stayed_rows.add(row)
        doc = str(meta.get("doc_id", ""))
        for stay, (terms, rest) in _split(text, meta).items():
            got = parts.setdefault((stay, doc), (set(), set(), set()))
            got[0].update(terms)
            got[1].update(rest)
            got[2].add(row)
    for row, text, meta in sections:
        if row in stayed_rows:
            continue
        doc = str(meta.get("doc_id", ""))
        words = None
        for (_stay, d), got in parts.items():
            if d == doc:
                words = set(tokenize(text)) if words is None else words
                got[1].update(words)
    asked: set[int] = set()
    for stay in {s for s, _d in parts}:
        mine = [got for (s, _d), got in parts.items() if s == stay]
        if any(subject <= terms and not subject & rest for terms, rest, _rows in mine):
            for terms, _rest, rows in mine:
                if subject <= terms:
                    asked |= rows
    return asked

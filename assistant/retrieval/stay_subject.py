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
once the words that ask about status, name a kind of provision or give a date are dropped, is
what the stay is about: every subject word is in the stayed text of more than half of the
sections the stay affects, and none is in the text of those sections the stay leaves in force.
"affiliates", "50 percent" and "ownership" are in the stayed text of three or four of the four
sections and nowhere in their unstayed text; "Entity List", "MEU", "SDN" and "unverified" are in
their unstayed text or not at all, and "deemed" or "email" in one section's stayed text only.
A section whose unstayed text is not known (a whole section stayed, or chunks the section
reader cannot find) settles nothing, and the stay is then not picked by its subject.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from assistant.index.snapshot import Change
from assistant.index.tokenize import tokenize, tokenize_once
from assistant.status import load_notes

# A question about a rule's legal status: "is it stayed?", "still in force?", "What is the
# status of the affiliates rule?", "What happened to the 50 percent rule?", "Has the rule been put
# on hold?". ("status" alone is not asked: "UVEU status", "the status of my licence application";
# nor "stay" the verb: "Can an affiliate stay unlisted?", "how long can it stay abroad".)
ASKS_STATUS = re.compile(
    r"\b(?:the|a|this|that|its)\s+stay\b(?!\s+(?:out|abroad|overseas|at|in|there|here|longer|"
    r"for|with|on\s+site))|\bstay\s+(?:of|on)\s+the\b"
    r"|\b(?:stayed|in\s+force|in\s+effect|suspended|paused|(?:still\s+)?enforced|"
    r"still\s+(?:apply|applies|valid|effective|operative|binding|current)|legal\s+status)\b"
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

# Words that ask about status, name a kind of provision or the regulation itself, or say when,
# rather than say which provision: left out of the subject.
_NOT_SUBJECT = frozenset(
    tokenize(
        "stay stays stayed still force effect effective suspended suspension paused apply "
        "applies applied valid operative binding current currently status legal happened "
        "postponed delayed deferred put hold now today yet longer anymore ever been being "
        "enforced enforce rule rules provision provisions section sections paragraph paragraphs "
        "requirement requirements restriction restrictions prohibition prohibitions amendment "
        "amendments regulation regulations ear bis commerce department export exports control "
        "controls us u.s has had did was is are new old recent latest until till through year "
        "years month months day days one s january february march april may june july august "
        "september october november december"
    )
)
_YEAR = re.compile(r"(?:19|20)\d\d")


def stay_subject(question: str) -> frozenset[str]:
    """The words of a status question that say what it asks about ("affiliates", "50",
    "percent" of "Is the 50 percent affiliates rule still in force in 2026?")."""
    return frozenset(
        t for t in tokenize(question) if t not in _NOT_SUBJECT and not _YEAR.fullmatch(t)
    )


Chunk = tuple[int, str, Mapping[str, Any]]


@dataclass
class _Part:
    """One stay in one document: the terms of its stayed text, those of the document's text it
    leaves in force, and the rows it affects."""

    stayed: set[str] = field(default_factory=set)
    rest: set[str] = field(default_factory=set)
    rows: set[int] = field(default_factory=set)


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
            rest.update(tokenize_once(text[at:a]))
            stayed.update(tokenize_once(text[a:b]))
            at = max(at, b)
        rest.update(tokenize_once(text[at:]))
    return out


@dataclass(frozen=True)
class StayTexts:
    """Per stay, per document it affects, what `_Part` holds: read once per snapshot view (the
    chunks its caller's groups may read), since every status question asks the same."""

    parts: dict[str, dict[str, _Part]]

    @classmethod
    def of(cls, stayed: Iterable[Chunk], sections: Iterable[Chunk]) -> StayTexts:
        """From the chunks a recorded stay affects and every chunk of their documents."""
        parts: dict[str, dict[str, _Part]] = {}
        stays_of_row: dict[int, set[str]] = {}
        for row, text, meta in stayed:
            doc = str(meta.get("doc_id", ""))
            for stay, (terms, rest) in _split(text, meta).items():
                part = parts.setdefault(stay, {}).setdefault(doc, _Part())
                part.stayed |= terms
                part.rest |= rest
                part.rows.add(row)
                stays_of_row.setdefault(row, set()).add(stay)
        for row, text, meta in sections:
            doc = str(meta.get("doc_id", ""))
            words: set[str] | None = None
            for stay, docs in parts.items():
                found = docs.get(doc)
                if found is None or stay in stays_of_row.get(row, ()):
                    continue  # (a chunk a stay affects gave that stay its rest already)
                words = set(tokenize_once(text)) if words is None else words
                found.rest |= words
        return cls(parts)

    def patched(self, change: Change) -> None:
        """Read again for a refreshed snapshot (few chunks, and only when asked)."""
        return None

    def rows_asked(self, question: str) -> set[int]:
        """The rows of the stay a status question asks about, in the documents whose stayed
        text holds every subject word; empty when it asks about none."""
        if not ASKS_STATUS.search(question):
            return set()
        subject = stay_subject(question)
        if not subject:
            return set()
        asked: set[int] = set()
        for docs in self.parts.values():
            mine = list(docs.values())
            if subject <= _about(mine):
                for part in mine:
                    if subject <= part.stayed:
                        asked |= part.rows
        return asked

    def distinctive(self) -> set[str]:
        """What the stays are about (`_about`), all of them together."""
        out: set[str] = set()
        for docs in self.parts.values():
            out |= _about(list(docs.values()))
        return out

    def may_lead(self, question: str) -> bool:
        """Whether a stayed provision may open the answer to a status question that retrieval
        brought it to on its own words: the question names nothing beyond "it" or "the rule",
        or one of its subject words is one only a stay's text uses ("Is the SDN 50 percent rule
        still in force?"), not "Is the MEU List still in effect?" (the MEU List is in 744.21's
        unstayed text), which the Affiliates paragraphs of 744.11(a)(1) would otherwise open
        with their stay."""
        subject = stay_subject(question)
        return not subject or bool(subject & self.distinctive())


def _about(parts: list[_Part]) -> set[str]:
    """What one stay is about: the words the stayed text of more than half of the documents it
    affects uses (the four sections the Affiliates stay touches share "affiliates", "50
    percent", "ownership"; only one says "deemed" or "email"), and no document's unstayed text
    uses. Nothing when a document's unstayed text is not known."""
    if not parts or not all(part.rest for part in parts):
        return set()
    counts = Counter(word for part in parts for word in part.stayed)
    rest = set().union(*(part.rest for part in parts))
    return {word for word, n in counts.items() if n > len(parts) / 2 and word not in rest}


def rows_of_stays_asked(
    question: str, stayed: Iterable[Chunk], sections: Iterable[Chunk]
) -> set[int]:
    """`StayTexts.rows_asked` over these chunks (`stayed`: row, text, metadata of each chunk a
    recorded stay affects; `sections`: every chunk of their documents)."""
    return StayTexts.of(stayed, sections).rows_asked(question)

"""The shapes every layer shares, one definition each: what is stored (`Chunk`), what
retrieval returns (`SearchResult`, `Filters`), and what an answer is (`Answer`, its `Citation`s
and `Claim`s, and the screening block's `Screening`/`ScreeningHit`).

Every surface serialises these; nothing else defines a second copy of them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

_NO_ACCESS = "tpa_no_access"  # a metadata key no stored chunk has


Authority = Literal["regulation", "federal_register", "guidance", "news"]
AUTHORITY_ORDER: dict[str, int] = {"regulation": 0, "federal_register": 1, "guidance": 2, "news": 3}
DOC_TYPE_AUTHORITY: dict[str, Authority] = {
    "regulation": "regulation",
    "federal_register": "federal_register",
    "press_release": "guidance",
    "guidance": "guidance",
    "article": "news",
    "news": "news",
}


def authority_of(doc_type: str | None) -> Authority:
    """The authority rank a document type carries; unknown types rank with news (secondary)."""
    return DOC_TYPE_AUTHORITY.get(doc_type or "", "news")


def is_federal_register(meta: Mapping[str, Any]) -> bool:
    """Whether a chunk's (or document's) metadata says it is a Federal Register rule."""
    return str(meta.get("doc_type") or "") == "federal_register"


def is_secondary(doc_type: str | None, citation: str) -> bool:
    """News, and official text as carried by a third party ("U.S. Department of Commerce press
    release ... (as republished by EMSNow)"): context, not authority. A republished release keeps
    its place in the authority order (its words are BIS's), but the copy is not BIS's own, so a
    reviewer is told to check the original before relying on it."""
    return authority_of(doc_type) == "news" or "republished" in citation.lower()


class Citation(BaseModel):
    """One cited passage, checkable by anyone: quote == document_text[start:end]."""

    n: int = Field(ge=1, description="The [n] marker used in the answer text.")
    chunk_id: str
    doc_id: str
    title: str = ""
    citation: str = Field(description='Legal citation, e.g. "15 CFR 744.11(a)".')
    source_url: str | None = None
    date: str | None = None
    doc_type: str | None = None
    quote: str = Field(description="Verbatim text of the document at [start, end).")
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    score: float = 0.0
    authority: Authority = Field(
        "regulation",
        description="Where the source stands in the authority order: regulation, then the "
        "Federal Register rule, then BIS guidance, then news.",
    )
    secondary: bool = Field(
        False, description="True for news and republished material: context, not authority."
    )
    notes: list[str] = Field(
        default_factory=list,
        description="Legal-status notes for the cited text (stays, effective dates, amendments).",
    )


class DeterminationLine(BaseModel):
    """One fixed-words line of a determination, e.g. label "Licence required", text "yes"."""

    label: str
    text: str
    citations: list[int] = Field(default_factory=list, description="[n] markers it rests on.")
    screening: list[str] = Field(default_factory=list, description="Screening refs, e.g. S1.")


class Determination(BaseModel):
    """The bottom line of a licence question and the basis it rests on."""

    outcome: Literal["yes", "no", "depends"] = Field(
        description="Licence required: yes, no, or depends on a fact the question did not give."
    )
    rule: str = Field(description='The rule applied, e.g. "Entity List (15 CFR 744.11)".')
    lines: list[DeterminationLine] = Field(default_factory=list)
    citations: list[int] = Field(default_factory=list)
    missing_facts: list[str] = Field(
        default_factory=list, description="Facts the question did not give that decide it."
    )


class Claim(BaseModel):
    """A sentence of the answer and the passages it cites; unsupported when it cites none."""

    text: str
    citations: list[int] = Field(default_factory=list)
    supported: bool = True


@dataclass(frozen=True)
class SearchResult:
    chunk_id: str
    doc_id: str
    source_path: str
    citation: str
    title: str
    text: str
    start: int
    end: int
    score: float
    metadata: dict[str, Any]
    similarity: float = 0.0  # cosine between question and chunk, the part of `score` we can trust

    def cite(
        self, n: int, start: int | None = None, end: int | None = None, score: float | None = None
    ) -> Citation:
        """A citation of this passage, or of the span [start, end) inside it (document offsets);
        the quote is always cut from the passage's own stored text, never supplied."""
        a = self.start if start is None else start
        b = self.end if end is None else end
        if not self.start <= a <= b <= self.end:
            raise ValueError(f"span {a}-{b} is outside passage {self.start}-{self.end}")

        def opt(key: str) -> str | None:
            value = self.metadata.get(key)
            return str(value) if value not in (None, "") else None

        return Citation(
            n=n,
            chunk_id=self.chunk_id,
            doc_id=self.doc_id,
            title=self.title,
            citation=self.citation,
            source_url=opt("source_url"),
            date=opt("date"),
            doc_type=opt("doc_type"),
            quote=self.text[a - self.start : b - self.start],
            start=a,
            end=b,
            score=float(self.score if score is None else score),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "source_path": self.source_path,
            "citation": self.citation,
            "title": self.title,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
            "source_url": self.metadata.get("source_url"),
            "date": self.metadata.get("date"),
            "doc_type": self.metadata.get("doc_type"),
        }


@dataclass(frozen=True)
class Filters:
    doc_types: list[str] | None = None
    date_from: date | None = None
    date_to: date | None = None
    groups: list[str] | None = field(default=None)
    # The day an answer speaks for: documents in force then (assistant.status.in_force_on:
    # regulation texts always, with a version note; others once effective or published).
    as_of: date | None = None

    def where(self) -> dict[str, Any] | None:
        """The same filter as a Chroma `where` (dates are filtered after the query)."""
        clauses: list[dict[str, Any]] = []
        if self.doc_types:
            clauses.append({"doc_type": {"$in": list(self.doc_types)}})
        if self.groups is not None:
            # No groups reads nothing: a flag no chunk carries (never "no filter").
            ors = [{f"access_{g}": True} for g in self.groups] or [{_NO_ACCESS: True}]
            clauses.append(ors[0] if len(ors) == 1 else {"$or": ors})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def admits(self, meta: dict[str, Any]) -> bool:
        if self.doc_types and meta.get("doc_type") not in self.doc_types:
            return False
        if self.groups is not None and not any(meta.get(f"access_{g}") for g in self.groups):
            return False
        if self.date_from or self.date_to:
            raw = str(meta.get("date") or "")
            try:
                when = date.fromisoformat(raw[:10])
            except ValueError:
                return False
            if self.date_from and when < self.date_from:
                return False
            if self.date_to and when > self.date_to:
                return False
        if self.as_of is not None:
            from assistant.status import in_force_on

            if not in_force_on(meta, self.as_of):
                return False
        return True


NOT_COVERED = "The corpus does not cover this question."


class Answer(BaseModel):
    answer: str
    abstained: bool = False
    lead: str = Field(
        "", description="The bottom line: the determination's first line or one sentence."
    )
    determination: Determination | None = Field(
        None, description="For licence questions: the outcome and the rule and passages behind it."
    )
    partial: bool = Field(
        False, description="True when the closest provisions may not settle the question."
    )
    partial_note: str = Field(
        "",
        description="When partial, why, in the words the answer text uses (the closest "
        "provisions may not settle it; or the corpus cannot say what the government will do).",
    )
    citations: list[Citation] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    conversation_id: str | None = None
    question: str | None = Field(None, description="The standalone question actually searched.")
    as_of: date | None = Field(
        None, description="The date the answer speaks for: nothing dated later was used."
    )
    screening: Screening | None = Field(
        None, description="Parties named in the question that match the screening list."
    )


class ScreeningHit(BaseModel):
    """One screening-list entry matched by a party the question names: a structured source."""

    ref: str = Field(description='How the answer cites it, e.g. "S1".')
    query: str = Field(description="The name as the question gave it.")
    name: str = Field(description="The entry's name on the list.")
    matched_name: str = Field(description="The entry name or alias that matched.")
    score: float = Field(description="Fuzzy name score, 0-100.")
    source: str = Field(description="The source list, e.g. Entity List (EL).")
    country: str | None = None
    license_requirement: str | None = None
    license_policy: str | None = None
    federal_register_notice: str | None = None
    start_date: str | None = None
    source_url: str | None = None


class Screening(BaseModel):
    list_version: str = Field(description="Version date of the screening list used.")
    hits: list[ScreeningHit] = Field(default_factory=list)


Answer.model_rebuild()


def not_covered(reason: str = "") -> Answer:
    """The one shape of "the corpus does not answer this": abstained, nothing cited (and why,
    when the reason is known: "It asks about the ITAR; the corpus holds ...")."""
    return Answer(answer=f"{NOT_COVERED} {reason}" if reason else NOT_COVERED, abstained=True)


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage: a span of one document, inside one section."""

    chunk_id: str
    doc_id: str
    text: str
    start: int
    end: int
    citation: str
    section_path: tuple[str, ...]
    metadata: dict[str, Any]
    embed_text: str = ""

    @staticmethod
    def make_id(doc_id: str, start: int, end: int, text: str) -> str:
        """Stable id: the same span of the same text always gets the same id."""
        digest = hashlib.sha256(f"{doc_id}\0{start}\0{end}\0{text}".encode()).hexdigest()
        return digest[:32]

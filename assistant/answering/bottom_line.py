"""The determination block an answer opens with, and the numbering of the passages it cites.

Both answerers open the same way: the extractive one before its quoted provisions, the LLM one
before the model's reply (which then numbers its passages after these). `Citer` numbers each
distinct span once, checking it against the store first; `bottom_line` turns the rules'
`Finding` into the fixed-words lines, the structured `Determination` and their claims. A line
whose basis does not verify is left out; when the first line (the outcome) loses its basis,
there is no determination at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from assistant.answering.determination.basis import Finding
from assistant.models import (
    Citation,
    Claim,
    Determination,
    DeterminationLine,
    SearchResult,
    authority_of,
    is_secondary,
)

VerifySpan = Callable[[SearchResult, int, int], bool]
NotesOf = Callable[[SearchResult, int, int], list[str]]


def with_authority(c: Citation) -> Citation:
    authority = authority_of(c.doc_type)
    secondary = is_secondary(c.doc_type, c.citation)
    return c.model_copy(update={"authority": authority, "secondary": secondary})


@dataclass
class Citer:
    """Numbers cited spans from `first` on, each distinct span once, verified before use."""

    verify_span: VerifySpan | None = None
    notes_of: NotesOf | None = None
    first: int = 1
    citations: list[Citation] = field(default_factory=list)
    _numbered: dict[tuple[str, int, int], int] = field(default_factory=dict)
    _sources: dict[int, SearchResult] = field(default_factory=dict)

    def cite(self, p: SearchResult, a: int, b: int, score: float) -> int | None:
        key = (p.chunk_id, a, b)
        if key not in self._numbered:
            if self.verify_span is not None and not self.verify_span(p, a, b):
                return None
            n = self.first + len(self.citations)
            cited = with_authority(p.cite(n, a, b, round(score, 4)))
            if self.notes_of is not None:
                cited.notes = self.notes_of(p, a, b)
            self.citations.append(cited)
            self._numbered[key] = n
            self._sources[n] = p
        return self._numbered[key]

    def get(self, n: int) -> Citation:
        return self.citations[n - self.first]

    def source(self, n: int) -> SearchResult:
        """The passage citation `n` quotes (retrieved, or fetched by a determination rule)."""
        return self._sources[n]

    def mark(self) -> int:
        return len(self.citations)

    def rollback(self, mark: int) -> None:
        """Forget the citations numbered after `mark` (a block that was not used)."""
        for c in self.citations[mark:]:
            self._numbered.pop((c.chunk_id, c.start, c.end), None)
            self._sources.pop(c.n, None)
        del self.citations[mark:]


def _as_of_its_stays(finding: Finding, citer: Citer) -> Finding:
    """The finding as it holds on the answer's day: an outcome resting on a provision that is
    stayed then (its basis's legal-status notes say "Stayed: ...") takes the outcome the rule
    gives for that case (`Finding.if_stayed`). Without notes nothing is known: as it is."""
    if finding.if_stayed is None or citer.notes_of is None:
        return finding
    index, outcome, text = finding.if_stayed
    line = finding.lines[index]
    notes = [n for b in line.basis for n in citer.notes_of(b.passage, b.start, b.end)]
    if not any(n.startswith("Stayed:") for n in notes):
        return finding
    lines = list(finding.lines)
    lines[index] = replace(line, text=text)
    return replace(finding, outcome=outcome, lines=lines, if_stayed=None)


@dataclass
class BottomLine:
    lines: list[str]
    determination: Determination | None
    claims: list[Claim]
    # citations of words a line names from a list (`FindingLine.named`), not to be quoted
    unquoted: set[int] = field(default_factory=set)


def bottom_line(finding: Finding | None, citer: Citer) -> BottomLine:
    """The determination's lines ("**Licence required: yes: ...** [1]", the rule applied, the
    status of what it cites, the facts the question did not give), or nothing."""
    if finding is None:
        return BottomLine([], None, [])
    mark = citer.mark()
    finding = _as_of_its_stays(finding, citer)
    det_lines: list[DeterminationLine] = []
    quoted: set[int] = set()
    named: set[int] = set()
    for i, line in enumerate(finding.lines):
        ns = [
            n
            for basis in line.basis
            if (n := citer.cite(basis.passage, basis.start, basis.end, 1.0)) is not None
        ]
        if ns:
            quoted.update(ns)
            more = [
                n
                for basis in line.named
                if (n := citer.cite(basis.passage, basis.start, basis.end, 1.0)) is not None
            ]
            named.update(more)
            ns += [n for n in more if n not in ns]
        if not ns and not line.screening:
            if i == 0:
                break  # the outcome has lost its basis: no determination at all
            continue
        det_lines.append(
            DeterminationLine(
                label=line.label, text=line.text, citations=ns, screening=line.screening
            )
        )
    if not det_lines or det_lines[0].label != finding.lines[0].label:
        citer.rollback(mark)
        return BottomLine([], None, [])
    determination = Determination(
        outcome=finding.outcome,
        rule=finding.rule,
        lines=det_lines,
        citations=sorted({n for ln in det_lines for n in ln.citations}),
        missing_facts=finding.missing_facts,
    )
    lines: list[str] = []
    claims: list[Claim] = []
    for ln in det_lines:
        marks = "".join(f" [{n}]" for n in ln.citations) + "".join(f" [{r}]" for r in ln.screening)
        text = f"{ln.label}: {ln.text}."
        lines.append(f"**{text}**{marks}" if ln is det_lines[0] else f"{text}{marks}")
        claims.append(Claim(text=f"{ln.label}: {ln.text}", citations=ln.citations))
    lines.append(f"Rule applied: {finding.rule}.")
    status = [
        f"Status of {citer.get(n).citation}: {note}"
        for n in determination.citations
        for note in citer.get(n).notes
    ]
    lines.extend(dict.fromkeys(status))
    if finding.missing_facts:
        lines.append("Facts the question does not give: " + "; ".join(finding.missing_facts) + ".")
    return BottomLine(lines, determination, claims, named - quoted)


def first_line(finding: Finding, citer: Citer) -> tuple[str, Claim] | None:
    """A determination's first line alone ("Licence required: yes — ..." [n]), as of its stays,
    for a part of a message another rule's determination opens on; None when its basis does
    not verify."""
    finding = _as_of_its_stays(finding, citer)
    line = finding.lines[0]
    ns = [
        n
        for basis in line.basis
        if (n := citer.cite(basis.passage, basis.start, basis.end, 1.0)) is not None
    ]
    if not ns:
        return None
    text = f"{line.label}: {line.text}"
    return f"{text}." + "".join(f" [{n}]" for n in ns), Claim(text=text, citations=ns)

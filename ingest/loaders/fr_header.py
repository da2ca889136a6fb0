"""What a Federal Register document says about itself: its dates, number and title.

A document's real dates are in its own words, in fixed places: the govinfo header "[Federal
Register Volume 84, Number 162 (Wednesday, August 21, 2019)]" or the printed page's "Federal
Register / Vol. 84, No. 98 / Tuesday, May 21, 2019" (publication), the `DATES:` paragraph ("This
rule is effective April 11, 2022"; "Effective date:" in federalregister.gov text), and the closing
"[FR Doc. 2019-10616 Filed 5-20-19; 8:45 am]" (filing, the day before publication as a rule).
Its title is the line(s) right before "AGENCY:". Excerpts that lost that header (the mirror's
federalregister.gov paragraphs start at the ACTION line or the SUMMARY) get a descriptive title
built from their action and the first sentence of their summary instead of "FR Doc. 2024-15810".

Pure text functions, shared by every loader that reads a Federal Register document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from assistant.text import paragraph_spans, sentence_spans
from ingest.dates import parse_date, parse_numeric_date

_DATE = r"[A-Z][a-z]{2,8}\.?\s+\d{1,2}\s*[,.]?\s+\d{4}"
_PUBLISHED = (
    re.compile(r"\[Federal Register Volume \d+, Number \d+ \(\w+, (" + _DATE + r")\)\]"),
    re.compile(r"Federal Register\s*/\s*Vol\.\s*\d+,\s*No\.\s*\d+\s*/\s*\w+,\s*(" + _DATE + ")"),
)
_FILED = re.compile(
    r"\[\s*FR\s+Doc(?:\.|ument)?\s*(?:No:?\s*)?([0-9]{4}-[0-9]+|E\d-[0-9]+)\s+Filed\s+"
    r"(\d{1,2}-\d{1,2}-\d{2,4})"
)
# The DATES paragraph: labelled, or (in excerpts that lost the label) a paragraph of its own
# opening "This rule is effective ...", near the top.
_DATES_LABEL = re.compile(
    r"(?m)^[ \t]*(?:(?:DATES|Effective [Dd]ates?)\s*:"
    r"|(?=This (?:[\w-]+ ){0,3}(?:rule|correction|amendment|document) is effective))"
)
_HEADER_CHARS = 6000
_EFFECTIVE = re.compile(r"\b[Ee]ffective\s+(?:on\s+|as\s+of\s+)?(" + _DATE + ")")
_AGENCY = re.compile(r"(?m)^[ \t]*AGENCY:")
_ACTION_LABEL = re.compile(r"(?m)^[ \t]*ACTION:\s*(.+)$")
_ACTION = re.compile(
    r"^\s*((?:Interim\s+)?[Ff]inal\s+rule|Proposed\s+rule|Notice|Correcting\s+amendments?"
    r"|Correction|Direct\s+final\s+rule|Temporary\s+rule)\b[^\n]{0,80}$"
)
_SUMMARY = re.compile(r"(?m)^[ \t]*SUMMARY:\s*")
# Header lines that are not the title: agency names, CFR parts, docket and RIN lines, rules.
_NOT_TITLE = re.compile(
    r"^\s*(?:DEPARTMENT\b|Department\b|Bureau\b|Office\b|\d+\s+CFR\b|\[Docket|RIN\b|"
    r"\[FR Doc|\[Federal Register|\[Rules|\[Pages?|From the Federal Register|[=\-_]{5,})"
)
# "In this final rule, the Bureau of Industry and Security (BIS) amends ...": the subject is
# what follows the opener; agency and regulation names shrink to their short forms.
_OPENER = re.compile(
    r"^(?:In|With|Under|Through)\s+this\s+(?:interim\s+final\s+rule|final\s+rule|rule|IFR)"
    r"(?:\s+\(IFR\))?\s*,\s*",
    re.IGNORECASE,
)
_SHORT_FORMS = (
    (
        re.compile(
            r"[Tt]he (?:Commerce Department's |Department of Commerce's )?"
            r"Bureau of Industry and Security \(BIS\)"
        ),
        "BIS",
    ),
    (re.compile(r"the Export Administration Regulations(?:'|’)? \(EAR\)"), "the EAR"),
)
_TITLE_CHARS = 160


@dataclass(frozen=True)
class FRHeader:
    """The facts a Federal Register text states about itself (None where it does not)."""

    published: date | None = None
    effective: date | None = None
    filed: date | None = None
    doc_number: str | None = None
    title: str | None = None
    action: str | None = None
    subject: str | None = None


def _published(text: str) -> date | None:
    for pattern in _PUBLISHED:
        if m := pattern.search(text[:3000]):
            return parse_date(m.group(1))
    return None


def _effective(text: str) -> date | None:
    """The date after "effective" in the DATES paragraph (a label, then up to 400 characters)."""
    for label in _DATES_LABEL.finditer(text[:_HEADER_CHARS]):
        window = text[label.end() : label.end() + 400]
        window = window.split("\n\n", 1)[0]
        if m := _EFFECTIVE.search(window):
            return parse_date(m.group(1))
    return None


def _title(text: str) -> str | None:
    """The line(s) before "AGENCY:", back to a blank line or a header line."""
    agency = _AGENCY.search(text[:5000])
    if not agency:
        return None
    lines = text[: agency.start()].split("\n")
    picked: list[str] = []
    for line in reversed(lines):
        if not line.strip():
            if picked:
                break
            continue
        if _NOT_TITLE.match(line):
            break
        picked.append(line.strip())
    title = " ".join(reversed(picked))
    return re.sub(r"\s+", " ", title).strip() or None


def _action(text: str, paragraphs: list[str]) -> str | None:
    if m := _ACTION_LABEL.search(text[:_HEADER_CHARS]):
        return m.group(1).strip().rstrip(".")
    for block in paragraphs[:3]:
        if _ACTION.match(block):
            return block.strip().rstrip(".")
    return None


def _summary_sentence(text: str, paragraphs: list[tuple[int, int]]) -> str | None:
    """The first sentence of the SUMMARY (or of the first real paragraph of an excerpt)."""
    start = end = None
    if m := _SUMMARY.search(text[:8000]):
        start = m.end()
        end = next((b for a, b in paragraphs if a <= m.start() < b), len(text))
    else:
        for a, b in paragraphs[:5]:
            block = text[a:b]
            if len(block.split()) >= 20 and not _ACTION.match(block):
                start, end = a, b
                break
    if start is None or end is None:
        return None
    spans = sentence_spans(text, start, end)
    if not spans:
        return None
    return re.sub(r"\s+", " ", text[spans[0][0] : spans[0][1]]).strip()


def _subject(sentence: str) -> str:
    """A title-length form of the summary's first sentence: opener dropped, names shortened,
    cut at a word boundary."""
    subject = _OPENER.sub("", sentence)
    for pattern, short in _SHORT_FORMS:
        subject = pattern.sub(short, subject)
    subject = subject.rstrip(". ")
    if len(subject) > _TITLE_CHARS:
        subject = subject[:_TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return subject[:1].upper() + subject[1:]


def read_header(text: str) -> FRHeader:
    """Dates, document number, title, action and subject, as far as the text states them."""
    spans = paragraph_spans(text[:20000])
    paragraphs = [text[a:b] for a, b in spans]
    filed = _FILED.search(text)
    sentence = _summary_sentence(text, spans)
    return FRHeader(
        published=_published(text),
        effective=_effective(text),
        filed=parse_numeric_date(filed.group(2)) if filed else None,
        doc_number=filed.group(1) if filed else None,
        title=_title(text),
        action=_action(text, paragraphs),
        subject=_subject(sentence) if sentence else None,
    )


def derived_title(header: FRHeader) -> str | None:
    """The document's title: its own, else "<action>: <subject>" from its summary."""
    if header.title:
        return header.title
    if header.subject:
        action = re.split(r"[;,]|\s+with\b", header.action or "", maxsplit=1)[0].strip()
        return f"{action}: {header.subject}" if action else header.subject
    return None


__all__ = ["FRHeader", "derived_title", "read_header"]

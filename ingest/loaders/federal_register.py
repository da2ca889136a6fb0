"""Federal Register documents as text (federalregister.gov full text, govinfo pages).

They have no paragraph numbering, but they do have labelled parts (SUMMARY:, DATES:,
SUPPLEMENTARY INFORMATION:) and numbered headings ("II. Background"); those become the section
path so a reviewer knows where in a long rule a passage sits.

What the metadata does not give is read from the document's own words (`fr_header`): its date
(publication, else effective, else filing date, with `date_basis` saying which), its effective
date, its title. A catalogue title that is only the document number ("FR Doc. 2024-15810") is
not a title and is replaced. A document that states no date has none: never the file's.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from assistant.text import paragraph_spans
from ingest.documents import Document, Section
from ingest.loaders.common import read_text, set_derived
from ingest.loaders.fr_header import FRHeader, derived_title, read_header
from ingest.loaders.text import heading_text, split_heading_lines

_LABEL = re.compile(r"^([A-Z][A-Z ,/&-]{2,60}):")
_NUMBERED_HEADING = re.compile(r"^(?:[IVX]{1,5}|[A-Z]|\d{1,2})\.\s+\S.{0,150}$")
_FR_CITATION = re.compile(
    r"\[Federal Register Volume (\d+), Number \d+.*?\]\s*\n.*?\[Pages? (\d+)", re.S
)
_DOC_NUMBER = re.compile(r"\[FR Doc(?:\.|ument)? No:?\s*([0-9-]+)\]")
_NUMBER_ONLY = re.compile(r"^\s*FR\s+Doc(?:\.|ument)?\s*(?:No:?\s*)?[\w-]+\s*$")


def _heading_of(block: str) -> str | None:
    first_line = block.split("\n", 1)[0].strip()
    if (
        "\n" not in block.strip()
        and _NUMBERED_HEADING.match(first_line)
        and not first_line.endswith(".")
    ):
        return first_line
    m = _LABEL.match(block)
    return m.group(1).strip().title() if m else None


def load(path: Path, doc_id: str, metadata: dict[str, Any]) -> Document:
    text = read_text(path)
    meta = dict(metadata)
    set_derived(meta, "doc_type", "federal_register")
    header = text[:1000]
    found = _FR_CITATION.search(header)
    if found:
        set_derived(meta, "citation", f"{found.group(1)} FR {found.group(2)}")
    number = _DOC_NUMBER.search(header)
    if number:
        set_derived(meta, "citation", f"FR Doc. {number.group(1)}")
    stated = read_header(text)
    if stated.doc_number:
        set_derived(meta, "citation", f"FR Doc. {stated.doc_number}")
    citation = str(meta.get("citation") or meta.get("title") or doc_id)
    _title_and_dates(meta, stated, doc_id)
    sections: list[Section] = []
    heading = ""
    for a, b, is_md_heading in split_heading_lines(text, paragraph_spans(text)):
        block = text[a:b]
        found_heading = heading_text(block) if is_md_heading else _heading_of(block)
        if found_heading:
            heading = found_heading
        path_ = (citation, heading) if heading else (citation,)
        sections.append(
            Section(start=a, end=b, citation=citation, path=path_, level=0, heading=heading)
        )
    return Document(doc_id=doc_id, text=text, metadata=meta, sections=sections)


def _placeholder_title(title: object, meta: dict[str, Any], doc_id: str) -> bool:
    """A "title" that only repeats the document number or citation names nothing."""
    text = str(title or "").strip()
    return not text or text in (meta.get("citation"), doc_id) or bool(_NUMBER_ONLY.match(text))


def _title_and_dates(meta: dict[str, Any], stated: FRHeader, doc_id: str) -> None:
    if _placeholder_title(meta.get("title"), meta, doc_id):
        meta["title"] = None
        set_derived(meta, "title", derived_title(stated))
    set_derived(meta, "title", meta.get("citation") or doc_id)
    if stated.effective:
        set_derived(meta, "effective", stated.effective.isoformat())
    if stated.filed:
        set_derived(meta, "filed", stated.filed.isoformat())
    if meta.get("date"):
        return
    for basis, day in (
        ("publication", stated.published),
        ("effective", stated.effective),
        ("filed", stated.filed or _iso(meta.get("filed"))),
    ):
        if day:
            set_derived(meta, "date", day.isoformat())
            meta["date_basis"] = basis
            return


def _iso(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None

"""Federal Register documents as text (federalregister.gov full text, govinfo pages).

They have no paragraph numbering, but they do have labelled parts (SUMMARY:, DATES:,
SUPPLEMENTARY INFORMATION:) and numbered headings ("II. Background"); those become the section
path so a reviewer knows where in a long rule a passage sits.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from assistant.text import paragraph_spans
from ingest.documents import Document, Section
from ingest.loaders.common import read_text, set_derived
from ingest.loaders.text import heading_text, split_heading_lines

_LABEL = re.compile(r"^([A-Z][A-Z ,/&-]{2,60}):")
_NUMBERED_HEADING = re.compile(r"^(?:[IVX]{1,5}|[A-Z]|\d{1,2})\.\s+\S.{0,150}$")
_FR_CITATION = re.compile(
    r"\[Federal Register Volume (\d+), Number \d+.*?\]\s*\n.*?\[Pages? (\d+)", re.S
)
_DOC_NUMBER = re.compile(r"\[FR Doc(?:\.|ument)? No:?\s*([0-9-]+)\]")


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
    set_derived(meta, "title", meta.get("citation") or doc_id)
    citation = str(meta.get("citation") or meta.get("title") or doc_id)
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

"""Markdown and plain text: headings ("# ...", or a short line followed by a blank) start sections.

Used for articles, press releases, guidance and anything without legal numbering; every
paragraph cites the document itself, with the heading it sits under as its section path.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from assistant.text import paragraph_spans
from ingest.documents import Document, Section
from ingest.loaders.common import first_heading, read_text, set_derived

_MD_HEADING = re.compile(r"^#{1,6}\s+\S")


def split_heading_lines(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int, bool]]:
    """Blocks with a flag for Markdown headings; a heading glued to its paragraph is split off."""
    out: list[tuple[int, int, bool]] = []
    for a, b in spans:
        if _MD_HEADING.match(text[a:b]):
            nl = text.find("\n", a, b)
            if nl == -1:
                out.append((a, b, True))
                continue
            out.append((a, nl, True))
            rest = paragraph_spans(text, nl + 1, b)
            out.extend((x, y, False) for x, y in rest)
        else:
            out.append((a, b, False))
    return out


def heading_text(block: str) -> str:
    return re.sub(r"^#+\s*|\s*#+\s*$", "", block.strip())


def load(path: Path, doc_id: str, metadata: dict[str, Any]) -> Document:
    text = read_text(path)
    meta = dict(metadata)
    set_derived(meta, "title", first_heading(text))
    set_derived(meta, "doc_type", "document")
    citation = str(meta.get("citation") or meta.get("title") or doc_id)
    sections: list[Section] = []
    heading = ""
    for a, b, is_heading in split_heading_lines(text, paragraph_spans(text)):
        if is_heading:
            heading = heading_text(text[a:b])
        path_ = (citation, heading) if heading else (citation,)
        sections.append(
            Section(start=a, end=b, citation=citation, path=path_, level=0, heading=heading)
        )
    return Document(doc_id=doc_id, text=text, metadata=meta, sections=sections)

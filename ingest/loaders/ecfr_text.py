"""eCFR sections saved as plain text or Markdown: a "§ 744.11 ..." heading, then paragraphs.

The stored text is the file's text unchanged (spacing artifacts such as "( a )" included), so
quotes match the mirror byte for byte; only the structure is inferred.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from assistant.text import paragraph_spans
from ingest.documents import Document, Section
from ingest.loaders.common import first_heading, read_text, set_derived
from ingest.structure import cfr_sections

_SECTION_NUMBER = re.compile(r"§\s*(\d+\.\d+[a-z]?)")


def _clean_heading(line: str) -> str:
    return re.sub(r"^#+\s*|\s*#+\s*$", "", line.strip())


def load(path: Path, doc_id: str, metadata: dict[str, Any]) -> Document:
    text = read_text(path)
    meta = dict(metadata)
    spans = paragraph_spans(text)
    heading = _clean_heading(text[spans[0][0] : spans[0][1]].split("\n", 1)[0]) if spans else ""
    set_derived(meta, "title", heading or first_heading(text))
    if not meta.get("citation"):
        number = _SECTION_NUMBER.search(heading)
        # Without a sidecar we only know the section number; the EAR is title 15.
        set_derived(meta, "citation", f"15 CFR {number.group(1)}" if number else meta.get("title"))
    set_derived(meta, "doc_type", "regulation")
    base = str(meta.get("citation") or doc_id)
    sections: list[Section] = []
    body = spans
    if spans and _clean_heading(text[spans[0][0] : spans[0][1]]) == heading and len(spans) > 1:
        a, b = spans[0]
        sections.append(
            Section(start=a, end=b, citation=base, path=(base,), level=0, heading=heading)
        )
        body = spans[1:]
    sections.extend(cfr_sections(text, body, base, heading=heading))
    return Document(doc_id=doc_id, text=text, metadata=meta, sections=sections)


__all__ = ["load"]

"""One eCFR part's XML (GPO eCFR schema) -> one plain text per section and per supplement.

Why plain text and not the XML itself: the EAR is cited section by section ("15 CFR 744.11",
"Supplement No. 4 to Part 744"), a section is the unit that changes at the source, and ingest
re-embeds a document only when its file changes. So sync stores one file per section, in the
form the eCFR text loader (`ingest/loaders/ecfr_text.py`) and the paragraph parser
(`ingest/structure.py`) already read: the heading line ("§ 744.11 License requirements ..."),
then one block per paragraph, blocks separated by a blank line, each paragraph opening with its
own markers ("(a)", "(1)", "(i)"), so every paragraph gets its pinpoint citation.

What becomes a block:

* `P`, `FP` and their variants, `HD1`-`HD3`, `CITA` (the amendment history), `SECAUTH`: one
  block each, with inline markup (`I`, `E`, `SU`, ...) flattened and whitespace collapsed.
* `NOTE`, `EDNOTE`, `EFFDNOTE`: the label joined to the note's first paragraph ("Note 1 to
  paragraph (a): ...", "Editorial Note: ...", "Effective Date Note: ..."), so the note is one
  quotable block placed right after the paragraph it affects (the parser gives an unmarked block
  the citation of the paragraph it follows); its further paragraphs follow as blocks.
* Tables (`GPOTABLE` with `BOXHD`/`CHED`/`ROW`/`ENT`, or HTML `table`/`tr`/`th`/`td`): one block
  per row, cells joined by " | ". An empty first cell repeats the one above (GPO prints a row
  group's first column once, e.g. the country of Entity List entries), so every row reads alone.
* `EXTRACT` and other containers: their own blocks. Part-level matter (authority, source) is
  not part of any section.

A reserved section ("§ 744.5 [Reserved]", nothing under its heading) yields no document.

The XML flattening it shares with the eCFR XML loader (whitespace, inline text, inline runs and
block-level children, safe parsing) comes from `ingest/loaders/ecfr_xml.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ingest.loaders.ecfr_xml import (
    DIV,
    collapse,
    inline_text,
    is_element,
    local_tag,
    parse_xml,
    section_citation,
    split_blocks,
)

_INLINE = frozenset(
    {"I", "E", "B", "SU", "FR", "AC", "FTREF", "SUB", "SUP", "SMALLCAPS", "XREF", "A", "PRTPAGE"}
    | {"i", "em", "b", "strong", "sup", "sub", "span", "a", "br", "small", "u"}
)
_NOTES = frozenset({"NOTE", "NOTES", "EDNOTE", "EFFDNOTE", "FTNT"})
_LABELS = frozenset({"HED", "HD", "HEAD"})
_TABLES = frozenset({"GPOTABLE", "TABLE", "table"})
_SUPPLEMENT_NO = re.compile(r"supplement\s+no\.?\s*(\w+)", re.IGNORECASE)


class ConversionError(ValueError):
    """The XML is not a usable eCFR part; the message says why."""


@dataclass(frozen=True)
class SectionText:
    """One section or supplement, as stored: `text` starts with `heading` on its own block."""

    kind: str  # "section" or "appendix"
    identifier: str  # "744.11", "Supplement No. 4 to Part 744"
    citation: str  # "15 CFR 744.11", "15 CFR part 744, Supplement No. 4"
    heading: str
    text: str
    subpart: str | None = None
    subpart_heading: str | None = None

    @property
    def slug(self) -> str:
        """Stable file and id stem: "744.11", "744-supp4"."""
        if self.kind == "section":
            return self.identifier
        part = re.search(r"part\s+(\w+)", self.citation, re.IGNORECASE)
        label = self.citation.split(",", 1)[-1]
        number = _SUPPLEMENT_NO.search(label)
        tail = f"supp{number.group(1)}" if number else re.sub(r"[^a-z0-9]+", "-", label.lower())
        return f"{part.group(1) if part else 'x'}-{tail.strip('-')}"


@dataclass
class PartText:
    """A part's heading ("PART 744—CONTROL POLICY: ...") and its sections and supplements."""

    part: str
    heading: str
    sections: list[SectionText] = field(default_factory=list)


def _inline_text(el: Any) -> str:
    return inline_text(el, br=" ")


def _is_inline(el: Any) -> bool:
    if not is_element(el):
        return True
    return local_tag(el) in _INLINE or not collapse(_inline_text(el))


def _head(el: Any) -> str:
    head = next((c for c in el if is_element(c) and local_tag(c) == "HEAD"), None)
    return collapse(_inline_text(head)) if head is not None else ""


def _blocks(el: Any) -> Iterator[str]:
    """The blocks of one element of a section's body."""
    tag = local_tag(el)
    if tag in _TABLES:
        yield from _table(el)
    elif tag in _NOTES:
        yield from _note(el)
    elif tag == "SECAUTH":
        if text := collapse(" ".join(_parts(el))):
            yield text
    else:
        yield from _parts(el)


def _parts(el: Any) -> Iterator[str]:
    """Inline runs of `el` as blocks, with its block-level children as their own blocks."""
    return split_blocks(el, _is_inline, _blocks, br=" ")


def _note(el: Any) -> Iterator[str]:
    """A note: its label ("Note 1 to paragraph (a):") joined to its first paragraph."""
    label = ""
    body: list[str] = []
    for child in el:
        if not is_element(child):
            continue
        if local_tag(child) in _LABELS and not label and not body:
            label = collapse(_inline_text(child))
        else:
            body.extend(_blocks(child))
    if not body and (tail := collapse(el.text or "")):
        body.append(tail)
    if label and body:
        body[0] = f"{label} {body[0]}"
    elif label:
        body = [label]
    yield from body


def _cells(row: Any) -> list[str]:
    return [
        collapse(_inline_text(c))
        for c in row
        if is_element(c) and local_tag(c) in ("ENT", "CHED", "td", "th", "TD", "TH")
    ]


def _table(el: Any) -> Iterator[str]:
    """A table: its title and notes as blocks, each row one block (" | " between cells)."""
    above: str = ""
    header_done = False
    for node in el.iter():
        if not is_element(node) or node is el:
            continue
        tag = local_tag(node)
        if tag in ("TTITLE", "TDESC", "TNOTE", "caption"):
            if text := collapse(_inline_text(node)):
                yield text
        elif tag == "BOXHD" and not header_done:
            header_done = True
            if heads := [c for c in _cells(node) if c]:
                yield " | ".join(heads)
        elif tag in ("ROW", "tr", "TR"):
            cells = _cells(node)
            if not any(cells):
                continue
            if cells[0]:
                above = cells[0]
            elif above and len(cells) > 1:
                cells[0] = above  # the row group's first column, printed once at the source
            yield " | ".join(c for c in cells if c)


def _section(el: Any, title: int, part: str, subpart: tuple[str, str] | None) -> SectionText | None:
    kind = "section" if local_tag(el) == "DIV8" else "appendix"
    heading = _head(el)
    citation = section_citation(el, str(title), part)
    if kind == "section":
        identifier = citation.split(" CFR ", 1)[-1]
    else:
        identifier = collapse((el.get("N") or "").strip()) or heading.split("—")[0].strip()
    body = [
        block
        for child in el
        if is_element(child) and local_tag(child) != "HEAD"
        for block in _blocks(child)
    ]
    if not body:
        return None  # reserved: a heading and nothing else
    heading = heading or citation
    return SectionText(
        kind=kind,
        identifier=identifier,
        citation=citation,
        heading=heading,
        text="\n\n".join([heading, *body]) + "\n",
        subpart=subpart[0] if subpart else None,
        subpart_heading=subpart[1] if subpart else None,
    )


def _walk(
    el: Any, title: int, part: str, subpart: tuple[str, str] | None, out: list[SectionText]
) -> None:
    for child in el:
        if not is_element(child):
            continue
        tag = local_tag(child)
        if tag in ("DIV8", "DIV9"):
            if (section := _section(child, title, part, subpart)) is not None:
                out.append(section)
        elif tag == "DIV6":
            n = (child.get("N") or "").strip()
            _walk(child, title, part, (n, _head(child)) if n else subpart, out)
        elif DIV.fullmatch(tag) or tag == "div":
            _walk(child, title, part, subpart, out)


def convert_part(data: bytes, title: int, part: str) -> PartText:
    """The sections and supplements of part `part` in `data` (a part, or a title holding it)."""
    root = parse_xml(data, ConversionError, huge_tree=True)  # a whole part can be large
    parts = [root] if local_tag(root) == "DIV5" else root.xpath(".//DIV5")
    chosen = [p for p in parts if (p.get("N") or "").strip() == part] or (
        parts if len(parts) == 1 and not (parts[0].get("N") or "").strip() else []
    )
    if not chosen:
        raise ConversionError(f"no DIV5 element for part {part} (the XML has {len(parts)} parts)")
    div5 = chosen[0]
    result = PartText(part=part, heading=_head(div5))
    _walk(div5, title, part, None, result.sections)
    seen: set[str] = set()
    for section in result.sections:
        if section.slug in seen:
            raise ConversionError(f"part {part} has two sections numbered {section.identifier}")
        seen.add(section.slug)
    return result

"""eCFR XML (the eCFR API's `full` endpoint, GPO bulk data) -> Document with paragraph citations.

The XML is the most faithful form of the regulation we can get: sections (DIV8) and their
paragraphs (P) arrive already separated, so every paragraph becomes one block of the stored text
and gets its CFR citation ("15 CFR 744.11(a)(1)") from the shared marker logic in
`ingest.structure`.

The XML flattening both eCFR readers need (whitespace, inline text, splitting an element into
blocks, safe parsing) is defined here once; `ingest/ecfr_sections.py`, the sync-side splitter,
imports it (this loader imports nothing of sync, so the import runs one way).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from assistant.text import paragraph_spans
from ingest.documents import Document, Section
from ingest.loaders.common import LoadError, read_bytes, set_derived
from ingest.structure import cfr_sections

# Elements that flow inside a paragraph: their text joins the surrounding block.
_INLINE = frozenset(
    {"I", "E", "B", "SU", "FR", "AC", "FTREF", "SUB", "SUP", "SMALLCAPS", "XREF", "A", "PRTPAGE"}
)
# Cells of a table row are joined into one block, so a row stays one quotable unit.
_ROWS = frozenset({"ROW", "BOXHD"})
# Label-and-text notes ("Authority:" + its text) read as one block.
_JOINED = frozenset({"AUTH", "SOURCE", "SECAUTH", "EDNOTE"})
_CITATION_TITLE = re.compile(r"^\s*(\d+)\s*CFR\b", re.IGNORECASE)
_SECTION_HEAD = re.compile(r"^\s*§+\s*(\d+[\w.\-]*\d\w*)")
_SUPPLEMENT = re.compile(r"^(.*?)\s+to\s+part\s+(\S+?)\.?\s*$", re.IGNORECASE)
DIV = re.compile(r"DIV\d")


def collapse(text: str) -> str:
    """Undo XML pretty-printing: one space between words, no newlines inside a block."""
    return re.sub(r"\s+", " ", text).strip()


def is_element(node: Any) -> bool:
    """Whether `node` is an element: comments, processing instructions and (unresolved)
    entities have a non-string tag."""
    return isinstance(node.tag, str)


def local_tag(el: Any) -> str:
    """The tag without its namespace ("{urn:x}P" -> "P")."""
    return str(el.tag).split("}", 1)[-1]


def _child_text(child: Any, br: str | None) -> str:
    return br if br is not None and local_tag(child) == "br" else inline_text(child, br)


def inline_text(el: Any, br: str | None = None) -> str:
    """Text of an element and its descendants; comments and entity references contribute none.
    With `br`, a `br` element reads as `br` (HTML cells in the eCFR API's XML break lines)."""
    parts = [el.text or ""] if is_element(el) else []
    for child in el:
        if is_element(child):
            parts.append(_child_text(child, br))
        parts.append(child.tail or "")
    return "".join(parts)


def split_blocks(
    el: Any,
    is_inline: Callable[[Any], bool],
    blocks: Callable[[Any], Iterator[str]],
    br: str | None = None,
) -> Iterator[str]:
    """Inline runs of `el` as blocks, each block-level child (not `is_inline`) as `blocks` of
    its own: the reader decides what inline means and what a block-level element becomes."""
    run = [el.text or ""]
    for child in el:
        if is_inline(child):
            if is_element(child):
                run.append(_child_text(child, br))
            run.append(child.tail or "")
            continue
        if text := collapse("".join(run)):
            yield text
        yield from blocks(child)
        run = [child.tail or ""]
    if text := collapse("".join(run)):
        yield text


def parse_xml(data: bytes, error: type[Exception], *, huge_tree: bool = False) -> Any:
    """The root of `data`; malformed XML raises `error`. No entity expansion, no DTD, no network:
    a regulation file or a server's reply must not read local files (XXE)."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=huge_tree
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise error(f"not well-formed XML: {exc}") from exc


def _is_inline(el: Any) -> bool:
    if not is_element(el):
        return True
    if el.tag in _INLINE:
        return True
    # An empty element (a page marker, an image) must not split the paragraph it sits in.
    return not collapse(inline_text(el))


def _blocks(el: Any) -> Iterator[str]:
    """The blocks of an element: itself if it holds only inline content, else its parts."""
    if el.tag in _ROWS:
        cells = [collapse(inline_text(c)) for c in el if is_element(c)]
        joined = " | ".join(c for c in cells if c)
    elif el.tag in _JOINED:
        joined = " ".join(_parts(el))
    else:
        yield from _parts(el)
        return
    if joined:
        yield joined


def _parts(el: Any) -> Iterator[str]:
    return split_blocks(el, _is_inline, _blocks)


def _head(el: Any) -> str:
    head = el.find("HEAD")
    return collapse(inline_text(head)) if head is not None else ""


class _Builder:
    """Accumulates blocks and their Sections; offsets are known as each block is appended."""

    def __init__(self, title_no: str) -> None:
        self.title_no = title_no
        self.parts: list[str] = []
        self.length = 0
        self.sections: list[Section] = []

    def add(self, block: str) -> int:
        if self.parts:
            self.length += 2  # the "\n\n" separator
        self.parts.append(block)
        start = self.length
        self.length += len(block)
        return start

    def block(self, block: str, citation: str, heading: str) -> None:
        start = self.add(block)
        self.sections.append(Section(start, start + len(block), citation, (citation,), 0, heading))

    def division(self, el: Any, citation: str, part: str | None) -> None:
        """A title, chapter, part or subpart: its own blocks, then its sections."""
        kind = (el.get("TYPE") or "").upper()
        n = (el.get("N") or "").strip()
        if kind == "PART" and n:
            part = n
            citation = f"{self.title_no} CFR part {n}"
        elif kind == "SUBPART" and n and part:
            citation = f"{self.title_no} CFR part {part}, subpart {n}"
        elif kind == "CHAPTER" and n:
            citation = f"{self.title_no} CFR chapter {n}"
        heading = _head(el)
        for child in el:
            if not is_element(child):
                continue
            if child.tag == "DIV8" or child.tag == "DIV9":
                self.section(child, part)
            elif DIV.fullmatch(child.tag):
                self.division(child, citation, part)
            else:
                for text in _blocks(child):
                    self.block(text, citation, heading)

    def section(self, el: Any, part: str | None) -> None:
        """A section (DIV8) or appendix (DIV9): heading, numbered paragraphs, amendment history."""
        base = section_citation(el, self.title_no, part)
        heading = _head(el)
        if heading:
            self.block(heading, base, heading)
        # Paragraphs straight under the section carry the numbering; blocks of notes, extracts
        # and tables inherit the citation of the paragraph they follow; the amendment history
        # (CITA) belongs to the whole section.
        blocks: list[tuple[int, str, str]] = []  # (start, text, kind)
        for child in el:
            if not is_element(child) or child.tag == "HEAD":
                continue
            if child.tag == "CITA":
                kind = "section"
            elif el.tag == "DIV8" and child.tag not in _ROWS and all(_is_inline(c) for c in child):
                kind = "numbered"
            else:
                kind = "inherit"
            for text in _blocks(child):
                blocks.append((self.add(text), text, kind))
        self.sections.extend(_paragraph_sections(blocks, base, heading))


def _paragraph_sections(
    blocks: list[tuple[int, str, str]], base: str, heading: str
) -> list[Section]:
    """Sections for a section's blocks, numbering the paragraphs with `cfr_sections`."""
    local = "\n\n".join(text for _, text, kind in blocks if kind == "numbered")
    numbered = iter(cfr_sections(local, paragraph_spans(local), base, heading=heading))
    whole = Section(0, 0, base, (base,), 0, heading)
    out: list[Section] = []
    previous = whole
    for start, text, kind in blocks:
        if kind == "numbered":
            template = next(numbered)
        else:
            template = whole if kind == "section" else previous
        previous = dataclasses.replace(template, start=start, end=start + len(text))
        out.append(previous)
    return out


def section_citation(el: Any, title_no: str, part: str | None) -> str:
    """Citation of a section ("15 CFR 744.11") or appendix ("15 CFR part 744, Supplement No. 4")."""
    n = (el.get("N") or "").strip().lstrip("§").strip()
    if el.tag == "DIV8":
        if not n and (m := _SECTION_HEAD.match(_head(el))):
            n = m.group(1)
        return f"{title_no} CFR {n}" if n else f"{title_no} CFR part {part}"
    label = n or _head(el).split("—")[0].strip()
    if m := _SUPPLEMENT.match(label):
        label, part = m.group(1), part or m.group(2)
    return f"{title_no} CFR part {part}, {label}" if part else f"{title_no} CFR {label}"


def _top_divisions(el: Any) -> Iterator[Any]:
    """The outermost DIV elements, skipping wrappers and their bookkeeping (GPO's FDSYS data)."""
    for child in el:
        if is_element(child):
            if DIV.fullmatch(child.tag):
                yield child
            else:
                yield from _top_divisions(child)


def _title_number(root: Any, metadata: dict[str, Any]) -> str:
    div1 = root if root.tag == "DIV1" else root.find(".//DIV1")
    if div1 is not None and (div1.get("N") or "").strip():
        return str(div1.get("N")).strip()
    if m := _CITATION_TITLE.match(str(metadata.get("citation") or "")):
        return m.group(1)
    return "15"


def load(path: Path, doc_id: str, metadata: dict[str, Any]) -> Document:
    """Load one eCFR XML file (a title, a part or a single section) as one Document."""
    meta = dict(metadata)
    root = parse_xml(read_bytes(path), LoadError)
    tops = [root] if DIV.fullmatch(root.tag) else list(_top_divisions(root))
    if not tops:
        raise LoadError("not eCFR XML: no DIV1..DIV9 (title, part or section) elements")
    title_no = _title_number(root, meta)
    builder = _Builder(title_no)
    for top in tops:
        if top.tag in ("DIV8", "DIV9"):
            builder.section(top, None)
        else:
            builder.division(top, f"{title_no} CFR", None)
    parts = root.xpath("descendant-or-self::DIV5")
    if not builder.parts:
        raise LoadError("eCFR XML has no text")

    if len(parts) == 1:
        set_derived(meta, "title", _head(parts[0]))
        part_no = (parts[0].get("N") or "").strip()
        set_derived(meta, "citation", f"{title_no} CFR part {part_no}" if part_no else None)
    elif not parts and len(tops) == 1 and tops[0].tag in ("DIV8", "DIV9"):
        set_derived(meta, "title", _head(tops[0]))
        set_derived(meta, "citation", section_citation(tops[0], title_no, None))
    else:
        set_derived(meta, "title", _head(tops[0]) or builder.parts[0])
        set_derived(meta, "citation", f"{title_no} CFR")
    return Document(doc_id, "\n\n".join(builder.parts), meta, builder.sections)

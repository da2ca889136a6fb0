"""PDF files (agency guidance, FR print editions, law-firm memos) -> Document with page citations.

A PDF has no reliable paragraph structure, but it has pages, and "p. 3" is what a reader needs to
find a quote. Each page's text is split into blocks on blank lines (and at line breaks when a
block is too long to retrieve well); every block is cited by its page.

What the file does not say is read from its first page: the title from its first heading line
when the PDF's own title is missing or junk (a producer's placeholder such as "about:blank",
"Untitled" or a file name: what a browser's "Save as PDF" leaves), skipping a printed page's
header lines (a URL, a print date, a page number); the date from the first date written in
words ("May 21, 2019").
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from ingest.dates import parse_date
from ingest.documents import Document, Section
from ingest.loaders.common import LoadError, first_heading, read_bytes, set_derived

log = logging.getLogger(__name__)

MAX_BLOCK = 1500
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n")
# Producer-generated titles that name a file, a blank page or a URL, not the document.
_JUNK_TITLE = re.compile(
    r"^(untitled|microsoft (word|powerpoint)\b|document\d*$|about:|(https?|file)://|"
    r"(none|null|unknown|title|print|blank)$)|\.(docx?|pdf|html?)$",
    re.IGNORECASE,
)
# Lines a printed web page or a header puts above the heading: a print date and time, a URL,
# a page number ("1/3", "Page 1 of 3"), or no words at all.
_HEADER_LINE = re.compile(
    r"^(\d{1,2}/\d{1,2}/\d{2,4}\b.*|\d{1,2}:\d{2}\s*(am|pm)?\b.*|(https?|file)://\S*|about:\S*|"
    r"(page\s+)?\d+\s*(/|of)\s*\d+|[\W\d_]*)$",
    re.IGNORECASE,
)


def _open(data: bytes) -> PdfReader:
    if b"%PDF" not in data[:1024]:
        raise LoadError("not a PDF (no %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError("PDF is encrypted")
        # Reading the page tree now makes a broken file fail here, with a clear reason.
        if len(reader.pages) == 0:
            raise LoadError("PDF has no pages")
    except LoadError:
        raise
    except (FileNotDecryptedError, DependencyError) as exc:
        raise LoadError(f"PDF is encrypted ({exc})") from exc
    except Exception as exc:  # pypdf raises many types on malformed files
        raise LoadError(f"corrupt PDF: {type(exc).__name__}: {exc}") from exc
    return reader


def _page_text(reader: PdfReader, n: int) -> str:
    try:
        raw = reader.pages[n].extract_text() or ""
    except Exception as exc:  # one unreadable page should not lose the rest of the document
        log.warning("page %d: text extraction failed: %s", n + 1, exc)
        return ""
    lines = (_SPACES.sub(" ", line).strip() for line in _CONTROL.sub(" ", raw).split("\n"))
    return "\n".join(lines).strip()


def _split_long(block: str) -> list[str]:
    """Pieces of at most MAX_BLOCK chars, cut at line breaks (or spaces, for one huge line)."""
    if len(block) <= MAX_BLOCK:
        return [block]
    pieces: list[str] = []
    current = ""
    for line in block.split("\n"):
        while len(line) > MAX_BLOCK:
            cut = line.rfind(" ", 0, MAX_BLOCK)
            cut = cut if cut > 0 else MAX_BLOCK
            pieces.extend([current] if current else [])
            current = ""
            pieces.append(line[:cut].strip())
            line = line[cut:].strip()
        if current and len(current) + 1 + len(line) > MAX_BLOCK:
            pieces.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        pieces.append(current)
    return [p for p in pieces if p]


def _metadata_title(reader: PdfReader) -> str:
    try:
        info = reader.metadata
        title = info.title if info is not None else None
    except Exception:  # a broken info dictionary must not stop the text from loading
        return ""
    title = re.sub(r"\s+", " ", str(title or "")).strip()
    return "" if _JUNK_TITLE.search(title) else title


def _heading(blocks: list[str]) -> str | None:
    """The first line of the first page that is not a printed header's (see _HEADER_LINE)."""
    for block in blocks:
        for line in block.split("\n"):
            if not _HEADER_LINE.match(line.strip()):
                return first_heading(line)
    return first_heading(blocks[0]) if blocks else None


def load(path: Path, doc_id: str, metadata: dict[str, Any]) -> Document:
    """Load one PDF: its text, page by page, each block cited by its page number."""
    meta = dict(metadata)
    reader = _open(read_bytes(path))
    pages: list[tuple[int, list[str]]] = []
    for n in range(len(reader.pages)):
        text = _page_text(reader, n)
        blocks = [p for b in _BLANK_LINES.split(text) if b.strip() for p in _split_long(b.strip())]
        if blocks:
            pages.append((n + 1, blocks))
    if not pages:
        raise LoadError("PDF has no extractable text (scanned image?)")

    first_page = pages[0][1]
    set_derived(meta, "title", _metadata_title(reader) or _heading(first_page))
    written = parse_date("\n".join(first_page))
    set_derived(meta, "date", written.isoformat() if written else None)
    title = str(meta.get("title") or "")
    label = str(meta.get("citation") or title)
    parts: list[str] = []
    sections: list[Section] = []
    pos = 0
    for page_no, blocks in pages:
        page = f"p. {page_no}"
        for block in blocks:
            parts.append(block)
            end = pos + len(block)
            sections.append(Section(pos, end, f"{label}, {page}", (title, page), 1, title))
            pos = end + 2
    return Document(doc_id, "\n\n".join(parts), meta, sections)

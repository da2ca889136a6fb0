"""The shapes every stage of ingest passes around.

Offsets are always into `Document.text`, the exact text we store and later quote from: a legal
reviewer must be able to find `text[start:end]` verbatim, so no stage may rewrite the text after
the loader has produced it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from assistant.status import StatusNote


@dataclass(frozen=True)
class Section:
    """A unit of legal structure (a paragraph such as 744.11(a)(1), a heading's body, a page).

    `level` is the depth in the document's hierarchy (0 = whole document or section heading,
    1 = (a), 2 = (1), ...). Chunks never cross a section boundary.
    """

    start: int
    end: int
    citation: str
    path: tuple[str, ...] = ()
    level: int = 0
    heading: str = ""


@dataclass
class Document:
    """One source document, as loaded: its stored text, metadata and structure.

    `notes` are what a regulation says about its own legal status (stays, amendments not in
    the text), each with the spans it affects; chunking puts them on the chunks they touch.
    They are read from `text`, so the content hash needs nothing more to cover them."""

    doc_id: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    notes: list[StatusNote] = field(default_factory=list)

    @property
    def content_hash(self) -> str:
        """Hash of what ends up in the store, so any change to text or metadata re-ingests."""
        h = hashlib.sha256(self.text.encode("utf-8"))
        for key in sorted(self.metadata):
            h.update(f"\0{key}={self.metadata[key]!r}".encode())
        return h.hexdigest()

"""Turn a file into a Document with Sections; one module per format, chosen here.

Public API: `load_document`, `LoadError`, `SUPPORTED_SUFFIXES`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ingest.documents import Document
from ingest.loaders.common import LoadError, read_text, set_derived
from ingest.notes import amendment_history, find_notes

Loader = Callable[[Path, str, dict[str, Any]], Document]

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".xml", ".html", ".htm", ".pdf"})

_CFR_HEADING = re.compile(r"^\s*(?:#+\s*)?(?:§|Supplement No\.)", re.IGNORECASE)


def detect_format(path: Path, metadata: dict[str, Any]) -> str:
    suffix = path.suffix.lower()
    if suffix == ".xml":
        return "ecfr_xml"
    if suffix in (".html", ".htm"):
        return "html"
    if suffix == ".pdf":
        return "pdf"
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"unsupported file type {suffix or '(none)'}")
    doc_type = (metadata.get("doc_type") or "").lower()
    if doc_type == "federal_register":
        return "federal_register"
    if doc_type == "regulation":
        return "ecfr_text"
    head = read_text(path)[:400]
    if _CFR_HEADING.match(head):
        return "ecfr_text"
    if head.lstrip().startswith("[Federal Register"):
        return "federal_register"
    return "text"


def _loader(kind: str) -> Loader:
    # Imported lazily: a PDF or XML library should not load for a corpus of text files.
    if kind == "ecfr_xml":
        from ingest.loaders.ecfr_xml import load
    elif kind == "html":
        from ingest.loaders.html import load
    elif kind == "pdf":
        from ingest.loaders.pdf import load
    elif kind == "ecfr_text":
        from ingest.loaders.ecfr_text import load
    elif kind == "federal_register":
        from ingest.loaders.federal_register import load
    else:
        from ingest.loaders.text import load
    return load


def load_document(path: Path, doc_id: str, metadata: dict[str, Any]) -> Document:
    """Load one file. `metadata` is what sources.toml and the sidecar say; loaders add the rest.

    Raises LoadError with a human-readable reason for anything unreadable.
    """
    meta = dict(metadata)
    kind = detect_format(path, meta)
    try:
        doc = _loader(kind)(path, doc_id, meta)
    except LoadError:
        raise
    except Exception as exc:  # a parser's own error type: report it, do not crash the run
        raise LoadError(f"{kind} loader failed: {type(exc).__name__}: {exc}") from exc
    if not doc.text.strip():
        raise LoadError("no text could be extracted")
    doc.metadata.setdefault("format", kind)
    if doc.metadata.get("doc_type") == "regulation":
        _regulation_status(doc)
    return doc


def _regulation_status(doc: Document) -> None:
    """A regulation's stays and amendment notes, and the dates its source note gives.

    Whatever the format, the notes are read from the stored text and resolved against the
    sections the loader found. A section whose metadata has no date takes the date of its
    latest listed amendment ("as amended through"), the only date its text carries; when the
    amendments are not listed the date stays unknown, never the file's."""
    doc.notes = find_notes(doc.text, doc.sections)
    _, through = amendment_history(doc.text)
    if through is None:
        return
    set_derived(doc.metadata, "amended_through", through.isoformat())
    if not doc.metadata.get("date"):
        set_derived(doc.metadata, "date", through.isoformat())
        doc.metadata["date_basis"] = "amended_through"


__all__ = ["LoadError", "SUPPORTED_SUFFIXES", "detect_format", "load_document"]

"""The "Show passage" button: what it carries, and whether the cited span is still as cited.

"Show passage" never trusts text carried by the button: the button names only the cited chunk and
span, and the bot re-reads the stored document there, and only while the cited chunk is still
stored as it was (same chunk id, same text at the same offsets, same document version); after a
re-ingest that changed it, the reviewer is told the passage changed instead of being shown new
text under the old citation.
"""

from __future__ import annotations

from typing import Any

from assistant.index.store import StoredDocument


def passage_value(chunk_id: str, start: int, end: int, doc_id: str) -> str:
    """The button's value: the cited chunk and span, never text."""
    return f"{chunk_id}|{start}|{end}|{doc_id}"


def parse_passage_value(value: str) -> tuple[str, int, int, str]:
    """(chunk id, start, end, doc id) from a button's value; ValueError if it is not one."""
    chunk_id, start, end, doc_id = value.split("|", 3)
    return chunk_id, int(start), int(end), doc_id


def passage_unchanged(
    stored: StoredDocument, chunk: tuple[str, dict[str, Any]] | None, start: int, end: int
) -> bool:
    """Whether [start:end] of the stored document is still the text the answer cited.

    The button names the cited chunk, whose id is a hash of its document, offsets and text
    (`Chunk.make_id`). So the span is unchanged exactly when that chunk is still stored, for this
    document, around the span, with its text at its offsets in the stored document, written for
    the document version the ledger holds (`doc_hash`; differs half-way through a re-ingest).
    Anything else, and the document changed since: its new text there is not what was cited."""
    if chunk is None:
        return False
    text, meta = chunk
    try:
        chunk_start, chunk_end = int(meta["start"]), int(meta["end"])
    except (KeyError, TypeError, ValueError):
        return False
    doc_hash, version = meta.get("doc_hash"), stored.metadata.get("content_hash")
    return (
        str(meta.get("doc_id", "")) == stored.doc_id
        and 0 <= chunk_start <= start < end <= chunk_end
        and stored.text[chunk_start:chunk_end] == text
        and not (doc_hash and version and doc_hash != version)
    )

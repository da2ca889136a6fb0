"""Whole-document texts for citation checks, read from the store once per document version.

Every answer checks its quotes against the stored text of the documents it cites, and reading
them costs about 2 ms of CPU per answer however few they are (one Chroma read): under load that
was a tenth of an answer's cost, spent re-reading texts that had not changed. A document's
stored text is fixed by its version: ingest writes a new text only with a new content hash, and
the snapshot an answer reads from says which hash of each document it serves (`served()`). So
the text read for (document, hash) is kept, and an answer whose snapshot serves that hash gets
it without a read; a document the snapshot serves without a hash (written before chunks carried
one) is read every time. The quotes are still checked against what the store held for exactly
the version the passages come from, never against a snapshot's chunk copy.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence

MAX_DOCUMENTS = 512  # the corpus's documents that answers cite (189 in the mirror), and room


class DocumentTexts:
    """A bounded, thread-safe cache of stored document texts keyed by (doc_id, content hash)."""

    def __init__(
        self, read: Callable[[Sequence[str]], dict[str, str]], limit: int = MAX_DOCUMENTS
    ) -> None:
        self._read = read
        self._limit = limit
        self._texts: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, doc_ids: Sequence[str], served: Mapping[str, str | None]) -> dict[str, str]:
        """The stored texts of `doc_ids` (those that exist), for the versions `served` names;
        those not yet known are read from the store in one call."""
        found: dict[str, str] = {}
        missing: list[str] = []
        with self._lock:
            for doc_id in doc_ids:
                version = served.get(doc_id)
                key = (doc_id, version) if version else None
                if key is not None and key in self._texts:
                    self._texts.move_to_end(key)
                    found[doc_id] = self._texts[key]
                else:
                    missing.append(doc_id)
        if missing:
            read = self._read(missing)
            found.update(read)
            with self._lock:
                for doc_id, text in read.items():
                    version = served.get(doc_id)
                    if version:
                        self._texts[(doc_id, version)] = text
                        self._texts.move_to_end((doc_id, version))
                while len(self._texts) > self._limit:
                    self._texts.popitem(last=False)
        return found

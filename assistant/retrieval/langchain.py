"""The hybrid retriever as a LangChain `BaseRetriever`, for people building their own chains.

Each LangChain Document carries the verbatim chunk text and everything needed to cite it
(doc_id, citation, span, source URL), so a chain built on it can still produce checkable
citations.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.models import Filters
from assistant.retrieval.retriever import Retriever


class TradePolicyRetriever(BaseRetriever):
    """`TradePolicyRetriever(retriever=Retriever(Store(settings)), k=5)`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Retriever
    k: int = 5
    filters: Filters | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[LCDocument]:
        results = self.retriever.retrieve(query, self.k, self.filters)
        return [
            LCDocument(
                page_content=r.text,
                metadata={
                    "chunk_id": r.chunk_id,
                    "doc_id": r.doc_id,
                    "citation": r.citation,
                    "title": r.title,
                    "source_path": r.source_path,
                    "source_url": r.metadata.get("source_url"),
                    "date": r.metadata.get("date"),
                    "doc_type": r.metadata.get("doc_type"),
                    "start": r.start,
                    "end": r.end,
                    "score": r.score,
                },
            )
            for r in results
        ]

"""Documents and passages: what a legal reviewer opens to check a citation in context."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from starlette.concurrency import run_in_threadpool

from api.deps import get_assistant
from api.schemas import DocumentOut, ErrorResponse, PassageContext
from api.security.auth import get_caller
from assistant.access import Caller
from assistant.answering.service import Assistant
from assistant.index.store import StoredDocument

router = APIRouter(prefix="/v1", tags=["documents"])

_ID = Path(min_length=1, max_length=200)
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (401, 404, 429, 503)
}


@router.get(
    "/documents/{doc_id}",
    response_model=DocumentOut,
    summary="A document's metadata and the exact text all spans refer to",
    responses=_ERRORS,
)
async def get_document(
    assistant: Annotated[Assistant, Depends(get_assistant)],
    caller: Annotated[Caller, Depends(get_caller)],
    doc_id: Annotated[str, _ID],
) -> DocumentOut:
    def load() -> StoredDocument | None:
        # Access is decided from the chunks' access flags (what search filters on) before the
        # text is read: a restricted id then costs what an unknown one does.
        if not assistant.store.has_chunk_of(doc_id, caller.restrict(None).where()):
            return None
        stored = assistant.store.get_document(doc_id)
        # Checked again: a re-ingest in between may have changed the document's groups.
        return stored if stored is not None and caller.may_read(stored.metadata) else None

    stored = await run_in_threadpool(load)
    # A document the caller may not read is answered exactly like one that does not exist.
    if stored is None:
        raise HTTPException(status_code=404, detail=f"no document with id {doc_id!r}")
    m = stored.metadata
    return DocumentOut(
        doc_id=doc_id,
        title=m.get("title"),
        citation=m.get("citation"),
        doc_type=m.get("doc_type"),
        agency=m.get("agency"),
        date=m.get("date"),
        source_url=m.get("source_url"),
        source_path=m.get("source_path"),
        text=stored.text,
    )


@router.get(
    "/passages/{chunk_id}",
    response_model=PassageContext,
    summary="A passage with N characters of its document either side, for highlighting",
    responses=_ERRORS,
)
async def get_passage(
    assistant: Annotated[Assistant, Depends(get_assistant)],
    caller: Annotated[Caller, Depends(get_caller)],
    chunk_id: Annotated[str, _ID],
    context: Annotated[int, Query(ge=0, le=20000, description="Characters either side.")] = 300,
) -> PassageContext:
    def load() -> PassageContext | None:
        chunk = assistant.store.get_chunk(chunk_id)
        if chunk is None:
            return None
        text, meta = chunk
        if not caller.may_read(meta):
            return None
        stored = assistant.store.get_document(str(meta.get("doc_id", "")))
        if stored is None or not caller.may_read(stored.metadata):
            return None
        start, end = int(meta["start"]), int(meta["end"])
        if stored.text[start:end] != text:  # mid re-ingest: chunk and text of other versions
            return None
        lo, hi = max(0, start - context), min(len(stored.text), end + context)
        return PassageContext(
            chunk_id=chunk_id,
            doc_id=stored.doc_id,
            title=meta.get("title"),
            citation=str(meta.get("citation", "")),
            source_url=meta.get("source_url"),
            date=meta.get("date"),
            doc_type=meta.get("doc_type"),
            text=stored.text[start:end],
            start=start,
            end=end,
            context=stored.text[lo:hi],
            context_start=lo,
            context_end=hi,
        )

    passage = await run_in_threadpool(load)
    if passage is None:
        raise HTTPException(status_code=404, detail=f"no passage with id {chunk_id!r}")
    return passage

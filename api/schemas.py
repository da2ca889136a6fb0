"""Request and response models: the public contract (the OpenAPI schema comes from these)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class Passage(BaseModel):
    chunk_id: str
    doc_id: str
    source_path: str
    citation: str = Field(examples=["15 CFR 744.11(a)"])
    title: str
    text: str = Field(description="Verbatim text: equals the document text at [start, end).")
    start: int
    end: int
    score: float
    source_url: str | None = None
    date: str | None = None
    doc_type: str | None = None


class SearchResponse(BaseModel):
    query: str
    results: list[Passage]


class ErrorResponse(BaseModel):
    detail: str

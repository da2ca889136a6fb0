"""`GET /v1/screen`: a party's name against the Consolidated Screening List synced by `tpa sync`.

The list is read through `assistant.screening.repository.load_list`, which re-reads it when the
files change, so a server picks up a new sync without a restart. A negative never "clears"
anyone: it says "no match in the Consolidated Screening List as of <version date>".
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.deps import get_app_settings
from api.schemas import ErrorResponse
from api.security.auth import get_caller
from assistant.access import Caller
from assistant.config import Settings
from assistant.screening.models import MAX_NAME_CHARS, Match, ScreeningError, ScreeningList
from assistant.screening.repository import load_list

router = APIRouter(prefix="/v1", tags=["screening"])

NO_LIST = "no screening list loaded: run `tpa sync` to fetch the Consolidated Screening List"


class ScreenMatch(BaseModel):
    """One listed party whose name matches, with what the listing means."""

    name: str = Field(description="The entry's name as listed.")
    matched_name: str = Field(description="Which of its names (primary or alternate) matched.")
    score: float = Field(ge=0, le=100, description="Name similarity, 0-100, one decimal.")
    source: str = Field(examples=["Entity List (EL) - Bureau of Industry and Security"])
    country: str | None = Field(None, description="ISO-2 codes of the entry, comma-separated.")
    license_requirement: str | None = None
    license_policy: str | None = None
    federal_register_notice: str | None = Field(None, examples=["84 FR 22961"])
    start_date: str | None = Field(None, description="Listed since (ISO date).")
    source_url: str | None = None
    entity_number: str | None = None
    rule: str = Field(description="name, short_name, acronym, contains or person.")

    @classmethod
    def of(cls, match: Match) -> ScreenMatch:
        return cls(**match.to_dict())


class ScreenResponse(BaseModel):
    list_version: str = Field(description="Version date of the list screened against.")
    matches: list[ScreenMatch]
    message: str = Field(
        description="A summary line; with no match: 'NAME: no match in the Consolidated "
        "Screening List as of <version date>' (a screen never clears anyone)."
    )


def _screen(
    settings: Settings, name: str, country: str | None, as_of: date | None, limit: int
) -> tuple[ScreeningList, list[Match]]:
    try:
        screening_list = load_list(settings)
    except ScreeningError as exc:  # the synced file is there but unreadable
        raise HTTPException(status_code=503, detail=f"screening list unusable: {exc}") from exc
    if screening_list is None:
        raise HTTPException(status_code=503, detail=NO_LIST)
    try:
        matches = screening_list.screen(name, country=country, as_of=as_of, limit=limit)
    except ScreeningError as exc:
        raise HTTPException(status_code=422, detail=f"name: {exc}") from exc
    return screening_list, matches


@router.get(
    "/screen",
    response_model=ScreenResponse,
    summary="Screen a party's name against the Consolidated Screening List",
    responses={
        401: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
        429: {"model": ErrorResponse},
        503: {"model": ErrorResponse},
    },
)
async def screen_party(
    settings: Annotated[Settings, Depends(get_app_settings)],
    caller: Annotated[Caller, Depends(get_caller)],
    name: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_NAME_CHARS,
            description="The party's name.",
            examples=["Huawei"],
        ),
    ],
    country: Annotated[
        str | None,
        Query(pattern="^[A-Za-z]{2}$", description="Only entries in this country (ISO-2)."),
    ] = None,
    as_of: Annotated[
        date | None, Query(description="Only entries listed on this day (ISO date).")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=50, description="At most this many matches.")] = 10,
) -> ScreenResponse:
    if not name.strip():
        raise HTTPException(status_code=422, detail="name: the name is blank")
    screening_list, matches = await run_in_threadpool(
        _screen, settings, name, country, as_of, limit
    )
    return ScreenResponse(
        list_version=screening_list.version,
        matches=[ScreenMatch.of(m) for m in matches],
        message=screening_list.summary(matches, name),
    )

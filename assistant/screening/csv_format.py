"""Reading the Consolidated Screening List's published CSV into `ScreeningEntry` rows.

trade.gov publishes the CSL as one CSV with a fixed header; the file is read both when a list
is put in use (`repository.py`) and when `tpa sync` checks a download before storing it
(`ingest/screening_sync.py`), so what counts as "a CSL" is decided here, once: the columns
screening needs must be in the header, and a BOM, empty fields and blank or odd dates are
tolerated.
"""

from __future__ import annotations

import contextlib
import csv
import io
import time
from datetime import date, datetime

from assistant.screening.index import YIELD_EVERY
from assistant.screening.models import ScreeningEntry, ScreeningError
from assistant.screening.names import country_code

# The published header of trade.gov's consolidated CSV (29 columns), in order: what test
# fixtures and the screening bench write, so they stay in the real layout.
PUBLISHED_COLUMNS = (
    "_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,"
    "start_date,end_date,standard_order,license_requirement,license_policy,call_sign,"
    "vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,"
    "source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,"
    "source_information_url,ids"
).split(",")
# Columns every CSL export has and screening relies on; the published header has more.
REQUIRED_COLUMNS = (
    "source",
    "name",
    "type",
    "addresses",
    "alt_names",
    "federal_register_notice",
    "start_date",
    "license_requirement",
    "license_policy",
)


def decode_csl(raw: bytes) -> str:
    """The file's text: UTF-8 (with or without a BOM), else Windows-1252."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(";") if part.strip())


def _parse_date(value: str | None) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    with contextlib.suppress(ValueError):
        return date.fromisoformat(value[:10])
    for fmt in ("%m/%d/%Y", "%d %b %Y", "%d %B %Y", "%B %d, %Y", "%Y/%m/%d"):
        with contextlib.suppress(ValueError):
            return datetime.strptime(value, fmt).date()
    return None


def parse_csl(text: str) -> list[ScreeningEntry]:
    """Entries of a CSL CSV (the published column layout; a BOM, empty fields and blank or odd
    dates are tolerated). Raises `ScreeningError` when the header lacks the CSL columns."""
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lstrip("\ufeff") for h in (reader.fieldnames or [])]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        shown = ", ".join(header[:8]) or "(empty)"
        raise ScreeningError(
            f"not a Consolidated Screening List CSV: missing column(s) {', '.join(missing)} "
            f"(header starts: {shown})"
        )
    reader.fieldnames = header
    csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024))
    entries: list[ScreeningEntry] = []
    try:
        for n, row in enumerate(reader):
            if n % YIELD_EVERY == 0:
                time.sleep(0)  # parsed beside answers: see `index.YIELD_EVERY`

            def get(key: str, row: dict[str, str | None] = row) -> str:
                return (row.get(key) or "").strip()

            name = get("name")
            if not name:
                continue
            addresses = _split(get("addresses"))
            countries = {c for a in addresses if (c := country_code(a.rsplit(",", 1)[-1]))}
            for key in ("citizenships", "nationalities"):
                countries.update(c for part in _split(get(key)) if (c := country_code(part)))
            entries.append(
                ScreeningEntry(
                    name=name,
                    alt_names=tuple(a for a in _split(get("alt_names")) if a != name),
                    addresses=addresses,
                    countries=frozenset(countries),
                    source=get("source"),
                    federal_register_notice=get("federal_register_notice"),
                    start_date=_parse_date(get("start_date")),
                    end_date=_parse_date(get("end_date")),
                    license_requirement=get("license_requirement"),
                    license_policy=get("license_policy"),
                    source_url=get("source_list_url") or get("source_information_url"),
                    entity_number=get("entity_number"),
                    id=get("_id"),
                    type=get("type"),
                    programs=_split(get("programs")),
                )
            )
    except csv.Error as exc:
        raise ScreeningError(f"not a readable CSV at line {reader.line_num}: {exc}") from exc
    return entries

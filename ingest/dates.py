"""Dates as U.S. government texts write them: "Nov. 12, 2025", "September 6, 2024", "5-20-19".

Ingest reads a document's dates from its own words (a Federal Register header, a `DATES:`
paragraph, an "[FR Doc. ... Filed 5-20-19 ...]" line, a CFR section's amendment history), never
from the file, so these parsers are the one place that turns those words into `datetime.date`.
"""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}

# "Nov. 12, 2025", "Sept. 30, 2025", "June 18, 2024", and the slip "January 13. 2025".
DATE_WORDS = re.compile(
    r"\b(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?\s+(\d{1,2})\s*[,.]?\s+(\d{4})\b"
)
# "5-20-19" as the Federal Register's "[FR Doc. ... Filed 5-20-19; 8:45 am]" writes it.
_NUMERIC = re.compile(r"\b(\d{1,2})-(\d{1,2})-(\d{2}|\d{4})\b")


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # "Feb. 30": not a date, whatever the text says
        return None


def date_from_match(m: re.Match[str]) -> date | None:
    """The date a `DATE_WORDS` match names."""
    return _make(int(m.group(3)), _MONTHS[m.group(1)[:3].lower()], int(m.group(2)))


def parse_date(text: str) -> date | None:
    """The first date written in words in `text`, or None."""
    m = DATE_WORDS.search(text)
    return date_from_match(m) if m else None


def dates_in(text: str) -> list[date]:
    """Every date written in words in `text`, in order."""
    return [d for m in DATE_WORDS.finditer(text) if (d := date_from_match(m))]


def parse_numeric_date(text: str) -> date | None:
    """A month-day-year date such as "5-20-19" (two-digit years are 19xx from 50 on)."""
    m = _NUMERIC.search(text)
    if not m:
        return None
    year = int(m.group(3))
    if year < 100:
        year += 1900 if year >= 50 else 2000
    return _make(year, int(m.group(1)), int(m.group(2)))


__all__ = ["DATE_WORDS", "date_from_match", "dates_in", "parse_date", "parse_numeric_date"]

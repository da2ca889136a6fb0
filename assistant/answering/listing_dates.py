"""The dates a question gives, set against the day a listing took effect and the last day its
savings clause allows.

An audit question ("One shipment left on January 3, 2025 and was loaded on January 9; the next
left on February 10. Was either a problem?") is answered by where each date falls, and both
limits are in the listing rule's savings clause: shipments "en route aboard a carrier ... on
January 6, 2025 ... may proceed ... before February 5, 2025". The line says only where each
date falls; which event a date is (ordered, left the warehouse, loaded) stays the reader's.
"""

from __future__ import annotations

import re
from datetime import date

_MONTH_NUMBER = {
    m: i + 1
    for i, m in enumerate(
        "january february march april may june july august september october november "
        "december".split()
    )
}
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
# "January 3, 2025", "3 January 2025", "2025-01-03", and "September 13" after a dated one
_DATE = re.compile(
    rf"\b{_MONTH}\s+(\d{{1,2}})(?:,?\s+(\d{{4}}))?\b(?!:)|\b(\d{{1,2}})\s+{_MONTH}\s+(\d{{4}})\b|"
    r"\b(\d{4})-(\d{2})-(\d{2})\b"
)
# The savings clause's day the listing took effect, and the last day it allows
_EN_ROUTE_ON = re.compile(rf"\ben route\b[^.]*?\bon\s+{_MONTH}\s+(\d{{1,2}}),?\s+(\d{{4}})")
# "before February 5, 2025" (that day excluded), "completed no later than on October 14, 2025"
_BEFORE = re.compile(rf"\bbefore\s+{_MONTH}\s+(\d{{1,2}}),?\s+(\d{{4}})")
_NO_LATER = re.compile(rf"\bno later than\s+(?:on\s+)?{_MONTH}\s+(\d{{1,2}}),?\s+(\d{{4}})")
# The day a sentence says a party was added to the Entity List, where it recalls an earlier
# rule: "SUMMARY: On May 16, 2019, Huawei ... were added to the Entity List"; "the addition of
# Huawei to supplement no. 4 to part 744 (Entity List) of the EAR on May 16, 2019"
_ON_DAY = rf"{_MONTH}\s+\d{{1,2}},\s+\d{{4}}"
_ADDED_ON = re.compile(
    rf"^\W*(?:[A-Z]+:\s*)?On\s+(?P<a>{_ON_DAY}),.*?\b(?:was|were)\s+added\s+to\s+the\s+"
    rf"Entity\s+List\b|\b(?:added|addition)\b.{{0,120}}?\bEntity\s+List\b\)?"
    rf"(?:\s+of\s+the\s+EAR)?\s+(?:on|effective)\s+(?P<b>{_ON_DAY})",
    re.S,
)


def addition_date(sentence: str, name: str) -> str | None:
    """The day, as the sentence writes it, that it says `name`'s listing took effect ("May 16,
    2019"); None when it gives none in one of those two forms. Only the clause naming the party
    is read: a rule revising forty entries lists each with its own day ("“Alpha,” first added
    to the Entity List on August 27, 2024 ( 89 FR 68548 ); “Beta,” first added ...")."""
    clause = next((c for c in sentence.split(";") if name in c), None)
    m = _ADDED_ON.search(clause) if clause is not None else None
    if m is None:
        return None
    return " ".join((m.group("a") or m.group("b")).split())


def _day(year: str, month: str, day: str) -> date | None:
    try:
        number = int(month) if month.isdigit() else _MONTH_NUMBER[month.lower()]
        return date(int(year), number, int(day))
    except (ValueError, KeyError):
        return None


def dates_in(text: str) -> list[date]:
    """The calendar dates the text writes out, once each, in order."""
    found: list[date] = []
    year: str | None = None  # (the last year written, for "flew out on September 13")
    for m in _DATE.finditer(text):
        g = m.groups()
        if g[0] and not g[2] and year is None:
            continue
        day = (
            _day(g[2] or str(year), g[0], g[1])
            if g[0]
            else _day(g[5], g[4], g[3])
            if g[4]
            else _day(g[6], g[7], g[8])
        )
        if day is not None:
            year = str(day.year)
            if day not in found:
                found.append(day)
    return found


def savings_window(clause: str) -> tuple[date, date, str] | None:
    """The day shipments had to be en route, the first day they may no longer proceed, and the
    clause's own words for the limit, as a savings clause states them ("before February 5,
    2025"; "no later than on October 14, 2025" ends after October 14); None when it states
    either otherwise."""
    on = _EN_ROUTE_ON.search(clause)
    before, no_later = _BEFORE.search(clause), _NO_LATER.search(clause)
    if on is None or (before is None) == (no_later is None):
        return None
    start = _day(on.group(3), on.group(1), on.group(2))
    last = before or no_later
    assert last is not None
    end = _day(last.group(3), last.group(1), last.group(2))
    if start is None or end is None:
        return None
    words = f"before {_text(end)}" if before is not None else f"no later than {_text(end)}"
    if no_later is not None:
        end = date.fromordinal(end.toordinal() + 1)  # (that day included)
    return (start, end, words) if end > start else None


def _text(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _listed(days: list[date]) -> str:
    named = [_text(d) for d in days]
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"


def where_dates_fall(question: str, clause: str) -> str | None:
    """Where the dates the question gives fall against the savings clause's window: before the
    listing took effect, from then until the clause's limit (when only a shipment en route on
    the first day may proceed), or after. None without a window or a date."""
    window = savings_window(clause)
    days = dates_in(question)
    if window is None or not days:
        return None
    start, end, limit = window
    before = [d for d in days if d < start]
    within = [d for d in days if start <= d < end]
    after = [d for d in days if d >= end]
    parts = []
    if before:
        verb = "is" if len(before) == 1 else "are"
        parts.append(
            f"{_listed(before)} {verb} before {_text(start)}, when the listing took effect"
        )
    if within:
        verb = "is" if len(within) == 1 else "are"
        parts.append(
            f"{_listed(within)} {verb} on or after {_text(start)}: then only a shipment en route "
            f"that day under an actual order may proceed, if completed {limit}"
        )
    if after:
        verb = "is" if len(after) == 1 else "are"
        parts.append(f"{_listed(after)} {verb} past the savings clause's limit ({limit})")
    return "; ".join(parts)

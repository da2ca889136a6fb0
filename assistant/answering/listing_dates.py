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

from assistant.text import cached_pattern

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
# rule, in three forms, each with the party's name where the subject of the addition stands:
# "SUMMARY: On May 16, 2019, Huawei ... were added to the Entity List"; "the addition of Huawei
# to supplement no. 4 to part 744 (Entity List) of the EAR on May 16, 2019"; "“Harbin Institute
# of Technology,” first added to the Entity List on June 5, 2020".
_DAY = rf"(?P<day>{_MONTH}\s+\d{{1,2}},\s+\d{{4}})"
_ADDED_FORMS = tuple(
    form.replace("<DAY>", _DAY)
    for form in (
        r"^\W*(?:[A-Z]+:\s*)?On\s+<DAY>,\s+<NAME>(?![\w-]).{0,200}?\b(?:was|were)\s+added\s+to\s+"
        r"the\s+Entity\s+List\b",
        r"\baddition\s+of\s+<NAME>(?![\w-]).{0,120}?\bEntity\s+List\b\)?(?:\s+of\s+the\s+EAR)?"
        r"\s+(?:on|effective)\s+<DAY>",
        # (its company form may follow the name: "“Beijing E-science Co., Ltd.,” first added")
        r"(?<![\w-])<NAME>(?:\s*\([^)]*\))?(?:,?\s+(?:Co|Ltd|Inc|LLC|Limited|Corporation|Corp|"
        r"Company|GmbH|JSC|PJSC|OJSC|CJSC|OOO|OAO|ZAO|PAO|AO|AG|SA|Pte|Pvt|Sdn|Bhd)\.?){0,4}"
        r"[,”\"’']*\s+(?:(?:was|were|which\s+was|that\s+was)\s+)?(?:first\s+)?added\s+to\s+"
        r"the\s+Entity\s+List\s+(?:on|effective)\s+<DAY>",
    )
)
# A day of something else: a footnote designation added to entries, a removal, an alias
_NOT_AN_ADDITION = re.compile(r"\b(?:footnote|remov\w*|alias\w*)\b", re.I)


def addition_date(sentence: str, name: str) -> str | None:
    """The day, as the sentence writes it, that it says `name`'s listing took effect ("May 16,
    2019"); None when it gives none in one of `_ADDED_FORMS`. The name must stand where the
    addition's subject does: in a rule revising forty entries each has its own day ("“Alpha,”
    first added to the Entity List on August 27, 2024 ( 89 FR 68548 ); “Beta,” first added
    ..."), and "subsidiaries of Inspur Group, which was added ... on March 2, 2023" dates the
    group, not a subsidiary."""
    if _NOT_AN_ADDITION.search(sentence):
        return None
    for form in _ADDED_FORMS:
        m = cached_pattern(form.replace("<NAME>", re.escape(name)), re.S).search(sentence)
        if m is not None:
            return " ".join(m.group("day").split())
    return None


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

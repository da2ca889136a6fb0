"""The shapes of screening: a CSL entry, a match, and the list that screens names.

`ScreeningList.screen` is what the CLI (`tpa screen`), the API (`/v1/screen`) and answers use;
`Match` is its result and turns itself into the two outward shapes, the JSON of CLI `--json`
and `/v1/screen` (`to_dict`) and the answer's structured source (`to_hit`), from one reading
of the entry's listing. A screen never "clears" anyone: a negative is worded only by
`no_match_message`, "no match in the Consolidated Screening List as of <version date>",
because the list changes and a name match is not a legal determination.

An entry matches with its best name (primary or alternate, reported as `matched_name`);
results are one per entry, best score first (on a tie, the matched name with fewer words
first). `country` (ISO-2) keeps entries with that country in an address, citizenship or
nationality, and entries whose country is unknown (they cannot be ruled out). `as_of` drops
entries listed after that date (`start_date`) or ended before it (`end_date`). The rules that
decide a match are in `rules.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from assistant.models import ScreeningHit
from assistant.screening.index import NameIndex
from assistant.screening.names import ISO2
from assistant.screening.rules import Found, Query, match_names

LIST_NAME = "Consolidated Screening List"
MAX_NAME_CHARS = 200


class ScreeningError(ValueError):
    """A screening list that cannot be read, or a query that cannot be screened."""


@dataclass(frozen=True)
class ScreeningEntry:
    """One row of the CSL. `countries` are ISO-2 codes from addresses, citizenships and
    nationalities; `source_url` is the list's page (source_list_url, else
    source_information_url)."""

    name: str
    alt_names: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    countries: frozenset[str] = frozenset()
    source: str = ""
    federal_register_notice: str = ""
    start_date: date | None = None
    end_date: date | None = None
    license_requirement: str = ""
    license_policy: str = ""
    source_url: str = ""
    entity_number: str = ""
    id: str = ""
    type: str = ""
    programs: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The primary name, then the alternates."""
        return (self.name, *self.alt_names)

    @property
    def is_individual(self) -> bool:
        return self.type.strip().casefold() == "individual"

    def active_on(self, day: date) -> bool:
        """Listed on `day`: started on or before it and not ended before it."""
        if self.start_date is not None and self.start_date > day:
            return False
        return self.end_date is None or self.end_date >= day


@dataclass(frozen=True)
class Match:
    """A screening hit: the entry, its score (0-100, one decimal), which of its names matched
    and by which rule (`name`, `short_name`, `acronym`, `contains`, `person`); `query` is the
    name (or, in free text, the phrase) that matched."""

    entry: ScreeningEntry
    score: float
    matched_name: str
    rule: str = "name"
    query: str = ""

    def _listing(self) -> dict[str, Any]:
        """The entry's listing as every outward shape shows it (empty fields as None)."""
        e = self.entry
        return {
            "name": e.name,
            "matched_name": self.matched_name,
            "score": self.score,
            "source": e.source,
            "country": ", ".join(sorted(e.countries)) or None,
            "license_requirement": e.license_requirement or None,
            "license_policy": e.license_policy or None,
            "federal_register_notice": e.federal_register_notice or None,
            "start_date": e.start_date.isoformat() if e.start_date else None,
            "source_url": e.source_url or None,
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of CLI `--json` and `/v1/screen` matches."""
        return {
            **self._listing(),
            "entity_number": self.entry.entity_number or self.entry.id or None,
            "rule": self.rule,
        }

    def to_hit(self, ref: str) -> ScreeningHit:
        """The answer's structured source, cited as `ref` ("S1")."""
        return ScreeningHit(ref=ref, query=self.query, **self._listing())


def no_match_message(version: str, name: str | None = None) -> str:
    """The only wording for a negative: a screen never clears anyone."""
    said = f"{name.strip()}: " if name and name.strip() else ""
    return f"{said}no match in the {LIST_NAME} as of {version}"


def _check_country(country: str | None) -> str | None:
    if country is None or not country.strip():
        return None
    code = country.strip().upper()
    if not ISO2.match(code):
        raise ScreeningError(f"country must be a two-letter ISO code, not {country!r}")
    return code


class ScreeningList:
    """The CSL entries with a name index. `version` is the list's version date
    (YYYY-MM-DD), `url` where it came from."""

    def __init__(
        self,
        entries: Sequence[ScreeningEntry],
        version: str,
        url: str = "",
        threshold: float = 88.0,
        fetched_at: str | None = None,
        sha256: str | None = None,
    ) -> None:
        self.entries = list(entries)
        self.version = version
        self.url = url
        self.threshold = float(threshold)
        self.fetched_at = fetched_at
        self.sha256 = sha256
        self.index = NameIndex(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def no_match_message(self, name: str | None = None) -> str:
        return no_match_message(self.version, name)

    def summary(self, matches: Sequence[Match], name: str | None = None) -> str:
        """One line for a screen's outcome: "N possible matches in the Consolidated Screening
        List as of V", or the no-match wording."""
        if not matches:
            return self.no_match_message(name)
        n = len(matches)
        plural = "es" if n != 1 else ""
        return f"{n} possible match{plural} in the {LIST_NAME} as of {self.version}"

    def screen(
        self,
        name: str,
        country: str | None = None,
        as_of: date | None = None,
        limit: int = 10,
    ) -> list[Match]:
        """Entries whose names match `name` at or above the threshold, best first, one per
        entry (see `rules.py` for the rules). `country` is an ISO-2 code."""
        if not name or not name.strip():
            raise ScreeningError("the name to screen is blank")
        if len(name) > MAX_NAME_CHARS:
            raise ScreeningError(f"the name is longer than {MAX_NAME_CHARS} characters")
        wanted = _check_country(country)
        query = Query.of(name)
        if not query.key:
            return []
        found = match_names(self.index, query, self.threshold)
        ranked = sorted(self.ranked(found, name, wanted, as_of), key=lambda item: item[:3])
        return [m for *_, m in ranked[: max(0, limit)]]

    def ranked(
        self,
        found: Found,
        query: str,
        country: str | None,
        as_of: date | None,
    ) -> list[tuple[float, int, int, Match]]:
        """One (sort key..., Match) per entry, from its best name; filters applied. Ties go
        to the entry whose matched name has fewer words (the closer one), then list order."""
        ix = self.index
        per_entry: dict[int, tuple[float, int, str]] = {}
        for score, nid, rule in found.values():
            entry_id = ix.name_entry[nid]
            current = per_entry.get(entry_id)
            if current is None or score > current[0]:
                per_entry[entry_id] = (score, nid, rule)
        ranked: list[tuple[float, int, int, Match]] = []
        for entry_id, (score, nid, rule) in per_entry.items():
            entry = self.entries[entry_id]
            if as_of is not None and not entry.active_on(as_of):
                continue
            if country is not None and entry.countries and country not in entry.countries:
                continue
            match = Match(entry, round(min(score, 100.0), 1), ix.name_text[nid], rule, query)
            ranked.append((-match.score, len(ix.tokens[nid]), entry_id, match))
        return ranked

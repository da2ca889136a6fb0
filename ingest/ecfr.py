"""The eCFR versioner API (`TPA_ECFR_URL`, default https://www.ecfr.gov): the calls sync needs.

* `issue_date`: `GET /api/versioner/v1/titles.json`. eCFR lags the Federal Register by a day or
  two, so a request dated today can 404; every other call is dated with the title's
  `latest_issue_date` from here (its `up_to_date_as_of` when the issue date is missing).
* `part_numbers`: `GET /api/versioner/v1/structure/{date}/title-15.json`, the table of contents
  (no text): which parts of the configured range exist, so absent part numbers are not asked.
* `versions`: `GET /api/versioner/v1/versions/title-15.json` with `issue_date[gte]`/`[lte]` and
  `part` filters, paged by `meta.total_pages` (up to 1,000 records a page): which sections
  changed since the last sync, and each section's own version date.
* `part_xml`: `GET /api/versioner/v1/full/{date}/title-15.xml?part=744`, the part's full text in
  the GPO eCFR XML schema (converted by `ingest/ecfr_sections.py`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import httpx

from ingest.official import ApiError, build_url, get_bytes, get_json

_MAX_PAGES = 200  # 200,000 version records: far more than any title has


@dataclass(frozen=True)
class ContentVersion:
    """One record of `versions`: a section or appendix as it read from `date` on."""

    identifier: str
    name: str
    part: str
    date: str  # when this version took effect
    amendment_date: str
    issue_date: str  # the eCFR issue that brought it
    removed: bool
    substantive: bool
    kind: str  # "section" or "appendix"


def _date(value: Any, what: str, url: str) -> str:
    try:
        return datetime.date.fromisoformat(str(value)).isoformat()
    except ValueError as exc:
        raise ApiError(f"unexpected JSON from {url}: {what} {value!r} is not a date") from exc


class EcfrApi:
    """Calls to one eCFR API base URL through a shared, retrying HTTP client."""

    def __init__(self, client: httpx.Client, base_url: str, retries: int) -> None:
        self.client = client
        self.base = base_url
        self.retries = retries

    def issue_date(self, title: int) -> str:
        """The date to ask for: the title's latest issue date (never simply today)."""
        url = build_url(self.base, "/api/versioner/v1/titles.json")
        data = get_json(self.client, url, self.retries)
        titles = data.get("titles")
        if not isinstance(titles, list):
            raise ApiError(f"unexpected JSON from {url}: no 'titles' list")
        for entry in titles:
            if isinstance(entry, dict) and str(entry.get("number")) == str(title):
                if entry.get("reserved") is True:
                    raise ApiError(f"title {title} is reserved at {url}")
                value = entry.get("latest_issue_date") or entry.get("up_to_date_as_of")
                return _date(value, f"title {title} latest_issue_date", url)
        raise ApiError(f"{url} does not list title {title}")

    def part_numbers(self, date: str, title: int) -> set[str]:
        """The parts the title has on `date`, from its table of contents (`structure`)."""
        url = build_url(self.base, f"/api/versioner/v1/structure/{date}/title-{title}.json")
        data = get_json(self.client, url, self.retries)
        found: set[str] = set()
        stack: list[Any] = [data]
        while stack:
            node = stack.pop()
            if not isinstance(node, dict):
                continue
            if node.get("type") == "part" and node.get("identifier") and not node.get("reserved"):
                found.add(str(node["identifier"]))
                continue  # sections need not be walked
            children = node.get("children")
            if isinstance(children, list):
                stack.extend(children)
        if not found:
            raise ApiError(f"unexpected JSON from {url}: no parts in the table of contents")
        return found

    def versions(self, title: int, params: list[tuple[str, str]]) -> list[ContentVersion]:
        """Every content version matching `params` (an issue_date filter is always given)."""
        out: list[ContentVersion] = []
        page = 1
        while True:
            url = build_url(
                self.base,
                f"/api/versioner/v1/versions/title-{title}.json",
                [*params, ("page", str(page))] if page > 1 else params,
            )
            data = get_json(self.client, url, self.retries)
            records = data.get("content_versions")
            if not isinstance(records, list):
                raise ApiError(f"unexpected JSON from {url}: no 'content_versions' list")
            out.extend(_version(record, url) for record in records)
            meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
            try:
                total = int(str((meta or {}).get("total_pages") or 1))
            except ValueError:
                total = 1
            if page >= min(total, _MAX_PAGES) or not records:
                return out
            page += 1

    def part_xml(self, date: str, title: int, part: str) -> bytes:
        """The full XML of one part as it read on `date`."""
        url = build_url(
            self.base, f"/api/versioner/v1/full/{date}/title-{title}.xml", [("part", part)]
        )
        body, media = get_bytes(self.client, url, "application/xml, text/xml;q=0.9", self.retries)
        if media and "xml" not in media:
            raise ApiError(f"{url} served {media!r}, not XML")
        return body


def _version(record: Any, url: str) -> ContentVersion:
    if not isinstance(record, dict) or not record.get("identifier") or not record.get("date"):
        raise ApiError(f"unexpected JSON from {url}: a content version without identifier/date")
    date = _date(record["date"], "date", url)
    return ContentVersion(
        identifier=str(record["identifier"]).strip(),
        name=str(record.get("name") or "").strip(),
        part=str(record.get("part") or "").strip(),
        date=date,
        amendment_date=_date(record.get("amendment_date") or date, "amendment_date", url),
        issue_date=_date(record.get("issue_date") or date, "issue_date", url),
        removed=bool(record.get("removed")),
        substantive=bool(record.get("substantive", True)),
        kind=str(record.get("type") or "section"),
    )

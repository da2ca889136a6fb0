"""A local stand-in of the eCFR versioner API (https://www.ecfr.gov/api/versioner/v1), over HTTP.

It speaks the documented endpoints with the documented shapes, from parts published at dates:

* `GET /api/versioner/v1/titles.json`: `{"titles": [{number, name, latest_amended_on,
  latest_issue_date, up_to_date_as_of, reserved}], "meta": {date, import_in_progress}}`.
* `GET /api/versioner/v1/versions/title-15.json`: `{"content_versions": [{date,
  amendment_date, issue_date, identifier, name, part, substantive, removed, subpart, title,
  type}], "meta": {title, result_count, issue_date, latest_amendment_date, latest_issue_date,
  total_pages}}`, filtered by `issue_date[on|gte|lte]` (one is required, as documented),
  `part`, `section`, paged 1,000 records at a time (`page`). The records are computed from the
  published XML: a section gets a version at each issue where its XML changed, and a
  `removed` record where it disappeared.
* `GET /api/versioner/v1/full/{date}/title-15.xml?part=744[&section=744.11]`: the part as it
  read on that date (GPO eCFR XML), 404 for a date after the latest issue (the eCFR lag).
* `GET /api/versioner/v1/structure/{date}/title-15.json`: the table of contents, no text.

Tests publish parts (`publish`), inject faults (`fault`: a status, a timeout, a malformed
body) and read `requests` to see what reached the server.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from tests.support.servers import QuietHandler, http_server

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "official" / "ecfr"
BASE_DATE = "2024-03-01"
_PER_PAGE = 1000


@dataclass
class Fault:
    """What to do instead of answering a request whose path matches `pattern`."""

    pattern: str
    kind: str  # "status", "timeout", "malformed"
    status: int = 500
    seconds: float = 5.0
    times: int | None = None  # None: every time


@dataclass
class FakeEcfr:
    title: int = 15
    parts: dict[str, list[tuple[str, bytes]]] = field(default_factory=dict)
    up_to_date_as_of: str | None = None
    faults: list[Fault] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    base: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    # ------------------------------------------------------------------ what tests do

    def publish(self, date: str, part: str, xml: bytes) -> None:
        """Part `part` reads as `xml` from the issue of `date` on."""
        with self.lock:
            self.parts.setdefault(part, []).append((date, xml))
            self.parts[part].sort(key=lambda item: item[0])

    def publish_fixtures(self, date: str = BASE_DATE) -> None:
        for path in sorted(FIXTURES.glob("part-*.xml")):
            self.publish(date, path.stem.removeprefix("part-"), path.read_bytes())

    def current(self, part: str) -> bytes:
        return self.parts[part][-1][1]

    def fault(self, pattern: str, kind: str, **kwargs: Any) -> Fault:
        fault = Fault(pattern, kind, **kwargs)
        with self.lock:
            self.faults.append(fault)
        return fault

    def hits(self, pattern: str) -> list[str]:
        return [r for r in self.requests if re.search(pattern, r)]

    @property
    def latest_issue_date(self) -> str:
        return max(date for versions in self.parts.values() for date, _ in versions)

    # ------------------------------------------------------------------ the data

    def part_on(self, part: str, date: str) -> bytes | None:
        found = None
        for issued, xml in self.parts.get(part, []):
            if issued <= date:
                found = xml
        return found

    def content_versions(self) -> list[dict[str, Any]]:
        """A record per section (or supplement) per issue in which its XML changed."""
        out: list[dict[str, Any]] = []
        for part, versions in sorted(self.parts.items()):
            before: dict[str, tuple[bytes, dict[str, Any]]] = {}
            for date, xml in versions:
                now = _sections(xml, part)
                for key, (raw, record) in now.items():
                    if key not in before or before[key][0] != raw:
                        out.append(_record(record, date, self.title, removed=False))
                for key, (_raw, record) in before.items():
                    if key not in now:
                        out.append(_record(record, date, self.title, removed=True))
                before = now
        return out

    # ------------------------------------------------------------------ HTTP

    def handle(self, path: str, query: dict[str, list[str]]) -> tuple[int, bytes, str]:
        api = "/api/versioner/v1"
        if path == f"{api}/titles.json":
            return self._titles()
        if m := re.fullmatch(rf"{api}/versions/title-(\d+)\.json", path):
            return self._versions(int(m.group(1)), query)
        if m := re.fullmatch(rf"{api}/full/(\d{{4}}-\d\d-\d\d)/title-(\d+)\.xml", path):
            return self._full(m.group(1), int(m.group(2)), query)
        if m := re.fullmatch(rf"{api}/structure/(\d{{4}}-\d\d-\d\d)/title-(\d+)\.json", path):
            return self._structure(m.group(1), int(m.group(2)))
        return _error(404, "Not found")

    def _titles(self) -> tuple[int, bytes, str]:
        latest = self.latest_issue_date
        titles = [
            {
                "number": 14,
                "name": "Aeronautics and Space",
                "latest_amended_on": "2024-02-20",
                "latest_issue_date": "2024-02-22",
                "up_to_date_as_of": self.up_to_date_as_of or latest,
                "reserved": False,
            },
            {
                "number": self.title,
                "name": "Commerce and Foreign Trade",
                "latest_amended_on": latest,
                "latest_issue_date": latest,
                "up_to_date_as_of": self.up_to_date_as_of or latest,
                "reserved": False,
            },
            {"number": 35, "name": "[Reserved]", "reserved": True},
        ]
        meta = {"date": self.up_to_date_as_of or latest, "import_in_progress": False}
        return _json({"titles": titles, "meta": meta})

    def _versions(self, title: int, query: dict[str, list[str]]) -> tuple[int, bytes, str]:
        if title != self.title:
            return _error(404, f"Title {title} not found")
        on = _one(query, "issue_date[on]")
        gte = _one(query, "issue_date[gte]")
        lte = _one(query, "issue_date[lte]")
        if not (on or gte or lte):
            return _error(400, "An issue date parameter is required")
        records = self.content_versions()
        if on:
            records = [r for r in records if r["issue_date"] == on]
        if gte:
            records = [r for r in records if r["issue_date"] >= gte]
        if lte:
            records = [r for r in records if r["issue_date"] <= lte]
        if part := _one(query, "part"):
            records = [r for r in records if r["part"] == part]
        if section := _one(query, "section"):
            records = [r for r in records if r["identifier"] == section]
        page = int(_one(query, "page") or "1")
        total = max(1, -(-len(records) // _PER_PAGE))
        window = records[(page - 1) * _PER_PAGE : page * _PER_PAGE]
        meta = {
            "title": str(title),
            "result_count": str(len(records)),
            "issue_date": {k: v for k, v in (("on", on), ("gte", gte), ("lte", lte)) if v},
            "latest_amendment_date": max((r["amendment_date"] for r in records), default=None),
            "latest_issue_date": self.latest_issue_date,
            "page": str(page),
            "per_page": str(_PER_PAGE),
            "total_pages": str(total),
        }
        return _json({"content_versions": window, "meta": meta})

    def _full(self, date: str, title: int, query: dict[str, list[str]]) -> tuple[int, bytes, str]:
        if title != self.title or date > self.latest_issue_date:
            # eCFR lags the Federal Register: a date it has not issued yet is not found.
            return _error(404, f"The requested date {date} is not available for title {title}")
        part = _one(query, "part")
        if not part:
            return _error(400, "This stand-in serves parts only: give part=")
        xml = self.part_on(part, date)
        if xml is None:
            return _error(404, f"Part {part} not found on {date}")
        if section := _one(query, "section"):
            root = etree.fromstring(xml)
            for div8 in root.findall("DIV8"):
                if (div8.get("N") or "").lstrip("§ ") != section:
                    root.remove(div8)
            for div9 in root.findall("DIV9"):
                root.remove(div9)
            xml = etree.tostring(root, encoding="UTF-8", xml_declaration=True)
        return 200, xml, "application/xml"

    def _structure(self, date: str, title: int) -> tuple[int, bytes, str]:
        if title != self.title or date > self.latest_issue_date:
            return _error(404, f"The requested date {date} is not available for title {title}")
        children = []
        for part in sorted(self.parts, key=int):
            xml = self.part_on(part, date)
            if xml is None:
                continue
            root = etree.fromstring(xml)
            sections = [
                {
                    "identifier": record["identifier"],
                    "label": record["name"],
                    "type": record["type"],
                    "reserved": False,
                }
                for _raw, record in _sections(xml, part).values()
            ]
            head = root.findtext("HEAD") or ""
            children.append(
                {"identifier": part, "label": head, "type": "part", "children": sections}
            )
        body = {"identifier": str(title), "type": "title", "children": children}
        return _json(body)


def _one(query: dict[str, list[str]], key: str) -> str | None:
    values = query.get(key)
    return values[0] if values else None


def _json(data: Any, status: int = 200) -> tuple[int, bytes, str]:
    return status, json.dumps(data).encode(), "application/json"


def _error(status: int, message: str) -> tuple[int, bytes, str]:
    return _json({"error": message}, status)


def _sections(xml: bytes, part: str) -> dict[str, tuple[bytes, dict[str, Any]]]:
    """Each DIV8/DIV9 of a part: its serialized XML and what a versions record says of it."""
    root = etree.fromstring(xml)
    out: dict[str, tuple[bytes, dict[str, Any]]] = {}
    for el in root.iter("DIV8", "DIV9"):
        identifier = (el.get("N") or "").lstrip("§ ").strip()
        subpart = next((a.get("N") for a in el.iterancestors("DIV6")), None)
        record = {
            "identifier": identifier,
            "name": " ".join((el.findtext("HEAD") or "").split()),
            "part": part,
            "subpart": subpart,
            "type": "section" if el.tag == "DIV8" else "appendix",
        }
        out[identifier] = (etree.tostring(el), record)
    return out


def _record(record: dict[str, Any], date: str, title: int, removed: bool) -> dict[str, Any]:
    return {
        "date": date,
        "amendment_date": date,
        "issue_date": date,
        "identifier": record["identifier"],
        "name": record["name"],
        "part": record["part"],
        "substantive": True,
        "removed": removed,
        "subpart": record["subpart"],
        "title": str(title),
        "type": record["type"],
    }


@contextmanager
def fake_ecfr(publish_fixtures: bool = True) -> Iterator[FakeEcfr]:
    """The stand-in on a free loopback port; `base` is what TPA_ECFR_URL should be."""
    state = FakeEcfr()
    if publish_fixtures:
        state.publish_fixtures()

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            with state.lock:
                state.requests.append(self.path)
                faults = [f for f in state.faults if re.search(f.pattern, self.path)]
                fault = next((f for f in faults if f.times is None or f.times > 0), None)
                if fault is not None and fault.times is not None:
                    fault.times -= 1
            split = urlsplit(self.path)
            if fault is not None and fault.kind == "timeout":
                time.sleep(fault.seconds)
            elif fault is not None and fault.kind == "status":
                self.reply(fault.status, b'{"error": "Internal Server Error"}', "application/json")
                return
            try:
                status, body, content_type = state.handle(split.path, parse_qs(split.query))
            except Exception as exc:  # a stand-in bug must show as a 500, not a hang
                status, body, content_type = _error(500, f"{type(exc).__name__}: {exc}")
            if fault is not None and fault.kind == "malformed":
                body = body[: max(1, len(body) // 2)]
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.reply(status, body, content_type)  # unless the client gave up

    with http_server(Handler) as base:
        state.base = base
        yield state

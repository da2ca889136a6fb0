"""A local stand-in of the Federal Register API (https://www.federalregister.gov/api/v1), over HTTP.

Documented endpoints, documented shapes:

* `GET /api/v1/documents.json`: `conditions[agencies][]`, `conditions[type][]` (RULE, PRORULE,
  NOTICE, PRESDOCU), `conditions[publication_date][gte|lte|is|year]`, `order` (oldest,
  newest), `per_page` (at most 1,000), `page`, `fields[]`; the answer is `{count, description,
  total_pages, next_page_url, results}` (no `results` when nothing matched), and a search pages
  through at most `window` (2,000) results: a page beyond is a 400, as on the real site.
* `GET /api/v1/documents/{document_number}.json`: one document, every field.
* The bodies the records link to: `raw_text_url` (govinfo's text wrapped in `<html><pre>`, as
  federalregister.gov serves it), `body_html_url`, and the `html_url` page.

Records and bodies come from `tests/fixtures/official/federal_register/`; tests add documents
(`add`), inject faults (`fault`) and read `requests`.
"""

from __future__ import annotations

import contextlib
import copy
import html
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.support.fake_ecfr import Fault
from tests.support.servers import QuietHandler, http_server

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "official" / "federal_register"
TYPES = {
    "RULE": "Rule",
    "PRORULE": "Proposed Rule",
    "NOTICE": "Notice",
    "PRESDOCU": "Presidential Document",
}
AGENCIES = {
    "commerce-department": ("DEPARTMENT OF COMMERCE", "Commerce Department", 54, None),
    "industry-and-security-bureau": (
        "Bureau of Industry and Security",
        "Industry and Security Bureau",
        223,
        54,
    ),
    "treasury-department": ("DEPARTMENT OF THE TREASURY", "Treasury Department", 497, None),
    "foreign-assets-control-office": (
        "Office of Foreign Assets Control",
        "Foreign Assets Control Office",
        203,
        497,
    ),
}


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80]


@dataclass
class FakeFederalRegister:
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    bodies: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # number -> (kind, body)
    window: int = 2000
    faults: list[Fault] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    base: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, record: dict[str, Any], kind: str, body: bytes) -> None:
        """A document: its fixture record (with `agency_slugs`) and its body (raw or html)."""
        with self.lock:
            self.documents[record["document_number"]] = record
            self.bodies[record["document_number"]] = (kind, body)

    def add_fixtures(self) -> None:
        data = json.loads((FIXTURES / "documents.json").read_text(encoding="utf-8"))
        for record in data["documents"]:
            number = record["document_number"]
            kind = record["text"]
            suffix = ".txt" if kind == "raw" else ".html"
            self.add(record, kind, (FIXTURES / "text" / f"{number}{suffix}").read_bytes())

    def fault(self, pattern: str, kind: str, **kwargs: Any) -> Fault:
        fault = Fault(pattern, kind, **kwargs)
        with self.lock:
            self.faults.append(fault)
        return fault

    def hits(self, pattern: str) -> list[str]:
        return [r for r in self.requests if re.search(pattern, r)]

    def body_hits(self) -> list[str]:
        """Requests for document bodies (raw text or HTML), not for listings."""
        return self.hits(r"^/documents/full_text/")

    # ------------------------------------------------------------------ records

    def record(self, number: str) -> dict[str, Any]:
        """The API's full record of one document."""
        src = self.documents[number]
        date = src["publication_date"]
        y, m, d = date.split("-")
        path = f"{y}/{m}/{d}/{number}"
        kind = self.bodies[number][0]
        agencies = []
        for slug in src["agency_slugs"]:
            raw, name, ident, parent = AGENCIES[slug]
            agencies.append(
                {
                    "raw_name": raw,
                    "name": name,
                    "id": ident,
                    "url": f"{self.base}/agencies/{slug}",
                    "json_url": f"{self.base}/api/v1/agencies/{ident}.json",
                    "parent_id": parent,
                    "slug": slug,
                }
            )
        refs = [
            {
                **ref,
                "citation_url": (
                    f"{self.base}/select-citation/{date}/{ref['title']}-CFR-{ref['part']}"
                ),
            }
            for ref in src["cfr_references"]
        ]
        out = {k: copy.deepcopy(v) for k, v in src.items() if k not in ("agency_slugs", "text")}
        out.update(
            {
                "agencies": agencies,
                "agency_names": [a["name"] for a in agencies],
                "cfr_references": refs,
                "html_url": f"{self.base}/documents/{path}/{_slug(src['title'])}",
                "pdf_url": f"{self.base}/documents/pdf/{path}.pdf",
                "json_url": f"{self.base}/api/v1/documents/{number}.json",
                "raw_text_url": (
                    f"{self.base}/documents/full_text/text/{path}.txt" if kind == "raw" else None
                ),
                "body_html_url": f"{self.base}/documents/full_text/html/{path}.html",
                "full_text_xml_url": f"{self.base}/documents/full_text/xml/{path}.xml",
            }
        )
        return out

    def _matching(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        agencies = query.get("conditions[agencies][]", [])
        types = [TYPES.get(t, t) for t in query.get("conditions[type][]", [])]
        gte = _one(query, "conditions[publication_date][gte]")
        lte = _one(query, "conditions[publication_date][lte]")
        is_ = _one(query, "conditions[publication_date][is]")
        year = _one(query, "conditions[publication_date][year]")
        out = []
        for number, src in self.documents.items():
            date = src["publication_date"]
            if agencies and not set(agencies) & set(src["agency_slugs"]):
                continue
            if types and src["type"] not in types:
                continue
            if (gte and date < gte) or (lte and date > lte) or (is_ and date != is_):
                continue
            if year and not date.startswith(year):
                continue
            out.append(self.record(number))
        newest = _one(query, "order") == "newest"
        out.sort(key=lambda r: (r["publication_date"], r["document_number"]), reverse=newest)
        return out

    # ------------------------------------------------------------------ HTTP

    def handle(self, path: str, query: dict[str, list[str]]) -> tuple[int, bytes, str]:
        if path == "/api/v1/documents.json":
            return self._search(query)
        if m := re.fullmatch(r"/api/v1/documents/([\w-]+)\.json", path):
            if m.group(1) not in self.documents:
                return _json({"status": 404, "message": "Record not found"}, 404)
            return _json(self.record(m.group(1)))
        if m := re.fullmatch(
            r"/documents/full_text/(text|html)/\d{4}/\d\d/\d\d/([\w-]+)\.(?:txt|html)", path
        ):
            return self._body(m.group(1), m.group(2))
        if m := re.fullmatch(r"/documents/\d{4}/\d\d/\d\d/([\w-]+)/[\w-]+", path):
            number = m.group(1)
            if number in self.documents:
                title = html.escape(self.documents[number]["title"])
                page = f"<html><body><h1>{title}</h1><p>The document page.</p></body></html>"
                return 200, page.encode(), "text/html; charset=utf-8"
        return _json({"status": 404, "message": "Not found"}, 404)

    def _search(self, query: dict[str, list[str]]) -> tuple[int, bytes, str]:
        try:
            per_page = min(int(_one(query, "per_page") or 20), 1000)
            page = int(_one(query, "page") or 1)
        except ValueError:
            return _json({"errors": {"per_page": "is not a number"}}, 400)
        if page < 1 or per_page < 1:
            return _json({"errors": {"page": "must be positive"}}, 400)
        if (page - 1) * per_page >= self.window:
            return _json(
                {"errors": {"page": f"results beyond {self.window} are not available"}}, 400
            )
        matching = self._matching(query)
        count = len(matching)
        reachable = matching[: self.window]
        results = reachable[(page - 1) * per_page : page * per_page]
        fields = query.get("fields[]")
        if fields:
            results = [{k: r.get(k) for k in fields} for r in results]
        total_pages = max(1, -(-min(count, self.window) // per_page))
        body: dict[str, Any] = {
            "count": count,
            "description": "Documents matching your search",
            "total_pages": total_pages,
        }
        if page < total_pages:
            params = [(k, v) for k, vs in query.items() for v in vs if k != "page"]
            params.append(("page", str(page + 1)))
            body["next_page_url"] = (
                f"{self.base}/api/v1/documents.json?{urlencode(params, safe='[]')}"
            )
        if results:
            body["results"] = results
        return _json(body)

    def _body(self, kind: str, number: str) -> tuple[int, bytes, str]:
        if number not in self.bodies:
            return 404, b"Not found", "text/plain"
        stored_kind, body = self.bodies[number]
        if kind == "text":
            if stored_kind != "raw":
                return 404, b"Not found", "text/plain"
            text = body.decode("utf-8")
            wrapped = (
                "<html>\n<head>\n<title>Federal Register</title>\n</head>\n<body><pre>\n"
                + html.escape(text, quote=False)
                + "</pre></body>\n</html>\n"
            )
            return 200, wrapped.encode("utf-8"), "text/plain; charset=utf-8"
        if stored_kind == "raw":
            paragraphs = [p for p in body.decode("utf-8").split("\n\n") if p.strip()]
            inner = "".join(f"<p>{html.escape(' '.join(p.split()))}</p>\n" for p in paragraphs)
            return 200, f"<div>\n{inner}</div>\n".encode(), "text/html; charset=utf-8"
        return 200, body, "text/html; charset=utf-8"


def _one(query: dict[str, list[str]], key: str) -> str | None:
    values = query.get(key)
    return values[0] if values else None


def _json(data: Any, status: int = 200) -> tuple[int, bytes, str]:
    return status, json.dumps(data).encode(), "application/json; charset=utf-8"


@contextmanager
def fake_federal_register(add_fixtures: bool = True) -> Iterator[FakeFederalRegister]:
    """The stand-in on a free loopback port; `base` is what TPA_FEDERAL_REGISTER_URL should be."""
    state = FakeFederalRegister()

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
                self.reply(fault.status, b'{"status": 500}', "application/json")
                return
            try:
                status, body, content_type = state.handle(split.path, parse_qs(split.query))
            except Exception as exc:  # a stand-in bug must show as a 500, not a hang
                status, body, content_type = _json({"error": f"{type(exc).__name__}: {exc}"}, 500)
            if fault is not None and fault.kind == "malformed":
                body = body[: max(1, len(body) // 2)]
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.reply(status, body, content_type)  # unless the client gave up

    with http_server(Handler) as base:
        state.base = base
        if add_fixtures:
            state.add_fixtures()
        yield state

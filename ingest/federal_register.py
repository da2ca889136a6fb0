"""The Federal Register API (`TPA_FEDERAL_REGISTER_URL`, default https://www.federalregister.gov).

* `search`: `GET /api/v1/documents.json` with `conditions[agencies][]`, `conditions[type][]`,
  `conditions[publication_date][gte]`/`[lte]`, `fields[]`, `per_page`, `order=oldest`, following
  `next_page_url` until it is absent. A search pages through at most 2,000 results, so a range
  whose `count` is larger is split in two by date, and each half searched again.
* `document_text`: a document's text from its `raw_text_url` (govinfo's text, sometimes wrapped
  in `<html><body><pre>`), else its `body_html_url` reduced to paragraphs.
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from ingest.official import ApiError, build_url, get_bytes, get_json
from ingest.sources import FederalRegisterQuery

WINDOW = 2000  # results one search can page through
PER_PAGE = 1000
_MAX_PAGES = 50
FIELDS = (
    "document_number",
    "title",
    "type",
    "abstract",
    "action",
    "dates",
    "publication_date",
    "effective_on",
    "citation",
    "cfr_references",
    "agencies",
    "html_url",
    "raw_text_url",
    "body_html_url",
    "full_text_xml_url",
)
_DOC_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{2,40}")


@dataclass(frozen=True)
class Listing:
    """The documents of one date range (all pages), keyed by document number."""

    documents: dict[str, dict[str, Any]]
    requests: int


def _check_document(record: Any, url: str) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise ApiError(f"unexpected JSON from {url}: a result is not an object")
    number = str(record.get("document_number") or "")
    if not _DOC_NUMBER.fullmatch(number):
        raise ApiError(f"unexpected JSON from {url}: document_number {number!r}")
    try:
        datetime.date.fromisoformat(str(record.get("publication_date")))
    except ValueError as exc:
        raise ApiError(f"unexpected JSON from {url}: {number} has no publication_date") from exc
    return record


class FederalRegisterApi:
    """Calls to one Federal Register API base URL through a shared, retrying HTTP client."""

    def __init__(self, client: httpx.Client, base_url: str, retries: int) -> None:
        self.client = client
        self.base = base_url
        self.retries = retries

    def _params(
        self, query: FederalRegisterQuery, low: datetime.date, high: datetime.date
    ) -> list[tuple[str, str]]:
        params = [("conditions[agencies][]", a) for a in query.agencies]
        params += [("conditions[type][]", t) for t in query.types]
        params += [
            ("conditions[publication_date][gte]", low.isoformat()),
            ("conditions[publication_date][lte]", high.isoformat()),
            ("order", "oldest"),
            ("per_page", str(PER_PAGE)),
        ]
        params += [("fields[]", f) for f in FIELDS]
        return params

    def _pages(self, first_url: str) -> Iterator[tuple[str, dict[str, Any]]]:
        url: str | None = first_url
        for _ in range(_MAX_PAGES):
            if url is None:
                return
            data = get_json(self.client, url, self.retries)
            yield url, data
            nxt = data.get("next_page_url")
            url = nxt if isinstance(nxt, str) and nxt.startswith(("http://", "https://")) else None

    def search(
        self, query: FederalRegisterQuery, low: datetime.date, high: datetime.date
    ) -> Listing:
        """Every document published in [low, high], split by date past the 2,000 window."""
        first = build_url(self.base, "/api/v1/documents.json", self._params(query, low, high))
        documents: dict[str, dict[str, Any]] = {}
        requests = 0
        for url, data in self._pages(first):
            requests += 1
            count = data.get("count", 0)
            if not isinstance(count, int):
                raise ApiError(f"unexpected JSON from {url}: count {count!r}")
            if requests == 1 and count > WINDOW and low < high:
                middle = low + (high - low) // 2
                left = self.search(query, low, middle)
                right = self.search(query, middle + datetime.timedelta(days=1), high)
                return Listing(
                    {**left.documents, **right.documents}, 1 + left.requests + right.requests
                )
            results = data.get("results", [])
            if not isinstance(results, list):
                raise ApiError(f"unexpected JSON from {url}: 'results' is not a list")
            for record in results:
                doc = _check_document(record, url)
                documents[str(doc["document_number"])] = doc
        return Listing(documents, requests)

    def document_text(self, doc: dict[str, Any]) -> tuple[str, str]:
        """(text, which URL it came from): `raw_text_url`, else `body_html_url`."""
        problems = []
        for key in ("raw_text_url", "body_html_url"):
            url = doc.get(key)
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                continue
            try:
                body, media = get_bytes(
                    self.client, url, "text/plain, text/html;q=0.9", self.retries
                )
                text = raw_text(body) if key == "raw_text_url" else html_text(body)
            except ApiError as exc:
                problems.append(str(exc))
                continue
            if text.strip():
                return text, key
            problems.append(f"{url} has no text")
        number = doc.get("document_number")
        raise ApiError("; ".join(problems) or f"{number}: no raw_text_url or body_html_url")


def _decode(body: bytes) -> str:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = body.decode("latin-1")
    if "\x00" in text[:8192]:
        raise ApiError("the document text looks binary")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def raw_text(body: bytes) -> str:
    """govinfo's text: the content of its `<pre>` when wrapped in HTML, unescaped."""
    text = _decode(body)
    pre = re.search(r"<pre[^>]*>(.*?)</pre>", text, re.S | re.I)
    if pre:
        text = html.unescape(re.sub(r"<[^>]+>", "", pre.group(1)))
    elif re.match(r"\s*<(!doctype|html)", text, re.I):
        return html_text(body)
    lines = [line.rstrip() for line in text.strip("\n").split("\n")]
    return "\n".join(lines).strip() + "\n"


_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "pre", "blockquote", "dt", "dd")


def html_text(body: bytes) -> str:
    """A document's HTML body as paragraphs: one per block element, blank lines between."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode(body), "html.parser")
    for tag in soup(["script", "style", "nav", "noscript"]):
        tag.decompose()
    blocks: list[str] = []
    for el in soup.find_all(_BLOCKS):
        if el.find_parent(_BLOCKS) is not None:
            continue  # its text belongs to the enclosing block
        if el.name == "tr":
            cells = [" ".join(c.get_text(" ").split()) for c in el.find_all(["td", "th"])]
            text = " | ".join(c for c in cells if c)
        else:
            text = " ".join(el.get_text(" ").split())
        if text:
            blocks.append(text)
    if not blocks:
        text = " ".join(soup.get_text(" ").split())
        blocks = [text] if text else []
    return "\n\n".join(blocks) + ("\n" if blocks else "")

"""HTML pages (saved eCFR / Federal Register pages, agency notices, law-firm alerts) -> Document.

Only the page's own content is kept: navigation, banners, cookie notices and scripts would
otherwise be retrieved and quoted as if they were law. Each heading, paragraph, list item or table
row becomes one block; headings open sections, and a "§ 744.11" heading lets its paragraphs get
CFR paragraph citations.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.dammit import UnicodeDammit

from ingest.documents import Document, Section
from ingest.loaders.common import LoadError, read_bytes, set_derived
from ingest.structure import cfr_sections

_DROP_TAGS = ["script", "style", "noscript", "template", "nav", "aside", "form", "iframe", "svg"]
_DROP_ROLES = {"navigation", "banner", "contentinfo", "menu", "menubar", "search", "complementary"}
# Class/id words that mark page furniture rather than content ("site-nav", "cookieBanner").
_FURNITURE_WORDS = {"share", "sharing", "social", "consent", "gdpr", "skip", "toolbar"}
_FURNITURE_PREFIXES = ("nav", "menu", "breadcrumb", "cookie", "sidebar", "footer", "masthead")
_FURNITURE_SUFFIXES = ("nav", "navigation", "menu", "sidebar", "footer", "header", "sharebar")
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_INLINE = {
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "del", "dfn", "em", "font", "i",
    "img", "ins", "kbd", "label", "mark", "q", "s", "samp", "small", "span", "strong", "sub",
    "sup", "time", "u", "var", "wbr",
}  # fmt: skip
_CFR_SECTION = re.compile(r"^§+\s*(\d+\.\d+\w*)")
_CFR_TITLE = re.compile(r"\b(\d+)\s+CFR\b")


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _is_odd(ch: str) -> bool:
    """Control, private-use and replacement characters: frequent in binary, rare in HTML."""
    return ch == "\ufffd" or (unicodedata.category(ch) in ("Cc", "Co") and ch not in "\t\n\r\f")


def _decode(data: bytes) -> str:
    """Text of the page in its declared or detected encoding; binary files are refused."""
    if b"\x00" in data[:8192]:
        raise LoadError("file looks binary (contains NUL bytes)")
    markup = UnicodeDammit(data, is_html=True).unicode_markup
    if not markup:
        raise LoadError("cannot determine the text encoding")
    sample = markup[:20000]
    if sum(1 for ch in sample if _is_odd(ch)) > len(sample) * 0.02:
        raise LoadError("file looks binary, not HTML")
    if not re.search(r"<\s*[a-zA-Z!]", sample):
        raise LoadError("not HTML: no markup found")
    return markup


def _attr(el: Tag, name: str) -> str:
    value = el.get(name)
    return " ".join(value) if isinstance(value, list) else str(value or "")


def _furniture(el: Tag) -> str:
    """Why `el` looks like page furniture: "frame" (a header or footer), "role", "class", or ""."""
    if el.name in ("header", "footer"):
        return "frame"
    if _attr(el, "role").lower() in _DROP_ROLES:
        return "role"
    attrs = f"{_attr(el, 'id')} {_attr(el, 'class')}"
    tokens = re.split(r"[^a-z0-9]+", re.sub(r"([a-z])([A-Z])", r"\1-\2", attrs).lower())
    words = [
        t
        for t in tokens
        if t in _FURNITURE_WORDS
        or t.startswith(_FURNITURE_PREFIXES)
        or t.endswith(_FURNITURE_SUFFIXES)
    ]
    if not words:
        return ""
    return "frame" if all(t.endswith(("header", "footer")) for t in words) else "class"


def _strip(soup: BeautifulSoup) -> None:
    """Remove everything that is not the page's own content."""
    if soup.head is not None:
        soup.head.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for el in soup.find_all(_DROP_TAGS):
        el.decompose()
    for el in soup.find_all(hidden=True):
        el.decompose()
    candidates = [
        (el, why)
        for el in soup.find_all(True)
        if el.name not in ("html", "body", "main", "article") and (why := _furniture(el))
    ]
    removed: set[int] = set()
    for el, why in candidates:
        if any(id(parent) in removed for parent in el.parents):
            continue
        # Never drop the content itself: a wrapper around <main>, an article's own header
        # (its title and date), or a styled wrapper holding the page's <h1>.
        if el.find(["main", "article"]) is not None:
            continue
        if why == "frame" and el.find_parent(["main", "article"]) is not None:
            continue
        if why == "class" and el.find("h1") is not None:
            continue
        removed.add(id(el))
        el.extract()


def _content_root(soup: BeautifulSoup) -> Tag:
    if (main := soup.find("main")) is not None:
        return main
    articles = soup.find_all("article")
    if len(articles) == 1:
        return articles[0]
    return soup.body or soup


def _is_inline(el: Any) -> bool:
    if isinstance(el, NavigableString):
        return True
    return el.name in _INLINE and all(d.name in _INLINE for d in el.find_all(True))


def _string(el: Any) -> str:
    # Comments, doctypes and CDATA are NavigableString subclasses; only plain text counts.
    if isinstance(el, NavigableString):
        return str(el) if type(el) is NavigableString else ""
    return el.get_text()


def _blocks(el: Tag) -> Iterator[tuple[str, str]]:
    """(kind, text) blocks in document order; kind is the heading tag or "p"."""
    if el.name == "tr":
        cells = [_collapse(c.get_text(" ")) for c in el.find_all(["td", "th"], recursive=False)]
        if row := " | ".join(c for c in cells if c):
            yield "p", row
        return
    kind = el.name if el.name in _HEADINGS else "p"
    run: list[str] = []
    for child in el.children:
        if _is_inline(child):
            run.append(_string(child))
            continue
        if text := _collapse("".join(run)):
            yield kind, text
        run = []
        if isinstance(child, Tag):
            yield from _blocks(child)
    if text := _collapse("".join(run)):
        yield kind, text


def _title_tag(soup: BeautifulSoup) -> str:
    return _collapse(soup.title.get_text()) if soup.title else ""


def load(path: Path, doc_id: str, metadata: dict[str, Any]) -> Document:
    """Load one HTML page: its main content, as blocks under their headings."""
    meta = dict(metadata)
    soup = BeautifulSoup(_decode(read_bytes(path)), "lxml")
    page_title = _title_tag(soup)
    _strip(soup)
    root = _content_root(soup)
    blocks = list(_blocks(root))
    if not blocks:
        raise LoadError("HTML page has no body text")
    h1 = next((text for kind, text in blocks if kind == "h1"), "")
    set_derived(meta, "title", h1 or page_title or blocks[0][1][:300])
    label = str(meta.get("citation") or meta.get("title") or "")
    cfr_title = _CFR_TITLE.search(f"{meta.get('citation') or ''} {page_title}")

    text = "\n\n".join(block for _, block in blocks)
    sections: list[Section] = []
    pos = 0
    heading = ""
    cfr_base = ""
    group: list[tuple[int, int]] = []
    for kind, block in blocks:
        start, end = pos, pos + len(block)
        pos = end + 2
        if kind in _HEADINGS:
            sections.extend(cfr_sections(text, group, cfr_base, heading=heading) if group else [])
            group = []
            heading = block
            m = _CFR_SECTION.match(block)
            cfr_base = f"{cfr_title.group(1)} CFR {m.group(1)}" if m and cfr_title else ""
            if cfr_base:
                sections.append(Section(start, end, cfr_base, (cfr_base,), 0, block))
            else:
                sections.append(Section(start, end, label, (label, block), 1, block))
        elif cfr_base:
            group.append((start, end))  # numbered later, together, as one CFR section
        else:
            path_ = (label, heading) if heading else (label,)
            sections.append(Section(start, end, label, path_, len(path_) - 1, heading))
    sections.extend(cfr_sections(text, group, cfr_base, heading=heading) if group else [])
    return Document(doc_id, text, meta, sections)

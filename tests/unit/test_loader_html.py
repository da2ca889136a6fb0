"""HTML loader: page furniture is dropped, headings become sections, spans are exact."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.text import paragraph_spans
from ingest.documents import Document
from ingest.loaders.common import LoadError
from ingest.loaders.html import load

PAGE = """<!DOCTYPE html>
<html><head><title>BIS adds entities | Example LLP</title>
<style>.x { color: red }</style><script>var tracking = "SCRIPT TEXT";</script></head>
<body>
<div id="cookie-banner">We use cookies COOKIE TEXT. <button>Accept</button></div>
<header class="site-header"><a href="/">SITE LOGO</a></header>
<nav><ul><li>Home NAV TEXT</li><li>Alerts</li></ul></nav>
<div class="breadcrumbs">Home &gt; BREADCRUMB TEXT</div>
<main>
  <article>
    <header><h1>BIS Adds Entities to the Entity List</h1><p>January 23, 2024</p></header>
    <div class="share-bar">SHARE TEXT on LinkedIn</div>
    <p>The Bureau of Industry and Security   added
       <strong>eleven entities</strong> to the <a href="#">Entity List</a>.</p>
    <h2>Who is affected</h2>
    <ul><li>Exporters of <em>items subject to the EAR</em>.</li><li>Reexporters.</li></ul>
    <table><tr><th>Entity</th><th>Country</th></tr><tr><td>Acme Ltd.</td><td>China</td></tr></table>
    <h2>What to do</h2>
    <p>Screen your customers.<br>Update your procedures.</p>
    <!-- a comment COMMENT TEXT -->
  </article>
</main>
<aside>SIDEBAR TEXT</aside>
<div role="contentinfo">CONTENTINFO TEXT</div>
<footer>FOOTER TEXT</footer>
<noscript>NOSCRIPT TEXT</noscript>
</body></html>
"""


def _load(tmp_path: Path, html: str | bytes, meta: dict | None = None) -> Document:
    path = tmp_path / "page.html"
    if isinstance(html, bytes):
        path.write_bytes(html)
    else:
        path.write_text(html, encoding="utf-8")
    return load(path, "page", meta or {})


def _section(doc: Document, prefix: str):
    found = [s for s in doc.sections if doc.text[s.start : s.end].startswith(prefix)]
    assert len(found) == 1, (prefix, found)
    return found[0]


def test_furniture_is_dropped(tmp_path: Path) -> None:
    doc = _load(tmp_path, PAGE)
    for noise in (
        "SCRIPT",
        "COOKIE",
        "SITE LOGO",
        "NAV TEXT",
        "BREADCRUMB",
        "SHARE TEXT",
        "SIDEBAR",
        "CONTENTINFO",
        "FOOTER",
        "NOSCRIPT",
        "COMMENT",
        "color: red",
    ):
        assert noise not in doc.text
    assert "The Bureau of Industry and Security added eleven entities to the Entity List." in (
        doc.text
    )
    assert "January 23, 2024" in doc.text  # the article's own header is content


def test_headings_become_sections(tmp_path: Path) -> None:
    doc = _load(tmp_path, PAGE)
    assert doc.metadata["title"] == "BIS Adds Entities to the Entity List"
    assert doc.metadata["derived"] == ["title"]
    label = "BIS Adds Entities to the Entity List"
    item = _section(doc, "Exporters of items subject to the EAR.")
    assert item.path == (label, "Who is affected")
    assert item.heading == "Who is affected"
    assert item.citation == label
    row = _section(doc, "Acme Ltd.")
    assert doc.text[row.start : row.end] == "Acme Ltd. | China"
    assert row.heading == "Who is affected"
    todo = _section(doc, "Screen your customers.")
    assert doc.text[todo.start : todo.end] == "Screen your customers. Update your procedures."
    assert todo.path == (label, "What to do")
    heading = _section(doc, "What to do")
    assert heading.heading == "What to do"


def test_spans_exact_and_citation_given(tmp_path: Path) -> None:
    meta = {"title": "Alert", "citation": "89 FR 4112"}
    doc = _load(tmp_path, PAGE, meta)
    assert [(s.start, s.end) for s in doc.sections] == paragraph_spans(doc.text)
    assert all(s.citation == "89 FR 4112" for s in doc.sections)
    assert _section(doc, "Reexporters.").path == ("89 FR 4112", "Who is affected")
    assert doc.metadata["title"] == "Alert"
    assert "derived" not in doc.metadata


def test_ecfr_section_page_gets_paragraph_citations(tmp_path: Path) -> None:
    page = """<html><head><title>eCFR :: 15 CFR 744.11 -- License requirements</title></head>
    <body><div id="main-nav">Browse</div><div class="section">
    <h4>§ 744.11 License requirements that apply to entities.</h4>
    <p>(a) <em>License requirement.</em> A license is required.</p>
    <p>(1) See paragraph (b) of this section.</p>
    <p>(i) Items.</p>
    <p>(b) <em>Criteria.</em> Reasonable cause.</p>
    </div></body></html>"""
    doc = _load(tmp_path, page)
    assert _section(doc, "§ 744.11").citation == "15 CFR 744.11"
    assert _section(doc, "(1) See").citation == "15 CFR 744.11(a)(1)"
    assert _section(doc, "(i) Items.").citation == "15 CFR 744.11(a)(1)(i)"
    assert _section(doc, "(b) Criteria.").citation == "15 CFR 744.11(b)"
    assert "Browse" not in doc.text
    assert doc.metadata["title"] == "eCFR :: 15 CFR 744.11 -- License requirements"


@pytest.mark.parametrize(
    "content",
    [
        "<html><head><title>Empty</title></head><body><nav>Menu</nav>  </body></html>",
        "<html><body><script>only()</script></body></html>",
        b"",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        os.urandom(4096).replace(b"\x00", b"\x01"),
        "just some words without any markup",
    ],
)
def test_bad_input_raises_load_error(tmp_path: Path, content: str | bytes) -> None:
    with pytest.raises(LoadError):
        _load(tmp_path, content)

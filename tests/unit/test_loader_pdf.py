"""PDF loader: page citations, exact spans, long pages split, unreadable PDFs refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from assistant.text import paragraph_spans
from ingest.documents import Document
from ingest.loaders.common import LoadError
from ingest.loaders.pdf import MAX_BLOCK, load

PAGE_1 = "Exporters must screen every party against the Entity List."
PAGE_2 = "A license is required for items subject to the EAR."


def _pdf(pages: list[str], title: str | None = None) -> FPDF:
    pdf = FPDF()
    if title:
        pdf.set_title(title)
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        if text:
            pdf.multi_cell(0, 6, text)
    return pdf


def _write(tmp_path: Path, pdf: FPDF | bytes, name: str = "doc.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(pdf if isinstance(pdf, bytes) else bytes(pdf.output()))
    return path


def _page_of(doc: Document, sentence: str) -> str:
    for s in doc.sections:
        if sentence in doc.text[s.start : s.end]:
            return s.citation
    raise AssertionError(f"{sentence!r} not in any section")


def test_text_and_page_citations(tmp_path: Path) -> None:
    path = _write(tmp_path, _pdf([PAGE_1, PAGE_2], title="BIS Guidance"))
    doc = load(path, "guidance", {"citation": "BIS FAQ 2024"})
    assert PAGE_1 in doc.text and PAGE_2 in doc.text
    assert _page_of(doc, PAGE_1) == "BIS FAQ 2024, p. 1"
    assert _page_of(doc, PAGE_2) == "BIS FAQ 2024, p. 2"
    assert doc.metadata["title"] == "BIS Guidance"
    assert doc.metadata["derived"] == ["title"]
    second = doc.sections[-1]
    assert second.path == ("BIS Guidance", "p. 2")
    assert second.heading == "BIS Guidance"


def test_spans_exact_and_title_from_first_line(tmp_path: Path) -> None:
    path = _write(tmp_path, _pdf([PAGE_1, "", PAGE_2]))
    doc = load(path, "guidance", {})
    assert [(s.start, s.end) for s in doc.sections] == paragraph_spans(doc.text)
    assert doc.metadata["title"] == PAGE_1
    # The empty middle page yields no block, and numbering still follows the physical pages.
    assert _page_of(doc, PAGE_2) == f"{PAGE_1}, p. 3"


def test_long_page_is_split_at_line_breaks(tmp_path: Path) -> None:
    lines = [
        f"Line {i}: the licensing policy for this item is a case-by-case review." for i in range(60)
    ]
    pdf = _pdf([])
    pdf.add_page()
    for line in lines:
        pdf.cell(0, 4, line, new_x="LMARGIN", new_y="NEXT")
    doc = load(_write(tmp_path, pdf), "long", {"title": "Long"})
    assert len(doc.sections) > 1
    assert all(s.end - s.start <= MAX_BLOCK for s in doc.sections)
    assert all(s.citation == "Long, p. 1" for s in doc.sections)
    assert "Line 0:" in doc.text and "Line 59:" in doc.text
    assert [(s.start, s.end) for s in doc.sections] == paragraph_spans(doc.text)


def test_encrypted_pdfs(tmp_path: Path) -> None:
    locked = _pdf([PAGE_1])
    locked.set_encryption(owner_password="owner", user_password="secret")
    with pytest.raises(LoadError, match="encrypted"):
        load(_write(tmp_path, locked, "locked.pdf"), "locked", {})
    # Only an owner password: anyone may read it, so it loads.
    open_pdf = _pdf([PAGE_1])
    open_pdf.set_encryption(owner_password="owner")
    doc = load(_write(tmp_path, open_pdf, "open.pdf"), "open", {})
    assert PAGE_1 in doc.text


def test_empty_page_only_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no extractable text"):
        load(_write(tmp_path, _pdf([""])), "scan", {})


@pytest.mark.parametrize("cut", [0.3, 0.6])
def test_truncated_pdf_is_refused(tmp_path: Path, cut: float) -> None:
    data = bytes(_pdf([PAGE_1, PAGE_2]).output())
    with pytest.raises(LoadError):
        load(_write(tmp_path, data[: int(len(data) * cut)]), "cut", {})


@pytest.mark.parametrize(
    "data",
    [b"", b"%PDF-1.7\n" + b"\x00\xff garbage " * 50, b"not a pdf at all", bytes(range(256)) * 8],
)
def test_garbage_is_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(LoadError):
        load(_write(tmp_path, data), "bad", {})


@pytest.mark.parametrize("junk", ["about:blank", "", "Untitled", "report.docx", "https://x.test/a"])
def test_junk_metadata_title_gives_way_to_the_first_heading(tmp_path: Path, junk: str) -> None:
    # What a browser's "Save as PDF" leaves: a placeholder title, then the printed page's header
    # (print date, URL) above the page's own heading.
    page = (
        "11/24/19, 10:30 AM\n"
        "https://www.bis.doc.gov/index.php/guidance\n"
        "Guidance on Entity List Licensing\n\n"
        f"Issued May 21, 2019. {PAGE_1}"
    )
    doc = load(_write(tmp_path, _pdf([page], title=junk or None)), "g", {})
    assert doc.metadata["title"] == "Guidance on Entity List Licensing"
    assert doc.metadata["date"] == "2019-05-21"
    assert set(doc.metadata["derived"]) == {"title", "date"}


def test_stated_title_and_date_win_over_the_text(tmp_path: Path) -> None:
    page = f"Guidance on Entity List Licensing\n\nIssued May 21, 2019. {PAGE_1}"
    doc = load(_write(tmp_path, _pdf([page], title="BIS Guidance")), "g", {"date": "2020-01-02"})
    assert doc.metadata["title"] == "BIS Guidance"
    assert doc.metadata["date"] == "2020-01-02"
    assert doc.metadata["derived"] == ["title"]


def test_no_date_in_the_text_leaves_the_date_unknown(tmp_path: Path) -> None:
    doc = load(_write(tmp_path, _pdf([PAGE_1])), "g", {})
    assert "date" not in doc.metadata

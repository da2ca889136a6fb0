"""Text loaders (eCFR text/Markdown, Markdown/plain text, Federal Register) via load_document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ingest.documents import Document
from ingest.loaders import LoadError, detect_format, load_document
from ingest.loaders.common import read_sidecar, sidecar_path
from tests.conftest import CORPUS, MIRROR, requires_mirror

needs_mirror = requires_mirror

ECFR_TEXT = """§ 744.11 License requirements that apply to entities acting contrary to U.S. policy.

BIS may impose foreign policy export license requirements based on the criteria in this section.

( a ) License requirement, availability of license exceptions, and license application review \
policy.

( 1 ) Entity List entries extend to other foreign persons owned 50 percent or more.

( 2 ) Entity List foreign-direct product (FDP) license requirements.

( i ) Footnote 1 entities. You may not, without a license, export any item.

( b ) Criteria for revising the Entity List. See paragraph (c) of this section.

[ 73 FR 49329 , Aug. 21, 2008, as amended at 84 FR 22961 , May 21, 2019]
"""

ECFR_MD = """##### § 734.3 Items subject to the EAR. #####

(a) Except for items excluded in paragraph (b) of this section, the following items are subject \
to the EAR:

(1) All items in the United States;

(2) All U.S. origin items wherever located;

(b) The following are not subject to the EAR:

(1) Items exclusively controlled for export by another department.
"""

ARTICLE_MD = """# Microsoft granted licence

Intro paragraph before any subheading.

## Background
The Commerce Department added Huawei to the Entity List in May 2019.

Second background paragraph.

## What it means

US firms need a licence to sell to listed entities.
"""

FR_GOVINFO = """[Federal Register Volume 84, Number 162 (Wednesday, August 21, 2019)]
[Rules and Regulations]
[Pages 43487-43493]
From the Federal Register Online via the Government Publishing Office [www.gpo.gov]
[FR Doc No: 2019-17920]


=======================================================================
-----------------------------------------------------------------------

DEPARTMENT OF COMMERCE

Bureau of Industry and Security

15 CFR Parts 744 and 762


Temporary General License: Extension of Validity

AGENCY: Bureau of Industry and Security, Commerce.

ACTION: Final rule.

SUMMARY: On May 16, 2019, Huawei Technologies Co., Ltd. (Huawei) and
sixty-eight of its non-U.S. affiliates were added to the Entity List.

This continues the summary without a label.

DATES: This rule is effective August 19, 2019.

SUPPLEMENTARY INFORMATION:

I. Background

Background text about the temporary general license.
"""


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _check_sections(doc: Document) -> None:
    """Sections are ordered, non-overlapping, inside the text, non-empty and trimmed."""
    previous_end = 0
    for section in doc.sections:
        assert 0 <= section.start < section.end <= len(doc.text), section
        assert section.start >= previous_end, section
        piece = doc.text[section.start : section.end]
        assert piece.strip(), section
        assert piece == piece.strip(), section
        assert section.citation, section
        previous_end = section.end


def _section_at(doc: Document, phrase: str) -> Any:
    pos = doc.text.index(phrase)
    matches = [s for s in doc.sections if s.start <= pos < s.end]
    assert len(matches) == 1, (phrase, matches)
    return matches[0]


# --- eCFR plain text -------------------------------------------------------------------------


def test_ecfr_text_without_sidecar_derives_citation_and_numbers_paragraphs(tmp_path: Path) -> None:
    path = _write(tmp_path, "15-CFR-744.11.txt", ECFR_TEXT)
    doc = load_document(path, "ecfr-744-11", {})
    assert doc.doc_id == "ecfr-744-11"
    assert doc.text == ECFR_TEXT  # stored unchanged, spacing artifacts included
    assert doc.metadata["format"] == "ecfr_text"
    assert doc.metadata["citation"] == "15 CFR 744.11"
    assert doc.metadata["title"].startswith("§ 744.11 License requirements")
    assert doc.metadata["doc_type"] == "regulation"
    assert {"title", "citation", "doc_type"} <= set(doc.metadata["derived"])
    _check_sections(doc)
    assert _section_at(doc, "§ 744.11 License").citation == "15 CFR 744.11"
    assert _section_at(doc, "BIS may impose").citation == "15 CFR 744.11"
    assert _section_at(doc, "( a ) License requirement").citation == "15 CFR 744.11(a)"
    entity = _section_at(doc, "( 1 ) Entity List entries")
    assert entity.citation == "15 CFR 744.11(a)(1)"
    assert entity.path == ("15 CFR 744.11", "(a)", "(1)")
    assert entity.level == 2
    assert _section_at(doc, "( i ) Footnote 1").citation == "15 CFR 744.11(a)(2)(i)"
    assert _section_at(doc, "( b ) Criteria").citation == "15 CFR 744.11(b)"
    assert _section_at(doc, "[ 73 FR 49329").citation == "15 CFR 744.11"


def test_ecfr_text_sidecar_metadata_is_never_overwritten(tmp_path: Path) -> None:
    path = _write(tmp_path, "section.txt", ECFR_TEXT)
    given = {
        "title": "Entity List licence rules",
        "citation": "15 CFR 744.11",
        "date": "2026-02-10",
    }
    doc = load_document(path, "d", {**given, "doc_type": "regulation"})
    for key, value in given.items():
        assert doc.metadata[key] == value
    assert doc.metadata["doc_type"] == "regulation"
    assert not {"title", "citation", "doc_type", "date"} & set(doc.metadata.get("derived", []))
    assert _section_at(doc, "( 1 ) Entity List").citation == "15 CFR 744.11(a)(1)"


def test_load_document_does_not_mutate_the_callers_metadata(tmp_path: Path) -> None:
    path = _write(tmp_path, "section.txt", ECFR_TEXT)
    given: dict[str, Any] = {"title": None}
    load_document(path, "d", given)
    assert given == {"title": None}


# --- eCFR Markdown ---------------------------------------------------------------------------


def test_ecfr_markdown_with_sidecar_citation(tmp_path: Path) -> None:
    path = _write(tmp_path, "15-CFR-734.3.md", ECFR_MD)
    meta = {"title": "§ 734.3 Items subject to the EAR.", "citation": "15 CFR 734.3"}
    assert detect_format(path, meta) == "ecfr_text"
    doc = load_document(path, "ecfr-734-3", meta)
    assert doc.metadata["citation"] == "15 CFR 734.3"
    assert doc.metadata["title"] == "§ 734.3 Items subject to the EAR."
    _check_sections(doc)
    heading = doc.sections[0]
    assert doc.text[heading.start : heading.end] == "##### § 734.3 Items subject to the EAR. #####"
    assert heading.citation == "15 CFR 734.3"
    assert heading.heading == "§ 734.3 Items subject to the EAR."
    origin = _section_at(doc, "All U.S. origin items wherever located")
    assert origin.citation == "15 CFR 734.3(a)(2)"
    assert origin.heading == "§ 734.3 Items subject to the EAR."
    assert _section_at(doc, "(b) The following").citation == "15 CFR 734.3(b)"
    assert _section_at(doc, "Items exclusively").citation == "15 CFR 734.3(b)(1)"


def test_ecfr_markdown_without_sidecar_derives_citation_from_heading(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path, "x.md", ECFR_MD), "d", {})
    assert doc.metadata["citation"] == "15 CFR 734.3"
    assert doc.metadata["title"] == "§ 734.3 Items subject to the EAR."
    assert "citation" in doc.metadata["derived"]


# --- Markdown / plain text -------------------------------------------------------------------


def test_markdown_article_headings_become_section_paths(tmp_path: Path) -> None:
    path = _write(tmp_path, "article.md", ARTICLE_MD)
    doc = load_document(path, "article", {"citation": "CPI Financial, 24 November 2019"})
    assert doc.metadata["format"] == "text"
    assert doc.metadata["title"] == "Microsoft granted licence"
    assert "title" in doc.metadata["derived"]
    assert "citation" not in doc.metadata["derived"]
    _check_sections(doc)
    cite = "CPI Financial, 24 November 2019"
    assert all(s.citation == cite for s in doc.sections)
    intro = _section_at(doc, "Intro paragraph")
    assert intro.heading == "Microsoft granted licence"
    assert intro.path == (cite, "Microsoft granted licence")
    # A heading glued to its paragraph (no blank line) is split off into its own section.
    heading = _section_at(doc, "## Background")
    assert doc.text[heading.start : heading.end] == "## Background"
    first = _section_at(doc, "The Commerce Department added")
    assert first.start == doc.text.index("The Commerce Department added")
    assert first.heading == "Background"
    assert first.path == (cite, "Background")
    assert _section_at(doc, "Second background").heading == "Background"
    last = _section_at(doc, "US firms need a licence")
    assert last.heading == "What it means"
    assert last.path == (cite, "What it means")


def test_plain_text_without_sidecar_derives_title_and_flags_it(tmp_path: Path) -> None:
    path = _write(tmp_path, "note.txt", "BIS guidance on encryption\n\nFirst paragraph.\n")
    doc = load_document(path, "note", {})
    assert doc.metadata["title"] == "BIS guidance on encryption"
    assert doc.metadata["doc_type"] == "document"
    assert set(doc.metadata["derived"]) >= {"title", "doc_type"}
    assert [s.citation for s in doc.sections] == ["BIS guidance on encryption"] * 2
    assert all(s.path == ("BIS guidance on encryption",) for s in doc.sections)


def test_plain_text_given_title_is_kept(tmp_path: Path) -> None:
    path = _write(tmp_path, "note.txt", "First line\n\nSecond.\n")
    doc = load_document(path, "note", {"title": "Given", "doc_type": "press_release"})
    assert doc.metadata["title"] == "Given"
    assert doc.metadata["doc_type"] == "press_release"
    assert "derived" not in doc.metadata


def test_crlf_is_normalised_and_offsets_index_the_stored_text(tmp_path: Path) -> None:
    path = _write(tmp_path, "crlf.txt", b"\xef\xbb\xbfTitle\r\n\r\nBody one.\r\n\r\nBody two.\r\n")
    doc = load_document(path, "crlf", {})
    assert "\r" not in doc.text and not doc.text.startswith("\ufeff")
    assert [doc.text[s.start : s.end] for s in doc.sections] == ["Title", "Body one.", "Body two."]


# --- Federal Register ------------------------------------------------------------------------


def test_federal_register_govinfo_header_gives_citation(tmp_path: Path) -> None:
    path = _write(tmp_path, "fr.txt", FR_GOVINFO)
    assert detect_format(path, {}) == "federal_register"
    doc = load_document(path, "fr-2019-17920", {})
    assert doc.metadata["format"] == "federal_register"
    assert doc.metadata["citation"] == "84 FR 43487"
    assert "citation" in doc.metadata["derived"]
    assert doc.metadata["doc_type"] == "federal_register"
    assert "title" in doc.metadata["derived"]
    assert doc.metadata["title"]
    _check_sections(doc)
    assert all(s.citation == "84 FR 43487" for s in doc.sections)
    summary = _section_at(doc, "SUMMARY: On May 16")
    assert summary.heading == "Summary"
    assert summary.path == ("84 FR 43487", "Summary")
    assert _section_at(doc, "This continues the summary").heading == "Summary"
    assert _section_at(doc, "DATES: This rule").heading == "Dates"
    assert _section_at(doc, "Background text").heading == "I. Background"
    assert _section_at(doc, "ACTION: Final rule").heading == "Action"


def test_federal_register_sidecar_citation_and_title_win(tmp_path: Path) -> None:
    path = _write(tmp_path, "fr.txt", FR_GOVINFO)
    meta = {
        "doc_type": "federal_register",
        "citation": "FR Doc. 2019-17920",
        "title": "Temporary General License",
    }
    doc = load_document(path, "fr", meta)
    assert doc.metadata["citation"] == "FR Doc. 2019-17920"
    assert doc.metadata["title"] == "Temporary General License"
    assert not {"citation", "title"} & set(doc.metadata.get("derived", []))
    assert {s.citation for s in doc.sections} == {"FR Doc. 2019-17920"}


def test_federal_register_doc_number_when_no_volume_header(tmp_path: Path) -> None:
    text = "[FR Doc No: 2024-01408]\n\nSUMMARY: BIS amends the EAR.\n"
    doc = load_document(_write(tmp_path, "fr.txt", text), "fr", {"doc_type": "federal_register"})
    assert doc.metadata["citation"] == "FR Doc. 2024-01408"
    assert "citation" in doc.metadata["derived"]


def test_federal_register_without_any_citation_falls_back_to_doc_id(tmp_path: Path) -> None:
    text = "SUMMARY: BIS amends the EAR.\n\nMore text.\n"
    doc = load_document(_write(tmp_path, "fr.txt", text), "fr-x", {"doc_type": "federal_register"})
    # No title line either: the summary's first sentence names the rule (issue #13).
    assert doc.metadata["title"] == "BIS amends the EAR"
    assert {s.citation for s in doc.sections} == {"fr-x"}


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\t\n  \n", "empty"),
        ("blank.md", b"\n\n\n", "empty"),
        ("binary.txt", b"PK\x03\x04\x00\x00\x08\x00binary", "binary"),
        ("latin1.txt", "Caf\u00e9 export licence".encode("latin-1"), "UTF-8"),
        ("report.docx", b"PK\x03\x04 a word document", "unsupported"),
        ("noext", b"some text", "unsupported"),
    ],
)
def test_unloadable_files_raise_load_error(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = _write(tmp_path, name, content)
    with pytest.raises(LoadError, match=reason):
        load_document(path, "bad", {})
    with pytest.raises(LoadError):
        load_document(path, "bad", {"doc_type": "regulation"})


def test_missing_file_raises_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError):
        load_document(tmp_path / "absent.txt", "absent", {"doc_type": "document"})


def test_bom_only_file_raises_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError):
        load_document(_write(tmp_path, "bom.txt", b"\xef\xbb\xbf\n"), "bom", {})


def test_read_sidecar(tmp_path: Path) -> None:
    path = _write(tmp_path, "doc.txt", "text")
    assert sidecar_path(path) == tmp_path / "doc.meta.json"
    assert read_sidecar(path) == {}
    _write(tmp_path, "doc.meta.json", '{"title": "T", "citation": null}')
    assert read_sidecar(path) == {"title": "T", "citation": None}


@pytest.mark.parametrize("content", ['{"title": "T",}', "not json", '["a list"]', "\xff"])
def test_read_sidecar_invalid_raises_load_error(tmp_path: Path, content: str) -> None:
    path = _write(tmp_path, "doc.txt", "text")
    side = sidecar_path(path)
    if content == "\xff":
        side.write_bytes(b"\xff\xfe{}")
    else:
        side.write_text(content, encoding="utf-8")
    with pytest.raises(LoadError, match="doc.meta.json"):
        read_sidecar(path)


# --- the real mirror -------------------------------------------------------------------------


def _corpus_files() -> list[Path]:
    return sorted(
        p
        for p in CORPUS.rglob("*")
        if p.is_file() and p.suffix in (".txt", ".md") and sidecar_path(p).is_file()
    )


CORPUS_FILES = _corpus_files()


@needs_mirror
def test_mirror_has_every_folder() -> None:
    folders = {p.relative_to(MIRROR).parts[0] for p in CORPUS_FILES}
    assert {"article", "federal_register", "press_release", "regulation"} <= folders
    assert len(CORPUS_FILES) > 50


@pytest.mark.parametrize(
    "path", CORPUS_FILES, ids=[str(p.relative_to(CORPUS)) for p in CORPUS_FILES]
)
def test_corpus_file_loads_with_sane_sections(path: Path) -> None:
    meta = read_sidecar(path)
    doc = load_document(path, str(path.relative_to(CORPUS)), meta)
    assert doc.text == path.read_text(encoding="utf-8").replace("\r\n", "\n")
    assert doc.sections
    _check_sections(doc)
    for key in ("title", "citation", "doc_type"):
        if meta.get(key):
            assert doc.metadata[key] == meta[key], key
    # Every paragraph of the file is covered by exactly one section.
    covered = sum(s.end - s.start for s in doc.sections)
    assert covered >= len(doc.text.strip()) * 0.9


@needs_mirror
def test_mirror_744_11_citations() -> None:
    path = MIRROR / "regulation" / "ecfr" / "15-CFR-744.11.txt"
    doc = load_document(path, "ecfr-744-11", read_sidecar(path))
    cites = {s.citation for s in doc.sections}
    assert {"15 CFR 744.11(a)", "15 CFR 744.11(a)(1)", "15 CFR 744.11(b)(4)(ii)"} <= cites
    assert _section_at(doc, "A license is required, to the extent specified on the Entity List")
    assert _section_at(doc, "[ 87 FR 61973").citation == "15 CFR 744.11"


def test_govinfo_excerpt_citation() -> None:
    path = (
        CORPUS
        / "federal_register"
        / "govinfo_excerpts"
        / "FR-2019-17920_84FR43487_opening-excerpt.txt"
    )
    doc = load_document(path, "fr", {})
    assert doc.metadata["citation"] == "84 FR 43487"
    assert "citation" in doc.metadata["derived"]

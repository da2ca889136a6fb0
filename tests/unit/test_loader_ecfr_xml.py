"""eCFR XML loader: paragraph citations, exact spans, metadata derivation, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.text import paragraph_spans
from ingest.documents import Document
from ingest.loaders.common import LoadError
from ingest.loaders.ecfr_xml import load

PART_XML = """<?xml version="1.0" encoding="UTF-8"?>
<DIV5 N="744" TYPE="PART">
  <HEAD>PART 744—CONTROL POLICY: END-USER AND END-USE BASED</HEAD>
  <AUTH><HED>Authority:</HED><PSPACE>50 U.S.C. 4801-4852;
     50 U.S.C. 1701 et seq.</PSPACE></AUTH>
  <DIV8 N="744.1" TYPE="SECTION">
    <HEAD>§ 744.1 General provisions.</HEAD>
    <P>(a) <I>Introduction.</I> In this part, references to the EAR are
       references to 15 CFR chapter VII, subchapter C.</P>
    <P>(b) <I>Scope.</I> This part applies to exports and reexports.</P>
    <CITA TYPE="N">[61 FR 12786, Mar. 25, 1996, as amended at 85 FR 73415]</CITA>
  </DIV8>
  <DIV8 N="744.11" TYPE="SECTION">
    <HEAD>§ 744.11 License requirements that apply to entities acting contrary to U.S.
      interests.</HEAD>
    <P>(a) <I>License requirement.</I> A license is required as set forth below.</P>
    <P>(1) Exports to entities listed in supplement no. 4 to this part.</P>
    <P>(i) Items subject to the EAR; see paragraph (b) of this section for the criteria.</P>
    <P>(A) Hardware items.</P>
    <P>(<I>1</I>) Computers.</P>
    <P>(<I>2</I>) Components, <!-- editorial comment --> parts.</P>
    <P>(B) Software items.</P>
    <NOTE><HED>Note 1 to paragraph (a)(1)(i)(B):</HED>
      <P>(1) A quoted example, not structure.</P></NOTE>
    <P>(ii) Technology.</P>
    <P>(2) Reexports.</P>
    <P>(b) <I>Criteria.</I> Entities are added on a reasonable cause to believe.</P>
    <CITA TYPE="N">[73 FR 49331, Aug. 21, 2008]</CITA>
  </DIV8>
</DIV5>
"""


def _write(tmp_path: Path, xml: str, name: str = "part-744.xml") -> Path:
    path = tmp_path / name
    path.write_text(xml, encoding="utf-8")
    return path


def _by_text(doc: Document, prefix: str) -> list:
    return [s for s in doc.sections if doc.text[s.start : s.end].startswith(prefix)]


def _section(doc: Document, prefix: str):
    found = _by_text(doc, prefix)
    assert len(found) == 1, (prefix, found)
    return found[0]


def test_paragraph_citations(tmp_path: Path) -> None:
    doc = load(_write(tmp_path, PART_XML), "ecfr-15-744", {})
    assert _section(doc, "(a) Introduction.").citation == "15 CFR 744.1(a)"
    assert _section(doc, "(b) Scope.").citation == "15 CFR 744.1(b)"
    assert _section(doc, "(a) License requirement.").citation == "15 CFR 744.11(a)"
    assert _section(doc, "(1) Exports").citation == "15 CFR 744.11(a)(1)"
    assert _section(doc, "(i) Items").citation == "15 CFR 744.11(a)(1)(i)"
    assert _section(doc, "(A) Hardware").citation == "15 CFR 744.11(a)(1)(i)(A)"
    computers = _section(doc, "(1) Computers.")
    assert computers.citation == "15 CFR 744.11(a)(1)(i)(A)(1)"
    assert computers.path == ("15 CFR 744.11", "(a)", "(1)", "(i)", "(A)", "(1)")
    assert computers.level == 5
    assert computers.heading.startswith("§ 744.11 License requirements")
    assert _section(doc, "(2) Components").citation == "15 CFR 744.11(a)(1)(i)(A)(2)"
    assert _section(doc, "(B) Software").citation == "15 CFR 744.11(a)(1)(i)(B)"
    # A cross-reference inside a sentence ("paragraph (b) of this section") and a marker
    # inside a note change nothing: (ii) still follows (i), (2) still follows (1).
    assert _section(doc, "(ii) Technology.").citation == "15 CFR 744.11(a)(1)(ii)"
    assert _section(doc, "(2) Reexports.").citation == "15 CFR 744.11(a)(2)"
    assert _section(doc, "(b) Criteria.").citation == "15 CFR 744.11(b)"
    note = _section(doc, "(1) A quoted example")
    assert note.citation == "15 CFR 744.11(a)(1)(i)(B)"


def test_headings_cita_and_part_blocks(tmp_path: Path) -> None:
    doc = load(_write(tmp_path, PART_XML), "ecfr-15-744", {})
    part = _section(doc, "PART 744")
    assert (part.citation, part.level) == ("15 CFR part 744", 0)
    auth = _section(doc, "Authority: 50 U.S.C. 4801-4852; 50 U.S.C. 1701")
    assert auth.citation == "15 CFR part 744"
    head = _section(doc, "§ 744.11")
    assert head.citation == "15 CFR 744.11"
    assert head.level == 0
    assert doc.text[head.start : head.end] == (
        "§ 744.11 License requirements that apply to entities acting contrary to U.S. interests."
    )
    cita = _section(doc, "[73 FR 49331")
    assert (cita.citation, cita.level) == ("15 CFR 744.11", 0)
    assert doc.text.startswith("PART 744—CONTROL POLICY")


def test_spans_are_exact_blocks(tmp_path: Path) -> None:
    doc = load(_write(tmp_path, PART_XML), "ecfr-15-744", {})
    spans = [(s.start, s.end) for s in doc.sections]
    assert spans == paragraph_spans(doc.text)
    assert all(a < b for a, b in spans)
    assert all(spans[i][1] < spans[i + 1][0] for i in range(len(spans) - 1))
    # Pretty-printing whitespace is collapsed, italic tags dropped, comments ignored.
    assert "references to the EAR are references to 15 CFR chapter VII" in doc.text
    assert "(2) Components, parts." in doc.text
    assert "<I>" not in doc.text and "editorial comment" not in doc.text


def test_metadata_derived_and_given(tmp_path: Path) -> None:
    path = _write(tmp_path, PART_XML)
    doc = load(path, "ecfr-15-744", {"doc_type": "regulation"})
    assert doc.metadata["title"] == "PART 744—CONTROL POLICY: END-USER AND END-USE BASED"
    assert doc.metadata["citation"] == "15 CFR part 744"
    assert set(doc.metadata["derived"]) == {"title", "citation"}
    given = {"title": "Part 744", "citation": "15 CFR part 744", "doc_type": "regulation"}
    doc = load(path, "ecfr-15-744", given)
    assert doc.metadata["title"] == "Part 744"
    assert "derived" not in doc.metadata
    assert "derived" not in given  # the caller's dict is not modified


def test_nested_title_and_single_section(tmp_path: Path) -> None:
    nested = (
        '<DIV1 N="15" TYPE="TITLE"><HEAD>Title 15—Commerce and Foreign Trade</HEAD>'
        '<DIV3 N="VII" TYPE="CHAPTER"><HEAD>CHAPTER VII</HEAD>'
        + PART_XML.split("?>", 1)[1]
        + "</DIV3></DIV1>"
    )
    doc = load(_write(tmp_path, nested), "t15", {})
    assert _section(doc, "(1) Computers.").citation == "15 CFR 744.11(a)(1)(i)(A)(1)"
    assert doc.metadata["citation"] == "15 CFR part 744"

    section = (
        '<DIV8 N="744.21" TYPE="SECTION"><HEAD>§ 744.21 Restrictions on military end uses.</HEAD>'
        "<P>(a) <I>General prohibition.</I> You may not export.</P></DIV8>"
    )
    doc = load(_write(tmp_path, section, "s.xml"), "s", {"citation": "15 CFR 744.21"})
    assert _section(doc, "(a) General").citation == "15 CFR 744.21(a)"
    assert doc.metadata["title"] == "§ 744.21 Restrictions on military end uses."
    assert doc.metadata["citation"] == "15 CFR 744.21"
    assert doc.metadata["derived"] == ["title"]


def test_title_number_from_metadata(tmp_path: Path) -> None:
    section = '<DIV8 N="120.1" TYPE="SECTION"><HEAD>§ 120.1 Scope.</HEAD><P>(a) Text.</P></DIV8>'
    doc = load(_write(tmp_path, section), "itar", {"citation": "22 CFR 120.1"})
    assert _section(doc, "(a) Text.").citation == "22 CFR 120.1(a)"


def test_supplement_citation(tmp_path: Path) -> None:
    xml = (
        '<DIV5 N="744" TYPE="PART"><HEAD>PART 744</HEAD>'
        '<DIV9 N="Supplement No. 4 to Part 744" TYPE="APPENDIX">'
        "<HEAD>Supplement No. 4 to Part 744—Entity List</HEAD>"
        "<GPOTABLE><BOXHD><CHED>Country</CHED><CHED>Entity</CHED></BOXHD>"
        "<ROW><ENT>China</ENT><ENT>Huawei Technologies Co., Ltd.</ENT></ROW></GPOTABLE>"
        "</DIV9></DIV5>"
    )
    doc = load(_write(tmp_path, xml), "supp4", {})
    row = _section(doc, "China | Huawei")
    assert row.citation == "15 CFR part 744, Supplement No. 4"
    assert doc.text[row.start : row.end] == "China | Huawei Technologies Co., Ltd."


@pytest.mark.parametrize(
    "content",
    [
        b"<DIV5 N='744' TYPE='PART'><HEAD>PART 744</HEAD><P>(a) unclosed",
        b"",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
        b"<html><body><p>not a regulation</p></body></html>",
        b"<DIV5 N='744' TYPE='PART'>  </DIV5>",
    ],
)
def test_bad_input_raises_load_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    with pytest.raises(LoadError):
        load(path, "bad", {})


def test_external_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE DIV8 [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<DIV8 N="744.1" TYPE="SECTION"><HEAD>§ 744.1 General.</HEAD><P>(a) Text &x;.</P></DIV8>'
    )
    try:
        doc = load(_write(tmp_path, xml), "xxe", {})
    except LoadError:
        return
    assert "TOP SECRET" not in doc.text

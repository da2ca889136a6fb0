"""eCFR part XML -> one text per section and supplement, in the form the text loader reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.ecfr_sections import ConversionError, convert_part
from ingest.loaders import load_document

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "official" / "ecfr"

PART_WITH_SUBPARTS = b"""<?xml version="1.0" encoding="UTF-8"?>
<DLPSTEXTCLASS><TEXT><BODY><ECFRBRWS>
<DIV1 N="15" TYPE="TITLE"><DIV5 N="762" TYPE="PART">
<HEAD>PART 762\xe2\x80\x94RECORDKEEPING</HEAD>
<DIV6 N="A" TYPE="SUBPART"><HEAD>Subpart A\xe2\x80\x94General</HEAD>
<DIV8 N="\xc2\xa7 762.1" TYPE="SECTION"><HEAD>\xc2\xa7 762.1   Scope.</HEAD>
<P>(a) <I>Transactions</I> subject to this part are listed in
   paragraph (b).<PRTPAGE P="1000"/> Records must be kept.</P>
<P>(b) Exports of items subject to the EAR.</P>
</DIV8></DIV6>
<DIV6 N="B" TYPE="SUBPART"><HEAD>Subpart B\xe2\x80\x94Retention</HEAD>
<DIV8 N="762.6" TYPE="SECTION"><HEAD>\xc2\xa7 762.6 Period of retention.</HEAD>
<P>(a) <I>Five year retention period.</I> Records must be kept five years.</P>
<NOTE><HED>Note to paragraph (a):</HED><P>The period starts at the export.</P>
<P>A second note paragraph.</P></NOTE>
<P>(b) <I>Destruction.</I> Records may then be destroyed.</P>
</DIV8>
<DIV8 N="762.7" TYPE="SECTION"><HEAD>\xc2\xa7 762.7 [Reserved]</HEAD></DIV8>
</DIV6>
</DIV5></DIV1>
</ECFRBRWS></BODY></TEXT></DLPSTEXTCLASS>
"""


def test_subparts_paragraphs_notes_and_reserved_sections() -> None:
    part = convert_part(PART_WITH_SUBPARTS, 15, "762")
    assert part.heading == "PART 762—RECORDKEEPING"
    # A reserved section (a heading and nothing else) becomes no document.
    assert [s.citation for s in part.sections] == ["15 CFR 762.1", "15 CFR 762.6"]
    first, second = part.sections
    assert (first.subpart, first.subpart_heading) == ("A", "Subpart A—General")
    assert second.subpart == "B"
    # Heading on its own block, one block per paragraph, inline markup and page markers gone.
    assert first.text.split("\n\n") == [
        "§ 762.1 Scope.",
        "(a) Transactions subject to this part are listed in paragraph (b). Records must be kept.",
        "(b) Exports of items subject to the EAR.\n",
    ]
    blocks = second.text.split("\n\n")
    # The note's label joins its first paragraph, right after the paragraph it affects.
    assert blocks[2] == "Note to paragraph (a): The period starts at the export."
    assert blocks[3] == "A second note paragraph."


def test_the_text_loader_cites_each_paragraph_and_keeps_notes_with_their_paragraph(
    tmp_path: Path,
) -> None:
    section = convert_part(PART_WITH_SUBPARTS, 15, "762").sections[1]
    path = tmp_path / "15-CFR-762.6.txt"
    path.write_text(section.text, encoding="utf-8")
    doc = load_document(
        path, "15-cfr-762.6", {"citation": section.citation, "doc_type": "regulation"}
    )
    by_start = {doc.text[s.start : s.end]: s.citation for s in doc.sections}
    assert by_start["(a) Five year retention period. Records must be kept five years."] == (
        "15 CFR 762.6(a)"
    )
    assert by_start["Note to paragraph (a): The period starts at the export."] == "15 CFR 762.6(a)"
    assert by_start["(b) Destruction. Records may then be destroyed."] == "15 CFR 762.6(b)"


def test_supplement_table_rows_history_and_editorial_notes() -> None:
    part = convert_part((FIXTURES / "part-744.xml").read_bytes(), 15, "744")
    by_citation = {s.citation: s for s in part.sections}
    assert "15 CFR 744.5" not in by_citation  # [Reserved]
    supplement = by_citation["15 CFR part 744, Supplement No. 4"]
    assert supplement.kind == "appendix"
    assert supplement.identifier == "Supplement No. 4 to Part 744"
    assert supplement.slug == "744-supp4"
    assert supplement.heading == "Supplement No. 4 to Part 744—Entity List"
    rows = supplement.text.split("\n\n")
    assert (
        "Country | Entity | License requirement | License review policy | Federal Register citation"
        in rows
    )
    # The country printed once for a group of rows is repeated, so each row reads alone.
    device = next(r for r in rows if "Huawei Device" in r)
    assert device.startswith("CHINA, PEOPLE'S REPUBLIC OF | Huawei Device Co., Ltd.")
    section = by_citation["15 CFR 744.11"]
    blocks = section.text.split("\n\n")
    assert blocks[-2].startswith("[73 FR 49321, Aug. 21, 2008")
    assert blocks[-1].startswith("Editorial Note: For Federal Register citations affecting")
    effective = by_citation["15 CFR 744.23"].text.split("\n\n")[-1]
    assert effective.startswith("Effective Date Note: At 89 FR 96830")


def test_not_a_part_or_not_xml_is_refused() -> None:
    with pytest.raises(ConversionError, match="not well-formed"):
        convert_part(b"<DIV5 N='744'><HEAD>cut off", 15, "744")
    with pytest.raises(ConversionError, match="no DIV5 element for part 744"):
        convert_part(PART_WITH_SUBPARTS, 15, "744")  # another part than the one asked for


def test_entities_are_not_expanded() -> None:
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<DIV5 N="744"><HEAD>PART 744</HEAD><DIV8 N="744.1"><HEAD>\xc2\xa7 744.1 A.</HEAD>'
        b"<P>(a) Text &x; here.</P></DIV8></DIV5>"
    )
    (section,) = convert_part(evil, 15, "744").sections
    assert "root:" not in section.text
    assert "(a) Text here." in section.text or "(a) Text  here." in section.text

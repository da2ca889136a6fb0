"""Issue #13, "Wrong dates": a document's date comes from its metadata or its own words (a Federal
Register header, its DATES paragraph, its FR Doc filing line, a CFR source note), never from the
file; a date nobody states stays unknown."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from ingest.dates import dates_in, parse_date, parse_numeric_date
from ingest.loaders import load_document
from ingest.loaders.fr_header import derived_title, read_header
from ingest.metadata import document_metadata

MIRROR = Path(__file__).resolve().parents[3] / "shared" / "corpus"
TODAY = date.today().isoformat()

PRINTED = """Federal Register / Vol. 84, No. 98 / Tuesday, May 21, 2019 / Rules and Regulations

DEPARTMENT OF COMMERCE

Bureau of Industry and Security

15 CFR Part 744

[Docket No. 190513445-9445-01]

RIN 0694-AH86

Addition of Entities to the Entity
List

AGENCY: Bureau of Industry and Security, Commerce.

ACTION: Final rule.

SUMMARY: This rule amends the Export Administration Regulations (EAR) by adding Huawei
Technologies Co., Ltd. to the Entity List.

DATES: This rule is effective May 16, 2019.

[FR Doc. 2019-10616 Filed 5-16-19; 4:15 pm]
"""

EXCERPT = (
    "\n\n".join(
        [
            "Bureau of Industry and Security, Commerce.",
            "Interim final rule with request for comments.",
            "In this interim final rule, the Bureau of Industry and Security (BIS) amends the "
            "Export Administration Regulations (EAR) to revise the terms used to describe "
            "standards-related activities. BIS is making these revisions for good reasons.",
            "Effective date: This rule is effective July 18, 2024.",
            "Background paragraph.",
            "[ FR Doc. 2024-15810 Filed 7-17-24; 8:45 am]",
        ]
    )
    + "\n"
)

NO_DATES = (
    "In this final rule, the Bureau of Industry and Security (BIS) amends the Export "
    "Administration Regulations (EAR) by adding 26 entries to the Entity List. More text follows."
    "\n\nThe Entity List identifies entities.\n"
)


def _write(tmp_path: Path, name: str, text: str, sidecar: dict[str, object] | None = None) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    if sidecar is not None:
        path.with_name(path.stem + ".meta.json").write_text(json.dumps(sidecar), encoding="utf-8")
    return path


def _metadata(path: Path, sidecar: dict[str, object]) -> dict[str, object]:
    return document_metadata(None, sidecar, path, lambda message: None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("At 90 FR 50857 , Nov. 12, 2025, in", date(2025, 11, 12)),
        ("effective until Nov. 9, 2026.", date(2026, 11, 9)),
        ("90 FR 47212 , Sept. 30, 2025]", date(2025, 9, 30)),
        ("This rule is effective January 13. 2025.", date(2025, 1, 13)),
        ("(Wednesday, August 21, 2019)", date(2019, 8, 21)),
        ("on Feb. 30, 2024 nothing", None),
        ("the Market 5, 2020 is no date", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


def test_numeric_and_all_dates() -> None:
    assert parse_numeric_date("Filed 5-20-19; 8:45 am") == date(2019, 5, 20)
    assert parse_numeric_date("Filed 10-21-24") == date(2024, 10, 21)
    assert parse_numeric_date("Filed 13-40-24") is None
    assert dates_in("[61 FR 1, Mar. 25, 1996, as amended at 90 FR 2, Jan. 16, 2025]") == [
        date(1996, 3, 25),
        date(2025, 1, 16),
    ]


def test_printed_header_gives_publication_effective_filed_and_title() -> None:
    header = read_header(PRINTED)
    assert header.published == date(2019, 5, 21)
    assert header.effective == date(2019, 5, 16)
    assert header.filed == date(2019, 5, 16)
    assert header.doc_number == "2019-10616"
    assert header.title == "Addition of Entities to the Entity List"
    assert derived_title(header) == "Addition of Entities to the Entity List"


def test_excerpt_without_header_gets_a_descriptive_title() -> None:
    header = read_header(EXCERPT)
    assert header.published is None and header.title is None
    assert header.effective == date(2024, 7, 18)
    assert header.filed == date(2024, 7, 17)
    assert derived_title(header) == (
        "Interim final rule: BIS amends the EAR to revise the terms used to describe "
        "standards-related activities"
    )


def test_fr_loader_dates_an_undated_document_from_its_text(tmp_path: Path) -> None:
    path = _write(tmp_path, "FR-2019-10616.txt", PRINTED)
    doc = load_document(path, "fr", _metadata(path, {"doc_type": "federal_register"}))
    assert doc.metadata["date"] == "2019-05-21"
    assert doc.metadata["date_basis"] == "publication"
    assert doc.metadata["effective"] == "2019-05-16"
    assert doc.metadata["citation"] == "FR Doc. 2019-10616"
    assert doc.metadata["title"] == "Addition of Entities to the Entity List"
    assert {"date", "title", "citation"} <= set(doc.metadata["derived"])


def test_fr_loader_falls_back_to_effective_then_filed(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", EXCERPT)
    meta = {
        "doc_type": "federal_register",
        "title": "FR Doc. 2024-15810",
    }  # a catalogue placeholder
    doc = load_document(path, "fr-2024-15810", {**_metadata(path, {}), **meta})
    assert (doc.metadata["date"], doc.metadata["date_basis"]) == ("2024-07-18", "effective")
    assert doc.metadata["title"].startswith("Interim final rule: BIS amends the EAR")
    filed_only = EXCERPT.replace("Effective date: This rule is effective July 18, 2024.", "")
    path = _write(tmp_path, "b.txt", filed_only)
    doc = load_document(path, "fr-b", {**_metadata(path, {}), "doc_type": "federal_register"})
    assert (doc.metadata["date"], doc.metadata["date_basis"]) == ("2024-07-17", "filed")


def test_a_document_nobody_dates_has_no_date_not_the_files(tmp_path: Path) -> None:
    path = _write(tmp_path, "FR-x.txt", NO_DATES)
    os.utime(path, (1_700_000_000, 1_700_000_000))  # 2023-11-14: a date the text never states
    meta = _metadata(path, {"doc_type": "federal_register"})
    assert meta.get("date") is None and "derived" not in meta
    doc = load_document(path, "fr-x", meta)
    assert doc.metadata.get("date") is None
    assert doc.metadata["title"].startswith("BIS amends the EAR by adding 26 entries")
    note = _write(tmp_path, "note.txt", "A memo\n\nNo date anywhere.\n")
    assert _metadata(note, {}).get("date") is None


def test_sidecar_fr_filed_date_is_a_last_resort(tmp_path: Path) -> None:
    path = _write(tmp_path, "FR-y.txt", NO_DATES)
    meta = _metadata(path, {"doc_type": "federal_register", "fr_doc_filed_date": "2024-10-21"})
    doc = load_document(path, "fr-y", meta)
    assert (doc.metadata["date"], doc.metadata["date_basis"]) == ("2024-10-21", "filed")


def test_stated_dates_keep_their_meaning(tmp_path: Path) -> None:
    path = _write(tmp_path, "s.txt", "text\n")
    kinds = {
        "eCFR point-in-time text date (snapshot_id ...)": "version",
        "date of the last amendment cited at the end of the section text": "amended_through",
        "effective date as stated in the document text ('This rule is effective ...')": "effective",
        "Federal Register publication date (from the document header)": "publication",
        None: "stated",
    }
    for kind, basis in kinds.items():
        meta = _metadata(path, {"date": "2024-01-23", "date_kind": kind})
        assert (meta["date"], meta["date_basis"]) == ("2024-01-23", basis), kind
    historical = _metadata(path, {"date": "2022-03-08", "version_note": "HISTORICAL version: ..."})
    assert historical["superseded"] is True
    assert "superseded" not in _metadata(path, {"version_note": "Point-in-time eCFR rendering"})


@pytest.mark.skipif(not (MIRROR / "federal_register").is_dir(), reason="no corpus mirror")
def test_every_mirror_fr_document_gets_a_date_it_states() -> None:
    """All 24 FR documents of the mirror: a date from the sidecar or the text, never today's or
    the file's; titles that name the rule, not its number."""
    from ingest.loaders.common import read_sidecar

    seen = 0
    for path in sorted((MIRROR / "federal_register").rglob("*.txt")):
        sidecar = read_sidecar(path)
        meta = _metadata(path, sidecar)
        doc = load_document(path, path.stem, meta)
        stamp = date.fromtimestamp(path.stat().st_mtime).isoformat()
        day = doc.metadata.get("date")
        assert day and (day == sidecar.get("date") or day not in (TODAY, stamp)), path.name
        assert doc.metadata["date_basis"] in ("publication", "effective", "filed"), path.name
        if sidecar.get("date"):
            assert day == sidecar["date"], path.name
        assert not str(doc.metadata["title"]).startswith("FR Doc"), path.name
        seen += 1
    assert seen == 24

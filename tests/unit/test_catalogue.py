"""The API tables of `sources.toml` ([ecfr], [federal_register]) and their offline stand-ins."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from ingest.corpus_sync import document_number_of, part_of
from ingest.sources import SourcesError, load_catalogue, parse_parts

REPO = Path(__file__).resolve().parents[2]


def test_the_default_catalogue_declares_both_apis_and_their_stand_ins() -> None:
    catalogue = load_catalogue(REPO / "corpus" / "sources.toml")
    assert catalogue.ecfr is not None and catalogue.federal_register is not None
    assert catalogue.ecfr.title == 15
    assert catalogue.ecfr.parts[0] == "730" and catalogue.ecfr.parts[-1] == "774"
    query = catalogue.federal_register
    assert query.agencies == ["industry-and-security-bureau"]
    assert query.types == ["RULE", "PRORULE", "NOTICE"]
    assert query.since == datetime.date(2019, 1, 1)
    # Every eCFR stand-in names its part, every Federal Register one its document number, so
    # the mirror stands in for exactly what the API could not deliver.
    ecfr_stand_ins = catalogue.stand_ins(catalogue.ecfr.mirror)
    fr_stand_ins = catalogue.stand_ins(query.mirror)
    assert len(ecfr_stand_ins) == 159 and len(fr_stand_ins) == 24
    assert all(part_of(s) in catalogue.ecfr.parts for s in ecfr_stand_ins)
    assert all(document_number_of(s) for s in fr_stand_ins)
    assert document_number_of(next(s for s in fr_stand_ins if s.id == "fr-2019-17920")) == (
        "2019-17920"
    )
    # The remaining documents are web pages kept as HTML when fetched.
    others = [s for s in catalogue.sources if s not in ecfr_stand_ins + fr_stand_ins]
    assert all(s.accept_html for s in others if s.url)


@pytest.mark.parametrize(
    ("value", "parts"),
    [
        ("744", ["744"]),
        ("734, 740-742", ["734", "740", "741", "742"]),
        ([744, "730-731"], ["730", "731", "744"]),
    ],
)
def test_part_lists(value: object, parts: list[str]) -> None:
    assert parse_parts(value) == parts  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["", "774-730", "7a4-750", "part 744", ","])
def test_bad_part_lists_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        parse_parts(value)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[ecfr]\nparts = "774-730"\n', "[ecfr]: parts"),
        ('[ecfr]\nmirror = ["../elsewhere"]\n', "relative path"),
        ('[federal_register]\ntypes = ["RULES"]\n', "types must be some of"),
        ('[federal_register]\nagencies = ["Bureau of X"]\n', "slugs"),
        ('[federal_register]\nsince = "yesterday"\n', "[federal_register]: since"),
        ("[ecfr]\nunknown = 1\n", "unknown"),
        ('ecfr = "all"\n', "must be a table"),
    ],
)
def test_bad_api_tables_name_file_and_table(tmp_path: Path, table: str, message: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(table, encoding="utf-8")
    with pytest.raises(SourcesError) as excinfo:
        load_catalogue(path)
    assert str(path) in str(excinfo.value) and message in str(excinfo.value)

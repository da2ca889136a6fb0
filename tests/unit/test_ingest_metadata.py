"""How ingest merges a sidecar with its sources.toml entry: access is the most restrictive of
the two (an absent key states nothing, an empty or malformed one is refused, never public), and
`source_url` is kept only as an http(s) link. Also the read side: stored items without groups
are readable by the operator only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.access import OPERATOR, Caller, access_groups
from assistant.index.store import chunk_metadata
from assistant.models import Chunk
from ingest.metadata import AccessError, document_metadata
from ingest.sources import Source


def _doc(tmp_path: Path) -> Path:
    path = tmp_path / "memo.md"
    path.write_text("# Memo\n\nText.\n")
    return path


def _source(access: list[str] | None = None, url: str | None = None) -> Source:
    return Source(id="memo", path="memo.md", title="Memo", doc_type="memo", access=access, url=url)


def merge(
    tmp_path: Path, sidecar: dict[str, Any], source: Source | None = None
) -> tuple[dict[str, Any], list[str]]:
    warnings: list[str] = []
    meta = document_metadata(source, sidecar, _doc(tmp_path), warnings.append)
    return meta, warnings


# ---- access: the most restrictive statement wins -------------------------------------------


@pytest.mark.parametrize(
    ("sidecar", "catalogue", "expected", "warned"),
    [
        ({}, None, ["public"], False),  # nobody says anything: the default
        ({}, _source(), ["public"], False),
        ({"access": ["legal"]}, None, ["legal"], False),
        # The reproduced hole: an entry without `access` used to make this public.
        ({"access": ["legal"]}, _source(), ["legal"], False),
        ({}, _source(["legal"]), ["legal"], False),
        ({"access": ["legal"]}, _source(["public"]), ["legal"], True),
        ({"access": ["public"]}, _source(["legal"]), ["legal"], True),
        ({"access": ["legal", "export"]}, _source(["legal"]), ["legal"], True),
        ({"access": ["legal"]}, _source(["export", "legal"]), ["legal"], True),
        ({"access": ["public", "legal"]}, _source(["legal"]), ["legal"], True),
        ({"access": ["legal", "export"]}, _source(["export", "legal"]), ["legal", "export"], False),
        ({"access": "legal, export"}, None, ["legal", "export"], False),
        ({"access": [" legal ", "legal"]}, None, ["legal"], False),
    ],
)
def test_access_is_the_most_restrictive_statement(
    tmp_path: Path,
    sidecar: dict[str, Any],
    catalogue: Source | None,
    expected: list[str],
    warned: bool,
) -> None:
    meta, warnings = merge(tmp_path, sidecar, catalogue)
    assert meta["access"] == expected
    assert bool([w for w in warnings if "access differs" in w]) is warned
    if warned:
        (warning,) = warnings
        assert "memo.meta.json" in warning and "'memo'" in warning  # both statements named


def test_statements_that_leave_nobody_fail_closed(tmp_path: Path) -> None:
    with pytest.raises(AccessError, match="share no group") as excinfo:
        merge(tmp_path, {"access": ["legal"]}, _source(["export"]))
    assert "memo.meta.json" in str(excinfo.value) and "'memo'" in str(excinfo.value)


@pytest.mark.parametrize(
    "value",
    [
        [],
        "",
        None,
        ",",
        " , ",
        "legal,",
        [""],
        ["  "],
        [1],
        ["legal", None],
        [["legal"]],
        {},
        0,
        True,
        ["legal,export"],
    ],  # fmt: skip
)
def test_empty_or_malformed_access_is_refused_never_public(tmp_path: Path, value: Any) -> None:
    for catalogue in (None, _source(), _source(["public"])):
        with pytest.raises(AccessError) as excinfo:
            merge(tmp_path, {"access": value}, catalogue)
        message = str(excinfo.value)
        assert "memo.meta.json" in message and "'access'" in message


# ---- source_url: http(s) links only --------------------------------------------------------


@pytest.mark.parametrize(
    "bad", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "https://", 7]
)
def test_a_sidecar_link_that_is_not_http_is_dropped_with_a_warning(
    tmp_path: Path, bad: Any
) -> None:
    for key in ("source_url", "url"):
        meta, warnings = merge(tmp_path, {key: bad})
        assert meta["source_url"] is None
        (warning,) = warnings
        assert f"memo.meta.json {key}" in warning and "dropped" in warning


def test_a_good_link_survives_a_bad_one_and_the_catalogue_still_wins(tmp_path: Path) -> None:
    meta, warnings = merge(
        tmp_path, {"source_url": "javascript:alert(1)", "url": " https://ok.example/x "}
    )
    assert meta["source_url"] == "https://ok.example/x" and len(warnings) == 1
    meta, warnings = merge(
        tmp_path, {"source_url": "javascript:alert(1)"}, _source(url="https://cat.example/")
    )
    assert meta["source_url"] == "https://cat.example/" and len(warnings) == 1
    meta, warnings = merge(tmp_path, {"source_url": "https://side.example/"})
    assert meta["source_url"] == "https://side.example/" and warnings == []


# ---- the read side fails closed ------------------------------------------------------------


@pytest.mark.parametrize("stored", [{}, {"access": ""}, {"access": ","}, {"access": []}])
def test_stored_items_without_groups_are_for_the_operator_only(stored: dict[str, Any]) -> None:
    assert access_groups(stored) == []
    assert not Caller("pat", ("public",)).may_read(stored)
    assert OPERATOR.may_read(stored)


def test_chunks_without_groups_carry_no_access_flag() -> None:
    def flags(meta: dict[str, Any]) -> list[str]:
        chunk = Chunk("c1", "d", "text", 0, 4, "cit", ("cit",), meta)
        return sorted(k for k in chunk_metadata(chunk, "d.md") if k.startswith("access_"))

    assert flags({}) == []
    assert flags({"access": []}) == []
    assert flags({"access": ["legal", "export"]}) == ["access_export", "access_legal"]


# ---- facts the official APIs state ----------------------------------------------------------


def test_federal_register_api_facts_are_kept(tmp_path: Path) -> None:
    """What `tpa sync` writes from the Federal Register API reaches the document: its effective
    date (so an as-of answer knows when the rule took effect), number and CFR parts."""
    meta, _ = merge(
        tmp_path,
        {
            "doc_type": "federal_register",
            "date": "2020-08-20",
            "date_kind": "publication date in the Federal Register",
            "publication_date": "2020-08-20",
            "effective_on": "2020-08-17",
            "document_number": "2020-18213",
            "cfr_references": ["15 CFR part 744", "15 CFR part 762"],
        },
    )
    assert meta["date_basis"] == "publication"
    assert meta["effective"] == "2020-08-17" and meta["published"] == "2020-08-20"
    assert meta["document_number"] == "2020-18213"
    assert meta["cfr_references"] == "15 CFR part 744; 15 CFR part 762"


def test_ecfr_api_facts_are_kept_and_blanks_are_not(tmp_path: Path) -> None:
    meta, _ = merge(
        tmp_path,
        {
            "doc_type": "regulation",
            "date": "2026-11-27",
            "version": "2026-11-27",
            "amendment_date": "2025-09-29",
            "part_name": "Control Policy: End-User and End-Use Based",
            "effective_on": "",
            "cfr_references": [],
        },
    )
    assert meta["version"] == "2026-11-27" and meta["amended_through"] == "2025-09-29"
    assert meta["part_name"] == "Control Policy: End-User and End-Use Based"
    assert "effective" not in meta and "cfr_references" not in meta

"""A section a Federal Register rule in the corpus removed is quoted with that removal: the
rule's instruction is read wherever the corpus holds it (not a paragraph's amendment, not a
proposal), judged against the text's own date, and only from rules the reader may read."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.index.snapshot import build
from assistant.removals import Removal, find_removals, removal_note, removal_of
from tests.unit.conftest import FakeStore, as_store

INSTRUCTION = (
    "7. Sections 744.10, 744.12 through 744.14, 744.18, and 744.20 are removed and reserved."
)


@pytest.mark.parametrize(
    ("text", "sections"),
    [
        (INSTRUCTION, ["744.10", "744.12", "744.13", "744.14", "744.18", "744.20"]),
        ("§ 744.13 [Removed and Reserved]", ["744.13"]),
        ("5. Remove and reserve § 744.13.", ["744.13"]),
        ("Section 744.13 is removed.", ["744.13"]),
        (
            "In part 744, this final rule removes and reserves §§ 744.12, 744.13, 744.14, and "
            "744.18. For §§ 744.12 and 744.14, this final rule adds",
            ["744.12", "744.13", "744.14", "744.18"],
        ),
        # a section amended, not removed; a paragraph; a proposal; a section that stays
        ("2. Section 740.2 is amended by removing and reserving paragraph (a)(22).", []),
        ("The rule removes § 744.13(b) and adds a note.", []),
        ("This proposed rule would remove § 744.13.", []),
        ("Section 744.13 is removed from the list of sections in § 744.1(a).", []),
        ("Section 744.130 is removed.", ["744.130"]),
    ],
)
def test_the_sections_an_instruction_removes(text: str, sections: list[str]) -> None:
    found = find_removals(text)
    assert sorted(s for s, _, _ in found) == sorted(sections)
    for _, a, b in found:
        assert text[a:b].strip() and "remov" in text[a:b].lower()


def _removal(effective: str | None = "2024-03-21") -> Removal:
    quote = INSTRUCTION[3:]
    return Removal("744.13", "fr-2024-06067", "FR Doc. 2024-06067", effective, quote, 500, 583)


REG = {"doc_type": "regulation", "citation": "15 CFR 744.13(a)"}


def test_a_text_older_than_the_rule_is_marked_removed_and_a_later_one_is_not() -> None:
    table = {"744.13": [_removal()]}
    old = {**REG, "amended_through": "2003-06-06", "date": "2003-06-06"}
    found = removal_of(old, table)
    assert found is not None
    note = removal_note(found, old, date(2026, 12, 1))
    assert note.startswith("Removed: FR Doc. 2024-06067 (effective Mar. 21, 2024) removed 15 CFR")
    assert "as amended through June 6, 2003" in note and "not the regulation in force" in note
    # the eCFR's own later text already is the section as the rule left it
    assert removal_of({**REG, "date": "2026-02-10"}, table) is None
    # an undated text may predate it: said so
    undated = removal_of(REG, table)
    assert undated is not None
    assert "date is unknown and it may predate" in removal_note(undated, REG, None)
    # other sections, other documents
    assert removal_of({**old, "citation": "15 CFR 744.1(a)"}, table) is None
    assert removal_of({**old, "doc_type": "federal_register"}, table) is None


def test_before_the_rule_took_effect_the_section_was_not_yet_removed() -> None:
    old = {**REG, "amended_through": "2003-06-06"}
    note = removal_note(_removal(), old, date(2023, 5, 1))
    assert note.startswith("Removed later: FR Doc. 2024-06067 (effective Mar. 21, 2024)")
    assert "on May 1, 2023 it was not yet removed" in note


def test_only_rules_the_reader_may_read_remove_a_section(tmp_path: Path) -> None:
    store = FakeStore(tmp_path / "data")
    text = f"Amendatory instructions. {INSTRUCTION} 8. Section 744.21 is amended by revising."
    store.rows["r-0"] = (
        text,
        {
            "doc_id": "r",
            "doc_hash": "h-r",
            "doc_type": "federal_register",
            "citation": "FR Doc. 2024-06067",
            "effective": "2024-03-21",
            "start": 1000,
            "end": 1000 + len(text),
            "access": "legal",
            "access_legal": True,
        },
    )
    store.records["r"] = {"content_hash": "h-r", "chunk_count": 1}
    index = build(as_store(store))
    table = index.view(["legal"]).removals()
    [removal] = table["744.13"]
    assert removal.source == "FR Doc. 2024-06067" and removal.effective == "2024-03-21"
    assert text[removal.start - 1000 : removal.end - 1000] == removal.quote
    assert removal.quote.startswith("Sections 744.10") and "744.21" not in table
    assert index.view(["public"]).removals() == {}


def test_a_proposed_rule_removes_nothing(tmp_path: Path) -> None:
    """A proposal's amendatory text reads like a final rule's ("Remove and reserve § 744.13."),
    but it has no effective date: nothing is removed until a rule takes effect."""
    store = FakeStore(tmp_path / "data")
    text = f"Proposed amendments. {INSTRUCTION}"
    meta = {
        "doc_id": "p",
        "doc_hash": "h-p",
        "doc_type": "federal_register",
        "citation": "FR Doc. 2025-11111",
        "date": "2025-06-02",
        "date_basis": "publication",
        "start": 0,
        "end": len(text),
        "access": "public",
        "access_public": True,
    }
    store.rows["p-0"] = (text, meta)
    store.records["p"] = {"content_hash": "h-p", "chunk_count": 1}
    assert build(as_store(store)).removals() == {}
    store.rows["p-0"] = (text, {**meta, "effective": "2025-07-01"})
    assert "744.13" in build(as_store(store)).removals()

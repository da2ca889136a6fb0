"""Issue #13, "Legal status": stays and amendment notes found in a CFR section's own text, put on
the chunks whose text they affect, and worded for the day asked about."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from assistant.index.embeddings import count_tokens
from assistant.status import (
    current_versions,
    date_label,
    dump_notes,
    in_force_on,
    load_notes,
    notes_for,
    version_note,
)
from ingest.chunking import chunk_document
from ingest.loaders import load_document
from ingest.notes import amendment_history, find_notes

TODAY = date(2026, 12, 1)
ECFR = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "regulation" / "ecfr"

SECTION = (
    "\n\n".join(
        [
            "§ 744.99 Example section.",
            "BIS may impose license requirements.",
            "( a ) License requirement. A license is required when a listed entity is a party.",
            "( 1 ) Affiliates. The Entity List license requirements also apply to affiliates owned "
            "50 percent or more.",
            "( 2 ) Direct products. Foreign-produced items are covered as follows:",
            "( i ) First item.",
            "( b ) Review policy. The second sentence of this paragraph. And another one.",
            "( 1 ) Case by case.",
            "( c ) Addresses. Addresses on the list.",
            "[ 87 FR 61973 , Oct. 13, 2022, as amended at 89 FR 51651 , June 18, 2024; "
            "90 FR 47212 , Sept. 30, 2025]",
            "At 90 FR 50857 , Nov. 12, 2025, in § 744.99 , paragraph (a)(1), the introductory text "
            "of paragraph (b), and the last sentence in paragraph (c) were stayed, effective until "
            "Nov. 9, 2026.",
        ]
    )
    + "\n"
)


def _doc(tmp_path: Path, text: str = SECTION, name: str = "15-CFR-744.99.txt", **meta: object):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    given = {"citation": "15 CFR 744.99", "doc_type": "regulation", **meta}
    return load_document(path, "15-cfr-744.99", given)


def _chunk_at(chunks, phrase: str, text: str):
    pos = text.index(phrase)
    return next(c for c in chunks if c.start <= pos < c.end)


def test_a_stay_names_each_paragraph_in_the_notes_words(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    [note] = doc.notes
    assert note.kind == "stay"
    assert (note.fr, note.fr_date, note.until) == ("90 FR 50857", "2025-11-12", "2026-11-09")
    assert doc.text[note.start : note.end] == note.text and note.text.startswith("At 90 FR 50857")
    assert [(t.path, t.scope) for t in note.targets] == [
        ("(a)(1)", "paragraph (a)(1)"),
        ("(b)", "the introductory text of paragraph (b)"),
        ("(c)", "the last sentence in paragraph (c)"),
    ]
    # (a)(1) is exactly its paragraph; (b) covers (b) and (b)(1); nothing of (a)(2) or (a).
    a1 = note.targets[0].applies
    assert [doc.text[s:e] for s, e in a1] == [
        "( 1 ) Affiliates. The Entity List license requirements also apply to affiliates owned "
        "50 percent or more."
    ]
    ((b_start, b_end),) = note.targets[1].applies
    assert doc.text[b_start:b_end].startswith("( b ) Review policy")
    assert doc.text[b_start:b_end].endswith("( 1 ) Case by case.")


def test_chunks_carry_the_note_only_where_it_applies(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    chunks = chunk_document(doc, count_tokens, max_tokens=64, target_tokens=5)
    carrying = {c.citation for c in chunks if c.metadata.get("status_notes")}
    assert "15 CFR 744.99(a)(1)" in carrying
    assert "15 CFR 744.99(b)" in carrying and "15 CFR 744.99(b)(1)" in carrying
    assert "15 CFR 744.99(a)(2)" not in carrying and "15 CFR 744.99(a)(2)(i)" not in carrying
    note_chunk = _chunk_at(chunks, "At 90 FR 50857", doc.text)
    assert note_chunk.metadata.get("status_notes"), "the note itself carries the note"
    # Metadata values stay scalars (Chroma): the notes are one JSON string.
    assert isinstance(note_chunk.metadata["status_notes"], str)
    json.loads(note_chunk.metadata["status_notes"])


def test_notes_for_words_the_stay_for_the_day_asked_about(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    chunks = chunk_document(doc, count_tokens, max_tokens=64, target_tokens=5)
    a1 = next(c for c in chunks if c.citation == "15 CFR 744.99(a)(1)")
    meta = {**a1.metadata, "start": a1.start, "end": a1.end}
    assert notes_for(meta) == [
        "Stayed: 90 FR 50857 (Nov. 12, 2025) stays paragraph (a)(1) of 15 CFR 744.99 "
        "until Nov. 9, 2026."
    ]
    [during] = notes_for(meta, on=date(2026, 1, 15))
    assert during.endswith("the stay is in effect on Jan. 15, 2026.")
    [before] = notes_for(meta, on=date(2025, 10, 1))
    assert before.startswith("Stayed later:") and "not yet stayed" in before
    [ended] = notes_for(meta, on=TODAY)
    assert ended.startswith("Stay ended: 90 FR 50857 (Nov. 12, 2025) stayed paragraph (a)(1)")
    assert "the stay ended Nov. 9, 2026 and no longer applies on Dec. 1, 2026" in ended
    # A chunk of (b)(1) is told about (b), not about (a)(1) or (c).
    b1 = next(c for c in chunks if c.citation == "15 CFR 744.99(b)(1)")
    [only_b] = notes_for({**b1.metadata, "start": b1.start, "end": b1.end})
    assert "the introductory text of paragraph (b) of 15 CFR 744.99" in only_b
    assert "(a)(1)" not in only_b and "(c)" not in only_b


def test_a_span_outside_every_target_gets_no_stay(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    note = doc.notes[0]
    meta = {"status_notes": dump_notes([note]), "doc_type": "regulation"}
    a2 = doc.text.index("( 2 ) Direct products")
    assert notes_for(meta, a2, a2 + 20) == []


def test_amendment_notes_not_in_the_text(tmp_path: Path) -> None:
    text = SECTION.replace(
        "At 90 FR 50857 , Nov. 12, 2025, in § 744.99 , paragraph (a)(1), the introductory text of "
        "paragraph (b), and the last sentence in paragraph (c) were stayed, effective until "
        "Nov. 9, 2026.",
        "1. For Federal Register citations affecting § 744.99 , see the List of CFR Sections "
        "Affected.\n\n2. At 90 FR 4615 , Jan. 16, 2025, § 744.99 was amended by adding paragraphs "
        "(a)(2) and (d)(1); however, these amendments could not be incorporated because "
        "paragraph (a)(2) already exists.",
    )
    text = text.replace(
        "BIS may impose",
        "Link to an amendment published at 85 FR 23462, Apr. 28, 2020.\n\nBIS may impose",
    )
    doc = _doc(tmp_path, text)
    link, added = doc.notes
    assert link.kind == added.kind == "amendment"
    assert not link.incorporated and not added.incorporated
    assert [t.path for t in link.targets] == [""]  # the whole section
    assert [t.path for t in added.targets] == ["(a)(2)", "(d)(1)"]
    assert added.targets[1].applies == ()  # (d)(1) does not exist: only the note carries it
    whole = {"status_notes": dump_notes([link])}
    assert notes_for(whole, 0, 10) == [
        "Amendment not in this text: 15 CFR 744.99 was amended at 85 FR 23462 (Apr. 28, 2020); "
        "this text does not include that amendment."
    ]
    [words] = notes_for({"status_notes": dump_notes([added])})
    assert words == (
        "Amendment not in this text: At 90 FR 4615, Jan. 16, 2025, § 744.99 was amended by adding "
        "paragraphs (a)(2) and (d)(1); however, these amendments could not be incorporated "
        "because paragraph (a)(2) already exists."
    )
    # The section lists no amendments (it points to the LSA): its latest amendment is unknown.
    assert amendment_history(doc.text) == (date(2022, 10, 13), None)


@pytest.mark.skipif(not ECFR.is_dir(), reason=f"no mirror at {ECFR}")
def test_real_stays_in_the_mirror() -> None:
    expected = {
        "15-CFR-744.11.txt": ["(a)(1)"],
        "15-CFR-744.16.txt": ["(e)"],
        "15-CFR-744.21.txt": ["(a)(3)", "(b)(2)", "(d)"],
        "15-CFR-744.8.txt": ["(a)(2)", "(b)"],
    }
    for name, paths in expected.items():
        path = ECFR / name
        doc = load_document(path, name, {"doc_type": "regulation"})
        [note] = doc.notes
        assert note.kind == "stay" and note.until == "2026-11-09", name
        assert [t.path for t in note.targets] == paths, name
        assert all(t.applies for t in note.targets), name


def test_amendment_history_and_dates_from_the_source_note(tmp_path: Path) -> None:
    assert amendment_history(SECTION) == (date(2022, 10, 13), date(2025, 9, 30))
    assert amendment_history("no source note here") == (None, None)
    doc = _doc(tmp_path)  # no date in the metadata: the latest amendment dates the text
    assert doc.metadata["date"] == "2025-09-30"
    assert doc.metadata["date_basis"] == "amended_through"
    assert date_label(doc.metadata) == "as amended through 2025-09-30"
    dated = _doc(tmp_path, date="2026-02-10", date_basis="version")
    assert dated.metadata["date"] == "2026-02-10"  # a stated date is kept
    assert dated.metadata["amended_through"] == "2025-09-30"


def test_bad_or_missing_status_notes_read_as_none() -> None:
    assert load_notes({}) == []
    assert load_notes({"status_notes": "not json"}) == []
    assert load_notes({"status_notes": '{"a": 1}'}) == []
    assert notes_for({"doc_type": "news"}) == []


def test_version_notes() -> None:
    old = {
        "doc_type": "regulation",
        "doc_id": "734-9-2022",
        "citation": "15 CFR 734.9",
        "date": "2022-03-08",
        "date_basis": "amended_through",
    }
    new = {**old, "doc_id": "734-9-now", "date": "2026-02-10", "date_basis": "version"}
    current = current_versions(
        [old, new, {"doc_type": "news", "citation": "x", "date": "2027-01-01"}]
    )
    assert current == {"15 CFR 734.9": ("2026-02-10", "734-9-now")}
    assert version_note(old, current) == [
        "Text as amended through 2022-03-08; the corpus's current version of 15 CFR 734.9 is "
        "dated 2026-02-10 (734-9-now)."
    ]
    assert version_note(new, current) == []  # it is the current one
    assert version_note(old, {}) == []  # nothing newer known: no note
    historical = version_note({**old, "superseded": True}, {})
    assert historical and historical[0].startswith("Historical text (as amended through 2022-03")
    later = version_note({**new, "amended_through": "2025-09-30"}, None, on=date(2024, 1, 1))
    assert later == [
        "Text as of 2026-02-10, later than Jan. 1, 2024: the provision in force on Jan. 1, 2024 "
        "may have read differently."
    ]
    assert version_note({**new, "amended_through": "2025-09-30"}, None, on=TODAY) == []
    # A chunk citing a paragraph carries the same document's version note.
    chunk = {**old, "citation": "15 CFR 734.9(e)(1)"}
    assert len(notes_for(chunk, current=current)) == 1


def test_in_force_on() -> None:
    day = date(2024, 8, 1)
    assert in_force_on({"doc_type": "regulation"}, day)  # undated regulation: kept
    assert in_force_on({"doc_type": "regulation", "date": "2026-02-10"}, day)
    fr = {"doc_type": "federal_register", "date": "2024-07-17", "effective": "2024-07-18"}
    assert in_force_on(fr, day) and not in_force_on(fr, date(2024, 7, 17))
    assert in_force_on({"doc_type": "federal_register", "date": "2024-07-18"}, day)
    assert not in_force_on({"doc_type": "federal_register", "date": "2024-10-21"}, day)
    assert not in_force_on({"doc_type": "article"}, day)  # undated news cannot be placed


def test_date_labels() -> None:
    assert date_label({}) == "date unknown"
    assert date_label({"date": "2024-07-18", "date_basis": "effective"}) == "effective 2024-07-18"
    assert date_label({"date": "2024-10-21", "date_basis": "filed"}) == "filed 2024-10-21"
    assert date_label({"date": "2019-08-21"}) == "2019-08-21"


def test_find_notes_ignores_ordinary_text() -> None:
    text = "( a ) The judge shall stay the proceedings. At the request of a party, see § 766.18 ."
    assert find_notes(text, []) == []

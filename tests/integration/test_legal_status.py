"""Issue #13, "Legal status and dates", on real mirror documents ingested into a fresh store:

- every chunk citing 15 CFR 744.11(a)(1), or holding its text, carries the stay of 90 FR 50857,
  and it survives the store and retrieval, so wherever (a)(1) is cited the note can be shown;
- no Federal Register document carries the day it was ingested (or its file's date) as its
  date, and as-of membership keeps the rules in force on that day.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from assistant.answering.service import Assistant
from assistant.index.store import Store
from assistant.status import in_force_on, load_notes, notes_for
from ingest.pipeline import run_ingest
from tests.conftest import make_settings, requires_mirror, small_corpus

pytestmark = requires_mirror

DOCS = [
    "regulation/ecfr/15-CFR-744.11.txt",
    "regulation/ecfr/15-CFR-744.21.txt",
    "regulation/ecfr/15-CFR-742.6.txt",
    "regulation/ecfr_md/15-CFR-732.3.md",
    "regulation/ecfr_md/15-CFR-734.9_as-amended-2022-03-08.md",
    "federal_register/FR-2024-15810.txt",
    "federal_register/FR-2024-24562.txt",
    "federal_register/FR-2025-00704.txt",
    "federal_register/FR-2025-19001.txt",
    "federal_register/FR-2024-13695.txt",
    "federal_register/govinfo_excerpts/FR-2019-17920_84FR43487_opening-excerpt.txt",
    "federal_register/govinfo_excerpts/FR-2022-07643_87FR21011_opening-excerpt.txt",
]
TODAY = date(2026, 12, 1)
A1 = "15 CFR 744.11(a)(1)"
A1_OPENING = "Entity List entries extend to other foreign affiliates of listed entities"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    root = tmp_path_factory.mktemp("legal-status")
    corpus = small_corpus(root / "corpus", DOCS)
    # Files copied now carry today's timestamp: a date taken from the file would show up as it.
    now = datetime.now(UTC).timestamp()
    for path in corpus.rglob("*"):
        if path.is_file():
            os.utime(path, (now, now))
    settings = make_settings(root / "data")
    report = run_ingest([corpus], settings, progress=False)
    assert not report.failures, report.failures
    assert report.added == len(DOCS)
    return settings, corpus


def _chunks(settings: Any, doc_id: str) -> list[tuple[str, dict[str, Any]]]:
    got = Store(settings).chunks.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
    return list(zip(got["documents"] or [], got["metadatas"] or [], strict=True))


def test_every_chunk_of_744_11_a_1_carries_the_stay(ingested: tuple[Any, Path]) -> None:
    settings, _ = ingested
    chunks = _chunks(settings, "15-cfr-744.11")
    citing = [
        (text, meta)
        for text, meta in chunks
        if meta["citation"] == A1
        or str(meta["citation"]).startswith(A1 + "(")
        or A1_OPENING in text
    ]
    assert citing, "no chunk cites 744.11(a)(1)"
    for _, meta in citing:
        [note] = load_notes(meta)
        assert note.kind == "stay" and note.fr == "90 FR 50857" and note.until == "2026-11-09"
        [words] = notes_for(meta, on=TODAY)
        assert words.startswith("Stay ended: 90 FR 50857 (Nov. 12, 2025) stayed paragraph (a)(1)")
        assert "the stay ended Nov. 9, 2026" in words
        assert notes_for(meta)[0] == (
            "Stayed: 90 FR 50857 (Nov. 12, 2025) stays paragraph (a)(1) of 15 CFR 744.11 "
            "until Nov. 9, 2026."
        )
    # The note's own paragraph carries it, so citing the note shows it too; (b) and (c) do not.
    assert any("was stayed, effective until" in text and load_notes(meta) for text, meta in chunks)
    for _, meta in chunks:
        if str(meta["citation"]).startswith(("15 CFR 744.11(b)", "15 CFR 744.11(c)")):
            assert "status_notes" not in meta, meta["citation"]


def test_retrieved_744_11_a_1_passages_keep_their_note(ingested: tuple[Any, Path]) -> None:
    settings, _ = ingested
    assistant = Assistant(settings)
    results = assistant.search(
        "Entity List affiliates owned 50 percent or more by listed entities", k=10
    )
    # (the Federal Register rule that made (a)(1) quotes it too, and was not stayed)
    cited = [
        r
        for r in results
        if r.doc_id == "15-cfr-744.11" and (r.citation.startswith(A1) or A1_OPENING in r.text)
    ]
    assert cited, [r.citation for r in results]
    for r in cited:
        assert any("90 FR 50857" in n for n in notes_for(r.metadata, on=TODAY)), r.citation


def test_other_stays_and_amendment_notes_reach_their_paragraphs(
    ingested: tuple[Any, Path],
) -> None:
    settings, _ = ingested
    by_citation: dict[str, list[str]] = {}
    for doc_id in ("15-cfr-744.21", "15-cfr-742.6", "15-cfr-732.3"):
        for _, meta in _chunks(settings, doc_id):
            by_citation.setdefault(str(meta["citation"]), []).extend(notes_for(meta))
    assert any(
        "the introductory text of paragraph (b)(2)" in n for n in by_citation["15 CFR 744.21(b)(2)"]
    )
    assert any("paragraph (a)(3) of 15 CFR 744.21" in n for n in by_citation["15 CFR 744.21(a)(3)"])
    assert any("could not be incorporated" in n for n in by_citation["15 CFR 742.6(a)(13)"])
    assert not by_citation.get("15 CFR 742.6(a)(12)")
    # The 2022 text of 734.9 says what it is wherever it is cited.
    for _, meta in _chunks(settings, "15-cfr-734.9-2022-03-08"):
        assert notes_for(meta)[-1].startswith(
            "Historical text (as amended through 2022-03-08): its source marks it as superseded"
        ), meta["citation"]
    # 732.3's text predates an amendment eCFR links to: every paragraph says so.
    assert all(
        any("85 FR 23462 (Apr. 28, 2020)" in n for n in notes)
        for cit, notes in by_citation.items()
        if cit.startswith("15 CFR 732.3")
    )


def test_no_fr_document_is_dated_by_its_ingestion(ingested: tuple[Any, Path]) -> None:
    settings, corpus = ingested
    records = Store(settings).document_records()
    today = date.today().isoformat()
    fr = {k: r for k, r in records.items() if r.get("doc_type") == "federal_register"}
    assert len(fr) == 7
    for doc_id, record in fr.items():
        stamp = date.fromtimestamp((corpus / str(record["source_path"])).stat().st_mtime)
        assert record.get("date") not in (None, today, stamp.isoformat()), doc_id
        assert not str(record.get("title")).startswith("FR Doc"), (doc_id, record.get("title"))
    expected = {
        "fr-2024-15810": ("2024-07-18", "effective"),
        "fr-2024-24562": ("2024-10-21", "filed"),
        "fr-2025-00704": ("2025-01-15", "filed"),
        "fr-2024-13695": ("2024-06-24", "effective"),
        "fr-2019-17920": ("2019-08-21", "publication"),
        "fr-2022-07643": ("2022-04-11", "publication"),
    }
    for doc_id, (day, basis) in expected.items():
        assert (fr[doc_id]["date"], fr[doc_id]["date_basis"]) == (day, basis), doc_id
    # The chunks carry the same date and what it means.
    _, meta = _chunks(settings, "fr-2024-24562")[0]
    assert (meta["date"], meta["date_basis"]) == ("2024-10-21", "filed")


def test_as_of_keeps_the_rules_in_force_that_day(ingested: tuple[Any, Path]) -> None:
    settings, _ = ingested
    records = Store(settings).document_records()
    day = date(2024, 8, 1)
    kept = {doc_id for doc_id, r in records.items() if in_force_on(r, day)}
    # In force by Aug. 1, 2024: the standards rule (effective July 18, 2024) and the older rules;
    # not the October 2024 and January 2025 Entity List rules. Regulations always stay.
    assert {"fr-2024-15810", "fr-2024-13695", "fr-2019-17920", "fr-2022-07643"} <= kept
    assert not {"fr-2024-24562", "fr-2025-00704"} & kept
    assert {"15-cfr-744.11", "15-cfr-732.3"} <= kept
    # ... and a regulation text newer than the day says so where it is cited.
    _, meta = next((t, m) for t, m in _chunks(settings, "15-cfr-744.11") if m["citation"] == A1)
    assert any("later than Aug. 1, 2024" in n for n in notes_for(meta, on=day))
    assert any(n.startswith("Stayed later:") for n in notes_for(meta, on=day))


@pytest.mark.parametrize(
    "question",
    [
        "Is the 50 percent affiliates rule in 744.11(a)(1) stayed?",
        "Do Entity List restrictions reach a distributor owned 60% by a listed company?",
    ],
)
def test_an_answer_citing_744_11_a_1_shows_its_stay(
    ingested: tuple[Any, Path], question: str
) -> None:
    """Whatever the answer's shape, a citation of (a)(1) carries the stay in its notes and the
    answer text shows it beside the quote (or the bottom line) that cites it."""
    settings, _ = ingested
    answer = Assistant(settings).ask(question)
    assert not answer.abstained
    cited = [c for c in answer.citations if c.citation.startswith(A1) or A1_OPENING in c.quote]
    assert cited, [c.citation for c in answer.citations]
    for c in cited:
        assert any("90 FR 50857" in note and "Nov. 9, 2026" in note for note in c.notes), c
    assert "Status" in answer.answer and "90 FR 50857 (Nov. 12, 2025)" in answer.answer


@pytest.mark.parametrize(
    "question",
    [
        "Is the affiliates rule stayed?",
        "Is the affiliates rule in effect?",
        "What is the status of the affiliates rule?",
        "Has the affiliates rule been suspended?",
    ],
)
def test_a_status_question_naming_the_stayed_rule_leads_with_its_stay(
    ingested: tuple[Any, Path], question: str
) -> None:
    """Asked about "the affiliates rule", which no stayed paragraph names, the answer opens with
    a stayed paragraph and its stay: the question's subject ("affiliates") is what only the
    stayed text of 744.11 and 744.21 says."""
    settings, _ = ingested
    answer = Assistant(settings).ask(question)
    head = answer.answer.split("\n\n", 1)[0]
    assert "90 FR 50857 (Nov. 12, 2025) stayed" in head, answer.answer


@pytest.mark.parametrize(
    "question",
    [
        "Is the Entity List rule still in force?",
        "Is the Military End-User List still in effect?",
        "Is the MEU List still in effect?",
        "Is the MEU license requirement still in effect?",
        "Is the Entity List license requirement for Huawei still in effect?",
        "Is the Unverified List requirement stayed?",
        "Is the deemed export rule still in effect?",
    ],
)
def test_a_status_question_about_another_rule_is_not_led_by_the_stay(
    ingested: tuple[Any, Path], question: str
) -> None:
    """The Entity List and the MEU List were not stayed: their words are all over the unstayed
    text of the same sections, so the stay is not taken as asked about, and the answer does not
    open with it (a legal reader would take that rule as stayed)."""
    settings, _ = ingested
    head = Assistant(settings).ask(question).answer.split("\n\n", 1)[0]
    assert "50857" not in head, head

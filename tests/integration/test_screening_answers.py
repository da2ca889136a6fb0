"""Answers open with the screening block when the question names a listed party: `tpa ask` on
the real corpus with a CSL in the published layout (built from facts in the corpus), cited as a
structured source beside a verified 15 CFR 744.11 passage; `as_of` moves both the documents and
the list entries."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, CorpusStore, cli_env
from tests.support.csl import ROWS, write_list

pytestmark = pytest.mark.slow

FLAGSHIP = "Do mass-market software sales to Huawei need a licence?"


@pytest.fixture(scope="module")
def data_dir(corpus_store: CorpusStore) -> Iterator[Path]:
    """The session's corpus with a screening list beside it, removed afterwards (shared dir)."""
    data = corpus_store.settings.data_dir
    folder = data / "screening"
    write_list(folder, ROWS, {"version": "2026-02-10", "url": "test"})
    yield data
    for name in ("csl.csv", "csl.meta.json"):
        (folder / name).unlink(missing_ok=True)


def ask(data: Path, question: str, *extra: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "api.cli", "ask", question, "--json", *extra],
        capture_output=True, text=True, env=cli_env(data), cwd=REPO, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    return dict(json.loads(out.stdout))


def stored_text(data: Path, doc_id: str) -> str:
    from assistant.index.store import Store
    from tests.conftest import make_settings

    stored = Store(make_settings(data)).get_document(doc_id)
    assert stored is not None
    return stored.text


def test_answer_opens_with_the_determination_then_the_entity_list_entry_then_the_passages(
    data_dir: Path,
) -> None:
    answer = ask(data_dir, FLAGSHIP)
    text = answer["answer"]
    # The bottom line first, resting on the list entry [S1] and 15 CFR 744.11.
    assert text.startswith("**Licence required: yes")
    determination = answer["determination"]
    assert determination["outcome"] == "yes" and "744.11" in determination["rule"]
    assert "S1" in determination["lines"][0]["screening"]
    first = answer["screening"]["hits"][0]
    assert first["name"] == "Huawei Technologies Co., Ltd." and first["ref"] == "S1"
    assert first["source"].startswith("Entity List")
    assert first["license_requirement"].startswith("For all items subject to the EAR")
    assert first["license_policy"].startswith("Presumption of denial")
    assert first["federal_register_notice"] == "84 FR 22961"
    assert first["start_date"] == "2019-05-16"
    blocks = text.split("\n\n")
    at = next(i for i, b in enumerate(blocks) if b.startswith("Screening against the Consolidated"))
    screening = blocks[at]
    assert "(version 2026-02-10)" in screening
    assert (
        "[S1]" in screening and "licence requirement: For all items subject to the EAR" in screening
    )
    assert "Presumption of denial" in screening and "84 FR 22961" in screening
    # What an entry means, from 15 CFR 744.11, cited and verifiable like any passage.
    meaning = [c for c in answer["citations"] if c["citation"].startswith("15 CFR 744.11")]
    assert meaning and any(f"[{c['n']}]" in screening for c in meaning)
    # Then the passages that answer the question, every quote equal to the stored span.
    rest = "\n\n".join(blocks[at + 1 :])
    assert rest.strip() and re.search(r"\[\d+\]", rest)
    for c in answer["citations"]:
        assert stored_text(data_dir, c["doc_id"])[c["start"] : c["end"]] == c["quote"]


def test_no_block_when_the_question_names_no_listed_party(data_dir: Path) -> None:
    answer = ask(data_dir, "What is the de minimis rule for foreign-made items?")
    assert answer.get("screening") is None
    assert not answer["answer"].startswith("Screening")


def test_as_of_changes_documents_and_list_entries(data_dir: Path) -> None:
    # Before Huawei's listing (16 May 2019) the list has no entry for it, and no document
    # of the corpus is that old.
    early = ask(data_dir, FLAGSHIP, "--as-of", "2019-05-01")
    assert early["answer"].startswith("As of 2019-05-01")
    assert early.get("screening") is None
    # In November 2019 the entry applies; the later affiliate listing (2020) does not yet.
    later = ask(data_dir, FLAGSHIP, "--as-of", "2019-11-30")
    assert later["answer"].startswith("As of 2019-11-30: **Licence required: yes")
    assert "\n\nScreening against the Consolidated Screening List" in later["answer"]
    names = [h["name"] for h in later["screening"]["hits"]]
    assert "Huawei Technologies Co., Ltd." in names
    assert "Huawei Cloud Computing Technologies Co., Ltd." not in names
    # Regulation texts stay (with a note when their text is later than the day); every other
    # source cited was in force or published by then.
    assert all(
        (c.get("date") or "") <= "2019-11-30"
        for c in later["citations"]
        if c.get("doc_type") != "regulation"
    )
    assert early["answer"] != later["answer"]

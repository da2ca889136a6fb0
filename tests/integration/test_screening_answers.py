"""Answers open with the screening block when the question names a listed party: `tpa ask` on
the real corpus with a CSL in the published layout (built from facts in the corpus), cited as a
structured source beside a verified 15 CFR 744.11 passage; `as_of` moves both the documents and
the list entries."""

from __future__ import annotations

import json
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


def test_answer_opens_with_the_entity_list_entry_then_the_passages(data_dir: Path) -> None:
    answer = ask(data_dir, FLAGSHIP)
    text = answer["answer"]
    assert text.startswith("Screening against the Consolidated Screening List (version 2026-02-10)")
    first = answer["screening"]["hits"][0]
    assert first["name"] == "Huawei Technologies Co., Ltd." and first["ref"] == "S1"
    assert first["source"].startswith("Entity List")
    assert first["license_requirement"].startswith("For all items subject to the EAR")
    assert first["license_policy"].startswith("Presumption of denial")
    assert first["federal_register_notice"] == "84 FR 22961"
    assert first["start_date"] == "2019-05-16"
    head, _, rest = text.partition("\n\n")
    assert "[S1]" in head and "licence requirement: For all items subject to the EAR" in head
    assert "Presumption of denial" in head and "84 FR 22961" in head
    # What an entry means, from 15 CFR 744.11, cited and verifiable like any passage.
    meaning = [c for c in answer["citations"] if c["citation"].startswith("15 CFR 744.11")]
    assert meaning and f"[{meaning[-1]['n']}]" in head
    # Then the passages that answer the question, every quote equal to the stored span.
    assert rest.strip() and "[1]" in rest
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
    assert later["answer"].startswith("As of 2019-11-30: Screening")
    names = [h["name"] for h in later["screening"]["hits"]]
    assert "Huawei Technologies Co., Ltd." in names
    assert "Huawei Cloud Computing Technologies Co., Ltd." not in names
    assert all((c.get("date") or "") <= "2019-11-30" for c in later["citations"])
    assert early["answer"] != later["answer"]

"""`run_eval` and `tpa eval` end to end on a four-document store (system and LangChain baseline):
the scores, the files written to `<data_dir>/eval/`, and an audit trail of their own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant.answering.audit import AuditLog
from assistant.config import Settings
from tests.conftest import REPO, small_corpus

# A line someone's real question left in the production audit trail before the eval ran.
PRODUCTION_LINE = {"caller": "alice", "question": "Do we need a licence for Huawei?"}

DOCS = [
    "regulation/ecfr/15-CFR-744.11.txt",
    "regulation/ecfr/15-CFR-740.9.txt",
    "regulation/ecfr_md/15-CFR-734.3.md",
    "article/2019-11-24-microsoft-huawei-export-licence.txt",
]

QUESTIONS: list[dict[str, Any]] = [
    {
        "id": "t-001",
        "question": "We resell off-the-shelf Windows and Office licences. Do we need a U.S. export "
        "licence before selling them to Huawei?",
        "kind": "multi_hop",
        "answerable": True,
        "relevant": [
            {
                "doc": "article/2019-11-24-microsoft-huawei-export-licence.txt",
                "contains": "request for a licence to export mass-market software to Huawei",
            },
            {
                "doc": "regulation/ecfr/15-CFR-744.11.txt",
                "contains": "A license is required, to the extent specified on the Entity List",
            },
        ],
        "answer_contains": ["licen"],
    },
    {
        "id": "t-002",
        "question": "We sent demo equipment abroad under the temporary-export exception. How long "
        "can it stay out?",
        "kind": "numeric",
        "answerable": True,
        "relevant": [
            {
                "doc": "regulation/ecfr/15-CFR-740.9.txt",
                "contains": "no later than one year after the date of export",
            }
        ],
        "answer_contains": ["one year"],
        # Another paragraph of the section the answer quotes: the authority is the section.
        "authority": ["15 CFR 740.9(a)(1)", "FR Doc. 2024-15810"],
    },
    {
        "id": "t-003",
        "question": "If we print our encryption source code in a book, is the printed book itself "
        "export-controlled?",
        "kind": "paraphrase",
        "answerable": True,
        "relevant": [
            {
                "doc": "regulation/ecfr_md/15-CFR-734.3.md",
                "contains": "setting forth encryption source code is not itself subject to the EAR",
            }
        ],
        "answer_contains": ["not"],
    },
    {
        "id": "t-004",
        "question": "What fee does the UK Export Control Joint Unit charge for a standard "
        "individual export licence (SIEL)?",
        "kind": "abstain",
        "answerable": False,
        "relevant": [],
        "answer_contains": [],
    },
]


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path]:
    from ingest.pipeline import run_ingest

    tmp = tmp_path_factory.mktemp("eval-runner")
    folder = small_corpus(tmp / "corpus", DOCS)
    settings = Settings(data_dir=tmp / "data")
    report = run_ingest([folder], settings, progress=False)
    assert not report.failures
    AuditLog(settings).append(PRODUCTION_LINE)
    eval_file = tmp / "eval.jsonl"
    eval_file.write_text("\n".join(json.dumps(q) for q in QUESTIONS) + "\n", encoding="utf-8")
    return settings, eval_file


@pytest.fixture(scope="module")
def result(
    small_store: tuple[Settings, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    from assistant.eval.runner import run_eval

    settings, eval_file = small_store
    out = tmp_path_factory.mktemp("eval-results")
    return run_eval(eval_file, settings, with_baseline=True, progress=False, out_dir=out)


def _unit(value: float) -> None:
    assert 0.0 <= value <= 1.0, value


def test_system_metrics(result: dict[str, Any]) -> None:
    assert result["questions"] == 4
    assert set(result) >= {"file", "questions", "system", "baseline", "delta_recall@5"}
    s = result["system"]
    for key in (
        "recall@1",
        "recall@3",
        "recall@5",
        "recall@10",
        "mrr@10",
        "abstain_accuracy",
        "abstention_accuracy",
        "false_abstention_rate",
        "answer_fact_recall",
        "citation_validity",
        "cited_relevant",
        "lead_relevant",
    ):
        assert key in s, key
        _unit(s[key])
    # the bottom line is one of the cited passages: it cannot be relevant more often than they
    assert s["lead_relevant"] <= s["cited_relevant"]
    assert s["n_answerable"] == 3 and s["n_abstain"] == 1
    # Only t-002 names its authorities; its answer cites 740.9.
    assert s["authority_cited_n"] == 1 and s["authority_cited"] == 1.0
    named = next(q for q in s["per_question"] if q["id"] == "t-002")
    assert named["authority_cited"] is True
    assert all(q["authority_cited"] is None for q in s["per_question"] if q["id"] != "t-002")
    assert s["citation_validity"] == 1.0
    curve = s["recall_curve"]
    assert len(curve) == 10
    assert all(a <= b for a, b in zip(curve, curve[1:], strict=False))
    assert curve[9] == s["recall@10"] and curve[4] == s["recall@5"]
    # Every phrase sits in one of the four documents: hybrid top-10 finds most of them.
    assert s["recall@10"] >= 0.5
    assert set(s["by_kind"]) == {"multi_hop", "numeric", "paraphrase"}
    assert all(v["n"] == 1 for v in s["by_kind"].values())
    lat = s["latency_ms"]
    assert 0 < lat["p50"] <= lat["p95"]
    assert [q["id"] for q in s["per_question"]] == ["t-001", "t-002", "t-003", "t-004"]
    abstain = s["per_question"][3]
    assert abstain["recall@5"] is None and abstain["fact_recall"] is None


def test_baseline_and_outputs(result: dict[str, Any]) -> None:
    from assistant.eval.report import format_table

    b = result["baseline"]
    assert b is not None and b["chunks"] > 0
    for k in (1, 3, 5, 10):
        _unit(b[f"recall@{k}"])
    _unit(b["mrr@10"])
    curve = b["recall_curve"]
    assert all(a <= b for a, b in zip(curve, curve[1:], strict=False))
    assert result["delta_recall@5"] == pytest.approx(result["system"]["recall@5"] - b["recall@5"])

    json_path = Path(result["outputs"]["json"])
    png_path = Path(result["outputs"]["plot"])
    assert json_path.is_file() and png_path.is_file()
    assert json.loads(json_path.read_text())["system"]["recall@5"] == result["system"]["recall@5"]
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    table = format_table(result)
    for label in ("recall@5", "mrr@10", "citation validity", "latency p95", "multi_hop"):
        assert label in table
    assert str(json_path) in table


def _production_audit(settings: Settings) -> bytes:
    return (settings.audit_dir / "audit.jsonl").read_bytes()


def _questions_audited(folder: Path) -> list[str]:
    lines = (folder / "audit.jsonl").read_text(encoding="ascii").splitlines()
    return [json.loads(line)["question"] for line in lines]


def test_the_eval_audits_its_answers_apart_from_the_production_trail(
    small_store: tuple[Settings, Path], result: dict[str, Any]
) -> None:
    settings, _eval_file = small_store
    audited = _questions_audited(Path(result["outputs"]["json"]).parent / "audit")
    assert audited == [q["question"] for q in QUESTIONS]
    production = [json.loads(line) for line in _production_audit(settings).splitlines()]
    assert production == [PRODUCTION_LINE], "the eval's questions are not people's questions"


def _stat(path: Path) -> tuple[int, int] | None:
    return (path.stat().st_mtime_ns, path.stat().st_size) if path.exists() else None


def test_cli_eval_json(small_store: tuple[Settings, Path]) -> None:
    settings, eval_file = small_store
    production_before = _production_audit(settings)
    repo_outputs = [
        folder / name
        for folder in (REPO / "bench" / "results", REPO / "assistant" / "bench" / "results")
        for name in ("eval.json", "eval_recall.png")
    ]
    repo_before = [_stat(p) for p in repo_outputs]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPA_")}
    env.update({"TPA_DATA_DIR": str(settings.data_dir), "HF_HUB_OFFLINE": "1"})
    proc = subprocess.run(
        [sys.executable, "-m", "api.cli", "eval", str(eval_file), "--json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(proc.stdout)
    assert "system" in data and "baseline" in data
    assert data["baseline"] is not None
    assert data["questions"] == 4
    assert data["system"]["citation_validity"] == 1.0
    results = settings.data_dir / "eval"
    assert data["outputs"] == {
        "json": str(results / "eval.json"),
        "plot": str(results / "eval_recall.png"),
    }
    assert json.loads((results / "eval.json").read_text())["questions"] == 4
    assert (results / "eval_recall.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [_stat(p) for p in repo_outputs] == repo_before, "nothing is written into the repo"
    assert _production_audit(settings) == production_before
    assert _questions_audited(results / "audit") == [q["question"] for q in QUESTIONS]

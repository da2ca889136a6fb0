"""`tpa` as a newcomer meets it, as a subprocess with its output piped: a version, a quiet
stderr (no model-loading bars, no library debug lines unless `--verbose`), answers whose URLs
survive a pipe, a misspelled `--doc-type` named as such, skipped files listed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant import __version__
from assistant.answering.quotes import display
from tests.conftest import SMALL_DOCS, CorpusStore, cli_env, run_cli, small_corpus

FLAGSHIP = "Do mass-market software sales to Huawei need a licence?"
NOISE = ("Loading weights", "DEBUG", "it/s]")


def test_version(tmp_path: Path) -> None:
    proc = run_cli(cli_env(tmp_path), "--version", timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == f"tpa {__version__}"


@pytest.mark.slow
def test_ask_through_a_pipe_keeps_urls_whole_and_stderr_quiet(corpus_store: CorpusStore) -> None:
    env = cli_env(corpus_store.settings.data_dir)
    answer = json.loads(run_cli(env, "ask", "--json", FLAGSHIP).stdout)
    proc = run_cli(env, "ask", FLAGSHIP)  # stdout is a pipe, as in `tpa ask ... | cat`
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    urls = {c["source_url"] for c in answer["citations"] if c.get("source_url")}
    assert urls
    for url in urls:  # each on one line, unbroken
        assert any(url in line for line in lines), url
    assert max(len(line) for line in lines) > 80  # not hard-wrapped at 80 columns
    assert not any(noise in proc.stderr for noise in NOISE), proc.stderr
    # Quote marks are never doubled, and a title equal to its citation is not repeated.
    assert not re.search(r"[“\"][“\"]|[”\"][”\"]", proc.stdout)
    for line in lines:
        m = re.match(r"\[\d+\] (.+?) — (.+?)(, \d{4}-\d\d-\d\d)?( \(secondary\))?$", line)
        assert not (m and m.group(1).casefold() == m.group(2).casefold()), line
    # A quote the answer shows (a provision as displayed: "( a )" as "(a)") is not repeated
    # under Sources.
    body, _, sources = proc.stdout.partition("\nSources\n")
    shown = " ".join(body.split())
    quoted = [line.strip()[1:-1] for line in sources.splitlines() if line.startswith("    “")]
    assert not [q for q in quoted if display(q) in shown], quoted


@pytest.mark.slow
def test_a_misspelled_doc_type_is_an_error_naming_the_valid_ones(
    corpus_store: CorpusStore,
) -> None:
    env = cli_env(corpus_store.settings.data_dir)
    for command in (["search", "x"], ["ask", FLAGSHIP]):
        proc = run_cli(env, *command, "--doc-type", "regulations")
        assert proc.returncode == 2, proc.stdout
        assert "'regulations'" in proc.stderr and "did you mean 'regulation'" in proc.stderr
        assert "federal_register" in proc.stderr and "article" in proc.stderr
        assert "ingested" not in proc.stdout + proc.stderr
    ok = run_cli(env, "search", "--json", "licence", "--doc-type", "federal_register")
    assert ok.returncode == 0 and json.loads(ok.stdout)["results"]


def test_ingest_lists_skipped_files_and_verbose_shows_the_debug_lines(tmp_path: Path) -> None:
    folder = small_corpus(tmp_path / "corpus", SMALL_DOCS[:1])
    (folder / "screening.csv").write_text("name,country\nHuawei,CN\n")
    (folder / "memo.docx").write_bytes(b"PK\x03\x04 not really a document")

    quiet = run_cli(cli_env(tmp_path / "quiet"), "ingest", str(folder))
    assert quiet.returncode == 0, quiet.stderr
    assert "skipped: 2 file(s)" in quiet.stderr
    assert "screening.csv" in quiet.stderr and "memo.docx" in quiet.stderr
    assert not any(noise in quiet.stderr for noise in NOISE), quiet.stderr
    again = run_cli(cli_env(tmp_path / "quiet"), "ingest", "--json", str(folder))
    skipped = json.loads(again.stdout)["skipped"]
    assert sorted(Path(p).name for p in skipped) == ["memo.docx", "screening.csv"]

    env = cli_env(tmp_path / "loud")
    env.pop("HF_HUB_DISABLE_PROGRESS_BARS", None)
    loud = run_cli(env, "--verbose", "ingest", str(folder))
    assert loud.returncode == 0, loud.stderr
    assert "Loading weights" in loud.stderr, loud.stderr
    assert re.search(r" DEBUG [\w.]+: ", loud.stderr), loud.stderr  # the project's debug lines

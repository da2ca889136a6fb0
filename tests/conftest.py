"""Shared fixtures. The whole corpus is embedded once per test run (about 3 minutes here) and
shared read-only by every test that needs it; tests that change a store build their own small one.

Two tiers. With the offline mirror beside the checkout (`../shared/corpus`, our machines and CI)
the corpus tests run on the real documents. Without it (a contributor's fresh clone) they run on
the suite's own small corpus in `tests/fixtures/corpus`, written in the mirror's layout; only the
tests that need a document or figure that exists in the mirror alone are skipped, each saying so.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.config import Settings  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
MIRROR = REPO.parent / "shared" / "corpus"
EVAL_DEV = REPO.parent / "shared" / "eval" / "dev.jsonl"
OWN_CORPUS = REPO / "tests" / "fixtures" / "corpus"
HAVE_MIRROR = MIRROR.is_dir()
CORPUS = MIRROR if HAVE_MIRROR else OWN_CORPUS
"""The corpus the corpus tests run on: the mirror when present, else the suite's own."""

requires_mirror = pytest.mark.skipif(
    not HAVE_MIRROR, reason=f"the offline corpus mirror {MIRROR} is absent"
)
"""For tests about the mirror's own documents or figures, which the suite's corpus cannot stand
in for; everything else runs on `CORPUS`."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Environment for a `tpa` subprocess: this machine's, minus any TPA_ the developer set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPA_")}
    env.update({"TPA_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", **extra})
    return env


def run_cli(
    env: dict[str, str], *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`tpa ARGS` as a subprocess from the repo, output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=timeout,
    )


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    return Settings(data_dir=data_dir, corpus_mirror=MIRROR if HAVE_MIRROR else None, **overrides)


class CorpusStore:
    """The session's ingested copy of `CORPUS` (the mirror, or the suite's own corpus)."""

    def __init__(self, settings: Settings, report: dict[str, object]) -> None:
        self.settings = settings
        self.report = report
        self.mirror = HAVE_MIRROR

    @property
    def store(self):  # type: ignore[no-untyped-def]
        from assistant.index.store import Store

        return Store(self.settings)


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CorpusStore]:
    from ingest.pipeline import run_ingest

    settings = make_settings(tmp_path_factory.mktemp("corpus-data"))
    report = run_ingest([CORPUS], settings, progress=False)
    yield CorpusStore(settings, report.to_dict())


def corpus_file(rel: str) -> Path:
    """`CORPUS / rel`, or a skip saying the document exists only in the absent mirror."""
    path = CORPUS / rel
    if not path.is_file():
        pytest.skip(f"{rel} is only in the offline corpus mirror {MIRROR}, which is absent")
    return path


def small_corpus(dest: Path, names: list[str]) -> Path:
    """Copy a few `CORPUS` documents (with sidecars) into a folder a test may change.

    A name only the mirror has, asked for without the mirror, skips the test, saying which
    document is missing, rather than running it on a partial corpus."""
    for rel in names:
        corpus_file(rel)
    for rel in names:
        for src in (CORPUS / rel, (CORPUS / rel).with_name(Path(rel).stem + ".meta.json")):
            if src.exists():
                target = dest / src.relative_to(CORPUS)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(src.read_bytes())
    return dest


SMALL_DOCS = [
    "regulation/ecfr/15-CFR-744.11.txt",
    "regulation/ecfr/15-CFR-740.9.txt",
    "regulation/ecfr/15-CFR-746.2.txt",
    "regulation/ecfr_md/15-CFR-734.3.md",
    "article/2019-11-24-microsoft-huawei-export-licence.txt",
    "federal_register/govinfo_excerpts/FR-2019-17920_84FR43487_opening-excerpt.txt",
]

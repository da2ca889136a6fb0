"""Shared fixtures. The whole corpus is embedded once per test run (about 3 minutes here) and
shared read-only by every test that needs it; tests that change a store build their own small one.
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

requires_mirror = pytest.mark.skipif(
    not MIRROR.is_dir(), reason=f"the offline corpus mirror {MIRROR} is absent"
)


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
    return Settings(
        data_dir=data_dir, corpus_mirror=MIRROR if MIRROR.is_dir() else None, **overrides
    )


class CorpusStore:
    """The session's ingested copy of the real corpus."""

    def __init__(self, settings: Settings, report: dict[str, object]) -> None:
        self.settings = settings
        self.report = report

    @property
    def store(self):  # type: ignore[no-untyped-def]
        from assistant.index.store import Store

        return Store(self.settings)


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CorpusStore]:
    if not MIRROR.is_dir():
        pytest.skip(f"the offline corpus mirror {MIRROR} is absent")
    from ingest.pipeline import run_ingest

    settings = make_settings(tmp_path_factory.mktemp("corpus-data"))
    report = run_ingest([MIRROR], settings, progress=False)
    yield CorpusStore(settings, report.to_dict())


def small_corpus(dest: Path, names: list[str]) -> Path:
    """Copy a few mirror documents (with sidecars) into a folder a test may change.

    Without the mirror (a contributor's clone with no ../shared beside it) the test that asked
    is skipped, saying why, rather than run on an empty or partial corpus."""
    if not MIRROR.is_dir():
        pytest.skip(f"the offline corpus mirror {MIRROR} is absent")
    for rel in names:
        for src in (MIRROR / rel, (MIRROR / rel).with_name(Path(rel).stem + ".meta.json")):
            if src.exists():
                target = dest / src.relative_to(MIRROR)
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

"""The layer rule of ARCHITECTURE.md holds, and its check would notice a breach.

`api` (surfaces) may import `ingest` (the write path) and `assistant` (the core); `ingest` may
import `assistant`; `assistant` imports neither. import-linter checks the real import graph, so
a lazy import inside a function counts too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

LINT = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT), "--no-cache"], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_layers_contract_holds() -> None:
    out = _lint(REPO)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "api > ingest > assistant KEPT" in out.stdout


def test_the_contract_fails_when_the_core_imports_a_surface(tmp_path: Path) -> None:
    for package in ("assistant", "ingest", "api"):
        shutil.copytree(
            REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    config = tmp_path / "assistant" / "config.py"
    config.write_text(config.read_text() + "\nimport api  # noqa: E402,F401\n")
    out = _lint(tmp_path)
    assert out.returncode != 0
    assert "assistant is not allowed to import api" in out.stdout
    assert "assistant.config -> api" in out.stdout

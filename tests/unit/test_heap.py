"""Freed memory goes back to the system after a snapshot build (glibc's malloc_trim)."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest

from assistant.index.heap import return_freed_memory


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc's call"
)
def test_memory_freed_by_chunk_sized_objects_goes_back_to_the_system() -> None:
    """What a build leaves behind: many chunk-sized objects (texts, per-chunk term arrays, over
    Python's small-object limit, so from malloc) freed while some stay. Without the trim glibc
    keeps most of the freed pages resident."""
    kept = []
    garbage = []
    for i in range(100_000):
        garbage.append(f"token {i} of a chunk's text " * 30)
        if i % 50 == 0:
            kept.append(garbage[-1])
    before = _rss_kb()
    del garbage
    after_free = _rss_kb()
    assert return_freed_memory() is True
    after_trim = _rss_kb()
    assert len(kept) == 2000
    # most of what the garbage held (~90 MB) is handed back, most of it by the trim
    assert before - after_trim > 45_000, (before, after_free, after_trim)
    assert after_free - after_trim > 30_000, (before, after_free, after_trim)

"""One progress bar for long work (ingest, sync, eval): a rich bar on stderr, or nothing.

Every long command shows the same bar (what it does, the bar, done/total, time spent, time left
and a short note such as the chunk count), so no command builds its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Task:
    """One counted piece of work; all methods do nothing when the bar is off."""

    def __init__(self, progress: Any | None = None, task_id: Any = None) -> None:
        self._progress = progress
        self._id = task_id

    def advance(self, n: int = 1, note: str | None = None) -> None:
        if self._progress is not None:
            fields = {} if note is None else {"description": note}
            self._progress.update(self._id, advance=n, **fields)

    def note(self, text: str) -> None:
        if self._progress is not None:
            self._progress.update(self._id, description=text)


@contextmanager
def progress(label: str, total: int, enabled: bool = True) -> Iterator[Task]:
    """A bar for `total` steps labelled `label` on stderr (`enabled=False`: silent, same API)."""
    if not enabled:
        yield Task()
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn(f"[bold]{label}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
    ) as bar:
        yield Task(bar, bar.add_task("", total=total))

"""The on-disk layout of the synced screening list, shared by its reader and its writer.

`assistant/screening/repository.py` reads the list and `ingest/screening_sync.py` publishes
it; both must agree on every name in `settings.screening_dir`, so the names and the one path
rule (what `current` may point at) are defined here and nowhere else.

On disk, in `settings.screening_dir`:

  current -> v-20260210T162700123456-1a2b3c4d5e6f   a symlink: the only thing a sync switches
  v-20260210T162700123456-1a2b3c4d5e6f/csl.csv       a version folder, complete (both files
  v-20260210T162700123456-1a2b3c4d5e6f/csl.meta.json  fsynced) before it is renamed into place
                                                      and never changed afterwards

A sync streams the download into a staging folder, writes the metadata beside it, renames the
folder to its version name and then replaces `current` (os.replace of a new symlink). So no
reader can find the CSV of one version with the metadata of another, and a sync killed at any
point leaves the old `current` as it was. A reader resolves `current` once and opens both
files in that folder. The previous version folder is kept (a reader may have just resolved
it); older ones go. Data dirs of the old layout (`csl.csv` + `csl.meta.json` in the folder
itself, written one after the other) are still read, their metadata only when its SHA-256 is
the CSV's; the next sync that stores a list moves them to the new layout.
"""

from __future__ import annotations

import os
from pathlib import Path

from assistant.screening.models import ScreeningError

CSL_FILE = "csl.csv"
META_FILE = "csl.meta.json"
CURRENT = "current"
VERSION_PREFIX = "v-"
STAGING_PREFIX = ".staging-"
LINK_PREFIX = ".current-"
LOCK_FILE = ".sync.lock"


def current_target(directory: Path) -> str | None:
    """The version folder `current` names, or None when there is no `current` (old layout)."""
    link = directory / CURRENT
    try:
        target = os.readlink(link)
    except FileNotFoundError:
        return None
    except OSError as exc:  # not a symlink, or the folder is unreadable
        raise ScreeningError(f"cannot read the screening list link {link}: {exc}") from exc
    if not target.startswith(VERSION_PREFIX) or "/" in target or os.sep in target:
        raise ScreeningError(f"{link} does not name a version folder beside it: {target!r}")
    return target

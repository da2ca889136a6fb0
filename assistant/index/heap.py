"""Giving freed memory back to the system after a snapshot is built, loaded or persisted.

A build reads every chunk page by page from Chroma, tokenizes and counts each chunk's terms and
writes the whole snapshot as JSON: hundreds of megabytes of short-lived small objects at 100k
chunks. glibc's allocator keeps what they freed inside its heaps, so a replica's resident
memory stayed at the build's peak: 10.8 KB per chunk on 30k synthetic chunks, for about 4.4 KB
of live objects. `malloc_trim` hands the free pages back (6.0 KB per chunk after it). Elsewhere
than glibc (musl, macOS) there is no such call and this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
from typing import Any

log = logging.getLogger(__name__)


@functools.cache
def _libc() -> Any:
    """The C library when it has `malloc_trim` (glibc), else None; looked up once."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None


def return_freed_memory() -> bool:
    """Release the allocator's free pages to the system; whether anything could be asked of it
    (False where the C library has no `malloc_trim`). Costs a walk of the heap's free lists
    (milliseconds): call it after large, rare work, never per request."""
    libc = _libc()
    if libc is None:
        return False
    try:
        libc.malloc_trim(0)
    except Exception as exc:  # an unexpected libc: memory is only kept, nothing breaks
        log.debug("malloc_trim failed: %s", exc)
        return False
    return True

"""Who is asking, and what they may read.

Every surface (API, web page, Slack, CLI) turns its caller into a `Caller` and hands it to the
Assistant, which applies the caller's groups inside retrieval. Checking access after retrieval
would be too late: a restricted chunk could still decide what gets ranked, counted or abstained.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from assistant.models import Filters


@dataclass(frozen=True)
class Caller:
    """`groups` None means every group: the local operator, who can read the store directly.

    `surface` and `route` are what the server itself knows (the HTTP API, Slack, the CLI; the
    path asked for); `client_hint` is what the client says it is (the web page sends "web").
    The hint is kept apart so the audit trail never presents a client's claim as a fact."""

    name: str
    groups: tuple[str, ...] | None
    surface: str = "cli"
    route: str | None = None
    client_hint: str | None = None

    def restrict(self, filters: Filters | None) -> Filters:
        """The caller's filters with their groups imposed (never widened by the request)."""
        filters = filters or Filters()
        if self.groups is None:
            return filters
        return replace(filters, groups=list(self.groups))

    def may_read(self, metadata: Mapping[str, Any]) -> bool:
        """Whether a stored chunk or document (by its metadata) is visible to this caller."""
        if self.groups is None:
            return True
        return bool(set(self.groups) & set(access_groups(metadata)))


OPERATOR = Caller("operator", None, "cli")


def access_groups(metadata: Mapping[str, Any]) -> list[str]:
    """The groups of a stored item: its `access` field (a list, or joined with commas in Chroma).

    An item without one, or with an empty one, has no groups: only the operator reads it. Ingest
    always stores a non-empty list, so this fails closed rather than guessing "public"."""
    raw = metadata.get("access")
    if raw is None or isinstance(raw, bool | int | float):
        return []
    items: Iterable[Any] = raw.split(",") if isinstance(raw, str) else raw
    return [str(g).strip() for g in items if isinstance(g, str) and g.strip()]


def readable(meta: Mapping[str, Any], groups: frozenset[str]) -> bool:
    """Whether a caller in `groups` may read a stored chunk.

    A chunk carries its groups twice: one flag per group (what Chroma filters on) and the
    `access` list (what documents are checked against). Both must name one of the caller's
    groups, so a chunk that either would hide stays hidden, whichever source is wrong."""
    return any(meta.get(f"access_{g}") is True for g in groups) and bool(
        groups.intersection(access_groups(meta))
    )

"""The default corpus list, `corpus/sources.toml`: which documents exist, where they come from.

Each `[[source]]` table names one document: a stable `id` (becomes the `doc_id`), the `path` it
has both in the offline mirror and in the synced corpus directory, its metadata, and the official
`url`. The file is checked strictly when read (unknown keys, duplicate ids or paths, paths that
could escape the corpus directory), because a typo here would otherwise surface much later as a
missing or silently duplicated document in search results.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")


class SourcesError(ValueError):
    """`sources.toml` cannot be used; the message names the file and the offending entry."""


def is_http_url(value: object) -> bool:
    """Whether `value` is an http(s) URL with a host: the only links shown to a reader.

    Any other scheme (`javascript:`, `data:`, `file:`) would become a clickable link in Slack or
    the web page, so metadata from every source is held to this before it is stored."""
    if not isinstance(value, str) or value != value.strip() or not value:
        return False
    if any(ch.isspace() or ord(ch) < 32 or ch in "<>|" for ch in value):
        return False  # Slack's <url|label> syntax, or markup, must not be smuggled in
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def access_problem(value: object) -> str | None:
    """Why a stated `access` value is unusable, or None when it is a usable list of groups.

    Checked here and at ingest alike: an empty or malformed statement must never be read as
    "no restriction" (public), so it is refused rather than guessed at."""
    if not isinstance(value, list) or not value:
        return "must be a non-empty list of group names"
    for group in value:
        if not isinstance(group, str):
            return f"has the non-string group {group!r}: groups are non-empty strings"
        if not group.strip():
            return "has a blank group: groups are non-empty strings"
        if "," in group:
            return f"has {group!r}: a group name cannot contain ','"
    return None


class Source(BaseModel):
    """One document of the corpus, as listed in `sources.toml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Stable, lowercase, unique; used as the document id.")
    path: str = Field(description="Relative POSIX path, the same in the mirror and the cache.")
    title: str
    citation: str | None = None
    doc_type: str
    agency: str | None = None
    date: datetime.date | None = None
    url: str | None = Field(default=None, description="The official source (often a web page).")
    download_url: str | None = Field(
        default=None,
        description="A URL serving the file in the same format as `path`, when `url` does not.",
    )
    access: list[str] | None = Field(
        default=None,
        description="Groups that may read it; None states nothing (the sidecar's, else public).",
    )

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not _ID.fullmatch(value):
            raise ValueError(
                f"id {value!r} must be lowercase letters, digits, '.', '_' or '-' "
                "(starting with a letter or digit)"
            )
        return value

    @field_validator("path")
    @classmethod
    def _check_path(cls, value: str) -> str:
        # The path is joined onto the corpus directory during sync, so anything that could point
        # outside it is refused here rather than trusted later.
        if not value.strip():
            raise ValueError("path is empty")
        if "\\" in value:
            raise ValueError(f"path {value!r} must use '/' as separator")
        pure = PurePosixPath(value)
        if pure.is_absolute() or re.match(r"^[A-Za-z]:", value):
            raise ValueError(f"path {value!r} must be relative to the corpus directory")
        if ".." in pure.parts:
            raise ValueError(f"path {value!r} must not contain '..'")
        normalised = pure.as_posix()
        if normalised in ("", "."):
            raise ValueError(f"path {value!r} names no file")
        return normalised

    @field_validator("title", "doc_type")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("url", "download_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not is_http_url(value):
            raise ValueError(f"{value!r} is not an http(s) URL with a host")
        return value

    @field_validator("access")
    @classmethod
    def _check_access(cls, value: list[str] | None) -> list[str] | None:
        # Leaving the key out states nothing; an empty list is a mistake, never "public".
        if value is None:
            return None
        problem = access_problem(value)
        if problem:
            raise ValueError(f"access {problem} (leave the key out to state nothing)")
        return [group.strip() for group in value]

    def metadata(self) -> dict[str, Any]:
        """The metadata fields a loaded Document carries (see `ingest.loaders.common`).

        None means "this entry says nothing": `access` included, so an entry without one
        cannot widen what a sidecar restricts (ingest merges the two, most restrictive wins)."""
        return {
            "title": self.title,
            "citation": self.citation,
            "doc_type": self.doc_type,
            "agency": self.agency,
            "date": self.date.isoformat() if self.date else None,
            "source_url": self.url,
            "access": list(self.access) if self.access is not None else None,
        }


def _describe(index: int, entry: Any) -> str:
    """How an entry is named in error messages: its position, and its id when it has one."""
    name = f"[[source]] #{index + 1}"
    if isinstance(entry, dict) and isinstance(entry.get("id"), str):
        name += f" (id {entry['id']!r})"
    return name


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(loc) for loc in error["loc"]) or "entry"
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def load_sources(path: Path) -> list[Source]:
    """Read and check `sources.toml`; raise `SourcesError` naming the file and entry on problems."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourcesError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise SourcesError(f"{path}: not valid UTF-8 (byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{path}: invalid TOML: {exc}") from exc

    unknown = sorted(set(data) - {"source"})
    if unknown:
        raise SourcesError(
            f"{path}: unexpected top-level key(s) {', '.join(unknown)}; "
            "documents go in [[source]] tables"
        )
    entries = data.get("source", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise SourcesError(f"{path}: 'source' must be an array of tables ([[source]])")

    sources: list[Source] = []
    seen_ids: dict[str, int] = {}
    seen_paths: dict[str, int] = {}
    for index, entry in enumerate(entries):
        name = _describe(index, entry)
        try:
            source = Source.model_validate(entry)
        except ValidationError as exc:
            raise SourcesError(f"{path}: {name}: {_validation_message(exc)}") from exc
        if source.id in seen_ids:
            raise SourcesError(
                f"{path}: {name}: duplicate id {source.id!r} "
                f"(already used by [[source]] #{seen_ids[source.id] + 1})"
            )
        # Paths are compared case-insensitively: on macOS/Windows two such files are one file.
        path_key = source.path.casefold()
        if path_key in seen_paths:
            raise SourcesError(
                f"{path}: {name}: duplicate path {source.path!r} "
                f"(already used by [[source]] #{seen_paths[path_key] + 1})"
            )
        seen_ids[source.id] = index
        seen_paths[path_key] = index
        sources.append(source)
    return sources


def sources_by_path(sources: Iterable[Source]) -> dict[str, Source]:
    """Sources keyed by their relative POSIX path, to find the entry for a file on disk."""
    return {source.path: source for source in sources}

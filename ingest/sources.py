"""The default corpus list, `corpus/sources.toml`: which documents exist, where they come from.

Two official APIs deliver most of the corpus, each declared once rather than document by
document: `[ecfr]` (the EAR, title 15, by part, from the eCFR API) and `[federal_register]`
(BIS documents by query, from the Federal Register API). Each `[[source]]` table names one
further document: a stable `id` (becomes the `doc_id`), the `path` it has both in the offline
mirror and in the synced corpus directory, its metadata, and the official `url`. A `[[source]]`
whose path lies under an API's `mirror` folders is that API's offline stand-in: copied from the
mirror only when the API could not deliver its content. The file is checked strictly when read
(unknown keys, duplicate ids or paths, paths that could escape the corpus directory), because a
typo here would otherwise surface much later as a missing or silently duplicated document in
search results.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
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
    accept_html: bool = Field(
        default=False,
        description="`url` is a web page: when it serves HTML, keep the page (NAME.html beside "
        "`path`) instead of refusing it for the wrong format.",
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


_PART = re.compile(r"[0-9]+[A-Za-z]?")


def parse_parts(value: str | list[Any]) -> list[str]:
    """Part numbers from "730-774", "734,740-744" or a TOML list such as [734, "740-744"].

    Ranges expand to every number between (unassigned part numbers are simply absent at the
    source); the result is sorted numerically, without duplicates."""
    items = value if isinstance(value, list) else str(value).split(",")
    parts: set[str] = set()
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        low, sep, high = text.partition("-")
        low, high = low.strip(), high.strip()
        if sep:
            if not (low.isdigit() and high.isdigit()) or int(low) > int(high):
                raise ValueError(f"{text!r} is not a range of part numbers like 730-774")
            if int(high) - int(low) > 1000:
                raise ValueError(f"{text!r} spans more than 1,000 parts")
            parts.update(str(n) for n in range(int(low), int(high) + 1))
        elif _PART.fullmatch(low):
            parts.add(low)
        else:
            raise ValueError(f"{text!r} is not a part number")
    if not parts:
        raise ValueError("names no part")
    return sorted(parts, key=lambda p: (int(re.sub(r"\D", "", p)), p))


def _mirror_prefixes(value: list[str]) -> list[str]:
    out = []
    for prefix in value:
        clean = PurePosixPath(prefix.strip()).as_posix() if prefix.strip() else ""
        if not clean or clean.startswith("/") or ".." in PurePosixPath(clean).parts:
            raise ValueError(f"mirror folder {prefix!r} must be a relative path")
        out.append(clean.rstrip("/") + "/")
    return out


class EcfrScope(BaseModel):
    """`[ecfr]`: the EAR as eCFR content, one document per section and supplement."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: int = Field(15, ge=1, le=50, description="CFR title number.")
    parts: list[str] = Field(
        default_factory=lambda: parse_parts("730-774"), description="Parts to sync."
    )
    agency: str = "Bureau of Industry and Security, U.S. Department of Commerce"
    mirror: list[str] = Field(
        default_factory=lambda: ["regulation/"],
        description="Mirror folders whose [[source]] entries stand in for this API offline.",
    )

    @field_validator("parts", mode="before")
    @classmethod
    def _parts(cls, value: Any) -> list[str]:
        return parse_parts(value)

    @field_validator("mirror")
    @classmethod
    def _mirror(cls, value: list[str]) -> list[str]:
        return _mirror_prefixes(value)


FR_TYPES = ("RULE", "PRORULE", "NOTICE", "PRESDOCU")


class FederalRegisterQuery(BaseModel):
    """`[federal_register]`: the documents.json query whose results are synced."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agencies: list[str] = Field(default_factory=lambda: ["industry-and-security-bureau"])
    types: list[str] = Field(default_factory=lambda: ["RULE", "PRORULE", "NOTICE"])
    since: datetime.date = datetime.date(2019, 1, 1)
    agency: str = "Bureau of Industry and Security, U.S. Department of Commerce"
    mirror: list[str] = Field(default_factory=lambda: ["federal_register/"])

    @field_validator("agencies")
    @classmethod
    def _agencies(cls, value: list[str]) -> list[str]:
        if not value or not all(re.fullmatch(r"[a-z0-9-]+", a) for a in value):
            raise ValueError(
                "agencies must be Federal Register slugs like industry-and-security-bureau"
            )
        return value

    @field_validator("types")
    @classmethod
    def _types(cls, value: list[str]) -> list[str]:
        bad = [t for t in value if t not in FR_TYPES]
        if not value or bad:
            raise ValueError(f"types must be some of {', '.join(FR_TYPES)}")
        return value

    @field_validator("mirror")
    @classmethod
    def _mirror(cls, value: list[str]) -> list[str]:
        return _mirror_prefixes(value)


@dataclass(frozen=True)
class Catalogue:
    """All of `sources.toml`: the API sources (None when not declared) and the documents."""

    sources: list[Source]
    ecfr: EcfrScope | None = None
    federal_register: FederalRegisterQuery | None = None

    def stand_ins(self, prefixes: list[str]) -> list[Source]:
        """The [[source]] entries under any of these mirror folders."""
        return [s for s in self.sources if any(s.path.startswith(p) for p in prefixes)]


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
    """The `[[source]]` entries of `sources.toml`, checked (see `load_catalogue`)."""
    return load_catalogue(path).sources


def _table(path: Path, data: dict[str, Any], key: str, model: type[BaseModel]) -> Any:
    if key not in data:
        return None
    if not isinstance(data[key], dict):
        raise SourcesError(f"{path}: '{key}' must be a table ([{key}])")
    try:
        return model.model_validate(data[key])
    except ValidationError as exc:
        raise SourcesError(f"{path}: [{key}]: {_validation_message(exc)}") from exc


def load_catalogue(path: Path) -> Catalogue:
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

    unknown = sorted(set(data) - {"source", "ecfr", "federal_register"})
    if unknown:
        raise SourcesError(
            f"{path}: unexpected top-level key(s) {', '.join(unknown)}; "
            "documents go in [[source]] tables, the APIs in [ecfr] and [federal_register]"
        )
    ecfr = _table(path, data, "ecfr", EcfrScope)
    federal_register = _table(path, data, "federal_register", FederalRegisterQuery)
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
    return Catalogue(sources, ecfr, federal_register)


def sources_by_path(sources: Iterable[Source]) -> dict[str, Source]:
    """Sources keyed by their relative POSIX path, to find the entry for a file on disk.

    A source with `accept_html` is also found at NAME.html, where sync keeps its fetched page."""
    out: dict[str, Source] = {}
    for source in sources:
        if source.accept_html and PurePosixPath(source.path).suffix != ".html":
            out.setdefault(PurePosixPath(source.path).with_suffix(".html").as_posix(), source)
        out[source.path] = source
    return out

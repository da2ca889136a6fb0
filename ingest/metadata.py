"""The metadata a document is stored with: catalogue entry over sidecar, checked.

Two fields are decided here and nowhere else, because getting them wrong widens what a
caller sees: `access`, where the most restrictive statement of sidecar and catalogue wins (an
absent key states nothing; an empty or malformed one refuses the document), and `source_url`,
kept only when it is an http(s) link with a host. A loader may not set either (`PINNED`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ingest.loaders import LoadError
from ingest.loaders.common import sidecar_path
from ingest.sources import Source, access_problem, is_http_url

PUBLIC = "public"
# Fields only the sidecar and the catalogue decide, after checking; a loader may not set them.
PINNED = ("access", "source_url")


class AccessError(LoadError):
    """A document whose access cannot be decided safely: it is not stored (nor kept) at all."""


Warn = Callable[[str], None]


def _unique(groups: list[str]) -> list[str]:
    return list(dict.fromkeys(groups))


def _sidecar_access(sidecar: dict[str, Any], name: str) -> list[str] | None:
    """The sidecar's groups; None when it has no `access` key (states nothing).

    A comma-separated string is accepted as a list; anything empty or malformed (`[]`, `""`,
    `null`, `","`, a non-string or blank group) is refused, never read as public."""
    if "access" not in sidecar:
        return None
    raw = sidecar["access"]
    groups = raw.split(",") if isinstance(raw, str) else raw
    problem = access_problem(groups)
    if problem:
        raise AccessError(
            f"sidecar {name}: field 'access' is {json.dumps(raw)} and {problem}; "
            "name the groups that may read it (or leave the key out for the default)"
        )
    return _unique([str(g).strip() for g in groups])


def _narrowest(first: list[str], second: list[str]) -> list[str]:
    """Both statements at once: the intersection, `public` standing for everyone."""
    if PUBLIC in first and PUBLIC not in second:
        return list(second)
    if PUBLIC in second and PUBLIC not in first:
        return list(first)
    return [g for g in first if g in second]


def _merge_access(
    sidecar: list[str] | None, source: Source | None, side_name: str, warn: Warn
) -> list[str]:
    """The most restrictive of what sidecar and catalogue say; public when neither says."""
    catalogue = _unique(source.access) if source and source.access is not None else None
    if sidecar is None:
        return catalogue or [PUBLIC]
    if catalogue is None or source is None:
        return sidecar
    stated = (
        f"sidecar {side_name} says {sidecar}, sources.toml entry {source.id!r} says {catalogue}"
    )
    merged = _narrowest(sidecar, catalogue)
    if not merged:
        raise AccessError(f"access conflict: {stated}; they share no group (fix one of them)")
    if set(sidecar) != set(catalogue):
        warn(f"access differs: {stated}; using the more restrictive {merged}")
    return merged


def _checked_url(value: Any, where: str, warn: Warn) -> str | None:
    """An http(s) URL with a host, or None; anything else is dropped with a warning."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and is_http_url(value.strip()):
        return value.strip()
    warn(f"{where} {json.dumps(value)} is not an http(s) URL with a host; dropped")
    return None


def _source_url(
    source: Source | None, sidecar: dict[str, Any], side_name: str, warn: Warn
) -> str | None:
    """Catalogue URL over the sidecar's `source_url` over its `url`; each one checked."""
    found = [
        _checked_url(source.url if source else None, "sources.toml url", warn),
        _checked_url(sidecar.get("source_url"), f"sidecar {side_name} source_url", warn),
        _checked_url(sidecar.get("url"), f"sidecar {side_name} url", warn),
    ]
    return next((url for url in found if url), None)


def document_metadata(
    source: Source | None, sidecar: dict[str, Any], path: Path, warn: Warn
) -> dict[str, Any]:
    """Catalogue entry over sidecar; what neither gives is derived later by the loader.

    Except access, where the most restrictive statement wins (see `_merge_access`), and
    `source_url`, kept only when it is an http(s) link. Raises AccessError when access is
    malformed or the two statements leave nobody."""
    side_name = sidecar_path(path).name
    meta: dict[str, Any] = {
        "title": sidecar.get("title"),
        "citation": sidecar.get("citation"),
        "doc_type": sidecar.get("doc_type"),
        "agency": sidecar.get("issuing_agency")
        or sidecar.get("agency")
        or sidecar.get("publisher"),
        "date": sidecar.get("date"),
    }
    if source is not None:
        meta.update(
            {
                k: v
                for k, v in source.metadata().items()
                if k not in PINNED and v not in (None, "", [])
            }
        )
    meta["source_url"] = _source_url(source, sidecar, side_name, warn)
    meta["access"] = _merge_access(_sidecar_access(sidecar, side_name), source, side_name, warn)
    meta.update(_dating(meta.get("date"), sidecar))
    return meta


def _date_basis(kind: Any) -> str:
    """What a stated date means, from the sidecar's free-text `date_kind`, tried in this order
    ("publication date ...; effective April 11, 2022" is a publication date)."""
    text = str(kind or "").lower()
    for needle, basis in (
        ("point-in-time", "version"),
        ("last amendment", "amended_through"),
        ("publication", "publication"),
        ("effective", "effective"),
        ("filed", "filed"),
    ):
        if needle in text:
            return basis
    return "stated"


CARRIED = (
    ("effective_on", "effective"),
    ("amendment_date", "amended_through"),
    ("version", "version"),
    ("part_name", "part_name"),
    ("document_number", "document_number"),
    ("federal_register_document_number", "document_number"),
    ("publication_date", "published"),
    ("cfr_references", "cfr_references"),
)
"""Sidecar facts kept as document metadata, under the name the rest of the code reads: the
official APIs state them (eCFR's version and amendment dates, the Federal Register's
effective date, document number and CFR references), so they are not re-derived from text."""


def _dating(stated: Any, sidecar: dict[str, Any]) -> dict[str, Any]:
    """`date_basis` for a stated date, plus the sidecar's other dating facts.

    A document nobody dates keeps no date here: the loader may read one from the text (a
    Federal Register header, a CFR source note); otherwise it is unknown, and shown as
    unknown. The file's own timestamp is never used: it is the day the file was copied, and
    passing it off as the document's date dropped in-force rules from as-of answers."""
    out: dict[str, Any] = {}
    if stated:
        same = str(stated) == str(sidecar.get("date") or "")
        out["date_basis"] = _date_basis(sidecar.get("date_kind")) if same else "stated"
    if filed := sidecar.get("fr_doc_filed_date"):
        out["filed"] = str(filed)
    for field, key in CARRIED:
        value = sidecar.get(field)
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value if v not in (None, ""))
        if value not in (None, "") and key not in out:
            out[key] = str(value)
    note = str(sidecar.get("version_note") or "")
    if sidecar.get("superseded") is True or note.startswith("HISTORICAL"):
        out["superseded"] = True
    return out

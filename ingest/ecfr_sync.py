"""Sync the EAR from the eCFR API: one text file and sidecar per section and supplement.

How a run goes (`sync_ecfr`):

1. `titles.json` gives the date to ask for (the title's latest issue date; a request dated today
   can 404 because eCFR lags the Federal Register).
2. A part whose files are intact and whose date is that date is not modified: nothing else is
   asked. When the date moved on, one `versions` query (issue dates after the one held) names
   the parts that changed; only those are fetched again. If that query fails, every part is
   fetched and compared by content instead.
3. A fetched part's XML is converted (`ingest/ecfr_sections.py`), its sections' version dates
   come from `versions?part=`, and each section is written only if its text or metadata
   changed, so ingest re-embeds exactly the changed sections; sections gone from the part are
   deleted, and so is a part that left the configured scope.
4. A part that cannot be fetched (500, timeout, malformed XML) keeps the copy held, if any; the
   XML is converted completely before anything is written, so a bad response never leaves a
   half-updated part. Parts held by neither are `missing`: the mirror stands in for them.

Files: `official/ecfr/title-15/part-744/15-CFR-744.11.txt` (+ `.meta.json`); the part's XML is
kept beside them under a hidden name for inspection. The sidecar carries no sync date, so an
unchanged section's files stay byte for byte the same.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from assistant.config import Settings
from assistant.progress import progress as progress_bar
from ingest import http
from ingest.ecfr import ContentVersion, EcfrApi
from ingest.ecfr_sections import ConversionError, PartText, SectionText, convert_part
from ingest.official import (
    ApiError,
    ApiResult,
    OfficialState,
    document_hash,
    prune_empty_dirs,
    remove_document,
    write_document,
)
from ingest.sources import EcfrScope, parse_parts

logger = logging.getLogger(__name__)

ROOT = "official/ecfr"
STATE_KEY = "ecfr"
PUBLIC_SITE = "https://www.ecfr.gov"  # links shown to readers: the official site, never a stand-in
_WORKERS = 4


def scope_parts(scope: EcfrScope, settings: Settings) -> list[str]:
    """The parts to sync: `TPA_ECFR_PARTS` when set, else the catalogue's."""
    return parse_parts(settings.ecfr_parts) if settings.ecfr_parts else list(scope.parts)


def _title_dir(settings: Settings, title: int) -> Path:
    return settings.corpus_dir / ROOT / f"title-{title}"


def _intact(corpus_dir: Path, entry: dict[str, Any] | None) -> bool:
    """Whether every file recorded for a part is on disk as it was written."""
    if not entry or not isinstance(entry.get("files"), dict):
        return False
    return all(document_hash(corpus_dir / rel) == digest for rel, digest in entry["files"].items())


@dataclass
class _PartDone:
    part: str
    entry: dict[str, Any] | None  # the new state entry; None: keep the old one
    written: int = 0
    removed: int = 0
    downloads: int = 0
    error: str = ""


def _version_index(versions: list[ContentVersion], date: str) -> dict[str, ContentVersion]:
    """Each identifier's version in force on `date` (the latest record dated on or before)."""
    best: dict[str, ContentVersion] = {}
    for v in versions:
        if v.date > date:
            continue
        key = _key(v.identifier)
        if key not in best or (v.date, v.issue_date) >= (best[key].date, best[key].issue_date):
            best[key] = v
    return best


def _key(identifier: str) -> str:
    return " ".join(identifier.replace("§", " ").split()).lower()


def _source_url(section: SectionText, title: int, part: str, date: str) -> str:
    if section.kind == "section":
        return f"{PUBLIC_SITE}/on/{date}/title-{title}/section-{section.identifier}"
    return f"{PUBLIC_SITE}/on/{date}/title-{title}/part-{part}/appendix-{quote(section.identifier)}"


def _metadata(
    section: SectionText,
    part: PartText,
    scope: EcfrScope,
    version: ContentVersion | None,
    previous: dict[str, Any] | None,
    issue_date: str,
) -> dict[str, Any]:
    """The sidecar: what the loaders read (id, title, citation, doc_type, agency, date,
    source_url) and what a reader may want (version, part, subpart). No sync timestamp."""
    amended: str | None
    if version is not None:
        date, kind = version.date, "eCFR version date of this section (versions API)"
        amended = version.amendment_date
    elif previous and previous.get("date"):
        # The versions call failed: an unchanged section keeps what it was stored with.
        date, kind = str(previous["date"]), str(previous.get("date_kind") or "")
        amended = str(previous.get("amendment_date") or "") or None
    else:
        date, kind = issue_date, "eCFR issue date the text was taken from (version date unknown)"
        amended = None
    return {
        "id": f"{scope.title}-cfr-{section.slug}".lower(),
        "title": section.heading,
        "citation": section.citation,
        "doc_type": "regulation",
        "issuing_agency": scope.agency,
        "date": date,
        "date_kind": kind,
        "version": date,
        "amendment_date": amended,
        "part": f"{scope.title} CFR part {part.part}",
        "part_name": part.heading,
        "subpart": section.subpart,
        "subpart_name": section.subpart_heading,
        "source_url": _source_url(section, scope.title, part.part, date),
        "obtained_from": "eCFR versioner API (full XML of the part)",
    }


def _read_sidecar(path: Path) -> dict[str, Any] | None:
    import json

    from ingest.loaders.common import sidecar_path

    try:
        data = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _fetch_part(
    api: EcfrApi,
    scope: EcfrScope,
    settings: Settings,
    part: str,
    date: str,
    old: dict[str, Any] | None,
) -> _PartDone:
    """Fetch, convert and write one part; on any failure nothing of the part is changed."""
    corpus = settings.corpus_dir
    try:
        xml = api.part_xml(date, scope.title, part)
        converted = convert_part(xml, scope.title, part)
    except ApiError as exc:
        return _PartDone(part, None, downloads=0, error=str(exc))
    except ConversionError as exc:
        return _PartDone(part, None, downloads=1, error=f"part {part} XML: {exc}")
    try:
        versions = _version_index(
            api.versions(scope.title, [("issue_date[lte]", date), ("part", part)]), date
        )
    except ApiError as exc:
        logger.info("eCFR part %s: no version dates (%s); keeping earlier dates", part, exc)
        versions = None
    folder = _title_dir(settings, scope.title) / f"part-{part}"
    files: dict[str, str] = {}
    written = 0
    for section in converted.sections:
        target = folder / f"{scope.title}-CFR-{section.slug}.txt"
        version = versions.get(_key(section.identifier)) if versions is not None else None
        if version is not None and version.removed:
            continue  # the versions API says it is gone, whatever the XML still holds
        previous = _read_sidecar(target) if versions is None else None
        meta = _metadata(section, converted, scope, version, previous, date)
        written += write_document(target, section.text, meta)
        rel = target.relative_to(corpus).as_posix()
        files[rel] = document_hash(target) or ""
    removed = 0
    for rel in (old or {}).get("files", {}):
        if rel not in files:
            removed += remove_document(corpus / rel)
    http.write_atomic(folder / f".part-{part}.xml", xml)
    entry = {"date": date, "heading": converted.heading, "files": files}
    return _PartDone(part, entry, written=written, removed=removed, downloads=1)


def _changed_parts(api: EcfrApi, title: int, held: dict[str, str], date: str) -> set[str] | None:
    """Parts with a version issued after the date each was last synced at; None if unknown."""
    if not held:
        return set()
    since = min(held.values())
    if since >= date:
        return set()
    after = (datetime.date.fromisoformat(since) + datetime.timedelta(days=1)).isoformat()
    try:
        versions = api.versions(title, [("issue_date[gte]", after), ("issue_date[lte]", date)])
    except ApiError as exc:
        logger.info("eCFR versions query failed (%s); comparing parts by content instead", exc)
        return None
    return {v.part for v in versions if v.part in held and v.issue_date > held[v.part]}


@dataclass
class _Tally:
    fetched: int = 0
    same: int = 0
    absent: int = 0
    kept: int = 0


def _describe(result: ApiResult, tally: _Tally, date: str | None) -> str:
    if not result.documents and result.missing and not tally.absent:
        return f"{len(result.missing)} parts unavailable"
    bits = [
        f"{n} {label}"
        for n, label in (
            (tally.fetched, "fetched"),
            (tally.same, "not modified"),
            (tally.kept, "kept from an earlier sync"),
            (tally.absent, "not in the title"),
            (len(result.missing), "unavailable"),
        )
        if n
    ]
    when = f" as of {date}" if date else ""
    return (
        f"parts: {', '.join(bits) or 'none'}{when}; {result.documents} sections and supplements "
        f"({result.written} written, {result.removed} removed)"
    )


def _drop_part(
    settings: Settings, title: int, entries: dict[str, dict[str, Any]], part: str
) -> int:
    """Delete a part's documents and its kept XML; the number of documents deleted."""
    removed = 0
    for rel in (entries.pop(part, None) or {}).get("files", {}):
        removed += remove_document(settings.corpus_dir / rel)
    with contextlib.suppress(FileNotFoundError):
        (_title_dir(settings, title) / f"part-{part}" / f".part-{part}.xml").unlink()
    return removed


def sync_ecfr(
    scope: EcfrScope,
    settings: Settings,
    client: httpx.Client | None,
    state: OfficialState,
    progress: bool = True,
) -> ApiResult:
    """Bring the configured EAR parts into the corpus directory; never raises for the API."""
    parts = scope_parts(scope, settings)
    corpus = settings.corpus_dir
    saved = state.section(STATE_KEY)
    entries: dict[str, dict[str, Any]] = {
        p: e for p, e in (saved.get("parts") or {}).items() if isinstance(e, dict)
    }
    result = ApiResult("eCFR", "fetched", "")
    tally = _Tally()
    # Parts that left the scope go, so the corpus is what the catalogue and settings say.
    for part in [p for p in entries if p not in parts]:
        result.removed += _drop_part(settings, scope.title, entries, part)
    intact = {p: str(entries[p].get("date", "")) for p in parts if _intact(corpus, entries.get(p))}

    def finish(outcome: str, reason: str, date: str | None) -> ApiResult:
        for part in parts:
            if part in intact and part not in result.held and part not in result.missing:
                result.held.add(part)
                tally.kept += 1
            elif part not in result.held:
                result.missing.setdefault(part, reason)
        result.documents = sum(len(entries[p].get("files", {})) for p in result.held)
        result.outcome = outcome  # type: ignore[assignment]
        result.detail = _describe(result, tally, date)
        if reason:
            result.detail = f"{reason}; {result.detail}"
        state.save(STATE_KEY, {"title": scope.title, "parts": entries})
        prune_empty_dirs(corpus / ROOT)
        return result

    if settings.offline or client is None:
        return finish("kept" if intact else "offline", "offline", None)
    api = EcfrApi(client, settings.ecfr_url, settings.sync_retries)
    try:
        date = api.issue_date(scope.title)
    except ApiError as exc:
        logger.debug("eCFR: %s", exc)
        return finish("kept" if intact else "failed", str(exc), None)
    result.complete = True

    changed = _changed_parts(api, scope.title, intact, date)
    todo = [p for p in parts if p not in intact or changed is None or p in changed]
    for part in parts:
        if part not in todo:
            entries[part]["date"] = date  # no version since: the copy held reads the same
            result.held.add(part)
            tally.same += 1
    if todo:
        try:
            available: set[str] | None = api.part_numbers(date, scope.title)
        except ApiError as exc:
            logger.debug("eCFR table of contents unavailable (%s); asking every part", exc)
            available = None
        for part in [p for p in todo if available is not None and p not in available]:
            # Not in the title on this date (a part number the EAR does not use, or removed).
            result.removed += _drop_part(settings, scope.title, entries, part)
            entries[part] = {"date": date, "absent": True, "files": {}}
            result.held.add(part)
            tally.absent += 1
        todo = [p for p in todo if available is None or p in available]

    errors: list[str] = []
    with (
        progress_bar("eCFR", len(todo), progress and bool(todo)) as task,
        ThreadPoolExecutor(_WORKERS, thread_name_prefix="ecfr") as pool,
    ):
        jobs = [
            pool.submit(_fetch_part, api, scope, settings, p, date, entries.get(p)) for p in todo
        ]
        for job in jobs:
            done = job.result()
            task.advance(note=f"part {done.part}")
            result.downloads += done.downloads
            if done.entry is None:
                errors.append(done.error)
                if done.part not in intact:
                    result.missing[done.part] = done.error
                continue
            entries[done.part] = done.entry
            result.held.add(done.part)
            result.written += done.written
            result.removed += done.removed
            tally.fetched += 1
    reason = ""
    if errors:
        logger.debug("eCFR: %d part(s) not fetched: %s", len(errors), errors[0])
        reason = f"{len(errors)} part(s) not fetched, e.g. {errors[0]}"
    outcome = "fetched" if tally.fetched or result.removed else "not_modified"
    if errors and not tally.fetched and not tally.same:
        outcome = "kept" if intact else "failed"
    return finish(outcome, reason, date)

"""Sync BIS documents from the Federal Register API: one text file and sidecar per document.

How a run goes (`sync_federal_register`):

1. The catalogue's query (agencies, types, published since) is searched year by year (each
   year well under the 2,000-result window; a larger one is split further by
   `FederalRegisterApi.search`). A past year listed completely by an earlier run with the same
   query is not listed again: published documents do not change, so a re-sync lists only the
   current year.
2. A listed document already held (its text and sidecar as written) costs nothing: no body is
   downloaded; only its sidecar is rewritten if the API's metadata changed. Others are fetched
   (`raw_text_url`, else `body_html_url`), a few at a time.
3. Documents published before the configured start date are deleted (the scope narrowed);
   nothing else is deleted because it is missing from one listing.

A failed listing or download never touches what is held; documents it could not provide are
`missing`, and the mirror's copies stand in for them.
Files: `official/federal-register/2019/FR-2019-10616.txt` (+ `.meta.json`).
"""

from __future__ import annotations

import datetime
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from assistant.config import Settings
from assistant.progress import progress as progress_bar
from ingest.federal_register import FederalRegisterApi
from ingest.official import (
    ApiError,
    ApiResult,
    OfficialState,
    document_hash,
    prune_empty_dirs,
    remove_document,
    sidecar_bytes,
    write_document,
)
from ingest.sources import FederalRegisterQuery, is_http_url

logger = logging.getLogger(__name__)

ROOT = "official/federal-register"
STATE_KEY = "federal_register"
_WORKERS = 6


def _query_key(query: FederalRegisterQuery) -> str:
    return f"{sorted(query.agencies)}|{sorted(query.types)}"


def _cfr_references(value: Any) -> list[str]:
    out = []
    for ref in value if isinstance(value, list) else []:
        if isinstance(ref, dict) and ref.get("title") and ref.get("part"):
            out.append(f"{ref['title']} CFR part {ref['part']}")
    return out


def metadata(doc: dict[str, Any], query: FederalRegisterQuery, text_from: str) -> dict[str, Any]:
    """The sidecar of one document, from the API's fields (nothing derived from the sync)."""
    number = str(doc["document_number"])
    agencies = [a for a in doc.get("agencies") or [] if isinstance(a, dict)]
    ours = any(a.get("slug") in query.agencies for a in agencies)
    names = [str(a.get("name") or a.get("raw_name")) for a in agencies if a.get("name")]
    html_url = doc.get("html_url")
    return {
        "id": f"fr-{number}".lower(),
        "title": doc.get("title") or f"FR Doc. {number}",
        "citation": doc.get("citation") or f"FR Doc. {number}",
        "doc_type": "federal_register",
        "issuing_agency": query.agency if ours or not names else "; ".join(names),
        "date": doc.get("publication_date"),
        "date_kind": "publication date in the Federal Register",
        "publication_date": doc.get("publication_date"),
        "effective_on": doc.get("effective_on"),
        "document_number": number,
        "fr_type": doc.get("type"),
        "action": doc.get("action"),
        "dates": doc.get("dates"),
        "abstract": doc.get("abstract"),
        "cfr_references": _cfr_references(doc.get("cfr_references")),
        "source_url": html_url if is_http_url(html_url) else None,
        "text_from": text_from,
        "obtained_from": "Federal Register API",
    }


def _target(settings: Settings, doc: dict[str, Any]) -> Path:
    year = str(doc["publication_date"])[:4]
    return settings.corpus_dir / ROOT / year / f"FR-{doc['document_number']}.txt"


def _held(corpus: Path, entries: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        number: entry
        for number, entry in entries.items()
        if isinstance(entry, dict)
        and entry.get("path")
        and document_hash(corpus / str(entry["path"])) == entry.get("hash")
    }


def _fetch(
    api: FederalRegisterApi,
    doc: dict[str, Any],
    query: FederalRegisterQuery,
    settings: Settings,
) -> tuple[str, dict[str, Any] | None, str]:
    """(document number, new state entry or None, error)."""
    number = str(doc["document_number"])
    try:
        text, text_from = api.document_text(doc)
    except ApiError as exc:
        return number, None, str(exc)
    target = _target(settings, doc)
    write_document(target, text, metadata(doc, query, text_from))
    rel = target.relative_to(settings.corpus_dir).as_posix()
    entry = {
        "path": rel,
        "hash": document_hash(target),
        "publication_date": doc["publication_date"],
        "text_from": text_from,
    }
    return number, entry, ""


def sync_federal_register(
    query: FederalRegisterQuery,
    settings: Settings,
    client: httpx.Client | None,
    state: OfficialState,
    progress: bool = True,
    today: datetime.date | None = None,
) -> ApiResult:
    """Bring the query's documents into the corpus directory; never raises for the API."""
    today = today or datetime.date.today()
    since = settings.federal_register_since or query.since
    corpus = settings.corpus_dir
    saved = state.section(STATE_KEY)
    same_query = saved.get("query") == _query_key(query)
    complete: dict[str, str] = dict(saved.get("complete_years") or {}) if same_query else {}
    entries: dict[str, Any] = dict(saved.get("documents") or {})
    result = ApiResult("Federal Register", "fetched", "")

    for number, entry in list(entries.items()):
        if str((entry or {}).get("publication_date", "")) < since.isoformat():
            result.removed += remove_document(corpus / str((entry or {}).get("path", "")))
            del entries[number]
    held = _held(corpus, entries)
    for number in set(entries) - set(held):
        # A document deleted or changed on disk: list its year again, so it is fetched again.
        complete.pop(str(entries[number].get("publication_date", ""))[:4], None)
    entries = dict(held)

    def finish(outcome: str, detail: str) -> ApiResult:
        result.held = set(entries)
        result.documents = len(entries)
        result.outcome = outcome  # type: ignore[assignment]
        result.detail = detail
        state.save(
            STATE_KEY,
            {"query": _query_key(query), "complete_years": complete, "documents": entries},
        )
        prune_empty_dirs(corpus / ROOT)
        return result

    if settings.offline or client is None:
        return finish("kept" if entries else "offline", f"offline; {len(entries)} documents held")
    api = FederalRegisterApi(client, settings.federal_register_url, settings.sync_retries)

    listed: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    years = range(since.year, today.year + 1)
    for year in years:
        low = max(since, datetime.date(year, 1, 1))
        high = min(datetime.date(year, 12, 31), today)
        if year < today.year and complete.get(str(year)) and complete[str(year)] <= low.isoformat():
            continue
        try:
            listing = api.search(query, low, high)
        except ApiError as exc:
            errors.append(str(exc))
            if exc.unreachable:
                break
            continue
        listed.update(listing.documents)
        if year < today.year:
            complete[str(year)] = low.isoformat()
    result.complete = not errors
    if errors and not listed:
        logger.debug("Federal Register: %s", errors[0])
        return finish(
            "kept" if entries else "failed", f"{errors[0]}; {len(entries)} documents held"
        )

    todo = []
    for number, doc in sorted(listed.items()):
        if number in entries:
            target = corpus / str(entries[number]["path"])
            meta = metadata(doc, query, str(entries[number].get("text_from", "raw_text_url")))
            sidecar = target.with_name(target.stem + ".meta.json")
            if sidecar.read_bytes() != sidecar_bytes(meta):
                write_document(target, target.read_text(encoding="utf-8"), meta)
                entries[number] = {**entries[number], "hash": document_hash(target)}
                result.written += 1
            continue
        todo.append(doc)

    failed: dict[str, str] = {}
    with (
        progress_bar("Federal Register", len(todo), progress and bool(todo)) as task,
        ThreadPoolExecutor(_WORKERS, thread_name_prefix="fr") as pool,
    ):
        jobs = [pool.submit(_fetch, api, doc, query, settings) for doc in todo]
        for job in jobs:
            number, entry, error = job.result()
            task.advance(note=number)
            result.downloads += 1
            if entry is None:
                failed[number] = error
                continue
            entries[number] = entry
            result.written += 1
    result.missing = failed
    bits = [f"{len(listed)} listed", f"{len(todo) - len(failed)} new"]
    bits.append(f"{len(entries)} held")
    if failed:
        bits.append(f"{len(failed)} failed, e.g. {next(iter(failed.values()))}")
    if errors:
        bits.append(f"{len(errors)} listing request(s) failed, e.g. {errors[0]}")
    if result.removed:
        bits.append(f"{result.removed} removed (published before {since})")
    outcome = "fetched" if result.written or result.removed else "not_modified"
    return finish(outcome, ", ".join(bits))

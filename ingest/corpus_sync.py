"""`tpa sync` for the whole catalogue: the official APIs, their mirror stand-ins, the rest.

Order and why:

1. The eCFR API (the EAR by part) and the Federal Register API (BIS documents by query), through
   one HTTP client (`TPA_ECFR_URL`, `TPA_FEDERAL_REGISTER_URL`).
2. The catalogue's `[[source]]` entries under an API's `mirror` folders are that API's offline
   stand-ins. One is copied from the mirror only when the API did not provide its content (its
   EAR part, its Federal Register document): unreachable, failed, or offline with nothing held.
   A stand-in whose content the API provided is not needed, and a copy left by an earlier
   offline sync is deleted, so no document is in the corpus twice.
3. The other entries (press releases, guidance, articles) as before: URL, else mirror.

The report says what happened once per API ("the mirror stood in: 159 documents"), not once per
stand-in, and `lines()` keeps the output short even when nothing at all can be reached: which
sources failed, that `TPA_CORPUS_MIRROR` can point at an offline copy, that nothing was synced.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.config import Settings
from ingest import http
from ingest.ecfr_sync import scope_parts, sync_ecfr
from ingest.federal_register_sync import sync_federal_register
from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.official import USER_AGENT, ApiResult, OfficialState, remove_document
from ingest.sources import Catalogue, Source
from ingest.sync import SourceResult, SyncReport, sync_sources

logger = logging.getLogger(__name__)

_PART = re.compile(r"\b\d+\s+CFR\s+(?:part\s+)?(\d+)", re.IGNORECASE)
_PART_IN_PATH = re.compile(r"\b\d+-CFR-(\d+)", re.IGNORECASE)
_FR_NUMBER = re.compile(r"(?:^|[^0-9])((?:19|20)\d\d-\d{4,6})(?![0-9])")
_MAX_DOCUMENT_LINES = 20
_MAX_FAILED_LINES = 10


def part_of(source: Source) -> str | None:
    """The EAR part a stand-in holds ("15 CFR 744.11" -> "744"), if it can be told."""
    found = _PART.search(source.citation or "") or _PART_IN_PATH.search(source.path)
    return found.group(1) if found else None


def document_number_of(source: Source) -> str | None:
    """The Federal Register document number a stand-in holds ("fr-2024-01408" -> "2024-01408")."""
    found = _FR_NUMBER.search(source.id) or _FR_NUMBER.search(Path(source.path).name)
    return found.group(1) if found else None


@dataclass
class CorpusSyncReport:
    """The official APIs' results and the `[[source]]` documents' results of one sync."""

    official: list[ApiResult]
    documents: SyncReport
    stand_ins: dict[str, str] = field(default_factory=dict)  # source id -> API name
    mirror: Path | None = None
    documents_in_corpus: int = 0
    skipped: list[str] = field(default_factory=list)  # mirror-only sources, no mirror set

    @property
    def ok(self) -> bool:
        return self.documents.ok and all(api.ok for api in self.official)

    @property
    def failed(self) -> list[SourceResult]:
        return self.documents.failed

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.documents.as_dict(),
            "ok": self.ok,
            "official": [api.as_dict() for api in self.official],
            "documents_in_corpus": self.documents_in_corpus,
            "skipped": self.skipped,
        }

    def summary(self) -> str:
        """One line, e.g. `eCFR: fetched; Federal Register: mirror; 6 sources: 6 mirror, ...`."""
        apis = "; ".join(f"{api.name}: {api.outcome.replace('_', ' ')}" for api in self.official)
        others = [r for r in self.documents.results if r.id not in self.stand_ins]
        counts = {o: sum(1 for r in others if r.outcome == o) for o in self.documents.counts}
        rest = ", ".join(f"{n} {o.replace('_', ' ')}" for o, n in counts.items())
        line = f"{len(others)} sources: {rest}"
        line = f"{apis}; {line}" if apis else line
        return f"{line}; {self.documents_in_corpus} documents in the corpus directory"

    def lines(self) -> list[tuple[str, str]]:
        """(style, text) lines for the CLI: short whatever happened (at most ~30 lines)."""
        out: list[tuple[str, str]] = []
        for api in self.official:
            text = f"{api.name} API: {api.detail}"
            if api.stood_in:
                text += f"; the mirror stood in: {api.stood_in} documents"
            if api.stand_in_failed and self.mirror is None:
                text += f"; no mirror to stand in ({api.stand_in_failed} documents)"
            elif api.stand_in_failed:
                text += (
                    f"; {api.stand_in_failed} mirror stand-ins could not be copied either"
                    f" ({_short(api.stand_in_reason)})"
                )
            if api.superseded:
                text += f"; {api.superseded} mirror stand-ins not needed"
            out.append(("green" if api.ok else "red", f"{api.outcome:>12}  {text}"))
        others = [r for r in self.documents.results if r.id not in self.stand_ins]
        shown = (
            others
            if len(others) <= _MAX_DOCUMENT_LINES
            else [r for r in others if r.outcome == "failed"]
        )
        for r in shown[:_MAX_FAILED_LINES] if len(shown) > _MAX_DOCUMENT_LINES else shown:
            style = "red" if r.outcome == "failed" else "green"
            out.append((style, f"{r.outcome:>12}  {r.path}  {_short(r.detail)}"))
        if len(shown) > _MAX_DOCUMENT_LINES:
            out.append(("red", f"{'':>12}  … and {len(shown) - _MAX_FAILED_LINES} more failed"))
        if self.skipped:
            out.append(
                (
                    "yellow",
                    f"{'skipped':>12}  {len(self.skipped)} source(s) only in the offline mirror, "
                    f"which is not configured: {', '.join(self.skipped[:3])}"
                    + (" …" if len(self.skipped) > 3 else ""),
                )
            )
        if not self.ok and self.mirror is None:
            out.append(
                (
                    "yellow",
                    "No offline mirror is configured, so nothing stood in for what could not be "
                    "fetched. Without network, point TPA_CORPUS_MIRROR at an offline copy of the "
                    "corpus (a folder laid out like the paths in corpus/sources.toml) and run "
                    "`TPA_CORPUS_MIRROR=/path/to/corpus tpa sync --offline`.",
                )
            )
        if self.documents_in_corpus == 0:
            out.append(("red", "Nothing was synced, so there is nothing to ingest (`tpa ingest`)."))
        return out


def _short(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def count_documents(corpus_dir: Path) -> int:
    """Documents the default ingest would find in the corpus directory."""
    if not corpus_dir.is_dir():
        return 0
    return sum(
        1
        for p in corpus_dir.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUPPORTED_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(corpus_dir).parts)
    )


def _stand_in_groups(
    catalogue: Catalogue, results: dict[str, ApiResult]
) -> list[tuple[list[str], ApiResult, Callable[[Source], str | None]]]:
    groups: list[tuple[list[str], ApiResult, Callable[[Source], str | None]]] = []
    if catalogue.ecfr is not None and "ecfr" in results:
        groups.append((catalogue.ecfr.mirror, results["ecfr"], part_of))
    if catalogue.federal_register is not None and "federal_register" in results:
        groups.append(
            (catalogue.federal_register.mirror, results["federal_register"], document_number_of)
        )
    return groups


def sync_corpus(
    catalogue: Catalogue, settings: Settings, progress: bool = True
) -> CorpusSyncReport:
    """Sync everything the catalogue declares into `settings.corpus_dir` (see module doc)."""
    corpus = settings.corpus_dir
    corpus.mkdir(parents=True, exist_ok=True)
    state = OfficialState(corpus)
    results: dict[str, ApiResult] = {}
    with contextlib.ExitStack() as stack:
        client = (
            None
            if settings.offline or (catalogue.ecfr is None and catalogue.federal_register is None)
            else stack.enter_context(http.client(settings, USER_AGENT, workers=8))
        )
        if catalogue.ecfr is not None:
            results["ecfr"] = sync_ecfr(catalogue.ecfr, settings, client, state, progress)
        if catalogue.federal_register is not None:
            results["federal_register"] = sync_federal_register(
                catalogue.federal_register, settings, client, state, progress
            )

    in_scope = set(scope_parts(catalogue.ecfr, settings)) if catalogue.ecfr else set()
    groups = _stand_in_groups(catalogue, results)
    to_sync: list[Source] = []
    mirror_only: dict[str, str] = {}
    stand_in_of: dict[str, ApiResult] = {}
    for source in catalogue.sources:
        group = next((g for g in groups if any(source.path.startswith(p) for p in g[0])), None)
        if group is None:
            to_sync.append(source)
            continue
        _, api, key_of = group
        key = key_of(source)
        if api.name == "eCFR" and key is not None and key not in in_scope:
            # Outside the configured EAR scope: left out, like the API leaves it out.
            _remove_copy(corpus, source)
            continue
        if api.needs_stand_in(key):
            mirror_only[source.id] = f"stands in for the {api.name} API"
            stand_in_of[source.id] = api
            to_sync.append(source)
        else:
            api.superseded += 1
            _remove_copy(corpus, source)
    skipped: list[Source] = []
    if settings.corpus_mirror is None:
        # Documents that exist only in the offline mirror (no URL): without one there is
        # nothing to try, and that is not a failure of this sync.
        skipped = [s for s in to_sync if s.id not in mirror_only and not (s.url or s.download_url)]
        to_sync = [s for s in to_sync if s not in skipped]
    documents = sync_sources(to_sync, settings, progress, mirror_only)
    for result in documents.results:
        standing_in = stand_in_of.get(result.id)
        if standing_in is None:
            continue
        if result.outcome == "failed":
            standing_in.stand_in_failed += 1
            standing_in.stand_in_reason = standing_in.stand_in_reason or result.detail
        else:
            standing_in.stood_in += 1
    for api in results.values():
        if api.outcome in ("failed", "offline") and api.stood_in:
            api.outcome = "mirror"
    report = CorpusSyncReport(
        official=list(results.values()),
        documents=documents,
        stand_ins={sid: api.name for sid, api in stand_in_of.items()},
        mirror=settings.corpus_mirror,
        documents_in_corpus=count_documents(corpus),
        skipped=[s.path for s in skipped],
    )
    logger.info("sync finished: %s", report.summary())
    return report


def _remove_copy(corpus: Path, source: Source) -> int:
    """Delete a stand-in's earlier mirror copy (and a fetched page of it); 1 if one was there."""
    target = corpus / source.path
    found = remove_document(target) | remove_document(target.with_suffix(".html"))
    folder = target.parent
    while found and folder != corpus and folder.is_relative_to(corpus):
        try:
            folder.rmdir()  # only when empty
        except OSError:
            break
        folder = folder.parent
    return int(found)

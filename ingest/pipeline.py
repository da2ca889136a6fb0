"""Incremental, idempotent, crash-safe ingest of files into the store.

A content hash (file bytes + sidecar + catalogue entry + chunking settings) decides per document:
unchanged -> skipped before any parsing or embedding; changed -> chunks replaced; gone from an
ingested folder -> removed. Each run first repairs what a killed run may have left (chunks
without a ledger record, records whose chunk count is short), so SIGKILL at any point followed
by another run gives the same store as one clean run.

Why not LangChain's indexing API (`index()` + `SQLRecordManager`): its record manager lives in a
separate SQL database, so with a Chroma server every replica would keep its own ledger that can
drift from the shared store, and a crash between its two writes leaves them disagreeing; it also
works per chunk, while we need per-document skip before parsing and exact character spans.
"""

from __future__ import annotations

import contextlib
import fcntl
import fnmatch
import hashlib
import json
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.access import access_groups
from assistant.config import Settings
from assistant.index.embeddings import count_tokens, embed_texts
from assistant.index.snapshot import build as build_lexical_index
from assistant.index.snapshot import index_exists as lexical_index_exists
from assistant.index.store import Store
from assistant.models import Chunk
from assistant.progress import progress as progress_bar
from ingest.chunking import chunk_document
from ingest.documents import Document
from ingest.loaders import SUPPORTED_SUFFIXES, LoadError, load_document
from ingest.loaders.common import read_sidecar, sidecar_path
from ingest.metadata import PINNED, AccessError, document_metadata
from ingest.sources import Source, load_sources, sources_by_path

log = logging.getLogger(__name__)

# Bump when loaders, chunking or what is stored per chunk change: every document is then
# re-ingested. 3: chunks carry their document version's hash (`doc_hash`), for consistent reads.
# 4: paragraph designators are parsed by their sequence, so chunk citations name paragraphs that
# exist (lists inside definitions no longer start new top-level paragraphs).
# 5: chunks carry the legal-status notes affecting them (`status_notes`: stays, amendments not in
# the text) and how their date was established (`date_basis`, `effective`, `amended_through`);
# an undated document is no longer given the file's date.
# (How sidecar and catalogue metadata are merged needs no bump: the merged metadata is part of
# the content hash, so exactly the documents whose access or source_url comes out different
# are re-ingested, and the rest keep their vectors.)
# 6: "Pte.", "Pvt.", "Sdn.", "Bhd.", "Ave." and "Blvd." no longer end a sentence (chunk and
# sentence boundaries move in the FR rules naming such companies).
PIPELINE_VERSION = "6"
_EMBED_BUFFER = 1024  # chunks gathered across documents per model call: the model sorts a call by
# length, so bigger calls pad less (throughput within a few % of one call over everything)


class IngestBusy(RuntimeError):
    """Another ingest holds the lock on this data dir."""


@dataclass
class Failure:
    path: str
    reason: str


@dataclass
class IngestWarning:
    """Something ingest changed or chose about a document that still went in (see `message`)."""

    path: str
    message: str


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks_added: int = 0
    chunks_removed: int = 0
    chunks_total: int = 0
    embedded: int = 0
    failures: list[Failure] = field(default_factory=list)
    warnings: list[IngestWarning] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files of a type no loader reads
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": {
                "added": self.added,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "removed": self.removed,
                "failed": len(self.failures),
            },
            "chunks": {
                "added": self.chunks_added,
                "removed": self.chunks_removed,
                "total": self.chunks_total,
            },
            "failures": [asdict(f) for f in self.failures],
            "warnings": [asdict(w) for w in self.warnings],
            "skipped": list(self.skipped),
            "seconds": round(self.seconds, 3),
        }


@dataclass
class _Target:
    root: Path
    files: list[Path]
    prune: bool  # a folder: documents that vanished from it are removed


@dataclass
class _Pending:
    doc: Document
    record: dict[str, Any]
    chunks: list[Chunk]
    is_new: bool


def _slug(rel_path: str) -> str:
    stem = rel_path.rsplit(".", 1)[0] if "." in rel_path.rsplit("/", 1)[-1] else rel_path
    return re.sub(r"[^a-z0-9.]+", "-", stem.lower()).strip("-.") or "document"


def _discover(path: Path, exclude: list[str], skipped: list[str]) -> list[Path]:
    """Supported files under a folder; hidden paths, sidecars and collection notes are skipped,
    and files of other types are added to `skipped` (so the report can name them)."""
    files = []
    for p in sorted(path.rglob("*")):
        rel_parts = p.relative_to(path).parts
        if any(part.startswith(".") for part in rel_parts):
            continue
        if any(fnmatch.fnmatch(p.name, pattern) for pattern in exclude):
            continue
        if (
            p.is_file()
            and p.suffix.lower() in SUPPORTED_SUFFIXES
            and not p.name.endswith(".meta.json")
        ):
            files.append(p)
        elif p.is_file() and not p.name.endswith(".meta.json"):
            skipped.append(str(p))
    return files


def _targets(paths: list[Path], exclude: list[str], report: IngestReport) -> list[_Target]:
    targets = []
    for raw in paths:
        path = raw.expanduser().resolve()
        if path.is_dir():
            targets.append(_Target(path, _discover(path, exclude, report.skipped), prune=True))
        elif path.is_file():
            if path.name.endswith(".meta.json"):
                report.failures.append(
                    Failure(str(raw), "a sidecar, not a document: ingest its document")
                )
                continue
            targets.append(_Target(path.parent, [path], prune=False))
        else:
            report.failures.append(Failure(str(raw), "no such file or directory"))
    return targets


def _content_hash(path: Path, meta: dict[str, Any], settings: Settings) -> str:
    h = hashlib.sha256()
    h.update(
        f"v{PIPELINE_VERSION}:{settings.chunk_max_tokens}:{settings.chunk_target_tokens}\0".encode()
    )
    h.update(path.read_bytes())
    side = sidecar_path(path)
    if side.is_file():
        h.update(side.read_bytes())
    h.update(json.dumps(meta, sort_keys=True, default=str).encode())
    return h.hexdigest()


@contextlib.contextmanager
def _ingest_lock(settings: Settings) -> Iterator[None]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.data_dir / ".ingest.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IngestBusy(f"another ingest is running on {settings.data_dir}") from exc
        yield


def run_ingest(
    paths: list[Path] | None,
    settings: Settings,
    store: Store | None = None,
    progress: bool = True,
) -> IngestReport:
    """Ingest files or folders (default: the synced corpus); see the module docstring."""
    started = time.perf_counter()
    report = IngestReport()
    if not paths:
        if not settings.corpus_dir.is_dir():
            report.failures.append(
                Failure(
                    str(settings.corpus_dir), "the default corpus is not synced: run `tpa sync`"
                )
            )
            return report
        paths = [settings.corpus_dir]
    targets = _targets(paths, settings.ingest_exclude, report)
    catalog = (
        sources_by_path(load_sources(settings.sources_file))
        if settings.sources_file.is_file()
        else {}
    )
    store = store or Store(settings)
    with _ingest_lock(settings):
        records = store.reconcile_ledger()
        _repair(store, records, report)
        total_files = sum(len(t.files) for t in targets)
        with progress_bar("ingest", total_files, progress) as task:
            task.note("0 chunks")
            pending: list[_Pending] = []
            seen: dict[str, str] = {}
            for target in targets:
                for path in target.files:
                    task.advance()
                    item = _plan(path, target.root, catalog, records, seen, settings, store, report)
                    if item is None:
                        continue
                    pending.append(item)
                    if sum(len(p.chunks) for p in pending) >= _EMBED_BUFFER:
                        _flush(pending, store, settings, report)
                        task.note(f"{report.chunks_added} chunks")
                _flush(pending, store, settings, report)
                task.note(f"{report.chunks_added} chunks")
                if target.prune:
                    _prune(target.root, records, seen, store, report)
        report.chunks_total = store.count()
        changed = report.added or report.updated or report.removed or report.chunks_removed
        if changed or not lexical_index_exists(store):
            build_lexical_index(store)  # BM25 always describes exactly what is stored
    report.seconds = time.perf_counter() - started
    return report


def _repair(store: Store, records: dict[str, dict[str, Any]], report: IngestReport) -> None:
    """Undo what a killed run left: chunks with no record, records whose chunks are short."""
    stored = store.chunk_doc_ids()
    for doc_id, n in stored.items():
        if doc_id not in records:
            log.warning(
                "removing %d orphan chunks of %s (an earlier run was interrupted)", n, doc_id
            )
            report.chunks_removed += store.delete_chunks_of(doc_id)
    for doc_id, record in records.items():
        if stored.get(doc_id, 0) != int(record.get("chunk_count", -1)):
            log.warning("document %s is incomplete in the store; it will be re-ingested", doc_id)
            record["content_hash"] = ""


def _plan(
    path: Path,
    root: Path,
    catalog: dict[str, Source],
    records: dict[str, dict[str, Any]],
    seen: dict[str, str],
    settings: Settings,
    store: Store,
    report: IngestReport,
) -> _Pending | None:
    rel = path.relative_to(root).as_posix()
    source = catalog.get(rel)
    try:
        sidecar = read_sidecar(path)
    except LoadError as exc:
        # Still claim the id, so pruning does not delete the version already stored.
        seen.setdefault(source.id if source else _slug(rel), rel)
        report.failures.append(Failure(str(path), str(exc)))
        return None

    def warn(message: str) -> None:
        report.warnings.append(IngestWarning(str(path), message))

    try:
        doc_id = str(sidecar.get("id") or (source.id if source else _slug(rel)))
        if doc_id in seen:
            raise LoadError(f"doc_id {doc_id!r} is already used by {seen[doc_id]}")
        seen[doc_id] = rel
        meta = document_metadata(source, sidecar, path, warn)
        digest = _content_hash(path, meta, settings)
    except AccessError as exc:
        # Fail closed: a version stored under an earlier reading of its access goes too.
        report.failures.append(
            Failure(str(path), str(exc) + _drop_stored(doc_id, records, store, report))
        )
        return None
    except (LoadError, OSError) as exc:
        report.failures.append(Failure(str(path), str(exc)))
        return None
    old = records.get(doc_id)
    base_record = {"source_path": rel, "root": str(root)}
    if old and old.get("content_hash") == digest:
        report.unchanged += 1
        if old.get("root") != str(root) or old.get("source_path") != rel:
            store.touch_record(doc_id, base_record)
        return None
    try:
        doc = load_document(path, doc_id, {**meta, "source_path": rel})
        doc.metadata.update({key: meta[key] for key in PINNED})  # no loader widens access
        chunks = chunk_document(
            doc, count_tokens, settings.chunk_max_tokens, settings.chunk_target_tokens
        )
    except LoadError as exc:
        # A changed file that no longer loads keeps its previous version in the store, unless
        # that version's access is not what its metadata says now (it may have been narrowed).
        dropped = ""
        if old is not None and set(access_groups(old)) != set(meta["access"]):
            dropped = _drop_stored(doc_id, records, store, report)
        report.failures.append(Failure(str(path), str(exc) + dropped))
        return None
    record = {
        **{k: v for k, v in doc.metadata.items() if k != "source_path"},
        **base_record,
        "doc_id": doc_id,
        "content_hash": digest,
        "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return _Pending(doc=doc, record=record, chunks=chunks, is_new=old is None)


def _drop_stored(
    doc_id: str, records: dict[str, dict[str, Any]], store: Store, report: IngestReport
) -> str:
    """Remove the stored version of a document, if any; the note to add to its failure."""
    if records.pop(doc_id, None) is None:
        return ""
    report.chunks_removed += store.delete_document(doc_id)
    report.removed += 1
    return "; the version stored earlier was removed"


def _flush(pending: list[_Pending], store: Store, settings: Settings, report: IngestReport) -> None:
    if not pending:
        return
    texts = [c.embed_text for p in pending for c in p.chunks]
    vectors = embed_texts(texts, batch_size=settings.embed_batch_size)
    report.embedded += len(texts)
    offset = 0
    for item in pending:
        n = len(item.chunks)
        added, removed = store.write_document(
            item.doc.doc_id,
            item.doc.text,
            item.record,
            item.chunks,
            vectors[offset : offset + n],
            item.record["source_path"],
        )
        offset += n
        log.debug("stored %s (%d chunks)", item.doc.doc_id, added)
        report.chunks_added += added
        report.chunks_removed += removed
        if item.is_new:
            report.added += 1
        else:
            report.updated += 1
    pending.clear()


def _prune(
    root: Path,
    records: dict[str, dict[str, Any]],
    seen: dict[str, str],
    store: Store,
    report: IngestReport,
) -> None:
    for doc_id, record in records.items():
        if record.get("root") == str(root) and doc_id not in seen:
            report.chunks_removed += store.delete_document(doc_id)
            report.removed += 1

"""What a replica's ledger check costs at a large corpus, without loading the corpus.

Every replica checks every few seconds whether the store moved on: it reads the ledger's
change mark (one record), and the ledger only when the mark moved (then also in a refresh
after an ingest): the records written since its last look (`assistant.index.ledger_follow`),
or the whole ledger when that read cannot be trusted. This bench writes only ledger records,
as many as a corpus of the given size has documents (bench/scale.py's generator makes about
ten chunks per document: 1M chunks, 100k records), written 10 s apart months ago, into a real
`chroma run`; times the mark read and the whole read; then writes one record at a time (what
a 1-document ingest writes) and times the replica's read of the ledger after each.

    python bench/ledger_scale.py                    # 100k records (a 1M-chunk corpus)
    python bench/ledger_scale.py --records 10000    # a 100k-chunk corpus

Prints the figures and writes bench/results/ledger_scale.json. Work files go to --work (default
/tmp/tpa-ledger-scale), removed first.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loadkit import percentile, stop  # noqa: E402
from scale import start_chroma  # noqa: E402

from assistant.config import Settings  # noqa: E402
from assistant.index import ledger_follow  # noqa: E402
from assistant.index.store import WRITTEN_AT, Store, now_ms  # noqa: E402

RESULTS = Path(__file__).resolve().parents[1] / "bench" / "results"
BATCH = 2000
STAMP_0 = now_ms() - 86_400_000 - 10_000 * 1_000_000


def _record(n: int) -> dict[str, object]:
    """A ledger record shaped like the ingest's (and bench/scale.py's) for document n, written
    10 s after document n-1, all of them months ago."""
    doc_id = f"syn-{n:07d}"
    return {
        WRITTEN_AT: STAMP_0 + n * 10_000,
        "doc_id": doc_id,
        "content_hash": hashlib.sha256(doc_id.encode()).hexdigest(),
        "source_path": f"synthetic/{doc_id}.txt",
        "root": "synthetic",
        "title": f"Regulation {n}: licence exception export control words",
        "doc_type": "regulation",
        "access": "public",
        "chunk_count": 10,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--work", default="/tmp/tpa-ledger-scale")
    parser.add_argument("--out", default=str(RESULTS / "ledger_scale.json"))
    args = parser.parse_args()
    if args.records < 1:
        sys.exit("--records must be at least 1")
    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    proc, port = start_chroma(work)
    try:
        os.environ["TPA_CHROMA_HOST"], os.environ["TPA_CHROMA_PORT"] = "127.0.0.1", str(port)
        store = Store(Settings())
        started = time.perf_counter()
        for first in range(0, args.records, BATCH):
            rows = range(first, min(args.records, first + BATCH))
            records = [_record(n) for n in rows]
            store.ledger.upsert(
                ids=[str(r["doc_id"]) for r in records],
                embeddings=[[1.0]] * len(records),
                metadatas=records,  # type: ignore[arg-type]
            )
            print(f"  {rows.stop:,} records", end="\r", flush=True)
        load_s = time.perf_counter() - started
        print(" " * 40, end="\r")
        full: list[float] = []
        for _ in range(3):
            t = time.perf_counter()
            got = store.document_records()
            full.append(time.perf_counter() - t)
            if len(got) != args.records:
                sys.exit(f"read {len(got)} records, wrote {args.records}")
        marks: list[float] = []
        for _ in range(50):
            t = time.perf_counter()
            store.ledger_mark()
            marks.append((time.perf_counter() - t) * 1000)
        marks.sort()
        ledger_follow.current_records(store)  # a replica's first look: the whole ledger
        since: list[float] = []
        for n in range(args.records, args.records + 20):
            store._upsert_records([f"syn-{n:07d}"], [_record(n)])  # stamped now
            store._mark_changed()
            before = ledger_follow.reads.since
            t = time.perf_counter()
            got = ledger_follow.current_records(store)
            since.append((time.perf_counter() - t) * 1000)
            if ledger_follow.reads.since != before + 1 or f"syn-{n:07d}" not in got:
                sys.exit("the replica's read after a 1-record write was not the incremental one")
        since.sort()
        result = {
            "records": args.records,
            "load_s": round(load_s, 1),
            "full_ledger_read_s": [round(x, 2) for x in full],
            "mark_read_ms": {
                "p50": round(percentile(marks, 50), 2),
                "p95": round(percentile(marks, 95), 2),
            },
            "read_after_1_record_ms": {
                "p50": round(percentile(since, 50), 1),
                "p95": round(percentile(since, 95), 1),
                "n": len(since),
            },
        }
    finally:
        stop(proc)
    print(
        f"{args.records:,} ledger records (loaded in {result['load_s']} s): full ledger read "
        f"{', '.join(f'{x:.2f}' for x in result['full_ledger_read_s'])} s; change mark read "
        f"p50 {result['mark_read_ms']['p50']} ms, p95 {result['mark_read_ms']['p95']} ms; "
        f"the replica's read after a 1-record write p50 "
        f"{result['read_after_1_record_ms']['p50']} ms, p95 "
        f"{result['read_after_1_record_ms']['p95']} ms"
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

"""Soak: a real `tpa serve` under mixed load while `tpa ingest` re-ingests changed documents.

Builds a work dir (default: a fresh temp dir) with a copy of ~15 mirror documents (a few large
eCFR sections among them), ingests it (embedded Chroma, no server), starts `tpa serve` on a free
loopback port against that data dir, then runs --clients closed-loop client threads for
--seconds, each mixing POST /v1/ask, GET /v1/search and GET /v1/passages/{chunk_id} (ids from its
own searches). Meanwhile, from --ingest-after seconds on, rounds of edits (a paragraph modified,
one appended, in a few documents) are each followed by a `tpa ingest` subprocess on the same data
dir, until --ingests rounds ran or the time is up.

Checks and reports:
  * requests/s, p50/p95/p99 per endpoint; errors = any non-200 answer or exception, except 429
    and 503 (counted apart: the bench raises the limits so there should be none), and except
    404 from /v1/passages for a chunk of an edited document (its chunk was replaced by an ingest
    between the search and the fetch: the correct answer, counted apart);
  * every citation quote, search passage and /v1/passages text equals the stored text of its
    document at its span in one of the versions the ingests produced (never half of one);
  * after the last ingest the new text is served without a restart;
  * audit lines / answers: lines of <data>/audit/audit.jsonl* with surface "api" against the
    number of 200 answers from /v1/ask ("not available" if there is no audit file).
Writes bench/results/soak.json.

Server settings for the bench (say so when quoting figures): TPA_RATE_LIMIT_PER_MINUTE=1000000
(the default 120/min per key would 429 a 16-client soak from one key), TPA_MAX_CONCURRENCY=4
(the default; 2 CPUs gain nothing from more), TPA_QUEUE_TIMEOUT=30 (instead of 2 s: 16 clients
over 4 slots queue for longer than 2 s while an ingest takes CPU, and 503 is not what a soak
measures).

    python bench/soak.py [--seconds 60] [--clients 16] [--work DIR]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
import loadkit  # noqa: E402

MIRROR = REPO.parent / "shared" / "corpus"
RESULTS = REPO / "bench" / "results" / "soak.json"
API_KEY = "soak-key"

DOCS = [
    "regulation/ecfr/15-CFR-742.6.txt",  # large eCFR sections
    "regulation/ecfr/15-CFR-740.17.txt",
    "regulation/ecfr/15-CFR-740.11.txt",
    "regulation/ecfr/15-CFR-740.9.txt",
    "regulation/ecfr/15-CFR-744.11.txt",
    "regulation/ecfr/15-CFR-744.6.txt",
    "regulation/ecfr/15-CFR-736.2.txt",
    "regulation/ecfr/15-CFR-746.8.txt",
    "regulation/ecfr_md/15-CFR-734.3.md",
    "article/2019-11-24-microsoft-huawei-export-licence.txt",
    "federal_register/FR-2024-06067.txt",
    "federal_register/FR-2025-05426.txt",
    "federal_register/govinfo_excerpts/FR-2019-17920_84FR43487_opening-excerpt.txt",
    "press_release/2019-08-19_BIS_46-Huawei-affiliates-added_TGL-extended.txt",
    "press_release/BIS-guidance_License-Exception-ENC_740-17b3_mass-market-5D992c.txt",
]
EDITED = [
    "regulation/ecfr/15-CFR-742.6.txt",
    "regulation/ecfr/15-CFR-744.11.txt",
    "article/2019-11-24-microsoft-huawei-export-licence.txt",
    "federal_register/FR-2024-06067.txt",
]
QUESTIONS = [
    "Do mass-market software sales to Huawei need a US export licence?",
    "Does the Entity List licence requirement reach affiliates of a listed entity?",
    "What is License Exception ENC for mass-market encryption items?",
    "Which items are subject to the Export Administration Regulations?",
    "What are the licence requirements for crime control items?",
    "When may License Exception GOV be used?",
    "What does License Exception TMP allow for temporary exports?",
    "What controls apply to exports to Russia and Belarus?",
    "What must an exporter know about end uses in 744.6?",
    "Which form must the soak round notice be filed on?",
]


# ---- statistics ----------------------------------------------------------------------------


@dataclass
class Stats(loadkit.Stats):
    """As loadkit's, with 429/503 answers and passage 404s of replaced chunks counted apart
    from the errors."""

    limited: Counter[str] = field(default_factory=Counter)  # 429 / 503
    replaced: int = 0  # passage 404s of chunks an ingest replaced

    @property
    def requests(self) -> int:
        return super().requests + sum(self.limited.values()) + self.replaced

    def summary(self, seconds: float) -> dict[str, Any]:
        return {
            **super().summary(seconds),
            "limited_429_503": dict(self.limited),
            "passage_404_replaced": self.replaced,
        }


# ---- setup ---------------------------------------------------------------------------------


def copy_corpus(dest: Path) -> list[str]:
    copied = []
    for rel in DOCS:
        src = MIRROR / rel
        if not src.is_file():
            print(f"  (skipped, not in the mirror: {rel})")
            continue
        for path in (src, src.with_name(src.stem + ".meta.json")):
            if path.is_file():
                target = dest / path.relative_to(MIRROR)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
        copied.append(rel)
    return copied


def base_env(data: Path, args: argparse.Namespace) -> dict[str, str]:
    return loadkit.serve_env(
        data,
        TPA_API_KEYS=json.dumps({API_KEY: {"name": "soak", "groups": ["public"]}}),
        TPA_RATE_LIMIT_PER_MINUTE=str(args.rate_limit),
        TPA_MAX_CONCURRENCY=str(args.max_concurrency),
        TPA_QUEUE_TIMEOUT=str(args.queue_timeout),
    )


def ingest(corpus: Path, env: dict[str, str]) -> dict[str, Any]:
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "api.cli", "ingest", str(corpus), "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=1800,
    )
    seconds = time.perf_counter() - t
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        report = {"stdout": proc.stdout[-500:]}
    if proc.returncode != 0:
        report["stderr"] = proc.stderr[-2000:]
    return {"exit_code": proc.returncode, "seconds": round(seconds, 1), "report": report}


def edit(corpus: Path, round_no: int) -> None:
    """Modify a paragraph (every later span moves) and append one, in each edited document."""
    for rel in EDITED:
        path = corpus / rel
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        paragraphs = text.split("\n\n")
        i = min(len(paragraphs) - 1, 2 + round_no)
        paragraphs[i] = paragraphs[i].replace(" the ", f" the (soak round {round_no}) ", 1)
        text = "\n\n".join(paragraphs)
        text += (
            f"\n\nSoak round {round_no} notice: exporters file form SR-{round_no} "
            f"before any reexport covered by {path.stem}.\n"
        )
        path.write_text(text, encoding="utf-8")


def read_store(data: Path) -> tuple[dict[str, str], dict[str, str]]:
    """doc_id -> stored text, and doc_id -> source path, read from the store (document texts
    and the ledger live in Chroma's SQLite, which this process reads as the ingests leave it)."""
    from assistant.config import Settings
    from assistant.index.store import Store

    store = Store(Settings(data_dir=data))
    texts, paths = {}, {}
    for doc_id, record in store.document_records().items():
        doc = store.get_document(doc_id)
        if doc is not None:
            texts[doc_id] = doc.text
            paths[doc_id] = str(record.get("source_path", ""))
    return texts, paths


# ---- load ----------------------------------------------------------------------------------


class Soak:
    def __init__(self, base: str, clients: int, seconds: float, edited_ids: set[str]) -> None:
        self.base, self.clients, self.seconds = base, clients, seconds
        self.edited_ids = edited_ids
        self.stats = {
            "ask": Stats("POST /v1/ask"),
            "search": Stats("GET /v1/search"),
            "passage": Stats("GET /v1/passages/{chunk_id}"),
        }
        self.spans: set[tuple[str, str, int, int, str]] = set()  # (kind, doc, start, end, text)
        self.lock = threading.Lock()
        self.deadline = 0.0

    def _record(self, kind: str, doc_id: str, start: int, end: int, text: str) -> None:
        with self.lock:
            self.spans.add((kind, doc_id, start, end, text))

    def _call(self, stats: Stats, client: httpx.Client, method: str, url: str, **kw: Any) -> Any:
        """The response (None after an exception); 200s timed, 429/503 counted apart, other
        statuses left to the caller (`_error`)."""
        t = time.perf_counter()
        try:
            r = client.request(method, url, **kw)
        except httpx.HTTPError as exc:
            with self.lock:
                stats.errors[type(exc).__name__] += 1
            return None
        ms = (time.perf_counter() - t) * 1000
        with self.lock:
            if r.status_code == 200:
                stats.latencies_ms.append(ms)
            elif r.status_code in (429, 503):
                stats.limited[f"HTTP {r.status_code}"] += 1
        return r

    def _error(self, stats: Stats, r: httpx.Response) -> None:
        with self.lock:
            stats.errors[f"HTTP {r.status_code}"] += 1

    def _loop(self, n: int) -> None:
        rng = random.Random(n)
        ids: list[tuple[str, str]] = []  # (chunk_id, doc_id) from this client's searches
        headers = {"Authorization": f"Bearer {API_KEY}"}
        with httpx.Client(
            base_url=self.base, timeout=120, headers=headers, trust_env=False
        ) as client:
            while time.monotonic() < self.deadline:
                q = rng.choice(QUESTIONS)
                pick = rng.random()
                if pick < 0.4:
                    stats = self.stats["ask"]
                    r = self._call(stats, client, "POST", "/v1/ask", json={"question": q})
                    if r is None or r.status_code in (429, 503):
                        continue
                    if r.status_code != 200:
                        self._error(stats, r)
                        continue
                    for c in r.json().get("citations", []):
                        self._record("quote", c["doc_id"], c["start"], c["end"], c["quote"])
                elif pick < 0.75 or not ids:
                    stats = self.stats["search"]
                    params = {"q": q, "k": 5}
                    r = self._call(stats, client, "GET", "/v1/search", params=params)
                    if r is None or r.status_code in (429, 503):
                        continue
                    if r.status_code != 200:
                        self._error(stats, r)
                        continue
                    results = r.json().get("results", [])
                    ids = [(p["chunk_id"], p["doc_id"]) for p in results] or ids
                    for p in results:
                        self._record("search", p["doc_id"], p["start"], p["end"], p["text"])
                else:
                    chunk_id, doc_id = rng.choice(ids)
                    stats = self.stats["passage"]
                    r = self._call(stats, client, "GET", f"/v1/passages/{quote(chunk_id, safe='')}")
                    if r is None or r.status_code in (429, 503):
                        continue
                    if r.status_code == 404 and doc_id in self.edited_ids:
                        with self.lock:  # replaced by an ingest since the search: correct
                            stats.replaced += 1
                        ids.remove((chunk_id, doc_id))
                        continue
                    if r.status_code != 200:
                        self._error(stats, r)
                        continue
                    b = r.json()
                    self._record("passage", b["doc_id"], b["start"], b["end"], b["text"])
                    lo, hi = b["context_start"], b["context_end"]
                    self._record("context", b["doc_id"], lo, hi, b["context"])

    def run(self) -> float:
        self.deadline = time.monotonic() + self.seconds
        threads = [threading.Thread(target=self._loop, args=(i,)) for i in range(self.clients)]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        return time.perf_counter() - t


def ingest_rounds(
    corpus: Path,
    data: Path,
    env: dict[str, str],
    args: argparse.Namespace,
    deadline: float,
    rounds: list[dict[str, Any]],
    versions: list[dict[str, str]],
) -> None:
    """Edit, ingest, record the texts it stored; again while there is time."""
    start = deadline - args.seconds
    time.sleep(args.ingest_after)
    for round_no in range(1, args.ingests + 1):
        if time.monotonic() > deadline - 10:
            break
        edit(corpus, round_no)
        started = time.monotonic()
        result = ingest(corpus, env)
        result.update(round=round_no, started_s=round(started - start, 1))
        rounds.append(result)
        versions.append(read_store(data)[0])
        print(
            f"ingest round {round_no} at {result['started_s']} s: exit {result['exit_code']} "
            f"in {result['seconds']} s: {json.dumps(result['report'].get('documents'))}"
        )
        time.sleep(args.ingest_pause)


def audit_ratio(data: Path, answers: int) -> dict[str, Any]:
    files = sorted(glob.glob(str(data / "audit" / "audit.jsonl*")))
    if not files:
        return {"available": False, "text": "audit: not available"}
    lines = 0
    for name in files:
        with open(name, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    if json.loads(line).get("surface") == "api":
                        lines += 1
                except json.JSONDecodeError:
                    continue
    return {
        "available": True,
        "files": [Path(f).name for f in files],
        "api_lines": lines,
        "ask_answers_200": answers,
        "text": f"audit lines / answers: {lines} / {answers}",
        "note": "answers = 200s of POST /v1/ask, the warm-up questions included",
    }


# ---- main ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--work", type=Path, help="work dir (default: a new temp dir, removed)")
    parser.add_argument("--ingest-after", type=float, default=8.0, help="seconds into the run")
    parser.add_argument("--ingests", type=int, default=2, help="edit+ingest rounds at most")
    parser.add_argument("--ingest-pause", type=float, default=8.0, help="seconds between rounds")
    parser.add_argument("--rate-limit", type=int, default=1_000_000)
    parser.add_argument("--max-concurrency", type=int, default=4)
    parser.add_argument("--queue-timeout", type=float, default=30.0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if not MIRROR.is_dir():
        sys.exit(f"the offline mirror {MIRROR} is absent")
    if not 1 <= args.clients <= 256 or not 0 < args.seconds <= 3600:
        sys.exit("--clients must be within 1..256 and --seconds within (0, 3600]")

    temp = args.work is None
    work = Path(tempfile.mkdtemp(prefix="tpa-soak-")) if temp else args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    corpus, data = work / "corpus", work / "data"
    try:
        shutil.rmtree(corpus, ignore_errors=True)
        shutil.rmtree(data, ignore_errors=True)
        docs = copy_corpus(corpus)
        env = base_env(data, args)
        print(f"work dir {work}: {len(docs)} documents; first ingest ...")
        first = ingest(corpus, env)
        if first["exit_code"] != 0:
            sys.exit(f"the first ingest failed: {first}")
        print(f"first ingest: {first['seconds']} s, chunks {first['report'].get('chunks')}")
        texts, paths = read_store(data)
        versions = [texts]
        edited_ids = {d for d, rel in paths.items() if rel in EDITED}

        with loadkit.tpa_serve(env, work / "serve.log") as (base, _):
            headers = {"Authorization": f"Bearer {API_KEY}"}
            warmups = QUESTIONS[:3]
            for q in warmups:  # warm-up, not measured (but audited)
                httpx.post(
                    f"{base}/v1/ask", json={"question": q}, headers=headers, timeout=120
                ).raise_for_status()
            soak = Soak(base, args.clients, args.seconds, edited_ids)
            rounds: list[dict[str, Any]] = []
            deadline = time.monotonic() + args.seconds
            ingester = threading.Thread(
                target=ingest_rounds, args=(corpus, data, env, args, deadline, rounds, versions)
            )
            load_before = os.getloadavg()[0]
            ingester.start()
            elapsed = soak.run()
            ingester.join()
            load_after = os.getloadavg()[0]
            # The last version without a restart: wait past the 5 s check, then look for it.
            served_new = None
            if rounds:
                last = rounds[-1]["round"]
                time.sleep(6)
                r = httpx.get(
                    f"{base}/v1/search",
                    params={"q": f"Soak round {last} notice form SR-{last}", "k": 5},
                    headers=headers,
                    timeout=120,
                )
                served_new = r.status_code == 200 and any(
                    f"form SR-{last}" in p["text"] for p in r.json()["results"]
                )
        check = check_spans(soak.spans, versions)
        answers = len(soak.stats["ask"].latencies_ms) + len(warmups)
        audit = audit_ratio(data, answers)
    finally:
        if temp:
            shutil.rmtree(work, ignore_errors=True)

    rows = [s.summary(elapsed) for s in soak.stats.values()]
    total = sum(r["requests"] for r in rows)
    errors = sum(r["errors"] for r in rows)
    limited = sum(sum(r["limited_429_503"].values()) for r in rows)
    print_table(rows)
    print(
        f"\ntotal: {total} requests in {elapsed:.1f} s = {total / elapsed:.1f} req/s with "
        f"{args.clients} clients; errors {errors}; 429/503 {limited}; "
        f"passage 404s of replaced chunks {sum(r['passage_404_replaced'] for r in rows)}"
    )
    print(
        f"quote check: {check['checked']} distinct spans, {check['mismatches']} match no version"
        f" ({check['by_kind']})"
    )
    print(f"new version served after the ingest without restart: {served_new}")
    print(audit["text"])
    result = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "seconds": round(elapsed, 1),
        "clients": args.clients,
        "cpus": os.cpu_count(),
        "documents": len(docs),
        "server_settings": {
            "TPA_RATE_LIMIT_PER_MINUTE": args.rate_limit,
            "TPA_MAX_CONCURRENCY": args.max_concurrency,
            "TPA_QUEUE_TIMEOUT": args.queue_timeout,
        },
        "first_ingest": first,
        "ingest_rounds": rounds,
        "endpoints": rows,
        "total": {
            "requests": total,
            "rps": round(total / elapsed, 2),
            "errors": errors,
            "limited_429_503": limited,
        },
        "quote_check": check,
        "new_version_served": served_new,
        "audit": audit,
        "loadavg_1m": [round(load_before, 2), round(load_after, 2)],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


def check_spans(
    spans: set[tuple[str, str, int, int, str]], versions: list[dict[str, str]]
) -> dict[str, Any]:
    mismatches = []
    by_kind: Counter[str] = Counter()
    for kind, doc_id, start, end, text in spans:
        by_kind[kind] += 1
        if not any(v.get(doc_id, "\0")[start:end] == text for v in versions if doc_id in v):
            mismatches.append({"kind": kind, "doc_id": doc_id, "start": start, "end": end})
    return {
        "checked": len(spans),
        "by_kind": dict(by_kind),
        "versions": len(versions),
        "mismatches": len(mismatches),
        "examples": mismatches[:5],
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    head = (
        f"{'endpoint':<28} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'errors':>6} {'429/503':>7} {'404 repl':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['endpoint']:<28} {r['requests']:>8} {loadkit.cell(r['rps']):>7} "
            f"{loadkit.cell(r['p50_ms']):>8} {loadkit.cell(r['p95_ms']):>8} "
            f"{loadkit.cell(r['p99_ms']):>8} {r['errors']:>6} "
            f"{sum(r['limited_429_503'].values()):>7} {r['passage_404_replaced']:>8}"
        )
        if r["errors_by_kind"]:
            print(f"{'':<28} errors: {r['errors_by_kind']}")


if __name__ == "__main__":
    main()

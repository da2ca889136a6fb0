"""How the read path scales: synthetic corpora of 10k, 100k (and, with --million, 1M) chunks
in a real `chroma run` server, measured through an in-process replica and a real `tpa serve`.

For each size (and each dense mode asked for):
- load: chunks and ledger records written to the server (vectors GENERATED, not embedded: see
  bench/scale_corpus.py; the model only embeds the vocabulary once and the /v1/ask questions);
- the first snapshot build (every chunk read, paged) and the replica's memory: RSS of the
  `tpa serve` process (VmRSS, anonymous and file-backed parts) and the growth of this process
  while it builds its own snapshot;
- refresh after a 1-document ingest: the replica's next snapshot (only changed documents read,
  BM25 re-indexed, the public view re-made), and the time until `tpa serve` returns the new
  document from /v1/search (that includes its 5 s check interval);
- retrieval p50/p95 in-process (Retriever.retrieve, a public caller, the question's vector given:
  no embedding), and POST /v1/ask p50/p95 at 1 and 8 closed-loop clients (the rate limit raised
  so it does not bite; the answers' abstention share is printed since abstaining is cheaper);
- recall@50 of the dense candidates (Chroma's HNSW under the public `where`) against an exact
  scan over the public chunks' generated vectors.

    python bench/scale.py                       # 10k and 100k, default dense mode
    python bench/scale.py --sizes 100000 --modes exact,index
    python bench/scale.py --million             # adds 1M (CPU heavy: tens of minutes here)

Writes bench/results/scale.json and bench/results/scale.png (latency and memory against size,
log axes). Work files (Chroma data, vectors) go to --work (default /tmp/tpa-scale).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
import numpy as np  # noqa: E402
from loadkit import Stats, free_port, percentile, serve_env, stop, wait_ready  # noqa: E402
from scale_corpus import Generator, vocabulary  # noqa: E402

from assistant.config import Settings  # noqa: E402
from assistant.index import snapshot as snap  # noqa: E402
from assistant.index.store import Store, StoreUnavailable, chunk_metadata  # noqa: E402
from assistant.models import Filters  # noqa: E402
from assistant.retrieval import retriever as retrieval  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
PUBLIC = Filters(groups=("public",))
K = 50
MODES = {"exact": 10**12, "index": 0}  # TPA_DENSE_EXACT_MAX_CHUNKS forcing either dense path


# ---- memory and load ------------------------------------------------------------------------


def rss_mb(pid: int | str = "self") -> dict[str, float]:
    """VmRSS and its anonymous / file-backed parts, in MB, from /proc."""
    out: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
            out[key] = round(int(value.split()[0]) / 1024, 1)
    return out


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


# ---- loading a corpus -----------------------------------------------------------------------


def start_chroma(path: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    binary = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen(
        [str(binary), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            url = f"http://127.0.0.1:{port}/api/v2/heartbeat"
            if httpx.get(url, timeout=2, trust_env=False).status_code == 200:
                return proc, port
        except httpx.HTTPError:
            time.sleep(0.3)
    stop(proc)
    sys.exit("chroma run did not answer within 120 s")


def load(store: Store, gen: Generator, size: int, vectors_file: Path) -> dict[str, Any]:
    """Write documents until `size` chunks are stored (chunks first, then their ledger
    records, as the ingest does); keep every vector and whether it is public, for recall."""
    max_batch = store.client.get_max_batch_size()
    batch = min(2000, max_batch)
    # A large add can take longer than the store's 30 s read timeout on a busy machine: the
    # loader waits (best-effort: chromadb's private session, as Store itself sets it).
    session = getattr(getattr(store.client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(600.0, connect=5.0)
    vectors = np.lib.format.open_memmap(vectors_file, "w+", np.float32, (size + 64, 384))
    public = np.zeros(size + 64, bool)
    ids: list[str] = []
    pending: tuple[list[Any], ...] = ([], [], [], [])
    ledger: tuple[list[Any], ...] = ([], [], [], [])
    docs = 0
    started = time.perf_counter()

    def flush() -> None:
        if pending[0]:
            store.chunks.add(
                ids=pending[0],
                documents=pending[1],
                embeddings=np.stack(pending[2]),
                metadatas=pending[3],
            )
            for part in pending:
                part.clear()
        if ledger[0]:
            store.documents.upsert(
                ids=ledger[0],
                documents=ledger[1],
                embeddings=np.ones((len(ledger[0]), 1), np.float32),
                metadatas=ledger[3],
            )
            store.ledger.upsert(
                ids=ledger[0],
                embeddings=np.ones((len(ledger[0]), 1), np.float32),
                metadatas=ledger[3],
            )
            for part in ledger:
                part.clear()

    for doc in gen.docs():
        if len(ids) >= size:
            break
        docs += 1
        for chunk, vec in zip(doc.chunks, doc.vectors, strict=True):
            row = len(ids)
            ids.append(chunk.chunk_id)
            vectors[row] = vec
            public[row] = "public" in doc.record["access"]  # type: ignore[operator]
            pending[0].append(chunk.chunk_id)
            pending[1].append(chunk.text)
            pending[2].append(vec)
            source, digest = str(doc.record["source_path"]), str(doc.record["content_hash"])
            pending[3].append(chunk_metadata(chunk, source, digest))
        record = {**doc.record, "chunk_count": len(doc.chunks)}
        record["access"] = ",".join(doc.record["access"])  # type: ignore[arg-type]
        ledger[0].append(doc.doc_id)
        ledger[1].append(doc.text)
        ledger[3].append(record)
        if len(pending[0]) >= batch:
            flush()
        if docs % 500 == 0:
            rate = len(ids) / (time.perf_counter() - started)
            print(f"  loaded {len(ids):,} chunks ({rate:,.0f}/s)", end="\r", flush=True)
    flush()
    seconds = time.perf_counter() - started
    vectors.flush()
    np.save(vectors_file.with_suffix(".public.npy"), public[: len(ids)])
    (vectors_file.with_suffix(".ids.json")).write_text(json.dumps(ids))
    print(f"  loaded {len(ids):,} chunks of {docs:,} documents in {seconds:.0f} s" + " " * 20)
    return {"chunks": len(ids), "documents": docs, "seconds": round(seconds, 1), "next_doc": docs}


# ---- measurements ---------------------------------------------------------------------------


def ms_summary(values: list[float]) -> dict[str, float | None]:
    v = sorted(values)
    return {
        "p50_ms": round(percentile(v, 50), 2) if v else None,
        "p95_ms": round(percentile(v, 95), 2) if v else None,
        "n": len(v),
    }


def dense_recall(store: Store, gen: Generator, vectors_file: Path, queries: int) -> dict[str, Any]:
    """The dense candidates a public caller gets when the replica holds no vectors (Chroma's
    HNSW asked as `Retriever._dense` asks it: without a `where`, over-fetched for the public
    share, then cut to the first 50 public ids) against the exact 50 nearest public chunks.
    Also how long the same query takes with the public `where` inside Chroma instead."""
    ids: list[str] = json.loads(vectors_file.with_suffix(".ids.json").read_text())
    public = np.load(vectors_file.with_suffix(".public.npy"))
    vectors = np.load(vectors_file, mmap_mode="r")
    rows = np.flatnonzero(public)
    share = len(rows) / len(ids)
    fetch = min(retrieval._DENSE_FETCH_MAX, math.ceil(K * retrieval._DENSE_OVERFETCH / share))
    public_ids = {ids[r] for r in rows}
    recalls, latencies, filtered = [], [], []
    filtered_timeouts = 0
    qvecs = [gen.question(i)[1] for i in range(queries)]
    scores = np.zeros((queries, len(rows)), np.float32)
    block = 100_000
    for lo in range(0, len(rows), block):
        part = np.asarray(vectors[rows[lo : lo + block]])
        scores[:, lo : lo + block] = np.stack(qvecs) @ part.T
    for qi, qv in enumerate(qvecs):
        exact = {ids[rows[j]] for j in np.argpartition(-scores[qi], K)[:K]}
        t = time.perf_counter()
        hits = [cid for cid, _ in store.nearest(qv, fetch) if cid in public_ids][:K]
        latencies.append((time.perf_counter() - t) * 1000)
        recalls.append(len(set(hits) & exact) / K)
        if qi < 20 and filtered_timeouts < 2:
            # (for comparison only: the product asks without a `where` at this size. At 1M
            # chunks Chroma's filtered query outlasts the client's 30 s timeout; counted, and
            # not asked again after two, rather than ending the run)
            t = time.perf_counter()
            try:
                store.nearest(qv, K, where=PUBLIC.where())
                filtered.append((time.perf_counter() - t) * 1000)
            except StoreUnavailable:
                filtered_timeouts += 1
    return {
        "recall_at_50": round(float(np.mean(recalls)), 4),
        "recall_at_50_min": round(float(np.min(recalls)), 4),
        "queries": queries,
        "fetched": fetch,
        "chroma_query": ms_summary(latencies),
        "chroma_query_with_where": ms_summary(filtered),
        "chroma_query_with_where_timeouts": filtered_timeouts,
    }


def in_process(settings: Settings, gen: Generator, queries: int, next_doc: int) -> dict[str, Any]:
    """A replica in this process: first build, memory growth, retrieval latency, refresh."""
    out: dict[str, Any] = {}
    before = rss_mb()
    store = Store(settings)
    t = time.perf_counter()
    index = snap.build(store)
    out["first_build_s"] = round(time.perf_counter() - t, 2)
    retriever = retrieval.Retriever(store)
    retriever._lexical, retriever._checked = index, time.monotonic()
    t = time.perf_counter()
    index.view(PUBLIC.groups)
    out["public_view_s"] = round(time.perf_counter() - t, 2)
    questions = [gen.question(i) for i in range(queries)]
    for q, v in questions[:5]:  # warm-up: term statistics, caches
        retriever.retrieve(q, 10, PUBLIC, v, index)
    lat = []
    for q, v in questions:
        t = time.perf_counter()
        retriever.retrieve(q, 10, PUBLIC, v, index)
        lat.append((time.perf_counter() - t) * 1000)
    out["retrieval"] = ms_summary(lat)
    after = rss_mb()
    out["rss_growth_mb"] = round(after["VmRSS"] - before["VmRSS"], 1)
    out["holds_vectors"] = index.has_vectors

    # A 1-document ingest (what the pipeline writes for one document), then the refresh.
    doc = gen.doc(next_doc)
    store.write_document(
        doc.doc_id, doc.text, doc.record, doc.chunks, doc.vectors, str(doc.record["source_path"])
    )
    t = time.perf_counter()
    fresh = retriever.refresh()
    out["refresh_s"] = round(time.perf_counter() - t, 2)
    out["refresh_kind"] = "refresh" if fresh is not index else "none"
    assert doc.chunks[0].chunk_id in fresh.position, "the ingested document is served"
    t = time.perf_counter()
    snap.wait_for_publishing(600)
    out["publish_after_refresh_s"] = round(time.perf_counter() - t, 2)
    del retriever, index, fresh
    return out


async def ask_phase(base: str, clients: int, seconds: float, questions: list[str]) -> dict:
    stats = Stats("POST /v1/ask")
    abstained = 0
    counter = itertools.count()
    deadline = time.perf_counter() + seconds
    async with httpx.AsyncClient(base_url=base, timeout=120, trust_env=False) as client:

        async def loop() -> None:
            nonlocal abstained
            while time.perf_counter() < deadline:
                q = questions[next(counter) % len(questions)]
                t = time.perf_counter()
                try:
                    r = await client.post("/v1/ask", json={"question": q})
                except httpx.HTTPError as exc:
                    stats.errors[type(exc).__name__] += 1
                    continue
                if r.status_code != 200:
                    stats.errors[str(r.status_code)] += 1
                    continue
                stats.latencies_ms.append((time.perf_counter() - t) * 1000)
                abstained += bool(r.json().get("abstained"))

        t0 = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(clients)))
        elapsed = time.perf_counter() - t0
    summary = stats.summary(elapsed)
    summary["abstained"] = abstained
    if summary["errors"] > summary["ok"]:
        sys.exit(f"most /v1/ask requests failed at {clients} clients: {summary}")
    return summary


def ready_timeout(size: int) -> float:
    """How long `tpa serve` may take to report ready: it builds its first snapshot from the
    store before (426 s at 1M chunks here, reading every chunk from the server), so the wait
    grows with the corpus: 180 s plus 0.6 ms a chunk (780 s at 1M)."""
    return 180.0 + 0.0006 * size


def through_server(
    settings: Settings,
    env: dict[str, str],
    gen: Generator,
    seconds: float,
    next_doc: int,
    size: int,
) -> dict[str, Any]:
    """`tpa serve` on this store: RSS, /v1/ask at 1 and 8 clients, time to serve an ingest."""
    out: dict[str, Any] = {}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(env["TPA_DATA_DIR"]) / "serve.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=REPO,
        )
        try:
            t = time.perf_counter()
            wait_ready(base, proc, log, ready_timeout(size))
            out["ready_s"] = round(time.perf_counter() - t, 1)
            questions = [gen.question(1000 + i)[0] for i in range(200)]
            # What the first caller after "ready" waits (start-up has made the views of the
            # callers' group sets, so this is an answer, not a view build)
            with httpx.Client(base_url=base, timeout=300, trust_env=False) as client:
                t = time.perf_counter()
                r = client.post("/v1/ask", json={"question": questions[-1]})
                out["first_ask_ms"] = round((time.perf_counter() - t) * 1000, 1)
                out["first_ask_status"] = r.status_code
            asyncio.run(ask_phase(base, 1, 3, questions))  # warm-up: the rest of the caches
            out["rss_idle_mb"] = rss_mb(proc.pid)
            out["ask_1"] = asyncio.run(ask_phase(base, 1, seconds, questions))
            out["ask_8"] = asyncio.run(ask_phase(base, 8, seconds, questions))
            out["rss_mb"] = rss_mb(proc.pid)
            # A 1-document ingest: how long until the server returns it from /v1/search.
            doc = gen.doc(next_doc)
            store = Store(settings)
            store.write_document(doc.doc_id, doc.text, doc.record, doc.chunks, doc.vectors,
                                 str(doc.record["source_path"]))  # fmt: skip
            words = " ".join(doc.chunks[0].text.split()[:40])
            t = time.perf_counter()
            with httpx.Client(base_url=base, timeout=300, trust_env=False) as client:
                while time.perf_counter() - t < 600:
                    r = client.get("/v1/search", params={"q": words, "k": 10})
                    if r.status_code == 200 and any(
                        p["doc_id"] == doc.doc_id for p in r.json()["results"]
                    ):
                        break
                    time.sleep(0.2)
            out["ingest_visible_s"] = round(time.perf_counter() - t, 2)
            out["rss_after_refresh_mb"] = rss_mb(proc.pid)
        finally:
            stop(proc)
    return out


# ---- the run --------------------------------------------------------------------------------


def run_size(size: int, modes: list[str], args: argparse.Namespace, gen: Generator) -> list[dict]:
    work = Path(args.work) / f"n{size}"
    chroma_dir, vectors_file = work / "chroma", work / "vectors.npy"
    meta_file = work / "load.json"
    if not args.reuse or not meta_file.is_file():
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
    proc, port = start_chroma(chroma_dir)
    results = []
    try:
        base_settings = Settings(data_dir=work / "data", chroma_host="127.0.0.1", chroma_port=port)
        if meta_file.is_file():
            loaded = json.loads(meta_file.read_text())
            print(f"  reusing the corpus loaded earlier ({loaded['chunks']:,} chunks)")
        else:
            print(f"size {size:,}: loading (load average {loadavg()})")
            loaded = load(Store(base_settings), gen, size, vectors_file)
            meta_file.write_text(json.dumps(loaded))
        next_doc = int(loaded["next_doc"])
        recall = dense_recall(Store(base_settings), gen, vectors_file, args.queries)
        print(f"  dense recall@50 {recall['recall_at_50']} (load average {loadavg()})")
        for mode in modes:
            limit = MODES.get(mode)
            extra = {} if limit is None else {"dense_exact_max_chunks": limit}
            settings = base_settings.model_copy(update={"data_dir": work / f"data-{mode}", **extra})
            shutil.rmtree(settings.data_dir, ignore_errors=True)
            settings.data_dir.mkdir(parents=True)
            row: dict[str, Any] = {"size": size, "mode": mode, "load": loaded, "dense": recall}
            row["load_average_start"] = loadavg()
            print(f"  [{mode}] in-process replica ...")
            row["replica"] = in_process(settings, gen, args.queries, next_doc)
            next_doc += 1
            print(f"  [{mode}] {json.dumps(row['replica'])}")
            if not args.no_server:
                env = serve_env(
                    settings.data_dir,
                    TPA_CHROMA_HOST="127.0.0.1",
                    TPA_CHROMA_PORT=str(port),
                    TPA_RATE_LIMIT_PER_MINUTE="1000000",
                    TPA_MAX_CONCURRENCY="8",
                    TPA_QUEUE_TIMEOUT="30",
                    **({} if limit is None else {"TPA_DENSE_EXACT_MAX_CHUNKS": str(limit)}),
                )
                print(f"  [{mode}] tpa serve ...")
                row["server"] = through_server(settings, env, gen, args.seconds, next_doc, size)
                next_doc += 1
                print(f"  [{mode}] {json.dumps(row['server'])}")
            row["load_average_end"] = loadavg()
            results.append(row)
            # Later modes and sizes start from the loaded corpus as it was.
        loaded["next_doc"] = next_doc
        meta_file.write_text(json.dumps(loaded))
    finally:
        stop(proc)
    return results


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (lat_ax, mem_ax) = plt.subplots(1, 2, figsize=(11, 4.2))

    def plot_some(ax: Any, x: list[int], y: list[float], *args: Any, **kwargs: Any) -> None:
        if any(v == v and v > 0 for v in y):  # a series with no figure (no server) is left out
            ax.plot(x, y, *args, **kwargs)

    for mode in sorted({r["mode"] for r in rows}):
        mine = sorted((r for r in rows if r["mode"] == mode), key=lambda r: r["size"])
        sizes = [r["size"] for r in mine]

        def series(get: Any, rows: list[dict] = mine) -> list[float]:
            out = []
            for r in rows:
                try:
                    out.append(float(get(r)))
                except (KeyError, TypeError):
                    out.append(float("nan"))
            return out

        plot_some(lat_ax, sizes, series(lambda r: r["replica"]["retrieval"]["p95_ms"]), "o-",
                    label=f"retrieval p95 [{mode}]")  # fmt: skip
        plot_some(lat_ax, sizes, series(lambda r: r["server"]["ask_1"]["p95_ms"]), "s--",
                    label=f"/v1/ask p95, 1 client [{mode}]")  # fmt: skip
        plot_some(lat_ax, sizes, series(lambda r: r["replica"]["refresh_s"] * 1000), "^:",
                    label=f"refresh after 1 doc [{mode}]")  # fmt: skip
        plot_some(mem_ax, sizes, series(lambda r: r["server"]["rss_mb"]["VmRSS"]), "o-",
                    label=f"tpa serve RSS [{mode}]")  # fmt: skip
    for ax, label in ((lat_ax, "milliseconds"), (mem_ax, "MB")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("chunks (synthetic text, generated vectors)")
        ax.set_ylabel(label)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    lat_ax.set_title("latency against corpus size")
    mem_ax.set_title("replica memory against corpus size")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="chunk counts, comma-separated")
    parser.add_argument("--million", action="store_true", help="also 1,000,000 chunks")
    parser.add_argument(
        "--modes", default="default", help="dense paths: default (Settings), exact, index"
    )
    parser.add_argument("--queries", type=int, default=200, help="retrieval/recall queries")
    parser.add_argument("--seconds", type=float, default=15.0, help="per /v1/ask phase")
    parser.add_argument("--work", default="/tmp/tpa-scale")
    parser.add_argument("--reuse", action="store_true", help="keep a corpus loaded earlier")
    parser.add_argument("--no-server", action="store_true", help="skip `tpa serve`")
    parser.add_argument("--out", default=str(RESULTS / "scale.json"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s] + ([1_000_000] if args.million else [])
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    started = time.perf_counter()
    print("vectors are GENERATED (bench/scale_corpus.py), not embedded by the model; questions")
    print(f"sent to /v1/ask are embedded by the model. load average {loadavg()}, 2 cores shared")
    gen = Generator(vocabulary(Path(args.work) / "cache"))
    rows: list[dict] = []
    for size in sizes:
        t = time.perf_counter()
        rows.extend(run_size(size, modes, args, gen))
        print(f"size {size:,} done in {time.perf_counter() - t:.0f} s")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "note": "synthetic text (mirror vocabulary), GENERATED vectors; /v1/ask questions "
        "embedded by the model; public caller; 2-core machine shared with other work",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "seconds": round(time.perf_counter() - started),
        "bench_max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "rows": rows,
    }
    out.write_text(json.dumps(report, indent=1))
    plot(rows, out.with_suffix(".png"))
    print(f"wrote {out} and {out.with_suffix('.png')} in {report['seconds']} s")
    for r in rows:
        rep, srv = r["replica"], r.get("server", {})
        print(
            f"{r['size']:>9,} {r['mode']:<8} load {r['load']['seconds']:>6} s  "
            f"build {rep['first_build_s']:>6} s  refresh {rep['refresh_s']:>6} s  "
            f"retrieval p50/p95 {rep['retrieval']['p50_ms']}/{rep['retrieval']['p95_ms']} ms  "
            f"ready {srv.get('ready_s')} s  first ask {srv.get('first_ask_ms')} ms "
            f"({srv.get('first_ask_status')})  "
            f"ask1 p95 {srv.get('ask_1', {}).get('p95_ms')} ms  "
            f"ask8 p95 {srv.get('ask_8', {}).get('p95_ms')} ms  "
            f"RSS {srv.get('rss_mb', {}).get('VmRSS')} MB  recall@50 {r['dense']['recall_at_50']}"
        )


if __name__ == "__main__":
    main()

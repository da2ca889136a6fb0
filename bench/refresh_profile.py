"""Where a snapshot refresh spends its time, without Chroma or the model (seconds, not the
14 minutes `bench/scale.py` needs to load a corpus into a real server).

A store stand-in holds N synthetic chunks (legal-ish text of 600-900 characters from a few
thousand words, 10 chunks a document, 5% readable by "legal" only), read the way the real store
is read (`document_records`, `count`, `all_chunks`, `chunks_of`). The bench builds a snapshot,
makes the public view and its term statistics (what a served replica holds), rewrites one
document (10 chunks), then times `refresh` alone, then the public view and its term statistics
(what the next public question waits for), and one query's BM25 scores before and after.

    .venv/bin/python bench/refresh_profile.py --chunks 100000 300000 [--profile] [--check]

--profile prints cProfile's view of the timed refreshes (and the view and term statistics).
--check also builds the changed store from scratch and compares what both serve.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any, cast

import numpy as np

from assistant.config import Settings
from assistant.index import snapshot as snap
from assistant.index.store import Store
from assistant.index.term_stats import term_stats

PER_DOC = 10
PUBLIC = ["public"]
QUERY = "Is a license required to export encryption items to parties on the Entity List?"


def _words(seed: int = 17) -> list[str]:
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    made = {"".join(rng.choice(letters, int(rng.integers(3, 11)))) for _ in range(4000)}
    return sorted(made) + QUERY.lower().rstrip("?").split()


class SyntheticStore:
    """N chunks in documents of PER_DOC, ledger records beside them (no vectors)."""

    def __init__(self, chunks: int, data_dir: Path, seed: int = 3) -> None:
        self.settings = Settings(data_dir=data_dir, dense_exact_max_chunks=0)
        self.words = _words()
        self.rng = np.random.default_rng(seed)
        p = 1 / np.arange(1, len(self.words) + 1) ** 0.9
        self.p = p / p.sum()
        self.rows: dict[str, tuple[str, dict[str, Any]]] = {}
        self.records: dict[str, dict[str, Any]] = {}
        for d in range(chunks // PER_DOC):
            self.write(f"doc{d:07d}", "h0")

    def _text(self) -> str:
        picks = self.rng.choice(len(self.words), int(self.rng.integers(90, 130)), p=self.p)
        return " ".join(self.words[i] for i in picks)[:900]

    def write(self, doc: str, content_hash: str) -> None:
        """A document written completely: its chunks (old ones replaced), then its record."""
        restricted = int(doc[3:]) % 20 == 7
        groups = ["legal"] if restricted else ["public"]
        for k in range(PER_DOC):
            meta = {
                "doc_id": doc,
                "doc_hash": content_hash,
                "citation": f"15 CFR {700 + int(doc[3:]) % 74}.{k + 1}",
                "title": f"Document {doc}",
                "access": ",".join(groups),
                **{f"access_{g}": True for g in groups},
            }
            self.rows[f"{doc}-{k:03d}"] = (self._text(), meta)
        self.records[doc] = {"content_hash": content_hash, "chunk_count": PER_DOC}

    def document_records(self) -> dict[str, dict[str, Any]]:
        return {k: dict(v) for k, v in self.records.items()}

    def removal_mark(self) -> str:
        return ""

    def records_written_since(self, since_ms: int, most: int) -> None:
        return None  # records carry no write stamps here: the ledger is read whole every time

    def count(self) -> int:
        return len(self.rows)

    def all_chunks(self, vectors: bool = True) -> tuple[list, list, list, np.ndarray]:
        ids = list(self.rows)
        return self._rows(ids)

    def chunks_of(self, doc_ids: list[str], vectors: bool = True) -> tuple[list, list, list, Any]:
        wanted = set(doc_ids)
        ids = [f"{d}-{k:03d}" for d in sorted(wanted) for k in range(PER_DOC)]
        return self._rows([c for c in ids if c in self.rows])

    def _rows(self, ids: list[str]) -> tuple[list, list, list, np.ndarray]:
        return (
            ids,
            [self.rows[c][0] for c in ids],
            [self.rows[c][1] for c in ids],
            np.zeros((len(ids), 0), np.float32),
        )


def _timed(label: str, out: dict[str, float], fn: Any, *args: Any) -> Any:
    t = time.perf_counter()
    result = fn(*args)
    out[label] = round(time.perf_counter() - t, 3)
    return result


def run(chunks: int, profile: bool, check: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        fake = SyntheticStore(chunks, Path(tmp))
        store = cast(Store, fake)
        out: dict[str, Any] = {"chunks": chunks, "loadavg_start": os.getloadavg()[0]}
        first = _timed("full_build_s", out, snap.build, store)
        _timed("first_public_view_s", out, first.view, PUBLIC)
        _timed("first_term_stats_s", out, term_stats, first, PUBLIC)
        _timed("query_scores_before_s", out, first.view(PUBLIC).scores, QUERY)
        fake.write("doc0000042", "h1")  # one document (10 chunks) changes
        prof = cProfile.Profile() if profile else None
        if prof:
            prof.enable()
        fresh = _timed("refresh_s", out, snap.refresh, store, first)
        view = _timed("public_view_after_s", out, fresh.view, PUBLIC)
        _timed("term_stats_after_s", out, term_stats, fresh, PUBLIC)
        if prof:
            prof.disable()
        # Persisting the refreshed snapshot runs on a thread beside the questions served.
        _timed("publish_after_refresh_s", out, snap.wait_for_publishing, 600)
        _timed("query_scores_after_s", out, view.scores, QUERY)
        common = " ".join(fake.words[:8])  # the most frequent words: the longest postings
        _timed("common_query_scores_s", out, view.scores, common)
        _timed("common_query_again_s", out, view.scores, common)
        assert fresh.texts[fresh.position["doc0000042-000"]] == fake.rows["doc0000042-000"][0]
        fake.write("doc0000043", "h1")  # the next ingest: a refresh of a refreshed snapshot
        if prof:
            prof.enable()
        again = _timed("second_refresh_s", out, snap.refresh, store, fresh)
        if prof:
            prof.disable()
        snap.wait_for_publishing(600)
        if check:
            # Served exactly as a full build of the same store would serve it.
            full = _timed("full_build_after_s", out, snap.build, store)
            assert (again.ids, again.texts, again.metas) == (full.ids, full.texts, full.metas)
            worst = 0.0
            for query in (QUERY, common, " ".join(fake.words[100:104]), fake.words[3000]):
                for a, b in ((again, full), (again.view(PUBLIC), full.view(PUBLIC))):
                    worst = max(worst, float(np.abs(a.scores(query) - b.scores(query)).max()))
                ours, theirs = term_stats(again, PUBLIC), term_stats(full, PUBLIC)
                for word in query.split():
                    assert ours.idf(word) == theirs.idf(word)
            out["max_score_difference_vs_full_build"] = worst
        out["loadavg_end"] = os.getloadavg()[0]
        if prof:
            text = io.StringIO()
            pstats.Stats(prof, stream=text).sort_stats("tottime").print_stats(25)
            out["profile"] = text.getvalue()
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, nargs="+", default=[100_000, 300_000])
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--check", action="store_true", help="compare with a full build")
    args = parser.parse_args()
    for n in args.chunks:
        result = run(n, args.profile, args.check)
        profile = result.pop("profile", None)
        print(result, flush=True)
        if profile:
            print(profile, flush=True)


if __name__ == "__main__":
    main()

"""Sync and ingest from the official APIs, then again with nothing changed: what each run asks
for, downloads and embeds.

The eCFR and Federal Register APIs are the local stand-ins the tests use (`tests/support/`,
serving `tests/fixtures/official/`), so the figures count requests and bytes, not the network.
The point is the second run: an unchanged source must cost no document bodies and no embedding.
Writes bench/results/official_sync.json.

    python bench/official_sync.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.config import Settings  # noqa: E402
from assistant.index.embeddings import get_model  # noqa: E402
from ingest.corpus_sync import sync_corpus  # noqa: E402
from ingest.pipeline import run_ingest  # noqa: E402
from ingest.sources import load_catalogue  # noqa: E402
from tests.support.fake_ecfr import FakeEcfr, fake_ecfr  # noqa: E402
from tests.support.fake_federal_register import (  # noqa: E402
    FakeFederalRegister,
    fake_federal_register,
)


def _round(settings: Settings, ecfr: FakeEcfr, fr: FakeFederalRegister) -> dict[str, Any]:
    ecfr.requests.clear()
    fr.requests.clear()
    started = time.perf_counter()
    synced = sync_corpus(load_catalogue(settings.sources_file), settings, progress=False)
    sync_s = time.perf_counter() - started
    started = time.perf_counter()
    report = run_ingest([settings.corpus_dir], settings, progress=False)
    ingest_s = time.perf_counter() - started
    official = {api["name"]: api["outcome"] for api in synced.as_dict()["official"]}
    return {
        "sync_seconds": round(sync_s, 2),
        "official": official,
        "ecfr_requests": len(ecfr.requests),
        "ecfr_full_xml_requests": len(ecfr.hits(r"/full/")),
        "federal_register_requests": len(fr.requests),
        "federal_register_body_requests": len(fr.body_hits()),
        "ingest_seconds": round(ingest_s, 2),
        "documents": report.to_dict()["documents"],
        "chunks_embedded": report.embedded,
    }


def main() -> int:
    get_model()  # loaded once, as in a long-running process; not part of either round
    with (
        tempfile.TemporaryDirectory() as tmp,
        fake_ecfr() as ecfr,
        fake_federal_register() as fr,
    ):
        # Only the official APIs: the catalogue's web pages have no stand-in and no mirror.
        settings = Settings(
            data_dir=Path(tmp),
            ecfr_url=ecfr.base,
            federal_register_url=fr.base,
            corpus_mirror=None,
            sync_retries=0,
        )
        first = _round(settings, ecfr, fr)
        again = _round(settings, ecfr, fr)
    result = {"first": first, "unchanged": again}
    for name, r in result.items():
        print(
            f"{name:>9}: sync {r['sync_seconds']:.2f} s, eCFR {r['ecfr_requests']} requests "
            f"({r['ecfr_full_xml_requests']} full XML), Federal Register "
            f"{r['federal_register_requests']} requests ({r['federal_register_body_requests']} "
            f"bodies); ingest {r['ingest_seconds']:.2f} s, {r['chunks_embedded']} chunks "
            f"embedded, documents {r['documents']}"
        )
    out = REPO / "bench" / "results" / "official_sync.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out.relative_to(REPO)}")
    if again["ecfr_full_xml_requests"] or again["federal_register_body_requests"]:
        print("FAILED: an unchanged source was downloaded again")
        return 1
    if again["chunks_embedded"]:
        print("FAILED: an unchanged corpus was embedded again")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

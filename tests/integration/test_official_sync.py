"""`tpa sync` of the official APIs against local stand-ins of eCFR and the Federal Register.

The stand-ins (`tests/support/fake_ecfr.py`, `fake_federal_register.py`) are real HTTP servers
speaking the documented endpoints; the mirror is a small folder written here. Nothing needs the
embedding model, so these run in seconds.
"""

from __future__ import annotations

import datetime
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.config import Settings
from ingest import federal_register
from ingest.corpus_sync import CorpusSyncReport, sync_corpus
from ingest.sources import Catalogue, load_catalogue
from tests.support.fake_ecfr import BASE_DATE, FakeEcfr, fake_ecfr
from tests.support.fake_federal_register import FakeFederalRegister, fake_federal_register

ECFR = "official/ecfr/title-15"
FR = "official/federal-register"

CATALOGUE = """
[ecfr]
parts = "734,740,744,772"
mirror = ["regulation/"]

[federal_register]
since = 2019-01-01
mirror = ["federal_register/"]

[[source]]
id = "15-cfr-744.11"
path = "regulation/ecfr/15-CFR-744.11.txt"
title = "§ 744.11 (mirror copy)"
citation = "15 CFR 744.11"
doc_type = "regulation"
url = "https://www.ecfr.gov/current/title-15/section-744.11"

[[source]]
id = "15-cfr-746.1"
path = "regulation/ecfr/15-CFR-746.1.txt"
title = "§ 746.1 (outside the synced parts)"
citation = "15 CFR 746.1"
doc_type = "regulation"

[[source]]
id = "fr-2019-10616"
path = "federal_register/FR-2019-10616.txt"
title = "FR Doc. 2019-10616 (mirror excerpt)"
citation = "FR Doc. 2019-10616"
doc_type = "federal_register"
url = "https://www.federalregister.gov/d/2019-10616"

[[source]]
id = "article-seed"
path = "article/seed.txt"
title = "An article"
doc_type = "article"
"""

MIRROR_FILES = {
    "regulation/ecfr/15-CFR-744.11.txt": "§ 744.11 Licence (mirror).\n\n(a) Mirror text.\n",
    "regulation/ecfr/15-CFR-746.1.txt": "§ 746.1 Introduction (mirror).\n\n(a) Mirror text.\n",
    "federal_register/FR-2019-10616.txt": "Mirror excerpt of 2019-10616.\n",
    "article/seed.txt": "A news article.\n",
}


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def ecfr() -> Iterator[FakeEcfr]:
    with fake_ecfr() as server:
        yield server


@pytest.fixture
def fr() -> Iterator[FakeFederalRegister]:
    with fake_federal_register() as server:
        yield server


@pytest.fixture
def catalogue(tmp_path: Path) -> Catalogue:
    path = tmp_path / "sources.toml"
    path.write_text(CATALOGUE, encoding="utf-8")
    return load_catalogue(path)


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    root = tmp_path / "mirror"
    for rel, text in MIRROR_FILES.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        target.with_name(target.stem + ".meta.json").write_text(json.dumps({"title": rel}))
    return root


def settings_for(
    tmp_path: Path, ecfr: FakeEcfr, fr: FakeFederalRegister, mirror: Path | None, **kw: object
) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "corpus_mirror": mirror,
        "ecfr_url": ecfr.base,
        "federal_register_url": fr.base,
        "sync_retries": 0,
        "sync_timeout": 2,
        "offline": False,
    }
    values.update(kw)
    return Settings(**values)  # type: ignore[arg-type]


def api(report: CorpusSyncReport, name: str):  # type: ignore[no-untyped-def]
    return next(a for a in report.official if a.name == name)


def sidecar(path: Path) -> dict[str, object]:
    return json.loads(path.with_name(path.stem + ".meta.json").read_text(encoding="utf-8"))


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder`: its bytes and modification time."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --------------------------------------------------------------------------- first sync


def test_first_sync_writes_one_document_per_section_and_fr_document(
    tmp_path: Path, ecfr: FakeEcfr, fr: FakeFederalRegister, mirror: Path, catalogue: Catalogue
) -> None:
    settings = settings_for(tmp_path, ecfr, fr, mirror)
    report = sync_corpus(catalogue, settings, progress=False)
    corpus = settings.corpus_dir
    assert report.ok, report.lines()
    assert api(report, "eCFR").outcome == "fetched"
    assert api(report, "Federal Register").outcome == "fetched"

    section = corpus / ECFR / "part-744" / "15-CFR-744.11.txt"
    assert section.read_text().startswith("§ 744.11 License requirements that apply to entities")
    assert "\n\n(a) License requirement, availability of license exceptions" in section.read_text()
    meta = sidecar(section)
    assert meta["id"] == "15-cfr-744.11"
    assert meta["citation"] == "15 CFR 744.11"
    assert meta["doc_type"] == "regulation"
    assert meta["date"] == meta["version"] == BASE_DATE
    assert meta["part"] == "15 CFR part 744"
    assert meta["part_name"] == "PART 744—CONTROL POLICY: END-USER AND END-USE BASED"
    assert meta["source_url"] == f"https://www.ecfr.gov/on/{BASE_DATE}/title-15/section-744.11"
    supplement = corpus / ECFR / "part-744" / "15-CFR-744-supp4.txt"
    assert sidecar(supplement)["citation"] == "15 CFR part 744, Supplement No. 4"
    assert sidecar(supplement)["title"] == "Supplement No. 4 to Part 744—Entity List"
    assert not (corpus / ECFR / "part-744" / "15-CFR-744.5.txt").exists()  # [Reserved]
    assert len(list((corpus / ECFR).rglob("*.txt"))) == 10

    rule = corpus / FR / "2019" / "FR-2019-10616.txt"
    assert rule.read_text().startswith("[Federal Register Volume 84, Number 98")
    assert "&amp;" not in rule.read_text() and "<pre>" not in rule.read_text()
    meta = sidecar(rule)
    assert meta["id"] == "fr-2019-10616"
    assert meta["citation"] == "84 FR 22961"
    assert meta["date"] == "2019-05-21" and meta["effective_on"] == "2019-05-16"
    assert meta["document_number"] == "2019-10616"
    assert meta["cfr_references"] == ["15 CFR part 744"]
    assert str(meta["source_url"]).startswith(f"{fr.base}/documents/2019/05/21/2019-10616/")
    assert meta["doc_type"] == "federal_register"
    html_only = corpus / FR / "2020" / "FR-2020-18213.txt"
    assert sidecar(html_only)["text_from"] == "body_html_url"
    assert "presumption of denial" in html_only.read_text()
    assert not list(corpus.rglob("FR-2020-11111*"))  # another agency's rule: not asked for

    # The date came from titles.json; nothing was asked for a date eCFR has not issued.
    full = ecfr.hits(r"/full/")
    assert full and all(f"/full/{BASE_DATE}/" in r for r in full)
    assert ecfr.hits(r"/titles\.json$")
    assert fr.hits(r"conditions\[agencies\]\[\]=industry-and-security-bureau")

    # Stand-ins whose content the APIs delivered are not copied; the one outside the synced
    # parts is left out too; the article (no URL) comes from the mirror.
    assert not (corpus / "regulation").exists()
    assert not (corpus / "federal_register").exists()
    assert (corpus / "article/seed.txt").read_text() == "A news article.\n"
    assert api(report, "eCFR").superseded == 1 and api(report, "Federal Register").superseded == 1


def test_a_date_ecfr_has_not_issued_is_a_404_and_sync_never_asks_for_it(
    tmp_path: Path, ecfr: FakeEcfr, fr: FakeFederalRegister, catalogue: Catalogue
) -> None:
    today = datetime.date.today().isoformat()
    url = f"{ecfr.base}/api/versioner/v1/full/{today}/title-15.xml?part=744"
    assert httpx.get(url).status_code == 404  # what a client dating its request today gets
    ecfr.requests.clear()
    ecfr.up_to_date_as_of = today  # titles.json: "up to date as of" today, last issue earlier
    report = sync_corpus(catalogue, settings_for(tmp_path, ecfr, fr, None), progress=False)
    assert api(report, "eCFR").outcome == "fetched"
    assert not ecfr.hits(rf"/full/{today}/")


# --------------------------------------------------------------------------- re-sync


def test_unchanged_resync_downloads_no_bodies_and_rewrites_nothing(
    tmp_path: Path, ecfr: FakeEcfr, fr: FakeFederalRegister, mirror: Path, catalogue: Catalogue
) -> None:
    settings = settings_for(tmp_path, ecfr, fr, mirror)
    sync_corpus(catalogue, settings, progress=False)
    before = snapshot(settings.corpus_dir / "official")
    ecfr.requests.clear()
    fr.requests.clear()

    report = sync_corpus(catalogue, settings, progress=False)
    assert report.ok
    assert api(report, "eCFR").outcome == "not_modified"
    assert api(report, "Federal Register").outcome == "not_modified"
    assert ecfr.requests == ["/api/versioner/v1/titles.json"]
    assert fr.body_hits() == []
    # Only the current year is listed again: past years were listed completely.
    assert len(fr.hits(r"documents\.json")) == 1
    assert api(report, "eCFR").downloads == api(report, "Federal Register").downloads == 0
    assert snapshot(settings.corpus_dir / "official") == before

    # A document damaged on disk is fetched again (its year is listed again).
    damaged = settings.corpus_dir / FR / "2019" / "FR-2019-10616.txt"
    damaged.write_text("edited by hand\n")
    report = sync_corpus(catalogue, settings, progress=False)
    assert fr.body_hits()[-1].endswith("/2019-10616.txt")
    assert damaged.read_bytes() == before["federal-register/2019/FR-2019-10616.txt"][0]


def test_an_amended_section_is_the_only_file_rewritten_and_a_removed_one_goes(
    tmp_path: Path, ecfr: FakeEcfr, fr: FakeFederalRegister, catalogue: Catalogue
) -> None:
    settings = settings_for(tmp_path, ecfr, fr, None)
    sync_corpus(catalogue, settings, progress=False)
    before = snapshot(settings.corpus_dir / ECFR)
    amended = (
        ecfr.current("744")
        .replace(b"Applications will be reviewed according to", b"Applications are reviewed under")
        .split(b'<DIV8 N="744.23"')[0]
        + b'<DIV9 N="Supplement No. 4 to Part 744"'
        + ecfr.current("744").split(b'<DIV9 N="Supplement No. 4 to Part 744"')[1]
    )
    ecfr.publish("2024-06-03", "744", amended)
    ecfr.requests.clear()

    report = sync_corpus(catalogue, settings, progress=False)
    result = api(report, "eCFR")
    assert result.outcome == "fetched"
    assert (result.written, result.removed) == (1, 1)
    # One versions query names the changed part; only that part is fetched again.
    assert ecfr.hits(r"versions/title-15\.json\?issue_date\[gte\]=2024-03-02")
    assert [r for r in ecfr.hits(r"/full/")] == [
        "/api/versioner/v1/full/2024-06-03/title-15.xml?part=744"
    ]
    after = snapshot(settings.corpus_dir / ECFR)
    changed = {k for k in before.keys() & after.keys() if before[k] != after[k]}
    assert changed == {
        "part-744/15-CFR-744.11.txt",
        "part-744/15-CFR-744.11.meta.json",
        "part-744/.part-744.xml",
    }
    assert set(before) - set(after) == {
        "part-744/15-CFR-744.23.txt",
        "part-744/15-CFR-744.23.meta.json",
    }
    meta = sidecar(settings.corpus_dir / ECFR / "part-744" / "15-CFR-744.11.txt")
    assert meta["date"] == "2024-06-03"  # the section's own version date
    assert (
        sidecar(settings.corpus_dir / ECFR / "part-744" / "15-CFR-744.1.txt")["date"] == BASE_DATE
    )


# --------------------------------------------------------------------------- failures


def test_a_failing_part_is_reported_the_mirror_stands_in_and_a_held_copy_is_kept(
    tmp_path: Path, ecfr: FakeEcfr, fr: FakeFederalRegister, mirror: Path, catalogue: Catalogue
) -> None:
    settings = settings_for(tmp_path, ecfr, fr, mirror)
    fault = ecfr.fault(r"/full/.*part=744", "status", status=500)
    report = sync_corpus(catalogue, settings, progress=False)
    result = api(report, "eCFR")
    corpus = settings.corpus_dir
    assert "744" in result.missing and "HTTP 500" in result.missing["744"]
    assert result.stood_in == 1 and report.ok
    assert (corpus / "regulation/ecfr/15-CFR-744.11.txt").is_file()  # the mirror's copy
    assert not (corpus / ECFR / "part-744").exists()
    assert (corpus / ECFR / "part-740" / "15-CFR-740.13.txt").is_file()
    line = next(text for _, text in report.lines() if "eCFR API" in text)
    assert "HTTP 500" in line and "the mirror stood in: 1 documents" in line

    ecfr.faults.remove(fault)
    report = sync_corpus(catalogue, settings, progress=False)
    assert (corpus / ECFR / "part-744" / "15-CFR-744.11.txt").is_file()
    assert not (corpus / "regulation/ecfr/15-CFR-744.11.txt").exists()  # no longer needed

    # The part fails again after an amendment: the copy held stays, no stand-in is copied.
    held = snapshot(corpus / ECFR / "part-744")
    ecfr.publish("2024-06-03", "744", ecfr.current("744").replace(b"BIS may", b"BIS can"))
    ecfr.fault(r"/full/.*part=744", "status", status=503)
    report = sync_corpus(catalogue, settings, progress=False)
    assert api(report, "eCFR").held >= {"744"} and report.ok
    assert snapshot(corpus / ECFR / "part-744") == held
    assert not (corpus / "regulation").exists()


def test_malformed_xml_or_json_changes_nothing_held(
    tmp_path: Path, ecfr: FakeEcfr, fr: FakeFederalRegister, catalogue: Catalogue
) -> None:
    settings = settings_for(tmp_path, ecfr, fr, None)
    sync_corpus(catalogue, settings, progress=False)
    held = snapshot(settings.corpus_dir / "official")
    ecfr.publish("2024-06-03", "744", ecfr.current("744").replace(b"BIS may", b"BIS can"))
    ecfr.fault(r"/full/.*part=744", "malformed")
    fr.fault(r"documents\.json", "malformed")

    report = sync_corpus(catalogue, settings, progress=False)
    ecfr_result, fr_result = api(report, "eCFR"), api(report, "Federal Register")
    assert "not well-formed XML" in ecfr_result.detail
    assert ecfr_result.held >= {"744"}  # the copy held is kept
    assert fr_result.outcome == "kept" and "malformed JSON" in fr_result.detail
    assert snapshot(settings.corpus_dir / "official") == held
    assert not list(settings.corpus_dir.rglob("*.part"))


def test_timeout_and_unreachable_api_fall_back_to_the_mirror_quickly(
    tmp_path: Path, ecfr: FakeEcfr, fr: FakeFederalRegister, mirror: Path, catalogue: Catalogue
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    ecfr.fault(r"titles\.json", "timeout", seconds=3)
    settings = settings_for(
        tmp_path, ecfr, fr, mirror, sync_timeout=0.5, federal_register_url=closed
    )
    started = time.monotonic()
    report = sync_corpus(catalogue, settings, progress=False)
    assert time.monotonic() - started < 6
    ecfr_result, fr_result = api(report, "eCFR"), api(report, "Federal Register")
    assert ecfr_result.outcome == fr_result.outcome == "mirror"
    assert "Timeout" in ecfr_result.detail and "ConnectError" in fr_result.detail
    corpus = settings.corpus_dir
    assert (corpus / "regulation/ecfr/15-CFR-744.11.txt").is_file()
    assert (corpus / "federal_register/FR-2019-10616.txt").is_file()
    assert report.ok
    # Said once per API, not once per document.
    assert sum("stands in" in text or "stood in" in text for _, text in report.lines()) == 2


def test_offline_keeps_what_the_apis_delivered_earlier(
    tmp_path: Path, ecfr: FakeEcfr, fr: FakeFederalRegister, mirror: Path, catalogue: Catalogue
) -> None:
    settings = settings_for(tmp_path, ecfr, fr, mirror)
    sync_corpus(catalogue, settings, progress=False)
    held = snapshot(settings.corpus_dir / "official")
    ecfr.requests.clear()
    fr.requests.clear()
    offline = settings.model_copy(update={"offline": True})
    report = sync_corpus(catalogue, offline, progress=False)
    assert ecfr.requests == [] and fr.requests == []
    assert api(report, "eCFR").outcome == api(report, "Federal Register").outcome == "kept"
    assert snapshot(settings.corpus_dir / "official") == held
    assert not (settings.corpus_dir / "regulation").exists() and report.ok


def test_the_scope_setting_limits_the_parts(
    tmp_path: Path, ecfr: FakeEcfr, fr: FakeFederalRegister, catalogue: Catalogue
) -> None:
    settings = settings_for(tmp_path, ecfr, fr, None)
    sync_corpus(catalogue, settings, progress=False)
    narrow = settings.model_copy(update={"ecfr_parts": "744"})
    report = sync_corpus(catalogue, narrow, progress=False)
    folders = sorted(p.name for p in (settings.corpus_dir / ECFR).iterdir())
    assert folders == ["part-744"]
    assert api(report, "eCFR").removed == 6  # 734.3, 734.7, 740.2, 740.13, 740.17, 772.1


def test_federal_register_pages_and_splits_a_search_past_the_window(
    tmp_path: Path,
    ecfr: FakeEcfr,
    fr: FakeFederalRegister,
    catalogue: Catalogue,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(federal_register, "WINDOW", 3)
    monkeypatch.setattr(federal_register, "PER_PAGE", 2)
    fr.window = 3
    template = dict(fr.documents["2021-05481"])
    for n in range(5):
        record = {
            **template,
            "document_number": f"2022-0{n}100",
            "publication_date": f"2022-0{n + 1}-10",
        }
        fr.add(record, "raw", b"[Federal Register Volume 87]\n\nSUMMARY: a notice.\n")
    report = sync_corpus(catalogue, settings_for(tmp_path, ecfr, fr, None), progress=False)
    result = api(report, "Federal Register")
    assert result.outcome == "fetched" and not result.missing
    assert {f"2022-0{n}100" for n in range(5)} <= result.held
    assert fr.hits(r"page=2")  # next_page_url followed
    # 2022 had 5 > 3 results: the year was split by date and each half searched.
    assert fr.hits(r"\[gte\]=2022-01-01&conditions\[publication_date\]\[lte\]=2022-07-02")
    assert fr.hits(r"\[gte\]=2022-07-03&conditions\[publication_date\]\[lte\]=2022-12-31")

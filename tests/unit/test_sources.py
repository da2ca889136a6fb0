"""`corpus/sources.toml` and its reader: the real list is valid, broken lists fail clearly."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from ingest.sources import Source, SourcesError, is_http_url, load_sources, sources_by_path

REPO = Path(__file__).resolve().parents[2]
SOURCES_TOML = REPO / "corpus" / "sources.toml"
MIRROR = Path(__file__).parents[2].parent / "shared" / "corpus"

needs_mirror = pytest.mark.skipif(
    not MIRROR.is_dir(), reason=f"offline mirror not found at {MIRROR} (checkout without ../shared)"
)

VALID = """
[[source]]
id = "15-cfr-744.11"
path = "regulation/ecfr/15-CFR-744.11.txt"
title = "§ 744.11 License requirements"
citation = "15 CFR 744.11"
doc_type = "regulation"
agency = "Bureau of Industry and Security"
date = "2026-02-10"
url = "https://www.ecfr.gov/current/title-15/section-744.11"

[[source]]
id = "fr-2024-01408"
path = "federal_register/FR-2024-01408.txt"
title = "FR Doc. 2024-01408"
citation = "FR Doc. 2024-01408"
doc_type = "federal_register"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------- the real list


def test_default_sources_parse_with_unique_ids_and_paths() -> None:
    sources = load_sources(SOURCES_TOML)
    assert len(sources) >= 100
    assert len({s.id for s in sources}) == len(sources)
    assert len({s.path for s in sources}) == len(sources)
    assert all(s.id == s.id.lower() for s in sources)
    # The default corpus is public; entries say so by leaving `access` out (None states nothing).
    assert all(s.access in (None, ["public"]) for s in sources)


def test_default_sources_include_the_documents_the_design_names() -> None:
    ids = {s.id for s in load_sources(SOURCES_TOML)}
    assert {
        "15-cfr-744.11",
        "15-cfr-734.9-2022-03-08",
        "15-cfr-774-supp2",
        "fr-2024-01408",
        "fr-2019-17920",
        "fr-2022-07643",
        "article-2019-11-24-microsoft-huawei-export-licence",
        "press-2019-08-19-bis-46-huawei-affiliates-added-tgl-extended",
    } <= ids


@needs_mirror
def test_every_default_path_exists_in_the_mirror() -> None:
    missing = [s.path for s in load_sources(SOURCES_TOML) if not (MIRROR / s.path).is_file()]
    assert missing == []


@needs_mirror
def test_every_mirror_document_is_listed() -> None:
    listed = {s.path for s in load_sources(SOURCES_TOML)}
    documents = {
        p.relative_to(MIRROR).as_posix()
        for p in MIRROR.rglob("*")
        if p.suffix in (".txt", ".md") and p.with_name(p.stem + ".meta.json").is_file()
    }
    assert documents - listed == set()


@needs_mirror
def test_default_metadata_agrees_with_the_sidecars() -> None:
    for source in load_sources(SOURCES_TOML):
        mirror_file = MIRROR / source.path
        meta = json.loads(mirror_file.with_name(mirror_file.stem + ".meta.json").read_text())
        assert source.doc_type == meta["doc_type"], source.id
        if meta.get("title"):
            assert source.title == meta["title"], source.id
        if meta.get("citation"):
            assert source.citation == meta["citation"], source.id
        assert source.url == meta.get("source_url"), source.id
        expected_date = meta.get("date")
        assert (source.date.isoformat() if source.date else None) == expected_date, source.id


# ----------------------------------------------------------------- the model


def test_valid_file_and_metadata(tmp_path: Path) -> None:
    sources = load_sources(write(tmp_path, VALID))
    first, second = sources
    assert first.date == datetime.date(2026, 2, 10)
    assert first.metadata() == {
        "title": "§ 744.11 License requirements",
        "citation": "15 CFR 744.11",
        "doc_type": "regulation",
        "agency": "Bureau of Industry and Security",
        "date": "2026-02-10",
        "source_url": "https://www.ecfr.gov/current/title-15/section-744.11",
        "access": None,  # not stated: it cannot override a sidecar's restriction
    }
    assert second.agency is None and second.date is None and second.url is None
    assert second.metadata()["date"] is None
    by_path = sources_by_path(sources)
    assert by_path["federal_register/FR-2024-01408.txt"] is second


def test_path_is_normalised_to_posix() -> None:
    source = Source(id="x", path="./a//b.txt", title="t", doc_type="article")
    assert source.path == "a/b.txt"


def test_native_toml_date_and_download_url(tmp_path: Path) -> None:
    text = VALID.replace('date = "2026-02-10"', "date = 2026-02-10").replace(
        'doc_type = "regulation"',
        'doc_type = "regulation"\ndownload_url = "https://example.org/744.11.txt"\n'
        'access = ["public", "staff"]',
    )
    first = load_sources(write(tmp_path, text))[0]
    assert first.date == datetime.date(2026, 2, 10)
    assert first.download_url == "https://example.org/744.11.txt"
    assert first.metadata()["access"] == ["public", "staff"]


def test_access_left_out_states_nothing() -> None:
    source = Source(id="x", path="a.txt", title="t", doc_type="memo")
    assert source.access is None and source.metadata()["access"] is None
    assert Source(id="x", path="a.txt", title="t", doc_type="m", access=[" legal "]).access == [
        "legal"
    ]


@pytest.mark.parametrize(
    "url",
    ["https://example.org/a", "HTTP://Example.org", "https://example.org:8443/p?q=1#f"],
)
def test_http_urls_with_a_host_are_links(url: str) -> None:
    assert is_http_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "ftp://example.org/x",
        "https://",
        "http:///path-only",
        "//example.org/x",
        "https://example.org/a|click me",
        "https://example.org/<b>",
        " https://example.org",
        "",
        None,
        42,
    ],
)
def test_other_urls_are_not_links(url: object) -> None:
    assert not is_http_url(url)


def test_empty_file_is_an_empty_list(tmp_path: Path) -> None:
    assert load_sources(write(tmp_path, "# nothing yet\n")) == []


# ----------------------------------------------------------------- broken files


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace("fr-2024-01408", "15-cfr-744.11", 1), "duplicate id '15-cfr-744.11'"),
        (
            lambda t: t.replace(
                "federal_register/FR-2024-01408.txt", "regulation/ecfr/15-CFR-744.11.txt"
            ),
            "duplicate path",
        ),
        (lambda t: t.replace('"regulation/ecfr/', '"/regulation/ecfr/'), "must be relative"),
        (lambda t: t.replace('"regulation/ecfr/', '"../regulation/'), "must not contain '..'"),
        (lambda t: t.replace('"regulation/ecfr/', '"regulation/../../'), "must not contain '..'"),
        (lambda t: t.replace('"regulation/ecfr/', '"regulation\\\\ecfr\\\\'), "'/' as separator"),
        (lambda t: t.replace("15-cfr-744.11", "15-CFR-744.11", 1), "lowercase"),
        (lambda t: t + 'colour = "blue"\n', "colour"),
        (lambda t: t.replace('title = "FR Doc. 2024-01408"\n', ""), "title"),
        (lambda t: t.replace('date = "2026-02-10"', 'date = "10 Feb 2026"'), "date"),
        (lambda t: t.replace("https://www.ecfr", "ftp://www.ecfr"), "not an http(s) URL"),
        (lambda t: t.replace("https://www.ecfr.gov", "https://"), "not an http(s) URL"),
        (
            lambda t: t.replace('url = "https://www.ecfr', 'url = "javascript:alert(1)//www.ecfr'),
            "not an http(s) URL",
        ),
        (
            lambda t: t.replace('doc_type = "regulation"', 'doc_type = "regulation"\naccess = []'),
            "access must be a non-empty list",
        ),
        (
            lambda t: t.replace(
                'doc_type = "regulation"', 'doc_type = "regulation"\naccess = [" "]'
            ),
            "access has a blank group",
        ),
        (
            lambda t: t.replace(
                'doc_type = "regulation"', 'doc_type = "regulation"\naccess = ["legal,export"]'
            ),
            "cannot contain ','",
        ),
        (
            lambda t: t.replace('doc_type = "regulation"', 'doc_type = "regulation"\naccess = [1]'),
            "access",
        ),
        (
            lambda t: t.replace(
                'doc_type = "regulation"', 'doc_type = "regulation"\naccess = "legal"'
            ),
            "access",
        ),
    ],
)
def test_bad_entries_name_file_and_entry(tmp_path: Path, change, message: str) -> None:
    path = write(tmp_path, change(VALID))
    with pytest.raises(SourcesError) as excinfo:
        load_sources(path)
    text = str(excinfo.value)
    assert str(path) in text
    assert "[[source]] #" in text
    assert message in text


def test_bad_toml(tmp_path: Path) -> None:
    path = write(tmp_path, VALID + "\n[[source]\n")
    with pytest.raises(SourcesError, match="invalid TOML"):
        load_sources(path)


def test_wrong_shape(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match=r"array of tables"):
        load_sources(write(tmp_path, 'source = "nope"\n'))
    with pytest.raises(SourcesError, match="unexpected top-level key"):
        load_sources(write(tmp_path, "sources = []\n"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="cannot read"):
        load_sources(tmp_path / "absent.toml")


def test_sources_error_is_a_value_error() -> None:
    assert issubclass(SourcesError, ValueError)

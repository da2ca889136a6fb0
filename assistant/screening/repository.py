"""Party screening against the U.S. Consolidated Screening List (CSL).

Public API (everything else here is private):

* `load_list(settings) -> ScreeningList | None`: the list synced into `settings.screening_dir`
  (`current/csl.csv` + `current/csl.meta.json`, see "storage" below), or None when there is
  none. A running server picks up a new `tpa sync` without a restart: the new list is built in
  the background while callers keep the one in use. Raises `ScreeningError` when there is no
  list in use and the copy on disk cannot be read as a CSL.
* `ScreeningList.screen(name, country=None, as_of=None, limit=10) -> list[Match]`; the list's
  `.version` (its version date, YYYY-MM-DD), `.url`, `.summary(matches, name)` (one line).
* `find_parties(text, screening_list, as_of=None) -> list[Match]`: listed parties named in free
  text (a question), each screened against the list; `Match.query` is the phrase that matched.
* `Match` (`.entry`, `.score`, `.matched_name`, `.rule`, `.query`, `.to_dict()`),
  `ScreeningEntry` (the CSL row: name, alt_names, countries, source, federal_register_notice,
  start_date, license_requirement, license_policy, source_url, entity_number, ...).
* `no_match_message(version, name=None)`: the wording for a negative. A screen never "clears"
  anyone: it says `no match in the Consolidated Screening List as of <version date>`, because
  the list changes and a name match is not a legal determination.
* `parse_csl(text)`, `normalize_name(name)`, `fetch_csl(settings) -> FetchResult` (used by
  `tpa sync`; the download is streamed and refused past `settings.csl_max_bytes`),
  `ScreeningError`.

How names are compared (all on `normalize_name` output, threshold `settings.screening_threshold`,
88 by default; scores are 0-100, rounded to one decimal):

1. **Whole name** (rule `name`): the best of `fuzz.ratio`, `fuzz.token_sort_ratio` (word order
   ignored: "Iran Bank Melli"), the ratio of both names with spaces removed ("Hua Wei
   Technologies") and the ratio of a rough phonetic key (kh→h, ph→f, x→ks, w→v, y→i, c/q→k,
   z→s, Cyrillic transliterated, doubled letters single: "Rosoboroneksport", "Wladimir").
   Common abbreviations are expanded first ("Tech" → technology, "Intl" → international).
   It counts only if every *distinctive* word of the listed name (one that is not a place name,
   an industry word or a legal form, e.g. "hikvision" in "Hangzhou Hikvision Digital
   Technology") has a counterpart in the query at 80 or more; a name made only of generic words
   needs all of its words. So a long shared tail ("... Digital Technology") cannot carry a
   different company name over the threshold.
2. **Short name** (rule `short_name`, organisations only): users type "Huawei", "Hikvision" or
   "Bank Melli". When the query's words (any order) match the first words of a listed name, or
   of the name after its leading place and industry words ("SZ DJI Technology" → "DJI
   Technology"), and the query holds a distinctive word of at least 3 letters, the score is that
   comparison minus 5. Every entry whose name starts that way matches: "Huawei" finds Huawei
   Technologies and Huawei Device alike, which is what a screen should show. Leading place and
   industry words of the query are tried without, too ("Shenzhen DJI").
3. **Acronym** (rule `acronym`, organisations of 3+ words): a 4-8 letter query equal to the
   initials of a listed name ("SMIC") scores 95, like an exact short name. Shorter acronyms
   are too ambiguous.
4. **Listed name inside a longer query** (rule `contains`, organisations): every word of a
   listed name with a distinctive word appears in the query and the extra query words are only
   place, industry or legal words ("Huawei Technologies Shenzhen"): 93; the same with a short
   name of rule 2 ("Hikvision USA", "DJI Innovations"): 90, the weakest rule.
5. **People** (rule `person`, entries of type Individual): each of two or more query words
   matches a different word of the listed name at 88+ ("Vladimir Putin" for "PUTIN, Vladimir
   Vladimirovich"): the mean word score minus 5.

An entry matches with its best name (primary or alternate, reported as `matched_name`); results
are one per entry, best score first (on a tie, the matched name with fewer words first).
`country` (ISO-2) keeps entries with that country in an address, citizenship or nationality,
and entries whose country is unknown (they cannot be ruled out). `as_of` drops entries listed
after that date (`start_date`) or ended before it (`end_date`).

The list's version date is the `Last-Modified` date the server sent when it was fetched, or the
fetch date when the server sent none (trade.gov regenerates the file daily).
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import dataclasses
import fcntl
import hashlib
import io
import json
import logging
import math
import os
import re
import shutil
import tempfile
import threading
import time
import unicodedata
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal

import httpx
import numpy as np
from rapidfuzz import fuzz, process

from assistant.config import Settings

logger = logging.getLogger(__name__)

LIST_NAME = "Consolidated Screening List"
CSL_FILE = "csl.csv"
META_FILE = "csl.meta.json"
MAX_NAME_CHARS = 200
_USER_AGENT = "trade-policy-assistant/0.1 (screening list sync)"

# Columns every CSL export has and screening relies on; the published header has more.
REQUIRED_COLUMNS = (
    "source",
    "name",
    "type",
    "addresses",
    "alt_names",
    "federal_register_notice",
    "start_date",
    "license_requirement",
    "license_policy",
)

_SHORT_NAME_PENALTY = 5.0
_ACRONYM_SCORE = 95.0
_CONTAINS_SCORE = 93.0
_CONTAINS_SHORT_SCORE = 90.0
_WORD_MATCH = 80.0  # a distinctive word of the listed name counts as present from this score
_MAX_NGRAM = 5


class ScreeningError(ValueError):
    """A screening list that cannot be read, or a query that cannot be screened."""


# --------------------------------------------------------------------------- entries


@dataclass(frozen=True)
class ScreeningEntry:
    """One row of the CSL. `countries` are ISO-2 codes from addresses, citizenships and
    nationalities; `source_url` is the list's page (source_list_url, else
    source_information_url)."""

    name: str
    alt_names: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    countries: frozenset[str] = frozenset()
    source: str = ""
    federal_register_notice: str = ""
    start_date: date | None = None
    end_date: date | None = None
    license_requirement: str = ""
    license_policy: str = ""
    source_url: str = ""
    entity_number: str = ""
    id: str = ""
    type: str = ""
    programs: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The primary name, then the alternates."""
        return (self.name, *self.alt_names)

    @property
    def is_individual(self) -> bool:
        return self.type.strip().casefold() == "individual"

    def active_on(self, day: date) -> bool:
        """Listed on `day`: started on or before it and not ended before it."""
        if self.start_date is not None and self.start_date > day:
            return False
        return self.end_date is None or self.end_date >= day


@dataclass(frozen=True)
class Match:
    """A screening hit: the entry, its score (0-100, one decimal), which of its names matched
    and by which rule (`name`, `short_name`, `acronym`, `contains`, `person`)."""

    entry: ScreeningEntry
    score: float
    matched_name: str
    rule: str = "name"
    query: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of CLI `--json` and `/v1/screen` matches."""
        e = self.entry
        return {
            "name": e.name,
            "matched_name": self.matched_name,
            "score": self.score,
            "source": e.source,
            "country": ", ".join(sorted(e.countries)) or None,
            "license_requirement": e.license_requirement or None,
            "license_policy": e.license_policy or None,
            "federal_register_notice": e.federal_register_notice or None,
            "start_date": e.start_date.isoformat() if e.start_date else None,
            "source_url": e.source_url or None,
            "entity_number": e.entity_number or e.id or None,
            "rule": self.rule,
        }


def no_match_message(version: str, name: str | None = None) -> str:
    """The only wording for a negative: a screen never clears anyone."""
    said = f"{name.strip()}: " if name and name.strip() else ""
    return f"{said}no match in the {LIST_NAME} as of {version}"


# --------------------------------------------------------------------------- parsing

_COUNTRY_NAMES = {
    "afghanistan": "AF", "belarus": "BY", "burma": "MM", "myanmar": "MM", "china": "CN",
    "cuba": "CU", "germany": "DE", "hong kong": "HK", "india": "IN", "iran": "IR", "iraq": "IQ",
    "lebanon": "LB", "libya": "LY", "north korea": "KP", "korea, north": "KP", "pakistan": "PK",
    "russia": "RU", "russian federation": "RU", "singapore": "SG", "syria": "SY", "taiwan": "TW",
    "turkey": "TR", "turkiye": "TR", "ukraine": "UA", "united arab emirates": "AE",
    "united kingdom": "GB", "united states": "US", "venezuela": "VE", "yemen": "YE",
}  # fmt: skip
_ISO2 = re.compile(r"^[A-Z]{2}$")


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(";") if part.strip())


def _country(value: str) -> str | None:
    value = value.strip().strip(".")
    if _ISO2.match(value):
        return value
    return _COUNTRY_NAMES.get(value.casefold())


def _parse_date(value: str | None) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    with contextlib.suppress(ValueError):
        return date.fromisoformat(value[:10])
    for fmt in ("%m/%d/%Y", "%d %b %Y", "%d %B %Y", "%B %d, %Y", "%Y/%m/%d"):
        with contextlib.suppress(ValueError):
            return datetime.strptime(value, fmt).date()
    return None


def parse_csl(text: str) -> list[ScreeningEntry]:
    """Entries of a CSL CSV (the published column layout; a BOM, empty fields and blank or odd
    dates are tolerated). Raises `ScreeningError` when the header lacks the CSL columns."""
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lstrip("\ufeff") for h in (reader.fieldnames or [])]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        shown = ", ".join(header[:8]) or "(empty)"
        raise ScreeningError(
            f"not a Consolidated Screening List CSV: missing column(s) {', '.join(missing)} "
            f"(header starts: {shown})"
        )
    reader.fieldnames = header
    csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024))
    entries: list[ScreeningEntry] = []
    try:
        for row in reader:

            def get(key: str, row: dict[str, str | None] = row) -> str:
                return (row.get(key) or "").strip()

            name = get("name")
            if not name:
                continue
            addresses = _split(get("addresses"))
            countries = {c for a in addresses if (c := _country(a.rsplit(",", 1)[-1]))}
            for key in ("citizenships", "nationalities"):
                countries.update(c for part in _split(get(key)) if (c := _country(part)))
            entries.append(
                ScreeningEntry(
                    name=name,
                    alt_names=tuple(a for a in _split(get("alt_names")) if a != name),
                    addresses=addresses,
                    countries=frozenset(countries),
                    source=get("source"),
                    federal_register_notice=get("federal_register_notice"),
                    start_date=_parse_date(get("start_date")),
                    end_date=_parse_date(get("end_date")),
                    license_requirement=get("license_requirement"),
                    license_policy=get("license_policy"),
                    source_url=get("source_list_url") or get("source_information_url"),
                    entity_number=get("entity_number"),
                    id=get("_id"),
                    type=get("type"),
                    programs=_split(get("programs")),
                )
            )
    except csv.Error as exc:
        raise ScreeningError(f"not a readable CSV at line {reader.line_num}: {exc}") from exc
    return entries


# --------------------------------------------------------------------------- normalisation

# Legal forms, removed only at the start or the end of a name ("Huawei Technologies Co., Ltd.",
# "JSC Rosoboronexport"), never from its middle, and never when nothing else would remain.
_LEGAL_WORDS = frozenset(
    "co company corp corporation ltd limited inc incorporated gmbh llc llp plc sa sas sarl ag "
    "bv nv srl spa oy oyj ab kk pte pvt pty jsc ojsc pjsc cjsc ooo zao oao pao sdn bhd".split()
)
_LEGAL_PHRASES: tuple[tuple[str, ...], ...] = tuple(
    tuple(p.split())
    for p in (
        "public joint stock company",
        "open joint stock company",
        "closed joint stock company",
        "joint stock company",
        "limited liability company",
        "limited liability partnership",
        "public limited company",
        "private limited company",
        "sociedad anonima",
        "societe anonyme",
        "aktiengesellschaft",
        "gesellschaft mit beschrankter haftung",
    )
)
_LEADING_ONLY = frozenset({"the"})
_DOTTED = re.compile(r"(?<!\w)[^\W\d_](?:\.[^\W\d_])+\.?(?!\w)")
_POSSESSIVE = re.compile(r"['’`]s\b")
_APOSTROPHE = re.compile(r"['’`]")
_NON_WORD = re.compile(r"[\W_]+")


def _strip_legal(tokens: list[str]) -> list[str]:
    start, end = 0, len(tokens)
    changed = True
    while changed and start < end:
        changed = False
        for phrase in _LEGAL_PHRASES:
            n = len(phrase)
            if end - start > n and tuple(tokens[end - n : end]) == phrase:
                end -= n
                changed = True
            if end - start > n and tuple(tokens[start : start + n]) == phrase:
                start += n
                changed = True
        if end - start > 1 and tokens[end - 1] in _LEGAL_WORDS:
            end -= 1
            changed = True
        if end - start > 1 and (tokens[start] in _LEGAL_WORDS or tokens[start] in _LEADING_ONLY):
            start += 1
            changed = True
    return tokens[start:end]


def normalize_name(name: str) -> str:
    """A name reduced to what identifies it, for comparison.

    Rules, in order: Unicode NFKD with combining marks removed (accents: "Société" → "societe")
    and casefolded; dotted abbreviations joined ("S.p.A." → "spa", "U.S." → "us"); a possessive
    "'s" and apostrophes removed; "&" read as "and"; every other punctuation mark a space;
    legal forms removed from the start and the end of the name, repeatedly ("co ltd", "company
    limited", "corp", "inc", "gmbh", "llc", "plc", "sa", "ag", "bv", "nv", "srl", "spa", "oy",
    "ab", "kk", "pte", "pvt", "pty", "jsc", "pjsc", "ooo", "zao", "joint stock company",
    "limited liability company", ... and a leading "the"), but never from the middle and never
    all of them; whitespace collapsed. Words that tell entities apart stay ("technologies",
    "group", "international", "holding"): only legal forms go.
    """
    text = name
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold()
    text = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _POSSESSIVE.sub("", text)
    text = _APOSTROPHE.sub("", text).replace("&", " and ")
    tokens = _NON_WORD.sub(" ", text).split()
    if all(t in _LEGAL_WORDS or t in _LEADING_ONLY for t in tokens):
        return " ".join(tokens)  # nothing but legal words: keep them all
    return " ".join(_strip_legal(tokens))


# --------------------------------------------------------------------------- match keys

_ABBREVIATIONS = {
    "tech": "technology", "techs": "technology", "technologies": "technology",
    "intl": "international", "natl": "national", "mfg": "manufacturing",
    "electronics": "electronic", "elec": "electronic",
    "comm": "communication", "communications": "communication", "telecom": "telecommunication",
    "telecommunications": "telecommunication", "svc": "service", "svcs": "service",
    "services": "service", "sys": "system", "systems": "system", "ind": "industry",
    "industries": "industry", "industrial": "industry", "eng": "engineering",
    "engg": "engineering", "univ": "university", "inst": "institute", "acad": "academy",
    "sci": "science", "grp": "group", "hldg": "holding", "hldgs": "holding",
    "holdings": "holding", "mgmt": "management", "dept": "department", "govt": "government",
    "intel": "intelligence", "assn": "association", "instruments": "instrument",
}  # fmt: skip

_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяі",
        "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch - y - e yu ya i".split(),
        strict=True,
    )
)

# Words that do not tell one listed party from another: places, industries, connectors.
_PLACES = frozenset(
    "china chinese prc beijing shanghai shenzhen sz guangzhou guangdong hangzhou zhejiang tianjin "
    "wuhan hubei chengdu sichuan chongqing nanjing jiangsu xian shaanxi dalian qingdao suzhou "
    "xiamen fujian dongguan hunan changsha hefei anhui jinan shandong harbin zhuhai guizhou "
    "guiyang yunnan hebei shijiazhuang henan zhengzhou shanxi taiyuan jiangxi nanchang liaoning "
    "shenyang jilin changchun heilongjiang mongolia guangxi nanning hainan haikou gansu lanzhou "
    "qinghai ningxia xinjiang urumqi tibet hong kong hk macau macao taiwan russia russian "
    "moscow petersburg st "
    "novosibirsk iran iranian tehran isfahan syria syrian damascus korea korean north south dprk "
    "pyongyang cuba cuban havana belarus minsk venezuela caracas uae dubai emirates arab turkey "
    "istanbul pakistan karachi lahore india singapore malaysia kuala lumpur usa us america "
    "american europe european asia asian pacific middle east west far germany deutschland uk "
    "britain british france japan italia italy".split()
)
_GENERIC = _PLACES | frozenset(
    "and of the for de du la le al el in on at to a an e bank banking trading trade technology "
    "electronic industry import export group holding investment engineering science scientific "
    "research institute university academy national state general new first united central "
    "service solution system logistics shipping aviation air airlines airways oil gas "
    "petroleum petrochemical energy power equipment machinery material materials chemical "
    "chemicals innovation innovations defense defence military ministry department center "
    "centre development "
    "enterprise enterprises commercial economic cooperation digital information communication "
    "telecommunication network networks semiconductor semiconductors micro microelectronics "
    "computer computing software data cloud intelligent smart precision instrument optical "
    "optics international global world manufacturing factory plant works company corporation "
    "limited co ltd inc corp llc branch office agency office institute laboratory lab labs "
    "medical health products product supply supplies marine maritime navigation space "
    "aerospace automation automotive motor motors device devices circuit integrated circuits "
    "components parts metal metals steel mining construction transport transportation "
    "resources management consulting partners venture ventures capital finance financial "
    "insurance exchange express freight cargo trust fund foundation association council "
    "committee bureau administration government organization organisation authority "
    "university college school hospital education training".split()
)


def _key_tokens(normalized: str) -> list[str]:
    """Match tokens: Cyrillic transliterated, common abbreviations expanded."""
    if any("\u0400" <= ch <= "\u04ff" for ch in normalized):
        normalized = "".join(_CYRILLIC.get(ch, ch) for ch in normalized).replace("-", "")
    return [_ABBREVIATIONS.get(t, t) for t in normalized.split()]


_PHONETIC_RULES = (
    ("sch", "sh"),
    ("tch", "ch"),
    ("kh", "h"),
    ("ph", "f"),
    ("ck", "k"),
    ("x", "ks"),
    ("q", "k"),
    ("c", "k"),
    ("w", "v"),
    ("y", "i"),
    ("z", "s"),
)
_DOUBLE = re.compile(r"(.)\1+")


def _phonetic(text: str) -> str:
    for old, new in _PHONETIC_RULES:
        text = text.replace(old, new)
    return _DOUBLE.sub(r"\1", text)


def _distinctive(token: str) -> bool:
    """A word that tells listed parties apart: not a place, industry or connector word, and
    not a number."""
    return len(token) >= 2 and token not in _GENERIC and not any(ch.isdigit() for ch in token)


def _identifying(token: str) -> bool:
    """Distinctive, or a number ("13th" in "CETC 13th Research Institute"): a word that may not
    be missing, different or extra."""
    return _distinctive(token) or any(ch.isdigit() for ch in token)


def _word_score(word: str, tokens: Sequence[str]) -> float:
    """How well `word` is present among `tokens` (or two adjacent ones run together, or, for
    3+ letters, inside them run together: "hua" in "Huawei")."""
    if word in tokens or (len(word) >= 3 and word in "".join(tokens)):
        return 100.0
    candidates = list(tokens) + [a + b for a, b in zip(tokens, tokens[1:], strict=False)]
    if not candidates:
        return 0.0
    pw = _phonetic(word)
    return max(max(fuzz.ratio(word, c), fuzz.ratio(pw, _phonetic(c))) for c in candidates)


def _covered(these: Sequence[str], those: Sequence[str]) -> bool:
    """Every distinctive word or number of `these` (all words if there is none) is in `those`
    at `_WORD_MATCH` or better."""
    needed = [t for t in these if _identifying(t)] or list(these)
    return all(_word_score(t, those) >= _WORD_MATCH for t in needed)


def _same_words(name_tokens: Sequence[str], query_tokens: Sequence[str]) -> bool:
    """Both ways: the name's distinctive words are in the query, and the query's in the name
    ("Beijing Institute of Fashion Technology" is not "Beijing Institute of Technology")."""
    return _covered(name_tokens, query_tokens) and _covered(query_tokens, name_tokens)


@dataclass(frozen=True)
class _Query:
    tokens: tuple[str, ...]
    key: str
    compact: str
    phon: str

    @classmethod
    def of(cls, text: str) -> _Query:
        tokens = tuple(_key_tokens(normalize_name(text)))
        compact = "".join(tokens)
        return cls(tokens, " ".join(tokens), compact, _phonetic(compact))

    @classmethod
    def of_tokens(cls, tokens: Sequence[str]) -> _Query:
        compact = "".join(tokens)
        return cls(tuple(tokens), " ".join(tokens), compact, _phonetic(compact))

    @property
    def has_distinctive(self) -> bool:
        return any(_distinctive(t) and len(t) >= 3 for t in self.tokens)

    def core(self) -> _Query | None:
        """The query without its leading place and industry words ("Shenzhen DJI" → "DJI"),
        when there are some and something distinctive remains."""
        start = 0
        while start < len(self.tokens) and not _distinctive(self.tokens[start]):
            start += 1
        if 0 < start < len(self.tokens):
            return _Query.of_tokens(self.tokens[start:])
        return None


# --------------------------------------------------------------------------- the index


@dataclass
class _Heads:
    """Leading word runs (1-5 words) of organisation names, for the short-name rule."""

    texts: list[str] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    compacts: list[str] = field(default_factory=list)
    phons: list[str] = field(default_factory=list)
    name_ids: list[int] = field(default_factory=list)
    by_size: dict[int, _Column] = field(default_factory=dict)
    compact_column: _Column | None = None
    phon_column: _Column | None = None

    def add(self, head: Sequence[str], name_id: int) -> None:
        self.texts.append(" ".join(head))
        self.sizes.append(len(head))
        self.compacts.append("".join(head))
        self.phons.append(_phonetic("".join(head)))
        self.name_ids.append(name_id)

    def freeze(self) -> None:
        """Word-order-free comparison within runs of the query's word count; spacing-free and
        phonetic comparison across all ("Hua Wei" is the one-word head "Huawei")."""
        groups: dict[int, list[int]] = {}
        for i, size in enumerate(self.sizes):
            groups.setdefault(size, []).append(i)
        self.by_size = {
            size: _Column([self.texts[i] for i in ids], ids) for size, ids in groups.items()
        }
        self.compact_column = _Column(self.compacts)
        self.phon_column = _Column(self.phons)


def _initials(tokens: Sequence[str]) -> str:
    return "".join(t[0] for t in tokens if t not in ("of", "and", "the", "for", "de"))


class _Index:
    """Precomputed match keys of every name of every entry."""

    def __init__(self, entries: Sequence[ScreeningEntry]) -> None:
        self.name_entry: list[int] = []
        self.name_text: list[str] = []  # the name as listed, reported as matched_name
        self.tokens: list[tuple[str, ...]] = []
        self.keys: list[str] = []
        self.compacts: list[str] = []
        self.phons: list[str] = []
        self.heads = _Heads()
        self.by_key: dict[str, list[int]] = {}
        self.by_head: dict[tuple[str, ...], list[int]] = {}
        self.by_acronym: dict[str, list[int]] = {}
        self.by_token: dict[str, list[int]] = {}
        for entry_id, entry in enumerate(entries):
            for listed in entry.names:
                for variant in self._variants(listed):
                    self._add(entry_id, entry, listed, variant)
        self.key_column = _Column(self.keys)
        self.compact_column = _Column(self.compacts)
        self.phon_column = _Column(self.phons)
        self.heads.freeze()
        # For free text: phonetic keys of whole names and short-name heads, blocked by their
        # first letter, so hundreds of phrases can be prefiltered in a few milliseconds.
        blocks: dict[str, set[str]] = {}
        for text in [*self.phons, *self.heads.phons]:
            if text:
                blocks.setdefault(text[0], set()).add(text)
        self.blocks = {first: _Column(sorted(texts)) for first, texts in blocks.items()}

    @staticmethod
    def _variants(listed: str) -> list[str]:
        """The name, the name without its parenthesised parts, and a parenthesised alias
        ("... Corporation (SMIC)") when it holds a distinctive word."""
        variants = [listed]
        inner = re.findall(r"\(([^()]*)\)", listed)
        if inner:
            outer = re.sub(r"\([^()]*\)", " ", listed)
            if outer.strip():
                variants.append(outer)
            for alias in inner:
                if any(_distinctive(t) for t in _key_tokens(normalize_name(alias))):
                    variants.append(alias)
        return variants

    def _add(self, entry_id: int, entry: ScreeningEntry, listed: str, variant: str) -> None:
        tokens = tuple(_key_tokens(normalize_name(variant)))
        if not tokens:
            return
        key = " ".join(tokens)
        if key in self.by_key and any(self.name_entry[i] == entry_id for i in self.by_key[key]):
            return
        nid = len(self.keys)
        compact = "".join(tokens)
        self.name_entry.append(entry_id)
        self.name_text.append(listed)
        self.tokens.append(tokens)
        self.keys.append(key)
        self.compacts.append(compact)
        self.phons.append(_phonetic(compact))
        self.by_key.setdefault(key, []).append(nid)
        for token in set(tokens):
            self.by_token.setdefault(token, []).append(nid)
        if entry.is_individual:
            return
        starts = [0]
        core = 0
        while core < len(tokens) and not _distinctive(tokens[core]):
            core += 1
        if 0 < core < len(tokens):
            starts.append(core)
        for start in starts:
            for k in range(1, min(_MAX_NGRAM, len(tokens) - start) + 1):
                if start == 0 and k == len(tokens):
                    continue  # the whole name: rule 1
                head = tokens[start : start + k]
                if not any(_distinctive(t) for t in head):
                    continue
                self.heads.add(head, nid)
                self.by_head.setdefault(tuple(sorted(head)), []).append(nid)
        if len(tokens) >= 3 or len(variant.split()) >= 3:
            raw = _NON_WORD.sub(" ", normalize_name(variant)).split()
            full = _NON_WORD.sub(" ", unicodedata.normalize("NFKD", variant).casefold()).split()
            for words in (raw, full):
                acronym = _initials(words)
                if 4 <= len(acronym) <= 8 and len(words) >= 3:
                    ids = self.by_acronym.setdefault(acronym, [])
                    if nid not in ids:
                        ids.append(nid)


class _Column:
    """Strings sorted by length, so a query is compared only with those whose length allows
    the cutoff: `fuzz.ratio` (and `token_sort_ratio`, same characters) is at most
    2·min(a, b) / (a + b), so most of a large list is skipped without being looked at."""

    def __init__(self, texts: Sequence[str], ids: Sequence[int] | None = None) -> None:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        self.ids = np.asarray([ids[i] if ids is not None else i for i in order], dtype=np.int64)
        self.texts = [texts[i] for i in order]
        self.lengths = [len(t) for t in self.texts]

    def scores(self, query: str, scorer: Any, cutoff: float) -> tuple[np.ndarray, np.ndarray]:
        """(ids, scores) of the strings scoring `cutoff` or more against `query`."""
        if not query or not self.texts or cutoff > 100:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        c = max(min(cutoff, 100.0), 1.0) / 100.0
        n = len(query)
        lo = bisect.bisect_left(self.lengths, math.floor(n * c / (2 - c)))
        hi = bisect.bisect_right(self.lengths, math.ceil(n * (2 - c) / c))
        if lo >= hi:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        row = process.cdist(
            [query], self.texts[lo:hi], scorer=scorer, score_cutoff=cutoff, workers=1
        )[0]
        keep = np.nonzero(row >= cutoff)[0]
        return self.ids[lo:hi][keep], row[keep].astype(np.float64)


def _best(parts: Sequence[tuple[np.ndarray, np.ndarray]]) -> dict[int, float]:
    best: dict[int, float] = {}
    for ids, scores in parts:
        for i, score in zip(ids.tolist(), scores.tolist(), strict=True):
            if score > best.get(i, 0.0):
                best[i] = score
    return best


# --------------------------------------------------------------------------- the list


class ScreeningList:
    """The CSL entries with a name index. `version` is the list's version date
    (YYYY-MM-DD), `url` where it came from."""

    def __init__(
        self,
        entries: Sequence[ScreeningEntry],
        version: str,
        url: str = "",
        threshold: float = 88.0,
        fetched_at: str | None = None,
        sha256: str | None = None,
    ) -> None:
        self.entries = list(entries)
        self.version = version
        self.url = url
        self.threshold = float(threshold)
        self.fetched_at = fetched_at
        self.sha256 = sha256
        self._index = _Index(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def no_match_message(self, name: str | None = None) -> str:
        return no_match_message(self.version, name)

    def summary(self, matches: Sequence[Match], name: str | None = None) -> str:
        """One line for a screen's outcome: "N possible matches in the Consolidated Screening
        List as of V", or the no-match wording."""
        if not matches:
            return self.no_match_message(name)
        n = len(matches)
        plural = "es" if n != 1 else ""
        return f"{n} possible match{plural} in the {LIST_NAME} as of {self.version}"

    # ----------------------------------------------------------------- screening

    def screen(
        self,
        name: str,
        country: str | None = None,
        as_of: date | None = None,
        limit: int = 10,
    ) -> list[Match]:
        """Entries whose names match `name` at or above the threshold, best first, one per
        entry (see the module docstring for the rules). `country` is an ISO-2 code."""
        if not name or not name.strip():
            raise ScreeningError("the name to screen is blank")
        if len(name) > MAX_NAME_CHARS:
            raise ScreeningError(f"the name is longer than {MAX_NAME_CHARS} characters")
        wanted = _check_country(country)
        query = _Query.of(name)
        if not query.key:
            return []
        best = self._score(query)
        return self._matches(best, name, wanted, as_of, limit)

    def _score(self, q: _Query) -> dict[int, tuple[float, int, str]]:
        """Best (score, name id, rule) per name id reaching the threshold."""
        ix, threshold = self._index, self.threshold
        found: dict[int, tuple[float, int, str]] = {}

        def offer(nid: int, score: float, rule: str) -> None:
            if score >= threshold and (nid not in found or score > found[nid][0]):
                found[nid] = (score, nid, rule)

        # 1. Whole name.
        whole = _best(
            [
                ix.key_column.scores(q.key, fuzz.ratio, threshold),
                ix.key_column.scores(q.key, fuzz.token_sort_ratio, threshold),
                ix.compact_column.scores(q.compact, fuzz.ratio, threshold),
                ix.phon_column.scores(q.phon, fuzz.ratio, threshold),
            ]
        )
        for nid, score in whole.items():
            if _same_words(ix.tokens[nid], q.tokens):
                offer(nid, score, "name")

        # 2. Short name of an organisation (also for the query without leading place words).
        for variant in (q, q.core()):
            if variant is not None and variant.has_distinctive:
                for nid, score in self._short_names(variant).items():
                    offer(nid, score, "short_name")

        # 3. Acronym.
        if len(q.tokens) == 1 and q.compact.isalpha() and 4 <= len(q.compact) <= 8:
            for nid in ix.by_acronym.get(q.compact, []):
                offer(nid, _ACRONYM_SCORE, "acronym")

        # 4. A listed organisation name inside a longer query.
        if len(q.tokens) >= 2:
            counts: dict[int, int] = {}
            for token in set(q.tokens):
                for nid in ix.by_token.get(token, []):
                    counts[nid] = counts.get(nid, 0) + 1
            qset = set(q.tokens)
            for nid, n in counts.items():
                tokens = ix.tokens[nid]
                if n != len(set(tokens)) or len(tokens) >= len(q.tokens):
                    continue
                if self.entries[ix.name_entry[nid]].is_individual:
                    continue
                if not any(_distinctive(t) for t in tokens):
                    continue
                if all(not _identifying(t) or t in _LEGAL_WORDS for t in qset - set(tokens)):
                    offer(nid, _CONTAINS_SCORE, "contains")
            # ... or its short name, the other query words generic ("Hikvision USA").
            for size in range(1, min(_MAX_NGRAM, len(q.tokens) - 1) + 1):
                for start in range(len(q.tokens) - size + 1):
                    run = q.tokens[start : start + size]
                    nids = ix.by_head.get(tuple(sorted(run)))
                    rest = q.tokens[:start] + q.tokens[start + size :]
                    if nids and all(not _identifying(t) or t in _LEGAL_WORDS for t in rest):
                        for nid in nids:
                            offer(nid, _CONTAINS_SHORT_SCORE, "contains")

        # 5. People: each query word is one of the listed person's words.
        if len(q.tokens) >= 2:
            for nid in self._person_candidates(q):
                person = _person_score(q.tokens, ix.tokens[nid])
                if person is not None:
                    offer(nid, person, "person")
        return found

    def _short_names(self, q: _Query) -> dict[int, float]:
        """Rule 2: name id -> score for heads matching the whole query."""
        heads, cutoff = self._index.heads, self.threshold + _SHORT_NAME_PENALTY
        if heads.compact_column is None or heads.phon_column is None:
            return {}
        parts = [
            heads.compact_column.scores(q.compact, fuzz.ratio, cutoff),
            heads.phon_column.scores(q.phon, fuzz.ratio, cutoff),
        ]
        same_size = heads.by_size.get(len(q.tokens))
        if same_size is not None:
            parts.append(same_size.scores(q.key, fuzz.token_sort_ratio, cutoff))
        found: dict[int, float] = {}
        for i, score in _best(parts).items():
            if _same_words(heads.texts[i].split(), q.tokens):
                nid = heads.name_ids[i]
                found[nid] = max(found.get(nid, 0.0), score - _SHORT_NAME_PENALTY)
        return found

    def _person_candidates(self, q: _Query) -> set[int]:
        """Names of people holding, for every query word, a word that is close in spelling or
        in sound (looked up in the vocabulary of people's name words)."""
        vocab, by_phon = self._person_vocab()
        if not vocab:
            return set()
        per_token: list[set[int]] = []
        for token in q.tokens:
            ids: set[int] = set()
            hits = process.extract(
                _phonetic(token), vocab, scorer=fuzz.ratio, score_cutoff=self.threshold, limit=None
            )
            for key, _, _ in hits:
                ids.update(by_phon[key])
            per_token.append(ids)
        return set.intersection(*per_token)

    def _person_vocab(self) -> tuple[list[str], dict[str, set[int]]]:
        cached: tuple[list[str], dict[str, set[int]]] | None = getattr(self, "_people", None)
        if cached is None:
            ix = self._index
            by_phon: dict[str, set[int]] = {}
            for nid, entry_id in enumerate(ix.name_entry):
                if self.entries[entry_id].is_individual:
                    for token in ix.tokens[nid]:
                        by_phon.setdefault(_phonetic(token), set()).add(nid)
            cached = (sorted(by_phon), by_phon)
            self._people = cached
        return cached

    def _matches(
        self,
        found: dict[int, tuple[float, int, str]],
        query: str,
        country: str | None,
        as_of: date | None,
        limit: int,
    ) -> list[Match]:
        ranked = sorted(self._ranked(found, query, country, as_of), key=lambda item: item[:3])
        return [m for *_, m in ranked[: max(0, limit)]]

    def _ranked(
        self,
        found: dict[int, tuple[float, int, str]],
        query: str,
        country: str | None,
        as_of: date | None,
    ) -> list[tuple[float, int, int, Match]]:
        """One (sort key..., Match) per entry, from its best name; filters applied. Ties go
        to the entry whose matched name has fewer words (the closer one), then list order."""
        ix = self._index
        per_entry: dict[int, tuple[float, int, str]] = {}
        for score, nid, rule in found.values():
            entry_id = ix.name_entry[nid]
            current = per_entry.get(entry_id)
            if current is None or score > current[0]:
                per_entry[entry_id] = (score, nid, rule)
        ranked: list[tuple[float, int, int, Match]] = []
        for entry_id, (score, nid, rule) in per_entry.items():
            entry = self.entries[entry_id]
            if as_of is not None and not entry.active_on(as_of):
                continue
            if country is not None and entry.countries and country not in entry.countries:
                continue
            match = Match(entry, round(min(score, 100.0), 1), ix.name_text[nid], rule, query)
            ranked.append((-match.score, len(ix.tokens[nid]), entry_id, match))
        return ranked

    # ----------------------------------------------------------------- free text

    def find_parties(self, text: str, as_of: date | None = None, limit: int = 10) -> list[Match]:
        """Listed parties named in free text; see `find_parties`."""
        candidates = _candidate_phrases(text)
        if not candidates:
            return []
        ix = self._index
        queries: dict[str, tuple[str, _Query]] = {}
        for phrase in candidates:
            q = _Query.of(phrase)
            if q.key and q.key not in queries:
                queries[q.key] = (phrase, q)
        if not queries:
            return []
        # Cheap prefilter: an exact name, short-name head or acronym (dictionary lookups), or
        # a phonetic key close to a whole name or head that starts with the same letter. Only
        # the survivors are scored with every rule.
        keys = list(queries)
        survivors: list[int] = []
        people = self._person_vocab()[1]
        for i, key in enumerate(keys):
            q = queries[key][1]
            block = ix.blocks.get(q.phon[:1])
            if (
                key in ix.by_key
                or (q.has_distinctive and tuple(sorted(q.tokens)) in ix.by_head)
                or (len(q.tokens) == 1 and q.compact in ix.by_acronym)
                or (len(q.tokens) >= 2 and all(_phonetic(t) in people for t in q.tokens))
                or (block is not None and len(block.scores(q.phon, fuzz.ratio, self.threshold)[0]))
            ):
                survivors.append(i)
        best: dict[int, tuple[float, int, int, Match]] = {}
        for i in survivors:
            phrase, q = queries[keys[i]]
            for item in self._ranked(self._score(q), phrase, None, as_of):
                entry_id = item[2]
                if entry_id not in best or item[:2] < best[entry_id][:2]:
                    best[entry_id] = item
        ranked = sorted(best.values(), key=lambda item: item[:3])
        return [m for *_, m in ranked[: max(0, limit)]]


def _check_country(country: str | None) -> str | None:
    if country is None or not country.strip():
        return None
    code = country.strip().upper()
    if not _ISO2.match(code):
        raise ScreeningError(f"country must be a two-letter ISO code, not {country!r}")
    return code


def _person_score(query: Sequence[str], name: Sequence[str]) -> float | None:
    """Each query word matched to a different word of the person's name, greedily by score."""
    if len(query) > len(name):
        return None
    free = list(range(len(name)))
    scores: list[float] = []
    for word in sorted(query, key=len, reverse=True):
        best_i, best_s = -1, 0.0
        for i in free:
            s = max(fuzz.ratio(word, name[i]), fuzz.ratio(_phonetic(word), _phonetic(name[i])))
            if s > best_s:
                best_i, best_s = i, s
        if best_s < 88.0:
            return None
        free.remove(best_i)
        scores.append(best_s)
    mean = sum(scores) / len(scores)
    return mean if len(query) == len(name) else mean - _SHORT_NAME_PENALTY


# --------------------------------------------------------------------------- free text

_STOPWORDS = frozenset(
    "a an the and or but if then else of to in on at by for with from into onto about as is are "
    "was were be been being do does did done can could may might must shall should will would "
    "we you i he she it they them us our your their my me this that these those there here "
    "what which who whom whose when where why how whether not no yes any all some each every "
    "need needs require requires required license licence licences licenses licensing export "
    "exports exported exporting reexport ship shipping shipment sell sale sales sold buy item "
    "items software hardware technology rule rules regulation regulations ear itar ofac bis "
    "entity entities list listed party parties company companies customer customers supplier "
    "please tell explain under also still just only than so such other another new mass market "
    "de minimis".split()
)
_WORD = re.compile(r"[^\W_](?:[\w.&'’-]*[^\W_])?")


def _name_like(token: str) -> bool:
    return (
        token[:1].isupper()
        or any(ch.isupper() for ch in token[1:])
        or any(ch.isdigit() for ch in token)
    )


def _candidate_phrases(text: str) -> list[str]:
    """Runs of 1-5 words that could be a party's name. Words must be capitalised (or hold a
    capital or a digit), except connectors inside a run ("Bank of Kunlun"); when no word but the
    first is capitalised (a question typed in lower case), every non-stopword counts."""
    words = _WORD.findall(text[:20_000])
    if not words:
        return []
    lower_text = not any(_name_like(w) for w in words[1:])
    usable = [(lower_text or _name_like(w)) and w.casefold() not in _STOPWORDS for w in words]
    connectors = {"of", "and", "&", "for", "de", "al", "el", "la"}
    phrases: list[str] = []
    seen: set[str] = set()
    for i in range(len(words)):
        if not usable[i]:
            continue
        for n in range(1, _MAX_NGRAM + 1):
            j = i + n
            if j > len(words):
                break
            inner = words[i:j]
            if not usable[j - 1]:
                if inner[-1].casefold() in connectors:
                    continue
                break
            if any(not usable[k] and words[k].casefold() not in connectors for k in range(i, j)):
                break
            phrase = " ".join(inner)
            if phrase not in seen:
                seen.add(phrase)
                phrases.append(phrase)
    return phrases


def find_parties(
    text: str, screening_list: ScreeningList, as_of: date | None = None, limit: int = 10
) -> list[Match]:
    """Listed parties mentioned in free text, best first, one per entry.

    Candidate phrases are runs of 1-5 capitalised words (connectors such as "of" allowed
    inside; every word when the text is all lower case), stopwords and question words
    excluded. Each is prefiltered against the name index (exact names, short-name heads and
    acronyms by dictionary lookup, people by the sound of each of their names; misspellings by
    rapidfuzz over the phonetic keys of names and heads that begin with the same letter, so in
    free text a misspelled name must still begin with the same sound), and the few survivors
    are screened with the same rules as `ScreeningList.screen`. Each `Match.query` holds the
    phrase that matched."""
    return screening_list.find_parties(text, as_of=as_of, limit=limit)


# --------------------------------------------------------------------------- storage
#
# On disk, in `settings.screening_dir`:
#
#   current -> v-20260210T162700123456-1a2b3c4d5e6f   a symlink: the only thing a sync switches
#   v-20260210T162700123456-1a2b3c4d5e6f/csl.csv       a version folder, complete (both files
#   v-20260210T162700123456-1a2b3c4d5e6f/csl.meta.json  fsynced) before it is renamed into place
#                                                       and never changed afterwards
#
# A sync streams the download into a staging folder, writes the metadata beside it, renames the
# folder to its version name and then replaces `current` (os.replace of a new symlink). So no
# reader can find the CSV of one version with the metadata of another, and a sync killed at any
# point leaves the old `current` as it was. A reader resolves `current` once and opens both
# files in that folder. The previous version folder is kept (a reader may have just resolved
# it); older ones go. Data dirs of the old layout (`csl.csv` + `csl.meta.json` in the folder
# itself, written one after the other) are still read, their metadata only when its SHA-256 is
# the CSV's; the next sync that stores a list moves them to the new layout.

CURRENT = "current"
_VERSION_PREFIX = "v-"
_STAGING_PREFIX = ".staging-"
_LINK_PREFIX = ".current-"
_LOCK_FILE = ".sync.lock"
_READ_ATTEMPTS = 5

# (version folder or "" for the old layout, CSV inode, size, mtime, metadata mtime)
_Stamp = tuple[str, int, int, int, int]


@dataclass(frozen=True)
class _Copy:
    """A CSV and its metadata as read from one version folder (or the old layout)."""

    raw: bytes
    meta: dict[str, Any]  # {} when there is none or it describes another file
    sha256: str
    stamp: _Stamp
    mtime_ns: int

    @property
    def legacy(self) -> bool:
        return self.stamp[0] == ""

    @property
    def version(self) -> str:
        """The metadata's version date, else the CSV's modification date."""
        version = str(self.meta.get("version") or "")
        return version or datetime.fromtimestamp(self.mtime_ns / 1e9, UTC).date().isoformat()


def _target(directory: Path) -> str | None:
    """The version folder `current` names, or None when there is no `current` (old layout)."""
    link = directory / CURRENT
    try:
        target = os.readlink(link)
    except FileNotFoundError:
        return None
    except OSError as exc:  # not a symlink, or the folder is unreadable
        raise ScreeningError(f"cannot read the screening list link {link}: {exc}") from exc
    if not target.startswith(_VERSION_PREFIX) or "/" in target or os.sep in target:
        raise ScreeningError(f"{link} does not name a version folder beside it: {target!r}")
    return target


def _stamp(directory: Path) -> _Stamp | None:
    """What identifies the copy on disk now (a readlink and two stats: cheap enough for every
    answer), or None when there is no list."""
    target = _target(directory)
    folder = directory / target if target else directory
    try:
        st = os.stat(folder / CSL_FILE)
    except FileNotFoundError:
        # No list; or `current` names a missing folder, which reading will report.
        return None if target is None else (target, 0, 0, 0, 0)
    except OSError:
        return (target or "", -1, 0, 0, 0)  # unreadable: reading will say why
    try:
        meta_ns = os.stat(folder / META_FILE).st_mtime_ns
    except OSError:
        meta_ns = 0
    return (target or "", st.st_ino, st.st_size, st.st_mtime_ns, meta_ns)


def _meta_of(raw: bytes | None, digest: str, where: Path) -> dict[str, Any]:
    """The metadata, or {} when it is missing, not JSON, or describes another CSV (a torn pair
    of the old layout, whose two files were replaced one after the other)."""
    if raw is None:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    claimed = data.get("sha256")
    if claimed and claimed != digest:
        logger.warning("%s describes another copy of the list (SHA-256 differs): ignored", where)
        return {}
    return data


def _read_copy(directory: Path) -> _Copy | None:
    """The CSV and metadata in place now, both from the folder `current` named when it was
    resolved (or from the old layout); None when there is no list.

    A sync may switch `current` (and prune the folder resolved a moment ago) or move the old
    layout away between resolving and opening: both files are then looked up again."""
    for _ in range(_READ_ATTEMPTS):
        target = _target(directory)
        folder = directory / target if target else directory
        try:
            handle = (folder / CSL_FILE).open("rb")
        except FileNotFoundError:
            if target is None and _target(directory) is None:
                return None
            continue
        except OSError as exc:  # permissions, a folder in its place: say so
            raise ScreeningError(
                f"cannot read the screening list {folder / CSL_FILE}: {exc}"
            ) from exc
        with handle:
            meta_raw: bytes | None = None
            meta_ns = 0
            try:
                with (folder / META_FILE).open("rb") as meta_handle:
                    meta_ns = os.fstat(meta_handle.fileno()).st_mtime_ns
                    meta_raw = meta_handle.read()
            except FileNotFoundError:
                if target is None and _target(directory) is not None:
                    continue  # a sync moved the old layout into a version folder meanwhile
            except OSError:  # unreadable metadata: the version date is the file's date
                with contextlib.suppress(OSError):  # and the stamp still `_stamp`'s
                    meta_ns = os.stat(folder / META_FILE).st_mtime_ns
            try:
                st = os.fstat(handle.fileno())
                raw = handle.read()
            except OSError as exc:
                raise ScreeningError(f"cannot read the screening list {folder}: {exc}") from exc
        digest = hashlib.sha256(raw).hexdigest()
        return _Copy(
            raw=raw,
            meta=_meta_of(meta_raw, digest, folder / META_FILE),
            sha256=digest,
            stamp=(target or "", st.st_ino, st.st_size, st.st_mtime_ns, meta_ns),
            mtime_ns=st.st_mtime_ns,
        )
    raise ScreeningError(
        f"cannot read the screening list in {directory}: {directory / CURRENT} names a missing "
        "folder (run `tpa sync`)"
    )


def _list_of(copy: _Copy, threshold: float) -> ScreeningList:
    """Parse and index a copy (the slow part: seconds for a full list)."""
    screening_list = ScreeningList(
        parse_csl(_decode(copy.raw)),
        version=copy.version,
        url=str(copy.meta.get("url") or ""),
        threshold=threshold,
        fetched_at=copy.meta.get("fetched_at"),
        sha256=copy.sha256,
    )
    screening_list._person_vocab()  # here, off the request path, not at the first question
    return screening_list


# ---- the index in use, rebuilt in the background


@dataclass
class _Slot:
    """The list in use for one screening folder and threshold, and the build in flight.
    `current` is replaced by a single assignment, so a reader gets the old list or the new."""

    current: tuple[_Stamp, ScreeningList] | None = None
    failed: tuple[_Stamp, ScreeningError] | None = None
    building: Future[ScreeningList | None] | None = None


_slots_lock = threading.Lock()  # guards `_slots` and starting a build; never held while building
_slots: dict[tuple[str, float], _Slot] = {}


def _slot(directory: Path, threshold: float) -> _Slot:
    key = (os.path.abspath(directory), threshold)
    with _slots_lock:
        return _slots.setdefault(key, _Slot())


def _start_build(slot: _Slot, directory: Path, threshold: float) -> Future[ScreeningList | None]:
    """The build in flight for `slot`, started if there is none (one at a time per slot)."""
    with _slots_lock:
        if slot.building is not None and not slot.building.done():
            return slot.building
        future: Future[ScreeningList | None] = Future()
        slot.building = future
    thread = threading.Thread(
        target=_build,
        args=(slot, future, directory, threshold),
        name="screening-index",
        daemon=True,
    )
    thread.start()
    return future


def _build(
    slot: _Slot, future: Future[ScreeningList | None], directory: Path, threshold: float
) -> None:
    """Read, parse and index the copy on disk, then put it in use (in a thread of its own)."""
    started = time.perf_counter()
    copy: _Copy | None = None
    before: _Stamp | None = None
    try:
        before = _stamp(directory)
        copy = _read_copy(directory)
        screening_list = None if copy is None else _list_of(copy, threshold)
    except ScreeningError as exc:
        failed_at = copy.stamp if copy is not None else before
        if failed_at is not None:
            slot.failed = (failed_at, exc)  # not retried until the files change
        logger.warning("the screening list in %s is unusable: %s", directory, exc)
        future.set_exception(exc)
        return
    except Exception as exc:  # e.g. MemoryError: waiting callers get it, the next call retries
        logger.exception("building the screening index for %s failed", directory)
        future.set_exception(exc)
        return
    if copy is not None and screening_list is not None:
        slot.current = (copy.stamp, screening_list)  # the swap: one reference assignment
        slot.failed = None
        logger.info(
            "screening list in use: %d entries, version %s (built in %.1f s)",
            len(screening_list),
            screening_list.version,
            time.perf_counter() - started,
        )
    future.set_result(screening_list)


def load_list(settings: Settings) -> ScreeningList | None:
    """The synced list, or None when `settings.screening_dir` holds none.

    Cheap on every call (a readlink and two stats). When the files on disk have changed since
    the list in use was built, a new one is parsed and indexed in a background thread and put
    in use by a single assignment; until then every caller gets the list in use at once, so no
    answer waits for a rebuild. Only when there is no list in use yet (the first call of a
    process, per folder and threshold) does the call wait for the build: a screening block
    missing from an answer about a listed party would read as "not listed", and `tpa screen`
    or `/v1/screen` have nothing else to answer with. Concurrent first calls wait for the same
    build. Raises `ScreeningError` when there is no list in use and the copy on disk is not
    a CSL; with a list in use, a copy that cannot be read is logged and the list in use kept."""
    directory = settings.screening_dir
    stamp = _stamp(directory)
    if stamp is None:
        return None
    threshold = float(settings.screening_threshold)
    slot = _slot(directory, threshold)
    ready, failed = slot.current, slot.failed
    if ready is not None and ready[0] == stamp:
        return ready[1]
    if failed is not None and failed[0] == stamp:
        if ready is not None:
            return ready[1]
        raise failed[1]
    build = _start_build(slot, directory, threshold)
    if ready is not None:
        return ready[1]  # the list in use, until the new one is built
    return build.result()


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


# ---- writing a new version


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_file(target: Path, data: bytes) -> None:
    with target.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(target, 0o644)


@contextlib.contextmanager
def _sync_lock(directory: Path) -> Iterator[None]:
    """One sync at a time per screening folder (two would prune each other's versions)."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / _LOCK_FILE).open("a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_leftovers(directory: Path) -> None:
    """Staging folders and temporary links of a sync that was killed (the lock is held)."""
    for path in directory.iterdir():
        if path.name.startswith(_STAGING_PREFIX) and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        elif path.name.startswith(_LINK_PREFIX):
            path.unlink(missing_ok=True)


def _publish(directory: Path, staging: Path, digest: str) -> str:
    """Make `staging` (CSV and metadata, both written) the current version, in one switch:
    the folder is renamed to its version name, then `current` is replaced by a symlink to it.
    Then the old layout's files and versions older than the previous one are removed."""
    os.chmod(staging, 0o755)
    _fsync_dir(staging)
    name = f"{_VERSION_PREFIX}{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{digest[:12]}"
    os.rename(staging, directory / name)
    try:
        previous = _target(directory)
    except ScreeningError:
        previous = None
    link = directory / f"{_LINK_PREFIX}{os.getpid()}-{threading.get_ident()}"
    link.unlink(missing_ok=True)
    os.symlink(name, link)
    os.replace(link, directory / CURRENT)  # the switch
    _fsync_dir(directory)
    for old in (CSL_FILE, META_FILE):  # the old layout: readers now follow `current`
        (directory / old).unlink(missing_ok=True)
    for path in directory.iterdir():
        if path.name.startswith(_VERSION_PREFIX) and path.name not in (name, previous):
            shutil.rmtree(path, ignore_errors=True)
    return name


# --------------------------------------------------------------------------- fetching

FetchStatus = Literal["fetched", "not_modified", "kept", "missing"]


@dataclass(frozen=True)
class FetchResult:
    """What `fetch_csl` did. `status`: fetched (a new copy), not_modified (the server's copy is
    the one we have), kept (not fetched; the existing copy stays), missing (no list at all).
    `detail` is the line to show; `version` the version date of the copy now in place."""

    status: FetchStatus
    detail: str
    version: str | None = None
    entries: int = 0
    url: str = ""

    @property
    def available(self) -> bool:
        return self.status != "missing"

    def as_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "available": self.available}


@dataclass(frozen=True)
class _Held:
    """The copy in place before a sync, and its number of entries."""

    copy: _Copy
    entries: int


def _held(directory: Path) -> _Held | None:
    """The readable copy in place, or None (none, or damaged: a sync then replaces it)."""
    try:
        copy = _read_copy(directory)
        return None if copy is None else _Held(copy, len(parse_csl(_decode(copy.raw))))
    except ScreeningError as exc:
        logger.warning("the screening list in %s is unreadable: %s", directory, exc)
        return None


@dataclass(frozen=True)
class _Download:
    status: int  # 200 (the body is in the staging file) or 304
    headers: httpx.Headers
    size: int = 0
    sha256: str = ""


def _version_from(last_modified: str | None) -> tuple[str, str]:
    if last_modified:
        with contextlib.suppress(TypeError, ValueError, IndexError):
            return parsedate_to_datetime(last_modified).date().isoformat(), "last-modified"
    return datetime.now(UTC).date().isoformat(), "fetch date"


def _declared_length(headers: httpx.Headers) -> int | None:
    value = headers.get("content-length", "").strip()
    return int(value) if value.isdigit() else None


def _save_body(response: httpx.Response, target: Path, limit: int) -> _Download | str:
    """Stream the body into `target`, refusing it past `limit` bytes: at once when the server
    announces more, else as soon as more arrives (no Content-Length, a wrong one, or a
    compressed body that inflates: the bytes counted are the decoded ones)."""
    declared = _declared_length(response.headers)
    if declared is not None and declared > limit:
        return (
            f"refused: the server announced {declared:,} bytes (Content-Length), more than the "
            f"{limit:,}-byte limit (TPA_CSL_MAX_BYTES)"
        )
    digest, size = hashlib.sha256(), 0
    with target.open("wb") as out:
        for block in response.iter_bytes(1 << 16):
            size += len(block)
            if size > limit:
                announced = "no size" if declared is None else f"{declared:,} bytes"
                return (
                    f"refused: the download passed the {limit:,}-byte limit "
                    f"(TPA_CSL_MAX_BYTES); the server announced {announced}"
                )
            digest.update(block)
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(target, 0o644)
    return _Download(200, response.headers, size, digest.hexdigest())


def _download(
    settings: Settings, meta: dict[str, Any], have_copy: bool, target: Path
) -> _Download | str:
    """The response (200 with the body streamed into `target`, or 304), or why there is none
    ("not fetched: ..." or "refused: ..."). Retries connection errors, timeouts and 5xx only."""
    headers = {"Accept": "text/csv, text/plain;q=0.9, */*;q=0.1"}
    if have_copy and meta.get("url") == settings.csl_url:
        if meta.get("etag"):
            headers["If-None-Match"] = str(meta["etag"])
        if meta.get("last_modified"):
            headers["If-Modified-Since"] = str(meta["last_modified"])
    last = "no attempt made"
    with httpx.Client(
        timeout=httpx.Timeout(settings.sync_timeout),
        follow_redirects=True,
        headers={"User-Agent": _USER_AGENT},
    ) as client:
        for attempt in range(settings.sync_retries + 1):
            if attempt:
                time.sleep(min(0.25 * 2 ** (attempt - 1), 2.0))
            try:
                with client.stream("GET", settings.csl_url, headers=headers) as response:
                    if response.status_code >= 500:
                        last = f"HTTP {response.status_code}"
                        continue
                    if response.status_code == 304 and have_copy:
                        return _Download(304, response.headers)
                    if response.status_code != 200:
                        return f"not fetched: HTTP {response.status_code}"
                    return _save_body(response, target, settings.csl_max_bytes)
            except httpx.TransportError as exc:  # also a connection lost mid-body: try again
                last = f"{type(exc).__name__}: {str(exc) or 'no detail'}"
                continue
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                return f"not fetched: {type(exc).__name__}: {exc}"
    tries = settings.sync_retries + 1
    return f"not fetched: {last} after {tries} attempt{'s' if tries > 1 else ''}"


def fetch_csl(settings: Settings) -> FetchResult:
    """Fetch `settings.csl_url` into `settings.screening_dir` as a new version folder (`csl.csv`
    + `csl.meta.json`) and switch `current` to it (see "storage" above).

    The body is streamed to disk and refused past `settings.csl_max_bytes`. It is stored only
    if it parses as a CSL with at least one entry, so a good copy is never replaced by a broken
    one or deleted. The version date is the `Last-Modified` date the server sent, else today's
    date. Offline, unreachable, an error status, too big or not a CSL: the existing copy is
    kept ("kept existing copy (version X)"), or "no screening list available"."""
    directory = settings.screening_dir
    if settings.offline:
        return _not_fetched(settings, _held(directory), "offline")
    with _sync_lock(directory):
        _remove_leftovers(directory)
        staging = Path(tempfile.mkdtemp(dir=directory, prefix=_STAGING_PREFIX))
        try:
            return _fetch_into(settings, _held(directory), staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # already gone when it was published


def _not_fetched(settings: Settings, held: _Held | None, why: str) -> FetchResult:
    if held is not None:
        version, url = held.copy.version, str(held.copy.meta.get("url") or "")
        detail = f"kept existing copy (version {version}) ({why})"
        return FetchResult("kept", detail, version, held.entries, url)
    return FetchResult("missing", f"no screening list available ({why})", url=settings.csl_url)


def _fetch_into(settings: Settings, held: _Held | None, staging: Path) -> FetchResult:
    """Download into `staging` and publish it (the sync lock is held)."""
    meta = held.copy.meta if held is not None else {}
    got = _download(settings, meta, held is not None, staging / CSL_FILE)
    if isinstance(got, str):
        logger.warning("screening list not stored from %s: %s", settings.csl_url, got)
        return _not_fetched(settings, held, got)
    if got.status == 304 and held is not None:
        version = held.copy.version
        detail = f"304 from {settings.csl_url}; version {version}"
        return FetchResult("not_modified", detail, version, held.entries, settings.csl_url)
    try:
        entries = parse_csl(_decode((staging / CSL_FILE).read_bytes()))
    except ScreeningError as exc:
        logger.warning("refusing the screening list from %s: %s", settings.csl_url, exc)
        return _not_fetched(settings, held, f"refused: {exc}")
    if not entries:
        return _not_fetched(settings, held, "refused: the file has no entries")
    last_modified = got.headers.get("last-modified")
    version, version_from = _version_from(last_modified)
    new_meta: dict[str, Any] = {
        "version": version,
        "version_from": version_from,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "url": settings.csl_url,
        "sha256": got.sha256,
        "bytes": got.size,
        "entries": len(entries),
    }
    if last_modified:
        new_meta["last_modified"] = last_modified
    if got.headers.get("etag"):
        new_meta["etag"] = got.headers["etag"]
    unchanged = held is not None and held.copy.sha256 == got.sha256
    same = (
        unchanged
        and held is not None
        and not held.copy.legacy
        and all(new_meta.get(k) == meta.get(k) for k in ("version", "url", "etag", "last_modified"))
    )
    if not same:  # a new version folder, even for the same bytes under a new version date
        _write_file(staging / META_FILE, (json.dumps(new_meta, indent=1) + "\n").encode())
        _publish(settings.screening_dir, staging, got.sha256)
    status: FetchStatus = "not_modified" if unchanged else "fetched"
    detail = f"from {settings.csl_url}: {len(entries)} entries, version {version}"
    if unchanged:
        detail += " (unchanged)"
    return FetchResult(status, detail, version, len(entries), settings.csl_url)


__all__ = [
    "CSL_FILE",
    "CURRENT",
    "META_FILE",
    "FetchResult",
    "Match",
    "ScreeningEntry",
    "ScreeningError",
    "ScreeningList",
    "fetch_csl",
    "find_parties",
    "load_list",
    "no_match_message",
    "normalize_name",
    "parse_csl",
]

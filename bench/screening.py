"""Precision and recall of party screening (assistant/screening/) on a test CSL.

Writes a Consolidated Screening List of 20 real-looking entries (the published CSV column
layout; facts from the corpus where it has them: Huawei Technologies Co., Ltd., Entity List,
84 FR 22961, effective 2019-05-16, a licence for all items subject to the EAR, presumption of
denial) into a temporary data dir, loads it the way the CLI and API do (`load_list`), and screens
query variants: exact names, aliases and short names, misspellings, reordered words,
transliterations, added or dropped legal forms, and look-alike names that must not match.

A hit is correct when it is the expected entry; a hit on an affiliate that shares the expected
entry's name (Huawei Device for "Huawei") is "related" and counts neither way; any other hit is
a false positive. Precision = correct / (correct + false positives), recall = expected entries
found / queries with an expected entry. Goal: both >= 0.95. Also times `screen` and
`find_parties` (a 2,000-character question over a 10,000-entry list; goal < 50 ms).
Writes bench/results/screening.json.

    python bench/screening.py
"""

from __future__ import annotations

import csv
import io
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.config import Settings  # noqa: E402
from assistant.screening.csv_format import PUBLISHED_COLUMNS, parse_csl  # noqa: E402
from assistant.screening.layout import META_FILE  # noqa: E402
from assistant.screening.models import ScreeningList  # noqa: E402
from assistant.screening.parties import find_parties  # noqa: E402
from assistant.screening.repository import load_list  # noqa: E402

GOAL = 0.95
GOAL_FIND_MS = 50.0

HEADER = PUBLISHED_COLUMNS

EL = "Entity List (EL) - Bureau of Industry and Security"
SDN = "Specially Designated Nationals (SDN) - Treasury Department"
DPL = "Denied Persons List (DPL) - Bureau of Industry and Security"
EL_URL = "https://www.bis.doc.gov/index.php/policy-guidance/lists-of-parties-of-concern/entity-list"
SDN_URL = "https://sanctionssearch.ofac.treas.gov/"
DPL_URL = "https://www.bis.doc.gov/index.php/policy-guidance/lists-of-parties-of-concern/denied-persons-list"
ALL_EAR = "For all items subject to the EAR. (See §§ 736.2(b)(3)(vi), 744.11(a)(2)(i) and (ii))"
DENIAL = "Presumption of denial."


def _el(name: str, fr: str, start: str, address: str, alt: str = "", policy: str = DENIAL):
    return {
        "source": EL,
        "type": "Entity",
        "name": name,
        "alt_names": alt,
        "addresses": address,
        "federal_register_notice": fr,
        "start_date": start,
        "license_requirement": ALL_EAR,
        "license_policy": policy,
        "source_list_url": EL_URL,
    }


def _sdn(name: str, programs: str, address: str, alt: str = "", **extra: str):
    return {
        "source": SDN,
        "type": extra.pop("type", "Entity"),
        "name": name,
        "programs": programs,
        "alt_names": alt,
        "addresses": address,
        "source_information_url": SDN_URL,
        **extra,
    }


ENTRIES: dict[str, dict[str, str]] = {
    "huawei": _el(
        "Huawei Technologies Co., Ltd.",
        "84 FR 22961",
        "2019-05-16",
        "Bantian Huawei Base, Longgang District, Shenzhen, Guangdong, CN",
    ),
    "huawei-device": _el(
        "Huawei Device Co., Ltd.",
        "84 FR 22961",
        "2019-05-16",
        "No. 2 of Xincheng Road, Songshan Lake Zone, Dongguan, Guangdong, CN",
    ),
    "hisilicon": _el(
        "HiSilicon Technologies Co., Ltd",
        "84 FR 22961",
        "2019-05-16",
        "Bantian Longgang District, Shenzhen, Guangdong, CN",
    ),
    "huawei-cloud": _el(
        "Huawei Cloud Computing Technologies Co., Ltd.",
        "85 FR 51596",
        "2020-08-17",
        "Gui'an New District, Guiyang, Guizhou, CN",
    ),
    "huawei-de": _el(
        "Huawei Technologies Deutschland GmbH",
        "84 FR 22961",
        "2019-05-16",
        "Hansaallee 205, Düsseldorf, 40549, DE",
    ),
    "zte": _el(
        "Zhongxing Telecommunications Equipment Corporation",
        "81 FR 12004",
        "2016-03-08",
        "ZTE Plaza, Keji Road South, Hi-Tech Industrial Park, Nanshan District, Shenzhen, CN",
        alt="ZTE Corporation; ZTE",
    ),
    "smic": _el(
        "Semiconductor Manufacturing International Corporation",
        "85 FR 83416",
        "2020-12-22",
        "18 Zhangjiang Road, Pudong New Area, Shanghai, CN",
        policy="Presumption of denial for items uniquely required to produce semiconductors at "
        "advanced technology nodes (10 nanometers and below); case-by-case for all other items.",
    ),
    "smic-north": _el(
        "SMIC Northern Integrated Circuit Manufacturing (Beijing) Co., Ltd.",
        "85 FR 83416",
        "2020-12-22",
        "Building 1, No. 18 Wenchang Avenue, Beijing Economic-Technological Development Area, "
        "Beijing, CN",
    ),
    "hikvision": _el(
        "Hangzhou Hikvision Digital Technology Co., Ltd.",
        "84 FR 54002",
        "2019-10-09",
        "No. 555 Qianmo Road, Binjiang District, Hangzhou, Zhejiang, CN",
    ),
    "dji": _el(
        "SZ DJI Technology Co., Ltd.",
        "85 FR 83416",
        "2020-12-22",
        "14th Floor, West Wing, Skyworth Semiconductor Design Building, Nanshan District, "
        "Shenzhen, CN",
        alt="Da-Jiang Innovations",
    ),
    "bit": _el(
        "Beijing Institute of Technology",
        "85 FR 34495",
        "2020-06-05",
        "5 South Zhongguancun Street, Haidian District, Beijing, CN",
    ),
    "cetc13": _el(
        "China Electronics Technology Group Corporation 13th Research Institute",
        "83 FR 38018",
        "2018-08-01",
        "113 Hezuo Road, Shijiazhuang, Hebei, CN",
        alt="CETC 13; Hebei Semiconductor Research Institute",
    ),
    "phytium": _el(
        "Tianjin Phytium Information Technology Co., Ltd.",
        "86 FR 18437",
        "2021-04-08",
        "Building 5, Xin'an Venture Plaza, Tianjin Binhai High-tech Zone, Tianjin, CN",
    ),
    "rosoboronexport": _sdn(
        "ROSOBORONEXPORT",
        "RUSSIA-EO14024; UKRAINE-EO13662",
        "27 Stromynka Ulitsa, Moscow, 107076, RU",
        alt="ROSOBORONEXPORT JSC; JOINT STOCK COMPANY ROSOBORONEXPORT",
    ),
    "mahan": _sdn(
        "MAHAN AIR",
        "SDGT; IFSR",
        "Mahan Tower, No. 21 Azadegan Street, Karaj Highway, Tehran, IR",
        alt="MAHAN AIRLINES; MAHAN AIRWAYS",
    ),
    "melli": _sdn(
        "BANK MELLI IRAN",
        "IRAN; SDGT",
        "Ferdowsi Avenue, Tehran, IR",
        alt="BANK MELLI; NATIONAL BANK OF IRAN",
    ),
    "irgc": _sdn(
        "ISLAMIC REVOLUTIONARY GUARD CORPS",
        "SDGT; IRGC; NPWMD; IFSR",
        "Tehran, IR",
        alt="IRGC; IRANIAN REVOLUTIONARY GUARD CORPS; PASDARAN; PASDARAN-E ENGHELAB-E ISLAMI",
    ),
    "kkbc": _sdn(
        "KOREA KWANGSON BANKING CORP",
        "NPWMD",
        "Jungson-dong, Sungri Street, Central District, Pyongyang, KP",
        alt="KKBC",
    ),
    "putin": _sdn(
        "PUTIN, Vladimir Vladimirovich",
        "RUSSIA-EO14024",
        "",
        type="Individual",
        citizenships="RU",
        dates_of_birth="1952-10-07",
    ),
    "aeroflot": {
        "source": DPL,
        "type": "Entity",
        "name": "Aeroflot",
        "alt_names": "PJSC Aeroflot; Aeroflot Russian Airlines",
        "addresses": "Arbat Street 1, Moscow, 119019, RU",
        "federal_register_notice": "87 FR 21611",
        "start_date": "2022-04-07",
        "standard_order": "N",
        "source_list_url": DPL_URL,
    },
}

# Affiliates that share a name: a hit on one of these for a query about another is "related".
FAMILIES = [
    {"huawei", "huawei-device", "hisilicon", "huawei-cloud", "huawei-de"},
    {"smic", "smic-north"},
]


@dataclass(frozen=True)
class Case:
    category: str
    query: str
    expected: str | None


def _cases() -> list[Case]:
    table: dict[str, list[tuple[str, str | None]]] = {
        "exact": [
            ("Huawei Technologies Co., Ltd.", "huawei"),
            ("Hangzhou Hikvision Digital Technology Co., Ltd.", "hikvision"),
            ("SZ DJI Technology Co., Ltd.", "dji"),
            ("ZTE Corporation", "zte"),
            ("Bank Melli Iran", "melli"),
            ("Mahan Air", "mahan"),
            ("Rosoboronexport", "rosoboronexport"),
            ("Semiconductor Manufacturing International Corporation", "smic"),
            ("Beijing Institute of Technology", "bit"),
            ("Tianjin Phytium Information Technology Co., Ltd.", "phytium"),
            ("Aeroflot", "aeroflot"),
        ],
        "alias/short": [
            ("Huawei", "huawei"),
            ("Hikvision", "hikvision"),
            ("DJI", "dji"),
            ("Da Jiang Innovations", "dji"),
            ("SMIC", "smic"),
            ("IRGC", "irgc"),
            ("Pasdaran", "irgc"),
            ("KKBC", "kkbc"),
            ("ZTE", "zte"),
            ("Phytium", "phytium"),
            ("HiSilicon", "hisilicon"),
            ("Bank Melli", "melli"),
            ("National Bank of Iran", "melli"),
            ("Zhongxing Telecom", "zte"),
            ("Huawei Device", "huawei-device"),
            ("Huawei Cloud", "huawei-cloud"),
        ],
        "misspelled": [
            ("Huawei Technolgies", "huawei"),
            ("Huawey Technologies Co Ltd", "huawei"),
            ("Hikvison", "hikvision"),
            ("Hangzhou Hickvision Digital Technology", "hikvision"),
            ("Rosoboronexprot", "rosoboronexport"),
            ("Semiconducter Manufacturing International Corp", "smic"),
            ("Bank Meli Iran", "melli"),
            ("Islamic Revolutionary Guards Corps", "irgc"),
            ("Korea Kwangsong Banking Corp", "kkbc"),
            ("Beijing Insitute of Technology", "bit"),
            ("Tianjin Phytum Information Technology", "phytium"),
            ("SZ DJI Technolgy Co", "dji"),
            ("Zhongxing Telecomunications Equipment", "zte"),
            ("Aeroflott", "aeroflot"),
        ],
        "reordered": [
            ("Technologies Huawei", "huawei"),
            ("Iran Bank Melli", "melli"),
            ("Vladimir Putin", "putin"),
            ("Putin Vladimir", "putin"),
            ("Vladimir Vladimirovich Putin", "putin"),
            ("Revolutionary Guard Corps Islamic", "irgc"),
            ("Melli Bank", "melli"),
        ],
        "transliterated": [
            ("Rosoboroneksport", "rosoboronexport"),
            ("Рособоронэкспорт", "rosoboronexport"),
            ("Khuavey", "huawei"),
            ("Hua Wei Technologies", "huawei"),
            ("Hua Wei", "huawei"),
            ("Wladimir Putin", "putin"),
            ("Bank-e Melli Iran", "melli"),
            ("Pasdaran-e Enqelab-e Eslami", "irgc"),
            ("Korea Gwangson Banking", "kkbc"),
            ("Aeroflot Rossiyskie Avialinii", "aeroflot"),
        ],
        "suffix": [
            ("Huawei Technologies Company Limited", "huawei"),
            ("HUAWEI TECHNOLOGIES CO LTD", "huawei"),
            ("Huawei Tech GmbH", "huawei"),
            ("ZTE Corp.", "zte"),
            ("Hikvision Digital Technology Co Ltd", "hikvision"),
            ("Mahan Air Co.", "mahan"),
            ("PJSC Aeroflot", "aeroflot"),
            ("Semiconductor Manufacturing International Corp.", "smic"),
            ("SZ DJI Technology Company Limited", "dji"),
            ("Tianjin Phytium Information Technology Ltd", "phytium"),
            ("Rosoboronexport OAO", "rosoboronexport"),
            ("Huawei Technologies Shenzhen", "huawei"),
        ],
        "negative": [
            ("Huawen Trading Co., Ltd.", None),
            ("Hua Xin Ltd", None),
            ("ZTT Group", None),
            ("Melli Foods", None),
            ("Bank Mellat", None),
            ("Hikari Vision Ltd", None),
            ("Hangzhou Hikari Digital Technology Co., Ltd.", None),
            ("DJ Industries", None),
            ("Semiconductor Manufacturing Solutions Inc", None),
            ("Rosneft Trading SA", None),
            ("Mahan Travel Agency", None),
            ("Beijing Institute of Fashion Technology", None),
            ("Beijing University of Technology", None),
            ("Tianjin Information Technology Co", None),
            ("Huaxia Bank", None),
            ("Korea Kumgang Bank", None),
            ("Islamic Relief Worldwide", None),
            ("Vladimir Petrov", None),
            ("Aeroflex Holding", None),
            ("Mahanadi Coalfields", None),
            ("Zhongxin Bank", None),
            ("Hisense Electric", None),
            ("Phyton Software GmbH", None),
            ("Guangdong Huawen Electronics", None),
            ("National Bank of Egypt", None),
        ],
    }
    return [Case(cat, q, exp) for cat, rows in table.items() for q, exp in rows]


def csl_text(entries: dict[str, dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    for i, (key, row) in enumerate(entries.items(), 1):
        writer.writerow({"_id": f"bench-{key}", "entity_number": str(i), **row})
    return buffer.getvalue()


def _related(expected: str | None, got: str) -> bool:
    return expected is not None and any({expected, got} <= family for family in FAMILIES)


def _synthetic(n: int, seed: int = 7) -> str:
    """A list of n made-up entries (plus the real-looking ones) for the timing run."""
    rng = random.Random(seed)
    syllables = "ka lo mi ren tu sha vor pel dan gri zo fen li mar ost bek ur sin hao".split()
    words = "Trading Technology Industrial Electronics Logistics Shipping Group Holding".split()
    suffixes = ["Co., Ltd.", "LLC", "GmbH", "JSC", "Limited", "", "Inc."]
    rows = dict(ENTRIES)
    for i in range(n):
        stem = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))).title()
        name = f"{stem} {rng.choice(words)} {rng.choice(suffixes)}".strip()
        alt = "; ".join(
            f"{''.join(rng.choice(syllables) for _ in range(3)).title()} {rng.choice(words)}"
            for _ in range(rng.randint(0, 2))
        )
        rows[f"syn-{i}"] = _el(name, "89 FR 1", "2024-01-01", "Somewhere, CN", alt=alt)
    return csl_text(rows)


# A long question full of capitalised names that are not listed (and one that is).
QUESTION = (
    "Do mass-market software sales to Huawei need a licence? Our company, Nordlicht Systems "
    "GmbH of Munich, Germany, sells encryption components through distributors such as Arrow "
    "Electronics, Avnet and Ingram Micro. A reseller in Shenzhen has asked whether we can ship "
    "updates there, and our Legal team in Frankfurt wants to know whether the Foreign Direct "
    "Product Rule in Part 734 of the Export Administration Regulations, the Entity List "
    "footnote 1 designation published in the Federal Register, and General Order No. 4 affect "
    "us. We also work with Siemens, SAP and Deutsche Telekom on a joint project in Warsaw, "
    "Poland, and with Tata Consultancy Services in Bangalore, India. The Bureau of Industry "
    "and Security (BIS) and the Office of Foreign Assets Control (OFAC) guidance on License "
    "Exception ENC under Section 740.17(b)(1) mentions Commodity Classification Automated "
    "Tracking System (CCATS) reviews. Does the De Minimis rule in Supplement No. 2 to Part 734 "
    "apply when U.S.-origin content from Microsoft Azure, Amazon Web Services and Google Cloud "
    "is below 25 percent? Please also check whether the Wassenaar Arrangement, the European "
    "Union Dual-Use Regulation 2021/821 and the Bundesamt fur Wirtschaft und Ausfuhrkontrolle "
    "(BAFA) require anything for shipments via Rotterdam, Antwerp and Hamburg to customers in "
    "Singapore, Kuala Lumpur, Dubai and Sao Paulo. Our bank, Commerzbank, and our insurer, "
    "Allianz, ask for an ECCN for each product (5D002 or 5D992) and for the Country Chart "
    "entries for China, Russia and Iran. We ship from our warehouse in Rotterdam using DHL "
    "Express, Kuehne + Nagel and Maersk Line; invoices go through Deutsche Bank and Citibank "
    "N.A. Finally, the Commerce Control List, the Temporary General License and the Advisory "
    "Opinion of 2020 mention Nokia, Ericsson and Samsung Electronics as competitors. Is a "
    "Know Your Customer review under Supplement No. 3 to Part 732 enough, or do we need a "
    "full end-use check with the Red Flags list, the Unverified List and the Military End "
    "User List before each quarterly release of the Nordlicht Secure Gateway product line? "
)


def main() -> int:
    cases = _cases()
    keys = list(ENTRIES)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        settings.screening_dir.mkdir(parents=True)
        (settings.screening_dir / "csl.csv").write_text(csl_text(ENTRIES), encoding="utf-8")
        (settings.screening_dir / META_FILE).write_text(json.dumps({"version": "2026-02-10"}))
        screening_list = load_list(settings)
    assert screening_list is not None and len(screening_list) == len(ENTRIES)
    key_of = {id(e): keys[i] for i, e in enumerate(screening_list.entries)}

    per_cat: dict[str, dict[str, int]] = {}
    rows: list[dict[str, object]] = []
    latencies: list[float] = []
    for case in cases:
        started = time.perf_counter()
        hits = screening_list.screen(case.query)
        latencies.append((time.perf_counter() - started) * 1000)
        got = [key_of[id(m.entry)] for m in hits]
        c = per_cat.setdefault(case.category, {"tp": 0, "fp": 0, "fn": 0, "related": 0, "n": 0})
        c["n"] += 1
        found = case.expected is not None and case.expected in got
        if case.expected is not None:
            c["tp" if found else "fn"] += 1
        wrong = [g for g in got if g != case.expected and not _related(case.expected, g)]
        c["fp"] += len(wrong)
        c["related"] += sum(1 for g in got if _related(case.expected, g))
        rows.append(
            {
                "category": case.category,
                "query": case.query,
                "expected": case.expected,
                "hits": [
                    {"entry": key_of[id(m.entry)], "score": m.score, "rule": m.rule} for m in hits
                ],
                "ok": (found or case.expected is None) and not wrong,
            }
        )

    def ratios(c: dict[str, int]) -> tuple[float | None, float | None]:
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else None
        positives = c["tp"] + c["fn"]
        recall = c["tp"] / positives if positives else None
        return precision, recall

    total = {k: sum(c[k] for c in per_cat.values()) for k in ("tp", "fp", "fn", "related", "n")}
    fmt = lambda v: "   -" if v is None else f"{v:.3f}"  # noqa: E731
    print(f"{'category':<16}{'n':>4}{'TP':>5}{'FP':>5}{'FN':>5}{'rel':>5}  precision  recall")
    for cat, c in [*per_cat.items(), ("TOTAL", total)]:
        p, r = ratios(c)
        print(
            f"{cat:<16}{c['n']:>4}{c['tp']:>5}{c['fp']:>5}{c['fn']:>5}{c['related']:>5}"
            f"  {fmt(p):>9}  {fmt(r):>6}"
        )
    for row in rows:
        if not row["ok"]:
            print(f"  miss: [{row['category']}] {row['query']!r} expected {row['expected']}, "
                  f"got {row['hits']}")  # fmt: skip

    # find_parties on a 10,000-entry list.
    big = ScreeningList(parse_csl(_synthetic(10_000)), version="bench")
    question = QUESTION[:2000]
    find_parties(question, big)  # warm-up
    runs = []
    for _ in range(10):
        started = time.perf_counter()
        parties = find_parties(question, big)
        runs.append((time.perf_counter() - started) * 1000)
    found_names = [m.entry.name for m in parties]
    negatives = {
        q: [m.entry.name for m in find_parties(q, big)]
        for q in ("What is the de minimis rule?", "Can we ship EAR99 items to Germany?")
    }
    find_ms = statistics.median(runs)
    big_latencies = []
    for case in cases:
        started = time.perf_counter()
        big.screen(case.query)
        big_latencies.append((time.perf_counter() - started) * 1000)
    p, r = ratios(total)
    print(
        f"\nscreen: {statistics.mean(latencies):.2f} ms mean over {len(cases)} queries "
        f"({len(ENTRIES)} entries), {statistics.mean(big_latencies):.2f} ms mean with "
        f"{len(big)} entries\nfind_parties: {find_ms:.1f} ms median, "
        f"{len(question)}-char question, {len(big)} entries; found {found_names}; "
        f"negatives {negatives}"
    )
    ok = (
        p is not None
        and r is not None
        and p >= GOAL
        and r >= GOAL
        and find_ms < GOAL_FIND_MS
        and "Huawei Technologies Co., Ltd." in found_names
        and not any(negatives.values())
    )
    print(f"goal: precision and recall >= {GOAL}, find_parties < {GOAL_FIND_MS} ms: "
          f"{'met' if ok else 'NOT met'}")  # fmt: skip

    result = {
        "entries": len(ENTRIES),
        "queries": len(cases),
        "threshold": screening_list.threshold,
        "categories": {
            cat: {**c, "precision": ratios(c)[0], "recall": ratios(c)[1]}
            for cat, c in per_cat.items()
        },
        "total": {**total, "precision": p, "recall": r},
        "screen_ms_mean": round(statistics.mean(latencies), 2),
        "screen_ms_mean_10k": round(statistics.mean(big_latencies), 2),
        "find_parties": {
            "entries": len(big),
            "question_chars": len(question),
            "median_ms": round(find_ms, 1),
            "found": found_names,
            "negatives": negatives,
        },
        "goal_met": ok,
        "cases": rows,
    }
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "screening.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print(f"written {out / 'screening.json'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

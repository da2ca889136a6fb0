"""Consolidated Screening List test data: the published CSV header, a few real-looking rows
(facts from the corpus where it has them), and builders for larger synthetic lists. Shared by
the unit, integration and fuzz tests of screening, so no test module imports another."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

from assistant.screening.csv_format import PUBLISHED_COLUMNS

HEADER = PUBLISHED_COLUMNS
EL = "Entity List (EL) - Bureau of Industry and Security"
SDN = "Specially Designated Nationals (SDN) - Treasury Department"
EL_URL = "https://www.bis.doc.gov/index.php/policy-guidance/lists-of-parties-of-concern"
ALL_EAR = "For all items subject to the EAR."

ROWS: list[dict[str, str]] = [
    {
        "_id": "e1",
        "source": EL,
        "entity_number": "101",
        "type": "Entity",
        "name": "Huawei Technologies Co., Ltd.",
        "addresses": "Bantian Huawei Base, Longgang District, Shenzhen, CN",
        "federal_register_notice": "84 FR 22961",
        "start_date": "2019-05-16",
        "license_requirement": ALL_EAR,
        "license_policy": "Presumption of denial.",
        "source_list_url": EL_URL,
    },
    {
        "_id": "e2",
        "source": EL,
        "type": "Entity",
        "name": "Huawei Cloud Computing Technologies Co., Ltd.",
        "addresses": "Guiyang, Guizhou, CN",
        "federal_register_notice": "85 FR 51596",
        "start_date": "2020-08-17",
        "license_requirement": ALL_EAR,
        "license_policy": "Presumption of denial.",
    },
    {
        "_id": "e3",
        "source": EL,
        "type": "Entity",
        "name": "Huawei Technologies Deutschland GmbH",
        "addresses": "Hansaallee 205, Düsseldorf, DE",
        "federal_register_notice": "84 FR 22961",
        "start_date": "2019-05-16",
        "license_requirement": ALL_EAR,
        "license_policy": "Presumption of denial.",
    },
    {
        "_id": "e4",
        "source": SDN,
        "type": "Entity",
        "programs": "IRAN; SDGT",
        "name": "BANK MELLI IRAN",
        "alt_names": "BANK MELLI; NATIONAL BANK OF IRAN",
        "addresses": "Ferdowsi Avenue, Tehran, IR",
        "start_date": "",
        "source_information_url": "https://sanctionssearch.ofac.treas.gov/",
    },
    {
        "_id": "e5",
        "source": SDN,
        "type": "Individual",
        "name": "PUTIN, Vladimir Vladimirovich",
        "citizenships": "RU",
        "start_date": "not a date",
    },
    {
        "_id": "e6",
        "source": EL,
        "type": "Entity",
        "name": "Semiconductor Manufacturing International Corporation",
        "addresses": "18 Zhangjiang Road, Shanghai, CN",
        "start_date": "2020-12-22",
        "license_requirement": ALL_EAR,
    },
    {
        "_id": "e7",
        "source": SDN,
        "type": "Entity",
        "name": "ROSOBORONEXPORT",
        "alt_names": "ROSOBORONEXPORT JSC",
        "addresses": "27 Stromynka Ulitsa, Moscow, RU",
    },
    {
        "_id": "e8",
        "source": EL,
        "type": "Entity",
        "name": "Hangzhou Hikvision Digital Technology Co., Ltd.",
        "addresses": "No. 555 Qianmo Road, Hangzhou, CN",
        "start_date": "2019-10-09",
    },
    {"_id": "e9", "source": EL, "type": "Entity", "name": "", "addresses": "nameless row"},
]


def csl_text(rows: list[dict[str, str]], bom: bool = True) -> str:
    """`rows` as the published CSV: the full header, CRLF line ends, a BOM unless `bom=False`."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" if bom else "") + buffer.getvalue()


NEWCO = dict(ROWS[0], _id="n1", name="Newco Drones Ltd", alt_names="")


def synthetic_rows(n: int) -> list[dict[str, str]]:
    """`ROWS` and `n` made-up Entity List organisations (names and an alternate each)."""
    rng = random.Random(3)
    syllables = "ka lo mi ren tu sha vor pel dan gri zo fen li mar ost bek ur sin hao".split()
    words = "Trading Technology Industrial Electronics Logistics Shipping Group".split()
    rows = list(ROWS)
    for i in range(n):
        stem = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))).title()
        alt = f"{''.join(rng.choice(syllables) for _ in range(3)).title()} {rng.choice(words)}"
        name = f"{stem} {rng.choice(words)} Co., Ltd."
        rows.append(
            {"_id": f"s{i}", "source": EL, "type": "Entity", "name": name, "alt_names": alt}
        )
    return rows


def write_list(folder: Path, rows: list[dict[str, str]], meta: dict[str, str]) -> None:
    """A screening list as data dirs of the first release hold it (both files directly in
    `screening/`, still read): how a test gives answers a list without running a sync."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "csl.csv").write_text(csl_text(rows), encoding="utf-8")
    (folder / "csl.meta.json").write_text(json.dumps(meta))

"""Names as screening compares them: normalisation, match tokens and the word vocabularies.

A listed name and a typed one rarely agree letter for letter ("Huawei Technologies Co., Ltd."
vs "huawei tech"), so both are reduced to the same comparable form here, once, for the index
(`index.py`), the rules (`rules.py`) and free text (`parties.py`) alike. The vocabularies say
which words are legal forms (removed), abbreviations (expanded), and places, industries or
connectors (present, but they do not tell one listed party from another).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# --------------------------------------------------------------------------- countries

COUNTRY_NAMES = {
    "afghanistan": "AF", "belarus": "BY", "burma": "MM", "myanmar": "MM", "china": "CN",
    "cuba": "CU", "germany": "DE", "hong kong": "HK", "india": "IN", "iran": "IR", "iraq": "IQ",
    "lebanon": "LB", "libya": "LY", "north korea": "KP", "korea, north": "KP", "pakistan": "PK",
    "russia": "RU", "russian federation": "RU", "singapore": "SG", "syria": "SY", "taiwan": "TW",
    "turkey": "TR", "turkiye": "TR", "ukraine": "UA", "united arab emirates": "AE",
    "united kingdom": "GB", "united states": "US", "venezuela": "VE", "yemen": "YE",
}  # fmt: skip
ISO2 = re.compile(r"^[A-Z]{2}$")


def country_code(value: str) -> str | None:
    """The ISO-2 code of a country as the CSL writes it (a code or a name), else None."""
    value = value.strip().strip(".")
    if ISO2.match(value):
        return value
    return COUNTRY_NAMES.get(value.casefold())


# --------------------------------------------------------------------------- normalisation

# Legal forms, removed only at the start or the end of a name ("Huawei Technologies Co., Ltd.",
# "JSC Rosoboronexport"), never from its middle, and never when nothing else would remain.
LEGAL_WORDS = frozenset(
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
NON_WORD = re.compile(r"[\W_]+")


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
        if end - start > 1 and tokens[end - 1] in LEGAL_WORDS:
            end -= 1
            changed = True
        if end - start > 1 and (tokens[start] in LEGAL_WORDS or tokens[start] in _LEADING_ONLY):
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
    tokens = NON_WORD.sub(" ", text).split()
    if all(t in LEGAL_WORDS or t in _LEADING_ONLY for t in tokens):
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


def key_tokens(normalized: str) -> list[str]:
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


def phonetic(text: str) -> str:
    """A rough phonetic key: kh→h, ph→f, x→ks, w→v, y→i, c/q→k, z→s, doubled letters single."""
    for old, new in _PHONETIC_RULES:
        text = text.replace(old, new)
    return _DOUBLE.sub(r"\1", text)


def distinctive(token: str) -> bool:
    """A word that tells listed parties apart: not a place, industry or connector word, and
    not a number."""
    return len(token) >= 2 and token not in _GENERIC and not any(ch.isdigit() for ch in token)


def identifying(token: str) -> bool:
    """Distinctive, or a number ("13th" in "CETC 13th Research Institute"): a word that may not
    be missing, different or extra."""
    return distinctive(token) or any(ch.isdigit() for ch in token)


def initials(tokens: Sequence[str]) -> str:
    """The acronym of a name's words, connectors left out."""
    return "".join(t[0] for t in tokens if t not in ("of", "and", "the", "for", "de"))

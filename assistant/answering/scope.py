"""Questions about another legal regime than the one the corpus holds.

The corpus is U.S. export control under the EAR: its regulation text, the Federal Register rules
that made it, BIS guidance and news about them. Practitioners also ask about the regimes next to
it: the ITAR, OFAC's sanctions licences, other countries' export laws, CFIUS, customs
classification and tariffs, nuclear export rules. Those questions share the EAR's vocabulary
("licence", "export", "general licence", "category"), so the passages retrieved for them look
close (cosine 0.5-0.7, like answerable questions) and an answer would quote EAR provisions as if
they settled a question about another law. What tells them apart is the regime the question
names: when the question names one of the regimes below and none of the passages retrieved for
it speaks of that regime, the corpus is silent on it and the answer says so, naming the regime.

A question that names a regime the passages do speak of is answered: the EAR says what happens
to items "subject to the ITAR" (15 CFR 734.3(b)(1)) and to parties on OFAC's lists (744.8), so
"Is an ITAR-controlled part subject to the EAR?" finds 734.3 and is answered from it. The list is
of regimes (statutes, agencies, their instruments), written from what the corpus does not hold,
and no entry names a question's facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CORPUS_SCOPE = (
    "the corpus holds U.S. export controls under the EAR (15 CFR parts 730-774), the Federal "
    "Register rules that made them, BIS guidance and news about them"
)

# Countries whose own export-control or investment laws are asked about ("Japan's Foreign
# Exchange and Foreign Trade Act", "Germany's BAFA licence", "China's Export Control Law").
_COUNTRY = (
    r"(?:Japan(?:ese)?|China|Chinese|German(?:y)?|Dutch|Netherlands|France|French|Canad(?:a|ian)"
    r"|Australia(?:n)?|Korea(?:n)?|India(?:n)?|Taiwan(?:ese)?|Singapore(?:an)?|Swiss|Switzerland"
    r"|Israel(?:i)?|Ital(?:y|ian)|Swed(?:en|ish)|Norw(?:ay|egian))"
)


@dataclass(frozen=True)
class Regime:
    name: str  # how the answer names it
    asked: re.Pattern[str]  # the question asks about it
    same_numbers: bool = False  # its control list numbers items as the CCL does (Wassenaar)


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


REGIMES: tuple[Regime, ...] = (
    Regime(
        "the ITAR (22 CFR parts 120-130: the U.S. Munitions List, DDTC licensing)",
        _rx(
            r"\bITAR\b|\bUSML\b|\bDDTC\b|Munitions List|International Traffic in Arms"
            r"|Directorate of Defense Trade Controls|\b22 CFR\b|\bDSP-\d+"
        ),
    ),
    Regime(
        "OFAC's sanctions licensing (31 CFR chapter V)",
        _rx(
            r"\bOFAC\b[^.?!]{0,60}\b(?i:general|specific)\s+(?i:licen[cs]es?)\b"
            r"|\b(?i:general|specific)\s+(?i:licen[cs]es?)\b[^.?!]{0,40}\bOFAC\b"
            r"|\b31 CFR (?:part )?5\d\d\b"
        ),
    ),
    Regime(
        "EU export-control law",
        _rx(
            r"\bEU\b[^.?!]{0,20}\b(?:[Dd]ual-[Uu]se [Rr]egulation|[Rr]egulation|authori[sz]ation"
            r"|export licen[cs]e|sanctions)|European Union"
            # the EU's citation forms: Regulation (EU) 2021/821, Regulation 833/2014
            r"|\(E[CU]\) (?:No\.? )?\d+/\d+|\bRegulation (?:No\.? )?\d+/\d{4}\b"
        ),
        same_numbers=True,
    ),
    Regime(
        "UK export-control law",
        _rx(
            r"\b(?:UK|British)(?:'s|’s)?\s+(?:[\w-]+\s+){0,3}(?:export (?:licen[cs]e|control)"
            r"|sanctions|licen[cs]e)|Export Control Joint Unit|\bECJU\b|\bOGELs?\b|\bSIELs?\b"
        ),
        same_numbers=True,
    ),
    Regime(
        "other countries' export-control and investment laws",
        _rx(
            rf"\b{_COUNTRY}(?:'s|’s)?\s+(?:own\s+)?(?:(?:[A-Z][\w-]*|and|of|for|on)\s+){{0,8}}"
            r"(?:Act|Law|List|Ordinance|(?i:export[- ]control\s+(?:law|list|rules?|regime)))\b"
            r"|\b(?:METI|MOFCOM|BAFA)\b"
        ),
        same_numbers=True,
    ),
    Regime(
        "CFIUS review of foreign investment (31 CFR part 800)",
        _rx(r"\bCFIUS\b|Committee on Foreign Investment|\b31 CFR (?:part )?80\d\b"),
    ),
    Regime(
        "customs classification and tariffs (the HTS, Schedule B, Section 232 and 301 duties)",
        _rx(
            r"\bSchedule B\b|\bHTS(?:US)?\b|Harmonized Tariff|\bSection (?:232|301)\b"
            r"|\btariffs? (?:rate|code|classification|heading|line)s?\b|\btariffs? (?:on|for)\b"
        ),
    ),
    Regime(
        "nuclear export rules (NRC's 10 CFR part 110, DOE's part 810)",
        _rx(r"\bNRC\b|Nuclear Regulatory Commission|\b10 CFR (?:part )?(?:110|810)\b|\bPart 810\b"),
    ),
)

# The question also asks about the EAR itself ("OFAC has licensed the deal: do we also need a
# BIS licence?", "Is our ITAR part subject to the EAR?"): then the corpus speaks to it.
_ASKS_ABOUT_EAR = _rx(
    r"\bEAR\b|\bBIS\b|\bCommerce\b|Export Administration"
    r"|\b15 CFR\b|(?<![\d.])7[3-7]\d\.\d+|\bECCN\b|\bEAR99\b|\bLicen[cs]e Exception|Entity List"
    r"|Commerce Control List|\bCCL\b|[Dd]e minimis|[Dd]irect [Pp]roduct|[Dd]eemed export"
)
# An ECCN ("5D002", "9A515", "600 series") says the item is classified under the EAR, except
# beside a foreign export-control law: the EU's and the UK's lists use the same Wassenaar numbers.
_ECCN = _rx(r"\b\d[A-Ea-e]\d{3}\b|\b600[- ]series\b")


def unaddressed_regime(question: str) -> Regime | None:
    """The regime other than the EAR that the question asks about (None: it names none, or it
    asks about the EAR too)."""
    if _ASKS_ABOUT_EAR.search(question):
        return None
    eccn = bool(_ECCN.search(question))
    for regime in REGIMES:
        if regime.asked.search(question) and not (eccn and not regime.same_numbers):
            return regime
    return None


def outside_corpus(regime: Regime) -> str:
    """What the answer says: the corpus does not cover it, which regime, and what it holds."""
    return f"It asks about {regime.name}; {CORPUS_SCOPE}."

"""What a part 746 section itself says beyond its licence requirement: deemed exports to a
national of the destination, the software kinds 746.8(a)(8)(ii) lists, and EAR99 food and
medicine excepted (746.4(a), 746.6(a), 746.9(a)).

Apart from `embargo` because each reads its own sentences of the section and decides only the
cases it names; `embargo_rule` asks them in turn.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from assistant.answering.determination.basis import Basis, _first_in_section, _matching, _sentence
from assistant.answering.determination.facts import (
    _EAR99,
    _PARTIES_SCREENED,
    _gives_ccl_eccn,
    _this_deal_sentences,
    ear99_only,
)
from assistant.answering.question_facts import asserted
from assistant.models import SearchResult
from assistant.text import cached_pattern

# What a destination section says of deemed exports: "A license is not required to release
# technology or source code ... not on the Commerce Control List ... to a Cuban national",
# "The license requirements in paragraph (a) do not apply to deemed exports", "A license is
# required for the deemed export ... of any technology or source code on the CCL".
_DEEMED = re.compile(r"\bdeemed (?:export|reexport)|\brelease technology or source code\b", re.I)
_DEEMED_NOT = re.compile(r"\b(?:not required|do not require|do not apply)\b", re.I)
_DEEMED_YES = re.compile(r"\blicen[cs]e is required\b", re.I)
# ... an exclusion only for what is not on the CCL (EAR99), not for every deemed export
_NOT_ON_CCL = re.compile(
    r"\bnot (?:listed )?on the (?:CCL|Commerce Control List)\b|\bEAR99\b", re.I
)
_CLASSIFICATION_FACT = "the technology's or source code's ECCN (or EAR99)"


def _deemed_export(
    question: str, pool: Sequence[SearchResult], section: str, place: str, general: Basis
) -> tuple[Literal["yes", "depends"], str, list[Basis], list[str]]:
    """A release of technology or source code to a national of the destination, where he or
    she is: the section's own deemed-export sentences decide (see `deemed_exports`). A section
    without one (Iran) leaves the technology's classification to decide under its general
    requirement; never "no", as the parties and other rules may still need one."""
    cite = f"15 CFR {section}"
    sentences = list(_matching(pool, cite, _DEEMED))
    excluded = next((b for b in sentences if _DEEMED_NOT.search(_sentence(b))), None)
    required = next(
        (b for b in sentences if _DEEMED_YES.search(_sentence(b)) and b is not excluded), None
    )
    ear99 = ear99_only(question)
    ccl = _gives_ccl_eccn(question)
    who = f"a national of {place}"
    if excluded is None:
        return (
            "depends",
            f"depends on the technology's classification: releasing it to {who} is a deemed "
            f"export to {place}, and {cite} states no rule of its own for deemed exports",
            [general],
            [] if ccl or ear99 else [_CLASSIFICATION_FACT],
        )
    where = excluded.passage.citation
    only_ear99 = bool(_NOT_ON_CCL.search(_sentence(excluded)))
    if ear99:
        return (
            "depends",
            f"not under {cite} — {where} requires no licence for this release of EAR99 "
            f"technology or source code to {who}; depends on the parties and end use",
            [excluded],
            [f"{_PARTIES_SCREENED}, or a part 744 end use applies"],
        )
    if ccl and only_ear99:
        said = required or general
        return (
            "yes",
            f"yes — {said.passage.citation} requires a licence to release technology or source "
            f"code on the CCL to {who} (a deemed export); {where} excludes only technology not "
            "on the CCL",
            [said, excluded],
            [],
        )
    if ccl:
        return (
            "depends",
            f"depends on the Country Chart for the ECCN — {where}: {cite}(a)'s licence "
            "requirements do not apply to deemed exports, but the CCL-based ones do",
            [excluded],
            [],
        )
    text = (
        f"depends on the technology's classification — {where} requires no licence to release "
        f"technology or source code not on the CCL (EAR99) to {who}; technology on the CCL "
        "needs one"
        if only_ear99
        else f"depends on the technology's classification — {where}: {cite}(a)'s licence "
        "requirements do not apply to deemed exports, but the CCL-based ones do (NS1-controlled "
        "technology, for one, needs a deemed export licence)"
    )
    return "depends", text, [excluded, *([required] if required else [])], [_CLASSIFICATION_FACT]


# Russia and Belarus: "(ii) The following types of software subject to the EAR are in the scope
# of paragraph (a)(8): Enterprise resource planning (ERP); ... computer aided design (CAD); ..."
# and "(i) A license is required to export ... any 'software' subject to the EAR and described
# in paragraph (a)(8)(ii)" (746.8(a)(8)). The kinds are read from the section's own list.
_SOFTWARE_SCOPE = re.compile(
    r"\bThe following types of software subject to the EAR are in the scope of paragraph "
    r"\(a\)\((\d+)\):\s*(?P<kinds>.+)",
    re.I | re.S,
)
_KIND = re.compile(r"([A-Za-z][A-Za-z -]+?)\s*(?:\(([A-Z]{2,5})\))?")


def _software_kinds(sentence: str) -> tuple[str, list[tuple[str, str | None]]]:
    """The paragraph a list sentence scopes ("(a)(8)") and its kinds: ("computer aided
    design", "CAD"), ...; ("", []) for another sentence."""
    m = _SOFTWARE_SCOPE.search(sentence)
    if m is None:
        return "", []
    kinds = []
    for item in re.split(r";|,(?![^(]*\))|\band\b", m.group("kinds").rstrip(". ")):
        found = _KIND.fullmatch(item.strip())  # not "(CNC) machine tools": hardware words
        if found is not None and len(found.group(1).split()) >= 2:
            kinds.append((found.group(1).strip().lower(), found.group(2)))
    return f"(a)({m.group(1)})", kinds


# What makes a kind's name a piece of software in the question: a software word right after it
# ("CAD software", "ERP suite", "our CAD/PLM subscription", "CRM platform updates"), not
# "CAD drawings", "50,000 CAD", "CRM consulting services", "ETO sterilizers".
_SOFTWARE_WORD = (
    r"(?:software|suites?|platforms?|systems?|apps?|applications?|programs?|tools?|packages?|"
    r"modules?|solutions?|licen[cs]es?|subscriptions?|seats?|updates?|upgrades?|SaaS)\b"
)


def _kind_pattern(name: str) -> str:
    """A kind's name as questions spell it: hyphen or space, "modeling"/"modelling",
    "computerised"/"computerized"."""
    words = [
        re.sub(r"l+ing$", "l{1,2}ing", re.sub(r"[sz]ed$", "[sz]ed", w))
        for w in re.split(r"[\s-]+", name)
    ]
    return r"[\s-]+".join(words)


def _names_software(question: str, kind: str, self_named: bool = False) -> bool:
    """Whether the question names `kind` (a regex) as software: followed, within three words
    (other kinds joined by "/", "and" or commas), by a software word; or anywhere, when the
    kind's own name ends in one (`self_named`: "computerized maintenance management system")."""
    if self_named:
        return bool(cached_pattern(rf"\b{kind}", re.I).search(question))
    return bool(
        cached_pattern(
            rf"\b{kind}\b(?:[\s/,&-]+(?:and\s+)?[\w-]+){{0,3}}?[\s/-]+{_SOFTWARE_WORD}", re.I
        ).search(question)
    )


# 746.8(a)(12)(ii): "... software designated EAR99 and identified in paragraph (a)(8)(ii) ... do
# not require a license ... for the following civil end-users: (A) Wholly owned U.S.
# subsidiaries ...; (D) Wholly owned subsidiaries ... of companies headquartered in ... A:5 and
# A:6 ...". A question whose end user is a subsidiary, branch or joint venture turns on it.
_CIVIL_END_USERS = re.compile(
    r"\bdo not require a license\b.{0,200}\bfor the following civil end-users\b", re.I | re.S
)
_SECTOR_EXCLUDED = re.compile(
    r"\bwhen destined to entities engaged exclusively in the agriculture or medical industries\b",
    re.I,
)
_MEDICAL_OR_FARM_END_USER = re.compile(
    r"\b(?:hospitals?|clinics?|medical|healthcare|health care|farms?|farming|agricultur\w*|"
    r"agri-?business\w*)\b",
    re.I,
)
_AFFILIATE_END_USER = re.compile(
    r"\b(?:subsidiar(?:y|ies)|joint[- ]ventures?|branch(?:es)?|sales offices?)\b", re.I
)


def _listed_software(
    question: str, pool: Sequence[SearchResult], section: str, place: str
) -> tuple[Literal["yes", "depends"], str, list[Basis], list[str]] | None:
    """A licence the section requires for software of a kind it lists (746.8(a)(8): CAD, ERP,
    PLM ... designated EAR99, and their updates), when the question names one of the kinds by
    its name or its acronym: "yes", or "depends on the end user" when the end user is a
    subsidiary, branch or joint venture the section's civil end-user exclusion may cover."""
    listing = _first_in_section(pool, f"15 CFR {section}", _SOFTWARE_SCOPE)
    if listing is None:
        return None
    paragraph, kinds = _software_kinds(_sentence(listing))
    named = [
        acronym or name
        for name, acronym in kinds
        if _names_software(
            question, _kind_pattern(name), bool(re.search(rf"{_SOFTWARE_WORD}$", name, re.I))
        )
        # an acronym in capitals, as the list writes it ("BIS" is not "BI", "cam" not "CAM")
        or (acronym and _names_software(question, rf"(?-i:{acronym}s?)"))
        # its plural on its own names the software ("ERPs and CRMs")
        or (acronym and re.search(rf"(?-i:\b{acronym}s\b)", question))
    ]
    if not named:
        return None
    required = _first_in_section(
        pool,
        f"15 CFR {section}",
        re.compile(rf"\blicense is required\b.{{0,200}}\bdescribed in paragraph "
                   rf"{re.escape(paragraph)}\(ii\)", re.I | re.S),
    )  # fmt: skip
    bases = [b for b in (required, listing) if b is not None]
    deal = " ".join(_this_deal_sentences(question))
    excluded = (
        _first_in_section(pool, f"15 CFR {section}", _CIVIL_END_USERS)
        if asserted(_AFFILIATE_END_USER, deal)
        else None
    )
    # "a private hospital chain that does only medical work": (a)(12)(iv)'s exclusion for
    # entities engaged exclusively in agriculture or medicine
    sector = (
        _first_in_section(pool, f"15 CFR {section}", _SECTOR_EXCLUDED)
        if asserted(_MEDICAL_OR_FARM_END_USER, deal)
        else None
    )
    reasons = []
    if excluded is not None:
        reasons.append(
            f"{excluded.passage.citation} excludes that software for the civil end users it "
            "lists (wholly owned subsidiaries, branches or sales offices of U.S. companies or "
            "of companies headquartered in Country Group A:5 or A:6, and joint ventures of them)"
        )
    if sector is not None:
        reasons.append(
            f"{sector.passage.citation} excludes EAR99 software destined to entities engaged "
            "exclusively in the agriculture or medical industries"
        )
    if reasons:
        facts = []
        if excluded is not None:
            facts.append("whether the end user is one of the civil end users the exclusion lists")
        if sector is not None:
            facts.append("whether the end user works exclusively in agriculture or medicine")
        return (
            "depends",
            f"depends on the end user — 15 CFR {section}{paragraph} requires a licence for the "
            f"software kinds it lists ({', '.join(named)} among them) going to {place}, but "
            + "; and ".join(reasons),
            [*bases, *(b for b in (excluded, sector) if b is not None)],
            facts,
        )
    text = (
        f"yes — 15 CFR {section}{paragraph} requires a licence for the software kinds it lists "
        f"({', '.join(named)} among them) going to {place}, updates included, unless an "
        f"exclusion of 15 CFR {section}(a)(12) applies"
    )
    return "yes", text, bases, []


# North Korea, Syria, Crimea and the DNR/LNR regions: "a license is required ... any item
# subject to the EAR ..., except food and medicines classified as EAR99" (746.4(a), 746.9(a),
# 746.6(a)(1)(i), (a)(2)). Food and medicine as part 772 defines them: what people eat
# ("rice", "canned food", "infant formula") and drugs ("antibiotics", "insulin"); a medical
# device is neither.
_FOOD_MEDICINE_EXCEPTED = re.compile(
    r"\b(?:except|other than):?\s+food and medicines? (?:classified|designated) as EAR99\b", re.I
)
# The head nouns of food and medicine as questions name them (772.1: food is what humans and
# animals eat, seeds included; medicines are drugs); a device, a container or a machine for
# them is neither ("insulin pumps", "medicine cabinets", "rice cookers").
_FOOD_OR_MEDICINE_HEAD = re.compile(
    r"(?:foods?|foodstuffs?|groceries|rice|wheat|flour|grains?|maize|corn|soybeans?|beans|"
    r"lentils|milk|formula|feed|seeds?|fruits?|vegetables|meat|chicken|beef|pork|fish|"
    r"sugar|pasta|noodles|bread|cereals?|medicines?|medications?|meds|drugs?|"
    r"pharmaceuticals?|antibiotics?|insulin|vaccines?|painkillers?|analgesics?|aspirin|"
    r"ibuprofen|paracetamol|acetaminophen)"
)
# Where the goods a question sends are named: between a verb or a preposition and the next.
_GOODS_BOUNDARY = re.compile(
    r"[.?!;:]|\b(?:to|into|for|from|in|at|on|by|via|through|under|because|since|if|when|but|"
    r"need|needs|require|requires|can|could|do|does|is|are|was|were|ship|send|export|sell|"
    r"donate|supply|provide|deliver|want|wants|get|buy|like|some|our|their|the|we|they|"
    r"going|bound|destined|headed|shipped|sent|classified|designated)\b",
    re.I,
)
_EDIBLE_OILS = frozenset(["cooking", "olive", "vegetable", "sunflower", "palm", "edible"])
_CONJUNCTS = re.compile(
    r",\s*(?:and\s+|or\s+)?|\s+(?:and|or|plus|&|as well as|together with|along with)\s+", re.I
)


def _goods_heads(text: str) -> list[list[str]]:
    """The head nouns of each run of goods joined by "and", "or", commas ("EAR99 rice and
    tractors" -> [["rice", "tractors"]]), for the runs that hold a food or medicine word."""
    text = re.sub(r"\([^)]*\)", " ", text)  # "(also EAR99)"
    runs = []
    for segment in _GOODS_BOUNDARY.split(text):
        heads = []
        for conjunct in _CONJUNCTS.split(segment):
            words = [w for w in re.findall(r"[\w'-]+", conjunct) if not _EAR99.fullmatch(w)]
            if not words or {"not", "no", "non"} & {w.lower() for w in words}:
                continue  # "cooking pots, not food": what is not sent
            head = words[-1]
            if head == "oil" and len(words) > 1 and words[-2].lower() in _EDIBLE_OILS:
                head = "food"  # "cooking oil", "olive oil"; a bare "oil" may be crude
            if "castor" in (w.lower() for w in words):
                head = "castor"  # 772.1's food excludes castor bean seeds
            heads.append(head)
        if any(_FOOD_OR_MEDICINE_HEAD.fullmatch(h) for h in heads):
            runs.append(heads)
    return runs


def _food_and_medicine(
    question: str, pool: Sequence[SearchResult], section: str, place: str
) -> tuple[Literal["yes", "depends"], str, list[Basis], list[str]] | None:
    """The section's own exception of EAR99 food and medicine, when the question sends food or
    medicine (the head of what it sends, lower case: not "Rice University", "medicine
    cabinets"): "yes" for other goods sent beside them, and otherwise "depends" (on the
    parties and end use for EAR99 food or medicine, which the section's requirement does not
    reach; on the classification when the question does not say EAR99). Never "no": a listed
    party or a part 744 end use still needs a licence (see the module docstring); never when
    the question gives an ECCN on the CCL."""
    deal = " ".join(_this_deal_sentences(question))
    runs = _goods_heads(deal)
    denied = bool(_EAR99.search(question)) and not asserted(_EAR99, question)
    if not runs or _gives_ccl_eccn(question) or denied:
        return None  # an ECCN on the CCL, or "not EAR99": the exception is not theirs
    basis = _first_in_section(pool, f"15 CFR {section}", _FOOD_MEDICINE_EXCEPTED)
    if basis is None:
        return None
    where = basis.passage.citation
    mixed = any(not _FOOD_OR_MEDICINE_HEAD.fullmatch(h) for run in runs for h in run)
    if not asserted(_EAR99, question):
        if mixed:
            return None
        return (
            "depends",
            f"depends on the classification: {where} excepts food and medicine classified as "
            f"EAR99; most other items subject to the EAR going to {place} need one",
            [basis],
            ["whether the food or medicine is classified as EAR99"],
        )
    if mixed:
        return (
            "yes",
            f"yes for the other items subject to the EAR going to {place}; not under {where} "
            f"for the food and medicine classified as EAR99, which it excepts",
            [basis],
            [],
        )
    return (
        "depends",
        f"not under {where}, which excepts food and medicine classified as EAR99 going to "
        f"{place} (as 15 CFR 772.1 defines them); depends on the parties and end use",
        [basis],
        [f"{_PARTIES_SCREENED}, or a part 744 end use applies"],
    )

"""Part 744's end-use and end-user rules: nuclear, rockets and UAVs, chemical and biological
weapons, military and military-intelligence end users, chip plants and supercomputers in China
(744.23), and where the military end-use rule reaches (744.21).

Apart from the party and destination rules because an end use needs a licence for items the
CCL alone would not catch, once the exporter knows of it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from assistant.answering.determination.asks import asks_whether
from assistant.answering.determination.basis import (
    Basis,
    Finding,
    FindingLine,
    Lookup,
    _first_in_section,
    _matching,
    _sentence,
    _with_section,
    find_sentence,
)
from assistant.answering.determination.camera import camera_rule
from assistant.answering.determination.facts import _D5_WORDS, _this_deal_sentences, party_names
from assistant.answering.determination.section_terms import _operative
from assistant.answering.end_use_places import (
    OUTSIDE_LIMITED,
    names_any,
    only_places_outside,
    reach,
)
from assistant.answering.question_facts import asserted, domestic, names_of, place_sent_to
from assistant.models import SearchResult

# Every name of a country 744.21 names (the place table's: "Nicaraguan", "Myanmar", "Burmese"),
# for its forces named as a party without a preposition.
_MEU_FORCES_OF = "|".join(
    re.escape(n)
    for c in ("Burma", "Cambodia", "China", "Nicaragua", "Venezuela", "Russia", "Belarus")
    for n in names_of(c)
)


# A chip plant ("a fab", "a foundry", "a wafer fab"), and a place in Macau or Country Group D:5
# as questions name them (China, its cities, Macau)
_FAB_WORDS = (
    r"\b(?:fabs?|foundr(?:y|ies)|wafer\s+fabs?|semiconductor\s+(?:fabs?|plants?|factor(?:y|ies))|"
    r"chip\s+(?:plants?|factor(?:y|ies)))\b"
)
# ECAD and TCAD software ("place-and-route and signoff tools", "EDA software") used to design
# chips: 744.23(a)(2)(iii)
_DESIGN_WORDS = (
    r"\b(?:ECAD|TCAD|(?-i:EDA)(?!\s*\((?i:exploratory))|electronic\s+design\s+automation|"
    r"place[- ]and[- ]route|"
    r"(?:chip|IC|circuit)[- ]design\s+(?:software|tools?))\b"
)
_CHIP_DESIGN = re.compile(_DESIGN_WORDS, re.I)
# A bracketed aside about lists: "(not on any list)", "(not listed, as far as we know)"
_LISTING_ASIDE = re.compile(r"\s*\([^()]*\b(?:lists?|listed|screen\w*)\b[^()]*\)", re.I)
# A person's nationality, not a place: "a Chinese national", "Chinese PhD students", "whose
# most recent citizenship is Chinese", "citizen of China"
_PERSON_NATIONALITY = re.compile(
    rf"{_D5_WORDS}\s+(?:[\w-]+\s+)?(?:nationals?|citizens?|PhDs?|students?|engineers?|"
    r"researchers?|employees?|hires?|postdocs?|scientists?|interns?|persons?|people)\b|"
    rf"\b(?:citizenship|nationality|residency)\s+(?:is|was|:)\s+{_D5_WORDS}|"
    rf"\b(?:citizens?|nationals?)\s+of\s+(?:the\s+)?{_D5_WORDS}",
    re.I,
)
_D5_PLACE = re.compile(_D5_WORDS, re.I)
# printed circuit boards, not integrated circuits: 744.23(a)(2)(iii) is about IC design
_BOARDS_ONLY = re.compile(
    r"\b(?:printed[- ]circuit[- ]boards?|PCBs?|board\s+layout)\b|\bdata\s+analy",
    re.I,
)
_DESIGN_END_USE = (
    "the design of advanced-node ICs produced in Macau or a Country Group D:5 destination"
)
# a 'supercomputer' and the computing centres that may be one: 744.23(a)(1)
_COMPUTING_WORDS = (
    r"\b(?:supercomput\w*|high[- ]performance\s+computing|HPC\s+(?:clusters?|systems?|"
    r"cent(?:re|er)s?)|(?:computing|compute|supercomputing)\s+(?:cent(?:re|er)s?|clusters?))\b"
)
_SUPERCOMPUTER_END_USE = "a 'supercomputer' in Macau or a Country Group D:5 destination"
# End uses and end users that need a licence for items the CCL alone would not catch, most
# specific first ("the intelligence directorate of the armed forces" is a military-intelligence
# end user before it is a military one): section, what the question must say, what it is.
_END_USES: list[tuple[str, re.Pattern[str], str]] = [
    (
        "744.22",
        re.compile(
            r"\bmilitary[- ]intelligence\b|\bintelligence\s+(?:agenc\w*|directorate|"
            r"service|branch|command)\s+of\b|\b(?:armed forces|military|army)\b[^.?!;]{0,40}"
            r"\bintelligence\b|\bintelligence\b[^.?!;]{0,40}\b(?:armed forces|military|army)\b",
            re.I,
        ),
        "a military-intelligence end use or end user",
    ),
    (
        "744.2",
        re.compile(
            r"\bnuclear\s+(?:explosive|weapon|reactor|facilit|fuel|program|propulsion)\w*|"
            r"\bunsafeguarded\b|\b(?:research|power|nuclear)\s+reactors?\b|"
            r"\buranium\s+enrichment\b|(?<!ore )(?<!coal )(?<!mineral )\benrichment\s+"
            r"(?:plant|facilit\w*|cascade)|\breprocessing\s+(?:plant|facilit\w*)|"
            # a plant making heavy water, not a lab using it as a solvent
            r"\bheavy[- ]water\s+(?:production|plant|facilit\w*|upgrad\w*)",
            re.I,
        ),
        "a nuclear end use",
    ),
    (
        "744.3",
        # lower case: "Missile Command" is a product; "ICBMs" are what 744.3 is about. The
        # section's own words for what its terms include: "'Rocket Systems' include ...
        # ballistic missiles, space launch vehicles, and sounding rockets", "'unmanned aerial
        # vehicles' include ... cruise missiles, target drones and reconnaissance drones".
        re.compile(
            r"(?<![A-Za-z])(?<!anti-)(?<!counter-)(?:ballistic |cruise )?missiles?\b|\bICBMs?\b|"
            r"(?<!anti-)(?<!counter-)\bUAVs?\b|"
            # "rockets" as the things ("for rockets that", "the range of the rockets."), not a
            # modifier or a metaphor ("rocket stoves", "our laptop is a rocket")
            r"(?<![A-Za-z'-])rockets\b(?=\s*(?:[.,;:?!)]|$)|\s+(?:that|which|for|with|and|or|in|"
            r"to|of|will|are)\b)|(?<![A-Za-z'-])rockets?\s+(?:programs?|programmes?|launch\w*)\b|"
            r"\b(?i:rocket\s+(?:systems?|motors?|engines?)|sounding\s+rockets?|"
            r"space\s+launch\s+vehicles?|(?:target|reconnaissance)\s+drones?|"
            r"unmanned\s+aerial\s+vehicles?)\b"
        ),
        "a rocket system or unmanned aerial vehicle end use",
    ),
    (
        "744.4",
        re.compile(
            # (not detecting, protecting against, destroying or writing about them)
            r"(?<!against )(?<!detectors for )(?<!detector for )(?<!sensors for )"
            r"(?<!history of )(?<!book on )(?<!books on )(?<!destroy )(?<!destroy old )"
            r"(?<!destruction of )(?<!destroying )"
            r"\b(?:(?:chemical|biological)\s+(?:or\s+biological\s+)?weapons?|"
            r"chemical\s+(?:munitions?|warfare(?:\s+agents?)?)|biological\s+warfare|"
            r"bio-?weapons?|nerve\s+agents?)\b"
            r"(?!\s+(?:detect|defen[cs]|protect|decontam|destruc|sensor|antidote))|\bCBW\b",
            re.I,
        ),
        "a chemical or biological weapons end use",
    ),
    (
        "744.23",
        # a supercomputer or a large computing centre there
        # (where the computer is, not who logs in to one in Austin)
        re.compile(
            rf"{_COMPUTING_WORDS}\s+(?:[\w-]+\s+){{0,3}}?(?:in|at)\s+(?:[\w-]+\s+){{0,2}}?"
            rf"{_D5_WORDS}|{_D5_WORDS}[^.?!;]{{0,120}}{_COMPUTING_WORDS}",
            re.I,
        ),
        _SUPERCOMPUTER_END_USE,
    ),
    (
        "744.23",
        # a chip plant in Macau or a Country Group D:5 destination (China among them)
        re.compile(
            rf"{_FAB_WORDS}[^.?!;]{{0,80}}{_D5_WORDS}|{_D5_WORDS}[^.?!;]{{0,80}}{_FAB_WORDS}",
            re.I,
        ),
        "the production of integrated circuits at a facility in Macau or a Country Group D:5 "
        "destination",
    ),
    (
        "744.21",
        # a military party the item goes to, not "military-grade", "our army of sales reps",
        # the "Swiss Army" knife, or where the item came from ("scrap that came from the
        # military", "surplus bought from the Army")
        re.compile(
            r"\b(?i:military\s+end[- ]us(?:e|er)s?)\b|"
            r"\b(?:(?i:to|for|by|with)|(?<!came\s)(?<!comes\s)(?<!bought\s)(?<!acquired\s)"
            r"(?<!purchased\s)(?<!salvaged\s)(?<!surplus\s)(?i:from))\s+"
            r"(?:(?i:the|a|an|its|their)\s+)?(?:[\w'-]+\s+){0,3}"
            r"(?:(?<!Old )(?i:armed forces|navy(?!\s+blue)|air force|marine corps|coast\s*guard|"
            r"national\s+guard|national\s+police|gendarmerie|"
            r"military(?![- ](?:grade|style|surplus|spec)))|"
            r"(?<!Swiss )(?-i:army|Army)(?!\s+of)|"
            r"(?i:ministry of defen[cs]e|defen[cs]e ministry))\b|\bPeople's Liberation Army\b|"
            r"\bPLA\s+(?i:units?|troops|forces|navy|air force|bases?|drones?|UAVs?|aircraft|"
            r"fighters?|helicopters?|missiles?|weapons?|warships?|submarines?|vehicles?|"
            r"programs?|programmes?|projects?)\b|"
            # the forces of a country the rule names, as the buyer: "The Nicaraguan Army wants
            # our 9A991 aircraft parts" (not where someone works: "her uncle, an accountant at
            # the Russian Ministry of Defence", whose gift is his own)
            rf"(?:^|(?<=[.?!;]\s))(?i:the\s+)?(?i:{_MEU_FORCES_OF})\s+(?:(?i:armed forces|"
            r"air force|navy|marine corps|military|national guard)|(?-i:Army|army))\s+"
            r"(?i:wants?|needs?|asks?|asked|orders?|ordered|(?:is|are)\s+(?:buying|ordering)|"
            r"would\s+like|plans?\s+to\s+buy)\b|"
            # 744.21(f): "military end use" includes the operation, installation, maintenance,
            # repair, overhaul, refurbishing, development or production of military items
            r"\b(?i:operat|install|maint|repair|overhaul|refurbish|servic|develop|produc|"
            r"manufactur|build|assembl)\w*\s+(?:(?i:the|its|their|of|for)\s+)*"
            r"(?:[\w'-]+\s+){0,2}?(?i:military|navy|naval|army|air[- ]force|warships?|"
            r"submarines?|fighter (?:jets?|aircraft))(?![- ](?:grade|style|surplus|spec|blue))"
            r"(?:\s+[a-z]\w+|\b)"
        ),
        "a military end use or end user",
    ),
]
_GENERAL_PROHIBITION = re.compile(r"\byou may not export\b", re.I)
# The United States' own armed forces are no foreign 'military end user' (744.21(g)) nor a
# military-intelligence one (744.22): "a contractor to the US Air Force", "a U.S. Army base".
_US_MILITARY = re.compile(
    r"\b(?:U\.\s?S\.|US|USA|American|United States)\s+(?:[\w'-]+\s+){0,2}?"
    r"(?:armed forces|navy|air force|army|marine corps|coast guard|military|space force|"
    r"department of defen[cs]e)\b|\bUSAF\b|\bDoD\b|\bPentagon\b",
    re.I,
)
_NOT_SAFEGUARDED = re.compile(
    r"\b(?:not\s+(?:under|subject\s+to|covered\s+by)|without|outside(?:\s+of)?)\s+"
    r"(?:IAEA\s+|international\s+|full[- ]scope\s+)?safeguards\b",
    re.I,
)
_SUPPLEMENT_2 = re.compile(r"\bsupp(?:lement|\.)?\s*(?:no\.?\s*)?2\b", re.I)
# Russia and Belarus by any name the place table knows ("Russian", "Minsk", "Yekaterinburg")
_RUSSIA_BELARUS = re.compile(
    r"\b(?:" + "|".join(re.escape(n) for n in (*names_of("Russia"), *names_of("Belarus"))) + r")\b",
    re.I,
)


def end_use_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """An end use or end user the question states (part 744's end-use rules): a licence for
    items the CCL alone would not require, once you know of it, resting on the section's own
    "(a) General prohibition". The military end-use rule (744.21) reaches only the items in
    supplement no. 2 to part 744, except for Russia and Belarus (any item subject to the EAR):
    elsewhere it depends on the item."""
    # "a reactor project that is not under IAEA safeguards" says what "unsafeguarded" says; its
    # "not" denies the safeguards, not the end use
    # ("A Chinese university (not on any list) wants our servers for a supercomputing centre":
    # the aside denies a listing, not the end use the sentence states)
    sentences = [
        _US_MILITARY.sub(
            "a U.S. Government agency",
            _NOT_SAFEGUARDED.sub("unsafeguarded", _LISTING_ASIDE.sub("", x)),
        )
        for x in _this_deal_sentences(question)
    ]
    deal = " ".join(sentences)
    # chip-design software and a Macau or D:5 party anywhere in the message (744.23(a)(2)(iii)):
    # "We license ECAD tools. A new prospect is a chip-design startup in Shanghai."
    chip_design = (
        _CHIP_DESIGN.search(deal) and asserted(_D5_PLACE, deal) and not _BOARDS_ONLY.search(deal)
    )
    stated = ("744.23", _DESIGN_END_USE, deal) if chip_design else None
    # (744.23 reaches a computer or a fab in the place, not a person of its nationality: "hire
    # a PhD whose most recent citizenship is Chinese to work on our qubit fab technology")
    located = [_PERSON_NATIONALITY.sub("a foreign national", x) for x in sentences]
    stated = stated or next(
        (
            (sec, what, sentence)
            for sec, pattern, what in _END_USES
            for sentence in (located if sec == "744.23" else sentences)
            if asserted(pattern, sentence)
        ),
        None,
    )
    named = None
    if stated is None:
        named = _named_end_user(question, passages, lookup)
        if named is None:
            return None
        stated = ("744.22", "a military-intelligence end use or end user", question)
    section, what, sentence = stated
    if domestic(deal):
        return None  # the U.S. Army at Fort Hood, Texas: no export
    if section == "744.21":
        camera = camera_rule(question, deal, passages, lookup)
        if camera is not None:
            return camera
    cite = f"15 CFR {section}"
    pool = _with_section(passages, lookup, section)
    basis = _first_in_section(pool, cite, _GENERAL_PROHIBITION)
    if basis is None:
        return None
    if named is not None:
        # "the end user is 'la DGCIM'": 744.22(f)(2) names it; the knowledge is the question's
        name, listing = named
        text = (
            f"yes — for any item subject to the EAR, whatever its classification: {name} is a "
            f"military-intelligence end user 15 CFR 744.22 names"
        )
        finding = _operative("yes", f"End-use controls ({cite})", text, [basis], section, pool, [])
        finding.lines.insert(1, FindingLine("Listed", f"{name} (15 CFR 744.22)", [listing]))
        return finding
    russia = bool(_RUSSIA_BELARUS.search(sentence))
    # the paragraph the line names when it is not the general prohibition's own sentence
    extra: Basis | None = None
    outcome: Literal["yes", "depends"] = "yes"
    missing: list[str] = []
    if section == "744.2":
        # 744.2(a) excludes the countries of supplement no. 3 to part 744 (allies with
        # safeguards), which the corpus does not list: the destination decides.
        outcome, missing = "depends", [_SUPPLEMENT_3_FACT]
        text = (
            "depends on the destination — unless it is a country of supplement no. 3 to part "
            f"744, a licence is required for any item subject to the EAR when you know of {what} "
            f"({cite}(a))"
        )
        if asserted(_FUEL_CYCLE, deal):
            # (a)(3): these facilities need a licence whether or not IAEA safeguards apply
            text = (
                "depends on the destination — unless it is a country of supplement no. 3 to "
                "part 744, a licence is required for any item subject to the EAR you know will "
                "be used in a heavy-water production, reprocessing, isotope-separation or "
                f"plutonium-fuel facility, safeguarded or not ({cite}(a)(3))"
            )
            extra = _first_in_section(pool, cite, _SAFEGUARDED_AND_NOT)
    elif section == "744.3" and _RANGE_UNKNOWN.search(deal):
        # (a)(3): a rocket or drone in D:4 whose range you cannot determine
        outcome, missing = "depends", [_D4_ONLY_FACT]
        text = (
            "depends on whether the destination is in Country Group D:4 — you cannot determine "
            "the range, so a licence is required there for any item subject to the EAR you know "
            f"will be used in any rocket system or unmanned aerial vehicle ({cite}(a)(3))"
        )
        extra = _first_in_section(pool, cite, _RANGE_UNKNOWN_744_3)
    elif section == "744.3" and not asserted(_WMD_DELIVERY, deal):
        # 744.3(a)(1) and (a)(3) reach only Country Group D:4 (not in the corpus); (a)(2)
        # reaches everywhere, but only for delivering chemical, biological or nuclear weapons
        outcome, missing = "depends", [_D4_FACT]
        text = (
            "depends on the destination and the system — a licence is required for any item "
            "subject to the EAR you know will be used in rocket systems or unmanned aerial "
            "vehicles in or by a Country Group D:4 country, when they can reach 300 km "
            f"({cite}(a)(1)) or when you cannot determine their range ({cite}(a)(3)); anywhere, "
            f"when they will deliver chemical, biological or nuclear weapons ({cite}(a)(2))"
        )
    elif section == "744.3":
        text = (
            "yes — for any item subject to the EAR, whatever its classification, you know will "
            "be used in rocket systems or unmanned aerial vehicles for the delivery of chemical, "
            f"biological or nuclear weapons, anywhere in the world ({cite}(a)(2))"
        )
    elif section == "744.4":
        text = (
            "yes — for any item subject to the EAR, whatever its classification, you know will "
            "be used in the design, development, production, stockpiling or use of chemical or "
            f"biological weapons, in or by any country ({cite}(a))"
        )
    elif what == _SUPERCOMPUTER_END_USE:
        outcome, missing, text = _supercomputer(question, pool, cite)
    elif what == _DESIGN_END_USE:
        design = (
            "for ECAD and TCAD software and technology subject to the EAR you know will be "
            "used to design an 'advanced-node integrated circuit' to be produced in Macau or "
            f"Country Group D:5, wherever the designer is ({cite}(a)(2)(iii)): where the chip "
            "is made decides"
        )
        if _ADVANCED_NODE.search(question):
            text = f"yes — {design}"
        else:
            outcome, missing = "depends", [_ADVANCED_NODE_DESIGN_FACT]
            node = "depends on whether the chip is an 'advanced-node IC'"
            text = f"{node} — a licence is required {design}"
    elif section == "744.23":
        # 744.23(a)(2): any item subject to the EAR for a plant producing advanced-node ICs;
        # Category 3 B-E items where the node is unknown. The corpus does not define the node.
        if _ADVANCED_NODE.search(question):
            text = (
                "yes — for any item subject to the EAR you know will be used in the development "
                "or production of ICs at a facility in Macau or Country Group D:5 where "
                f"'advanced-node ICs' are produced ({cite}(a)(2)(i))"
            )
        else:
            outcome, missing = "depends", [_ADVANCED_NODE_FACT]
            text = (
                "depends on whether the facility produces 'advanced-node integrated circuits' — "
                "if it does, a licence is required for any item subject to the EAR you know will "
                "be used in the development or production of ICs there; if that is unknown, for "
                f"Category 3 items in product groups B to E ({cite}(a)(2))"
            )
    elif section == "744.21" and not russia and (outside := _outside_reach(question, pool)):
        if outside == "embargoed":
            return None  # 744.21 does not reach Iran or Cuba: part 746 decides
        if not asks_whether(question):
            # a place the rule reaches only through a list, in a question asking something
            # else ("Can we use GOV for our engineers at a USAF base in Germany?", "must we tell
            # BIS the plant changed?"): "depends on whether a list names the end user" would
            # lead an answer to what was not asked
            return None
        text, bases, fact = outside
        outcome, missing = "depends", [fact]
        return _operative(
            outcome, f"End-use controls ({cite})", text, [basis, *bases], section, pool, missing
        )
    elif section == "744.21" and not (_SUPPLEMENT_2.search(question) or russia):
        outcome, missing = "depends", [_SUPPLEMENT_2_FACT]
        text = (
            "depends on whether the item is in supplement no. 2 to part 744 — a licence is "
            f"required when you know of {what} ({cite}(a))"
        )
    else:
        scope = (
            "the items in supplement no. 2 to part 744"
            if section == "744.21" and not russia
            else "any item subject to the EAR"
        )
        text = (
            f"yes — for {scope}, whatever its classification, when you know of {what} "
            f"in a destination {cite}(a) covers"
        )
    bases = [basis, *([extra] if extra is not None and extra != basis else [])]
    return _operative(outcome, f"End-use controls ({cite})", text, bases, section, pool, missing)


# the corpus does not hold 772.1's definition of 'advanced-node IC': a node the question gives
# in nanometres is a fact the answer leaves to it
_ADVANCED_NODE_DESIGN_FACT = (
    "whether the chip is an 'advanced-node integrated circuit' as 15 CFR 772.1 defines it"
)
_ECCN_CODE = re.compile(r"\b\d[A-E]\d{3}\b")
_SUPERCOMPUTER_ITEMS = re.compile(r"\bspecified in ECCN\b[^.;]*\b4A994\b", re.I)
_SUPERCOMPUTER_FACT = "whether the system is a 'supercomputer' as the EAR defines it (15 CFR 772.1)"


def _supercomputer(
    question: str, pool: Sequence[SearchResult], cite: str
) -> tuple[Literal["yes", "depends"], list[str], str]:
    """744.23(a)(1): ICs, computers, 'electronic assemblies' and 'components' of the ECCNs its
    item scope names (read from the section's own sentences) need a licence when you know they
    are for a 'supercomputer' in Macau or Country Group D:5. Whether a computing centre is one
    turns on the 772.1 definition the corpus does not hold, and items of other ECCNs are not
    reached at all."""
    scope = sorted(
        {
            e
            for b in _matching(pool, cite, _SUPERCOMPUTER_ITEMS)
            for e in _ECCN_CODE.findall(_sentence(b))
        }
    )
    named = set(_ECCN_CODE.findall(question))
    items = f" ({', '.join(scope)})" if scope else ""
    reach = (
        f"for the ICs, computers, 'electronic assemblies' and 'components' of the ECCNs "
        f"{cite}(a)(1)(i) names{items} you know will be used in the development, production, "
        f"operation or maintenance of a 'supercomputer' in Macau or Country Group D:5, or in "
        f"components or equipment for one ({cite}(a)(1))"
    )
    missing: list[str] = []
    if not re.search(r"\bsupercomput", question, re.I):
        missing.append(_SUPERCOMPUTER_FACT)
    if scope and not named & set(scope):
        missing.append(f"whether the items are of the ECCNs {cite}(a)(1)(i) names")
    if missing:
        facts = " and ".join(m.split(" (15 CFR")[0] for m in missing)
        return "depends", missing, f"depends on {facts} — a licence is required {reach}"
    return "yes", [], f"yes — {reach}"


def _outside_reach(
    question: str, pool: Sequence[SearchResult]
) -> tuple[str, list[Basis], str] | Literal["embargoed"] | None:
    """When every destination the question names is outside the countries 15 CFR 744.21(a)
    names: the "depends on whether a list names the end user" line, the "located outside of ...
    are limited to entities identified on the ... List" sentences it rests on, and the missing
    fact; "embargoed" when the place is one part 746 governs instead; None when the question
    names one of the countries (or its people), or no destination."""
    found = list(_matching(pool, "15 CFR 744.21", OUTSIDE_LIMITED))
    reaches = [(b, r) for b in found if (r := reach(_sentence(b))) is not None]
    if not reaches:
        return None
    countries = tuple(dict.fromkeys(c for _, r in reaches for c in r.countries))
    deal = " ".join(_this_deal_sentences(question))
    if names_any(deal, countries):
        return None
    if place_sent_to(deal) is not None:
        return "embargoed"
    if not only_places_outside(deal, countries):
        return None
    lists = " or the ".join(dict.fromkeys(r.listing for _, r in reaches))
    where = (
        ", ".join(countries[:-1]) + f" or {countries[-1]}" if len(countries) > 1 else countries[0]
    )
    text = (
        f"depends on whether a list names the end user — 15 CFR 744.21(a) reaches a military "
        f"end use only in {where}, and military end users located elsewhere only when they are "
        f"identified on the {lists}"
    )
    fact = f"whether the end user is identified on the {lists}"
    bases = list({b.passage.chunk_id + str(b.start): b for b, _ in reaches}.values())
    return text, bases, fact


def _named_end_user(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> tuple[str, Basis] | None:
    """A party the question names by the acronym 744.22 gives a military-intelligence end user
    ("Main Intelligence Directorate (GRU)", "... Military Counterintelligence (DGCIM)"): the
    name and the sentence naming it, read from the section itself."""
    acronyms = [n for n in party_names(question) if re.fullmatch(r"[A-Z]{3,8}", n)]
    if lookup is None or not (acronyms or _BODY_WORD.search(question)):
        return None  # (the section is read only when the question may name one of them)
    chunks = _with_section(passages, lookup, "744.22")
    for name in acronyms:
        found = find_sentence(chunks, "15 CFR 744.22", re.compile(rf"\({re.escape(name)}\)"))
        if found is not None:
            return name, found
    # ... or by the name itself ("the Directorate of Signal in Nay Pyi Taw, Burma"), as the
    # section's list of them, 744.22(f)(2)(i) to (x), writes it
    for p in chunks:
        if not p.citation.startswith("15 CFR 744.22(f)(2)"):
            continue
        for item in _INTELLIGENCE_ITEM.finditer(p.text):
            for run in _NAME_RUN.finditer(item.group(1)):
                name = run.group(0)
                if " " in name and re.search(
                    rf"(?<![\w-]){re.escape(name)}(?![\w-])", question, re.I
                ):
                    start = p.start + item.start(1) + run.start()
                    return name, Basis(p, start, start + len(name))
    return None


# The words the names of such bodies are made of: "Directorate of Signal", "Reconnaissance
# General Bureau", "General Department of Research and Intelligence"
_BODY_WORD = re.compile(
    r"\b(?:directorate|bureau|department|service|organi[sz]ation|intelligence|"
    r"counterintelligence|reconnaissance|staff)\b|(?-i:\bOffice\s+of\b)",
    re.I,
)
# "( i ) Burma. Office of Chief of Military Security Affairs (OCMSA) and the Directorate of
# Signal.": an item of 744.22(f)(2), the bodies it names after the country
_INTELLIGENCE_ITEM = re.compile(r"\(\s*[ivx]+\s*\)\s+[A-Z][\w ,.'’]*?\.\s+([^\n]+)")
_NAME_RUN = re.compile(r"[A-Z][\w-]*(?:\s+(?:(?:of|the|and|for)\s+)*[A-Z][\w-]*)*")


_SUPPLEMENT_2_FACT = "whether the item is in supplement no. 2 to part 744"
_ADVANCED_NODE = re.compile(r"\badvanced[- ]node\b", re.I)
_ADVANCED_NODE_FACT = (
    "whether the facility produces 'advanced-node integrated circuits' (15 CFR 744.23(a)(2))"
)
# 744.2(a)(3)'s facilities, "safeguarded and unsafeguarded"
_FUEL_CYCLE = re.compile(
    r"\bheavy[- ]water\s+(?:production|plant|facilit\w*|upgrad\w*)|\breprocessing\b|"
    r"\b(?:isotope|uranium)\s+(?:separation|enrichment)\b|"
    r"(?<!ore )(?<!coal )\benrichment\s+(?:plant|facilit\w*|cascade)|\bplutonium\b",
    re.I,
)
_SAFEGUARDED_AND_NOT = re.compile(r"\bSafeguarded and unsafeguarded nuclear\b", re.I)
_RANGE_UNKNOWN_744_3 = re.compile(r"\bbut you are unable to determine\b", re.I)
# "they don't know the range", "range unknown", "can't tell us the range"
_RANGE_UNKNOWN = re.compile(
    r"\b(?:don'?t|do\s+not|doesn'?t|does\s+not|can'?t|cannot|unable\s+to|not)\s+(?:\w+\s+){0,3}?"
    r"(?:know|determine|tell|say|sure|confirm)\b[^.?!]{0,40}"
    r"(?<!temperature )(?<!frequency )(?<!operating )(?<!price )(?<!pressure )(?<!voltage )"
    r"\brange\b|(?<!temperature )(?<!frequency )(?<!operating )\brange\b[^.?!]{0,30}\b"
    r"(?:unknown|unclear|not\s+known)\b",
    re.I,
)
_D4_ONLY_FACT = "whether the destination is in Country Group D:4 (supplement no. 1 to part 740)"
_SUPPLEMENT_3_FACT = "whether the destination is a country of supplement no. 3 to part 744"
_D4_FACT = (
    "whether the destination is in Country Group D:4 (supplement no. 1 to part 740) and the "
    "system's range"
)
# Rockets or drones that carry weapons of mass destruction: 744.3(a)(2), anywhere in the world
_WMD_DELIVERY = re.compile(
    r"\b(?:deliver\w*|carry\w*|armed\s+with)\b[^.?!;]{0,40}\b(?:chemical|biological|"
    r"nuclear)\s+(?:weapons?|warheads?)\b|"
    r"\b(?:chemical|biological|nuclear)\s+warheads?\b",
    re.I,
)

"""Questions about another legal regime than the one the corpus holds.

The corpus is U.S. export control under the EAR: its regulation text, the Federal Register rules
that made it, BIS guidance and news about them. Practitioners also ask about the regimes next to
it: the ITAR, OFAC's sanctions licences, other countries' export laws, CFIUS, customs
classification and tariffs, nuclear export rules. Those questions share the EAR's vocabulary
("licence", "export", "general licence", "category"), so the passages retrieved for them look
close (cosine 0.5-0.7, like answerable questions), and the EAR mentions most of these regimes in
passing (734.3 on items "subject to the ITAR", 744.8 on OFAC's lists), so neither similarity nor
the passages' words tell them apart. What does is what the question asks for: another regime's
own instrument (a USML category, a DDTC licence, an OFAC licence, an EU authorisation, a
Schedule B number, a CFIUS filing), and nothing of the EAR's. Then the corpus is silent and the
answer says so, naming the regime.

A question that names a regime while asking about the EAR is answered: "OFAC licensed the deal;
do we also need a BIS licence?", "Is an ITAR part counted in the de minimis calculation?",
"Does our UK subsidiary need a licence to re-export a U.S.-origin controller?". A country or
bloc named as a place ("a customer in the European Union") is not a regime. The lists are of
regimes (statutes, agencies, their instruments), written from what the corpus does not hold, and
no entry names a question's facts. When in doubt the rule does not refuse: a wrong refusal of an
answerable question costs more than an answer marked partial.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from assistant.answering.question_facts import only_imports, question_sentences

CORPUS_SCOPE = (
    "the corpus holds U.S. export controls under the EAR (15 CFR parts 730-774), the Federal "
    "Register rules that made them, BIS guidance and news about them"
)

# Countries whose own export-control or investment laws are asked about ("Japan's Foreign
# Exchange and Foreign Trade Act", "China's Export Control Law", "Canada's Export Control List").
_COUNTRY = (
    r"(?:Japan(?:ese)?|China|Chinese|German(?:y)?|Dutch|Netherlands|France|French|Canad(?:a|ian)"
    r"|Australia(?:n)?|Korea(?:n)?|India(?:n)?|Taiwan(?:ese)?|Singapore(?:an)?|Swiss|Switzerland"
    r"|Israel(?:i)?|Ital(?:y|ian)|Swed(?:en|ish)|Norw(?:ay|egian)|Russia(?:n)?|Mexic(?:o|an)"
    r"|Brazil(?:ian)?|Turk(?:ey|ish|iye)|Ukrain(?:e|ian)|Vietnam(?:ese)?|Malaysia(?:n)?)"
)
_POSSESSIVE = r"(?:'s|’s)?"
_LICENCE = r"(?i:licen[cs]es?|authori[sz]ations?|permits?)"


@dataclass(frozen=True)
class Regime:
    name: str  # how the answer names it
    asked: re.Pattern[str]  # the question asks for one of its instruments
    same_numbers: bool = False  # its control list numbers items as the CCL does (Wassenaar)
    # words that, beside this regime, ask about the EAR's licensing (an OFAC question that also
    # asks whether an export licence is needed; a tariff question asking about a licence)
    ear_words: re.Pattern[str] | None = None
    # its questions use the EAR's ordinary trade words for their own ends: a duty drawback is
    # claimed on goods "re-exported", of "U.S. origin" or not; those words alone do not make
    # it an EAR question (its `ear_words` still do)
    trade_words_its_own: bool = False
    # asked about in a question sentence that names nothing of the EAR, it is that regime's
    # question whatever facts the message gives ("The customer is on the U.S. Entity List ...
    # What is our exposure under Chinese law?"); for regimes whose questions are never the
    # EAR's in other words (not OFAC's: "do we need an OFAC licence to ship?" is both)
    asked_alone: bool = False
    # only what every question sentence asks counts, never a mention in the facts ("Under
    # Chinese law our distributor can't give us end-use information, so can we ship?")
    asked_only: bool = False
    # words that are the EAR's elsewhere and this regime's beside it, left out of a question
    # sentence asking about it before it is judged to ask about the EAR ("export credit
    # insurance" is no export, and EXIM's "minimum share of US content" is its own test)
    own_words: re.Pattern[str] | None = None


_EXPORT_LICENCE = re.compile(r"(?i:export licen[cs]e|export authori[sz]ation)")


REGIMES: tuple[Regime, ...] = (
    Regime(
        "the ITAR (22 CFR parts 120-130: the U.S. Munitions List, DDTC licensing)",
        re.compile(
            r"\bUSML\s+(?i:categor(?:y|ies))|(?i:munitions list categor(?:y|ies))"
            rf"|\bDDTC\b|Directorate of Defense Trade Controls|\bDSP-\d+|\b22 CFR\b"
            rf"|\bITAR{_POSSESSIVE}\s+(?i:registration|exemption|licen[cs]e|fee)"
            rf"|(?i:state department)\s+(?:\(ITAR\)\s+)?{_LICENCE}"
            r"|(?i:technical assistance agreement|manufacturing license agreement)"
            r"|(?i:arms export control act)"
        ),
    ),
    Regime(
        "OFAC's sanctions licensing (31 CFR chapter V)",
        re.compile(
            rf"\bOFAC{_POSSESSIVE}\s+(?:[\w-]+\s+){{0,3}}?(?i:general\s+|specific\s+)?(?i:licen[cs]e)"
            r"|(?i:general|specific)\s+(?i:licen[cs]e)\s+(?:no\.\s*)?\d+[A-Z]?\b"
            r"|(?i:licen[cs]e)s?\s+from\s+(?:the\s+)?OFAC\b"
            r"|\b31 CFR (?:part )?5\d\d\b|(?i:blocked property report)"
            # OFAC's determinations on Russian oil (the G7 price cap and its attestations)
            r"|(?i:price cap)"
            r"|\b[A-Z]\w+ (?:Sanctions|Assets Control|Transactions and Sanctions) Regulations\b"
        ),
        ear_words=_EXPORT_LICENCE,
    ),
    Regime(
        "EU export-control law",
        re.compile(
            rf"\bEU{_POSSESSIVE}\s+(?i:dual-use|regulation|export authori[sz]ation|authori[sz]ation"
            r"|export licen[cs]e|sanctions|annex|control list|catch-all)"
            rf"|European Union{_POSSESSIVE}\s+(?i:dual-use|regulation|sanctions|export)"
            # the EU's citation forms: Regulation (EU) 2021/821, Regulation 833/2014
            r"|\(E[CU]\) (?:No\.? )?\d+/\d+|\bRegulation (?:No\.? )?\d+/\d{4}\b"
        ),
        same_numbers=True,
    ),
    Regime(
        "UK export-control law",
        re.compile(
            rf"\b(?:UK|U\.K\.|United Kingdom|Britain|British){_POSSESSIVE}\s+"
            r"(?i:export licen[cs]e|export control|strategic export|sanctions|open general"
            r"|licen[cs]e)"
            r"|Export Control Joint Unit|\bECJU\b|\bOGELs?\b|\bSIELs?\b"
        ),
        same_numbers=True,
    ),
    Regime(
        "other countries' export-control and investment laws",
        re.compile(
            rf"\b{_COUNTRY}{_POSSESSIVE}\s+(?:own\s+)?"
            r"(?:(?:[A-Z][\w-]*|\([A-Z][\w-]*\)|and|of|for|on)\s+){0,8}"
            r"(?:Act|Law|List|list|Ordinance|(?i:export[- ]control\s+(?:law|list|rules?|regime)))\b"
            # "a permit from Taiwan's Bureau of Foreign Trade", "Australia's Defence Export
            # Controls office": the country's own licensing authority
            rf"|\b(?:{_LICENCE})\s+from\s+{_COUNTRY}{_POSSESSIVE}\s+[A-Z]"
            rf"|\b{_COUNTRY}{_POSSESSIVE}\s+(?:[A-Z][\w-]*\s+){{1,4}}(?:office|agency|authority)\b"
            r"|\b(?:METI|MOFCOM|BAFA|EXCOL|SCOMET|DGFT)\b"
            r"|(?i:ministry of commerce|white (?:country|list))"
            r"|Global Affairs Canada|\bExport Control List\b"
            # Singapore's Strategic Goods (Control) Act and its customs permits; India's
            # SCOMET list, licensed by the DGFT
            r"|Strategic Goods \(Control\)|Singapore Customs|(?i:strategic goods control list)"
        ),
        same_numbers=True,
        asked_alone=True,
        # ("an export permit from Taiwan's Bureau of Foreign Trade" asks for the country's own
        # permit, not a U.S. licence)
        own_words=re.compile(
            rf"\b(?:export\s+)?(?:{_LICENCE})\s+from\s+{_COUNTRY}{_POSSESSIVE}\s+"
            r"(?:[A-Z][\w-]*\s*)+"
            # ("does Taiwan's own entity list add anything?": not the EAR's Entity List)
            rf"|\b{_COUNTRY}{_POSSESSIVE}\s+own\s+(?i:entity\s+list|control\s+list)"
        ),
    ),
    Regime(
        "other countries' laws (China's Anti-Foreign Sanctions Law and Unreliable Entity List, "
        "blocking statutes)",
        re.compile(
            r"(?i:anti-foreign sanctions law|unreliable entit(?:y|ies) list|blocking statute"
            r"|blocking (?:rules|regulation))"
            rf"|\b(?i:under|in)\s+{_COUNTRY}\s+(?i:law|legislation)\b"
        ),
        asked_alone=True,
        asked_only=True,
    ),
    Regime(
        "U.S. employment and immigration law (DOJ's Immigrant and Employee Rights Section, "
        "the EEOC)",
        re.compile(
            r"Immigrant and Employee Rights|\bIER\b|\bEEOC\b|\bTitle VII\b|\bE-Verify\b"
            r"|\bForm I-9\b|(?i:citizenship[- ]status discrimination|national[- ]origin "
            r"discrimination|employment discrimination)"
        ),
        asked_alone=True,
    ),
    Regime(
        "CFIUS review of foreign investment (31 CFR part 800)",
        re.compile(
            r"\bCFIUS\b|Committee on Foreign Investment|\b31 CFR (?:part )?8[05]\d\b"
            r"|(?i:outbound investment)"
        ),
        ear_words=_EXPORT_LICENCE,
    ),
    Regime(
        "customs classification and tariffs (the HTS, Schedule B, Section 232 and 301 duties)",
        re.compile(
            r"\bSchedule B\b|\bHTS(?:US)?\s+(?i:subheading|heading|classification|code|number)"
            r"|Harmonized Tariff|\bSection (?:232|301)\b|(?i:anti-dumping|countervailing dut)"
            r"|(?i:tariffs? (?:rate|code|classification|heading|line)s?\b|tariffs? (?:on|for)\b)"
            r"|(?i:reciprocal tariff|import dut(?:y|ies)|dut(?:y|ies) rate)"
            r"|(?i:(?:duty|customs) drawback|drawback claims?|customs dut(?:y|ies))"
            # CBP's low-value entries: "the $800 Section 321 de minimis", "a Type 86 entry"
            r"|\bSection 321\b|\bType 86\b"
        ),
        ear_words=re.compile(r"(?i:licen[cs]e)"),
        trade_words_its_own=True,
    ),
    Regime(
        "tax law (income tax, VAT, export tax incentives)",
        re.compile(
            r"\b(?:VAT|IC-DISC|FDII|GILTI)\b|(?i:value[- ]added tax|income tax|sales tax"
            r"|withholding tax|tax (?:rate|deduction|credit|treaty|return|incentive|refund)s?\b)"
        ),
        # an ECCN there names the goods taxed ("VAT on 4A003 computers"), not an EAR question
        same_numbers=True,
        ear_words=_EXPORT_LICENCE,
        trade_words_its_own=True,
    ),
    Regime(
        "the EU's sanctions on Russia (Council Regulation (EU) No 833/2014)",
        # its subject is re-export to Russia: those words are its own
        re.compile(
            r"\b833/2014\b|\bArticle\s+12g\b|(?i:no[- ]re-?export[- ]to[- ]Russia\W{0,2}\s+clause)"
        ),
        trade_words_its_own=True,
    ),
    Regime(
        "personal and market facts about people and companies (pay, wealth, education, share "
        "prices, investment advice, product reviews)",
        # asked about alone: "What is Brad Smith's role at Microsoft and how much is he paid?"
        # names a party the news article quotes, and its words are that article's
        re.compile(
            r"(?i:\bnet worth\b|\b(?:share|stock) price|\bgood investment\b|\binvest(?:ing)? in\b"
            r"|\bsalary\b|\bhow much (?:is|was|does|did) (?:he|she|they|[A-Z]\w+) (?:get )?paid\b"
            r"|\b(?:law|business|medical) school\b|\bproduct reviews?\b"
            r"|\breviews? on (?:its |the )?performance\b)"
        ),
        asked_alone=True,
        asked_only=True,
    ),
    Regime(
        "anti-bribery law (the Foreign Corrupt Practices Act)",
        re.compile(
            r"\bFCPA\b|(?i:foreign corrupt practices act|facilitating payments?|anti-bribery"
            r"|bribe(?:s|ry)?\b)"
        ),
    ),
    Regime(
        "DEA's rules for controlled substances and listed chemicals (21 CFR parts 1300-1321)",
        re.compile(
            r"\bDEA\b|Drug Enforcement Administration|\bList I{1,2} chemicals?\b"
            r"|\b(?:DEA\s+)?Form 486\b|(?i:controlled substances? (?:export|import) permit)"
        ),
        ear_words=_EXPORT_LICENCE,
    ),
    Regime(
        "export finance and credit insurance (the Export-Import Bank of the United States)",
        re.compile(
            r"\bEXIM\b|\bEx-Im\b|Export-Import Bank|(?i:export credit insurance|credit insurance"
            r"|working capital guarantee)"
        ),
        ear_words=_EXPORT_LICENCE,
        asked_alone=True,
        own_words=re.compile(
            r"(?i:export[- ]credit(?:\s+insurance)?|export\s+financ\w*|Export-Import"
            r"|u\.?s\.?[- ](?:origin\s+)?content)"
        ),
    ),
    Regime(
        "FDA's export certificates and rules for medical products (21 CFR)",
        re.compile(
            r"\bFDA\b|Food and Drug Administration|Certificates? (?:to|for) Foreign Governments?"
            r"|(?i:certificates? of free sale)|\bANVISA\b"
        ),
        # asked about: "How do we request a CFG from FDA?"; a fact beside an EAR question ("our
        # FDA-cleared pumps: can we ship them to Iran?") is not
        asked_only=True,
        asked_alone=True,
    ),
    Regime(
        "nuclear export rules (NRC's 10 CFR part 110, DOE's part 810)",
        re.compile(
            rf"\bNRC{_POSSESSIVE}\s+(?:general\s+|specific\s+)?{_LICENCE}"
            rf"|Nuclear Regulatory Commission{_POSSESSIVE}\s+(?:general\s+|specific\s+)?{_LICENCE}"
            rf"|\b10 CFR (?:part )?(?:110|810)\b|\bPart 810\b|\bDOE{_POSSESSIVE}\s+(?:specific\s+)?"
            r"(?i:authori[sz]ation)"
        ),
    ),
)

# The question also asks about the EAR itself ("OFAC has licensed the deal: do we also need a
# BIS licence?", "Is our ITAR part counted for de minimis?"): then the corpus speaks to it.
_ASKS_ABOUT_EAR = re.compile(
    r"\bEAR\b|\bBIS\b|(?<!Ministry of )\bCommerce\b|\bECCN\b|\bEAR99\b|\bCCL\b|\bMEU\b|\bUVL\b"
    r"|\b15 CFR\b|(?<![\d.])7[3-7]\d\.\d+"
    r"|\b(?:STA|ENC|TMP|LVS|GBS|TSU|TSR)\b"
    r"|(?i:export administration|licen[cs]e exception|commerce control list"
    r"|unverified list|military end[- ]user|de minimis|direct product|deemed export"
    r"|end[- ]user statement"
    r"|u\.?s\.? content|u\.?s\.? (?:export )?licen[cs]e)"
    r"|(?<!Unreliable )(?i:entity list)"
)
# Words the EAR uses that are also everyday trade words: they make a question the EAR's unless
# the regime it asks about uses them too (`Regime.trade_words_its_own`).
_TRADE_WORDS = re.compile(r"(?i:u\.?s\.?[- ]origin|re-?export)")
# An ECCN ("5D002", "9A515", "0x5zz", "600 series") says the item is classified under the EAR,
# except beside a foreign export-control law: the EU's and the UK's lists use the same numbers.
_ECCN = re.compile(r"\b\d[A-Ea-e]\d{3}\b|\b\d[xX]\d{3}\b|\b\d[xX]5(?:\d\d|zz)\b|\b600[- ]series\b")
_NO_US_CONTENT = re.compile(
    r"\b(?:no|without|zero|free of)\s+(?:any\s+)?u\.?s\.?[- ](?:origin\s+)?(?:content|parts|"
    r"components)\b",
    re.I,
)
_CUSTOMS_DE_MINIMIS = re.compile(r"(Section 321)\s+(?i:de minimis)")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


# Buying from abroad or importing: the EAR governs what leaves the United States (and what is
# reexported or transferred abroad), not what comes in.
IMPORTS = Regime(
    "buying or importing into the United States (customs, and the import bans of sanctions "
    "programs)",
    re.compile(r"(?!)"),  # decided by `only_imports`, not by a pattern
)


def unaddressed_regime(question: str) -> Regime | None:
    """The regime other than the EAR that the question asks about (None: it asks about none,
    or it asks about the EAR too)."""
    text = unicodedata.normalize("NFKC", question).translate(_INVISIBLE)
    # "made in Dresden with no US content" says the EAR does not reach it: not an EAR question
    text = _NO_US_CONTENT.sub(" ", text)
    # "the $800 Section 321 de minimis" is CBP's low-value entry, not the EAR's de minimis
    text = _CUSTOMS_DE_MINIMIS.sub(r"\1", text)
    if _ASKS_ABOUT_EAR.search(text):
        return _asked_alone(text)
    trade_words = bool(_TRADE_WORDS.search(text))
    eccn = bool(_ECCN.search(text))
    for regime in REGIMES:
        if regime.asked_only:
            continue
        if not regime.asked.search(text) or (trade_words and not regime.trade_words_its_own):
            continue
        if (eccn and not regime.same_numbers) or (
            regime.ear_words is not None and regime.ear_words.search(text)
        ):
            continue
        if _only_claimed(text, regime) and any(
            _ASKS_TO_SHIP.search(_SHIPPING_NOUNS.sub(" ", x)) for x in question_sentences(text)
        ):
            continue  # "Our broker says it is ITAR ... Is that right, and what at export?"
        return regime
    # (after the named regimes: a tariff question names its own, "Section 301")
    if only_imports(text) and not trade_words:
        return IMPORTS
    return _asked_alone(text)


# "under Chinese law and U.S. law", "U.S. export controls": the EAR is asked about too
_US_RULES = re.compile(
    r"\b(?:U\.?S\.?|United States|American)\s+(?:(?:export|trade)\s+)?(?:law|rules|regulations|"
    r"controls?|requirements)\b|\bexport controls?\b",
    re.I,
)


# "can we ship without it?", "do we need a licence before she sees the code?": what the EAR
# decides, whatever law the rest of the sentence names
_ASKS_TO_SHIP = re.compile(
    r"\b(?:ship|export|re-?export|sell|send|deliver)\w*\b|\blicen[cs]e\b|\bECCN|\b\d[A-E]\d{3}\b",
    re.I,
)


# Someone else's claim the asker reports, to check it: "Our broker says anything that came from
# the military is ITAR", "the freight forwarder told us we need a State Department licence"
_CLAIM = re.compile(
    r"\b(?:says?|said|claims?\s+(?:that|it|this|they|we|our)\b|claimed|thinks?|believes?|"
    r"insists?|told\s+(?:us|me)|"
    r"according\s+to|swears?|is\s+convinced)\b",
    re.I,
)


# "the shipping company", "the export department": nouns, not an asked shipment
_SHIPPING_NOUNS = re.compile(
    r"\b(?:shipping|export|sales)\s+(?:company|companies|line|agent|firm|department|team|"
    r"manager|office)\b",
    re.I,
)


def _only_claimed(text: str, regime: Regime) -> bool:
    """Whether every mention of the regime is inside a sentence reporting someone's claim: a
    message that asks whether the claim is right and how to ship asks about the EAR too."""
    found = list(regime.asked.finditer(text))
    sentences = [(m.start(), m.end()) for m in re.finditer(r"[^.?!]+[.?!]?", text)]
    return bool(found) and all(
        any(a <= m.start() < b and _CLAIM.search(text[a:b]) for a, b in sentences) for m in found
    )


def _asked_alone(text: str) -> Regime | None:
    """A regime marked `asked_alone` that every question sentence of the text asks about, none
    of them naming the EAR: the EAR words are the message's facts, not what it asks."""
    asked = question_sentences(text)
    for regime in REGIMES:
        if not asked or not regime.asked_alone:
            continue
        own = regime.own_words
        theirs = [own.sub(" ", x) for x in asked] if own is not None else asked
        if any(
            _ASKS_ABOUT_EAR.search(x) or _US_RULES.search(x) or _ASKS_TO_SHIP.search(x)
            for x in theirs
        ):
            continue
        if all(regime.asked.search(x) for x in asked):
            return regime
    return None


def outside_corpus(regime: Regime) -> str:
    """What the answer says: the corpus does not cover it, which regime, and what it holds."""
    return f"It asks about {regime.name}; {CORPUS_SCOPE}."

"""What more than one rule reads from the question: the ECCN it gives, whether it calls its item
EAR99 or on the CCL, the parties it names, the sentences about this deal, where it sends things.

Apart from the rules that use these (embargo, end use, Country Chart, control reasons, de minimis,
the general rule ...) so no rule module has to import another for them. Facts one rule alone
reads stay with that rule.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.question_facts import (
    DESTINATIONS,
    EMBARGOES,
    MONTHS,
    asserted,
    foreign_places,
    names_end_use,
    names_end_user,
    negated,
)

_ECCN = re.compile(r"\b\d[A-E]\d{3}(?:\.[a-z])?\b|\b(?i:EAR[\s-]?99)\b")
# the paragraphs after the first level `_ECCN` reads: "6A003.b" + ".4.b" ("3A001.z.1.a." at a
# sentence's end keeps its ".1.a")
_ECCN_TAIL = re.compile(r"(?:\.[a-z0-9]+)+(?![\w]|\.[a-z0-9])")


def _whole_eccn(text: str, m: re.Match[str]) -> str:
    """The ECCN `m` found, as the text writes it, to its last paragraph ("6A003.b.4.b")."""
    tail = _ECCN_TAIL.match(text, m.end())
    return m.group(0) + (tail.group(0) if tail else "")


_CAPITALISED = re.compile(r"\b([A-Z][A-Za-z0-9&-]{2,}(?:\s+[A-Z][A-Za-z0-9&-]{2,}){0,3})\b")
# "UAVs", "ICBMs", "GPUs": things, not parties
_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,6}s")
_NOT_PARTIES = frozenset(
    "Entity List EAR BIS Commerce Department License Exception Do Does Can May Must Should "
    "Our We The Are Is What Which When How Under United States U.S "
    # the EAR's own acronyms, which 744.22 and the rest spell out in parentheses ("Commerce
    # Control List (CCL)"): never a party
    "CCL ECCN ECCNs EAR99 NLR EEI AES OFAC ITAR USML".split()
)


# A name right after these is a place ("a customer in Shenzhen", "located in China"), not a party.
_AS_PLACE = re.compile(r"\b(?:in|located in|based in)\s+(?:the\s+)?$", re.I)


def party_names(question: str) -> list[str]:
    """The capitalised names in a question that may be parties: not its first word, a month, a
    place ("in Shenzhen"), an embargoed country, a denied mention or a plural acronym."""
    return [
        m.group(1)
        for m in _CAPITALISED.finditer(question)
        if not set(m.group(1).split()) <= _NOT_PARTIES | MONTHS
        and m.start() > 0
        and not DESTINATIONS.fullmatch(m.group(1))
        and m.group(1).lower() not in EMBARGOES
        and not negated(question, m.start())
        and not _AS_PLACE.search(question[max(0, m.start() - 12) : m.start()])
        and not _PLURAL_ACRONYM.fullmatch(m.group(1))
    ]


# An item the question sends and says is on the CCL without naming its ECCN ("export items on
# the Commerce Control List to ...", "ship CCL-controlled parts to ..."): classified in some
# ECCN, not EAR99. Only as what the verb sends: "on the CCL" elsewhere is a reference ("EAR99
# under the CCL"), another item ("Our CCL items go to Germany"), or a question.
_ON_THE_CCL = re.compile(
    r"\b(?:export|re-?export|ship|(?:re-?)?sell|send|supply|transfer)\w*\s+(?:our\s+|the\s+|these\s+|"
    r"those\s+)?(?:(?:items?|goods|products|parts|commodities|equipment)\s+(?:that\s+are\s+)?"
    r"(?:listed\s+|controlled\s+)?on\s+the\s+(?:Commerce\s+Control\s+List|CCL)\b|"
    r"CCL[- ](?:controlled|listed)\s+\w+|CCL\s+(?:items?|goods|products|parts|commodities))",
    re.I,
)


def _gives_ccl_eccn(question: str) -> bool:
    """Whether the question gives the item an ECCN on the CCL (not EAR99), or sends items it
    says are on the CCL, and does not deny it (nor call its item EAR99)."""
    return any(
        not _EAR99.fullmatch(m.group(0)) and not negated(question, m.start())
        for m in _ECCN.finditer(question)
    ) or (
        not _EAR99.search(question)
        and any(
            not negated(question, m.start()) and not _ASKS_IF.search(question[: m.start()])
            for m in _ON_THE_CCL.finditer(question)
        )
    )


# ... asked rather than said: "Is it on the CCL?", "if the parts are on the CCL", "whether ..."
_ASKS_IF = re.compile(r"(?:\b(?:if|whether|unless)\b|(?:^|[.?!]\s+)(?:is|are)\b)[^.?!;]*$", re.I)


def ear99_only(question: str) -> bool:
    """Whether the question says its item is EAR99 and gives it no ECCN on the CCL."""
    return asserted(_EAR99, question) and not _gives_ccl_eccn(question)


# any embargoed place's name, blanked out before the other destinations are read
_EMBARGO_NAME = re.compile("|".join(rf"\b{re.escape(n)}\b" for n in EMBARGOES), re.I)
_D5_WORDS = (
    r"\b(?:china|chinese|prc|macau|shanghai|beijing|shenzhen|wuxi|hefei|wuhan|nanjing|tianjin|"
    r"xi'an|chengdu|guangzhou|hong\s+kong)\b"
)


def _this_deal_sentences(question: str) -> list[str]:
    """The question's sentences that may state where the item it asks about goes and for
    what end use: not a past
    deal ("We sold radar parts to the Air Force in 2019.", "records of our shipments to Iran last
    year"), someone's background ("Our sales
    director served in the Army.") or another company's business ("Our competitor sells to the
    Russian army")."""
    parts = [p for p in re.split(r"(?<=[.?!;])\s+", question) if p.strip()]
    # A question keeps what it asks about once its clause about the past deal is taken out:
    # "Can we ship replacement pumps for machines we sold years ago to a hospital in Donetsk?"
    # still sends the pumps to Donetsk. And parts, service or updates for what was sold go
    # where it was sold: "spare parts for the compressors we sold to a plant in Iran in 2015"
    # go to Iran, so that sentence is kept whole.
    kept = []
    for p in parts:
        if _NOT_THEIRS.search(p):
            continue
        if _INSTALLED_BASE.search(p):
            kept.append(p)
            continue
        if p.rstrip().endswith("?"):
            p = _PAST_DEAL.sub(" ", p)
        if not _PAST_DEAL.search(p):
            kept.append(p)
    return kept


_PAST_DEAL = re.compile(
    r"\b(?:sold|shipped|exported|supplied|delivered|shipments|sales|exports|deliveries)\b"
    r"[^.?!;]*?\b(?:in (?:19|20)\d\d|last year|years ago)\b"
    # the date first: "In 2015 we sold radar parts to a customer in Iran"
    r"|\b(?:in (?:19|20)\d\d|last year|years ago),?\s+(?:we|they|our\s+\w+)\s+"
    r"(?:sold|shipped|exported|supplied|delivered)\b[^.?!;]*",
    re.I,
)
_INSTALLED_BASE = re.compile(
    r"\b(?:for|servic\w*|repair\w*|maintain\w*|maintenance of|support\w*|updat\w*|upgrad\w*)"
    r"\s+(?:(?:the|our|those|these)\s+)?(?:[\w-]+\s+){0,3}?(?:that\s+|which\s+)?we\s+"
    r"(?:sold|shipped|exported|supplied|delivered|installed)\b",
    re.I,
)
_NOT_THEIRS = re.compile(
    r"\b(?:served|serves|worked|retired|veteran)\b|\b(?:competitors?|rivals?)\b", re.I
)


def _listed(facts: Sequence[str]) -> str:
    """ "a, b and c"; a last fact that has its own "and" ("the end user and end use") is only
    put after a comma."""
    if len(facts) < 2 or " and " in facts[-1]:
        return ", ".join(facts)
    return ", ".join(facts[:-1]) + " and " + facts[-1]


def _missing_parties(question: str) -> list[str]:
    """The end user and end use, as far as the question does not give them: "to a retailer in
    Brazil" gives the end user, "to maintain a reactor" the end use, in this deal's sentences
    only (not "We sold radar parts to the Air Force in 2019.")."""
    deal = " ".join(_this_deal_sentences(question))
    user = names_end_user(deal)
    use = names_end_use(deal)
    if not user and not use:
        return ["the end user and end use"]
    if not use:
        return ["the end use"]
    if not user:
        return ["the end user"]
    return []


_PARTIES_SCREENED = "whether a party to the transaction is denied or on a restricted list"
_EAR99 = re.compile(r"\bEAR[\s-]?99\b", re.I)  # "EAR99", "EAR 99", "ear99", "EAR-99"
# A country, not "abroad", "worldwide" or "Europe", which may take in an embargoed one.
_VAGUE_PLACE = frozenset(["abroad", "overseas", "worldwide", "foreign", "europe", "eu"])


# Where an item was made, not where it goes: "Korean-made oscilloscopes", "a Japanese-built
# analyser", "instruments made in Germany", "of U.S. origin".
_ORIGIN = re.compile(
    r"\b[A-Z][\w.]*[- ](?:made|built|manufactured|origin)\b"
    r"|\b(?:made|built|manufactured)\s+in\s+(?:the\s+)?[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?"
)


# The words that put an item somewhere: "to Japan", "a buyer in Shenzhen", "What about Brazil?"
# (a city first is fine: "in Kowloon, Hong Kong", "to Basra, Iraq")
_GOES_TO = re.compile(
    r"\b(?:to|in|into|at|for|about|within|inside|and|or)\s+(?:the\s+)?"
    r"(?:(?-i:[A-Z])[\w-]*(?:\s+(?-i:[A-Z])[\w-]*)?,\s*)?$",
    re.I,
)


def _destinations(question: str) -> list[str]:
    """The places the question sends something to, for a rule that gives each its own verdict:
    a place named after "to", "in", "into", "at" ("to a private company in Vietnam"), not a
    nationality or an origin ("two Chinese manufacturers", "Korean-made", "flying from
    Munich", "our German GmbH")."""
    return _named_places(_sent_to(question))


def _sent_to(question: str) -> str:
    """The question with every place blanked out but those it sends something to
    (`_destinations`), as written ("Hong Kong", not its country)."""
    text = _ORIGIN.sub(lambda m: " " * len(m.group(0)), question)
    masked, kept_until = list(text), -1
    for m in DESTINATIONS.finditer(text):
        before = text[max(0, m.start() - 40) : m.start()]
        # (or the next of a list that began with one: "in Kowloon, Hong Kong", "UK, France")
        listed = kept_until >= 0 and re.fullmatch(r",\s*", text[kept_until : m.start()])
        if _GOES_TO.search(before) or listed:
            kept_until = m.end()
        else:
            masked[m.start() : m.end()] = " " * (m.end() - m.start())
    return "".join(masked)


def _named_places(question: str) -> list[str]:
    """The destinations the question names, once each, in order: not "abroad" or "overseas"."""
    return list(dict.fromkeys(x for x in foreign_places(question) if x.lower() not in _VAGUE_PLACE))


_E1_E2 = {"746.2", "746.4", "746.7", "746.9"}  # Cuba (E:2); North Korea, Iran, Syria (E:1)

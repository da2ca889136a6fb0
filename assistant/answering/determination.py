"""The bottom line of a licence question, from the EAR's own reasoning, each line cited.

"Can we sell X to Y?" turns on a few facts the EAR names: is a party on a restricted list
(15 CFR 744.11 and the screening list), is the destination embargoed (part 746), which ECCN the
item has and where it goes (the general prohibitions of 736.2 and the Country Chart). Each rule
here is small and documented: when its facts are in the question (or the screening hits), it
states the outcome in fixed words and names the sentence of the regulation it rests on; that
sentence must be among the passages retrieved for the question (or found by the rule's own
lookup), so a determination never rests on text the caller may not read or the store cannot
verify. A rule whose sentence cannot be found states nothing. "No licence required" is never
said by a rule: at most "depends on" the facts the question did not give. Even where the text
seems to settle it (a paper the question calls published, 734.7(a); an EAR99 item to a country
no embargo covers, 736.2(b)(1)) the question's own words cannot rule out what would still
require a licence: attacks on "no" versions of those rules (506 questions) found wrong "no"s in
every class they tried, 106 of 193 in the last (a lathe whose datasheet is public, "a customer
in Kerch, Ukraine", "a lab weaponizing anthrax"). Those rules say "depends" and name the
provision that would make it "no".

The rules return `Finding`s; the composer numbers their citations with the rest of the answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from assistant.answering.control_reasons import (
    REASON_SECTIONS,
    UN_COUNTRIES,
    UNKNOWN_COLUMN,
    Reach,
    column_pattern,
    gives_un_reason,
    reach_of,
    reasons_given,
    un_countries,
)
from assistant.answering.country_scope import question_countries
from assistant.answering.deemed_exports import national_here, releases_to_a_national
from assistant.answering.end_use_places import (
    OUTSIDE_LIMITED,
    names_any,
    only_places_outside,
    reach,
)
from assistant.answering.exception_limits import (
    EXCEPTION_SECTIONS,
    MIN_OVERLAP,
    RESTRICTS,
    distinctive,
    exception_facts,
    lost_exceptions,
    named_exceptions,
    restriction_overlap,
    sentence_words,
)
from assistant.answering.exception_lists import listed_exceptions, names
from assistant.answering.known_violation import (
    acts_on_item,
    asks_return,
    disclosed,
    knows_of_violation,
)
from assistant.answering.licence_terms import acts_against_licence_terms
from assistant.answering.listed_names import (
    ADDS,
    mentions_added,
    named_party,
    named_whole,
    names_added,
    names_as_party,
    question_names,
)
from assistant.answering.listing_dates import addition_date, where_dates_fall
from assistant.answering.question_facts import (
    DESTINATIONS,
    EMBARGOES,
    MONTHS,
    about_an_export,
    asserted,
    country_of,
    domestic,
    foreign_places,
    names_end_use,
    names_end_user,
    names_of,
    negated,
    place_sent_to,
    placed_in_us,
    question_sentences,
)
from assistant.models import ScreeningHit, SearchResult
from assistant.retrieval.features import defined_terms
from assistant.status import date_label
from assistant.text import cached_pattern, chunk_sentences

Lookup = Callable[[str], list[SearchResult]]

# Does the question ask whether something needs a licence, is allowed, or can use an exception?
ASKS_LICENCE = re.compile(
    r"\b(?:need|needs|needed|require[sd]?|required|must we|allowed|permitted|prohibited|"
    # (not a request to the assistant: "Can you give us the numbers from the EAR?")
    r"can (?:we|i|our|they|you(?!\s+(?:please\s+)?(?:give|tell|explain|list|provide|show|"
    r"summari[sz]e|help|clarify|confirm|point|walk|outline|draft|describe)\b))|"
    # "Could we sell ...?" asks what "can we" asks, when an export follows: not "Could we be
    # liable ...?", "Could we have avoided ...?", "Could we explain to Huawei ...?"
    r"could (?:we|i|our|they) (?!(?:have|be)\b)(?:[\w-]+\s+){0,2}?(?:sell|export|reexport|"
    r"re-export|ship|send|supply|deliver|provide|release|transfer|keep|continue)\b|"
    r"may (?:we|i)|ok to|okay to|is it legal|"
    # "Our lawyers say we can keep supplying them. Is that correct?": a premise to check
    r"(?:is|are)\s+(?:that|this|they|he|she|it)\s+(?:correct|right|true)|"
    # "Is there any export issue?", "Any problem shipping?", "anything special about this?"
    r"(?:is|are)\s+there\s+(?:an?|any)\s+(?:(?:export|compliance|licen[cs](?:e|ing)|legal|EAR)\s+)?"
    r"(?:issues?|problems?|concerns?|restrictions?)|"
    r"(?:^|(?<=[.?!]\s))any\s+(?:(?:export|compliance|licen[cs](?:e|ing)|legal|EAR)\s+)?"
    r"(?:issues?|problems?|concerns?)\b|"
    # (not "anything special the EAR makes us track": an obligation, not a licence)
    r"(?:(?:is|are)\s+there\s+|^|(?<=[.?!]\s))anything\s+special(?!\s+(?:the|we|that|to|I)\b)|"
    r"(?:we|i|they|you)\s+can\s+(?:keep|still|continue|just)\b|"
    # "Are we good to ship?", "Are we clear to export?"
    r"(?:are|is|am)\s+(?:we|i|it|this|that)\s+(?:good|clear|ok|okay|fine)\s+to\s+(?:ship|export|"
    r"send|sell|go)|"
    # "Is the hire blocked?", "Is that illegal?"
    r"(?:is|are)\s+(?:\w+\s+){0,3}(?:blocked|banned|forbidden|illegal)(?=\s*\?)|"
    # "..., can't they?", "can't we?"
    r"can(?:'t|’t|not)\s+(?:we|i|they|you)(?=\s*\?)|"
    # "the EAR doesn't apply to me, right?", "Does the EAR apply to this?"
    r"(?:EAR|export controls?|regulations?)\s+(?:doesn't|does\s+not|don't|do\s+not|won't|"
    r"wouldn't)\s+apply|does\s+(?:the\s+)?EAR\s+apply|"
    # "EAR99 to Russia is mostly fine, isn't it?"
    r"(?:is|are|it's|that's|i'm|we're|i am|we are)\s+(?:\w+\s+)?"
    r"(?:fine|ok|okay|legal|lawful|permissible)\b(?!\s+with\b)|"
    r"licen[cs]e exception|without (?:a |an |any )?(?:(?:BIS|U\.?S\.?|US|export)\s+)?licen[cs]e|"
    r"can (?:a|an|our|my|the) (?:U\.?S\.?|American) (?:persons?|citizens?|nationals?|engineers?|"
    r"employees?)|"
    # "Can a US company sell software to Huawei?", "Could U.S. exporters ship routers to
    # Huawei?": whether a party may make the export (to someone: not "Can a Chinese supplier
    # ship parts to our factory?", an import, nor "Can a bank transfer money?"; without an
    # article only U.S. companies, exporters and the like: "Can Huawei sell phones to
    # Germany?" asks no export of ours, "Could US banks supply loans ...?" none at all; nor
    # shares, a stake, a subsidiary or money sold)
    r"(?:can|could) (?:(?:a|an|our|my|the|this|that) (?:[\w.-]+\s+){0,3}?|"
    r"(?:U\.?S\.?|US|American|United\s+States)\s+(?:[\w-]+\s+)?(?:companies|firms|exporters|"
    r"manufacturers|suppliers|vendors|sellers|distributors|businesses|persons)\s+(?:[\w-]+\s+)?)"
    r"(?:sell|export|reexport|re-export|ship|supply|deliver)\b"
    r"(?!\s+(?:(?:their|its|our|the|a|an)\s+)?(?:[\w-]+\s+)?(?:shares?|stakes?|stock|equity|"
    r"subsidiar\w*|loans?|money|funds|business)\b)"
    r"(?:\s+[\w.'’-]+){0,6}?\s+to\s+(?!(?:us|our|me|my)\b)|"
    # "Are sales to Huawei licensable under the EAR?"
    r"licen[cs](?:able|e-free)|"
    r"(?:which|what|any) (?:licen[cs]e )?exceptions?|no licen[cs]e|NLR|"
    r"(?:which|what) (?:\w+ )?(?:authori[sz]ations?|licen[cs]es?) (?:covers?|applies|do we need)|"
    r"licen[cs]e requirements? (?:\w+ly )?(?:apply|applies|reach|cover)|"
    r"subject to (?:a |any )?licen[cs]e requirements?)\b",
    re.I,
)
# "so his denial order doesn't matter, does it?", "Does that matter?": whether a fact changes
# what the rules require, when the fact is a party's restriction (not an invoice's currency or
# the ECCN format in an ERP)
_MATTERS = re.compile(
    r"\b(?:(?:doesn't|does\s+not|don't|do\s+not|wouldn't|won't)\s+(?:really\s+)?matter|"
    r"(?:does|would|will)\s+(?:it|that|this)\s+(?:really\s+)?matter)\b",
    re.I,
)
_SAYS_LISTED = re.compile(
    r"(?:\b(?:is|are|was|were|been|got|gets|being)|(?<=\w)['’]s)\s+(?:\w+\s+){0,2}(?:on|added to)"
    r"\s+the\s+"
    r"Entity List|Entity[- ]List(?:ed)?\s+(?:company|companies|firm|party|parties|entity|"
    r"entities|customer)|\blisted (?:entity|company|party|firm)|\bentity[- ]listed\b",
    re.I,
)
# "exporting servers to a company on the Entity List", "sales to parties listed on the Entity
# List": a listed party as the premise, even inside a question ("Is a licence required for
# ...?"), unlike a named one asked about ("Is Lenovo on the Entity List?")
_A_LISTED_PARTY = re.compile(
    # (the party the deal is with, "to" or "for" it: not "a subsidiary of a company on the
    # Entity List", "competes with a company on ...", "used to be a company on ...")
    r"(?:(?<=\bto )|(?<=\bfor ))"
    r"(?:\b(?:a|an|any)\s+(?:[\w-]+\s+){0,2}?(?:company|firm|party|entity|customer|buyer|"
    r"end[- ]user|consignee|organi[sz]ation|university)|\b(?:companies|firms|parties|entities|"
    r"customers|buyers|end[- ]users|consignees|organi[sz]ations|universities))\s+"
    r"(?:(?:that|which)\s+(?:is|are)\s+)?(?:listed\s+)?on\s+the\s+Entity\s+List\b",
    re.I,
)
_OWNERSHIP = re.compile(
    r"\b(?:shareholders?|owners?|owns|owned|ownership|parent|stake|subsidiar\w*|percent)\b"
    r"|\d+\s*%",
    re.I,
)
# "60% of its shares are held by a Chinese company that is listed", "its listed parent"
_OWNER_LISTED = re.compile(
    r"\b(?:that|which|who)\s+(?:is|are|was|were)\s+(?:itself\s+|also\s+)?(?:entity[- ])?listed\b|"
    r"\blisted\s+(?:parent|owners?|shareholders?|entit(?:y|ies)|compan(?:y|ies)|part(?:y|ies))\b",
    re.I,
)
# "60% owned by a company on the Entity List", "majority-owned by an Entity List company", "a
# listed Chinese company owns 60% of it": the owner named as listed, tied to the ownership
_OWNED_BY_LISTED = re.compile(
    r"\b(?:owned|held|controlled)\b[^.;?!]{0,60}?\bby\b[^.;?!]{0,50}?(?:\bon\s+the\s+Entity\s+"
    r"List\b|\bEntity[- ]List(?:ed)?\s+(?:compan|firm|part|entit|parent|owner|shareholder)|"
    r"\blisted\b)"
    r"|\blisted\b[^.;?!]{0,40}?\b(?:owns|holds|controls)\b"
    r"|\b(?:parent|owner|shareholder)s?\b[^.;?!]{0,30}?\b(?:is|are)\s+(?:\w+\s+){0,2}on\s+the\s+"
    r"Entity\s+List\b",
    re.I,
)
# The share the owner holds: "60%", "60 percent", "majority-owned", "wholly owned", "a minority
# stake"
_SHARE = re.compile(r"\b(\d{1,3}(?:\.\d+)?)\s*(?:%|percent\b|per\s+cent\b)", re.I)
_MAJORITY = re.compile(
    r"\b(?:majority|wholly|fully|100\s*%)[- ]?(?:owned|owner|stake|shareholder)", re.I
)
_MINORITY = re.compile(r"\bminority[- ](?:owned|owner|stake|shareholder|interest)", re.I)


def owned_share(question: str) -> float | None:
    """The share of the party its (listed) owner holds, as the question gives it: the largest
    percentage it states, 100 for "majority/wholly owned", 0 for "a minority stake"; None when it
    gives none."""
    shares = [float(m.group(1)) for m in _SHARE.finditer(question) if float(m.group(1)) <= 100]
    if shares:
        return max(shares)
    if _MAJORITY.search(question):
        return 100.0
    if _MINORITY.search(question):
        return 0.0
    return None


_MENTIONS_ENTITY_LIST = re.compile(r"\bentit(?:y|ies)[- ]list", re.I)
# A shipment already on its way when a rule took effect: "already on a truck to LAX", "in
# transit", "en route", "aboard a carrier"; and the savings clause Federal Register rules give
# such shipments ("... that were en route aboard a carrier to a port of export ... may proceed")
_EN_ROUTE = re.compile(
    r"\b(?:en route|in transit|aboard (?:a|the) (?:carrier|ship|vessel|truck|plane)|"
    r"already (?:on (?:a|the|its) (?:truck|ship|vessel|plane|way)|shipped|in transit|loaded))\b",
    re.I,
)
_SAVINGS_CLAUSE = re.compile(r"\bwere en route aboard a carrier to a port of export\b", re.I)
_ECCN = re.compile(r"\b\d[A-E]\d{3}(?:\.[a-z])?\b|\b(?i:EAR[\s-]?99)\b")


@dataclass(frozen=True)
class Basis:
    """A sentence of a passage a line rests on (document offsets)."""

    passage: SearchResult
    start: int
    end: int


@dataclass
class FindingLine:
    label: str
    text: str
    basis: list[Basis] = field(default_factory=list)
    screening: list[str] = field(default_factory=list)
    # words the line takes from a list's items ("BAG (excluding firearms and ammunition)"):
    # cited, so a reviewer can check them, but not quoted under the bottom line as provisions
    named: list[Basis] = field(default_factory=list)


@dataclass
class Finding:
    outcome: Literal["yes", "depends"]
    rule: str
    lines: list[FindingLine]
    missing_facts: list[str] = field(default_factory=list)
    # The regulation sentences it rests on are the rule itself (744.11, part 746), worth
    # quoting whole under the bottom line; the general case rests on the best sentence found.
    operative: bool = False
    # An outcome that rests on a provision a stay can suspend (the affiliates rule): the line
    # whose basis is checked, and the outcome and text that hold while a stay is in effect on
    # the answer's day (its legal-status notes say "Stayed: ..."; `bottom_line` reads them).
    if_stayed: tuple[int, Literal["yes", "depends"], str] | None = None
    # the general rule's "depends on the facts 736.2 names" (`general_rule`): no rule of its own
    general: bool = False


def cites(p: SearchResult, citation: str) -> bool:
    """Whether passage `p` is `citation` ("15 CFR 740.2") or one of its paragraphs
    ("15 CFR 740.2(a)"), not another section it is a prefix of ("15 CFR 740.20")."""
    return p.citation == citation or p.citation.startswith(f"{citation}(")


def _section_of(p: SearchResult) -> str:
    """The section a passage cites ("740.12" for "15 CFR 740.12(a)(2)")."""
    return p.citation.removeprefix("15 CFR ").split("(", 1)[0]


_WHOLE_SECTION = re.compile(r"15 CFR \d{3}\.\d+[a-z]?")


def find_sentence(
    passages: Sequence[SearchResult], citation_prefix: str, pattern: re.Pattern[str]
) -> Basis | None:
    """The first sentence (in rank order) of a passage citing `citation_prefix` that matches."""
    return next(_matching(passages, citation_prefix, pattern), None)


def _matching(
    passages: Sequence[SearchResult], citation_prefix: str, pattern: re.Pattern[str]
) -> Iterator[Basis]:
    """Every sentence matching `pattern` in the passages citing `citation_prefix`, in rank
    order, then in each passage's order. A whole section ("15 CFR 744.2") is that section and
    its paragraphs, not the sections its number is a prefix of (744.21, 744.22); anything
    shorter ("15 CFR 7", "") is a prefix."""
    section = bool(_WHOLE_SECTION.fullmatch(citation_prefix))
    for p in passages:
        if not (cites(p, citation_prefix) if section else p.citation.startswith(citation_prefix)):
            continue
        for a, b in chunk_sentences(p.text):
            if pattern.search(p.text[a:b]):
                yield Basis(p, p.start + a, p.start + b)


def _first_in_section(
    passages: Sequence[SearchResult], citation_prefix: str, pattern: re.Pattern[str]
) -> Basis | None:
    """The matching sentence that comes first in the section, wherever its passage ranked: a
    section states its general requirement before its special cases ("(a) License
    requirements. ... a license is required as specified under paragraphs (a)(1) through (8)"
    before (a)(4)(i)'s oil-and-gas rule), and a "depends on the item" line rests on the
    general one."""
    found = _matching(passages, citation_prefix, pattern)
    return min(found, key=lambda x: (x.passage.doc_id, x.start), default=None)


def _sought(
    passages: Sequence[SearchResult],
    lookup: Lookup | None,
    citation_prefix: str,
    pattern: re.Pattern[str],
    query: str,
) -> Basis | None:
    found = find_sentence(passages, citation_prefix, pattern)
    if found is None and lookup is not None:
        found = find_sentence(lookup(query), citation_prefix, pattern)
    return found


_ADDED = re.compile(r"\b(?:add(?:s|ed|ing)?|addition\s+of|placed|placing|list(?:s|ed|ing))\b", re.I)
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


_REMOVED = re.compile(
    r"\bremov\w*\b[^.;]{0,160}\bfrom (?:the|its|their|this) (?:\w+\s+){0,3}?(?:on\s+the\s+)?"
    r"Entity List\b|\bremoving the entry for\b|\bremoval of\b[^.;]{0,160}\bEntity List\b",
    re.I,
)


def removed_in_corpus(
    names: Sequence[str], passages: Sequence[SearchResult], lookup: Lookup | None
) -> tuple[str, Basis] | None:
    """A party the question names that a passage says was removed from the Entity List (a
    screening note or a memory older than the removal): the name and that sentence."""
    for name in names:
        pool = [*passages, *(lookup(f"{name} removed from the Entity List") if lookup else [])]
        found = next((b for b in _matching(pool, "", _REMOVED) if name in _sentence(b)), None)
        if found is not None:
            return name, found
    return None


# "were listed", "was blacklisted", "added to the Entity List": a question about listed parties
_SPEAKS_OF_LISTING = re.compile(
    r"\b(?:was|were|been|being|got|get)\s+(?:\w+\s+){0,2}(?:listed|blacklisted|added to the "
    r"Entity List)\b",
    re.I,
)


def about_listed_parties(question: str, passages: Sequence[SearchResult]) -> bool:
    """Whether the question is about parties on the Entity List, for retrieval to bring in what
    744.11 requires: it says parties were listed, or mentions in any role a name a retrieved
    sentence adds ("diversion risk to Huawei"). Looser than `listed_in_corpus`, which decides a
    bottom line."""
    if _SPEAKS_OF_LISTING.search(question):
        return True
    # (the loose mention first: it is cheaper, and true for nearly every strict match)
    return any(
        mentions_added(question, p.text[a:b])
        for p in passages
        for a, b in chunk_sentences(p.text)
        if "Entity List" in p.text[a:b] and _ADDED.search(p.text[a:b])
    ) or (listed_in_corpus(question, passages) is not None)


def listed_in_corpus(question: str, passages: Sequence[SearchResult]) -> tuple[str, Basis] | None:
    """A party the question names that a retrieved passage says was added to the Entity List:
    the name as the passage spells it and that sentence (Federal Register rules before press
    releases and news). The name must be the question's party, named whole
    (`assistant.answering.listed_names`). The last question's reading is kept: the rules,
    retrieval and the composer ask it of the same passages."""
    key = (question, tuple((p.chunk_id, p.start, p.end) for p in passages))
    last = _LAST_LISTED.get("last")
    if last is not None and last[0] == key:
        return last[1]
    found = _listed_in_corpus(question, passages)
    _LAST_LISTED["last"] = (key, found)
    return found


def listing_passage(
    question: str,
    passages: Sequence[SearchResult],
    search: Callable[[str], Sequence[SearchResult]],
) -> SearchResult | None:
    """The passage that adds to the Entity List a party the question names: one of the
    passages, or else one `search` finds for the names the question gives. Ranked among all a
    long question's words, the one sentence that lists "Supra Tech Sdn Bhd" may fall out of the
    top k, and with it the rule that decides the answer."""
    listed = listed_in_corpus(question, passages)
    if listed is not None:
        return listed[1].passage
    words = question_names(question)
    if not words:
        return None
    found = list(search(" ".join(words)))
    listed = listed_in_corpus(question, [*passages, *found])
    return None if listed is None else listed[1].passage


# (one slot per process: a dict item set in one step, so threads never see half of it)
_LAST_LISTED: dict[str, tuple[tuple[object, ...], tuple[str, Basis] | None]] = {}


# A sentence naming the Entity List as rules write it, and in a report's words ("an entity list")
_ENTITY_LIST = re.compile("Entity List")
_ENTITY_LIST_ANY_CASE = re.compile("entity list", re.I)


def _dated_addition(
    name: str, listing: Basis, passages: Sequence[SearchResult], lookup: Lookup | None
) -> tuple[str, Basis] | None:
    """The day a Federal Register rule or the regulation says `name` was added to the Entity
    List, and that sentence (`listing_dates.addition_date`): for a party the corpus lists only
    through a later rule recalling its listing ("the listing of Huawei ... can be found at 84 FR
    22961"), whose own date is not the listing's. Looked for in the passages, the rest of that
    rule, then by a query; news and press releases are not asked."""

    def found_in(pool: Sequence[SearchResult]) -> tuple[str, Basis] | None:
        official = [
            p for p in pool if p.metadata.get("doc_type") in ("regulation", "federal_register")
        ]
        for basis in _matching(official, "", _ENTITY_LIST):
            sentence = _sentence(basis)
            day = addition_date(sentence, name) if named_whole(sentence, name) else None
            if day is not None:
                return day, basis
        return None

    found = found_in(passages)
    reader = getattr(lookup, "document", None)
    if found is None and reader is not None:
        found = found_in(reader(listing.passage.citation))
    if found is None and lookup is not None:
        found = found_in(lookup(f"On which date was {name} added to the Entity List"))
    return found


def unlisted_party(question: str, passages: Sequence[SearchResult]) -> str | None:
    """The party that "Is X on the Entity List?", asked alone, names when no passage adds it
    (retrieval brings in the sentence adding a named party when the corpus holds one:
    `listing_passage`), and no passage names it beside the Entity List in any words ("two
    Entity List parties, SMIC Northern Integrated Circuit ..."; "removed Sandvine from the Entity
    List"): the answer says the corpus does not list it, rather than lead with a rule that lists
    others."""
    if not _ONLY_ASKS_IF_LISTED.fullmatch(question) or listed_in_corpus(question, passages):
        return None
    names = party_names(question)
    if not names:
        return None
    # (in any case and any of its names: "HUAWEI", "the US added Huawei to an entity list")
    named = cached_pattern(
        r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])", re.I
    )
    if any(named.search(_sentence(b)) for b in _matching(passages, "", _ENTITY_LIST_ANY_CASE)):
        return None
    return names[0]


def _listed_in_corpus(question: str, passages: Sequence[SearchResult]) -> tuple[str, Basis] | None:
    ranked = sorted(
        passages,
        key=lambda p: (
            ["regulation", "federal_register"].index(t)
            if (t := str(p.metadata.get("doc_type"))) in ("regulation", "federal_register")
            else 2
        ),
    )
    texts = [p.text for p in passages]
    for p in ranked:
        for a, b in chunk_sentences(p.text):
            sentence = p.text[a:b]
            if "Entity List" not in sentence or not _ADDED.search(sentence):
                continue
            if _REMOVED.search(sentence) and not ADDS.search(sentence):
                continue  # "remove the three entities listed within the entry"
            name = named_party(question, sentence, texts)
            if name is not None:
                return name, Basis(p, p.start + a, p.start + b)
    return None


# ---- the rules --------------------------------------------------------------------------------

# What an Entity List entry means, in 744.11(a)'s words, and the query that finds it: shared with
# the screening block (answering/screening_lead.py), so one cached lookup serves both.
EL_REQUIRED = re.compile(r"\blicen[sc]e is required\b.*\bEntity List\b", re.I | re.S)
EL_QUERY = (
    "15 CFR 744.11 A license is required, to the extent specified on the Entity List, to export "
    "any item subject to the EAR when an entity listed on the Entity List is a party"
)
_AFFILIATES = re.compile(r"\balso apply to any foreign entity that is owned\b", re.I)
_AFFILIATES_QUERY = (
    "15 CFR 744.11(a)(1) The Entity List license requirements also apply to any foreign entity "
    "that is owned 50 percent or more by one or more listed entities"
)
_EL_EXCEPTIONS = re.compile(r"\bLicense exceptions may not be used\b", re.I)
_EL_POLICY = re.compile(r"\breview polic(?:y|ies)\b", re.I)


def _statements(question: str) -> str:
    """The question with the questions it asks blanked out ("Is Lenovo on the Entity List?" asks;
    "Lenovo is on the Entity List." says): offsets kept, for `asserted`."""
    return re.sub(
        r"(?:^|(?<=[.?!;,])|\b(?:or|and)\b)\s*(?:is|are|was|were|has|have|had)\b[^.?!;]*\?",
        lambda m: " " * len(m.group(0)),
        question,
        flags=re.I,
    )


def _denies_listing(question: str) -> bool:
    """Whether every mention of the Entity List in the question denies a listing ("not on the
    Entity List", "none of the parties are on the Entity List")."""
    found = list(_MENTIONS_ENTITY_LIST.finditer(question))
    return bool(found) and all(negated(question, m.start(), m.end()) for m in found)


# What a rule adding parties says of their licence review: "It is added with a license review
# policy of denial", "License applications will be reviewed under a presumption of denial".
_RULE_POLICY = re.compile(
    r"\b(?:review(?:ed)?\s+(?:policy|under|with)\b[^.;]{0,60}?\b(?:denial|case[- ]by[- ]case|"
    r"approval)|reviewed\s+(?:on\s+an?\s+)?case[- ]by[- ]case|polic(?:y|ies)\s+of\s+denial|"
    r"presumption\s+of\s+denial)\b",
    re.I,
)
# An addition the sentence recalls rather than makes ("That final rule amended ... by adding",
# "In a final rule published on January 16, 2025, the ERC approved the addition of ...", "On
# May 16, 2019, the ERC determined to add ..."): the rule it is in is not the listing. (Not any
# year: "TG Training 2023 FZCO" is a name.)
_RECALLED = re.compile(
    r"\b(?:prior\s+to|previously|already|originally|earlier|that\s+(?:final\s+|interim\s+"
    r"final\s+)?rule|in\s+an?\s+(?:final\s+|interim\s+final\s+)?rule|published\s+on)\b|"
    r"^\W*On\s+\w+\s+\d{1,2},\s+(?:19|20)\d\d\b",
    re.I,
)
# A rule's own addition of a party, as the rules word it.
_ADDS_HERE = re.compile(
    r"\b(?:determined to add|approved the addition of|(?:is|are|by) adding|"
    r"adding (?:an |in alphabetical order )?entr)",
    re.I,
)
# Another party's addition: where the sentences about the listed party end.
_NEXT_ADDITION = re.compile(
    r"\b(?:determined to (?:add|remove|revise|modify)|approved the (?:addition|removal)|is adding|"
    r"are adding|(?:is|are) removing)\b",
    re.I,
)
_FOLLOWING = 10  # sentences after the listing sentence that may still be about its party


_ASKS_WHY = re.compile(r"\bwhy\b|\breasons?\b|\bgrounds\b|\bwhat for\b", re.I)


def _listing_reason(listing: Basis, name: str) -> Basis | None:
    """The sentence after a rule's addition of a party that says why: the next one in its
    paragraph about that party (not one about another party the sentence adds), unless the
    review policy, the savings clause or another addition comes first."""
    own = listing.passage
    sentence = _sentence(listing)
    because = _BECAUSE.search(sentence)
    if because is not None:
        # "... to the Entity List because of their links to ...": the addition says why itself
        return Basis(own, listing.start + because.start(), listing.end)
    others = _other_parties(listing, name)
    for a, b in [(a, b) for a, b in chunk_sentences(own.text) if own.start + a >= listing.end][
        :_FOLLOWING
    ]:
        sentence = own.text[a:b]
        if "\n\n" in own.text[listing.end - own.start : a]:
            return None  # the paragraph ended
        if _NEXT_ADDITION.search(sentence) or _RULE_POLICY.search(sentence):
            return None
        if _SAVINGS_CLAUSE.search(sentence):
            return None
        if _about_another(sentence, name, others):
            continue
        return Basis(own, own.start + a, own.start + b)
    return None


_BECAUSE = re.compile(r"\b(?:because|due to|on the basis of|based on)\b", re.I)


def _other_parties(listing: Basis, name: str) -> list[str]:
    """The other parties the listing sentence adds ("add Alpha Corp and Beta Corp")."""
    return [
        n
        for n in names_added(_sentence(listing))
        if n.lower() not in name.lower() and name.lower() not in n.lower()
    ]


def _about_another(sentence: str, name: str, others: Sequence[str]) -> bool:
    """Whether the sentence names another party of the listing sentence and not this one."""
    low = sentence.lower()
    return any(n.lower() in low for n in others) and name.lower() not in low


def _quoted(basis: Basis) -> str:
    """A sentence as a line quotes it: one line, without its closing period (the line's)."""
    return " ".join(_sentence(basis).split()).rstrip(".")


def listing_rule_sentence(
    listing: Basis,
    name: str,
    passages: Sequence[SearchResult],
    lookup: Lookup | None,
    pattern: re.Pattern[str],
) -> Basis | None:
    """The sentence of the rule that listed `name` (the document `listing` is from) matching
    `pattern`, when the rule says it of that party: among the few sentences after the listing
    sentence (read on into the document's next chunk), before another party's addition; else
    one naming the party; for the savings clause, which is the whole rule's, any. A rule
    adding forty parties may give them different policies, so a policy sentence elsewhere in
    the rule, or about another party, is no answer."""
    own = listing.passage
    doc = {p.chunk_id: p for p in passages if p.doc_id == own.doc_id}
    doc[own.chunk_id] = own
    reader = getattr(lookup, "document", None)
    if reader is not None:
        # the rule's own chunks in order: what it says of the party may be in the next one
        doc.update((p.chunk_id, p) for p in reader(own.citation) if p.doc_id == own.doc_id)
    elif lookup is not None:
        # (the savings clause is the whole rule's: one query per rule, which the lookup caches;
        # a policy is a party's, found beside its name)
        query = (
            f"{own.citation} savings clause en route aboard a carrier"
            if pattern is _SAVINGS_CLAUSE
            else f"{own.citation} {name} license review policy"
        )
        doc.update((p.chunk_id, p) for p in lookup(query) if p.doc_id == own.doc_id)
    chunks = sorted(doc.values(), key=lambda p: p.start)
    # the other parties the listing sentence adds ("add Alpha Corp and Beta Corp"): a sentence
    # naming one of them and not this party is about that one
    others = _other_parties(listing, name)
    for basis in _following(listing, chunks)[:_FOLLOWING]:
        sentence = _sentence(basis).lower()
        if _NEXT_ADDITION.search(sentence):
            break
        if _about_another(sentence, name, others):
            continue
        if pattern.search(sentence):
            return basis
    found = [
        Basis(p, p.start + a, p.start + b)
        for p in chunks
        for a, b in chunk_sentences(p.text)
        if pattern.search(p.text[a:b])
    ]
    named = [x for x in found if name.lower() in _sentence(x).lower()]
    if named:
        return named[0]
    if pattern is _RULE_POLICY or pattern is FOOTNOTE_EFFECT:
        return None  # (a party's own, never another's)
    return found[0] if found else None


# What a listing rule says a party's footnote designation does: the foreign-made items the
# listing reaches ("A footnote 3 designation subjects these entities to the Russia/Belarus-
# Military End User and Procurement Foreign Direct Product (FDP) rule, detailed in § 734.9(g)").
FOOTNOTE_EFFECT = re.compile(
    r"\bfootnote \d designation\b[^.;]*?\b(?:foreign direct product|foreign-produced|"
    r"§\s*734\.9)",
    re.I,
)


_CHUNK_GAP = 4  # the whitespace between one chunk's end and the next one's start


def _following(listing: Basis, chunks: Sequence[SearchResult]) -> list[Basis]:
    """The sentences after `listing` in document order, through the chunks that continue its
    passage without a gap (overlapping chunks give each sentence once)."""
    out: list[Basis] = []
    reached = listing.end
    for p in chunks:
        if p.start > reached + _CHUNK_GAP:
            break  # a chunk missing between: what follows it is not known
        if p.end <= reached:
            continue
        for a, b in chunk_sentences(p.text):
            if p.start + a >= reached:
                out.append(Basis(p, p.start + a, p.start + b))
        reached = max(reached, p.end)
    return out


@dataclass(frozen=True)
class ListingTerms:
    """A rule's addition of the question's party to the Entity List, and the sentences of that
    rule about it (see `listing_terms`)."""

    name: str
    listing: Basis
    policy: Basis | None
    footnote: Basis | None


def listing_terms(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> ListingTerms | None:
    """When a retrieved rule adds the party the question names to the Entity List ("The ERC
    determined to add ... Zhejiang Uniview Technologies Co., Ltd. ..."), what the same rule
    says that listing means for it: the licence requirement and review policy, and what its
    footnote designation reaches. Asked when or why a party was listed, or whether it is
    restricted, a practitioner's next question is what the listing requires; the rule answers
    it for that party, in sentences retrieval ranks below the one naming it. Only a rule's own
    addition, naming the party whole: one recalling an earlier listing has no policy of its
    own to give."""
    said = listed_in_corpus(question, passages)
    if said is None:
        return None
    name, basis = said
    sentence = _sentence(basis)
    if not (_ADDS_HERE.search(sentence) and named_whole(sentence, name)) or _RECALLED.search(
        sentence
    ):
        return None
    return ListingTerms(
        name,
        basis,
        listing_rule_sentence(basis, name, passages, lookup, _RULE_POLICY),
        listing_rule_sentence(basis, name, passages, lookup, FOOTNOTE_EFFECT),
    )


def entity_list_rule(
    question: str,
    passages: Sequence[SearchResult],
    hits: Sequence[ScreeningHit],
    lookup: Lookup | None,
) -> Finding | None:
    """A party on the Entity List: a licence for every item subject to the EAR, to the extent
    the entry says (744.11(a)); no licence exception unless the entry allows one; the entry's
    review policy. "yes" when the screening list or the question says the party is listed,
    otherwise "depends" on whether it is."""
    el_hits = [h for h in hits if "entity list" in h.source.lower()]
    corpus_says = None if el_hits else listed_in_corpus(question, passages)
    if corpus_says is not None and placed_in_us(question, corpus_says[0]):
        # "Steel Design Inc. of Cleveland, Ohio": a name the corpus lists abroad, on a company
        # the question puts in the United States, in a sale that leaves no border
        corpus_says = None
    said = asserted(_SAYS_LISTED, _statements(question)) or asserted(_A_LISTED_PARTY, question)
    # "whose 20% shareholder is on the Entity List": the owner is listed, not the party; the
    # listing reaches it only through the affiliates rule's ownership test.
    owned_by_listed = bool(_OWNED_BY_LISTED.search(question))
    # ("Our wholly owned subsidiary sells to a company that is on the Entity List": the buyer
    # is listed, the ownership is ours)
    through_owner = (owned_by_listed or bool(_OWNER_LISTED.search(question))) and bool(
        _OWNERSHIP.search(question)
    )
    listed = bool(el_hits) or (said and not through_owner) or corpus_says is not None
    if not listed and not through_owner and not _MENTIONS_ENTITY_LIST.search(question):
        return None
    # Listed by the question or the corpus, but a later rule removed it ("our 2023 screening
    # notes flag Sandvine"): whether it is still listed decides, not the old note.
    removed = (
        None
        if el_hits or not listed
        else removed_in_corpus(
            [corpus_says[0]] if corpus_says else party_names(question), passages, lookup
        )
    )
    required = _sought(
        passages,
        lookup,
        "15 CFR 744.11",
        EL_REQUIRED,
        EL_QUERY,
    )
    if required is None:
        return None
    en_route = _EN_ROUTE.search(question)
    savings = find_sentence(passages, "", _SAVINGS_CLAUSE) if en_route and not el_hits else None
    if savings is not None:
        # "already on a truck to LAX for export that day": the listing rule's savings clause
        # lets a shipment en route to the port on its effective date go as before, for a while
        finding = Finding(
            "depends",
            "Entity List (15 CFR 744.11) and the rule's savings clause",
            [
                FindingLine(
                    "Licence required",
                    "depends on whether the shipment was en route aboard a carrier to the port of "
                    "export on the day the listing took effect, under an actual order: then it may "
                    "proceed as before until the date the rule's savings clause sets; otherwise "
                    "a licence is required for any item subject to the EAR, to the extent the "
                    "Entity List entry specifies",
                    [savings, required],
                )
            ],
            ["whether the shipment was en route on the effective date, and when it is exported"],
            True,
        )
        fall = where_dates_fall(question, _sentence(savings))
        if fall is not None:
            finding.lines.append(FindingLine("Dates", fall, [savings]))
        return finding
    if removed is not None:
        name, basis = removed
        return Finding(
            "depends",
            "Entity List (15 CFR 744.11)",
            [
                FindingLine(
                    "Licence required",
                    f"depends on whether {name} is still on the Entity List: the corpus says it "
                    "was removed (screen it against the current list); without a listing, the "
                    "item, destination and end use decide",
                    [basis, required],
                )
            ],
            [f"whether {name} is on the current Entity List"],
            True,
        )
    lines = [
        FindingLine(
            "Licence required",
            (
                "yes"
                if listed
                else "depends on whether a party is on the Entity List, or owned 50 percent or "
                "more by listed entities"
                if through_owner
                else "depends on whether a party is on the Entity List"
            )
            + " — for any item subject to the EAR, to the extent the party's Entity List "
            "entry specifies",
            [required],
            [h.ref for h in el_hits],
        )
    ]
    affiliates = (
        _sought(passages, lookup, "15 CFR 744.11", _AFFILIATES, _AFFILIATES_QUERY)
        if through_owner
        else None
    )
    share = owned_share(question) if through_owner and not listed else None
    if_stayed: tuple[int, Literal["yes", "depends"], str] | None = None
    if affiliates is not None and share is not None and share >= 50 and owned_by_listed:
        # "60% owned by a company on the Entity List": the owner's listing reaches the party
        # through the affiliates rule, while that rule is in force on the answer's day
        lines[0] = FindingLine(
            "Licence required",
            "yes — a foreign entity owned 50 percent or more by listed entities is treated as "
            "listed (the affiliates rule, 15 CFR 744.11(a)(1)), for any item subject to the EAR, "
            "to the extent the owner's Entity List entry specifies",
            [affiliates, required],
            lines[0].screening,
        )
        if_stayed = (
            0,
            "depends",
            "depends on the item, destination and end use — the affiliates rule that would "
            "extend the owner's listing to it (15 CFR 744.11(a)(1)) is stayed on this day",
        )
    if affiliates is not None and if_stayed is None:
        # the provision that decides an owned party's case, quoted with its legal status (when
        # it decides the outcome, the outcome's line quotes it already)
        lines.append(
            FindingLine(
                "Affiliates rule",
                "the Entity List's requirements also reach a foreign entity owned 50 percent or "
                "more, directly or indirectly, by listed entities",
                [affiliates],
            )
        )
    rule_policy = rule_savings = footnote = None
    if corpus_says is not None:
        name, basis = corpus_says
        listing = basis.passage
        # the rule that adds the party ("The ERC determined to add TechCamel ..."), not one
        # recalling an earlier addition ("On May 16, 2019, Huawei ... were added"): only its
        # own date, review policy and savings clause are the listing's
        # (and names it whole: "Inspur Group" matched through the brand word of "Inspur
        # (Beijing) ..." may be its parent, which an earlier rule listed)
        adding = (
            bool(_ADDS_HERE.search(_sentence(basis)))
            and named_whole(_sentence(basis), name)
            and not _RECALLED.search(_sentence(basis))
        )
        dated = None if adding else _dated_addition(name, basis, passages, lookup)
        if adding:
            listed_as = (
                f"{name} was added to the Entity List by {listing.citation} "
                f"({date_label(listing.metadata)}); screen the party against the current list"
            )
        elif dated is not None:
            # (the day, from a rule that recalls it, cited to the sentence that gives it)
            listed_as = (
                f"{name} was added to the Entity List on {dated[0]}, as "
                f"{dated[1].passage.citation} states; screen the party against the current list"
            )
        else:
            listed_as = (
                f"{name} was added to the Entity List (per the corpus; screen the party "
                "against the current list)"
            )
        lines.append(FindingLine("Listed", listed_as, [dated[1] if dated else basis]))
        if adding:
            rule_policy = listing_rule_sentence(basis, name, passages, lookup, _RULE_POLICY)
            rule_savings = listing_rule_sentence(basis, name, passages, lookup, _SAVINGS_CLAUSE)
            footnote = listing_rule_sentence(basis, name, passages, lookup, FOOTNOTE_EFFECT)
            reason = _listing_reason(basis, name) if _ASKS_WHY.search(question) else None
            if reason is not None:
                lines.append(
                    FindingLine(
                        "Reason given", f"{listing.citation}: “{_quoted(reason)}”", [reason]
                    )
                )
    exceptions = _sought(
        passages,
        lookup,
        "15 CFR 744.11",
        _EL_EXCEPTIONS,
        "15 CFR 744.11 License exceptions may not be used unless authorized in the Entity List "
        "entry",
    )
    if exceptions is not None:
        lines.append(
            FindingLine(
                "Licence exceptions",
                "none, unless the Entity List entry authorizes one",
                [exceptions],
            )
        )
    policies = [h.license_policy for h in el_hits if h.license_policy]
    policy = find_sentence(passages, "15 CFR 744.11", _EL_POLICY)
    if rule_policy is not None and not policies:
        # the policy the listing rule gave this party, not 744.11's words for other footnotes
        lines.append(
            FindingLine(
                "Review policy",
                f"as {rule_policy.passage.citation} states: “{_quoted(rule_policy)}”",
                [rule_policy],
            )
        )
    elif policies or policy is not None:
        lines.append(
            FindingLine(
                "Review policy",
                "; ".join(dict.fromkeys(p.strip().rstrip(".") for p in policies))
                if policies
                else "as stated in the party's Entity List entry",
                [policy] if policy is not None else [],
                [h.ref for h in el_hits if h.license_policy],
            )
        )
    if footnote is not None:
        # (foreign-made items the listing reaches: the answer to "no U.S. content, so the
        # EAR can't apply")
        lines.append(
            FindingLine(
                "Foreign-made items",
                f"as {footnote.passage.citation} states: “{_quoted(footnote)}”",
                [footnote],
            )
        )
    if rule_savings is not None:
        lines.append(
            FindingLine(
                "Savings clause",
                f"{rule_savings.passage.citation}: “{_quoted(rule_savings)}”",
                [rule_savings],
            )
        )
        # ("One shipment left on January 3, 2025 ... the next on February 10": where each
        # date falls against the clause's own two dates)
        fall = where_dates_fall(question, _sentence(rule_savings))
        if fall is not None:
            lines.append(FindingLine("Dates", fall, [rule_savings]))
    if if_stayed is not None:
        return Finding("yes", "Entity List (15 CFR 744.11)", lines, [], True, if_stayed)
    missing = (
        []
        if listed
        else [
            "whether a party to the transaction is itself on the Entity List, or owned 50 "
            "percent or more by listed entities (15 CFR 744.11(a)(1))"
        ]
        if through_owner
        else ["whether a party to the transaction is on the Entity List"]
    )
    return Finding(
        "yes" if listed else "depends", "Entity List (15 CFR 744.11)", lines, missing, True
    )


_LICENSE_IS_REQUIRED = re.compile(
    r"\b(?:a license is required|you (?:will )?need a license)\b", re.I
)
# a requirement stated, not one lifted ("do not require a license")
_REQUIRES = re.compile(
    r"(?<!not )\b(?:license is required|requires? a license|license requirements? (?:set|in|of))\b",
    re.I,
)


# A person denied export privileges: General Prohibition Four (736.2(b)(4)) in its own words.
_DENIAL = re.compile(
    r"\b(?:(?:temporary\s+)?denial\s+orders?|denied\s+(?:persons?|part(?:y|ies)|export\s+"
    r"privileges)|TDOs?|DPL|export privileges (?:were|have been|are|was) (?:denied|revoked)|"
    # "an order denying his export privileges for seven years"
    r"den(?:ying|ies)\s+(?:\w+\s+){0,2}export\s+privileges)\b",
    re.I,
)
# an order no longer in force: "it expired in 2017", "BIS terminated it early"
_ORDER_ENDED = re.compile(
    r"\b(?:expired|terminated|lifted|rescinded|revoked\s+(?:the\s+order|on\s+appeal)|vacated|"
    r"no\s+longer\s+in\s+(?:force|effect))\b|"
    # (said of the order: "the TDO lapsed", "it was not renewed", "the order was set aside")
    r"\b(?:order|TDO|it)\b[^.;?]{0,20}?\b(?:lapsed|ended|ran\s+out|not\s+renewed|withdrawn|"
    r"cancell?ed|set\s+aside)\b",
    re.I,
)
_GP4 = re.compile(r"\bmay not take any action that is prohibited by a denial order\b", re.I)
_GP4_NO_EXCEPTIONS = re.compile(
    r"\bno License Exceptions\b.*\bGeneral Prohibition Four\b", re.I | re.S
)
_GP4_QUERY = (
    "15 CFR 736.2(b)(4) General Prohibition Four (Denial Orders): you may not take any action "
    "that is prohibited by a denial order; no License Exceptions authorize conduct prohibited"
)


# The only way to deal with a denied person: BIS's authorization on a written request
# (764.3(a)(2)), the counterpart of 764.5(g)'s permission for a known violation.
_DENIAL_AUTHORIZATION = re.compile(
    r"\bAuthorization to engage in actions otherwise prohibited by a denial order may be given by "
    r"the Office of Exporter Services\b",
    re.I,
)
_DENIAL_AUTHORIZATION_QUERY = (
    "15 CFR 764.3(a)(2) Authorization to engage in actions otherwise prohibited by a denial order "
    "may be given by the Office of Exporter Services upon a written request"
)
_DENIAL_AUTHORIZATION_TEXT = (
    "BIS's Office of Exporter Services may authorize an action the order otherwise prohibits, "
    "on a written request, as 15 CFR 764.3(a)(2) provides"
)


def denial_order_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """A party under a denial order: General Prohibition Four forbids any action the order
    prohibits, whatever the item or destination (736.2(b)(4)(i)), and no License Exception
    authorizes it (736.2(b)(4)(ii)). It comes before every other rule: a licence or exception
    that would otherwise cover the item does not help."""
    if not _DENIAL.search(question):
        return None
    prohibited = _sought(passages, lookup, "15 CFR 736.2", _GP4, _GP4_QUERY)
    if prohibited is None:
        return None
    # "Our forwarder was named in a denial order": prohibited. "None of the parties are denied
    # persons", "the order expired in 2022": only whether one is in force decides.
    denied = asserted(_DENIAL, question) and not _ORDER_ENDED.search(question)
    lines = [
        FindingLine(
            "Licence required",
            "the transaction is prohibited — no one may take an action a denial order "
            "prohibits (General Prohibition Four), whatever the item or destination"
            if denied
            else "depends on whether a party is subject to a denial order in force: no one may "
            "take an action such an order prohibits (General Prohibition Four)",
            [prohibited],
        )
    ]
    none = _sought(passages, lookup, "15 CFR 736.2", _GP4_NO_EXCEPTIONS, _GP4_QUERY)
    if none is not None:
        lines.append(
            FindingLine(
                "Licence exceptions",
                "none: no License Exception authorizes what a denial order prohibits",
                [none],
            )
        )
    # (only for a party under an order in force: one that ended, or none, needs no permission)
    authorization = (
        _sought(
            passages, lookup, "15 CFR 764.3", _DENIAL_AUTHORIZATION, _DENIAL_AUTHORIZATION_QUERY
        )
        if denied
        else None
    )
    if authorization is not None:
        lines.append(FindingLine("Authorization", _DENIAL_AUTHORIZATION_TEXT, [authorization]))
    return Finding(
        "yes" if denied else "depends",
        "Denial orders: General Prohibition Four (15 CFR 736.2(b)(4))",
        lines,
        ["the terms of the denial order (published in the Federal Register)"]
        if denied
        else ["whether a party to the transaction is subject to a denial order in force"],
        operative=True,
    )


# Knowledge of a violation: General Prohibition Ten (736.2(b)(10)) and 764.2(e), with the way
# out 764.5(g) gives (BIS's permission; only a notice to OEE to bring the item home).
_GP10 = re.compile(r"\bwith knowledge that a violation of the Export Administration\b", re.I)
_GP10_NO_EXCEPTIONS = re.compile(r"\bno license exceptions to this General Prohibition Ten\b", re.I)
_GP10_QUERY = (
    "15 CFR 736.2(b)(10) General Prohibition Ten Knowledge Violation to Occur: you may not sell, "
    "transport, forward, store or otherwise service any item with knowledge that a violation has "
    "occurred"
)
_KNOWLEDGE_PERMISSION = re.compile(
    r"\brequest permission from BIS to engage in the activities described in\b", re.I
)
_KNOWLEDGE_RETURN = re.compile(r"\bActions to return to the United States an item\b", re.I)
_KNOWLEDGE_QUERY = (
    "15 CFR 764.5(g) treatment of unlawfully exported items: request permission from BIS; "
    "actions to return to the United States an item that has been unlawfully exported only "
    "require notification to the Director of OEE"
)
_DISCLOSED_FACT = "whether the violation has been disclosed to BIS under 15 CFR 764.5"


def known_violation_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """The question states a violation in connection with its item: General Prohibition Ten
    forbids forwarding, storing, selling, financing or otherwise servicing that item, whatever
    its classification, and no License Exception overcomes it (736.2(b)(10)); BIS may permit
    it on request (764.5(g)(1)(i)-(ii)), and bringing a disclosed item back to the United States
    needs only a notice to the Director of OEE (764.5(g)(1)(iii))."""
    if not (knows_of_violation(question) and acts_on_item(question)):
        return None
    prohibited = _sought(passages, lookup, "15 CFR 736.2", _GP10, _GP10_QUERY)
    if prohibited is None:
        return None
    permission = _sought(passages, lookup, "15 CFR 764.5", _KNOWLEDGE_PERMISSION, _KNOWLEDGE_QUERY)
    if asks_return(question):
        home = _sought(passages, lookup, "15 CFR 764.5", _KNOWLEDGE_RETURN, _KNOWLEDGE_QUERY)
        if home is not None:
            told = disclosed(question)
            text = (
                "a notice, not a licence — bringing back to the United States an item that was "
                "unlawfully exported and disclosed under 15 CFR 764.5 needs only notification to "
                "the Director of OEE; any other action with it, knowing of the violation, is "
                "prohibited (General Prohibition Ten) unless BIS permits it"
            )
            if not told:
                text = f"depends on whether the violation is disclosed to BIS: {text}"
            return Finding(
                "depends",
                "Knowledge of a violation: General Prohibition Ten (15 CFR 736.2(b)(10))",
                [
                    FindingLine("Licence required", text, [home, prohibited]),
                    *(
                        [FindingLine("Permission", _PERMISSION_TEXT, [permission])]
                        if permission is not None
                        else []
                    ),
                ],
                [] if told else [_DISCLOSED_FACT],
                operative=True,
            )
    lines = [
        FindingLine(
            "Licence required",
            "the transaction is prohibited — no one may forward, transport, store, sell, finance "
            "or otherwise service an item with knowledge that a violation of the EAR has "
            "occurred, is about to occur, or is intended to occur in connection with it "
            "(General Prohibition Ten), whatever its classification",
            [prohibited],
        )
    ]
    lines += _no_exceptions(passages, lookup, _GP10_NO_EXCEPTIONS, _GP10_QUERY, "Ten")
    if permission is not None:
        lines.append(FindingLine("Permission", _PERMISSION_TEXT, [permission]))
    return Finding(
        "yes",
        "Knowledge of a violation: General Prohibition Ten (15 CFR 736.2(b)(10))",
        lines,
        ["the facts of the violation you know of"],
        operative=True,
    )


def _no_exceptions(
    passages: Sequence[SearchResult],
    lookup: Lookup | None,
    pattern: re.Pattern[str],
    query: str,
    number: str,
) -> list[FindingLine]:
    """The "Licence exceptions: none" line of a general prohibition that says no License
    Exception overcomes it (736.2(b)(9), (b)(10)), resting on that sentence; none without it."""
    none = _sought(passages, lookup, "15 CFR 736.2", pattern, query)
    if none is None:
        return []
    text = f"none: no License Exception overcomes General Prohibition {number}"
    return [FindingLine("Licence exceptions", text, [none])]


_GP9 = re.compile(r"\bYou may not violate terms or conditions of a license\b", re.I)
_GP9_NO_EXCEPTIONS = re.compile(r"\bno License Exceptions to this General Prohibition Nine\b", re.I)
_GP9_QUERY = "General Prohibition Nine violate terms or conditions of a license"


def licence_terms_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """A licence the question holds states a condition, and the question proposes to act
    against it (move, resell, re-export, use otherwise): General Prohibition Nine forbids
    violating a licence's terms or conditions, whoever owns the item, and no License Exception
    overcomes it (736.2(b)(9)). BIS's authorization (an amended or a new licence) comes first."""
    if not (acts_against_licence_terms(question) and ASKS_LICENCE.search(question)):
        return None
    basis = _sought(passages, lookup, "15 CFR 736.2", _GP9, _GP9_QUERY)
    if basis is None:
        return None
    lines = [
        FindingLine(
            "Licence required",
            "yes — BIS's authorization first, when the act goes beyond what the licence's "
            "terms and conditions allow: acting against them violates General Prohibition Nine "
            "(15 CFR 736.2(b)(9)), whoever owns the item; ask BIS to amend the licence or "
            "apply for a new one",
            [basis],
        )
    ]
    lines += _no_exceptions(passages, lookup, _GP9_NO_EXCEPTIONS, _GP9_QUERY, "Nine")
    return Finding(
        "yes",
        "Licence terms and conditions: General Prohibition Nine (15 CFR 736.2(b)(9))",
        lines,
        ["what the licence's terms and conditions allow"],
        operative=True,
    )


_PERMISSION_TEXT = (
    "BIS may permit it: with a voluntary self-disclosure, or by notifying the Director of OEE "
    "of the violation, you may request permission to act on the item (15 CFR 764.5(g)(1))"
)


# A party on the Unverified List (744.15): a statement before any shipment that needs no licence,
# and no License Exception (740.2(a)(17)).
_UVL = re.compile(r"\b(?:unver\w*\s+(?:part\w*\s+)?list|UVL)\b", re.I)
_UVL_LIST = re.compile(r"\b(?:unver\w*\s+(?:part\w*\s+)?list|UVL)\b(?!\s+statements?)", re.I)
_UVL_STATEMENT = re.compile(r"\bmust obtain a UVL statement\b", re.I)
_UVL_ELSEWHERE = re.compile(r"\bRequirements found elsewhere in the EAR also apply\b", re.I)
_UVL_NO_EXCEPTIONS = re.compile(r"\blisted on the Unverified List\b", re.I)
_UVL_EEI = re.compile(
    r"\blisted on the Unverified List\b.{0,80}?\bregardless of value or destination\b", re.I | re.S
)
_NO_LICENCE_NEEDED = re.compile(
    r"\bNLR\b|\bno licen[cs]e (?:is )?(?:required|needed)\b"
    r"|\b(?:doesn't|does not|don't|do not|won't|will not)\s+(?:need|require)\s+an?\s+licen[cs]e\b",
    re.I,
)


def unverified_list_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """A party on the Unverified List: the listing adds no licence requirement of its own
    (those elsewhere in the EAR still apply, 744.15(a)), but a shipment that needs no licence
    may go only once the listed party has given a UVL statement (744.15(b)), and no License
    Exception may be used (740.2(a)(17))."""
    # Not mentioned, or only to say the party is not (or no longer) on it: "was removed from
    # the Unverified List ... do we still need a UVL statement?" asks about a statement for a
    # party the question says is off the list.
    listed = asserted(_UVL_LIST, question)
    denied = any(negated(question, m.start(), m.end()) for m in _UVL_LIST.finditer(question))
    if not listed and (denied or not asserted(_UVL, question)):
        return None
    query = "15 CFR 744.15(b) UVL statement: before proceeding you must obtain a UVL statement"
    statement = _sought(passages, lookup, "15 CFR 744.15", _UVL_STATEMENT, query)
    if statement is None:
        return None
    elsewhere = _sought(passages, lookup, "15 CFR 744.15", _UVL_ELSEWHERE, query)
    lines = [
        FindingLine(
            "Licence required",
            "depends on the item and destination (licence requirements elsewhere in the EAR "
            "still apply); a shipment that needs no licence may go only after you obtain a UVL "
            "statement from the listed party",
            [statement, *([elsewhere] if elsewhere is not None else [])],
        )
    ]
    none = _sought(
        passages,
        lookup,
        "15 CFR 740.2",
        _UVL_NO_EXCEPTIONS,
        "15 CFR 740.2(a)(17) restrictions on all License Exceptions: a party to the transaction "
        "is listed on the Unverified List",
    )
    if none is not None:
        lines.append(
            FindingLine(
                "Licence exceptions",
                "none while a party to the transaction is on the Unverified List",
                [none],
            )
        )
    eei = _sought(
        passages,
        lookup,
        "15 CFR 758.1",
        _UVL_EEI,
        "15 CFR 758.1(b)(8) EEI filing required for all exports of tangible items where parties "
        "are listed on the Unverified List, regardless of value or destination",
    )
    if eei is not None:
        lines.append(
            FindingLine(
                "EEI filing",
                "required for every export of tangible items to a party on the Unverified List, "
                "whatever its value or destination (15 CFR 758.1(b)(8))",
                [eei],
            )
        )
    given = _NO_LICENCE_NEEDED.search(question) or _ECCN.search(question)
    return Finding(
        "depends",
        "Unverified List (15 CFR 744.15)",
        lines,
        [] if given else ["whether the item needs a licence to that destination"],
        operative=True,
    )


# A party on OFAC's SDN List with one of the identifiers 744.8(a)(1) lists ([RUSSIA-EO14024],
# [SDGT], [SDNTK] ...): an EAR licence for any item subject to the EAR (744.8(b)), unless OFAC
# authorizes it; no License Exception (744.8(c)); presumption of denial (744.8(d)).
_SDN = re.compile(
    r"\bSDNs?\b|\bSpecially\s+Designated\s+Nationals?\b|\bblocked\s+(?:person|party|entity)", re.I
)
_SDN_IDENTIFIER = re.compile(r"\[([A-Z][A-Z0-9]*(?:[- ][A-Z0-9]+)*)\]")
_SDN_REQUIRED = re.compile(
    r"\ba license is required under the EAR for the export\b.{0,300}?\bSDN List\b", re.I | re.S
)
_SDN_QUERY = (
    "15 CFR 744.8 SDN List identifiers: a license is required under the EAR for the export of any "
    "item subject to the EAR when a person designated on OFAC's SDN List is a party"
)


def sdn_party_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """A party the question says is on OFAC's SDN List: 744.8 adds an EAR licence requirement
    for any item subject to the EAR, EAR99 included, when the party's SDN identifier is one
    744.8(a)(1) lists (read from the section itself), unless OFAC has authorized the
    transaction; "depends on the identifier" when the question gives none of them."""
    if not asserted(_SDN, question):
        return None
    pool = _with_section(passages, lookup, "744.8")
    required = _first_in_section(pool, "15 CFR 744.8", _SDN_REQUIRED)
    if required is None and lookup is not None:
        required = find_sentence(lookup(_SDN_QUERY), "15 CFR 744.8", _SDN_REQUIRED)
    if required is None:
        return None
    listed = {
        tag for p in pool if cites(p, "15 CFR 744.8") for tag in _SDN_IDENTIFIER.findall(p.text)
    }
    given = [
        tag
        for tag in sorted(listed, key=len, reverse=True)
        if re.search(rf"(?<![\w-]){re.escape(tag)}(?![\w-])", question)
    ]
    if asserted(_OFAC_AUTHORIZED, question):
        # "OFAC has given us a specific licence": 744.8(b) applies only "unless ... authorized
        # under an OFAC specific or general license"
        return _operative(
            "depends",
            "SDN List parties (15 CFR 744.8)",
            "depends on whether OFAC's licence covers this transaction — if it does, 15 CFR "
            "744.8(b) adds no EAR licence requirement for the SDN party (it applies unless OFAC "
            "has authorized the transaction); the item's own EAR requirements still apply",
            [required],
            "744.8",
            pool,
            ["whether OFAC's licence covers this export"],
        )
    if given:
        outcome: Literal["yes", "depends"] = "yes"
        text = (
            f"yes — a person on OFAC's SDN List with the identifier [{given[0]}] is a party: "
            "15 CFR 744.8(b) requires an EAR licence for any item subject to the EAR, EAR99 "
            "included, unless OFAC has authorized the transaction"
        )
        missing: list[str] = []
    else:
        outcome = "depends"
        text = (
            "depends on the party's SDN identifier — 15 CFR 744.8(b) requires an EAR licence for "
            "any item subject to the EAR, EAR99 included, when a party is on OFAC's SDN List "
            "with an identifier 744.8(a)(1) lists (Russia- and Ukraine-related, terrorism, WMD, "
            "narcotics), unless OFAC has authorized the transaction"
        )
        missing = ["the party's identifier on the SDN List"]
    finding = _operative(
        outcome, "SDN List parties (15 CFR 744.8)", text, [required], "744.8", pool, missing
    )
    if outcome == "yes":
        # 90 FR 50857 stayed 744.8(b)'s first sentence until Nov. 9, 2026: on a day the stay
        # holds, the EAR requirement does not (OFAC's own sanctions still do)
        finding.if_stayed = (
            0,
            "depends",
            "depends on OFAC's sanctions, not the EAR's — the EAR licence requirement of 15 CFR "
            "744.8(b) for SDN parties is stayed on this day",
        )
    return finding


# A party said to be restricted without naming the list ("blacklisted", "debarred", "a
# restricted party"): which list decides the rule.
_RESTRICTED = re.compile(
    r"\b(?:black-?listed|blacklist|debarred|restricted part(?:y|ies)|sanctioned (?:company|"
    r"companies|firm|firms|party|parties|entity|entities|customer))\b",
    re.I,
)


def restricted_party_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """A party called "blacklisted" or "debarred": the EAR has several lists, each with its own
    rule, so the outcome depends on which one names the party. The Entity List's licence
    requirement (744.11(a)) and General Prohibition Four (736.2(b)(4)) are cited as the two
    that reach every item."""
    if not asserted(_RESTRICTED, question):
        return None
    el = _sought(passages, lookup, "15 CFR 744.11", EL_REQUIRED, EL_QUERY)
    gp4 = _sought(passages, lookup, "15 CFR 736.2", _GP4, _GP4_QUERY)
    basis = [b for b in (el, gp4) if b is not None]
    if not basis:
        return None
    return Finding(
        "depends",
        "Restricted parties (15 CFR 744.11, 736.2(b)(4))",
        [
            FindingLine(
                "Licence required",
                "depends on which list names the party: on the Entity List a licence is "
                "required for any item subject to the EAR; under a denial order the "
                "transaction is prohibited",
                basis,
            )
        ],
        ["which list names the party (screen it against the Consolidated Screening List)"],
        operative=True,
    )


_OFAC_EMBARGO = re.compile(r"\bOffice of Foreign Assets Control\b.{0,80}\bembargo\b", re.I)
# 746.7(a)(2): "... if OFAC authorizes an export or reexport, such authorization is considered
# authorization for purposes of the EAR as well."
_OFAC_COUNTS = re.compile(r"\bif OFAC authorizes an export\b", re.I)
# The question says OFAC authorized this deal, or asks about the case where it does: "we hold an
# OFAC specific license", "licensed by OFAC", "OFAC has authorized", "if OFAC grants a license";
# not "do we need an OFAC license?".
_OFAC_AUTHORIZED = re.compile(
    r"\b(?:have|has|hold|holds|got|obtained|received|were\s+granted|was\s+granted|with)\s+"
    r"(?:an?\s+|the\s+|our\s+)?OFAC(?:'s|’s)?\s+(?:(?:specific|general)\s+)?"
    r"(?:licen[cs]e|authori[sz]ation)\b|"
    r"\b(?:licen[cs]ed|authori[sz]ed)\s+by\s+OFAC\b|"
    r"\b(?:if\s+)?OFAC\s+(?:has\s+|had\s+)?(?:licen[cs]e[ds]|authori[sz]e[ds]|grant(?:s|ed))\b|"
    r"\bOFAC\s+(?:has\s+|had\s+)?(?:given|issued|granted)\s+(?:us\s+)?(?:an?\s+|the\s+)?"
    r"(?:(?:specific|general)\s+)?licen[cs]e\b",
    re.I,
)


_ANY_CCL_ITEM = re.compile(
    r"\blicense is required\b[^.]{0,160}\bany item subject to the EAR and specified in any "
    r"Export Control Classification Number\b",
    re.I,
)


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


def _other_destinations(question: str, place: str, section: str) -> str:
    """What the line says of the message's other destinations ("testers in Brazil, India, Iran
    and Cuba"): another embargoed one by its own section, the rest as outside part 746, so a
    line about the first embargo is not read as the answer for all of them. Not a place the
    item passes through or comes from ("via China", "our Malaysian subsidiary"), nor a word of
    the embargoed name ("Korea" in "North Korea")."""
    deal = " ".join(_this_deal_sentences(question))
    # the other embargoed places the deal sends something to, read as the first was
    # (`place_sent_to`: not a denied one, a demonym, or Moscow, Idaho)
    embargoed: list[tuple[str, str]] = []
    unread = deal
    while (m := place_sent_to(unread)) is not None:
        unread = unread[: m.start()] + " " * (m.end() - m.start()) + unread[m.end() :]
        found = EMBARGOES[m.group(0)]
        if found[0] != section and found not in embargoed:
            embargoed.append(found)
    rest = _EMBARGO_NAME.sub(lambda m: " " * len(m[0]), deal)
    # the countries `foreign_places` reads as places in their context (not "New Mexico",
    # "Paris, Texas", "in Spanish")
    places = set(foreign_places(rest))
    free: list[str] = []
    skipped_to = -1  # where the last place skipped as passed through or ours ended
    for m in DESTINATIONS.finditer(rest):
        name, country = m.group(0), country_of(m.group(0))
        before = rest[max(0, m.start() - 40) : m.start()].lower()
        if (
            _PASSED_THROUGH.search(before)
            or _OUR_SITE.search(before)
            or (
                # "through Turkey and Jordan": the list goes on
                skipped_to >= 0
                and re.fullmatch(r",?\s*(?:and|or)?\s*", rest[skipped_to : m.start()])
            )
        ):
            skipped_to = m.end()
            continue
        if (
            country.lower() in _VAGUE_PLACE
            or name.lower() in names_of(place)
            or country in free
            or (name.lower() != country.lower() and _DEMONYM_FORM.search(name))
            or country not in places
        ):
            continue
        free.append(country)
    said = "".join(f"; {where}: 15 CFR {sec} as well" for sec, where in embargoed)
    if free:
        said += (
            f"; {_listed(free)}: not by this section; there the item's ECCN and the parties decide"
        )
    return said


# any embargoed place's name, blanked out before the other destinations are read
_EMBARGO_NAME = re.compile("|".join(rf"\b{re.escape(n)}\b" for n in EMBARGOES), re.I)
# a place the item passes through or comes from, not where it goes
_PASSED_THROUGH = re.compile(
    r"\b(?:via|through|transit\w*|from|made\s+in|produced\s+in|origin\s+in)\s+(?:the\s+)?$"
)
_DEMONYM_FORM = re.compile(r"(?:ian|ese|ish|ean|an|i)$", re.I)
# where we are, not where the item goes: "our subsidiary in Brazil", "our office in Mexico City"
_OUR_SITE = re.compile(
    r"\bour\s+(?:[\w-]+\s+)?(?:subsidiary|office|plant|factory|warehouse|branch|affiliate|"
    r"team|engineers?|staff|headquarters|HQ|site|lab)\s+(?:in|at)\s+(?:the\s+)?$"
)


def embargo_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """An embargoed or specially controlled destination (part 746): a licence is required for
    the items the section names; which items depends on the item's classification."""
    m = place_sent_to(" ".join(_this_deal_sentences(question)))
    if m is None:
        return None
    section, place = EMBARGOES[m.group(0)]
    # Part 746's sections open with their licence requirements: with the section's chunks
    # among the passages, `_first_in_section` rests the line on the general requirement.
    pool = _with_section(passages, lookup, section)
    basis = _first_in_section(pool, f"15 CFR {section}", _LICENSE_IS_REQUIRED) or (
        _first_in_section(pool, f"15 CFR {section}", _REQUIRES)
    )
    if basis is None:
        return None
    if national_here(question) and not releases_to_a_national(question):
        # a Cuban forklift driver in Miami, a Russian-born green-card holder: the country is a
        # person's nationality, and nothing controlled goes to it or is released to him
        return None
    if releases_to_a_national(question):
        # technology released to a national of the place, where he or she is: the section's
        # own rule for deemed exports, before any rule for items sent there
        deemed = _deemed_export(question, pool, section, place, basis)
        return _operative(
            deemed[0], f"Embargoes and special controls (15 CFR {section})", *deemed[1:3],
            section, pool, deemed[3],
        )  # fmt: skip
    has_eccn = bool(_ECCN.search(question)) or _gives_ccl_eccn(question)
    outcome: Literal["yes", "depends"] = (
        "yes" if section in ("746.2", "746.4", "746.6", "746.7", "746.9") else "depends"
    )
    bases = [basis]
    text = (
        f"yes for most items subject to the EAR going to {place}"
        if outcome == "yes"
        else f"depends on the item: {place} is under the special controls of 15 CFR {section}"
    )
    ccl = (
        _first_in_section(pool, f"15 CFR {section}", _ANY_CCL_ITEM)
        if _gives_ccl_eccn(question)
        else None
    )
    if ccl is not None:
        # "routers ... They are 5A991" to Belarus: 746.8(a)(1) reaches every item with an ECCN
        outcome, bases = "yes", [ccl]
        text = (
            f"yes — a licence is required for any item specified in an ECCN on the CCL going to "
            f"{place} (15 CFR {section}(a)(1)), unless an exclusion of {section}(a)(12) applies"
        )
    text += _other_destinations(question, place, section)
    # what the section itself lists or excepts for the item given (not once a CCL ECCN made
    # it "yes" under (a)(1))
    for reads in (_listed_software, _food_and_medicine):
        found = reads(question, pool, section, place) if ccl is None else None
        if found is not None:
            outcome, text, bases, missing = found
            return _operative(
                outcome, f"Embargoes and special controls (15 CFR {section})", text, bases,
                section, pool, missing,
            )  # fmt: skip
    ofac = _first_in_section(pool, f"15 CFR {section}", _OFAC_EMBARGO)
    counts = (
        _first_in_section(pool, f"15 CFR {section}", _OFAC_COUNTS)
        if ofac is not None and asserted(_OFAC_AUTHORIZED, " ".join(_this_deal_sentences(question)))
        else None
    )
    if counts is not None:
        # "We hold an OFAC specific license for the Tehran hospital; do we also need a BIS
        # licence?": 746.7(a)(2) makes OFAC's authorization the EAR's too.
        return _operative(
            "depends",
            f"Embargoes and special controls (15 CFR {section})",
            "depends on whether OFAC's authorization covers this export — 15 CFR "
            f"{section}(a)(2): to avoid duplication, an export OFAC authorizes is authorized for "
            "the EAR as well, with no separate BIS licence; what OFAC's rules do not reach may "
            "still need one",
            [counts],
            section,
            pool,
            ["whether the OFAC authorization covers this export, on its terms"],
        )
    if ofac is not None:
        # Iran: the embargo is OFAC's (31 CFR part 560) and reaches EAR99 items too; the EAR's
        # own licence covers only the items 746.7(a)(1) lists. "A BIS licence for most items"
        # would send an exporter of EAR99 goods to the wrong agency.
        bases = [ofac, basis]
        text = (
            f"yes: OFAC's embargo covers exports to {place}, EAR99 items included, and the EAR "
            f"adds a licence requirement for the items 15 CFR {section}(a) lists"
        ) + _other_destinations(question, place, section)
    return _operative(
        outcome,
        f"Embargoes and special controls (15 CFR {section})",
        text,
        bases,
        section,
        pool,
        [] if has_eccn else ["the item's ECCN (or EAR99)"],
    )


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


# What part 746's sections say about License Exceptions and how applications are reviewed:
# "No license exceptions may be used for exports or reexports to Iran", "No License Exceptions
# ... are available ..., except the following", "You may export or reexport without a license
# if your transaction meets ... any of the following License Exceptions"; "subject to a
# general policy of denial", "reviewed on a case-by-case basis", "presumption of approval".
_NO_EXCEPTIONS = re.compile(r"\bNo License Exceptions?\b", re.I)
_LISTED_EXCEPTIONS = re.compile(
    r"\bwithout a license if your transaction meets\b.{0,80}\blicense exception", re.I
)
_REVIEW_POLICY = re.compile(
    r"\b(?:policy of denial|case-by-case|presumption of (?:approval|denial))\b", re.I
)


def _sentence(basis: Basis) -> str:
    offset = basis.passage.start
    return basis.passage.text[basis.start - offset : basis.end - offset]


def section_chunks(lookup: Lookup, section: str) -> list[SearchResult]:
    """A section's chunks in its own order when the lookup can read them (the service's
    `CachedLookup.section`), else what a query naming the section finds (a plain callable)."""
    reader = getattr(lookup, "section", None)
    return list(reader(section)) if reader is not None else lookup(f"15 CFR {section}")


def _with_section(
    passages: Sequence[SearchResult], lookup: Lookup | None, section: str
) -> list[SearchResult]:
    """The passages, then the section's own chunks when there is a lookup (those retrieval did
    not bring already): where a rule looks for the sentence it rests on."""
    if lookup is None:
        return list(passages)
    have = {p.chunk_id for p in passages}
    return [*passages, *(c for c in section_chunks(lookup, section) if c.chunk_id not in have)]


# "under paragraph (a)(3) of this section", "paragraphs (a)(1), (2), and (4) through (8)"
_SCOPED_TO = re.compile(r"\bparagraphs?\s+\(a\)\((\d+)\)", re.I)


def _first_general(
    pool: Sequence[SearchResult], citation_prefix: str, pattern: re.Pattern[str]
) -> Basis | None:
    """The first matching sentence of the section that speaks to its general requirement, not
    only to a special one: 746.8(b)(1)'s "applications required under paragraph (a)(3) ... policy
    of denial in all cases" is the policy for one product rule; (b)(3)'s, for "paragraphs
    (a)(1), (2) ...", is the one for the CCL items the general requirement covers. A sentence
    scoped to no paragraph counts as general; without one, the first sentence."""
    found = sorted(
        _matching(pool, citation_prefix, pattern), key=lambda x: (x.passage.doc_id, x.start)
    )
    general = [
        b for b in found if not (scoped := _SCOPED_TO.findall(_sentence(b))) or "1" in scoped
    ]
    chosen = general or found
    return chosen[0] if chosen else None


def _section_terms(
    section: str, pool: Sequence[SearchResult], paragraph: str | None = None
) -> list[FindingLine]:
    """The section's own "Licence exceptions" and "Review policy" lines, each resting on the
    first sentence of the section that states them (part 746's sections put them in paragraphs
    (b) and (c)). A section that states neither gets neither line, and a sentence naming the
    paragraphs it speaks to ("No license exceptions apply to the prohibitions described in
    paragraphs (b)(1) through (4) or paragraph (c)(2)") gives no line for a requirement in
    another `paragraph` ("(b)(5)"): cited for it, the pinpoint would be wrong."""
    cite = f"15 CFR {section}"
    lines = []
    exceptions = _first_general(pool, cite, _NO_EXCEPTIONS) or _first_general(
        pool, cite, _LISTED_EXCEPTIONS
    )
    if (
        exceptions is not None
        and paragraph is not None
        and not speaks_to_paragraph(_sentence(exceptions), paragraph)
    ):
        exceptions = None
    if exceptions is not None:
        sentence = _sentence(exceptions)
        where = exceptions.passage.citation
        text = (
            f"none (see {where})"
            if _NO_EXCEPTIONS.search(sentence) and not re.search(r"\bexcept\b", sentence)
            else f"only those {where} lists, on their conditions"
        )
        lines.append(FindingLine("Licence exceptions", text, [exceptions]))
    policy = _first_general(pool, cite, _REVIEW_POLICY)
    if policy is not None:
        sentence = _sentence(policy)
        found = _REVIEW_POLICY.search(sentence)
        kind = found.group(0).lower() if found else "as stated"
        where = policy.passage.citation
        text = (
            f"{kind}, except as {where} lists"
            if re.search(r"\bexcept\b", sentence)
            else f"{kind} for the applications {where} describes"
        )
        lines.append(FindingLine("Review policy", text, [policy]))
    return lines


_PARAGRAPHS = re.compile(
    r"\bparagraphs?\s+((?:\(\s*[a-z0-9]+\s*\))+)(?:\s+(?:through|to)\s+((?:\(\s*[a-z0-9]+\s*\))+))?",
    re.I,
)
_DESIGNATOR = re.compile(r"\(\s*([a-z0-9]+)\s*\)", re.I)


def _ordinal(designator: str) -> tuple[int, str]:
    """A designator's place in its sequence: 1, 2, ... or a, b, ... (roman numerals compare
    as text: equal or not)."""
    if designator.isdigit():
        return (0, designator.zfill(4))
    if len(designator) == 1:
        return (1, designator.lower())
    return (2, designator.lower())


def speaks_to_paragraph(sentence: str, paragraph: str) -> bool:
    """Whether a sentence that names paragraphs ("paragraphs (b)(1) through (4) or paragraph
    (c)(2)") names `paragraph` ("(b)(5)": no), or names none (then it speaks to the section)."""
    target = _DESIGNATOR.findall(paragraph)
    ranges = _PARAGRAPHS.findall(sentence)
    if not ranges or not target:
        return True
    for first, last in ranges:
        start = _DESIGNATOR.findall(first)
        if not last:
            if target[: len(start)] == start:
                return True
            continue
        end = _DESIGNATOR.findall(last)
        # ("(b)(1) through (4)": the range runs over the last designator of the first; the
        # paragraph must share everything before it)
        at = len(start) - 1
        if len(end) > len(start) or len(target) <= at or target[:at] != start[:at]:
            continue
        low, high, mine = _ordinal(start[at]), _ordinal(end[-1]), _ordinal(target[at])
        if low[0] == high[0] == mine[0] and low <= mine <= high:
            return True
    return False


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
_D5_WORDS = (
    r"\b(?:china|chinese|prc|macau|shanghai|beijing|shenzhen|wuxi|hefei|wuhan|nanjing|tianjin|"
    r"xi'an|chengdu|guangzhou|hong\s+kong)\b"
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


# A U.S. person's own help, not an item sent: "our engineers support", "help a military
# intelligence unit", "even if no U.S. items are exported".
_US_PERSON = re.compile(
    r"\bU\.?\s?S\.?[- ](?:persons?|citizens?|nationals?|engineers?|staff|employees?)\b|"
    r"\bAmerican (?:citizens?|engineers?|staff|employees?|nationals?)\b",
    re.I,
)
_SUPPORTS = re.compile(
    r"\b(?:help\w*|support\w*|assist\w*|servic\w*|train\w*|consult\w*|perform\w*|"
    r"repair\w*|maint\w*|install\w*|overhaul\w*|refurbish\w*|"
    r"facilitat\w*|work(?:s|ing)? (?:for|with|on))\b",
    re.I,
)
_NO_ITEM = re.compile(
    r"\b(?:no|without)\s+(?:U\.?S\.?(?:[- ]origin)?\s+)?(?:items?|goods|products?|exports?|"
    r"exporting|shipping|equipment)\b|"
    r"\bnot? (?:\w+\s+){0,2}export(?:ed|ing)?\b|\bnothing (?:is )?(?:exported|shipped)\b|"
    # "made in Spain and Israel, zero US content", "nothing is US-origin"
    r"\b(?:zero|no|without)\s+(?:any\s+)?U\.?S\.?(?:[- ]origin)?\s+(?:content|parts|components)\b|"
    r"\bnothing\s+(?:in\s+it\s+)?(?:is\s+)?U\.?S\.?[- ](?:origin|made)\b",
    re.I,
)
_US_PERSON_SUPPORT = re.compile(r"\bNo\s+\W?U\.S\. person\W?\s+may, without a license", re.I)
# 744.6(c)(2): U.S. persons' shipping, facilitating or servicing for the "development" or
# "production" of advanced-node ICs at a facility in Macau or Country Group D:5 (China among
# them), whether or not the item is subject to the EAR. The question names a chip plant there.
_FAB = re.compile(
    rf"{_FAB_WORDS}|\b(?:wafer|semiconductor (?:manufactur\w*|production)|chip (?:maker|"
    r"manufactur\w*)|advanced[- ]node|\d{1,2}\s?nm|FinFET|GAAFET)\b",
    re.I,
)
_D5_OR_MACAU = re.compile(_D5_WORDS, re.I)
_US_PERSON_FAB = re.compile(
    r"\bBIS is hereby informing\s+\W?U\.S\. persons\W?\s+that a license is required", re.I
)


# 744.6(b)(5): "... 'military-intelligence end user,' as defined in § 744.22(f), in Belarus,
# Burma, Cambodia, the People's Republic of China, Russia, or Venezuela; or a country listed in
# Country Groups E:1 or E:2"
_MI_SUPPORT_PLACES = re.compile(
    r"military-intelligence end user,?\W*\s+as defined in § 744\.22\(f\)\s*,?\s+in\s+([^;]+)",
    re.I,
)


def _in_mi_support_reach(question: str, pool: Sequence[SearchResult]) -> bool:
    """Whether the question's destination is one 744.6(b)(5) reaches for a military-intelligence
    end user: a country its sentence names (read from the section), or one of Country Groups
    E:1/E:2's."""
    reach = _first_in_section(pool, "15 CFR 744.6", _MI_SUPPORT_PLACES)
    found = _MI_SUPPORT_PLACES.search(_sentence(reach)) if reach is not None else None
    named = found.group(1) if found else ""
    embargoed = place_sent_to(question)
    if embargoed is not None and EMBARGOES[embargoed.group(0).lower()][0] in _E1_E2:
        return True  # Country Groups E:1 and E:2: Cuba, Iran, North Korea, Syria
    places = {country_of(p) for p in foreign_places(question)}
    if embargoed is not None:
        places.add(EMBARGOES[embargoed.group(0).lower()][1])
    return bool(named) and any(p in named for p in places)


def us_person_support_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """A U.S. person's own support for an end use part 744 names, with no item exported (the
    grading's "help a foreign military-intelligence end user even if no US items are
    exported"): 744.6(b) requires a licence for the 'support' itself, for the end uses and
    destinations it lists, so the bottom line rests on 744.6 rather than on the item rules of
    744.2-744.22."""
    if not (_US_PERSON.search(question) and _SUPPORTS.search(question)):
        return None
    fab = bool(_FAB.search(question) and _D5_OR_MACAU.search(question))
    if not _NO_ITEM.search(question) and not fab:
        return None
    pool = _with_section(passages, lookup, "744.6")
    if fab:
        # a chip plant in China: 744.6(c)(2), whatever the item, servicing and installing too
        found = _first_in_section(pool, "15 CFR 744.6", _US_PERSON_FAB)
        if found is not None:
            licence = (
                "a U.S. person needs a licence to ship, transmit, transfer, facilitate or service "
                "(maintain, repair, install) items for the 'development' or 'production' of ICs "
                "there, even items not subject to the EAR (15 CFR 744.6(c)(2), (c)(3))"
            )
            # "I'm told it produces advanced-node logic chips": the question gives the fact
            outcome: Literal["yes", "depends"] = "depends"
            if asserted(_ADVANCED_NODE, question):
                outcome, missing = "yes", []
                text = f"yes — the facility produces 'advanced-node integrated circuits': {licence}"
            else:
                text = (
                    "depends on whether the facility produces 'advanced-node integrated "
                    f"circuits' — if it does, {licence}"
                )
                missing = [
                    "whether the facility produces 'advanced-node integrated circuits' (15 CFR "
                    "744.6(c)(2)(i))"
                ]
            return _operative(
                outcome,
                "U.S. person activities (15 CFR 744.6)",
                text,
                [found],
                "744.6",
                pool,
                missing,
            )
    basis = _first_in_section(pool, "15 CFR 744.6", _US_PERSON_SUPPORT)
    if basis is None:
        return None
    # "for DGCIM", "a military intelligence unit": 744.6(b)(5)'s military-intelligence end user
    # (by the acronym 744.22 names it with, or in words); where it is decides the rest
    intelligence = next((p for sec, p, _ in _END_USES if sec == "744.22"), None)
    named = _named_end_user(question, passages, lookup)
    in_words = intelligence is not None and asserted(intelligence, question)
    if in_words and named is None:
        in_words = _in_mi_support_reach(question, pool)
    if named is not None or in_words:
        who = (
            f"{named[0]}, a military-intelligence end user 15 CFR 744.22 names"
            if named
            else "a military-intelligence end use or end user there"
        )
        text = (
            f"yes — a U.S. person may not, without a licence, 'support' {who} (15 CFR "
            "744.6(b)(5)), even when no item subject to the EAR is exported"
        )
        bases = [basis, *([named[1]] if named else [])]
        return _operative(
            "yes", "U.S. person activities (15 CFR 744.6)", text, bases, "744.6", pool, [], "(b)(5)"
        )
    text = (
        "depends on whether the end use or end user is one 15 CFR 744.6(b) lists — a U.S. "
        "person needs a licence for the 'support' itself, even when no item subject to the EAR "
        "is exported"
    )
    missing = ["whether the end use, end user and destination are among those 744.6(b) lists"]
    return _operative(
        "depends", "U.S. person activities (15 CFR 744.6)", text, [basis], "744.6", pool, missing
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


# The cameras and their parts 744.9(a)(1) names
_CAMERAS = re.compile(
    r"\b(?:(?:thermal|infrared|IR|night[- ]vision|imaging|surveillance|security)\s+)?cameras?\b|"
    r"\bthermal[- ]imag\w*|\bnight[- ]vision\b|\bfocal[- ]plane\s+arrays?\b|"
    r"\bimage[- ]intensifier\w*|\b(?:0A504|6A002|6A003|6A993|8A002\.d)\b",
    re.I,
)
_CAMERA_ECCN = re.compile(r"(?:0A504|6A002|6A003|6A993|8A002\.d)(?:\.[a-z0-9]+)*", re.I)
_NARROW_CAMERAS = re.compile(r"\b6A003\.a\.[346]\b", re.I)
_CAMERA_END_USER = re.compile(r"\bintended to be used by a 'military end-user\b", re.I)
_NARROW_EXCEPTED = frozenset(["Australia", "Canada", "the United Kingdom"])
_CAMERA_GOV = re.compile(r"\bmay be made under License Exception GOV\b", re.I)
_CAMERA_REVIEW = re.compile(r"\breviewed by applying the policies\b", re.I)
_CAMERA_FACT = "the camera's ECCN (0A504, 6A002, 6A003, 6A993.a or 8A002.d)"
_A1_FACT = "whether the destination is in Country Group A:1 (supplement no. 1 to part 740)"


def camera_rule(
    question: str, deal: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """Cameras for a military end-user (15 CFR 744.9): the section reaches them in every
    destination but a few, so where the buyer is does not settle it as it does under 744.21 —
    the camera's ECCN does. 6A003.a.3, .a.4 and .a.6 need a licence everywhere except
    Australia, Canada and the United Kingdom ((a)(1)(i)); the other thermal-imaging ECCNs
    everywhere outside Country Group A:1 ((a)(1)(ii)), a group the corpus does not list, so
    that case names it as the deciding fact."""
    if not _CAMERAS.search(deal) or place_sent_to(deal) is not None:
        return None  # (Iran, Russia: part 746 and 744.21(a)(2) reach any item)
    eccns = [_whole_eccn(deal, m) for m in _ECCN.finditer(deal) if not _EAR99.fullmatch(m.group(0))]
    cameras = [e for e in eccns if _CAMERA_ECCN.fullmatch(e)]
    if eccns and not cameras:
        return None  # "5A992 tablets with built-in cameras": not an item 744.9 names
    pool = _with_section(passages, lookup, "744.9")
    found = sorted(
        _matching(pool, "15 CFR 744.9", _CAMERA_END_USER), key=lambda b: (b.passage.doc_id, b.start)
    )
    if not found:
        return None
    narrow = [b for b in found if _NARROW_CAMERAS.search(_sentence(b))]
    broad = [b for b in found if b not in narrow]
    outcome: Literal["yes", "depends"] = "depends"
    countries = {country_of(m.group(0)) for m in DESTINATIONS.finditer(deal)}
    if (
        any(_NARROW_CAMERAS.fullmatch(e) for e in cameras)
        and narrow
        and not countries & _NARROW_EXCEPTED
    ):
        outcome, bases, missing = "yes", narrow[:1], []
        text = (
            "yes — 15 CFR 744.9(a)(1)(i) requires a licence for 6A003.a.3, .a.4 and .a.6 "
            "cameras a 'military end-user' will use in all destinations except Australia, "
            "Canada and the United Kingdom"
        )
    elif cameras:
        bases, missing = (broad or found)[:1], [_A1_FACT]
        text = (
            "depends on whether the destination is in Country Group A:1 — 15 CFR 744.9(a)(1) "
            "requires a licence for cameras of ECCNs 0A504, 6A002, 6A003, 6A993.a or 8A002.d a "
            "'military end-user' will use in all destinations outside it (6A003.a.3, .a.4 and "
            ".a.6: outside Australia, Canada and the United Kingdom)"
        )
    else:
        bases, missing = found[:2], [_CAMERA_FACT]
        text = (
            "depends on the camera's ECCN — 15 CFR 744.9(a)(1) requires a licence, in addition "
            "to the CCL's own requirements, for cameras of ECCNs 0A504, 6A002, 6A003, 6A993.a or "
            "8A002.d a 'military end-user' will use, in all destinations outside Country Group A:1 "
            "(6A003.a.3, .a.4 and .a.6: outside Australia, Canada and the United Kingdom)"
        )
    lines = [FindingLine("Licence required", text, bases)]
    gov = _first_in_section(pool, "15 CFR 744.9", _CAMERA_GOV)
    if gov is not None:
        lines.append(
            FindingLine(
                "Licence exceptions",
                "only GOV, for shipments consigned to and for the official use of the U.S. "
                "Government (15 CFR 744.9(e))",
                [gov],
            )
        )
    itar = _first_in_section(pool, "15 CFR 744.9", _CAMERA_REVIEW)
    if itar is not None:
        lines.append(
            FindingLine(
                "Review policy",
                "the policies the International Traffic in Arms Regulations would apply "
                "(15 CFR 744.9(c))",
                [itar],
            )
        )
    return Finding(
        outcome, "Cameras for military end-users (15 CFR 744.9)", lines, missing, operative=True
    )


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


def _operative(
    outcome: Literal["yes", "depends"],
    rule: str,
    text: str,
    bases: list[Basis],
    section: str,
    pool: Sequence[SearchResult],
    missing: list[str],
    paragraph: str | None = None,
) -> Finding:
    """A finding resting on a section's own requirement, with the section's licence
    exceptions and review policy lines after it (an end-use or destination rule); `paragraph`,
    the requirement's own paragraph when the rule knows it, keeps out a line whose sentence
    speaks only to other paragraphs."""
    lines = [
        FindingLine("Licence required", text, bases),
        *_section_terms(section, pool, paragraph),
    ]
    return Finding(outcome, rule, lines, missing, operative=True)


# A licence requirement the CCL-based controls state for named ECCNs whatever the destination:
# "(A) Worldwide license requirement. A license is required to export ... items specified in
# ECCNs ...; 3A090.a; ..." (742.6(a)(6)(iii)(A)), "a license is required to export any commodity
# controlled by ECCN 0A983 to all destinations" (742.11(a)). Not one with exceptions ("to all
# destinations except Country Group A:1"): then the destination decides.
_WORLDWIDE = re.compile(r"\bworldwide\b|\b(?:to|for) (?:all|any) destinations?\b", re.I)
_LICENCE_REQUIRED = re.compile(r"\blicen[cs]e is required\b", re.I)


def _eccn_named(eccn: str) -> re.Pattern[str]:
    """The ECCN as a list of them writes it ("3A090.a;"), not a longer one ("3A090.a.1") nor a
    part of another ("13A090")."""
    return cached_pattern(rf"(?<![\w.]){re.escape(eccn)}(?![\w]|\.[a-z0-9])", re.I)


def destination_ccl_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """An ECCN the question sends to a place that a part 742 paragraph names together: "yes",
    resting on that sentence ("RS requirements that apply to Pakistan. A license is required to
    export ... to or within Pakistan the following items: ... 2A992 ..."), unless the sentence
    excepts the item ("2B999 ..., except 2B999.h.2"). The Country Chart would only say
    "depends" on a column the paragraph has already settled."""
    eccns = [e for e in dict.fromkeys(_ECCN.findall(question)) if not re.match(r"EAR", e, re.I)]
    places = _destinations(question)
    if not eccns or not places:
        return None
    for eccn in eccns:
        stem = eccn[:5]
        pool = list(passages)
        if lookup is not None:
            pool += lookup(f"15 CFR 742 a license is required to or within {places[0]} {stem}")
        for basis in _matching(pool, "15 CFR 742", _LICENCE_REQUIRED):
            sentence = _sentence(basis)
            place = next(
                (x for x in places if re.search(rf"\bto or within {re.escape(x)}\b", sentence)),
                None,
            )
            named = _eccn_named(stem).search(sentence)
            if place is None or named is None or _EXCEPT_BEFORE.search(sentence[: named.start()]):
                continue
            if eccn != stem and re.search(rf"\bexcept\s+{re.escape(eccn)}\b", sentence, re.I):
                continue  # "2B999 ..., except 2B999.h.2"
            # ("2B999 (...), except 2B999.h.2;": what the item's own entry leaves out)
            entry = sentence[named.end() :].split(";", 1)[0]
            excepted = re.search(rf"\bexcept\s+({re.escape(stem)}\.[\w.]*\w)", entry, re.I)
            unless = f" (not {excepted.group(1)})" if excepted and eccn == stem else ""
            return Finding(
                "yes",
                f"Licence requirement for {place} ({basis.passage.citation})",
                [
                    FindingLine(
                        "Licence required",
                        f"yes — {basis.passage.citation} requires a licence for {stem} items"
                        f"{unless} to or within {place}",
                        [basis],
                    )
                ],
                [],
                True,
            )
    return None


_EXCEPT_BEFORE = re.compile(r"\bexcept\s+(?:for\s+)?$", re.I)


def worldwide_ccl_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """An ECCN the question gives that a part 742 provision requires a licence for to every
    destination: "yes", resting on that sentence (its heading's "Worldwide" counts when the
    sentence follows it). The sentence may name the ECCN (742.11's 0A983) or a reason for
    control ("for ECCNs having an "SL" under the "Reason for Control" paragraph", 742.13(a)(1)):
    then the same section's sentence naming the ECCN (742.13(d)'s 5A980) is the second basis."""
    eccns = [e for e in dict.fromkeys(_ECCN.findall(question)) if not re.match(r"EAR", e, re.I)]
    if not eccns:
        return None
    for eccn in eccns:
        named = _eccn_named(eccn)
        pool = list(passages)
        if lookup is not None:
            pool += lookup(f"15 CFR 742 worldwide license requirement {eccn} all destinations")
        for basis in _matching(pool, "15 CFR 742", _LICENCE_REQUIRED):
            p = basis.passage
            sentence = p.text[basis.start - p.start : basis.end - p.start]
            before = p.text[max(0, basis.start - p.start - 60) : basis.start - p.start]
            worldwide = _WORLDWIDE.search(sentence) or re.search(
                r"worldwide licen[cs]e requirement\W*$", before, re.I
            )
            if not worldwide or re.search(r"\bexcept\b", sentence):
                continue
            section = _section_of(p)
            bases = [basis]
            if named.search(sentence):
                text = (
                    f"yes — {p.citation} requires a licence for items in ECCN {eccn} to every "
                    "destination"
                )
            else:
                reason = _BY_REASON.search(sentence)
                naming = (
                    find_sentence(_with_section(pool, lookup, section), f"15 CFR {section}", named)
                    if reason is not None
                    else None
                )
                if reason is None or naming is None:
                    continue
                bases.append(naming)
                included = _INCLUDED.search(sentence)
                also = f"{included.group(1)} included, " if included else ""
                text = (
                    f"yes — {p.citation} requires a licence to every destination, {also}"
                    f"for ECCNs controlled for {reason.group(1)} reasons, and "
                    f"{naming.passage.citation} names ECCN {eccn} among its items"
                )
            lines = [FindingLine("Licence required", text, bases)]
            policy = _section_policy(_with_section(pool, lookup, section), section)
            if policy is not None:
                lines.append(policy)
            return Finding(
                "yes", f"CCL-based controls (15 CFR {section})", lines, [], operative=True
            )
    return None


# "for ECCNs having an “SL” under the “Reason for Control” paragraph"
_BY_REASON = re.compile(r"\bECCNs having an?\s+\W?([A-Z]{2,3}\d?)\W?\s+under the\b")
_INCLUDED = re.compile(r"\bincluding\s+((?:[A-Z][\w ]+?,\s+)*(?:and\s+)?(?:the\s+)?[A-Z][\w ]+?),")
_OTHERS = re.compile(r"\W*(?:\(\s*\w+\s*\)\s*)*Other\b")
_GENERALLY = re.compile(r"\bwill generally be (approved|denied)\b", re.I)


def _section_policy(pool: Sequence[SearchResult], section: str) -> FindingLine | None:
    """The section's own licensing policy, when it says which applications "will generally be
    approved" and which "denied" (742.13(b)): the first sentence of each kind."""
    found: dict[str, Basis] = {}
    for b in _matching(pool, f"15 CFR {section}", _GENERALLY):
        kind = _GENERALLY.search(_sentence(b))
        if kind is None:
            continue
        k = kind.group(1).lower()
        # the denial for "Other license applications" is the rule for the rest, not one for
        # a group of countries
        if k not in found or (k == "denied" and _OTHERS.match(_sentence(b))):
            found[k] = b
    if not found:
        return None
    if len(found) == 2:
        said = (
            f"generally approved only for the applicants 15 CFR {section} names, otherwise "
            "generally denied"
        )
    else:
        said = f"generally {next(iter(found))} (15 CFR {section})"
    return FindingLine(
        "Review policy",
        said,
        [found[k] for k in ("approved", "denied") if k in found],
    )


_MASS_MARKET = re.compile(r"\bmass[- ]market\b", re.I)
_ENCRYPTION = re.compile(
    r"\b(?:encrypt\w*|crypto\w*|cipher\w*|TLS|SSL|HTTPS|AES|VPN|5[AD]99[12]|5[AD]002)\b", re.I
)
_MASS_MARKET_BASIS = re.compile(
    r"\bself-classification\b.{0,200}\bmass market\b.{0,80}\b5A992 or 5D992\b", re.I
)


_SAYS_CLASSIFIED = re.compile(r"\b(?:self-)?classifi(?:ed|cation)\b|\b5[AD]992\b", re.I)


_NON_STANDARD_CRYPTO = re.compile(
    r"\bnon-?standard\s+(?:crypto\w*|ciphers?|algorithms?|encryption)|"
    r"\b(?:proprietary|unpublished|home-?grown|in-?house|custom)\s+(?:\([\w\s-]+\)\s+)?"
    r"(?:ciphers?|crypto\w*|encryption\s+algorithms?|algorithms?)\b",
    re.I,
)


def mass_market_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """Mass-market encryption (742.15(a)(1)): once classified or self-classified as mass
    market, an item is 5A992 or 5D992 and out of the encryption (EI) licence requirement; what
    is left turns on the destination and the parties (embargoes and lists are rules of their
    own, tried first). Never "no licence": the Country Chart is not in the corpus."""
    if not asserted(_MASS_MARKET, question) or not _ENCRYPTION.search(question):
        return None  # not said, denied ("non-mass-market"), or not about encryption (drones)
    if _NON_STANDARD_CRYPTO.search(question):
        # "our own proprietary (unpublished) cipher": non-standard cryptography is a 740.17(b)(3)
        # item, classified by BIS first; "mass market" is what the asker hopes, not the rule
        return None
    pool = _with_section(passages, lookup, "742.15")
    basis = _first_in_section(pool, "15 CFR 742.15", _MASS_MARKET_BASIS)
    if basis is None:
        return None
    # (not asked again of a question that says so: "self-classified as 5D992")
    missing = (
        []
        if _SAYS_CLASSIFIED.search(question)
        else ["whether the item is classified or self-classified as mass market (740.17)"]
    )
    if not DESTINATIONS.search(question) and place_sent_to(question) is None:
        missing.append("the destination")
    text = (
        "depends on the destination and the parties — classified or self-classified as mass "
        "market, the item is 5A992 or 5D992 and no longer under the encryption licence "
        "requirement of 15 CFR 742.15(a)(1)"
    )
    return Finding(
        "depends",
        "Mass-market encryption (15 CFR 742.15(a)(1))",
        [FindingLine("Licence required", text, [basis])],
        missing,
        operative=True,
    )


# "Which licence exception could cover this?", "Is there a license exception for ...?"
_ASKS_EXCEPTION = re.compile(
    r"\b(?:which|what|any|is there an?|can we use an?)\s+(?:licen[cs]e\s+)?exceptions?\b", re.I
)


def exception_rule(
    passages: Sequence[SearchResult], question: str = "", lookup: Lookup | None = None
) -> Finding | None:
    """Which License Exception may cover the case: the best-ranked one among the passages (by
    its authorizing sentence), on its conditions. Only for a question asking for one, when no
    party or destination rule decided it."""
    exception = licence_exception_line(passages, question, lookup)
    if exception is None:
        return None
    return Finding(
        "depends",
        "License Exceptions (15 CFR part 740)",
        [exception],
        ["whether the exception's conditions are met"],
    )


# What a term means ("Does 'knowledge' mean ...?"), not a quoted product name ("our 'Falcon'
# router"); how to do something ("How do we apply for a licence in SNAP-R?").
_ASKS_MEANING = re.compile(
    r"\bmean(?:s|ing|t)?\b|\bdefin(?:e|ed|ition)\b|\bcounts? as\b|\bwhat (?:exactly )?is an?\b",
    re.I,
)
_ASKS_PROCEDURE = re.compile(
    r"\bhow (?:do|can|should|would) (?:we|i)\s+(?:apply|file|submit|report|register|disclose|"
    r"notify|request)\b",
    re.I,
)


# A question that asks what, how long, who ...; "What licence do we need?" still asks whether.
_WH_QUESTION = re.compile(r"(?:what|which|when|how|who|whom|where|why)\b", re.I)
_WH_ASKS_LICENCE = re.compile(
    r"^(?:what|which)\s+(?:(?:kind|type|sort)s? of\s+)?(?:export\s+)?(?:licen[cs]\w*|"
    r"authori[sz]\w*|permi(?:t|ssion)\w*|controls?)\b",
    re.I,
)


def _only_asks_what(question: str) -> bool:
    """Whether every question the text asks is a wh-question ("What does the consignee need to
    give us before we can use STA?", "How long can it stay out?", "Who may be the applicant?"):
    then it asks for a fact of the rules, not whether a licence is needed, and "depends on the
    item's ECCN ..." would answer what was not asked."""
    asked = question_sentences(question)
    return bool(asked) and all(
        _WH_QUESTION.match(s) and not _WH_ASKS_LICENCE.match(s) for s in asked
    )


# An obligation other than a licence that a question asks about: filing EEI, the destination
# control statement, a self-disclosure, an advisory opinion, how long an application takes or
# a licence lasts, records, reports, notices.
_OTHER_OBLIGATION = re.compile(
    r"\b(?:file|filing|filed|EEI|AES|destination control statement|DCS|invoices?|"
    r"self[- ]disclos\w*|voluntary disclos\w*|VSDs?|advisory opinions?|process(?:es|ing)?\b"
    r"[^?]{0,40}\bapplications?|valid|validity|extend\w*|extension|records?|recordkeeping|"
    r"retain\w*|retention|report(?:s|ing)?|notif\w*|notice|register\w*|registration)\b",
    re.I,
)
# ... and a licence asked for, not one named as a document or a process ("a licence
# application", "an approved licence", "licence processing")
_ASKS_AUTHORIZATION = re.compile(
    r"(?<!approved )\blicen[cs]e(?!\s+(?:applications?|processing|number|holder|codes?))\b|"
    r"\bauthori[sz]\w*|\bpermi(?:t|ssion)\w*",
    re.I,
)


# Classifying an item (self-classified, or a classification request to BIS) is an obligation of
# its own, asked alone ("Can we self-classify it, or does BIS have to see it first?"); a
# question that also sends the item somewhere ("classify it as EAR99 and ship it to Iran",
# "self-classified as EAR99; can we ship them to Cuba?") asks whether the shipment needs a
# licence, which its destination decides.
_CLASSIFICATION = re.compile(
    r"\b(?:self[- ]classif\w*|classification\s+requests?|classify)\b", re.I
)
_SENDS_SOMEWHERE = re.compile(
    r"\b(?:ship|export|reexport|re-export|sell|send|suppl|deliver|transfer)\w*\b(?:\s+\S+){0,6}?"
    r"\s+(?:to|in|into)\b",
    re.I,
)


def _other_obligation(asked: str) -> bool:
    return bool(_OTHER_OBLIGATION.search(asked)) or bool(
        _CLASSIFICATION.search(asked) and not _SENDS_SOMEWHERE.search(asked)
    )


def asks_other_obligation(question: str) -> bool:
    """Whether every question the text asks is about an obligation other than a licence ("Do we
    have to file EEI in AES for either shipment?", "Does the destination control statement have
    to go on our invoices ...?", "How long is an approved licence valid? Can we get it
    extended?"): then "Licence required: ..." answers what was not asked, however the facts
    around it read ("shipped NLR", "no licence was needed")."""
    asked = [_with_antecedent(question, x) for x in question_sentences(question)] or [question]
    # ("What exactly must it say?" beside it asks for more of the same)
    return any(_other_obligation(x) for x in asked) and all(
        (_other_obligation(x) or _WH_QUESTION.match(x)) and not _ASKS_AUTHORIZATION.search(x)
        for x in asked
    )


# A question that asks about what the message said just before it: "Is that allowed?"
_ABOUT_THAT = re.compile(
    r"^(?:(?:is|was|would|will|can|could|may)\s+(?:that|this|it)\b|(?:ok|okay|right)\b)", re.I
)


def _with_antecedent(question: str, asked: str) -> str:
    """The question sentence, with the statement before it when it only points back to it
    ("Staff in Manila would file the EEI ... Is that allowed?" asks about filing EEI)."""
    if not _ABOUT_THAT.match(asked):
        return asked
    before = question[: question.find(asked)].rstrip()
    statements = re.findall(r"[^.?!]+[.!]", before)
    return f"{statements[-1].strip()} {asked}" if statements else asked


def asks_how_or_other_obligation(question: str) -> bool:
    """Whether every question the text asks is how to do something ("How do we disclose this
    to BIS, and how long do we have?") or about an obligation other than a licence
    (`asks_other_obligation`), and none asks for a licence or whether an act is allowed."""
    if asks_other_obligation(question):
        return True
    asked = question_sentences(question)
    return bool(asked) and all(
        _ASKS_PROCEDURE.search(x) and not _ASKS_AUTHORIZATION.search(x) for x in asked
    )


# A boycott request (part 760): whether the company may comply, certify or must report.
_BOYCOTT = re.compile(
    # ... or its usual wording, unnamed: "certify that the goods are not of Israeli origin and
    # not shipped on an Israeli-flag vessel"
    r"\bboycott\w*|\b(?:not|no)\s+(?:of\s+|from\s+)?Israel(?:i)?\b|"
    r"\bIsraeli[- ](?:origin|flag\w*|owned|made|carriers?|vessels?)\b",
    re.I,
)
# A licence the company already holds: "we got a BIS licence last month", "under the same
# licence", "a replacement licence", "our licence was approved".
_HOLDS_LICENCE = re.compile(
    r"\b(?:we|I)\s+(?:have\s+)?(?:got|have|hold|obtained|received|were\s+granted)\s+"
    r"(?:a|an|the|our)\s+(?:(?:BIS|export|new|valid|individual)\s+)*licen[cs]e\b|"
    r"\bunder\s+(?:the|our|that|this)\s+(?:same\s+|existing\s+|current\s+)?licen[cs]e\b|"
    r"\breplacement\s+licen[cs]e\b|"
    # "named as ultimate consignee on our BIS licence", "edit the PDF of the licence"
    r"\b(?:on|of)\s+(?:our|the)\s+(?:BIS\s+|export\s+|existing\s+)?licen[cs]e\b(?!\s+exception)|"
    r"\b(?:our|the)\s+licen[cs]e\s+(?:was|has\s+been|got)\s+(?:approved|issued|granted)\b|"
    # "Our licence application ... is pending in SNAP-R": the licence is being applied for
    r"\b(?:our|the)\s+(?:licen[cs]e\s+)?application\b[^.?!]{0,80}?\b(?:is|was|has\s+been)\s+"
    r"(?:pending|submitted|filed|under\s+review)\b",
    re.I,
)

# ... unless it asks for a licence for another transaction ("do we need a licence to ship the
# same parts to India?")
_NEW_LICENCE = re.compile(
    r"\blicen[cs]e\s+(?:to|for)\s+(?:\w+\s+){0,2}?(?:export|ship|sell|send|re-?export|transfer|"
    r"release)\w*\b",
    re.I,
)


def asks_whether(question: str) -> bool:
    """Whether a question asks if something needs a licence or is allowed, the general rule's
    only business: not what a term means ("Does 'knowledge' mean ...?") and not which licence
    exception or procedure to use ("How do we report this to BIS?"), nor another obligation
    (`asks_other_obligation`)."""
    if _ASKS_MEANING.search(question) or _ASKS_PROCEDURE.search(question):
        return False
    if asks_other_obligation(question):
        return False
    if _only_asks_what(question):
        return False
    asked = question_sentences(question) or [question]
    if _BOYCOTT.search(question) and not any(_ASKS_AUTHORIZATION.search(x) for x in asked):
        return False  # part 760 prohibits or allows the act: no licence is asked for
    if _HOLDS_LICENCE.search(question) and not any(_NEW_LICENCE.search(x) for x in asked):
        return False  # about a licence the company holds: its terms, not whether one is needed
    for m in ASKS_LICENCE.finditer(question):
        word = m.group(0)
        if re.search(r"exception", word, re.I):
            continue
        # "need" or "required" of something else ("do we also need the emails?" about records)
        around = question[max(0, m.start() - 40) : m.end() + 40]
        if re.match(r"need|require", word, re.I) and not _AUTHORIZATION.search(around):
            continue
        return True
    return False


_AUTHORIZATION = re.compile(r"\blicen[cs]\w*|\bauthori[sz]\w*|\bpermi(?:t|ssion)\w*|\bNLR\b", re.I)


_PROHIBITS = re.compile(
    r"\b(?:you may not|may not|is required|are required|requires?|must not|prohibit\w*)\b", re.I
)


_FIVE_FACTS = re.compile(r"\bfive types of facts determine your obligations\b", re.I)


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


# Where the deal is not plain: the item's classification in doubt ("our broker says it
# is EAR99", "reclassified", "ITAR"), the item going on elsewhere ("via", "through", "resell"),
# a place the destination list does not know in a sanctioned region, red flags, a party or an
# end use of the kind part 744 names, or a US person's services.
_EAR99_DOUBT = re.compile(
    r"\b(?:via|through|onward|transit\w*|transship\w*|re-?export\w*|resell\w*|forward\w*|"
    r"route\w*|divert\w*|but|actually|think\w*|believe\w*|according|disputed|reclassif\w*|was|"
    r"were|used to|before|ITAR|USML|controlled|controller|not|never|red flags?|cash|won't|"
    r"oligarch\w*|military|army|navy|police|defen[cs]e|nuclear|missiles?|drones?|UAVs?|"
    r"weapons?|chemical|biological|bioweapons?|centrifuges?|uranium|sarin|nerve|hypersonic|"
    r"government|ministry|state-owned|north|occupied|crimea\w*|lugansk|luhansk|dnr|lnr|yalta|"
    r"persia|isfahan|bandar|aleppo|kaliningrad|vladivostok|petersburg|belorussia|gomel|"
    r"sudan|libya|taliban|venezuela\w*|engineers?|help|support|services?|fab\w*|rockets?|space|"
    r"launch\w*|satellites?|supercomput\w*|semiconductor\w*|AI|intelligence|surveillance)\b"
    r"|n't\b"
    # a party named in lower case ("to huawei in China"), which the name rules cannot tell
    r"|\b(?:to|for)\s+(?!(?:a|an|the|our|their|its|his|her|my|your|some|one|any|be|use)\b)"
    r"[a-z][\w&.-]*\s+(?:in|at|of|based)\b",
    re.I,
)
_ASKS_IF_EAR99 = re.compile(
    r"\b(?:is|are)\s+(?:our|the|this|these|it|they)\b[^?]{0,60}\bEAR\s?99\s*\?", re.I
)
_GP1_CONDITION = re.compile(r"\bcontrolled for a reason indicated in the applicable Export Control")
_GP1_QUERY = (
    "15 CFR 736.2(b)(1) General Prohibition One: the item is controlled for a reason indicated "
    "in the applicable Export Control Classification Number (ECCN)"
)
_GP1 = re.compile(r"\bGeneral Prohibition One\W+Export and reexport of controlled items\b")
_GP4_TO_10 = re.compile(r"\bGeneral Prohibitions Four through Ten are prohibitions\b")


def ear99_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """An EAR99 item to a country no part 746 rule covers: General Prohibition One (736.2(b)(1))
    needs a licence only for an item "controlled for a reason indicated in the applicable ECCN",
    and EAR99 has none, so whether a licence is needed depends on the prohibitions that reach
    every item (Four to Ten: listed parties, part 744's end uses and end users, embargoes;
    732.3(a)), named with the facts the question did not give; never "no", which the
    question's words cannot settle (see the module docstring). Only for a plain deal: EAR99
    (and no other ECCN), one named country; the party, end-use and destination rules first."""
    if not asserted(_EAR99, question) or any(
        not _EAR99.fullmatch(m.group(0)) for m in _ECCN.finditer(question)
    ):
        return None
    if _EAR99_DOUBT.search(question) or _ASKS_IF_EAR99.search(question):
        return None
    lowered = question.lower()
    places = {m.group(0).lower() for m in DESTINATIONS.finditer(question)}
    if len(places) != 1 or places & _VAGUE_PLACE or place_sent_to(question):
        return None
    if any(name in lowered for name in EMBARGOES):
        # anywhere, in any form: "Cuban state-owned", "Dubai-Tehran", "without a licence to Iran"
        return None
    # A named party ("HiSilicon", "Mahan Air") may be listed, a stated end use may be one part
    # 744 names: this line is for a plain deal only, the rest is left to the general rule.
    others = [
        n for n in party_names(question) if not _EAR99.fullmatch(n) and n.lower() not in places
    ]
    if others or names_end_use(" ".join(_this_deal_sentences(question))):
        return None
    pool = _with_section(passages, lookup, "736.2")
    basis = _first_in_section(pool, "15 CFR 736.2", _GP1_CONDITION)
    if basis is None:
        basis = _sought(passages, lookup, "15 CFR 736.2", _GP1_CONDITION, _GP1_QUERY)
    if basis is None:
        return None
    # the prohibition itself, then its condition (the prohibition's sentence ends at a colon)
    intro = _first_in_section(pool, "15 CFR 736.2", _GP1)
    lines = [
        FindingLine(
            "Licence required",
            "depends on the parties, the end use and any embargo, not on the item: General "
            "Prohibition One requires a licence only for an item controlled for a reason its "
            "ECCN indicates, and an EAR99 item has none",
            [b for b in (intro, basis) if b is not None],
        )
    ]
    still = _first_in_section(_with_section(passages, lookup, "732.3"), "15 CFR 732.3", _GP4_TO_10)
    if still is not None:
        lines.append(
            FindingLine(
                "Still required if",
                "a party is denied or on a restricted list, the end use or end user is one "
                "part 744 names, or the item passes through or goes on to an embargoed "
                "destination: those prohibitions (Four to Ten) reach every item subject to the EAR",
                [still],
            )
        )
    return Finding(
        "depends",
        "General Prohibition One (15 CFR 736.2(b)(1)) for an EAR99 item",
        lines,
        [_PARTIES_SCREENED, *_missing_parties(question)],
        operative=True,
    )


# 738.4(a)(2)(ii): "... determine whether an "X" is marked in the cell next to the country in
# question for each Country Chart column identified in the applicable ECCN."; (A) "If yes, a
# license application must be submitted ... unless a License Exception applies."
_CHART_CELL = re.compile(r"\bdetermine whether an\W+X\W+is marked\b", re.I)
_ECCN_TAIL = re.compile(r"(?:\.[a-z0-9]+)+(?![\w.])")  # "6A003.b" + ".4.b"
_PART_NUMBER = re.compile(r"-\w")  # "3A001-BLK": a SKU, not a classification
_CHART_YES = re.compile(r"\bIf yes, a license application must be submitted\b", re.I)


def _whole_eccn(text: str, m: re.Match[str]) -> str:
    """The ECCN as the question writes it, to its last paragraph ("6A003.b.4.b")."""
    tail = _ECCN_TAIL.match(text, m.end())
    return m.group(0) + (tail.group(0) if tail else "")


def country_chart_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """An item the question classifies under an ECCN, going to a country no part 746 rule
    covers, for no party or end use a rule above decides: 738.4(a)(2) says what decides —
    the reasons for control in the ECCN's License Requirements section against that country's
    column of the Country Chart. The chart (supplement no. 1 to part 738) is not in the corpus,
    so the outcome depends on it, and on the prohibitions that reach every item (Four to Ten);
    the general rule's "depends on the end user and end use" would name the wrong fact first."""
    deal = " ".join(_this_deal_sentences(question))
    eccns = [
        _whole_eccn(deal, m)
        for m in _ECCN.finditer(deal)
        if not _EAR99.fullmatch(m.group(0))
        and not negated(deal, m.start())
        and not _PART_NUMBER.match(deal, m.end())
    ]
    definite = [x for x in foreign_places(deal) if x.lower() not in _VAGUE_PLACE]
    if len(set(eccns)) != 1 or not definite or place_sent_to(deal) is not None:
        return None
    if len({x.lower() for x in definite}) > 1:
        return None  # two countries: which one the item goes to is not plain
    pool = _with_section(passages, lookup, "738.4")
    cell = _first_in_section(pool, "15 CFR 738.4", _CHART_CELL)
    if cell is None:
        return None
    yes = _first_in_section(pool, "15 CFR 738.4", _CHART_YES)
    eccn, place = eccns[0], definite[0]
    text = (
        f"depends on the Country Chart — a licence is required when a reason for control in "
        f"{eccn}'s License Requirements section has an “X” in the column for the destination "
        f"({place}), unless a License Exception applies (15 CFR 738.4(a)(2))"
    )
    missing = [
        f"whether the Country Chart (supplement no. 1 to part 738) marks an “X” for {place} "
        f"under a reason for control of {eccn}",
        *_missing_parties(question),
    ]
    lines = [FindingLine("Licence required", text, [b for b in (cell, yes) if b is not None])]
    return Finding("depends", "Commerce Country Chart (15 CFR 738.4)", lines, missing)


# "a license is required", "Licenses are required for all destinations" (742.14), "Licenses for
# these items are required to all destinations" (742.5)
_REASON_LICENCE = re.compile(
    r"\blicen[cs]e is required\b|\blicen[cs]es\b(?:\s+[\w,]+){0,3}?\s+are\s+required\b", re.I
)


def control_reason_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """A reason for control the question gives ("NS Column 2", "RS1") and the destinations it
    names: part 742's own sentence for that column says where it needs a licence
    (`control_reasons`). "yes" for a destination outside the countries it excepts; "not for that
    reason" for one it excepts; "depends" on a country group the corpus does not list. Not for
    an embargoed destination (part 746 decides) or a question that gives no such reason."""
    reasons = reasons_given(question)
    deal = " ".join(_this_deal_sentences(question))
    if not reasons or place_sent_to(deal) is not None:
        return None
    places = _named_places(_ORIGIN.sub(" ", question))
    # (a column not given is the weaker reading, applied only where the item goes; a question
    # whose places are all nationalities, a deemed export's, keeps them)
    going_to = _destinations(question) or places
    lines: list[FindingLine] = []
    missing: list[str] = []
    outcome: Literal["yes", "depends"] = "depends"
    unknown = False
    for reason, column in reasons:
        section = REASON_SECTIONS[reason]
        pool = _with_section(passages, lookup, section)
        if column == UNKNOWN_COLUMN:
            either = _either_column(reason, section, pool, going_to)
            if either is not None:
                lines.append(either[0])
                missing += either[1]
                unknown = True
            continue
        found = _column_sentence(pool, section, reason, column)
        if found is None:
            continue
        basis, reach = found
        cite = basis.passage.citation
        name = f"{reason} column {column}" if column else reason
        if reach.everywhere:
            scope = "every destination, Australia, Canada and the United Kingdom included"
        elif reach.except_group:
            scope = f"every destination except those in Country Group {reach.except_group}"
        else:
            scope = f"every destination except {reach.written}"
        rule = f"{name} items need a licence to {scope} ({cite})"
        if not places:
            missing.append("the destination")
            lines.append(
                FindingLine("Licence required", f"depends on the destination — {rule}", [basis])
            )
            continue
        excepted = _excepted(places, reach)
        needs = [p for p in places if p not in excepted]
        parts: list[str] = []
        if reach.everywhere or (reach.except_countries and needs):
            outcome = "yes"
            parts.append(f"yes for {_listed(needs)}")
        if excepted:
            parts.append(f"not for {name} reasons to {_listed(excepted)}")
            missing.append(f"the item's other reasons for control to {_listed(excepted)}")
        if reach.except_group:
            parts.append(
                f"depends on whether {_listed(places)} "
                f"{'is' if len(places) == 1 else 'are'} in Country Group {reach.except_group}"
            )
            missing.append(_group_fact(places, reach.except_group))
        lines.append(FindingLine("Licence required", f"{'; '.join(parts)} — {rule}", [basis]))
    if not lines:
        return None
    if len(lines) > 1:
        for extra in lines[1:]:
            extra.label = "Also"
    missing = list(dict.fromkeys(missing))
    rule = f"Reasons for control (15 CFR {REASON_SECTIONS[reasons[0][0]]})"
    # (a column the question does not give leaves the outcome to a fact, like the general
    # rule's: in a message of many facts the sentence that answers its own questions leads)
    return Finding(outcome, rule, lines, missing, general=unknown and len(lines) == 1)


def _group_fact(places: Sequence[str], group: str) -> str:
    """The fact a column excepting a country group leaves open for the places."""
    verb = "is" if len(places) == 1 else "are"
    where = _listed(places)
    return f"whether {where} {verb} in Country Group {group} (supplement no. 1 to part 740)"


def _excepted(places: Sequence[str], reach: Reach) -> list[str]:
    """The places a column's sentence excepts by name ("except Australia, Canada, or the United
    Kingdom")."""
    return [
        p
        for p in places
        if any(p.lower() in names_of(c) or c.lower() in names_of(p) for c in reach.except_countries)
    ]


def _column_sentence(
    pool: Sequence[SearchResult], section: str, reason: str, column: str
) -> tuple[Basis, Reach] | None:
    """Part 742's licence sentence for the column ("National Security column 1 (NS:1). A
    license is required ... to all destinations, except ...") and the reach it states."""
    return next(
        (
            (b, reach)
            for b in _matching(pool, f"15 CFR {section}", column_pattern(reason, column))
            if _REASON_LICENCE.search(_sentence(b))
            and (reach := reach_of(_sentence(b))) is not None
        ),
        None,
    )


def _either_column(
    reason: str, section: str, pool: Sequence[SearchResult], places: list[str]
) -> tuple[FindingLine, list[str]] | None:
    """A reason the question gives without its column ("NS-controlled"): what each column's own
    sentence says for the destinations, "depends on the item's NS column — if NS column 1, yes
    for Hong Kong (...); if NS column 2, depends on whether Hong Kong is in Country Group A:1
    (...)"; None unless both sentences are found."""
    clauses, bases, missing = [], [], []
    for column in ("1", "2"):
        found = _column_sentence(pool, section, reason, column)
        if found is None:
            return None
        basis, reach = found
        bases.append(basis)
        name = f"{reason} column {column}"
        where = _listed(places)
        if reach.everywhere:
            verdict = f"yes for {where}" if places else "a licence to every destination"
        elif reach.except_group:
            group = reach.except_group
            verb = "is" if len(places) == 1 else "are"
            verdict = (
                f"depends on whether {where} {verb} in Country Group {group}"
                if places
                else f"a licence to every destination except Country Group {group}"
            )
            if places:
                missing.append(_group_fact(places, group))
        else:
            excepted = _excepted(places, reach)
            needs = [p for p in places if p not in excepted]
            parts = [f"yes for {_listed(needs)}"] if needs else []
            if excepted:
                parts.append(f"not for {reason} reasons to {_listed(excepted)}")
            verdict = (
                "; ".join(parts)
                if places
                else f"a licence to every destination except {reach.written}"
            )
        clauses.append(f"if {name}, {verdict} ({basis.passage.citation})")
    text = f"depends on the item's {reason} column — " + "; ".join(clauses)
    facts = [f"the item's {reason} column (the License Requirements of its ECCN)", *missing]
    if not places:
        facts.append("the destination")
    return FindingLine("Licence required", text, bases), facts


_UN_LICENCE = re.compile(r"\bhaving a\W+UN\W+reason for control\b", re.I)
_UN_EXCEPTIONS = re.compile(r"\bother than License Exception GOV\b", re.I)
_UN_QUERY = (
    "15 CFR 746.1(b) countries subject to United Nations Security Council arms embargoes; a "
    "license is required for items having a UN reason for control"
)


def un_reason_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """An item with a "UN" reason for control (746.1(b)): a licence to the countries under UN
    Security Council arms embargoes that (b)(2) lists, no License Exception but GOV ((b)(4)),
    and no approval contrary to the Council's resolution ((b)(3)). Not for an embargoed
    destination part 746 decides in its own section."""
    if not gives_un_reason(question):
        return None
    deal = " ".join(_this_deal_sentences(question))
    if place_sent_to(deal) is not None:
        return None
    listing = _sought(passages, lookup, "15 CFR 746.1", UN_COUNTRIES, _UN_QUERY)
    licence = _sought(passages, lookup, "15 CFR 746.1", _UN_LICENCE, _UN_QUERY)
    if listing is None or licence is None:
        return None
    listed = un_countries(_sentence(listing))
    places = _named_places(question)
    covered = [p for p in places if any(p.lower() in names_of(c) for c in listed)]
    others = [p for p in places if p not in covered]
    rule = (
        "items with a UN reason for control need a licence to the countries under United "
        f"Nations Security Council arms embargoes: {_listed(list(listed))} (15 CFR 746.1(b)(2)-(3))"
    )
    outcome: Literal["yes", "depends"] = "depends"
    if not places:
        text, missing = f"depends on the destination — {rule}", ["the destination"]
    else:
        parts = [f"yes for {_listed(covered)}"] if covered else []
        if others:
            parts.append(f"not for UN reasons to {_listed(others)}")
        text = f"{'; '.join(parts)} — {rule}"
        outcome = "yes" if covered else "depends"
        missing = [f"the item's other reasons for control to {_listed(others)}"] if others else []
    lines = [FindingLine("Licence required", text, [listing, licence])]
    none = _sought(passages, lookup, "15 CFR 746.1", _UN_EXCEPTIONS, _UN_QUERY)
    if none is not None and covered:
        lines.append(
            FindingLine(
                "Licence exceptions",
                "none but GOV, for U.S. Government personnel and agencies and those of "
                "cooperating governments (15 CFR 746.1(b)(4))",
                [none],
            )
        )
    if covered:
        lines.append(
            FindingLine(
                "Review policy",
                "no approval contrary to the relevant United Nations Security Council "
                "resolution (15 CFR 746.1(b)(3))",
                [licence],
            )
        )
    return Finding(outcome, "UN reason for control (15 CFR 746.1(b))", lines, missing, True)


# the general rule's missing facts that decide a licence question before any other
ITEM_FACT = "the item's ECCN (or EAR99)"
DESTINATION_FACT = "the destination"


def _named_beside_entity_list(question: str, passages: Sequence[SearchResult]) -> str | None:
    """A party the question names (in a party's place) that a passage names in a sentence about
    the Entity List without adding it there: "two Entity List parties, SMIC Northern Integrated
    Circuit Manufacturing (Beijing) Co., Ltd. and ..." for "spare parts to SMIC". Whether the
    party is listed is then what the answer turns on first, though the corpus does not settle
    it (a brand word, a recalled listing)."""
    names = [n for n in party_names(question) if names_as_party(question, n)]
    if not names or _SCREENED_CLEAR.search(question):
        return None
    for basis in _matching(passages, "", _ENTITY_LIST):
        if re.search(r"\bremov(?:e|es|ed|ing|al)\b", _sentence(basis), re.I):
            continue  # ("removes two Entity List entities, Sandvine ...")
        for m in _ENTITY_LIST_PARTIES.finditer(_sentence(basis)):
            # (a name that begins one of the names listed: "SMIC" of "SMIC Northern ...", in
            # any place but the United States: a listed company's sister elsewhere is worth
            # screening, and the line only says "depends")
            listed = m.group("names")
            for name in names:
                # (a company's name, run to its form or to the end of the list: "SMIC Northern
                # ... Co., Ltd.", "including Huawei and HiSilicon."; not "Nvidia said ...")
                at = cached_pattern(
                    rf"(?:^|,\s+|\band\s+|\bincluding\s+){re.escape(name)}(?![\w-])"
                    r"(?:\s+(?:[A-Z][\w&'’.-]*|\([^)]*\)|of|and|for|the|de))*?"
                    r"(?:,?\s+(?:Co\.|Company|Corp\.|Corporation|Inc\.|Incorporated|Ltd\.?|Limited|"
                    r"LLC|GmbH|University|Institute|Academy)|\s*\.?\s*$)"
                )
                if at.search(listed) and not placed_in_us(question, name):
                    return name
    return None


# The question settles the screening itself: "screened SMIC: no hits", "not on any list".
_SCREENED_CLEAR = re.compile(
    r"\b(?:no\s+hits?|screen\w*\s+(?:\w+\s+){0,3}(?:clear|clean)|is\s+clear|not\s+on\s+"
    r"(?:any|the\s+Consolidated\s+Screening)|not\s+(?:listed|designated))\b",
    re.I,
)


# "... for two Entity List parties, SMIC Northern Integrated Circuit Manufacturing (Beijing) Co.,
# Ltd. and Semiconductor Manufacturing International (Beijing) Corporation, without ...": the
# names a sentence calls Entity List parties (not ones it adds: `names_added`).
_ENTITY_LIST_PARTIES = re.compile(
    r"\bEntity List (?:part(?:y|ies)|entit(?:y|ies)),?\s+(?:namely\s+|including\s+)?"
    r"(?P<names>[A-Z][^;:]{0,250})"
)


def general_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None = None
) -> Finding | None:
    """Any other licence question: it depends on the facts 736.2 names (the item's
    classification, the destination, the end user and end use). States which of them the
    question did not give, resting on 736.2(a), the sentence that says so ("The following five
    types of facts determine your obligations ..."), or without it on the best retrieved
    regulation sentence that states a requirement or a prohibition."""
    pool = _with_section(passages, lookup, "736.2")
    basis = _first_in_section(pool, "15 CFR 736.2", _FIVE_FACTS)
    for p in passages[:5] if basis is None else ():
        if p.metadata.get("doc_type") != "regulation":
            continue
        for a, b in chunk_sentences(p.text):
            if _PROHIBITS.search(p.text[a:b]) and b - a > 40:
                basis = Basis(p, p.start + a, p.start + b)
                break
        if basis is not None:
            break
    exception = (
        licence_exception_line(
            _named_exceptions_first(question, passages, lookup), question, lookup
        )
        if basis is None
        else None
    )
    if basis is None and exception is None:
        return None
    missing = []
    if not asserted(_ECCN, question):  # ("The item is not EAR99": its ECCN is still unknown)
        missing.append(ITEM_FACT)
    if not DESTINATIONS.search(question) and not _EMBARGO_NAME.search(question):
        missing.append(DESTINATION_FACT)
    if not _MENTIONS_ENTITY_LIST.search(question):
        beside = _named_beside_entity_list(question, passages)
        if beside is not None:
            missing.insert(0, f"whether {beside} is on the Entity List (screen it)")
        missing.extend(_missing_parties(question))
    if basis is None and exception is not None:
        # No requirement among the passages, but a License Exception: whether one is needed
        # still turns on the facts, and the exception is where to look.
        text = "depends on " + (_listed(missing) if missing else "the item and destination")
        text += "; a License Exception may authorize it without one"
        return Finding(
            "depends",
            "License Exceptions (15 CFR part 740)",
            [FindingLine("Licence required", text, exception.basis), exception],
            missing,
        )
    assert basis is not None
    rule_cite = basis.passage.citation.split("(", 1)[0]
    text = "depends on " + (
        _listed(missing) if missing else "whether the provision quoted covers the case"
    )
    return Finding(
        "depends",
        f"{rule_cite}",
        [FindingLine("Licence required", text, [basis])],
        missing,
        general=True,
    )


def licence_exception_line(
    passages: Sequence[SearchResult], question: str = "", lookup: Lookup | None = None
) -> FindingLine | None:
    """The best-ranked License Exception among the passages (part 740), by its authorizing
    sentence: what the answer names as the exception to look at. Not one whose passage speaks
    of other ECCNs than the question's (`_for_other_items`), unless the question names it."""
    pattern = re.compile(r"\b(?:authoriz\w*|License Exception [A-Z]{3}|may be exported)\b", re.I)
    eccns = _eccn_families(question)
    named = {section for _, section in named_exceptions(question)} if question else set()
    lost = [EXCEPTION_SECTIONS[code] for code in lost_exceptions(question)]
    for p in passages[:5]:
        if not p.citation.startswith("15 CFR 740.") or any(
            cites(p, f"15 CFR {s}") for s in ("740.1", "740.2")
        ):
            continue  # the introduction and the restrictions on all exceptions: not one of them
        if any(cites(p, f"15 CFR {s}") for s in lost):
            continue  # "the new rule took GBS away": not the exception to point to
        if _for_other_items(p, eccns, lookup) and not any(cites(p, f"15 CFR {s}") for s in named):
            continue  # License Exception HBM (3A090.c) for 3A002 signal generators
        for a, b in chunk_sentences(p.text):
            if pattern.search(p.text[a:b]) and b - a > 40:
                section = p.citation.split("(", 1)[0]
                title = re.sub(r"^§\s*[\d.]+\s*", "", p.title).rstrip(".")
                return FindingLine(
                    "Licence exceptions",
                    f"see {title} ({section}), if its conditions are met",
                    [Basis(p, p.start + a, p.start + b)],
                )
    return None


def _eccn_families(text: str) -> set[str]:
    """The ECCNs a text names, by their five characters ("3A090" for "3A090.a"); not EAR99."""
    return {e[:5].upper() for e in _ECCN.findall(text) if not re.match(r"EAR", e, re.I)}


def _for_other_items(p: SearchResult, eccns: set[str], lookup: Lookup | None = None) -> bool:
    """Whether an exception's opening (its section's first chunk: the scope it authorizes)
    names ECCNs and none of the question's: an exception written for other items (HBM for
    3A090.c, ENC for Category 5 Part 2) is no pointer for the item asked about (3A002 signal
    generators). Not what a later paragraph names: BAG's and TMP's firearms paragraphs name
    0A501, yet they are for any item. Without an ECCN in the question, or in the opening, it
    may be."""
    if not eccns:
        return False
    section = _section_of(p)
    chunks = section_chunks(lookup, section) if lookup is not None else []
    if not chunks and p.start != 0:
        return False
    # its heading and "(a) Scope" paragraph: the first _OPENING characters of the section
    opening = "".join(c.text for c in chunks or [p])[:_OPENING]
    named = _eccn_families(opening)
    return bool(named) and not (named & eccns)


_OPENING = 600


def _named_exceptions_first(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> list[SearchResult]:
    """The passages of the exceptions the question names ("under TMP"), from its section when
    retrieval did not bring them, then the rest: the exception the asker means to use is the one
    to look at first, not whichever other part 740 section ranked best."""
    named = [section for _, section in named_exceptions(question)]
    company_owned = bool(_COMPANY_OWNED.search(question)) and "740.14" not in named
    if company_owned and not named:
        # BAG is for what the traveller owns (740.14(c)(1)), not the company's laptop, which
        # travels as a tool of trade "for use by ... employees of the exporter" (740.9(a)(1))
        named = ["740.9"]
    pool = [*passages, *(c for s in named for c in _with_section([], lookup, s))]
    first = [p for s in named for p in pool if cites(p, f"15 CFR {s}")]
    ordered = [*first, *passages]
    if company_owned:
        ordered = [p for p in ordered if not cites(p, "15 CFR 740.14")]
    return ordered


# An item the company owns, as travellers say it: "my company laptop", "company-owned",
# "our company's demo unit", "belongs to my employer".
_COMPANY_OWNED = re.compile(
    r"\bcompany(?:-owned|\s+owned)?\s+(?:laptops?|computers?|phones?|devices?|equipment|"
    r"tablets?|demo)|\bcompany[- ]owned\b|\b(?:our|the|my)\s+company['’]s\b|"
    r"\bbelongs? to (?:the|my|our) (?:company|employer)\b|\bemployer['’]s\b",
    re.I,
)


_LEADING_MARKER = re.compile(r"^(?:\(\s*[A-Za-z0-9]{1,5}\s*\)\s*)+")  # "( iii ) "


def exception_limit_line(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> FindingLine | None:
    """The restriction in a named exception's own section that shares the question's facts
    ("STA may not be used for any item that is controlled for reason of encryption items" for
    5A002 routers under STA), read from the passages and the section itself; None when the
    question names no exception, asks what a term means, or no restriction shares a fact with
    it."""
    if _ASKS_MEANING.search(question) or defined_terms(question):
        return None  # what a term means under the exception ("lost 'effective control'?")
    for code, section in named_exceptions(question):
        basis = _restriction_sharing_facts(question, code, section, passages, lookup)
        if basis is not None:
            quote = _LEADING_MARKER.sub("", _quoted(basis))
            return FindingLine(
                "Exception limits",
                f"check {code}'s own restriction in 15 CFR {section}: “{quote}”",
                [basis],
            )
    return None


# A sentence that grants the exception: "authorizes", "may be exported", "are eligible".
_AUTHORIZES = re.compile(
    r"\b(?:authoriz\w*|may be (?:exported|reexported|made|used|shipped)|(?:is|are) eligible|"
    r"eligible (?:donors|commodities|items|end users|parties)|(?:is|are) permitted)\b",
    re.I,
)
# Facts an authorizing sentence must share with the case to be its terms (an ECCN counts
# three): two or three words shared say little in a long section, where every paragraph
# shares "export" and a place.
TERMS_OVERLAP = 5.0


def exception_terms_line(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> FindingLine | None:
    """The paragraph of the exception the question names that grants it for a case like this
    one: the authorizing sentence of its section sharing the most of the question's
    distinctive facts, at least TERMS_OVERLAP ("Eligible donors are U.S. charitable
    organizations that have an established record ..." for a newly founded charity's donation
    under GFT; GOV's "Contractor support personnel ... are eligible" for a contractor's
    engineers at a U.S. base). Retrieval, ranking by the whole message, often brings another
    paragraph of the section; the pointer alone ("see GFT, if its conditions are met") does not
    say which conditions."""
    if _ASKS_MEANING.search(question) or defined_terms(question):
        return None
    for code, section in named_exceptions(question)[:1]:
        sentences, facts = _exception_sentences(question, code, section, passages, lookup)
        best: tuple[float, Basis] | None = None
        for basis, words in sentences:
            sentence = _sentence(basis)
            if not _AUTHORIZES.search(sentence) or RESTRICTS.search(sentence):
                continue
            score = restriction_overlap(sentence, words, facts)
            if score >= TERMS_OVERLAP and (best is None or score > best[0]):
                best = (score, basis)
        if best is not None:
            quote = _LEADING_MARKER.sub("", _quoted(best[1]))
            return FindingLine(
                "Exception terms", f"{best[1].passage.citation}: “{quote}”", [best[1]]
            )
    return None


def _exception_sentences(
    question: str,
    code: str,
    section: str,
    passages: Sequence[SearchResult],
    lookup: Lookup | None,
) -> tuple[list[tuple[Basis, frozenset[str]]], tuple[set[str], set[str]]]:
    """The sentences of an exception's section (from the passages and the section itself), in
    its order, each with its words; and the question's facts that tell them apart. `code`, the
    symbol the question names the exception by, is not such a fact."""
    cited = f"15 CFR {section}"
    pool = _with_section(passages, lookup, section)
    chunks = sorted((p for p in pool if cites(p, cited)), key=lambda p: (p.doc_id, p.start))
    sentences = [
        (Basis(p, p.start + a, p.start + b), sentence_words(p.text[a:b]))
        for p in chunks
        for a, b in chunk_sentences(p.text)
    ]
    return sentences, distinctive(exception_facts(question, code), [w for _, w in sentences])


def _restriction_sharing_facts(
    question: str,
    code: str,
    section: str,
    passages: Sequence[SearchResult],
    lookup: Lookup | None,
) -> Basis | None:
    """The restriction of `section` (read from the passages and the section itself) that
    shares the most of the question's distinctive facts, at least MIN_OVERLAP of them, first
    in the section on a tie. `code`, the symbol the question names the exception by, is not a
    fact that picks out one of its sentences."""
    sentences, facts = _exception_sentences(question, code, section, passages, lookup)
    # (a case named by its destinations, none in E:1/E:2, is not reached by a restriction for
    # those groups alone; one going "abroad", "worldwide" or to "anyone" may be)
    embargoed = _names_e1_e2(question) or not _only_named_places(question)
    best: tuple[float, Basis] | None = None
    for basis, words in sentences:
        sentence = _sentence(basis)
        if not RESTRICTS.search(sentence):
            continue
        if not embargoed and _ONLY_E1_E2.search(sentence) and not _OTHER_GROUP.search(sentence):
            continue  # reaches only Country Groups E:1/E:2, which the case does not go to
        score = restriction_overlap(sentence, words, facts)
        if score >= MIN_OVERLAP and (best is None or score > best[0]):
            best = (score, basis)
    return best[1] if best is not None else None


_ONLY_E1_E2 = re.compile(r"\bCountry Groups?\s+E:[12]\b")
_OTHER_GROUP = re.compile(r"\b(?:Country Groups?\s+)?[A-D]:\d\b")


_ANYWHERE = re.compile(
    r"\b(?:abroad|overseas|worldwide|world-wide|anywhere|any country|all countries|globally|"
    r"global customers|foreign customers|anyone|download\w*)\b",
    re.I,
)


def _only_named_places(question: str) -> bool:
    """Whether the question sends things only to destinations it names ("to Germany"), not
    "abroad", "worldwide", to "anyone" or for download."""
    return bool(foreign_places(question)) and not _ANYWHERE.search(question)


def _names_e1_e2(question: str) -> bool:
    """Whether the question names a place in Country Group E:1 or E:2 (Cuba; Iran, North
    Korea, Syria) or the groups themselves."""
    return bool(re.search(r"\bE:[12]\b", question)) or any(
        EMBARGOES[m.group(0).lower()][0] in _E1_E2 for m in _EMBARGO_NAME.finditer(question)
    )


# What may take information or software outside the EAR altogether (15 CFR 734.3(b)(3),
# 734.7-734.10): published, fundamental research, patents, standards-related releases.
_MAY_BE_OUTSIDE_EAR = re.compile(
    r"\b(?:publish\w*|open[- ]source|github|public domain|publicly available|"
    r"standards?[- ](?:related|body|bodies|organi[sz]ations?|setting|development|"
    r"working groups?|contributions?)|3GPP|IETF|IEEE|ETSI|fundamental research|patents?|"
    r"patent applications?|catalog course|arxiv|preprints?|journal|conference papers?|gitlab|"
    r"for anyone to download)\b",
    re.I,
)
_NOT_SUBJECT = re.compile(r"\bnot subject to the EAR\b", re.I)
_OFFICIAL_PUBLISHING = re.compile(
    r"\b(?:BIS|Commerce|Department|agency|government)\s+(?:has\s+|had\s+)?publish\w*"
    r"|\bpublish\w*\s+(?:in|by)\s+the\s+Federal Register|\bpublish\w*\s+(?:a|the|its)\s+"
    r"(?:\w+\s+){0,2}rule|\brule\s+\w*\s*publish\w*|\bpatent\s+(?:attorney|lawyer|counsel)",
    re.I,
)
_HARDWARE_ECCN = re.compile(r"\b\d[A-C]\d{3}\b")
# "5E002 technology for 5A002.a equipment": the commodity's ECCN says what the technology is
# for; what is released is still the technology
_FOR_ITEM = re.compile(r"\bfor\s+(?:ECCN\s+)?$", re.I)


def _names_commodity(question: str) -> bool:
    """Whether the question sends a commodity (an ECCN in categories A-C), not only names one
    as what its technology or software is for."""
    return any(
        not _FOR_ITEM.search(question[max(0, m.start() - 12) : m.start()])
        for m in _HARDWARE_ECCN.finditer(question)
    )


_NOT_SUBJECT_QUERY = (
    "15 CFR 734.3(b)(3) information and software that are published, arise from fundamental "
    "research, appear in patents or are released for a standards-related activity are not "
    "subject to the EAR"
)
SUBJECT_FACT = (
    "whether what is released is subject to the EAR at all (published, fundamental research, "
    "patent or standards-related: 15 CFR part 734)"
)


def outside_ear_line(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> FindingLine | None:
    """The first question of the EAR (732.2(a)): is it subject to the EAR at all? When the
    question involves publishing, standards work, research or patents, what is released may
    not be, and then no rule about parties or destinations reaches it: the line names the
    provision that says so."""
    hints = [
        m
        for m in _MAY_BE_OUTSIDE_EAR.finditer(question)
        if not _OFFICIAL_PUBLISHING.search(question[max(0, m.start() - 30) : m.end() + 30])
        and not negated(question, m.start(), m.end())
        and not question[max(0, m.start() - 2) : m.start()].lower().endswith("un")
    ]
    if not hints or _names_commodity(question):
        return None  # a rule BIS published, or a commodity: nothing of it is "published"
    # Part 734 says it in general; 742.15(b) for published encryption source code.
    basis = _sought(passages, lookup, "15 CFR 7", _NOT_SUBJECT, _NOT_SUBJECT_QUERY)
    if basis is None:
        return None
    return FindingLine(
        "Subject to the EAR",
        "not if it is published, arises from fundamental research, appears in a patent or is "
        "released for a standards-related activity, on the terms the provision cited sets; "
        "then no licence rule reaches it",
        [basis],
    )


# The question says what it sends is already public: "our published paper", "a manual that is
# publicly available on our website", "software released as open source". Not "can we publish"
# (an act the question asks about) nor "will be published".
_STATED_PUBLISHED = re.compile(
    r"\b(?:published|publicly[- ]available|in the public domain|freely available|open[- ]source|"
    r"free(?:ly)? (?:to )?download(?:able|ed)?|made (?:publicly|freely) available)\b",
    re.I,
)
_NOT_YET = re.compile(
    r"\b(?:will|would|shall|going to|to be|if|once|whether|before|until|yet|not|never)\b",
    re.I,
)
# Information and software, which 734.7 speaks of; a commodity is never "published".
_INFORMATION = re.compile(
    r"\b(?:papers?|articles?|white ?papers?|manuals?|user guides?|documentation|datasheets?|"
    r"data sheets?|presentations?|slides|technical data|technology|information|specifications?|"
    r"drawings?|blueprints?|research|results|findings|software|source code|code|theses|thesis|"
    r"books?|textbooks?|journal|preprints?|posters?|tutorials?)\b",
    re.I,
)
# Where 734.7(b) and (c) keep published items subject to the EAR, or the text is another
# regime's: encryption software, firearm production files; and software sold under licence
# terms is "publicly available" to buyers, not published ("without restrictions upon its
# further dissemination").
_PUBLISHED_CARVE_OUTS = re.compile(
    r"encrypt|crypt|\b(?:5[AD]00[2-4]|VPN|TLS|SSL|cipher\w*)\b|"
    r"firearm|gun|pistol|rifle|receiver|weapon|munition|\bslides?\b|\bAR-?15\b|0[AD]50\d|"
    r"G-code|3D[- ]print|classified|\bITAR\b|defen[cs]e articles?|\bcommercial|"
    r"off[- ]the[- ]shelf|licen[cs]ed|subscri|\bsell|\bsold\b|resell|mass[- ]market",
    re.I,
)
# Only where the question sends nothing but what it says is published: not beside a
# commodity ("our lathe, whose specifications are published"), not a part or a derivative of
# it ("the data underlying our published paper", "only the abstract is published"), not with
# access restricted ("on our intranet", "behind a login", "under an NDA"), not a plan.
_NOT_ONLY_PUBLISHED = re.compile(
    r"\b(?:router|lathe|equipment|machine\w*|laptops?|servers?|spectrometers?|hardware|devices?|"
    r"chips?|components?|parts|goods|products?|items?|commodit\w*|tools?|instruments?|systems?|"
    r"units?|sensors?|cameras?|drones?|vehicles?|aircraft|engines?|pumps?|valves?|materials?|"
    r"chemicals?|samples?|prototypes?|boards?|modules?|phones?|computers?|robots?|"
    r"unpublished|not|never|proprietary|confidential|except|only|but|unlike|underlying|"
    r"modified|drafts?|internal\w*|intranet|password|log-?in|restrict\w*|NDAs?|"
    r"non-?disclosure|EULA|regist\w*|paid|withdrawn|taken down|customers?|mentioned|described|"
    r"prohibit\w*|"
    r"listed|according|per|similar|abstract|appendix|some|based|derived|partly|partially|"
    r"intend\w*|plan\w*|soon|next|scheduled|hope|going|will|upcoming|forthcoming|expected|later)\b"
    r"|n't\b",
    re.I,
)
# "Published" of an official or reference text, not of what is sent.
_PUBLISHED_REFERENCE = re.compile(
    r"\bpublished\s+(?:\w+\s+){0,3}(?:guidance|FAQs?|rules?|advisory|opinions?|regulations?|"
    r"lists?|notices?|orders?|manuals?|polic\w+|statements?|CCL|Federal Register|standards?)\b",
    re.I,
)
_PUBLISHED_SENTENCE = re.compile(r"\bis\s+\W*published\W*\s+and is thus not\b", re.I)
_PUBLISHED_LIMITS = re.compile(r"\bremains? subject to the EAR\b", re.I)
_PUBLISHED_QUERY = (
    "15 CFR 734.7 Published: unclassified technology or software is published, and is thus not "
    "technology or software subject to the EAR, when it has been made available to the public "
    "without restrictions upon its further dissemination"
)


def states_published(question: str) -> bool:
    """Whether the question says the technology or software it sends is already published:
    "published", "publicly available", "open-source" of information, not a commodity, not a
    carve-out of 734.7(b)-(c), not denied ("not publicly available", "unpublished") and not a
    plan ("will be published", "can we publish")."""
    if _PUBLISHED_CARVE_OUTS.search(question) or _HARDWARE_ECCN.search(question):
        return False
    if _NOT_ONLY_PUBLISHED.search(question) or _PUBLISHED_REFERENCE.search(question):
        return False
    if _OFFICIAL_PUBLISHING.search(question) or not _INFORMATION.search(question):
        return False
    for m in _STATED_PUBLISHED.finditer(question):
        before = question[max(0, m.start() - 25) : m.start()]
        if _NOT_YET.search(before) or negated(question, m.start(), m.end()):
            continue
        return True
    return False


def published_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """What is already published is outside the EAR (15 CFR 734.7(a)): no licence rule about
    items, destinations or end uses reaches it. When the question says what it sends is
    published, the answer depends on whether it is, as 734.7(a) defines it (never "no": the
    question's words cannot show it, see the module docstring), with the definition quoted and
    the two exceptions 734.7 makes. Only when the regulation sentence is found; a question that
    does not say it is published gets at most the "Subject to the EAR" line
    (`outside_ear_line`)."""
    if not states_published(question):
        return None
    basis = _sought(passages, lookup, "15 CFR 734.7", _PUBLISHED_SENTENCE, _PUBLISHED_QUERY)
    if basis is None:
        return None
    lines = [
        FindingLine(
            "Licence required",
            "depends on whether what is sent is itself “published” as 15 CFR 734.7(a) defines "
            "it: unclassified technology or software made available to the public without "
            "restrictions upon its further dissemination is not subject to the EAR, and then no "
            "licence requirement reaches it",
            [basis],
        )
    ]
    pool = _with_section(passages, lookup, "734.7")
    limits = list(_matching(pool, "15 CFR 734.7", _PUBLISHED_LIMITS))
    if limits:
        lines.append(
            FindingLine(
                "Except",
                "published encryption software under ECCN 5D002 (unless 15 CFR 742.15(b) is "
                "met) and firearm production files posted online remain subject to the EAR",
                limits[:2],
            )
        )
    return Finding(
        "depends",
        "Published information and software (15 CFR 734.7)",
        lines,
        [
            "whether what is sent is itself published: made available to the public without "
            "restrictions upon its further dissemination"
        ],
        operative=True,
    )


# Technology submitted for publication (734.7(a)(5)): a draft sent to journal co-authors,
# editors or reviewers, or to conference organisers, meant to be published if accepted.
_SUBMITTED_TO = re.compile(
    r"\b(?:co-?authors?|(?:journal|conference)\s+(?:editors?|reviewers?|organi[sz]ers?)|"
    r"editors?\s+(?:of|at)\s+(?:a|the)\s+(?:\w+\s+)?journal|peer[- ]review\w*|"
    r"submit\w*\s+(?:\w+\s+){0,3}?(?:to|for)\s+(?:a\s+|an\s+|the\s+)?(?:[\w-]+\s+){0,2}?"
    r"(?:journal|conference|publication))\b",
    re.I,
)
_WRITTEN = re.compile(
    r"\b(?:papers?|drafts?|manuscripts?|articles?|presentations?|posters?|preprints?|abstracts?|"
    r"theses|thesis|chapters?)\b",
    re.I,
)
_SUBMISSION_PUBLISHED = re.compile(
    r"\bSubmission of a written composition\b.*\bwill be made publicly available\b", re.I | re.S
)
_SUBMISSION_QUERY = (
    "15 CFR 734.7(a)(5) submission of a written composition, manuscript or presentation with the "
    "intention that it will be made publicly available if accepted, to co-authors, editors or "
    "reviewers of journals"
)
# Encryption source code put on a public site (742.15(b)): out of the EAR; a notice only for
# "non-standard cryptography".
_CODE = re.compile(
    r"\b(?:source[- ]code|librar(?:y|ies)|repo(?:sitory)?s?|code\s?base|SDK)\b", re.I
)
_MADE_PUBLIC = re.compile(
    r"\b(?:publish\w*|open[- ]sourc\w*|github|gitlab|public(?:ly)?\s+(?:available|repo\w*)|"
    r"(?:our|a|the)\s+public\s+(?:website|web\s*site|site|server)|for\s+anyone\s+to\s+download|"
    r"post\w*\s+(?:it\s+|them\s+)?(?:on|to)\s+(?:the\s+)?(?:internet|web|our\s+website))\b",
    re.I,
)
_STANDARD_CRYPTO = re.compile(
    r"\bstandard\s+(?:crypto\w*|encryption|algorithms?|AES|TLS)|\b(?:only|just)\s+"
    r"(?:standard|AES|TLS|RSA)|\bnothing\s+(?:proprietary|custom|non-standard)|"
    r"\bno\s+(?:proprietary|custom|non-standard)\s+(?:crypto\w*|algorithms?|encryption)",
    re.I,
)
_NON_STANDARD = re.compile(r"\b(?:non-?standard|proprietary|custom|home-?grown)\b", re.I)
_PUBLIC_SOURCE_CODE = re.compile(
    r"\bpublicly available\b.*\bencryption source code\b.*\bis not subject to the EAR\b",
    re.I | re.S,
)
_NON_STANDARD_NOTICE = re.compile(
    r"\bnon-standard cryptography\W.{0,200}?\byou must notify BIS\b", re.I | re.S
)
_PUBLIC_SOURCE_QUERY = (
    "15 CFR 742.15(b) publicly available encryption source code classified under ECCN 5D002 is "
    "not subject to the EAR; notification requirement for non-standard cryptography"
)


def publication_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """Technology or software the question would make public, answered by the provision that
    says when that is outside the EAR: a paper submitted to journal co-authors, editors or
    reviewers to be published if accepted is "published" already (734.7(a)(5)(i)); encryption
    source code put on a public site is not subject to the EAR, and only "non-standard
    cryptography" needs a notice to BIS (742.15(b)). Never for a commodity, and never when the
    question says access is restricted (`_NOT_ONLY_PUBLISHED`'s words are not used: a plan to
    publish is what this rule is about)."""
    if _names_commodity(question) or _OFFICIAL_PUBLISHING.search(question):
        return None
    if re.search(r"\b(?:firearm|gun|pistol|rifle|0[AD]50\d|G-code|classified)\b", question, re.I):
        return None  # 734.7(c) and classified information stay subject
    encryption = bool(_ENCRYPTION.search(question))
    if encryption and _CODE.search(question) and asserted(_MADE_PUBLIC, question):
        basis = _sought(
            passages, lookup, "15 CFR 742.15", _PUBLIC_SOURCE_CODE, _PUBLIC_SOURCE_QUERY
        )
        notice = _sought(
            passages, lookup, "15 CFR 742.15", _NON_STANDARD_NOTICE, _PUBLIC_SOURCE_QUERY
        )
        if basis is None or notice is None:
            return None
        non_standard = asserted(_NON_STANDARD, question)
        standard = asserted(_STANDARD_CRYPTO, question) and not non_standard
        if non_standard:
            text = (
                "no licence once the source code is publicly available, but a notice: publicly "
                "available encryption source code classified under ECCN 5D002 is not subject to "
                "the EAR, and for “non-standard cryptography” you must notify BIS and the ENC "
                "Encryption Request Coordinator of its internet location (15 CFR 742.15(b)(2))"
            )
            missing = [
                "that the source code is made available without restriction (15 CFR 734.7(a))"
            ]
        elif standard:
            text = (
                "no licence and no notice, once the source code is publicly available: publicly "
                "available encryption source code classified under ECCN 5D002 is not subject to "
                "the EAR, and the notice to BIS and the ENC Encryption Request Coordinator is "
                "required only for “non-standard cryptography”, which the question says it does "
                "not use (15 CFR 742.15(b))"
            )
            missing = [
                "that the source code is made available without restriction (15 CFR 734.7(a))"
            ]
        else:
            text = (
                "depends on the cryptography: publicly available encryption source code "
                "classified under ECCN 5D002 is not subject to the EAR, so no licence reaches it "
                "once it is public; for “non-standard cryptography” you must notify BIS and the "
                "ENC Encryption Request Coordinator of its internet location (15 CFR 742.15(b))"
            )
            missing = [
                "whether the source code implements “non-standard cryptography” (15 CFR part 772)"
            ]
        return Finding(
            "depends",
            "Publicly available encryption source code (15 CFR 742.15(b))",
            [FindingLine("Licence required", text, [basis, notice])],
            missing,
            operative=True,
        )
    if encryption:
        return None  # 734.7(b): published encryption software stays subject; not this rule's
    if not (_SUBMITTED_TO.search(question) and _WRITTEN.search(question)):
        return None
    if _NOT_SUBMITTED.search(question):
        return None
    basis = _sought(passages, lookup, "15 CFR 734.7", _SUBMISSION_PUBLISHED, _SUBMISSION_QUERY)
    if basis is None:
        return None
    text = (
        "no licence for the submission, on 15 CFR 734.7(a)(5)'s terms: a written composition "
        "submitted to domestic or foreign co-authors, editors or reviewers of journals, or to "
        "organisers of open conferences, with the intention that it will be made publicly "
        "available if accepted, is “published” and not subject to the EAR"
    )
    return Finding(
        "depends",
        "Published information: submission for publication (15 CFR 734.7(a)(5))",
        [FindingLine("Licence required", text, [basis])],
        [
            "that the draft is sent with the intention that it will be made publicly available "
            "if accepted, with no restriction on its dissemination"
        ],
        operative=True,
    )


# Sent for another purpose or kept confidential: not a submission for publication.
_NOT_SUBMITTED = re.compile(
    r"\b(?:confidential\w*|NDA|non-?disclosure|proprietary|internal\s+review|not\s+(?:be\s+)?"
    r"publish\w*|never\s+(?:be\s+)?publish\w*|unpublished\s+(?:until|forever)|trade\s+secrets?)\b",
    re.I,
)


# The de minimis rule (734.4): a foreign-made item whose controlled U.S. content is at most
# 10% of its value (Country Groups E:1 and E:2: Iran, North Korea, Syria; Cuba) or 25% (every
# other destination) is not subject to the EAR when reexported. The question gives the share:
# "about 15% U.S.-origin controlled content", "U.S. parts make up 30% of its value".
_US = r"(?:\bU\.\s?S\.(?!\w)|\bUSA?\b|\bAmerican\b|\bUnited States\b)"
_US_CONTENT_WORDS = re.compile(
    rf"{_US}[^;?!%]{{0,40}}?\b(?:origin|content|parts?|components?|chips?|controlled|value|"
    r"software|technology)\b"
    rf"|\b(?:origin|content|parts?|components?)\b[^;?!%]{{0,12}}?{_US}",
    re.I,
)
# a share of a company, not of an item's value ("60% owned by", "a 30% stake")
_HOLDING = re.compile(r"\b(?:owned|owns|ownership|stake|shares?|shareholders?|held)\b", re.I)
_PERCENT = re.compile(r"(?<![\d.])(\d{1,2}(?:\.\d+)?)\s*(?:%|percent\b|per\s+cent\b)", re.I)
_E1_E2 = {"746.2", "746.4", "746.7", "746.9"}  # Cuba (E:2); North Korea, Iran, Syria (E:1)
_DE_MINIMIS_10 = re.compile(r"\bnot subject to the EAR when made to any country in the world", re.I)
_DE_MINIMIS_25 = re.compile(
    r"\bnot subject to the EAR when made to countries other than those listed in Country Group E:1",
    re.I,
)
_DE_MINIMIS_QUERY = (
    "15 CFR 734.4 De minimis U.S. content: reexports of a foreign-made commodity incorporating "
    "controlled U.S.-origin commodities valued at 10% or 25% or less are not subject to the EAR"
)


def us_content_share(question: str) -> float | None:
    """The share of a foreign-made item's value the question says is U.S. content ("about 15%
    U.S.-origin controlled content"), or None: a percentage with U.S. content named within a
    few words of it, not an ownership share ("60% owned by")."""
    for m in _PERCENT.finditer(question):
        window = question[max(0, m.start() - 60) : m.end() + 60]
        near = question[max(0, m.start() - 25) : m.end() + 25]
        if _HOLDING.search(near):
            continue
        if _US_CONTENT_WORDS.search(window):
            return float(m.group(1))
    return None


def de_minimis_line(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> tuple[FindingLine, bool] | None:
    """Whether the foreign-made item the question describes is subject to the EAR by its U.S.
    content (734.4(c) and (d)): the line, and True when the content is within the de minimis
    level (then no EAR licence rule reaches it, unless 734.4(a) sets no level for it). None
    when the question gives no share of U.S. content, or the corpus lacks the rule."""
    share = us_content_share(question)
    if share is None:
        return None
    m = place_sent_to(" ".join(_this_deal_sentences(question)))
    strict = m is not None and EMBARGOES[m.group(0)][0] in _E1_E2
    level = 10 if strict else 25
    pattern = _DE_MINIMIS_10 if strict else _DE_MINIMIS_25
    basis = _sought(passages, lookup, "15 CFR 734.4", pattern, _DE_MINIMIS_QUERY)
    if basis is None:
        return None
    where = (
        f"{EMBARGOES[m.group(0)][1]} (Country Group E:1/E:2)"
        if strict and m is not None
        else "a destination outside Country Groups E:1 and E:2"
    )
    within = share <= level
    text = (
        f"no — at {share:g}% its controlled U.S. content is within the {level}% de minimis "
        f"level for {where}, unless 15 CFR 734.4(a) sets no level for what it incorporates "
        "(600 series, 9x515 and other items it lists)"
        if within
        else f"yes — its controlled U.S. content ({share:g}%) is above the {level}% de minimis "
        f"level for {where}, so the foreign-made item is subject to the EAR"
    )
    bases = [basis]
    other = _other_destination(question)
    if strict and other is not None:
        # "a civilian factory in Venezuela ... different if the buyer were in Cuba?": both
        # levels, each for its destination
        wider = _sought(passages, lookup, "15 CFR 734.4", _DE_MINIMIS_25, _DE_MINIMIS_QUERY)
        if wider is not None:
            verdict = (
                f"no — at {share:g}% within the 25% level"
                if share <= 25
                else "yes — above the 25% level"
            )
            text = f"for {other}: {verdict} (15 CFR 734.4(d)); for {where}: {text}"
            bases.append(wider)
    return FindingLine("Subject to the EAR", text, bases), within


def _other_destination(question: str) -> str | None:
    """A place the question sends something to, or puts a buyer in, outside Country Groups E:1
    and E:2 ("a civilian factory in Venezuela"): named after "in" or "to", not a part 746
    place ("to North Korea") and not where the maker is ("our Malaysian subsidiary")."""
    for m in _IN_OR_TO_PLACE.finditer(question):
        name = m.group(1)
        if DESTINATIONS.fullmatch(name) and name.lower() not in EMBARGOES:
            return name
    return None


_IN_OR_TO_PLACE = re.compile(r"\b(?:in|to)\s+(?:the\s+)?([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)")


def _subject_to_the_ear_first(finding: Finding, line: FindingLine) -> None:
    """A "yes" about parties or destinations holds only for items subject to the EAR: it
    becomes "depends" on that, with the provision saying what is not."""
    first = finding.lines[0]
    if finding.outcome == "yes":
        finding.outcome = "depends"
        first.text = f"depends on whether it is subject to the EAR; if it is: {first.text}"
    finding.lines.insert(1, line)
    if SUBJECT_FACT not in finding.missing_facts:
        finding.missing_facts.insert(0, SUBJECT_FACT)


def _name_listed(
    listed: FindingLine,
    question: str,
    passages: Sequence[SearchResult],
    lookup: Lookup | None,
) -> set[str]:
    """Say which exceptions the section's list names ("only those 15 CFR 746.8(c) lists, on
    their conditions: TMP (for items for use by the news media), GOV, ..."), citing the items
    whose words it shows; and that an exception the question names is not among them ("GFT is
    not among them"). Nothing when the list cannot be read whole (`listed_exceptions`).
    Returns the part 740 sections of the named exceptions the list leaves out."""
    if not listed.basis:
        return set()
    stem = listed.basis[0]
    section = _section_of(stem.passage)
    own = section_chunks(lookup, section) if lookup is not None else []
    items = listed_exceptions(stem.passage, stem.start, [*passages, *own])
    if not items:
        return set()
    titles = {x.code: _exception_title(x.code, lookup) for x in items if x.purpose}
    said, shown = names(items, titles)
    codes = {x.code for x in items}
    named = [code for code, _ in named_exceptions(question)]
    listed.text = listed.text.replace(", on their conditions", f", on their conditions: {said}", 1)
    first = {x.code: x for x in reversed(items)}  # each symbol's first item
    asked = [first[c] for c in dict.fromkeys(named) if c in first]
    listed.basis += [Basis(x.passage, x.start, x.end) for x in asked]
    listed.named += [Basis(x.passage, x.start, x.end) for x in shown if x not in asked]
    absent = list(dict.fromkeys(code for code in named if code not in codes))
    if absent:
        verb = "is" if len(absent) == 1 else "are"
        listed.text += f"; {' and '.join(absent)} {verb} not among them"
    return {EXCEPTION_SECTIONS[c] for c in absent if c in EXCEPTION_SECTIONS}


def _exception_title(code: str, lookup: Lookup | None) -> str:
    """The heading of an exception's part 740 section ("§ 740.12 Gift parcels and humanitarian
    donations (GFT)."), when the lookup can read it."""
    if lookup is None:
        return ""
    section = EXCEPTION_SECTIONS.get(code, "")
    own = [c for c in section_chunks(lookup, section) if cites(c, f"15 CFR {section}")]
    return own[0].title if own else ""


def _names_it(question: str, exception: FindingLine) -> bool:
    """Whether the question names the exception `exception` points to ("Does MED cover ...")."""
    section = re.search(r"740\.\d+", exception.text)
    return section is not None and any(s == section.group(0) for _, s in named_exceptions(question))


def _listing(
    listed: FindingLine,
    exception: FindingLine,
    passages: Sequence[SearchResult],
    lookup: Lookup | None = None,
) -> Basis | None:
    """The sentence by which the section whose exceptions `listed` rests on names
    `exception`'s section ("740.19"), in the passages at hand or in the section's own chunks
    when the lookup can read them (746.8(c)(2)(viii) names MED in a chunk retrieval need not
    bring); None when it does not: License Exception MED is no help for Crimea because 746.6(c)
    does not list it."""
    section = re.search(r"740\.\d+", exception.text)
    if section is None or not listed.basis:
        return None
    cited = listed.basis[0].passage.citation.split("(", 1)[0]
    own = (
        section_chunks(lookup, cited.removeprefix("15 CFR "))
        if lookup is not None and getattr(lookup, "section", None) is not None
        else []
    )
    pool = [
        listed.basis[0].passage,
        *(p for p in [*passages, *own] if p.citation.startswith(cited)),
    ]
    return find_sentence(pool, cited, re.compile(rf"\b{re.escape(section.group(0))}\b"))


# "License Exception AVS, excluding any aircraft registered in ... Russia or Belarus"
_LISTED_WITH_LIMIT = re.compile(r"\b(?:excluding|except(?:ing)?|only)\b", re.I)


# Asked about filing EEI: 758.1(b)(10) requires it for every CCL item to China, Russia or
# Venezuela, whatever the value (the $2,500 threshold of (b)(5) does not apply to them).
_ASKS_EEI = re.compile(
    r"\bEEI\b|\bAES\b|\belectronic export information\b|\bshipper'?s export declaration\b",
    re.I,
)
_EEI_WHATEVER_VALUE = re.compile(
    r"\bitems on the Commerce Control List to the People's Republic of China, Russia, or "
    r"Venezuela, regardless of value\b",
    re.I,
)
_EEI_COUNTRIES = frozenset(["China", "Russia", "Venezuela"])


def eei_line(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> FindingLine | None:
    """The EEI line for a question that asks about filing EEI for a CCL item (an ECCN it gives,
    not EAR99) to China, Russia or Venezuela, resting on 758.1(b)(10)."""
    if not asserted(_ASKS_EEI, question):
        return None
    eccns = [e for e in _ECCN.findall(question) if not re.match(r"EAR", e, re.I)]
    if not eccns or not question_countries(question) & _EEI_COUNTRIES:
        return None
    basis = _sought(
        passages,
        lookup,
        "15 CFR 758.1",
        _EEI_WHATEVER_VALUE,
        "15 CFR 758.1(b)(10) EEI for all exports of items on the Commerce Control List to the "
        "People's Republic of China, Russia, or Venezuela, regardless of value",
    )
    if basis is None:
        return None
    return FindingLine(
        "EEI filing",
        "required whatever the value: every export of an item on the Commerce Control List to "
        "China, Russia or Venezuela needs EEI in AES (15 CFR 758.1(b)(10))",
        [basis],
    )


def determine(
    question: str,
    passages: Sequence[SearchResult],
    hits: Sequence[ScreeningHit] = (),
    lookup: Lookup | None = None,
) -> Finding | None:
    """The determination for a licence question (`_determine`), with the EEI line when the
    question also asks about filing EEI for a CCL item to China, Russia or Venezuela."""
    finding = _determine(question, passages, hits, lookup)
    if (
        finding is not None
        and finding.rule.startswith("Scope of the EAR")
        and not hits
        and not ASKS_LICENCE.search(question)
    ):
        # asked only whether it is subject to the EAR, "depends on whether it is subject to
        # the EAR" answers nothing: the provision that says so leads, as for any question
        return None
    if finding is not None:
        eei = eei_line(question, passages, lookup)
        if eei is not None and not finding.operative and not _MENTIONS_LICENCE.search(question):
            # asked only about EEI ("Our forwarder says we can skip the AES filing ... Is that
            # right?"): no licence determination (its outcome would read "Licence required" on
            # every surface); the sentence that answers leads, as for any other question
            return None
        if eei is not None:
            finding.lines.append(eei)
    return finding


_OUR_CUSTOMER = re.compile(
    r"\b(?:customers?|buyers?|consignees?|end[- ]users?|distributors?|resellers?|"
    r"purchase orders?|wants? to buy|(?:sell|sells|selling|sold|ship|ships|shipping|shipped|"
    r"export|exports|exporting|supply|supplies|supplying)\s+(?:[\w-]+\s+){0,8}?to|"
    # "We service flight-training simulators for Blue Sky Aviation"
    r"(?:service|services|servicing|maintain|maintains|maintaining|repair|repairs|repairing|"
    r"support|supports|supporting)\s+(?:[\w-]+\s+){0,8}?for|"
    # "Anything we should know before we quote?": a price offered to a buyer
    r"(?:we|I)\s+(?:\w+\s+)?quot(?:e|ed|ing)(?!\s+(?:from|by))|send\w*\s+(?:them|him|her)\s+a\s+quote)\b",
    re.I,
)
_ASKS_LISTING = re.compile(
    r"\b(?:listed|listing|entity list|flag(?:s|ged)?|screening|anything (?:we|I) should know)\b"
    # "We sell to Chengdu Yaguang ... Was either of them a problem?" (an audit of shipments)
    r"|\b(?:is|was|were|are|would)\s+(?:either|any|each|both|it|this|that|they|these|those)"
    r"(?:\s+of\s+(?:them|these|those|the\s+\w+))?\s+(?:be\s+)?an?\s+problem\b",
    re.I,
)
# What a listing requires, asked of a listed party: "for which items", "what licence
# requirement", "what review policy", "since when".
_ASKS_WHAT_IT_REQUIRES = re.compile(
    r"\b(?:which|what)\s+items\b|\bwhat\s+(?:licen[cs]e\s+)?requirements?\b"
    r"|\breview\s+policy\b|\bsince\s+when\b",
    re.I,
)
# "Is Huawei on the Entity List?", "When was Huawei added to the Entity List?", asked with
# nothing else: where the corpus lists the party, the listing (with its day) and what it
# requires answer it, as they answer "... and since when?". (Asked with what the party is to
# us, "our supplier; we don't export to them", the listing sentence leads.)
# (a party's own name: not "a subsidiary of Kaspersky", "a supplier to Kaspersky")
_PARTY_WORDS = (
    r"(?:(?!(?:of|to|for|with|by|from|a|an|any|some|our|their|its|his|her)\s)[\w.&'’-]+\s+){1,6}?"
)
_ONLY_ASKS_IF_LISTED = re.compile(
    rf"\s*(?:(?:is|are)\s+{_PARTY_WORDS}(?:still\s+)?(?:on|in)|"
    rf"when\s+(?:was|were|did)\s+{_PARTY_WORDS}(?:first\s+)?(?:get\s+|go\s+)?"
    rf"(?:added\s+to|put\s+on|placed\s+on|on)|"
    rf"since\s+when\s+(?:has|have|is|are)\s+{_PARTY_WORDS}(?:been\s+)?on)"
    r"\s+the\s+entity\s+list\s*\??\s*",
    re.I,
)
_MENTIONS_LICENCE = re.compile(r"\blicen[cs]\w*|\bexceptions?\b|\bNLR\b", re.I)
_ASKS_SUBJECT = re.compile(
    r"\b(?:is|are)\s+(?:[\w'-]+\s+){0,4}?(?:still\s+)?subject\s+to\s+the\s+EAR(?=\s*\?)", re.I
)


def _determine(
    question: str,
    passages: Sequence[SearchResult],
    hits: Sequence[ScreeningHit] = (),
    lookup: Lookup | None = None,
) -> Finding | None:
    """The determination for a licence question, or None (not a licence question, or no rule's
    basis found). Rules are tried in the EAR's order of precedence: denial orders, restricted
    parties, embargoed destinations, then the general case."""
    # (a foreign-made item's share of U.S. content asks whether it is subject to the EAR at all:
    # "... about 20% of the value. Are the controllers subject to the EAR?")
    content = us_content_share(question) is not None
    # ("are we exposed if we move it?" asks no licence question; knowing of a violation decides)
    known = known_violation_rule(question, passages, lookup)
    if known is not None:
        return known
    # ("the licence says no reexport; it's their machine, so they can move it, can't they?")
    terms = licence_terms_rule(question, passages, lookup)
    if terms is not None:
        return terms
    # ("so we can ship every one under LVS, right?": an exception named as one is asked about)
    named = bool(named_exceptions(question))
    # ("Is Scikro on the Entity List, and if so why, since when, and for which items?": what a
    # listing the corpus holds requires is asked, whoever the party is to us)
    requires = bool(
        (
            (_ASKS_LISTING.search(question) and _ASKS_WHAT_IT_REQUIRES.search(question))
            or _ONLY_ASKS_IF_LISTED.fullmatch(question)
        )
        and listed_in_corpus(question, passages)
    )
    if (
        not requires
        and not ASKS_LICENCE.search(question)
        # ("Is the source still subject to the EAR?": the scope rules answer it, the general
        # rule's "depends on the item's ECCN" does not; `asks_whether` stays false)
        and not _ASKS_SUBJECT.search(question)
        and not hits
        and not content
        and not named
        # ("Our screening tool flags TechCamel, a customer. When and why was it listed?": a
        # party the corpus lists, our customer, asked about as listed, asks what its listing
        # requires; not our supplier, a competitor, or a training slide)
        and not (
            _ASKS_LISTING.search(question)
            and asserted(_OUR_CUSTOMER, question)
            and listed_in_corpus(question, passages)
        )
        # ("It's a purely domestic sale, so his denial order doesn't matter, does it?")
        and not (_MATTERS.search(question) and _DENIAL.search(question))
    ):
        return None
    # ("a Syrian student in our lab would see 3E001 technology": a release is an export)
    if (
        not about_an_export(question)
        and not content
        and not releases_to_a_national(question)
        and not requires
    ):
        # Not about doing something with an item or for a party (screening practice, how long
        # an order lasts, comments on a rule), or only about importing or buying: no rule's
        # bottom line fits.
        return None
    el_finding = entity_list_rule(question, passages, hits, lookup)
    # "a Shanghai fab, not on the Entity List as far as we can tell": the question denies the
    # listing, so "depends on whether a party is listed" is the last resort, after the rules the
    # facts it does give decide (the fab's end use)
    denied = (
        el_finding is not None and el_finding.outcome == "depends" and _denies_listing(question)
    )
    finding = (
        denial_order_rule(question, passages, lookup)
        or (None if denied else el_finding)
        or unverified_list_rule(question, passages, lookup)
        or sdn_party_rule(question, passages, lookup)
        or restricted_party_rule(question, passages, lookup)
        or us_person_support_rule(question, passages, lookup)
        or end_use_rule(question, passages, lookup)
    )
    if finding is None and asks_how_or_other_obligation(question):
        # ("How do we disclose the Iran shipment to BIS?", "Do we need to file EEI for the
        # router line?"): the place or the item in the facts decides no licence question that
        # was asked; the sentence that answers what was asked leads. (A restricted party or an
        # end-use rule above is still named: a licence it requires shapes any filing.)
        return None
    finding = finding or (
        embargo_rule(question, passages, lookup)
        or mass_market_rule(question, passages, lookup)
        or worldwide_ccl_rule(question, passages, lookup)
        or destination_ccl_rule(question, passages, lookup)
        or (el_finding if denied else None)
    )
    whether = asks_whether(question)
    if finding is None:
        # Published information is outside the EAR whatever its destination or end use, and an
        # EAR99 item outside General Prohibition One: each rule's own lines are the answer, with
        # no License Exception to point to (the party and destination rules above keep "depends
        # on whether it is subject to the EAR": a listed party or an embargo is worth naming).
        plain = (
            published_rule(question, passages, lookup)
            or publication_rule(question, passages, lookup)
            or (ear99_rule(question, passages, lookup) if whether else None)
        )
        if plain is not None:
            return plain
    if finding is None and whether:
        finding = (
            un_reason_rule(question, passages, lookup)
            or control_reason_rule(question, passages, lookup)
            or country_chart_rule(question, passages, lookup)
            or general_rule(question, passages, lookup)
        )
    elif (
        finding is None and _ASKS_EXCEPTION.search(question) and not asks_other_obligation(question)
    ):
        finding = exception_rule(
            _named_exceptions_first(question, passages, lookup), question, lookup
        )
    outside = outside_ear_line(question, passages, lookup)
    if finding is None and outside is not None:
        # No rule about parties, places or items applies: whether it is subject to the EAR
        # at all is the deciding fact.
        text = f"depends on whether it is subject to the EAR: {outside.text}"
        finding = Finding(
            "depends",
            "Scope of the EAR (15 CFR part 734)",
            [FindingLine("Licence required", text, outside.basis)],
            [SUBJECT_FACT],
        )
    elif finding is not None and outside is not None:
        _subject_to_the_ear_first(finding, outside)
    minimis = de_minimis_line(question, passages, lookup)
    if minimis is not None:
        line, within = minimis
        if within:
            # within the de minimis level the item is outside the EAR: no party, destination or
            # item rule reaches it, whatever else the question says
            finding = Finding(
                "depends",
                "De minimis U.S. content (15 CFR 734.4)",
                [
                    FindingLine(
                        "Licence required",
                        "depends on whether 15 CFR 734.4(a) sets no de minimis level for what "
                        "it incorporates; if it does not, none under the EAR: the foreign-made "
                        "item is not subject to the EAR — " + line.text.removeprefix("no — "),
                        line.basis,
                    )
                ],
                ["whether 15 CFR 734.4(a) sets no de minimis level for the U.S. content"],
                True,
            )
        elif finding is not None:
            finding.lines.insert(1, line)
        else:
            finding = Finding(
                "depends",
                "De minimis U.S. content (15 CFR 734.4)",
                [
                    FindingLine(
                        "Licence required",
                        "depends on the item's classification and the destination: it is "
                        "subject to the EAR — " + line.text.removeprefix("yes — "),
                        line.basis,
                    )
                ],
                ["the item's ECCN (or EAR99)"],
                True,
            )
    limit = exception_limit_line(question, passages, lookup)
    if finding is None and limit is not None and not _only_asks_what(question):
        # (asked how long TMP lasts or what LVS's limit is, the sentence that answers leads,
        # not whichever restriction of the exception shares a word)
        limit = replace(limit, label="Licence exception")
        finding = Finding(
            "depends",
            "License Exception restrictions (15 CFR part 740)",
            [limit],
            ["whether the restriction reaches the item, the parties and the destination"],
        )
    # 740.2(a)(12), (a)(14): read once; it answers an exception question no other rule does,
    # and below overrides any exception pointer
    restricted = (
        restriction_on_all_exceptions(question, passages, lookup)
        or excepted_destination(question, passages, lookup)
        or made_unavailable(question, passages)
    )
    if finding is None:
        if restricted is None or not _ASKS_EXCEPTION.search(question):
            return None
        finding = Finding(
            "depends",
            "Restrictions on all License Exceptions (15 CFR 740.2)",
            [restricted],
            ["the item's licence requirement for the destination"],
        )
    listed = next((line for line in finding.lines if line.label == "Licence exceptions"), None)
    # (the part 740 sections of named exceptions the destination's list leaves out)
    unlisted = (
        _name_listed(listed, question, passages, lookup)
        if listed is not None and listed.text.startswith("only those")
        else set()
    )
    exception = (
        licence_exception_line(
            _named_exceptions_first(question, passages, lookup), question, lookup
        )
        if listed is None or listed.text.startswith("only those")
        else None
    )
    if exception is not None and listed is None and not finding.operative:
        # (a rule resting on a section's own requirement names its exceptions or none: the
        # best-ranked part 740 section is no exception to a military end-user rule)
        finding.lines.append(exception)
    elif (
        exception is not None
        and listed is not None
        # (the section's whole list is read for an exception the question names: "Does MED
        # cover it?"; one retrieval merely ranked first must be in the passages at hand)
        and (
            listing := _listing(
                listed, exception, passages, lookup if _names_it(question, exception) else None
            )
        )
        is not None
    ):
        # "only those 746.8(c) lists" and the exception retrieval found (CCD for phones)
        listed.text += f"; {exception.text}"
        listed.basis += exception.basis
        if _LISTED_WITH_LIMIT.search(_sentence(listing)):
            # "AVS, excluding any aircraft ... owned or controlled by ... Belarus": the list's
            # own limit on it is part of the answer, not a line far below
            listed.text += f", within the limit {listing.passage.citation} sets for it"
            listed.basis.append(listing)
    if restricted is not None and any(
        x.label == "Licence exceptions" and x.text.startswith(("none", "no ")) and x.basis
        for x in finding.lines
    ):
        restricted = None  # (a rule that allows none, 744.3(c), is stricter still)
    if restricted is not None:
        # what no exception's own section says overrides any pointer, and the limits of an
        # exception it leaves out ("check LVS's own restriction" for 2A992 to Pakistan)
        leads = finding.lines[0].label in ("Licence exceptions", "Licence exception")
        finding.lines = [
            x
            for x in finding.lines
            if x.label != "Licence exceptions"
            and not (x.label == "Licence exception" and _left_out(x, restricted))
        ]
        finding.lines.insert(0 if leads or not finding.lines else 1, restricted)
        if finding.rule.startswith(("License Exception restrictions", "License Exceptions")):
            # (what the exception's restriction or conditions turned on no longer matters)
            finding.missing_facts = ["the item's licence requirement for the destination"]
        if finding.rule.startswith(("License Exceptions", "License Exception restrictions")):
            finding.rule = (
                "Restrictions on all License Exceptions (15 CFR 740.2)"
                if restricted.basis[0].passage.citation.startswith("15 CFR 740.2")
                else "License Exceptions (15 CFR part 740)"
            )
        listed = restricted
    barred = listed is not None and listed.text.startswith(("none", "no "))
    if limit is not None and limit.basis and _section_of(limit.basis[0].passage) in unlisted:
        limit = None  # (GFT's $800 limit is beside the point where the list leaves GFT out)
    fitting = None if barred else exception_terms_line(question, passages, lookup)
    if fitting is not None and not any(
        b.start < fitting.basis[0].end and fitting.basis[0].start < b.end
        for line in finding.lines
        for b in line.basis
        if b.passage.doc_id == fitting.basis[0].passage.doc_id
    ):
        # (after the pointer and the restriction: what the exception's own terms say of a case
        # like this one, unless a line already quotes it)
        finding.lines.append(fitting)
    if limit is not None and limit not in finding.lines and not barred:
        # (no exception's limits where none may be used: a listed party, an embargo)
        if finding.operative or finding.lines[0].label != "Licence required":
            finding.lines.append(limit)
        else:
            # The question asks whether the exception it names covers the case, and no rule
            # about parties, places or end uses decided it: the exception's own restriction
            # that shares the case's facts is the answer's first line, before what the licence
            # requirement itself would turn on.
            finding.lines.insert(0, replace(limit, label="Licence exception"))
    return finding


def _left_out(line: FindingLine, restricted: FindingLine) -> bool:
    """Whether every exception the line speaks of is one the 740.2 restriction leaves out."""
    named = set(_SYMBOLS.findall(line.text)) & EXCEPTION_SECTIONS.keys()
    kept = set(_SYMBOLS.findall(restricted.text)) & EXCEPTION_SECTIONS.keys()
    return bool(named) and not named & kept


_SYMBOLS = re.compile(r"\b[A-Z]{3}\b")


# 740.2(a): restrictions on all License Exceptions that turn on the item and the destination.
_9X515_OR_600 = re.compile(r"\b(?:9[A-E]515|\d[A-E]6\d\d)(?:\.[a-z])?\b|\b600[- ]series\b", re.I)
_0Y521 = re.compile(r"\b0[A-E]521\b")
_D5_OR_HONG_KONG = re.compile(
    rf"{_D5_WORDS}|\b(?:russia|russian|belarus|iran|north korea|syria|venezuela|cuba|burma|"
    r"myanmar|cambodia|nicaragua|moscow|minsk|tehran|caracas|havana|iraq|baghdad|erbil|"
    r"basra|afghanistan|kabul|libya|tripoli|lebanon|beirut|somalia|sudan|zimbabwe|haiti|"
    r"eritrea)\b",
    re.I,
)
_BODY_ARMOUR = re.compile(r"\b1A613\.[cd]\b|\b1A613\b", re.I)
_HONG_KONG = re.compile(r"\bhong\s+kong\b|\bmacau\b", re.I)
_D5_NOT_HONG_KONG = re.compile(
    r"\b(?:china|prc|shanghai|beijing|shenzhen|wuxi|hefei|wuhan|nanjing|tianjin|xi'an|chengdu|"
    r"guangzhou|russia|belarus|iran|north korea|syria|venezuela|cuba|burma|myanmar|cambodia|"
    r"nicaragua|moscow|minsk|tehran|caracas|havana|iraq|baghdad|erbil|basra|afghanistan|"
    r"kabul|libya|tripoli|lebanon|beirut|somalia|sudan|zimbabwe|haiti|eritrea)\b",
    re.I,
)
_RESTRICTION_600 = re.compile(
    r"\bdescribed in a 9x515 or .600 series. ECCN and is destined to\b", re.I
)
_RESTRICTION_0Y521 = re.compile(r"\bmay only be authorized by License Exception GOV\b", re.I)
# 740.2(a)(25): the regional-stability items of 742.6(a)(12) to Pakistan
_PAKISTAN_RS_ITEM = re.compile(
    r"\b(?:1B999|2A992|2B999(?!\.h\.2)|3A992|3A999|6A996)(?:\.[a-z0-9]+)*\b", re.I
)
_RESTRICTION_PAKISTAN = re.compile(
    r"\bNo license exception is available for the export, reexport, or transfer \(in-country\) "
    r"to or within Pakistan\b",
    re.I,
)


def excepted_destination(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> FindingLine | None:
    """The exceptions the question names whose own section excepts the place the item goes
    ("License Exception GBS authorizes exports ... to Country Group B ..., except Sudan and
    Ukraine"): "no GBS or TSR for Ukraine", resting on those sentences. A colleague's "Ukraine
    is in Country Group B" is answered by the section's own exception to it."""
    places = {x.lower(): x for x in _destinations(question)}
    if not places:
        return None
    barred: list[tuple[str, str, Basis]] = []
    for code, section in named_exceptions(question):
        pool = _with_section(passages, lookup, section)
        for basis in _matching(pool, f"15 CFR {section}", _AUTHORIZES_EXCEPT):
            m = _EXCEPT_PLACES.search(_sentence(basis))
            named = [x.strip() for x in re.split(r",\s*|\s+(?:and|or)\s+", m.group(1))] if m else []
            hit = next((places[x.lower()] for x in named if x.lower() in places), None)
            if hit is not None:
                barred.append((code, hit, basis))
                break
    if not barred:
        return None
    codes = " or ".join(dict.fromkeys(code for code, _, _ in barred))
    where = " or ".join(dict.fromkeys(place for _, place, _ in barred))
    cited = " and ".join(dict.fromkeys(_section_of(b.passage) for _, _, b in barred))
    clause = _EXCEPT_PLACES.search(_sentence(barred[0][2]))
    assert clause is not None
    return FindingLine(
        "Licence exceptions",
        f"no {codes} for {where} — 15 CFR {cited} "
        + ("leave it out" if " and " in cited else "leaves it out")
        + f" (“{clause.group(0)}”)",
        [b for _, _, b in barred],
    )


def made_unavailable(question: str, passages: Sequence[SearchResult]) -> FindingLine | None:
    """The exceptions the question names that an official passage about its destination says
    a rule made unavailable ("Removing Nicaragua from Country Group B ... The license exceptions
    made unavailable in full are: Shipments of limited value (LVS) ...; ... (GBS) ..."): "no GBS
    or LVS for Nicaragua", resting on that sentence, instead of a pointer to them. Only the
    regulation or a Federal Register rule says so, and only in a passage naming the place."""
    named = [code for code, _ in named_exceptions(question)]
    places = foreign_places(question)
    if not named or not places:
        return None
    for p in passages:
        if str(p.metadata.get("doc_type") or "") not in ("regulation", "federal_register"):
            continue
        place = next(
            (x for x in places if cached_pattern(rf"\b{re.escape(x)}\b").search(p.text)), None
        )
        if place is None:
            continue
        for a, b in chunk_sentences(p.text):
            sentence = p.text[a:b]
            if not _MADE_UNAVAILABLE.search(sentence):
                continue
            codes = [c for c in named if cached_pattern(rf"\b{c}\b").search(sentence)]
            if not codes:
                continue
            basis = Basis(p, p.start + a, p.start + b)
            quote = _LEADING_MARKER.sub("", _quoted(basis))
            them = "them" if len(codes) > 1 else "it"
            return FindingLine(
                "Licence exceptions",
                f"no {' or '.join(codes)} for {place} — {p.citation} made {them} unavailable "
                f"(“{quote}”)",
                [basis],
            )
    return None


_MADE_UNAVAILABLE = re.compile(
    r"\b(?:made|are|is|becomes?|became|were|will\s+be)\s+(?:no\s+longer\s+)?unavailable\b|"
    r"\bno\s+longer\s+(?:be\s+)?available\b",
    re.I,
)


# An exception's own scope sentence, naming the places it leaves out
_AUTHORIZES_EXCEPT = re.compile(r"\b(?:authoriz|permits?\b)[^;]{0,500}?\bexcept\s+[A-Z]", re.I)
_EXCEPT_PLACES = re.compile(
    r"\bexcept\s+([A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*"
    r"(?:(?:,\s*|,?\s+(?:and|or)\s+)[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)*)"
)


def restriction_on_all_exceptions(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> FindingLine | None:
    """The line 740.2(a) gives for the item and destination the question names, whatever
    exception it asks about: a 9x515 or "600 series" item to Country Group D:5 or Hong Kong may
    go under GOV only ((a)(12)); a 0Y521 item under GOV or its own supplement no. 5 exception
    only ((a)(14)). None when neither applies or the corpus lacks the paragraph."""
    military = bool(_9X515_OR_600.search(question) and _D5_OR_HONG_KONG.search(question))
    pakistan = bool(_PAKISTAN_RS_ITEM.search(question)) and "Pakistan" in _destinations(question)
    if not military and not pakistan and not _0Y521.search(question):
        return None  # (read 740.2 only when one of its paragraphs may apply)
    pool = _with_section(passages, lookup, "740.2")
    if pakistan:
        basis = find_sentence(pool, "15 CFR 740.2", _RESTRICTION_PAKISTAN)
        if basis is not None:
            item = _PAKISTAN_RS_ITEM.search(question)
            assert item is not None
            return FindingLine(
                "Licence exceptions",
                "none but TMP (only under 15 CFR 740.9(a)(1), (a)(4), (a)(5), (a)(10), (b)(2) "
                "and (b)(3)), RPL (15 CFR 740.10) or GOV (15 CFR 740.11(a), (b) or (d)) — "
                f"{item.group(0).upper()} items going to Pakistan are excluded from every other "
                "exception (15 CFR 740.2(a)(25))",
                [basis],
            )
    if military:
        basis = find_sentence(pool, "15 CFR 740.2", _RESTRICTION_600)
        if basis is not None:
            # (a)(12)(i): GOV only for an item destined to Country Group D:5 itself; to Hong
            # Kong, or from or made in either and bound elsewhere, no exception at all
            sent = _sent_to(question)
            to_d5 = bool(_D5_NOT_HONG_KONG.search(_HONG_KONG.sub(" ", sent)))
            armour = to_d5 and bool(_BODY_ARMOUR.search(question))
            return FindingLine(
                "Licence exceptions",
                "none but GOV (15 CFR 740.11(b)(2)), and for 1A613.c or .d helmets and body "
                "armour TMP (15 CFR 740.9(a)(11)) or BAG (15 CFR 740.14(h)(2)) — a 9x515 or 600 "
                "series item going to Country Group D:5 is excluded from every other exception "
                "(15 CFR 740.2(a)(12)(i), (ii))"
                if armour
                else "none but GOV (15 CFR 740.11(b)(2)) — a 9x515 or 600 series item going to "
                "Country Group D:5 is excluded from every other exception (15 CFR 740.2(a)(12), "
                "(a)(12)(i))"
                if to_d5
                else "none — a 9x515 or 600 series item destined to, shipped from or made in "
                "Country Group D:5 or Hong Kong is excluded from every License Exception, and "
                "GOV is allowed only for one destined to D:5 (15 CFR 740.2(a)(12))",
                [basis],
            )
    if _0Y521.search(question):
        basis = find_sentence(pool, "15 CFR 740.2", _RESTRICTION_0Y521)
        if basis is not None:
            return FindingLine(
                "Licence exceptions",
                "only GOV (15 CFR 740.11(b)(2)(ii)) or an exception supplement no. 5 to part 774 "
                "names for the 0Y521 item (15 CFR 740.2(a)(14))",
                [basis],
            )
    return None

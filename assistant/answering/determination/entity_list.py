"""The Entity List rule (15 CFR 744.11): a listed party, or one owned 50% or more by listed
parties, needs a licence for every item subject to the EAR, to the extent its entry says.

Tried right after denial orders, before the other lists; the largest rule, so it is read
alone. What the corpus lists is `listing`; what the listing rule says of the party is
`listing_terms`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from assistant.answering.determination.basis import (
    Finding,
    FindingLine,
    Lookup,
    _quoted,
    _sentence,
    _sought,
    find_sentence,
)
from assistant.answering.determination.facts import party_names
from assistant.answering.determination.listing import (
    _dated_addition,
    listed_in_corpus,
    removed_in_corpus,
)
from assistant.answering.determination.listing_terms import (
    _ADDS_HERE,
    _EN_ROUTE,
    _RECALLED,
    _RULE_POLICY,
    _SAVINGS_CLAUSE,
    FOOTNOTE_EFFECT,
    _listing_reason,
    listing_rule_sentence,
)
from assistant.answering.listed_names import named_whole
from assistant.answering.listing_dates import where_dates_fall
from assistant.answering.question_facts import asserted, negated, placed_in_us
from assistant.models import ScreeningHit, SearchResult
from assistant.status import date_label

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


_ASKS_WHY = re.compile(r"\bwhy\b|\breasons?\b|\bgrounds\b|\bwhat for\b", re.I)


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

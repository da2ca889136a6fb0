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

The rules live one family to a module beside this one (`entity_list`, `embargo`, `end_use`,
`ccl` ...: the table in ARCHITECTURE.md); `_determine` here tries them in the EAR's order of
precedence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from assistant.answering.deemed_exports import releases_to_a_national
from assistant.answering.determination.asks import (
    ASKS_LICENCE,
    _only_asks_what,
    asks_how_or_other_obligation,
    asks_other_obligation,
    asks_whether,
)
from assistant.answering.determination.basis import (
    Finding,
    FindingLine,
    Lookup,
    _section_of,
    _sentence,
)
from assistant.answering.determination.ccl import destination_ccl_rule, worldwide_ccl_rule
from assistant.answering.determination.country_chart import country_chart_rule
from assistant.answering.determination.de_minimis import de_minimis_line, us_content_share
from assistant.answering.determination.denial import _DENIAL, denial_order_rule
from assistant.answering.determination.ear99 import ear99_rule
from assistant.answering.determination.eei import eei_line
from assistant.answering.determination.embargo import embargo_rule
from assistant.answering.determination.end_use import end_use_rule
from assistant.answering.determination.entity_list import _denies_listing, entity_list_rule
from assistant.answering.determination.exception_bars import (
    excepted_destination,
    made_unavailable,
    restriction_on_all_exceptions,
)
from assistant.answering.determination.exception_terms import (
    exception_limit_line,
    exception_terms_line,
)
from assistant.answering.determination.exceptions import (
    _ASKS_EXCEPTION,
    _LISTED_WITH_LIMIT,
    _left_out,
    _listing,
    _name_listed,
    _named_exceptions_first,
    _names_it,
    exception_rule,
    licence_exception_line,
)
from assistant.answering.determination.general import general_rule
from assistant.answering.determination.listing import _ONLY_ASKS_IF_LISTED, listed_in_corpus
from assistant.answering.determination.mass_market import mass_market_rule
from assistant.answering.determination.parties import (
    restricted_party_rule,
    sdn_party_rule,
    unverified_list_rule,
)
from assistant.answering.determination.publication import (
    SUBJECT_FACT,
    _subject_to_the_ear_first,
    outside_ear_line,
    publication_rule,
    published_rule,
)
from assistant.answering.determination.reasons import control_reason_rule, un_reason_rule
from assistant.answering.determination.us_person import us_person_support_rule
from assistant.answering.determination.violations import known_violation_rule, licence_terms_rule
from assistant.answering.exception_limits import named_exceptions
from assistant.answering.question_facts import about_an_export, asserted
from assistant.models import ScreeningHit, SearchResult

__all__ = ["determine"]


# "so his denial order doesn't matter, does it?", "Does that matter?": whether a fact changes
# what the rules require, when the fact is a party's restriction (not an invoice's currency or
# the ECCN format in an ERP)
_MATTERS = re.compile(
    r"\b(?:(?:doesn't|does\s+not|don't|do\s+not|wouldn't|won't)\s+(?:really\s+)?matter|"
    r"(?:does|would|will)\s+(?:it|that|this)\s+(?:really\s+)?matter)\b",
    re.I,
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

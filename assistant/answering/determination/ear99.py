"""An EAR99 item to a country no embargo covers: General Prohibition One needs no licence for it
(736.2(b)(1)), so the answer "depends" on the prohibitions that reach every item.

Apart because this is one of the "never say no" rules: it names the provision that would make
it "no" without saying it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.determination.basis import (
    Finding,
    FindingLine,
    Lookup,
    _first_in_section,
    _sought,
    _with_section,
)
from assistant.answering.determination.facts import (
    _EAR99,
    _ECCN,
    _PARTIES_SCREENED,
    _VAGUE_PLACE,
    _missing_parties,
    _this_deal_sentences,
    party_names,
)
from assistant.answering.question_facts import (
    DESTINATIONS,
    EMBARGOES,
    asserted,
    country_of,
    names_end_use,
    place_sent_to,
)
from assistant.models import SearchResult

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
    # (one country, however many of its names: "a PRC buyer in Shanghai")
    if (
        len({country_of(p) for p in places}) != 1
        or places & _VAGUE_PLACE
        or place_sent_to(question)
    ):
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

"""Cameras for a military end-user (744.9): the camera's ECCN decides, not where the buyer is.

Apart from `end_use` (which asks it first for a military end user) because it reaches nearly
every destination, unlike 744.21.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from assistant.answering.determination.basis import (
    Finding,
    FindingLine,
    Lookup,
    _first_in_section,
    _matching,
    _sentence,
    _with_section,
)
from assistant.answering.determination.facts import _EAR99, _ECCN, _whole_eccn
from assistant.answering.question_facts import DESTINATIONS, country_of, place_sent_to
from assistant.models import SearchResult

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

"""Sections a Federal Register rule in the corpus removed: "Sections 744.10, 744.12 through
744.14, 744.18, and 744.20 are removed and reserved."

Why: a mirror's CFR text can predate the rule that removed its section. The corpus's 744.13
(the SDT restrictions, last amended in 2003) reads like law, yet FR Doc. 2024-06067 removed and
reserved it in March 2024; quoted without a word, it tells a compliance officer a licence is
required under a section that no longer exists. The CFR text records nothing of its own removal
(the stays it records are read at ingest, `ingest.notes`), so the removal is read from the rule's
amendatory instruction, wherever the corpus holds it, and judged against the text's own date:
a text dated after the rule took effect already is the current text, and gets no note.

Only whole sections: "Section 740.2 is amended by removing and reserving paragraph (a)(22)" is
an amendment of a section that stays, and is not read here. Only rules that state their effective
date: a proposed rule's amendatory text reads like a final rule's, and removes nothing.

Pure functions: the instruction is found in a chunk's text (`find_removals`), the table of
removals is built by the caller from the chunks the reader may read
(`assistant.index.snapshot.CorpusSnapshot.removals`), and `removal_note` words one for a day.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from assistant.status import gpo_date, iso_date, text_date


@dataclass(frozen=True)
class Removal:
    """A rule's instruction removing a section: `quote` is verbatim at [start, end) of the FR
    document `doc_id` (document offsets), `source` how it is cited ("FR Doc. 2024-06067"),
    `effective` the day the rule took effect (ISO; only rules that state one are read)."""

    section: str  # "744.13"
    doc_id: str
    source: str
    effective: str | None
    quote: str
    start: int
    end: int


_SECTION = r"\d{3}\.\d{1,3}[a-z]?(?!\w|\.\d)"
_LIST = rf"{_SECTION}(?:\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s+through\s+)\s*{_SECTION})*"
# "Sections 744.10, 744.12 through 744.14, 744.18, and 744.20 are removed and reserved.",
# "Section 744.13 is removed.", "§ 744.13 [Removed and Reserved]", "Remove and reserve
# § 744.13."; the amendatory instruction's own number ("7.") may precede it.
# "This final rule removes and reserves §§ 744.12, 744.13, ..." (a preamble's words: an excerpt
# may keep them and drop the instruction); never a paragraph ("§ 744.13(b)").
_INSTRUCTION = re.compile(
    rf"(?:\b(?:Sections?|§§?)\s*(?P<a>{_LIST})\s+(?:is|are)\s+(?:hereby\s+)?removed"
    rf"(?:\s+and\s+reserved)?\s*\."
    rf"|§\s*(?P<b>{_SECTION})\s*\[\s*Removed(?:\s+and\s+Reserved)?\s*\]"
    rf"|\b(?-i:Remove)(?:\s+and\s+reserve)?\s+(?:§§?\s*|sections?\s+)(?P<c>{_LIST})\s*\."
    rf"|\b(?:rule|BIS)\s+(?:also\s+)?removes(?:\s+and\s+reserves)?\s+(?:§§?\s*|sections?\s+)"
    rf"(?P<d>{_LIST})(?!\s*\())",
    re.I,
)
_RANGE = re.compile(rf"({_SECTION})\s+through\s+({_SECTION})", re.I)
_ONE = re.compile(_SECTION)


def _sections(listed: str) -> list[str]:
    """ "744.10, 744.12 through 744.14, 744.18" -> every section named, ranges within a part
    expanded (744.12, 744.13, 744.14)."""
    out: list[str] = []
    for m in _RANGE.finditer(listed):
        (p1, s1), (p2, s2) = (x.split(".") for x in m.groups())
        if p1 == p2 and s1.isdigit() and s2.isdigit() and 0 < int(s2) - int(s1) < 50:
            out += [f"{p1}.{n}" for n in range(int(s1), int(s2) + 1)]
    out += _ONE.findall(listed)
    return list(dict.fromkeys(out))


def find_removals(text: str) -> list[tuple[str, int, int]]:
    """(section, start, end) for each section an instruction in `text` removes, the span being
    the instruction's (offsets in `text`)."""
    found: list[tuple[str, int, int]] = []
    for m in _INSTRUCTION.finditer(text):
        listed = next((g for g in m.group("a", "b", "c", "d") if g), "")
        found += [(s, m.start(), m.end()) for s in _sections(listed)]
    return found


def removal_of(
    metadata: Mapping[str, Any], removals: Mapping[str, list[Removal]]
) -> Removal | None:
    """The removal that applies to a regulation text: one of its section whose rule took effect
    after the text's own date (its last amendment, else its version date), or any when the text
    is undated; the earliest such. None for other documents and for texts that already are
    the later one."""
    if str(metadata.get("doc_type") or "") != "regulation":
        return None
    m = _ONE.search(str(metadata.get("citation") or ""))
    if m is None:
        return None
    since = text_date(metadata)
    later = [
        r
        for r in removals.get(m.group(0), [])
        if since is None or (iso_date(r.effective) or date.max) > since
    ]
    return min(later, key=lambda r: r.effective or "9999") if later else None


def removal_note(removal: Removal, metadata: Mapping[str, Any], on: date | None = None) -> str:
    """One sentence on the removal, judged for the day `on` when it is given."""
    effective = iso_date(removal.effective)
    when = f" (effective {gpo_date(effective)})" if effective else ""
    quote = re.sub(r"\s+", " ", removal.quote).strip()
    since = text_date(metadata)
    text_age = (
        f"this text is older (as amended through {gpo_date(since)})"
        if since is not None
        else "this text's date is unknown and it may predate that rule"
    )
    section = re.sub(r"(\([^()]*\))+$", "", str(metadata.get("citation") or "")) or (
        removal.section
    )
    if on is not None and effective is not None and on < effective:
        return (
            f"Removed later: {removal.source}{when} removed {section} (“{quote}”); "
            f"on {gpo_date(on)} it was not yet removed."
        )
    return (
        f"Removed: {removal.source}{when} removed {section} (“{quote}”); {text_age}, "
        "so it is not the regulation in force."
    )


__all__ = ["Removal", "find_removals", "removal_note", "removal_of"]

"""What a CFR section says about its own legal status: stays, amendment notes, its history.

eCFR prints these after (or before) the section's paragraphs, in fixed wording:

- "At 90 FR 50857, Nov. 12, 2025, in § 744.11, paragraph (a)(1) was stayed, effective until
  Nov. 9, 2026." (stays and effective-date notes; numbered "2. At ..." when there are several,
  and "... § 742.6 was amended by adding paragraphs (a)(13) and (b)(14); however, these
  amendments could not be incorporated ..." when eCFR could not apply a rule);
- "Link to an amendment published at 85 FR 23462, Apr. 28, 2020." (an amendment the text shown
  does not include yet);
- "[87 FR 61973, Oct. 13, 2022, as amended at ...; 90 FR 47212, Sept. 30, 2025]" (the source
  note: where the section was published and every amendment since), or, instead of the list,
  "Editorial Note: For Federal Register citations affecting § 732.3, see the List of CFR
  Sections Affected" (then the amendments are not listed, and the latest is unknown).

`find_notes` turns the first two into `StatusNote`s whose targets are resolved against the
document's sections, so chunking can put each note on every chunk whose text it affects;
`amendment_history` reads the source note for the section's dates. The wording is eCFR's, so
the patterns are anchored on it; a note in other words is simply not found (nothing is guessed).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from assistant.status import NoteTarget, StatusNote
from assistant.text import sentence_spans
from ingest.dates import dates_in, parse_date
from ingest.documents import Section

_DATE = r"[A-Z][a-z]{2,8}\.?\s+\d{1,2}\s*[,.]?\s+\d{4}"
# "At 90 FR 50857 , Nov. 12, 2025, in § 744.11 , " (the mirror's text has spaces before commas).
_AT_NOTE = re.compile(
    r"\bAt\s+(\d+)\s+FR\s+(\d+)\s*,\s*(" + _DATE + r")\s*,\s*(?:in\s+)?§\s*(\d+\.\d+[a-z]?)\s*,?\s*"
)
_LINK = re.compile(
    r"\bLink to an amendment published at\s+(\d+)\s+FR\s+(\d+)\s*,\s*(" + _DATE + ")"
)
_VERB = re.compile(
    r"\b(?:was|were)\s+(stayed|suspended|amended|revised|added|removed|redesignated|corrected"
    r"|delayed|withdrawn)\b"
)
# A designator path: "(a)(1)", "(b)(2)(ii)", "( e )".
_PATH = re.compile(r"(?:\(\s*(?:[a-z]{1,4}|\d{1,3}|[A-Z]{1,2})\s*\))+")
_UNTIL = re.compile(r"effective\s+until\s+(" + _DATE + ")")
_EFFECTIVE = re.compile(r"effective\s+(?:on\s+|as\s+of\s+)?(" + _DATE + ")")
_NOT_INCORPORATED = re.compile(r"could\s+not\s+be\s+incorporated", re.IGNORECASE)
# The source note starts its own paragraph: "[61 FR 12740, Mar. 25, 1996, as amended at ...]".
_SOURCE_NOTE = re.compile(r"(?m)^[ \t]*\[\s*\d+\s+FR\s+\d+[^\]]*\]")
_LSA = re.compile(r"List of CFR Sections Affected", re.IGNORECASE)
_TITLE = re.compile(r"^\s*(\d+)\s+CFR\b")
_PARAGRAPHS = re.compile(r"(\([^()]*\))+$")


def _section_base(citation: str) -> str:
    """ "15 CFR 744.11(a)(1)" -> "15 CFR 744.11"."""
    return _PARAGRAPHS.sub("", citation)


def _iso(text: str) -> str | None:
    day = parse_date(text)
    return day.isoformat() if day else None


def _sentence_end(text: str, start: int) -> int:
    """End of the sentence starting at `start`, never past its paragraph."""
    para_end = text.find("\n\n", start)
    para_end = len(text) if para_end < 0 else para_end
    spans = sentence_spans(text, start, para_end)
    return spans[0][1] if spans else para_end


def _section_at(sections: Sequence[Section], pos: int) -> Section | None:
    return next((s for s in sections if s.start <= pos < s.end), None)


def _applies(sections: Sequence[Section], target: str, text: str) -> tuple[tuple[int, int], ...]:
    """Document spans of the paragraph `target` and everything under it, merged where only
    whitespace separates them."""
    spans = sorted(
        (s.start, s.end)
        for s in sections
        if s.end > s.start and (s.citation == target or s.citation.startswith(target + "("))
    )
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and not text[merged[-1][1] : a].strip():
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return tuple((a, b) for a, b in merged)


def _scopes(region: str, stay: bool) -> list[tuple[str, str]]:
    """(path, scope in the note's words) for each designator path named in `region`.

    A stay keeps its wording ("the introductory text of paragraph (e)", "the second and third
    sentences of paragraph (a)(2)"); an amendment's verb phrase ("by revising (b)(11)") is
    reduced to "paragraph (b)(11)"."""
    out: list[tuple[str, str]] = []
    previous = 0
    for m in _PATH.finditer(region):
        path = re.sub(r"\s+", "", m.group())
        phrase = re.sub(r"\s+", " ", region[previous : m.start()]).strip(" ,;")
        phrase = re.sub(r"^(?:and|or)\s+", "", phrase)
        previous = m.end()
        if stay and phrase:
            out.append((path, f"{phrase} {path}"))
        else:
            out.append((path, f"paragraph {path}"))
    return out


def _at_note(
    text: str, m: re.Match[str], sections: Sequence[Section], title_no: str
) -> StatusNote | None:
    end = _sentence_end(text, m.start())
    sentence = text[m.start() : end]
    verb = _VERB.search(sentence, m.end() - m.start())
    if not verb:
        return None
    stay = verb.group(1) in ("stayed", "suspended")
    if stay:
        region = sentence[m.end() - m.start() : verb.start()]
    else:
        tail = sentence[verb.end() :]
        stop = re.search(r";|,\s*effective\b|\.\s*$", tail)
        region = tail[: stop.start()] if stop else tail
    section = f"{title_no} CFR {m.group(4)}"
    scopes = _scopes(region, stay) or [("", "")]
    targets = tuple(
        NoteTarget(path, scope, _applies(sections, section + path, text)) for path, scope in scopes
    )
    until = _UNTIL.search(sentence)
    effective = None if until else _EFFECTIVE.search(sentence)
    return StatusNote(
        kind="stay" if stay else "amendment",
        text=sentence,
        start=m.start(),
        end=end,
        section=section,
        targets=targets,
        fr=f"{m.group(1)} FR {m.group(2)}",
        fr_date=_iso(m.group(3)),
        until=_iso(until.group(1)) if until else None,
        effective=_iso(effective.group(1)) if effective else None,
        incorporated=not _NOT_INCORPORATED.search(sentence),
    )


def _link_note(text: str, m: re.Match[str], sections: Sequence[Section]) -> StatusNote | None:
    here = _section_at(sections, m.start())
    if here is None:
        return None
    section = _section_base(here.citation)
    end = _sentence_end(text, m.start())
    return StatusNote(
        kind="amendment",
        text=text[m.start() : end],
        start=m.start(),
        end=end,
        section=section,
        targets=(NoteTarget("", "", _applies(sections, section, text)),),
        fr=f"{m.group(1)} FR {m.group(2)}",
        fr_date=_iso(m.group(3)),
        incorporated=False,
    )


def find_notes(text: str, sections: Sequence[Section]) -> list[StatusNote]:
    """The stays and amendment notes in a regulation's text, each with the spans it affects."""
    first = next((s.citation for s in sections if _TITLE.match(s.citation)), "")
    title = _TITLE.match(first)
    title_no = title.group(1) if title else "15"
    notes: list[StatusNote] = []
    for m in _AT_NOTE.finditer(text):
        if note := _at_note(text, m, sections, title_no):
            notes.append(note)
    for m in _LINK.finditer(text):
        if note := _link_note(text, m, sections):
            notes.append(note)
    return sorted(notes, key=lambda n: n.start)


def amendment_history(text: str) -> tuple[date | None, date | None]:
    """(published, amended through) from a single section's source note.

    Published is the first date of "[87 FR 61973, Oct. 13, 2022, as amended at ...]", amended
    through the latest date in it. When the section points to the List of CFR Sections Affected
    instead of listing its amendments, the latest amendment is unknown (None); so is everything
    when the text has no source note, or several (a whole part, not one section)."""
    notes = list(_SOURCE_NOTE.finditer(text))
    if len(notes) != 1:
        return None, None
    found = dates_in(notes[0].group())
    if not found:
        return None, None
    if _LSA.search(text):
        return found[0], None
    return found[0], max(found)


__all__ = ["amendment_history", "find_notes"]

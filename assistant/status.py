"""Legal status of a cited text: stays and amendment notes, version dates, as-of membership.

Why: a compliance officer about to rely on 15 CFR 744.11(a)(1) must be told that 90 FR 50857
stayed it until Nov. 9, 2026, and a 2022 text of a section must say that it is one. Ingest
(`ingest/notes.py`) finds the notes a CFR section carries about itself and stores, on every chunk
whose text they affect, the metadata field `status_notes` (a JSON list: Chroma holds scalars
only). This module reads them back and words them for a reader.

Pure functions: no store, no clock. The day to judge by (`on`: the as-of date or today) is passed
in, so the same metadata always reads the same way for the same day.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Literal

# Chunk metadata fields that carry legal status and dates (beside `date`), kept by the store.
STATUS_KEYS = ("date_basis", "effective", "amended_through", "superseded", "status_notes")

# How a document's `date` was established: what the date means, shown beside it.
DATE_BASES = {
    "version": "as of {d}",
    "amended_through": "as amended through {d}",
    "publication": "published {d}",
    "effective": "effective {d}",
    "filed": "filed {d}",
    "stated": "{d}",
}

_GPO_MONTHS = "Jan. Feb. Mar. Apr. May June July Aug. Sept. Oct. Nov. Dec.".split()


def gpo_date(day: date) -> str:
    """A date the way the CFR and the Federal Register print it: "Nov. 9, 2026"."""
    return f"{_GPO_MONTHS[day.month - 1]} {day.day}, {day.year}"


def iso_date(value: Any) -> date | None:
    """A date from a date or an ISO string ("2024-03-21", "2024-03-21T..."), else None."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class NoteTarget:
    """What a note affects: a paragraph ("(a)(1)", "" for the whole section), in the note's words
    ("the introductory text of paragraph (e)"), and the document spans of that text."""

    path: str
    scope: str
    applies: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class StatusNote:
    """A note a CFR section carries about its own legal status.

    `text` is verbatim from the document, where it sits at [start, end), so it can be quoted and
    verified like any passage. `kind` is "stay" (the text is not in force for a while) or
    "amendment" (a Federal Register rule changed or will change it); `incorporated` is False when
    the note says the amendment is not in the text shown."""

    kind: Literal["stay", "amendment"]
    text: str
    start: int
    end: int
    section: str
    targets: tuple[NoteTarget, ...] = ()
    fr: str | None = None
    fr_date: str | None = None
    until: str | None = None
    effective: str | None = None
    incorporated: bool = True

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["targets"] = [
            {"path": t.path, "scope": t.scope, "applies": [list(s) for s in t.applies]}
            for t in self.targets
        ]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StatusNote:
        targets = tuple(
            NoteTarget(
                str(t.get("path", "")),
                str(t.get("scope", "")),
                tuple((int(a), int(b)) for a, b in t.get("applies") or ()),
            )
            for t in data.get("targets") or ()
        )
        return cls(
            kind="stay" if data.get("kind") == "stay" else "amendment",
            text=str(data.get("text", "")),
            start=int(data.get("start", 0)),
            end=int(data.get("end", 0)),
            section=str(data.get("section", "")),
            targets=targets,
            fr=data.get("fr"),
            fr_date=data.get("fr_date"),
            until=data.get("until"),
            effective=data.get("effective"),
            incorporated=bool(data.get("incorporated", True)),
        )

    def touches(self, start: int, end: int) -> bool:
        """Whether [start, end) of the document is the note itself or text the note affects."""
        if start < self.end and self.start < end:
            return True
        return any(a < end and start < b for t in self.targets for a, b in t.applies)


def dump_notes(notes: Iterable[StatusNote]) -> str | None:
    """The `status_notes` metadata value: a JSON list, or None (no field) when there are none."""
    items = [n.to_dict() for n in notes]
    return json.dumps(items, ensure_ascii=False, separators=(",", ":")) if items else None


def load_notes(metadata: Mapping[str, Any]) -> list[StatusNote]:
    """The notes stored on a chunk (empty when none, or when the field cannot be read)."""
    raw = metadata.get("status_notes")
    if not raw:
        return []
    try:
        items = json.loads(raw) if isinstance(raw, str) else raw
        return [StatusNote.from_dict(item) for item in items]
    except (TypeError, ValueError, AttributeError):
        return []


def _plain(text: str) -> str:
    """A note's words without the mirror's spacing artifacts ("90 FR 50857 ," -> "90 FR 50857,")."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"^\d+\.\s+", "", text)
    return re.sub(r"\s+([,;.)])", r"\1", text)


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _targets_for(note: StatusNote, start: int | None, end: int | None) -> list[NoteTarget]:
    """The note's targets that concern the cited span: all of them for the note itself."""
    if start is None or end is None or (start < note.end and note.start < end):
        return list(note.targets)
    hit = [t for t in note.targets if any(a < end and start < b for a, b in t.applies)]
    return hit or list(note.targets)


def _src(note: StatusNote) -> str:
    published = iso_date(note.fr_date)
    if note.fr and published:
        return f"{note.fr} ({gpo_date(published)})"
    return note.fr or "A Federal Register rule"


def describe(
    note: StatusNote,
    start: int | None = None,
    end: int | None = None,
    on: date | None = None,
) -> str:
    """One sentence a reader can act on, judged for the day `on` when it is given."""
    targets = _targets_for(note, start, end)
    scopes = [t.scope for t in targets if t.path]
    where = f"{_join(scopes)} of {note.section}" if scopes else note.section
    src = _src(note)
    published, until, effective = (
        iso_date(note.fr_date),
        iso_date(note.until),
        iso_date(note.effective),
    )
    if note.kind == "stay":
        span = f" until {gpo_date(until)}" if until else ""
        if on is None:
            return f"Stayed: {src} stays {where}{span}."
        day = gpo_date(on)
        if published and on < published:
            return f"Stayed later: {src} stays {where}{span}; on {day} it was not yet stayed."
        if until and on >= until:
            return (
                f"Stay ended: {src} stayed {where} until {gpo_date(until)}; the stay ended "
                f"{gpo_date(until)} and no longer applies on {day}, unless a later rule "
                "extended it."
            )
        return f"Stayed: {src} stays {where}{span}; the stay is in effect on {day}."
    if not note.incorporated and not scopes:
        return (
            f"Amendment not in this text: {note.section} was amended at {src}; "
            "this text does not include that amendment."
        )
    label = "Amendment not in this text" if not note.incorporated else "Amendment"
    sentence = f"{label}: {_plain(note.text)}"
    if on is not None and effective is not None:
        if on < effective:
            sentence += f" Not yet in effect on {gpo_date(on)}."
        else:
            sentence += f" In effect on {gpo_date(on)}."
    return sentence


def date_label(metadata: Mapping[str, Any]) -> str:
    """The document's date with what it means ("effective 2024-07-18"), or "date unknown"."""
    day = iso_date(metadata.get("date"))
    if day is None:
        return "date unknown"
    basis = str(metadata.get("date_basis") or "stated")
    return DATE_BASES.get(basis, "{d}").format(d=day.isoformat())


def _regulation(metadata: Mapping[str, Any]) -> bool:
    return str(metadata.get("doc_type") or "") == "regulation"


def _section_key(metadata: Mapping[str, Any]) -> str:
    """A regulation document's section citation ("15 CFR 734.9"), without any paragraph."""
    return re.sub(r"(\([^()]*\))+$", "", str(metadata.get("citation") or ""))


def current_versions(records: Iterable[Mapping[str, Any]]) -> dict[str, tuple[str, str]]:
    """Per section citation, the newest dated regulation text in the corpus: (date, doc_id).

    Give it the document records (or any chunk metadata); `version_note` compares with it."""
    newest: dict[str, tuple[str, str]] = {}
    for meta in records:
        day = iso_date(meta.get("date"))
        key = _section_key(meta)
        if not _regulation(meta) or day is None or not key:
            continue
        doc_id = str(meta.get("doc_id") or "")
        if key not in newest or day.isoformat() > newest[key][0]:
            newest[key] = (day.isoformat(), doc_id)
    return newest


def text_date(metadata: Mapping[str, Any]) -> date | None:
    """Since when the text reads as it does: its last amendment, else its version date."""
    return iso_date(metadata.get("amended_through")) or iso_date(metadata.get("date"))


def is_superseded(metadata: Mapping[str, Any]) -> bool:
    """Whether a text's source marks it as superseded by a later version ("superseded": true,
    as the loaders write it, or "1" from a sidecar)."""
    return str(metadata.get("superseded") or "").lower() in ("true", "1")


def version_note(
    metadata: Mapping[str, Any],
    current: Mapping[str, tuple[str, str]] | None = None,
    on: date | None = None,
) -> list[str]:
    """Notes on how old a regulation text is: superseded, older than the corpus's newest version
    of the same section, or later than the day asked about. Nothing for other documents."""
    if not _regulation(metadata):
        return []
    out: list[str] = []
    label = date_label(metadata)
    key = _section_key(metadata)
    if is_superseded(metadata):
        out.append(
            f"Historical text ({label}): its source marks it as superseded by a later "
            f"version of {key}, which this corpus does not hold."
        )
    newest = (current or {}).get(key)
    mine = iso_date(metadata.get("date"))
    if newest and newest[1] != str(metadata.get("doc_id") or ""):
        if mine is None:
            out.append(
                f"Version date unknown; the corpus's current version of {key} is dated "
                f"{newest[0]} ({newest[1]})."
            )
        elif newest[0] > mine.isoformat():
            out.append(
                f"Text {label}; the corpus's current version of {key} is dated "
                f"{newest[0]} ({newest[1]})."
            )
    since = text_date(metadata)
    if on is not None and since is not None and since > on:
        out.append(
            f"Text {label}, later than {gpo_date(on)}: the provision in force on "
            f"{gpo_date(on)} may have read differently."
        )
    return out


def notes_for(
    metadata: Mapping[str, Any],
    start: int | None = None,
    end: int | None = None,
    on: date | None = None,
    current: Mapping[str, tuple[str, str]] | None = None,
) -> list[str]:
    """Human-readable legal-status notes for a cited passage.

    `metadata` is the chunk's (a `SearchResult.metadata`); `start`/`end` the cited span in
    document offsets (default: the whole chunk), so a note about (b)(2) is worded for (b)(2) when
    a chunk also holds other paragraphs. `on` is the as-of day or today: stays are judged for it
    ("stay ended Nov. 9, 2026"). `current` is `current_versions(...)` over the corpus, to flag a
    text older than the newest version of its section."""
    a = start if start is not None else _int(metadata.get("start"))
    b = end if end is not None else _int(metadata.get("end"))
    out: list[str] = []
    for note in load_notes(metadata):
        if a is not None and b is not None and not note.touches(a, b):
            continue
        out.append(describe(note, a, b, on))
    out.extend(version_note(metadata, current, on))
    return list(dict.fromkeys(out))


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def in_force_on(metadata: Mapping[str, Any], day: date) -> bool:
    """Whether a document belongs in an answer as of `day`.

    Regulation texts always do: they are the rules, and the corpus often holds only one version
    of a section, so leaving it out would leave the answer with no rule at all; `version_note`
    says when the text is later than `day` and may have read differently then. Any other
    document belongs when it had taken effect (Federal Register: its effective date, else its
    publication date) or was published by `day`; one whose date is unknown cannot be placed in
    time and is left out."""
    if _regulation(metadata):
        return True
    start = iso_date(metadata.get("effective")) or iso_date(metadata.get("date"))
    return start is not None and start <= day


__all__ = [
    "DATE_BASES",
    "STATUS_KEYS",
    "NoteTarget",
    "StatusNote",
    "current_versions",
    "date_label",
    "describe",
    "dump_notes",
    "gpo_date",
    "in_force_on",
    "load_notes",
    "notes_for",
    "version_note",
]

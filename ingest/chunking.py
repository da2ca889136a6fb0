"""Structure-aware chunking: paragraphs packed into chunks that never cross a section.

Why these rules:
- A chunk never spans two top-level paragraphs ("(a)" and "(b)") or two headed parts, so its
  citation is exact and a legal reviewer finds the quote where the citation says.
- Every chunk, with the citation/title prefix embedded in front of it, fits the model's 256
  wordpiece tokens; the model silently drops anything longer, so that tail would be unfindable.
- Splits fall between paragraphs, else between sentences, else between clauses, else between
  words, so a quoted phrase is never cut in half.
- Offsets index the stored document text: `doc.text[start:end] == chunk.text` always.
- A chunk whose text a legal-status note affects (a stay of the paragraph it quotes, an amendment
  the section's text does not include) carries that note in `status_notes`, so wherever the
  chunk is cited the note can be shown (`assistant.status.notes_for`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from assistant.models import Chunk
from assistant.status import dump_notes
from assistant.text import SENTENCE_END, boundaries, rstrip_end
from ingest.documents import Document, Section
from ingest.structure import common_citation

TokenCounter = Callable[[Sequence[str]], list[int]]
"""Counts model tokens of each text, without the [CLS]/[SEP] the model adds."""

SPECIAL_TOKENS = 2
_PREFIX_CHARS = 200

_CLAUSE_END = re.compile(r"[;:][\"”’)\]]*\s+")
_COMMA = re.compile(r",\s+")
_WORD_GAP = re.compile(r"\s+")


@dataclass(frozen=True)
class _Unit:
    """A piece of one section: the section itself, or a sentence/clause of it when too long."""

    start: int
    end: int
    section: Section
    tokens: int


def _split_span(
    text: str, start: int, end: int, budget: int, count: TokenCounter
) -> list[tuple[int, int, int]]:
    """Split [start, end) into pieces of at most `budget` tokens at the gentlest boundary."""
    for pattern in (SENTENCE_END, _CLAUSE_END, _COMMA, _WORD_GAP):
        cuts = boundaries(text, start, end, pattern)
        if not cuts:
            continue
        edges = [start, *cuts, end]
        pieces = [(a, b) for a, b in zip(edges, edges[1:], strict=False)]
        pieces = [(a, rstrip_end(text, a, b)) for a, b in pieces]
        tokens = count([text[a:b] for a, b in pieces])
        out: list[tuple[int, int, int]] = []
        for (a, b), n in zip(pieces, tokens, strict=True):
            if n > budget:
                out.extend(_split_span(text, a, b, budget, count))
            else:
                out.append((a, b, n))
        return _pack_pieces(text, out, budget)
    # A single "word" longer than the budget (a URL, a table row): cut by characters.
    if end - start <= 1:
        return [(start, end, count([text[start:end]])[0])]
    half = (start + end) // 2
    halves: list[tuple[int, int, int]] = []
    for a, b in ((start, half), (half, end)):
        n = count([text[a:b]])[0]
        halves.extend([(a, b, n)] if n <= budget else _split_span(text, a, b, budget, count))
    return _pack_pieces(text, halves, budget)


def _pack_pieces(
    text: str, pieces: list[tuple[int, int, int]], budget: int
) -> list[tuple[int, int, int]]:
    """Re-join consecutive small pieces (sentences) of one section while they fit the budget."""
    packed: list[tuple[int, int, int]] = []
    for a, b, n in pieces:
        if packed and packed[-1][2] + n <= budget:
            pa, _, pn = packed[-1]
            packed[-1] = (pa, b, pn + n)
        else:
            packed.append((a, b, n))
    return packed


def embed_prefix(doc: Document, citation: str, heading: str) -> str:
    """Context embedded in front of a chunk (not part of the quote): where the text comes from."""
    title = str(doc.metadata.get("title") or "")
    parts = [citation]
    if title and title not in citation:
        parts.append(title)
    if heading and heading not in title and heading not in citation:
        parts.append(heading)
    prefix = " — ".join(p for p in parts if p)
    return prefix[:_PREFIX_CHARS]


def _group_key(section: Section) -> tuple[str, ...]:
    return section.path[:2]


def chunk_document(
    doc: Document, count: TokenCounter, max_tokens: int = 256, target_tokens: int = 230
) -> list[Chunk]:
    """Cut one document into chunks; see the module docstring for the rules."""
    sections = [s for s in doc.sections if s.end > s.start] or [
        Section(
            start=0, end=len(doc.text), citation=str(doc.metadata.get("citation") or doc.doc_id)
        )
    ]
    section_tokens = count([doc.text[s.start : s.end] for s in sections])
    prefixes = {s.citation: embed_prefix(doc, s.citation, s.heading) for s in sections}
    prefix_tokens = dict(zip(prefixes, count(list(prefixes.values())), strict=True))
    chunks: list[Chunk] = []
    group: list[_Unit] = []

    def flush() -> None:
        if group:
            chunks.extend(_pack(doc, group, count, max_tokens, target_tokens))
            group.clear()

    previous_key: tuple[str, ...] | None = None
    for section, n in zip(sections, section_tokens, strict=True):
        key = _group_key(section)
        if key != previous_key:
            flush()
            previous_key = key
        budget = max_tokens - SPECIAL_TOKENS - prefix_tokens[section.citation] - 1
        if n <= budget:
            group.append(_Unit(section.start, section.end, section, n))
        else:
            for a, b, pn in _split_span(doc.text, section.start, section.end, budget, count):
                group.append(_Unit(a, b, section, pn))
    flush()
    return _with_notes(doc, _enforce_limit(doc, chunks, count, max_tokens))


def _with_notes(doc: Document, chunks: list[Chunk]) -> list[Chunk]:
    """Each chunk with the notes that touch its span (the note itself, or text it affects)."""
    if not doc.notes:
        return chunks
    out: list[Chunk] = []
    for chunk in chunks:
        value = dump_notes(n for n in doc.notes if n.touches(chunk.start, chunk.end))
        out.append(
            replace(chunk, metadata={**chunk.metadata, "status_notes": value}) if value else chunk
        )
    return out


def _pack(
    doc: Document, units: list[_Unit], count: TokenCounter, max_tokens: int, target_tokens: int
) -> list[Chunk]:
    out: list[Chunk] = []
    current: list[_Unit] = []
    total = 0
    for unit in units:
        # Pieces of an over-long section stay alone: they were sized to the limit already.
        if current and (total + unit.tokens > target_tokens or unit.tokens > target_tokens):
            out.append(_make_chunk(doc, current))
            current, total = [], 0
        current.append(unit)
        total += unit.tokens
    if current:
        out.append(_make_chunk(doc, current))
    return out


def _make_chunk(doc: Document, units: list[_Unit]) -> Chunk:
    start, end = units[0].start, units[-1].end
    text = doc.text[start:end]
    sections = [u.section for u in units]
    citation = common_citation(sections)
    first = sections[0]
    common = list(first.path)
    for s in sections[1:]:
        n = 0
        while n < min(len(common), len(s.path)) and common[n] == s.path[n]:
            n += 1
        common = common[:n]
    section_path = tuple(common) or first.path[:1]
    return Chunk(
        chunk_id=Chunk.make_id(doc.doc_id, start, end, text),
        doc_id=doc.doc_id,
        text=text,
        start=start,
        end=end,
        citation=citation,
        section_path=section_path,
        metadata=dict(doc.metadata),
        embed_text=f"{embed_prefix(doc, citation, first.heading)}\n{text}",
    )


def _enforce_limit(
    doc: Document, chunks: list[Chunk], count: TokenCounter, max_tokens: int
) -> list[Chunk]:
    """Check every chunk with the real tokenizer; split any that still overflow (defensive)."""
    sizes = count([c.embed_text for c in chunks])
    if all(n + SPECIAL_TOKENS <= max_tokens for n in sizes):
        return chunks
    out: list[Chunk] = []
    for chunk, n in zip(chunks, sizes, strict=True):
        if n + SPECIAL_TOKENS <= max_tokens:
            out.append(chunk)
            continue
        prefix = chunk.embed_text[: len(chunk.embed_text) - len(chunk.text)]
        budget = max_tokens - SPECIAL_TOKENS - count([prefix])[0] - 8
        for a, b, _ in _split_span(doc.text, chunk.start, chunk.end, budget, count):
            piece = doc.text[a:b]
            out.append(
                Chunk(
                    chunk_id=Chunk.make_id(doc.doc_id, a, b, piece),
                    doc_id=doc.doc_id,
                    text=piece,
                    start=a,
                    end=b,
                    citation=chunk.citation,
                    section_path=chunk.section_path,
                    metadata=chunk.metadata,
                    embed_text=prefix + piece,
                )
            )
    return out

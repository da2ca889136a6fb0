"""The answer as Markdown for chat UIs, written as it streams.

Chat UIs render the message content as Markdown, where single newlines join lines into one
paragraph and a line of document text can turn into a heading, a link or HTML. So the answer's
lines become paragraphs (blank lines between them), its `- ` lines stay one list, the lead
(the bottom line, when the Answer has one) is bold, and a numbered "Sources" list follows with
a link to each official source. A quote the answer already shows is not repeated there.

Document text is data (ARCHITECTURE.md, invariant 6): the only links are the checked `http(s)`
source URLs written here; in the text, `<` and the openings of `](`, `![` and of block
markup at a line's start are escaped. The writer works character by character with one
character of memory, so the same text gives the same Markdown however it is split into
deltas: a streamed completion assembles exactly the plain one.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote as url_quote

from assistant.answering.quotes import is_shown
from assistant.models import Answer, Citation

_BLOCK_START = "#>=+|"  # a line starting with one of these would become a block construct
_QUOTES = "\"'“”‘’«»"


def _escape_char(c: str, prev: str) -> str:
    if c == "<":
        return "\\<"
    if c == "(" and prev == "]":
        return "\\("
    if c == "[" and prev == "!":
        return "\\["
    return c


def _escape_text(text: str) -> str:
    out, prev = [], ""
    for c in text:
        out.append(_escape_char(c, prev))
        prev = c
    return "".join(out)


class MarkdownWriter:
    """Turns the answer's text deltas into Markdown pieces, line by line as they complete."""

    def __init__(self) -> None:
        self.started = False  # any text emitted
        self._head = ""  # the first characters of the current line, until its kind is known
        self._at_line_start = True
        self._newlines = 0  # newlines seen since the last emitted text
        self._prev_kind = ""  # "item" or "para": the kind of the last line begun
        self._prev = ""  # the last character emitted (for the two-character escapes)
        self._lead_checked = False  # the lead is applied to the first text only

    def note(self, text: str) -> Iterator[str]:
        """A remark of ours before the answer, in italics, as its own paragraph."""
        if text.strip():
            checked, self._lead_checked = self._lead_checked, True
            yield from self.feed(f"_{' '.join(text.split())}_\n\n")
            self._lead_checked = checked

    def feed(self, delta: str, lead: str = "") -> Iterator[str]:
        """Markdown for `delta`: one piece per line begun (a long line goes out as it comes).
        `lead` (known before anything was sent) is made bold, or put first when absent."""
        if not self._lead_checked and delta.strip():
            self._lead_checked = True
            delta = _with_bold_lead(delta, lead) if lead.strip() else delta
        piece: list[str] = []
        for c in delta:
            if c == "\n":
                self._end_head(piece)
                self._newlines += 1
                self._at_line_start = True
                continue
            if self._at_line_start:
                if not self._head and c in " \t":
                    continue  # leading spaces would make an indented code block
                self._head += c
                if len(self._head) < 2:
                    continue
                if piece:
                    yield "".join(piece)
                    piece = []
                self._begin_line(piece)
                continue
            piece.append(_escape_char(c, self._prev))
            self._prev = c
        if piece:
            yield "".join(piece)

    def close(self) -> Iterator[str]:
        """Whatever the last line still holds."""
        piece: list[str] = []
        self._end_head(piece)
        if piece:
            yield "".join(piece)

    def _end_head(self, piece: list[str]) -> None:
        if self._at_line_start and self._head:
            self._begin_line(piece)

    def _begin_line(self, piece: list[str]) -> None:
        head, self._head = self._head, ""
        kind = "item" if head[:2] in ("- ", "* ") else "para"
        if self.started:
            together = kind == "item" and self._prev_kind == "item" and self._newlines == 1
            piece.append("\n" if together else "\n\n")
        if kind == "para" and head[0] in _BLOCK_START:
            piece.append("\\")
        for c in head:
            piece.append(_escape_char(c, self._prev))
            self._prev = c
        self.started = True
        self._at_line_start = False
        self._newlines = 0
        self._prev_kind = kind


def _with_bold_lead(text: str, lead: str) -> str:
    """The lead in bold where the first line has it, or first in bold when the text lacks it."""
    lead = lead.replace("**", "").strip()
    first = text.split("\n", 1)[0]
    if "**" in first or not lead:
        return text  # already marked up by the composer
    if lead in first:
        return text.replace(lead, f"**{lead}**", 1)
    if lead not in text:
        return f"**{lead}**\n\n{text}"
    return text


def _flat(text: str) -> str:
    return " ".join(text.split())


def _link(label: str, url: str | None) -> str:
    label = label.replace("[", "(").replace("]", ")")
    text = _escape_text(label)
    if not url or not url.startswith(("http://", "https://")):
        return text
    return f"[{text}]({url_quote(url, safe=':/?#@!$&*+,;=%~.-_')})"


def _same(a: str, b: str) -> bool:
    return _flat(a).casefold().rstrip(".") == _flat(b).casefold().rstrip(".")


def _document_line(group: list[Citation], shown: str) -> Iterator[str]:
    """One Sources item per document: its [n] markers, each citation linked to the source, the
    title when it says more than the citation, the date, "(secondary)" for news; then, nested,
    each quote the answer text does not already show."""
    labels: dict[str, list[Citation]] = {}
    for c in group:
        labels.setdefault(" ".join((c.citation or c.title).split()), []).append(c)
    named = ", ".join(
        " ".join(f"[{c.n}]" for c in cs) + " " + _link(label, cs[0].source_url)
        for label, cs in labels.items()
    )
    first = group[0]
    line = [f"\n- {named}"]
    if first.title and not any(_same(first.title, label) for label in labels):
        line.append(f" — {_escape_text(_flat(first.title))}")
    if first.date:
        line.append(f", {first.date}")
    if first.secondary:
        line.append(" (secondary)")
    yield "".join(line)
    for c in group:
        quote = _flat(c.quote)
        if quote and not is_shown(quote, shown):
            yield f"\n  - [{c.n}] “{_escape_text(quote.strip(_QUOTES))}”"


def sources(answer: Answer, shown: str) -> Iterator[str]:
    """The Sources list, one piece per line; `shown` is the answer text the reader already has
    (its quotes are not repeated). Screening-list entries first, then one item per document."""
    hits = answer.screening.hits if answer.screening else []
    if not answer.citations and not hits:
        return
    yield "\n\n**Sources**\n"
    for hit in hits:
        version = answer.screening.list_version if answer.screening else ""
        label = _link(hit.source, hit.source_url)
        yield f"\n- [{hit.ref}] {label} — {_escape_text(hit.name)} (list version {version})"
    documents: dict[str, list[Citation]] = {}
    for c in answer.citations:
        documents.setdefault(c.doc_id, []).append(c)
    flat = _flat(shown)
    for group in documents.values():
        yield from _document_line(group, flat)

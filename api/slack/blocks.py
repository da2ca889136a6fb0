"""Block Kit for what the bot posts: an answer (rich text, sources, buttons) and a passage.

Answer text and quotes go out as `rich_text`, which Slack shows character for character: text
from documents or a model is never a link, a mention or formatting there. Everything else that
carries such text (the sources list, a passage's heading) is escaped mrkdwn sent `verbatim`, and
its only links are the bot's own, to safe URLs (`mrkdwn.py`).
"""

from __future__ import annotations

import re
from typing import Any

from api.slack.mrkdwn import clip, escape, mrkdwn, mrkdwn_link, to_mrkdwn
from api.slack.passages import passage_value
from assistant.models import NOT_COVERED, Answer, Citation

SHOW_PASSAGE = "tpa_show_passage"
FEEDBACK_UP = "tpa_feedback_up"
FEEDBACK_DOWN = "tpa_feedback_down"
SHARE = "tpa_share"
SECTION_LIMIT = 2900  # Slack allows 3,000 characters per section block
VALUE_LIMIT = 2000  # Slack's limit for a button's value
TEXT_LIMIT = 39000  # of a message's plain `text`

_BULLET = re.compile(r"^([ \t]*)[-*•][ \t]+(.*)$")
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+)$")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")


def _styled(line: str, bold: bool = False) -> list[dict[str, Any]]:
    """A line as rich text elements: the text exactly as written; only `**x**`/`__x__` (how a
    model marks emphasis) become bold."""
    out: list[dict[str, Any]] = []
    pos = 0
    for found in _BOLD.finditer(line):
        if found.start() > pos:
            out.append(_text(line[pos : found.start()], bold))
        out.append(_text(found.group(1) or found.group(2), True))
        pos = found.end()
    if pos < len(line):
        out.append(_text(line[pos:], bold))
    return out


def _text(text: str, bold: bool = False) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "text", "text": text}
    if bold:
        element["style"] = {"bold": True}
    return element


def _line_element(line: str) -> dict[str, Any]:
    """One line of answer text as a rich text element: a bullet item, a bold heading, or text."""
    bullet, heading = _BULLET.match(line), _HEADING.match(line)
    if bullet and bullet.group(2).strip():
        indent = min(len(bullet.group(1).expandtabs(4)) // 2, 8)
        item = {"type": "rich_text_section", "elements": _styled(bullet.group(2))}
        return {"type": "rich_text_list", "style": "bullet", "indent": indent, "elements": [item]}
    if heading:
        return {"type": "rich_text_section", "elements": _styled(heading.group(1), bold=True)}
    return {"type": "rich_text_section", "elements": _styled(line) or [_text(" ")]}


def _append(elements: list[dict[str, Any]], element: dict[str, Any]) -> None:
    """Add a line's element, continuing the previous list (same indent) or paragraph."""
    last = elements[-1] if elements else None
    if last is None or last["type"] != element["type"]:
        elements.append(element)
    elif element["type"] == "rich_text_list" and last["indent"] == element["indent"]:
        last["elements"] += element["elements"]
    elif element["type"] == "rich_text_section":
        last["elements"] += [_text("\n"), *element["elements"]]
    else:
        elements.append(element)


def rich_text_blocks(text: str, limit: int = SECTION_LIMIT) -> list[dict[str, Any]]:
    """Answer text as `rich_text` blocks, which Slack shows character for character: a quoted
    `<https://x|BIS>`, `[label](url)`, `<!channel>` or `*x*` is text, never a link, a mention or
    formatting. Only the answer's own Markdown structure is kept: bullets, headings, bold. Each
    block holds at most `limit` characters, as the section blocks this replaced did."""
    blocks: list[dict[str, Any]] = []
    elements: list[dict[str, Any]] = []
    size = 0
    for line in text.splitlines():
        for piece in [line[i : i + limit] for i in range(0, len(line), limit)] or [""]:
            if elements and size + len(piece) > limit:
                blocks.append({"type": "rich_text", "elements": elements})
                elements, size = [], 0
            _append(elements, _line_element(piece))
            size += len(piece) + 1
    if elements:
        blocks.append({"type": "rich_text", "elements": elements})
    return blocks or [{"type": "rich_text", "elements": [_line_element("")]}]


def source_line(c: Citation) -> str:
    """One entry of the sources list: citation, title and date escaped (they come from the
    document's metadata), news marked secondary (context, not authority), and a link only the
    bot makes, only to a safe URL."""
    line = f"*[{c.n}]* {escape(clip(c.citation))}"
    if c.title:
        line += f" — {escape(clip(c.title))}"
    if c.date:
        line += f" ({escape(clip(c.date, 40))})"
    if c.secondary:
        line += " · _secondary source_"
    link = mrkdwn_link(c.source_url, "official source")
    if link:
        line += f" · {link}"
    return line


def answer_blocks(answer: Answer, key: str, shareable: bool = False) -> list[dict[str, Any]]:
    """Block Kit for an answer: the text, its sources with "Show passage", feedback buttons."""
    body = (answer.answer or NOT_COVERED) if answer.abstained else answer.answer
    blocks = rich_text_blocks(body)
    if answer.citations and not answer.abstained:
        blocks.append({"type": "context", "elements": [mrkdwn("*Sources*")]})
        for c in answer.citations:
            block: dict[str, Any] = {"type": "section", "text": mrkdwn(source_line(c))}
            value = passage_value(c.chunk_id, c.start, c.end, c.doc_id)
            if len(value) <= VALUE_LIMIT:
                block["accessory"] = {
                    "type": "button",
                    "action_id": SHOW_PASSAGE,
                    "text": {"type": "plain_text", "text": "Show passage"},
                    "value": value,
                }
            blocks.append(block)
    buttons: list[dict[str, Any]] = [
        {"type": "button", "action_id": FEEDBACK_UP, "value": key,
         "text": {"type": "plain_text", "text": "👍"}},
        {"type": "button", "action_id": FEEDBACK_DOWN, "value": key,
         "text": {"type": "plain_text", "text": "👎"}},
    ]  # fmt: skip
    if shareable:
        buttons.append(
            {"type": "button", "action_id": SHARE, "value": key, "style": "primary",
             "text": {"type": "plain_text", "text": "Share in channel"}}
        )  # fmt: skip
    blocks.append({"type": "actions", "elements": buttons})
    return blocks


def fallback_text(answer: Answer) -> str:
    """The message's plain `text` (notifications, and the answer a later turn sees): escaped,
    with no links (see `to_mrkdwn`)."""
    return (escape(answer.answer) if answer.abstained else to_mrkdwn(answer.answer))[:TEXT_LIMIT]


def passage_message(
    cite: str, title: str, doc_id: str, start: int, end: int, quote: str
) -> tuple[str, list[dict[str, Any]]]:
    """(text, blocks) showing a stored passage: an escaped heading naming where it is, and the
    quote as rich text, exactly as stored."""
    head = f"*{escape(clip(cite))}*" + (f" — {escape(clip(title))}" if title else "")
    head += f"  `{escape(clip(doc_id))}` [{start}:{end}]"
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": mrkdwn(head)},
        {"type": "rich_text", "elements": [
            {"type": "rich_text_quote", "elements": [{"type": "text", "text": quote}]}]},
    ]  # fmt: skip
    return f"{head}\n>{escape(quote)}", blocks

"""Slack mrkdwn going out: escaping, `verbatim` text objects, and the only links the bot makes.

Text from documents, their metadata, the screening list, a model or a user is never Slack markup:
it is escaped (Slack's three control characters) and sent `verbatim`, so Slack makes no links or
mentions of its own, and the only links in a message are the ones built here, to http(s) URLs
with a host (`mrkdwn_link`). Answer text itself goes out as rich text (`blocks.py`).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

LABEL_LIMIT = 300  # a citation or title longer than this is cut in the sources list
URL_LIMIT = 2000


def escape(text: str) -> str:
    """Slack's three control characters; anything else is shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_mrkdwn(markdown: str) -> str:
    """Markdown (as an LLM writes it) to Slack mrkdwn for the message's fallback text; [n]
    markers stay as they are. A Markdown link `[label](url)` stays text: the answer mixes a
    model's words with quotes from documents, and neither may make a link that hides its target
    (`[official BIS portal](https://elsewhere)`)."""
    text = escape(markdown)
    text = re.sub(r"\*\*(.+?)\*\*", r"*\1*", text)
    text = re.sub(r"__(.+?)__", r"*\1*", text)
    text = re.sub(r"^#{1,6}\s+(.+)$", r"*\1*", text, flags=re.M)
    return re.sub(r"^(\s*)[*-]\s+", r"\1• ", text, flags=re.M)


def mrkdwn(text: str) -> dict[str, Any]:
    """A mrkdwn text object sent `verbatim`: Slack then does not turn bare URLs, channel names
    or @mentions in the text into links of its own (text from documents reaches these too)."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def safe_url(url: str | None) -> str | None:
    """`url` if it may become a link: http(s), a host, no user part (`https://bis.gov@evil`),
    no spaces, control characters or backslashes; otherwise None, and it is not linked.

    Ingest checks source URLs too; this is the last line, for anything stored before that."""
    if not url or len(url) > URL_LIMIT or not url.isascii():
        return None
    if any(ch <= " " or ch in "\x7f\\" for ch in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    if parts.username is not None or parts.password is not None:
        return None
    return url


def mrkdwn_link(url: str | None, label: str) -> str | None:
    """`<url|label>` for a safe URL (None otherwise). `|`, `<` and `>` cannot end the URL or
    the label early: in the URL they are percent-encoded, in the label escaped or replaced."""
    good = safe_url(url)
    if good is None:
        return None
    for ch, code in (("|", "%7C"), ("<", "%3C"), (">", "%3E")):
        good = good.replace(ch, code)
    return f"<{good.replace('&', '&amp;')}|{escape(label).replace('|', '¦')}>"


def clip(text: str, limit: int = LABEL_LIMIT) -> str:
    """`text` cut to `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"

"""The Slack bot (slack_bolt): @mentions, thread follow-ups, direct messages and `/tpa`.

One bolt `App` serves both transports: `mount_slack()` adds POST /slack/events to the FastAPI app
(events, the slash command and button clicks all arrive there, signed), `run_socket_mode()`
connects out to Slack instead, for hosts without a public URL.

Slack gives an app 3 seconds to acknowledge and retries what is not acknowledged, so every
listener acks at once and answers in a bolt lazy listener (a background thread). A retry
(X-Slack-Retry-Num) is acknowledged and dropped, and event ids are de-duplicated as well: an answer
is never posted twice. Follow-ups in a thread are answered with the thread's earlier turns,
rebuilt from `conversations.replies`, so they survive a restart and work across replicas.

"Show passage" never trusts text carried by the button: it re-reads the stored document at the
span the button names, and only while the cited chunk is still stored as it was (same chunk id,
same text at the same offsets, same document version); after a re-ingest that changed it, the
reviewer is told the passage changed instead of being shown new text under the old citation.

Text from documents, their metadata, the screening list, a model or a user is never Slack markup:
answers and quotes go out as `rich_text` (shown character for character: no links, mentions or
formatting), other such text is escaped and sent `verbatim`, and the only links in a message are
the ones the bot builds itself, to http(s) URLs with a host (`mrkdwn_link`).

Access follows the channel: `TPA_SLACK_CHANNEL_GROUPS` maps a channel id to the groups its members
may read (anything else gets `TPA_SLACK_DEFAULT_GROUPS`), because everyone in a channel sees a
reply posted there. Passages and shared answers are checked against the channel they land in.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from slack_bolt import App, BoltContext, BoltResponse, Respond
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk import WebClient
from starlette.concurrency import run_in_threadpool

from api.deps import app_assistant
from assistant.access import Caller
from assistant.answering.service import (
    MAX_TURNS,
    Assistant,
    QuestionError,
    Turn,
    rewrite_deterministic,
)
from assistant.config import Settings
from assistant.index.store import StoredDocument
from assistant.models import NOT_COVERED, Answer, Citation

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong answering that; the error was logged."
PASSAGE_GONE = "That passage is no longer in the corpus."
PASSAGE_CHANGED = (
    "That passage has changed since this answer was given (the document was updated), so it is "
    "not shown under the old citation. Ask again to get an answer from the current text."
)
WORKING = "Looking that up…"
ASK_HINT = "Ask me a question about export controls, e.g. _Is Huawei on the Entity List?_"
SHOW_PASSAGE = "tpa_show_passage"
FEEDBACK = re.compile(r"^tpa_feedback_(up|down)$")
SHARE = "tpa_share"
META_EVENT = "tpa_answer"
SECTION_LIMIT = 2900  # Slack allows 3,000 characters per section block
VALUE_LIMIT = 2000  # Slack's limit for a button's value
SEEN_MAX = 5000
ANSWERS_KEPT = 1000
LABEL_LIMIT = 300  # a citation or title longer than this is cut in the sources list
URL_LIMIT = 2000
MAX_SKEW_S = 300  # Slack's rule: a signed request older (or newer) than 5 minutes is refused

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]+))?>")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII digits only: int() would take "１２" or " 12"
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_BULLET = re.compile(r"^([ \t]*)[-*•][ \t]+(.*)$")
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+)$")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")


# ---- text and blocks ------------------------------------------------------------------------


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


def _clip(text: str, limit: int = LABEL_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


_AS_OF = re.compile(r"[,;(]?\s*\bas (?:of|at) (\d{4}-\d{2}-\d{2})\b\)?[,;:]?", re.I)


def split_as_of(question: str) -> tuple[str, date | None]:
    """ "Was a licence needed as of 2019-11-20?" -> the question without the phrase, and the date.

    A phrase naming an impossible date is left in the question (and answered as written)."""
    found = _AS_OF.search(question)
    if not found:
        return question, None
    try:
        when = date.fromisoformat(found.group(1))
    except ValueError:
        return question, None
    rest = question[: found.start()] + " " + question[found.end() :]
    rest = " ".join(rest.split())
    return re.sub(r"\s+([?.!])", r"\1", rest), when


def question_text(slack_text: str) -> str:
    """The question in a Slack message: mentions removed, links and entities back to text."""
    text = _MENTION.sub(" ", slack_text or "")
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def passage_value(chunk_id: str, start: int, end: int, doc_id: str) -> str:
    return f"{chunk_id}|{start}|{end}|{doc_id}"


def passage_unchanged(
    stored: StoredDocument, chunk: tuple[str, dict[str, Any]] | None, start: int, end: int
) -> bool:
    """Whether [start:end] of the stored document is still the text the answer cited.

    The button names the cited chunk, whose id is a hash of its document, offsets and text
    (`Chunk.make_id`). So the span is unchanged exactly when that chunk is still stored, for this
    document, around the span, with its text at its offsets in the stored document, written for
    the document version the ledger holds (`doc_hash`; differs half-way through a re-ingest).
    Anything else, and the document changed since: its new text there is not what was cited."""
    if chunk is None:
        return False
    text, meta = chunk
    try:
        chunk_start, chunk_end = int(meta["start"]), int(meta["end"])
    except (KeyError, TypeError, ValueError):
        return False
    doc_hash, version = meta.get("doc_hash"), stored.metadata.get("content_hash")
    return (
        str(meta.get("doc_id", "")) == stored.doc_id
        and 0 <= chunk_start <= start < end <= chunk_end
        and stored.text[chunk_start:chunk_end] == text
        and not (doc_hash and version and doc_hash != version)
    )


def parse_passage_value(value: str) -> tuple[str, int, int, str]:
    chunk_id, start, end, doc_id = value.split("|", 3)
    return chunk_id, int(start), int(end), doc_id


def source_line(c: Citation) -> str:
    """One entry of the sources list: citation, title and date escaped (they come from the
    document's metadata), and a link only the bot makes, only to a safe URL."""
    line = f"*[{c.n}]* {escape(_clip(c.citation))}"
    if c.title:
        line += f" — {escape(_clip(c.title))}"
    if c.date:
        line += f" ({escape(_clip(c.date, 40))})"
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
        {"type": "button", "action_id": "tpa_feedback_up", "value": key,
         "text": {"type": "plain_text", "text": "👍"}},
        {"type": "button", "action_id": "tpa_feedback_down", "value": key,
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
    return (escape(answer.answer) if answer.abstained else to_mrkdwn(answer.answer))[:39000]


def thread_turns(
    messages: list[dict[str, Any]], current_ts: str, bot_user_id: str | None, bot_id: str | None
) -> list[Turn]:
    """The conversation so far in a thread: each user question paired with the bot's answer.

    The standalone question comes from the answer's message metadata when Slack returns it, else
    it is rebuilt the deterministic way, which is all retrieval needs."""
    turns: list[Turn] = []
    pending: str | None = None
    for m in sorted(messages, key=lambda m: float(m.get("ts", 0))):
        if float(m.get("ts", 0)) >= float(current_ts):
            break
        ours = (bot_user_id and m.get("user") == bot_user_id) or (
            bot_id and m.get("bot_id") == bot_id
        )
        if ours:
            if pending:
                payload = (m.get("metadata") or {}).get("event_payload") or {}
                standalone = payload.get("standalone") or rewrite_deterministic(pending, turns)
                turns.append(Turn(pending, str(standalone), question_text(m.get("text", ""))))
            pending = None
        elif not m.get("bot_id") and m.get("subtype") in (None, "thread_broadcast"):
            pending = question_text(m.get("text", "")) or pending
    return turns[-MAX_TURNS:]


# ---- bounded memory ---------------------------------------------------------------------------


class _Seen:
    """Event ids already handled: a bounded set, so duplicates are dropped without growing."""

    def __init__(self, size: int = SEEN_MAX) -> None:
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def first_time(self, *keys: str) -> bool:
        with self._lock:
            if any(k in self._keys for k in keys):
                return False
            for k in keys:
                self._keys[k] = None
            while len(self._keys) > self._size:
                self._keys.popitem(last=False)
            return True


@dataclass(frozen=True)
class _Given:
    question: str
    answer: Answer
    conversation_id: str
    groups: tuple[str, ...] = ("public",)


# ---- the bot ----------------------------------------------------------------------------------


class SlackBot:
    """The bolt App and its listeners; `assistant()` is looked up per request."""

    def __init__(
        self, settings: Settings, assistant: Callable[[], Assistant], socket_mode: bool = False
    ) -> None:
        assert settings.slack_bot_token is not None
        self.settings = settings
        self.assistant = assistant
        self._seen = _Seen()
        self._given: OrderedDict[str, _Given] = OrderedDict()
        self._lock = threading.Lock()
        secret = settings.slack_signing_secret
        self.app = App(
            client=WebClient(
                token=settings.slack_bot_token.get_secret_value(),
                base_url=settings.slack_api_url,
            ),
            signing_secret=secret.get_secret_value() if secret else "",
            # auth.test runs on the first request, so start-up never waits on Slack.
            token_verification_enabled=False,
            request_verification_enabled=not socket_mode,
            listener_executor=ThreadPoolExecutor(max_workers=8, thread_name_prefix="slack"),
        )
        self.app.middleware(self._drop_repeats)
        self.app.event("app_mention")(ack=_ack, lazy=[self.on_mention])
        self.app.event("message")(ack=_ack, lazy=[self.on_message])
        self.app.command("/tpa")(ack=_ack_command, lazy=[self.on_command])
        self.app.action(SHOW_PASSAGE)(ack=_ack, lazy=[self.on_show_passage])
        self.app.action(FEEDBACK)(ack=_ack, lazy=[self.on_feedback])
        self.app.action(SHARE)(ack=_ack, lazy=[self.on_share])

    # -- middleware: never answer twice
    def _drop_repeats(
        self, request: Any, body: dict[str, Any], next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        retry = (request.headers.get("x-slack-retry-num") or [None])[0]
        if retry:
            log.info("slack: retry %s acknowledged and ignored", retry)
            return BoltResponse(status=200, body="")
        event = body.get("event") or {}
        keys = [f"event:{body['event_id']}"] if body.get("event_id") else []
        if event.get("client_msg_id"):
            keys.append(f"{event.get('type')}:{event['client_msg_id']}")
        if keys and not self._seen.first_time(*keys):
            log.info("slack: duplicate delivery %s ignored", keys[0])
            return BoltResponse(status=200, body="")
        return next()

    def caller(self, channel: str | None, user: str | None) -> Caller:
        """Who is asking, with the groups of the channel the reply will be seen in."""
        groups = self.settings.slack_channel_groups.get(
            channel or "", self.settings.slack_default_groups
        )
        return Caller(f"slack:{user or 'unknown'}", tuple(groups), "slack")

    # -- events
    def on_mention(self, event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        if str(event.get("channel", "")).startswith("D"):
            return  # a mention in a DM also arrives as message.im, which answers it
        self._answer_event(event, context, client, replies=None)

    def on_message(self, event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        if _from_a_bot(event, context) or event.get("subtype") not in (None, "thread_broadcast"):
            return
        if event.get("channel_type") == "im":
            self._answer_event(event, context, client, replies=None)
            return
        thread_ts = event.get("thread_ts")
        if not thread_ts or f"<@{context.bot_user_id}" in event.get("text", ""):
            return  # not in a thread, or a mention (answered by on_mention)
        replies = self._replies(client, event["channel"], thread_ts)
        if any(_is_ours(m, context) for m in replies):
            self._answer_event(event, context, client, replies=replies)

    def _replies(self, client: WebClient, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        got = client.conversations_replies(
            channel=channel, ts=thread_ts, include_all_metadata=True, limit=200
        )
        return list(got.get("messages") or [])

    def _answer_event(
        self,
        event: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        replies: list[dict[str, Any]] | None,
    ) -> None:
        channel, ts = event["channel"], event["ts"]
        thread_ts = event.get("thread_ts")
        is_dm = event.get("channel_type") == "im" or channel.startswith("D")
        reply_ts = thread_ts if is_dm else (thread_ts or ts)
        try:
            history: list[Turn] | None = []
            if thread_ts:
                if replies is None:
                    replies = self._replies(client, channel, thread_ts)
                history = thread_turns(replies, ts, context.bot_user_id, context.bot_id)
                conversation_id = f"slack:{channel}:{thread_ts}"
            elif is_dm:
                history, conversation_id = None, f"slack:{channel}"  # the DM is one conversation
            else:
                conversation_id = f"slack:{channel}:{ts}"
            question, as_of = split_as_of(question_text(event.get("text", "")))
            caller = self.caller(channel, event.get("user"))
            answer = self.assistant().ask(
                question, conversation_id, history=history, caller=caller, as_of=as_of
            )
        except QuestionError:
            client.chat_postMessage(channel=channel, thread_ts=reply_ts, text=ASK_HINT)
            return
        except Exception:
            log.exception("slack: answering %s in %s failed", ts, channel)
            client.chat_postMessage(channel=channel, thread_ts=reply_ts, text=SORRY)
            return
        key = self._keep(question, answer, conversation_id, caller)
        client.chat_postMessage(
            channel=channel,
            thread_ts=reply_ts,
            text=fallback_text(answer),
            blocks=answer_blocks(answer, key),
            metadata={
                "event_type": META_EVENT,
                "event_payload": {"key": key, "standalone": answer.question or question},
            },
            unfurl_links=False,
            unfurl_media=False,
        )

    # -- the slash command
    def on_command(self, command: dict[str, Any], respond: Respond) -> None:
        question = question_text(command.get("text", ""))
        if not question:
            return
        conversation_id = f"slack:{command.get('channel_id')}:cmd:{uuid.uuid4().hex}"
        caller = self.caller(command.get("channel_id"), command.get("user_id"))
        question, as_of = split_as_of(question)
        try:
            answer = self.assistant().ask(
                question, conversation_id, history=[], caller=caller, as_of=as_of
            )
        except QuestionError as exc:
            respond(text=f"{ASK_HINT} ({escape(str(exc))})", response_type="ephemeral",
                    replace_original=False)  # fmt: skip
            return
        except Exception:
            log.exception("slack: /tpa %r failed", question)
            respond(text=SORRY, response_type="ephemeral", replace_original=False)
            return
        key = self._keep(question, answer, conversation_id, caller)
        respond(
            text=fallback_text(answer),
            blocks=answer_blocks(answer, key, shareable=True),
            response_type="ephemeral",
            replace_original=False,
        )

    # -- buttons
    def on_share(self, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        given = self._given.get(action.get("value", ""))
        if given is None:
            respond(text="That answer has expired; ask again to share it.",
                    response_type="ephemeral", replace_original=False)  # fmt: skip
            return
        user = (body.get("user") or {}).get("id")
        here = self.caller(_channel_of(body), user)
        if not set(given.groups) <= set(here.groups or ()):
            respond(text="That answer draws on documents this channel may not see; not shared.",
                    response_type="ephemeral", replace_original=False)  # fmt: skip
            return
        blocks = answer_blocks(given.answer, action["value"])
        who = f"<@{user}>" if user and re.fullmatch(r"[A-Z0-9]{1,40}", user) else "Someone"
        blocks.insert(0, {"type": "context", "elements": [
            mrkdwn(f"{who} asked: {escape(given.question)}")]})  # fmt: skip
        respond(text=fallback_text(given.answer), blocks=blocks, response_type="in_channel",
                replace_original=False)  # fmt: skip

    def on_show_passage(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        try:
            chunk_id, start, end, doc_id = parse_passage_value(action.get("value", ""))
        except ValueError:  # not a value this bot wrote
            self._tell(body, client, respond, PASSAGE_GONE)
            return
        try:
            store = self.assistant().store
            stored = store.get_document(doc_id)
            viewer = self.caller(_channel_of(body), (body.get("user") or {}).get("id"))
            if stored is not None and not viewer.may_read(stored.metadata):
                stored = None  # answered exactly like a passage that does not exist
            if stored is None:
                self._tell(body, client, respond, PASSAGE_GONE)
                return
            chunk = store.get_chunk(chunk_id)
            readable = chunk is not None and viewer.may_read(chunk[1])
            if chunk is None or not readable or not passage_unchanged(stored, chunk, start, end):
                self._tell(body, client, respond, PASSAGE_CHANGED)
                return
            quote = stored.text[start:end]
            cite = str(chunk[1].get("citation") or stored.metadata.get("citation") or doc_id)
            title = str(stored.metadata.get("title") or "")
        except Exception:
            log.exception("slack: show passage %r failed", action.get("value"))
            self._tell(body, client, respond, SORRY)
            return
        head = f"*{escape(_clip(cite))}*" + (f" — {escape(_clip(title))}" if title else "")
        head += f"  `{escape(_clip(doc_id))}` [{start}:{end}]"
        blocks: list[dict[str, Any]] = [
            {"type": "section", "text": mrkdwn(head)},
            {"type": "rich_text", "elements": [
                {"type": "rich_text_quote", "elements": [{"type": "text", "text": quote}]}]},
        ]  # fmt: skip
        self._tell(body, client, respond, f"{head}\n>{escape(quote)}", blocks)

    def on_feedback(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        key = action.get("value", "")
        given = self._given.get(key)
        message = body.get("message") or {}
        record = {
            "time": datetime.now(UTC).isoformat(),
            "vote": "up" if action.get("action_id") == "tpa_feedback_up" else "down",
            "user": (body.get("user") or {}).get("id"),
            "channel": (body.get("channel") or {}).get("id"),
            "question": given.question if given else None,
            "answer": given.answer.answer if given else message.get("text"),
            "abstained": given.answer.abstained if given else None,
            "citations": [c.model_dump() for c in given.answer.citations] if given else [],
            "conversation_id": given.conversation_id if given else None,
            "answer_key": key,
        }
        try:
            path = self.settings.data_dir / "feedback.jsonl"
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
        except Exception:
            log.exception("slack: writing feedback failed")
            self._tell(body, client, respond, SORRY)
            return
        self._tell(body, client, respond, "Thanks for the feedback")

    # -- helpers
    def _keep(self, question: str, answer: Answer, conversation_id: str, caller: Caller) -> str:
        """Remember an answer for its buttons (share, feedback); bounded, newest kept."""
        key = uuid.uuid4().hex[:16]
        groups = caller.groups if caller.groups is not None else ()
        with self._lock:
            self._given[key] = _Given(question, answer, conversation_id, groups)
            while len(self._given) > ANSWERS_KEPT:
                self._given.popitem(last=False)
        return key

    def _tell(
        self,
        body: dict[str, Any],
        client: WebClient,
        respond: Respond,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
    ) -> None:
        """Something only the clicking user sees, next to the message they clicked."""
        container = body.get("container") or {}
        if container.get("is_ephemeral") or not body.get("message"):
            # Ephemeral messages (the slash command's) can only be answered through response_url.
            respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
            return
        message = body["message"]
        client.chat_postEphemeral(
            channel=str(_channel_of(body)),
            user=body["user"]["id"],
            thread_ts=message.get("thread_ts") or container.get("thread_ts"),
            text=text,
            blocks=blocks,
        )


def _channel_of(body: dict[str, Any]) -> str | None:
    """The channel an interaction happened in (block actions carry it in two places)."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    return str(channel) if channel else None


def _ack(ack: Callable[..., Any]) -> None:
    ack()


def _ack_command(ack: Callable[..., Any], command: dict[str, Any]) -> None:
    if question_text(command.get("text", "")):
        ack(text=WORKING, response_type="ephemeral")
    else:
        ack(text=f"Usage: `/tpa <question>`. {ASK_HINT}", response_type="ephemeral")


def _is_ours(message: dict[str, Any], context: BoltContext) -> bool:
    return bool(
        (context.bot_user_id and message.get("user") == context.bot_user_id)
        or (context.bot_id and message.get("bot_id") == context.bot_id)
    )


def _from_a_bot(event: dict[str, Any], context: BoltContext) -> bool:
    return bool(
        event.get("bot_id") or event.get("subtype") == "bot_message" or _is_ours(event, context)
    )


# ---- the two ways to run it -------------------------------------------------------------------


def signed_by_slack(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float | None = None
) -> bool:
    """Slack's v0 signature (HMAC-SHA256 of `v0:TIMESTAMP:BODY`), checked on the raw bytes
    before bolt sees the request: a timestamp that is missing, empty, not ASCII digits (a float,
    a sign, full-width digits), or more than 5 minutes off, or a signature not of the form
    `v0=<64 hex>`, is simply not authentic (401). bolt's own check (slack_sdk) raised on some of
    these instead, which became a 500."""
    if not secret or not timestamp or not signature:
        return False
    if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_SKEW_S:
        return False
    message = b"v0:" + timestamp.encode("ascii") + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def mount_slack(app: FastAPI, settings: Settings) -> None:
    """POST /slack/events on the API app, answering with the app's own Assistant."""
    bot = SlackBot(settings, lambda: app_assistant(app))
    app.state.slack_bot = bot

    secret = settings.slack_signing_secret
    key = secret.get_secret_value() if secret else ""

    @app.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        # Exactly one of each header: with two, bolt might check another value than this check.
        timestamps = request.headers.getlist("x-slack-request-timestamp")
        signatures = request.headers.getlist("x-slack-signature")
        if len(timestamps) != 1 or len(signatures) != 1:
            return JSONResponse({"error": "invalid request"}, status_code=401)
        if not signed_by_slack(key, timestamps[0], signatures[0], body):
            return JSONResponse({"error": "invalid request"}, status_code=401)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:  # signed, so Slack's; it never sends this
            return JSONResponse({"error": "request body is not UTF-8"}, status_code=400)
        # dispatch() verifies the signature, may call auth.test and waits for ack(): a thread.
        bolt_response = await run_in_threadpool(bot.app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

    log.info("Slack bot on: POST /slack/events")


def run_socket_mode(settings: Settings) -> None:
    """Connect to Slack over Socket Mode and answer until interrupted (no public URL needed)."""
    if settings.slack_app_token is None:
        raise ValueError("TPA_SLACK_APP_TOKEN (xapp-...) is not set; Socket Mode needs it")
    if settings.slack_bot_token is None:
        raise ValueError("TPA_SLACK_BOT_TOKEN (xoxb-...) is not set")
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    shared = Assistant(settings)
    bot = SlackBot(settings, lambda: shared, socket_mode=True)
    log.info("Slack bot on: Socket Mode")
    SocketModeHandler(
        bot.app,
        settings.slack_app_token.get_secret_value(),
        web_client=WebClient(base_url=settings.slack_api_url),
    ).start()

"""The Slack bot's listeners (slack_bolt): @mentions, thread follow-ups, direct messages, `/tpa`
and the answer's buttons (Show passage, 👍/👎, Share in channel).

Slack gives an app 3 seconds to acknowledge and retries what is not acknowledged, so every
listener acks at once and answers in a bolt lazy listener (a background thread). A retry
(X-Slack-Retry-Num) is acknowledged and dropped, and deliveries are de-duplicated as well
(`threads.py`): an answer is never posted twice. Follow-ups in a thread are answered with the
thread's earlier turns, read back from Slack. "Show passage" re-reads the stored document and
shows it only while the cited passage is unchanged (`passages.py`).

Access follows the channel: `TPA_SLACK_CHANNEL_GROUPS` maps a channel id to the groups its members
may read (anything else gets `TPA_SLACK_DEFAULT_GROUPS`), because everyone in a channel sees a
reply posted there. Passages and shared answers are checked against the channel they land in.

The same `SlackBot` serves both transports (`transport.py`): HTTP inside the API app, or Socket
Mode.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse, Respond
from slack_sdk import WebClient

from api.slack.blocks import SHARE, SHOW_PASSAGE, answer_blocks, fallback_text, passage_message
from api.slack.feedback import feedback_log, feedback_record
from api.slack.mrkdwn import escape, mrkdwn
from api.slack.passages import parse_passage_value, passage_unchanged
from api.slack.threads import Seen, delivery_keys, question_text, split_as_of, thread_turns
from assistant.access import Caller
from assistant.answering.conversation import QuestionError, Turn
from assistant.answering.service import Assistant
from assistant.config import Settings
from assistant.models import Answer

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong answering that; the error was logged."
PASSAGE_GONE = "That passage is no longer in the corpus."
PASSAGE_CHANGED = (
    "That passage has changed since this answer was given (the document was updated), so it is "
    "not shown under the old citation. Ask again to get an answer from the current text."
)
WORKING = "Looking that up…"
ASK_HINT = "Ask me a question about export controls, e.g. _Is Huawei on the Entity List?_"
FEEDBACK = re.compile(r"^tpa_feedback_(up|down)$")
META_EVENT = "tpa_answer"
ANSWERS_KEPT = 1000


@dataclass(frozen=True)
class _Given:
    """An answer the bot gave, remembered for its buttons (share, feedback)."""

    question: str
    answer: Answer
    conversation_id: str
    groups: tuple[str, ...] = ("public",)


class SlackBot:
    """The bolt App and its listeners; `assistant()` is looked up per request."""

    def __init__(
        self, settings: Settings, assistant: Callable[[], Assistant], socket_mode: bool = False
    ) -> None:
        assert settings.slack_bot_token is not None
        self.settings = settings
        self.assistant = assistant
        self._seen = Seen()
        self._feedback = feedback_log(settings)
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
        keys = delivery_keys(body)
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
        text, blocks = passage_message(cite, title, doc_id, start, end, quote)
        self._tell(body, client, respond, text, blocks)

    def on_feedback(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        given = self._given.get(action.get("value", ""))
        if given is None:
            record = feedback_record(body, action)
        else:
            record = feedback_record(
                body, action, given.question, given.answer, given.conversation_id
            )
        try:
            self._feedback.append(record)
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

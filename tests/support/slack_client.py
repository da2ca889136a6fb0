"""A Slack client for tests: signs requests with the test secret and sends them to a server's
/slack/events as Slack would (events, slash commands, button clicks), and reads what the bot
posted (the blocks' text, the buttons). Used with `tests/support/fake_slack.py`, the Web API
the bot talks back to.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.support.fake_slack import BOT_ID, BOT_USER_ID, TEAM_ID, Call, FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # the signing secret the servers under test get


def sign(raw: str, ts: int | None = None, secret: str = SECRET) -> dict[str, str]:
    ts = int(time.time()) if ts is None else ts
    digest = hmac.new(secret.encode(), f"v0:{ts}:{raw}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def post_json(
    base: str, payload: dict[str, Any], headers: dict[str, str] | None = None, **sign_kw: Any
) -> httpx.Response:
    raw = json.dumps(payload)
    hdrs = {"Content-Type": "application/json", **sign(raw, **sign_kw), **(headers or {})}
    return httpx.post(f"{base}/slack/events", content=raw, headers=hdrs, timeout=10)


def post_form(base: str, fields: dict[str, str]) -> httpx.Response:
    raw = urlencode(fields)
    hdrs = {"Content-Type": "application/x-www-form-urlencoded", **sign(raw)}
    return httpx.post(f"{base}/slack/events", content=raw, headers=hdrs, timeout=10)


def event_callback(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {
        "token": "unused", "team_id": TEAM_ID, "api_app_id": "A0TEST", "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10]}", "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        "event": {"event_ts": event.get("ts"), **event},
    }  # fmt: skip


def mention(fake: FakeSlack, channel: str, question: str, thread_ts: str | None = None) -> dict:
    """A user's @mention: held by the fake (as Slack would) and delivered as app_mention."""
    msg = fake.add_message(
        channel, f"<@{BOT_USER_ID}> {question}", thread_ts=thread_ts,
        client_msg_id=str(uuid.uuid4()),
    )  # fmt: skip
    return {**msg, "type": "app_mention", "channel": channel}


def click(
    base: str, action_id: str, value: str, channel: str, message: dict[str, Any] | None,
    response_url: str, ephemeral: bool = False,
) -> httpx.Response:  # fmt: skip
    payload = {
        "type": "block_actions", "team": {"id": TEAM_ID}, "user": {"id": "UHUMAN"},
        "api_app_id": "A0TEST", "token": "unused", "trigger_id": "1.2.3",
        "channel": {"id": channel}, "response_url": response_url,
        "container": {"type": "message", "channel_id": channel, "is_ephemeral": ephemeral,
                      **({"message_ts": message["ts"]} if message else {})},
        "actions": [{"type": "button", "action_id": action_id, "value": value,
                     "block_id": "b1", "action_ts": str(time.time())}],
    }  # fmt: skip
    if message is not None:
        payload["message"] = message
    return post_form(base, {"payload": json.dumps(payload)})


def buttons(blocks: list[dict[str, Any]], action_id: str) -> list[dict[str, Any]]:
    found = []
    for b in blocks:
        elements = [b["accessory"]] if "accessory" in b else b.get("elements", [])
        found += [e for e in elements if e.get("action_id") == action_id]
    return found


def block_text(blocks: list[dict[str, Any]]) -> str:
    """The text of a message's blocks: mrkdwn as sent, rich text (the answer) as shown."""
    parts = []
    for b in blocks:
        if isinstance(b.get("text"), dict):
            parts.append(b["text"]["text"])
        parts += [e.get("text", "") for e in b.get("elements", []) if e.get("type") == "mrkdwn"]
        if b.get("type") == "rich_text":
            parts.append(_rich_text(b))
    return "\n".join(parts)


def _rich_text(node: Any) -> str:
    if isinstance(node, list):
        return "".join(_rich_text(n) for n in node)
    if node.get("type") == "text":
        return str(node["text"])
    inner = _rich_text(node.get("elements", []))
    return inner + "\n" if node.get("type") == "rich_text_section" else inner


def in_thread(channel: str, ts: str) -> Any:
    return lambda body: body.get("channel") == channel and body.get("thread_ts") == ts


def settle(fake: FakeSlack, base: str, channel: str) -> None:
    """Proof that the bot processed everything sent before: a fresh mention gets its answer.

    Used before asserting that something did *not* happen (a refusal leaves no trace to poll)."""
    event = mention(fake, channel, "What is the Entity List?")
    assert post_json(base, event_callback(event)).status_code == 200
    fake.wait_for("chat.postMessage", in_thread(channel, event["ts"]))
    time.sleep(1.0)


def posted(fake: FakeSlack, post: Call) -> dict[str, Any]:
    """The bot's message as Slack would send it back in an interaction payload."""
    for m in fake.messages[post.body["channel"]]:
        if m.get("bot_id") == BOT_ID and m.get("blocks") == post.body["blocks"]:
            return m
    raise AssertionError("the bot's post is not held by the fake")

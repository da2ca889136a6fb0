"""A real local HTTP server that speaks enough of Slack's Web API to test the bot end to end.

It runs `http.server` in a thread on a free 127.0.0.1 port, so the bot's `slack_sdk.WebClient`
(and bolt's `respond()`) talk to it over real sockets exactly as they would to slack.com. Point
the bot at it with `TPA_SLACK_API_URL=f"{fake.url}/api/"`.

Methods: auth.test, chat.postMessage, chat.postEphemeral, chat.update, conversations.replies
(from the messages it holds per channel: the ones a test injects with `add_message()` and the
bot's own posts), and POST /response_url/<id> for slash-command and button responses. Every call
is recorded (`calls`) with its parsed body, for assertions; `wait_for()` polls with a deadline.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

_CONTROL = re.compile(r"<([^<>]*)>")  # mrkdwn: a link, mention, channel, date, ...
_BARE_URL = re.compile(r"\b[a-z][a-z0-9+.-]*:(?://)?[^\s<>]+", re.I)
_RICH_ACTIVE = {"link", "user", "usergroup", "broadcast", "channel", "team"}

BOT_USER_ID = "UTPABOT"
BOT_ID = "BTPABOT"
TEAM_ID = "T0TEST"


@dataclass
class Call:
    method: str  # "chat.postMessage", ... or "response_url"
    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


class FakeSlack:
    """The fake Web API. Use as a context manager; `url` has no trailing slash."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[str, list[dict[str, Any]]] = {}  # channel -> messages
        self._lock = threading.Lock()
        self._clock = int(time.time())
        self._seq = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle ------------------------------------------------------------------------
    def __enter__(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self)

            def do_POST(self) -> None:
                fake._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def response_url(self, name: str) -> str:
        return f"{self.url}/response_url/{name}"

    # ---- what tests use -------------------------------------------------------------------
    def next_ts(self) -> str:
        with self._lock:
            self._seq += 1
            return f"{self._clock}.{self._seq:06d}"

    def add_message(
        self,
        channel: str,
        text: str,
        user: str = "UHUMAN",
        thread_ts: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """A message as Slack would hold it (what a user typed), for conversations.replies."""
        message = {"type": "message", "user": user, "text": text, "ts": self.next_ts(), **extra}
        if thread_ts:
            message["thread_ts"] = thread_ts
        with self._lock:
            self.messages.setdefault(channel, []).append(message)
        return message

    def find(self, method: str, pred: Callable[[dict[str, Any]], bool] | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and (pred is None or pred(c.body))]

    def wait_for(
        self,
        method: str,
        pred: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 60,
        count: int = 1,
    ) -> list[Call]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.find(method, pred)
            if len(found) >= count:
                return found
            time.sleep(0.1)
        raise AssertionError(
            f"no {method} matching within {timeout} s; calls: {[c.method for c in self.calls]}"
        )

    def wait_for_response(self, name: str, timeout: float = 60) -> Call:
        """The first POST to `response_url(name)`."""
        path = f"/response_url/{name}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = [c for c in self.calls if c.method == "response_url" and c.path == path]
            if found:
                return found[0]
            time.sleep(0.1)
        raise AssertionError(f"nothing posted to {path} within {timeout} s")

    # ---- the server side ------------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        split = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length).decode("utf-8") if length else ""
        body: dict[str, Any] = dict(parse_qsl(split.query))
        if "json" in (h.headers.get("Content-Type") or ""):
            body.update(json.loads(raw or "{}"))
        elif raw:
            body.update(dict(parse_qsl(raw)))
        for key in ("blocks", "metadata"):  # form-encoded calls carry these as JSON strings
            if isinstance(body.get(key), str):
                body[key] = json.loads(body[key])
        if split.path.startswith("/response_url/"):
            self._record("response_url", split.path, body, h)
            self._send(h, 200, "ok", "text/plain")
            return
        if not split.path.startswith("/api/"):
            self._send(h, 404, json.dumps({"ok": False, "error": "unknown_url"}))
            return
        method = split.path.removeprefix("/api/")
        self._record(method, split.path, body, h)
        if h.headers.get("Authorization") != "Bearer xoxb-test":
            self._send(h, 200, json.dumps({"ok": False, "error": "invalid_auth"}))
            return
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        reply = handler(body) if handler else {"ok": False, "error": "unknown_method"}
        self._send(h, 200, json.dumps(reply))

    def _record(self, method: str, path: str, body: dict[str, Any], h: Any) -> None:
        with self._lock:
            self.calls.append(Call(method, path, body, dict(h.headers.items())))

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, text: str, ctype: str = "") -> None:
        data = text.encode("utf-8")
        h.send_response(status)
        h.send_header("Content-Type", ctype or "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    # ---- Web API methods ------------------------------------------------------------------
    def _api_auth_test(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://test.slack.com/", "team": "Test", "user": "tpa",
                "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID}  # fmt: skip

    def _api_chat_postMessage(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = body.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": self.next_ts(),
                   "text": body.get("text", ""), "blocks": body.get("blocks") or []}  # fmt: skip
        if body.get("thread_ts"):
            message["thread_ts"] = body["thread_ts"]
        if body.get("metadata"):
            message["metadata"] = body["metadata"]
        with self._lock:
            self.messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def _api_chat_postEphemeral(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("channel") or not body.get("user"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "message_ts": self.next_ts()}

    def _api_chat_update(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            for m in self.messages.get(body.get("channel", ""), []):
                if m["ts"] == body.get("ts"):
                    m.update({k: body[k] for k in ("text", "blocks") if k in body})
                    return {"ok": True, "channel": body["channel"], "ts": m["ts"]}
        return {"ok": False, "error": "message_not_found"}

    def _api_conversations_replies(self, body: dict[str, Any]) -> dict[str, Any]:
        channel, ts = body.get("channel", ""), body.get("ts")
        with self._lock:
            thread = [
                dict(m)
                for m in self.messages.get(channel, [])
                if m["ts"] == ts or m.get("thread_ts") == ts
            ]
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        if str(body.get("include_all_metadata", "")).lower() not in ("1", "true"):
            for m in thread:
                m.pop("metadata", None)
        thread.sort(key=lambda m: float(m["ts"]))
        return {"ok": True, "messages": thread, "has_more": False}


def _objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every object of a Block Kit tree, parents before their children, in order."""
    if isinstance(node, list):
        for item in node:
            yield from _objects(item)
    elif isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _objects(value)


def active_markup(message: Any) -> list[str]:
    """What Slack would make clickable or notify in a message body (a chat.postMessage body, a
    response_url payload): the `<...>` sequences of its mrkdwn (the top-level `text` and every
    mrkdwn text object), bare URLs in mrkdwn not sent `verbatim` (Slack links those itself), and
    link, mention and broadcast elements of rich text. Text in `rich_text` text elements and
    `plain_text` objects is shown as written, so it is not listed."""
    found: list[str] = []

    def mrkdwn(text: str, verbatim: bool) -> None:
        found.extend(m.group(1) for m in _CONTROL.finditer(text))
        if not verbatim:
            plain = _CONTROL.sub(" ", text)
            found.extend(m.group(0) for m in _BARE_URL.finditer(plain) if "//" in m.group(0))

    if isinstance(message, dict):
        found.extend(m.group(1) for m in _CONTROL.finditer(str(message.get("text") or "")))
        for node in _objects(message.get("blocks") or []):
            kind = node.get("type")
            if kind == "mrkdwn":
                mrkdwn(str(node.get("text", "")), bool(node.get("verbatim")))
            elif kind in _RICH_ACTIVE:
                found.append(
                    f"{kind}:{node.get('url') or node.get('user_id') or node.get('range')}"
                )
    return found


def shown_text(message: Any) -> str:
    """Roughly what a reader sees of a message's blocks: mrkdwn with its links shown by label
    and its entities decoded, rich and plain text as written (one line per text object)."""
    lines: list[str] = []
    for node in _objects(message.get("blocks") or [] if isinstance(message, dict) else []):
        kind = node.get("type")
        if kind == "mrkdwn":
            text = _CONTROL.sub(lambda m: m.group(1).split("|", 1)[-1], str(node.get("text", "")))
            lines.append(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
        elif kind in ("plain_text", "text") and isinstance(node.get("text"), str):
            lines.append(node["text"])
    return "\n".join(lines)

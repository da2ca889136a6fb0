"""Reading what Slack delivers: the question in a message, the thread's earlier turns, and which
deliveries were already handled.

Follow-ups in a thread are answered with the thread's earlier turns, rebuilt from
`conversations.replies` (`thread_turns`), so they survive a restart and work across replicas.
Slack retries what is not acknowledged in 3 seconds and may deliver an event twice; event ids and
message ids are remembered in a bounded set (`Seen`), so an answer is never posted twice.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from datetime import date
from typing import Any

from assistant.answering.conversation import MAX_TURNS, Turn, rewrite_deterministic

SEEN_MAX = 5000

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]+))?>")
_AS_OF = re.compile(r"[,;(]?\s*\bas (?:of|at) (\d{4}-\d{2}-\d{2})\b\)?[,;:]?", re.I)


def question_text(slack_text: str) -> str:
    """The question in a Slack message: mentions removed, links and entities back to text."""
    text = _MENTION.sub(" ", slack_text or "")
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


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


def delivery_keys(body: dict[str, Any]) -> list[str]:
    """What a delivery is known by: its event id, and its event type with the user's message id
    (the same message delivered again under another event id is still the same delivery)."""
    event = body.get("event") or {}
    keys = [f"event:{body['event_id']}"] if body.get("event_id") else []
    if event.get("client_msg_id"):
        keys.append(f"{event.get('type')}:{event['client_msg_id']}")
    return keys


class Seen:
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

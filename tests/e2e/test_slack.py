"""The Slack bot over the real protocol: `tpa serve` on the session's ingested corpus receives
Slack-signed HTTP requests at /slack/events and talks to a fake Slack Web API (a real local HTTP
server, tests/support/fake_slack.py): mentions answered in their thread, DMs, thread follow-ups
with the earlier turns, the slash command with "Share in channel", "Show passage" with the stored
text, feedback, and the refusals (bad signature, stale timestamp, retries, the bot's own posts).
Hostile documents and malformed headers: test_slack_hostile.py.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import CorpusStore, free_port, make_settings
from tests.support.fake_slack import (
    BOT_ID,
    BOT_USER_ID,
    TEAM_ID,
    Call,
    FakeSlack,
)
from tests.support.servers import api_server
from tests.support.slack_client import (
    SECRET,
    block_text,
    buttons,
    click,
    event_callback,
    in_thread,
    mention,
    post_form,
    post_json,
    posted,
    settle,
)

pytestmark = pytest.mark.slow

FLAGSHIP = "Do mass-market software sales to Huawei need a licence?"
ACK_LIMIT = 3.0  # seconds Slack waits for an acknowledgement


# ---- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base(corpus_store: CorpusStore, fake: FakeSlack) -> Iterator[str]:
    env = {
        "TPA_DATA_DIR": str(corpus_store.settings.data_dir),
        "TPA_SLACK_BOT_TOKEN": "xoxb-test",
        "TPA_SLACK_SIGNING_SECRET": SECRET,
        "TPA_SLACK_API_URL": f"{fake.url}/api/",
    }
    data_dir = corpus_store.settings.data_dir
    with api_server(env) as url:
        yield url
    # The corpus data dir is shared by the whole session.
    (data_dir / "feedback.jsonl").unlink(missing_ok=True)
    (data_dir / ".feedback.lock").unlink(missing_ok=True)


@pytest.fixture(scope="module")
def first_answer(base: str, fake: FakeSlack) -> tuple[dict[str, Any], Call, float]:
    """The flagship question as an @mention in a channel: (event, the bot's post, ack seconds)."""
    event = mention(fake, "CGENERAL", FLAGSHIP)
    t0 = time.monotonic()
    response = post_json(base, event_callback(event))
    ack = time.monotonic() - t0
    assert response.status_code == 200, response.text
    (post,) = fake.wait_for("chat.postMessage", in_thread("CGENERAL", event["ts"]))
    return event, post, ack


# ---- tests ------------------------------------------------------------------------------------


def test_url_verification_echoes_the_challenge(base: str) -> None:
    r = post_json(base, {"token": "unused", "challenge": "c-123", "type": "url_verification"})
    assert r.status_code == 200
    assert r.json()["challenge"] == "c-123"


def test_mention_is_answered_in_its_thread_with_sources(first_answer: Any) -> None:
    event, post, ack = first_answer
    assert ack < ACK_LIMIT
    body = post.body
    assert body["thread_ts"] == event["ts"]
    text = block_text(body["blocks"])
    assert "[1]" in text and "*Sources*" in text
    assert "**" not in text  # Markdown bold converted to mrkdwn
    assert "Huawei" in text
    sources = buttons(body["blocks"], "tpa_show_passage")
    assert sources and all(f"*[{i}]*" in text for i in range(1, len(sources) + 1))
    assert buttons(body["blocks"], "tpa_show_passage")
    assert buttons(body["blocks"], "tpa_feedback_up")
    assert buttons(body["blocks"], "tpa_feedback_down")
    assert body["metadata"]["event_type"] == "tpa_answer"


def test_show_passage_posts_the_stored_text(base: str, fake: FakeSlack, first_answer: Any) -> None:
    _, post, _ = first_answer
    passages = buttons(post.body["blocks"], "tpa_show_passage")
    for i, button in enumerate(passages):
        chunk_id, start, end, doc_id = button["value"].split("|", 3)
        before = len(fake.find("chat.postEphemeral"))
        r = click(base, "tpa_show_passage", button["value"], "CGENERAL",
                  posted(fake, post), fake.response_url(f"passage-{i}"))  # fmt: skip
        assert r.status_code == 200
        shown = fake.wait_for("chat.postEphemeral", count=before + 1)[before].body
        assert shown["user"] == "UHUMAN" and shown["channel"] == "CGENERAL"
        assert shown.get("thread_ts") == post.body["thread_ts"]
        quote = shown["blocks"][1]["elements"][0]["elements"][0]["text"]
        doc = httpx.get(f"{base}/v1/documents/{doc_id}", timeout=10).json()
        assert quote == doc["text"][int(start) : int(end)]
        assert quote.strip()


def test_feedback_is_appended_and_acknowledged(
    base: str, fake: FakeSlack, corpus_store: CorpusStore, first_answer: Any
) -> None:
    _, post, _ = first_answer
    (up,) = buttons(post.body["blocks"], "tpa_feedback_up")
    before = len(fake.find("chat.postEphemeral"))
    r = click(base, "tpa_feedback_up", up["value"], "CGENERAL", posted(fake, post),
              fake.response_url("feedback"))  # fmt: skip
    assert r.status_code == 200
    thanks = fake.wait_for("chat.postEphemeral", count=before + 1)[before].body
    assert thanks["text"].startswith("Thanks for the feedback")
    lines = (corpus_store.settings.data_dir / "feedback.jsonl").read_text().splitlines()
    record = json.loads(lines[-1])
    assert record["vote"] == "up" and record["user"] == "UHUMAN"
    assert record["channel"] == "CGENERAL"
    assert record["question"] == FLAGSHIP
    assert record["citations"] and record["citations"][0]["quote"]
    assert record["answer"] and record["time"]


def test_direct_message_is_answered_in_the_dm(base: str, fake: FakeSlack) -> None:
    msg = fake.add_message("DUSER1", FLAGSHIP, client_msg_id=str(uuid.uuid4()))
    event = {"type": "message", "channel": "DUSER1", "channel_type": "im", **msg}
    assert post_json(base, event_callback(event)).status_code == 200
    (post,) = fake.wait_for("chat.postMessage", lambda b: b.get("channel") == "DUSER1")
    assert "thread_ts" not in post.body  # an unthreaded DM gets an unthreaded answer
    assert buttons(post.body["blocks"], "tpa_show_passage")


def test_thread_follow_up_uses_the_earlier_turn(base: str, fake: FakeSlack) -> None:
    first = mention(fake, "CTHREAD", "Is Huawei on the Entity List?")
    assert post_json(base, event_callback(first)).status_code == 200
    fake.wait_for("chat.postMessage", in_thread("CTHREAD", first["ts"]))

    follow = fake.add_message("CTHREAD", "and its affiliates?", thread_ts=first["ts"],
                              client_msg_id=str(uuid.uuid4()))  # fmt: skip
    event = {"type": "message", "channel": "CTHREAD", "channel_type": "channel", **follow}
    assert post_json(base, event_callback(event)).status_code == 200
    posts = fake.wait_for("chat.postMessage", in_thread("CTHREAD", first["ts"]), count=2)
    assert len(posts) == 2
    second = posts[1].body
    assert fake.find("conversations.replies", lambda b: b.get("ts") == first["ts"])
    # The follow-up was searched together with the thread's first question ...
    assert "Huawei" in second["metadata"]["event_payload"]["standalone"]
    # ... and the answer is about Huawei and its affiliates, not "affiliates" in general.
    answer = (second["text"] + block_text(second["blocks"])).lower()
    assert "huawei" in answer or "affiliate" in answer
    assert buttons(second["blocks"], "tpa_show_passage")


def test_messages_in_threads_the_bot_never_answered_are_ignored(base: str, fake: FakeSlack) -> None:
    root = fake.add_message("CQUIET", "Lunch?")
    reply = fake.add_message("CQUIET", "Is Huawei on the Entity List?", thread_ts=root["ts"])
    event = {"type": "message", "channel": "CQUIET", "channel_type": "channel", **reply}
    assert post_json(base, event_callback(event)).status_code == 200
    plain = fake.add_message("CQUIET", "Is Huawei on the Entity List?")
    event = {"type": "message", "channel": "CQUIET", "channel_type": "channel", **plain}
    assert post_json(base, event_callback(event)).status_code == 200
    settle(fake, base, "CSETTLE1")
    assert not fake.find("chat.postMessage", lambda b: b.get("channel") == "CQUIET")


def test_slash_command_acks_fast_and_answers_ephemerally(base: str, fake: FakeSlack) -> None:
    fields = {
        "token": "unused", "team_id": TEAM_ID, "channel_id": "CGENERAL", "user_id": "UHUMAN",
        "command": "/tpa", "text": FLAGSHIP, "response_url": fake.response_url("cmd-1"),
        "trigger_id": "1.2.3", "api_app_id": "A0TEST",
    }  # fmt: skip
    t0 = time.monotonic()
    r = post_form(base, fields)
    assert time.monotonic() - t0 < ACK_LIMIT
    assert r.status_code == 200
    assert r.text in ("", "null") or "Looking that up" in r.text

    reply = fake.wait_for_response("cmd-1")
    assert reply.body["response_type"] == "ephemeral"
    (share,) = buttons(reply.body["blocks"], "tpa_share")
    assert buttons(reply.body["blocks"], "tpa_show_passage")

    r = click(base, "tpa_share", share["value"], "CGENERAL", None,
              fake.response_url("share-1"), ephemeral=True)  # fmt: skip
    assert r.status_code == 200
    shared = fake.wait_for_response("share-1")
    assert shared.body["response_type"] == "in_channel"
    assert block_text(shared.body["blocks"]).count("[1]") >= 1
    assert not buttons(shared.body["blocks"], "tpa_share")

    # "Show passage" on the ephemeral answer goes back through its response_url.
    passage = buttons(reply.body["blocks"], "tpa_show_passage")[0]
    r = click(base, "tpa_show_passage", passage["value"], "CGENERAL", None,
              fake.response_url("eph-passage"), ephemeral=True)  # fmt: skip
    assert r.status_code == 200
    shown = fake.wait_for_response("eph-passage")
    assert shown.body["response_type"] == "ephemeral"
    chunk_id, start, end, doc_id = passage["value"].split("|", 3)
    doc = httpx.get(f"{base}/v1/documents/{doc_id}", timeout=10).json()
    assert (
        shown.body["blocks"][1]["elements"][0]["elements"][0]["text"]
        == doc["text"][int(start) : int(end)]
    )


def test_abstention_says_so_without_sources(base: str, fake: FakeSlack) -> None:
    event = mention(fake, "CABSTAIN", "What is the VAT rate on restaurant meals in Portugal?")
    assert post_json(base, event_callback(event)).status_code == 200
    (post,) = fake.wait_for("chat.postMessage", in_thread("CABSTAIN", event["ts"]))
    assert "The corpus does not cover this question." in block_text(post.body["blocks"])
    assert not buttons(post.body["blocks"], "tpa_show_passage")
    assert "Sources" not in block_text(post.body["blocks"])


def test_forged_and_stale_requests_get_401_and_nothing_happens(base: str, fake: FakeSlack) -> None:
    forged = mention(fake, "CFORGED", FLAGSHIP)
    r = post_json(base, event_callback(forged), secret="not-the-secret")
    assert r.status_code == 401
    unsigned = json.dumps(event_callback(forged))
    r = httpx.post(f"{base}/slack/events", content=unsigned,
                   headers={"Content-Type": "application/json"}, timeout=10)  # fmt: skip
    assert r.status_code == 401
    stale = mention(fake, "CSTALE", FLAGSHIP)
    r = post_json(base, event_callback(stale), ts=int(time.time()) - 6 * 60)
    assert r.status_code == 401
    settle(fake, base, "CSETTLE2")
    assert not fake.find("chat.postMessage", lambda b: b.get("channel") in ("CFORGED", "CSTALE"))


def test_retries_and_duplicates_never_answer_twice(base: str, fake: FakeSlack) -> None:
    event = mention(fake, "CRETRY", FLAGSHIP)
    payload = event_callback(event)
    assert post_json(base, payload).status_code == 200
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    t0 = time.monotonic()
    assert post_json(base, payload, headers=retry).status_code == 200
    assert time.monotonic() - t0 < ACK_LIMIT
    assert post_json(base, payload).status_code == 200  # same event_id, no retry header
    fake.wait_for("chat.postMessage", in_thread("CRETRY", event["ts"]))
    settle(fake, base, "CSETTLE3")
    assert len(fake.find("chat.postMessage", in_thread("CRETRY", event["ts"]))) == 1


def test_bot_messages_are_ignored(base: str, fake: FakeSlack, first_answer: Any) -> None:
    event, post, _ = first_answer
    own = fake.add_message("CGENERAL", "Is Huawei on the Entity List?", user=BOT_USER_ID,
                           thread_ts=event["ts"], bot_id=BOT_ID)  # fmt: skip
    other = fake.add_message(
        "CGENERAL", "and its affiliates?", user="UBOT2", thread_ts=event["ts"], bot_id="BOT2",
        subtype="bot_message",
    )  # fmt: skip
    dm_bot = fake.add_message("DUSER2", FLAGSHIP, user="UOTHERBOT", bot_id="BOTHER")
    for msg, channel, kind in ((own, "CGENERAL", "channel"), (other, "CGENERAL", "channel"),
                               (dm_bot, "DUSER2", "im")):  # fmt: skip
        e = {"type": "message", "channel": channel, "channel_type": kind, **msg}
        assert post_json(base, event_callback(e)).status_code == 200
    settle(fake, base, "CSETTLE4")
    assert len(fake.find("chat.postMessage", in_thread("CGENERAL", event["ts"]))) == 1
    assert not fake.find("chat.postMessage", lambda b: b.get("channel") == "DUSER2")


# ---- the ack never waits for the answer (server in-process, answerer slowed down) -------------


class SlowAssistant:
    """The real Assistant, 5 s slower per answer: longer than Slack's 3 s ack window."""

    def __init__(self, inner: Any, delay: float = 5.0) -> None:
        self._inner = inner
        self._delay = delay

    def ask(self, *args: Any, **kwargs: Any) -> Any:
        time.sleep(self._delay)
        return self._inner.ask(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@pytest.fixture
def slow_server(corpus_store: CorpusStore, fake: FakeSlack) -> Iterator[str]:
    import uvicorn

    from api.app import create_app

    settings = make_settings(
        corpus_store.settings.data_dir,
        slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET,
        slack_api_url=f"{fake.url}/api/",
    )
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.2)
    assert app.state.assistant is not None
    app.state.assistant = SlowAssistant(app.state.assistant)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def test_ack_returns_within_3_s_while_the_answer_takes_longer(
    slow_server: str, fake: FakeSlack
) -> None:
    event = mention(fake, "CSLOW", FLAGSHIP)
    t0 = time.monotonic()
    r = post_json(slow_server, event_callback(event))
    event_ack = time.monotonic() - t0
    assert r.status_code == 200 and event_ack < ACK_LIMIT

    t1 = time.monotonic()
    r = post_form(slow_server, {
        "team_id": TEAM_ID, "channel_id": "CSLOW", "user_id": "UHUMAN", "command": "/tpa",
        "text": FLAGSHIP, "response_url": fake.response_url("slow-cmd"), "trigger_id": "1.2.3",
    })  # fmt: skip
    command_ack = time.monotonic() - t1
    assert r.status_code == 200 and command_ack < ACK_LIMIT

    (post,) = fake.wait_for("chat.postMessage", in_thread("CSLOW", event["ts"]), timeout=60)
    assert post.at - t0 >= 5.0  # posted later, by the background worker
    assert buttons(post.body["blocks"], "tpa_show_passage")
    reply = fake.wait_for_response("slow-cmd", timeout=60)
    assert reply.at - t1 >= 5.0
    assert reply.body["response_type"] == "ephemeral"

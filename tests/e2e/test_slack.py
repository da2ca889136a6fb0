"""The Slack bot over the real protocol: `tpa serve` on the session's ingested corpus receives
Slack-signed HTTP requests at /slack/events and talks to a fake Slack Web API (a real local HTTP
server, tests/e2e/fake_slack.py): mentions answered in their thread, DMs, thread follow-ups
with the earlier turns, the slash command with "Share in channel", "Show passage" with the stored
text, feedback, and the refusals (bad signature, stale timestamp, retries, the bot's own posts).
On a small corpus of hostile documents: markup in document text and metadata reaches Slack as
text (never a link or a mention), "Show passage" after a re-ingest says the passage changed, and
malformed signature headers get 401.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from tests.conftest import CorpusStore, cli_env, free_port, make_settings, run_cli
from tests.support.fake_slack import (
    BOT_ID,
    BOT_USER_ID,
    TEAM_ID,
    Call,
    FakeSlack,
    active_markup,
    shown_text,
)
from tests.support.servers import api_server

pytestmark = pytest.mark.slow

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
FLAGSHIP = "Do mass-market software sales to Huawei need a licence?"
ACK_LIMIT = 3.0  # seconds Slack waits for an acknowledgement


# ---- signing and sending ----------------------------------------------------------------------


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


# ---- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture(scope="module")
def base(corpus_store: CorpusStore, fake: FakeSlack) -> Iterator[str]:
    env = {
        "TPA_DATA_DIR": str(corpus_store.settings.data_dir),
        "TPA_SLACK_BOT_TOKEN": "xoxb-test",
        "TPA_SLACK_SIGNING_SECRET": SECRET,
        "TPA_SLACK_API_URL": f"{fake.url}/api/",
    }
    feedback = corpus_store.settings.data_dir / "feedback.jsonl"
    with api_server(env) as url:
        yield url
    feedback.unlink(missing_ok=True)  # the corpus data dir is shared by the whole session


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
                  _posted(fake, post), fake.response_url(f"passage-{i}"))  # fmt: skip
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
    r = click(base, "tpa_feedback_up", up["value"], "CGENERAL", _posted(fake, post),
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


# ---- hostile documents, a re-ingest, malformed headers (a small corpus of our own) -----------

PHISH = "[official BIS portal](https://evil.example/phish)"
LOOKALIKE = "[https://www.bis.doc.gov/snapr](https://evil.example/login)"
ANGLE = "<https://evil.example|BIS>"
BAD_URL = "javascript:alert(1)"
QUOKKA_ID = "quokka-notice"
QUOKKA_QUESTION = "Where must Quokka export licence applications be filed?"
QUOKKA = (
    "Quokka export licence notice\n\n"
    f"Quokka export licence applications must be filed through the {PHISH} or at {LOOKALIKE} "
    "before any Quokka export.\n\n"
    f"Quokka export licence applications must also be sent to {ANGLE} while telling <!channel> "
    "and <@U0ADMIN> about each *Quokka* _licence_ ~filing~ `today`.\n"
)
QUOKKA_TITLE = "Quokka licence notice <https://evil.example|BIS title>"
QUOKKA_META = {"id": QUOKKA_ID, "title": QUOKKA_TITLE, "citation": "Quokka Notice 1 <!here>",
               "doc_type": "article", "date": "2024-05-01", "source_url": BAD_URL}  # fmt: skip
NUMBAT_ID = "numbat-rule"
NUMBAT_QUESTION = "Do numbat sensor exporters need a licence?"
NUMBAT = (
    "Numbat sensor rule\n\n"
    "Numbat sensor exporters must obtain a licence before shipping numbat sensors anywhere.\n\n"
    "Numbat licence applications are decided within thirty days of filing.\n"
)
NUMBAT_META = {"id": NUMBAT_ID, "title": "Numbat sensor rule", "citation": "Numbat Rule 1",
               "doc_type": "article", "date": "2024-06-01"}  # fmt: skip


def _write_doc(folder: Path, name: str, text: str, meta: dict[str, Any]) -> None:
    (folder / f"{name}.txt").write_text(text)
    (folder / f"{name}.meta.json").write_text(json.dumps(meta))


def _ingest(corpus: Path, data: Path) -> dict[str, Any]:
    out = run_cli(cli_env(data), "ingest", str(corpus), "--json", timeout=600)
    assert out.stdout.strip(), out.stderr
    return dict(json.loads(out.stdout))


def _keep_bad_url(corpus: Path, data: Path, report: dict[str, Any]) -> None:
    """The store must hold the sidecar's `javascript:` URL for the bot's own defence to be
    tested. Ingest may check URLs too (refusing the document, or dropping the URL); then the URL
    is written into the stored metadata, as a store written before that check would hold it."""
    from assistant.index.store import Store

    if any("quokka" in json.dumps(f) for f in report["failures"]):
        safe = {k: v for k, v in QUOKKA_META.items() if k != "source_url"}
        _write_doc(corpus, "quokka", QUOKKA, safe)
        assert not _ingest(corpus, data)["failures"]
    store = Store(make_settings(data))
    got = store.chunks.get(where={"doc_id": QUOKKA_ID}, include=["metadatas"])
    assert got["ids"], "the hostile document was not ingested"
    if any((m or {}).get("source_url") != BAD_URL for m in got["metadatas"] or []):
        store.chunks.update(ids=got["ids"], metadatas=[{"source_url": BAD_URL}] * len(got["ids"]))
        store.documents.update(ids=[QUOKKA_ID], metadatas=[{"source_url": BAD_URL}])


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(corpus folder, data dir): the two documents above, ingested by `tpa ingest`."""
    corpus = tmp_path_factory.mktemp("hostile-corpus")
    data = tmp_path_factory.mktemp("hostile-data")
    _write_doc(corpus, "quokka", QUOKKA, QUOKKA_META)
    _write_doc(corpus, "numbat", NUMBAT, NUMBAT_META)
    _keep_bad_url(corpus, data, _ingest(corpus, data))
    return corpus, data


@pytest.fixture(scope="module")
def hostile_base(hostile: tuple[Path, Path], fake: FakeSlack) -> Iterator[str]:
    env = {
        "TPA_DATA_DIR": str(hostile[1]),
        "TPA_SLACK_BOT_TOKEN": "xoxb-test",
        "TPA_SLACK_SIGNING_SECRET": SECRET,
        "TPA_SLACK_API_URL": f"{fake.url}/api/",
    }
    with api_server(env) as url:
        yield url


def _hostile_markup(message: dict[str, Any]) -> list[str]:
    """Links and mentions in a message that the bot did not make to a safe place itself."""
    return [
        m for m in active_markup(message)
        if "evil" in m or "javascript" in m.lower() or m.startswith(("!", "@", "broadcast", "user"))
    ]  # fmt: skip


def _show(base: str, fake: FakeSlack, post: Call, value: str, name: str) -> dict[str, Any]:
    """Click "Show passage" on the bot's post: the ephemeral message the clicking user gets."""
    before = len(fake.find("chat.postEphemeral"))
    r = click(base, "tpa_show_passage", value, post.body["channel"], _posted(fake, post),
              fake.response_url(name))  # fmt: skip
    assert r.status_code == 200
    return fake.wait_for("chat.postEphemeral", count=before + 1)[before].body


def test_document_markup_reaches_slack_as_text_never_as_links(
    hostile_base: str, fake: FakeSlack
) -> None:
    event = mention(fake, "CHOSTILE", QUOKKA_QUESTION)
    assert post_json(hostile_base, event_callback(event)).status_code == 200
    (post,) = fake.wait_for("chat.postMessage", in_thread("CHOSTILE", event["ts"]))
    assert _hostile_markup(post.body) == []
    seen = shown_text(post.body)
    # Both quoted sentences and the title are there, as written, and nothing is linked.
    for fragment in (PHISH, LOOKALIKE, ANGLE, "<!channel>", "<@U0ADMIN>", QUOKKA_TITLE):
        assert fragment in seen, fragment
    assert "*Quokka* _licence_ ~filing~ `today`" in seen
    assert "official source" not in seen  # its source_url is javascript:, so it is not linked

    values = [b["value"] for b in buttons(post.body["blocks"], "tpa_show_passage")
              if b["value"].endswith(f"|{QUOKKA_ID}")]  # fmt: skip
    assert values
    for i, value in enumerate(values):
        shown = _show(hostile_base, fake, post, value, f"hostile-{i}")
        assert _hostile_markup(shown) == []
        assert "Quokka licence notice" in shown_text(shown)


def test_show_passage_after_a_reingest_says_the_passage_changed(
    hostile: tuple[Path, Path], hostile_base: str, fake: FakeSlack
) -> None:
    corpus, data = hostile
    event = mention(fake, "CREINGEST", NUMBAT_QUESTION)
    assert post_json(hostile_base, event_callback(event)).status_code == 200
    (post,) = fake.wait_for("chat.postMessage", in_thread("CREINGEST", event["ts"]))
    value = next(b["value"] for b in buttons(post.body["blocks"], "tpa_show_passage")
                 if b["value"].endswith(f"|{NUMBAT_ID}"))  # fmt: skip
    _, start, end, _ = value.split("|", 3)
    span = slice(int(start), int(end))
    document = f"{hostile_base}/v1/documents/{NUMBAT_ID}"
    cited = httpx.get(document, timeout=10).json()["text"][span]
    assert "umbat" in cited
    first = _show(hostile_base, fake, post, value, "numbat-before")
    assert first["blocks"][1]["elements"][0]["elements"][0]["text"] == cited

    # The document is re-ingested with other words at the same offsets.
    (corpus / "numbat.txt").write_text(NUMBAT.replace("umbat", "ombat"))  # same length
    report = _ingest(corpus, data)
    assert report["documents"]["updated"] == 1 and not report["failures"]
    now = httpx.get(document, timeout=10).json()["text"]
    assert len(now) >= span.stop and now[span] != cited and "ombat" in now[span]

    again = _show(hostile_base, fake, post, value, "numbat-after")
    assert "changed" in again["text"]
    assert "ombat" not in json.dumps(again)  # the new text is never shown under the old citation
    assert cited not in json.dumps(again)


@pytest.mark.parametrize(
    "timestamp",
    [None, b"", b"abc", b"1.5", f"{time.time():.3f}".encode(), b"9" * 40, b"-5",
     f"-{int(time.time())}".encode(), "１２３".encode(), "\xe9".encode("latin-1"), b"0x10",
     b"1e9", str(int(time.time()) - 6 * 60).encode()],
    ids=["missing", "empty", "letters", "float", "now-float", "huge", "negative", "minus-now",
         "full-width", "latin-1", "hex", "exponent", "stale"],
)  # fmt: skip
def test_malformed_timestamps_get_401_never_500(hostile_base: str, timestamp: bytes | None) -> None:
    raw = json.dumps({"token": "unused", "challenge": "c-1", "type": "url_verification"})
    # Signed as a signer would sign this timestamp: only the timestamp is wrong.
    signed = f"v0:{(timestamp or b'').decode('latin-1')}:{raw}".encode("latin-1")
    digest = hmac.new(SECRET.encode(), signed, hashlib.sha256).hexdigest()
    headers: dict[str, str | bytes] = {"Content-Type": "application/json",
                                       "X-Slack-Signature": f"v0={digest}"}  # fmt: skip
    if timestamp is not None:
        headers["X-Slack-Request-Timestamp"] = timestamp
    r = httpx.post(f"{hostile_base}/slack/events", content=raw, headers=headers, timeout=10)
    assert r.status_code == 401, r.text


def test_malformed_signatures_get_401_never_500(hostile_base: str) -> None:
    raw = json.dumps({"token": "unused", "challenge": "c-2", "type": "url_verification"})
    good = sign(raw)
    for signature in ("v0=é".encode("latin-1"), "v0=１".encode(), b"", b"v0=",
                      good["X-Slack-Signature"].upper().encode()):  # fmt: skip
        headers = {"Content-Type": "application/json",
                   "X-Slack-Request-Timestamp": good["X-Slack-Request-Timestamp"],
                   "X-Slack-Signature": signature}  # fmt: skip
        r = httpx.post(f"{hostile_base}/slack/events", content=raw, headers=headers, timeout=10)
        assert r.status_code == 401, (signature, r.text)
    # A correctly signed request with a second, malformed copy of a header.
    for extra in (("X-Slack-Request-Timestamp", b"abc"), ("X-Slack-Signature", b"v0=\xe9")):
        headers2 = [("Content-Type", "application/json"), *good.items(), extra]
        r = httpx.post(f"{hostile_base}/slack/events", content=raw, headers=headers2, timeout=10)
        assert r.status_code == 401, (extra, r.text)
    # Bytes that are not UTF-8: unsigned 401, signed (only Slack could) 400; never 500.
    junk = b'{"type": "url_verification", "challenge": "\xff"}'
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + junk, hashlib.sha256).hexdigest()
    for signature, status in (("v0=" + "0" * 64, 401), (f"v0={digest}", 400)):
        headers3 = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts,
                    "X-Slack-Signature": signature}  # fmt: skip
        r = httpx.post(f"{hostile_base}/slack/events", content=junk, headers=headers3, timeout=10)
        assert r.status_code == status, r.text
    assert post_json(hostile_base, json.loads(raw)).json()["challenge"] == "c-2"


def _posted(fake: FakeSlack, post: Call) -> dict[str, Any]:
    """The bot's message as Slack would send it back in an interaction payload."""
    for m in fake.messages[post.body["channel"]]:
        if m.get("bot_id") == BOT_ID and m.get("blocks") == post.body["blocks"]:
            return m
    raise AssertionError("the bot's post is not held by the fake")

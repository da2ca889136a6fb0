"""The Slack bot against hostile documents, over the real protocol: `tpa serve` on a small corpus
of its own (ingested by `tpa ingest`) receives Slack-signed requests at /slack/events and talks to
the fake Slack Web API. Markup in document text and metadata reaches Slack as text (never a link
or a mention), "Show passage" after a re-ingest says the passage changed, and malformed
signature headers get 401, never 500.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import cli_env, make_settings, run_cli
from tests.support.fake_slack import Call, FakeSlack, active_markup, shown_text
from tests.support.servers import api_server
from tests.support.slack_client import (
    SECRET,
    buttons,
    click,
    event_callback,
    in_thread,
    mention,
    post_json,
    posted,
    sign,
)

pytestmark = pytest.mark.slow

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
    r = click(base, "tpa_show_passage", value, post.body["channel"], posted(fake, post),
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

"""What the Slack bot sends is built from the structured answer, and only the bot makes links.

Document text (quotes, titles, citations), a model's words and the sidecar's `source_url` reach
Slack as text: a Markdown link, a `<url|label>`, `<!channel>` or a `javascript:` URL is shown, never
made into a link or a mention. Also the signature check refusing malformed headers with `False`
(401) rather than an exception (500), and the check that a cited passage is still what was cited.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

import pytest

from api.slack.blocks import answer_blocks, fallback_text
from api.slack.mrkdwn import mrkdwn_link, safe_url
from api.slack.passages import passage_unchanged
from api.slack.signature import signed_by_slack
from assistant.index.store import StoredDocument
from assistant.models import Answer, Citation
from tests.support.fake_slack import active_markup, shown_text

PHISH = "[official BIS portal](https://evil.example/phish)"
LOOKALIKE = "[https://www.bis.doc.gov/snapr](https://evil.example/login)"
ANGLE = "<https://evil.example|BIS>"
QUOTE = (
    f"Applications go through the {PHISH} or {LOOKALIKE}; write to {ANGLE}, <!channel> and "
    "<@U0ADMIN> about *Quokka* _licence_ ~filing~ `today`."
)


def _answer(source_url: str | None, text: str | None = None) -> Answer:
    citation = Citation(
        n=1, chunk_id="c" * 32, doc_id="quokka", quote=QUOTE, start=0, end=len(QUOTE),
        citation="Quokka Notice <!here>", title=f"Quokka {ANGLE} notice", date="2024-05-01",
        source_url=source_url,
    )  # fmt: skip
    body = text or f"From the corpus:\n- Quokka Notice: {QUOTE} [1]"
    return Answer(answer=body, citations=[citation])


def _message(answer: Answer) -> dict[str, Any]:
    return {"text": fallback_text(answer), "blocks": answer_blocks(answer, "k", shareable=True)}


def _evil(markup: list[str]) -> list[str]:
    return [m for m in markup if "evil" in m or "javascript" in m.lower() or m[:1] in "!@"]


@pytest.mark.parametrize(
    "text",
    [
        None,  # the extractive answer: quoted sentences
        f"**Yes.** Apply at the {PHISH} or {LOOKALIKE} [1].\n\n## Where\n* {ANGLE} <!channel>",
    ],
)
def test_quoted_markup_is_shown_never_linked(text: str | None) -> None:
    message = _message(_answer(None, text))
    assert _evil(active_markup(message)) == []
    seen = shown_text(message)
    for fragment in (PHISH, LOOKALIKE, ANGLE, "<!channel>", f"Quokka {ANGLE} notice"):
        assert fragment in seen
    if text is None:  # formatting characters in a quote are shown as they are, not applied
        assert "*Quokka* _licence_ ~filing~ `today`" in seen


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "data:text/html,x",
     "vbscript:x", "file:///etc/passwd", "https://", "https:///path", "//evil.example/x",
     "https://www.bis.doc.gov@evil.example/", "https://evil.example\\@www.bis.doc.gov/",
     "https://evil.example/a b", "https://evil.example/\n", "https://bіs.gov/", "", None],
)  # fmt: skip
def test_only_http_urls_with_a_host_become_links(url: str | None) -> None:
    assert safe_url(url) is None
    message = _message(_answer(url))
    assert "official source" not in shown_text(message)
    assert [m for m in active_markup(message) if "official source" in m] == []


def test_an_official_source_is_linked_and_cannot_break_out() -> None:
    message = _message(_answer("https://www.bis.doc.gov/x?a=1&b=2"))
    assert "https://www.bis.doc.gov/x?a=1&amp;b=2|official source" in active_markup(message)
    link = mrkdwn_link("https://www.bis.doc.gov/a|b>c<d", "official | <source>")
    assert link == "<https://www.bis.doc.gov/a%7Cb%3Ec%3Cd|official ¦ &lt;source&gt;>"


def _sign(ts: str, body: bytes, secret: str = "s3cret") -> str:
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256)
    return "v0=" + digest.hexdigest()


@pytest.mark.parametrize(
    "timestamp",
    [None, "", "abc", "1.5", f"{time.time():.3f}", "9" * 40, "-5", f"-{int(time.time())}",
     "１２３", f" {int(time.time())}", "0x10", "1e9", str(int(time.time()) - 301)],
    ids=["missing", "empty", "letters", "float", "now-float", "huge", "negative", "minus-now",
         "full-width", "space", "hex", "exponent", "stale"],
)  # fmt: skip
def test_malformed_or_stale_timestamps_are_not_authentic(timestamp: str | None) -> None:
    body = b'{"type":"url_verification"}'
    assert not signed_by_slack("s3cret", timestamp, _sign(timestamp or "", body), body)


def test_a_correct_signature_is_authentic_and_nothing_else_is() -> None:
    body, ts = b"payload=%7B%7D", str(int(time.time()))
    assert signed_by_slack("s3cret", ts, _sign(ts, body), body)
    for signature in (None, "", "v0=é", "v0=" + "a" * 64, _sign(ts, body, "other"),
                      _sign(ts, body).upper(), "v1=" + _sign(ts, body)[3:]):  # fmt: skip
        assert not signed_by_slack("s3cret", ts, signature, body)
    assert not signed_by_slack("", ts, _sign(ts, body, ""), body)


TEXT = "Intro. Quokka exporters must obtain a licence. Then more text follows here."
CHUNK = (TEXT[7:47], {"doc_id": "d", "start": 7, "end": 47, "doc_hash": "h1"})


@pytest.mark.parametrize(
    ("text", "chunk", "version", "unchanged"),
    [
        (TEXT, CHUNK, "h1", True),
        (TEXT, CHUNK, None, True),  # a ledger record without a hash: judged by the text
        (TEXT.replace("must", "need"), CHUNK, "h1", False),  # same length, other words
        (TEXT, None, "h1", False),  # the cited chunk is gone (re-chunked after a change)
        (TEXT, CHUNK, "h2", False),  # the document is half-way through a re-ingest
        (TEXT, (CHUNK[0], {**CHUNK[1], "doc_id": "other"}), "h1", False),
        (TEXT, (CHUNK[0], {**CHUNK[1], "start": "x"}), "h1", False),
    ],
)
def test_passage_unchanged(
    text: str, chunk: tuple[str, dict[str, Any]] | None, version: str | None, unchanged: bool
) -> None:
    stored = StoredDocument("d", text, {"content_hash": version} if version else {})
    assert passage_unchanged(stored, chunk, 14, 46) is unchanged


def test_a_span_outside_the_cited_chunk_is_not_vouched_for() -> None:
    stored = StoredDocument("d", TEXT, {"content_hash": "h1"})
    assert not passage_unchanged(stored, CHUNK, 0, 20)
    assert not passage_unchanged(stored, CHUNK, 40, 60)
    assert not passage_unchanged(stored, CHUNK, 20, 20)


def test_news_is_marked_secondary_in_the_sources_and_the_bottom_line_is_bold() -> None:
    news = Citation(
        n=1, chunk_id="n" * 32, doc_id="cpi", quote="Microsoft got a licence.", start=0, end=24,
        citation="CPI Financial, 24 November 2019", doc_type="article", authority="news",
        secondary=True,
    )  # fmt: skip
    rule = news.model_copy(
        update={"n": 2, "doc_id": "744", "citation": "15 CFR 744.11(a)", "doc_type": "regulation",
                "authority": "regulation", "secondary": False}
    )  # fmt: skip
    answer = Answer(
        answer="**Licence required: yes: for any item subject to the EAR.** [2]\n\n"
        "- CPI Financial (secondary source): Microsoft got a licence. [1]",
        citations=[news, rule],
    )
    blocks = answer_blocks(answer, "k")
    sources = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert "secondary" in sources[0] and "secondary" not in sources[1]
    first = blocks[0]["elements"][0]["elements"][0]
    assert first["style"] == {"bold": True} and first["text"].startswith("Licence required: yes")

"""The web chat page in a real browser (system Chromium through Playwright) against `tpa serve`
on the session's ingested corpus: streamed answer, citation chips, the source panel with the
quote highlighted in context, copy citation, follow-ups, abstention, and a phone-sized screen.

Screenshots go to tests/artifacts/ (gitignored) for a human to look at.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, CorpusStore
from tests.support.servers import api_server

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"no system Chromium at {CHROMIUM} (apt-get install chromium; `make setup` does)",
    ),
]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (`make setup` installs it)"
)
expect = sync_api.expect

ARTIFACTS = REPO / "tests" / "artifacts"
FLAGSHIP = "Do mass-market software sales to Huawei need a licence?"
FOLLOW_UP = "and its affiliates?"
OUT_OF_CORPUS = "What is the VAT rate on restaurant meals in Portugal?"
ANSWER_TIMEOUT = 90_000  # ms; the first answer also warms caches on a 2-core machine
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Records whether answer text was shown while it streamed (before the final rendering).
WATCH_STREAM = """
window.__streamedText = "";
new MutationObserver((records) => {
  for (const r of records) {
    const t = r.target.nodeType === 1 ? r.target : r.target.parentElement;
    if (t && t.classList && t.classList.contains("answer-stream")) {
      window.__streamedText = t.textContent;
    }
  }
}).observe(document, { childList: true, subtree: true, characterData: true });
"""


@pytest.fixture(scope="module")
def base_url(corpus_store: CorpusStore) -> Iterator[str]:
    with api_server({"TPA_DATA_DIR": str(corpus_store.settings.data_dir)}) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


def _answer_event(body: str) -> dict[str, Any]:
    """The `answer` event of a Server-Sent Events body (fails on an `error` event)."""
    events: dict[str, list[dict[str, Any]]] = {}
    for frame in body.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in frame.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
        if data:
            events.setdefault(name, []).append(json.loads("\n".join(data)))
    assert "error" not in events, events["error"]
    assert events.get("delta"), "the answer was not streamed in delta events"
    assert len(events.get("answer", [])) == 1
    return events["answer"][0]


def _ask(page: Any, question: str, n: int, *, press_enter: bool = True) -> tuple[Any, dict]:
    """Ask a question; return the n-th (1-based) answer element and the request body sent."""
    page.fill("#question", question)
    with page.expect_response(
        lambda r: r.url.endswith("/v1/chat") and r.request.method == "POST",
        timeout=ANSWER_TIMEOUT,
    ) as info:
        if press_enter:
            page.press("#question", "Enter")
        else:
            page.click("#send")
    answer = page.locator("#messages .answer").nth(n - 1)
    expect(answer).to_have_attribute("aria-busy", "false", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#messages .answer")).to_have_count(n)
    response = info.value
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    return answer, {"request": response.request.post_data_json, "answer": response.text()}


def test_chat_page_end_to_end(browser: Any, base_url: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on(
        "console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None
    )
    page.add_init_script(WATCH_STREAM)
    try:
        page.goto(base_url + "/")
        expect(page).to_have_title("Trade-policy assistant")
        expect(page.get_by_label("Your question")).to_be_visible()
        expect(page.locator("#messages")).to_have_attribute("aria-live", "polite")

        # ---- the flagship question: streamed, then rendered with chips and sources ----------
        answer_el, sent = _ask(page, FLAGSHIP, 1)
        assert sent["request"]["question"] == FLAGSHIP
        assert sent["request"]["stream"] is True and sent["request"]["conversation_id"] is None
        data = _answer_event(sent["answer"])
        assert not data["abstained"]
        citations = data["citations"]
        assert len(citations) >= 2
        assert page.evaluate("window.__streamedText").strip(), "no text appeared while streaming"

        expect(answer_el).not_to_have_class("not-found")
        chips = answer_el.locator(".citation-chip")
        assert chips.count() >= 2
        assert {chips.nth(i).get_attribute("data-n") for i in range(chips.count())} <= {
            str(c["n"]) for c in citations
        }
        sources = answer_el.locator(".sources li")
        expect(sources).to_have_count(len(citations))
        expect(sources.first).to_contain_text(citations[0]["citation"])
        # the quoted sentences are on the page, and nothing from the text became markup
        for claim in data["claims"][:2]:
            expect(answer_el).to_contain_text(claim["text"][:60])
        assert answer_el.locator("script, img, iframe, a").count() == 0

        # ---- the source panel for the first chip --------------------------------------------
        first = chips.first
        cited = next(c for c in citations if str(c["n"]) == first.get_attribute("data-n"))
        first.focus()
        page.keyboard.press("Enter")  # keyboard opens it too
        panel = page.locator("#source-panel")
        expect(panel).to_be_visible()
        assert page.evaluate(
            "document.getElementById('source-panel').contains(document.activeElement)"
        ), "focus did not move into the source panel"
        expect(page.locator("#panel-citation")).to_have_text(cited["citation"])
        mark = page.locator("#source-panel mark")
        expect(mark).to_have_count(1, timeout=15_000)
        assert mark.text_content() == cited["quote"]
        expect(mark).to_be_in_viewport()
        passage = page.locator("#panel-passage")
        assert len(passage.text_content() or "") > len(cited["quote"]), "no surrounding text"
        if cited["source_url"]:
            link = panel.locator(f'a[href="{cited["source_url"]}"]')
            expect(link).to_have_attribute("target", "_blank")
            assert "noopener" in (link.get_attribute("rel") or "")
        else:
            expect(panel).to_contain_text("No official link")

        page.click("#copy-citation")
        expect(page.locator("#copy-status")).to_have_text("Copied")
        clipboard = page.evaluate("navigator.clipboard.readText()")
        assert clipboard == f'{cited["citation"]}: "{cited["quote"]}"'

        page.screenshot(path=str(ARTIFACTS / "web_answer.png"))

        page.keyboard.press("Escape")
        expect(panel).to_be_hidden()
        assert page.evaluate("document.activeElement.classList.contains('citation-chip')")

        # a click opens it as well, and the close button closes it
        chips.nth(1).click()
        expect(panel).to_be_visible()
        expect(page.locator("#source-panel mark")).to_have_count(1, timeout=15_000)
        page.click("#close-panel")
        expect(panel).to_be_hidden()

        # ---- a follow-up continues the conversation -------------------------------------------
        second_el, sent2 = _ask(page, FOLLOW_UP, 2, press_enter=False)
        assert sent2["request"]["conversation_id"] == data["conversation_id"]
        data2 = _answer_event(sent2["answer"])
        assert data2["conversation_id"] == data["conversation_id"]
        expect(second_el).not_to_have_class("error")
        if data2["abstained"]:
            expect(second_el.locator(".not-found-title")).to_be_visible()
        else:
            expect(second_el.locator(".citation-chip").first).to_be_visible()

        # ---- a phone-sized screen ----------------------------------------------------------
        page.set_viewport_size({"width": 390, "height": 844})
        box = page.locator("#question")
        expect(box).to_be_visible()
        expect(box).to_be_in_viewport()
        rect = box.bounding_box()
        assert rect and rect["x"] >= 0 and rect["x"] + rect["width"] <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, "sideways scrolling"
        page.screenshot(path=str(ARTIFACTS / "web_mobile.png"))

        # on a narrow screen the panel covers the whole width
        answer_el.locator(".citation-chip").first.click()
        expect(panel).to_be_visible()
        panel_box = panel.bounding_box()
        assert panel_box and panel_box["x"] <= 0.5 and panel_box["width"] >= 389
        expect(page.locator("#source-panel mark")).to_be_in_viewport(timeout=15_000)
        page.screenshot(path=str(ARTIFACTS / "web_mobile_source.png"))
        page.keyboard.press("Escape")
        expect(panel).to_be_hidden()

        # ---- out of the corpus: a plain "not found" state, no chips ---------------------------
        third_el, sent3 = _ask(page, OUT_OF_CORPUS, 3)
        assert _answer_event(sent3["answer"])["abstained"]
        expect(third_el).to_have_class("message answer not-found")
        expect(third_el).to_contain_text("Not found in the corpus")
        expect(third_el.locator(".citation-chip")).to_have_count(0)
        page.screenshot(path=str(ARTIFACTS / "web_not_found.png"))

        assert not problems, problems
    finally:
        context.close()


def test_errors_show_one_readable_line(browser: Any, base_url: str) -> None:
    """A request the API refuses shows one short line instead of an answer."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(base_url + "/")
        page.evaluate("document.getElementById('question').removeAttribute('maxlength')")
        page.fill("#question", "export licence " * 2000)
        page.click("#send")
        error = page.locator("#messages .answer.error")
        expect(error).to_be_visible(timeout=ANSWER_TIMEOUT)
        expect(error).to_contain_text("Could not answer:")
        text = error.inner_text()
        assert "\n" not in text.strip() and len(text) < 300
    finally:
        context.close()

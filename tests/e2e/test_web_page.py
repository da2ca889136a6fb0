"""The web chat page in a real browser (system Chromium through Playwright) against `tpa serve`.

On the session's ingested corpus: an example question from the empty state is streamed and
rendered to read like an answer (lead, determination, sources grouped by document with the kind
of authority each is), chips open the passage highlighted in context, the conversation survives a
reload and can be left for a new one and reopened, in the light and the dark theme, at desktop
(1280x800) and phone (390x844) sizes. On a small corpus of its own behind an API key: an error
says in words what to do, keeps the question, and Retry answers it once a key is given; a document
whose text and title look like markup shows that markup as text.

Screenshots go to tests/artifacts/ (gitignored) for a human to look at.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import HAVE_MIRROR, REPO, CorpusStore, cli_env, run_cli
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
FLAGSHIP = "Do mass-market software sales to Huawei need a licence?"  # an example in the page
FOLLOW_UP = "and its affiliates?"
OUT_OF_CORPUS = "What is the VAT rate on restaurant meals in Portugal?"
ANSWER_TIMEOUT = 90_000  # ms; the first answer also warms caches on a 2-core machine
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
MARKERS = re.compile(r"\[(\d{1,3}|S\d{1,3})\]")  # [n] cites a passage, [S1] a screening hit
KIND = {
    "regulation": "Regulation",
    "federal_register": "Federal Register",
    "guidance": "Guidance",
    "news": "News",
}
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

# A document whose text and metadata look like markup, served behind an API key.
API_KEY = "web-test-key-1"
WOMBAT_QUESTION = "Where must Wombat export licence applications be filed?"
IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=2</script>"
WOMBAT = (
    "Wombat export licence notice\n\n"
    f"Wombat export licence applications must be filed at {IMG} before any Wombat export.\n\n"
    f"Wombat export licence applications must also be copied to {SCRIPT} and to "
    "<b>the Wombat registry</b> &amp; its <a href='https://evil.example'>portal</a>.\n"
)
WOMBAT_TITLE = "Wombat <i>licence</i> notice <b>2024</b>"
WOMBAT_META = {"id": "wombat-notice", "title": WOMBAT_TITLE, "citation": "Wombat Notice <u>1</u>",
               "doc_type": "article", "date": "2024-05-01"}  # fmt: skip
MADE_FROM_TEXT = "img, script, b, i, u, a[href*=evil]"  # elements the document text spells out
NUMBAT = (
    "Numbat sensor rule\n\n"
    "Numbat sensor exporters must obtain a licence before shipping numbat sensors anywhere.\n"
)
NUMBAT_META = {"id": "numbat-rule", "title": "Numbat sensor rule", "citation": "Numbat Rule 1",
               "doc_type": "regulation", "date": "2024-06-01"}  # fmt: skip


@pytest.fixture(scope="module")
def base_url(corpus_store: CorpusStore) -> Iterator[str]:
    with api_server({"TPA_DATA_DIR": str(corpus_store.settings.data_dir)}) as url:
        yield url


@pytest.fixture(scope="module")
def keyed_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`tpa serve` with an API key, on two documents of its own ingested by `tpa ingest`."""
    corpus = tmp_path_factory.mktemp("web-markup-corpus")
    data = tmp_path_factory.mktemp("web-markup-data")
    for name, text, meta in (("wombat", WOMBAT, WOMBAT_META), ("numbat", NUMBAT, NUMBAT_META)):
        (corpus / f"{name}.txt").write_text(text)
        (corpus / f"{name}.meta.json").write_text(json.dumps(meta))
    out = run_cli(cli_env(data), "ingest", str(corpus), "--json", timeout=600)
    report = json.loads(out.stdout)
    assert not report["failures"], report["failures"]
    keys = {API_KEY: {"name": "web-tester", "groups": ["public"]}}
    with api_server({"TPA_DATA_DIR": str(data), "TPA_API_KEYS": json.dumps(keys)}) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def _events(body: str) -> dict[str, list[dict[str, Any]]]:
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
    return events


def _answer_event(body: str) -> dict[str, Any]:
    """The `answer` event of a Server-Sent Events body (fails on an `error` event)."""
    events = _events(body)
    assert "error" not in events, events["error"]
    assert events.get("delta"), "the answer was not streamed in delta events"
    assert len(events.get("answer", [])) == 1
    return events["answer"][0]


def _ask(
    page: Any, n: int, send: Callable[[], None], status: int = 200
) -> tuple[Any, dict[str, Any]]:
    """Send a question with `send()`; the n-th (1-based) answer element and what went over."""
    with page.expect_response(
        lambda r: r.url.endswith("/v1/chat") and r.request.method == "POST",
        timeout=ANSWER_TIMEOUT,
    ) as info:
        send()
    answer = page.locator("#messages .answer").nth(n - 1)
    expect(answer).to_have_attribute("aria-busy", "false", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#messages .answer")).to_have_count(n)
    response = info.value
    assert response.status == status
    sent: dict[str, Any] = {"request": response.request.post_data_json}
    if status == 200:
        assert response.headers["content-type"].startswith("text/event-stream")
        sent["answer"] = _answer_event(response.text())
    return answer, sent


def _typed(page: Any, question: str, *, press_enter: bool = True) -> Callable[[], None]:
    def send() -> None:
        page.fill("#question", question)
        if press_enter:
            page.press("#question", "Enter")
        else:
            page.click("#send")

    return send


def _bare(text: str | None) -> str:
    """Text without spaces or **bold** marks, [n] markers as the chips show them (n): to compare
    what the server sent with what the page shows."""
    marked = MARKERS.sub(r"\1", (text or "").replace("**", ""))
    return re.sub(r"\s+", "", marked)


def _letters(text: str | None) -> str:
    """Only the letters and digits of `_bare(text)`, lower case: wording, not punctuation."""
    return "".join(ch for ch in _bare(text).lower() if ch.isalnum())


def _squash(text: str | None) -> str:
    return " ".join((text or "").split())


def _luminance(page: Any, selector: str, prop: str) -> float:
    """Relative luminance (0 black … 1 white) of a computed colour."""
    value = page.evaluate(
        f"getComputedStyle(document.querySelector({selector!r})).getPropertyValue({prop!r})"
    )
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", value)[:3])

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def _check_reads_like_an_answer(answer_el: Any, data: dict[str, Any]) -> None:
    """The bottom line on top, the determination's lines, and the sources grouped by document,
    each with the badge of its kind of authority, secondary sources marked, notes shown."""
    lead = (data.get("lead") or "").strip()
    lead_lines = [x for x in lead.splitlines() if x.strip()]
    if lead:
        # the lead's first line opens the answer; its other lines are in it or the determination
        first = answer_el.locator(":scope > *").first
        expect(first).to_have_class(re.compile(r"\banswer-lead\b"))
        assert _bare(first.text_content()).startswith(_bare(lead_lines[0]))
        top_parts = answer_el.locator(".answer-lead, .determination").all_text_contents()
        top = _letters(" ".join(top_parts))
        for line in lead_lines:
            assert _letters(line) in top, line
    determination = data.get("determination")
    if determination:
        block = answer_el.locator(".determination")
        expect(block).to_be_visible()
        if determination["rule"]:
            expect(block).to_contain_text(determination["rule"])
        opening = _letters(MARKERS.sub("", lead_lines[0])) if lead_lines else None
        lines = [  # each once: the line the lead shows is not repeated in the block
            x
            for x in determination["lines"]
            if (x["label"] or x["text"])
            and _letters(MARKERS.sub("", f"{x['label']}: {x['text']}")) != opening
        ]
        expect(block.locator(".determination-line")).to_have_count(len(lines))
        for i, line in enumerate(lines):
            shown = block.locator(".determination-line").nth(i)
            expect(shown).to_contain_text(line["label"])
            for n in line["citations"]:
                expect(shown.locator(f'.citation-chip[data-n="{n}"]')).to_have_count(1)
        for fact in determination["missing_facts"]:
            expect(block).to_contain_text(fact)
    else:
        expect(answer_el.locator(".determination")).to_have_count(0)

    by_doc: dict[str, list[dict[str, Any]]] = {}
    for c in data["citations"]:
        by_doc.setdefault(c["doc_id"], []).append(c)
    docs = answer_el.locator(".sources > .source-doc")
    expect(docs).to_have_count(len(by_doc))
    for i, cited in enumerate(by_doc.values()):
        doc = docs.nth(i)
        first = cited[0]
        expect(doc.locator(".source-doc-title")).to_have_text(first["title"] or first["doc_id"])
        expect(doc.locator(f".badge-{first['authority']}")).to_have_text(KIND[first["authority"]])
        secondary = first["secondary"] or first["authority"] == "news"
        expect(doc.locator(".badge-secondary")).to_have_count(1 if secondary else 0)
        passages = doc.locator(".source-passage")
        expect(passages).to_have_count(len(cited))
        for j, c in enumerate(cited):
            expect(passages.nth(j).locator(".source-citation")).to_have_text(c["citation"])
            for note in c.get("notes") or []:
                expect(passages.nth(j).locator(".source-notes")).to_contain_text(note)


def _new_page(browser: Any, viewport: dict[str, int], **kw: Any) -> tuple[Any, Any]:
    context = browser.new_context(viewport=viewport, **kw)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_chat_page_end_to_end(browser: Any, base_url: str) -> None:
    context, page = _new_page(browser, DESKTOP, color_scheme="light")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
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

        # ---- the empty state: clickable examples; the header controls on one row ------------
        examples = page.locator("#empty-state .example-question")
        assert examples.count() >= 3
        key_box = page.locator("#key-toggle").bounding_box()
        new_box = page.locator("#new-conversation").bounding_box()
        assert key_box and new_box
        assert abs(key_box["y"] - new_box["y"]) < 2, "API key and New conversation not on one row"
        _shot(page, "web_empty.png")
        # Every example gets an answer, not "not found" (on the real corpus the page is made for;
        # the suite's own six documents cannot answer them all).
        for text in examples.all_text_contents() if HAVE_MIRROR else []:
            reply = httpx.post(f"{base_url}/v1/ask", json={"question": text}, timeout=120)
            assert reply.status_code == 200 and not reply.json()["abstained"], text

        # ---- the flagship question, from its example: streamed, then read like an answer -----
        flagship = examples.filter(has_text=FLAGSHIP)
        answer_el, sent = _ask(page, 1, flagship.click)
        assert sent["request"]["question"] == FLAGSHIP
        assert sent["request"]["stream"] is True and sent["request"]["conversation_id"] is None
        data = sent["answer"]
        assert not data["abstained"]
        citations = data["citations"]
        assert len(citations) >= 2
        assert page.evaluate("window.__streamedText").strip(), "no text appeared while streaming"
        expect(page.locator("#empty-state")).to_have_count(0)

        expect(answer_el).not_to_have_class("not-found")
        chips = answer_el.locator(".citation-chip")
        chip_count = chips.count()
        assert chip_count >= 2
        assert {chips.nth(i).get_attribute("data-n") for i in range(chips.count())} <= {
            str(c["n"]) for c in citations
        }
        _check_reads_like_an_answer(answer_el, data)
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
        expect(page.locator("#panel-doctype")).to_contain_text(KIND[cited["authority"]])
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
        _shot(page, "web_answer.png")

        page.keyboard.press("Escape")
        expect(panel).to_be_hidden()
        assert page.evaluate("document.activeElement.classList.contains('citation-chip')")

        # a click opens it as well, and the close button closes it
        chips.nth(1).click()
        expect(panel).to_be_visible()
        expect(page.locator("#source-panel mark")).to_have_count(1, timeout=15_000)
        page.click("#close-panel")
        expect(panel).to_be_hidden()

        # ---- the dark theme follows the system -------------------------------------------------
        assert _luminance(page, "body", "background-color") > 0.8
        page.emulate_media(color_scheme="dark")
        assert _luminance(page, "body", "background-color") < 0.05
        assert _luminance(page, "body", "color") > 0.6
        assert _luminance(page, ".message.answer", "background-color") < 0.05
        _shot(page, "web_answer_dark.png")
        page.emulate_media(color_scheme="light")

        # ---- a follow-up continues the conversation -------------------------------------------
        second_el, sent2 = _ask(page, 2, _typed(page, FOLLOW_UP, press_enter=False))
        assert sent2["request"]["conversation_id"] == data["conversation_id"]
        data2 = sent2["answer"]
        assert data2["conversation_id"] == data["conversation_id"]
        expect(second_el).not_to_have_class("error")
        if data2["abstained"]:
            expect(second_el.locator(".not-found-title")).to_be_visible()
        else:
            expect(second_el.locator(".citation-chip").first).to_be_visible()

        # ---- a reload keeps the conversation, answers and all --------------------------------
        page.reload()
        exchanges = page.locator("#messages .exchange")
        expect(exchanges).to_have_count(2)
        expect(exchanges.nth(0).locator(".question-text")).to_have_text(FLAGSHIP)
        expect(exchanges.nth(1).locator(".question-text")).to_have_text(FOLLOW_UP)
        answer_el = page.locator("#messages .answer").first
        expect(answer_el.locator(".citation-chip")).to_have_count(chip_count)
        _check_reads_like_an_answer(answer_el, data)
        # another tab is another conversation
        other = context.new_page()
        other.goto(base_url + "/")
        expect(other.locator("#empty-state .example-question").first).to_be_visible()
        expect(other.locator("#messages .exchange")).to_have_count(0)
        other.close()

        # ---- a phone-sized screen ----------------------------------------------------------
        page.set_viewport_size(PHONE)
        box = page.locator("#question")
        expect(box).to_be_visible()
        expect(box).to_be_in_viewport()
        rect = box.bounding_box()
        assert rect and rect["x"] >= 0 and rect["x"] + rect["width"] <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, "sideways scrolling"
        expect(page.locator("#new-conversation")).to_be_in_viewport()
        _shot(page, "web_mobile.png")

        # the API-key control is compact: open, the whole header stays under a quarter screen
        page.click("#key-toggle")
        expect(page.locator("#api-key")).to_be_focused()
        header = page.locator(".site-header").bounding_box()
        assert header and header["y"] + header["height"] < PHONE["height"] / 4, header
        _shot(page, "web_mobile_key.png")
        page.click("#key-toggle")
        expect(page.locator("#key-form")).to_be_hidden()

        page.emulate_media(color_scheme="dark")
        assert _luminance(page, "body", "background-color") < 0.05
        _shot(page, "web_mobile_dark.png")
        page.emulate_media(color_scheme="light")

        # on a narrow screen the panel covers the whole width
        answer_el.locator(".citation-chip").first.click()
        expect(panel).to_be_visible()
        panel_box = panel.bounding_box()
        assert panel_box and panel_box["x"] <= 0.5 and panel_box["width"] >= 389
        expect(page.locator("#source-panel mark")).to_be_in_viewport(timeout=15_000)
        _shot(page, "web_mobile_source.png")
        page.keyboard.press("Escape")
        expect(panel).to_be_hidden()

        # ---- out of the corpus (after the reload: same conversation): a plain "not found" ------
        third_el, sent3 = _ask(page, 3, _typed(page, OUT_OF_CORPUS))
        assert sent3["request"]["conversation_id"] == data["conversation_id"]
        assert sent3["answer"]["abstained"]
        expect(third_el).to_have_class("message answer not-found")
        expect(third_el).to_contain_text("Not found in the corpus")
        expect(third_el.locator(".citation-chip")).to_have_count(0)
        _shot(page, "web_not_found.png")

        # ---- a new conversation; the earlier one is listed and reopens -------------------------
        page.set_viewport_size(DESKTOP)
        page.click("#new-conversation")
        expect(page.locator("#messages .exchange")).to_have_count(0)
        expect(page.locator("#empty-state .example-question").first).to_be_visible()
        earlier = page.locator("#empty-state .conversation-open")
        expect(earlier).to_have_count(1)
        expect(earlier).to_contain_text(FLAGSHIP)
        expect(earlier).to_contain_text("3 questions")
        expect(page.locator("#history-toggle")).to_have_text(re.compile(r"Earlier\s*\(1\)"))
        _shot(page, "web_new_conversation.png")
        page.reload()  # the new (still empty) conversation and the list survive a reload too
        expect(page.locator("#messages .exchange")).to_have_count(0)
        page.click("#history-toggle")
        expect(page.locator("#history .conversation-open")).to_have_count(1)
        _shot(page, "web_history.png")
        page.locator("#history .conversation-open").first.click()
        expect(page.locator("#messages .exchange")).to_have_count(3)
        expect(page.locator("#history-toggle")).to_be_hidden()  # nothing else to go back to

        assert not problems, problems
    finally:
        context.close()


def test_over_long_question_is_one_readable_line_and_kept(browser: Any, base_url: str) -> None:
    """A question the API refuses: the reason in words, a Retry button, the question kept."""
    context, page = _new_page(browser, DESKTOP)
    try:
        page.goto(base_url + "/")
        page.evaluate("document.getElementById('question').removeAttribute('maxlength')")
        long_question = ("export licence " * 2000).strip()
        page.fill("#question", long_question)
        page.click("#send")
        error = page.locator("#messages .answer.error")
        expect(error).to_be_visible(timeout=ANSWER_TIMEOUT)
        line = _squash(error.locator(".error-line").text_content())
        assert line.startswith("The question is too long"), line
        assert not re.search(r"\(\d{3}|Unprocessable|detail|loc", line), line
        expect(error.get_by_role("button", name="Retry")).to_be_visible()
        expect(page.locator("#question")).to_have_value(long_question)
    finally:
        context.close()


def test_retry_after_an_error_keeps_the_question(browser: Any, keyed_url: str) -> None:
    """Without a key: a sentence saying what to do, the key control opened, the question kept;
    a wrong key says so; with the right key, Retry answers in place of the failed exchange."""
    context, page = _new_page(browser, DESKTOP)
    try:
        page.goto(keyed_url + "/")
        expect(page.locator("#key-form")).to_be_hidden()
        failed, _ = _ask(page, 1, _typed(page, WOMBAT_QUESTION), status=401)
        expect(failed).to_have_class(re.compile(r"\berror\b"))
        expect(failed.locator(".error-line")).to_have_text(
            "This server needs an API key. Enter it above and retry."
        )
        expect(page.locator("#question")).to_have_value(WOMBAT_QUESTION)
        expect(page.locator("#key-form")).to_be_visible()
        expect(page.locator("#api-key")).to_be_focused()
        expect(failed.get_by_role("button", name="Retry")).to_be_in_viewport()
        _shot(page, "web_error_retry.png")

        page.fill("#api-key", "not-the-key")
        page.press("#api-key", "Enter")
        expect(page.locator("#key-form")).to_be_hidden()
        retry = failed.get_by_role("button", name="Retry")
        expect(retry).to_be_focused()
        failed, _ = _ask(page, 1, retry.click, status=401)
        expect(failed.locator(".error-line")).to_have_text(
            "The API key was not accepted. Check it above and retry."
        )
        expect(page.locator("#question")).to_have_value(WOMBAT_QUESTION)

        page.fill("#api-key", API_KEY)
        page.click("#key-save")
        expect(page.locator("#key-form")).to_be_hidden()  # collapses after use
        expect(page.locator("#key-toggle")).to_have_attribute("aria-label", "API key (set)")
        answer_el, sent = _ask(page, 1, failed.get_by_role("button", name="Retry").click)
        assert sent["request"]["question"] == WOMBAT_QUESTION
        assert not sent["answer"]["abstained"]
        expect(page.locator("#messages .exchange")).to_have_count(1)  # in place of the failure
        expect(answer_el).not_to_have_class(re.compile(r"\berror\b"))
        expect(answer_el.locator(".citation-chip").first).to_be_visible()
        expect(page.locator("#question")).to_have_value("")
    finally:
        context.close()


def test_markup_in_documents_shows_as_text(browser: Any, keyed_url: str) -> None:
    """Document text, titles and citations that look like HTML are shown as those characters:
    no element is made from them and no script of theirs runs, in the answer or the panel."""
    context, page = _new_page(browser, DESKTOP)
    page.add_init_script(f"sessionStorage.setItem('tpa-api-key', {json.dumps(API_KEY)})")
    try:
        page.goto(keyed_url + "/")
        answer_el, sent = _ask(page, 1, _typed(page, WOMBAT_QUESTION))
        data = sent["answer"]
        assert not data["abstained"]
        cited = next(c for c in data["citations"] if c["doc_id"] == "wombat-notice")
        shown = _squash(answer_el.text_content())
        assert IMG in shown or SCRIPT in shown, shown
        doc = answer_el.locator('.source-doc[data-doc="wombat-notice"]')
        expect(doc.locator(".source-doc-title")).to_have_text(WOMBAT_TITLE)
        expect(doc.locator(".badge-news")).to_have_text("News")  # an article: news, secondary
        expect(doc.locator(".badge-secondary")).to_have_text("secondary")
        expect(doc.locator(".source-citation").first).to_have_text(WOMBAT_META["citation"])
        _check_reads_like_an_answer(answer_el, data)

        doc.locator(".source-open").first.click()
        expect(page.locator("#panel-title")).to_have_text(WOMBAT_TITLE)
        mark = page.locator("#source-panel mark")
        expect(mark).to_have_count(1)
        assert mark.text_content() == cited["quote"]
        passage = _squash(page.locator("#panel-passage").text_content())
        assert IMG in passage and SCRIPT in passage, passage
        made = page.locator("#messages, #source-panel").locator(MADE_FROM_TEXT)
        expect(made).to_have_count(0)
        assert page.evaluate("window.__pwned") is None
        _shot(page, "web_markup_as_text.png")
    finally:
        context.close()


def test_a_question_about_what_bis_will_do_says_why_it_may_not_settle_it(
    browser: Any, base_url: str
) -> None:
    """The page shows the answer's own reason for being partial: for a question about what BIS
    will do, that the corpus holds what was published, not the generic note."""
    from assistant.answering.extractive import FUTURE_NOTE

    context, page = _new_page(browser, DESKTOP)
    try:
        page.goto(base_url + "/")
        question = "Will BIS add more Huawei affiliates to the Entity List?"
        answer_el, sent = _ask(page, 1, _typed(page, question))
        data = sent["answer"]
        assert not data["abstained"] and data["partial"]
        assert data["partial_note"] == FUTURE_NOTE
        expect(answer_el.locator(".partial-note")).to_have_text(FUTURE_NOTE)
    finally:
        context.close()

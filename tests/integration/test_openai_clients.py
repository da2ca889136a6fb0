"""`tpa serve` driven the way its users' tools drive it: the official `openai` client, LangChain
`ChatOpenAI`, and the requests Open WebUI sends (a model list first, long resent histories,
background title and follow-up tasks). Real server, real corpus, real HTTP, an API key set."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import httpx
import openai
import pytest
from openai import OpenAI

from assistant.answering.quotes import display
from tests.conftest import CorpusStore
from tests.support.servers import api_server

pytestmark = pytest.mark.slow

KEY = "sk-openai-clients-0123"
MODEL = "trade-policy-assistant"
FLAGSHIP = "Do mass-market software sales to Huawei need a licence?"
LISTED = "Is Huawei on the Entity List?"


@pytest.fixture(scope="module")
def base(corpus_store: CorpusStore) -> Iterator[str]:
    env = {
        "TPA_DATA_DIR": str(corpus_store.settings.data_dir),
        "TPA_API_KEYS": json.dumps({KEY: {"name": "clients", "groups": ["public"]}}),
        "TPA_RATE_LIMIT_PER_MINUTE": "1000",
    }
    with api_server(env) as url:
        yield f"{url}/v1"


@pytest.fixture(scope="module")
def client(base: str) -> OpenAI:
    return OpenAI(base_url=base, api_key=KEY, max_retries=0, timeout=120)


def _ask(client: OpenAI, question: str = FLAGSHIP, **kwargs: Any) -> Any:
    messages = [{"role": "user", "content": question}]
    return client.chat.completions.create(model=MODEL, messages=messages, **kwargs)  # type: ignore[call-overload]


def _flat(text: str) -> str:
    return " ".join(text.split())


# ---- models ---------------------------------------------------------------------------------


def test_models_are_listed_and_retrievable(client: OpenAI) -> None:
    ids = [m.id for m in client.models.list()]
    assert ids == [MODEL]
    model = client.models.retrieve(MODEL)
    assert model.id == MODEL and model.object == "model" and model.owned_by
    with pytest.raises(openai.NotFoundError) as caught:
        client.models.retrieve("gpt-4o")
    assert caught.value.code == "model_not_found" and MODEL in caught.value.message


# ---- the answer as Markdown -----------------------------------------------------------------


def test_chat_reply_is_readable_markdown_with_linked_sources(client: OpenAI) -> None:
    done = _ask(client)
    content = done.choices[0].message.content or ""
    citations = (done.model_extra or {})["citations"]
    assert citations and done.choices[0].finish_reason == "stop"
    body, _, sources = content.partition("\n\n**Sources**\n\n")
    assert sources, content
    # No paragraph runs into the next: a single newline only joins items of one list.
    for before, after in re.findall(r"([^\n]+)\n(?=([^\n]+))", content):
        assert re.match(r"\s*- ", before) and re.match(r"\s*- ", after), (before, after)
    # Every source is a list item; every official URL is a Markdown link.
    assert all(line.startswith(("- ", "  - ")) for line in sources.splitlines())
    links = {unquote(u) for u in re.findall(r"\]\((https?://[^)\s]+)\)", sources)}
    assert {c["source_url"] for c in citations if c["source_url"]} <= links
    # No quote twice: under Sources only the quotes the answer itself does not show (it shows
    # a provision as `display` writes it: "( a )" as "(a)").
    for c in citations:
        quote = _flat(c["quote"]).strip("\"'“”")
        shown = quote in _flat(body) or display(quote) in _flat(body)
        assert (quote in _flat(sources)) != shown, c["quote"][:80]
    # Each numbered marker in the text has its source listed.
    for n in {int(n) for n in re.findall(r"\[(\d+)\]", body)}:
        assert f"[{n}]" in sources
    usage = done.usage
    assert usage is not None and usage.prompt_tokens > 5 and usage.completion_tokens > 50
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_stream_is_incremental_and_ends_with_a_usage_chunk(client: OpenAI) -> None:
    plain = _ask(client, LISTED)
    content = plain.choices[0].message.content or ""
    chunks = list(_ask(client, LISTED, stream=True, stream_options={"include_usage": True}))
    deltas = [
        c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content
    ]
    assert "".join(deltas) == content  # the same answer, assembled
    # Line by line as composed, not one delta: at least one per line of the answer.
    assert len(deltas) >= content.count("\n- ") + 2, deltas
    finish = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert [c.choices[0].finish_reason for c in finish] == ["stop"]
    assert (finish[0].model_extra or {})["citations"]
    last = chunks[-1]
    assert last.choices == [] and last.usage is not None
    assert last.usage.model_dump() == plain.usage.model_dump()  # type: ignore[union-attr]
    assert all(c.usage is None for c in chunks[:-1])


def test_max_tokens_cuts_the_reply_with_finish_reason_length(client: OpenAI) -> None:
    cut = _ask(client, LISTED, max_tokens=12)
    assert cut.choices[0].finish_reason == "length"
    assert cut.usage is not None and cut.usage.completion_tokens == 12
    whole = _ask(client, LISTED).choices[0].message.content or ""
    text = cut.choices[0].message.content or ""
    assert text and whole.startswith(text) and len(text) < len(whole) / 4
    chunks = list(_ask(client, LISTED, stream=True, max_completion_tokens=12))
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed == text
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "length"


# ---- errors in OpenAI's shape ---------------------------------------------------------------


def test_wrong_key_is_an_openai_shaped_401(base: str) -> None:
    with pytest.raises(openai.AuthenticationError) as caught:
        _ask(OpenAI(base_url=base, api_key="wrong", max_retries=0))
    assert caught.value.code == "invalid_api_key"
    assert caught.value.body == {
        "message": "invalid API key",
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_api_key",
    }
    with pytest.raises(openai.AuthenticationError):
        OpenAI(base_url=base, api_key="wrong", max_retries=0).models.list()


def test_bad_requests_are_openai_shaped(client: OpenAI, base: str) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as caught:
        client.chat.completions.create(
            model=MODEL, messages=[{"role": "assistant", "content": "Hello."}]
        )
    assert caught.value.param == "messages" and "user" in caught.value.message
    assert caught.value.type == "invalid_request_error"
    with pytest.raises(openai.UnprocessableEntityError) as caught:
        _ask(client, "   ")
    assert caught.value.param == "messages[0].content" and "empty" in caught.value.message
    with pytest.raises(openai.BadRequestError) as caught:
        _ask(client, n=2)
    assert caught.value.param == "n"
    # Validation errors name the field; the product's own routes keep {"detail": ...}.
    headers = {"Authorization": f"Bearer {KEY}"}
    r = httpx.post(f"{base}/chat/completions", json={"messages": "hi"}, headers=headers, timeout=30)
    assert r.status_code == 422 and r.json()["error"]["param"] == "messages"
    r = httpx.post(f"{base}/ask", json={"question": ""}, headers=headers, timeout=30)
    assert r.status_code == 422 and "detail" in r.json()
    too_big = b'{"messages": [{"role": "user", "content": "' + b"a" * (1100 * 1024) + b'"}]}'
    r = httpx.post(
        f"{base}/chat/completions",
        content=too_big,
        headers={**headers, "content-type": "application/json"},
        timeout=30,
    )
    assert r.status_code == 413 and r.json()["error"]["code"] == "request_too_large"


# ---- long conversations and chat UIs' background tasks ---------------------------------------

# What a practitioner types around a question; with real answers resent, 20 exchanges pass the
# 64 KiB that bounds the other endpoints' bodies.
CONTEXT = (
    "For context: we are a mid-sized U.S. distributor of networking equipment and off-the-shelf "
    "software, with resellers in Malaysia, Singapore and Germany. Our compliance team screens "
    "every customer against the Consolidated Screening List, but several of our resellers sell "
    "on to telecom operators in China, and some of our products include encryption. We want to "
    "know what the regulations themselves say, with citations we can put in our compliance file."
)
CONVERSATION = [
    FLAGSHIP,
    "And sales to its affiliates?",
    "What does a listing on the Entity List require of exporters?",
    "Which items are subject to the EAR when they are already abroad?",
    "How does the de minimis rule treat foreign-made items with U.S. content?",
    "Does the foreign direct product rule reach chips made abroad for Huawei?",
    "What was the Temporary General License for Huawei and what did it allow?",
    "What licence review policy applies to Entity List parties?",
    "Can EAR99 items go to a listed entity without a licence?",
    "What counts as a deemed export?",
    "Which license exceptions are in Part 740?",
    "Is License Exception ENC available for exports to Huawei?",
    "What did the May 2019 Federal Register rule add to the Entity List?",
    "What does License Exception TSU cover for mass-market software?",
    "Who decides on additions to the Entity List?",
    "What are the penalties for violating the EAR?",
    "Do we need a licence to send source code to a subsidiary in China?",
    "What does footnote 1 to the Entity List mean?",
    "Are exports to military end users in China restricted?",
    FLAGSHIP,
]


def test_a_twenty_exchange_chat_resent_in_full_keeps_working(client: OpenAI) -> None:
    messages: list[dict[str, str]] = [
        {"role": "system", "content": "You are our export-compliance assistant."}
    ]
    sizes = []
    for question in CONVERSATION:
        messages.append({"role": "user", "content": f"{question}\n\n{CONTEXT}"})
        sizes.append(len(json.dumps({"model": MODEL, "messages": messages}).encode()))
        reply = client.chat.completions.create(model=MODEL, messages=messages)  # type: ignore[arg-type]
        content = reply.choices[0].message.content or ""
        assert content.strip(), question
        messages.append({"role": "assistant", "content": content})
    assert sizes[-1] > 64 * 1024, sizes  # what used to be refused with 413
    # The last question is answered from the corpus, like the same first one was.
    assert (reply.model_extra or {})["citations"] and "**Sources**" in content
    assert reply.usage is not None and reply.usage.prompt_tokens > 10_000


def test_langchain_chat_openai_gets_the_answer_and_its_sources(base: str) -> None:
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(model=MODEL, base_url=base, api_key=KEY, max_retries=0, stream_usage=True)  # type: ignore[arg-type]
    messages = [("system", "Answer from the corpus."), ("user", LISTED)]
    reply = llm.invoke(messages)
    content = str(reply.content)
    assert "**Sources**" in content and "](https://" in content  # citations survive in the text
    assert reply.usage_metadata and reply.usage_metadata["output_tokens"] > 50
    chunks = list(llm.stream(messages))
    assert sum(1 for c in chunks if c.content) >= 4
    whole = chunks[0]
    for c in chunks[1:]:
        whole = whole + c  # type: ignore[assignment]
    assert whole.content == content
    assert whole.usage_metadata == reply.usage_metadata  # type: ignore[attr-defined]


# Open WebUI's default task templates (backend/open_webui/config.py), filled the way it fills
# them: the last messages as "ROLE: content" lines inside <chat_history>.
OPEN_WEBUI_TITLE = """### Task:
Generate a concise, 3-5 word title with an emoji summarizing the chat history.
### Guidelines:
- The title should clearly represent the main theme or subject of the conversation.
- Use emojis that enhance understanding of the topic, but avoid quotation marks or special formatting.
- Write the title in the chat's primary language; default to English if multilingual.
- Prioritize accuracy over excessive creativity; keep it clear and simple.
### Output:
JSON format: { "title": "your concise title here" }
### Examples:
- { "title": "📉 Stock Market Trends" },
- { "title": "🍪 Perfect Chocolate Chip Recipe" },
- { "title": "Evolution of Music Streaming" },
- { "title": "Remote Work Productivity Tips" },
- { "title": "Artificial Intelligence in Healthcare" },
- { "title": "🎮 Video Game Development Insights" }
### Chat History:
<chat_history>
{{MESSAGES:END:2}}
</chat_history>"""  # noqa: E501 (verbatim)

OPEN_WEBUI_FOLLOW_UPS = """### Task:
Suggest 3-5 relevant follow-up questions or prompts that the user might naturally ask next in this conversation as a **user**, based on the chat history, to help continue or deepen the discussion.
### Guidelines:
- Write all follow-up questions from the user's point of view, directed to the assistant.
- Make questions concise, clear, and directly related to the discussed topic(s).
- Only suggest follow-ups that make sense given the chat history and the assistant's last response.
- Use the chat's primary language; default to English if multilingual.
- If the conversation is concluded or no relevant follow-ups exist, return an empty list.
### Output:
JSON format: { "follow_ups": ["Question 1?", "Question 2?", "Question 3?"] }
### Chat History:
<chat_history>
{{MESSAGES:END:6}}
</chat_history>"""  # noqa: E501 (verbatim)


def _open_webui_task(base: str, template: str, history: list[dict[str, str]]) -> httpx.Response:
    lines = "\n".join(f"{m['role'].upper()}: {m['content']}" for m in history)
    content = re.sub(r"\{\{MESSAGES:END:\d\}\}", lambda _: lines, template)
    payload = {
        "model": MODEL,
        "messages": [{"role": "user", "content": content}],
        "stream": False,
        "max_completion_tokens": 1000,
    }
    headers = {"Authorization": f"Bearer {KEY}"}
    return httpx.post(f"{base}/chat/completions", json=payload, headers=headers, timeout=60)


def test_chat_ui_title_and_follow_up_tasks_get_short_replies(client: OpenAI, base: str) -> None:
    answer = _ask(client).choices[0].message.content or ""
    history = [{"role": "user", "content": FLAGSHIP}, {"role": "assistant", "content": answer}]
    assert len(OPEN_WEBUI_TITLE) + len(FLAGSHIP) + len(answer) > 2000  # over a question's limit

    r = _open_webui_task(base, OPEN_WEBUI_TITLE, history)
    assert r.status_code == 200, r.text
    reply = r.json()
    content = reply["choices"][0]["message"]["content"]
    title = json.loads(content)["title"]  # what Open WebUI parses
    assert 2 <= len(title.split()) <= 5 and "Huawei" in title, title
    assert "Sources" not in content and reply["citations"] == []
    assert reply["usage"]["prompt_tokens"] > 100

    r = _open_webui_task(base, OPEN_WEBUI_FOLLOW_UPS, history)
    assert r.status_code == 200, r.text
    assert json.loads(r.json()["choices"][0]["message"]["content"]) == {"follow_ups": []}

    # LibreChat's way: the conversation as messages, its title instruction as the last one.
    instruction = (
        "Provide a concise, 5-word-or-less title for the conversation, using title case "
        "conventions. Only return the title itself."
    )
    plain = client.chat.completions.create(
        model=MODEL,
        messages=[*history, {"role": "user", "content": instruction}],  # type: ignore[list-item]
    )
    assert plain.choices[0].message.content == title


def test_an_over_long_message_is_answered_from_its_last_paragraph(client: OpenAI) -> None:
    pasted = "Notes from our compliance file about an unrelated shipment. " * 60
    done = _ask(client, f"{pasted}\n\n{FLAGSHIP}")
    content = done.choices[0].message.content or ""
    assert content.startswith("_Your message is ") and FLAGSHIP in content.split("\n\n")[0]
    assert (done.model_extra or {})["citations"]
    nothing = _ask(client, "x" * 3000)
    text = nothing.choices[0].message.content or ""
    assert "2,000" in text and (nothing.model_extra or {})["abstained"] is True

"""Calling the model for an answer: the reply is checked sentence by sentence as it streams.

Only passages whose text the store verifies may be cited, and with none the model is not called
at all. What is yielded is only text the `ReplyChecker` has released, so a client never sees a
sentence before its citations are checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.answering.llm.check import ReplyChecker
from assistant.answering.llm.client import LLMConfig, content_text
from assistant.answering.llm.prompt import build_messages
from assistant.answering.verify import verified_passages
from assistant.models import Answer, SearchResult, not_covered

MAX_REPLY_CHARS = 16_000  # a runaway model is cut off: an answer is a few paragraphs


def _citable(
    passages: Sequence[SearchResult], text_of: Callable[[str], str | None] | None
) -> set[int]:
    if text_of is None:
        return set(range(1, len(passages) + 1))
    return verified_passages(passages, text_of)


def stream_with_llm(
    question: str,
    passages: Sequence[SearchResult],
    model: BaseChatModel,
    cfg: LLMConfig,
    text_of: Callable[[str], str | None] | None = None,
    first_n: int = 1,
) -> Iterator[str | Answer]:
    """Yield checked text, sentence by sentence, as the model writes, then the Answer, last.

    With `text_of` (doc_id -> stored text) a passage is citable only if its text is verified
    against the store. Joined, the text deltas are exactly the Answer's `answer`: nothing
    unchecked is ever yielded. An abstaining Answer comes alone, with no delta before it
    (nothing the model wrote is shown), so the caller can say the abstention in its own words.
    The Answer is the one `postprocess` gives for the whole reply.
    """
    valid = _citable(passages, text_of)
    if not valid:
        yield not_covered()
        return
    checker = ReplyChecker(passages, cfg.unsupported, valid, first_n)
    size = 0
    for chunk in model.stream(build_messages(question, passages)):
        delta = content_text(chunk.content)[: MAX_REPLY_CHARS - size]
        size += len(delta)
        ready = checker.feed(delta)
        if ready:
            yield ready
        if size >= MAX_REPLY_CHARS:
            break
    rest, answer = checker.finish()
    if rest:
        yield rest
    yield answer

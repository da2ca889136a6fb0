"""Composing an answer from the retrieved passages, one of two ways, each checked as it is made.

Without a model (the default) the extractive answerer quotes sentences and every citation is
verified against the store before anything is sent. With one, the model's reply streams out
sentence by sentence as each passes the reply check. Either way the answer opens with the as-of
lead and the screening block, whose 15 CFR 744.11 citation is numbered only once verified.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING

from assistant.answering.extractive import compose_extractive
from assistant.answering.screening_lead import (
    SCREENING_ONLY,
    ScreeningLead,
    verified_meaning,
    with_screening,
)
from assistant.answering.verify import verified_extractive
from assistant.config import Settings
from assistant.index.term_stats import TermStats
from assistant.models import Answer, SearchResult

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from assistant.answering.llm.client import LLMConfig

LLM_PASSAGES = 6  # passages given to the model

TextOf = Callable[[str], str | None]  # doc_id -> the stored text (None when it is gone)


def extractive_answer(
    question: str,
    passages: list[SearchResult],
    head: str,
    screen: ScreeningLead | None,
    settings: Settings,
    terms: TermStats,
    text_of: TextOf,
) -> Answer:
    """Sentences quoted from the passages, only those whose citation the store verifies, after
    `head` and the screening block (whose 744.11 citation is numbered after the passages')."""
    answer = compose_extractive(
        question,
        passages,
        min_relevance=settings.min_relevance,
        min_relevance_unknown_name=settings.min_relevance_unknown_name,
        is_known=terms.knows,
        idf=terms.idf,
    )
    answer = verified_extractive(answer, text_of)
    if screen is not None:
        answer, cited_n = with_screening(answer, screen, text_of)
        head += screen.text(cited_n)
    answer.answer = head + answer.answer
    return answer


def llm_answer(
    question: str,
    passages: list[SearchResult],
    head: str,
    screen: ScreeningLead | None,
    model: BaseChatModel,
    cfg: LLMConfig,
    text_of: TextOf,
    sent: list[str],
) -> Generator[str, None, Answer]:
    """Stream the model's answer as it passes the checks (appending what goes out to `sent`)
    and return the Answer, screening block included.

    The screening block goes first, its 15 CFR 744.11 citation verified before it is shown
    (numbered [1], the passages from [2]); the model's sentences follow one by one once they
    pass. An answer that ends up abstaining sends nothing of what the model wrote: the
    caller sends the abstention."""
    from assistant.answering.llm.stream import stream_with_llm

    meaning = verified_meaning(screen, 1, text_of) if screen is not None else None
    head += screen.text(1 if meaning else None) if screen is not None else ""
    if head:
        sent.append(head)
        yield head
    answer: Answer | None = None
    given = passages[:LLM_PASSAGES]
    first_n = 2 if meaning else 1
    for part in stream_with_llm(question, given, model, cfg, text_of, first_n):
        if isinstance(part, Answer):
            answer = part
        else:
            sent.append(part)
            yield part
    assert answer is not None
    if screen is not None:
        if answer.abstained:
            answer = Answer(answer=SCREENING_ONLY)
        answer.citations = [*([meaning] if meaning else []), *answer.citations]
        answer.screening = screen.screening
    answer.answer = head + answer.answer
    return answer

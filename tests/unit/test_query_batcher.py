"""Questions asked at the same time share one model call, and each asker gets the vector of its
own question: the real model, gated so that the others queue while it embeds the first."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

import numpy as np
import pytest

from assistant.index.embeddings import embed_texts, query_vector
from assistant.index.query_batcher import QueryBatcher

QUESTIONS = [
    "Do mass-market software sales to Huawei need a licence?",
    "What is License Exception TSU?",
    "Which items are subject to the EAR?",
    "Is a company 50 percent owned by a listed entity covered?",
    "Can EAR99 goods go to Syria without a licence?",
    "What does the foreign direct product rule cover?",
    "How do I ask to be removed from the Entity List?",
    "What is the de minimis rule for foreign-made items?",
    "Which destinations are embargoed under part 746?",
    "What must an exporter keep as records?",
    "Who is a U.S. person under the EAR?",
    "When does a deemed export happen?",
]


class Gated:
    """The real model, whose first call waits until the test lets it go; counts calls."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.calls: list[int] = []

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        if not self.calls:
            self.entered.set()
            assert self.release.wait(30)
        self.calls.append(len(texts))
        return embed_texts(texts)


class Askers:
    """One thread per question, each embedding its question through `batcher`."""

    def __init__(self, batcher: QueryBatcher, questions: list[str]) -> None:
        self.got: dict[str, np.ndarray] = {}
        self.errors: list[Exception] = []
        self.threads = [threading.Thread(target=self._ask, args=(batcher, q)) for q in questions]
        for t in self.threads:
            t.start()

    def _ask(self, batcher: QueryBatcher, question: str) -> None:
        try:
            self.got[question] = batcher.embed(question)
        except Exception as exc:
            self.errors.append(exc)

    def join(self) -> None:
        for t in self.threads:
            t.join(30)
            assert not t.is_alive(), "a question never got its vector"


def _wait_until(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_questions_asked_together_share_a_model_call_and_each_gets_its_own_vector() -> None:
    gate = Gated()
    batcher = QueryBatcher(gate)
    first = Askers(batcher, QUESTIONS[:1])
    assert gate.entered.wait(30)  # the model is busy with the first question...
    rest = Askers(batcher, QUESTIONS[1:])
    _wait_until(lambda: batcher.pending == len(QUESTIONS) - 1)  # ...while the others queue
    gate.release.set()
    first.join()
    rest.join()
    assert not first.errors and not rest.errors
    assert gate.calls == [1, len(QUESTIONS) - 1], "the waiting questions went in one call"

    got = {**first.got, **rest.got}
    alone = {q: embed_texts([q])[0] for q in QUESTIONS}
    for q in QUESTIONS:
        # Its own question's vector (padding a shorter question changes at most the last bits)...
        assert np.allclose(got[q], alone[q], atol=1e-6)
        # ...and not a neighbour's: the closest lone vector to each answer is its own question's.
        nearest = max(QUESTIONS, key=lambda other: float(got[q] @ alone[other]))
        assert nearest == q


def test_a_model_failure_reaches_every_question_of_its_batch_and_the_next_is_embedded() -> None:
    gate = Gated()
    failing = True

    def encode(texts: Sequence[str]) -> np.ndarray:
        if failing and gate.calls:
            raise RuntimeError("the model ran out of memory")
        return gate(texts)

    batcher = QueryBatcher(encode)
    first = Askers(batcher, QUESTIONS[:1])
    assert gate.entered.wait(30)
    doomed = Askers(batcher, QUESTIONS[1:5])
    _wait_until(lambda: batcher.pending == 4)
    gate.release.set()
    first.join()
    doomed.join()
    assert not first.errors and list(first.got) == QUESTIONS[:1]
    assert len(doomed.errors) == 4 and not doomed.got
    assert all("out of memory" in str(e) for e in doomed.errors)
    failing = False
    vector = batcher.embed(QUESTIONS[5])  # the worker lives on
    assert np.array_equal(vector, embed_texts([QUESTIONS[5]])[0])


def test_a_question_asked_alone_is_embedded_exactly_as_by_the_model() -> None:
    # What `tpa ask` and the eval see: bit for bit the model's vector, so figures do not move.
    for q in QUESTIONS[:3]:
        assert np.array_equal(query_vector(q), embed_texts([q])[0])


def test_bad_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        QueryBatcher(embed_texts, max_batch=0)
    with pytest.raises(ValueError):
        QueryBatcher(embed_texts, window=-1)

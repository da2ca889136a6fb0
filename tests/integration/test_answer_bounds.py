"""Bounds and checks of the assistant over a small real store, in process: the standalone
question and the audit line stay bounded however long a conversation runs; stateless callers
leave no memory and one caller's traffic never evicts another's thread; a citation the store
cannot verify takes its marker (or its line) with it and the numbers close up; and a streamed
LLM answer opening with the screening block sends only checked text, its 15 CFR 744.11 citation
numbered only once verified."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant.access import Caller
from assistant.answering.conversation import MAX_QUESTION_CHARS
from assistant.answering.quotes import display
from assistant.answering.screening_lead import SCREENING_ONLY
from assistant.answering.service import Assistant
from assistant.answering.verify import verify
from assistant.models import Answer
from tests.conftest import SMALL_DOCS, make_settings, small_corpus
from tests.support.csl import ROWS, write_list
from tests.support.fake_openai import FakeOpenAI

AUDIT_LINE_BOUND = 32 * 1024  # see assistant/answering/audit_bounds.py, AUDIT_ANSWER_CHARS
QUESTION = "What do the rules say about sales to Entity List parties?"
MARKER = re.compile(r"\[(\d+)\]")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ingest.pipeline import run_ingest

    corpus = small_corpus(tmp_path_factory.mktemp("bounds-corpus"), SMALL_DOCS)
    data = tmp_path_factory.mktemp("bounds-data")
    run_ingest([corpus], make_settings(data), progress=False)
    folder = data / "screening"
    write_list(folder, ROWS, {"version": "2026-02-10", "url": "test"})
    return data


@pytest.fixture(scope="module")
def assistant(data_dir: Path) -> Assistant:
    return Assistant(make_settings(data_dir))


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def llm_assistant(data_dir: Path, fake: FakeOpenAI) -> Assistant:
    fake.reset()
    return Assistant(
        make_settings(data_dir, llm="openai", llm_base_url=f"{fake.url}/v1", llm_model="fake")
    )


def _audit_lines(assistant: Assistant, caller: str) -> list[str]:
    lines = assistant.audit.path.read_text(encoding="ascii").splitlines()
    return [line for line in lines if json.loads(line)["caller"] == caller]


def _stored(assistant: Assistant, doc_id: str) -> str:
    stored = assistant.store.get_document(doc_id)
    assert stored is not None
    return stored.text


def _replace_stored_text(assistant: Assistant, doc_id: str, text: str) -> None:
    """The store's text of a document changes under the index (a re-ingest in progress); the
    documents collection holds a dummy vector, as `Store.write_document` writes it."""
    dummy = np.ones((1, 1), dtype=np.float32)
    assistant.store.documents.update(ids=[doc_id], documents=[text], embeddings=dummy)


def _markers(text: str) -> list[int]:
    return [int(n) for n in MARKER.findall(text)]


def _consistent(answer: Answer) -> None:
    """Text markers, claims and citations agree, numbered 1..N, every quote verified."""
    numbers = [c.n for c in answer.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    assert set(_markers(answer.answer)) == set(numbers)
    assert {n for claim in answer.claims for n in claim.citations} <= set(numbers)


# ---- 7: the standalone question and the audit line -----------------------------------------


def test_a_long_chain_of_follow_ups_keeps_question_and_audit_line_bounded(
    assistant: Assistant,
) -> None:
    caller = Caller("chain-7", None, "api")
    first = assistant.ask(QUESTION, caller=caller)
    follow = ("and what about affiliates of the listed parties abroad " * 40)[:1990]
    assert len(follow) == 1990
    for _ in range(25):
        answer = assistant.ask(follow, conversation_id=first.conversation_id, caller=caller)
        assert answer.question is not None
        assert len(answer.question) <= MAX_QUESTION_CHARS
        assert answer.question.endswith(follow.strip())  # the latest question is kept whole
    # A short follow-up keeps the earlier context it refers to.
    short = assistant.ask("and its affiliates?", conversation_id=first.conversation_id,
                          caller=caller)  # fmt: skip
    assert short.question is not None and short.question.endswith(" and its affiliates?")
    assert "affiliates of the listed parties" in short.question
    lines = _audit_lines(assistant, "chain-7")
    assert len(lines) == 27
    assert max(len(line) for line in lines) <= AUDIT_LINE_BOUND
    assert all(len(json.loads(line)["standalone_question"]) <= MAX_QUESTION_CHARS for line in lines)


# ---- 14: conversation memory ---------------------------------------------------------------


def test_stateless_traffic_and_other_callers_do_not_evict_a_callers_thread(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The limits scaled down (1000 overall, 50 per caller in production) so that a few dozen
    # real answers show what thousands would.
    monkeypatch.setattr(assistant.memory, "max_conversations", 30)
    monkeypatch.setattr(assistant.memory, "max_per_caller", 5)
    alice, bob, carol = (Caller(n, None, "api") for n in ("alice", "bob", "carol"))

    thread = assistant.ask("Is Huawei on the Entity List?", caller=alice)
    # Carol's client sends its history every time (the OpenAI endpoint), and also asks without
    # a conversation id over REST; Bob opens many threads.
    stateless = [assistant.ask(QUESTION, history=[], caller=carol) for _ in range(40)]
    for _ in range(8):
        assistant.ask(QUESTION, caller=carol)
    bob_ids = [f"bob-{i}" for i in range(8)]
    for cid in bob_ids:
        assistant.ask(QUESTION, conversation_id=cid, caller=bob)

    # Alice's thread is still there: her follow-up is read in its light.
    follow = assistant.ask("and its affiliates?", conversation_id=thread.conversation_id,
                           caller=alice)  # fmt: skip
    assert follow.question is not None and "Huawei" in follow.question
    assert len(assistant.history(thread.conversation_id, alice)) == 2
    # Stateless requests left nothing; each caller only ever forgot their own oldest.
    assert all(assistant.history(a.conversation_id, carol) == [] for a in stateless)
    assert [bool(assistant.history(cid, bob)) for cid in bob_ids] == [False] * 3 + [True] * 5


# ---- 12: a citation the store cannot verify ------------------------------------------------


def test_an_unverifiable_extractive_citation_takes_its_line_and_the_numbers_close_up(
    assistant: Assistant,
) -> None:
    question = "Which license requirements apply to parties listed on the Entity List?"
    before = assistant.ask(question, history=[])
    assert len(before.citations) >= 3
    stale = before.citations[1]  # [2]: its span no longer holds its quote (same length)
    original = _stored(assistant, stale.doc_id)
    changed = original[: stale.start] + "#" + original[stale.start + 1 :]
    _replace_stored_text(assistant, stale.doc_id, changed)
    try:
        after = assistant.ask(question, history=[])
    finally:
        _replace_stored_text(assistant, stale.doc_id, original)
    assert not after.abstained
    assert len(after.citations) == len(before.citations) - 1
    assert all((c.start, c.end) != (stale.start, stale.end) for c in after.citations)
    shown = display(stale.quote)  # as the answer displays a quoted provision
    assert shown in before.answer and shown not in after.answer
    _consistent(after)
    # Each quoted line carries its own markers, in order (a provision whose list runs on into
    # the next chunk carries that chunk's too), and each marker's claim cites that one.
    lines = [line for line in after.answer.splitlines() if _markers(line)]
    numbers = list(range(1, len(after.citations) + 1))
    assert [m for line in lines for m in _markers(line)] == numbers
    assert [c.citations for c in after.claims] == [[n] for n in numbers]
    # The rest is what it was, renumbered: [3] is now [2], and so on.
    assert [c.quote for c in after.citations] == [
        c.quote for c in before.citations if c.n != stale.n
    ]
    for c in after.citations:
        assert verify(c, changed if c.doc_id == stale.doc_id else _stored(assistant, c.doc_id))


# ---- 11: the LLM stream with the screening block -------------------------------------------

SCREENED = "Can we sell mass-market encryption software to Huawei Technologies?"


def _stream(assistant: Assistant, question: str) -> tuple[str, Answer]:
    parts = list(assistant.stream(question, history=[]))
    final = parts[-1]
    assert isinstance(final, Answer)
    assert all(isinstance(p, str) for p in parts[:-1])
    return "".join(str(p) for p in parts[:-1]), final


def test_the_streamed_screening_block_numbers_only_a_verified_744_11_citation(
    llm_assistant: Assistant, fake: FakeOpenAI
) -> None:
    # [99] is no passage's number, however many the determination and the block take.
    reply = "A license is required for items subject to the EAR [1][2][3][4][5][6]. Trust me [99]."
    fake.push(reply)
    streamed, answer = _stream(llm_assistant, SCREENED)
    assert streamed == answer.answer
    # The determination first, then the screening block, then the model's checked sentences.
    assert answer.answer.startswith("**Licence required: yes")
    assert answer.determination is not None
    assert "[99]" not in streamed
    blocks = answer.answer.split("\n\n")
    at = next(i for i, b in enumerate(blocks) if b.startswith("Screening against the Consolidated"))
    screening = blocks[at]
    assert "What an Entity List entry means:" in screening
    meaning_n = _markers(screening)[-1]
    assert answer.citations[meaning_n - 1].citation.startswith("15 CFR 744.11")
    body = "\n\n".join(blocks[at + 1 :])
    assert min(_markers(body)) == meaning_n + 1  # the model's passages follow the block's
    _consistent(answer)

    # Now the store no longer holds the 744.11 text the block and the determination would
    # quote: no number for it, in the stream or in the answer, and no citation of it anywhere.
    meaning_doc = answer.citations[meaning_n - 1].doc_id
    original = _stored(llm_assistant, meaning_doc)
    _replace_stored_text(llm_assistant, meaning_doc, "x" + original)
    fake.push(reply)
    try:
        streamed, answer = _stream(llm_assistant, SCREENED)
    finally:
        _replace_stored_text(llm_assistant, meaning_doc, original)
    assert streamed == answer.answer
    assert "What an Entity List entry means:" not in answer.answer
    # A bottom line may still rest on the list entry [S1], never on the text that is gone.
    assert answer.determination is None or answer.determination.lines[0].screening
    assert all(c.doc_id != meaning_doc for c in answer.citations)
    _consistent(answer)


def test_a_streamed_answer_that_abstains_sends_only_the_abstention(
    llm_assistant: Assistant, fake: FakeOpenAI
) -> None:
    fake.push("Yes, such sales are always allowed [8]. No licence is ever needed.")
    streamed, answer = _stream(llm_assistant, QUESTION)
    assert answer.abstained
    assert streamed == answer.answer == "The corpus does not cover this question."
    # With the screening block the answer says the passages do not answer the rest.
    fake.push("Yes, such sales are always allowed [8].")
    streamed, answer = _stream(llm_assistant, SCREENED)
    assert streamed == answer.answer
    assert answer.answer.endswith("\n\n" + SCREENING_ONLY)
    assert "allowed" not in streamed

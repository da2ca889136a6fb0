"""The assistant with TPA_LLM=openai, end to end over a small real store and a local
OpenAI-protocol server: the model's [n] are checked, follow-ups are rewritten by the model."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.answering.service import Assistant
from assistant.answering.verify import verify
from assistant.models import Answer
from ingest.pipeline import run_ingest
from tests.conftest import SMALL_DOCS, make_settings, small_corpus
from tests.support.fake_openai import FakeOpenAI


@contextmanager
def llm_assistant(tmp_path: Path) -> Iterator[tuple[Assistant, FakeOpenAI]]:
    """An Assistant with TPA_LLM=openai over the small corpus, and the model server it calls."""
    corpus = small_corpus(tmp_path / "corpus", SMALL_DOCS)
    with FakeOpenAI() as fake:
        settings = make_settings(
            tmp_path / "data", llm="openai", llm_base_url=f"{fake.url}/v1", llm_model="fake"
        )
        run_ingest([corpus], settings, progress=False)
        yield Assistant(settings), fake


def test_llm_answers_are_checked_and_follow_ups_rewritten(tmp_path: Path) -> None:
    with llm_assistant(tmp_path) as (assistant, fake):
        fake.push("A licence is required for listed parties [1]. Also see this [7]. Trust me.")
        parts = list(assistant.stream("What do the rules say about sales to Entity List parties?"))
        answer = parts[-1]
        assert isinstance(answer, Answer) and not answer.abstained
        assert any(isinstance(p, str) for p in parts[:-1]), "text is streamed before the answer"
        assert "".join(str(p) for p in parts[:-1]) == answer.answer, "only checked text streams"
        assert "[7]" not in answer.answer
        assert [c.n for c in answer.citations] == [1]
        for c in answer.citations:
            stored = assistant.store.get_document(c.doc_id)
            assert stored is not None and verify(c, stored.text)
        assert any(not claim.supported for claim in answer.claims), "uncited claim is flagged"
        prompt = fake.chat_requests[-1]["messages"]
        assert "<passage" in prompt[-1]["content"]

        # A licence question opens with the determination, its spans verified like the rest; the
        # model's passages are numbered after the determination's.
        fake.push("The passages cover it [1].")
        licence = assistant.ask("Do sales to Entity List parties need a licence?")
        assert licence.determination is not None
        assert licence.answer.startswith("**Licence required")
        assert [c.n for c in licence.citations] == list(range(1, len(licence.citations) + 1))
        for c in licence.citations:
            stored = assistant.store.get_document(c.doc_id)
            assert stored is not None and verify(c, stored.text)
        given = fake.chat_requests[-1]["messages"][-1]["content"]
        first_given = len(licence.determination.citations) + 1
        assert f'n="{first_given}"' in given or f"[{first_given}]" in given

        # A section the corpus does not hold is said to be absent, as the extractive path says
        fake.push("Records are kept for five years [1].")
        absent = assistant.ask("What does 15 CFR 762.6 require of exporters?")
        assert not absent.abstained and absent.partial
        assert "The corpus does not hold the text of 15 CFR 762.6." in absent.answer

        fake.push("Do sales to Huawei affiliates on the Entity List need a licence?")
        fake.push("Yes, affiliates are covered too [1].")
        follow = assistant.ask("and its affiliates?", conversation_id=answer.conversation_id)
        assert follow.question == "Do sales to Huawei affiliates on the Entity List need a licence?"
        rewrite_request = fake.chat_requests[-2]["messages"]
        assert "Entity List" in " ".join(str(m.get("content")) for m in rewrite_request)


def test_llm_is_not_asked_about_another_regime(tmp_path: Path) -> None:
    """A question about the ITAR gets the refusal that names it, and costs no model call."""
    with llm_assistant(tmp_path) as (assistant, fake):
        fake.push("The USML category is XII [1].")
        answer = assistant.ask("Which USML category covers our thermal weapon sight?")
        assert answer.abstained and answer.citations == []
        assert "does not cover" in answer.answer and "the ITAR" in answer.answer
        assert fake.chat_requests == []

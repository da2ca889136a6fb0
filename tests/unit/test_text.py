"""Sentence reading shared by the answer rules (`assistant.text`)."""

from __future__ import annotations


def test_a_persons_initials_end_no_sentence() -> None:
    from assistant.text import sentence_spans

    text = (
        "The ERC added the Institute of Bioorganic Chemistry named after Academicians M.M. "
        "Shemyakin and Yu.A. Ovchinnikov, Russian Academy of Sciences. It is in Moscow."
    )
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    assert sentences == [text[: text.index(" It is")], "It is in Moscow."]

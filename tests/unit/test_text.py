"""Sentence reading shared by the answer rules (`assistant.text`)."""

from __future__ import annotations

import re


def test_a_persons_initials_end_no_sentence() -> None:
    from assistant.text import sentence_spans

    text = (
        "The ERC added the Institute of Bioorganic Chemistry named after Academicians M.M. "
        "Shemyakin and Yu.A. Ovchinnikov, Russian Academy of Sciences. It is in Moscow."
    )
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    assert sentences == [text[: text.index(" It is")], "It is in Moscow."]


def test_cached_patterns_are_compiled_once_and_match_as_compiled() -> None:
    from assistant.text import cached_pattern

    first = cached_pattern(r"\bHuawei\b", re.I)
    assert cached_pattern(r"\bHuawei\b", re.I) is first
    assert cached_pattern(r"\bHuawei\b") is not first  # the flags are part of the key
    assert first.search("sold to HUAWEI in 2019") and not cached_pattern(r"\bHuawei\b").search(
        "sold to HUAWEI"
    )


def test_a_cached_tokenization_cannot_be_changed_by_its_caller() -> None:
    from assistant.index.tokenize import tokenize

    terms = tokenize("Exports of encryption items to China")
    expected = list(terms)
    terms.append("poison")
    terms[0] = "changed"
    assert tokenize("Exports of encryption items to China") == expected
    long_text = "encryption items " * 200  # past the cached length: tokenized each time
    assert tokenize(long_text) == tokenize(long_text) and len(tokenize(long_text)) == 400

"""The Slack phrase "as of YYYY-MM-DD" becomes the answer's date and leaves the question."""

from __future__ import annotations

from datetime import date

import pytest

from api.slack.threads import split_as_of


@pytest.mark.parametrize(
    ("text", "question", "when"),
    [
        ("Did Microsoft get a licence as of 2019-11-20?", "Did Microsoft get a licence?",
         date(2019, 11, 20)),
        ("As of 2019-11-20, is Huawei on the Entity List?", "is Huawei on the Entity List?",
         date(2019, 11, 20)),
        ("Is Huawei listed (as at 2020-01-31)?", "Is Huawei listed?", date(2020, 1, 31)),
        ("Is Huawei listed as of 2019-13-40?", "Is Huawei listed as of 2019-13-40?", None),
        ("What is the Entity List?", "What is the Entity List?", None),
    ],
)  # fmt: skip
def test_split_as_of(text: str, question: str, when: date | None) -> None:
    assert split_as_of(text) == (question, when)

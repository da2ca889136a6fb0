"""The Sources list of a chat reply repeats only the quotes the answer does not show, judged as
the answer shows them (`quotes.display`): spaced designators closed up, superscripts lost in
extraction restored. A quote shown twice is noise a reviewer has to read past."""

from __future__ import annotations

from api.openai.markdown import sources
from assistant.answering.quotes import display
from assistant.models import Answer, Citation

POWER = "Models trained with fewer than 10 26 computational operations are not covered."
DESIGNATED = "( a ) License requirement. A license is required."
HIDDEN = "This sentence is cited but not shown in the answer."


def _citation(n: int, quote: str) -> Citation:
    return Citation(
        n=n, chunk_id=f"c{n}", doc_id="d1", citation="FR Doc. 2025-00636", quote=quote,
        start=0, end=len(quote),
    )  # fmt: skip


def test_display_writes_quotes_as_the_answer_shows_them() -> None:
    assert display(POWER).startswith("Models trained with fewer than 10^26 computational")
    assert display(DESIGNATED).startswith("(a) License requirement.")
    assert display("the date 10 26 may") == "the date 10 26 may"  # not before a unit of compute


def test_a_quote_the_answer_shows_is_not_listed_again() -> None:
    # (as the extractive answer writes those lines)
    shown_power = "Models trained with fewer than 10^26 computational operations are not covered."
    shown_designated = "(a) License requirement. A license is required."
    text = f"- FR Doc. 2025-00636: {shown_power} [1]\n- {shown_designated} [2]"
    cited = [_citation(1, POWER), _citation(2, DESIGNATED), _citation(3, HIDDEN)]
    listed = "".join(sources(Answer(answer=text, citations=cited), text))
    assert "10 26" not in listed and "( a )" not in listed
    assert HIDDEN in listed  # a cited sentence the answer does not show is still listed
    assert all(f"[{n}]" in listed for n in (1, 2, 3))

"""Token counts for `usage`, and the cut that honours `max_tokens`.

Counted with the tokenizer of the model this server runs on (the embedding model's WordPiece
vocabulary, the same one chunking measures with; it ships with the model, nothing is
downloaded). It is not OpenAI's tokenizer: for English prose it lands within about 10-20% of
`cl100k_base`, and it is the same count for `usage` and for `max_tokens`, so a client's budget
means what it says here. Counts are of the text only: no per-message overhead is added.
"""

from __future__ import annotations

from collections.abc import Iterable

from assistant.index.embeddings import count_tokens, get_tokenizer


def tokens_in(texts: Iterable[str]) -> int:
    """Tokens in all of `texts` together."""
    items = [t for t in texts if t]
    return sum(count_tokens(items)) if items else 0


def cut_to(text: str, budget: int) -> tuple[str, int]:
    """`text` cut after its first `budget` tokens (whole tokens, the original characters kept)
    and the tokens kept: (text, n) when it fits, else (its prefix, budget)."""
    if not text or budget <= 0:
        return "", 0
    encoding = get_tokenizer().encode(text, add_special_tokens=False)
    if len(encoding.ids) <= budget:
        return text, len(encoding.ids)
    end = encoding.offsets[budget - 1][1]
    return text[:end], budget


class Budget:
    """The tokens a completion may still send (`max_tokens`), counting what it sends."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.used = 0
        self.exhausted = False

    def take(self, text: str) -> str:
        """What of `text` may go out; once the limit is reached, nothing more."""
        if self.exhausted or not text:
            return ""
        if self.limit is None:
            self.used += tokens_in([text])
            return text
        kept, n = cut_to(text, self.limit - self.used)
        self.used += n
        if kept != text:
            self.exhausted = True
        return kept

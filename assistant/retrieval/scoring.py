"""The one score a retrieved passage gets: dense similarity, BM25 and a legal-reference bonus.

    score = cosine + LEXICAL_WEIGHT * bm25 / max(bm25 over the candidates) + reference bonus

Cosine similarity (the embedding model's vectors are normalised) counts in full; the BM25 score
is divided by the best one among the candidates, so it adds at most LEXICAL_WEIGHT whatever the
query's length or the corpus's size; a chunk whose citation matches a reference named in the
question gains up to REFERENCE_BONUS. Pure functions over arrays: the retriever gathers the
candidates and their raw scores, this module alone decides how they add up. (Abstention reads a
result's `similarity`, the cosine alone, not this score.)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.retrieval.references import citation_match

LEXICAL_WEIGHT = 0.6  # what the best BM25 match among the candidates adds
REFERENCE_BONUS = 0.3  # what a chunk carrying a cited reference exactly adds


def normalise_bm25(bm25: np.ndarray) -> np.ndarray:
    """BM25 scores divided by the best of them (so the best is 1); returned as they are when
    none is above 0 (no query term matched: no division by zero, and no lexical signal)."""
    top = float(bm25.max()) if len(bm25) else 0.0
    return bm25 / top if top > 0 else bm25


def reference_bonus(citation: str, refs: Sequence[str]) -> float:
    """REFERENCE_BONUS times the best `citation_match` of a chunk's citation among the question's
    references (0 when there are none or none matches)."""
    if not refs:
        return 0.0
    return REFERENCE_BONUS * max(citation_match(citation, ref) for ref in refs)


def fused_scores(cosine: np.ndarray, bm25: np.ndarray, bonus: np.ndarray) -> np.ndarray:
    """The candidates' final scores, in their order: the formula of the module docstring.

    `cosine` and `bm25` are the candidates' raw scores (float32); `bonus` their reference
    bonuses (float64, 0 for most), so the result is float64."""
    return cosine + LEXICAL_WEIGHT * normalise_bm25(bm25) + bonus

"""The one score a retrieved passage gets, and the order the top k are returned in.

    score = cosine
          + lexical   * bm25 / max(bm25 over the candidates)
          + reference bonus (a legal reference named in the question: up to `reference`)
          + heading   * share of the question's terms in the chunk's heading path
          + authority * (1 regulation, 2/3 Federal Register, 1/3 guidance, 0 news)
          + definition * (1 when a definitional question's term is defined in the chunk)
          + dated     * (1 when the chunk's document was issued in the month or year asked about)
          + stayed    * (1 when the question asks about legal status and a recorded stay affects
                         the chunk)
          - off_regime * (1 for an antiboycott passage when the question is not about boycotts)

Cosine similarity (the embedding model's vectors are normalised) counts in full; BM25 is divided
by the best among the candidates, so it adds at most `lexical` whatever the query's length or
the corpus's size. Then no document takes more than `per_doc` of the first `k` places while
others have candidates: a question that needs two provisions gets both rather than five
paragraphs of one. Pure functions over arrays: the retriever gathers the candidates and their
features (`assistant.retrieval.features`), this module alone decides how they add up.

Every weight was chosen by k-fold cross-validation on the dev questions (tune on some folds,
measure on the others; `bench/retrieval_folds.py` prints both) and checked on the practitioner
set, which no weight was tuned on. (Abstention reads a result's `similarity`, the cosine alone.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.retrieval.references import citation_match


@dataclass(frozen=True)
class Weights:
    lexical: float = 0.8  # what the best BM25 match among the candidates adds
    reference: float = 0.3  # what a chunk carrying a cited reference exactly adds
    heading: float = 0.2  # what a heading path holding every question term adds
    authority: float = 0.1  # what regulation text adds over news
    definition: float = 0.2  # what defining the asked-about term adds
    # what a passage of the antiboycott rules (part 760) loses for a question not about
    # boycotts: their long worked examples share words with any question ("a U.S. company
    # imports computers ..."), and a reader asking about a laptop or a licence exception is
    # not asking about them
    off_regime: float = 0.5
    dated: float = 0.1  # what a document issued when the question says adds
    stayed: float = 0.2  # what a chunk a recorded stay affects adds, asked about legal status
    per_doc: int = 3  # most places one document takes in the top k (0: no limit)


WEIGHTS = Weights()
LEXICAL_WEIGHT = WEIGHTS.lexical
REFERENCE_BONUS = WEIGHTS.reference


@dataclass(frozen=True)
class Features:
    """The candidates' raw signals, one array entry per candidate (same order throughout)."""

    cosine: np.ndarray
    bm25: np.ndarray
    reference: np.ndarray  # citation_match of the best reference (0..1)
    heading: np.ndarray
    authority: np.ndarray
    definition: np.ndarray
    doc: Sequence[str]  # each candidate's document id
    # 1 for a passage of a regime the question does not ask about (see Weights.off_regime)
    off_regime: np.ndarray | None = None
    # 1 (0.5 the next month) for a document issued when the question says (features.dated_match)
    dated: np.ndarray | None = None
    # 1 for a chunk a recorded stay affects, when the question asks about legal status
    stayed: np.ndarray | None = None
    # 1 for a chunk defining the asked term in a form the regulations define in ("X means",
    # part 772's headings; `DefinitionsPattern.defining_weight`), 0.5 when the definition is
    # limited to its part or section: not scored, it places one
    # (`assistant.retrieval.retriever.ranked`)
    defining: np.ndarray | None = None
    # When the question asks when something was done (`features.asks_when_done`): 1 for a
    # Federal Register rule's effective-date chunk, 0.5 for the rule's other chunks. Not
    # scored: the date of the best-ranked rule is placed (`assistant.retrieval.retriever.ranked`)
    effective: np.ndarray | None = None


def normalise_bm25(bm25: np.ndarray) -> np.ndarray:
    """BM25 scores divided by the best of them (so the best is 1); returned as they are when
    none is above 0 (no query term matched: no division by zero, and no lexical signal)."""
    top = float(bm25.max()) if len(bm25) else 0.0
    return bm25 / top if top > 0 else bm25


def reference_match(citation: str, refs: Sequence[str]) -> float:
    """The best `citation_match` of a chunk's citation among the question's references (0 when
    there are none or none matches)."""
    if not refs:
        return 0.0
    return max(citation_match(citation, ref) for ref in refs)


def reference_bonus(citation: str, refs: Sequence[str], weights: Weights = WEIGHTS) -> float:
    return weights.reference * reference_match(citation, refs)


def fused_scores(f: Features, weights: Weights = WEIGHTS) -> np.ndarray:
    """The candidates' final scores, in their order: the formula of the module docstring."""
    return (
        f.cosine.astype(np.float64)
        + weights.lexical * normalise_bm25(f.bm25)
        + weights.reference * f.reference
        + weights.heading * f.heading
        + weights.authority * f.authority
        + weights.definition * f.definition
        - (weights.off_regime * f.off_regime if f.off_regime is not None else 0.0)
        + (weights.dated * f.dated if f.dated is not None else 0.0)
        + (weights.stayed * f.stayed if f.stayed is not None else 0.0)
    )


def rank(f: Features, k: int, weights: Weights = WEIGHTS) -> tuple[list[int], np.ndarray]:
    """Positions (into the candidate arrays) of the top k, best first, and every score.

    With `per_doc`, a document's candidates beyond its share wait until every other document's
    candidates have had their turn, so the limit never leaves a place empty."""
    total = fused_scores(f, weights)
    order = [int(i) for i in np.argsort(-total, kind="stable")]
    if weights.per_doc <= 0:
        return order[:k], total
    taken: dict[str, int] = {}
    first: list[int] = []
    later: list[int] = []
    for i in order:
        doc = f.doc[i]
        if taken.get(doc, 0) < weights.per_doc:
            taken[doc] = taken.get(doc, 0) + 1
            first.append(i)
        else:
            later.append(i)
    return (first + later)[:k], total

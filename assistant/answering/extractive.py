"""The default answerer, which needs no LLM: it only ever says what a passage says.

Each line of the answer is one sentence quoted from a retrieved passage, and its citation's span
is that sentence's span in the stored document, so a reviewer can check it character by
character. It abstains when no passage is relevant enough (the thresholds are Settings'
`min_relevance` and `min_relevance_unknown_name`, calibrated as the README says).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.index.tokenize import tokenize
from assistant.models import Answer, Citation, Claim, SearchResult, not_covered
from assistant.text import sentence_spans

_LINE_MARKER = re.compile(r" \[(\d+)\]$")


def keep_cited(answer: Answer, kept: Sequence[Citation]) -> Answer:
    """The extractive answer with only the citations in `kept`, numbered 1..N again.

    Each line of an extractive answer quotes one sentence and ends with its one marker, so a
    citation that is left out takes its line and its claim with it; the remaining markers,
    claims and citations are renumbered alike, in order, so none points at nothing."""
    numbers = {c.n: i for i, c in enumerate(sorted(kept, key=lambda c: c.n), start=1)}
    lines = []
    for line in answer.answer.split("\n"):
        m = _LINE_MARKER.search(line)
        if m is None:
            lines.append(line)
        elif int(m.group(1)) in numbers:
            lines.append(f"{line[: m.start()]} [{numbers[int(m.group(1))]}]")
    claims = [
        c.model_copy(update={"citations": [numbers[n] for n in c.citations if n in numbers]})
        for c in answer.claims
        if any(n in numbers for n in c.citations)
    ]
    citations = [c.model_copy(update={"n": numbers[c.n]}) for c in kept]
    return answer.model_copy(
        update={
            "answer": "\n".join(lines),
            "citations": sorted(citations, key=lambda c: c.n),
            "claims": claims,
        }
    )


# ---- the default, extractive answerer -----------------------------------------------------

LEAD = "From the corpus:"
MAX_SENTENCES = 7
PER_PASSAGE = 2
PASSAGES = 6
OVERLAP_WEIGHT = 0.5
# "Do we need a licence?" is answered by a sentence that states a requirement or a prohibition.
REQUIREMENT_BONUS = 0.1
_ASKS_REQUIREMENT = re.compile(
    r"\b(need|needs|required?|requires|must|allowed|permitted|can (?:we|i)|may (?:we|i))\b", re.I
)
_STATES_REQUIREMENT = re.compile(
    r"\b(is required|are required|requires?|must|may not|prohibit\w*|not permitted|"
    r"license requirements?|licence requirements?)\b",
    re.I,
)
_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*|[A-Z][a-z]{2,})\b")
_POWER_OF_TEN = re.compile(
    r"\b10 (\d{1,2})\b(?= (?:computational|operations|integer|floating|FLOP))"
)


@dataclass(frozen=True)
class _Sentence:
    passage: int  # rank of its passage, 0-based
    start: int  # offsets into the document
    end: int
    text: str
    score: float
    similarity: float


def score_sentences(
    question: str,
    passages: Sequence[SearchResult],
    idf: Callable[[str], float] | None = None,
) -> list[_Sentence]:
    """Every sentence of the top passages, scored without another model call (latency): the
    passage's similarity to the question plus the question terms the sentence itself contains,
    weighted by how rare they are in the corpus."""
    weight = idf or (lambda _t: 1.0)
    asks_requirement = bool(_ASKS_REQUIREMENT.search(question))
    q_tokens = set(tokenize(question))
    q_weight = sum(weight(t) for t in q_tokens) or 1.0
    out = []
    for rank, p in enumerate(passages[:PASSAGES]):
        for a, b in sentence_spans(p.text):
            if b - a < 12:
                continue
            text = p.text[a:b]
            shared = q_tokens & set(tokenize(text))
            overlap = sum(weight(t) for t in shared) / q_weight
            score = p.similarity + OVERLAP_WEIGHT * overlap + 0.04 / (rank + 1)
            if asks_requirement and _STATES_REQUIREMENT.search(text):
                score += REQUIREMENT_BONUS
            out.append(_Sentence(rank, p.start + a, p.start + b, text, score, p.similarity))
    return out


def select_sentences(scored: list[_Sentence]) -> list[_Sentence]:
    """The best sentences in passage order: at most MAX_SENTENCES, at most PER_PASSAGE from a
    passage, none scoring under half the best."""
    ranked = sorted(scored, key=lambda s: -s.score)
    if not ranked:
        return []
    best = ranked[0].score
    chosen: list[_Sentence] = []
    per_passage: dict[int, int] = {}
    for s in ranked:
        if len(chosen) >= MAX_SENTENCES:
            break
        if per_passage.get(s.passage, 0) >= PER_PASSAGE:
            continue
        if s.score < 0.5 * best:
            continue
        chosen.append(s)
        per_passage[s.passage] = per_passage.get(s.passage, 0) + 1
    return sorted(chosen, key=lambda s: (s.passage, s.start))


def unknown_names(question: str, is_known: Callable[[str], bool]) -> list[str]:
    """Names in the question (capitalised words, acronyms) that the corpus never mentions."""
    names = []
    for m in _NAME.finditer(question):
        tokens = tokenize(m.group(1))
        if tokens and not all(is_known(t) for t in tokens):
            names.append(m.group(1))
    return names


def should_abstain(
    question: str,
    best_similarity: float,
    is_known: Callable[[str], bool] | None = None,
    *,
    min_relevance: float,
    min_relevance_unknown_name: float,
) -> bool:
    """Whether no passage is relevant enough: below `min_relevance`, or below
    `min_relevance_unknown_name` when the question names something the corpus never mentions."""
    if best_similarity < min_relevance:
        return True
    if is_known is not None and best_similarity < min_relevance_unknown_name:
        return bool(unknown_names(question, is_known))
    return False


def _display(sentence: str) -> str:
    """The sentence as shown in the answer (the citation keeps the verbatim quote): whitespace
    collapsed, and superscripts lost in extraction restored ("10 26 operations" -> 10^26)."""
    return _POWER_OF_TEN.sub(r"10^\1", " ".join(sentence.split()))


def _label(p: SearchResult) -> str:
    """How a line names its source: the citation, and for a regulation its section heading."""
    heading = re.sub(r"^§\s*[\d.]+[a-z]?\s*", "", p.title).rstrip(".")
    if p.metadata.get("doc_type") == "regulation" and heading and heading not in p.citation:
        return f"{p.citation} ({heading})"
    return p.citation


def compose_extractive(
    question: str,
    passages: Sequence[SearchResult],
    *,
    min_relevance: float,
    min_relevance_unknown_name: float,
    is_known: Callable[[str], bool] | None = None,
    idf: Callable[[str], float] | None = None,
) -> Answer:
    """An answer made only of sentences quoted from the passages, each with its citation."""
    scored = score_sentences(question, passages, idf)
    best = max((s.similarity for s in scored), default=0.0)
    if should_abstain(
        question,
        best,
        is_known,
        min_relevance=min_relevance,
        min_relevance_unknown_name=min_relevance_unknown_name,
    ):
        return not_covered()
    chosen = select_sentences(scored)
    citations: list[Citation] = []
    claims: list[Claim] = []
    lines = [LEAD]
    for n, s in enumerate(chosen, 1):
        p = passages[s.passage]
        citations.append(p.cite(n, s.start, s.end, round(s.score, 4)))
        sentence = _display(s.text)
        claims.append(Claim(text=sentence, citations=[n], supported=True))
        lines.append(f"- {_label(p)}: {sentence} [{n}]")
    return Answer(answer="\n".join(lines), abstained=False, citations=citations, claims=claims)

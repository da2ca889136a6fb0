"""The eval's scoring rules, as pure functions: reading an eval file (format:
shared/eval/README.md), relevance, recall@k, reciprocal rank, answer fact recall, authority
cited.

`assistant.eval.runner` runs the system and the baseline over a file; what counts as a hit is
decided here alone, for both. Relevance follows the published rule exactly: a retrieved chunk
matches a `relevant` entry when it comes from the named document and contains the entry's phrase
after whitespace collapsing and case folding.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from assistant.retrieval.references import citation_match, legal_references

RETRIEVE_K = 10  # passages retrieved per question, by the system and the baseline alike
CURVE_KS = tuple(range(1, 11))  # the ks of the recall@k curve (result "recall_curve", the plot)


class Retrieved(Protocol):
    """Anything with a source path and a text (read-only, so frozen results qualify)."""

    @property
    def source_path(self) -> str: ...

    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class Passage:
    """A retrieved or cited text that is not a SearchResult (a cited chunk, a baseline LangChain
    document), in the shape `matches` needs."""

    source_path: str
    text: str


def norm(s: str) -> str:
    return " ".join(s.split()).lower()


@dataclass(frozen=True)
class EvalItem:
    id: str
    question: str
    kind: str
    answerable: bool
    relevant: list[dict[str, str]]
    answer_contains: list[str] = field(default_factory=list)
    # The authorities a correct answer cites (a practitioner set's field, optional): a section
    # ("15 CFR 740.9(a)(1)"), a Federal Register rule ("FR Doc. 2024-15810 (89 FR 58273)",
    # "84 FR 43487"), or a document path of the corpus.
    authority: list[str] = field(default_factory=list)


def cites_authority(cited: Sequence[tuple[str, str]], authorities: Sequence[str]) -> bool:
    """Whether any (citation, source path) the answer cites is one of the authorities: the
    same section (any paragraph of it: the authority is the provision a reviewer looks up, the
    pinpoint is checked elsewhere), the same Federal Register document or page citation, or
    the same corpus document."""
    for authority in authorities:
        refs = legal_references(authority)
        fr_doc = authority.split(" (", 1)[0] if authority.startswith("FR Doc.") else ""
        for citation, source in cited:
            if refs and any(citation_match(citation, r) >= 0.4 for r in refs if " FR " not in r):
                return True
            if fr_doc and citation.startswith(fr_doc):
                return True
            if authority in citation or (source and source.endswith(authority)):
                return True
    return False


def load_eval(path: Path) -> list[EvalItem]:
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            items.append(
                EvalItem(
                    id=raw["id"],
                    question=raw["question"],
                    kind=raw.get("kind", "unknown"),
                    answerable=bool(raw.get("answerable", True)),
                    relevant=list(raw.get("relevant", [])),
                    answer_contains=list(raw.get("answer_contains", [])),
                    authority=list(raw.get("authority", [])),
                )
            )
        except (ValueError, KeyError) as exc:
            raise ValueError(f"{path}:{n}: not a valid eval line ({exc})") from exc
    return items


def matches(chunk: Retrieved, entry: dict[str, str]) -> bool:
    return chunk.source_path == entry["doc"] and norm(entry["contains"]) in norm(chunk.text)


def recall_at(ranked: Sequence[Retrieved], relevant: list[dict[str, str]], k: int) -> float:
    if not relevant:
        return 0.0
    top = ranked[:k]
    found = sum(1 for e in relevant if any(matches(c, e) for c in top))
    return found / len(relevant)


def reciprocal_rank(
    ranked: Sequence[Retrieved], relevant: list[dict[str, str]], k: int = 10
) -> float:
    for i, c in enumerate(ranked[:k], 1):
        if any(matches(c, e) for e in relevant):
            return 1.0 / i
    return 0.0


def fact_recall(answer: str, facts: list[str]) -> float:
    if not facts:
        return 1.0
    text = norm(answer)
    return sum(1 for f in facts if f.lower() in text) / len(facts)


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def retrieval_scores(
    items: Sequence[EvalItem], ranked_by_id: dict[str, Sequence[Retrieved]], ks: Sequence[int]
) -> dict[str, Any]:
    answerable = [i for i in items if i.answerable]
    out: dict[str, Any] = {
        f"recall@{k}": mean([recall_at(ranked_by_id[i.id], i.relevant, k) for i in answerable])
        for k in ks
    }
    out["mrr@10"] = mean([reciprocal_rank(ranked_by_id[i.id], i.relevant) for i in answerable])
    by_kind: dict[str, dict[str, float]] = {}
    for kind in sorted({i.kind for i in answerable}):
        group = [i for i in answerable if i.kind == kind]
        by_kind[kind] = {
            "n": len(group),
            "recall@5": mean([recall_at(ranked_by_id[i.id], i.relevant, 5) for i in group]),
            "mrr@10": mean([reciprocal_rank(ranked_by_id[i.id], i.relevant) for i in group]),
        }
    out["by_kind"] = by_kind
    return out

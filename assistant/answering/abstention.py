"""Whether the corpus is silent on a question, decided from all the evidence retrieval has.

Dense similarity alone refuses plain-worded questions whose provisions use other words ("take
my company laptop to China" vs "tools of trade"), and questions that name a section ("What is
15 CFR 744.11?") whose text is far from the question's embedding. So abstention weighs:
- the best passage's cosine similarity (the thresholds in Settings, as before);
- lexical coverage: the rarity-weighted share of the question's terms (with the everyday-word
  vocabulary's regulatory terms) found in the top passages: a question whose rare words the
  passages contain is not off-corpus;
- references: a question naming a section or FR page that a retrieved passage carries is never
  refused;
- names: a capitalised name the corpus never mentions lowers confidence (the stricter threshold);
  and a question asking what happened to such a name ("When did BIS add YMTC...", "How much did
  Cadence pay...") is refused outright: the corpus cannot say what it never mentions, and the
  closest passages (the Entity List's rules, other penalties) would be quoted as if they
  answered it. Two-letter capitals ("HS codes", "OS", "EU") are terms as often
  as names, so this rule leaves them to the thresholds.
Between "clearly covered" and "silent" the answer is given with the closest provisions and
marked partial: they may not settle the question.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.index.tokenize import tokenize
from assistant.index.vocabulary import expand_query
from assistant.models import SearchResult
from assistant.retrieval.references import citation_match, legal_references

COVERAGE_PASSAGES = 3  # top passages whose words count as the corpus's answer
COVERAGE_ANSWERS = 0.3  # this share of the question's weighted terms found: covered
MARGIN = 0.06  # below min_relevance + MARGIN the answer is marked partial
# A question about a past event or figure: "When did/was...", "How much did...", "How large
# was...", "What penalty was...", "What year did...", "On what date was...". Not "How much could
# Acme be fined?" (what the rules provide), and not "Did we need a licence to ship to Acme?" or
# "When do we need a licence...": a question about what the rules require of a party is answered
# from the rules, whatever the party's name.
_PAST = r"(?:did|was|were|has|have|had)\b"
_ASKS_WHAT_HAPPENED = re.compile(
    rf"\b(?:when\s+{_PAST}|how\s+(?:much|many|large|big)\b[^.?!;]{{0,60}}?\b{_PAST}"
    rf"|what\s+(?:penalty|fine|date|year|month)\b[^.?!;]{{0,40}}?\b{_PAST}"
    rf"|on\s+what\s+date\s+{_PAST})",
    re.I,
)
_ASKS_WHAT_IS_REQUIRED = re.compile(
    r"\b(?:need|needs|needed|require[sd]?|allowed|permitted|(?:can|may|must)\s+(?:we|i|they)"
    r"|without\s+an?\s+licen[cs]e)\b",
    re.I,
)
_YEAR = re.compile(r"\b(?:19[5-9]\d|20\d\d)\b")
# The clause the event question is in ends at a question mark, semicolon or ", and ...".
_CLAUSE_END = re.compile(r"[?;!]|,\s+(?:and|or|but)\b|\.\s")


@dataclass(frozen=True)
class Evidence:
    similarity: float  # best cosine of a passage
    coverage: float  # rarity-weighted share of question terms in the top passages
    names_section: bool  # a reference in the question is carried by a retrieved passage
    unknown_names: tuple[str, ...]
    event_clause: str = ""  # the clause asking "When did / how much did ..." (see the docstring)
    # a year the what-happened clause names ("its 2023 settlement") that no top passage mentions
    unseen_year: str = ""

    @classmethod
    def of(
        cls,
        question: str,
        passages: Sequence[SearchResult],
        similarity: float,
        is_known: Callable[[str], bool] | None,
        idf: Callable[[str], float] | None,
    ) -> Evidence:
        from assistant.answering.extractive import unknown_names

        weight = idf or (lambda _t: 1.0)
        terms = set(tokenize(expand_query(question)))
        asked = set(tokenize(question))
        found: set[str] = set()
        for p in passages[:COVERAGE_PASSAGES]:
            found |= set(tokenize(f"{p.citation} {p.title} {p.text}"))
        # The question's own words count in full; vocabulary terms help, never hurt.
        total = sum(weight(t) for t in asked) or 1.0
        covered = (
            sum(weight(t) for t in asked & found)
            + sum(weight(t) for t in (terms - asked) & found) * 0.5
        )
        refs = legal_references(question)
        names_section = any(
            citation_match(p.citation, ref) >= 0.4 for p in passages for ref in refs
        )
        names = tuple(unknown_names(question, is_known)) if is_known is not None else ()
        clause = event_clause(question)
        years = _YEAR.findall(clause)
        seen = (
            " ".join(
                f"{p.citation} {p.title} {p.text} {p.metadata.get('date', '')}"
                for p in passages[:COVERAGE_PASSAGES]
            )
            if years
            else ""
        )
        unseen = next((y for y in years if y not in seen), "")
        return cls(similarity, min(1.0, covered / total), names_section, names, clause, unseen)

    @property
    def unknown_subject(self) -> str | None:
        """What a what-happened question asks about that the corpus cannot speak to: a name it
        never mentions, or the year the clause names ("How much did Microsoft pay in its 2023
        settlement?") when none of the closest passages mentions that year."""
        if not self.event_clause:
            return None
        name = next((n for n in self.unknown_names if len(n) >= 3 and n in self.event_clause), None)
        return name or (self.unseen_year or None)

    def reason(self) -> str:
        """Why the corpus is silent, when it can be said: the name no document mentions."""
        name = self.unknown_subject
        if name and name == self.unseen_year:
            return f"None of the closest documents speaks of {name}."
        return f"No document in it mentions {name}." if name else ""

    def abstain(self, min_relevance: float, min_relevance_unknown_name: float) -> bool:
        """Refuse only when the corpus is silent: no named section found, and neither the
        similarity nor the lexical coverage says the passages speak to the question."""
        if self.names_section:
            return False
        if self.unknown_subject is not None:
            return True
        if self.unknown_names and self.similarity < min_relevance_unknown_name:
            return True
        if self.similarity >= min_relevance:
            return False
        return self.coverage < COVERAGE_ANSWERS

    def partial(self, min_relevance: float) -> bool:
        """Answered, but from provisions that may not settle it."""
        return not self.names_section and self.similarity < min_relevance + MARGIN


def event_clause(question: str) -> str:
    """The clause of `question` that asks what happened ("When did BIS add YMTC to the Entity
    List"), or "" when none does, or when the question asks what the rules require."""
    if _ASKS_WHAT_IS_REQUIRED.search(question):
        return ""
    found = _ASKS_WHAT_HAPPENED.search(question)
    if not found:
        return ""
    end = _CLAUSE_END.search(question, found.end())
    return question[found.start() : end.start() if end else len(question)]

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
  as names, so this rule leaves them to the thresholds. The same holds for a specific name the
  corpus does mention but none of the closest passages does ("Has BIS revoked the licences that
  let Intel and Qualcomm sell to Huawei?": Intel is in a list of companies in one rule, and the
  closest passages are about Microsoft's licence), and for a year the clause names that none of
  them mentions;
- the kind of answer: a question asking for a dollar figure ("the maximum civil penalty, in
  dollars"), a percentage or a fee when none of the closest passages states one of that kind
  is refused: quoting "a penalty not to exceed the amount set forth in the EAA" would pass off
  a pointer as the figure.
Between "clearly covered" and "silent" the answer is given with the closest provisions and
marked partial: they may not settle the question.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass

from assistant.answering.determination.basis import Lookup, cites, section_chunks
from assistant.answering.exception_limits import named_exceptions
from assistant.answering.question_facts import names_a_place
from assistant.index.tokenize import tokenize
from assistant.index.vocabulary import expand_query, spell_out
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
    # "What was the total penalty in BIS's 2025 settlement with ...": a past case's figure
    r"|what\s+(?:was|were)\s+the\s+(?:[\w-]+\s+){0,2}?(?:penalty|penalties|fines?|settlement)\b"
    rf"|on\s+what\s+date\s+{_PAST}"
    # "What did Secretary Lutnick say about ...": what someone said, an event
    r"|what\s+did\s+(?:[\w.'’-]+\s+){1,5}?(?:say|said|announce|state|claim|tell|write|tweet)\b)",
    re.I,
)
# Where a case stands: "What is the status of licence application D1234567?". The corpus holds
# rules, not anyone's file: a reference with a number it never mentions is refused (a name is
# not: "the status of the Trump administration's stay" asks about a rule).
_ASKS_CASE_STATUS = re.compile(
    r"\bwhat(?:'s|’s|\s+is)\s+the\s+(?:current\s+|latest\s+)?status\s+of\b[^?;!]*|"
    # "Has BIS approved our licence application Z1234567 yet?": what BIS did with one case
    r"\b(?:has|have|did|was|is)\s+(?:BIS|Commerce|the\s+agency)\s+(?:already\s+)?(?:approved?|granted?|"
    r"denied|deny|rejected|returned|decided|issued|processed|reviewed)\s+(?:on\s+)?(?:our|my|the)\s+"
    r"(?:BIS\s+|export\s+)?(?:licen[cs]e\s+)?(?:application|request|case|submission)\b[^?;!]*",
    re.I,
)
_ASKS_WHAT_IS_REQUIRED = re.compile(
    r"\b(?:need|needs|needed|require[sd]?|allowed|permitted|(?:can|may|must)\s+(?:we|i|they)"
    r"|without\s+an?\s+licen[cs]e|eligible|covered|controlled|classified|subject\s+to)\b",
    re.I,
)
# ... or a yes/no question about what a third party did: "Has BIS revoked ...", "Did the ERC
# grant ...", "Was Huawei added ...". Not "Was our sale legal?" or "Did we ...": about us, which
# the rules answer.
_ASKS_IF_IT_HAPPENED = re.compile(
    r"(?:^|[.?!]\s+|[,:;]\s*(?:so\s+|and\s+|but\s+)?)(?:has|have|had|did|was|were)\s+"
    r"(?!(?:we|i|you|our|my|us|it|this|that|these|those|there|they|he|she|any|anyone|anybody|"
    r"something|anything|nothing)\b)",
    re.I,
)
# "Was Brightwave, our Singapore subsidiary, in breach ...": a party of ours, about the rules.
# ("US" in capitals is the country: "Did the US add Huawei ...")
_OURS = re.compile(r"\b(?:[Oo]ur|[Ww]e|us)\b")
# Names this rare (a share of the caller's view) are specific parties; BIS, the EAR, Commerce
# and the ERC run through much of the corpus and are implied by passages that do not write them.
SPECIFIC_NAME_SHARE = 0.01
_YEAR = re.compile(r"\b(?:19[5-9]\d|20\d\d)\b")
# A question demanding a figure of a kind: a dollar figure ("what is the maximum penalty, in
# dollars?", "above what dollar value ...?"), a percentage ("what percentage of U.S.
# semiconductor exports went to China?"), or a fee ("how much does BIS charge for a
# classification?"). When none of the closest passages states one of that kind, quoting them
# would pass off a pointer ("a penalty not to exceed the amount set forth in the EAA") or a
# neighbouring fact as the figure. Not "how much could we be fined?" (answered from the rules
# on penalties, with or without a figure), nor a question stating its own ("a shipment with a
# dollar value of $900", "is 25% U.S. content too much?").


@dataclass(frozen=True)
class _FigureKind:
    name: str  # how the refusal names it: "a dollar amount"
    asked: re.Pattern[str]
    stated: re.Pattern[str]  # a passage states one
    own: re.Pattern[str] | None = None  # the question states its own (default: `stated`)


_AMOUNT = re.compile(r"\$\s?\d|\b\d[\d,.]*\s*(?:million\s+|billion\s+)?(?:dollars|USD)\b", re.I)
FIGURE_KINDS: tuple[_FigureKind, ...] = (
    _FigureKind(
        "a dollar amount",
        re.compile(
            r"\b(?:what|which|how\s+(?:much|high|large))\b[^.?!;$]{0,100}?\b(?:in\s+"
            r"(?:u\.?s\.?\s+)?dollars|dollar\s+(?:value|amount|figure|limit|cap|threshold)s?)\b",
            re.I,
        ),
        _AMOUNT,
    ),
    _FigureKind(
        "a percentage",
        re.compile(
            r"\b(?:what|which)\s+(?:percentage|percent|proportion|fraction)\b"
            r"|\bhow\s+many\s+percent\b",
            re.I,
        ),
        re.compile(
            r"(?:\d|\b(?:ten|fifteen|twenty|twenty-five|thirty|forty|fifty|sixty|seventy|"
            r"eighty|ninety|one\s+hundred))\s*(?:%|per\s?cent\b)",
            re.I,
        ),
    ),
    # (not "the charges in a charging letter": an accusation, not a price)
    _FigureKind(
        "a fee",
        re.compile(
            r"\bhow\s+much\s+(?:does|do|will|would|did)\b[^.?!;]{0,60}?\b(?:cost|charge)s?\b"
            r"|\bwhat\s+(?:is|are)\s+the\s+(?:\w+\s+)?fees?\b|\bwhat\s+fees?\b",
            re.I,
        ),
        re.compile(r"\$\s?\d|\bfees?\b|\bno\s+charge\b|\bfree\s+of\s+charge\b", re.I),
        re.compile(r"\$\s?\d"),
    ),
)


def unstated_figure(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None = None
) -> str:
    """The kind of figure the question demands ("a percentage") that neither the closest
    passages nor the rest of their regulation paragraphs state (the EEI threshold of
    758.1(b)(5) sits in another chunk than the 758.1(b) that ranked first), or "" (it demands
    none, states its own, or they state one). Only the paragraphs, not their whole sections:
    764.3's criminal fines are no answer to a question about its civil penalty."""
    for kind in FIGURE_KINDS:
        if not kind.asked.search(question) or (kind.own or kind.stated).search(question):
            continue
        if not any(kind.stated.search(p.text) for p in _figure_sources(passages, lookup)):
            return kind.name
    return ""


_PARAGRAPH = re.compile(r"15 CFR (\d{3}\.\d+[a-z]?)\(")


def _figure_sources(
    passages: Sequence[SearchResult], lookup: Lookup | None
) -> Iterator[SearchResult]:
    yield from passages[:COVERAGE_PASSAGES]
    if lookup is None:
        return
    by_section: dict[str, list[str]] = {}
    for p in passages[:COVERAGE_PASSAGES]:
        m = _PARAGRAPH.match(p.citation)
        if m and p.metadata.get("doc_type") == "regulation":
            by_section.setdefault(m.group(1), []).append(p.citation)
    for section, paragraphs in by_section.items():
        for chunk in section_chunks(lookup, section):
            if any(cites(chunk, c) for c in paragraphs):
                yield chunk


# The clause the event question is in ends at a question mark, semicolon or ", and ...".
# (not the full stop of "U.S.", "Inc.", "Corp.", "Co." or "Ltd.")
_CLAUSE_END = re.compile(
    r"[?;!]|,\s+(?:and|or|but)\b|(?<![A-Z])(?<!\bInc)(?<!\bCorp)(?<!\bCo)(?<!\bLtd)\.\s"
)


@dataclass(frozen=True)
class Evidence:
    similarity: float  # best cosine of a passage
    coverage: float  # rarity-weighted share of question terms in the top passages
    names_section: bool  # a reference in the question is carried by a retrieved passage
    unknown_names: tuple[str, ...]
    event_clause: str = ""  # the clause asking "When did / how much did ..." (see the docstring)
    # a year the what-happened clause names ("its 2023 settlement") that no top passage mentions
    unseen_year: str = ""
    # a specific name the what-happened clause names that no top passage mentions
    unseen_name: str = ""
    # the kind of figure the question asks for that no top passage states ("a dollar amount")
    unstated_figure: str = ""
    # a numbered reference ("application D1234567") whose status the question asks, which no
    # document mentions
    unknown_case: str = ""
    # the question speaks the EAR's own language: an ECCN, EAR99, a License Exception used as
    # one, "the EAR", a Country Group, a classification request (see `speaks_the_ear`)
    ear_terms: bool = False
    # a specific name in the question (a party the corpus mentions in under 1% of its chunks)
    # that one of the closest passages mentions: the corpus speaks of it ("We collaborate with
    # Peng Cheng Laboratory ... What changes?" and the rule that listed it), however far the
    # question's many other words put its embedding from that rule's
    seen_name: str = ""
    # unknown names the question uses as places ("of Israeli origin", "a customer in Nigeria")
    places: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        question: str,
        passages: Sequence[SearchResult],
        similarity: float,
        is_known: Callable[[str], bool] | None,
        idf: Callable[[str], float] | None,
        documents: Callable[[str], Collection[str]] | None = None,
        lookup: Lookup | None = None,
    ) -> Evidence:
        from assistant.answering.extractive import unknown_names

        weight = idf or (lambda _t: 1.0)
        terms = set(tokenize(expand_query(question)))
        # (an abbreviation the regulations never use counts as the words they use for it)
        asked = set(tokenize(spell_out(question)))
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
        case = _ASKS_CASE_STATUS.search(question)
        case_ref = next(
            (n for n in names if case and n in case.group(0) and any(c.isdigit() for c in n)),
            "",
        )
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
        unseen_name = ""
        if clause and idf is not None:
            specific = math.log(1 / SPECIFIC_NAME_SHARE)
            # ... nor any other chunk of their documents: a rule's list naming the party
            # ("approved IC designers: ... Nvidia Corporation") may rank below its other
            # paragraphs
            retrieved = {p.doc_id for p in passages[:COVERAGE_PASSAGES]}
            held_by = documents or (lambda _t: ())

            def unseen_specific(name: str) -> bool:
                unseen = [t for t in tokenize(name) if t not in found]
                return all(idf(t) >= specific for t in unseen) and not any(
                    retrieved.intersection(held_by(t)) for t in unseen
                )

            unseen_name = next(
                (
                    n
                    for n in unknown_names(clause, found.__contains__)
                    if len(n) >= 3 and not names_a_place(n) and unseen_specific(n)
                ),
                "",
            )
        seen_name = ""
        if idf is not None:
            specific = math.log(1 / SPECIFIC_NAME_SHARE)
            top = " ".join(p.text for p in passages[:COVERAGE_PASSAGES])
            seen_name = next(
                (
                    n
                    for n in unknown_names(question, lambda _t: False)
                    if len(n) >= 3
                    and not n.isupper()  # an acronym names an agency or a technology as often
                    and not names_a_place(n)
                    and all(t in found and idf(t) >= specific for t in tokenize(n))
                    # a name, not a common noun capitalised ("University", "Laboratory"): the
                    # passages never write it in lower case
                    and not re.search(rf"\b{re.escape(n.lower())}\b", top)
                ),
                "",
            )
        return cls(
            similarity,
            min(1.0, covered / total),
            names_section,
            names,
            clause,
            unseen,
            unseen_name,
            unstated_figure(question, passages, lookup),
            case_ref,
            speaks_the_ear(question),
            seen_name,
            tuple(n for n in names if names_a_place(n) and used_as_place(question, n)),
        )

    @property
    def unknown_subject(self) -> str | None:
        """What a question asks about that the corpus cannot speak to: in a what-happened
        clause, a name it never mentions, then a year ("How much did Microsoft pay in its 2023
        settlement?") or a specific name none of the closest passages mentions; or the dollar
        figure a question demands when none of them states one ("a percentage")."""
        if self.unstated_figure and not self.names_section:
            return self.unstated_figure
        if self.unknown_case:
            return self.unknown_case
        if not self.event_clause:
            return None
        name = next((n for n in self.unknown_names if len(n) >= 3 and n in self.event_clause), None)
        return name or self.unseen_year or self.unseen_name or None

    def reason(self) -> str:
        """Why the corpus is silent, when it can be said: the name no document mentions, the
        name or year none of the closest passages speaks of, or the dollar figure none states."""
        subject = self.unknown_subject
        if subject is None:
            return ""
        if subject == self.unstated_figure:
            return f"None of the closest documents states {subject}."
        if subject in self.unknown_names:
            return f"No document in it mentions {subject}."
        return f"None of the closest documents speaks of {subject}."

    def abstain(self, min_relevance: float, min_relevance_unknown_name: float) -> bool:
        """Refuse only when the corpus is silent: no named section found, and neither the
        similarity nor the lexical coverage says the passages speak to the question."""
        if self.names_section:
            return False
        if self.unknown_subject is not None:
            return True
        if self.ear_terms or self.seen_name:
            return False  # an EAR question: answered from the closest provisions, marked partial
        # (a place the corpus never writes, used as a place, "Israeli origin", "a customer in
        # Nigeria", is no such sign: the rules reach places through country groups and the
        # examples' "country Y"; a nationality naming an institution, "the Israeli data
        # protection authority", "Irish privacy rules", still is)
        unknown = [n for n in self.unknown_names if n not in self.places]
        if unknown and self.similarity < min_relevance_unknown_name:
            return True
        if self.similarity >= min_relevance:
            return False
        return self.coverage < COVERAGE_ANSWERS

    def partial(self, min_relevance: float) -> bool:
        """Answered, but from provisions that may not settle it."""
        return not self.names_section and self.similarity < min_relevance + MARGIN


def used_as_place(question: str, name: str) -> bool:
    """Whether the question uses `name` as a place: where something goes, is, or comes from
    ("to Nigeria", "a customer in Lagos", "of Israeli origin", "Israeli-made"), not as a
    nationality naming an institution or a law ("the Israeli data protection authority")."""
    n = re.escape(name)
    return bool(
        re.search(
            rf"\b(?:to|in|into|from|of|for|via|through|within|across)\s+(?:the\s+)?{n}\b"
            # ... ending there ("to Nigeria?", "in Lagos for"), not naming what follows it
            # ("subject to Irish privacy rules")
            rf"(?=\s*(?:[^\w\s]|$)|\s+{_FUNCTION_WORD})"
            rf"|\b{n}[\s-]+(?:origin|made|built|produced|manufactured)\b",
            question,
        )
    )


_FUNCTION_WORD = (
    r"(?:and|or|but|for|to|with|on|by|at|via|from|in|of|as|that|which|who|under|before|after|"
    r"next|last|this|these|is|are|was|were|has|have|had|can|could|will|would|should|may|"
    r"might|must|do|does|did|without|if|so|because|when|where|since|while|we|our|they|their|"
    r"it|its|you|your|i|my)\b"
)


# The EAR's own terms: an ECCN ("3A001.b.2", "5D002"), EAR99, "the EAR", a Country Group, the
# Commerce Control List, a commodity classification request (CCATS). A question in those terms
# is about the rules the corpus holds, however long and messy it is: practitioners' questions
# of five facts and two sub-questions embed far from any one provision (cosine 0.39-0.47) and
# share a small part of their many words with it, so similarity and coverage alone refused 7
# of 34 answerable questions in a held-out grading. Other regimes' questions are refused
# before this (`scope`), and questions about an event the corpus does not record by
# `unknown_subject`.
_EAR_TERMS = re.compile(
    r"\b\d[A-E]\d{3}\b|\bEAR[\s-]?99\b|(?-i:\bEAR\b)|\bCountry Groups?\s+[A-E]\b|"
    r"\bCommerce Control List\b|\bCCATS\b|\bcommodity classification\b",
    re.I,
)


# ... and asks what the rules require or allow, not a market fact ("Which shipping line is
# cheapest for EAR99 containers?", "Who is the CEO of the company that makes 3A090 chips?")
_ASKS_THE_RULES = re.compile(
    r"\b(?:need|needs|needed|require[sd]?|required|allowed|permitted|prohibited|"
    r"can\s+(?:we|i|they|you|it)|we\s+can|may\s+(?:we|i)|must|should\s+(?:we|i)|"
    r"right|correct|ok|okay|fine|true|problem|cover|covers|covered|eligible|apply|applies|"
    r"licen[cs]\w*|exceptions?|file|filing|report\w*|classif\w*|authori[sz]\w*|legal|"
    r"illegal|violat\w*|liable|exposed|settle|request|subject\s+to|matters?)\b",
    re.I,
)


def speaks_the_ear(question: str) -> bool:
    """Whether the question is put in the EAR's own terms (`_EAR_TERMS`) or uses a License
    Exception by its symbol ("ship under LVS", "License Exception BAG"), and asks what the
    rules require or allow (`_ASKS_THE_RULES`)."""
    ear = bool(_EAR_TERMS.search(question) or named_exceptions(question))
    return ear and bool(_ASKS_THE_RULES.search(question))


def event_clause(question: str) -> str:
    """The clause of `question` that asks what happened ("When did BIS add YMTC to the Entity
    List"), or "" when none does, or when the question asks what the rules require."""
    if _ASKS_WHAT_IS_REQUIRED.search(question):
        return ""
    found = _ASKS_WHAT_HAPPENED.search(question)
    yes_no = found is None
    found = found or _ASKS_IF_IT_HAPPENED.search(question)
    if not found:
        return ""
    end = _CLAUSE_END.search(question, found.end())
    clause = question[found.start() : end.start() if end else len(question)]
    return "" if yes_no and _OURS.search(clause) else clause

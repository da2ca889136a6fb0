"""The default answerer, which needs no LLM: it only ever says what a passage says.

The answer opens with its bottom line: a licence question's determination in fixed words
(`determination` + `bottom_line`), any other question's best sentence. Then up to seven quoted
provisions, each a whole paragraph with the list it introduces (`quotes`), in the authority
order, news marked secondary. Every citation's span is the quoted text's span in the stored
document, so a reviewer can check it character by character. It refuses only when the corpus
is silent (`abstention`: similarity, lexical coverage and named sections together).
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import cast

from assistant.answering.abstention import Evidence
from assistant.answering.bottom_line import Citer, NotesOf, VerifySpan, bottom_line, first_line
from assistant.answering.continuation import continuation, holding_after
from assistant.answering.country_scope import beside_the_point
from assistant.answering.determination import determine
from assistant.answering.determination.basis import Lookup, cites, section_chunks
from assistant.answering.determination.facts import ear99_only
from assistant.answering.determination.general import DESTINATION_FACT, ITEM_FACT
from assistant.answering.determination.listing import listed_in_corpus, unlisted_party
from assistant.answering.determination.listing_terms import listing_terms
from assistant.answering.exception_scope import asked_exception, scope_sentence, states_scope
from assistant.answering.listed_names import named_whole
from assistant.answering.question_parts import question_parts
from assistant.answering.quotes import (
    display,
    introduces_list,
    is_heading,
    provision_span,
    with_holding,
    worth_quoting,
)
from assistant.answering.scope import outside_corpus, unaddressed_regime
from assistant.answering.section_periods import (
    ASKS_DURATION,
    STATES_DURATION,
    period_in_section,
)
from assistant.index.snapshot import CorpusSnapshot
from assistant.index.tokenize import tokenize
from assistant.index.vocabulary import spelled_out
from assistant.models import (
    AUTHORITY_ORDER,
    Answer,
    Citation,
    Claim,
    Determination,
    ScreeningHit,
    SearchResult,
    authority_of,
    is_federal_register,
    is_secondary,
    not_covered,
)
from assistant.retrieval.features import (
    DefinitionsPattern,
    asked_dates,
    asks_legal_status,
    dated_match,
    defined_terms,
    definitions_pattern,
)
from assistant.retrieval.references import asks_about_whole, citation_match, legal_references
from assistant.retrieval.retriever import SECTION_LIMIT, off_regime, stay_texts
from assistant.retrieval.stay_subject import ASKS_STATUS
from assistant.status import is_superseded, load_notes
from assistant.text import DATES_A_RULE, STATES_EFFECTIVE, chunk_sentences

_MARKER = re.compile(r" ?\[(\d+)\]")


def keep_cited(answer: Answer, kept: Sequence[Citation]) -> Answer:
    """The extractive answer with only the citations in `kept`, numbered 1..N again.

    Every line of an extractive answer ends with the markers of the passages it quotes or rests
    on, so a line whose markers all go is left out with its claim; the remaining markers, claims,
    determination lines and citations are renumbered alike, in order, so none points at
    nothing. A determination whose first line loses its basis goes entirely (a bottom line is
    never shown without one), and its lead with it."""
    numbers = {c.n: i for i, c in enumerate(sorted(kept, key=lambda c: c.n), start=1)}

    def renumber(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return f"{m.group(0)[: -len(m.group(0).lstrip())]}[{numbers[n]}]" if n in numbers else ""

    lines = []
    for line in answer.answer.split("\n"):
        found = [int(n) for n in _MARKER.findall(line)]
        if found and not any(n in numbers for n in found):
            continue
        lines.append(_MARKER.sub(renumber, line))
    claims = [
        c.model_copy(update={"citations": [numbers[n] for n in c.citations if n in numbers]})
        for c in answer.claims
        if any(n in numbers for n in c.citations)
    ]
    citations = [c.model_copy(update={"n": numbers[c.n]}) for c in kept]
    update: dict[str, object] = {
        "answer": "\n".join(lines),
        "citations": sorted(citations, key=lambda c: c.n),
        "claims": claims,
    }
    d = answer.determination
    if d is not None:
        if d.lines and not any(n in numbers for n in d.lines[0].citations):
            update["determination"] = None
            update["lead"] = ""
        else:
            update["determination"] = d.model_copy(
                update={
                    "citations": [numbers[n] for n in d.citations if n in numbers],
                    "lines": [
                        ln.model_copy(
                            update={"citations": [numbers[n] for n in ln.citations if n in numbers]}
                        )
                        for ln in d.lines
                    ],
                }
            )
    if answer.lead:
        update["lead"] = _MARKER.sub(renumber, str(update.get("lead", answer.lead)))
    return answer.model_copy(update=update)


# ---- the default, extractive answerer -----------------------------------------------------

PASSAGES = 6
OVERLAP_WEIGHT = 0.5
# "Do we need a licence?" is answered by a sentence that states a requirement or a prohibition.
REQUIREMENT_BONUS = 0.1
_ASKS_REQUIREMENT = re.compile(
    r"\b(need|needs|required?|requires|must|allowed|permitted|can (?:we|i)|may (?:we|i))\b", re.I
)
# "How long does a temporary denial order last?" is answered by the sentence giving the period
# ("issued for a period not exceeding 180 days"), not by the one sharing most of its words.
DURATION_BONUS = 0.1
# An antiboycott provision answers a question about boycotts only (retrieval ranks it down the
# same way, `assistant.retrieval.retriever.off_regime`); its close wording must not make it the
# bottom line ("voluntary self-disclosure" is in 764.5 and in 764.8 for boycott violations).
OFF_REGIME_PENALTY = 0.2
# "What did BIS add in its August 2020 Huawei action?": a sentence of the document issued when the
# question says (`features.dated_match`) answers before a like-worded one of another year's rule.
DATED_BONUS = 0.1
# "When does the stay on the affiliates rule end?": a sentence a recorded stay affects (the
# eCFR's own "At 90 FR 50857 ... was stayed" note, or the stayed paragraph) answers a question
# about legal status before one sharing its other words ("notice", "Federal Register"), as
# retrieval brings it in (`Weights.stayed`).
STAYED_BONUS = 0.2
# "When did the rule take effect?" is answered by the sentence giving its effective date ("This
# rule is effective May 9, 2024."), not by the summary sharing most of its words.
_ASKS_EFFECTIVE = re.compile(
    r"\b(?:when|what date|since when|as of when)\b[^?]{0,120}\b(?:effective|take effect|took "
    r"effect|takes effect|in force|come into force|came into force|enter(?:ed)? into force)\b"
    r"|\bwhat\s+(?:is|was)\s+the\s+effective\s+date\b",
    re.I,
)
_STATES_REQUIREMENT = re.compile(
    r"\b(is required|are required|requires?|must|may not|prohibit\w*|not permitted|"
    r"license requirements?|licence requirements?)\b",
    re.I,
)
# An atomic group: without it a long run of letters and digits backtracks quadratically.
_NAME = re.compile(
    r"(?<![.?!]\s)(?<!^)\b((?>[A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*)|[A-Z][a-z]{2,})\b"
)
_SECTION_HEADING = re.compile(r"\s*(?:#+\s*)?§\s*\d")
# A nationality is not a name the corpus must mention ("Turkish", "Vietnamese", "Brazilian":
# the corpus names the country), nor a region's or a people's adjective of another form
# ("South African companies", "Latin American buyers", "Iraqi", "Afghan"). Acronyms stay names:
# "DJI" is a party, "TLS" a protocol, and nothing tells them apart.
_NOT_A_NAME = re.compile(
    r"[A-Z][a-z]+(?:ish|ese|ian|ean)|African|American|Arab|Latin|Nordic|Baltic|Afghan|Somali|"
    r"Yemeni|Iraqi|Emirati|Saudi|Dominican|Rican|Ugandan|Rwandan|Angolan|Tibetan|Lankan|Tajik|"
    r"Kyrgyz|Turkmen|Slovak|Cypriot"
)
# ... but an acronym naming the kind of thing after it is a technology ("TLS encryption", "SSH
# protocol", "AES algorithm"), which the corpus describes in words, not a party it must name.
_TECHNICAL_NOUN = re.compile(
    r"[\s-]+(?:\d+[\s-]+)?(?:encryption|protocols?|standards?|algorithms?|ciphers?|librar(?:y|ies)|"
    r"firmware|chipsets?|interfaces?)\b",
    re.I,
)
_PLACE_BEFORE = re.compile(
    r"\b(?:in|at|near|(?:port|city|town|airport|state|province)\s+of)\s+(?:our\s+|the\s+|a\s+)?$",
    re.I,
)
_MEDIUM_BEFORE = re.compile(
    r"\b(?:publish\w*|post\w*|upload\w*|shar\w*|put|host\w*|releas\w*|stor\w*)\b[^.?!;]{0,40}"
    r"\b(?:on|to|via)\s+(?:our\s+|the\s+|a\s+|an\s+)?$",
    re.I,
)


@dataclass(frozen=True)
class _Sentence:
    passage: int  # rank of its passage, 0-based
    start: int  # offsets into the document
    end: int
    text: str
    score: float
    similarity: float


@functools.lru_cache(maxsize=1 << 14)
def _terms(sentence: str) -> frozenset[str]:
    """A sentence's index terms, cached: passages come back answer after answer."""
    return frozenset(tokenize(sentence))


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
    asks_duration = bool(ASKS_DURATION.search(question))
    q_tokens = set(tokenize(question)) | set(tokenize(spelled_out(question)))
    q_weight = sum(weight(t) for t in q_tokens) or 1.0
    out = []
    top = passages[:PASSAGES]
    off = off_regime(question, [p.citation for p in top], [p.title for p in top])
    asked = asked_dates(question)
    asks_status = asks_legal_status(question)
    for rank, p in enumerate(top):
        dated = DATED_BONUS * dated_match(p.metadata, asked)
        stays = [n for n in load_notes(p.metadata) if n.kind == "stay"] if asks_status else []
        for a, b in chunk_sentences(p.text):
            if b - a < 12:
                continue
            text = p.text[a:b]
            shared = q_tokens & _terms(text)
            overlap = sum(weight(t) for t in shared) / q_weight
            score = p.similarity + OVERLAP_WEIGHT * overlap + 0.04 / (rank + 1)
            if asks_requirement and _STATES_REQUIREMENT.search(text):
                score += REQUIREMENT_BONUS
            if asks_duration and STATES_DURATION.search(text):
                score += DURATION_BONUS
            score += dated - OFF_REGIME_PENALTY * off[rank]
            if any(n.touches(p.start + a, p.start + b) for n in stays):
                score += STAYED_BONUS
            out.append(_Sentence(rank, p.start + a, p.start + b, text, score, p.similarity))
    return out


def unknown_names(question: str, is_known: Callable[[str], bool]) -> list[str]:
    """Names in the question (capitalised words, acronyms) that the corpus never mentions. A
    question typed in capitals has no telling capitals: none."""
    letters = [c for c in question if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > 0.6 * len(letters):
        return []
    names = []
    found = list(_NAME.finditer(question))
    # a name the question uses as a place once is a place everywhere ("on its way to the port
    # of Oakland ... was the Oakland shipment OK?")
    places = {
        m.group(1)
        for m in found
        if _PLACE_BEFORE.search(question[max(0, m.start() - 16) : m.start()])
    }
    for m in found:
        if m.group(1) in places:
            continue  # "a distributor in Sevastopol", "presenting it in Beijing": where, not what
        if _MEDIUM_BEFORE.search(question[max(0, m.start() - 60) : m.start()]):
            continue  # "publish our source code on GitHub": the medium, not what is asked about
        if _NOT_A_NAME.fullmatch(m.group(1)):
            continue  # "nine Turkish companies": a nationality, not a party
        if _TECHNICAL_NOUN.match(question, m.end()):
            continue  # "standard TLS encryption", "the AES algorithm": a technology, not a party
        if spelled_out(m.group(1)):
            continue  # "TDO": an abbreviation the vocabulary spells out, not a party
        tokens = tokenize(m.group(1))
        if tokens and not all(is_known(t) for t in tokens):
            names.append(m.group(1))
    return names


def _label(p: SearchResult) -> str:
    """How a line names its source: the citation, and for a regulation its section heading."""
    heading = re.sub(r"^§\s*[\d.]+[a-z]?\s*", "", p.title).rstrip(".")
    if p.metadata.get("doc_type") == "regulation" and heading and heading not in p.citation:
        return f"{p.citation} ({heading})"
    return p.citation


# A message this long (in words) states a case with several facts and sub-questions: a
# practitioner's, not a one-line licence question
MANY_FACTS_WORDS = 40
# ... unless it asks about the news ("the article", "was reported", "the press release")
_ASKS_ABOUT_NEWS = re.compile(
    r"\b(?:news|article|press|report(?:ed|s)?\s+(?:that|by|in)|reuters|journalists?|media)\b", re.I
)


def _many_facts(question: str) -> bool:
    return len(question.split()) >= MANY_FACTS_WORDS


def _other_listings(question: str, passages: Sequence[SearchResult]) -> set[int]:
    """Positions of the Federal Register passages about other parties' Entity List entries,
    when the question names a party a retrieved rule lists: another rule's additions, review
    policy and savings clause read as if they were this party's (grade35 Q16, Q27; grade37 Q4,
    Q20, Q28, Q36). The rule that lists the party stays, and so does any passage naming it."""
    others = [
        i
        for i, p in enumerate(passages)
        if is_federal_register(p.metadata) and "Entity List" in p.text
    ]
    listed = listed_in_corpus(question, passages) if others else None
    if listed is None:
        return set()
    name, basis = listed
    return {
        i
        for i in others
        if passages[i].doc_id != basis.passage.doc_id and name not in passages[i].text
    }


def _a_case_for_the_rules(question: str, evidence: Evidence) -> bool:
    """A message of many facts (`MANY_FACTS_WORDS`) that asks what the rules require of it,
    not what happened or what the news said: quoting a news article to it passes a journalist's
    summary of 2019 off as the rule (grade35, grade36)."""
    return (
        _many_facts(question)
        and not evidence.event_clause
        and not _ASKS_ABOUT_NEWS.search(question)
    )


SUPPORT_LINES = 7  # quoted provisions under the bottom line (5-fold CV on dev fact recall)
PER_DOCUMENT = 3  # of them from one document
PER_PASSAGE = 2  # of them from one passage (different paragraphs)
# Of the provisions a determination rests on (quoted first), at most this many take the place
# of a retrieved line: a rule resting on its requirement, exceptions and review policy would
# otherwise leave room for little of what retrieval found (License Exception CCD for phones to
# Russia under the 746.8 lines).
OPERATIVE_BUDGET = 2
PARTIAL_NOTE = "These are the closest provisions in the corpus; they may not settle the question."
# "Will BIS add more Chinese chip makers next month?", "Is BIS going to publish a new AI rule
# soon?": the corpus holds what was published, so it cannot say what an agency will do next;
# its closest provisions are still given, under a note that says so.
FUTURE_NOTE = (
    "The corpus holds rules and reports already published; it cannot say what the government "
    "will do next. These are the closest provisions in it; they may not settle the question."
)
_ASKS_FUTURE = re.compile(
    r"\b(?:will|is|are)\s+(?:BIS|Commerce|OFAC|Congress|the\s+(?:(?:U\.?S\.?|United\s+States)"
    r"(?:\s+(?:government|administration))?|government|administration|department|"
    r"commerce\s+department|ERC))\s+(?:(?:going|planning|likely|expected|about)\s+to\s+|ever\s+|"
    r"soon\s+)?(?:publish|issue|add|remove|extend|impose|lift|relax|tighten|change|revoke|"
    r"release|announce|expand|ban|restrict|rescind|delist|designate|sanction)\w*\b",
    re.I,
)


_CFR_SECTION = re.compile(r"(\d{3}\.\d+[a-z]?)(?:\(([a-z]{1,2}|\d{1,2})\).*)?")
_OTHER_PART = re.compile(
    r"\b15\s*C\.?\s?F\.?\s?R\.?\s*(?:§+\s*)?(\d{1,2}\.\d+[a-z]?)(?![\d.])", re.I
)


# How a question names a section of the EAR: "15 CFR 762.6", "15 C.F.R. § 762.6", "§ 762.6",
# "section 762.6", "EAR 762.6"; not a price ("$1,500.00"), a weight, or another title's
# section ("31 CFR 560.204", "22 CFR 120.33").
_EAR_SECTION_BEFORE = re.compile(
    r"(?:\b15\s*C\.?\s?F\.?\s?R\.?\s*(?:§+\s*)?|(?<!CFR )(?<!C\.F\.R\. )§+\s*|"
    r"\bsec(?:tion|\.)?s?\s+|\bEAR\s+(?:§+\s*)?)$",
    re.I,
)


def _named_as_ear_section(question: str, section: str) -> bool:
    """Whether the question names `section` as a section of the EAR (title 15), so that its
    absence from the corpus is worth saying; legal_references also reads bare numbers."""
    for m in re.finditer(rf"(?<![\d.,$]){re.escape(section)}(?![\d])", question):
        before = question[max(0, m.start() - 24) : m.start()]
        if _EAR_SECTION_BEFORE.search(before) and not re.search(
            r"\b(?!15(?!\d))\d+\s*C\.?\s?F\.?\s?R\.?\s*(?:§+\s*)?$", before, re.I
        ):
            return True
    return False


def absent_note(question: str, lookup: Lookup | None) -> str:
    """ "The corpus does not hold the text of 15 CFR 762.6.", for the CFR sections the question
    names that no regulation text the caller may read carries, and "The corpus's text of 15 CFR
    734.9 has no paragraph (h)." for a paragraph the held version lacks (an older text): the
    closest provisions are not what was named, and a reader must be told so rather than left
    to assume it. Needs a lookup that reads sections (the service's); without one, nothing is
    said."""
    reader = getattr(lookup, "section", None)
    if reader is None:
        return ""
    absent: list[str] = []
    lacking: list[str] = []
    named = [
        (m.group(1), m.group(2) or "") if (m := _CFR_SECTION.fullmatch(ref)) else ("", "")
        for ref in legal_references(question)
    ]
    # title 15's other parts, named in full ("15 CFR 30.37": the Foreign Trade Regulations)
    named += [(s, "") for s in _OTHER_PART.findall(question)]
    for section, paragraph in named:
        if not section or section in absent or not _named_as_ear_section(question, section):
            continue
        chunks = reader(section)
        if not chunks:
            absent.append(section)
        elif paragraph and _lacks_paragraph(chunks, paragraph):
            lacking.append(f"15 CFR {section} has no paragraph ({paragraph})")
    notes = []
    if absent:
        notes.append(
            "The corpus does not hold the text of "
            + " or ".join(f"15 CFR {s}" for s in absent)
            + "."
        )
    if lacking:
        notes.append("The corpus's text of " + " and ".join(dict.fromkeys(lacking)) + ".")
    return " ".join(notes)


PERIOD_NOTE = "None of the passages found states the period asked for."


def _period_note(question: str, claims: Sequence[Claim], lead_lines: Sequence[str]) -> str:
    """ "How long do we have to keep export records?" answered with sentences none of which
    states a period ("five years", "180 days") has not been answered: the reader is told so
    (and the answer is partial) rather than left to take the closest provisions for the
    answer. A determination line that states one counts as much as a quote."""
    if not ASKS_DURATION.search(question):
        return ""
    said = [c.text for c in claims] + list(lead_lines)
    return "" if any(STATES_DURATION.search(x) for x in said) else PERIOD_NOTE


# Where a section's text opens a top-level paragraph: "(h) Exclusions", "( b ) License ...",
# "(a) *Definitions.*", "(b) [Reserved]" (a list item inside a paragraph may look the same: then
# nothing is said).
def _lacks_paragraph(chunks: Sequence[SearchResult], paragraph: str) -> bool:
    """Whether no chunk of the section (all of it: a capped read says nothing) opens the
    top-level paragraph `paragraph` ("h"), as an older version may not (734.9 of 2022)."""
    if len(chunks) >= SECTION_LIMIT or any(_RANGE.search(c.text) for c in chunks):
        return False
    opens = re.compile(rf"(?:^|[.:;\]]\s+|\n\s*)\(\s?{re.escape(paragraph)}\s?\)(?=\s|$|\()", re.M)
    return not any(opens.search(c.text) for c in chunks)


# "(h)-(j) [Reserved]": paragraphs held as a range, not opened one by one
_RANGE = re.compile(r"\(\s?[a-z0-9]{1,4}\s?\)\s?[-–]\s?\(\s?[a-z0-9]{1,4}\s?\)")


@dataclass(frozen=True)
class _Line:
    passage: int
    start: int  # the quoted provision (document offsets)
    end: int
    score: float


def select_lines(
    scored: list[_Sentence], passages: Sequence[SearchResult], limit: int = SUPPORT_LINES
) -> list[_Line]:
    """Fewer, better lines: the best sentences' whole provisions, at most PER_PASSAGE (not
    overlapping) from a passage and PER_DOCUMENT from a document, none repeating one already
    chosen (the same rule text in the regulation and in the Federal Register rule that added
    it), none under half the best score."""
    ranked = sorted(scored, key=lambda x: -x.score)
    if not ranked:
        return []
    best = ranked[0].score
    chosen: list[_Line] = []
    seen_text: list[str] = []
    spans: dict[int, list[tuple[int, int]]] = {}
    per_doc: dict[str, int] = {}
    for sent in ranked:
        if len(chosen) >= limit or sent.score < 0.5 * best:
            break
        p = passages[sent.passage]
        taken = spans.setdefault(sent.passage, [])
        if len(taken) >= PER_PASSAGE or per_doc.get(p.doc_id, 0) >= PER_DOCUMENT:
            continue
        a, b = provision_span(p, sent.start, sent.end)
        if any(a < y and x < b for x, y in taken):
            continue
        key = " ".join(tokenize(p.text[a - p.start : b - p.start]))
        if any(key in k or k in key for k in seen_text if min(len(key), len(k)) > 40):
            continue
        chosen.append(_Line(sent.passage, a, b, sent.score))
        seen_text.append(key)
        taken.append((a, b))
        per_doc[p.doc_id] = per_doc.get(p.doc_id, 0) + 1
    return chosen


def _in_section_order(
    scored: list[_Sentence], passages: Sequence[SearchResult], refs: list[str]
) -> list[_Sentence]:
    """A question about a whole section ("What is 15 CFR 744.11?") is answered by what the
    section says first (what it imposes, on whom, how): its sentences rank ahead of all others,
    in the section's order; sentences elsewhere keep their scores."""
    # The section's heading ("§ 744.11 License requirements that apply to ...") names it; every
    # line's label repeats it, so it is not a line of its own.
    scored = [x for x in scored if not _SECTION_HEADING.match(x.text)]
    ranked = sorted(
        (x for x in scored if max(citation_match(passages[x.passage].citation, r) for r in refs)),
        key=lambda x: x.start,
    )
    top = max((x.score for x in scored), default=0.0)
    # Just above every other sentence, in order: the rest still compete for the lines left.
    lifted = {id(x): top + 0.01 * (len(ranked) - i) for i, x in enumerate(ranked)}
    return [replace(x, score=lifted.get(id(x), x.score)) for x in scored]


def _operative_lines(
    determination: Determination | None,
    citer: Citer,
    passages: list[SearchResult],
    unquoted: Collection[int] = (),
) -> list[_Line]:
    """The regulation provisions a determination rests on, each to be quoted whole at the head
    of the support: the fixed words of the bottom line paraphrase the rule, and a reviewer
    wants the rule's own text under it (the determination cites only its deciding sentence).
    A basis passage retrieval did not bring (a rule fetched it) is appended to `passages`.
    Not the `unquoted` citations: a list item whose words a line names ("BAG (excluding
    firearms and ammunition)") is cited for checking, not quoted as the case's provision."""
    if determination is None:
        return []
    lines: list[_Line] = []
    for n in determination.citations:
        if n in unquoted:
            continue
        c = citer.get(n)
        if c.authority != "regulation" or c.secondary:
            continue
        p = citer.source(n)
        i = next((j for j, q in enumerate(passages) if q.chunk_id == p.chunk_id), None)
        if i is None:
            passages.append(p)
            i = len(passages) - 1
        a, b = provision_span(p, c.start, c.end)
        if any(x.passage == i and a < x.end and x.start < b for x in lines):
            continue  # another of these lines quotes it already
        lines.append(_Line(i, a, b, 1.0))
    return lines


def _stay_may_lead(question: str, lookup: Lookup | None) -> bool:
    """Whether a stayed provision retrieval brought may open the answer to a status question
    (`StayTexts.may_lead`), read from the chunks the caller's groups may read (the lookup's
    snapshot, viewed as the caller): always for a question about "the stay" itself, or when
    there is no snapshot to read the stays from (a lookup without one)."""
    index = getattr(lookup, "index", None)
    if asks_legal_status(question) or not isinstance(index, CorpusSnapshot):
        return True
    restricted = getattr(lookup, "restricted", None)
    return stay_texts(index.view(getattr(restricted, "groups", None))).may_lead(question)


def _past_the_lead(
    line: _Line, p: SearchResult, led: Sequence[tuple[str, int, int]]
) -> _Line | None:
    """A support line whose provision opens with the sentence the bottom line quotes: the rest
    of the provision, from where the bottom line ends, or None when nothing follows.
    Otherwise the line, whole: after a heading (the heading may carry what the sentence does
    not say: "(ii) Cambodia."), under a bottom line cut at a colon or a semicolon or one that
    introduces a list ("The following changes do not require ..."), or when the rest would open
    mid-sentence. `led`: the spans the bottom line quotes word for word (not the provisions a
    determination's fixed words cite, which the line may be the only place to show)."""
    for doc, a, b in led:
        if doc != p.doc_id or a != line.start or not b < line.end:
            continue
        said = p.text[a - p.start : b - p.start]
        if not _ENDS_A_SENTENCE.search(said) or _INTRODUCES.search(said):
            return line
        after = p.text[b - p.start : line.end - p.start]
        start = b + len(after) - len(after.lstrip())
        rest = p.text[start - p.start : line.end - p.start].strip()
        if len(rest) < 12 or is_heading(rest):
            return None
        if not _OPENS_A_SENTENCE.match(rest):
            return line
        return replace(line, start=start)
    return line


_INTRODUCES = re.compile(r"\b(?:the\s+following|as\s+follows)\b", re.I)
# a capital, a digit, a quote, or a paragraph designator ("(i) ", "(2) ")
_OPENS_A_SENTENCE = re.compile(r"[A-Z0-9“\"‘']|\(\s*[a-z0-9]{1,5}\s*\)\s")
_ENDS_A_SENTENCE = re.compile(r"[.!?][\"”’')\]]*\s*$")


def _overlaps(line: _Line, other: _Line, passages: Sequence[SearchResult]) -> bool:
    """Whether two lines quote overlapping text of one document."""
    same_doc = passages[line.passage].doc_id == passages[other.passage].doc_id
    return same_doc and line.start < other.end and other.start < line.end


def _source_label(p: SearchResult, *, heading: bool = True) -> str:
    label = _label(p) if heading else _short(p.citation)
    return f"{label} (secondary source)" if is_secondary(_doc_type(p), p.citation) else label


def _short(citation: str, limit: int = 60) -> str:
    """A citation short enough to open a line: a long one without its parenthetical, then
    without what follows its first comma ("BIS encryption guidance web page (summary of ...),
    reached via ..."); the line's [n] carries it whole."""
    for cut in (" (", ","):
        if len(citation) > limit and cut in citation:
            citation = citation.split(cut, 1)[0]
    return citation


# The bottom line of a question no rule decides: the best sentence, unless the question asks
# what X is and a sentence defining X scores within this share of it (the regulation's before a
# Federal Register rule's). Preferring higher authority for every question was tried: it gained
# two definition questions and lost two held-out practitioner ones (a 2022 paragraph over the
# 2024 rule that answered).
LEAD_DEFINITION_MARGIN = 0.9
# A question about a rule's legal status ("is it stayed?", "still in force?") is led by the
# best sentence of a provision the corpus records a stay of, when one scores within this share
# of the best sentence.
STATUS_LEAD_MARGIN = 0.6
_STAY_NOTE = re.compile(r"Stay(?:ed| ended)")
# A section a later rule removed (`assistant.removals`): its text is quoted with that note, and
# leads only an answer to a question naming it.
_REMOVED_NOTE = re.compile(r"Removed:")


def _in_force(
    scored: list[_Sentence], passages: Sequence[SearchResult], notes_of: NotesOf | None
) -> list[_Sentence]:
    """The sentences that may lead: none of a section a later rule removed (its notes say
    "Removed: ..."), nor of a text its source marks as superseded (a 2022 version of 734.9
    states what the section no longer says), unless nothing else is left."""
    removed = {
        i
        for i, p in enumerate(passages)
        if str(p.metadata.get("doc_type") or "") == "regulation"
        and (
            is_superseded(p.metadata)
            or (
                notes_of is not None
                and any(_REMOVED_NOTE.match(n) for n in notes_of(p, p.start, p.end))
            )
        )
    }
    return [x for x in scored if x.passage not in removed] or scored


def _not_listed(party: str) -> str:
    """What an answer says of a party that "Is X on the Entity List?" asks about and no
    Entity List addition in the corpus names (`unlisted_party`)."""
    return (
        f"none of the Entity List additions it holds names {party}. It holds only some of "
        f"them: screen {party} against the current Consolidated Screening List."
    )


# "When was Zhejiang Uniview added to the Entity List?", "When did the rule take effect?": a
# question (or a sentence of one) opening with when, about an addition, a removal or a rule
# taking effect; not "When an entity is added, what ...?", nor "Since when has the EAR imposed
# ...?" (standing law has no one rule's date)
_ASKS_WHEN_DONE = re.compile(
    r"(?:^|[.?!]\s+)(?:when|on\s+what\s+date|what\s+date|since\s+when)\s+(?:was|were|did|is|are|"
    r"has|have|will|does|do)\b[^?]{0,120}?\b(?:(?P<add>add(?:ed)?|listed|designated)|"
    r"(?P<remove>remove[sd]?)|effective|take\s+effect|took\s+effect|in\s+force|published|issued)\b",
    re.I,
)
# ... and the bottom line is what this rule itself does, the rule its subject: "The ERC
# determined to add ...", "BIS is adding ...", "This rule ...", or an amendatory instruction
# ("b. Under SINGAPORE, adding ..."); not "The EAR imposes ..." (standing law)
_THIS_RULE_DOES = re.compile(
    r"\bthis\s+(?:final\s+|interim\s+final\s+)?rule\b|\bthe\s+ERC\s+(?:has\s+)?(?:determined|"
    r"approved|decided)\b|\b(?:is|are)\s+(?:being\s+)?(?:adding|added|removing|removed|amending|"
    r"revising)\b|^\s*[a-z0-9]{1,3}\.\s+(?:Under\s+[^,]{2,60},\s+)?(?:adding|removing|revising|"
    r"amending)\b",
    re.I,
)
# ... and it recalls nothing earlier ("That final rule amended ...", "The EAR, prior to this
# final rule, imposed ...", "entries that were added in 2020"), nor dates itself ("On May 16,
# 2019, ..."): a year in it is its own answer or another rule's
_RECALLS = re.compile(
    r"\b(?:prior\s+to|before|previously|already|existing|originally|earlier|"
    r"that\s+(?:final\s+|interim\s+final\s+)?rule)\b|\b(?:19|20)\d\d\b",
    re.I,
)


def _rule_date(
    question: str,
    p: SearchResult,
    shown: str,
    lookup: Lookup | None,
    citer: Citer,
    score: float,
) -> tuple[str, Claim] | None:
    """ "Effective: FR Doc. 2024-29136: “This rule is effective December 11, 2024.”" under a
    bottom line quoting what a Federal Register rule does ("The ERC determined to add ...
    Zhejiang Uniview ...") when the question asks when, and the sentence gives no date of its
    own: the rule's own effective-date sentence, read from the whole rule (retrieval ranks the
    sentence naming the party, not the date line), and cited. Only for a sentence saying what
    this rule does ("determined to add", "is adding", "this rule"), the act the question asks
    about, and nothing earlier: one recalling an earlier rule ("That final rule amended ...")
    would get this rule's date (a correction's, for the rule it corrects), and one that dates
    what it recalls ("On May 16, 2019, Huawei ... were added") is its own answer."""
    reader = getattr(lookup, "document", None)
    asked = _ASKS_WHEN_DONE.search(question)
    if (
        reader is None
        or asked is None
        or not is_federal_register(p.metadata)
        or not _THIS_RULE_DOES.search(shown)
        or _RECALLS.search(shown)
        # (a removal's date is not asked by an addition's sentence, nor the other way round)
        or (asked.group("add") is not None and not re.search(r"\badd", shown, re.I))
        or (asked.group("remove") is not None and not re.search(r"\bremov", shown, re.I))
    ):
        return None
    for chunk in reader(p.citation):
        if chunk.doc_id != p.doc_id:
            continue
        for a, b in chunk_sentences(chunk.text):
            text = chunk.text[a:b]
            if STATES_EFFECTIVE.search(text) and len(text) < 200:
                n = citer.cite(chunk, chunk.start + a, chunk.start + b, score)
                if n is None:
                    return None
                said = display(text)
                return f"Effective: {_short(p.citation)}: “{said}” [{n}]", Claim(
                    text=said, citations=[n]
                )
    return None


def _listing_lines(
    question: str,
    p: SearchResult,
    span: tuple[int, int],
    passages: Sequence[SearchResult],
    lookup: Lookup | None,
    citer: Citer,
    score: float,
) -> list[tuple[str, Claim]]:
    """ "Review policy: FR Doc. 2024-29136: “Licenses ... will be required for all items subject
    to the EAR, and license applications will be reviewed with a license review policy of
    presumption of denial.”" under a bottom line quoting the rule that added the question's
    party to the Entity List (`listing_terms`), and the line for what its footnote designation
    reaches: what the listing requires, which "When was X added, and why?" or "Is X
    restricted?" leaves the reader to ask next. Only under a lead from that rule, and not a
    sentence the lead already quotes; the party is the one the lead names (a question about
    two parties of one rule must not get one's policy under the other's addition)."""
    terms = listing_terms(question, passages, lookup) if lookup is not None else None
    if terms is None or terms.listing.passage.doc_id != p.doc_id:
        return []
    # the lead is that addition, or one naming that party ("b. Under SINGAPORE, adding ...
    # “Sophgo Technologies Pte. Ltd.”"), not another party's paragraph of the same rule
    listing = terms.listing
    lead = p.text[span[0] - p.start : span[1] - p.start]
    if not (listing.start < span[1] and span[0] < listing.end) and not named_whole(
        lead, terms.name
    ):
        return []
    out: list[tuple[str, Claim]] = []
    for label, basis in (("Review policy", terms.policy), ("Foreign-made items", terms.footnote)):
        if basis is None or (basis.start < span[1] and span[0] < basis.end):
            continue
        n = citer.cite(basis.passage, basis.start, basis.end, score)
        if n is None:
            continue
        said = _quoted(basis.passage, basis.start, basis.end)
        out.append(
            (f"{label}: {_short(p.citation)}: “{said}” [{n}]", Claim(text=said, citations=[n]))
        )
    return out


def _silent(
    question: str,
    passages: Sequence[SearchResult],
    why: str,
    is_known: Callable[[str], bool] | None,
) -> Answer:
    """The refusal, and why; for "Is Dahua on the Entity List?", a name no document in the
    corpus mentions (`is_known`), also what the answer for a party it does not list says. Not
    for a name it mentions: refused passages are no evidence that no rule lists it."""
    unlisted = unlisted_party(question, passages)
    if unlisted and is_known is not None and not is_known(unlisted):
        said = _not_listed(unlisted)
        why = f"{why} {said[0].upper()}{said[1:]}".strip()
    return not_covered(why)


def _period_lead(
    question: str,
    top: _Sentence,
    passages: list[SearchResult],
    lookup: Lookup,
    idf: Callable[[str], float] | None,
) -> _Sentence:
    """`top`, or the sentence of its section stating the period a "how long" question asks
    for (`assistant.answering.section_periods`); its chunk joins `passages` to be cited."""
    found = period_in_section(
        question, passages[top.passage], top.text, lambda s: section_chunks(lookup, s), idf
    )
    if found is None:
        return top
    return _sentence_of(found.chunk, found.start, found.end, passages, top)


def _exception_scope_lead(
    question: str, top: _Sentence, passages: list[SearchResult], lookup: Lookup
) -> _Sentence:
    """`top`, or, for a question asking what a License Exception is or allows, the sentence of
    its section saying what it authorizes (`assistant.answering.exception_scope`); its chunk
    joins `passages` to be cited."""
    asked = asked_exception(question)
    if asked is None:
        return top
    code, section = asked
    if cites(passages[top.passage], f"15 CFR {section}") and states_scope(code, top.text):
        return top  # a scope sentence of its section already, the one the question's words chose
    found = scope_sentence(code, section_chunks(lookup, section))
    if found is None:
        return top
    return _sentence_of(found.chunk, found.start, found.end, passages, top)


def _sentence_of(
    chunk: SearchResult, start: int, end: int, passages: list[SearchResult], top: _Sentence
) -> _Sentence:
    """The span of `chunk` as the bottom line in `top`'s place (its score kept); the chunk
    joins `passages` to be cited when retrieval did not bring it."""
    at = next((i for i, p in enumerate(passages) if p.chunk_id == chunk.chunk_id), None)
    if at is None:
        passages.append(chunk)
        at = len(passages) - 1
    text = chunk.text[start - chunk.start : end - chunk.start]
    return _Sentence(at, start, end, text, top.score, top.similarity)


def _lead_sentence(
    question: str, scored: list[_Sentence], passages: Sequence[SearchResult]
) -> _Sentence:
    best = max(scored, key=lambda x: x.score)
    if _ASKS_EFFECTIVE.search(question):
        # "When did the rule take effect?": the effective date of the document that answers
        # best, when its passages give one (never another rule's date). Answers best by what
        # it did: a DATES line scores by "effective" and "rule" alone, so another rule's could
        # outscore the sentence naming the rule asked about ("the rule that put Yaguang
        # Electronics on the Entity List")
        said = [x for x in scored if not DATES_A_RULE.search(x.text)]
        doc = passages[max(said, key=lambda x: x.score).passage if said else best.passage].doc_id
        dated = [
            x
            for x in scored
            if passages[x.passage].doc_id == doc and STATES_EFFECTIVE.search(x.text)
        ]
        if dated:
            return max(dated, key=lambda x: x.score)
    pattern = definitions_pattern(defined_terms(question))
    if pattern is None:
        return best
    # (a glossary entry of another term defines that term: "*Respondent.* Any person named as
    # the subject of ... a temporary denial order" is no answer to "What is a TDO?")
    best = max(
        (x for x in scored if not (_GLOSSARY_ENTRY.match(x.text) and not pattern.search(x.text))),
        key=lambda x: x.score,
        default=best,
    )
    # The term defined in a form the regulations define in ("*Specially Designated National
    # (SDN).* Any person who ...", "X means"), however little else of the question it shares:
    # what "What is an SDN?" asks for. Only a term the message's first question asks about:
    # "Is Sophgo restricted, and what does its 'footnote 4' mean?" opens on Sophgo, and the
    # later part gets a line of its own.
    head = question
    for part in question_parts(question):
        head = head.replace(part, " ")
    first = definitions_pattern(defined_terms(head)) if head != question else pattern

    def weight(x: _Sentence, terms: DefinitionsPattern) -> float:
        # 1: a definition in the regulations' own forms that holds throughout them; 0.5: one
        # for its own part or section only ("For purposes of this part, the term *person*
        # means"); 0: none
        before, text = _with_heading(x, passages)
        return terms.defining_weight(text, before)

    outright = (
        [x for x in scored if _defines_outright(_with_heading(x, passages)[1], first)]
        if first
        else []
    )
    near = [
        x
        for x in scored
        if x.score >= LEAD_DEFINITION_MARGIN * best.score and _says_what(x.text, pattern)
    ]
    top = max((weight(x, first) for x in outright), default=0.0) if first else 0.0
    if outright and not any(weight(x, pattern) >= top for x in near):
        # (before a sentence that only says "X is a ..." near the best: "Equipment that does
        # not meet the definition of an end-item is a part ..." is not what an end item is;
        # and before a definition for one part only, one that holds throughout)
        near = outright
    if not near and _POINTS_TO_DEFINITION.search(best.text):
        # ("Part 772 of the EAR defines “knowledge” ...": a pointer to the definition, which
        # is among the passages, however much better the pointer shares the question's words)
        near = [x for x in scored if pattern.search(x.text)]
    return (
        min(
            near,
            key=lambda x: (_rank_of(passages[x.passage]), -weight(x, pattern), -x.score),
        )
        if near
        else best
    )


def _with_heading(sentence: _Sentence, passages: Sequence[SearchResult]) -> tuple[str, str]:
    """(what precedes, the sentence) as a definition is judged: a glossary heading set as a
    sentence of its own ("*Government end user” (as applied to encryption items*).") is read
    with the sentence that follows it, which says what the term is ("A government end user is
    any foreign central, ... department ..."), and the heading alone says nothing."""
    before = _paragraph_before(sentence, passages)
    heading = before.rsplit("\n", 1)[-1]
    if heading and _GLOSSARY_HEADING.fullmatch(heading):
        return before[: len(before) - len(heading)], heading + sentence.text
    return before, sentence.text


def _paragraph_before(sentence: _Sentence, passages: Sequence[SearchResult]) -> str:
    """What precedes a sentence in its passage, up to 400 characters: where its paragraph
    may say for what the sentence holds ("For purposes of this § 740.9, ...")."""
    p = passages[sentence.passage]
    at = sentence.start - p.start
    return p.text[max(0, at - 400) : at]


def _defines_outright(text: str, pattern: DefinitionsPattern) -> bool:
    """Whether a sentence defines the asked term in a form the regulations define in
    (`DefinitionsPattern.strict`), and says what it is there (`_says_what`), not in a list
    that may be elsewhere ("... a foreign government agency is defined as follows:": the
    sentence that leads however little it scores must stand alone)."""
    return not introduces_list(text) and _says_what(text, pattern, strict=True)


def _says_what(text: str, pattern: DefinitionsPattern, strict: bool = False) -> bool:
    """Whether a sentence defines the term (`pattern.search`, or `search_strict`) and says
    what it is there: not a glossary heading alone ("*Government end user” (as applied to
    encryption items*).") or a pointer ("*Published.* See § 734.7 of the EAR.")."""
    if pattern.anchor.search(text) is None:
        return False
    found = pattern.first(text, strict)
    if found is None:
        return False
    rest = text[found.end() :]
    if found.group(0).lstrip().startswith("*") and not found.group(0).rstrip().endswith("*"):
        rest = rest.split("*", 1)[-1]  # past the rest of an italic heading: "(as applied to ...*)"
    rest = rest.strip(" *.:,;()“”\"'")
    return len(rest.split()) >= _DEFINITION_MIN_WORDS and not _POINTER.match(rest)


_DEFINITION_MIN_WORDS = 5
_GLOSSARY_ENTRY = re.compile(r"\s*\*[^*\n]{1,100}\*")
# ... that entry's heading alone, closed by its full stop: "*Published.* ", "*Government end
# user” (as applied to encryption items*). "
_GLOSSARY_HEADING = re.compile(_GLOSSARY_ENTRY.pattern + r"[^\w*\n]{0,4}")
_POINTER = re.compile(r"(?:See|Refer\s+to)\b", re.I)


# A sentence that sends the reader to where a term is defined, rather than defining it
_POINTS_TO_DEFINITION = re.compile(
    r"\bdefines\s+(?:the\s+term\s+)?[\"“‘']|\bhas\s+the\s+same\s+meaning\s+as\b"
    r"|\b(?:as|is)\s+defined\s+in\s+(?:§|part|section|paragraph)",
    re.I,
)


# A list item: a designator, words, and the ";" (", or", "; and") that joins it to the next.
_LIST_ITEM = re.compile(r"\s*\(\s*(?:[a-z]{1,4}|\d{1,3}|[A-Z])\s*\)\s")
_ENDS_ITEM = re.compile(r"(?:;|;\s*(?:or|and)|,\s*(?:or|and))\s*[\"”’']*\s*$")


def _is_list_item(text: str) -> bool:
    return bool(_LIST_ITEM.match(text) and _ENDS_ITEM.search(text))


def _lead_span(
    top: _Sentence, scored: list[_Sentence], passages: Sequence[SearchResult]
) -> tuple[_Sentence, int, int]:
    """The bottom line and its span: it never stops at a colon. A sentence introducing a list
    ("No U.S. person may, without a license from BIS, 'support':") is shown with its items
    when its passage holds them, else the best sentence of the same passage that does not
    introduce one (or of any passage, when it has none) takes its place."""
    if _is_list_item(top.text):
        # "(i) To domestic or foreign co-authors, editors, or reviewers ...;" is an item of a
        # list, not a statement: the list's stem with its items leads, or the best sentence that
        # is no item when the passage does not hold the stem
        p = passages[top.passage]
        stems = [
            x
            for x in scored
            if x.passage == top.passage and x.start < top.start and introduces_list(x.text)
        ]
        if stems:
            stem = max(stems, key=lambda x: x.start)
            a, b = provision_span(p, stem.start, stem.end)
            if a <= top.start < b:
                return stem, a, b
        rest = [x for x in scored if not _is_list_item(x.text)]
        if rest:
            top = max(rest, key=lambda x: x.score)
    if not introduces_list(top.text):
        return top, top.start, top.end
    p = passages[top.passage]
    a, b = provision_span(p, top.start, top.end)
    if not introduces_list(p.text[a - p.start : b - p.start]):
        return top, a, b
    rest = [x for x in scored if not introduces_list(x.text)]
    same = [x for x in rest if x.passage == top.passage]
    if not rest:
        return top, top.start, top.end
    other = max(same or rest, key=lambda x: x.score)
    return other, other.start, other.end


def _quoted(p: SearchResult, start: int, end: int) -> str:
    """The text of [start, end) of `p` as a line shows it (`quotes.display`; the citation
    keeps the verbatim quote)."""
    return display(p.text[start - p.start : end - p.start])


def _rank_of(p: SearchResult) -> int:
    return AUTHORITY_ORDER[authority_of(_doc_type(p))]


def _doc_type(p: SearchResult) -> str:
    return str(p.metadata.get("doc_type") or "")


def _part_line(
    part: str,
    found: Sequence[SearchResult],
    citer: Citer,
    idf: Callable[[str], float] | None,
    min_relevance: float,
    lookup: Lookup | None = None,
) -> tuple[str, Claim] | None:
    """A later question of the message ("..., and how long do we have to appeal?") answered
    by the best sentence of the passages searched for it alone: its own bottom line, shown
    under the message's. None when it asks about another regime, when nothing searched for it
    is near enough (`min_relevance`, as for any question), or when the answer quotes that
    sentence already."""
    if unaddressed_regime(part) is not None:
        return None
    scored = [s for s in score_sentences(part, found, idf) if worth_quoting(s.text)]
    if not scored or max(s.similarity for s in scored) < min_relevance:
        return None
    top = _lead_sentence(part, scored, found)
    if top.similarity < PART_RELEVANCE:
        return None
    found = list(found)
    if lookup is not None:
        top = _period_lead(part, top, found, lookup, idf)
    top, a, b = _lead_span(top, scored, found)
    p = found[top.passage]
    if any(c.doc_id == p.doc_id and c.start < b and a < c.end for c in citer.citations):
        return None
    n = citer.cite(p, a, b, top.score)
    if n is None:
        return None
    shown = _quoted(p, a, b)
    asked = " ".join(part.split())
    return (
        # (the source named in the line, as a lead's is: the [n] alone names none in the text)
        f"{_PART_LABEL}“{asked}”: the closest provision found for it, "
        f"{_source_label(p, heading=False)}: “{shown}” [{n}]",
        Claim(text=shown, citations=[n]),
    )


_PART_LABEL = "Also asked, "
# A later question's line is shown only when its passage is this close to it (cosine): a part
# is short, and searched alone it finds passages that share a word or two ("footnote 3" for
# "footnote 4", another year's list for April 2024) at 0.45-0.55, where a line would mislead.
# Chosen on 30 help-desk messages asking two or three things (/work/multi31: of the lines a
# practitioner graded, 15 helpful, 5 neutral, 8 misleading at 0.6; 30, 8, 26 with no floor);
# checked on 30 messages written after it (/work/multi32). The line says what it is: the closest
# provision found, not an answer.
PART_RELEVANCE = 0.6


# chunks of a section a quote's continuation may look through for the one after it: all of
# them (760.1 has 48), where the determination rules read at most SECTION_LIMIT
WHOLE_SECTION = 1000


def _chunk_reader(lookup: Lookup | None) -> Callable[[str], Sequence[SearchResult]] | None:
    """A section's chunks in order, all of them when the lookup takes a limit (the service's
    `CachedLookup.section`), for finding the chunk that follows a quoted one."""
    section = getattr(lookup, "section", None)
    if section is None:
        return None
    if "limit" not in inspect.signature(section).parameters:
        return cast(Callable[[str], Sequence[SearchResult]], section)
    return lambda s: cast(Sequence[SearchResult], section(s, limit=WHOLE_SECTION))


def compose_extractive(
    question: str,
    passages: Sequence[SearchResult],
    *,
    min_relevance: float,
    min_relevance_unknown_name: float,
    is_known: Callable[[str], bool] | None = None,
    idf: Callable[[str], float] | None = None,
    documents: Callable[[str], Collection[str]] | None = None,
    hits: Sequence[ScreeningHit] = (),
    lookup: Lookup | None = None,
    verify_span: VerifySpan | None = None,
    notes_of: NotesOf | None = None,
    parts: Sequence[tuple[str, Sequence[SearchResult]]] = (),
    lead_part: tuple[str, str, Callable[[], Sequence[SearchResult]]] | None = None,
) -> Answer:
    """The bottom line first, then the provisions it rests on, each quoted whole and cited.

    A licence question gets a determination in fixed words (`assistant.answering.determination`);
    any other question opens with the sentence that best answers it. The support lines follow
    in the authority order (regulation, Federal Register, guidance, news marked secondary).
    `verify_span(passage, start, end)` checks a span against the store before it is used."""
    regime = unaddressed_regime(question)
    if regime is not None:
        return not_covered(outside_corpus(regime))
    scored = [s for s in score_sentences(question, passages, idf) if worth_quoting(s.text)]
    if asks_about_whole(question):
        scored = _in_section_order(scored, passages, legal_references(question))
    best = max((s.similarity for s in scored), default=0.0)
    evidence = Evidence.of(question, passages, best, is_known, idf, documents, lookup)
    finding = determine(question, passages, hits, lookup)
    # A party or destination rule that found the regulation sentence it rests on means the
    # corpus speaks to the question, however far its words are from the passages' (a Dubai
    # company on the DPL, a distributor in Sevastopol); what happened to an unknown name is
    # still refused.
    decided = finding is not None and finding.operative
    # Any determination found its basis in the corpus (the general rule: 736.2(a)'s five
    # facts), so a licence question is answered, marked partial when the passages are far.
    if evidence.unknown_subject is not None or (
        finding is None and evidence.abstain(min_relevance, min_relevance_unknown_name)
    ):
        return _silent(
            question, passages, evidence.reason() or absent_note(question, lookup), is_known
        )
    citer = Citer(verify_span, notes_of)
    reader = _chunk_reader(lookup)  # where a quote's next chunk is found
    # The general rule ("depends on the end use": 736.2(a)'s five facts) decides nothing a
    # message of many facts asks beyond what any licence question depends on, and the end use
    # it says is missing is often given in words it cannot read ("to help a customer ramp up a
    # production line"); its sub-questions ask about an exception's conditions or a procedure.
    # There the best sentence of the passages answers first (cited [1]) and the general rule's
    # lines follow it. A short question ("Can we ship EAR99 tools to Germany?") asks only
    # whether a licence is needed, which the general rule answers, and so does a question
    # without its item or destination ("Do we need a license for ZTE?"): those facts decide it.
    general = (
        finding is not None
        and finding.general
        and _many_facts(question)
        and not any(f in finding.missing_facts for f in (ITEM_FACT, DESTINATION_FACT))
        # (an EAR99 item's "depends on the end user and end use" is its answer: nothing on
        # the CCL, so only part 744's end uses and end users, or an embargo, could need one)
        and not ear99_only(question)
    )
    opening = bottom_line(None if general else finding, citer)
    lead_lines, determination, claims = opening.lines, opening.determination, opening.claims
    quoted_lead: list[tuple[str, int, int]] = []  # what the bottom line quotes, word for word
    cite = citer.cite

    passages = list(passages)  # a determination's basis may join them (`_operative_lines`)
    operative = (
        _operative_lines(determination, citer, passages, opening.unquoted)
        if finding and finding.operative
        else []
    )
    # (another country's sanctions are beside the point of a question about this one's)
    off = beside_the_point(question, passages)
    if _a_case_for_the_rules(question, evidence):
        # (nor is a news report what the rules require of a case of many facts)
        off |= {i for i, p in enumerate(passages) if authority_of(_doc_type(p)) == "news"}
    off |= _other_listings(question, passages)
    scored = [x for x in scored if x.passage not in off] or scored
    chosen = select_lines(scored, passages, SUPPORT_LINES - min(len(operative), OPERATIVE_BUDGET))
    chosen = [ln for ln in chosen if not any(_overlaps(ln, op, passages) for op in operative)]
    if not chosen and not lead_lines and not general:
        return _silent(question, passages, absent_note(question, lookup), is_known)
    missing = None if lead_lines else unlisted_party(question, passages)
    if missing is not None:
        # ("Is Siemens on the Entity List?": a rule listing other parties is no answer)
        lead_lines.append(f"**Not found in the corpus:** {_not_listed(missing)}")
    if not lead_lines and chosen:
        # A question naming a section is answered from that section first: its opening
        # sentence (the scope or the rule), the paragraph it names before the rest.
        refs = legal_references(question)

        def named(x: _Sentence) -> float:
            cited = passages[x.passage].citation
            return max((citation_match(cited, r) for r in refs), default=0.0)

        # (not its "§ 744.15 Restrictions on ..." heading: every line's label repeats it)
        in_named = [x for x in scored if named(x) >= 0.4 and not _SECTION_HEADING.match(x.text)]
        top = (
            min(in_named, key=lambda x: (-named(x), x.start))
            if in_named
            else _lead_sentence(question, _in_force(scored, passages, notes_of), passages)
        )
        if notes_of is not None and ASKS_STATUS.search(question):
            # "Is the affiliates rule stayed?": the bottom line is the provision the corpus
            # records a stay of (its note follows it), the best-ranked passage's, if one is
            # near the best sentence; inside the section the question names, if it names one.
            # (Not a note that only dates the text: "Is the Cuba embargo still in force?")
            noted = [
                x
                for x in (in_named or scored)
                if (in_named or x.score >= STATUS_LEAD_MARGIN * top.score)
                and any(
                    _STAY_NOTE.match(note) for note in notes_of(passages[x.passage], x.start, x.end)
                )
            ]
            if noted and not in_named and not _stay_may_lead(question, lookup):
                noted = []  # (a section the question names is asked about, whatever its words)
            top = min(noted, key=lambda x: (x.passage, -x.score)) if noted else top
        if lookup is not None and not in_named:
            top = _exception_scope_lead(question, top, passages, lookup)
            top = _period_lead(question, top, passages, lookup, idf)
        top, a, b = _lead_span(top, scored, passages)
        p = passages[top.passage]
        b = with_holding(p, a, b)
        n = cite(p, a, b, top.score)
        if n is not None:
            quoted_lead.append((p.doc_id, a, b))
            shown = _quoted(p, a, b)
            # named before the quote: a reader of the bottom line sees whose words they are
            # (a section's, a rule's, a news article's) without looking up [n]
            line = f"{_source_label(p, heading=False)}: **{shown}** [{n}]"
            claims.append(Claim(text=shown, citations=[n]))
            # a worked example's holding, when the next chunk opens with it
            held = holding_after(p, a, b, reader)
            m = cite(*held, top.score) if held else None
            if held and m is not None:
                rest = _quoted(*held)
                line += f" **{rest}** [{m}]"
                claims.append(Claim(text=rest, citations=[m]))
            lead_lines.append(line)
            lead_lines.extend(f"Status: {note}" for note in citer.get(n).notes)
            dated = _rule_date(question, p, shown, lookup, citer, top.score)
            if dated is not None:
                lead_lines.append(dated[0])
                claims.append(dated[1])
            for said, claim in _listing_lines(
                question, p, (a, b), passages, lookup, citer, top.score
            ):
                lead_lines.append(said)
                claims.append(claim)
    if general:
        later = bottom_line(finding, citer)
        lead_lines += later.lines
        claims += later.claims
        determination = later.determination
    if lead_part is not None and finding is not None:
        # The determination came from a later question's facts ("(2) can we ship the lot
        # back?" states a violation): the first question, which it does not answer, gets its
        # line like any later one.
        piece, asked, search = lead_part
        alone = determine(piece, passages, hits, lookup)
        own = first_line(alone, citer) if alone is not None and alone.rule != finding.rule else None
        if own is not None:
            # its own facts decide it by another rule: that rule's bottom line answers it
            lead_lines.append(f"{_PART_LABEL}“{' '.join(asked.split())}”: {own[0]}")
            claims.append(own[1])
        elif alone is None or alone.rule != finding.rule:
            parts = [(asked, search()), *parts]
    for part, found in parts:
        answered = _part_line(part, found, citer, idf, min_relevance, lookup)
        if answered is not None:
            lead_lines.append(answered[0])
            claims.append(answered[1])
    chosen.sort(key=lambda ln: (_rank_of(passages[ln.passage]), -ln.score))
    support: list[str] = []
    lead_cited = {c.n for c in citer.citations}
    continued: list[tuple[str, int, int]] = []  # (doc_id, start, end) quoted as a continuation
    for sup in [*operative, *chosen]:
        p = passages[sup.passage]
        if sup not in operative:
            trimmed = _past_the_lead(sup, p, quoted_lead)
            if trimmed is None:
                continue  # the provision is the bottom line's sentence: nothing more to show
            sup = trimmed
        if sup not in operative and any(
            d == p.doc_id and sup.start < e and s < sup.end for d, s, e in continued
        ):
            continue  # the rest of a list an earlier line already quotes
        n = cite(p, sup.start, sup.end, sup.score)
        if n is None or (n in lead_cited and sup not in operative):
            continue  # unverifiable, or the very span the bottom line already quotes
        quote = _quoted(p, sup.start, sup.end)
        line = f"- {_source_label(p)}: {quote} [{n}]"
        claims.append(Claim(text=quote, citations=[n]))
        notes = list(citer.get(n).notes)
        more = continuation(p, sup.start, sup.end, reader)
        m = cite(more[0], more[1], more[2], sup.score) if more else None
        if more and m is not None:
            rest = _quoted(*more)
            line += f" {rest} [{m}]"
            claims.append(Claim(text=rest, citations=[m]))
            notes += [x for x in citer.get(m).notes if x not in notes]
            continued.append((more[0].doc_id, more[1], more[2]))
        support.append(line)
        support.extend(f"  - Status: {note}" for note in notes)
    citations = citer.citations
    if not citations:
        return _silent(question, passages, absent_note(question, lookup), is_known)
    # A rule that rests on the provision deciding the case (a party, end-use, destination or
    # mass-market rule) settles what it states, however far the question's words are.
    future = bool(_ASKS_FUTURE.search(question))
    absent = " ".join(
        x for x in (absent_note(question, lookup), _period_note(question, claims, lead_lines)) if x
    )
    partial = future or bool(absent) or (not decided and evidence.partial(min_relevance))
    blocks = ["\n".join(lead_lines)]
    note = (FUTURE_NOTE if future else f"{absent} {PARTIAL_NOTE}".strip()) if partial else ""
    if note:
        blocks.append(note)
    if support:
        blocks.append("\n".join(support))
    lead = lead_lines[0] if lead_lines else ""
    return Answer(
        answer="\n\n".join(b for b in blocks if b),
        abstained=False,
        lead=lead,
        determination=determination,
        partial=partial,
        partial_note=note,
        citations=citations,
        claims=claims,
    )

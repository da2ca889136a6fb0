"""What retrieval knows about a candidate besides its body text: where it sits (its heading
path), how much authority its source carries, and whether it defines the term a question asks
about. Each feature is a number in [0, 1] per candidate; `assistant.retrieval.scoring` weighs them.

Why each one:
- Heading match. A section's heading and its part's name say what the whole section is about
  ("License Exceptions", "Restrictions on all License Exceptions"), but BM25 over a long chunk
  drowns a heading word in the body's. The share of the question's (rarity-weighted) terms that
  appear in the chunk's heading path is a separate, field-level signal.
- Authority. The EAR's text is the law, a Federal Register rule made it, BIS guidance explains
  it, news reports it. Between two passages that answer equally well the higher authority comes
  first (the answer lists them in that order too).
- Definitions. "What is / what counts as / what exactly is X" asks for the place X is defined:
  a passage where X is followed by "means", "is defined", or "is a/an" (the EAR writes its
  definitions that way, quoted or not, sometimes "for the purpose of this section"), X
  qualified before its "means" ("A major component of a plant located outside the United
  States means"), a glossary paragraph headed "*X.*" or "*X:*", or one headed "Definition of
  X". Section-level definitions matter as much as part 772's: 734.18 defines "end-to-end
  encryption", 740.17(e)(3) "executable software", 760.1(c) "controlled in fact".
- Dates asked about. "the April 2022 correction", "the August 2020 Huawei action", "BIS's 2021
  encryption guidance": a month or year in the question names when the document it asks about
  was issued, and several rules and releases on one subject differ in little but their date
  (the 2019 and the 2020 Huawei affiliate additions). A dated document (a rule, release,
  guidance page or article, not the regulation's version date) issued then matches.
- Stays. "Is the affiliates rule stayed?", "when does the stay end?": a rule's legal status is
  recorded in notes beside the text it affects ("At 90 FR 50857 ... paragraph (a)(1) was
  stayed"), not in its words ("Entity List entries extend to other foreign affiliates ..."),
  so neither retriever finds the provision from the question. A question about a rule's legal
  status brings in the chunks a recorded stay affects, and they match.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.index.tokenize import tokenize
from assistant.models import AUTHORITY_ORDER, authority_of
from assistant.text import cached_pattern

# The names of the EAR's parts (15 CFR chapter VII, subchapter C): the table of contents, so a
# chunk of § 740.1 carries "License Exceptions" in its heading path like the eCFR shows it.
EAR_PARTS: dict[str, str] = {
    "730": "General Information",
    "732": "Steps for Using the EAR",
    "734": "Scope of the Export Administration Regulations",
    "736": "General Prohibitions",
    "738": "Commerce Control List Overview and the Country Chart",
    "740": "License Exceptions",
    "742": "Control Policy—CCL Based Controls",
    "743": "Special Reporting and Notification",
    "744": "Control Policy: End-User and End-Use Based",
    "745": "Chemical Weapons Convention Requirements",
    "746": "Embargoes and Other Special Controls",
    "747": "Special Iraq Reconstruction License",
    "748": "Applications (Classification, Advisory, and License) and Documentation",
    "750": "Application Processing, Issuance, and Denial",
    "752": "Special Comprehensive License",
    "754": "Short Supply Controls",
    "756": "Appeals",
    "758": "Export Clearance Requirements",
    "760": "Restrictive Trade Practices or Boycotts",
    "762": "Recordkeeping",
    "764": "Enforcement and Protective Measures",
    "766": "Administrative Enforcement Proceedings",
    "768": "Foreign Availability Determination Procedures and Criteria",
    "770": "Interpretations",
    "772": "Definitions of Terms",
    "774": "The Commerce Control List",
}
_CFR_PART = re.compile(r"\b15 CFR (?:part )?(7\d\d)\b", re.I)


def heading_text(meta: Mapping[str, Any]) -> str:
    """The chunk's heading path as words: citation, title, section path, and the EAR part's
    name (from the metadata when ingest recorded it, else from the citation's part number)."""
    citation = str(meta.get("citation", ""))
    part_name = str(meta.get("part_name") or "")
    if not part_name:
        found = _CFR_PART.search(citation)
        part_name = EAR_PARTS.get(found.group(1), "") if found else ""
    return " ".join(
        str(v) for v in (citation, meta.get("title", ""), meta.get("section_path", ""), part_name)
    )


def heading_match(
    query_terms: Sequence[str], heading_terms: frozenset[str], idf: Callable[[str], float]
) -> float:
    """The rarity-weighted share of the question's words found in the heading path."""
    return heading_matches(query_terms, [heading_terms], idf)[0]


def heading_matches(
    query_terms: Sequence[str], headings: Sequence[frozenset[str]], idf: Callable[[str], float]
) -> list[float]:
    """`heading_match` for each of many heading paths, the question's weights computed once
    (an answer scores about a hundred candidates)."""
    # Section numbers are the references' business (a bonus of their own); counted here too,
    # "744.11" would lift every chunk of part 744.
    weights = {t: idf(t) for t in set(query_terms) if not t[0].isdigit()}
    total = sum(weights.values())
    if total <= 0:
        return [0.0] * len(headings)
    return [sum(w for t, w in weights.items() if t in terms) / total for terms in headings]


def heading_terms(meta: Mapping[str, Any]) -> frozenset[str]:
    return _heading_terms(
        str(meta.get("citation", "")),
        str(meta.get("title", "")),
        str(meta.get("section_path", "")),
        str(meta.get("part_name") or ""),
    )


@functools.lru_cache(maxsize=1 << 14)
def _heading_terms(citation: str, title: str, section_path: str, part_name: str) -> frozenset[str]:
    """`heading_text`'s terms, cached by the fields it reads: an answer scores about a hundred
    candidates, mostly the same chunks answer after answer."""
    meta = {
        "citation": citation,
        "title": title,
        "section_path": section_path,
        "part_name": part_name,
    }
    return _terms_of(heading_text(meta))


@functools.lru_cache(maxsize=1 << 14)
def _terms_of(text: str) -> frozenset[str]:
    """Cached: a corpus has a few thousand distinct heading paths, asked for again and again."""
    return frozenset(tokenize(text))


def authority_score(meta: Mapping[str, Any]) -> float:
    """1 for regulation text, 2/3 for a Federal Register rule, 1/3 for guidance, 0 for news."""
    rank = AUTHORITY_ORDER[authority_of(str(meta.get("doc_type") or ""))]
    return 1.0 - rank / (len(AUTHORITY_ORDER) - 1)


# "what is X", "what exactly is a 'X'", "what counts as X", "what does X mean", "define X",
# "definition of X", "meaning of X", anywhere in the question ("... is our branch a 'U.S.
# person'? What does 'knowledge' mean under the EAR?")
_DEFINITION_QUESTION = re.compile(
    r"(?:^|[.?!]\s+)\s*(?:what\s+(?:exactly\s+)?(?:is|are|counts?\s+as|does\s+(?P<mean>.+?)\s+mean)"
    # "Who is a U.S. person?", "Who counts as an exporter?" (not "Who is Huawei?", "Who is the
    # CEO of ...", "Who is allowed to ...": a person asked after, or a question about someone)
    r"|who\s+(?:is(?=\s+an?\s)|counts?\s+as|qualif(?:y|ies)\s+as"
    r"|(?:is|are)\s+considered(?:\s+to\s+be)?)"
    r"|define|definition\s+of|meaning\s+of|what\s+is\s+meant\s+by)\b\s*(?P<rest>[^?]*)",
    re.I | re.S,
)
_QUOTED = re.compile(r"(?:^|(?<=[\s(]))[\"“‘']([^\"”’']{3,60})[\"”’'](?=[\s?.,;:)!]|$)")
_LEAD_ARTICLE = re.compile(r"^(?:an?|the)\s+", re.I)


def defined_terms(question: str) -> list[str]:
    """The terms a question asks the meaning of: every quoted term (quoting a word is how people
    point at a defined term: "is our London branch a 'U.S. person'?") and the X of "what is X",
    "what counts as X", "what does X mean". Section and rule numbers are lookups, not terms."""
    terms = [m.group(1).strip() for m in _QUOTED.finditer(question)]
    for m in _DEFINITION_QUESTION.finditer(question):
        rest = m.group("mean") or m.group("rest") or ""
        if re.search(r"\d{3}\.\d|\bFR\b|\bpart\s+\d", rest):
            continue
        # (a full stop ends the term, one after an initial does not: "U.S. person", unless a
        # question follows it: "What is Country Group D. Is China in it?")
        rest = re.split(
            r"[?,;:(]|(?<!\b[A-Z])\.|\.(?=\s+(?i:is|are|do|does|can|what|how|which|who)\b)"
            r"|\b(?:under|in|for|according|when|if|and|that)\b",
            rest,
        )[0]
        rest = _LEAD_ARTICLE.sub("", rest.strip()).strip("\"“”‘’' ")
        if rest and len(rest.split()) <= 6 and rest.lower() not in (t.lower() for t in terms):
            terms.append(rest)
    # (not "(a)", "it", "1.2"; an abbreviation is a term: "What is an SDN?", "What is the EAR?")
    return [t for t in terms if not re.fullmatch(r"[\d\s.()a-z]{0,3}", t)]


def _term_words(term: str) -> tuple[list[str], str] | None:
    """A term's words, escaped, and its last word's stem ("accessory" -> "accessor": the last
    word in any number, "exceptions" finding "Exception"); None for a term with no word."""
    # (a hyphen is a separator like a space: "end-item" finds "*End item.*" and "end-item")
    words = [re.escape(w) for w in re.findall(r"\w+", term)]
    if not words:
        return None
    return words, re.sub(r"(?:ies|es|s|y)$", "", words[-1]) or words[-1]


def definition_pattern(term: str) -> re.Pattern[str]:
    """Matches a passage defining `term`: the term (quoted or not, plural or not), then
    "means", "is defined as", "is a/an", "refers to", "includes" within a few characters."""
    split = _term_words(term)
    if split is None:
        return re.compile(r"(?!x)x")
    return re.compile(_definition_regex(*split), re.I | re.M)


def first_word_lead(words: list[str], last: str, strict: bool) -> str:
    """A lookahead for where a definition of a term can start: its first word (or a quote
    before it), a line's start (part 772's headings) or "*Definition(s) of". The regex engine
    tries every alternative at every character of a passage, `_UNQUALIFIED`'s dozen
    lookbehinds first in the strict pattern; put before them all, this fails most characters
    at once. The same matches, five times faster: before it, definitions took a fifth of an
    answer's CPU."""
    heading = "" if strict else r"|\*Definition"
    return rf"(?=[{_LEAD_QUOTES}]?\b{_first_word(words, last)}|^{heading})"


_LEAD_QUOTES = '"“‘'  # the quotes a definition's term may open with


def _first_word(words: list[str], last: str) -> str:
    """A term's first word as its pattern holds it (a one-word term: its stem)."""
    return words[0] if len(words) > 1 else last


def _definition_regex(words: list[str], last: str, strict: bool = False) -> str:
    """`definition_pattern`'s regex for a term split by `_term_words`. `strict`: only the forms
    the regulations define in ("X means", "X is defined as", part 772's headings), not "X is
    a", "X are", "X includes", "X refers to", which also find sentences that merely use X
    ("items on the Commerce Control List are controlled")."""
    # (strict: the last word in any number, not another word on its stem: "export" finds
    # "Exports", not "*Exporter.*")
    ending = r"(?:s|es|ies|y)?" if strict else r"\w{0,3}"
    body = r"[\s.-]+".join([*words[:-1], last + ending])
    verbs = (
        r"(?:means|is\s+defined|are\s+defined)"
        if strict
        else r"(?:means|is\s+defined|are\s+defined|is\s+an?\b|are\b|refers?\s+to|includes?)"
    )
    # (strict: the term itself, not a narrower one ending in it: "military commodity means"
    # and "a U.S. person is defined" define no "commodity" or "person")
    guard = _UNQUALIFIED if strict else ""
    forms = _DEFINITION_FORMS.replace(r"|\b{body}\b", "|" + guard + r"\b{body}\b", 1)
    return (
        first_word_lead(words, last, strict)
        + "(?:"
        + guard
        + rf"[\"“‘]?\b{body}\b[.,]?[\"”’']?\s*(?:\([^)]{{0,40}}\)\s*)?"
        # "'Government end user,' for the purpose of this section, is a ..." (740.22(b)(4))
        r"(?:,?\s*for\s+(?:the\s+)?purposes?\s+of\s+this\s+(?:section|part|paragraph)\w*,?\s*)?"
        + verbs
        + forms.replace("{body}", body)
        + ("" if strict else _DEFINITION_HEADING.replace("{body}", body))
        + ")"
    )


# Before a term: the start of a line or a sentence ("... section. “Published” means", not "U.S.
# person"), a mark ("*", a quote, "("), "term" ("the term *United States person* means"), or
# an article opening a sentence or clause ("A regular employee means"; not "the ‘form’ of a
# commodity is defined"): not another word of a longer term
_END = r"(?-i:[a-z0-9)\]”\"'])\.\s"  # a sentence's end (a lower-case word's full stop)
_UNQUALIFIED = (
    r"(?:^|(?<=[^\w\s.\-])|(?<=[^\w\s.\-]\s)"
    rf"|(?<={_END})|(?<={_END}a\s)|(?<={_END}an\s)|(?<={_END}the\s)"
    r"|(?<=[^\w\s.\-]\sa\s)|(?<=[^\w\s.\-]\san\s)|(?<=[^\w\s.\-]\sthe\s)"
    r"|(?<=^a\s)|(?<=^an\s)|(?<=^the\s)|(?<=\bterm\s))"
)


# The other forms a definition takes, around `{body}` (the term's words)
_DEFINITION_FORMS = (
    # a term qualified before its "means" ("A major component of a plant located outside
    # the United States means ...", "“Servicing” as used in this section means", "The
    # footnote 4 designation means that"): only "means", never "is a", crosses words, and
    # not across a comma, a quote or an italic mark past the term's own ("As applied to
    # encryption items, means", "For software, 'form' means"), nor "by / such / the
    # means", "means of / to / as"
    r"|\b{body}\b[\"”’'*]?[^.;:\n\"“”‘’'*,]{0,60}?"
    r"(?<!\bby\s)(?<!\bsuch\s)(?<!\bother\s)(?<!\bthe\s)(?<!\bwhich\s)(?<!\bany\s)"
    r"\bmeans\b(?!\s+(?:of|to|as)\b)"
    # part 772's glossary form: an italic term heading its paragraph ("*Accessories.* ...",
    # "*Major Component:* ...", "*Government end user” (as applied to encryption items*)")
    r"|^\s*\*[\"“‘']?{body}[.:,]?[\"”’']?(?:\*|\s*\()"
    # ... and its abbreviations: "*Export Control Classification Number (ECCN).*", "*Office
    # of Foreign Assets Control (FAC) or (OFAC).*", "*600 Series Major Defense Equipment*
    # or *MDE.*"
    r"|^\s*\*[^*\n]{1,100}?\(\s*{body}\s*\)(?:\s+or\s+\([^()*\n]{1,20}\))?[.:]?\*"
    r"|^\s*\*[^*\n]{1,100}\*\s+or\s+\*{body}[.:]?\*"
)
# a paragraph headed as the term's definition: "(c) *Definition of “Controlled in Fact”.*" (not
# strict: the heading's own sentence seldom defines: "(1) This part applies to United States
# persons.")
_DEFINITION_HEADING = r"|\*Definitions?\s+of\s+(?:the\s+term\s+)?[\"“‘']?{body}\b"


@dataclass(frozen=True)
class DefinitionsPattern:
    """Finds a definition of any of a question's terms. `anchor` is a word each definition
    must contain (every term's longest word, or its last word's stem): it rules out most
    passages four times faster than the full pattern. `starts` finds the terms' first words
    (and "*Definition"): with the line starts, the only places a match of `full` or `strict`
    can begin (`first_word_lead`), so those are tried there alone rather than at every
    character (an answer tests hundreds of passages and sentences, and "export" is in most
    of them). Same matches as `full.search` / `strict.finditer` over the whole text."""

    anchor: re.Pattern[str]
    full: re.Pattern[str]
    strict: re.Pattern[str]  # `_definition_regex(strict=True)`: the regulations' own forms
    starts: re.Pattern[str]

    def search(self, text: str) -> bool:
        return self.anchor.search(text) is not None and self.first(text) is not None

    def search_strict(self, text: str) -> bool:
        return self.anchor.search(text) is not None and self.first(text, True) is not None

    def first(self, text: str, strict: bool = False) -> re.Match[str] | None:
        """`full.search(text)` (`strict.search` when `strict`)."""
        return next(self.matches(text, strict), None)

    def matches(self, text: str, strict: bool = False) -> Iterator[re.Match[str]]:
        """`full.finditer(text)` (`strict.finditer` when `strict`), trying only the places a
        match can begin. (A match is never empty: every form holds the term.)"""
        pattern = self.strict if strict else self.full
        after = 0
        for at in self._starts(text):
            if at >= after and (m := pattern.match(text, at)) is not None:
                yield m
                after = m.end()

    def _starts(self, text: str) -> list[int]:
        """Where a match can begin, in order: a line's start, and a term's first word or a
        quote just before it (overlapping occurrences too: "exportexport")."""
        at = {0}
        line = text.find("\n")
        while line >= 0:
            at.add(line + 1)
            line = text.find("\n", line + 1)
        found = self.starts.search(text)
        while found is not None:
            i = found.start()
            at.add(i)
            if i and text[i - 1] in _LEAD_QUOTES:
                at.add(i - 1)
            found = self.starts.search(text, i + 1)
        return sorted(at)

    def defining_weight(self, text: str, context: str = "") -> float:
        """1 for a definition in the regulations' own forms (`strict`) that holds wherever the
        term is used ("*Person.* A natural person, ..."), 0.5 for one limited to its part,
        section or paragraph ("For purposes of this part, the term *person* means ...",
        "In this section, 'military end use' means"), 0 for none: "What is a person?" asks for
        the first before the antiboycott part's or TMP's own. `context`: what precedes `text`
        in its passage (a sentence's paragraph so far)."""
        if self.anchor.search(text) is None:
            return 0.0
        weight = 0.0
        for m in self.matches(text, strict=True):
            # (its paragraph so far: "For purposes of this § 740.9, a U.S. person is defined
            # as follows: ... U.S. person also means ...")
            before = (context + text[: m.start()])[-400:].rsplit("\n", 1)[-1]
            after = text[m.end() : m.end() + 60] if m.group(0).lstrip().startswith("*") else ""
            # (and the match itself: "“Government end user,” for purposes of this section,
            # means")
            scope = f"{before} … {m.group(0)} … {after}"
            weight = max(weight, 0.5 if _SCOPED.search(scope) else 1.0)
            if weight == 1.0:
                break
        return weight


# A definition for where it stands only: "For purposes of this part", "as used in this
# section", "In this section", "For purposes of this § 740.9". (Not the glossary's "As used in
# § 734.4(a)(5), ..." or "For purposes of §§ 732.3(j), ...": part 772 defines its terms for
# the whole EAR and lists where they are used.)
# (A unit after "this": "The United States and other nations in this multilateral control
# regime" limits nothing.)
_SCOPED = re.compile(
    r"\b(?:(?:for\s+(?:the\s+)?purposes?\s+of|as\s+used\s+in|in)\s+this\s+"
    r"(?:part|subpart|section|subsection|paragraph|supplement|licen[cs]e\s+exception|§)"
    # "For purposes of paragraph (a)(7) of this section, a 'luxury good' means"
    r"|for\s+(?:the\s+)?purposes?\s+of\s+(?:paragraph|§)[^,;]{0,40}?\bof\s+this\s+"
    r"(?:part|subpart|section))",
    re.I,
)


def definitions_pattern(terms: list[str]) -> DefinitionsPattern | None:
    """What finds a definition of any of `terms` (None when there are none)."""
    split = [s for s in map(_term_words, terms) if s is not None]
    if not split:
        return None
    anchor = "|".join(max([*words[:-1], last], key=len) for words, last in split)
    starts = "|".join([*dict.fromkeys(_first_word(*x) for x in split), r"\*Definition"])
    full = "|".join(f"(?:{_definition_regex(words, last)})" for words, last in split)
    strict = "|".join(f"(?:{_definition_regex(words, last, True)})" for words, last in split)
    return DefinitionsPattern(
        cached_pattern(anchor, re.I),
        cached_pattern(full, re.I | re.M),
        cached_pattern(strict, re.I | re.M),
        cached_pattern(starts, re.I),
    )


def defines(text: str, pattern: DefinitionsPattern | None) -> float:
    return 1.0 if pattern is not None and pattern.search(text) else 0.0


_MONTHS = {
    name: n
    for n, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
# "April 2022", "Aug. 19, 2019", "late November 2019", "in 2021", "BIS's 2021 guidance"; not a
# document number or a regulation's number ("FR Doc. 2024-15810", "(EU) 2021/821", "2024-05-09"),
# and a month only when capitalised ("we may 2019" is no date).
_ASKED_DATE = re.compile(
    r"(?:\b(?P<month>(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)[a-z]*)\.?\s+"
    r"(?:\d{1,2},?\s+)?)?(?<![\d/-])\b(?P<year>(?:19|20)\d\d)\b(?![-/]\d)"
)


def asked_dates(question: str) -> list[tuple[int, int | None]]:
    """The (year, month or None) the question names, in its order."""
    out: list[tuple[int, int | None]] = []
    for m in _ASKED_DATE.finditer(question):
        month = _MONTHS.get((m.group("month") or "").lower())
        out.append((int(m.group("year")), month))
    return out


def dated_match(meta: Mapping[str, Any], asked: Sequence[tuple[int, int | None]]) -> float:
    """1 when a dated document was issued in a month (or a year, when only the year is named) the
    question names, 0.5 in the month next to it (a rule's effective date and its publication
    can fall either side of a month's end), else 0. A regulation's date is the version of its
    text, not when a rule was made: 0."""
    if not asked or str(meta.get("doc_type") or "") == "regulation":
        return 0.0
    day = re.match(r"(\d{4})-(\d{2})", str(meta.get("date") or ""))
    if day is None:
        return 0.0
    year, month = int(day.group(1)), int(day.group(2))
    best = 0.0
    for y, m in asked:
        if m is None:
            best = max(best, 1.0 if y == year else 0.0)
        elif abs((year * 12 + month) - (y * 12 + m)) <= 1:
            best = max(best, 1.0 if (y, m) == (year, month) else 0.5)
    return best


# "When was X added to the Entity List?", "Since when has the EAR required ...?", "When did
# Nicaragua become a D:5 country?", "What compliance date did the rule set?": when something was
# done, which a Federal Register rule's effective date answers. Not "when does / must / is"
# (the conditions under which a rule applies: "when must we ask BIS?", "when is a JV
# controlled in fact?"). Wider than the answer's pattern of the same name
# (`assistant.answering.extractive`), which also needs the event ("added", "removed",
# "published") to decide whose date the bottom line gives.
_ASKS_WHEN_DONE = re.compile(
    r"\bsince\s+when\b|\b(?:when|(?:on|from|as\s+of)\s+what\s+date|what\s+date)\s+(?:was|were|"
    r"did|has|have|had)\b|\b(?:effective|compliance)\s+date\b|\b(?:take|took|taken)\s+effect\b",
    re.I,
)


def asks_when_done(question: str) -> bool:
    """Whether the question asks when something was done or took effect (`_ASKS_WHEN_DONE`)."""
    return bool(_ASKS_WHEN_DONE.search(question))


# "Is the affiliates rule stayed?", "when does the stay end?", "Is it in force / still in effect
# / suspended / paused?", "What is its legal status?"; not the verb ("how long can it stay
# abroad", "our engineers stay in Shenzhen").
_ASKS_LEGAL_STATUS = re.compile(
    r"\b(?:the|this|that|its)\s+stay\b(?!\s+(?:out|abroad|overseas|at|in|there|here|"
    r"longer|for|with|on\s+site))"
    r"|\bstay\s+(?:of|on)\s+the\b",
    re.I,
)


def asks_legal_status(question: str) -> bool:
    """Whether the question asks about a stay it takes as recorded: "when does the stay on the
    affiliates rule end?", "does the stay of the rule still apply?". Not whether a rule is
    stayed, suspended or in force: asked of the Unverified List, the Entity List FDP rule or the
    MEU List, the stayed Affiliates paragraphs would lead with their note (an attack in the
    fourth session found 10 such misleading leads, and "Has the Entity List FDP rule been
    suspended?" was one more here); the status lead among retrieved passages answers those as
    before."""
    return bool(_ASKS_LEGAL_STATUS.search(question))

"""The License Exception a question names, and the sentence of its own section that may rule it
out for the case at hand.

"Can we ship our 5A002 routers to Germany under STA?" and "can we just ship under CCD?" name an
exception the asker means to rely on. The EAR answers them in the exception's own section,
with a restriction sentence: 740.20(b)(2)(iii) "License Exception STA may not be used for any
item that is controlled for reason of encryption items (EI) ...", 740.19(c)(1)(ii) "...
organizations administered or controlled by the Cuban Government ... are not eligible end
users". Retrieval, ranking by the whole question, rarely brings that sentence to the top; this
module finds it by reading the named section's restriction sentences and keeping the one that
shares the question's facts (the item, the party, the destination).

Pure text functions: `assistant.answering.determination` reads the section and cites the
sentence.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from assistant.index.tokenize import tokenize

# Part 740's exceptions by symbol (the section headings' own "(STA)", "(CCD)" ...).
EXCEPTION_SECTIONS: dict[str, str] = {
    "LVS": "740.3",
    "GBS": "740.4",
    "SPP": "740.5",
    "TSR": "740.6",
    "APP": "740.7",
    "NAC": "740.8",
    "ACA": "740.8",
    "TMP": "740.9",
    "RPL": "740.10",
    "GOV": "740.11",
    "GFT": "740.12",
    "TSU": "740.13",
    "BAG": "740.14",
    "AVS": "740.15",
    "APR": "740.16",
    "ENC": "740.17",
    "AGR": "740.18",
    "CCD": "740.19",
    "STA": "740.20",
    "SCP": "740.21",
    "ACE": "740.22",
    "MED": "740.23",
    "IEC": "740.24",
    "HBM": "740.25",
    "RFF": "740.26",
    "AIA": "740.27",
    "ACM": "740.28",
    "LPP": "740.29",
}
# A symbol counts only where the question uses it as an exception: "License Exception STA",
# "under TMP", "use ENC", "via CCD", "GBS-eligible", "the STA exception". Capitals alone say
# nothing ("CCD image sensors", "AP and STA modes", "TMP (trimethyl phosphite)", "IEC 62443",
# "a NAC appliance", "an ACM conference"). In that position a symbol may be typed in lower case
# ("under sta"), unless it is also a word ("use the app", "in a bag"): those need capitals.
_CODES = "|".join(EXCEPTION_SECTIONS)
_WORDS = frozenset({"APP", "BAG", "MED", "GOV", "ACE", "APR", "AGR", "AIA", "ACM"})
TECHNOLOGIES = frozenset({"CCD", "IEC", "NAC"})  # image sensors, a standards body, access control
_SYMBOL = re.compile(
    rf"\blicen[cs]e\s+exceptions?\s+(?P<a>{_CODES})\b"
    rf"|\b(?:under|use|using|via|claim|claiming|instead\s+of|rather\s+than|through|per|"
    rf"qualify\s+for|eligible\s+for|covered\s+by|rely\s+on)\s+(?:the\s+)?(?P<b>{_CODES})\b"
    rf"|\b(?P<c>{_CODES})(?:[\s-]+(?:licen[cs]e\s+)?exceptions?\b|-eligible\b|\s+eligibility\b"
    r"|\s+(?:the\s+)?(?:right|correct|best|proper|appropriate)\s+(?:licen[cs]e\s+)?exception"
    # "HR says BAG covers personal laptops", "STA should work"
    r"|\s+(?:covers?|applies|works|(?:should|would|will|could)\s+(?:work|apply|cover)))\b"
    # asked of the symbol itself: "Is BAG OK for that?", "Does TMP work here?", "Would STA
    # apply?", "Is ENC still available?", "Is GOV an option?"
    rf"|\b(?:is|isn't|does|doesn't|do|would|will|can|could|should)\s+(?:the\s+)?(?P<d>{_CODES})"
    r"\s+(?:still\s+)?(?:ok\b|okay|fine|allowed|available|usable|an?\s+option|work|apply|"
    r"cover)\b",
    re.I,
)
# Symbols joined to one the question names as an exception: "use GBS or LVS", "under TMP,
# BAG or GOV", "LVS/GBS".
_JOINED = re.compile(
    rf"(?:\s*(?:,|/|\bor\b|\band\b|,\s*or\b|,\s*and\b)\s*(?:(?:licen[cs]e\s+)?exception\s+)?"
    rf"({_CODES})\b)",
    re.I,
)
# An exception the question says the case has lost: "the rule took GBS away", "GBS was
# removed for these tools", "we can no longer use STA", "STA is no longer available".
_LOST_BEFORE = re.compile(
    r"\b(?:(?:took|takes|taken|take)\s+away|removed|removes|eliminated|withdrew|withdrawn|revoked|ended|"
    r"lost|no\s+longer\s+(?:use|qualify\s+for|eligible\s+for|ship\s+under)|"
    r"(?:can't|cannot|can\s+not)\s+(?:use|ship\s+under))\s+(?:the\s+|our\s+|its\s+)?"
    r"(?:(?:licen[cs]e\s+)?exception\s+)?$",
    re.I,
)
_LOST_AFTER = re.compile(
    r"^(?:\s+(?:licen[cs]e\s+)?exception)?\s+(?:(?:was|is|has\s+been|had\s+been|got)\s+"
    r"(?:removed|eliminated|withdrawn|revoked|taken\s+away|no\s+longer\s+available|"
    r"unavailable)|(?:is|are)\s+(?:no\s+longer|not)\s+(?:available|an\s+option)|away\b)",
    re.I,
)


def lost_exceptions(question: str) -> set[str]:
    """The exceptions (by symbol) the question says are no longer open to the case: the answer
    must not point to one of them ("see GBS ... if its conditions are met" to someone told GBS
    was taken away)."""
    lost = set()
    for m in re.finditer(rf"\b({_CODES})\b", question):
        before = question[max(0, m.start() - 40) : m.start()]
        if _LOST_BEFORE.search(before) or _LOST_AFTER.match(question[m.end() : m.end() + 60]):
            lost.add(m.group(1))
    return lost


# The question's last clause names the exception the asker wants: "We normally use STA, but
# ... so can we use ENC instead?" asks about ENC first; "STA instead of ENC" about STA.
_LAST_QUESTION = re.compile(r"[^.?!;,]*\?")
_ALTERNATIVE = re.compile(r"\b(?:instead\s+of|rather\s+than)\s+(?:the\s+)?$", re.I)

# A sentence that takes the exception away: "may not be used", "are not eligible end users",
# "does not authorize", "is not available".
RESTRICTS = re.compile(
    # ("No item may be exported ... under this paragraph (a) if an order to acquire the item
    # ... has been received before shipment")
    r"\bno\s+(?:[\w-]+\s+){1,3}may\s+be\s+(?:exported|reexported|transferred|used|made|shipped)\b|"
    r"\b(?:may\s+not|not\s+(?:be\s+)?eligible|ineligible|does\s+not\s+authori[sz]e|"
    r"(?:is|are)\s+not\s+available|(?:is|are)\s+excluded|(?:is|are)\s+prohibited)\b",
    re.I,
)
# Words every sentence of a part 740 section shares with any question about it: they tell
# nothing about which restriction reaches the case.
_GENERIC = frozenset(
    tokenize(
        "license licence exception exceptions use used using may not can could we our us item "
        "items export exports exported reexport reexported transfer transferred ship shipped "
        "shipping sell sold send under any all this that which with for from into there their "
        "they them customer customers controlled control reason reasons country countries "
        "destination destinations paragraph section part ear eligible right just want wants "
        "instead need needs required does do is are be been other such those these "
        # the nouns every exception speaks of: sharing one says nothing about the case
        "software technology commodity commodities shipment shipments equipment product products "
        "goods abroad foreign person persons company companies "
        # how any item is described ("parts classified under an ECCN"), and function words
        "classified classification eccn ecn each whose which sent "
        # words that qualify anything ("also", "the same kind", "some of it", "as well")
        "also same kind some well"
    )
)
# A government body in plain words is a "government" end user in the EAR's ("a ministry",
# "the embassy", "a state-owned operator").
_GOVERNMENT_BODY = re.compile(
    r"\b(?:ministr(?:y|ies)|embass(?:y|ies)|state-owned|government-owned|municipal\w*|"
    r"police|armed\s+forces)\b",
    re.I,
)
# A buyer's commitment in plain words is an "order to acquire" the item in the EAR's ("they'll
# buy the demo unit", "has agreed to purchase it", "a PO is in").
_BUYS = re.compile(r"\b(?:buy|buys|buying|bought|purchas\w*|PO)\b|\bagreed\s+to\s+take\b", re.I)
_ECCN = re.compile(r"\b\d[A-E]\d{3}\b", re.I)
STEM = 6  # "encrypted" and "encryption" share their first six letters; "Cuba" is all of its own
MIN_OVERLAP = 1.0  # at least one of the question's own facts in the sentence
SECTION_COMMON = 0.2  # a word in more of the section's sentences than this decides nothing


def _typed_as_word(typed: str) -> bool:
    """A symbol that is also a word, typed in lower case: "the app", "a bag"."""
    return typed != typed.upper() and typed.upper() in _WORDS


def named_exceptions(question: str) -> list[tuple[str, str]]:
    """The exceptions the question names as exceptions, with their sections: those of its
    question sentence first, then in order ("under STA", "License Exception CCD"; not "CCD
    image sensors")."""
    asked = [m.span() for m in _LAST_QUESTION.finditer(question)][-1:]
    found: list[tuple[bool, int, str]] = []
    for m in _SYMBOL.finditer(question):
        group = next(g for g in "abcd" if m.group(g))
        typed = m.group(group)
        code = typed.upper()
        if _typed_as_word(typed) and group != "a":
            continue  # "use the app", "a bag under ..."
        if group == "d" and (typed != code or code in TECHNOLOGIES):
            # "Is sta ok?": asked of a word, the symbol must be typed as one, and not be a
            # technology's name too ("Is CCD available in 4K?")
            continue
        at = m.start(group)
        asked_here = any(a <= m.start() < b for a, b in asked)
        alternative = bool(_ALTERNATIVE.search(question[max(0, at - 20) : at]))
        found.append((not asked_here or alternative, m.start(), code))
        end = m.end(group)
        while (joined := _JOINED.match(question, end)) is not None:
            other = joined.group(1)
            if _typed_as_word(other):
                break
            found.append((not asked_here or alternative, joined.start(1), other.upper()))
            end = joined.end()
    ordered: list[tuple[str, str]] = []
    for _, _, code in sorted(found):
        if (code, EXCEPTION_SECTIONS[code]) not in ordered:
            ordered.append((code, EXCEPTION_SECTIONS[code]))
    return ordered


def _stems(tokens: Iterable[str]) -> set[str]:
    return {t[:STEM] for t in tokens if len(t) >= 4 and t not in _GENERIC}


# Category 5 part 2's EI-controlled ECCNs (5A002, 5A004, 5B002, 5D002, 5E002): not 5A003
# (non-cryptographic) nor the mass-market x992 entries.
_ENCRYPTION_ECCN = re.compile(r"\b5[ABDE]00[24]\b", re.I)


def exception_facts(question: str, code: str) -> tuple[set[str], set[str]]:
    """The question's own words that may decide a restriction (stems), and its ECCNs; `code`
    (the exception's symbol) is how the question names the section, not a fact."""
    text = _GOVERNMENT_BODY.sub(lambda m: f"{m.group(0)} government", question)
    text = _BUYS.sub(lambda m: f"{m.group(0)} acquire purchase order", text)
    text = _ENCRYPTION_ECCN.sub(lambda m: f"{m.group(0)} encryption", text)
    named = set(tokenize(code))
    tokens = [t for t in tokenize(text) if t not in named]
    return _stems(tokens), {e.upper() for e in _ECCN.findall(question)}


@functools.lru_cache(maxsize=1 << 14)
def sentence_words(sentence: str) -> frozenset[str]:
    """A sentence's stems, as the question's facts are compared with them. Cached: a named
    exception's whole section is read for every question naming it. The agency's name is no
    fact of the case ("Bureau of Industry and Security" would share "security" with a security
    company)."""
    return frozenset(_stems(tokenize(_AGENCY.sub(" ", sentence))))


_AGENCY = re.compile(r"\bBureau of Industry and Security\b", re.I)


@functools.lru_cache(maxsize=1 << 14)
def _prefixes(words: frozenset[str]) -> frozenset[str]:
    """Every prefix of the words at least as long as the shortest stem (4 letters)."""
    return frozenset(w[:k] for w in words for k in range(4, len(w) + 1))


def _holds(words: frozenset[str], stem: str) -> bool:
    """Whether `words` (stems) hold `stem`: a stem shorter than STEM matches the longer forms
    ("cuba" the sentence's "cuban"), and a shorter word the stem's longer form. (Every stem
    has at least 4 letters: `_stems`.)"""
    return stem in _prefixes(words) or any(stem[:k] in words for k in range(4, len(stem)))


def distinctive(
    facts: tuple[set[str], set[str]], held: Sequence[frozenset[str]]
) -> tuple[set[str], set[str]]:
    """The facts that tell the section's sentences (`held`: each one's `sentence_words`) apart:
    "encryption" decides among STA's restrictions but is in most of ENC's sentences, where it
    picks out none."""
    stems, eccns = facts
    if not held:
        return facts

    def share(q: str) -> float:
        return sum(_holds(h, q) for h in held) / len(held)

    return {q for q in stems if share(q) <= SECTION_COMMON}, eccns


def restriction_overlap(
    sentence: str, words: frozenset[str], facts: tuple[set[str], set[str]]
) -> float:
    """How much of the question's facts a restriction sentence (and its `sentence_words`)
    shares: an ECCN it names counts three times a word."""
    stems, eccns = facts
    shared = {q for q in stems if _holds(words, q)}
    named = {e for e in eccns if re.search(rf"\b{e}\b", sentence, re.I)}
    return float(len(shared) + 3 * len(named))

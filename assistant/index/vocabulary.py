"""Everyday words mapped to the regulations' own terms, for the lexical half of retrieval.

People ask "can I take my laptop abroad?"; the EAR says "tools of trade" and "baggage". Dense
retrieval bridges some of that gap, BM25 none of it; adding the regulatory term to the query's
lexical side lets BM25 find the passage that uses it. Only the query is expanded, never the
stored text. The dense side sees the question as asked, but for the trade's abbreviations the
regulations never use ("TDO"), which it sees spelled out (`spell_out`): the model does not know
them.
"""

from __future__ import annotations

import re

# lay phrase (lower case, regex) -> regulatory terms added to the lexical query
_EXPANSIONS: list[tuple[str, str]] = [
    (r"\bcrypto(graphy|graphic)?\b", "encryption"),
    (
        r"\bopen[- ]sourc\w*|\bgithub\b|\bpublicly (posted|published)\b",
        "publicly available source code",
    ),
    (
        r"\b(web ?site|whitepaper|white paper|blog|journal|conference)\b",
        "published publicly available",
    ),
    (r"\b(book|printed|print)\b", "printed books published"),
    (r"\blaptops?\b|\bpersonal (belongings|effects)\b|\bluggage\b", "baggage tools of trade"),
    (
        r"\b(repair\w*|broken|swap\w*|(?<!bug[- ])(?<!bug)(?<!hot)fix\w*|spare parts?|servic\w*)\b",
        "replacement parts servicing",
    ),
    # a program's fixes are software updates, not repairs of equipment
    (
        r"\bbug[- ]?fix\w*|\bhotfix\w*|\bpatch(es|ed|ing)?\b",
        "software updates correction of errors",
    ),
    (r"\b(gifts?|presents?)\b", "gift parcels"),
    (r"\b(demo|demonstration|trade ?shows?|exhibitions?)\b", "temporary exports exhibition"),
    (r"\bblack ?list\w*|\bsanctioned (company|companies|firm|firms)\b", "entity list"),
    (r"\bchips?\b|\bsemiconductors?\b", "integrated circuits"),
    (r"\b(owns?|owned|ownership|subsidiar\w*)\b", "owned affiliates percent"),
    (r"\bre-?export\w*\b", "reexport"),
    (r"\b(TLS|SSL|HTTPS)\b", "encryption"),
    # a foreign person working with the technology here is a deemed export: "a Chinese PhD
    # student in our lab", "hire a foreign national", "an intern from Syria"
    (
        r"\b(foreign|Chinese|Syrian|Iranian|Russian|non-U\.?S\.?)\s+(national|student|PhD|"
        r"researcher|engineer|employee|intern|scientist|worker|professor|hire)s?\b"
        r"|\b(PhD|graduate) students?\b",
        "deemed export release technology foreign person",
    ),
]
# The trade's abbreviations the regulations spell out and never use (each other one they use:
# ECCN, MEU, UVL, VEU, EEI, FDP, SDN ...), in capitals, plural or not
_ABBREVIATIONS: dict[str, str] = {
    "TDO": "temporary denial order",
    "DPL": "Denied Persons List",
}
_ABBREVIATION = re.compile(r"\b(" + "|".join(_ABBREVIATIONS) + r")s?\b")
_COMPILED = [(re.compile(pattern, re.I), terms) for pattern, terms in _EXPANSIONS]


def spelled_out(question: str) -> str:
    """The regulations' words for the abbreviations the question uses ("TDO", "TDOs" ->
    "temporary denial order"), for what reads the question's words beside retrieval (an
    answer's sentences): a sentence naming the thing shares no word with "What is a TDO?"."""
    return " ".join(
        dict.fromkeys(_ABBREVIATIONS[m.group(1)] for m in _ABBREVIATION.finditer(question))
    )


def spell_out(question: str) -> str:
    """The question with its abbreviations written as the regulations write them ("How long do
    TDOs last?" -> "How long do temporary denial orders last?"): what counts the question's
    words in the passages (abstention's coverage) finds them as the passages write them."""
    return _ABBREVIATION.sub(
        lambda m: _ABBREVIATIONS[m.group(1)] + ("s" if m.group(0) != m.group(1) else ""),
        question,
    )


def expand_query(question: str) -> str:
    """The question followed by the regulatory terms its everyday words stand for."""
    extra = [terms for pattern, terms in _COMPILED if pattern.search(question)]
    abbreviations = spelled_out(question)
    if abbreviations:
        extra.append(abbreviations)
    return f"{question} {' '.join(extra)}" if extra else question

"""Legal references in a question ("744.11", "§ 740.17(b)(3)", "84 FR 22961"), and how closely a
chunk's citation matches one.

A reference is an explicit request for a passage, so retrieval pulls the chunks carrying it in
and up (the bonus itself is in `assistant.retrieval.scoring`). Parsing lives here alone, so the
question side and the chunk side agree on one normal form: "744.11(a)(1)", "84 FR 22961".
"""

from __future__ import annotations

import functools
import re

from assistant.index.tokenize import tokenize

# "744.11", "740.17(b)(3)", "740.17 (b) (3)": three digits, a dot, a section, paragraph markers;
# not a piece of a longer number ("1744.11", "10.744.11").
_SECTION_REF = re.compile(r"(?<![\d.])(\d{3})\.(\d{1,3}[a-z]?)((?:\s?\([a-z0-9]{1,4}\))*)", re.I)
# "84 FR 22961", "84FR22961": volume, FR, page.
_FR_REF = re.compile(r"\b(\d{2,3})\s*FR\s*(\d{3,6})\b")


def legal_references(question: str) -> list[str]:
    """Citations named in a question, normalised to how chunks cite them ("744.11(a)"), in the
    order they appear (sections first, then Federal Register pages)."""
    refs = []
    for m in _SECTION_REF.finditer(question):
        paragraphs = re.sub(r"\s+", "", m.group(3) or "")
        refs.append(f"{m.group(1)}.{m.group(2)}{paragraphs}")
    refs += [f"{m.group(1)} FR {m.group(2)}" for m in _FR_REF.finditer(question)]
    for m in _GENERAL_PROHIBITION.finditer(question):
        number = m.group(1).lower()
        n = _NUMBERS.index(number) + 1 if number in _NUMBERS else int(number)
        if 1 <= n <= 10 and f"736.2(b)({n})" not in refs:
            refs.append(f"736.2(b)({n})")
    return refs


# The EAR names its ten general prohibitions "General Prohibition One ... Ten" and states each
# in 736.2(b)(1)-(10): a name as explicit as the citation.
_NUMBERS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
_GENERAL_PROHIBITION = re.compile(
    rf"\bGeneral\s+Prohibition\s+(?:No\.\s*)?({'|'.join(_NUMBERS)}|10|[1-9])\b", re.I
)


@functools.lru_cache(maxsize=1 << 16)
def citation_match(citation: str, ref: str) -> float:
    """How closely a chunk's citation matches a reference named in the question: 1 for the
    paragraph itself or one inside it, 0.8 for a paragraph that contains it (chunks pack small
    paragraphs under their parent's citation), 0.4 for elsewhere in the same section, 0 for
    anything else (another section, "744.1" for "744.11", no citation at all). A Federal Register
    reference matches (1) only a citation that contains it. Cached: a question naming a section
    is matched against every candidate's citation, the same few thousand answer after answer."""
    if not citation:
        return 0.0
    if " FR " in ref:
        return 1.0 if ref in citation else 0.0
    section = ref.split("(", 1)[0]
    found = re.search(rf"(?<![\d.]){re.escape(section)}(?![\d])", citation)
    if not found:
        return 0.0
    local = citation[found.start() :].split(" ", 1)[0]
    if local.startswith(ref):
        return 1.0
    if ref.startswith(local) and local != section:
        return 0.8
    return 0.4


# Words that ask about a section as a whole and add nothing to find inside it.
_ABOUT_WHOLE = frozenset(
    """section sections sec part cfr title ear explain me say says tell cover covers mean means
    summarize summarise summary describe overview about provide provides contain contains
    purpose scope regulate regulates deal deals govern governs""".split()
)


def asks_about_whole(question: str) -> bool:
    """Whether the question names whole sections and asks nothing more specific about them
    ("What is 15 CFR 744.11?", "Explain § 746.8"): its terms, once the references and the
    words that ask about a whole go, are numbers only. Such a question is answered by the
    section's opening paragraphs (what it imposes, on whom), in the section's own order."""
    refs = legal_references(question)
    if not refs or any("(" in r or " FR " in r for r in refs):
        return False
    rest = _SECTION_REF.sub(" ", question)
    return all(t.isdigit() or t in _ABOUT_WHOLE for t in tokenize(rest))

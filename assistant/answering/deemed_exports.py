"""Whether a question releases technology or source code to a foreign national where he or she
is (a deemed export), rather than sending an item to his or her country.

Part 746's destination sections treat such releases in their own words, and differently: "A
license is not required to release technology or source code subject to the EAR but not on the
Commerce Control List ... to a Cuban national in the United States or a third country"
(746.2(b)(2)); Russia's and Belarus's "license requirements in paragraph (a) do not apply to
deemed exports or reexports", the CCL-based ones still do (746.8(a)(12)(i)); Syria's need a
licence for CCL technology only (746.9(a)). So "hiring a Russian engineer who will see our
EAR99 source code" is not the "licence for any item going to Russia" an export would be. A
release needs the technology (or source code) and a person of the embargoed country's
nationality where the company is: an employee, a hire, a visa, "in our Texas lab".
"""

from __future__ import annotations

import re

_RELEASED = re.compile(
    r"\b(?:technology|technical\s+data|source\s+code|code\s*base|know-how|"
    r"design\s+(?:docs|documents|files|data|drawings)|blueprints?)\b",
    re.I,
)
# The person is here, not in the embargoed country: employed, hired, on a visa, in our lab.
_HERE = re.compile(
    r"\b(?:in\s+(?:the\s+)?(?:US|U\.S\.A?\.?|United\s+States|America)|H-?1B|O-?1|F-?1|OPT|"
    r"green\s+card|visas?|work\s+permit|hire|hires|hiring|hired|employ\w*|interns?|enrolled|"
    r"(?:our|the|a)\s+(?:graduate\s+|undergraduate\s+)?(?:course|class|seminar|lecture)s?|"
    r"in\s+our\s+(?:[\w-]+\s+){0,2}(?:lab|office|team|plant|campus|facility|site|headquarters)|"
    r"(?:lab|office|team|plant|campus|facility|site)\s+in\s+(?:[A-Z][a-z]+)|"
    r"visiting\s+(?:scholar|researcher|scientist)s?|postdocs?)\b"
)
# A person by nationality: "a Russian citizen", "an Iranian national", "national of Syria".
_NATIONAL = re.compile(
    r"\b(?P<demonym>cuban|iranian|syrian|russian|belarusian|north\s+korean)\s+(?:[a-z-]+\s+){0,2}"
    r"(?:nationals?|citizens?|engineers?|scientists?|students?|researchers?|employees?|"
    r"hires?|interns?|workers?|contractors?|developers?|person|people|PhD|postdocs?|scholars?)"
    r"\b|\b(?:nationals?|citizens?)\s+of\s+(?:the\s+)?(?P<country>cuba|iran|syria|russia|"
    r"russian\s+federation|belarus|north\s+korea)\b",
    re.I,
)
# ... who is a U.S. person all the same (15 CFR 772.1): a citizen, a permanent resident
_US_PERSON = re.compile(
    r"\bgreen[- ]card\s+holder|\b(?:has|have|holds?|with|got)\s+(?:a\s+|her\s+|his\s+)?green"
    r"[- ]card\b|\bpermanent\s+residen\w*|\b(?:U\.?S\.?|American)\s+citizen|\bnaturali[sz]ed\b|"
    r"\b(?:iranian|cuban|syrian|russian|belarusian|korean)[- ]american\b|"
    r"\bprotected\s+individual\b",
    re.I,
)
# ... or where he or she is, there: "at their Moscow office", "remotely from Minsk", "at his home
# in St Petersburg" (an export to that country, not a deemed one)
_THERE = re.compile(
    r"\b(?:in|at|from|to|into)\s+(?:(?:our|their|his|her|its|the|a)\s+)?(?:[\w'-]+\s+){0,3}?"
    r"(?:cuba|havana|iran|tehran|syria|damascus|russia|moscow|st\.?\s+petersburg|belarus|minsk|"
    r"north\s+korea|pyongyang)\b|\b(?:havana|tehran|damascus|moscow|minsk|pyongyang)\s+"
    r"(?:office|branch|site|lab|team|subsidiary|plant)\b",
    re.I,
)
# ... or nothing controlled reaches him: "no access to any technology", only what is published
_NOTHING_RELEASED = re.compile(
    r"\bno\s+(?:access\s+to\s+(?:any\s+)?)?(?:proprietary\s+|controlled\s+)?(?:technology|"
    r"source\s+code|technical\s+data)\b|\bpublished\b|\bfundamental\s+research\b|"
    r"\bpublicly\s+available\b",
    re.I,
)
# ... and not an item sent to the country: "ship the prototype to Tehran"
_SENT_THERE = re.compile(
    r"\b(?:ship\w*|send\w*|export\w*|deliver\w*|travel\w*|fly|flying)\b[^.?!;]{0,60}\bto\s+"
    r"(?:cuba|iran|syria|russia|belarus|north\s+korea|havana|tehran|damascus|moscow|minsk|"
    r"pyongyang)\b",
    re.I,
)


def national_here(question: str) -> bool:
    """Whether the question's embargoed country is a person's nationality, the person being
    here (employed, hired, on a visa, in our lab) or a U.S. person, and nothing is sent there:
    then the country is no destination at all."""
    return bool(
        _NATIONAL.search(question)
        and (_HERE.search(question) or _US_PERSON.search(question))
        and not _SENT_THERE.search(question)
        and not _THERE.search(question)
    )


def releases_to_a_national(question: str) -> bool:
    """Whether the question releases technology or source code to a person of an embargoed
    country's nationality who is here (a deemed export), and sends nothing there. Not to a U.S.
    person (a citizen, a permanent resident: 772.1), and not when nothing controlled is
    released ("no access to any technology", only what is published)."""
    return bool(
        national_here(question)
        and _RELEASED.search(question)
        and not _US_PERSON.search(question)
        and not _NOTHING_RELEASED.search(question)
    )

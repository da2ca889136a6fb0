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
    r"(?:lab|office|team|plant|campus|facility|site)\s+in\s+(?:[A-Z][a-z]+))\b"
)
# A person by nationality: "a Russian citizen", "an Iranian national", "national of Syria".
_NATIONAL = re.compile(
    r"\b(?:cuban|iranian|syrian|russian|belarusian|north\s+korean)\s+(?:[a-z-]+\s+){0,2}"
    r"(?:nationals?|citizens?|engineers?|scientists?|students?|researchers?|employees?|"
    r"hires?|interns?|workers?|contractors?|developers?|person|people|PhD)\b|"
    r"\b(?:nationals?|citizens?)\s+of\s+(?:cuba|iran|syria|russia|belarus|north\s+korea)\b",
    re.I,
)
# ... and not an item sent to the country: "ship the prototype to Tehran"
_SENT_THERE = re.compile(
    r"\b(?:ship\w*|send\w*|export\w*|deliver\w*|travel\w*|fly|flying)\b[^.?!;]{0,60}\bto\s+"
    r"(?:cuba|iran|syria|russia|belarus|north\s+korea|havana|tehran|damascus|moscow|minsk|"
    r"pyongyang)\b",
    re.I,
)


def releases_to_a_national(question: str) -> bool:
    """Whether the question releases technology or source code to a person of an embargoed
    country's nationality who is here (a deemed export), and sends nothing there."""
    return bool(
        _RELEASED.search(question)
        and _NATIONAL.search(question)
        and _HERE.search(question)
        and not _SENT_THERE.search(question)
    )

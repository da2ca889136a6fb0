"""The reasons for control a question gives ("NS Column 2", "NS2", "RS:1") and which
destinations part 742 says each one needs a licence for.

The Country Chart (supplement no. 1 to part 738) is not in the corpus, but part 742 states each
column's reach in words: "National Security column 1 (NS:1). A license is required for exports
and reexports to all destinations, except Australia, Canada, or the United Kingdom"
(742.4(a)(1)); "NS:2 ... to all destinations except those specified in Country Group A:1"
(742.4(a)(2)). A question that gives the reason ("our ECCN lists NS Column 2 ... to Japan?
Brazil?") is answered from that sentence: "yes" where the exception names countries and the
destination is not one of them, "no licence for that reason" where it is, and "depends on the
country group" where the sentence names a group whose members the corpus does not list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Reasons for control by their Country Chart symbols, and the part 742 section stating each.
REASON_SECTIONS: dict[str, str] = {
    "NS": "742.4",
    "RS": "742.6",
    "CB": "742.2",
    "NP": "742.3",
    "CC": "742.7",
    "MT": "742.5",
    "SI": "742.14",
    "SL": "742.13",
}
_REASON = re.compile(
    r"\b(NS|RS|CB|NP|CC|MT)\s*(?:[- ]?(?i:column|col\.?)\s*|:\s*|[- ]?)([123])\b"
    r"|\b(?i:national\s+security)\s+(?i:column)\s+([12])\b"
    # reasons part 742 states without columns ("SI", "SL"), or with one only ("MT Column 1"):
    # the bare symbol, beside the words of control ("SI is among its reasons for control")
    # (not "20 MT" of a chemical, nor "Billings, MT": a weight, a state)
    r"|(?<!\d)(?<!\d\s)(?<![a-z],\s)\b(SI|SL|MT)\b(?![-:]?\s*(?i:column|col\b|\d))",
)
# the one column a reason has when the question gives its symbol alone
_ONLY_COLUMN = {"MT": "1"}


# A compact symbol ("NS1", "CB1") is a Country Chart column only beside the words of control:
# "dengue NS1 antigen", "CB1 receptor" and "model NS2" are not.
_CONTROL_WORDS = re.compile(
    r"\b(?:control\w*|reasons?\s+for\s+control|ECCN|column|country\s+chart|licen[cs]e\s+"
    r"requirements?)\b",
    re.I,
)
_WRITTEN_AS_COLUMN = re.compile(r"(?i:column|col\.?)|:")
_DENIED = re.compile(r"\b(?:not|no|isn't|aren't|without)\s+(?:\w+\s+)?$", re.I)


# National security named without its column: "NS-controlled", "NS controlled", "an NS-only
# item", "controlled for NS (national security) reasons". The column decides the reach (742.4(a)(1)
# and (2) differ), so the reason is given and its column is not: `UNKNOWN_COLUMN`.
_NS_NO_COLUMN = re.compile(
    r"\bNS[- ](?:controlled|only)\b|\b(?i:controlled\s+for)\s+(?:NS|(?i:national\s+security))\b"
    r"(?![-:\s]*(?i:column\s*|col\.?\s*)?[123]\b)|\b(?i:national[- ]security[- ]controlled)\b"
)
UNKNOWN_COLUMN = "?"


def reasons_given(question: str) -> list[tuple[str, str]]:
    """The (reason, column) pairs the question gives, in order: "NS Column 2", "NS2", "NS:1",
    "RS-1", "national security column 2". Capitals only: "ns2" in a part number is not one; a
    compact "NS1" only near the words of control ("controlled", "ECCN", "reason for control");
    not one the question denies ("not NS1"). "NS-controlled" without a column gives ("NS",
    UNKNOWN_COLUMN)."""
    found: list[tuple[str, str]] = []
    for m in _REASON.finditer(question):
        if _DENIED.search(question[max(0, m.start() - 20) : m.start()]):
            continue
        written = m.group(0)
        near = question[max(0, m.start() - 60) : m.end() + 60]
        alone = re.match(r"[- ]only\b", question[m.end() :])  # "our NS2-only sensor module"
        if m.group(4):
            # a bare symbol is a reason only beside the words of control: "SI units", "MT" of
            # steel and "SL" sizes are not
            if not _CONTROL_WORDS.search(near):
                continue
            pair = (m.group(4), _ONLY_COLUMN.get(m.group(4), ""))
        elif not (_WRITTEN_AS_COLUMN.search(written) or _CONTROL_WORDS.search(near) or alone):
            continue
        else:
            pair = (m.group(1), m.group(2)) if m.group(1) else ("NS", m.group(3))
        if pair not in found:
            found.append(pair)
    if not any(r == "NS" for r, _ in found) and any(
        not _DENIED.search(question[max(0, m.start() - 20) : m.start()])
        for m in _NS_NO_COLUMN.finditer(question)
    ):
        found.append(("NS", UNKNOWN_COLUMN))
    return found


def column_pattern(reason: str, column: str) -> re.Pattern[str]:
    """How part 742 writes the column in its licence sentence: "NS Column 1", "(NS:2)", "CB
    Column 2 of the Country Chart", "RS Column 1 license requirements"; a reason without
    columns as its "Reason for Control" paragraph quotes it ("ECCNs having an “SI” under ...")."""
    if not column:
        return re.compile(rf"[“\"]{reason}[”\"]\s+under\b")
    return re.compile(
        rf"\b{reason}\s*(?:column\s*{column}|:\s*{column})\b(?![^.]*\bexcept as noted\b)", re.I
    )


@dataclass(frozen=True)
class Reach:
    """Where a column's licence requirement applies: every destination but `except_countries`,
    or but the members of `except_group` ("A:1"), or every one (`everywhere`)."""

    except_countries: tuple[str, ...] = ()
    except_group: str | None = None
    everywhere: bool = False
    # the sentence's own words for the excepted countries ("Australia, Canada, or the United
    # Kingdom"), to quote them as written
    written: str = ""


_EXCEPT_GROUP = re.compile(
    r"\ball destinations,?\s+except\s+(?:those\s+(?:specified\s+)?in\s+|countries\s+in\s+)?"
    r"Country\s+Group\s+([A-E]:\d)",
    re.I,
)
_EXCEPT_COUNTRIES = re.compile(
    r"\ball destinations,?\s+except\s+((?:[A-Z][\w .]+?,\s+)+(?:or|and)\s+(?:the\s+)?[A-Z][\w ]+?)"
    r"(?=,|\s+for\b|\.)",
)
_EVERYWHERE = re.compile(r"\ball destinations,?\s+including\b", re.I)


def reach_of(sentence: str) -> Reach | None:
    """The destinations a column's licence sentence reaches, read from its "all destinations
    except ..." clause; None for a sentence of another form (D:2 only, a special camera rule)."""
    if _EVERYWHERE.search(sentence):
        return Reach(everywhere=True)
    group = _EXCEPT_GROUP.search(sentence)
    if group:
        return Reach(except_group=group.group(1))
    countries = _EXCEPT_COUNTRIES.search(sentence)
    if countries:
        names = re.split(r",\s*(?:or\s+|and\s+)?|\s+(?:or|and)\s+", countries.group(1))
        cleaned = tuple(n.strip().removeprefix("the ").strip() for n in names if n.strip())
        return Reach(except_countries=cleaned, written=countries.group(1))
    return None


# The "UN" reason for control (746.1(b)): not a part 742 column but a list of countries under
# United Nations Security Council arms embargoes. Given as a reason beside the words of control
# ("Our ECCN lists UN among the reasons for control", "a UN-controlled item", "reason for
# control: UN"), not the UN as a body ("a UN agency", "UN peacekeepers").
_UN_REASON = re.compile(
    r"\bUN\b(?=[^.?!]{0,40}\breasons?\s+for\s+control\b)|\breasons?\s+for\s+control\b"
    r"[^.?!]{0,40}\bUN\b|\bUN[- ]controlled\b|\bUN\s+reason\b"
)
UN_COUNTRIES = re.compile(
    r"\bcountries subject to United Nations Security Council arms embargoes are:\s*([^.]+)\.",
    re.I,
)


def gives_un_reason(question: str) -> bool:
    """Whether the question gives "UN" as an item's reason for control (not one it denies)."""
    return any(
        not _DENIED.search(question[max(0, m.start() - 20) : m.start()])
        for m in _UN_REASON.finditer(question)
    )


def un_countries(sentence: str) -> tuple[str, ...]:
    """The countries 746.1(b)(2) lists as under UN arms embargoes, from its own sentence."""
    m = UN_COUNTRIES.search(sentence)
    if m is None:
        return ()
    names = re.split(r",\s*(?:and\s+)?|\s+and\s+", m.group(1))
    return tuple(n.strip().removeprefix("the ").strip() for n in names if n.strip())

"""Whether what is sent is subject to the EAR at all: published, fundamental research, submitted
for publication, public encryption source code (734.3(b)(3), 734.7-734.10, 742.15(b)).

Apart because, asked so, these answer before any rule about parties or destinations, and a
"yes" from those holds only for items subject to the EAR.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.determination.basis import (
    Finding,
    FindingLine,
    Lookup,
    _matching,
    _sought,
    _with_section,
)
from assistant.answering.determination.mass_market import _ENCRYPTION
from assistant.answering.question_facts import asserted, negated
from assistant.models import SearchResult

# What may take information or software outside the EAR altogether (15 CFR 734.3(b)(3),
# 734.7-734.10): published, fundamental research, patents, standards-related releases.
_MAY_BE_OUTSIDE_EAR = re.compile(
    r"\b(?:publish\w*|open[- ]source|github|public domain|publicly available|"
    r"standards?[- ](?:related|body|bodies|organi[sz]ations?|setting|development|"
    r"working groups?|contributions?)|3GPP|IETF|IEEE|ETSI|fundamental research|patents?|"
    r"patent applications?|catalog course|arxiv|preprints?|journal|conference papers?|gitlab|"
    r"for anyone to download)\b",
    re.I,
)
_NOT_SUBJECT = re.compile(r"\bnot subject to the EAR\b", re.I)
_OFFICIAL_PUBLISHING = re.compile(
    r"\b(?:BIS|Commerce|Department|agency|government)\s+(?:has\s+|had\s+)?publish\w*"
    r"|\bpublish\w*\s+(?:in|by)\s+the\s+Federal Register|\bpublish\w*\s+(?:a|the|its)\s+"
    r"(?:\w+\s+){0,2}rule|\brule\s+\w*\s*publish\w*|\bpatent\s+(?:attorney|lawyer|counsel)",
    re.I,
)
_HARDWARE_ECCN = re.compile(r"\b\d[A-C]\d{3}\b")
# "5E002 technology for 5A002.a equipment": the commodity's ECCN says what the technology is
# for; what is released is still the technology
_FOR_ITEM = re.compile(r"\bfor\s+(?:ECCN\s+)?$", re.I)


def _names_commodity(question: str) -> bool:
    """Whether the question sends a commodity (an ECCN in categories A-C), not only names one
    as what its technology or software is for."""
    return any(
        not _FOR_ITEM.search(question[max(0, m.start() - 12) : m.start()])
        for m in _HARDWARE_ECCN.finditer(question)
    )


_NOT_SUBJECT_QUERY = (
    "15 CFR 734.3(b)(3) information and software that are published, arise from fundamental "
    "research, appear in patents or are released for a standards-related activity are not "
    "subject to the EAR"
)
SUBJECT_FACT = (
    "whether what is released is subject to the EAR at all (published, fundamental research, "
    "patent or standards-related: 15 CFR part 734)"
)


def outside_ear_line(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> FindingLine | None:
    """The first question of the EAR (732.2(a)): is it subject to the EAR at all? When the
    question involves publishing, standards work, research or patents, what is released may
    not be, and then no rule about parties or destinations reaches it: the line names the
    provision that says so."""
    hints = [
        m
        for m in _MAY_BE_OUTSIDE_EAR.finditer(question)
        if not _OFFICIAL_PUBLISHING.search(question[max(0, m.start() - 30) : m.end() + 30])
        and not negated(question, m.start(), m.end())
        and not question[max(0, m.start() - 2) : m.start()].lower().endswith("un")
    ]
    if not hints or _names_commodity(question):
        return None  # a rule BIS published, or a commodity: nothing of it is "published"
    # Part 734 says it in general; 742.15(b) for published encryption source code.
    basis = _sought(passages, lookup, "15 CFR 7", _NOT_SUBJECT, _NOT_SUBJECT_QUERY)
    if basis is None:
        return None
    return FindingLine(
        "Subject to the EAR",
        "not if it is published, arises from fundamental research, appears in a patent or is "
        "released for a standards-related activity, on the terms the provision cited sets; "
        "then no licence rule reaches it",
        [basis],
    )


# The question says what it sends is already public: "our published paper", "a manual that is
# publicly available on our website", "software released as open source". Not "can we publish"
# (an act the question asks about) nor "will be published".
_STATED_PUBLISHED = re.compile(
    r"\b(?:published|publicly[- ]available|in the public domain|freely available|open[- ]source|"
    r"free(?:ly)? (?:to )?download(?:able|ed)?|made (?:publicly|freely) available)\b",
    re.I,
)
_NOT_YET = re.compile(
    r"\b(?:will|would|shall|going to|to be|if|once|whether|before|until|yet|not|never)\b",
    re.I,
)
# Information and software, which 734.7 speaks of; a commodity is never "published".
_INFORMATION = re.compile(
    r"\b(?:papers?|articles?|white ?papers?|manuals?|user guides?|documentation|datasheets?|"
    r"data sheets?|presentations?|slides|technical data|technology|information|specifications?|"
    r"drawings?|blueprints?|research|results|findings|software|source code|code|theses|thesis|"
    r"books?|textbooks?|journal|preprints?|posters?|tutorials?)\b",
    re.I,
)
# Where 734.7(b) and (c) keep published items subject to the EAR, or the text is another
# regime's: encryption software, firearm production files; and software sold under licence
# terms is "publicly available" to buyers, not published ("without restrictions upon its
# further dissemination").
_PUBLISHED_CARVE_OUTS = re.compile(
    r"encrypt|crypt|\b(?:5[AD]00[2-4]|VPN|TLS|SSL|cipher\w*)\b|"
    r"firearm|gun|pistol|rifle|receiver|weapon|munition|\bslides?\b|\bAR-?15\b|0[AD]50\d|"
    r"G-code|3D[- ]print|classified|\bITAR\b|defen[cs]e articles?|\bcommercial|"
    r"off[- ]the[- ]shelf|licen[cs]ed|subscri|\bsell|\bsold\b|resell|mass[- ]market",
    re.I,
)
# Only where the question sends nothing but what it says is published: not beside a
# commodity ("our lathe, whose specifications are published"), not a part or a derivative of
# it ("the data underlying our published paper", "only the abstract is published"), not with
# access restricted ("on our intranet", "behind a login", "under an NDA"), not a plan.
_NOT_ONLY_PUBLISHED = re.compile(
    r"\b(?:router|lathe|equipment|machine\w*|laptops?|servers?|spectrometers?|hardware|devices?|"
    r"chips?|components?|parts|goods|products?|items?|commodit\w*|tools?|instruments?|systems?|"
    r"units?|sensors?|cameras?|drones?|vehicles?|aircraft|engines?|pumps?|valves?|materials?|"
    r"chemicals?|samples?|prototypes?|boards?|modules?|phones?|computers?|robots?|"
    r"unpublished|not|never|proprietary|confidential|except|only|but|unlike|underlying|"
    r"modified|drafts?|internal\w*|intranet|password|log-?in|restrict\w*|NDAs?|"
    r"non-?disclosure|EULA|regist\w*|paid|withdrawn|taken down|customers?|mentioned|described|"
    r"prohibit\w*|"
    r"listed|according|per|similar|abstract|appendix|some|based|derived|partly|partially|"
    r"intend\w*|plan\w*|soon|next|scheduled|hope|going|will|upcoming|forthcoming|expected|later)\b"
    r"|n't\b",
    re.I,
)
# "Published" of an official or reference text, not of what is sent.
_PUBLISHED_REFERENCE = re.compile(
    r"\bpublished\s+(?:\w+\s+){0,3}(?:guidance|FAQs?|rules?|advisory|opinions?|regulations?|"
    r"lists?|notices?|orders?|manuals?|polic\w+|statements?|CCL|Federal Register|standards?)\b",
    re.I,
)
_PUBLISHED_SENTENCE = re.compile(r"\bis\s+\W*published\W*\s+and is thus not\b", re.I)
_PUBLISHED_LIMITS = re.compile(r"\bremains? subject to the EAR\b", re.I)
_PUBLISHED_QUERY = (
    "15 CFR 734.7 Published: unclassified technology or software is published, and is thus not "
    "technology or software subject to the EAR, when it has been made available to the public "
    "without restrictions upon its further dissemination"
)


def states_published(question: str) -> bool:
    """Whether the question says the technology or software it sends is already published:
    "published", "publicly available", "open-source" of information, not a commodity, not a
    carve-out of 734.7(b)-(c), not denied ("not publicly available", "unpublished") and not a
    plan ("will be published", "can we publish")."""
    if _PUBLISHED_CARVE_OUTS.search(question) or _HARDWARE_ECCN.search(question):
        return False
    if _NOT_ONLY_PUBLISHED.search(question) or _PUBLISHED_REFERENCE.search(question):
        return False
    if _OFFICIAL_PUBLISHING.search(question) or not _INFORMATION.search(question):
        return False
    for m in _STATED_PUBLISHED.finditer(question):
        before = question[max(0, m.start() - 25) : m.start()]
        if _NOT_YET.search(before) or negated(question, m.start(), m.end()):
            continue
        return True
    return False


def published_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """What is already published is outside the EAR (15 CFR 734.7(a)): no licence rule about
    items, destinations or end uses reaches it. When the question says what it sends is
    published, the answer depends on whether it is, as 734.7(a) defines it (never "no": the
    question's words cannot show it, see the module docstring), with the definition quoted and
    the two exceptions 734.7 makes. Only when the regulation sentence is found; a question that
    does not say it is published gets at most the "Subject to the EAR" line
    (`outside_ear_line`)."""
    if not states_published(question):
        return None
    basis = _sought(passages, lookup, "15 CFR 734.7", _PUBLISHED_SENTENCE, _PUBLISHED_QUERY)
    if basis is None:
        return None
    lines = [
        FindingLine(
            "Licence required",
            "depends on whether what is sent is itself “published” as 15 CFR 734.7(a) defines "
            "it: unclassified technology or software made available to the public without "
            "restrictions upon its further dissemination is not subject to the EAR, and then no "
            "licence requirement reaches it",
            [basis],
        )
    ]
    pool = _with_section(passages, lookup, "734.7")
    limits = list(_matching(pool, "15 CFR 734.7", _PUBLISHED_LIMITS))
    if limits:
        lines.append(
            FindingLine(
                "Except",
                "published encryption software under ECCN 5D002 (unless 15 CFR 742.15(b) is "
                "met) and firearm production files posted online remain subject to the EAR",
                limits[:2],
            )
        )
    return Finding(
        "depends",
        "Published information and software (15 CFR 734.7)",
        lines,
        [
            "whether what is sent is itself published: made available to the public without "
            "restrictions upon its further dissemination"
        ],
        operative=True,
    )


# Technology submitted for publication (734.7(a)(5)): a draft sent to journal co-authors,
# editors or reviewers, or to conference organisers, meant to be published if accepted.
_SUBMITTED_TO = re.compile(
    r"\b(?:co-?authors?|(?:journal|conference)\s+(?:editors?|reviewers?|organi[sz]ers?)|"
    r"editors?\s+(?:of|at)\s+(?:a|the)\s+(?:\w+\s+)?journal|peer[- ]review\w*|"
    r"submit\w*\s+(?:\w+\s+){0,3}?(?:to|for)\s+(?:a\s+|an\s+|the\s+)?(?:[\w-]+\s+){0,2}?"
    r"(?:journal|conference|publication))\b",
    re.I,
)
_WRITTEN = re.compile(
    r"\b(?:papers?|drafts?|manuscripts?|articles?|presentations?|posters?|preprints?|abstracts?|"
    r"theses|thesis|chapters?)\b",
    re.I,
)
_SUBMISSION_PUBLISHED = re.compile(
    r"\bSubmission of a written composition\b.*\bwill be made publicly available\b", re.I | re.S
)
_SUBMISSION_QUERY = (
    "15 CFR 734.7(a)(5) submission of a written composition, manuscript or presentation with the "
    "intention that it will be made publicly available if accepted, to co-authors, editors or "
    "reviewers of journals"
)
# Encryption source code put on a public site (742.15(b)): out of the EAR; a notice only for
# "non-standard cryptography".
_CODE = re.compile(
    r"\b(?:source[- ]code|librar(?:y|ies)|repo(?:sitory)?s?|code\s?base|SDK)\b", re.I
)
_MADE_PUBLIC = re.compile(
    r"\b(?:publish\w*|open[- ]sourc\w*|github|gitlab|public(?:ly)?\s+(?:available|repo\w*)|"
    r"(?:our|a|the)\s+public\s+(?:website|web\s*site|site|server)|for\s+anyone\s+to\s+download|"
    r"post\w*\s+(?:it\s+|them\s+)?(?:on|to)\s+(?:the\s+)?(?:internet|web|our\s+website))\b",
    re.I,
)
_STANDARD_CRYPTO = re.compile(
    r"\bstandard\s+(?:crypto\w*|encryption|algorithms?|AES|TLS)|\b(?:only|just)\s+"
    r"(?:standard|AES|TLS|RSA)|\bnothing\s+(?:proprietary|custom|non-standard)|"
    r"\bno\s+(?:proprietary|custom|non-standard)\s+(?:crypto\w*|algorithms?|encryption)",
    re.I,
)
_NON_STANDARD = re.compile(r"\b(?:non-?standard|proprietary|custom|home-?grown)\b", re.I)
_PUBLIC_SOURCE_CODE = re.compile(
    r"\bpublicly available\b.*\bencryption source code\b.*\bis not subject to the EAR\b",
    re.I | re.S,
)
_NON_STANDARD_NOTICE = re.compile(
    r"\bnon-standard cryptography\W.{0,200}?\byou must notify BIS\b", re.I | re.S
)
_PUBLIC_SOURCE_QUERY = (
    "15 CFR 742.15(b) publicly available encryption source code classified under ECCN 5D002 is "
    "not subject to the EAR; notification requirement for non-standard cryptography"
)


def publication_rule(
    question: str, passages: Sequence[SearchResult], lookup: Lookup | None
) -> Finding | None:
    """Technology or software the question would make public, answered by the provision that
    says when that is outside the EAR: a paper submitted to journal co-authors, editors or
    reviewers to be published if accepted is "published" already (734.7(a)(5)(i)); encryption
    source code put on a public site is not subject to the EAR, and only "non-standard
    cryptography" needs a notice to BIS (742.15(b)). Never for a commodity, and never when the
    question says access is restricted (`_NOT_ONLY_PUBLISHED`'s words are not used: a plan to
    publish is what this rule is about)."""
    if _names_commodity(question) or _OFFICIAL_PUBLISHING.search(question):
        return None
    if re.search(r"\b(?:firearm|gun|pistol|rifle|0[AD]50\d|G-code|classified)\b", question, re.I):
        return None  # 734.7(c) and classified information stay subject
    encryption = bool(_ENCRYPTION.search(question))
    if encryption and _CODE.search(question) and asserted(_MADE_PUBLIC, question):
        basis = _sought(
            passages, lookup, "15 CFR 742.15", _PUBLIC_SOURCE_CODE, _PUBLIC_SOURCE_QUERY
        )
        notice = _sought(
            passages, lookup, "15 CFR 742.15", _NON_STANDARD_NOTICE, _PUBLIC_SOURCE_QUERY
        )
        if basis is None or notice is None:
            return None
        non_standard = asserted(_NON_STANDARD, question)
        standard = asserted(_STANDARD_CRYPTO, question) and not non_standard
        if non_standard:
            text = (
                "no licence once the source code is publicly available, but a notice: publicly "
                "available encryption source code classified under ECCN 5D002 is not subject to "
                "the EAR, and for “non-standard cryptography” you must notify BIS and the ENC "
                "Encryption Request Coordinator of its internet location (15 CFR 742.15(b)(2))"
            )
            missing = [
                "that the source code is made available without restriction (15 CFR 734.7(a))"
            ]
        elif standard:
            text = (
                "no licence and no notice, once the source code is publicly available: publicly "
                "available encryption source code classified under ECCN 5D002 is not subject to "
                "the EAR, and the notice to BIS and the ENC Encryption Request Coordinator is "
                "required only for “non-standard cryptography”, which the question says it does "
                "not use (15 CFR 742.15(b))"
            )
            missing = [
                "that the source code is made available without restriction (15 CFR 734.7(a))"
            ]
        else:
            text = (
                "depends on the cryptography: publicly available encryption source code "
                "classified under ECCN 5D002 is not subject to the EAR, so no licence reaches it "
                "once it is public; for “non-standard cryptography” you must notify BIS and the "
                "ENC Encryption Request Coordinator of its internet location (15 CFR 742.15(b))"
            )
            missing = [
                "whether the source code implements “non-standard cryptography” (15 CFR part 772)"
            ]
        return Finding(
            "depends",
            "Publicly available encryption source code (15 CFR 742.15(b))",
            [FindingLine("Licence required", text, [basis, notice])],
            missing,
            operative=True,
        )
    if encryption:
        return None  # 734.7(b): published encryption software stays subject; not this rule's
    if not (_SUBMITTED_TO.search(question) and _WRITTEN.search(question)):
        return None
    if _NOT_SUBMITTED.search(question):
        return None
    basis = _sought(passages, lookup, "15 CFR 734.7", _SUBMISSION_PUBLISHED, _SUBMISSION_QUERY)
    if basis is None:
        return None
    text = (
        "no licence for the submission, on 15 CFR 734.7(a)(5)'s terms: a written composition "
        "submitted to domestic or foreign co-authors, editors or reviewers of journals, or to "
        "organisers of open conferences, with the intention that it will be made publicly "
        "available if accepted, is “published” and not subject to the EAR"
    )
    return Finding(
        "depends",
        "Published information: submission for publication (15 CFR 734.7(a)(5))",
        [FindingLine("Licence required", text, [basis])],
        [
            "that the draft is sent with the intention that it will be made publicly available "
            "if accepted, with no restriction on its dissemination"
        ],
        operative=True,
    )


# Sent for another purpose or kept confidential: not a submission for publication.
_NOT_SUBMITTED = re.compile(
    r"\b(?:confidential\w*|NDA|non-?disclosure|proprietary|internal\s+review|not\s+(?:be\s+)?"
    r"publish\w*|never\s+(?:be\s+)?publish\w*|unpublished\s+(?:until|forever)|trade\s+secrets?)\b",
    re.I,
)


def _subject_to_the_ear_first(finding: Finding, line: FindingLine) -> None:
    """A "yes" about parties or destinations holds only for items subject to the EAR: it
    becomes "depends" on that, with the provision saying what is not."""
    first = finding.lines[0]
    if finding.outcome == "yes":
        finding.outcome = "depends"
        first.text = f"depends on whether it is subject to the EAR; if it is: {first.text}"
    finding.lines.insert(1, line)
    if SUBJECT_FACT not in finding.missing_facts:
        finding.missing_facts.insert(0, SUBJECT_FACT)

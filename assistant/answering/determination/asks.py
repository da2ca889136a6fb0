"""What the question asks: whether something needs a licence or is allowed (`ASKS_LICENCE`,
`asks_whether`), or only what a term means, how to do something, or another obligation (EEI,
the destination control statement, a self-disclosure).

Apart from the rules because it decides whether any rule speaks at all: a question about another
obligation gets no licence line.
"""

from __future__ import annotations

import re

from assistant.answering.question_facts import question_sentences

# Does the question ask whether something needs a licence, is allowed, or can use an exception?
ASKS_LICENCE = re.compile(
    r"\b(?:need|needs|needed|require[sd]?|required|must we|allowed|permitted|prohibited|"
    # (not a request to the assistant: "Can you give us the numbers from the EAR?")
    r"can (?:we|i|our|they|you(?!\s+(?:please\s+)?(?:give|tell|explain|list|provide|show|"
    r"summari[sz]e|help|clarify|confirm|point|walk|outline|draft|describe)\b))|"
    # "Could we sell ...?" asks what "can we" asks, when an export follows: not "Could we be
    # liable ...?", "Could we have avoided ...?", "Could we explain to Huawei ...?"
    r"could (?:we|i|our|they) (?!(?:have|be)\b)(?:[\w-]+\s+){0,2}?(?:sell|export|reexport|"
    r"re-export|ship|send|supply|deliver|provide|release|transfer|keep|continue)\b|"
    r"may (?:we|i)|ok to|okay to|is it legal|"
    # "Our lawyers say we can keep supplying them. Is that correct?": a premise to check
    r"(?:is|are)\s+(?:that|this|they|he|she|it)\s+(?:correct|right|true)|"
    # "Is there any export issue?", "Any problem shipping?", "anything special about this?"
    r"(?:is|are)\s+there\s+(?:an?|any)\s+(?:(?:export|compliance|licen[cs](?:e|ing)|legal|EAR)\s+)?"
    r"(?:issues?|problems?|concerns?|restrictions?)|"
    r"(?:^|(?<=[.?!]\s))any\s+(?:(?:export|compliance|licen[cs](?:e|ing)|legal|EAR)\s+)?"
    r"(?:issues?|problems?|concerns?)\b|"
    # (not "anything special the EAR makes us track": an obligation, not a licence)
    r"(?:(?:is|are)\s+there\s+|^|(?<=[.?!]\s))anything\s+special(?!\s+(?:the|we|that|to|I)\b)|"
    r"(?:we|i|they|you)\s+can\s+(?:keep|still|continue|just)\b|"
    # "Are we good to ship?", "Are we clear to export?"
    r"(?:are|is|am)\s+(?:we|i|it|this|that)\s+(?:good|clear|ok|okay|fine)\s+to\s+(?:ship|export|"
    r"send|sell|go)|"
    # "Is the hire blocked?", "Is that illegal?"
    r"(?:is|are)\s+(?:\w+\s+){0,3}(?:blocked|banned|forbidden|illegal)(?=\s*\?)|"
    # "..., can't they?", "can't we?"
    r"can(?:'t|’t|not)\s+(?:we|i|they|you)(?=\s*\?)|"
    # "the EAR doesn't apply to me, right?", "Does the EAR apply to this?"
    r"(?:EAR|export controls?|regulations?)\s+(?:doesn't|does\s+not|don't|do\s+not|won't|"
    r"wouldn't)\s+apply|does\s+(?:the\s+)?EAR\s+apply|"
    # "EAR99 to Russia is mostly fine, isn't it?"
    r"(?:is|are|it's|that's|i'm|we're|i am|we are)\s+(?:\w+\s+)?"
    r"(?:fine|ok|okay|legal|lawful|permissible)\b(?!\s+with\b)|"
    r"licen[cs]e exception|without (?:a |an |any )?(?:(?:BIS|U\.?S\.?|US|export)\s+)?licen[cs]e|"
    r"can (?:a|an|our|my|the) (?:U\.?S\.?|American) (?:persons?|citizens?|nationals?|engineers?|"
    r"employees?)|"
    # "Can a US company sell software to Huawei?", "Could U.S. exporters ship routers to
    # Huawei?": whether a party may make the export (to someone: not "Can a Chinese supplier
    # ship parts to our factory?", an import, nor "Can a bank transfer money?"; without an
    # article only U.S. companies, exporters and the like: "Can Huawei sell phones to
    # Germany?" asks no export of ours, "Could US banks supply loans ...?" none at all; nor
    # shares, a stake, a subsidiary or money sold)
    r"(?:can|could) (?:(?:a|an|our|my|the|this|that) (?:[\w.-]+\s+){0,3}?|"
    r"(?:U\.?S\.?|US|American|United\s+States)\s+(?:[\w-]+\s+)?(?:companies|firms|exporters|"
    r"manufacturers|suppliers|vendors|sellers|distributors|businesses|persons)\s+(?:[\w-]+\s+)?)"
    r"(?:sell|export|reexport|re-export|ship|supply|deliver)\b"
    r"(?!\s+(?:(?:their|its|our|the|a|an)\s+)?(?:[\w-]+\s+)?(?:shares?|stakes?|stock|equity|"
    r"subsidiar\w*|loans?|money|funds|business)\b)"
    r"(?:\s+[\w.'’-]+){0,6}?\s+to\s+(?!(?:us|our|me|my)\b)|"
    # "Are sales to Huawei licensable under the EAR?"
    r"licen[cs](?:able|e-free)|"
    r"(?:which|what|any) (?:licen[cs]e )?exceptions?|no licen[cs]e|NLR|"
    r"(?:which|what) (?:\w+ )?(?:authori[sz]ations?|licen[cs]es?) (?:covers?|applies|do we need)|"
    r"licen[cs]e requirements? (?:\w+ly )?(?:apply|applies|reach|cover)|"
    r"subject to (?:a |any )?licen[cs]e requirements?)\b",
    re.I,
)


# What a term means ("Does 'knowledge' mean ...?"), not a quoted product name ("our 'Falcon'
# router"); how to do something ("How do we apply for a licence in SNAP-R?").
_ASKS_MEANING = re.compile(
    r"\bmean(?:s|ing|t)?\b|\bdefin(?:e|ed|ition)\b|\bcounts? as\b|\bwhat (?:exactly )?is an?\b",
    re.I,
)
_ASKS_PROCEDURE = re.compile(
    r"\bhow (?:do|can|should|would) (?:we|i)\s+(?:apply|file|submit|report|register|disclose|"
    r"notify|request)\b",
    re.I,
)


# A question that asks what, how long, who ...; "What licence do we need?" still asks whether.
_WH_QUESTION = re.compile(r"(?:what|which|when|how|who|whom|where|why)\b", re.I)
_WH_ASKS_LICENCE = re.compile(
    r"^(?:what|which)\s+(?:(?:kind|type|sort)s? of\s+)?(?:export\s+)?(?:licen[cs]\w*|"
    r"authori[sz]\w*|permi(?:t|ssion)\w*|controls?)\b",
    re.I,
)


def _only_asks_what(question: str) -> bool:
    """Whether every question the text asks is a wh-question ("What does the consignee need to
    give us before we can use STA?", "How long can it stay out?", "Who may be the applicant?"):
    then it asks for a fact of the rules, not whether a licence is needed, and "depends on the
    item's ECCN ..." would answer what was not asked."""
    asked = question_sentences(question)
    return bool(asked) and all(
        _WH_QUESTION.match(s) and not _WH_ASKS_LICENCE.match(s) for s in asked
    )


# An obligation other than a licence that a question asks about: filing EEI, the destination
# control statement, a self-disclosure, an advisory opinion, how long an application takes or
# a licence lasts, records, reports, notices.
_OTHER_OBLIGATION = re.compile(
    r"\b(?:file|filing|filed|EEI|AES|destination control statement|DCS|invoices?|"
    r"self[- ]disclos\w*|voluntary disclos\w*|VSDs?|advisory opinions?|process(?:es|ing)?\b"
    r"[^?]{0,40}\bapplications?|valid|validity|extend\w*|extension|records?|recordkeeping|"
    r"retain\w*|retention|report(?:s|ing)?|notif\w*|notice|register\w*|registration)\b",
    re.I,
)
# ... and a licence asked for, not one named as a document or a process ("a licence
# application", "an approved licence", "licence processing")
_ASKS_AUTHORIZATION = re.compile(
    r"(?<!approved )\blicen[cs]e(?!\s+(?:applications?|processing|number|holder|codes?))\b|"
    r"\bauthori[sz]\w*|\bpermi(?:t|ssion)\w*",
    re.I,
)


# Classifying an item (self-classified, or a classification request to BIS) is an obligation of
# its own, asked alone ("Can we self-classify it, or does BIS have to see it first?"); a
# question that also sends the item somewhere ("classify it as EAR99 and ship it to Iran",
# "self-classified as EAR99; can we ship them to Cuba?") asks whether the shipment needs a
# licence, which its destination decides.
_CLASSIFICATION = re.compile(
    r"\b(?:self[- ]classif\w*|classification\s+requests?|classify)\b", re.I
)
_SENDS_SOMEWHERE = re.compile(
    r"\b(?:ship|export|reexport|re-export|sell|send|suppl|deliver|transfer)\w*\b(?:\s+\S+){0,6}?"
    r"\s+(?:to|in|into)\b",
    re.I,
)


def _other_obligation(asked: str) -> bool:
    return bool(_OTHER_OBLIGATION.search(asked)) or bool(
        _CLASSIFICATION.search(asked) and not _SENDS_SOMEWHERE.search(asked)
    )


def asks_other_obligation(question: str) -> bool:
    """Whether every question the text asks is about an obligation other than a licence ("Do we
    have to file EEI in AES for either shipment?", "Does the destination control statement have
    to go on our invoices ...?", "How long is an approved licence valid? Can we get it
    extended?"): then "Licence required: ..." answers what was not asked, however the facts
    around it read ("shipped NLR", "no licence was needed")."""
    asked = [_with_antecedent(question, x) for x in question_sentences(question)] or [question]
    # ("What exactly must it say?" beside it asks for more of the same)
    return any(_other_obligation(x) for x in asked) and all(
        (_other_obligation(x) or _WH_QUESTION.match(x)) and not _ASKS_AUTHORIZATION.search(x)
        for x in asked
    )


# A question that asks about what the message said just before it: "Is that allowed?"
_ABOUT_THAT = re.compile(
    r"^(?:(?:is|was|would|will|can|could|may)\s+(?:that|this|it)\b|(?:ok|okay|right)\b)", re.I
)


def _with_antecedent(question: str, asked: str) -> str:
    """The question sentence, with the statement before it when it only points back to it
    ("Staff in Manila would file the EEI ... Is that allowed?" asks about filing EEI)."""
    if not _ABOUT_THAT.match(asked):
        return asked
    before = question[: question.find(asked)].rstrip()
    statements = re.findall(r"[^.?!]+[.!]", before)
    return f"{statements[-1].strip()} {asked}" if statements else asked


def asks_how_or_other_obligation(question: str) -> bool:
    """Whether every question the text asks is how to do something ("How do we disclose this
    to BIS, and how long do we have?") or about an obligation other than a licence
    (`asks_other_obligation`), and none asks for a licence or whether an act is allowed."""
    if asks_other_obligation(question):
        return True
    asked = question_sentences(question)
    return bool(asked) and all(
        _ASKS_PROCEDURE.search(x) and not _ASKS_AUTHORIZATION.search(x) for x in asked
    )


# A boycott request (part 760): whether the company may comply, certify or must report.
_BOYCOTT = re.compile(
    # ... or its usual wording, unnamed: "certify that the goods are not of Israeli origin and
    # not shipped on an Israeli-flag vessel"
    r"\bboycott\w*|\b(?:not|no)\s+(?:of\s+|from\s+)?Israel(?:i)?\b|"
    r"\bIsraeli[- ](?:origin|flag\w*|owned|made|carriers?|vessels?)\b",
    re.I,
)
# A licence the company already holds: "we got a BIS licence last month", "under the same
# licence", "a replacement licence", "our licence was approved".
_HOLDS_LICENCE = re.compile(
    r"\b(?:we|I)\s+(?:have\s+)?(?:got|have|hold|obtained|received|were\s+granted)\s+"
    r"(?:a|an|the|our)\s+(?:(?:BIS|export|new|valid|individual)\s+)*licen[cs]e\b|"
    r"\bunder\s+(?:the|our|that|this)\s+(?:same\s+|existing\s+|current\s+)?licen[cs]e\b|"
    r"\breplacement\s+licen[cs]e\b|"
    # "named as ultimate consignee on our BIS licence", "edit the PDF of the licence"
    r"\b(?:on|of)\s+(?:our|the)\s+(?:BIS\s+|export\s+|existing\s+)?licen[cs]e\b(?!\s+exception)|"
    r"\b(?:our|the)\s+licen[cs]e\s+(?:was|has\s+been|got)\s+(?:approved|issued|granted)\b|"
    # "Our licence application ... is pending in SNAP-R": the licence is being applied for
    r"\b(?:our|the)\s+(?:licen[cs]e\s+)?application\b[^.?!]{0,80}?\b(?:is|was|has\s+been)\s+"
    r"(?:pending|submitted|filed|under\s+review)\b",
    re.I,
)

# ... unless it asks for a licence for another transaction ("do we need a licence to ship the
# same parts to India?")
_NEW_LICENCE = re.compile(
    r"\blicen[cs]e\s+(?:to|for)\s+(?:\w+\s+){0,2}?(?:export|ship|sell|send|re-?export|transfer|"
    r"release)\w*\b",
    re.I,
)


def asks_whether(question: str) -> bool:
    """Whether a question asks if something needs a licence or is allowed, the general rule's
    only business: not what a term means ("Does 'knowledge' mean ...?") and not which licence
    exception or procedure to use ("How do we report this to BIS?"), nor another obligation
    (`asks_other_obligation`)."""
    if _ASKS_MEANING.search(question) or _ASKS_PROCEDURE.search(question):
        return False
    if asks_other_obligation(question):
        return False
    if _only_asks_what(question):
        return False
    asked = question_sentences(question) or [question]
    if _BOYCOTT.search(question) and not any(_ASKS_AUTHORIZATION.search(x) for x in asked):
        return False  # part 760 prohibits or allows the act: no licence is asked for
    if _HOLDS_LICENCE.search(question) and not any(_NEW_LICENCE.search(x) for x in asked):
        return False  # about a licence the company holds: its terms, not whether one is needed
    for m in ASKS_LICENCE.finditer(question):
        word = m.group(0)
        if re.search(r"exception", word, re.I):
            continue
        # "need" or "required" of something else ("do we also need the emails?" about records)
        around = question[max(0, m.start() - 40) : m.end() + 40]
        if re.match(r"need|require", word, re.I) and not _AUTHORIZATION.search(around):
            continue
        return True
    return False


_AUTHORIZATION = re.compile(r"\blicen[cs]\w*|\bauthori[sz]\w*|\bpermi(?:t|ssion)\w*|\bNLR\b", re.I)

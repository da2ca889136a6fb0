"""Which name in a sentence that adds parties to the Entity List the question names as its party.

"Listed: X was added to the Entity List" turns an answer into "Licence required: yes", so a
false match is worse than none (an attack found colleagues' first names, countries, company
forms, products and competitors taken for listed parties). A name therefore matches only as a
whole: each complete name the sentence gives ("Huawei Technologies Co., Ltd. (Huawei)" gives
"Huawei Technologies" and "Huawei"; "Mohammad Reza Rajabi" gives no "Mohammad"), found in the
question as a whole name too (not the start of a longer one, "Chinese Academy of Sciences
Institute of Physics"), in the place of a party: not a place, not a product's brand, not a
competitor, a supplier or a party the question says is not involved.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence

from assistant.answering.question_facts import DESTINATIONS, EMBARGOES, MONTHS, negated
from assistant.text import cached_pattern

# A name as a sentence writes it: capitalised words, joined by "of", "and", "for", "the" ...
_CAP = r"(?:[A-Z]\.|[A-Z][\w&'’-]*)(?:\s+\([A-Z][\w&'’ -]*\))?"
_RUN = re.compile(rf"(?<![\w'’.-]){_CAP}(?:(?:\s+(?:of|and|for|the|de|du|del|&))*\s+{_CAP})*")
# What a company's name ends with, and leaves out when people name it ("Inspur Group" is Inspur).
_COMPANY_FORMS = frozenset(
    "co company corp corporation inc incorporated ltd limited llc llp plc gmbh ag sa bv nv jsc "
    "pjsc ojsc ooo ao pvt pte pty private sdn bhd fze fzco dmcc group holdings holding".split()
)
# What comes before a name and is not part of it: articles, Russian company forms ("AO Kaspersky
# Lab", "OOO Kaspersky Group").
_LEADING = frozenset("the of and for ao ooo zao oao pjsc ojsc jsc".split())
# The legal form a Russian state body's name begins with, and people leave out ("Federal State
# Budgetary Institution of Science Institute of Molecular and Cell Biology" is the Institute).
_STATE_FORM = re.compile(
    r"^(?:Federal\s+State\s+(?:Budgetary|Unitary|Autonomous|Treasury|Government)\s+"
    r"(?:Educational\s+|Scientific\s+)?(?:Institution|Enterprise|Establishment)"
    r"(?:\s+of\s+(?:Science|Higher\s+(?:Professional\s+)?Education))?|"
    r"(?:Open\s+|Closed\s+|Public\s+)?Joint[\s-]+Stock\s+Company|Limited\s+Liability\s+Company)\s+"
)
# ... and what such a name is of, after a comma, which the short name needs to name the same
# body ("..., Siberian Branch of the Russian Academy of Sciences"): there are Institutes of
# Molecular and Cell Biology elsewhere.
_OF_BODY = re.compile(
    r",\s+((?:[A-Z][\w-]*\s+)*(?:Branch|Academy)\b[^;:()]*?(?:Academy\s+of\s+Sciences|Branch))"
    r"(?=\s*[;,.]|\s+and\b|\s+under\b|\s*$)"
)
# What ends a company's name in the languages rules add parties in, beyond `_COMPANY_FORMS`:
# Turkish ("Sanayi Ve Ticaret Anonim Sirketi", "Dis Ticaret Limited Sirketi"), Nordic, Baltic and
# Central European forms. Only for cutting a listed name to what people call it, never for
# reading a question's lower-case words ("steel design as ..." is no company form).
_TRAILING_FORMS = _COMPANY_FORMS | frozenset(
    "sirketi şirketi anonim ticaret sanayi sanayii dis dış ithalat ihracat sti şti tic as "
    "oy oyj ab asa ou oü kft srl spa sarl sro zrt".split()
)
# Words that make up names but name nobody on their own ("Supply Chain", "Temporary General
# License", "Asia Pacific", "Research Institute"), and a sentence's own words ("This", "The ERC").
_GENERIC = (
    frozenset(
        "the this these that final rule rules entity entities list lists listed bureau industry "
        "security commerce department federal register end user users erc ear bis u.s us united "
        "states temporary general license licenses licence exception exceptions supply chain asia "
        "pacific global allied innovative professional emerging resource resources union national "
        "international trading technology technologies science sciences research institute "
        "institutes university academy laboratory laboratories center centre aviation logistics "
        "electronics engineering industries industrial equipment systems system services network "
        "networks communication communications semiconductor semiconductors energy lab labs "
        "information enterprise enterprises traders trader federal state budgetary unitary "
        "scientific export exports administration regulations "
        "china chinese people's republic province city region government ministry military army "
        "navy air force unverified denied persons sdn "
        "supplement part section paragraph affiliates subsidiaries "
        # Turkish trade words, which the Entity List's Turkish names end with ("UMS Ankara
        # Kalibrasyon Mühendislik Müşavirlik Mümessillik ...")
        "mühendislik muhendislik müşavirlik musavirlik mümessillik mumessillik danismanlik "
        "danışmanlık makina makine insaat inşaat gida gıda turizm havacilik havacılık "
        "savunma elektronik teknoloji teknolojileri yedek parcalari parçaları".split()
    )
    | _COMPANY_FORMS
)
# Right before a name that is a place, in the sentence or the question.
_PLACE_BEFORE = re.compile(
    r"\b(?:in|located in|based in|destinations? of|countr(?:y|ies) of|under)\s+(?:the\s+)?$",
    re.I,
)
# Where a question puts a party: "sell laptops to huawei", "for huawei", "is huawei listed".
_PARTY_BEFORE = re.compile(
    r"(?:^\s*|\b(?:to|for|with|from|by|is|are|was|does|did|do|can|may|will|would|should|named|"
    r"called|customer|buyer|party|company|firm|and|or|supply|supplying|supplies|into|via|"
    r"invoice|invoicing|quote|quoting)\s+)(?:the\s+|a\s+|an\s+)?$",
    re.I,
)
# A name that only describes an item ("Huawei phones", "Kaspersky antivirus licenses").
_BRAND_OF = re.compile(
    r"^(?:'s|’s)?\s+(?:phones?|smartphones?|handsets?|devices?|routers?|servers?|modems?|"
    r"equipment|gear|products?|parts?|chips?|antivirus|software|licen[cs]es?|screens?|laptops?|"
    r"cameras?|switch(?:es)?|components?|base stations?|hardware|firmware|design|models?|"
    r"brand|kit|competitors?|rivals?|tablets?|smartwatch\w*|watches|wearables?|tvs?|"
    r"televisions?|accessor\w*|cases?|chargers?|batter\w*|cables?)\b",
    re.I,
)
# A name the question sets against its party: a competitor, the alternative, the seller.
_NOT_ITS_PARTY_BEFORE = re.compile(
    r"\b(?:competitors?,?|rivals?,?|competing with|instead of|rather than|than|versus|vs\.?|"
    r"like|such as|(?:made|manufactured|built|produced|designed|developed) by|replac\w*|"
    r"switch\w* (?:away )?from|migrat\w* (?:away )?from|"
    r"compet\w* (?:with|against)|"
    # "listed over diversion risk to Huawei": why others were listed, not a party of ours
    r"risks?\s+to)"
    r"\s+(?:the\s+)?$|\b(?:suppliers?|vendors?|manufacturers?|makers?)(?:['’]s\s+\w+)?\s+"
    r"(?:is|are|was|were)\s+$|"
    r"\b(?:buy|buys|bought|buying|purchas\w*|sourc\w*|import\w*|order\w*)\b[^.?!;]{0,40}"
    r"\b(?:from|through)\s+$|\b(?:our|my)\s+$|\b(?:Mr|Ms|Mrs|Dr|Prof)\.?\s+$|\bthrough\s+$",
    re.I,
)
_NOT_INVOLVED_AFTER = re.compile(
    r"^\s*(?:is|are|was|were)(?:n't|n’t|\s+not|\s+no longer)\b|^\s*(?:isn't|aren't|wasn't)\b|"
    r"^\s*(?:is|are|was|were)\s+(?:our|a|an|their|the)\s+(?:main\s+)?(?:competitors?|rivals?|"
    r"suppliers?|vendors?)\b|^\s*(?:has|had) nothing to do with\b|^\s*(?:is|was) (?:not|n't) "
    r"(?:part|a party)\b|^\s*(?:is|are|was|were) unrelated\b",
    re.I,
)
# After a lower-case one-word name, what may follow it: the end of the clause or a small word
# ("to huawei in China", "for huawei?"), not a noun it describes ("allied forces").
_ENDS_NAME = re.compile(
    r"^(?:\s*[.,;:?!)—–-]|\s*$|\s+(?:in|at|for|or|and|with|from|to|via|on|if|because|so|but|that|"
    r"which|who|since|under|without|directly|anymore|now|today|too|also|again|nor)\b|'s\b|’s\b)",
    re.I,
)

# ... or the name is the clause's subject ("can huawei buy our laptops?")
_SUBJECT_BEFORE = re.compile(r"(?:^|\b(?:can|could|does|did|will|would|may|if|when)\s+)$", re.I)


def _complete_names(sentence: str) -> Iterator[tuple[str, int, str]]:
    """Each complete name in the sentence and where it starts: a run of capitalised words
    without its company form ("Huawei Technologies Co" -> "Huawei Technologies"), and the names
    a run joins with "and" ("Huawei and HiSilicon"); not a place, nor a run of generic words.
    Third, the place a parenthetical gives ("Arrow Electronics (Hong Kong)"), or ""."""
    for m in _RUN.finditer(sentence):
        parts = [(m.group(0), m.start())]
        # ("Huawei and HiSilicon" are two; "Institute of Molecular and Cell Biology" is one)
        if " and " in m.group(0) and not _AND_IN_A_NAME.search(m.group(0)):
            at = m.start()
            for part in m.group(0).split(" and "):
                parts.append((part, at))
                at += len(part) + len(" and ")
        state_form = _STATE_FORM.match(m.group(0))
        of_body = _OF_BODY.match(sentence, m.end())
        if state_form and of_body and " " in m.group(0)[state_form.end() :]:
            # the body's own name with what it is of, and only so
            parts.append((f"{m.group(0)[state_form.end() :]}, {of_body.group(1)}", -1))
        for text, at in parts:
            if at < 0:  # (the body's name starts after its legal form)
                at = m.start() + (state_form.end() if state_form else 0)
            words = text.split()
            while words and (words[0].lower() in _LEADING or len(words[0].rstrip(".")) == 1):
                at += len(words[0]) + 1
                words = words[1:]
            # ("Blue Sky Aviation (Pty) Ltd.": a company form in brackets is one too;
            # "Royal Impact Trading L.L.C.")
            while words and (
                words[-1].lower().strip("().").replace(".", "")
                in _TRAILING_FORMS | {"of", "and", "for", "ve"}
                or len(words[-1].rstrip(".")) == 1
            ):
                words = words[:-1]
            if _PLACE_BEFORE.search(sentence[max(0, at - 30) : at]):
                continue
            if _UNIT_AFTER.match(sentence, m.end()) or _UNIT_BEFORE.search(sentence[:at]):
                continue  # "Chinese Academy of Sciences, Institute of Physics": a unit of it
            place = next(
                (
                    p
                    for p in re.findall(r"\(([^)]*)\)", " ".join(words))
                    if DESTINATIONS.fullmatch(p)
                ),
                "",
            )
            # a brand word stands for the whole name, whose place words it drops ("Arrow" of
            # "Arrow China Electronics Trading" is the one in China)
            named_place = next((w for w in words if DESTINATIONS.fullmatch(w)), "")
            for name in dict.fromkeys(_short_forms(" ".join(words))):
                if name.endswith(("-based", "’s", "'s")):
                    continue  # "Pakistan-based", "China's": a place's word, not a name
                if len(name) < 3 or all(w.lower() in _GENERIC or w in MONTHS for w in name.split()):
                    continue
                if DESTINATIONS.fullmatch(name) or name.lower() in EMBARGOES:
                    continue
                brand = len(words) > 1 and " " not in name  # a one-word form of a longer name
                yield name, at, place or (named_place if brand else "")


# "of X and Y": the "and" joins words of one name ("University of Science and Technology").
_AND_IN_A_NAME = re.compile(r"\bof\s+[A-Z][\w&'’-]*\s+and\s")


# A comma and a unit's name after a name: the listed entity is the unit.
_UNIT_AFTER = re.compile(
    r",\s+(?:(?:the|its)\s+)?(?:Institute|Center|Centre|Laboratory|Key Laboratory|School|"
    r"College|Department|Faculty|Branch|Research|National|Aerospace)\b"
)


# ... or before it: "Aerospace Information Research Institute, Chinese Academy of Sciences"
_UNIT_BEFORE = re.compile(
    r"\b(?:Institute|Cent(?:er|re)|Laborator(?:y|ies)|School|College|Department)\b[^,;]{0,60},\s*$"
)


def _short_forms(name: str) -> list[str]:
    """The name, and how people shorten it: without a parenthetical ("Sangon Biotech (Shanghai)"
    is Sangon Biotech), and its brand word when the rest is generic ("Huawei Technologies" is
    Huawei, "Nettrix Information Industry" is Nettrix)."""
    forms = [name]
    bare = " ".join(re.sub(r"\s*\([^)]*\)", "", name).split())
    forms.append(bare)
    words = bare.split()
    while len(words) > 1 and (words[-1].lower() in _GENERIC or words[-1].lower() in ("of", "and")):
        words = words[:-1]
    tail = {w.lower() for w in bare.split()[len(words) :]}
    if len(words) == 1 and not tail & _INSTITUTIONS:
        # a brand word only ("X Academy of Physics Institute" stays, and an institute is
        # never shortened: "Aerospace Information Research Institute" is not "Aerospace")
        forms.append(words[0])
    elif (
        1 < len(words) < len(bare.split())
        and not tail & _INSTITUTIONS
        and not {w.lower() for w in words} & _INSTITUTIONS
    ):
        # the name without the trade words it ends with ("UMS Ankara Kalibrasyon" of "UMS
        # Ankara Kalibrasyon Mühendislik Müşavirlik Mümessillik")
        forms.append(" ".join(words))
    return forms


_INSTITUTIONS = frozenset(
    "research institute institutes university academy laboratory laboratories center centre "
    "school college hospital ministry bureau".split()
)


def _written_lower(word: str, texts: Sequence[str]) -> bool:
    pattern = cached_pattern(rf"\b{re.escape(word.lower())}\b")
    return any(pattern.search(t) for t in texts)


# Where a sentence puts the names it adds: after "add"/"adding", up to "to the Entity List"
# ("The ERC determined to add A, B and C, under the destination of China, to the Entity List"),
# after "to the Entity List:" ("add the following two entities to the Entity List: A, and B"),
# or before "was/were/first added" ("Huawei ... and sixty-eight of its affiliates were added",
# "“Allchips Limited,” first added to the Entity List on ..."). A name elsewhere (a background
# clause, "a Country Group D:5 destination", "the CCL") is not one the sentence lists.
# ("The ERC approved the addition of X ... to the Entity List" is how some rules word it; not
# "In addition of ...")
ADDS = re.compile(r"\b(?:add(?:s|ed|ing)?|(?<=the )addition\s+of)\b", re.I)
_ADDED_BEFORE = re.compile(
    r"\b(?:(?:was|were|been|being|is|are)\s+(?:\w+\s+)?|(?:first|originally|initially)\s+|"
    r",\s+(?:a|an|the)\s+[^,;:]{0,80}?\s)added\b",
    re.I,
)
_TO_THE_LIST = re.compile(r"\bto\s+the\s+Entity\s+List\b(:)?", re.I)
# Any list a party is added to ("to the SDN List", "to the Unverified List", "to the UVL").
_TO_A_LIST = re.compile(r"\bto\s+(?:the\s+|its\s+)?(?:[\w-]+\s+){0,3}(?:List|UVL|DPL)\b", re.I)


def _adds(sentence: str) -> re.Match[str] | None:
    """The word that adds parties to the Entity List: the first "add", or "the addition of"
    whose list is the Entity List ("OFAC's addition of X to the SDN List, BIS is adding Y to
    the Entity List" adds only Y here)."""
    for m in ADDS.finditer(sentence):
        if not m.group(0).lower().startswith("addition"):
            return m
        to_list = _TO_A_LIST.search(sentence, m.end())
        if to_list is not None and _TO_THE_LIST.match(sentence, to_list.start()):
            return m
    return None


def _added_spans(sentence: str) -> list[tuple[int, int]]:
    """Where the names the sentence adds to the Entity List are."""
    spans = []
    passive = list(_ADDED_BEFORE.finditer(sentence))
    if passive:
        spans.append((0, passive[-1].start()))
    to_list = _TO_THE_LIST.search(sentence)
    adds = _adds(sentence)
    if adds is not None and to_list is not None and adds.end() <= to_list.start():
        spans.append((adds.end(), to_list.start()))
    if adds is not None and to_list is not None and to_list.group(1):
        spans.append((to_list.end(), len(sentence)))
    return spans


# The place a question gives right after a name: "Arrow Electronics in Germany", "in Denver".
_PLACE_AFTER = re.compile(r"\s+(?:in|at|of)\s+(?:the\s+)?([A-Za-z][\w ]{1,30})")


@functools.lru_cache(maxsize=1 << 13)
def _added_names(sentence: str) -> tuple[tuple[str, int, str], ...]:
    """`_complete_names` of the sentence that it adds to the Entity List (`_added_spans`).
    Cached by the sentence: an answer reads the same listing sentences as the last one did, and
    reading names out of them was a tenth of composing it."""
    spans = _added_spans(sentence)
    return tuple(
        (name, at, place)
        for name, at, place in _complete_names(sentence)
        if any(a <= at < b for a, b in spans)
    )


def named_whole(sentence: str, name: str) -> bool:
    """Whether the sentence writes `name` as a whole name somewhere, not only as the brand word
    of a longer one ("Inspur" of "Inspur (Beijing) Electronic Information Industry Co."):
    what follows it is punctuation, a small word, or a company form. A name of two words or
    more may also leave out the generic words before the form, as people do ("Zhejiang
    Uniview" for "Zhejiang Uniview Technologies Co., Ltd."): one word is too often the brand
    a group's companies share ("Sophgo" of "Sophgo Technologies Ltd." and "Wuxi Sophgo ...")."""
    several = len(name.split()) > 1
    for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", sentence):
        # (a parenthetical place is part of it: "Sangon Biotech (Shanghai) Co., Ltd.")
        rest = re.sub(r"^\s*\([^)]*\)", "", sentence[m.end() :])
        words = re.match(r"(?:\s+[A-Z][\w&'’.-]*)*", rest)
        following = (words.group(0) if words else "").split()
        if not following or _is_form(following[0]):
            return True
        skipped = following
        while several and skipped and skipped[0].lower() in _GENERIC - _COMPANY_FORMS:
            skipped = skipped[1:]
        # (only up to a company form: "Kestrel Avionics Research Institute" is another body)
        if skipped is not following and skipped and _is_form(skipped[0]):
            return True
    return False


def _is_form(word: str) -> bool:
    return word.lower().replace(".", "").rstrip(",;") in _TRAILING_FORMS


def names_added(sentence: str) -> list[str]:
    """Every name (and short form) the sentence adds to the Entity List."""
    return list(dict.fromkeys(name for name, _, _ in _added_names(sentence)))


def named_party(question: str, sentence: str, lower_elsewhere: Sequence[str]) -> str | None:
    """The sentence's name the question names as its party (as the sentence spells it), or None.
    `lower_elsewhere`: texts in which a one-word name typed in lower case must not appear in
    lower case (a word the passages write in lower case is a word, not a name). The longest
    name named wins ("Kaspersky Labs" over its brand word "Kaspersky")."""
    found = [
        name
        for name, at, place in _added_names(sentence)
        if _named_in(question, name, at, place, lower_elsewhere)
    ]
    return max(found, key=len, default=None)


def names_as_party(question: str, name: str) -> bool:
    """Whether the question names `name` in a party's place (as `named_party` reads a name a
    sentence adds): not a place, a product's brand, a competitor or a supplier."""
    return _named_in(question, name, 1, "", [])


def _named_in(
    question: str, name: str, at: int, place: str, lower_elsewhere: Sequence[str]
) -> bool:
    """Whether the question names `name` (one of the sentence's, starting at `at` there, in
    `place` if the sentence gives one) as its party."""
    if at == 0 and " " not in name and _written_lower(name, lower_elsewhere):
        return False  # "Furthermore", "Since": a sentence's first word, capitalised as such
    words = name.split()
    pattern = cached_pattern(
        r"(?<![\w'’-])" + r"\s+".join(re.escape(w) for w in words) + r"(?![\w-]|['’](?![sS]\b))",
        re.I,
    )
    for m in pattern.finditer(question):
        elsewhere = _PLACE_AFTER.match(question, m.end())
        if place and elsewhere and not elsewhere.group(1).lower().startswith(place.lower()):
            continue  # "Arrow Electronics in Colorado" is not the listed one of Hong Kong
        if _names_it(question, m, words, lower_elsewhere):
            return True
    return False


def _names_it(
    question: str,
    m: re.Match[str],
    words: list[str],
    lower_elsewhere: Sequence[str],
) -> bool:
    """Whether the match is the question's party, named whole."""
    before, after = question[max(0, m.start() - 60) : m.start()], question[m.end() :]
    if negated(question, m.start()) or _NOT_INVOLVED_AFTER.match(after):
        return False
    if _PLACE_BEFORE.search(before[-14:]) or _NOT_ITS_PARTY_BEFORE.search(before):
        return False
    if _BRAND_OF.match(after):
        return False
    typed = m.group(0)
    if typed == typed.lower():
        # typed in lower case: where a party goes, and a one-word name must be a name
        if not _PARTY_BEFORE.search(before[-30:].lower()):
            return False
        formed = re.match(r"\s+(\w+)", after)
        if formed and formed.group(1).lower() in _COMPANY_FORMS:
            return True  # "steel design llc": a company's name, however plain its words
        if len(words) == 2 and not any(
            w.lower() not in _GENERIC and not _written_lower(w, lower_elsewhere) for w in words
        ):
            return False  # "electrical equipment", "steel design": words, not a name
        if len(words) > 1 and not _ENDS_NAME.match(after):
            return False  # "gyro technology exports": what is sent, not to whom
        if len(words) == 1:
            key = words[0].lower()
            if len(key) < 4 or DESTINATIONS.fullmatch(key):
                return False
            if _written_lower(key, lower_elsewhere):
                return False
            if not _ENDS_NAME.match(after) and not _SUBJECT_BEFORE.search(before[-12:]):
                return False
        return True
    # typed with capitals: the question's name is this name, not a longer one around it
    longer_after = re.match(r"\s+(?:(?:of|for|and|the|de)\s+)*([A-Z][\w&'’-]*)", after)
    if longer_after and not _ends_a_name(longer_after.group(1)) and not _same_company(after):
        return False
    longer_before = re.search(r"(?<![\w'’-])([A-Z][\w&'’-]*)\s+(?:(?:of|for|the)\s+)*$", before)
    return not (
        longer_before
        and (m.start() - len(before) + longer_before.start()) > 0
        and longer_before.group(1).lower() not in _QUESTION_WORDS
    )


# The capitalised words right after a name, with no "of"/"for" between them.
_CAPITALISED_AFTER = re.compile(r"((?:\s+[A-Z][\w&'’-]*\.?,?)+)")


def _same_company(after: str) -> bool:
    """Whether the capitalised words after a name only say what kind of company it is, ending
    with its company form ("Sophgo Technology Co." for the listed "Sophgo Technologies Ltd.",
    "Nettrix Information Co., Ltd."): generic trade words, no institute, then a company form."""
    m = _CAPITALISED_AFTER.match(after)
    if m is None:
        return False
    words = [w.strip(".,").lower() for w in m.group(1).split()]
    trade = [w for w in words if w not in _COMPANY_FORMS]
    return (
        len(trade) < len(words)
        and words[-1] in _COMPANY_FORMS
        and all(w in _GENERIC and w not in _INSTITUTIONS for w in trade)
    )


def _ends_a_name(word: str) -> bool:
    """A capitalised word after a name that does not make it another name: a company form or a
    place ("Huawei Ltd", "Huawei Germany", "Huawei in Dubai")."""
    key = word.lower().rstrip(".")
    return key in _COMPANY_FORMS or bool(DESTINATIONS.fullmatch(word)) or key in EMBARGOES


# Capitalised words a question starts a clause with, before its party ("Can Huawei buy ...").
_QUESTION_WORDS = frozenset(
    "can could may might must shall should will would do does did is are was were has have "
    "had if when where why how what which who whether our we i and or but so also then "
    "please ok okay yes no".split()
)


def mentions_added(question: str, sentence: str) -> bool:
    """Whether the question mentions, in any role, a name the sentence adds to the Entity List
    ("diversion risk to Huawei"): enough for retrieval to bring in what 744.11 requires, never
    for a bottom line (that is `named_party`'s, which needs the name in a party's place)."""
    for name, _, _ in _added_names(sentence):
        if len(name) >= 4 and cached_pattern(rf"(?<![\w-]){re.escape(name)}(?![\w-])", re.I).search(
            question
        ):
            return True
    return False


def question_names(question: str) -> list[str]:
    """The words of the names a question gives that could name a party ("Beijing Artificial
    Intelligence" of "The Beijing Academy of Artificial Intelligence wants ..."): capitalised
    runs with a word that is no generic or question word, a place or a classification, less
    their generic words. For finding the passage that adds such a party; `named_party` decides
    whether it does."""
    words = []
    for m in _RUN.finditer(question):
        run = [w.strip("().,") for w in m.group(0).split()]
        kept = [w for w in run if w[:1].isupper() and w.lower() not in _NOT_A_NAME_WORD]
        if any(
            not DESTINATIONS.fullmatch(w) and w.lower() not in EMBARGOES and not _CODE.match(w)
            for w in kept
        ):
            words += [w for w in kept if not _CODE.match(w)]
    return list(dict.fromkeys(words))


_NOT_A_NAME_WORD = _GENERIC | _QUESTION_WORDS | {"license", "licence", "exception"}
# A classification or an origin, not a name: "EAR99", "3A991", "US-origin", "U.S.-made"
_CODE = re.compile(r"^(?:EAR99|\d[A-E]\d{3}\w*|U\.?S\.?(?:-\w+)?|USA?)$", re.I)

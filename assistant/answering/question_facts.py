"""What a licence question asserts, read before any rule applies: where it sends something,
whether it is about exporting at all, and which of its mentions it denies.

Why apart from the rules (`assistant.answering.determination`): a wrong bottom line mostly came
from reading the question wrong, not from the rules: "Our customer in Shenzhen is not on the
Entity List" read as a listed party, "an Iranian-born engineer" as a shipment to Iran, "How
long does a TDO last?" as a transaction with a denied party. These functions are the one place
that reading is done, and tested with the attacks that found those cases.
"""

from __future__ import annotations

import functools
import re

from assistant.text import cached_pattern, sentence_spans

# A party or place the question mentions only to deny it ("is not on the Entity List", "was
# removed from the Unverified List", "none of the parties are denied persons", "we do not sell
# to Russia"): the words that negate the clause it is in.
_NEGATION_BEFORE = re.compile(
    r"\b(?:not|never|no|none|nothing|without|former(?:ly)?)\b|n't\b|\bnon-", re.I
)
_NEGATION_ANYWHERE = re.compile(
    r"\b(?:no longer|until|removed|delisted|de-listed|taken off|screened clean|expired|lifted|"
    r"rescinded|refused|declined|stopped|ceased)\b",
    re.I,
)
# A clause whose subject is none of a group ("None of the parties are on the Denied Persons
# List"), however long the group's name: what it says of them is denied.
_NONE_OF = re.compile(
    r"\s*(?:none|neither)\s+of\s+(?:the|our|its|their|these|those)\s+[\w\s-]{0,40}?"
    r"\b(?:is|are|was|were|appears?|has|have)\b",
    re.I,
)
# A clause ends at a full stop, question mark or semicolon, or at ", but" ("it is not listed,
# but its parent is").
_CLAUSE = re.compile(r"(?:[^.;?!,]|,(?!\s*(?:but|although|though|whereas)\b))+")
# The EAR governs exports, reexports and transfers: a question about what is done with an item
# (or to a party), not about importing or buying.
_TRANSACTION = re.compile(
    r"\b(?:export\w*|re-?export\w*|ship\w*|sell\w*|sale|sales|re-?sell\w*|re-?sales?|send\w*|"
    r"suppl\w*|"
    r"transfer\w*|release\w*|deliver\w*|provid\w*|deal\w*|us(?:e|ing) them|mail\w*|"
    r"present\w*|publish\w*|post\w*|upload\w*|share|sharing|access\w*|take|takes|taking|took|"
    r"bring|brings|bringing|carry\w*|"
    r"travel\w*|hand\w* over|servic\w*|repair\w*|download\w*|work on|fill\w*|use|help\w*|"
    r"assist\w*|wants?|asks? (?:us )?for|receiv\w*|go(?:es|ing)? to|headed to|bound for|"
    r"destined|exceptions?|"
    # someone abroad buying from us: "A Singapore distributor is buying our 5A991 transceivers"
    r"(?:buy|buys|buying|bought|purchas\w*|order\w*)\s+(?:our|from\s+us)\b|"
    # licensing software or technology to someone: "license our TCAD software to a design house"
    r"licen[cs](?:e|es|ed|ing)\s+(?:our|the|this|that|its|their|it|them)\s+(?:[\w-]+\s+){0,4}?"
    r"(?:software|tools?|technology|code|platforms?|IP|designs?)|"
    # "Do the Entity List licence requirements apply to the Malaysian company?": a deal with it
    r"appl(?:y|ies) to (?:the|our|this|that|a|an|my) (?:[\w-]+ ){0,3}?(?:company|customer|buyer|"
    r"entity|firm|distributor|subsidiary|affiliate|end[- ]user|consignee|supplier)|"
    r"(?<!denial )orders?(?:ed)?)\b",
    re.I,
)
# Importing, or buying by us ("we buy parts from a listed supplier"); a foreign customer who
# "wants to buy" from us is a sale.
_IMPORT = re.compile(
    r"\b(?:import\w*|(?:we|i|us|our(?:\s+\w+)?\s+(?:company|subsidiary|office|plant|team|"
    r"firm|affiliate|branch|purchasing|procurement))\b[^.;?!]{0,25}\b(?:buy\w*|purchas\w*)|"
    # (lower-case "us": "sell US-origin parts" is a sale)
    r"sell\w*\s+(?:to\s+)?(?-i:us)\b|"
    r"bring\w* [^.;?!]{0,40}\binto the (?:US|U\.S\.|United States))\b",
    re.I,
)
_EXPORT_LICENCE = re.compile(r"\bexport (?:licen[cs]es?|controls?|permission)\b", re.I)
MONTHS = frozenset(
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
)


def question_sentences(text: str) -> list[str]:
    """The sentences of the text that end in a question mark, stripped: what it asks, as
    opposed to the facts it states."""
    return [x.strip() for x in re.findall(r"[^.?!]*\?", text) if x.strip()]


def negated(question: str, at: int, end: int | None = None) -> bool:
    """Whether the clause holding position `at` denies what it mentions: a negation shortly
    before it or inside the mention up to `end` ("is not on", "none of the parties are", "we
    do not sell to"), or words anywhere in the clause saying it has ended ("was on the Entity
    List until BIS removed it")."""
    for m in _CLAUSE.finditer(question):
        if m.start() <= at < m.end():
            # 30 characters back, from the first whole word ("... a transformer to our
            # customer on the DPL" holds no "former")
            start = max(m.start(), at - 30)
            while m.start() < start < at and question[start - 1].isalnum():
                start += 1
            before = question[start : end or at]
            return bool(
                _NEGATION_BEFORE.search(before)
                or _NEGATION_ANYWHERE.search(m.group(0))
                or _NONE_OF.match(m.group(0))
            )
    return False


def asserted(pattern: re.Pattern[str], question: str) -> bool:
    """Whether `pattern` occurs in a clause that does not deny it."""
    return any(not negated(question, m.start(), m.end()) for m in pattern.finditer(question))


# A nationality word names a destination only when it describes a party ("a Russian
# distributor", "an Iranian bank"), not a thing ("Syrian hamsters", "the Russian manual").
_DEMONYMS = frozenset(["cuban", "iranian", "syrian", "russian", "belarusian", "north korean"])
_PARTY_NOUN = re.compile(
    r"\s+(?:[a-z-]+\s+){0,2}(?:compan\w*|firms?|customers?|buyers?|distributors?|entit\w*|"
    r"end[- ]users?|nationals?|citizens?|governments?|military|army|bank\w*|universit\w*|"
    r"ministr\w*|clients?|resellers?|importers?|partners?|subsidiar\w*|government|agenc\w*|"
    r"institutes?|hospitals?|clinics?|airlines?|operators?|manufacturers?|factor\w*|plants?|"
    r"persons?|individuals?|engineers?|students?|researchers?|consignees?|parties|party)\b"
)


def place_sent_to(question: str) -> re.Match[str] | None:
    """The first embargoed place the question sends something to: not one it denies ("nothing
    goes to Crimea"), and not a word made of it ("Iranian-born", "Cuban-American",
    "Russian-made": a person's origin or an item's, not a destination)."""
    lowered = question.lower()
    for name in EMBARGOES:
        for m in cached_pattern(rf"\b{name}\b(?!-(?!based\b))").finditer(lowered):
            if lowered[max(0, m.start() - 1) : m.start()] == "-" or negated(question, m.start()):
                continue
            if name in _DEMONYMS and not _PARTY_NOUN.match(lowered, m.end()):
                continue  # "Syrian hamsters", "our Russian translation": a thing's origin
            if _US_STATE_AFTER.match(question, m.end()):
                continue  # "Moscow, Idaho", "Havana, Illinois": an American town
            if _SPOKEN_OF.search(lowered[max(0, m.start() - 40) : m.start()]):
                continue  # "740.5 talks about Syria": a topic, not where the item goes
            return m
    return None


# A place a text or a person speaks of, not a destination: "when I look up 740.5 it talks about
# Syria", "the rule mentions Iran", "the article about Cuba".
_SPOKEN_OF = re.compile(
    r"\b(?:talks?|talking|speaks?|speaking|reads?|says?|refers?|referring|mentions?|"
    r"mentioning|discuss(?:es|ing)?|article|paragraph|section|provision|rule)\s+"
    r"(?:about|of|to|with|on)?\s*(?:the\s+)?$|\bmentions?\s+$",
)


_US_STATES = (
    r"alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|"
    r"georgia|hawaii|idaho|illinois|indiana|iowa|kansas|kentucky|louisiana|maine|maryland|"
    r"massachusetts|michigan|minnesota|mississippi|missouri|montana|nebraska|nevada|"
    r"new\s+hampshire|new\s+jersey|new\s+mexico|new\s+york|north\s+carolina|north\s+dakota|"
    r"ohio|oklahoma|oregon|pennsylvania|rhode\s+island|south\s+carolina|south\s+dakota|"
    r"tennessee|texas|utah|vermont|virginia|washington|west\s+virginia|wisconsin|wyoming"
)
# A town named after a foreign city, followed by its state ("Moscow, Idaho", "Cuba, NY").
_US_STATE_AFTER = re.compile(
    rf",?\s+(?i:{_US_STATES})\b"
    r"|,\s*(?:AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|"
    r"NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY)\b",
)
# "US" naming what is American rather than where a party is: "a US licence", "U.S. export
# licence", "US law", "US-origin"
_US_NOT_A_PLACE = (
    r"(?!-(?:origin|made|content))"
    r"(?!\s+(?:export\s+|government\s+)?(?i:licen[cs]\w*|law\w*|regulat\w*|rules?|"
    r"authori[sz]ation\w*|approval|permission|government|sanctions?|controls?|jurisdiction|"
    r"content|origin)\b)"
)
# A place in the United States the question names ("Fort Hood, Texas", "the Texas National
# Guard", "a U.S. Army base").
_US_PLACE = re.compile(
    rf"\b(?i:{_US_STATES})\b|\b(?:U\.S\.(?!\w)|(?:US|USA|United States)\b){_US_NOT_A_PLACE}"
)


def placed_in_us(question: str, name: str) -> bool:
    """Whether the question puts the party `name` in the United States right where it names
    it ("Steel Design Inc., a fabricator in Cleveland, Ohio", "Arrow Electronics, Inc. of
    Centennial, Colorado"), with no foreign place in the same stretch."""
    ends = [b for _, b in sentence_spans(question)]
    for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", question, re.I):
        end = next((b for b in ends if b > m.end()), len(question))
        stretch = question[m.end() : min(end, m.end() + 100)]
        # (not "from our Texas warehouse": where the goods leave from, or a place of ours)
        placed = any(
            not _OURS_OR_DEPARTURE.search(stretch[max(0, p.start() - 12) : p.start()])
            for p in _US_PLACE.finditer(stretch)
        )
        if placed and not foreign_places(stretch):
            return True
    return False


_OURS_OR_DEPARTURE = re.compile(r"\b(?:our|my|from)\s+(?:the\s+)?(?:own\s+)?$", re.I)


# A word DESTINATIONS matches that is not a destination here: a language ("a manual in
# Spanish"), an ocean, part of a U.S. state's name ("New Mexico").
_NOT_A_PLACE_BEFORE = re.compile(r"(?i:in)\s+$")
_LANGUAGES = frozenset(
    ["spanish", "french", "german", "japanese", "korean", "chinese", "italian", "dutch",
     "polish", "swedish", "turkish", "thai", "vietnamese", "indonesian", "ukrainian", "burmese"]
)  # fmt: skip
_NOT_A_PLACE_AFTER = re.compile(r"\s+(?i:ocean|language|translation)\b")


def foreign_places(text: str) -> list[str]:
    """The destinations outside the United States the text names, each as its country
    (`country_of`): not "New Mexico", "Paris, Texas", "the Indian Ocean" or "in Spanish"."""
    return list(_foreign_places(text))


@functools.lru_cache(maxsize=1 << 12)
def _foreign_places(text: str) -> tuple[str, ...]:
    """Cached: an answer's rules ask it of the same question and passages several times, and
    the destination pattern is long (~0.6 ms an answer)."""
    found = []
    for m in DESTINATIONS.finditer(text):
        before = text[max(0, m.start() - 4) : m.start()]
        name = m.group(0)
        language = name.lower() in _LANGUAGES and _NOT_A_PLACE_BEFORE.search(before)
        if (before.lower().endswith("new ") and name.lower() in ("mexico", "york", "jersey")) or (
            language
            or _NOT_A_PLACE_AFTER.match(text, m.end())
            or _US_STATE_AFTER.match(text, m.end())
        ):
            continue
        found.append(country_of(name))
    return tuple(found)


def domestic(text: str) -> bool:
    """Whether the text names a place in the United States and no destination outside it."""
    return bool(_US_PLACE.search(text)) and not foreign_places(text) and not embargoes_named(text)


# Russia's largest cities and ports besides Moscow, as questions name them
RUSSIAN_CITIES = (
    "saint petersburg",
    "st. petersburg",
    "st petersburg",
    "novosibirsk",
    "yekaterinburg",
    "kazan",
    "nizhny novgorod",
    "chelyabinsk",
    "krasnoyarsk",
    "samara",
    "rostov-on-don",
    "omsk",
    "krasnodar",
    "voronezh",
    "volgograd",
    "vladivostok",
    "murmansk",
    "kaliningrad",
)
# Destinations under an embargo or special controls in part 746, and the section for each.
EMBARGOES: dict[str, tuple[str, str]] = {
    "cuba": ("746.2", "Cuba"),
    "cuban": ("746.2", "Cuba"),
    "iran": ("746.7", "Iran"),
    "iranian": ("746.7", "Iran"),
    "north korea": ("746.4", "North Korea"),
    "dprk": ("746.4", "North Korea"),
    "n. korea": ("746.4", "North Korea"),
    "n korea": ("746.4", "North Korea"),
    "syria": ("746.9", "Syria"),
    "syrian": ("746.9", "Syria"),
    "russia": ("746.8", "Russia"),
    "russian": ("746.8", "Russia"),
    "belarus": ("746.8", "Belarus"),
    "crimea": ("746.6", "the Crimea region of Ukraine"),
    "donetsk": ("746.6", "the covered regions of Ukraine"),
    "luhansk": ("746.6", "the covered regions of Ukraine"),
    "lugansk": ("746.6", "the covered regions of Ukraine"),
    "syrian arab republic": ("746.9", "Syria"),
    # their people and capitals, as questions name them
    "north korean": ("746.4", "North Korea"),
    "pyongyang": ("746.4", "North Korea"),
    "havana": ("746.2", "Cuba"),
    "tehran": ("746.7", "Iran"),
    "damascus": ("746.9", "Syria"),
    "moscow": ("746.8", "Russia"),
    # Russia's largest cities and ports, as questions name them ("a plant in Yekaterinburg")
    **dict.fromkeys(RUSSIAN_CITIES, ("746.8", "Russia")),
    "belarusian": ("746.8", "Belarus"),
    "minsk": ("746.8", "Belarus"),
    "sevastopol": ("746.6", "the Crimea region of Ukraine"),
    "simferopol": ("746.6", "the Crimea region of Ukraine"),
    "yalta": ("746.6", "the Crimea region of Ukraine"),
    "kerch": ("746.6", "the Crimea region of Ukraine"),
    # the other embargoed countries' larger cities and ports
    **dict.fromkeys(["aleppo", "homs", "latakia", "tartus"], ("746.9", "Syria")),
    **dict.fromkeys(["isfahan", "shiraz", "mashhad", "tabriz", "bandar abbas"], ("746.7", "Iran")),
    **dict.fromkeys(["gomel", "vitebsk", "grodno", "mogilev"], ("746.8", "Belarus")),
    # the people themselves ("to help ordinary Cubans get online"), as "Cuban nationals" is
    "cubans": ("746.2", "Cuba"),
    "iranians": ("746.7", "Iran"),
    "syrians": ("746.9", "Syria"),
    "north koreans": ("746.4", "North Korea"),
    "russians": ("746.8", "Russia"),
    "belarusians": ("746.8", "Belarus"),
}

# Every name of an embargoed place as a word, longest first ("syrian arab republic" before
# "syrian"): one pass over a text instead of one search per name.
_EMBARGO_NAMES = re.compile(
    r"\b(?:" + "|".join(re.escape(n) for n in sorted(EMBARGOES, key=len, reverse=True)) + r")\b"
)


def embargoes_named(text: str) -> list[str]:
    """The names of embargoed places the text uses (lower case, as EMBARGOES keys them)."""
    return _EMBARGO_NAMES.findall(text.lower())


# Other destinations, only to tell whether the question names one (with the names the country
# map below adds: `DESTINATIONS`).
_LISTED_DESTINATIONS = re.compile(
    r"\b(?:china|chinese|hong kong|macau|india|japan|korea|taiwan|singapore|malaysia|vietnam|"
    r"thailand|indonesia|philippines|pakistan|afghanistan|iraq|israel|saudi|uae|dubai|emirates|"
    r"qatar|turkey|egypt|germany|german|france|french|uk|britain|british|london|canada|mexico|"
    r"brazil|argentina|australia|ukraine|kazakhstan|venezuela|nicaragua|myanmar|burma|cambodia|"
    r"laos|mongolia|europe|eu|abroad|overseas|worldwide|foreign|"
    # the rest of the world's larger trading partners, as questions name them
    r"spain|italy|netherlands|holland|belgium|switzerland|austria|sweden|norway|denmark|"
    r"finland|poland|czech(?:ia| republic)?|hungary|romania|greece|portugal|ireland|"
    r"united kingdom|england|scotland|new zealand|south africa|nigeria|kenya|morocco|"
    r"algeria|tunisia|ethiopia|ghana|chile|colombia|peru|ecuador|uruguay|paraguay|bolivia|"
    r"costa rica|panama|jamaica|bangladesh|sri lanka|nepal|oman|kuwait|bahrain|jordan|"
    r"lebanon|armenia|azerbaijan|uzbekistan|kyrgyzstan|tajikistan|turkmenistan|"
    r"serbia|bulgaria|croatia|slovakia|slovenia|estonia|latvia|lithuania|iceland|luxembourg|"
    r"cyprus|malta|tokyo|seoul|shanghai|beijing|shenzhen|mumbai|delhi|bangalore|paris|"
    r"berlin|munich|frankfurt|madrid|rome|milan|amsterdam|zurich|geneva|stockholm|warsaw|"
    r"toronto|vancouver|montreal|sydney|melbourne|sao paulo|mexico city|istanbul|riyadh|"
    r"doha|abu dhabi|cairo|lagos|nairobi|johannesburg|jakarta|manila|bangkok|hanoi|"
    r"kuala lumpur|karachi|lahore|islamabad|faisalabad|rawalpindi|tel aviv|"
    r"kyiv|kiev|lviv|odesa|odessa|kharkiv|dnipro|"
    # Chinese cities that Entity List entries name (a lower-case "to wuhan" is a place)
    r"wuhan|tianjin|chengdu|guangzhou|hangzhou|nanjing|chongqing|harbin|dalian|hefei|"
    r"changsha|qingdao|suzhou|xiamen|shenyang|xi'an|wuxi|ningbo|dongguan|zhuhai|foshan|"
    r"zhengzhou|jinan|kunming|fuzhou|urumqi|mianyang|"
    # and its provinces
    r"henan|zhejiang|jiangsu|guangdong|sichuan|hubei|hunan|shandong|fujian|anhui|xinjiang|"
    r"tibet|yunnan|liaoning|shaanxi|hebei|jilin|heilongjiang|guangxi|guizhou|jiangxi|shanxi|"
    r"gansu|hainan|"
    r"united arab emirates|"
    # the countries under United Nations arms embargoes (746.1(b)(2)) and their neighbours
    r"libya|sudan|south sudan|somalia|eritrea|central african republic|"
    r"democratic republic of the congo|congo|drc|yemen|zimbabwe|mali|"
    # the people of the larger ones ("a Pakistani telecom company" names the destination)
    r"pakistani|indian|japanese|korean|taiwanese|singaporean|malaysian|vietnamese|thai|"
    r"indonesian|filipino|israeli|emirati|turkish|egyptian|canadian|mexican|brazilian|"
    r"australian|ukrainian|italian|spanish|dutch|swiss|swedish|polish|saudi arabian|"
    r"colombian|chilean|peruvian|argentinian|argentine|nigerian|kenyan|moroccan|kazakh|"
    r"philippine|bangladeshi|greek|portuguese|norwegian|danish|finnish|irish|belgian|"
    r"austrian|hungarian|romanian|qatari|kuwaiti|jordanian|lebanese|omani|bahraini|"
    r"algerian|tunisian|ethiopian|ghanaian|ecuadorian|mongolian|nepalese|"
    r"kazakhstani|uzbek|armenian|azerbaijani|georgian|serbian|bulgarian|libyan|sudanese|"
    r"somali|eritrean|congolese|yemeni)\b",
    re.I,
)


# The country a people, city or province DESTINATIONS matches belongs to, so "a Canadian
# retailer in Toronto" names one country, not two, and a line can name the country ("Shanghai"
# is China). Names not here are countries themselves (or vague: "abroad").
_COUNTRY_OF: dict[str, str] = {
    **dict.fromkeys(
        [
            "china",
            "chinese",
            "hong kong",
            "macau",
            "shanghai",
            "beijing",
            "shenzhen",
            "wuhan",
            "tianjin",
            "chengdu",
            "guangzhou",
            "hangzhou",
            "nanjing",
            "chongqing",
            "harbin",
            "dalian",
            "hefei",
            "changsha",
            "qingdao",
            "suzhou",
            "xiamen",
            "shenyang",
            "xi'an",
            "wuxi",
            "ningbo",
            "dongguan",
            "zhuhai",
            "foshan",
            "zhengzhou",
            "jinan",
            "kunming",
            "fuzhou",
            "urumqi",
            "mianyang",
            "henan",
            "zhejiang",
            "jiangsu",
            "guangdong",
            "sichuan",
            "hubei",
            "hunan",
            "shandong",
            "fujian",
            "anhui",
            "xinjiang",
            "tibet",
            "yunnan",
            "liaoning",
            "shaanxi",
            "hebei",
            "jilin",
            "heilongjiang",
            "guangxi",
            "guizhou",
            "jiangxi",
            "shanxi",
            "gansu",
            "hainan",
        ],
        "China",
    ),  # fmt: skip
    "prc": "China",
    "people's liberation army": "China",
    **dict.fromkeys(["burma", "myanmar", "burmese", "yangon", "rangoon", "naypyidaw"], "Burma"),
    **dict.fromkeys(["cambodia", "cambodian", "phnom penh"], "Cambodia"),
    **dict.fromkeys(["nicaragua", "nicaraguan", "managua"], "Nicaragua"),
    **dict.fromkeys(["venezuela", "venezuelan", "caracas"], "Venezuela"),
    **dict.fromkeys(["belarus", "belarusian", "belarusians", "minsk"], "Belarus"),
    **dict.fromkeys(
        ["russia", "russian", "russians", "moscow", *RUSSIAN_CITIES],
        "Russia",
    ),
    **dict.fromkeys(["india", "indian", "mumbai", "delhi", "bangalore"], "India"),
    **dict.fromkeys(["japan", "japanese", "tokyo"], "Japan"),
    **dict.fromkeys(["korea", "korean", "seoul"], "Korea"),
    **dict.fromkeys(["taiwan", "taiwanese"], "Taiwan"),
    **dict.fromkeys(["singapore", "singaporean"], "Singapore"),
    **dict.fromkeys(["malaysia", "malaysian", "kuala lumpur"], "Malaysia"),
    **dict.fromkeys(["vietnam", "vietnamese", "hanoi"], "Vietnam"),
    **dict.fromkeys(["thailand", "thai", "bangkok"], "Thailand"),
    **dict.fromkeys(["indonesia", "indonesian", "jakarta"], "Indonesia"),
    **dict.fromkeys(["philippines", "filipino", "manila"], "the Philippines"),
    **dict.fromkeys(
        ["pakistan", "pakistani", "karachi", "lahore", "islamabad", "faisalabad", "rawalpindi"],
        "Pakistan",
    ),
    **dict.fromkeys(["israel", "israeli", "tel aviv"], "Israel"),
    **dict.fromkeys(
        ["uae", "dubai", "emirates", "emirati", "abu dhabi", "united arab emirates"],
        "the United Arab Emirates",
    ),
    **dict.fromkeys(["saudi", "saudi arabian", "riyadh"], "Saudi Arabia"),
    **dict.fromkeys(["qatar", "doha"], "Qatar"),
    **dict.fromkeys(["turkey", "turkish", "istanbul"], "Turkey"),
    **dict.fromkeys(["egypt", "egyptian", "cairo"], "Egypt"),
    **dict.fromkeys(["germany", "german", "berlin", "munich", "frankfurt"], "Germany"),
    **dict.fromkeys(["france", "french", "paris"], "France"),
    **dict.fromkeys(
        ["uk", "britain", "british", "london", "united kingdom", "england", "scotland"],
        "the United Kingdom",
    ),
    **dict.fromkeys(["canada", "canadian", "toronto", "vancouver", "montreal"], "Canada"),
    **dict.fromkeys(["mexico", "mexican", "mexico city"], "Mexico"),
    **dict.fromkeys(["brazil", "brazilian", "sao paulo"], "Brazil"),
    **dict.fromkeys(["australia", "australian", "sydney", "melbourne"], "Australia"),
    **dict.fromkeys(
        ["ukraine", "ukrainian", "kyiv", "kiev", "lviv", "odesa", "odessa", "kharkiv", "dnipro"],
        "Ukraine",
    ),
    **dict.fromkeys(["italy", "italian", "rome", "milan"], "Italy"),
    **dict.fromkeys(["spain", "spanish", "madrid"], "Spain"),
    **dict.fromkeys(["netherlands", "holland", "dutch", "amsterdam"], "the Netherlands"),
    **dict.fromkeys(["switzerland", "swiss", "zurich", "geneva"], "Switzerland"),
    **dict.fromkeys(["sweden", "swedish", "stockholm"], "Sweden"),
    **dict.fromkeys(["poland", "polish", "warsaw"], "Poland"),
    **dict.fromkeys(["nigeria", "lagos"], "Nigeria"),
    **dict.fromkeys(["kenya", "nairobi"], "Kenya"),
    **dict.fromkeys(["south africa", "johannesburg"], "South Africa"),
    **dict.fromkeys(["czech", "czechia", "czech republic"], "the Czech Republic"),
    **dict.fromkeys(["colombia", "colombian"], "Colombia"),
    **dict.fromkeys(["chile", "chilean"], "Chile"),
    **dict.fromkeys(["peru", "peruvian"], "Peru"),
    **dict.fromkeys(["argentina", "argentinian", "argentine"], "Argentina"),
    **dict.fromkeys(["nigerian"], "Nigeria"),
    **dict.fromkeys(["kenyan"], "Kenya"),
    **dict.fromkeys(["morocco", "moroccan"], "Morocco"),
    **dict.fromkeys(["kazakhstan", "kazakh", "kazakhstani"], "Kazakhstan"),
    **dict.fromkeys(["philippine"], "the Philippines"),
    **dict.fromkeys(["bangladesh", "bangladeshi"], "Bangladesh"),
    **dict.fromkeys(["greece", "greek"], "Greece"),
    **dict.fromkeys(["portugal", "portuguese"], "Portugal"),
    **dict.fromkeys(["norway", "norwegian"], "Norway"),
    **dict.fromkeys(["denmark", "danish"], "Denmark"),
    **dict.fromkeys(["finland", "finnish"], "Finland"),
    **dict.fromkeys(["ireland", "irish"], "Ireland"),
    **dict.fromkeys(["belgium", "belgian"], "Belgium"),
    **dict.fromkeys(["austria", "austrian"], "Austria"),
    **dict.fromkeys(["hungary", "hungarian"], "Hungary"),
    **dict.fromkeys(["romania", "romanian"], "Romania"),
    **dict.fromkeys(["qatari"], "Qatar"),
    **dict.fromkeys(["kuwait", "kuwaiti"], "Kuwait"),
    **dict.fromkeys(["jordan", "jordanian"], "Jordan"),
    **dict.fromkeys(["lebanon", "lebanese"], "Lebanon"),
    **dict.fromkeys(["oman", "omani"], "Oman"),
    **dict.fromkeys(["bahrain", "bahraini"], "Bahrain"),
    **dict.fromkeys(["algeria", "algerian"], "Algeria"),
    **dict.fromkeys(["tunisia", "tunisian"], "Tunisia"),
    **dict.fromkeys(["ethiopia", "ethiopian"], "Ethiopia"),
    **dict.fromkeys(["ghana", "ghanaian"], "Ghana"),
    **dict.fromkeys(["ecuador", "ecuadorian"], "Ecuador"),
    **dict.fromkeys(["mongolia", "mongolian"], "Mongolia"),
    **dict.fromkeys(["nepal", "nepalese"], "Nepal"),
    **dict.fromkeys(["uzbekistan", "uzbek"], "Uzbekistan"),
    **dict.fromkeys(["armenia", "armenian"], "Armenia"),
    **dict.fromkeys(["azerbaijan", "azerbaijani"], "Azerbaijan"),
    **dict.fromkeys(["serbia", "serbian"], "Serbia"),
    **dict.fromkeys(["bulgaria", "bulgarian"], "Bulgaria"),
}


# ... and every other name the map knows that is no embargoed place ("a Venezuelan airline",
# "a buyer in Caracas", "the PRC"): a name the map gives a country is never missed as one
_KNOWN_ONLY_HERE = sorted(
    (n for n in _COUNTRY_OF if not _LISTED_DESTINATIONS.fullmatch(n) and not embargoes_named(n)),
    key=len,
    reverse=True,
)
DESTINATIONS = re.compile(
    rf"{_LISTED_DESTINATIONS.pattern}|\b(?:{'|'.join(map(re.escape, _KNOWN_ONLY_HERE))})\b",
    re.I,
)


def country_of(name: str) -> str:
    """The country a place name DESTINATIONS matched stands for ("Shenzhen", "Chinese" are
    China); a name not listed is its own country, written as the question wrote it."""
    return _COUNTRY_OF.get(name.lower(), name)


def names_of(country: str) -> tuple[str, ...]:
    """Every name `country_of` knows for a country ("China": "chinese", "shenzhen", ...), in
    lower case, the country's own first."""
    own = country.lower()
    return (own, *(n for n, c in _COUNTRY_OF.items() if c.lower() == own and n != own))


def names_a_place(name: str) -> bool:
    """Whether `name` ("Nicaragua", "Dubai", "North Korea") is a destination the rules reach
    through country groups and part 746, so a passage about its rule need not write it."""
    return bool(DESTINATIONS.fullmatch(name)) or name.lower() in EMBARGOES


def _to_a_place(text: str) -> bool:
    """Whether an item goes "to" or "into" a named destination ("an export licence for
    smartphones to Russia"): the export without its verb. Not a document's destination ("a
    PRC End-User Statement for a licence application to China")."""
    lowered = text.lower()
    ends = [
        m.end()
        for m in re.finditer(
            r"\b(?:for|of)\s+((?:[\w-]+\s+){1,4}?)(?:to|into)\s+(?:the\s+)?", lowered
        )
        if not re.search(r"licen[cs]|applica|request|statement|form|filing", m.group(1))
    ]
    ends += [m.end() for m in _BOUND_FOR.finditer(lowered)]
    return any(
        DESTINATIONS.match(lowered, at)
        or any(re.match(rf"{re.escape(name)}\b", lowered[at:]) for name in EMBARGOES)
        for at in ends
    )


# Goods on their way somewhere, without a verb of exporting: "tractor parts for North Korea",
# "EAR99 office chairs going to Cuba", "a shipment bound for Syria".
_BOUND_FOR = re.compile(
    r"\b(?:(?:items?|goods|products?|parts|spares|equipment|machines?|machinery|components?|"
    r"devices?|shipments?|orders?|consignments?|cargo|units?|commodit(?:y|ies))\s+"
    r"(?:(?:going|bound|destined|headed|shipped|sent)\s+)?(?:for|to)"
    r"|(?:going|bound|destined|headed)\s+(?:to|for))\s+(?:the\s+)?"
)


# "Do we need a licence for EAR99 items?": a licence for items is one to send them; "Do we need
# a licence for Huawei?", one to deal with the party (or the place) it names.
_LICENCE_FOR = re.compile(
    r"\b(?:need|needs|needed|require[sd]?|required)\s+(?:an?\s+)?licen[cs]es?\s+for\s+"
    r"(?:(?:(?:the|our|these|those|such|any|all|EAR99|[\w-]+)\s+){0,3}?"
    r"(?:items?|goods|products?|parts|equipment|software|technology|commodit(?:y|ies))\b"
    r"|(?-i:[A-Z][\w&.-]+)(?:\s*\?|\s*$))",
    re.I,
)


def about_an_export(question: str) -> bool:
    """Whether the question asks about doing something the EAR governs (exporting, shipping,
    selling, releasing, taking abroad, publishing, using an exception ...) rather than about
    screening practice, how long an order lasts, or only importing or buying: "an export
    licence" names a licence, not an export."""
    acts = _EXPORT_LICENCE.sub(" ", question)
    if not _TRANSACTION.search(acts) and not _to_a_place(acts) and not _LICENCE_FOR.search(acts):
        return False
    return not _IMPORT.search(acts) or bool(
        re.search(
            r"\b(?:export|re-?export|ship|(?:re-?)?sell(?!\w*\s+(?:to\s+)?(?-i:us)\b)|send)",
            acts,
            re.I,
        )
    )


# Who receives the item, as people name them: "to a retailer in Brazil", "for a bank in
# Singapore", "our usual customer", "the University of Idaho", "EDF". A question that names one
# has given the end user, whatever else it leaves out.
_RECEIVER_NOUNS = (
    r"customers?|clients?|buyers?|purchasers?|consignees?|end[- ]users?|users?|consumers?|"
    r"distributors?|resellers?|retailers?|dealers?|wholesalers?|importers?|agents?|"
    r"compan(?:y|ies)|firms?|business(?:es)?|corporations?|startups?|manufacturers?|makers?|"
    r"suppliers?|contractors?|integrators?|operators?|carriers?|airlines?|utilit(?:y|ies)|"
    r"banks?|insurers?|retail chain|shops?|stores?|hotels?|restaurants?|farms?|factor(?:y|ies)|"
    r"plants?|mills?|mines?|refiner(?:y|ies)|laborator(?:y|ies)|labs?|universit(?:y|ies)|"
    r"schools?|colleges?|institutes?|hospitals?|clinics?|charit(?:y|ies)|ngos?|"
    r"governments?|ministr(?:y|ies)|agenc(?:y|ies)|departments?|army|navy|air force|military|"
    r"police|embassy|subsidiar(?:y|ies)|affiliates?|branch(?:es)?|offices?|partners?|"
    r"individuals?|persons?|people|researchers?|engineers?|employees?|staff|students?|nationals?"
)
# Words between the article and the noun describe it ("a large German retailer", "a shipping
# company"); an article there means the phrase has moved on ("for a shipment leaving our Texas
# plant").
_MODIFIER = r"(?!(?:an?|the|our|their|its)\b)[\w'’-]+"
_DETERMINER = r"(?:an?|the|this|that|one|some|several|two|three|many|our|their|its|his|her)"
_NAMES_RECEIVER = re.compile(
    # "to a retailer in Brazil", "to our office in Pakistan", "to users in Crimea"
    rf"\bto\s+(?:{_DETERMINER}\s+(?:{_MODIFIER}\s+){{0,3}})?(?:{_RECEIVER_NOUNS})\b"
    # "for a bank in Singapore" (not "for our company": whose behalf, not who receives)
    rf"|\bfor\s+(?:an?|the|one|some|several)\s+(?:{_MODIFIER}\s+){{0,3}}(?:{_RECEIVER_NOUNS})\b"
    # "A hospital in Brazil needs ...", "the clinic at Kharkiv" (not "from the plant in Texas")
    rf"|(?<!\bfrom\s)\b(?:an?|the)\s+(?:{_MODIFIER}\s+){{0,3}}(?:{_RECEIVER_NOUNS})\s+"
    r"(?:in|at|based\s+in|located\s+in)\s+(?-i:[A-Z])"
    # "to Acme GmbH", "to Siemens AG": a company by its legal form
    r"|\bto\s+(?:(?-i:[A-Z])[\w&.'’-]*\s+){1,4}(?-i:GmbH|Ltd|Limited|Inc|LLC|Corp|Corporation|"
    r"Co|AG|SA|S\.A\.|BV|B\.V\.|NV|PLC|plc|Pte|KK|SpA|SAS|Oy|AB|LLP)\b",
    re.I,
)
# What the item will be used for: "to be used for", "for use in", "to maintain", "for the
# cooling system of", "that builds UAVs", "for a calibration project", and the sensitive end
# uses part 744 names ("a nuclear plant", "military end use"). Not how a question talks about
# the deal itself ("required for the export of", "an exception we can use for it", "for EAR
# purposes", "for a licence application"), nor an item's own description ("military-grade",
# "chemical sensors"), nor an end use the question says it does not know.
_NAMES_END_USE = re.compile(
    r"\bused\s+(?:for|in|to|by|as|on|only|without|solely|exclusively)\b|"
    r"\bfor\s+use\s+(?:in|by|with|on|as|at)\b|"
    r"\b(?:to|will|would)\s+(?:maintain|build|manufacture|produce|develop|design|operate|run|"
    r"equip|power|cool|monitor|train|mine|repair|service)\w*\b|"
    r"\b(?:that|which|who)\s+(?:build|make|manufacture|produce|develop|design|operate|run)s?\b|"
    r"\bfor\s+(?:the|its|their)\s+(?!(?:export|re-?export|shipment|sale|transfer|release|"
    r"delivery|purpose|purposes|application|filing)\b)[\w-]+(?:\s+[\w-]+)?\s+(?:of|at|in)\b|"
    rf"\bfor\s+(?:an?\s+|the\s+)?(?:{_MODIFIER}\s+){{0,3}}(?:projects?|programm?es?|research|"
    r"production|development|testing|demonstrations?|exhibitions?|repairs?|servicing|"
    r"calibration|maintenance|training|installation)\b|"
    r"\b(?:military|nuclear|missile|weapons?|chemical\s+weapons?|biological\s+weapons?|"
    r"intelligence)[- ](?:end[- ]uses?|end[- ]users?|uses?|applications?|programs?|purposes?|"
    r"facilit(?:y|ies)|plants?|reactors?|sites?|units?|forces?|projects?)\b|"
    r"\bfor\s+(?:military|nuclear|missile|weapons|intelligence)\b|"
    # a receiver whose use goes without saying: "to the Russian army" (not "Swiss Army knives")
    r"\b(?:to|for)\s+(?:the\s+|an?\s+|its\s+|their\s+)?(?:[\w-]+\s+){0,2}(?:army|navy|"
    r"air\s+force|armed\s+forces|ministry\s+of\s+defen[cs]e)\b|"
    r"\bend[- ]uses?\b|"
    # civil uses: "for oil refining", "for civil aviation", "incorporated into consumer phones"
    r"\bfor\s+(?!(?:an?|the|our|their|its)\b)(?:[\w-]+\s+)?(?!(?:export|re-?export|ship|sell|"
    r"send|transferr|releas|deliver|process|licens|fil|apply|obtain|gett|us|mak)\w*ing\b)"
    r"[\w-]+ing\b|"
    r"\bfor\s+(?:civil(?:ian)?|commercial|consumer|medical|academic|industrial|agricultural|"
    r"personal|internal|humanitarian|evaluation|customer\s+evaluation)\b|"
    r"\b(?:incorporated|built|integrated|installed|go(?:es)?|going)\s+into\b",
    re.I,
)


def names_end_user(question: str) -> bool:
    """Whether the question says who receives the item ("to a retailer in Brazil")."""
    return bool(_NAMES_RECEIVER.search(question))


def names_end_use(question: str) -> bool:
    """Whether the question says what the item is for ("to maintain a research reactor"), in
    a clause that does not deny knowing it ("we don't know the end use")."""
    # (the negation before the mention, not inside it: "used without military use" states one)
    return any(not negated(question, m.start()) for m in _NAMES_END_USE.finditer(question))


# Buying or importing ("can we buy it?", "a supplier sells to us", "we import ..."), not an
# importer as a party ("our importer in India"), "important", or an import certificate.
_BUYING = re.compile(
    r"\b(?:import|imports|imported|importing)\b(?!\s+(?:certificates?|country|countries))"
    r"|\bbuy(?:s|ing)?\b|\bbought\b|\bpurchas\w*|\bsells?\s+(?:to\s+)?us\b",
    re.I,
)
# Anything going out, or the EAR's own things: then the question is about the EAR however it
# also buys ("We purchased 3A001 chips; can we transfer them to our affiliate in China?").
_OUTBOUND = re.compile(
    r"\b(?:export\w*|re-?export\w*|ship\w*|(?:re-?)?sell(?!s?\s+(?:to\s+)?us\b)\w*|send\w*|"
    r"transfer\w*|releas\w*|deliver\w*|provid\w*|suppl(?:y|ies|ying)\b|hand\w*\s+\w+\s+over|"
    r"hand\w*\s+over|giv\w*|donat\w*|shar\w*|publish\w*|post\w*|upload\w*|access\w*|take|"
    r"taking|carry\w*|travel\w*|servic\w*|repair\w*|return\w*|receiv\w*|certificates?|"
    r"consignees?|technology|technical|source\s+code|deemed|abroad|overseas|re-?import\w*|"
    # a boycott request is part 760's, whatever was bought
    r"boycott\w*|"
    # someone buying what is ours: "wants to buy 300 of our rack servers", "buy from us"
    r"(?:buy|purchas)\w*\s+(?:[\w,$-]+\s+){0,4}?(?:of\s+)?(?:our|from\s+us)|mail\w*)\b",
    re.I,
)


def only_imports(question: str) -> bool:
    """Whether the question is only about buying or importing ("A Russian supplier wants to
    sell us titanium sheet; can we buy it?"): nothing in it goes out or is the EAR's own."""
    return bool(_BUYING.search(question)) and not _OUTBOUND.search(question)

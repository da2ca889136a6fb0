"""Where the military end-use rule reaches (15 CFR 744.21(a)), and cameras for any military
end-user (15 CFR 744.9), read from the sections' own sentences."""

from __future__ import annotations

import pytest

from assistant.answering.determination import determine
from assistant.answering.end_use_places import only_places_outside, reach
from tests.support.passages import ChunkLookup
from tests.support.passages import regulation_passage as _p

MEU_A1 = (
    "( 1 ) Any item subject to the EAR listed in supplement no. 2 to this part without a license "
    "if, at the time of the export, reexport, or transfer (in-country), you have knowledge that "
    "the item is intended, entirely or in part, for a 'military end use,' as defined in "
    "paragraph (f) of this section, in Burma, Cambodia, the People's Republic of China (China), "
    "Nicaragua, or Venezuela, or a Burmese, Cambodian, Chinese, Nicaraguan, or Venezuelan "
    "'military end user,' as defined in paragraph (g) of this section, wherever located. "
    "'Military end users' located outside of Burma, Cambodia, China, Nicaragua, or Venezuela "
    "are limited to entities identified on the 'Military End-User' (MEU) List under supplement "
    "no. 7 to this part."
)
MEU_A2 = (
    "( 2 ) Any item subject to the EAR without a license if you have knowledge that the item is "
    "intended for a 'military end use' in Belarus or Russia, or a Belarusian or Russian "
    "'military end user,' wherever located. Belarusian or Russian 'military end users' located "
    "outside of Belarus or Russia are limited to entities identified on the Entity List under "
    "supplement no. 4 to this part with a footnote 3 designation and a reference to this section."
)
MEU_A = (
    "( a ) General prohibition. In addition to the license requirements for items specified on "
    "the Commerce Control List (CCL), you may not export, reexport, or transfer (in-country):"
)
CAMERA_A = (
    "( i ) Commodities controlled by ECCN 6A003.a.3, 6A003.a.4, or 6A003.a.6 will be or are "
    "intended to be used by a 'military end-user,' as defined in paragraph (d) of this section "
    "in all destinations except Australia, Canada, or the United Kingdom. ( ii ) Commodities "
    "described in ECCNs 0A504, 6A002, 6A003 (other than 6A003.a.3, 6A003.a.4, and 6A003.a.6), "
    "or 6A993.a, or 8A002.d will be or are intended to be used by a 'military end-user,' as "
    "defined in paragraph (d) of this section in all destinations except those specified in "
    "Country Group A:1."
)
CAMERA_E = (
    "( e ) Exception. Shipments subject to the prohibitions in paragraphs (a) and (b) of this "
    "section that are consigned to and for the official use of the U.S. Government may be made "
    "under License Exception GOV. No other license exceptions apply."
)
IRAN = "( a ) License requirements. A license is required to export any item to Iran."


LOOKUP = ChunkLookup(
    [
        _p(1, "15 CFR 744.21(a)", MEU_A),
        _p(2, "15 CFR 744.21(a)(1)", MEU_A1),
        _p(3, "15 CFR 744.21(a)(2)", MEU_A2),
        _p(4, "15 CFR 744.9(a)(1)", CAMERA_A),
        _p(5, "15 CFR 744.9(e)", CAMERA_E),
        _p(6, "15 CFR 746.7(a)", IRAN),
    ]
)


def test_the_countries_and_the_list_are_read_from_the_sentence() -> None:
    found = reach(MEU_A1)
    assert found is not None
    assert found.countries == ("Burma", "Cambodia", "China", "Nicaragua", "Venezuela")
    assert found.listing == "'Military End-User' (MEU) List"
    assert reach("A license is required for all items.") is None


@pytest.mark.parametrize(
    ("text", "outside"),
    [
        ("the Indian army", True),
        ("a distributor in Indonesia that resells to a military end user", True),
        ("a Chinese army unit in Pakistan", False),  # its people: 744.21 reaches it
        ("the Myanmar army", False),  # Burma by its other name
        ("a military end user in Shenzhen", False),
        ("a military end user abroad", False),  # no destination: it stays open
        ("the Iranian military", False),  # part 746 decides
        ("a military end user", False),
    ],
)
def test_only_places_the_rule_does_not_name_are_outside(text: str, outside: bool) -> None:
    countries = ("Burma", "Cambodia", "China", "Nicaragua", "Venezuela", "Belarus", "Russia")
    assert only_places_outside(text, countries) is outside


def test_a_military_end_user_outside_the_named_countries_depends_on_the_lists() -> None:
    finding = determine(
        "Do we need a licence to sell EAR99 radios to the Indian army?", [], [], LOOKUP
    )
    assert finding is not None and "744.21" in finding.rule and finding.outcome == "depends"
    line = finding.lines[0]
    assert "only in Burma, Cambodia, China, Nicaragua, Venezuela, Belarus or Russia" in line.text
    assert finding.missing_facts == [
        "whether the end user is identified on the 'Military End-User' (MEU) List or the "
        "Entity List"
    ]
    # it rests on the general prohibition and both "located outside of" sentences
    assert [b.passage.citation for b in line.basis] == [
        "15 CFR 744.21(a)",
        "15 CFR 744.21(a)(1)",
        "15 CFR 744.21(a)(2)",
    ]
    for b in line.basis[1:]:
        assert "located outside of" in b.passage.text[b.start : b.end]


def test_outside_its_reach_the_rule_does_not_answer_a_question_about_something_else() -> None:
    # a licence held, a changed end user, and "must we tell BIS?": the lists are not what is
    # asked, and 744.21 does not reach Thailand without them
    question = (
        "Last month we got a BIS licence for a 2B001 machine for a Thai auto-parts maker. Now "
        "the machine will go to its sister plant, which makes parts for the Thai army. We "
        "haven't shipped. Do we have to tell BIS, or can we simply hold the shipment?"
    )
    finding = determine(question, [], [], LOOKUP)
    assert finding is None or "744.21" not in finding.rule
    # asked whether a licence is needed, the same facts keep the line
    asked = "Do we need a licence to sell a 2B001 machine to the Thai army?"
    finding = determine(asked, [], [], LOOKUP)
    assert finding is not None and "744.21" in finding.rule and finding.outcome == "depends"


@pytest.mark.parametrize(
    "question",
    [
        "We're a contractor to the US Air Force. Do we need a licence to ship test kits to our "
        "engineers at its base in Germany?",
        "Do we need a licence to send EAR99 radios to the U.S. Army in Germany?",
        "Can we ship EAR99 spares to a USAF facility in Japan?",
    ],
)
def test_the_united_states_own_forces_are_no_military_end_user(question: str) -> None:
    finding = determine(question, [], [], LOOKUP)
    assert finding is None or "744.21" not in finding.rule


def test_a_foreign_army_beside_a_us_one_is_still_a_military_end_user() -> None:
    question = (
        "We supply the US Army. Do we need a licence to sell EAR99 radios to the Indian army?"
    )
    finding = determine(question, [], [], LOOKUP)
    assert finding is not None and "744.21" in finding.rule


@pytest.mark.parametrize(
    "question",
    [
        # the forces of a country the rule names, as the buyer, not after "to" or "for"
        "The Nicaraguan Army wants our 9A991 aircraft parts. Can we ship under GBS?",
        # "any licence issue" asks whether a licence is needed; USAF beside it changes nothing
        "We're a contractor to the US Air Force, and a Shenzhen firm that supplies the PLA Air "
        "Force wants the same 9A991 navigation parts we make for USAF. Any licence issue for "
        "the Shenzhen sale?",
        # asked about EEI only, a sale to Burma's air force is still the rule's case
        "A Singapore distributor is buying our 5A991 transceivers for the Myanmar Air Force. Do "
        "we need to file EEI in AES?",
    ],
)
def test_a_named_countrys_forces_however_the_message_puts_them(question: str) -> None:
    finding = determine(question, [], [], LOOKUP)
    assert finding is not None and "744.21" in finding.rule, finding and finding.rule
    assert finding.missing_facts == ["whether the item is in supplement no. 2 to part 744"]


@pytest.mark.parametrize(
    "question",
    [
        "The Russian military history museum in Helsinki wants our EAR99 display cases. Can we "
        "ship them to Finland?",
        "A Swiss Army knife maker wants our EAR99 steel. Can we ship it to Switzerland?",
        "Our buyer in Shenzhen sells Chinese army surplus jackets. Can we ship EAR99 zippers?",
        # where a gift's recipient works is not who the gift is for
        "Our employee wants to mail a used 5A992.c laptop as a gift to her cousin, an "
        "accountant at the Russian Ministry of Defence. Can she use License Exception GFT?",
    ],
)
def test_words_that_only_look_like_a_countrys_forces(question: str) -> None:
    finding = determine(question, [], [], LOOKUP)
    assert finding is None or "744.21" not in finding.rule, finding.rule


@pytest.mark.parametrize(
    ("question", "rule", "missing"),
    [
        # a country the rule names, or its people: the item decides, as before
        (
            "Can we sell EAR99 trucks to the Chinese army unit in Pakistan?",
            "744.21",
            "whether the item is in supplement no. 2 to part 744",
        ),
        (
            "Can we ship EAR99 parts to a military end user in Venezuela?",
            "744.21",
            "whether the item is in supplement no. 2 to part 744",
        ),
        # an embargoed destination 744.21 does not name: part 746's rule, not 744.21's
        ("Can we sell EAR99 trucks to the Iranian military?", "746.7", None),
    ],
)
def test_the_named_countries_and_embargoes_keep_their_own_rule(
    question: str, rule: str, missing: str | None
) -> None:
    finding = determine(question, [], [], LOOKUP)
    assert finding is not None and rule in finding.rule, finding and finding.rule
    if missing is not None:
        assert finding.missing_facts == [missing]


def test_cameras_for_a_military_end_user_turn_on_their_eccn_wherever_they_go() -> None:
    question = "Do we need a licence to export thermal imaging cameras to the Indonesian military?"
    finding = determine(question, [], [], LOOKUP)
    assert finding is not None and "744.9" in finding.rule and finding.outcome == "depends"
    assert finding.missing_facts == ["the camera's ECCN (0A504, 6A002, 6A003, 6A993.a or 8A002.d)"]
    labels = {line.label: line for line in finding.lines}
    assert "only GOV" in labels["Licence exceptions"].text
    gov = labels["Licence exceptions"].basis[0]
    assert "License Exception GOV" in gov.passage.text[gov.start : gov.end]


@pytest.mark.parametrize(
    ("question", "outcome", "missing"),
    [
        ("Can we sell 6A003.a.3 cameras to the Brazilian army?", "yes", []),
        (
            "Can we sell 6A003 cameras to the Saudi army?",
            "depends",
            ["whether the destination is in Country Group A:1 (supplement no. 1 to part 740)"],
        ),
        (
            "Can we export night vision cameras to the national police of Indonesia?",
            "depends",
            ["the camera's ECCN (0A504, 6A002, 6A003, 6A993.a or 8A002.d)"],
        ),
    ],
)
def test_the_camera_rule_reads_the_eccn_and_counts_police_as_military_end_users(
    question: str, outcome: str, missing: list[str]
) -> None:
    finding = determine(question, [], [], LOOKUP)
    assert finding is not None and "744.9" in finding.rule
    assert (finding.outcome, finding.missing_facts) == (outcome, missing)


@pytest.mark.parametrize(
    "question",
    [
        "Can we sell EAR99 radios to the national police of Indonesia?",  # no camera
        "Can we export this non-military civilian drone camera to a farm in Turkey?",
        # from an attack on the first version: each got the camera rule wrongly
        "We sell security cameras. A city police department in Mexico wants 40 units.",
        "We sell thermal cameras to a mining company in Chile; they are not for police or "
        "military use. Do we need a license?",
        "Do we need a license to export 5A992 rugged tablets with built-in cameras to the "
        "Colombian army?",  # an ECCN 744.9 does not name
        "Do we need an export license to send thermal cameras to the Texas National Guard?",
        "Do we need a license to sell thermal cameras to the Iranian army?",  # part 746's
    ],
)
def test_no_camera_or_no_military_end_user_no_camera_rule(question: str) -> None:
    finding = determine(question, [], [], LOOKUP)
    assert finding is None or "744.9" not in finding.rule


def test_the_narrow_cameras_are_not_yes_for_the_countries_the_section_excepts() -> None:
    question = (
        "Do we need a license to ship 6A003.a.3 image intensifier tubes to the Canadian army?"
    )
    finding = determine(question, [], [], LOOKUP)
    assert finding is not None and "744.9" in finding.rule and finding.outcome == "depends"


@pytest.mark.parametrize(
    ("question", "end_use"),
    [
        # a shop, a colour, a brand: no military end user (from an attack)
        (
            "Do we need a license to ship EAR99 cotton t-shirts for Old Navy stores in Mexico?",
            False,
        ),
        (
            "Our order: navy blue work uniforms for a security company in Kenya. Licence?",
            False,
        ),
        (
            "Can we export knives of the Swiss Army line to a shop in Japan without a license?",
            False,
        ),
        (
            "Do we need a license to sell camping gear to a military surplus store in Canada?",
            False,
        ),
        # the U.S. Army at home: no export
        (
            "Do we need an export license to ship laptops to the US Army at Fort Hood, Texas?",
            False,
        ),
        # 744.21(g): the national guard, national police and coast guard are military end users
        ("Do we need a license to sell 4A994 laptops to the Venezuelan national guard?", True),
        ("Do we need a license to export 4A994 computers to the Philippine Coast Guard?", True),
    ],
)
def test_who_is_a_military_end_user_follows_744_21_g(question: str, end_use: bool) -> None:
    finding = determine(question, [], [], LOOKUP)
    fired = finding is not None and "744.21" in finding.rule
    assert fired is end_use, finding and finding.rule


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        # China only as where the boards were made, or a transit warehouse: outside the reach
        (
            "Can we export 4A994 computers to the Thai air force? The boards inside are made in "
            "China.",
            "whether the end user is identified on the 'Military End-User' (MEU) List or the "
            "Entity List",
        ),
        (
            "Do we need a license to ship 4A994 laptops for the Indian army through our Hong "
            "Kong warehouse?",
            "whether the end user is identified on the 'Military End-User' (MEU) List or the "
            "Entity List",
        ),
    ],
)
def test_a_country_named_only_as_origin_or_transit_is_not_where_the_end_use_is(
    question: str, missing: str
) -> None:
    finding = determine(question, [], [], LOOKUP)
    assert finding is not None and "744.21" in finding.rule
    assert finding.missing_facts == [missing]


def test_parts_for_pla_drones_are_a_military_end_use() -> None:
    question = (
        "A Chinese commercial aircraft maker wants an item listed in supplement no. 2 to part "
        "744. It's not on the Entity List, but our rep knows it makes structural parts for PLA "
        "drones. Licence needed?"
    )
    finding = determine(question, [], [], LOOKUP)
    assert finding is not None and "744.21" in finding.rule, finding and finding.rule
    # PLA the plastic is no army
    plastic = "Can we ship PLA filament and EAR99 3D printers to a school in Chengdu?"
    finding = determine(plastic, [], [], LOOKUP)
    assert finding is None or "744.21" not in finding.rule

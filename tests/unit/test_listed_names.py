"""Which listed name a question names as its party: whole names only, in a party's place.

The sentences are of the kind the corpus's Federal Register rules and press releases hold; the
questions are from an attack on the feature (286 questions: 66 false listings before, 0 after).
"""

from __future__ import annotations

import pytest

from assistant.answering.listed_names import named_party

HUAWEI = (
    "SUMMARY: On May 16, 2019, Huawei Technologies Co., Ltd. (Huawei) and sixty-eight of its "
    "non-U.S. affiliates were added to the Entity List."
)
KASPERSKY = (
    "The ERC determined to add AO Kaspersky Lab and OOO Kaspersky Group, under the destination "
    "of Russia, and Kaspersky Labs Limited, under the destination of the United Kingdom, to the "
    "Entity List."
)
SOPHGO = "The ERC determined to add Sophgo Technologies Ltd. to the Entity List."
IRAN = (
    "The ERC determined to add Mohammad Reza Rajabi, Pars Trading LLC and Asia Pacific Supply "
    "Chain Limited, under the destinations of Iran and the United Arab Emirates, to the Entity "
    "List, together with Wuxi Allied Innovative Technology Co., Ltd. (Wuxi)."
)
HARBIN = "The rule added Harbin Institute of Technology to the Entity List."
ROYAL = (
    "The ERC determined to add Royal Impact Trading L.L.C., under the destination of the UAE, "
    "to the Entity List."
)


FIRST_ADDED = (
    "“Allchips Limited,” first added to the Entity List on August 27, 2024 ( 89 FR 68548 ); "
    "“Harbin Institute of Technology,” first added to the Entity List on June 5, 2020."
)
AFTER_COLON = (
    "The ERC determined to add the following two entities to the Entity List: Analog Technology "
    "Limited, under the destinations of China and India, and Avrora India Marine Systems."
)
PARENTHETICAL = (
    "The ERC determined to add Sangon Biotech (Shanghai) Co., Ltd. and Arrow Electronics (Hong "
    "Kong) Limited, under the destination of China, to the Entity List."
)
UNITS = (
    "The ERC determined to add the Chinese Academy of Sciences, Institute of Physics, and the "
    "Aerospace Information Research Institute, Chinese Academy of Sciences, to the Entity List."
)
BACKGROUND = (
    "These entities supplied a Pakistan-based firm and China's navy with items listed on the "
    "CCL, in a Country Group D:5 destination, contrary to the Entity List's purposes."
)


@pytest.mark.parametrize(
    ("question", "sentence", "name"),
    [
        (
            "Can we ship oscilloscopes to the Harbin Institute of Technology?",
            FIRST_ADDED,
            "Harbin Institute of Technology",
        ),
        (
            "Can we sell components to Avrora India Marine Systems?",
            AFTER_COLON,
            "Avrora India Marine Systems",
        ),
        ("Can we ship test kits to Sangon Biotech?", PARENTHETICAL, "Sangon Biotech"),
        (
            "Do we need a licence to sell to Arrow Electronics in Hong Kong?",
            PARENTHETICAL,
            "Arrow Electronics",
        ),
        ("can we sell to royal impact trading in dubai?", ROYAL, "Royal Impact Trading"),
        ("Do we need a licence to sell routers to Huawei?", HUAWEI, "Huawei"),
        ("Can we ship laptops to huawei in China?", HUAWEI, "Huawei"),
        ("can huawei buy our laptops?", HUAWEI, "Huawei"),
        ("On Monday we ship routers to huawei — license needed?", HUAWEI, "Huawei"),
        ("Can we sell to HUAWEI TECHNOLOGIES in China?", HUAWEI, "Huawei Technologies"),
        ("Is it ok to ship to Huawei's German subsidiary?", HUAWEI, "Huawei"),
        (
            "Do we need a license to sell servers to Kaspersky Lab in Moscow?",
            KASPERSKY,
            "Kaspersky Lab",
        ),
        ("Can we sell to KASPERSKY in the UK?", KASPERSKY, "Kaspersky"),
        (
            "can we ship oscilloscopes to harbin institute of technology?",
            HARBIN,
            "Harbin Institute of Technology",
        ),
        ("Can we ship valves to Royal Impact Trading in the UAE?", ROYAL, "Royal Impact Trading"),
        # the brand with other trade words and a company form is the same company
        ("Can we sell servers to Huawei Technology Co., Ltd.?", HUAWEI, "Huawei"),
        ("Can we sell chips to Sophgo Technology Co.?", SOPHGO, "Sophgo"),
        # the longest name the question gives wins over the brand word inside it
        ("Can we ship routers to Kaspersky Labs Limited in London?", KASPERSKY, "Kaspersky Labs"),
        # a company form in brackets is one too, and is not shown as part of the name
        (
            "We service simulators for Blue Sky Aviation (Pty) Ltd. Do we need a licence?",
            "The ERC determined to add Ascenso Aviation; Blue Sky Aviation (Pty) Ltd.; and "
            "Wingman Concept (Pty) Ltd. under the destination of South Africa to the Entity List.",
            "Blue Sky Aviation",
        ),
    ],
)
def test_a_listed_party_named_whole_is_found(question: str, sentence: str, name: str) -> None:
    assert named_party(question, sentence, []) == name


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        # a first name inside a listed person's name
        ("Can we share drawings with Mohammad, our new hire from Jordan?", IRAN),
        # places, company forms and generic words
        ("Can we ship medical gloves to Dubai, United Arab Emirates?", IRAN),
        ("Do we need a license to export motors to Wuxi?", IRAN),
        ("do we need a license to ship sensors to wuxi?", IRAN),
        ("Can we sell pumps to an LLC in Texas that resells to Mexico?", IRAN),
        ("Can we ship pumps to allied forces in Pakistan?", IRAN),
        ("Can we sell water pumps to innovative startups in Pakistan?", IRAN),
        ("Can we sell to our Asia Pacific distributors?", IRAN),
        # the start of a longer name, or a longer name than the listed one
        (
            "Can we ship chips to the Chinese Academy of Sciences Institute of Physics?",
            "The rule added the Chinese Academy of Sciences, National Time Service Center, to the "
            "Entity List.",
        ),
        ("Can we sell sensors to Harbin Engineering Works?", HARBIN),
        # a longer name whose next word is an institute's, or not a trade word
        ("Can we sell chips to the Sophgo Research Institute Co.?", SOPHGO),
        ("Can we sell chips to Sophgo Cloud Ltd.?", SOPHGO),
        # a product's brand, a competitor, a supplier, a party said not to be involved
        ("Can we ship screens for Huawei phones to a repair shop in Kenya?", HUAWEI),
        (
            "Our competitor Huawei sells similar routers; do we need a license to ship ours to "
            "Germany?",
            HUAWEI,
        ),
        ("We buy modems from Huawei; do we need a licence to export our routers to Kenya?", HUAWEI),
        ("We confirmed Huawei isn't involved; can we ship routers to Kenya?", HUAWEI),
        (
            "huawei is our competitor, not our customer. do we need a license to ship routers to "
            "orange in france?",
            HUAWEI,
        ),
        (
            "Do we need a license to export to Canada if the chips were designed by Huawei's "
            "HiSilicon?",
            HUAWEI,
        ),
        ("can we sell huawei design software to a firm in egypt?", HUAWEI),
        # why other parties were listed, not a party of ours
        (
            "Several chip firms were listed over diversion risk to Huawei. What does their "
            "footnote mean for exports to them?",
            HUAWEI,
        ),
        # names a sentence does not add, a unit's parent, another place's namesake
        ("Can we sell to a Pakistan-based distributor?", BACKGROUND),
        ("Do we need a licence to sell servers to China's largest cloud provider?", BACKGROUND),
        ("Can we ship to a Country Group D:5 destination?", BACKGROUND),
        ("Do we need a licence to ship a microscope to the Chinese Academy of Sciences?", UNITS),
        ("Can we sell 3A991 microcontrollers to Arrow Electronics in Germany?", PARENTHETICAL),
        # colleagues, our own units, what we buy through a distributor
        (
            "Ms. Singleton from our Austin office needs to take a laptop to Suzhou. Licence?",
            "The ERC determined to add Singleton (Suzhou) Electronics Technology Co., Ltd. to the "
            "Entity List.",
        ),
        (
            "Our Future Technology group wants to share model weights with Beijing. Licence?",
            "The rule adds Future Technology to the Entity List.",
        ),
        (
            "Do we need a licence to export slurry pumps to resource enterprises in Pakistan?",
            "The rule adds Resource Enterprises to the Entity List.",
        ),
        (
            "Do we need a licence for gyro technology exports to a drone maker in China?",
            "The rule adds Gyro Technology Co., Ltd. to the Entity List.",
        ),
        (
            "Our main competitor, Sugon, sells servers too. Can we ship ours to Kenya?",
            "The rule adds Sugon to the Entity List.",
        ),
        ("Huawei has nothing to do with this deal. Can we ship routers to Kenya?", HUAWEI),
        # a third attack: a product being replaced, an institute's first word, a brand elsewhere
        (
            "We are replacing Kaspersky with another antivirus before shipping laptops to Almaty.",
            KASPERSKY,
        ),
        ("Is a licence needed to ship a vacuum chamber to Aerospace Corp in California?", UNITS),
        (
            "Can we ship FPGAs to Arrow in Denver?",
            "The ERC determined to add Arrow China Electronics Trading Co., Ltd. to the Entity "
            "List.",
        ),
    ],
)
def test_what_is_not_the_listed_party_is_not_matched(question: str, sentence: str) -> None:
    assert named_party(question, sentence, []) is None


def test_a_one_word_name_the_passages_write_in_lower_case_is_a_word() -> None:
    steel = "The rule added Steel, a trading house, to the Entity List."
    question = "can we sell pipes to steel in Brazil?"
    assert named_party(question, steel, []) == "Steel"
    assert named_party(question, steel, ["Items made of steel are EAR99."]) is None


def test_a_question_about_listed_parties_is_told_apart_from_one_naming_a_party() -> None:
    """Retrieval brings in 744.11 for a question that mentions a listed name in any role; a
    bottom line needs the name in a party's place."""
    from assistant.answering.listed_names import mentions_added

    question = "Several chip makers were listed; what does that mean for huawei designs?"
    assert mentions_added(question, HUAWEI)
    assert named_party(question, HUAWEI, []) is None
    assert not mentions_added("Can we ship routers to Kenya?", HUAWEI)


TURKEY = (
    "The ERC determined to add Sisdoz Aritma Ve Pompa Teknolojileri Sanayi Ticaret Anonim "
    "Sirketi, under the destination of Turkey, and Royal Impact Trading L.L.C., under the "
    "destination of the UAE, to the Entity List."
)
RUSSIAN_INSTITUTES = (
    "The ERC determined to add five entities to the Entity List: Federal State Budgetary "
    "Institution of Science Institute of Fundamental Problems of Biology, Russian Academy of "
    "Sciences; Federal State Budgetary Institution of Science Institute of Molecular and Cell "
    "Biology, Siberian Branch of the Russian Academy of Sciences; and Federal State Unitary "
    "Enterprise Scientific Center Signal under the destination of Russia."
)


@pytest.mark.parametrize(
    ("question", "sentence", "name"),
    [
        # a Turkish company's name without its form ("Sanayi Ticaret Anonim Sirketi")
        (
            "Sisdoz Aritma Ve Pompa Teknolojileri in Turkey wants valves. Anything to know?",
            TURKEY,
            "Sisdoz Aritma Ve Pompa Teknolojileri",
        ),
        # "L.L.C." is a company form like "LLC"
        (
            "Can we ship valves to Royal Impact Trading in the UAE?",
            TURKEY,
            "Royal Impact Trading",
        ),
        # a Russian state body without its legal form, with what it is a branch of
        (
            "Can we sell labware to the Institute of Molecular and Cell Biology, Siberian Branch "
            "of the Russian Academy of Sciences, in Novosibirsk?",
            RUSSIAN_INSTITUTES,
            "Institute of Molecular and Cell Biology, Siberian Branch of the Russian Academy of "
            "Sciences",
        ),
    ],
)
def test_a_listed_name_is_found_without_its_legal_form(
    question: str, sentence: str, name: str
) -> None:
    assert named_party(question, sentence, []) == name


def test_a_namesake_institute_elsewhere_is_not_the_listed_one() -> None:
    """Without its legal form the body's name is generic ("Institute of Molecular and Cell
    Biology" is also Singapore's): it names the listed body only with what it is a branch of."""
    question = "Can we sell labware to the Institute of Molecular and Cell Biology in Singapore?"
    assert named_party(question, RUSSIAN_INSTITUTES, []) is None


def test_the_names_a_question_gives_are_its_capitalised_non_generic_words() -> None:
    from assistant.answering.listed_names import question_names

    words = question_names(
        "Our subsidiary in Penang, Malaysia makes EAR99 boards from US-origin technology. A new "
        "customer in Kuala Lumpur, Supra Tech Sdn Bhd, wants 5,000 boards. Is that right?"
    )
    assert {"Supra", "Tech"} <= set(words)
    assert not {"Malaysia", "EAR99", "US-origin", "Sdn", "Bhd", "Is"} & set(words)


def test_a_listed_name_is_found_without_the_trade_words_it_ends_with() -> None:
    """ "Zhejiang Uniview" of "Zhejiang Uniview Technologies Co., Ltd.", "Ercetin Is Makinalari"
    of a Turkish name ending in trade words; never an institute cut short."""
    uniview = (
        "The ERC determined to add Beijing Zhongdun Security Technology Group Co., Ltd. and "
        "Zhejiang Uniview Technologies Co., Ltd., under the destination of China, to the Entity "
        "List."
    )
    question = "When was the camera maker Zhejiang Uniview added, and can we sell to it?"
    assert named_party(question, uniview, []) == "Zhejiang Uniview"
    turkish = (
        "The ERC determined to add Ercetin Is Makinalari Yedek Parcalari Insaat Ve Dis Ticaret "
        "Limited Sirketi, under the destination of Turkey, to the Entity List."
    )
    assert named_party("Can we ship pumps to Ercetin Is Makinalari?", turkish, []) == (
        "Ercetin Is Makinalari"
    )
    assert named_party("Can we sell sensors to Harbin Institute in Canada?", HARBIN, []) is None

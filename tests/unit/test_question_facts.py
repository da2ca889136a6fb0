"""Reading a licence question before any rule applies (the cases an attack on the rules found)."""

from __future__ import annotations

import re

import pytest

from assistant.answering.question_facts import (
    EMBARGOES,
    about_an_export,
    asserted,
    names_end_use,
    names_end_user,
    place_sent_to,
)

LISTED = re.compile(r"\bon the Entity List\b", re.I)


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("Our customer is on the Entity List. Can we ship?", True),
        ("Our customer is not on the Entity List. Can we ship?", False),
        ("Our customer was on the Entity List until BIS removed it.", False),
        ("None of our customers are on the Entity List.", False),
        ("It is not listed, but its parent is on the Entity List.", True),  # another clause
    ],
)
def test_a_mention_counts_only_where_its_clause_does_not_deny_it(question: str, said: bool) -> None:
    assert asserted(LISTED, question) is said


@pytest.mark.parametrize(
    ("question", "place"),
    [
        ("Can we ship EAR99 goods to Cuba?", "Cuba"),
        ("Can we ship to a hotel in Havana?", "Cuba"),
        ("A North Korean company in Pyongyang wants toner.", "North Korea"),
        ("Can we ship EAR99 pumps to N. Korea?", "North Korea"),
        ("Our Iranian-born engineer, now a green card holder, works on 3E001.", None),
        ("A Cuban-American engineer needs access to 5E002 technology.", None),
        ("We do not sell to Russia. Can we ship to France?", None),
        ("Can we ship to Kyiv? Nothing goes to Crimea.", None),
    ],
)
def test_the_place_a_question_sends_something_to(question: str, place: str | None) -> None:
    m = place_sent_to(question)
    assert (EMBARGOES[m.group(0)][1] if m else None) == place


@pytest.mark.parametrize(
    ("question", "export"),
    [
        ("Do mass-market software sales to Huawei need a licence?", True),
        ("Can I take my company laptop to China?", True),
        ("A clinic in Moscow wants one of our ultrasound units. Do we need a licence?", True),
        ("Can we use License Exception STA instead of ENC?", True),
        ("Do we need a licence for pumps going to North Korea?", True),
        ("Are spare parts bound for Syria covered?", True),
        # goods on their way somewhere, with no verb of exporting
        ("Do EAR99 tractor spare parts for North Korea need an export licence?", True),
        ("Is an export licence needed for the consignment destined for Cuba?", True),
        ("How long does a temporary denial order last?", False),
        ("Can I screen customers against the Denied Persons List myself?", False),
        ("Do we need an export licence to buy parts from a listed supplier?", False),
        ("Is it legal to bring Cuban cigars bought in Europe back into the US?", False),
        # a licence for items is one to send them; one for a fee or a period is not
        ("A buyer in Russia is on the MEU List. Do we need a licence for EAR99 items?", True),
        ("Do we need a licence for the software we already shipped?", True),
        ("Do we need a licence for the annual report?", False),
        # a licence for a party (or place) it names: one to deal with it
        ("Do we need a licence for Huawei?", True),
        # a resale, and someone buying from us, are sales
        ("Can our distributor resell 3A002 generators?", True),
        ("A Singapore distributor is buying our 5A991 transceivers. Any issue?", True),
        ("We are buying 5A991 transceivers from a Singapore distributor. Any issue?", False),
    ],
)
def test_a_question_is_about_an_export_or_not(question: str, export: bool) -> None:
    assert about_an_export(question) is export


@pytest.mark.parametrize(
    ("question", "user", "use"),
    [
        ("Can we sell Swiss Army knives to a retailer in Brazil?", True, False),
        ("Can we ship 3A001 chips to the University of Idaho in Moscow, Idaho?", True, False),
        ("Can we sell to a large German retailer?", True, False),
        ("GPS receivers to a shipping company, to be used without military use?", True, True),
        ("Can our chat app go to users in the Crimea region?", True, False),
        ("EAR99 valves will be used to maintain a research reactor.", False, True),
        ("Can we export valves for the cooling system of a power reactor?", False, True),
        ("Flight controllers to a firm in the UAE that builds UAVs?", True, True),
        ("Oscilloscopes to our Mexico office for a six-month calibration project?", True, True),
        ("Do we need a licence to ship our product?", False, False),
        ("Can we ship printers to Canada now?", False, False),
        # the shipment is not its receiver, nor our own plant it leaves from
        ("Our customer will apply for a shipment leaving our Texas plant.", False, False),
        ("Our reps want to sell EAR99 office chairs there.", False, False),
        # found by an attack: how a question talks about the deal is not its end use ...
        ("Is a licence required for the export of 5A002 routers to India?", False, False),
        ("Which exception can we use for exporting 5A002 items to India?", False, False),
        ("For EAR purposes, do we need a licence to export 3A001 to India?", False, False),
        ("What documents do we need for a licence application?", False, False),
        ("Do we need to make an AES filing to export 3A001 to Malaysia?", False, False),
        # ... nor is an item's description, or an end use the question says it does not know
        ("Do we need a licence to export military-grade EAR99 connectors?", False, False),
        ("Can we sell Swiss Army knives to Brazil?", False, False),
        ("We don't know the end use of the 3A001 chips; do we need a licence?", False, False),
        # ... nor our own company or staff
        ("Is a licence required for our company to ship 3A001 items?", False, False),
        ("Do we need a licence to ship 5A992 phones to Brazil with our staff?", False, False),
        # what an attack found stated and missed
        ("Do we need a licence to ship 3A001 chips to Acme GmbH in Germany?", True, False),
        ("Does a hospital in Brazil need us to get a licence?", True, False),
        ("Do we need a licence to export 2B350 pumps to India for oil refining?", False, True),
        ("Navigation units to India for civil aviation?", False, True),
        ("Chips to Vietnam where they will be incorporated into consumer phones?", False, True),
        ("Can we sell the goggles to the Venezuelan army?", True, True),
    ],
)
def test_a_question_names_its_end_user_and_end_use_or_not(
    question: str, user: bool, use: bool
) -> None:
    assert (names_end_user(question), names_end_use(question)) == (user, use)


@pytest.mark.parametrize(
    ("question", "name", "placed"),
    [
        (
            "Can we sell steel to Steel Design Inc., a fabricator in Cleveland, Ohio?",
            "Steel Design",
            True,
        ),
        ("Arrow Electronics, Inc. of Centennial, Colorado wants parts.", "Arrow Electronics", True),
        # where the goods leave from, or a place of ours, puts nobody in the United States
        ("The Beijing Academy wants fans from our Texas warehouse.", "Beijing Academy", False),
        ("Acme Robotics wants pumps shipped from Texas. Licence?", "Acme Robotics", False),
        # "US" naming an American licence, law or origin, not where the party is
        ("Do mass-market software sales to Huawei need a US licence?", "Huawei", False),
        ("Does selling to Huawei need a U.S. export license?", "Huawei", False),
        ("Is ZTE bound by US law or US-origin rules when it buys chips?", "ZTE", False),
        ("Can we ship to Acme Robotics, a U.S. company in Ohio?", "Acme Robotics", True),
        ("Can we ship to Acme Robotics, a US company?", "Acme Robotics", True),
        (
            "Do software sales to Huawei require an export licence from the United States?",
            "Huawei",
            False,
        ),
    ],
)
def test_a_party_is_placed_in_the_united_states_only_by_its_own_place(
    question: str, name: str, placed: bool
) -> None:
    from assistant.answering.question_facts import placed_in_us

    assert placed_in_us(question, name) is placed

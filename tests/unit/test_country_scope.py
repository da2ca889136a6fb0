"""Another country's sanctions are beside the point of a question naming a destination."""

from __future__ import annotations

import pytest

from assistant.answering.country_scope import (
    beside_the_point,
    passage_countries,
    question_countries,
)
from tests.support.passages import regulation_passage


def test_a_sanctions_section_names_its_countries_and_others_name_none() -> None:
    from dataclasses import replace

    base = regulation_passage(1, "15 CFR 746.8(a)", "A license is required.")
    assert passage_countries(replace(base, title="Sanctions against Russia and Belarus")) == {
        "Russia",
        "Belarus",
    }
    assert passage_countries(
        replace(base, citation="15 CFR 742.10(a)", title="Anti-terrorism: Sudan")
    ) == {"Sudan"}
    # a licence exception or a general section is about no one country
    assert not passage_countries(replace(base, citation="15 CFR 740.12(a)", title="Gift parcels"))
    assert not passage_countries(replace(base, citation="15 CFR 746.1", title="Purpose and scope"))


@pytest.mark.parametrize(
    ("question", "countries"),
    [
        ("Can we ship laptops to a school in Aleppo?", {"Syria"}),
        ("A plant in Yekaterinburg wants pumps.", {"Russia"}),
        (
            "Our Korean OEM ships to an ISP in Vietnam and a hotel in Cuba.",
            {"Korea", "Vietnam", "Cuba"},
        ),
        # a people or city the map gives a country names it, military end-use places too
        ("We sell spare parts to a Venezuelan airline.", {"Venezuela"}),
        ("A hospital in Phnom Penh wants patient monitors.", {"Cambodia"}),
        ("The buyer is a Burmese trading house in Yangon.", {"Burma"}),
        ("A Nicaraguan ministry in Managua asked for a quote.", {"Nicaragua"}),
        # "abroad" names no country: nothing is beside the point
        ("What licence exception covers gift parcels sent abroad?", set()),
        ("Which records must we keep?", set()),
    ],
)
def test_the_destinations_a_question_names(question: str, countries: set[str]) -> None:
    assert question_countries(question) == countries


def test_only_sections_about_countries_the_question_does_not_name_are_dropped() -> None:
    from dataclasses import replace

    base = regulation_passage(1, "15 CFR 746.3(c)", "License exceptions: CIV, APP, TMP.")
    iraq = replace(base, title="Iraq")
    syria = replace(base, chunk_id="c2", citation="15 CFR 746.9(b)", title="Syria")
    spp = replace(base, chunk_id="c3", citation="15 CFR 740.5(a)", title="Syria (SPP)")
    passages = [iraq, syria, spp]
    assert beside_the_point("Can we ship sensors to a lab in Wuhan?", passages) == {0, 1}
    assert beside_the_point("Can we ship laptops to Aleppo?", passages) == {0}
    # no destination named: every country's section may be the point
    assert beside_the_point("Which countries are under an embargo?", passages) == set()


def test_a_language_named_is_no_destination() -> None:
    """A people's name that is also a language ("written in Burmese") names no place; the
    same name before a buyer does."""
    from assistant.answering.question_facts import foreign_places

    assert list(foreign_places("The manual is written in Burmese.")) == []
    assert list(foreign_places("We sell pumps to a Burmese mill.")) == ["Burma"]

"""Where the dates of an audit question fall against a listing's savings clause."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.answering.listing_dates import (
    addition_date,
    dates_in,
    savings_window,
    where_dates_fall,
)

BEFORE_CLAUSE = (
    "For the changes being made in this final rule, shipments of items removed from eligibility "
    "for a License Exception or export, reexport, or transfer (in-country) without a license "
    "(NLR) as a result of this regulatory action that were en route aboard a carrier to a port "
    "of export, reexport, or transfer (in-country), on January 6, 2025, pursuant to actual orders "
    "for export, reexport, or transfer (in-country) to or within a foreign destination, may "
    "proceed to that destination under the previous eligibility for a License Exception or "
    "export, reexport, or transfer (in-country) without a license (NLR) before February 5, 2025."
)
NO_LATER_CLAUSE = (
    "Shipments of items ... that were en route aboard a carrier to a port of export, on "
    "September 12, 2025, pursuant to actual orders ... may proceed to that destination ..., "
    "provided the export, reexport, or transfer (in-country) is completed no later than on "
    "October 14, 2025."
)


def test_the_dates_a_question_writes_out_and_a_later_day_without_its_year() -> None:
    text = (
        "On the morning of September 12, 2025 an order was on the truck, and it flew out on "
        "September 13. Another left on 3 October 2025; the invoice is dated 2025-10-20. At 10:30 "
        "on May 4 nothing happened."
    )
    assert dates_in(text)[:4] == [
        date(2025, 9, 12),
        date(2025, 9, 13),
        date(2025, 10, 3),
        date(2025, 10, 20),
    ]
    # a day with no year written anywhere before it is no date
    assert dates_in("It left on September 13 and arrived on September 20.") == []


def test_a_savings_clause_gives_the_day_it_took_effect_and_its_limit_in_its_own_words() -> None:
    assert savings_window(BEFORE_CLAUSE) == (
        date(2025, 1, 6),
        date(2025, 2, 5),
        "before February 5, 2025",
    )
    # "no later than" includes that day
    assert savings_window(NO_LATER_CLAUSE) == (
        date(2025, 9, 12),
        date(2025, 10, 15),
        "no later than October 14, 2025",
    )
    assert savings_window("Shipments en route may proceed under the previous eligibility.") is None


def test_each_date_is_placed_before_within_or_past_the_window() -> None:
    """Grade40 Q4: left the warehouse January 3, loaded January 9, the next left February 10."""
    question = (
        "One shipment left our warehouse on January 3, 2025 and was loaded on January 9, 2025. "
        "The next one left on February 10, 2025. Was either of them a problem?"
    )
    fall = where_dates_fall(question, BEFORE_CLAUSE)
    assert fall == (
        "January 3, 2025 is before January 6, 2025, when the listing took effect; "
        "January 9, 2025 is on or after January 6, 2025: then only a shipment en route that day "
        "under an actual order may proceed, if completed before February 5, 2025; "
        "February 10, 2025 is past the savings clause's limit (before February 5, 2025)"
    )
    # October 14 itself is within "no later than on October 14"
    within = where_dates_fall("It was delivered on October 14, 2025.", NO_LATER_CLAUSE)
    assert within is not None and "is on or after September 12, 2025" in within
    assert where_dates_fall("Was the shipment a problem?", BEFORE_CLAUSE) is None


SUMMARY = (
    "SUMMARY: On May 16, 2019, Huawei Technologies Co., Ltd. (Huawei) and \nsixty-eight "
    "of its non-U.S. affiliates were added to the Entity List."
)
ENTRIES = (
    "“Public Joint Stock Company UEC-Ufa Engine Industrial Association,” first added to the "
    "Entity List on August 27, 2024 ( 89 FR 68548 ); “Harbin Institute of Technology,” first "
    "added to the Entity List on June 5, 2020 ( 85 FR 34497 ); “Hexin Co.,” first added ..."
)
JOINED = (
    "“Beijing E-science Co., Ltd.,” first added to the Entity List on July 12, 2021 ( x ) "
    "and “BuyBest Electronic,” first added to the Entity List on May 1, 2022"
)
GROUP = "subsidiaries of Inspur Group, which was added to the Entity List on March 2, 2023."


@pytest.mark.parametrize(
    ("sentence", "name", "day"),
    [
        # the three ways a later rule recalls a listing's day
        (SUMMARY, "Huawei", "May 16, 2019"),
        (
            "BIS has been involved since the addition of Huawei to supplement no. 4 to part 744 "
            "(Entity List) of the EAR on May 16, 2019 ( See 84 FR 22961 (May 21, 2019)).",
            "Huawei",
            "May 16, 2019",
        ),
        (
            "Huawei was added to the Entity List effective August 19, 2019.",
            "Huawei",
            "August 19, 2019",
        ),
        # each entry of a list with its own day
        (ENTRIES, "Harbin Institute of Technology", "June 5, 2020"),
        (ENTRIES, "Hexin", None),
        # its company form between, "and" between entries; a longer name that begins with it
        (JOINED, "Beijing E-science", "July 12, 2021"),
        (JOINED, "BuyBest Electronic", "May 1, 2022"),
        (
            "“Daltransgaz, OAO,” first added to the Entity List on September 7, 2016 ( 81 FR 6 )",
            "Daltransgaz",
            "September 7, 2016",
        ),
        (
            "“SMIC Beijing,” first added to the Entity List on December 2, 2024; “SMIC,” first "
            "added to the Entity List on December 18, 2020",
            "SMIC",
            "December 18, 2020",
        ),
        # the day of a parent, of a later addition, of a footnote or a removal is not the party's
        (GROUP, "Inspur", None),
        (GROUP, "Inspur Group", "March 2, 2023"),
        (
            "On May 16, 2019, Huawei were added to the Entity List, and on August 19, 2020, Huawei "
            "Cloud Computing Technologies were added to the Entity List.",
            "Huawei Cloud",
            None,
        ),
        (
            "BIS added the footnote 1 designation to the entries for Huawei on the Entity List on "
            "August 17, 2020.",
            "Huawei",
            None,
        ),
        (
            "BIS added 11 entities and removed Sandvine Inc. from the Entity List on May 13, 2025",
            "Sandvine",
            None,
        ),
        # a publication date, a removal, another party: none is the day
        ("The rule adding Huawei was published on May 21, 2019.", "Huawei", None),
        ("On May 16, 2019, BIS removed Acme from the Entity List.", "Acme", None),
        (SUMMARY, "Acme", None),
    ],
)
def test_the_day_a_sentence_says_a_party_was_added_to_the_entity_list(
    sentence: str, name: str, day: str | None
) -> None:
    """Every way a later rule recalls a listing's day; a date about something else, or another
    party's, is not one."""
    assert addition_date(sentence, name) == day

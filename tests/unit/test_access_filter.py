"""What a caller may read: a request can narrow a caller's filters but never widen their groups,
an item without groups is the operator's alone, and a chunk must say twice that a group reads it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from assistant.access import OPERATOR, Caller, access_groups, readable
from assistant.models import Filters

ALICE = Caller("alice", ("public",), "http")
COUNSEL = Caller("counsel", ("public", "legal"), "http")
NOBODY = Caller("nobody", (), "http")


def _chunk(*groups: str) -> dict[str, Any]:
    """Metadata as ingest stores it: the `access` list joined with commas, one flag per group."""
    return {"access": ",".join(groups), **{f"access_{g}": True for g in groups}}


# ---- Caller.restrict --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "asked",
    [None, [], ["public"], ["legal"], ["public", "legal"], ["admin", "legal", "hr"]],
)
def test_a_request_never_reads_beyond_the_callers_groups(asked: list[str] | None) -> None:
    filters = ALICE.restrict(Filters(groups=asked))
    assert filters.groups == ["public"]
    assert not filters.admits(_chunk("legal")), "a legal-only chunk stays out"
    assert filters.admits(_chunk("public"))


def test_restricting_keeps_the_rest_of_the_request() -> None:
    asked = Filters(doc_types=["regulation"], date_from=date(2019, 1, 1), date_to=date(2020, 1, 1))
    filters = COUNSEL.restrict(asked)
    assert filters == Filters(
        doc_types=["regulation"],
        date_from=date(2019, 1, 1),
        date_to=date(2020, 1, 1),
        groups=["public", "legal"],
    )
    assert asked.groups is None, "the request itself is not changed"
    assert COUNSEL.restrict(None) == Filters(groups=["public", "legal"])


def test_a_caller_with_no_groups_reads_nothing() -> None:
    filters = NOBODY.restrict(Filters(groups=["public"]))
    assert filters.groups == []
    assert not filters.admits(_chunk("public"))
    where = filters.where()
    assert where is not None, "no groups is never 'no filter' for Chroma"


def test_the_operator_reads_what_the_request_asks() -> None:
    asked = Filters(doc_types=["article"], groups=["legal"])
    assert OPERATOR.restrict(asked) == asked
    assert OPERATOR.restrict(None) == Filters()
    assert OPERATOR.restrict(None).where() is None


# ---- Caller.may_read and access_groups --------------------------------------------------------


def test_may_read_needs_one_shared_group() -> None:
    assert ALICE.may_read({"access": ["public"]})
    assert ALICE.may_read({"access": "legal, public"})
    assert not ALICE.may_read({"access": ["legal"]})
    assert COUNSEL.may_read({"access": "legal"})
    assert not NOBODY.may_read({"access": ["public"]})


@pytest.mark.parametrize("meta", [{}, {"access": None}, {"access": ""}, {"access": []}])
def test_an_item_without_groups_is_the_operators_alone(meta: dict[str, Any]) -> None:
    assert access_groups(meta) == []
    assert not ALICE.may_read(meta)
    assert not COUNSEL.may_read(meta)
    assert OPERATOR.may_read(meta)


@pytest.mark.parametrize(
    ("raw", "groups"),
    [
        (["public", "legal"], ["public", "legal"]),
        ("public,legal", ["public", "legal"]),
        (" public , legal ,", ["public", "legal"]),
        (("legal",), ["legal"]),
        (True, []),  # a flag is not a list of groups: fail closed, never "everyone"
        (1, []),
        (0.5, []),
        (["public", 7, None, "", "  "], ["public"]),
    ],
)
def test_access_groups_read_lists_and_comma_strings_and_nothing_else(
    raw: Any, groups: list[str]
) -> None:
    assert access_groups({"access": raw}) == groups


# ---- readable: the snapshot's per-chunk check -------------------------------------------------


def test_readable_needs_both_the_flag_and_the_access_list() -> None:
    public = frozenset({"public"})
    assert readable(_chunk("public"), public)
    assert readable(_chunk("public", "legal"), public)
    assert not readable(_chunk("legal"), public)
    assert not readable({"access_public": True}, public), "flag without an access list"
    assert not readable({"access": "public"}, public), "access list without the flag"
    assert not readable({**_chunk("legal"), "access_public": True}, public)
    assert not readable({**_chunk("public"), "access_public": "true"}, public), "True only"
    assert not readable(_chunk("public"), frozenset()), "no groups read nothing"

"""Fixtures of the end-to-end tests: the fake Slack Web API, one per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fake_slack import FakeSlack


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    """A fake Slack Web API on a free local port (`tests/support/fake_slack.py`)."""
    with FakeSlack() as server:
        yield server

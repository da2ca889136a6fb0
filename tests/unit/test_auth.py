"""API keys and the rate limiter, without a server: the parts whose mistakes lock people out
or let them in."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from api.security.auth import (
    AuthConfigError,
    RateLimiter,
    caller_group_sets,
    check_exposure,
    is_loopback,
    load_keys,
)
from assistant.access import Caller, access_groups
from assistant.models import Filters
from tests.conftest import make_settings


def test_keys_from_env_and_file_merge(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"file-key": {"name": "bo", "groups": ["legal"]}}))
    settings = make_settings(
        tmp_path, api_keys={"env-key": {"name": "al", "groups": ["public"]}}, api_keys_file=keys
    )
    ring = load_keys(settings)
    assert ring.enabled
    assert ring.lookup("env-key").name == "al"  # type: ignore[union-attr]
    assert ring.lookup("file-key").groups == ["legal"]  # type: ignore[union-attr]
    assert ring.lookup("file-key ") is None and ring.lookup("") is None


@pytest.mark.parametrize(
    "content", ["not json", '["a"]', '{"k": {"groups": []}}', '{"k": {"name": "x", "groups": []}}']
)
def test_a_bad_keys_file_stops_the_server(tmp_path: Path, content: str) -> None:
    keys = tmp_path / "keys.json"
    keys.write_text(content)
    with pytest.raises(AuthConfigError, match="TPA_API_KEYS_FILE"):
        load_keys(make_settings(tmp_path, api_keys_file=keys))
    with pytest.raises(AuthConfigError, match="cannot read"):
        load_keys(make_settings(tmp_path, api_keys_file=tmp_path / "missing.json"))


def test_open_access_needs_loopback_or_consent(tmp_path: Path) -> None:
    none = load_keys(make_settings(tmp_path))
    for host in ("127.0.0.1", "::1", "localhost", "127.1.2.3"):
        assert is_loopback(host)
        check_exposure(make_settings(tmp_path), none, host)
    for host in ("0.0.0.0", "10.0.0.5", "example.com", "::"):
        assert not is_loopback(host)
        with pytest.raises(AuthConfigError, match="TPA_ALLOW_ANONYMOUS"):
            check_exposure(make_settings(tmp_path), none, host)
        check_exposure(make_settings(tmp_path, allow_anonymous=True), none, host)
    keyed = load_keys(make_settings(tmp_path, api_keys={"k": {"name": "a"}}))
    check_exposure(make_settings(tmp_path), keyed, "0.0.0.0")


def test_rate_limiter_refuses_past_the_budget_then_refills() -> None:
    limiter = RateLimiter(per_minute=600)  # 10 a second, bursts of 600
    assert all(limiter.take("a") == 0 for _ in range(600))
    wait = limiter.take("a")
    assert 0 < wait <= 0.1 + 1e-6
    assert limiter.take("b") == 0  # budgets are per caller
    time.sleep(wait + 0.05)
    assert limiter.take("a") == 0


def test_callers_groups_are_imposed_on_filters_never_widened() -> None:
    caller = Caller("pat", ("public",), "api")
    assert caller.restrict(Filters(groups=["legal"], doc_types=["memo"])) == Filters(
        doc_types=["memo"], groups=["public"]
    )
    assert caller.may_read({"access": "public,legal"})
    assert not caller.may_read({"access": "legal"})
    assert not caller.may_read({})  # no access field: the operator only
    operator = Caller("op", None)
    assert operator.restrict(None) == Filters() and operator.may_read({"access": "legal"})
    assert access_groups({"access": ["a", " b "]}) == ["a", "b"]


def test_key_names_must_be_unique(tmp_path: Path) -> None:
    keys = {"k1": {"name": "al", "groups": ["public"]}, "k2": {"name": "al", "groups": ["legal"]}}
    with pytest.raises(AuthConfigError, match="unique"):
        load_keys(make_settings(tmp_path, api_keys=keys))


def test_no_groups_reads_nothing_never_everything() -> None:
    nobody = Filters(groups=[])
    assert nobody.where() is not None
    assert not nobody.admits({"access_public": True, "access": "public"})
    assert Caller("x", (), "api").restrict(None) == nobody


def test_rate_limiter_forgets_callers_whose_budget_has_refilled() -> None:
    limiter = RateLimiter(per_minute=60)
    long_ago = time.monotonic() - 120  # drained two minutes ago: full again by now
    limiter._buckets = {f"idle{i}": (0.0, long_ago) for i in range(10_001)}
    assert limiter.take("busy") == 0
    assert limiter.take("busy") == 0
    assert set(limiter._buckets) == {"busy"}  # a forgotten caller starts full, as before


def test_start_up_warms_the_group_sets_callers_can_have(tmp_path: Path) -> None:
    """Anonymous callers' groups only when there are no keys (with keys they are refused);
    each key's; Slack's channels' only when Slack is set up."""
    open_access = make_settings(tmp_path, anonymous_groups=["public"])
    assert caller_group_sets(open_access, load_keys(open_access)) == [("public",)]
    keyed = make_settings(
        tmp_path,
        anonymous_groups=["anon"],
        api_keys={"k1": {"name": "a", "groups": ["legal", "public"]}},
        slack_channel_groups={"C1": ["hr"]},
    )
    assert caller_group_sets(keyed, load_keys(keyed)) == [("legal", "public")]
    slack = keyed.model_copy(
        update={
            "slack_bot_token": "xoxb-1",
            "slack_signing_secret": "s",
            "slack_default_groups": ["public"],
        }
    )
    assert caller_group_sets(slack, load_keys(slack)) == [("legal", "public"), ("public",), ("hr",)]

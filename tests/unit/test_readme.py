"""The README's configuration table documents every setting, and nothing that does not exist."""

from __future__ import annotations

import re

from assistant.config import Settings
from tests.conftest import REPO


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    documented = set(re.findall(r"^\| `TPA_([A-Z_]+)` \|", readme, re.M))
    actual = {name.upper() for name in Settings.model_fields}
    assert actual - documented == set(), "settings missing from the README table"
    assert documented - actual == set(), "README documents settings that do not exist"

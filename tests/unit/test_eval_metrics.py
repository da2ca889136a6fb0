"""The eval's authority check: an answer cites one of the authorities a question names."""

from __future__ import annotations

import pytest

from assistant.eval.metrics import cites_authority

CITED = [
    ("15 CFR 740.9(a)(14)", "regulation/ecfr/15-CFR-740.9.txt"),
    ("FR Doc. 2024-15810", "federal_register/FR-2024-15810.txt"),
    ("CPI Financial, 24 November 2019", "article/2019-11-24-microsoft-huawei-export-licence.txt"),
]


@pytest.mark.parametrize(
    ("authorities", "cited"),
    [
        (["15 CFR 740.9(a)(1)"], True),  # another paragraph of the section: the authority
        (["15 CFR 740.17(b)(1)"], False),
        (["15 CFR 740.1"], False),  # "740.1" is not "740.9", nor a prefix of "740.17"
        (["FR Doc. 2024-15810 (89 FR 58273)"], True),
        (["FR Doc. 2024-01408 (89 FR 4804)"], False),
        (["article/2019-11-24-microsoft-huawei-export-licence.txt"], True),
        (["press_release/2019-08-19_BIS_46-Huawei-affiliates-added_TGL-extended.txt"], False),
        (["15 CFR 744.11", "FR Doc. 2024-15810"], True),  # any one of them
        ([], False),
    ],
)
def test_an_answer_cites_an_authority_when_one_of_its_citations_is_it(
    authorities: list[str], cited: bool
) -> None:
    assert cites_authority(CITED, authorities) is cited

"""One finding per root cause: identity by shrunk input (issue 9), on planted pairs.

The statistical version, over many seeds and on real libraries, is in
tests/quality/; these are the fast checks that a broken identity fails at once.
"""

from __future__ import annotations

import pytest

from difffuzz._engine import run_campaign
from tests.support.inputs import as_text
from tests.test_engine_quality import planted_config


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_cause_under_many_diff_shapes_gives_one_minimal_finding(seed: int) -> None:
    # The record's keys are generated data: `collapse` folds them in signatures, as the
    # README says to do for generated keys. (The list-shaped planted case in
    # tests/quality/, where the kinds differ too, merges through the padding test.)
    config = planted_config(
        "record_echo",
        "record_nulls_on_lt",
        "planted_records",
        max_examples=400,
        seed=seed,
        collapse=["/record"],
    )
    result = run_campaign(config)
    (surface,) = result.surfaces
    assert [f.input for f in result.findings] == [{"<": 0}]
    (finding,) = result.findings
    assert finding.shrunk
    # Other shapes of the same cause were shrunk as candidates and merged into it.
    assert surface.candidates_merged == surface.candidates_examined
    assert finding.merged == surface.candidates_merged


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_causes_sharing_one_diff_shape_give_one_minimal_finding_each(seed: int) -> None:
    config = planted_config(
        "text_ok", "text_fails_three_ways", "planted_text", max_examples=600, seed=seed
    )
    result = run_campaign(config)
    assert sorted(as_text(f.input) for f in result.findings) == ["&", "<", ">"]
    assert len({f.signature for f in result.findings}) == 1  # one diff shape
    assert len({f.bucket for f in result.findings}) == 3  # told apart by their errors
    assert all(f.shrunk for f in result.findings)

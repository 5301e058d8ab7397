"""One fixture per planted cause, measured over many seeds.

In the style of Hypothesis's ``tests/quality/test_discovery_ability.py``: one
seed proves little, so each property runs a small campaign for each of ``SEEDS``
seeds and passes when at least ``SUCCESS_SHARE`` of them succeed. ``-m slow``
runs ``SLOW_SEEDS`` seeds. The planted pairs are in ``planted_identity.py``:

- one cause that shows under many diff shapes must give exactly one fixture,
  shrunk to its trigger;
- three causes that share one diff shape must give one fixture each, whether the
  refusal says nothing or names its reason in an error text;
- nested causes (``/a`` from 10, ``/a`` and ``/b`` from 1000) must give two;
- a pair that never differs must give nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import difffuzz
from tests.quality import planted_identity

pytestmark = pytest.mark.quality

SEEDS = 20
SLOW_SEEDS = 100
#: Share of seeds that must succeed: each property is deterministic given a good
#: engine, so a miss is a search that ran out of budget, and rare.
SUCCESS_SHARE = 0.9
MAX_EXAMPLES = 80
#: Every planted pair has at most 3 causes; past this many fixtures a run has failed
#: anyway, and a broken identity (one fixture per diff shape) would spend its time
#: shrinking dozens of them.
MAX_SIGNATURES = 8


def campaign_inputs(left: str, right: str, strategy: str, seed: int, workdir: Path) -> list[Any]:
    """Run one small campaign into an empty corpus; return its fixtures' inputs."""
    module = "tests.quality.planted_identity"
    config_path = workdir / f"{seed}.toml"
    config_path.write_text(
        f"""\
strategy_modules = ["{module}"]
[campaign]
max_examples = {MAX_EXAMPLES}
seed = {seed}
learn_noise = 0
max_signatures = {MAX_SIGNATURES}
corpus = "{(workdir / f"corpus-{seed}").as_posix()}"
reports = "{(workdir / "reports").as_posix()}"
[runtimes.left]
[runtimes.right]
[surfaces.planted]
strategy = "{strategy}"
transport = "python"
[surfaces.planted.runtimes.left]
target = "{module}:{left}"
[surfaces.planted.runtimes.right]
target = "{module}:{right}"
""",
        encoding="utf-8",
    )
    corpus = difffuzz.Corpus(workdir / f"corpus-{seed}")
    difffuzz.run_campaign(difffuzz.load_config(config_path), corpus=corpus)
    return [fixture.input for fixture in corpus.fetch("planted")]


def assert_share(succeeded: Callable[[list[Any]], bool], seeds: int, **campaign: Any) -> None:
    """At least ``SUCCESS_SHARE`` of ``seeds`` campaigns succeed.

    Stops at the first failure that makes the share unreachable, so that a broken
    engine fails fast instead of running every seed.
    """
    needed = math.ceil(SUCCESS_SHARE * seeds)
    good = 0
    failures: dict[int, list[Any]] = {}
    for seed in range(1, seeds + 1):
        inputs = campaign_inputs(seed=seed, **campaign)
        if succeeded(inputs):
            good += 1
        else:
            failures[seed] = inputs
        if len(failures) > seeds - needed:
            break
    assert good >= needed, (
        f"{len(failures)} of {good + len(failures)} seeds failed, at most {seeds - needed} of "
        f"{seeds} may; failures (seed: fixture inputs): {dict(list(failures.items())[:3])}"
    )


def one_cause_many_shapes(inputs: list[Any]) -> bool:
    return inputs == [[planted_identity.UNLUCKY]]


def one_fixture_per_shared_shape_cause(inputs: list[Any]) -> bool:
    return sorted(inputs) == sorted(planted_identity.REFUSED)


def nested_causes(inputs: list[Any]) -> bool:
    return sorted(inputs) == list(planted_identity.THRESHOLDS)


def nothing(inputs: list[Any]) -> bool:
    return inputs == []


CASES = [
    pytest.param(
        one_cause_many_shapes,
        "items",
        "scrambled_items",
        "identity_lists",
        id="one-cause-many-shapes",
    ),
    pytest.param(
        one_fixture_per_shared_shape_cause,
        "echo_text",
        "refuses_markup",
        "identity_text",
        id="causes-sharing-a-shape",
        # Three refusals with the same answer, the same diff and no error text: only
        # the inputs tell them apart. Found on 15 of 20 seeds (18 are needed); on the
        # other five every fixture is minimal and one or two causes were not met as
        # candidates within 80 examples (the first round's examples of '&' and '#'
        # shrink into the bucket's first cause). The mark stays until the share is met.
        marks=pytest.mark.xfail(
            strict=True, reason="silent causes sharing a diff shape: 15 of 20 seeds, 18 needed"
        ),
    ),
    pytest.param(
        one_fixture_per_shared_shape_cause,
        "echo_text",
        "names_its_refusal",
        "identity_text",
        id="causes-sharing-a-shape-named",
    ),
    pytest.param(nested_causes, "flat_levels", "levels", "identity_numbers", id="nested-causes"),
    pytest.param(nothing, "echo_text", "echo_text", "identity_text", id="never-differs"),
]


@pytest.mark.parametrize(("succeeded", "left", "right", "strategy"), CASES)
def test_identity(
    succeeded: Callable[[list[Any]], bool], left: str, right: str, strategy: str, tmp_path: Path
) -> None:
    assert_share(succeeded, SEEDS, left=left, right=right, strategy=strategy, workdir=tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize(("succeeded", "left", "right", "strategy"), CASES)
def test_identity_over_more_seeds(
    succeeded: Callable[[list[Any]], bool], left: str, right: str, strategy: str, tmp_path: Path
) -> None:
    assert_share(succeeded, SLOW_SEEDS, left=left, right=right, strategy=strategy, workdir=tmp_path)

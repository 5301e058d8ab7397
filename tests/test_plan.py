"""The compile step: a config becomes a plan once, and its mistakes are found then.

Every name and parameter a config uses is checked by ``compile_config``, before
the first surface runs, with an error that names the surface and the key; the
rule's factory is called once per judge, never per example.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import difffuzz
from difffuzz import ConfigError, Corpus, Outcome
from difffuzz._comparators.base import COMPARATORS, Compare, CompareSpec, Comparison, Rule
from difffuzz._config import Config, parse_config
from difffuzz._engine import run_campaign
from difffuzz._plan import compile_config

COMPILED: list[CompareSpec] = []
CALLED: list[tuple[str, bytes]] = []
SENT: list[object] = []


def echo(value: str) -> str:
    """A runtime that says what it was sent, and notes that it was."""
    SENT.append(value)
    return value


def _counting(spec: CompareSpec) -> Compare:
    COMPILED.append(spec)

    def compare(left: Outcome, right: Outcome) -> Comparison:
        return Comparison(rule="test-plan-counted")

    return compare


if "test-plan-counted" not in COMPARATORS:
    COMPARATORS.register("test-plan-counted", Rule("test-plan-counted", _counting), origin=__name__)


@difffuzz.comparator("test-plan-plain")
def _plain(left: Outcome, right: Outcome, spec: CompareSpec) -> Comparison:
    # A plain comparator reads its spec on every call: the plan hands it the spec.
    tag = spec.params.get("tag")
    if not isinstance(tag, str):
        raise ConfigError(f"rule 'test-plan-plain' needs a string tag, got {tag!r}")
    CALLED.append((tag, left.body))
    return Comparison(rule="test-plan-plain")


def config(*surfaces: tuple[str, dict[str, Any]], max_examples: int = 20) -> Config:
    document = {
        "campaign": {"max_examples": max_examples, "seed": 1, "learn_noise": 0},
        "runtimes": {"left": {}, "right": {}},
        "surfaces": {
            name: {
                "strategy": "text",
                "transport": "python",
                "runtimes": {
                    "left": {"target": "tests.test_plan:echo"},
                    "right": {"target": "tests.test_plan:echo"},
                },
                **keys,
            }
            for name, keys in surfaces
        },
    }
    return parse_config(document, source="team.toml", base_dir=Path("."))


@pytest.mark.parametrize(
    ("keys", "where", "says"),
    [
        (
            {"compare": {"rule": "topk", "min_overlp": 0.5}},
            "team.toml: surfaces.last.compare: ",
            "rule 'topk' got unknown parameter(s) 'min_overlp'; it accepts: id, k, list",
        ),
        (
            {"compare": {"rule": "jsn"}},
            "team.toml: surfaces.last.compare: ",
            "unknown comparator rule 'jsn'",
        ),
        (
            {"compare": {"rule": "json", "ignore": ["ts"]}},
            "team.toml: surfaces.last.compare: ",
            "compare ignore pattern",
        ),
        (
            {"properties": ["parses", {"name": "status-in", "statuses": []}]},
            "team.toml: surfaces.last.properties[1]: ",
            "property 'status-in' needs parameter 'statuses', a non-empty list of integers",
        ),
        ({"strategy": "txet"}, "team.toml: surfaces.last.strategy: ", "unknown strategy 'txet'"),
        (
            {"strategy_params": {"size": 3}},
            "team.toml: surfaces.last.strategy_params: ",
            "does not accept parameters",
        ),
    ],
)
def test_a_mistake_in_the_last_surface_is_named_before_the_first_runs(
    keys: dict[str, Any], where: str, says: str, tmp_path: Path
) -> None:
    broken = config(("first", {}), ("last", keys))
    with pytest.raises(ConfigError) as raised:
        compile_config(broken)
    message = str(raised.value)
    assert message.startswith(where), message
    assert says in message, message
    SENT.clear()
    with pytest.raises(ConfigError):
        run_campaign(broken, corpus=Corpus(tmp_path))
    assert SENT == []  # the first surface did not run: nothing was sent to any runtime


def test_a_rule_is_compiled_once_per_judge_not_per_example() -> None:
    COMPILED.clear()
    plan = compile_config(config(("only", {"compare": {"rule": "test-plan-counted", "k": 1}})))
    assert len(COMPILED) == 1  # the plan's judge
    result = run_campaign(plan.config)
    assert result.surfaces[0].stats.examples >= 20
    # run_campaign compiles its own plan: one more; examples compile nothing.
    assert len(COMPILED) == 2
    assert dict(COMPILED[-1].params) == {"k": 1}


def test_a_users_plain_comparator_gets_its_spec_on_every_call() -> None:
    CALLED.clear()
    result = run_campaign(config(("only", {"compare": {"rule": "test-plan-plain", "tag": "t"}})))
    stats = result.surfaces[0].stats
    probes = [call for call in CALLED if call == ("t", b"null")]
    judged = [call for call in CALLED if call != ("t", b"null")]
    assert len(probes) == 1  # compiling the plan checks it once, on two null answers
    # Then every judged example (both sides answering nothing is both-failed, not compared).
    assert len(judged) == stats.examples - stats.both_failed >= 10
    assert {tag for tag, _ in judged} == {"t"}


def test_a_plain_comparator_that_refuses_its_spec_fails_when_compiled() -> None:
    where = re.escape("surfaces.only.compare: rule 'test-plan-plain' needs")
    with pytest.raises(ConfigError, match=where):
        compile_config(config(("only", {"compare": {"rule": "test-plan-plain"}})))

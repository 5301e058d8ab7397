"""The real pairs' tables of known causes, checked row by row (fast; not a quality test).

Every row's minimal trigger must really make the two libraries disagree, its
predicate must accept its own trigger, and no other cause's predicate may claim
it (else attribution would be ambiguous). The strategies must generate inputs of
the type the pair's adapters take, and the trigger must be an input the pair's
adapters answer without crashing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from difffuzz._registry import get_strategy
from tests.quality.measure import adapter, all_pairs, disagree
from tests.quality.pairs import Cause, Pair

PAIRS = all_pairs()
ROWS = [
    pytest.param(pair, cause, id=f"{pair.name}-{cause.id}")
    for pair in PAIRS
    for cause in pair.causes
]


@pytest.mark.parametrize(("pair", "cause"), ROWS)
def test_the_minimal_trigger_really_diverges(pair: Pair, cause: Cause) -> None:
    assert disagree(pair, cause.trigger), (pair.name, cause.id, cause.trigger)


@pytest.mark.parametrize(("pair", "cause"), ROWS)
def test_the_predicate_claims_its_trigger_and_no_other_does(pair: Pair, cause: Cause) -> None:
    claimed = [c.id for c in pair.causes if c.exhibits(cause.trigger)]
    assert claimed == [cause.id]


@pytest.mark.parametrize(("pair", "cause"), ROWS)
def test_both_adapters_answer_a_json_document(pair: Pair, cause: Cause) -> None:
    for target in (pair.left_target, pair.right_target):
        document = json.loads(adapter(target)(cause.trigger))
        assert isinstance(document["ok"], bool)
        assert ("value" in document) is document["ok"]


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.name)
def test_cause_ids_are_unique_and_triggers_have_the_pair_size_unit(pair: Pair) -> None:
    assert len({c.id for c in pair.causes}) == len(pair.causes)
    kind = bytes if pair.size_unit == "bytes" else str
    assert all(isinstance(c.trigger, kind) for c in pair.causes)


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.name)
def test_the_strategy_generates_inputs_the_adapters_answer(pair: Pair) -> None:
    __import__(pair.module)
    strategy: st.SearchStrategy[Any] = get_strategy(pair.strategy).build()
    kind = bytes if pair.size_unit == "bytes" else str

    @settings(max_examples=50, database=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def check(value: Any) -> None:
        assert isinstance(value, kind)
        for target in (pair.left_target, pair.right_target):
            assert isinstance(json.loads(adapter(target)(value))["ok"], bool)

    check()


def test_predicates_reject_inputs_both_libraries_agree_on() -> None:
    agreed: dict[str, list[Any]] = {
        "urls": ["https://user@example.com:8080/a/b?q=1#top", "//[::1]:80", "a:b", "%41"],
        "toml": ['name = "x"\n[server]\nport = 8080', "a=00:00:00", "a=[1,]", "a={b=1}"],
        "timestamps": ["2011-11-04T00:05:23Z", "20111104T0005", "2011-W01-2", "2011-11-04 00:05"],
        "regex": ["\\b\\w+\\b", "a{1,2}", "(?<=ab)c", "(?P<n>a)", "[\\w-]", "(?i)a"],
        "json": [b'{"a": [1, 2.5, "\\u00e9"]}', b"18446744073709551615", b'"\\ud83d\\ude00"'],
    }
    for pair in PAIRS:
        for value in agreed[pair.name]:
            assert not disagree(pair, value), (pair.name, value)
            assert [c.id for c in pair.causes if c.exhibits(value)] == [], (pair.name, value)


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.name)
def test_discovered_divergences_are_real_and_outside_the_table(pair: Pair) -> None:
    for discovered in pair.discovered:
        assert disagree(pair, discovered.input), discovered.input
        assert not [c.id for c in pair.causes if c.exhibits(discovered.input)], discovered.input

"""The lakehouse strategy pack: categories reached, shrinking readable, inputs storable.

Category coverage is read from the strategies' own ``event()`` calls: the test
swaps the ``event`` that ``difffuzz_strategies._categories`` calls for one that
records the label and then calls Hypothesis's real ``event``, so the statistics
Hypothesis prints are unchanged and the test reads the same labels.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import difffuzz_strategies
import pytest
from difffuzz_strategies import _categories
from hypothesis import HealthCheck, Phase, event, find, given, settings
from hypothesis import strategies as st

import difffuzz
from difffuzz._registry import STRATEGIES, StrategyEntry

PACK = sorted(
    name
    for name, entry in STRATEGIES.items()
    if entry.factory.__module__.startswith("difffuzz_strategies.")
)
# Parameters under which every registered category is reachable.
COVERAGE_PARAMS: dict[str, dict[str, Any]] = {"staffing_queries": {"clustered": True}}

FAST = settings(
    database=None,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def test_the_pack_registers_every_surface() -> None:
    assert PACK == [
        "embed_batches",
        "embed_texts",
        "llm_json",
        "llm_json_bytes",
        "materializer_trees",
        "search_requests",
        "session_records",
        "staffing_queries",
        "unicode_text",
        "validator_requests",
    ]


@pytest.fixture
def reported(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    labels: list[str] = []

    def record(value: str, payload: str = "") -> None:
        labels.append(value)
        event(value, payload)

    monkeypatch.setattr(_categories, "event", record)
    return labels


def _draw_many(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    values: list[Any] = []

    @settings(FAST, max_examples=count, phases=[Phase.generate])
    @given(strategy)
    def collect(value: Any) -> None:
        values.append(value)

    collect()
    return values


@pytest.mark.parametrize("name", PACK)
def test_every_category_is_reached_in_300_examples(name: str, reported: list[str]) -> None:
    entry = STRATEGIES[name]
    _draw_many(entry.build(COVERAGE_PARAMS.get(name)), 300)
    seen = {label.partition(":")[2] for label in reported if label.startswith(f"{name}:")}
    assert set(entry.categories) - seen == set(), f"{name}: categories never reached"
    # And nothing is reported that the registration does not name (typos).
    assert seen <= set(entry.categories)


def test_session_records_valid_only_never_reports_invalid_categories(
    reported: list[str],
) -> None:
    _draw_many(difffuzz_strategies.session_records(valid_only=True), 200)
    invalid = {"wrong_type", "missing_required", "extra_field", "null_field", "unknown_outcome"}
    assert {label.partition(":")[2] for label in reported} & invalid == set()
    assert any(label == "session_records:schema" for label in reported)


def _text(value: Any) -> str:
    return json.dumps(difffuzz.encode_input(value), ensure_ascii=False)


def _sms_body(value: Any) -> str:
    payload = value.get("payload") if isinstance(value, dict) else None
    if _kind(value) != "sms" or not isinstance(payload, dict):
        return ""
    return str(payload.get("body", ""))


def _kind(value: Any) -> object:
    return value.get("kind") if isinstance(value, dict) else None


# (strategy, a simple property, the longest acceptable minimal example in characters
# of its stored JSON form). The bounds are a little above what the shrinker reaches
# today: the test fails when a change makes shrunk fixtures much harder to read.
SHRINK_CASES: list[tuple[str, Callable[[Any], bool], int]] = [
    ("staffing_queries", lambda q: any(c.isdigit() for c in q), 70),
    ("search_requests", lambda r: r["k"] == 0, 110),
    ("search_requests", lambda r: len(r["exclude_ids"]) > 0, 120),
    ("llm_json", lambda t: "```" in t, 30),
    ("llm_json", lambda t: "1e400" in t, 60),
    # Deep nesting starts at 100 levels: the minimal one is 100 brackets deep.
    ("llm_json", lambda t: t.count("[") >= 100, 260),
    ("llm_json_bytes", lambda b: b"\xff" in b, 60),
    ("unicode_text", lambda t: any(c.isdigit() and not c.isascii() for c in t), 5),
    ("unicode_text", lambda t: len(t.upper()) != len(t), 5),
    ("session_records", lambda r: "error" in r, 260),
    ("session_records", lambda r: r.get("iterations") == 2**53, 260),
    # Over 160 characters there are two designed bodies, 161 "x" and 160 "e" + U+0301;
    # which one the shrinker ends on depends on its path (and Hypothesis's constant
    # pool differs between editable and plain installs), so each is asked for alone.
    ("validator_requests", lambda v: len(_sms_body(v)) > 160 and _sms_body(v).isascii(), 230),
    ("validator_requests", lambda v: _kind(v) == "fill", 160),
    ("embed_texts", lambda t: any(c.isdigit() for c in t), 5),
    ("embed_batches", lambda b: len(b) != len(set(b)), 150),
    ("materializer_trees", lambda tree: any(b"\n\n" in content for _, content in tree), 80),
]


@pytest.mark.parametrize(
    ("name", "condition", "bound"),
    SHRINK_CASES,
    ids=[f"{name}-{i}" for i, (name, _, _) in enumerate(SHRINK_CASES)],
)
def test_minimal_example_is_short(name: str, condition: Callable[[Any], bool], bound: int) -> None:
    minimal = find(
        STRATEGIES[name].build(COVERAGE_PARAMS.get(name)),
        condition,
        settings=settings(FAST, max_examples=2000, phases=[Phase.generate, Phase.shrink]),
    )
    assert len(_text(minimal)) <= bound, _text(minimal)[:300]


@pytest.mark.parametrize(
    ("ascii", "body"), [(True, "x" * 161), (False, "e\u0301" * 160)], ids=["ascii", "combining"]
)
def test_sms_over_the_limit_shrinks_to_its_designed_boundary_body(ascii: bool, body: str) -> None:
    # Each condition is met by exactly one body the strategy draws, so the minimal
    # example does not depend on the path the shrinker takes: the body is pinned,
    # and everything around it is the simplest the strategy has (its first phone).
    minimal = find(
        difffuzz_strategies.validator_requests(),
        lambda v: len(_sms_body(v)) > 160 and _sms_body(v).isascii() == ascii,
        settings=settings(FAST, max_examples=2000, phases=[Phase.generate, Phase.shrink]),
    )
    assert _sms_body(minimal) == body
    assert minimal == {"kind": "sms", "payload": {"to": "+13135550142", "body": body}}


def _entry_values(entry: StrategyEntry, count: int) -> list[Any]:
    return [*entry.examples, *_draw_many(entry.build(), count)]


@pytest.mark.parametrize("name", PACK)
def test_inputs_survive_the_fixture_codec(name: str) -> None:
    for value in _entry_values(STRATEGIES[name], 60):
        stored = json.loads(json.dumps(difffuzz.encode_input(value)))
        assert difffuzz.decode_input(stored) == value


@pytest.mark.parametrize(
    "name", ["search_requests", "session_records", "validator_requests", "embed_batches"]
)
def test_json_surface_inputs_are_strict_json(name: str) -> None:
    for value in _entry_values(STRATEGIES[name], 100):
        if isinstance(value, bytes):
            continue  # validator_requests: a body that is not JSON, sent as it is
        text = json.dumps(value, allow_nan=False, ensure_ascii=False)
        text.encode("utf-8")  # no lone surrogates either


@pytest.mark.parametrize("name", PACK)
def test_every_strategy_carries_the_contract_fixtures(name: str) -> None:
    expected = {
        "embed_texts": 8,
        "llm_json": 12,
        "llm_json_bytes": 12,
        "session_records": 4,
        "validator_requests": 6,
        "materializer_trees": 1,
        "unicode_text": 3,
    }
    entry = STRATEGIES[name]
    assert entry.categories
    assert entry.description
    assert len(entry.examples) == expected.get(name, len(entry.examples)) > 0

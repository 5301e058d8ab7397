"""Normalize steps: the built-ins do what they say, jq is real jq, hooks and plug-ins load.

Property tests check the invariants every step relies on: a step never mutates
the answer it is given (the raw answer is kept for the report), the enum steps
invert each other, and rewriting at a pattern touches only what it names.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from difffuzz._exceptions import ConfigError, RegistryError
from difffuzz._normalize import (
    NormalizedOutcome,
    NormalizeError,
    StepSpec,
    compile_pipeline,
    normalize_outcome,
    normalizer,
    registered,
    step_from_config,
)
from difffuzz._normalize.builtins import convert_case
from difffuzz._normalize.places import rewrite_at
from difffuzz._outcome import Outcome
from difffuzz._pointer import find, resolve
from tests.json_values import json_values, keys


def run(name: str, value: Any, **params: Any) -> Any:
    return compile_pipeline([StepSpec(name, params)]).apply(value)


def shout(value: Any) -> Any:
    """A hook for these tests: upper-case every top-level string value."""
    if isinstance(value, dict):
        return {k: v.upper() if isinstance(v, str) else v for k, v in value.items()}
    return value


def broken_hook(value: Any) -> Any:
    raise KeyError("no such field")


# -- the built-ins ---------------------------------------------------------


def test_untag_enum_turns_serde_s_external_tag_into_a_kind_field() -> None:
    rust = {"Schema": {"field": "to", "reason": "not an email"}}
    assert run("untag_enum", rust, case="lower") == {
        "kind": "schema",
        "field": "to",
        "reason": "not an email",
    }
    # What is not a one-key object holding an object is left alone.
    assert run("untag_enum", {"valid": True}) == {"valid": True}
    assert run("untag_enum", {"a": {}, "b": {}}) == {"a": {}, "b": {}}
    assert run("untag_enum", {"Other": {"x": 1}}, variants=["Schema"]) == {"Other": {"x": 1}}


def test_untag_enum_refuses_a_payload_that_already_has_the_tag() -> None:
    with pytest.raises(NormalizeError, match="already has a 'kind' key"):
        run("untag_enum", {"Schema": {"kind": "x"}})


@given(
    variant=st.from_regex(r"[A-Z][a-z]{1,8}", fullmatch=True),
    payload=st.dictionaries(keys.filter(lambda k: k != "kind"), json_values, max_size=4),
)
def test_tag_enum_inverts_untag_enum(variant: str, payload: dict[str, Any]) -> None:
    tagged = {variant: payload}
    assert run("tag_enum", run("untag_enum", tagged)) == tagged


def test_rename_keys_by_map_then_case_and_at_every_depth() -> None:
    go = {"Kind": "schema", "Field": "to", "Nested": {"InnerKey": 1}}
    assert run("rename_keys", go, case="lower") == {
        "kind": "schema",
        "field": "to",
        "nested": {"InnerKey": 1},
    }
    assert run("rename_keys", go, case="snake", at="/**")["nested"] == {"inner_key": 1}
    rust = {"embeddings": [[1.0]], "dimensions": 1, "model": "m"}
    assert run("rename_keys", rust, map={"embeddings": "vectors", "dimensions": "dimension"}) == {
        "vectors": [[1.0]],
        "dimension": 1,
        "model": "m",
    }


def test_rename_keys_that_collide_is_an_error_not_a_lost_key() -> None:
    with pytest.raises(NormalizeError, match="two keys become 'kind'"):
        run("rename_keys", {"Kind": 1, "kind": 2}, case="lower")


@pytest.mark.parametrize(
    ("name", "case", "expected"),
    [
        ("HTTPStatusCode", "snake", "http_status_code"),
        ("line_offset", "camel", "lineOffset"),
        ("line_offset", "pascal", "LineOffset"),
        ("lineOffset", "kebab", "line-offset"),
        ("Reason", "upper", "REASON"),
    ],
)
def test_convert_case(name: str, case: str, expected: str) -> None:
    assert convert_case(name, case) == expected


def test_omitempty_fills_what_go_left_out_and_keeps_what_is_there() -> None:
    step = {"fields": {"error": "", "line_offset": 0}}
    assert run("omitempty", {"a": 1}, **step) == {"a": 1, "error": "", "line_offset": 0}
    assert run("omitempty", {"error": "boom", "line_offset": 3}, **step) == {
        "error": "boom",
        "line_offset": 3,
    }
    rows = [{"provenance": {}}, {"provenance": {"line_offset": 1}}]
    filled = run("omitempty", rows, fields={"line_offset": 0}, at="/*/provenance")
    assert [row["provenance"]["line_offset"] for row in filled] == [0, 1]


@given(st.floats(allow_nan=False, allow_infinity=False, width=32))
def test_round_float32_makes_a_64_bit_value_agree_with_its_32_bit_writing(x: float) -> None:
    import numpy as np

    written_by_go = float(str(np.float32(x)))  # shortest float32 digits, read back as f64
    assert run("round_float32", {"v": [written_by_go]}) == run("round_float32", {"v": [x]})


def test_round_float32_leaves_integers_and_non_finite_values() -> None:
    assert run("round_float32", [1, 2**70, True]) == [1, 2**70, True]
    result = run("round_float32", [math.inf, 1e300])
    assert result == [math.inf, math.inf]


def test_unit_vector_normalises_and_keeps_zero_and_non_vectors() -> None:
    answer = {"vectors": [[3, 4], [0, 0], ["x"]]}
    assert run("unit_vector", answer, at="/vectors/*") == {"vectors": [[0.6, 0.8], [0, 0], ["x"]]}
    huge = run("unit_vector", [1e308, 1e308])
    assert huge == pytest.approx([math.sqrt(0.5)] * 2)


def test_sort_by_a_key_is_stable_and_puts_elements_without_it_last() -> None:
    results = [{"id": "b", "n": 1}, {"n": 2}, {"id": "a", "n": 3}, {"id": "b", "n": 4}]
    assert [r["n"] for r in run("sort_by", results, key="/id")] == [3, 1, 4, 2]
    assert [r["n"] for r in run("sort_by", results, key="/id", reverse=True)] == [1, 4, 3, 2]
    assert run("sort_by", [3, None, "a", 1.5]) == [None, 1.5, 3, "a"]


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (StepSpec("rename_keys", {}), "give 'map'"),
        (StepSpec("rename_keys", {"case": "shouting"}), "case must be one of"),
        (StepSpec("untag_enum", {"at": "results"}), "must start with '/'"),
        (StepSpec("sort_by", {"key": 3}), "'key' must be a JSON pointer"),
        (StepSpec("omitempty", {}), "omitempty"),
        (StepSpec("rename_keys", {"cas": "lower"}), "unknown parameter.*'cas'.*accepts: at"),
    ],
)
def test_bad_parameters_are_config_errors_that_say_the_fix(step: StepSpec, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        compile_pipeline([step])


# -- invariants every step relies on ----------------------------------------

ALL_STEPS = [
    StepSpec("untag_enum", {"at": "/**"}),
    StepSpec("tag_enum", {"at": "/**"}),
    StepSpec("rename_keys", {"case": "snake", "at": "/**"}),
    StepSpec("omitempty", {"fields": {"x": 0}, "at": "/**"}),
    StepSpec("round_float32"),
    StepSpec("unit_vector", {"at": "/**"}),
    StepSpec("sort_by", {"at": "/**"}),
    StepSpec("jq", {"expr": 'walk(if type == "object" then del(.a) else . end)'}),
]


@pytest.mark.parametrize("step", ALL_STEPS, ids=lambda s: s.name)
@given(value=json_values)
def test_no_step_mutates_the_answer_it_is_given(step: StepSpec, value: Any) -> None:
    before = json.dumps(value, sort_keys=True)
    pipeline = compile_pipeline([step])
    # A refusal (two keys renamed alike) is fine; a mutation is not.
    with contextlib.suppress(NormalizeError):
        pipeline.apply(value)
    assert json.dumps(value, sort_keys=True) == before


@given(value=json_values, pattern=st.sampled_from(["/*", "/**", "/*/*", "/a", "/**/a"]))
def test_rewrite_at_changes_exactly_the_places_the_pattern_names(value: Any, pattern: str) -> None:
    marked = rewrite_at(value, pattern, lambda node: {"marked": copy.deepcopy(node)})
    # Outermost matches are the ones visible afterwards; every one is marked.
    named = [pointer for pointer, _ in find(value, pattern)]
    for pointer in named:
        if not any(pointer.startswith(other + "/") for other in named if other != pointer):
            node = resolve(marked, pointer)
            assert isinstance(node, dict)
            assert set(node) == {"marked"}, pointer
    if not named:
        assert marked == value or json.dumps(marked) == json.dumps(value)
    identity = rewrite_at(value, pattern, lambda node: node)
    assert json.dumps(identity, sort_keys=True) == json.dumps(value, sort_keys=True)


# -- jq ----------------------------------------------------------------------

GO_SHAPE = (
    'if .Schema then {Kind: "schema", Field: .Schema.field, Reason: .Schema.reason} else . end'
)


def test_jq_is_real_jq_compiled_once() -> None:
    rust = {"Schema": {"field": "to", "reason": "not an email"}}
    assert run("jq", rust, expr=GO_SHAPE) == {
        "Kind": "schema",
        "Field": "to",
        "Reason": "not an email",
    }
    assert run("jq", {"valid": True}, expr=GO_SHAPE) == {"valid": True}
    assert compile_pipeline([StepSpec("jq", {"expr": GO_SHAPE})]) is compile_pipeline(
        [StepSpec("jq", {"expr": GO_SHAPE})]
    )


def test_a_jq_expression_that_does_not_compile_names_itself() -> None:
    with pytest.raises(ConfigError, match=r"jq expression 'if \.Schema then' does not compile"):
        compile_pipeline([StepSpec("jq", {"expr": "if .Schema then"})])


@pytest.mark.parametrize(
    ("expr", "message"),
    [(".a + 1", "cannot be added"), (".[]", "gave 2 values"), ("empty", "gave 0 values")],
)
def test_a_jq_expression_that_fails_on_an_answer_raises(expr: str, message: str) -> None:
    with pytest.raises(NormalizeError, match=message) as failure:
        run("jq", {"a": "x", "b": 1}, expr=expr)
    assert repr(expr) in str(failure.value)


# -- hooks and plug-ins -----------------------------------------------------


def test_a_hook_is_imported_once_and_called_on_the_answer() -> None:
    assert run("hook", {"role": "welder", "n": 1}, target="tests.test_normalize:shout") == {
        "role": "WELDER",
        "n": 1,
    }


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("tests.no_such_module:f", "cannot be imported"),
        ("tests.test_normalize:nothing", "has no function 'nothing'"),
        ("no_colon", "module:function"),
    ],
)
def test_a_hook_that_cannot_be_found_is_a_config_error(target: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        compile_pipeline([StepSpec("hook", {"target": target})])


def test_a_hook_that_raises_is_a_normalize_error_naming_it() -> None:
    with pytest.raises(NormalizeError, match=r"hook tests\.test_normalize:broken_hook raised"):
        run("hook", {}, target="tests.test_normalize:broken_hook")


@normalizer("test-drop-key")
def drop_key(*, key: str = "trace_id") -> Any:
    """A plug-in step for these tests."""
    return lambda value: {k: v for k, v in value.items() if k != key}


def test_a_registered_step_is_used_by_name_and_a_second_registration_is_refused() -> None:
    assert run("test-drop-key", {"trace_id": 1, "a": 2}) == {"a": 2}
    assert "test-drop-key" in registered()
    with pytest.raises(RegistryError, match="'test-drop-key' is already registered"):
        normalizer("test-drop-key")(lambda: lambda value: value)


def test_an_unknown_step_lists_the_known_ones() -> None:
    with pytest.raises(RegistryError, match=r"unknown normalize step 'untag'.*untag_enum"):
        compile_pipeline([StepSpec("untag", {})])


# -- specs and answers -------------------------------------------------------


@pytest.mark.parametrize(
    "entry",
    [
        ".a",
        {"jq": ".a"},
        {"hook": "m:f"},
        {"step": "rename_keys", "case": "lower"},
        {"step": "omitempty", "fields": {"error": ""}},
    ],
)
def test_a_step_survives_its_stored_form(entry: Any) -> None:
    step = step_from_config(entry, gap="422 shape")
    assert StepSpec.from_json(step.to_json()) == step


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (3, "jq expression string or a table"),
        ({"step": "a", "jq": "."}, "exactly one of"),
        ({"jq": ""}, "non-empty string"),
        ({"step": "x", "gap": "y"}, "'gap' is not a step parameter"),
    ],
)
def test_malformed_steps_say_what_to_write(entry: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        step_from_config(entry)


def test_a_normalized_outcome_keeps_the_raw_bytes_and_replaces_the_parsed_value() -> None:
    raw = Outcome(422, b'{"Schema": {"field": "to"}}')
    pipeline = compile_pipeline([StepSpec("untag_enum", {"case": "lower"})])
    normalized = normalize_outcome(raw, pipeline)
    assert isinstance(normalized, NormalizedOutcome)
    assert normalized.json == {"kind": "schema", "field": "to"}
    assert (normalized.body, normalized.status, normalized.raw) == (raw.body, 422, raw)
    # Normalising again starts from the raw answer, not from the result.
    assert normalize_outcome(normalized, pipeline).json == normalized.json
    not_json = Outcome(500, b"oops")
    assert normalize_outcome(not_json, pipeline) is not_json

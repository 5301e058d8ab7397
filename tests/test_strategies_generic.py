"""The generic strategies: ``from_schema`` draws only valid values (or one mistake with
``invalid``), ``text``, ``bytes`` and ``regex`` keep to their parameters.

Each schema in :data:`SCHEMAS` is one construct the walker handles itself
(objects, arrays, ``$ref``, recursion, ``allOf``/``anyOf``/``oneOf``, type lists,
OpenAPI's ``nullable`` and ``readOnly``, formats); every value drawn is checked
against the schema by ``jsonschema``, independently of the strategy's own filter.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from difffuzz._builtins import BUILTIN_ORIGIN
from difffuzz._exceptions import ConfigError
from difffuzz._registry import STRATEGIES, get_strategy
from difffuzz._strategies.generic import from_schema, regex
from difffuzz._strategies.schema import schema_strategy
from tests.support.inputs import as_text

NODE = {
    "type": "object",
    "properties": {
        "value": {"type": "integer", "format": "int32"},
        "children": {"type": "array", "items": {"$ref": "#/$defs/node"}, "maxItems": 3},
    },
    "required": ["value"],
    "additionalProperties": False,
}

SCHEMAS: dict[str, Any] = {
    "object": {
        "type": "object",
        "properties": {"name": {"type": "string", "minLength": 1}, "age": {"type": "integer"}},
        "required": ["name"],
        "additionalProperties": False,
    },
    "bare object": {"type": "object"},
    "extra keys": {
        "type": "object",
        "properties": {"id": {"type": "string"}},
        "additionalProperties": {"type": "number"},
    },
    "nested": {
        "type": "object",
        "properties": {
            "user": {
                "type": "object",
                "properties": {"tags": {"type": "array", "items": {"type": "string"}}},
                "required": ["tags"],
            }
        },
        "required": ["user"],
    },
    "recursive": {"$defs": {"node": NODE}, "$ref": "#/$defs/node"},
    "allOf": {
        "allOf": [
            {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
            {"properties": {"b": {"type": "boolean"}}, "required": ["b"]},
        ]
    },
    "anyOf": {"anyOf": [{"type": "string", "maxLength": 3}, {"type": "integer", "minimum": 10}]},
    "oneOf": {
        "oneOf": [{"type": "integer", "multipleOf": 2}, {"type": "integer", "multipleOf": 3}]
    },
    "type list": {"type": ["string", "null", "array"], "items": {"type": "integer"}},
    "nullable": {"type": "object", "properties": {"n": {"type": "string", "nullable": True}}},
    "enum and const": {
        "type": "object",
        "properties": {"kind": {"enum": ["a", "b", None]}, "v": {"const": 3}},
        "required": ["kind", "v"],
    },
    "formats": {
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "when": {"type": "string", "format": "date-time"},
            "small": {"type": "integer", "format": "int32"},
        },
        "required": ["id", "when", "small"],
    },
    "tuple": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]},
    "unique": {"type": "array", "items": {"type": "integer", "maximum": 5}, "uniqueItems": True},
    "not": {"type": "integer", "not": {"const": 0}},
    "min properties": {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "minProperties": 1,
    },
    "true": True,
}

_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_value_drawn_is_valid(name: str) -> None:
    schema = SCHEMAS[name]
    validator = jsonschema.Draft202012Validator(schema)

    @_SETTINGS
    @given(schema_strategy(schema))
    def check(value: Any) -> None:
        errors = [error.message for error in validator.iter_errors(value)]
        assert not errors, (value, errors)

    check()


def test_read_only_properties_are_not_sent() -> None:
    schema = {
        "type": "object",
        "properties": {"id": {"type": "integer", "readOnly": True}, "name": {"type": "string"}},
    }

    @_SETTINGS
    @given(schema_strategy(schema))
    def check(value: dict[str, Any]) -> None:
        assert "id" not in value

    check()


def test_recursive_schemas_draw_nested_values() -> None:
    depths: list[int] = []

    def depth(node: dict[str, Any]) -> int:
        return 1 + max((depth(child) for child in node.get("children", [])), default=0)

    @settings(max_examples=100, deadline=None)
    @given(schema_strategy(SCHEMAS["recursive"]))
    def collect(value: dict[str, Any]) -> None:
        depths.append(depth(value))

    collect()
    assert max(depths) >= 3


def test_a_pointer_into_a_yaml_document_follows_its_references(tmp_path: Path) -> None:
    spec = tmp_path / "api.yaml"
    spec.write_text(
        "openapi: 3.0.3\n"
        "components:\n"
        "  schemas:\n"
        "    Item:\n"
        "      type: object\n"
        "      required: [sku, count]\n"
        "      properties:\n"
        "        sku: {type: string, pattern: '^[A-Z]{3}-[0-9]{2}$'}\n"
        "        count: {type: integer, minimum: 1, maximum: 9}\n"
        "    Order:\n"
        "      type: object\n"
        "      required: [items]\n"
        "      properties:\n"
        "        items: {type: array, minItems: 1, items: {$ref: '#/components/schemas/Item'}}\n",
        encoding="utf-8",
    )
    strategy = from_schema(schema_file=str(spec), pointer="/components/schemas/Order")

    @_SETTINGS
    @given(strategy)
    def check(order: dict[str, Any]) -> None:
        assert order["items"]
        for item in order["items"]:
            assert re.fullmatch(r"[A-Z]{3}-[0-9]{2}", item["sku"])
            assert 1 <= item["count"] <= 9

    check()


def test_invalid_draws_one_mistake_each_and_reaches_every_kind() -> None:
    schema = SCHEMAS["object"]
    validator = jsonschema.Draft202012Validator(schema)
    seen: set[str] = set()

    @settings(max_examples=300, deadline=None, database=None)
    @given(from_schema(schema=schema, invalid=True))
    def collect(value: Any) -> None:
        if validator.is_valid(value):
            seen.add("valid")
        elif value is None:
            seen.add("null")
        elif isinstance(value, dict) and "name" not in value:
            seen.add("missing")
        elif isinstance(value, dict) and set(value) - {"name", "age"}:
            seen.add("unknown key")
        elif isinstance(value, dict) and value.get("name") == "":
            seen.add("out of range")  # minLength 1, one short
        else:
            seen.add("wrong type")

    collect()
    assert seen == {"valid", "null", "missing", "unknown key", "wrong type", "out of range"}


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({}, "exactly one of schema"),
        ({"schema": {}, "schema_file": "x.json"}, "exactly one of schema"),
        ({"schema_file": "/nonexistent/x.json"}, "cannot be read"),
        ({"schema": {"type": "object"}, "pointer": "/nope"}, "does not exist"),
        ({"schema": {"$ref": "other.json#/x"}}, "only local references"),
        ({"schema": {"type": "strnig"}}, "unknown JSON Schema type 'strnig'"),
    ],
)
def test_bad_parameters_say_what_to_fix(params: dict[str, Any], words: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(words)):
        from_schema(**params).example()


def test_the_generic_strategies_are_built_in() -> None:
    for name in ("from_schema", "text", "bytes", "regex"):
        assert STRATEGIES.origin(name) == BUILTIN_ORIGIN


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_text_keeps_to_its_alphabet_and_sizes(data: st.DataObject) -> None:
    text = get_strategy("text").build({"alphabet": "ab\u00e9", "min_size": 2, "max_size": 5})
    value = as_text(data.draw(text))
    assert 2 <= len(value) <= 5
    assert set(value) <= set("ab\u00e9")


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_bytes_keep_to_their_sizes(data: st.DataObject) -> None:
    value = data.draw(get_strategy("bytes").build({"min_size": 1, "max_size": 3}))
    assert isinstance(value, bytes)
    assert 1 <= len(value) <= 3


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_regex_matches_whole(data: st.DataObject) -> None:
    pattern = r"T-[0-9]{1,4}"
    assert re.fullmatch(pattern, data.draw(regex(pattern)))


def test_a_bad_regex_names_the_pattern() -> None:
    with pytest.raises(ConfigError, match=r"regex: the pattern '\(' is not a valid regex"):
        regex("(")

"""Strategies for any service: ``from_schema``, ``text``, ``bytes`` and ``regex``.

The lakehouse pack knows one platform; these know nothing of it, so a config for
your own service can start with them (``difffuzz init`` writes configs that
do). They are built-ins: :data:`GENERIC_STRATEGIES` is a plain table that
:func:`difffuzz._builtins.load_builtins` registers, beside the built-in rules
and properties, so nothing registers by being imported. The JSON Schema machinery
(:mod:`.schema`, jsonschema, hypothesis-jsonschema) is imported on first use only.

``from_schema`` takes a JSON Schema inline (``schema = {...}``) or from a file
(``schema_file = "user.schema.json"``, JSON or YAML; a relative path is read from
the config's folder), and optionally a JSON pointer into it (``pointer =
"/components/schemas/User"``: an OpenAPI document holds many schemas, with
references between them). ``invalid = true`` also draws values the schema
refuses, one mistake each (a required key missing, a value of the wrong type, a
value one step past a bound, an unknown key, ``null``): two runtimes part most
often in what they reject, and how.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hypothesis import currently_in_test_context, event
from hypothesis import strategies as st

from difffuzz._exceptions import ConfigError
from difffuzz._jsontypes import JSONValue
from difffuzz._registry import StrategyEntry

__all__ = [
    "GENERIC_STRATEGIES",
    "bytes_inputs",
    "from_schema",
    "load_schema_document",
    "regex",
    "text",
]

SCHEMA_CATEGORIES = (
    "valid",
    "invalid:missing_required",
    "invalid:wrong_type",
    "invalid:unknown_key",
    "invalid:out_of_range",
    "invalid:null",
)


def report(category: str) -> None:
    """Tell Hypothesis which kind of value was drawn (``from_schema:<category>``)."""
    if currently_in_test_context():  # not while a tool draws outside a test
        event(f"from_schema:{category}")


def _tagged(category: str, values: st.SearchStrategy[JSONValue]) -> st.SearchStrategy[JSONValue]:
    def reported(value: JSONValue) -> JSONValue:
        report(category)
        return value

    return values.map(reported)


def load_schema_document(path: str | Path) -> Any:
    """A JSON or YAML document from ``path`` (a schema, or an OpenAPI spec)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(
            f"the schema file {str(file)!r} cannot be read ({error.strerror or error}); a "
            "relative schema_file is read from the config's folder"
        ) from None
    if file.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(f"the schema file {str(file)!r} is not valid JSON: {error}") from None
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"the schema file {str(file)!r} is not valid YAML: {error}") from None


def from_schema(
    schema: Any = None,
    schema_file: str | None = None,
    pointer: str = "",
    invalid: bool = False,
) -> st.SearchStrategy[JSONValue]:
    """Values of a JSON Schema; with ``invalid``, also values it refuses (one mistake each)."""
    if (schema is None) == (schema_file is None):
        raise ConfigError(
            "from_schema needs exactly one of schema = {...} (inline) or schema_file = "
            f"'path.json' (got schema={schema!r}, schema_file={schema_file!r})"
        )
    from difffuzz._strategies.schema import resolve_pointer, schema_strategy

    root = load_schema_document(schema_file) if schema_file is not None else schema
    target = resolve_pointer(root, pointer) if pointer else root
    valid = _tagged("valid", schema_strategy(target, root=root))
    if not invalid:
        return valid
    return st.one_of(valid, _invalid_values(target, root, valid))


def _invalid_values(
    schema: Any, root: Any, valid: st.SearchStrategy[JSONValue]
) -> st.SearchStrategy[JSONValue]:
    """One mistake on top of a valid value: what a strict runtime must refuse."""
    target = _deref(schema, root)
    mistakes: list[st.SearchStrategy[JSONValue]] = [_tagged("invalid:null", st.none())]
    if isinstance(target, Mapping) and _is_object(target):
        required = [name for name in target.get("required", []) if isinstance(name, str)]
        if required:
            mistakes.append(
                st.tuples(valid, st.sampled_from(required)).map(
                    lambda pair: _without(pair[0], pair[1])
                )
            )
        names = sorted(target.get("properties", {}))
        if names:
            mistakes.append(
                st.tuples(valid, st.sampled_from(names), _WRONG).map(
                    lambda triple: _replaced(triple[0], triple[1], triple[2])
                )
            )
        edges = {
            name: values
            for name, sub in target.get("properties", {}).items()
            if (values := _just_outside(_deref(sub, root)))
        }
        if edges:
            # One past a bound: where two validators most often part (>= against >).
            mistakes.append(
                st.sampled_from(sorted(edges))
                .flatmap(lambda name: st.tuples(valid, st.just(name), st.sampled_from(edges[name])))
                .map(lambda triple: _out_of_range(triple[0], triple[1], triple[2]))
            )
        if target.get("additionalProperties") is False:
            mistakes.append(
                st.tuples(valid, st.text(min_size=1, max_size=8)).map(
                    lambda pair: _with_unknown(pair[0], pair[1])
                )
            )
    else:
        mistakes.append(_tagged("invalid:wrong_type", _WRONG))
    return st.one_of(mistakes)


def _just_outside(schema: Any) -> list[JSONValue]:
    """Values one step outside a property's bounds (numbers, string lengths), if it has any."""
    if not isinstance(schema, Mapping):
        return []
    values: list[JSONValue] = []
    step = 1 if schema.get("type") == "integer" else 0.5
    for key, delta in (("minimum", -step), ("maximum", step)):
        bound = schema.get(key)
        if isinstance(bound, int | float) and not isinstance(bound, bool):
            values.append(bound + delta)
    for key in ("exclusiveMinimum", "exclusiveMaximum"):
        bound = schema.get(key)
        if isinstance(bound, int | float) and not isinstance(bound, bool):
            values.append(bound)
    if isinstance(schema.get("minLength"), int) and schema["minLength"] > 0:
        values.append("x" * (schema["minLength"] - 1))
    if isinstance(schema.get("maxLength"), int):
        values.append("x" * (schema["maxLength"] + 1))
    return values


#: Values of the JSON types a field most often does not expect.
_WRONG: st.SearchStrategy[JSONValue] = st.sampled_from(
    [None, True, 0, -1, 1.5, "", "x", [], {}, "0", 2**63]
)


def _deref(schema: Any, root: Any) -> Any:
    from difffuzz._strategies.schema import resolve_pointer

    seen = 0
    while isinstance(schema, Mapping) and "$ref" in schema and seen < 32:
        schema = resolve_pointer(root, schema["$ref"])
        seen += 1
    return schema


def _is_object(schema: Mapping[str, Any]) -> bool:
    kind = schema.get("type")
    return kind == "object" or (kind is None and "properties" in schema)


def _without(value: JSONValue, name: str) -> JSONValue:
    report("invalid:missing_required")
    if not isinstance(value, dict):
        return value
    return {key: item for key, item in value.items() if key != name}


def _replaced(value: JSONValue, name: str, wrong: JSONValue) -> JSONValue:
    report("invalid:wrong_type")
    if not isinstance(value, dict):
        return value
    return {**value, name: wrong}


def _out_of_range(value: JSONValue, name: str, outside: JSONValue) -> JSONValue:
    report("invalid:out_of_range")
    if not isinstance(value, dict):
        return value
    return {**value, name: outside}


def _with_unknown(value: JSONValue, name: str) -> JSONValue:
    report("invalid:unknown_key")
    if not isinstance(value, dict) or name in value:
        return value
    return {**value, name: "unexpected"}


def text(
    min_size: int = 0, max_size: int | None = None, alphabet: str | None = None
) -> st.SearchStrategy[str]:
    """Any text, or text of ``alphabet``'s characters, between the sizes."""
    characters = st.characters(codec="utf-8") if alphabet is None else st.sampled_from(alphabet)
    if alphabet == "":
        raise ConfigError("text: alphabet is empty; give the characters to draw, or leave it out")
    return st.text(characters, min_size=min_size, max_size=max_size)


def bytes_inputs(min_size: int = 0, max_size: int | None = None) -> st.SearchStrategy[bytes]:
    """Any bytes between the sizes."""
    return st.binary(min_size=min_size, max_size=max_size)


def regex(pattern: str, fullmatch: bool = True) -> st.SearchStrategy[str]:
    """Strings the Python regular expression ``pattern`` matches (whole, by default)."""
    import re

    try:
        re.compile(pattern)
    except re.error as error:
        raise ConfigError(f"regex: the pattern {pattern!r} is not a valid regex: {error}") from None
    return st.from_regex(pattern, fullmatch=fullmatch)


#: The generic strategies, by name, as :func:`difffuzz._builtins.load_builtins` registers them.
GENERIC_STRATEGIES: dict[str, StrategyEntry] = {
    entry.name: entry
    for entry in (
        StrategyEntry(
            "from_schema",
            from_schema,
            "JSON values from a JSON Schema (inline, or a file and a pointer into it)",
            categories=SCHEMA_CATEGORIES,
        ),
        StrategyEntry("text", text, "Unicode text (alphabet and sizes optional)"),
        StrategyEntry("bytes", bytes_inputs, "Raw bytes (sizes optional): invalid UTF-8 included"),
        StrategyEntry("regex", regex, "Text matching a regular expression (pattern = '...')"),
    )
}

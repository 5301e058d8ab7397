"""JSON Schema to a Hypothesis strategy: containers here, leaves by hypothesis-jsonschema.

hypothesis-jsonschema 0.23.1 cannot draw *objects* with the installed Hypothesis:
its object strategy calls ``many.more()``, which Hypothesis removed (``many`` is
now a context manager iterated with ``for``), so ``from_schema`` of any schema
that allows an object fails with ``AttributeError`` on the first draw. Its
leaf strategies (strings with ``pattern`` and ``format``, numbers with bounds and
``multipleOf``, enums) work, and they are the hard part. So this module walks
the schema itself and hands hypothesis-jsonschema only schemas that cannot hold
an object:

* ``type: object`` becomes :func:`hypothesis.strategies.fixed_dictionaries`
  (required keys always, optional ones drawn, extra keys only where
  ``additionalProperties`` is given as ``true`` or a schema), each value walked
  again; ``type: array`` becomes ``st.lists`` of the walked ``items``;
* ``$ref`` is resolved in the root document (``#/$defs/...``, ``#/definitions/...``,
  OpenAPI's ``#/components/schemas/...``); a recursive reference becomes
  ``st.deferred``, so a tree schema draws trees;
* ``anyOf``/``oneOf`` are a choice of their branches, ``allOf`` is merged,
  a list of types is a choice of one schema per type, and OpenAPI 3.0's
  ``nullable`` adds ``null``; ``readOnly`` properties are left out (a client
  never sends them);
* ``true`` and ``{}`` are any JSON value, drawn here.

Every value is checked against the whole schema with ``jsonschema`` before it
is used, so a keyword the walker does not honour on its own (``not``,
``minProperties``, ``oneOf``'s "exactly one", ``dependentRequired``...) costs a
filtered draw, never an invalid input presented as valid. Where hypothesis-jsonschema
gets fixed, only this module has to change.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import Any

import jsonschema
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema as leaf_from_schema

from difffuzz._exceptions import ConfigError
from difffuzz._jsontypes import JSONValue

__all__ = ["any_json", "resolve_pointer", "schema_strategy", "validator_for"]

#: Formats hypothesis-jsonschema does not draw (it ignores unknown ones), as
#: strategies; OpenAPI adds ``int32``/``int64`` on integers, handled as bounds.
_FORMATS: dict[str, st.SearchStrategy[str]] = {
    "uuid": st.uuids().map(str),
    "byte": st.binary(max_size=24).map(lambda raw: base64.b64encode(raw).decode("ascii")),
    "binary": st.text(max_size=24),
    "password": st.text(max_size=24),
}
_INT_BOUNDS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_SCALAR_TYPES = ("null", "boolean", "integer", "number", "string")
#: Keys that hold sub-schemas the walker handles itself.
_CONTAINER_KEYS = {"properties", "additionalProperties", "items", "prefixItems", "required"}


def any_json(max_leaves: int = 12) -> st.SearchStrategy[JSONValue]:
    """Any JSON value: what the schemas ``true`` and ``{}`` allow."""
    scalars: st.SearchStrategy[JSONValue] = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text()
    )
    return st.recursive(
        scalars,
        lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
        max_leaves=max_leaves,
    )


def schema_strategy(
    schema: Any, *, root: Any = None, check: bool = True
) -> st.SearchStrategy[JSONValue]:
    """Values valid under ``schema`` (``$ref`` resolved in ``root``, default ``schema``).

    >>> strategy = schema_strategy({"type": "object", "properties": {"n": {"type": "integer"}},
    ...                             "required": ["n"]})
    >>> isinstance(strategy.example()["n"], int)
    True
    """
    walker = _Walker(root if root is not None else schema)
    strategy = walker.walk(schema)
    if not check:
        return strategy
    return strategy.filter(validator_for(schema, walker.root))


def validator_for(schema: Any, root: Any = None) -> Callable[[Any], bool]:
    """``is_valid`` of ``schema``, its references resolved in ``root`` (default: itself)."""
    if root is None or root is schema:
        return _plain_validator(schema)
    # A sub-schema of a bigger document (an OpenAPI operation's body): validate it
    # as a reference into that document, so every ``#/...`` in it resolves there.
    pointer = _find_pointer(root, schema)
    if pointer is None:
        return _plain_validator(schema)
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resource = Resource.from_contents(root, default_specification=DRAFT202012)
    registry = Registry().with_resource("urn:difffuzz:root", resource)
    wrapper = {"$ref": f"urn:difffuzz:root#{pointer}"}
    return jsonschema.Draft202012Validator(wrapper, registry=registry).is_valid


def _plain_validator(schema: Any) -> Callable[[Any], bool]:
    if isinstance(schema, bool):
        return lambda value: schema
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as error:
        raise ConfigError(f"the JSON Schema is not valid: {error.message}") from None
    return cls(schema).is_valid


def _find_pointer(root: Any, target: Any, prefix: str = "") -> str | None:
    """The JSON pointer of ``target`` (by identity) inside ``root``, or None."""
    if root is target:
        return prefix
    children: list[tuple[str, Any]] = []
    if isinstance(root, Mapping):
        children = [(str(key), value) for key, value in root.items()]
    elif isinstance(root, list):
        children = [(str(index), value) for index, value in enumerate(root)]
    for key, value in children:
        if isinstance(value, Mapping | list):
            found = _find_pointer(value, target, f"{prefix}/{_escape(key)}")
            if found is not None:
                return found
    return None


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The value at JSON pointer ``pointer`` ("" or "#/a/b") in ``document``."""
    pointer = pointer.removeprefix("#")
    if pointer in ("", "/"):
        return document
    if not pointer.startswith("/"):
        raise ConfigError(f"the JSON pointer {pointer!r} must start with '/' (like '/$defs/item')")
    node = document
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise ConfigError(f"the JSON pointer {pointer!r} does not exist (no {token!r})")
    return node


class _Walker:
    """One schema document being turned into strategies (references memoised)."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self._refs: dict[str, st.SearchStrategy[JSONValue]] = {}
        self._expanding: set[str] = set()

    def walk(self, schema: Any) -> st.SearchStrategy[JSONValue]:
        if schema is True or schema == {}:
            return any_json()
        if schema is False:
            return st.nothing()
        if not isinstance(schema, Mapping):
            raise ConfigError(f"a JSON Schema must be an object or a boolean, got {schema!r}")
        if "$ref" in schema:
            return self._ref(schema)
        if "allOf" in schema:
            return self.walk(self._merge_all(schema))
        for key in ("anyOf", "oneOf"):
            if key in schema:
                rest = {k: v for k, v in schema.items() if k != key}
                branches = [self._with(rest, branch) for branch in schema[key]]
                return st.one_of([self.walk(branch) for branch in branches])
        if schema.get("nullable") is True:
            rest = {k: v for k, v in schema.items() if k != "nullable"}
            return st.none() | self.walk(rest)
        if "const" in schema:
            return st.just(schema["const"])
        if "enum" in schema:
            return st.sampled_from(list(schema["enum"]))
        kind = schema.get("type")
        if isinstance(kind, list):
            return st.one_of([self.walk({**schema, "type": one}) for one in kind])
        if kind is None:
            kind = self._implied_type(schema)
        if kind == "object":
            return self._object(schema)
        if kind == "array":
            return self._array(schema)
        if kind is None:
            return any_json()
        return self._leaf(schema, kind)

    # -- pieces -----------------------------------------------------------------

    def _ref(self, schema: Mapping[str, Any]) -> st.SearchStrategy[JSONValue]:
        ref = schema["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise ConfigError(
                f"the reference {ref!r} points outside the schema; only local references "
                "('#/$defs/name', '#/components/schemas/Name') are followed"
            )
        if ref in self._refs:
            return self._refs[ref]
        if ref in self._expanding:
            # A recursive schema: the strategy refers to itself, drawn lazily.
            return st.deferred(lambda: self._refs[ref])
        self._expanding.add(ref)
        target = resolve_pointer(self.root, ref)
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        strategy = self.walk(self._with(siblings, target) if siblings else target)
        self._expanding.discard(ref)
        self._refs[ref] = strategy
        return strategy

    def _with(self, base: Mapping[str, Any], branch: Any) -> Any:
        """``branch`` with the keywords of the schema around it (its siblings)."""
        if not base:
            return branch
        if not isinstance(branch, Mapping):
            return branch if branch is not True else dict(base)
        return self._merge_all({"allOf": [dict(base), dict(branch)]})

    def _merge_all(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        """Merge ``allOf`` (and the keywords beside it) into one schema, references resolved."""
        parts = [
            {k: v for k, v in schema.items() if k != "allOf"},
            *schema.get("allOf", ()),
        ]
        merged: dict[str, Any] = {}
        for part in parts:
            while isinstance(part, Mapping) and "$ref" in part and len(part) == 1:
                part = resolve_pointer(self.root, part["$ref"])
            if part is True or not part:
                continue
            if part is False:
                return {"not": {}}
            if "allOf" in part:
                part = self._merge_all(part)
            for key, value in part.items():
                if key == "properties" and key in merged:
                    merged[key] = {**merged[key], **value}
                elif key == "required" and key in merged:
                    merged[key] = sorted(set(merged[key]) | set(value))
                elif key == "type" and key in merged and merged[key] != value:
                    kinds = set(_types(merged[key])) & set(_types(value))
                    if "number" in _types(merged[key]) and "integer" in _types(value):
                        kinds.add("integer")
                    merged[key] = sorted(kinds) if len(kinds) != 1 else kinds.pop()
                else:
                    merged[key] = value
        return merged

    @staticmethod
    def _implied_type(schema: Mapping[str, Any]) -> str | None:
        if {"properties", "additionalProperties", "required"} & schema.keys():
            return "object"
        if {"items", "prefixItems", "minItems", "maxItems"} & schema.keys():
            return "array"
        if {"pattern", "minLength", "maxLength", "format"} & schema.keys():
            return "string"
        if {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"} & schema.keys():
            return "number"
        return None

    def _object(self, schema: Mapping[str, Any]) -> st.SearchStrategy[JSONValue]:
        properties: Mapping[str, Any] = schema.get("properties", {})
        required = [name for name in schema.get("required", []) if isinstance(name, str)]
        sent = {
            name: sub
            for name, sub in properties.items()
            if not (isinstance(sub, Mapping) and sub.get("readOnly") is True)
        }
        fixed = {name: self.walk(sent.get(name, True)) for name in required}
        optional = {name: self.walk(sub) for name, sub in sent.items() if name not in fixed}
        objects: st.SearchStrategy[dict[str, JSONValue]] = st.fixed_dictionaries(
            fixed, optional=optional
        )
        # An object schema that names no property allows any key; one that names
        # some gets extra keys only where it says so, so requests stay realistic.
        extra = schema.get("additionalProperties", None if properties else True)
        if extra is True or isinstance(extra, Mapping):
            values = self.walk(extra)
            names = st.text(min_size=1, max_size=8).filter(lambda name: name not in properties)
            extras = st.dictionaries(names, values, max_size=3)
            objects = st.tuples(objects, extras).map(lambda pair: {**pair[1], **pair[0]})
        return objects

    def _array(self, schema: Mapping[str, Any]) -> st.SearchStrategy[JSONValue]:
        min_size = int(schema.get("minItems", 0))
        max_items = schema.get("maxItems")
        max_size = int(max_items) if max_items is not None else max(min_size + 4, 4)
        prefix = schema.get("prefixItems")
        items = schema.get("items", True)
        if isinstance(items, list):  # draft 4-7 tuple form
            prefix, items = items, schema.get("additionalItems", True)
        if prefix:
            head = st.tuples(*(self.walk(part) for part in prefix)).map(list)
            rest = (
                st.lists(self.walk(items), max_size=max(0, max_size - len(prefix)))
                if items is not False
                else st.just([])
            )
            return st.tuples(head, rest).map(lambda pair: pair[0] + pair[1])
        element = self.walk(items)
        unique = schema.get("uniqueItems") is True
        return st.lists(
            element,
            min_size=min_size,
            max_size=max_size,
            unique_by=(lambda value: repr(value)) if unique else None,
        )

    def _leaf(self, schema: Mapping[str, Any], kind: str) -> st.SearchStrategy[JSONValue]:
        if kind not in _SCALAR_TYPES:
            raise ConfigError(
                f"unknown JSON Schema type {kind!r} (known: object, array, "
                f"{', '.join(_SCALAR_TYPES)})"
            )
        leaf = {
            k: v
            for k, v in schema.items()
            if k not in _CONTAINER_KEYS and k not in ("nullable", "readOnly", "writeOnly")
        }
        leaf["type"] = kind
        if kind == "integer" and leaf.get("format") in _INT_BOUNDS:
            low, high = _INT_BOUNDS[leaf.pop("format")]
            leaf.setdefault("minimum", low)
            leaf.setdefault("maximum", high)
        if kind == "number" and leaf.get("format") in ("float", "double"):
            leaf.pop("format")
        if kind == "string" and leaf.get("format") in _FORMATS and "pattern" not in leaf:
            return _FORMATS[leaf["format"]]
        try:
            return leaf_from_schema(leaf)
        except Exception as error:  # hypothesis-jsonschema refuses what it cannot draw
            raise ConfigError(f"cannot draw values for the schema {leaf!r}: {error}") from None


def _types(kind: Any) -> list[str]:
    return list(kind) if isinstance(kind, list) else [kind]

"""Typed access to the TOML tables of a config, with errors that name the key path."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from difffuzz._exceptions import ConfigError
from difffuzz._secrets import Secret, expand_references

__all__ = ["Table", "expand", "expand_map", "join_key", "kind_names", "unknown_name"]


class Table:
    """Typed access to one TOML table that reports the key path on error."""

    def __init__(self, table: Mapping[str, Any], where: str, source: str) -> None:
        self.table = table
        self.where = where
        self.source = source

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.source}: {join_key(self.where, key)}: {message}")

    def check_keys(self, allowed: set[str]) -> None:
        for key in self.table:
            if key not in allowed:
                raise ConfigError(
                    unknown_name(f"key {join_key(self.where, key)}", key, allowed, self.source)
                )

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        if key not in self.table:
            return default
        value = self.table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # bool is an int in Python; a config that says `timeout = true` is a mistake.
        if isinstance(value, bool) and bool not in kinds:
            raise self.fail(key, f"expected {kind_names(kinds)}, got {value!r}")
        if not isinstance(value, kinds):
            raise self.fail(key, f"expected {kind_names(kinds)}, got {value!r}")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.get(key, list, [])
        if not all(isinstance(v, str) for v in value):
            raise self.fail(key, f"expected a list of strings, got {value!r}")
        return tuple(value)

    def string_map(self, key: str) -> dict[str, str]:
        value = self.get(key, dict, {})
        if not all(isinstance(v, str) for v in value.values()):
            raise self.fail(key, f"expected a table of strings, got {value!r}")
        return dict(value)

    def sub(self, key: str) -> Table:
        return Table(self.get(key, dict, {}), join_key(self.where, key), self.source)


def join_key(where: str, key: str) -> str:
    """The dotted key path of ``key`` in the table at ``where`` ("" is the top level)."""
    return f"{where}.{key}" if where else key


def kind_names(kinds: tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def unknown_name(what: str, name: str, known: Any, source: str) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    listing = ", ".join(sorted(known)) or "(none)"
    return f"{source}: unknown {what}{hint} (known: {listing})"


def expand(
    reader: Table, key: str, value: str, environ: Mapping[str, str]
) -> tuple[str, tuple[Secret, ...]]:
    where = f"{reader.source}: {join_key(reader.where, key)}"
    try:
        return expand_references(value, environ, where=where)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def expand_map(
    reader: Table, key: str, environ: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, tuple[Secret, ...]]]:
    """A table of strings with its references expanded, and the secrets of each entry."""
    values: dict[str, str] = {}
    references: dict[str, tuple[Secret, ...]] = {}
    for name, raw in reader.string_map(key).items():
        values[name], references[name] = expand(reader, f"{key}.{name}", raw, environ)
    return values, references

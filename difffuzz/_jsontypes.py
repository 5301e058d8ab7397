"""The JSON value type shared by outcomes, comparators and fixtures."""

from __future__ import annotations

from typing import TypeAlias

JSONScalar: TypeAlias = bool | int | float | str | None
JSONValue: TypeAlias = JSONScalar | list["JSONValue"] | dict[str, "JSONValue"]

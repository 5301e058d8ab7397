"""The built-in normalize steps: the differences ports make on purpose.

=============  ===================================================================
step           what it does (``at``: a pointer pattern, default the whole answer)
=============  ===================================================================
untag_enum     ``{"Schema": {"field": ..}}`` -> ``{"kind": "Schema", "field": ..}``
               (serde's externally tagged enum into a kind field)
tag_enum       the inverse: ``{"kind": "Schema", ...}`` -> ``{"Schema": {...}}``
rename_keys    rename object keys by a ``map`` and/or change their ``case``
omitempty      an absent field reads as its zero value (Go's ``omitempty``)
round_float32  every float rounded to 32 bits (default ``at``: every number)
unit_vector    an array of numbers divided by its L2 norm
sort_by        sort an array by a ``key`` pointer inside each element
=============  ===================================================================

Every step leaves a value it does not recognise as it is, so a step written for
error bodies passes a success body through untouched.
"""

from __future__ import annotations

import json
import math
import re
import struct
from collections.abc import Mapping
from typing import Any

from difffuzz._normalize.places import rewrite_at
from difffuzz._normalize.registry import Factory, NormalizeError, Transform
from difffuzz._pointer import MISSING, compile_pattern, parse, resolve

__all__ = ["BUILTIN_STEPS", "CASES", "convert_case"]

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")

CASES = ("keep", "lower", "upper", "snake", "kebab", "camel", "pascal")


def _words(name: str) -> list[str]:
    return [word.lower() for word in _WORDS.findall(name)] or [name]


def convert_case(name: str, case: str) -> str:
    """A key in another case.

    >>> [convert_case("HTTPStatusCode", c) for c in ("snake", "camel", "pascal", "lower")]
    ['http_status_code', 'httpStatusCode', 'HttpStatusCode', 'httpstatuscode']
    >>> convert_case("field_name", "pascal"), convert_case("Kind", "keep")
    ('FieldName', 'Kind')
    """
    if case == "keep":
        return name
    if case == "lower":
        return name.lower()
    if case == "upper":
        return name.upper()
    words = _words(name)
    if case == "snake":
        return "_".join(words)
    if case == "kebab":
        return "-".join(words)
    if case == "camel":
        return words[0] + "".join(word.capitalize() for word in words[1:])
    return "".join(word.capitalize() for word in words)


def _case(case: Any, name: str = "case") -> str:
    if case not in CASES:
        raise ValueError(f"{name} must be one of {', '.join(CASES)}, got {case!r}")
    return str(case)


def _pattern(at: Any) -> str:
    if not isinstance(at, str):
        raise ValueError(f"'at' must be a pointer pattern string such as '/results/*', got {at!r}")
    compile_pattern(at)  # ValueError names the pattern and the fix
    return at


def _names(value: Any, what: str) -> frozenset[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{what} must be a list of strings, got {value!r}")
    return frozenset(value)


def untag_enum(
    *, tag: str = "kind", case: str = "keep", variants: list[str] | None = None, at: str = ""
) -> Transform:
    """serde's externally tagged enum ``{"Variant": {..}}`` into ``{tag: "Variant", ..}``.

    Only an object with exactly one key whose value is an object is unwrapped
    (``variants`` restricts the names); ``case`` rewrites the variant name.
    """
    if not isinstance(tag, str) or not tag:
        raise ValueError(f"'tag' must be a non-empty key name, got {tag!r}")
    case, allowed, where = _case(case), _names(variants, "'variants'"), _pattern(at)

    def unwrap(value: Any) -> Any:
        if not isinstance(value, dict) or len(value) != 1:
            return value
        ((variant, payload),) = value.items()
        if not isinstance(payload, dict) or (allowed is not None and variant not in allowed):
            return value
        if tag in payload:
            raise NormalizeError(
                f"the {variant!r} payload already has a {tag!r} key; choose another 'tag'"
            )
        return {tag: convert_case(variant, case), **payload}

    return lambda value: rewrite_at(value, where, unwrap)


def tag_enum(*, tag: str = "kind", case: str = "keep", at: str = "") -> Transform:
    """The inverse of ``untag_enum``: ``{tag: "Variant", ..}`` into ``{"Variant": {..}}``.

    Only an object whose ``tag`` key holds a string is wrapped.
    """
    if not isinstance(tag, str) or not tag:
        raise ValueError(f"'tag' must be a non-empty key name, got {tag!r}")
    case, where = _case(case), _pattern(at)

    def wrap(value: Any) -> Any:
        if not isinstance(value, dict) or not isinstance(value.get(tag), str):
            return value
        payload = {key: item for key, item in value.items() if key != tag}
        return {convert_case(value[tag], case): payload}

    return lambda value: rewrite_at(value, where, wrap)


def rename_keys(
    *, map: Mapping[str, str] | None = None, case: str = "keep", at: str = ""
) -> Transform:
    """Rename the keys of objects: those in ``map`` to their new name, the others by ``case``."""
    renames = dict(map or {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in renames.items()):
        raise ValueError(f"'map' must be a table of old = new key names, got {map!r}")
    case, where = _case(case), _pattern(at)
    if not renames and case == "keep":
        raise ValueError("give 'map' (old = new key names), 'case', or both")

    def rename(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        renamed: dict[str, Any] = {}
        for key, item in value.items():
            new = renames[key] if key in renames else convert_case(key, case)
            if new in renamed:
                raise NormalizeError(f"two keys become {new!r}; rename one of them with 'map'")
            renamed[new] = item
        return renamed

    return lambda value: rewrite_at(value, where, rename)


def omitempty(*, fields: Mapping[str, Any], at: str = "") -> Transform:
    """An object that lacks one of ``fields`` reads as if it held that field's zero value.

    ``fields = { error = "", line_offset = 0 }``: what Go's ``omitempty`` left out.
    """
    if not isinstance(fields, Mapping) or not fields:
        raise ValueError(f"'fields' must be a table of field = zero value, got {fields!r}")
    zeros, where = dict(fields), _pattern(at)

    def fill(value: Any) -> Any:
        if not isinstance(value, dict) or all(key in value for key in zeros):
            return value
        return {**value, **{key: zero for key, zero in zeros.items() if key not in value}}

    return lambda value: rewrite_at(value, where, fill)


def _float32(number: float) -> float:
    try:
        rounded: float = struct.unpack("<f", struct.pack("<f", number))[0]
    except OverflowError:
        return math.copysign(math.inf, number)
    return rounded


def round_float32(*, at: str = "/**") -> Transform:
    """Every float (integers are left alone) rounded to the nearest 32-bit float.

    Apply it to both runtimes: a 64-bit value and the 32-bit one written from it
    then agree exactly.
    """
    where = _pattern(at)

    def round_number(value: Any) -> Any:
        return _float32(value) if isinstance(value, float) and math.isfinite(value) else value

    return lambda value: rewrite_at(value, where, round_number)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def unit_vector(*, at: str = "") -> Transform:
    """An array of numbers divided by its L2 norm (a zero or non-finite vector is kept)."""
    where = _pattern(at)

    def unit(value: Any) -> Any:
        if not isinstance(value, list) or not value or not all(_is_number(v) for v in value):
            return value
        try:
            scale = max(abs(float(v)) for v in value)
        except OverflowError:
            return value
        if scale == 0 or not math.isfinite(scale):
            return value
        scaled = [float(v) / scale for v in value]
        norm = math.sqrt(math.fsum(v * v for v in scaled))
        return [v / norm for v in scaled]

    return lambda value: rewrite_at(value, where, unit)


_TYPE_RANK = {type(None): 0, bool: 1, int: 2, float: 2, str: 3, list: 4, dict: 5}


def _order_key(value: Any) -> tuple[int, Any]:
    """A total order on JSON values: null < booleans < numbers < strings < arrays < objects."""
    rank = _TYPE_RANK.get(type(value), 6)
    if rank == 2:
        return (rank, (math.isnan(value), value if not math.isnan(value) else 0))
    if rank in (1, 3):
        return (rank, value)
    if rank == 0:
        return (rank, 0)
    return (rank, json.dumps(value, sort_keys=True, default=repr))


def sort_by(*, key: str = "", at: str = "", reverse: bool = False) -> Transform:
    """Sort an array by the value at the pointer ``key`` inside each element (stable).

    Elements without that key sort last; ``key = ""`` sorts by the elements themselves.
    """
    if not isinstance(key, str):
        raise ValueError(f"'key' must be a JSON pointer such as '/id', got {key!r}")
    parse(key)
    if not isinstance(reverse, bool):
        raise ValueError(f"'reverse' must be true or false, got {reverse!r}")
    where = _pattern(at)

    def sort(value: Any) -> Any:
        if not isinstance(value, list):
            return value
        keyed = [(resolve(element, key), element) for element in value]
        present = [pair for pair in keyed if pair[0] is not MISSING]
        present.sort(key=lambda pair: _order_key(pair[0]), reverse=reverse)
        return [element for _, element in present] + [e for k, e in keyed if k is MISSING]

    return lambda value: rewrite_at(value, where, sort)


#: The built-in steps by name (registered by :func:`difffuzz._builtins.load_builtins`).
BUILTIN_STEPS: dict[str, Factory] = {
    "untag_enum": untag_enum,
    "tag_enum": tag_enum,
    "rename_keys": rename_keys,
    "omitempty": omitempty,
    "round_float32": round_float32,
    "unit_vector": unit_vector,
    "sort_by": sort_by,
}

"""``json_documents``: any JSON value, with the wire layer, for a surface with no domain strategy.

A team that has just pointed difffuzz at two runtimes and has no strategy of
its own yet gets arbitrary JSON documents (objects first, with the keys real
APIs use) and every wire family on top: enough to see where the two JSON
readers part before writing a domain strategy.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from difffuzz._exceptions import RegistryError
from difffuzz._registry import StrategyEntry
from difffuzz._wire.catalog import WireSettings
from difffuzz._wire.strategy import WireContext, mark_wired, report, wire

__all__ = ["JSON_DOCUMENTS", "json_documents", "json_values"]

_KEYS = st.sampled_from(("id", "kind", "name", "count", "value", "items", "type", "a")) | st.text(
    max_size=8
)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)


def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Any strict JSON value: no NaN, no lone surrogates, objects with plausible keys."""
    return st.recursive(
        _SCALARS,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=5),
        max_leaves=max_leaves,
    )


def _kind(value: Any) -> Any:
    if isinstance(value, dict):
        report("json_documents:object")
    elif isinstance(value, list):
        report("json_documents:array")
    else:
        report("json_documents:scalar")
    return value


def json_documents(max_leaves: int = 12, rate: float = 0.5) -> st.SearchStrategy[Any]:
    """Any JSON document; ``rate`` of them carry one wire mutation."""
    if not 0 <= rate <= 1:
        raise RegistryError(f"json_documents: rate={rate!r} must be between 0 and 1")
    base = json_values(max_leaves).map(_kind)
    # A string here is a JSON string document, not prose with JSON inside.
    wired = wire(base, WireSettings(rate=rate), WireContext(prose=False))
    mark_wired(wired, base)
    return wired


#: The registry entry; :func:`difffuzz._builtins.load_builtins` registers it.
JSON_DOCUMENTS = StrategyEntry(
    name="json_documents",
    factory=json_documents,
    description="any JSON document, with every wire-mutation family (no domain needed)",
    examples=({}, [], {"id": 1, "name": "x"}),
    categories=("object", "array", "scalar"),
)

"""The string alternatives a strategy draws from, so enum mutations know the real values.

A strategy built from ``st.sampled_from(["email", "sms", "fill"])`` (or a JSON
Schema ``enum``, which hypothesis-jsonschema turns into one) says which strings
are an enum's values. The walk reads the strategy objects Hypothesis built; it
is best-effort: what a ``@composite`` function draws is invisible until drawn,
and then the ``enum_value`` family falls back to strings that look like enum
values.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

try:  # Hypothesis's own class: a private module, so a future version may move it.
    from hypothesis.strategies._internal.strategies import SampledFromStrategy
except ImportError:  # pragma: no cover - then the enum family uses enum-like strings only
    SampledFromStrategy = None  # type: ignore[assignment, misc]

__all__ = ["enum_alternatives"]

#: Strategy objects visited at most; a huge strategy tree is read in part.
VISIT_LIMIT = 2000


def enum_alternatives(strategy: st.SearchStrategy[Any]) -> frozenset[str]:
    """Every string that some ``sampled_from`` inside ``strategy`` chooses among."""
    found: set[str] = set()
    seen: set[int] = set()
    pending: list[Any] = [strategy]
    while pending and len(seen) < VISIT_LIMIT:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, st.SearchStrategy):
            if SampledFromStrategy is not None and isinstance(node, SampledFromStrategy):
                elements = node.elements
                if len(elements) > 1:
                    found.update(e for e in elements if isinstance(e, str))
            wrapped = getattr(type(node), "wrapped_strategy", None)
            if isinstance(wrapped, property):  # LazyStrategy: build what it stands for
                try:
                    pending.append(node.wrapped_strategy)  # type: ignore[attr-defined]
                except Exception:  # a strategy that fails to build fails later, clearly
                    continue
            pending.extend(vars(node).values())
        elif isinstance(node, dict):
            pending.extend(node.values())
        elif isinstance(node, list | tuple):
            pending.extend(
                item for item in node if isinstance(item, st.SearchStrategy | list | tuple | dict)
            )
    return frozenset(found)

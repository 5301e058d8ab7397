"""The one way a family makes a choice, so every choice shrinks the same way.

A family draws *which* site and *which* variant with :func:`pick`: an index into
a list ordered simplest first, so Hypothesis shrinks each choice towards the
first site of the document and the first variant of the family.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeAlias, TypeVar

from hypothesis import strategies as st

from difffuzz._wire.document import Document, Mutation

__all__ = ["Family", "pick"]

T = TypeVar("T")

#: A family: given a draw function and a document, one mutation, or None when the
#: document has nothing it applies to (no object for a duplicate key, no number).
Family: TypeAlias = Callable[[st.DrawFn, Document], Mutation | None]


def pick(draw: st.DrawFn, items: Sequence[T]) -> T:
    """One of ``items`` (not empty), shrinking towards the first."""
    if len(items) == 1:
        return items[0]
    return items[draw(st.integers(min_value=0, max_value=len(items) - 1))]

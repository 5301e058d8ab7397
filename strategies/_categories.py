"""How a strategy says which kind of input it just drew.

Every strategy reports the categories of each value it generates with
``hypothesis.event("<strategy>:<category>")``. Hypothesis prints the counts with
``--hypothesis-show-statistics``; the tests read them to check that every named
category is reached within a small budget.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from hypothesis import currently_in_test_context, event
from hypothesis import strategies as st

__all__ = ["report", "tagged"]

T = TypeVar("T")


def report(strategy: str, category: str) -> None:
    """Record that ``strategy`` drew a value of ``category``.

    Outside a test (a REPL calling ``.example()`` is inside one; a tool drawing
    through its own machinery may not be) there is nowhere to record the event,
    and a generator must not fail for that.
    """
    if currently_in_test_context():
        event(f"{strategy}:{category}")


def tagged(strategy: str, category: str, values: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    """``values``, reporting ``category`` for each value drawn.

    >>> words = tagged("demo", "greeting", st.sampled_from(["hi", "hello"]))
    """
    return values.map(_reporter(strategy, category))


def _reporter(strategy: str, category: str) -> Callable[[T], T]:
    def report_and_pass(value: T) -> T:
        report(strategy, category)
        return value

    return report_and_pass

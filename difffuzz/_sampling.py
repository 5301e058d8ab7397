"""Drawing example inputs from a registered strategy, for ``difffuzz sample``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed

from difffuzz._inputs import FileTree, Input, encode_input
from difffuzz._registry import get_strategy, load_strategy_modules

__all__ = ["describe_input", "draw_examples"]


def draw_examples(
    name: str,
    count: int,
    *,
    seed: int = 0,
    params: dict[str, Any] | None = None,
    modules: Sequence[str] = (),
) -> list[Input]:
    """The strategy's probe examples first, then generated inputs, ``count`` in all."""
    load_strategy_modules(modules)
    entry = get_strategy(name)
    values: list[Input] = list(entry.examples[:count])
    if len(values) >= count:
        return values
    strategy = entry.build(params)

    # Hypothesis starts from the simplest input and grows; skip duplicates so that
    # a user sees the spread of what will be sent.
    @settings(
        max_examples=(count - len(values)) * 3,
        database=None,
        deadline=None,
        phases=(Phase.generate,),
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    @hypothesis_seed(seed)
    @given(strategy)
    def collect(value: Input) -> None:
        if len(values) < count and value not in values:
            values.append(value)

    collect()
    return values


def describe_input(value: Input, *, as_json: bool = False) -> str:
    """One line per input: its Python repr, or its stored JSON form."""
    if as_json:
        return json.dumps(encode_input(value), ensure_ascii=False)
    if isinstance(value, FileTree):
        files = ", ".join(f"{path!r}: {len(content)} bytes" for path, content in value.files)
        return f"FileTree({{{files}}})"
    return repr(value)

"""``difffuzz sample``: drawing example inputs from a registered strategy (the benchmarks
draw theirs with it too). Not to be confused with ``samples/``, the sample runtimes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed

from difffuzz._inputs import FileTree, Input, WireInput, encode_input
from difffuzz._registry import get_strategy, load_strategy_modules

__all__ = ["WIRE_CHOICES", "describe_input", "draw_examples"]

#: ``difffuzz sample --wire``: as the text a helper reads on stdin (JSON inside
#: prose is mutated), as a JSON body (a string is a JSON string document), or off.
WIRE_CHOICES = ("text", "body", "off")


def draw_examples(
    name: str,
    count: int,
    *,
    seed: int = 0,
    params: dict[str, Any] | None = None,
    modules: Sequence[str] = (),
    wire: Literal["text", "body", "off"] = "text",
) -> list[Input]:
    """The strategy's probe examples first, then generated inputs, ``count`` in all.

    ``wire`` applies the wire-mutation layer with its default settings, as a
    surface would (see :data:`WIRE_CHOICES`); mutated inputs show their family.
    """
    from difffuzz._wire import WireContext, WireSettings
    from difffuzz._wire.strategy import rewire

    load_strategy_modules(modules)
    entry = get_strategy(name)
    values: list[Input] = list(entry.examples[:count])
    if len(values) >= count:
        return values
    context = None if wire == "off" else WireContext(prose=wire == "text")
    strategy = rewire(entry.build(params), WireSettings(), context)

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
    """One line per input: its Python repr, or its stored JSON form.

    A mutated input leads with ``[family] what changed:``.
    """
    if as_json:
        return json.dumps(encode_input(value), ensure_ascii=False)
    if isinstance(value, WireInput):
        return f"[{value.family}] {value.mutation}: {describe_input(value.sent)}"
    if isinstance(value, FileTree):
        files = ", ".join(f"{path!r}: {len(content)} bytes" for path, content in value.files)
        return f"FileTree({{{files}}})"
    return repr(value)

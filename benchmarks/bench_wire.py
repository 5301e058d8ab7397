"""What the wire-mutation layer costs over the strategy it wraps, beside ``st.text()``.

Each lakehouse strategy (and the generic JSON values under ``json_documents``)
is drawn ``N`` times bare and under the layer with its default settings, in the
context its lakehouse surface gives it (a JSON body, or text on stdin). Each
drawn value is also turned into the bytes a transport would send (the
transport serialises a bare document; a mutated one already is bytes), so both
sides pay for what goes on the wire. ``st.text()`` is measured in the same
rounds as the baseline, as ``bench_strategies.py`` does.

Two figures, because the obvious one is noisy: *wired ms* is the end-to-end
time per example under the layer, but its extra draws shift Hypothesis onto
other values than the bare run's, and value mixes differ in cost by tens of
percent either way. *layer ms* is measured inside the same wired run: the time
of each wired draw minus the time of the wrapped strategy's own draw within it
(its extra choices, the mutation, the serialisation of mutated documents), and
*layer cost* is that over the bare end-to-end time, the cost a campaign pays::

    python benchmarks/bench_wire.py            # N = 500
    python benchmarks/bench_wire.py -n 2000 --only validator_requests
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from typing import Any

import difffuzz_strategies
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from difffuzz._inputs import FileTree, WireInput, input_to_bytes
from difffuzz._registry import STRATEGIES
from difffuzz._wire import WireContext, wire
from difffuzz._wire.documents import json_values

BASELINE = "st.text() (baseline)"
#: The lakehouse surfaces that send a strategy's values as a JSON body (the rest
#: go to helpers as text, a document on stdin or a folder).
BODY = {"validator_requests", "search_requests", "embed_texts", "embed_batches"}


def as_sent(value: Any) -> None:
    """Do what the transport does to a value before sending it."""
    if isinstance(value, WireInput):
        value = value.sent
    if not isinstance(value, FileTree):
        input_to_bytes(value)


def examples_per_second(strategy: st.SearchStrategy[Any], count: int) -> float:
    drawn = 0

    @settings(
        max_examples=count,
        database=None,
        derandomize=True,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def draw_and_serialise(value: Any) -> None:
        nonlocal drawn
        drawn += 1
        as_sent(value)

    started = time.perf_counter()
    draw_and_serialise()
    return drawn / (time.perf_counter() - started)


def measure(strategy: st.SearchStrategy[Any], count: int) -> float:
    examples_per_second(strategy, 20)  # warm-up: validation, imports, caches
    return examples_per_second(strategy, count)


class Stopwatch:
    """Seconds spent inside draws of a strategy, summed."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def around(self, strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        @st.composite
        def timed(draw: st.DrawFn) -> Any:
            started = time.perf_counter()
            try:
                return draw(strategy)
            finally:
                self.seconds += time.perf_counter() - started

        return timed()


def layer_seconds(name: str, bare: st.SearchStrategy[Any], count: int) -> tuple[float, float]:
    """(seconds per example the layer itself takes, share of examples mutated)."""
    inner, outer = Stopwatch(), Stopwatch()
    context = WireContext(prose=name not in BODY, http=name in BODY)
    wired = outer.around(wire(inner.around(bare), context=context))
    mutated = total = 0

    @settings(
        max_examples=count,
        database=None,
        derandomize=True,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(wired)
    def count_mutated(value: Any) -> None:
        nonlocal mutated, total
        total += 1
        mutated += isinstance(value, WireInput)
        as_sent(value)

    count_mutated()
    return (outer.seconds - inner.seconds) / total, mutated / total


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", "--examples", type=int, default=500, help="examples per strategy")
    parser.add_argument("--rounds", type=int, default=3, help="best of this many rounds")
    parser.add_argument("--only", action="append", default=[], help="strategy name (repeatable)")
    args = parser.parse_args(argv)
    pack = sorted(
        name
        for name, entry in STRATEGIES.items()
        if entry.factory.__module__.startswith(difffuzz_strategies.__name__ + ".")
    )
    bare: dict[str, st.SearchStrategy[Any]] = {"json values": json_values()}
    bare.update({name: STRATEGIES[name].build() for name in args.only or pack})
    wired = {
        name: wire(strategy, context=WireContext(prose=name not in BODY, http=name in BODY))
        for name, strategy in bare.items()
    }

    # Rounds interleave bare, wired and the baseline; each keeps its best round
    # (the least disturbed by other work on the machine).
    best_text = 0.0
    best_bare = dict.fromkeys(bare, 0.0)
    best_wired = dict.fromkeys(bare, 0.0)
    least_layer = dict.fromkeys(bare, float("inf"))
    shares = dict.fromkeys(bare, 0.0)
    for _ in range(args.rounds):
        best_text = max(best_text, measure(st.text(), args.examples))
        for name in bare:
            best_bare[name] = max(best_bare[name], measure(bare[name], args.examples))
            best_wired[name] = max(best_wired[name], measure(wired[name], args.examples))
            seconds, shares[name] = layer_seconds(name, bare[name], args.examples)
            least_layer[name] = min(least_layer[name], seconds)

    print(f"{args.examples} examples per strategy, best of {args.rounds} rounds; ")
    print(f"{BASELINE}: {1000 / best_text:.2f} ms/example.\n")
    header = ("strategy", "bare ms", "vs text()", "wired ms", "layer ms", "layer cost", "mutated")
    print("| {:<20} | {:>7} | {:>9} | {:>8} | {:>8} | {:>10} | {:>7} |".format(*header))
    print(f"|{'-' * 22}|{'-' * 8}:|{'-' * 10}:|{'-' * 9}:|{'-' * 9}:|{'-' * 11}:|{'-' * 8}:|")
    for name in bare:
        bare_ms, wired_ms = 1000 / best_bare[name], 1000 / best_wired[name]
        layer_ms = 1000 * least_layer[name]
        print(
            f"| {name:<20} | {bare_ms:>7.2f} | {bare_ms * best_text / 1000:>8.1f}x | "
            f"{wired_ms:>8.2f} | {layer_ms:>8.3f} | {layer_ms / bare_ms:>10.1%} | "
            f"{shares[name]:>6.0%} |"
        )


if __name__ == "__main__":
    main()

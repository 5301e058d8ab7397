"""Examples per second for every lakehouse strategy, beside ``st.text()`` in the same run.

Each strategy is drawn ``N`` times through a ``@given`` test that does nothing
(generate phase only, no database), so the figure is what Hypothesis plus the
strategy cost per test case, the way a campaign pays it. ``st.text()`` is the
baseline, measured in the same rounds as the strategies so that the ratio does
not depend on how busy the machine was::

    python benchmarks/bench_strategies.py            # N = 500
    python benchmarks/bench_strategies.py -n 2000 --only llm_json
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from typing import Any

import difffuzz_strategies
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from difffuzz._registry import STRATEGIES

BASELINE = "st.text() (baseline)"


def examples_per_second(strategy: st.SearchStrategy[Any], count: int) -> float:
    """Draw ``count`` examples of ``strategy`` through ``@given``; return examples/s."""
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
    def draw_only(value: Any) -> None:
        nonlocal drawn
        drawn += 1

    started = time.perf_counter()
    draw_only()
    return drawn / (time.perf_counter() - started)


def measure(strategy: st.SearchStrategy[Any], count: int) -> float:
    """Examples/s after a short untimed warm-up.

    The warm-up pays the one-time costs (Hypothesis validating the strategy
    and its parts, imports, caches) that a campaign pays once, not per example.
    """
    examples_per_second(strategy, 20)
    return examples_per_second(strategy, count)


def pack_strategies() -> list[str]:
    return sorted(
        name
        for name, entry in STRATEGIES.items()
        if entry.factory.__module__.startswith(difffuzz_strategies.__name__ + ".")
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", "--examples", type=int, default=500, help="examples per strategy")
    parser.add_argument("--rounds", type=int, default=3, help="best of this many rounds")
    parser.add_argument("--only", action="append", default=[], help="strategy name (repeatable)")
    args = parser.parse_args(argv)
    names = args.only or pack_strategies()
    candidates = {BASELINE: st.text(), **{name: STRATEGIES[name].build() for name in names}}

    # Rounds interleave every strategy with the baseline, and each keeps its best
    # round (as timeit does): the least disturbed by other work on the machine.
    best = dict.fromkeys(candidates, 0.0)
    for _ in range(args.rounds):
        for name, strategy in candidates.items():
            best[name] = max(best[name], measure(strategy, args.examples))
    baseline = best[BASELINE]

    print(f"{args.examples} examples per strategy, best of {args.rounds} rounds.\n")
    print(f"| {'strategy':<22} | {'examples/s':>9} | {'ms/example':>9} | {'vs text()':>8} |")
    print(f"|{'-' * 24}|{'-' * 11}:|{'-' * 11}:|{'-' * 10}:|")
    for name, rate in best.items():
        print(f"| {name:<22} | {rate:>10.0f} | {1000 / rate:>10.2f} | {rate / baseline:>8.2f}x |")


if __name__ == "__main__":
    main()

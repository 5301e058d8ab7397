"""Throughput of difffuzz against a plain httpx loop, on one sample HTTP surface.

Starts the bundled sample runtimes, then in one run, alternating, measures:

* ``httpx loop``: the same number of examples sent as a bare loop (one request
  to each runtime per example, over a keep-alive client, bodies drawn
  beforehand): the ceiling the transport allows;
* ``difffuzz, cheap input``: the engine with a strategy that draws one integer:
  judging, signatures and Hypothesis's per-example overhead, with almost no
  generation cost;
* ``difffuzz run``: the real campaign path (``run_campaign``, as ``difffuzz run``
  calls it) with the surface's own strategy.

Prints examples/s for each and the ratio to the httpx loop. The machine is
noisy: compare ratios from one run, not absolute figures across runs.

    python benchmarks/bench_http.py [--surface validator] [--examples 500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from hypothesis import strategies as st

import difffuzz
from difffuzz._cli_sample import draw_examples
from difffuzz._config import load_config
from difffuzz._engine import run_campaign
from lakehouse_samples import start_sample_runtimes
from lakehouse_samples.demo import write_sample_config


@difffuzz.strategy("bench_cheap_validator", description="valid sms bodies, one integer drawn")
def bench_cheap_validator() -> st.SearchStrategy[dict[str, Any]]:
    # Hypothesis stops early on a strategy with one value, so the cheapest honest
    # baseline draws a single integer into an otherwise fixed body.
    return st.integers(0, 10**9).map(
        lambda n: {"kind": "sms", "payload": {"to": "+15555550100", "body": f"Shift {n}"}}
    )


def httpx_loop(config_path: Path, surface: str, bodies: list[Any]) -> float:
    config = load_config(config_path)
    spec = config.surfaces[surface]
    urls = [
        spec.requests[name].base_url.rstrip("/") + spec.requests[name].path
        for name in config.runtime_names
    ]
    started = time.perf_counter()
    with httpx.Client() as client:
        for body in bodies:
            for url in urls:
                response = client.post(url, json=body)
                response.read()
    return len(bodies) / (time.perf_counter() - started)


def engine_rate(config_path: Path, surface: str, examples: int, strategy: str | None) -> float:
    config = (
        load_config(config_path)
        .select([surface])
        .override(max_examples=examples, seed=1, learn_noise=0, max_seconds=None)
    )
    if strategy is not None:
        from dataclasses import replace

        spec = replace(config.surfaces[surface], strategy=strategy)
        config = replace(config, surfaces={surface: spec})
    result = run_campaign(config, corpus=None)
    (surface_result,) = result.surfaces
    stats = surface_result.stats
    # Rate of generated examples over the whole surface time, shrinking included.
    return stats.examples / stats.elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--surface", default="validator")
    parser.add_argument("--examples", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()

    with start_sample_runtimes() as runtimes, tempfile.TemporaryDirectory() as folder:
        config_path = write_sample_config(runtimes, Path(folder), max_seconds=None)
        strategy = load_config(config_path).surfaces[options.surface].strategy
        bodies = draw_examples(strategy, options.examples, seed=1)
        if options.surface == "validator":
            bodies = [b for b in bodies if not isinstance(b, bytes)]
        rates: dict[str, list[float]] = {
            "httpx loop": [],
            "difffuzz, cheap input": [],
            "difffuzz run": [],
        }
        for _ in range(options.rounds):
            rates["httpx loop"].append(httpx_loop(config_path, options.surface, bodies))
            if options.surface == "validator":
                rates["difffuzz, cheap input"].append(
                    engine_rate(
                        config_path, options.surface, options.examples, "bench_cheap_validator"
                    )
                )
            rates["difffuzz run"].append(
                engine_rate(config_path, options.surface, options.examples, None)
            )

    baseline = statistics.median(rates["httpx loop"])
    print(
        f"surface {options.surface}, {options.examples} examples x {options.rounds} rounds "
        "(median), one request to each runtime per example"
    )
    print(f"{'path':<24} {'examples/s':>11} {'vs httpx loop':>14}")
    for name, values in rates.items():
        if not values:
            continue
        rate = statistics.median(values)
        print(f"{name:<24} {rate:>11.1f} {rate / baseline:>13.2f}x")


if __name__ == "__main__":
    main()

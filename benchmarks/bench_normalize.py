"""What normalizing costs on the validator surface, as a share of one HTTP example.

Starts the bundled sample runtimes and draws validator inputs, then measures, in
one run:

* ``http example``: sending one input to both runtimes over the surface's own
  transports (keep-alive HTTP, as the engine sends): the cost of an example
  before any judging;
* ``judge, no steps``: judging the recorded answer pairs with the lakehouse
  rule and no normalize steps (the baseline);
* ``judge, built-in steps``: the shipped config, whose tracked 422 gap carries
  ``untag_enum`` / ``rename_keys`` (and so also re-compares without the gap's
  steps wherever they changed an answer, to count the gap);
* ``judge, jq steps``: the same mapping written as jq expressions (libjq).

The normalizing cost is the extra judging time per example over the baseline,
as a share of an HTTP example plus the baseline judging (the issue's target:
under 10%). The machine is noisy: compare figures within one run.

Not measured: the whole campaign with and without the steps. The two configs
find different divergences (normalised, the 422 shape is gone and what differs
inside it appears), and a campaign's time is dominated by shrinking and
polishing those, so its examples/s compares different work, not the steps:
two tries gave -7% and +74% for the same change.

    python benchmarks/bench_normalize.py [--examples 400] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from difffuzz._cli_sample import draw_examples
from difffuzz._config import Config, SurfaceSpec, load_config
from difffuzz._connect import open_transport
from difffuzz._judge import Judge
from difffuzz._normalize import StepSpec
from difffuzz._outcome import Outcome
from lakehouse_samples import start_sample_runtimes
from lakehouse_samples.demo import write_sample_config

SURFACE = "validator"
JQ_RUST = (
    'if type == "object" and length == 1 and (.[keys[0]] | type) == "object" '
    "then {kind: (keys[0] | ascii_downcase)} + .[keys[0]] else . end"
)
JQ_GO = 'if type == "object" then with_entries(.key |= ascii_downcase) else . end'


def without_steps(surface: SurfaceSpec) -> SurfaceSpec:
    compare = replace(surface.compare, normalize_left=(), normalize_right=())
    return replace(surface, compare=compare, known_gaps=())


def with_jq(surface: SurfaceSpec) -> SurfaceSpec:
    (gap,) = surface.known_gaps
    compare = replace(
        surface.compare,
        normalize_left=(StepSpec("jq", {"expr": JQ_RUST}, gap=gap.reason),),
        normalize_right=(StepSpec("jq", {"expr": JQ_GO}, gap=gap.reason),),
    )
    return replace(surface, compare=compare)


def record_answers(
    config: Config, bodies: list[Any]
) -> tuple[list[tuple[Any, Outcome, Outcome]], float]:
    """Send every body to both runtimes; the answers, and seconds per example."""
    surface = config.surfaces[SURFACE]
    left_name, right_name = config.runtime_names
    size = config.campaign.max_body_bytes
    left = open_transport(surface.requests[left_name], max_body_bytes=size)
    right = open_transport(surface.requests[right_name], max_body_bytes=size)
    try:
        for body in bodies[:20]:  # warm the connections
            left.send(body), right.send(body)
        started = time.perf_counter()
        answers = [(body, left.send(body), right.send(body)) for body in bodies]
        elapsed = time.perf_counter() - started
    finally:
        left.close()
        right.close()
    return answers, elapsed / len(bodies)


def judging_time(judge: Judge, answers: list[tuple[Any, Outcome, Outcome]]) -> float:
    """Seconds per example to judge the recorded answers (fresh Outcomes: no cached parse)."""
    fresh = [
        (body, Outcome(a.status, a.body, a.headers), Outcome(b.status, b.body, b.headers))
        for body, a, b in answers
    ]
    started = time.perf_counter()
    for body, a, b in fresh:
        judge.judge(body, a, b)
    return (time.perf_counter() - started) / len(fresh)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()

    with start_sample_runtimes() as runtimes, tempfile.TemporaryDirectory() as folder:
        config = load_config(write_sample_config(runtimes, Path(folder), max_seconds=None))
        shipped = config.surfaces[SURFACE]
        variants = {
            "judge, no steps": without_steps(shipped),
            "judge, built-in steps": shipped,
            "judge, jq steps": with_jq(shipped),
        }
        bodies = draw_examples(shipped.strategy, options.examples, seed=1)
        http_times: list[float] = []
        judge_times: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(options.rounds):
            answers, per_example = record_answers(config, bodies)
            http_times.append(per_example)
            for name, surface in variants.items():
                judge = Judge(surface, config.runtime_names)
                judge.judge(*answers[0])  # compile the steps once, as the config load does
                judge_times[name].append(judging_time(judge, answers))
        gap_answers = sum(
            1
            for body, a, b in answers
            if Judge(shipped, config.runtime_names).judge(body, a, b).gap_hits
        )

    http = statistics.median(http_times)
    base = statistics.median(judge_times["judge, no steps"])
    example = http + base
    print(
        f"validator surface, {len(bodies)} inputs x {options.rounds} rounds (medians); "
        f"{gap_answers} of them answered in the two 422 shapes"
    )
    print(f"{'per example':<24} {'µs':>9} {'share of an HTTP example':>26}")
    print(f"{'http example':<24} {http * 1e6:>9.1f}")
    for name in variants:
        value = statistics.median(judge_times[name])
        extra = value - base
        share = f"{extra / example:>25.1%}" if name != "judge, no steps" else f"{'(baseline)':>25}"
        print(f"{name:<24} {value * 1e6:>9.1f} {share}")


if __name__ == "__main__":
    main()

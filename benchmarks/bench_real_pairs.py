"""Causes found per real pair: difffuzz on independently written libraries, scored by hand tables.

Each pair (``tests/quality/pairs/``) is fuzzed with a fixed seed and example
budget into an empty corpus; the fixtures are attributed to the pair's known
causes by the table's predicates and replayed on the adapters to tell discovered
causes from false findings (``tests/quality/measure.py``). Sizes are input
lengths (characters, or bytes for the JSON pair) over the cause's minimal
trigger. Issue 9's targets are printed beside the figures::

    python benchmarks/bench_real_pairs.py                      # seed 1, 1000 examples a pair
    python benchmarks/bench_real_pairs.py --seeds 1-5 --max-examples 3000
    python benchmarks/bench_real_pairs.py --only regex --fixtures
    python benchmarks/bench_real_pairs.py --errors message   # refusals carry the message
    python benchmarks/bench_real_pairs.py --campaign candidates_per_bucket=16
    python benchmarks/bench_real_pairs.py --reach           # what the strategies meet

``--reach`` runs no campaign: it draws the budget's examples from each pair's
strategy (plain sampling, derandomised) and counts the known causes that at
least one divergent example shows. A cause the strategy never meets cannot be
found by any identity rule: that count is the ceiling the figures sit under.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.quality lives in the repo

from tests.quality.measure import SIZE_FACTOR, PairReport, all_pairs, disagree, run_pair
from tests.quality.pairs import ERRORS, Pair

TARGETS = "targets: found >= 90% of known, <= 1.2 fixtures per cause, every fixture <= 2x, 0 false"
COLUMNS = (
    ("pair", 10),
    ("seed", 4),
    ("found/known", 11),
    ("fixtures", 8),
    ("per cause", 9),
    ("median x", 8),
    ("worst x", 7),
    (f">{SIZE_FACTOR:g}x", 4),
    ("unshrunk", 8),
    ("discovered", 10),
    ("false", 5),
    ("examples", 8),
    ("wall s", 7),
)


def seeds(text: str) -> list[int]:
    """``"1-3,7"`` -> ``[1, 2, 3, 7]``."""
    chosen: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        chosen.extend(range(int(low), int(high or low) + 1))
    return chosen


def row(report: PairReport) -> list[str]:
    return [
        report.pair.name,
        str(report.seed),
        f"{len(report.causes_found)}/{report.known}",
        str(len(report.fixtures)),
        f"{report.fixtures_per_cause:.2f}",
        f"{report.median_ratio:.2f}",
        f"{report.worst_ratio:.2f}",
        str(len(report.oversized)),
        str(sum(not f.shrunk for f in report.fixtures)),
        str(len(report.discovered)),
        str(len(report.false_findings)),
        str(report.examples),
        f"{report.seconds:.1f}",
    ]


def print_table(rows: Sequence[Sequence[str]]) -> None:
    print("  ".join(name.rjust(width) for name, width in COLUMNS))
    for cells in rows:
        print("  ".join(cell.rjust(width) for cell, (_, width) in zip(cells, COLUMNS, strict=True)))


def print_details(report: PairReport, *, fixtures: bool) -> None:
    pair = report.pair
    unit = "chars" if pair.size_unit == "characters" else "bytes"
    print(f"\n{pair.name} (seed {report.seed}): {pair.left} vs {pair.right}, sizes in {unit}")
    if report.aborted:
        print(f"  surface aborted: {report.aborted}")
    for cause in pair.causes:
        found = report.per_cause()[cause.id]
        sizes = ", ".join(str(f.size) for f in found) or "-"
        print(
            f"  {cause.id:28} trigger {len(cause.trigger):3}  fixtures {len(found)}  sizes {sizes}"
        )
        if fixtures:
            for fixture in found:
                print(f"      {fixture.input!r}  (also: {', '.join(fixture.exhibits[1:]) or '-'})")
    notes = {d.input: d.note for d in pair.discovered}
    for fixture in report.discovered:
        note = notes.get(fixture.input, "not yet checked by hand")
        print(f"  discovered (no cause in the table, the libraries disagree): {fixture.input!r}")
        print(f"      {note}")
    for fixture in report.false_findings:
        print(f"  FALSE FINDING (the libraries agree): {fixture.input!r}")


#: Seconds one input may take in ``--reach`` before it is skipped.
CALL_SECONDS = 2.0


class _TooSlow(Exception):
    pass


def _too_slow(signum: int, frame: object) -> None:
    raise _TooSlow


def reach(pair: Pair, examples: int) -> dict[str, int]:
    """Divergent examples per known cause (first cause claiming it) in plain sampling."""
    from hypothesis import HealthCheck, Phase, given, settings

    from difffuzz._registry import get_strategy

    __import__(pair.module)
    shown = dict.fromkeys([c.id for c in pair.causes], 0)

    @settings(
        max_examples=examples,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(get_strategy(pair.strategy).build())
    def sample(value: object) -> None:
        # A pattern that backtracks without end (the regex pair has them) is skipped.
        signal.signal(signal.SIGALRM, _too_slow)
        signal.setitimer(signal.ITIMER_REAL, CALL_SECONDS)
        try:
            differs = disagree(pair, value)
        except _TooSlow:
            shown["(skipped: too slow)"] = shown.get("(skipped: too slow)", 0) + 1
            return
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if differs:
            claimed = [c.id for c in pair.causes if c.exhibits(value)]
            if claimed:
                shown[claimed[0]] += 1

    sample()
    return shown


#: Address space the benchmark may use: a pattern or document that makes a library
#: allocate without bound (the regex pair has them) raises MemoryError in the adapter,
#: which answers it as a refusal, instead of the kernel killing the process.
MEMORY_LIMIT = 6 * 2**30


def limit_memory() -> None:
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1", help="seeds, e.g. 1-5,9 (default: 1)")
    parser.add_argument("--max-examples", type=int, default=1000, help="examples per pair")
    parser.add_argument("--only", action="append", default=[], help="a pair's name (repeatable)")
    parser.add_argument("--fixtures", action="store_true", help="print every fixture's input")
    parser.add_argument(
        "--errors",
        choices=["class", "message"],
        default="class",
        help="what a refusal's error says: the exception class (default) or class and message",
    )
    parser.add_argument(
        "--campaign",
        action="append",
        default=[],
        metavar="KEY=N",
        help="a [campaign] budget setting, e.g. candidates_per_bucket=16 (repeatable)",
    )
    parser.add_argument(
        "--reach", action="store_true", help="only count the causes plain sampling meets"
    )
    args = parser.parse_args(argv)
    limit_memory()
    ERRORS["detail"] = args.errors
    campaign = {}
    for setting in args.campaign:
        key, _, value = setting.partition("=")
        if not value.isdigit():
            parser.error(f"--campaign {setting!r}: write KEY=N, e.g. candidates_per_bucket=16")
        campaign[key] = int(value)
    pairs = [p for p in all_pairs() if not args.only or p.name in args.only]
    if not pairs:
        parser.error(
            f"--only {args.only}: no such pair; choose from {[p.name for p in all_pairs()]}"
        )
    if args.reach:
        print(f"known causes met by {args.max_examples} plain draws of each pair's strategy")
        for pair in pairs:
            shown = reach(pair, args.max_examples)
            met = [cause for cause, count in shown.items() if count]
            print(
                f"  {pair.name:10} {len(met)}/{len(shown)}  "
                + ", ".join(f"{cause} {count}" for cause, count in shown.items())
            )
        return 0
    reports: list[PairReport] = []
    with tempfile.TemporaryDirectory(prefix="difffuzz-pairs-") as scratch:
        for pair in pairs:
            for seed in seeds(args.seeds):
                workdir = Path(scratch) / f"{pair.name}-{seed}"
                reports.append(
                    run_pair(
                        pair,
                        seed=seed,
                        max_examples=args.max_examples,
                        workdir=workdir,
                        campaign=campaign,
                    )
                )
    settings = "".join(f", {key} {value}" for key, value in campaign.items())
    print(
        f"real pairs, {args.max_examples} examples a pair, errors: {args.errors}{settings}; "
        f"{TARGETS}"
    )
    print_table([row(r) for r in reports])
    for report in reports:
        print_details(report, fixtures=args.fixtures)
    if len(seeds(args.seeds)) > 1:
        print("\nmean over seeds")
        for pair in pairs:
            mine = [r for r in reports if r.pair is pair]
            share = statistics.mean(r.found_share for r in mine)
            per_cause = statistics.mean(r.fixtures_per_cause for r in mine)
            print(
                f"  {pair.name:10} found {share:.0%} of known, {per_cause:.2f} fixtures per cause"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

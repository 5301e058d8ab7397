"""Start-up costs: ``import difffuzz``, the pytest plugin, ``difffuzz --help``, one helper call.

The pytest plugin is imported by every pytest session where difffuzz is installed;
its figure is ``import pytest`` plus the plugin, beside ``import pytest`` alone.

Every figure is the median wall-clock time of fresh interpreters, ``-r`` runs
each, taken in interleaved rounds (one run of every command per round) beside a
bare ``python -c pass``, so that a busy machine slows every figure alike. The
last line is ``-X importtime``'s own cumulative figure for the package, without
the interpreter's start.

``--baseline DIR`` measures another checkout in the same rounds (its code first
on ``PYTHONPATH`` and as the working directory, with this interpreter and its
dependencies)::

    git archive main | tar -x -C /tmp/base
    python benchmarks/bench_startup.py --baseline /tmp/base
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def environment(root: Path) -> dict[str, str]:
    """``PYTHONPATH`` for ``root``: the tool, and the samples where they are apart."""
    apart = (root / "samples" / "lakehouse_samples").is_dir()
    paths = [root, root / "samples"] if apart else [root]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in paths)}


def helper_module(root: Path) -> str:
    """The go-style extract_json helper, wherever this checkout keeps the samples."""
    if (root / "difffuzz" / "samples").is_dir():
        return "difffuzz.samples.go_style.extract_json"
    return "lakehouse_samples.go_style.extract_json"


def wall_ms(commands: Mapping[str, tuple[Sequence[str], Path]], runs: int) -> dict[str, float]:
    """Median milliseconds of each ``name: (argv, checkout)``, in interleaved rounds."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (argv, root) in commands.items():
            start = time.perf_counter()
            # The checkout is the working directory too: `python -c` and `-m` put it
            # first on sys.path, ahead of PYTHONPATH.
            subprocess.run(
                argv,
                cwd=root,
                env=environment(root),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                check=True,
                timeout=60,
            )
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


def importtime_ms(root: Path, runs: int) -> float:
    """``-X importtime``'s cumulative figure for the ``difffuzz`` package."""
    figures = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import difffuzz"],
            cwd=root,
            env=environment(root),
            capture_output=True,
            text=True,
            check=True,
        )
        (line,) = [row for row in done.stderr.splitlines() if row.endswith("| difffuzz")]
        figures.append(int(line.split("|")[1]) / 1000)
    return statistics.median(figures)


def plugin_module(root: Path) -> str:
    """The pytest11 plugin's module: outside the package since it was moved there."""
    if (root / "pytest_difffuzz" / "__init__.py").is_file():
        return "pytest_difffuzz"
    return "difffuzz._pytest_plugin"


def commands_for(root: Path) -> dict[str, tuple[Sequence[str], Path]]:
    python = sys.executable
    return {
        "import difffuzz": ([python, "-c", "import difffuzz"], root),
        "import pytest + the pytest plugin": (
            [python, "-c", f"import pytest, {plugin_module(root)}"],
            root,
        ),
        "difffuzz --help": ([python, "-m", "difffuzz", "--help"], root),
        "helper go_style.extract_json, empty input": ([python, "-m", helper_module(root)], root),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another checkout, measured alongside")
    parser.add_argument("-r", "--runs", type=int, default=15, help="runs per figure")
    options = parser.parse_args()
    roots = {"this checkout": ROOT}
    if options.baseline is not None:
        roots["baseline"] = options.baseline.resolve()
    commands: dict[str, tuple[Sequence[str], Path]] = {
        "bare": ([sys.executable, "-c", "pass"], ROOT),
        "pytest": ([sys.executable, "-c", "import pytest"], ROOT),
    }
    for label, root in roots.items():
        commands.update({f"{label}|{k}": v for k, v in commands_for(root).items()})
    figures = wall_ms(commands, options.runs)
    bare = figures["bare"]
    print(f"median of {options.runs} interleaved runs; bare `python -c pass`: {bare:.1f} ms")
    print(f"`import pytest` alone (the plugin's baseline): {figures['pytest']:.1f} ms")
    for label, root in roots.items():
        print(f"\n{label}: {root}")
        for key, ms in figures.items():
            if key.startswith(f"{label}|"):
                name = key.split("|", 1)[1]
                print(f"  {name:45} {ms:7.1f} ms  (+{ms - bare:6.1f} over bare python)")
        cumulative = importtime_ms(root, 5)
        print(f"  {'import difffuzz, -X importtime cumulative':45} {cumulative:7.1f} ms")


if __name__ == "__main__":
    main()

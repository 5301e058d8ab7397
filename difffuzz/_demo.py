"""``difffuzz demo``: the lakehouse campaign against the bundled sample runtimes.

The demo renders the same lakehouse config a team would adopt
(:mod:`difffuzz._lakehouse`), pointed at two sample runtimes started on free
loopback ports, runs a short campaign, prints the findings and leaves the
config, the fixtures and the reports in one folder the user can open.
"""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path
from typing import Any

from difffuzz._config import load_config
from difffuzz._lakehouse import LakehouseTargets, lakehouse_config
from difffuzz.samples import SampleRuntimes, start_sample_runtimes

__all__ = [
    "DEMO_BUDGET",
    "run_demo",
    "run_demo_ci",
    "sample_config",
    "serve",
    "write_sample_config",
]

#: Examples per surface, and seconds per surface: about a minute for all six
#: surfaces on a 2-core machine (the CLI surfaces start two processes per example).
DEMO_BUDGET = 200
DEMO_SECONDS = 15.0


def sample_targets(
    runtimes: SampleRuntimes,
    *,
    max_examples: int = DEMO_BUDGET,
    max_seconds: float | None = DEMO_SECONDS,
    corpus: str = "corpus",
    reports: str = "reports",
) -> LakehouseTargets:
    """Lakehouse targets for running sample runtimes (their URLs and helper argv)."""
    from difffuzz.samples.model import MODEL_NAME

    return LakehouseTargets(
        rust_url=runtimes.rust.base_url,
        go_url=runtimes.go.base_url,
        embed_model=MODEL_NAME,
        rust_commands={k: list(v) for k, v in runtimes.rust.commands.items()},
        go_commands={k: list(v) for k, v in runtimes.go.commands.items()},
        max_examples=max_examples,
        max_seconds=max_seconds,
        corpus=corpus,
        reports=reports,
    )


def sample_config(runtimes: SampleRuntimes, **options: Any) -> str:
    """The lakehouse config text pointed at running sample runtimes.

    ``options`` go to :func:`sample_targets` (``max_examples``, ``max_seconds``, ...).
    """
    header = (
        "# difffuzz config for the bundled sample runtimes (written by difffuzz demo).\n"
        "# The same surfaces and match rules as examples/lakehouse.toml; the addresses\n"
        "# are the sample runtimes' free loopback ports, valid while they run."
    )
    return lakehouse_config(sample_targets(runtimes, **options), header=header)


def write_sample_config(runtimes: SampleRuntimes, folder: Path, **options: Any) -> Path:
    """Write :func:`sample_config` as ``folder/lakehouse-sample.toml``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "lakehouse-sample.toml"
    path.write_text(sample_config(runtimes, **options), encoding="utf-8")
    return path


def run_demo(out_dir: Path, *, max_examples: int | None = None, seed: int | None = None) -> int:
    """Start the samples, run the campaign, print it; the exit code of ``run``."""
    from difffuzz._session import execute_campaign, make_console

    console = make_console()
    console.print("[bold]difffuzz demo[/]: starting the two sample runtimes on loopback ...")
    with start_sample_runtimes() as runtimes:
        console.print(f"  rust-style gateway  {runtimes.rust.base_url}")
        console.print(f"  go-style port       {runtimes.go.base_url}")
        path = write_sample_config(runtimes, out_dir, max_examples=max_examples or DEMO_BUDGET)
        config = load_config(path)
        if seed is not None:
            config = config.override(seed=seed)
        code = execute_campaign(config, console=console, quiet=False)
    console.print(
        f"\nThe demo's config, fixtures and reports are in [bold]{out_dir}/[/]. "
        f"Fixtures: {out_dir}/corpus/, reports: {out_dir}/reports/."
    )
    return code


def run_demo_ci(
    out_dir: Path, *, corpus_dir: Path, budget: int, seed: int, fuzz: bool, junit: Path | None
) -> int:
    """``difffuzz ci`` against freshly started sample runtimes, gating on ``corpus_dir``."""
    from difffuzz._session import ci_command

    with start_sample_runtimes() as runtimes:
        path = write_sample_config(
            runtimes, out_dir, max_seconds=None, corpus=str(corpus_dir.resolve())
        )
        return ci_command(path, budget=budget, seed=seed, junit=junit, fuzz=fuzz)


def serve(out_dir: Path) -> None:
    """Run the sample runtimes until interrupted, with a config written for them."""
    with start_sample_runtimes() as runtimes:
        path = write_sample_config(runtimes, out_dir)
        print(
            f"sample runtimes running: rust-style {runtimes.rust.base_url}, "
            f"go-style {runtimes.go.base_url}"
        )
        print(f"config written to {path}; try:")
        print(f"  difffuzz run --config {path}")
        print(f"  difffuzz replay --config {path}")
        print(f"  difffuzz ci --config {path} --budget 50 --seed 1")
        print("Ctrl-C stops them.", flush=True)
        stop = False

        def on_term(signum: int, frame: object) -> None:
            nonlocal stop
            stop = True

        signal.signal(signal.SIGTERM, on_term)
        try:
            while not stop:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
    print("sample runtimes stopped.", file=sys.stderr)

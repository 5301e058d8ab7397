"""``difffuzz demo``: the lakehouse campaign against the two sample runtimes.

This distribution adds the ``demo`` command group to the ``difffuzz`` command
line through its ``difffuzz.commands`` entry point; difffuzz itself knows
nothing of the samples. The demo renders the lakehouse config a team would
adopt (:func:`difffuzz.lakehouse_config`), pointed at the two sample runtimes
started on free loopback ports, and hands it to difffuzz's own ``run`` and
``ci`` commands, so the demo goes exactly the path a user's campaign goes.
Only difffuzz's public API is used.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

import difffuzz
from lakehouse_samples import SampleRuntimeError, SampleRuntimes, start_sample_runtimes
from lakehouse_samples.model import MODEL_NAME

__all__ = [
    "DEMO_BUDGET",
    "DEMO_SECONDS",
    "demo",
    "sample_config",
    "sample_targets",
    "write_sample_config",
]

#: Examples per surface, and seconds per surface: about a minute for all six
#: surfaces on a 2-core machine (the CLI surfaces start two processes per example).
DEMO_BUDGET = 200
DEMO_SECONDS = 15.0
#: The helpers that take --lines (lakehouse_samples.lines): kept running.
LINE_HELPERS = ("extract_json", "session_log")


def sample_targets(
    runtimes: SampleRuntimes,
    *,
    max_examples: int = DEMO_BUDGET,
    max_seconds: float | None = DEMO_SECONDS,
    corpus: str = "corpus",
    reports: str = "reports",
) -> difffuzz.LakehouseTargets:
    """Lakehouse targets for running sample runtimes (their URLs and helper argv).

    The extract_json and session_log helpers are kept running (``--lines``): a
    helper process per input would cost more than the helper's work.
    """

    def argv(command: tuple[str, ...], surface: str) -> list[str]:
        return [*command, "--lines"] if surface in LINE_HELPERS else list(command)

    return difffuzz.LakehouseTargets(
        rust_url=runtimes.rust.base_url,
        go_url=runtimes.go.base_url,
        embed_model=MODEL_NAME,
        rust_commands={k: argv(v, k) for k, v in runtimes.rust.commands.items()},
        go_commands={k: argv(v, k) for k, v in runtimes.go.commands.items()},
        helper_modes=dict.fromkeys(LINE_HELPERS, "lines"),
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
    return difffuzz.lakehouse_config(sample_targets(runtimes, **options), header=header)


def write_sample_config(runtimes: SampleRuntimes, folder: Path, **options: Any) -> Path:
    """Write :func:`sample_config` as ``folder/lakehouse-sample.toml``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "lakehouse-sample.toml"
    path.write_text(sample_config(runtimes, **options), encoding="utf-8")
    return path


@contextlib.contextmanager
def running_samples() -> Iterator[SampleRuntimes]:
    """The sample runtimes, running; a launch failure or a crash is a difffuzz tool error.

    difffuzz reports :class:`difffuzz.RuntimeUnreachable` as one line and exit
    code 3, the same as for any runtime it cannot reach.
    """
    try:
        with start_sample_runtimes() as runtimes:
            yield runtimes
    except SampleRuntimeError as error:
        raise difffuzz.RuntimeUnreachable(
            str(error), runtime=error.runtime, target=error.target
        ) from error


def _builtin(ctx: click.Context, name: str) -> click.Command:
    """The ``difffuzz`` command ``name`` (``run``, ``ci``), to run it as the user would."""
    root = ctx.find_root().command
    command = root.get_command(ctx, name) if isinstance(root, click.Group) else None
    if command is None:
        raise click.UsageError(f"the demo runs `difffuzz {name}`; run it as `difffuzz demo`")
    return command


F = TypeVar("F", bound=Callable[..., Any])


def _out_option(help_text: str) -> Callable[[F], F]:
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("difffuzz-demo"),
        show_default=True,
        help=help_text,
    )


@click.group(invoke_without_command=True)
@click.option(
    "--max-examples",
    type=click.IntRange(min=1),
    default=None,
    help="Examples per surface (default: a one-minute budget).",
)
@click.option("--seed", type=int, default=None)
@_out_option("Folder for the demo's config, corpus and reports.")
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@click.pass_context
def demo(
    ctx: click.Context, max_examples: int | None, seed: int | None, out_dir: Path, quiet: bool
) -> int:
    """Run a short campaign against the two sample runtimes."""
    if ctx.invoked_subcommand is not None:
        return 0
    click.echo(click.style("difffuzz demo", bold=True) + ": starting the two sample runtimes ...")
    with running_samples() as runtimes:
        click.echo(f"  rust-style gateway  {runtimes.rust.base_url}")
        click.echo(f"  go-style port       {runtimes.go.base_url}")
        path = write_sample_config(runtimes, out_dir, max_examples=max_examples or DEMO_BUDGET)
        code: int = ctx.invoke(_builtin(ctx, "run"), config_path=path, seed=seed, quiet=quiet)
    click.echo("")
    click.echo(
        f"The demo's config, fixtures and reports are in {out_dir}/. "
        f"Fixtures: {out_dir}/corpus/, reports: {out_dir}/reports/."
    )
    return code


@demo.command("serve")
@_out_option("Folder for the config written for the running samples.")
def serve(out_dir: Path) -> int:
    """Start the sample runtimes, write a config for them, and wait (Ctrl-C stops).

    Stopped by a signal, it exits as every difffuzz command does: 128 + N
    (130 for Ctrl-C, 143 for SIGTERM).
    """
    stopped_by: int | None = None

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopped_by
        stopped_by = signum

    with running_samples() as runtimes:
        path = write_sample_config(runtimes, out_dir)
        # The handlers are in place before the line that says Ctrl-C works: a
        # signal sent as soon as it is read would otherwise interrupt the
        # set-up and leave as click's Abort (exit 1), not 128 + N.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, on_signal)
        print(
            f"sample runtimes running: rust-style {runtimes.rust.base_url}, "
            f"go-style {runtimes.go.base_url}"
        )
        print(f"config written to {path}; try:")
        print(f"  difffuzz run --config {path}")
        print(f"  difffuzz replay --config {path}")
        print(f"  difffuzz ci --config {path} --max-examples 50 --seed 1")
        print("Ctrl-C stops them.", flush=True)
        while stopped_by is None:
            time.sleep(0.5)
    print("sample runtimes stopped.", file=sys.stderr)
    return 128 + int(stopped_by)


@demo.command("ci")
@click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("corpus"),
    show_default=True,
    help="The corpus to gate on (the repo's own, by default).",
)
@click.option("--max-examples", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--budget", type=click.IntRange(min=1), default=None, hidden=True)  # old name
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--replay-only", is_flag=True, help="Only replay the corpus; no fuzz run.")
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path))
@_out_option("Folder for the generated config and the reports.")
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@click.pass_context
def ci(
    ctx: click.Context,
    corpus_dir: Path,
    max_examples: int,
    budget: int | None,
    seed: int,
    replay_only: bool,
    junit: Path | None,
    out_dir: Path,
    quiet: bool,
) -> int:
    """`difffuzz ci` against the sample runtimes: the project's own regression gate."""
    with running_samples() as runtimes:
        path = write_sample_config(
            runtimes, out_dir, max_seconds=None, corpus=str(corpus_dir.resolve())
        )
        code: int = ctx.invoke(
            _builtin(ctx, "ci"),
            config_path=path,
            max_examples=budget or max_examples,
            seed=seed,
            junit=junit,
            replay_only=replay_only,
            quiet=quiet,
        )
    return code

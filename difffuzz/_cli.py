"""The ``difffuzz`` command line: options become a config, the library does the work.

Exit codes (every command):

* 0 — no (new) divergence;
* 1 — divergences found (for ``ci``: new divergences or regressions);
* 2 — usage, config or corpus error;
* 3 — a runtime was unreachable or kept timing out;
* 130 — interrupted (findings so far are saved first).

Click is used rather than argparse for its nested command groups, typed options
and testing runner; heavy imports (Hypothesis, httpx, rich) happen inside the
commands so ``difffuzz --help`` stays instant.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from difffuzz._exceptions import DifffuzzError
from difffuzz._version import __version__

__all__ = ["cli", "main"]

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FOUND, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3


def _fail(error: DifffuzzError) -> NoReturn:
    click.secho(f"difffuzz: {error}", fg="red", err=True)
    sys.exit(error.exit_code)


def _exits_on_tool_errors(command: F) -> F:
    """Turn a tool error raised anywhere under a command into its message and exit code."""

    @functools.wraps(command)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DifffuzzError as error:
            _fail(error)

    return guarded  # type: ignore[return-value]


def _config_option(function: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        required=True,
        help="TOML config naming the two runtimes and the surfaces.",
    )(function)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="difffuzz")
def cli() -> None:
    """Differential fuzzing of two runtimes of one service.

    Generates inputs, sends each to both runtimes, compares the answers with the
    surface's rule, shrinks every distinct divergence to a minimal fixture and
    saves it to a regression corpus.
    """


@cli.command()
@_config_option
@click.option("--surface", "surfaces", multiple=True, help="Only this surface (repeatable).")
@click.option("--max-examples", type=click.IntRange(min=1), help="Examples per surface.")
@click.option("--seed", type=int, help="Seed for a reproducible run.")
@click.option("--max-seconds", type=click.FloatRange(min=0.1), help="Time budget per surface.")
@click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Corpus folder (default: the config's).",
)
@click.option(
    "--report-json",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the campaign result as JSON here.",
)
@click.option(
    "--reports",
    "reports_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the Markdown/JSON/HTML/JUnit reports (default: the config's).",
)
@click.option("--no-reports", is_flag=True, help="Do not write the report folder.")
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@_exits_on_tool_errors
def run(
    config_path: Path,
    surfaces: Sequence[str],
    max_examples: int | None,
    seed: int | None,
    max_seconds: float | None,
    corpus_dir: Path | None,
    report_json: Path | None,
    reports_dir: Path | None,
    no_reports: bool,
    quiet: bool,
) -> None:
    """Fuzz the configured surfaces and save each distinct divergence."""
    from difffuzz._session import run_command

    code = run_command(
        config_path,
        surfaces=surfaces,
        max_examples=max_examples,
        seed=seed,
        max_seconds=max_seconds,
        corpus_dir=corpus_dir,
        report_json=report_json,
        reports_dir=None if no_reports else reports_dir,
        write_reports=not no_reports,
        quiet=quiet,
    )
    sys.exit(code)


@cli.command("strategies")
@click.option(
    "--strategy-module",
    "modules",
    multiple=True,
    help="Import this module first (registers its strategies).",
)
@_exits_on_tool_errors
def list_strategies(modules: Sequence[str]) -> None:
    """List the registered strategies, one line each."""
    from difffuzz._registry import all_strategies, load_strategy_modules

    load_strategy_modules(modules)
    entries = all_strategies()
    width = max((len(name) for name in entries), default=0)
    for name, entry in entries.items():
        click.echo(f"{name:<{width}}  {entry.description}")


@cli.command()
@click.argument("strategy_name", metavar="STRATEGY")
@click.option("-n", "count", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--strategy-module", "modules", multiple=True)
@click.option("--json", "as_json", is_flag=True, help="Print the stored (lossless JSON) form.")
@_exits_on_tool_errors
def sample(
    strategy_name: str, count: int, seed: int, modules: Sequence[str], as_json: bool
) -> None:
    """Print N inputs the strategy generates: what would be sent."""
    from difffuzz._sampling import describe_input, draw_examples

    values = draw_examples(strategy_name, count, seed=seed, modules=modules)
    for value in values:
        click.echo(describe_input(value, as_json=as_json))


@cli.group(invoke_without_command=True)
@click.option(
    "--max-examples",
    type=click.IntRange(min=1),
    default=None,
    help="Examples per surface (default: a one-minute budget).",
)
@click.option("--seed", type=int, default=None)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("difffuzz-demo"),
    show_default=True,
    help="Folder for the demo's config, corpus and reports.",
)
@click.pass_context
@_exits_on_tool_errors
def demo(ctx: click.Context, max_examples: int | None, seed: int | None, out_dir: Path) -> None:
    """Run a short campaign against the bundled sample runtimes."""
    if ctx.invoked_subcommand is not None:
        return
    from difffuzz._demo import run_demo

    code = run_demo(out_dir, max_examples=max_examples, seed=seed)
    sys.exit(code)


@demo.command("serve")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("difffuzz-demo"),
    show_default=True,
)
@_exits_on_tool_errors
def demo_serve(out_dir: Path) -> None:
    """Start the sample runtimes, write a config for them, and wait (Ctrl-C stops)."""
    from difffuzz._demo import serve

    serve(out_dir)


@demo.command("ci")
@click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("corpus"),
    show_default=True,
    help="The corpus to gate on (the repo's own, by default).",
)
@click.option("--budget", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--replay-only", is_flag=True, help="Only replay the corpus; no fuzz run.")
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("difffuzz-demo"),
    show_default=True,
    help="Folder for the generated config and the reports.",
)
@_exits_on_tool_errors
def demo_ci(
    corpus_dir: Path, budget: int, seed: int, replay_only: bool, junit: Path | None, out_dir: Path
) -> None:
    """`difffuzz ci` against the sample runtimes: the project's own regression gate."""
    from difffuzz._demo import run_demo_ci

    code = run_demo_ci(
        out_dir,
        corpus_dir=corpus_dir,
        budget=budget,
        seed=seed,
        fuzz=not replay_only,
        junit=junit,
    )
    sys.exit(code)


@cli.command()
@click.argument("target", type=click.Choice(["lakehouse"]))
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("difffuzz.toml"),
    show_default=True,
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(target: str, output: Path, force: bool) -> None:
    """Write a starter config (the lakehouse pack)."""
    from difffuzz._lakehouse import lakehouse_config

    if output.exists() and not force:
        click.secho(f"difffuzz: {output} exists; pass --force to overwrite it", fg="red", err=True)
        sys.exit(EXIT_USAGE)
    output.write_text(lakehouse_config(), encoding="utf-8")
    click.echo(f"wrote {output}; edit the runtimes' addresses and helper argv, then:")
    click.echo(f"  difffuzz run --config {output}")


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    from difffuzz import _cli_corpus  # noqa: F401  (registers replay, ci and corpus)

    cli.main(args=list(argv) if argv is not None else None, prog_name="difffuzz")

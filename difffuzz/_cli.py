"""The ``difffuzz`` command line: options become a config, the library does the work.

Exit codes (every command):

* 0 — no (new) divergence;
* 1 — divergences found (for ``ci``: new divergences or regressions);
* 2 — usage, config or corpus error;
* 3 — a runtime was unreachable or kept timing out;
* 130 — interrupted (findings so far are saved first).

Every command returns its exit code and raises tool errors freely:
:class:`CommandLine`, the ``difffuzz`` group, turns an error into its message
and exit code, for built-in and plugin commands alike. The built-in commands are
attached explicitly at the bottom of this module (importing it gives all of
them); commands from other distributions (``difffuzz demo`` comes with the
sample runtimes) are attached by :func:`main` (see :mod:`difffuzz._cli_plugins`).

Click is used rather than argparse for its nested command groups, typed options
and testing runner. ``difffuzz --help`` costs the import of the ``difffuzz``
package (about 0.25 s: it imports eagerly, see ``benchmarks/bench_startup.py``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

import click

from difffuzz._cli_corpus import ci, corpus, replay
from difffuzz._cli_init import init
from difffuzz._cli_plugins import with_plugins
from difffuzz._exceptions import DifffuzzError
from difffuzz._registry import PluginWarning
from difffuzz._version import __version__

__all__ = ["CommandLine", "cli", "main"]

F = TypeVar("F", bound=Callable[..., Any])


class CommandLine(click.Group):
    """The ``difffuzz`` group: a command's return value is the process's exit code.

    A :class:`~difffuzz.DifffuzzError` raised anywhere under a command, built-in
    or plugin, is printed as one red line and exits with its own code (2 or 3);
    a finding is never an exception here, only an exit code of 1.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            code = super().invoke(ctx)
        except DifffuzzError as error:
            click.secho(f"difffuzz: {error}", fg="red", err=True)
            ctx.exit(error.exit_code)
        ctx.exit(code or 0)


def _config_option(function: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="TOML config naming the two runtimes and the surfaces "
        "(default: ./difffuzz.toml, else [tool.difffuzz] in ./pyproject.toml).",
    )(function)


@click.group(cls=CommandLine, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="difffuzz")
def cli() -> None:
    """Differential fuzzing of two runtimes of one service.

    Generates inputs, sends each to both runtimes, compares the answers with the
    surface's rule, shrinks every distinct divergence to a minimal fixture and
    saves it to a regression corpus.
    """


@click.command()
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
@click.option(
    "--verbose", "-v", is_flag=True, help="Every finding in full: diff, commands, @example."
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Processes fuzzing side by side: surfaces, and shares of one surface's rounds "
    "when there are fewer surfaces (default: one per surface, up to the number of cores).",
)
@click.option(
    "--duration",
    help="Run for this long (30m, 2h, 1h30m), in slices, giving more time to the surfaces "
    "still finding new divergences; replaces the per-surface budgets.",
)
@click.option(
    "--resume", is_flag=True, help="With --duration: start from the last run's estimates."
)
def run(
    config_path: Path | None,
    surfaces: Sequence[str],
    max_examples: int | None,
    seed: int | None,
    max_seconds: float | None,
    corpus_dir: Path | None,
    report_json: Path | None,
    reports_dir: Path | None,
    no_reports: bool,
    quiet: bool,
    verbose: bool = False,
    workers: int | None = None,
    duration: str | None = None,
    resume: bool = False,
) -> int:
    """Fuzz the configured surfaces and save each distinct divergence."""
    from difffuzz._exceptions import ConfigError
    from difffuzz._schedule import parse_duration
    from difffuzz._session import run_command

    if resume and duration is None:
        raise ConfigError("--resume continues a --duration run; give --duration too")

    return run_command(
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
        verbose=verbose,
        workers=workers,
        duration=parse_duration(duration) if duration is not None else None,
        resume=resume,
    )


@click.command("strategies")
@click.option(
    "--strategy-module",
    "modules",
    multiple=True,
    help="Import this module first (registers its strategies).",
)
@click.option("--quiet", "-q", is_flag=True, help="Names only.")
def list_strategies(modules: Sequence[str], quiet: bool) -> None:
    """List the registered strategies, one line each."""
    from difffuzz._registry import all_strategies, load_strategy_modules

    load_strategy_modules(modules)
    entries = all_strategies()
    width = max((len(name) for name in entries), default=0)
    for name, entry in entries.items():
        click.echo(name if quiet else f"{name:<{width}}  {entry.description}")


@click.command()
@click.argument("strategy_name", metavar="STRATEGY")
@click.option("-n", "count", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--strategy-module", "modules", multiple=True)
@click.option("--json", "as_json", is_flag=True, help="Print the stored (lossless JSON) form.")
@click.option(
    "--wire",
    type=click.Choice(["text", "body", "off"]),
    default="text",
    show_default=True,
    help="Wire mutations as on a stdin surface (text), a JSON body surface (body), or none.",
)
@click.option("--quiet", "-q", is_flag=True, help="The inputs only (all this command prints).")
def sample(
    strategy_name: str,
    count: int,
    seed: int,
    modules: Sequence[str],
    as_json: bool,
    wire: Literal["text", "body", "off"],
    quiet: bool,
) -> None:
    """Print N inputs the strategy generates: what would be sent."""
    from difffuzz._cli_sample import describe_input, draw_examples

    values = draw_examples(strategy_name, count, seed=seed, modules=modules, wire=wire)
    for value in values:
        click.echo(describe_input(value, as_json=as_json))


for _command in (run, replay, ci, corpus, list_strategies, sample, init):
    cli.add_command(_command)


_python_format = warnings.formatwarning


def _format_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    line: str | None = None,
) -> str:
    # A skipped plugin is news for the user, one line, not a source-location report.
    if issubclass(category, PluginWarning):
        return f"difffuzz: warning: {message}\n"
    return _python_format(message, category, filename, lineno, line)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point: the built-in commands and the installed plugins."""
    warnings.formatwarning = _format_warning
    command_line, clashes = with_plugins(cli)
    for clash in clashes:
        click.secho(f"difffuzz: warning: {clash}", fg="yellow", err=True)
    command_line.main(args=list(argv) if argv is not None else None, prog_name="difffuzz")

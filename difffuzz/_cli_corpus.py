"""CLI commands around the corpus: ``replay``, ``ci`` and ``corpus list|show|prune``.

Plain click commands that :mod:`difffuzz._cli` attaches to the ``difffuzz``
group; like every command they return their exit code, and a tool error raised
under them becomes its message and exit code there. Nothing here imports
:mod:`difffuzz._cli`, so the imports go one way.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from difffuzz._exceptions import ConfigError, CorpusError

if TYPE_CHECKING:
    from difffuzz._config import Config

__all__ = ["DEFAULT_CI_EXAMPLES", "ci", "corpus", "replay"]

#: Examples per surface in the fuzz run of ``difffuzz ci`` when no --max-examples is given.
DEFAULT_CI_EXAMPLES = 100

F = TypeVar("F", bound=Callable[..., Any])


def _corpus_fixtures(paths: Sequence[Path], corpus_dir: Path) -> tuple[list, list]:  # type: ignore[type-arg]
    from difffuzz._corpus import Corpus, UnreadableFixture

    corpus = Corpus(corpus_dir)
    if not paths:
        return corpus.load()
    fixtures, problems = [], []
    for path in paths:
        files = sorted(path.rglob("*.json")) if path.is_dir() else [path]
        for file in files:
            try:
                fixtures.append(corpus.read(file))
            except UnreadableFixture as exc:
                problems.append(exc.problem)
    return fixtures, problems


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where the runtimes are now (default: ./difffuzz.toml or ./pyproject.toml).",
)
@click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Corpus folder (default: the config's).",
)
@click.option(
    "--by-config",
    is_flag=True,
    help="Judge by the current config's comparators, not the ones saved in fixtures.",
)
@click.option(
    "--update",
    is_flag=True,
    help="Stamp fixtures that now agree as fixed (a later divergence is a regression).",
)
@click.option("--report-json", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--quiet", "-q", is_flag=True, help="Only what fails, the summary and errors.")
def replay(
    paths: Sequence[Path],
    config_path: Path | None,
    corpus_dir: Path | None,
    by_config: bool,
    update: bool,
    report_json: Path | None,
    quiet: bool,
    verbose: bool = False,
) -> int:
    """Re-run saved fixtures (PATHS, or the whole corpus) against both runtimes."""
    from rich.text import Text

    from difffuzz._config import load_config
    from difffuzz._corpus import Corpus
    from difffuzz._discovery import resolve_config
    from difffuzz._engine import now_iso
    from difffuzz._exit import replay_exit, replay_exit_line
    from difffuzz._replay import ReplayVerdict, replay_fixtures
    from difffuzz._reporting.replay import render_replay, write_replay_json
    from difffuzz._session import make_console

    config = load_config(resolve_config(config_path))
    root = corpus_dir or Path(config.campaign.corpus)
    fixtures, problems = _corpus_fixtures(paths, root)
    result = replay_fixtures(config, fixtures, by_config=by_config, problems=problems)
    if update:
        corpus = Corpus(root)
        for case in result.cases:
            if case.verdict is ReplayVerdict.FIXED and not case.fixture.fixed_at:
                corpus.rewrite(case.fixture, fixed_at=now_iso())
    code = replay_exit(result)
    if report_json:
        write_replay_json(result, report_json, exit_code=code)
    console = make_console()
    render_replay(result, console, quiet=quiet)
    console.print(Text(replay_exit_line(code), style="bold"))
    return code


@click.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The config (default: ./difffuzz.toml or ./pyproject.toml).",
)
@click.option(
    "--max-examples",
    type=click.IntRange(min=1),
    default=None,
    help="Examples per surface for the fuzz run (default: 100).",
)
@click.option(
    "--budget",
    type=click.IntRange(min=1),
    default=None,
    hidden=True,
    help="Deprecated spelling of --max-examples.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="The same seed (and corpus) gives the same inputs and verdicts.",
)
@click.option("--surface", "surfaces", multiple=True, help="Only this surface (repeatable).")
@click.option("--corpus", "corpus_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--junit", type=click.Path(dir_okay=False, path_type=Path), help="Write JUnit XML here."
)
@click.option(
    "--reports",
    "reports_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Report folder (default: the config's).",
)
@click.option("--replay-only", is_flag=True, help="Only replay the corpus; no fuzz run.")
@click.option(
    "--report-json",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the gate and the fuzz run as JSON here (schema difffuzz.ci/1).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@click.option(
    "--verbose", "-v", is_flag=True, help="Every finding in full: diff, commands, @example."
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Processes running surfaces side by side (default: one per surface, up to the "
    "number of cores); the verdicts do not depend on it.",
)
def ci(
    config_path: Path | None,
    max_examples: int | None,
    budget: int | None,
    seed: int,
    surfaces: Sequence[str],
    corpus_dir: Path | None,
    junit: Path | None,
    reports_dir: Path | None,
    replay_only: bool,
    report_json: Path | None,
    quiet: bool,
    verbose: bool = False,
    workers: int | None = None,
) -> int:
    """Replay the corpus, then a seeded fixed-budget run; fail on new divergences and
    regressions only."""
    from difffuzz._session import ci_command

    if budget is not None:
        if max_examples is not None and max_examples != budget:
            raise ConfigError(
                f"--budget {budget} and --max-examples {max_examples} say two things; "
                "--budget is the old name of --max-examples: give only --max-examples"
            )
        click.secho(
            "difffuzz: warning: --budget is deprecated; say --max-examples", fg="yellow", err=True
        )
    return ci_command(
        config_path,
        budget=max_examples or budget or DEFAULT_CI_EXAMPLES,
        seed=seed,
        surfaces=surfaces,
        corpus_dir=corpus_dir,
        junit=junit,
        reports_dir=reports_dir,
        fuzz=not replay_only,
        report_json=report_json,
        quiet=quiet,
        verbose=verbose,
        workers=workers,
    )


@click.group()
def corpus() -> None:
    """Look after the regression corpus."""


def _corpus_location(command: F) -> F:
    """``--corpus DIR`` or ``--config FILE`` (its corpus) as ``corpus_dir``, and the config.

    Without either, the config in the current folder (``difffuzz.toml``) is used
    when there is one, else ``./corpus``. The command also gets ``config`` (or
    None): its known gaps and its path belong in what the corpus commands show.
    """

    @functools.wraps(command)
    def resolved(
        *args: Any, corpus_dir: Path | None, config_path: Path | None, **kwargs: Any
    ) -> Any:
        from difffuzz._config import load_config
        from difffuzz._discovery import find_config

        config = None
        if config_path is None:
            with contextlib.suppress(ConfigError):
                config_path = find_config()
        if config_path is not None:
            config = load_config(config_path)
        if corpus_dir is None:
            corpus_dir = Path(config.campaign.corpus) if config is not None else Path("corpus")
        if not corpus_dir.is_dir():
            raise CorpusError(
                f"the corpus folder {str(corpus_dir)!r} does not exist; pass --corpus DIR "
                "or --config FILE (whose [campaign] corpus is used)"
            )
        return command(*args, corpus_dir=corpus_dir, config=config, **kwargs)

    resolved = click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Use this config's corpus folder and known gaps (default: ./difffuzz.toml).",
    )(resolved)
    return click.option(  # type: ignore[return-value]
        "--corpus",
        "corpus_dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="The corpus folder (default: the config's, else ./corpus).",
    )(resolved)


@corpus.command("list")
@_corpus_location
@click.option("--surface", default=None)
@click.option("--quiet", "-q", is_flag=True, help="Only the summary line and problems.")
def corpus_list(corpus_dir: Path, config: Config | None, surface: str | None, quiet: bool) -> int:
    """List fixtures by surface, signature and status (known gaps: the fixture's and the
    config's, as ``replay`` counts them)."""
    from difffuzz._reporting.fixtures import render_fixture_list
    from difffuzz._session import make_console

    fixtures, problems = _corpus_fixtures((), corpus_dir)
    if surface:
        fixtures = [f for f in fixtures if f.surface == surface]
    if config is not None:
        from difffuzz._replay import config_gap_reason

        fixtures = [
            f if f.known_gap else replace(f, known_gap=config_gap_reason(config, f))
            for f in fixtures
        ]
    # make_console(): rich's default is 80 columns when piped, too narrow for the table.
    render_fixture_list(fixtures, problems, make_console(), quiet=quiet)
    return CorpusError.exit_code if problems else 0


@corpus.command("show")
@click.argument("fixture_id")
@_corpus_location
@click.option("--quiet", "-q", is_flag=True, help="One line: the file, signature and status.")
def corpus_show(fixture_id: str, corpus_dir: Path, config: Config | None, quiet: bool) -> None:
    """Show one fixture (id, id prefix or path) with its diff."""
    from difffuzz._reporting.fixtures import render_fixture
    from difffuzz._session import make_console

    fixtures, _problems = _corpus_fixtures((), corpus_dir)
    wanted = Path(fixture_id).resolve()
    matches = [
        f
        for f in fixtures
        if f.id.startswith(fixture_id) or (f.path is not None and f.path.resolve() == wanted)
    ]
    if len(matches) != 1:
        what = "no fixture" if not matches else f"{len(matches)} fixtures"
        raise CorpusError(
            f"{what} match {fixture_id!r} in {corpus_dir}; `difffuzz corpus list` shows the ids"
        )
    if quiet:
        from difffuzz._reporting.fixtures import fixture_status

        fixture = matches[0]
        click.echo(f"{fixture.path} {fixture.signature.label} ({fixture_status(fixture)})")
        return
    render_fixture(matches[0], make_console(), config=config.path if config else None)


@corpus.command("prune")
@_corpus_location
@click.option("--dry-run", is_flag=True, help="Only say what would be deleted.")
@click.option("--quiet", "-q", is_flag=True, help="Only the count.")
def corpus_prune(corpus_dir: Path, config: Config | None, dry_run: bool, quiet: bool) -> None:
    """Delete fixtures a smaller fixture of the same cause already shows.

    One cause: the same signature and error texts, and the larger input is the
    smaller with padding (it holds it, is a variant of it, or has characters
    between its characters), as the engine decides when it finds them.
    """
    from difffuzz._corpus import Corpus, redundant_fixtures
    from difffuzz._engine.candidates import Exemplars

    store = Corpus(corpus_dir)
    fixtures, problems = store.load()
    for problem in problems:
        click.secho(f"skipped: {problem}", fg="yellow", err=True)
    doomed = redundant_fixtures(
        fixtures, related=lambda larger, smaller: Exemplars(forms=[smaller]).relates(larger)
    )
    for fixture, kept in doomed:
        if not quiet:
            click.echo(
                f"{'would delete' if dry_run else 'deleted'} {fixture.path} "
                f"(covered by smaller {kept.path})"
            )
        if not dry_run:
            store.delete(fixture)
    click.echo(f"{len(doomed)} of {len(fixtures)} fixtures {'would be ' if dry_run else ''}pruned")

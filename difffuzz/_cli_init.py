"""``difffuzz init``: a commented config that runs as it is, for the service you have.

``init http``, ``init command`` and ``init python`` take the two runtimes
(``--left`` and ``--right``: URLs, command lines or ``module:function``);
``init openapi SPEC`` adds one surface per operation of the spec; ``init
lakehouse`` writes the lakehouse pack's six-surface config. Each writes
``difffuzz.toml`` (``-o`` to change it), which every command then finds in the
current folder without ``--config``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from difffuzz._exceptions import ConfigError

__all__ = ["init"]

F = TypeVar("F", bound=Callable[..., Any])


def _common(function: F) -> F:
    """The options every starter shares: where to write it, the names, the budget."""
    for decorator in (
        click.option(
            "--output",
            "-o",
            type=click.Path(dir_okay=False, path_type=Path),
            default=Path("difffuzz.toml"),
            show_default=True,
            help="Where to write the config.",
        ),
        click.option("--force", is_flag=True, help="Overwrite an existing file."),
        click.option(
            "--names",
            default=None,
            metavar="LEFT,RIGHT",
            help="Names of the two runtimes in reports (default: left,right).",
        ),
        click.option(
            "--max-examples",
            type=click.IntRange(min=1),
            default=200,
            show_default=True,
            help="Examples per surface.",
        ),
        click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors."),
    ):
        function = decorator(function)
    return function


def _write(output: Path, text: str, *, force: bool, quiet: bool, what: str) -> None:
    """Write a starter, after checking it loads: a starter that does not run is a bug."""
    import tomllib

    from difffuzz._config import parse_config
    from difffuzz._plan import compile_config

    if output.exists() and not force:
        raise ConfigError(f"{output} exists; pass --force to overwrite it, or -o another path")
    config = parse_config(tomllib.loads(text), source=str(output), base_dir=output.resolve().parent)
    compile_config(config)  # every strategy builds: a schema pointer that is wrong says so now
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    if quiet:
        return
    here = output.resolve().parent == Path.cwd().resolve() and output.name == "difffuzz.toml"
    run = "difffuzz run" if here else f"difffuzz run --config {output}"
    click.echo(f"wrote {output}: {what}")
    click.echo(f"next: {run}   (then `difffuzz corpus list` shows what it found)")


def _starter(names: str | None, max_examples: int) -> Any:
    from difffuzz._init.starters import Starter, runtime_names

    return Starter(names=runtime_names(names), max_examples=max_examples)


@click.group()
def init() -> None:
    """Write a starter config: http, command, python, openapi or lakehouse."""


@init.command("http")
@click.option("--left", "left", required=True, metavar="URL", help="The first service's URL.")
@click.option("--right", "right", required=True, metavar="URL", help="The second service's URL.")
@click.option("--method", default="POST", show_default=True, help="The HTTP method.")
@_common
def init_http(
    left: str,
    right: str,
    method: str,
    output: Path,
    force: bool,
    names: str | None,
    max_examples: int,
    quiet: bool,
) -> None:
    """Two HTTP services: JSON bodies POSTed to both URLs, status and body compared."""
    from difffuzz._init.starters import http_starter

    text = http_starter(left, right, method=method, starter=_starter(names, max_examples))
    _write(output, text, force=force, quiet=quiet, what=f"{method.upper()} {left} vs {right}")


@init.command("command")
@click.option("--left", "left", required=True, metavar="CMD", help="The first program.")
@click.option("--right", "right", required=True, metavar="CMD", help="The second program.")
@_common
def init_command(
    left: str,
    right: str,
    output: Path,
    force: bool,
    names: str | None,
    max_examples: int,
    quiet: bool,
) -> None:
    """Two programs: text on stdin, stdout and exit status compared."""
    from difffuzz._init.starters import command_starter

    text = command_starter(left, right, starter=_starter(names, max_examples))
    _write(output, text, force=force, quiet=quiet, what=f"`{left}` vs `{right}`")


@init.command("python")
@click.option("--left", "left", required=True, metavar="MODULE:FUNCTION")
@click.option("--right", "right", required=True, metavar="MODULE:FUNCTION")
@_common
def init_python(
    left: str,
    right: str,
    output: Path,
    force: bool,
    names: str | None,
    max_examples: int,
    quiet: bool,
) -> None:
    """Two Python functions in one process: each called with the input."""
    from difffuzz._init.starters import python_starter

    text = python_starter(left, right, starter=_starter(names, max_examples))
    _write(output, text, force=force, quiet=quiet, what=f"{left} vs {right}")


@init.command("openapi")
@click.argument("spec", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--left", "left", required=True, metavar="URL", help="The first server's URL.")
@click.option("--right", "right", required=True, metavar="URL", help="The second server's URL.")
@_common
def init_openapi(
    spec: Path,
    left: str,
    right: str,
    output: Path,
    force: bool,
    names: str | None,
    max_examples: int,
    quiet: bool,
) -> None:
    """One surface per operation of an OpenAPI spec (JSON or YAML) that takes a JSON body."""
    from difffuzz._init.openapi import openapi_starter

    text = openapi_starter(spec, left, right, output=output, starter=_starter(names, max_examples))
    _write(output, text, force=force, quiet=quiet, what=f"{_surfaces(text)} surfaces from {spec}")


def _surfaces(text: str) -> int:
    return sum(
        1 for line in text.splitlines() if line.startswith("[surfaces.") and line.count(".") == 1
    )


@init.command("lakehouse")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("difffuzz.toml"),
    show_default=True,
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def init_lakehouse(output: Path, force: bool, quiet: bool) -> None:
    """The lakehouse pack: six surfaces of the staffing platform (examples/lakehouse.toml)."""
    from difffuzz._lakehouse import lakehouse_config

    if output.exists() and not force:
        raise ConfigError(f"{output} exists; pass --force to overwrite it, or -o another path")
    output.write_text(lakehouse_config(), encoding="utf-8")
    if not quiet:
        click.echo(
            f"wrote {output}; set the runtimes' base_url, the helpers' argv and the embed "
            "model your runtimes serve, then: difffuzz run"
        )

"""Commands other distributions add to ``difffuzz``, through the ``difffuzz.commands`` entry points.

A distribution contributes a command by naming a :class:`click.Command` (or a
group) in its metadata; the entry point's name is the command's name::

    [project.entry-points."difffuzz.commands"]
    demo = "lakehouse_samples.demo:demo"

The command line loads them once, explicitly, at start-up (:func:`with_plugins`),
never as a side effect of an import. A plugin that cannot be loaded must not take
the other commands down with it: its name becomes a placeholder that says what
went wrong and how to fix it when it is run, and every other command works. A
plugin may not replace a built-in command; that clash is reported and the
built-in kept.

A plugin command returns its exit code like the built-in ones, and may run a
built-in command with ``ctx.invoke(ctx.find_root().command.get_command(ctx, "run"),
...)``, which returns that command's exit code.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from importlib.metadata import EntryPoint, entry_points

import click

from difffuzz._exceptions import RegistryError

__all__ = ["ENTRY_POINT_GROUP", "EXPECTED", "with_plugins"]

ENTRY_POINT_GROUP = "difffuzz.commands"

#: Commands the README promises that another distribution provides, and how to get it.
EXPECTED: Mapping[str, str] = {
    "demo": (
        "`difffuzz demo` runs against the two sample runtimes, which are their own "
        "distribution (difffuzz-lakehouse-samples); install it from a difffuzz checkout "
        "with `pip install ./samples`, then run `difffuzz demo` again"
    ),
}


def with_plugins(
    group: click.Group, plugins: Iterable[EntryPoint] | None = None
) -> tuple[click.Group, list[str]]:
    """A copy of ``group`` with every plugin command attached, and the clashes, one line each.

    ``plugins`` defaults to the installed ``difffuzz.commands`` entry points. A
    plugin that fails to load is attached as a placeholder that raises
    :class:`RegistryError` with the reason; a name in :data:`EXPECTED` that no
    plugin provides gets one that says how to install it. ``group`` itself is
    left as it was.
    """
    found = entry_points(group=ENTRY_POINT_GROUP) if plugins is None else plugins
    full = copy.copy(group)
    full.commands = dict(group.commands)
    clashes: list[str] = []
    origins: dict[str, str] = {}
    for plugin in found:
        origin = _origin(plugin)
        if plugin.name in origins:
            clashes.append(
                f"ignored the command {plugin.name!r} from {origin}: "
                f"{origins[plugin.name]} already adds one; uninstall one of them"
            )
        elif plugin.name in group.commands:
            clashes.append(
                f"ignored the command {plugin.name!r} from {origin}: difffuzz has a built-in "
                "command of that name; rename the entry point"
            )
        else:
            origins[plugin.name] = origin
            full.add_command(_load(plugin, origin), plugin.name)
    for name, advice in EXPECTED.items():
        if name not in full.commands:
            full.add_command(_unavailable(name, advice), name)
    return full, clashes


def _load(plugin: EntryPoint, origin: str) -> click.Command:
    try:
        command = plugin.load()
    # Whatever a plugin's import raises, the other commands must keep working.
    except Exception as exc:
        return _unavailable(
            plugin.name,
            f"the command {plugin.name!r} from {origin} could not be loaded "
            f"({type(exc).__name__}: {exc}); reinstall that distribution, or uninstall it",
        )
    if not isinstance(command, click.Command):
        return _unavailable(
            plugin.name,
            f"the command {plugin.name!r} from {origin} is a {type(command).__name__}, "
            "not a click command; point the entry point at a click.Command",
        )
    return command


def _origin(plugin: EntryPoint) -> str:
    dist = plugin.dist
    where = f"{dist.name} {dist.version}" if dist is not None else "an unknown distribution"
    return f"{where} (entry point {plugin.name} = {plugin.value} in {ENTRY_POINT_GROUP})"


def _unavailable(name: str, problem: str) -> click.Command:
    """A command that only says why the real one is not there (exit 2)."""

    def report() -> None:
        raise RegistryError(problem)

    return click.Command(
        name,
        callback=report,
        help=problem,
        short_help="(unavailable: run it to see why)",
        add_help_option=False,
        # `difffuzz demo --max-examples 30` must still explain, not complain.
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )

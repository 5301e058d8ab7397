"""Commands from other distributions (``difffuzz.commands`` entry points), and the demo's.

The entry points here are real ones: built by hand for the in-process cases, and,
for the console script, a distribution on ``PYTHONPATH`` whose metadata names a
module that does not exist.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from importlib.metadata import EntryPoint
from pathlib import Path

import click
from click.testing import CliRunner, Result

from difffuzz._cli import cli
from difffuzz._cli_plugins import ENTRY_POINT_GROUP, with_plugins

ROOT = Path(__file__).resolve().parent.parent
DIFFFUZZ = Path(sys.executable).parent / "difffuzz"
BUILTINS = {"ci", "corpus", "init", "replay", "run", "sample", "strategies"}


def plugin(name: str, value: str) -> EntryPoint:
    return EntryPoint(name=name, value=value, group=ENTRY_POINT_GROUP)


def invoke(group: click.Group, *args: str) -> Result:
    return CliRunner().invoke(group, list(args), catch_exceptions=False)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_importing_the_cli_gives_every_builtin_command() -> None:
    assert set(cli.commands) == BUILTINS


def test_the_installed_samples_add_the_demo_group() -> None:
    full, clashes = with_plugins(cli)
    assert clashes == []
    assert set(full.commands) == BUILTINS | {"demo"}
    demo = full.commands["demo"]
    assert isinstance(demo, click.Group)
    assert set(demo.commands) == {"serve", "ci"}
    assert "--max-examples" in invoke(full, "demo", "--help").output
    assert set(cli.commands) == BUILTINS  # the built-in group is left as it was


def test_without_the_samples_demo_says_how_to_install_them() -> None:
    full, _ = with_plugins(cli, [])
    # Options the real demo takes must not turn the advice into a usage error.
    result = invoke(full, "demo", "--max-examples", "30", "serve")
    assert result.exit_code == 2
    assert "pip install ./samples" in flat(result.output)
    assert "difffuzz-lakehouse-samples" in flat(result.output)


def test_a_plugin_that_cannot_be_imported_hides_no_other_command() -> None:
    full, clashes = with_plugins(
        cli,
        [
            plugin("broken", "no_such_module_for_difffuzz:command"),
            plugin("demo", "lakehouse_samples.demo:demo"),
        ],
    )
    assert clashes == []
    assert invoke(full, "--help").exit_code == 0
    assert invoke(full, "demo", "--help").exit_code == 0
    assert invoke(full, "init", "--help").exit_code == 0
    broken = invoke(full, "broken", "--anything")
    assert broken.exit_code == 2
    message = flat(broken.output)
    assert "the command 'broken'" in message
    assert "no_such_module_for_difffuzz:command" in message
    assert "ModuleNotFoundError" in message
    assert len(broken.output.strip().splitlines()) == 1


def test_a_plugin_that_is_not_a_click_command_is_named() -> None:
    full, _ = with_plugins(cli, [plugin("sep", "os:sep")])
    result = invoke(full, "sep")
    assert result.exit_code == 2
    assert "is a str, not a click command" in flat(result.output)


def test_a_plugin_cannot_replace_a_builtin_or_another_plugin() -> None:
    demo = plugin("demo", "lakehouse_samples.demo:demo")
    full, clashes = with_plugins(cli, [plugin("run", "lakehouse_samples.demo:demo"), demo, demo])
    assert full.commands["run"] is cli.commands["run"]
    assert len(clashes) == 2
    assert "'run'" in clashes[0]
    assert "built-in" in clashes[0]
    assert "'demo'" in clashes[1]
    assert "already adds one" in clashes[1]


def test_the_console_script_survives_a_broken_installed_plugin(tmp_path: Path) -> None:
    dist = tmp_path / "broken_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\nexplode = broken_plugin_missing.cli:main\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    listing = subprocess.run(
        [str(DIFFFUZZ), "--help"], capture_output=True, text=True, env=env, timeout=60
    )
    assert listing.returncode == 0, listing.stderr
    for name in ("explode", "demo", "run", "corpus"):
        assert f"  {name} " in listing.stdout, name
    explode = subprocess.run(
        [str(DIFFFUZZ), "explode"], capture_output=True, text=True, env=env, timeout=60
    )
    assert explode.returncode == 2
    assert "broken-plugin 1.0" in explode.stderr
    assert "broken_plugin_missing" in explode.stderr


def test_the_tool_never_imports_the_samples() -> None:
    importers = []
    for path in sorted((ROOT / "difffuzz").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(name.split(".")[0] == "lakehouse_samples" for name in names):
                importers.append(path.relative_to(ROOT))
    assert importers == []

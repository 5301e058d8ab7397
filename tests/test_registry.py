"""The one registry type: names, clashes, built-ins loaded explicitly, plugins that break.

The plugin cases use real entry points: built in this process for the registry
itself, and a distribution on ``PYTHONPATH`` (metadata and modules in
``tmp_path``) for the console script, whose ``difffuzz strategies`` and
``difffuzz sample`` must keep working when one plugin is broken.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Mapping
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import difffuzz
from difffuzz import CompareSpec, Comparison, Outcome, RegistryError
from difffuzz._builtins import BUILTIN_ORIGIN, load_builtins
from difffuzz._comparators import BUILTIN_RULES
from difffuzz._comparators.base import COMPARATORS, get_comparator
from difffuzz._inputs import Input
from difffuzz._properties import PROPERTIES, get_property
from difffuzz._registry import STRATEGIES, PluginWarning, Registry

ROOT = Path(__file__).resolve().parent.parent
DIFFFUZZ = Path(sys.executable).parent / "difffuzz"

names = st.text(min_size=1, max_size=12)


# -- the type -------------------------------------------------------------------------


@given(st.dictionaries(names, st.integers(), max_size=8))
def test_what_is_registered_is_what_is_found(items: dict[str, int]) -> None:
    registry: Registry[object] = Registry("thing", advice="Add one.")
    boxes = {name: [value] for name, value in items.items()}  # distinct objects
    for name, box in boxes.items():
        registry.register(name, box, origin=f"module_{name}")
    assert list(registry) == sorted(boxes)
    assert registry.items() == sorted(boxes.items())
    assert len(registry) == len(boxes)
    for name, box in boxes.items():
        assert registry.get(name) is box
        assert registry.origin(name) == f"module_{name}"
        registry.register(name, box, origin="elsewhere")  # the same object again: no change
        assert registry.origin(name) == f"module_{name}"


@given(names, st.integers(), st.integers())
def test_a_taken_name_is_refused_with_both_origins(name: str, first: int, second: int) -> None:
    registry: Registry[list[int]] = Registry("thing", advice="Add one.")
    registry.register(name, [first], origin="the_builtin")
    with pytest.raises(RegistryError) as refused:
        registry.register(name, [first + 1, second], origin="users_module")
    message = str(refused.value)
    assert repr(name) in message
    assert "the_builtin" in message
    assert "users_module" in message
    assert registry.get(name) == [first]


def test_an_unknown_name_lists_the_known_ones_and_the_advice() -> None:
    registry: Registry[int] = Registry("widget", advice="Register yours with @widget(name).")
    registry.register("b", 2, origin="x")
    registry.register("a", 1, origin="x")
    with pytest.raises(RegistryError, match=r"unknown widget 'c'; registered: a, b\. Register"):
        registry.get("c")
    with pytest.raises(RegistryError, match="needs a non-empty string name"):
        registry.register("", 3, origin="x")


def test_a_broken_plugin_is_reported_and_skipped_and_hides_no_other() -> None:
    registry: Registry[int] = Registry("widget", advice="Add one.")
    plugins = [
        EntryPoint(name="broken", value="no_such_module_for_difffuzz", group="difffuzz.widgets"),
        EntryPoint(name="good", value="json", group="difffuzz.widgets"),
    ]
    with pytest.warns(PluginWarning, match="skipped the widget plugin 'broken'"):
        problems = registry.load_entry_points(plugins)
    assert len(problems) == 1
    assert "ModuleNotFoundError" in problems[0]
    assert registry.load_entry_points(plugins) == []  # each plugin is tried once
    with pytest.raises(RegistryError, match="Skipped plugins: the widget plugin 'broken'"):
        registry.get("missing")


# -- the built-ins ----------------------------------------------------------------------


def test_import_difffuzz_registered_every_builtin_from_its_table() -> None:
    for name, rule in BUILTIN_RULES.items():
        assert get_comparator(name) is rule
        assert COMPARATORS.origin(name) == BUILTIN_ORIGIN
    for name in ("parses", "excludes-honoured", "at-most-k", "dimension", "status-in"):
        assert PROPERTIES.origin(name) == BUILTIN_ORIGIN
    before = (len(COMPARATORS), len(PROPERTIES))
    load_builtins()  # again: nothing changes, nothing clashes
    assert (len(COMPARATORS), len(PROPERTIES)) == before


def test_a_user_cannot_take_a_builtin_name() -> None:
    builtin = get_property("parses")

    def parses(outcome: Outcome, value: Input, params: Mapping[str, Any]) -> str | None:
        return None

    with pytest.raises(RegistryError, match=r"'parses' is already registered .*built-in"):
        difffuzz.runtime_property("parses")(parses)
    assert get_property("parses") is builtin

    def json_rule(left: Outcome, right: Outcome, spec: CompareSpec) -> Comparison:
        return BUILTIN_RULES["json"](left, right, spec)

    with pytest.raises(RegistryError, match=r"comparator rule name 'json' is already registered"):
        difffuzz.comparator("json")(json_rule)
    assert get_comparator("json") is BUILTIN_RULES["json"]

    import tests.planted  # noqa: F401  (registers planted_text)

    with pytest.raises(RegistryError, match=r"'planted_text' is already registered .*planted"):
        difffuzz.strategy("planted_text")(lambda: st.none())
    assert STRATEGIES.origin("planted_text") == "tests.planted.planted_text"


def test_no_module_registers_anything_when_imported() -> None:
    # Registration happens in calls: difffuzz._builtins.load_builtins for the
    # built-ins, the decorators for users. A decorator or a register() call at a
    # module's top level in difffuzz itself would bring back import side effects.
    registrars = {"comparator", "runtime_property", "strategy", "register"}
    offenders = []
    for path in sorted((ROOT / "difffuzz").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            decorators = getattr(node, "decorator_list", [])
            calls = [d.func if isinstance(d, ast.Call) else d for d in decorators]
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                calls.append(node.value.func)
            for call in calls:
                name = call.attr if isinstance(call, ast.Attribute) else getattr(call, "id", "")
                if name in registrars:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


# -- strategy plugins, through the console script --------------------------------------


def broken_plugin_environment(tmp_path: Path) -> dict[str, str]:
    """A distribution with a good and a broken ``difffuzz.strategies`` entry point."""
    dist = tmp_path / "mixed_plugins-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: mixed-plugins\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[difffuzz.strategies]\nbroken = mixed_plugins_broken\ngood = mixed_plugins_good\n"
    )
    (tmp_path / "mixed_plugins_broken.py").write_text("raise RuntimeError('half-installed')\n")
    (tmp_path / "mixed_plugins_good.py").write_text(
        "import difffuzz\nfrom hypothesis import strategies as st\n\n\n"
        '@difffuzz.strategy("plugin_digits", description="digits from a plugin")\n'
        "def plugin_digits():\n    return st.integers(0, 9)\n"
    )
    return {**os.environ, "PYTHONPATH": str(tmp_path)}


def test_a_broken_strategy_plugin_hides_no_other(tmp_path: Path) -> None:
    env = broken_plugin_environment(tmp_path)
    listing = subprocess.run(
        [str(DIFFFUZZ), "strategies"], capture_output=True, text=True, env=env, timeout=120
    )
    assert listing.returncode == 0, listing.stderr
    listed = {line.split()[0] for line in listing.stdout.splitlines()}
    assert {"plugin_digits", "llm_json", "search_requests"} <= listed
    warning = [line for line in listing.stderr.splitlines() if "mixed_plugins_broken" in line]
    assert len(warning) == 1, listing.stderr
    assert warning[0].startswith("difffuzz: warning: skipped the strategy plugin 'broken'")
    assert "RuntimeError: half-installed" in warning[0]

    drawn = subprocess.run(
        [str(DIFFFUZZ), "sample", "plugin_digits", "-n", "3"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert drawn.returncode == 0, drawn.stderr
    assert len(drawn.stdout.splitlines()) == 3

    missing = subprocess.run(
        [str(DIFFFUZZ), "sample", "broken_strategy"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert missing.returncode == 2
    assert "unknown strategy 'broken_strategy'" in missing.stderr
    assert "Skipped plugins: the strategy plugin 'broken'" in missing.stderr

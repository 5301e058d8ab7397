"""The layers of ARCHITECTURE.md, checked by walking every import of every module.

A module may import from its own layer and the layers below it, never from one
above, and no two modules may import each other, even through a chain or a lazy
import inside a function (a lazy import is how a cycle hides). :data:`LAYERS` is
ARCHITECTURE.md's drawing as a table; a test keeps the two the same, so the
drawing stays true when either changes.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "difffuzz"

#: Bottom to top: (layer, the modules or packages in it, as in ARCHITECTURE.md).
LAYERS: Sequence[tuple[str, Sequence[str]]] = (
    (
        "values",
        (
            "_outcome.py",
            "_inputs.py",
            "_config/",
            "_corpus.py",
            "_fixture.py",
            "_registry.py",
            "_lakehouse.py",
            "_signature.py",
            "_bucket.py",
            "_divergence.py",
            "_comparators/base.py",
            "_transports/base.py",
            "_transports/kind.py",
            "_exceptions.py",
            "_jsontypes.py",
            "_version.py",
            "_pointer.py",
            "_normalize/",
            "_wire/catalog.py",
            "_fallback_corpus.py",
            "_secrets.py",
            "_interruption.py",
            "_stack.py",
            "_discovery.py",
        ),
    ),
    ("strategies", ("_strategies/",)),
    ("wire layer", ("_wire/",)),
    ("transports", ("_transports/", "_connect.py")),
    (
        "comparators, properties",
        (
            "_comparators/",
            "_properties.py",
            "_builtin_properties.py",
            "_builtins.py",
        ),
    ),
    ("judge", ("_judge.py", "_results.py")),
    ("plan", ("_plan.py",)),
    (
        "engine, replay, ci",
        (
            "_engine/",
            "_polish.py",
            "_replay.py",
            "_ci.py",
            "_events.py",
            "_workers.py",
            "_worker.py",
            "_shares.py",
            "_store.py",
            "_schedule.py",
        ),
    ),
    ("reporters", ("_reporting/", "_repro.py")),
    (
        "CLI, pytest plugin",
        (
            "__init__.py",
            "__main__.py",
            "_cli.py",
            "_cli_corpus.py",
            "_cli_plugins.py",
            "_cli_init.py",
            "_exit.py",
            "_init/",
            "_session.py",
            "_cli_sample.py",
            "_signals.py",
        ),
    ),
)


# -- the checker ----------------------------------------------------------------------


def module_name(entry: str, package: str) -> str:
    """``_engine/`` is ``difffuzz._engine``; ``_comparators/base.py`` its module."""
    stem = entry.removesuffix("/").removesuffix(".py")
    if stem == "__init__":
        return package
    return ".".join([package, *stem.split("/")])


def layer_index(table: Sequence[tuple[str, Sequence[str]]], package: str) -> dict[str, int]:
    return {
        module_name(entry, package): rank
        for rank, (_layer, entries) in enumerate(table)
        for entry in entries
    }


def layer_of(module: str, index: Mapping[str, int], package: str) -> int | None:
    """The layer of ``module``: that of its longest listed prefix (the package: itself only)."""
    candidates = [
        name
        for name in index
        if module == name or (name != package and module.startswith(name + "."))
    ]
    return index[max(candidates, key=len)] if candidates else None


def modules(root: Path) -> dict[str, Path]:
    """Every module of the package at ``root``, by dotted name."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(module: str, path: Path, known: Iterable[str]) -> set[str]:
    """The package's modules ``module`` imports, anywhere in it (``from p import m`` too)."""
    known = set(known)
    is_package = path.name == "__init__.py"
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, *([base] if base else [])])
            # `from p import m` depends on the module p.m when there is one, else on p.
            for alias in node.names:
                names.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {name for name in names if name in known and name != module}


def upward_imports(
    root: Path, table: Sequence[tuple[str, Sequence[str]]]
) -> tuple[list[str], list[str]]:
    """(imports that look up, modules the table does not place), one line each."""
    package = root.name
    index = layer_index(table, package)
    found = modules(root)
    upward, unplaced = [], []
    for module, path in found.items():
        mine = layer_of(module, index, package)
        if mine is None:
            unplaced.append(module)
            continue
        for target in sorted(imports(module, path, found)):
            theirs = layer_of(target, index, package)
            if theirs is not None and theirs > mine:
                upward.append(f"{module} ({table[mine][0]}) imports {target} ({table[theirs][0]})")
    return upward, unplaced


def import_cycles(root: Path) -> list[list[str]]:
    """Groups of modules that import one another (strongly connected, more than one)."""
    found = modules(root)
    graph = {module: imports(module, path, found) for module, path in found.items()}
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        order[node] = low[node] = len(order)
        stack.append(node)
        for other in graph[node]:
            if other not in order:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], order[other])
        if low[node] == order[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in order:
            visit(node)
    return cycles


def drawing(text: str) -> list[tuple[str, list[str]]]:
    """ARCHITECTURE.md's layer drawing, bottom to top: (layer, the files it names)."""
    block = text.split("```", 2)[1]
    rows: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if not line.strip() or line.strip().startswith("│"):
            continue
        name, _, files = line.strip().partition("  ")
        if line.startswith("  ") and rows and not files:  # a continuation line
            files, name = name, ""
        tokens = re.findall(r"(?<![\w/])(?:_|__)[\w/]*?(?:\.py|/)(?![\w])", files)
        if name:
            rows.append((name.strip(), tokens))
        else:
            rows[-1][1].extend(tokens)
    return rows[::-1]


# -- the package as it is -------------------------------------------------------------


def test_the_table_is_architecture_md_drawing() -> None:
    drawn = drawing((ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8"))
    assert [(layer, sorted(files)) for layer, files in drawn] == [
        (layer, sorted(files)) for layer, files in LAYERS
    ]


def test_every_module_has_a_layer() -> None:
    _upward, unplaced = upward_imports(PACKAGE, LAYERS)
    assert unplaced == [], "add these to ARCHITECTURE.md's drawing and to LAYERS"


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    upward, _unplaced = upward_imports(PACKAGE, LAYERS)
    assert upward == []


def test_no_modules_import_each_other() -> None:
    assert import_cycles(PACKAGE) == []


def test_every_listed_entry_exists() -> None:
    for _layer, entries in LAYERS:
        for entry in entries:
            assert (PACKAGE / entry).exists(), entry


# -- the checker on packages made to break the rules -----------------------------------

TOY_LAYERS: Sequence[tuple[str, Sequence[str]]] = (
    ("low", ("_low.py", "_records/base.py")),
    ("high", ("_high.py", "_records/", "__init__.py")),
)


def toy(tmp_path: Path, files: Mapping[str, str]) -> Path:
    root = tmp_path / "toy"
    for name, text in {"__init__.py": "", **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    "low_source",
    [
        "from toy._high import thing\n",
        "import toy._high\n",
        "def later():\n    from toy import _high\n",  # lazy, and the `from package import` form
        "from . import _high\n",
        "import toy\n",  # the package facade is the top layer
    ],
)
def test_an_upward_import_is_reported(tmp_path: Path, low_source: str) -> None:
    root = toy(tmp_path, {"_low.py": low_source, "_high.py": "from toy._low import x\n"})
    upward, unplaced = upward_imports(root, TOY_LAYERS)
    assert len(upward) == 1
    assert upward[0].startswith("toy._low (low) imports toy")
    assert unplaced == []


def test_the_longest_listed_prefix_decides(tmp_path: Path) -> None:
    root = toy(
        tmp_path,
        {
            "_low.py": "from toy._records.base import Record\n",
            "_high.py": "",
            "_records/__init__.py": "",
            "_records/base.py": "from toy._records.rules import rule\n",
            "_records/rules.py": "from toy._records.base import Record\n",
        },
    )
    upward, _unplaced = upward_imports(root, TOY_LAYERS)
    assert upward == ["toy._records.base (low) imports toy._records.rules (high)"]


def test_a_module_outside_the_table_is_reported(tmp_path: Path) -> None:
    root = toy(tmp_path, {"_low.py": "", "_high.py": "", "_stray.py": ""})
    assert upward_imports(root, TOY_LAYERS) == ([], ["toy._stray"])


def test_a_cycle_is_reported_even_through_a_chain_and_a_lazy_import(tmp_path: Path) -> None:
    root = toy(
        tmp_path,
        {
            "_low.py": "import toy._mid\n",
            "_mid.py": "from toy import _high\n",
            "_high.py": "def later():\n    from toy._low import x\n",
        },
    )
    assert import_cycles(root) == [["toy._high", "toy._low", "toy._mid"]]


def test_the_drawing_parser_reads_rows_and_continuation_lines() -> None:
    text = (
        "# x\n\n```\n"
        " top layer                   _a.py, _b/ (one, two),\n"
        "                             _c.py\n"
        "   │  what it does\n"
        " bottom                      _d/base.py, __init__.py\n"
        "```\n"
    )
    assert drawing(text) == [
        ("bottom", ["_d/base.py", "__init__.py"]),
        ("top layer", ["_a.py", "_b/", "_c.py"]),
    ]

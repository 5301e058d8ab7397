"""The package list in pyproject.toml is explicit (strategies/ is remapped); keep it whole."""

from __future__ import annotations

import tomllib
from pathlib import Path

import difffuzz

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_folder_is_listed_in_pyproject() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "difffuzz").rglob("__init__.py")
    } | {"difffuzz_strategies"}
    assert found == listed


def test_public_names_are_unique_and_importable() -> None:
    assert len(set(difffuzz.__all__)) == len(difffuzz.__all__)
    for name in difffuzz.__all__:
        assert hasattr(difffuzz, name), name

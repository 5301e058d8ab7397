"""The package lists in the two pyproject.toml files are explicit; keep them whole.

The tool's (``pyproject.toml``) remaps strategies/; the sample runtimes'
(``samples/pyproject.toml``) is a distribution of its own, and the tool ships none of it.
"""

from __future__ import annotations

import tomllib
import types
from pathlib import Path

import difffuzz

ROOT = Path(__file__).resolve().parent.parent


def listed_packages(pyproject: Path) -> set[str]:
    return set(tomllib.loads(pyproject.read_text())["tool"]["setuptools"]["packages"])


def package_folders(root: Path, package: str) -> set[str]:
    return {
        ".".join(init.parent.relative_to(root).parts)
        for init in (root / package).rglob("__init__.py")
    }


def test_every_package_folder_is_listed_in_pyproject() -> None:
    found = package_folders(ROOT, "difffuzz") | {"difffuzz_strategies", "pytest_difffuzz"}
    assert found == listed_packages(ROOT / "pyproject.toml")


def test_the_samples_are_their_own_distribution() -> None:
    samples = ROOT / "samples"
    assert package_folders(samples, "lakehouse_samples") == listed_packages(
        samples / "pyproject.toml"
    )
    meta = tomllib.loads((samples / "pyproject.toml").read_text())["project"]
    assert meta["name"] == "difffuzz-lakehouse-samples"
    assert meta["entry-points"]["difffuzz.commands"] == {"demo": "lakehouse_samples.demo:demo"}
    assert (samples / "lakehouse_samples" / "workers.jsonl").is_file()
    assert not (ROOT / "difffuzz" / "samples").exists()


def test_public_names_are_unique_and_importable() -> None:
    assert len(set(difffuzz.__all__)) == len(difffuzz.__all__)
    for name in difffuzz.__all__:
        assert hasattr(difffuzz, name), name


def test_every_public_name_is_in_all() -> None:
    # `import difffuzz` imports eagerly: whatever the package holds that is not a
    # submodule or private is public API, and must be listed (httpx's test does the same).
    held = {
        name
        for name, value in vars(difffuzz).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    held.discard("annotations")  # `from __future__ import annotations`
    assert held == set(difffuzz.__all__) - {"__version__"}

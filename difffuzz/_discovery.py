"""Which config a command reads when ``--config`` is not given.

``difffuzz init`` writes ``difffuzz.toml``; every command then finds it in the
current folder, as pytest finds its ``pytest.ini``. A project that keeps its tool
settings in ``pyproject.toml`` can put the same keys under ``[tool.difffuzz]``
instead. Only the current folder is looked at: a config found in some parent
folder would fuzz a service nobody meant to name.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from difffuzz._exceptions import ConfigError

__all__ = ["CONFIG_NAME", "find_config", "resolve_config"]

CONFIG_NAME = "difffuzz.toml"


def _has_tool_table(pyproject: Path) -> bool:
    try:
        document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False  # not ours to judge: say "no config" below, not "bad pyproject"
    tool = document.get("tool")
    return isinstance(tool, dict) and isinstance(tool.get("difffuzz"), dict)


def find_config(folder: Path | None = None) -> Path:
    """``difffuzz.toml`` in ``folder`` (default: the current one), else its
    ``pyproject.toml`` if that has ``[tool.difffuzz]``; a ConfigError otherwise."""
    here = folder if folder is not None else Path.cwd()
    candidate = here / CONFIG_NAME
    if candidate.is_file():
        return candidate if folder is not None else Path(CONFIG_NAME)
    pyproject = here / "pyproject.toml"
    if pyproject.is_file() and _has_tool_table(pyproject):
        return pyproject if folder is not None else Path("pyproject.toml")
    raise ConfigError(
        f"no config: --config was not given and {here} has no {CONFIG_NAME} (nor a "
        "pyproject.toml with [tool.difffuzz]); pass --config FILE, or write one with "
        "`difffuzz init http|command|python|openapi`"
    )


def resolve_config(path: Path | None) -> Path:
    """``path`` when given, else the config found in the current folder."""
    return path if path is not None else find_config()

"""One normalize step as the config writes it, and as a fixture stores it.

A step is plain data: a name and its parameters. ``jq`` and ``hook`` are
steps like any other (``{jq = "..."}`` is short for ``{step = "jq", expr =
"..."}``). A step that belongs to a known gap carries the gap's reason, so the
judge can tell what that gap normalised away. Compiling a step into a function
is :mod:`difffuzz._normalize.registry`'s job; this module imports nothing that
runs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["StepSpec", "step_from_config", "steps_from_config"]


@dataclass(frozen=True)
class StepSpec:
    """A normalize step: a registered name (``jq``, ``hook``, ``untag_enum``, ...) and
    its parameters.

    >>> StepSpec("jq", {"expr": ".a"}).describe
    "jq '.a'"
    >>> step_from_config({"step": "rename_keys", "case": "lower"}).to_json()
    {'step': 'rename_keys', 'case': 'lower'}
    """

    name: str
    # Not hashed (a dict is not hashable); equal steps still hash equal by name and gap.
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    #: The reason of the known gap this step belongs to, or "".
    gap: str = ""

    @classmethod
    def from_json(cls, record: Any) -> StepSpec:
        """Read what :meth:`to_json` wrote; ``ValueError`` names the problem."""
        if not isinstance(record, Mapping):
            raise ValueError(f"a stored normalize step must be an object, got {record!r}")
        table = dict(record)
        gap = table.pop("gap", "")
        if not isinstance(gap, str):
            raise ValueError(f"a stored normalize step's 'gap' must be a string, got {gap!r}")
        return step_from_config(table, gap=gap)

    @property
    def describe(self) -> str:
        """One line for messages and reports: ``jq '.a'``, ``rename_keys(case='lower')``."""
        if self.name == "jq":
            return f"jq {self.params.get('expr', '')!r}"
        if self.name == "hook":
            return f"hook {self.params.get('target', '')}"
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.name}({arguments})"

    @property
    def key(self) -> str:
        """A canonical text of the step (its identity in caches)."""
        return json.dumps(self.to_json(), sort_keys=True, default=repr)

    def to_json(self) -> dict[str, Any]:
        """The config's spelling of the step (what a fixture stores)."""
        if self.name == "jq" and set(self.params) == {"expr"}:
            record: dict[str, Any] = {"jq": self.params["expr"]}
        elif self.name == "hook" and set(self.params) == {"target"}:
            record = {"hook": self.params["target"]}
        else:
            record = {"step": self.name, **self.params}
        if self.gap:
            record["gap"] = self.gap
        return record


_SHORTHANDS = {"jq": "expr", "hook": "target"}


def step_from_config(entry: Any, *, gap: str = "") -> StepSpec:
    """Read one step: a jq expression string, ``{jq = ..}``, ``{hook = ..}`` or
    ``{step = NAME, ...params}``. ``ValueError`` says what is wrong and the fix.
    """
    if isinstance(entry, str):
        return StepSpec("jq", {"expr": entry}, gap=gap)
    if not isinstance(entry, Mapping):
        raise ValueError(
            f"a normalize step must be a jq expression string or a table such as "
            f'{{ step = "rename_keys", case = "lower" }}, got {entry!r}'
        )
    table = dict(entry)
    if "gap" in table:
        raise ValueError(
            "'gap' is not a step parameter; a known gap's steps go in that gap's own "
            "normalize table ([[surfaces.NAME.known_gaps]] normalize = ...)"
        )
    kinds = [key for key in ("step", "jq", "hook") if key in table]
    if len(kinds) != 1:
        raise ValueError(
            "a normalize step table needs exactly one of 'step' (a registered name), "
            f"'jq' (an expression) or 'hook' (module:function), got keys {sorted(table)}"
        )
    kind = kinds[0]
    value = table.pop(kind)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"normalize step {kind!r} must be a non-empty string, got {value!r}")
    if kind == "step":
        return StepSpec(value, table, gap=gap)
    return StepSpec(kind, {_SHORTHANDS[kind]: value, **table}, gap=gap)


def steps_from_config(entries: Any, *, gap: str = "") -> tuple[StepSpec, ...]:
    """A list of steps (a single string or table is taken as a list of one)."""
    if isinstance(entries, str | Mapping):
        entries = [entries]
    if not isinstance(entries, Sequence):
        raise ValueError(f"normalize must be a list of steps, got {entries!r}")
    return tuple(step_from_config(entry, gap=gap) for entry in entries)

"""A surface's known gaps, and the normalize steps a surface, a runtime or a gap carries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from difffuzz._config.reader import Table, join_key, unknown_name
from difffuzz._config.records import KnownGap, RuntimeSpec
from difffuzz._exceptions import ConfigError, RegistryError
from difffuzz._normalize.spec import StepSpec, steps_from_config

__all__ = ["parse_gaps", "parse_steps"]


#: The values of :attr:`Signature.category`.
_CATEGORIES = ("status", "shape", "property", "value", "spelling")


def parse_steps(
    reader: Table, entries: Any, key: str, modules: tuple[str, ...], *, gap: str = ""
) -> tuple[StepSpec, ...]:
    """Read and compile a list of normalize steps (errors name ``reader.where.key[i]``)."""
    from difffuzz._normalize.registry import compile_step

    try:
        steps = steps_from_config(entries, gap=gap)
    except ValueError as exc:
        raise reader.fail(key, str(exc)) from None
    for index, step in enumerate(steps):
        try:
            try:
                compile_step(step)
            except RegistryError:
                if not modules:
                    raise
                # A step registered by a user module: import the modules, then retry.
                from difffuzz._registry import load_strategy_modules

                load_strategy_modules(modules)
                compile_step(step)
        except (ConfigError, RegistryError) as exc:
            raise reader.fail(f"{key}[{index}]", str(exc)) from None
    return steps


_GAP_KEYS = {"reason", "signature", "category", "statuses", "paths", "normalize"}
_GAP_MATCHERS = ("signature", "category", "statuses", "paths")


def _parse_gap_steps(
    reader: Table,
    where: str,
    entry: Mapping[str, Any],
    runtimes: tuple[RuntimeSpec, RuntimeSpec],
    modules: tuple[str, ...],
) -> dict[str, tuple[StepSpec, ...]]:
    """A gap's ``normalize``: a list for both runtimes, or a table runtime -> list."""
    value = entry["normalize"]
    names = [runtime.name for runtime in runtimes]
    given = [key for key in _GAP_MATCHERS if key in entry]
    if given:
        raise reader.fail(
            where,
            f"a known gap that carries a normalizer is tracked through it, so {given} would "
            "only hide other divergences again; remove them (or remove normalize to match "
            "findings by them instead)",
        )
    reason = str(entry["reason"])
    key = f"{where}.normalize"
    if isinstance(value, dict) and not {"step", "jq", "hook"} & set(value):
        for name in value:
            if name not in names:
                raise ConfigError(
                    unknown_name(f"runtime {name!r} in {key}", name, names, reader.source)
                )
        table = Table(value, join_key(reader.where, key), reader.source)
        steps = {
            name: parse_steps(table, value.get(name, []), name, modules, gap=reason)
            for name in names
        }
    else:
        both = parse_steps(reader, value, key, modules, gap=reason)
        steps = dict.fromkeys(names, both)
    if not any(steps.values()):
        raise reader.fail(key, "is empty; give each runtime's steps, e.g. { rust = [...] }")
    return steps


def parse_gaps(
    reader: Table, runtimes: tuple[RuntimeSpec, RuntimeSpec], modules: tuple[str, ...]
) -> list[KnownGap]:
    gaps = []
    for index, entry in enumerate(reader.get("known_gaps", list, [])):
        where = f"known_gaps[{index}]"
        if not isinstance(entry, dict):
            raise reader.fail(where, "expected a table with 'reason' and a matcher")
        unknown = set(entry) - _GAP_KEYS
        if unknown:
            raise reader.fail(
                where,
                f"unknown keys {sorted(unknown)}; use reason, signature, category, statuses, "
                "paths, normalize",
            )
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise reader.fail(
                f"{where}.reason",
                "every known gap needs a reason (why it is accepted, and who tracks it)",
            )
        statuses = entry.get("statuses")
        if statuses is not None and (
            not isinstance(statuses, list)
            or len(statuses) != 2
            or not all(isinstance(s, int) and not isinstance(s, bool) for s in statuses)
        ):
            raise reader.fail(
                f"{where}.statuses", f"expected [left, right] integers, got {statuses!r}"
            )
        # A wrong type or a misspelt category would make the gap silently match nothing
        # (and a string of paths would be read as one pattern per character).
        for key in ("signature", "category"):
            if not isinstance(entry.get(key, ""), str):
                raise reader.fail(f"{where}.{key}", f"expected a string, got {entry[key]!r}")
        category = entry.get("category", "")
        if category and category not in _CATEGORIES:
            raise ConfigError(
                unknown_name(
                    f"category {category!r} in {where}", category, _CATEGORIES, reader.source
                )
            )
        paths = entry.get("paths", [])
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise reader.fail(
                f"{where}.paths", f"expected a list of pointer patterns, got {paths!r}"
            )
        if "normalize" in entry:
            steps = _parse_gap_steps(reader, where, entry, runtimes, modules)
            gaps.append(KnownGap(reason=reason, normalize=steps))
            continue
        gap = KnownGap(
            reason=reason,
            signature=entry.get("signature", ""),
            category=category,
            statuses=(statuses[0], statuses[1]) if statuses else None,
            paths=tuple(paths),
        )
        if not (gap.signature or gap.category or gap.statuses or gap.paths):
            raise reader.fail(
                where,
                "a known gap must match something: give signature, category, statuses or "
                "paths, or carry a normalizer (normalize = { RUNTIME = [steps] })",
            )
        gaps.append(gap)
    return gaps

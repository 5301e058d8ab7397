"""One ``[surfaces.NAME]`` table: strategy, requests, compare, properties, gaps, wire."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from difffuzz._comparators.base import CompareSpec
from difffuzz._config.gaps import parse_gaps, parse_steps
from difffuzz._config.reader import Table, unknown_name
from difffuzz._config.records import CampaignSettings, PropertySpec, RuntimeSpec, SurfaceSpec
from difffuzz._config.requests import REQUEST_KEYS, parse_request
from difffuzz._exceptions import ConfigError
from difffuzz._wire.catalog import FAMILIES, WireSettings

__all__ = ["parse_surface"]

_SURFACE_KEYS = REQUEST_KEYS | {
    "strategy",
    "strategy_params",
    "compare",
    "answer_status",
    "collapse",
    "properties",
    "known_gaps",
    "runtimes",
    "max_examples",
    "polish",
    "normalize",
    "wire",
}
_COMPARE_KEYS = {"rule", "ignore", "select"}


def parse_surface(
    name: str,
    reader: Table,
    runtimes: tuple[RuntimeSpec, RuntimeSpec],
    campaign: CampaignSettings,
    base_dir: Path,
    environ: Mapping[str, str],
    modules: tuple[str, ...] = (),
) -> SurfaceSpec:
    reader.check_keys(_SURFACE_KEYS)
    # The name is the surface's corpus folder: it must be one plain path segment.
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ConfigError(
            f"{reader.source}: [{reader.where}]: the surface name {name!r} is also its corpus "
            "folder name; use letters, digits, '_' or '-' (no '/', '\\', or leading '.')"
        )
    strategy = reader.get("strategy", str)
    if strategy is None:
        raise reader.fail(
            "strategy",
            "is required: name a registered strategy (list them with `difffuzz strategies`)",
        )
    overrides = reader.sub("runtimes")
    names = {r.name for r in runtimes}
    for runtime_name in overrides.table:
        if runtime_name not in names:
            raise ConfigError(
                unknown_name(
                    f"runtime {runtime_name!r} in {overrides.where}",
                    runtime_name,
                    names,
                    reader.source,
                )
            )
    requests = {
        runtime.name: parse_request(
            reader, overrides.sub(runtime.name), runtime, campaign, base_dir, environ
        )
        for runtime in runtimes
    }

    compare_reader = reader.sub("compare")
    compare = compare_reader.table
    rule = compare_reader.get("rule", str, "json")
    select = compare_reader.string_map("select")
    for runtime_name in select:
        if runtime_name not in names:
            raise ConfigError(
                unknown_name(
                    f"runtime {runtime_name!r} in {compare_reader.where}.select",
                    runtime_name,
                    names,
                    reader.source,
                )
            )
    # `select` may also sit in a runtime's own table ([surfaces.NAME.runtimes.rust]).
    for runtime in runtimes:
        own_table = overrides.sub(runtime.name)
        own = own_table.get("select", str)
        if own is None:
            continue
        if select.get(runtime.name, own) != own:
            raise own_table.fail(
                "select",
                f"{own!r} contradicts {compare_reader.where}.select.{runtime.name} = "
                f"{select[runtime.name]!r}; set it in one place",
            )
        select[runtime.name] = own
    params = {k: v for k, v in compare.items() if k not in _COMPARE_KEYS}
    known_gaps = tuple(parse_gaps(reader, runtimes, modules))
    shared = parse_steps(reader, reader.table.get("normalize", []), "normalize", modules)
    sides = []
    for runtime in runtimes:
        own_table = overrides.sub(runtime.name)
        own = parse_steps(own_table, own_table.table.get("normalize", []), "normalize", modules)
        # A gap's steps first (they undo the known difference), then the runtime's
        # own, then the steps shared by both sides.
        from_gaps = tuple(
            step for gap in known_gaps for step in gap.normalize.get(runtime.name, ())
        )
        sides.append((*from_gaps, *own, *shared))
    if rule == "bytes" and any(sides):
        raise reader.fail(
            "normalize",
            "rule 'bytes' compares raw bodies, so nothing can be normalised first; "
            "use rule 'json' (or 'http') to normalise and compare parsed answers",
        )
    compare_spec = CompareSpec(
        rule=rule,
        ignore=compare_reader.strings("ignore"),
        select_left=select.get(runtimes[0].name, ""),
        select_right=select.get(runtimes[1].name, ""),
        params=params,
        normalize_left=sides[0],
        normalize_right=sides[1],
    )

    answer_status = reader.get("answer_status", list)
    if answer_status is not None and not all(
        isinstance(s, int) and not isinstance(s, bool) for s in answer_status
    ):
        raise reader.fail("answer_status", f"expected a list of integers, got {answer_status!r}")

    max_examples = reader.get("max_examples", int)
    if max_examples is not None and max_examples <= 0:
        raise reader.fail("max_examples", f"must be positive, got {max_examples}")

    return SurfaceSpec(
        name=name,
        strategy=strategy,
        strategy_params=_resolve_files(reader.get("strategy_params", dict, {}), base_dir),
        requests=requests,
        compare=compare_spec,
        answer_status=tuple(answer_status) if answer_status is not None else None,
        collapse=reader.strings("collapse"),
        properties=tuple(_parse_properties(reader, names)),
        known_gaps=known_gaps,
        max_examples=max_examples,
        polish=reader.get("polish", bool, False),
        wire=_parse_wire(reader),
    )


def _parse_wire(surface: Table) -> WireSettings:
    """``wire = "auto" | "on" | "off"``, or a table ``{ rate, http, families, weights }`` (on)."""
    value = surface.get("wire", (str, dict), "auto")
    if isinstance(value, str):
        if value not in ("auto", "on", "off"):
            raise surface.fail("wire", f"must be 'auto', 'on', 'off' or a table, got {value!r}")
        return WireSettings(mode=value)  # type: ignore[arg-type]  # checked just above
    reader = surface.sub("wire")
    reader.check_keys({"mode", "rate", "http", "families", "weights"})
    mode = reader.get("mode", str, "on")
    if mode not in ("auto", "on", "off"):
        raise reader.fail("mode", f"must be 'auto', 'on' or 'off', got {mode!r}")
    rate = reader.get("rate", (int, float), WireSettings.rate)
    if not 0 <= rate <= 1:
        raise reader.fail("rate", f"is the share of examples mutated, 0 to 1; got {rate!r}")
    families = reader.strings("families")
    for family in families:
        if family not in FAMILIES:
            raise ConfigError(
                unknown_name(
                    f"family {family!r} in {reader.where}.families", family, FAMILIES, reader.source
                )
            )
    weights = reader.sub("weights")
    weights.check_keys(set(FAMILIES))
    for family, weight in weights.table.items():
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            raise weights.fail(family, f"must be a number >= 0 (0 turns it off), got {weight!r}")
    return WireSettings(
        mode=mode,
        rate=float(rate),
        weights=dict(weights.table),
        http=reader.get("http", bool, False),
        families=families,
    )


def _resolve_files(params: Mapping[str, Any], base_dir: Path) -> dict[str, Any]:
    """Strategy parameters named ``*_file`` are paths, read from the config's folder."""
    return {
        key: str(base_dir / value)
        if key.endswith("_file") and isinstance(value, str) and not Path(value).is_absolute()
        else value
        for key, value in params.items()
    }


def _parse_properties(reader: Table, runtime_names: set[str]) -> list[PropertySpec]:
    specs = []
    for index, entry in enumerate(reader.get("properties", list, [])):
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise reader.fail(f"properties[{index}]", "expected a name or a table with 'name'")
        sides = entry.get("runtimes", [])
        if not isinstance(sides, list) or any(s not in runtime_names for s in sides):
            raise reader.fail(
                f"properties[{index}].runtimes",
                f"expected a list among {sorted(runtime_names)}, got {sides!r}",
            )
        params = {k: v for k, v in entry.items() if k not in ("name", "runtimes")}
        specs.append(PropertySpec(name=entry["name"], params=params, runtimes=tuple(sides)))
    return specs

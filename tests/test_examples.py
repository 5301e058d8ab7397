"""The shipped example config is what `difffuzz init lakehouse` writes, and it loads."""

from __future__ import annotations

from pathlib import Path

from difffuzz._config import load_config
from difffuzz._lakehouse import lakehouse_config

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "lakehouse.toml"


def test_example_config_is_the_init_output() -> None:
    assert EXAMPLE.read_text(encoding="utf-8") == lakehouse_config()


def test_example_config_configures_all_six_surfaces_against_the_team_addresses() -> None:
    config = load_config(EXAMPLE)
    assert list(config.surfaces) == [
        "validator",
        "embed",
        "extract_json",
        "session_log",
        "materializer",
        "search",
    ]
    assert [r.base_url for r in config.runtimes] == [
        "http://127.0.0.1:3100",
        "http://127.0.0.1:4110",
    ]
    embed = config.surfaces["embed"]
    assert embed.compare.rule == "cosine"
    assert embed.compare.params["min"] == 0.99999
    # Rust's field names are read as Go's before selecting.
    assert (embed.compare.select_left, embed.compare.select_right) == ("/vectors/0", "/vectors/0")
    assert [step.name for step in embed.compare.normalize_left] == ["rename_keys", "unit_vector"]
    assert embed.compare.normalize_left == embed.compare.normalize_right
    assert config.surfaces["session_log"].compare.ignore == ("/timestamp", "/daemon")
    assert config.surfaces["materializer"].compare.ignore == (
        "/*/provenance/recorded_at",
        "/provenance/recorded_at",
    )


def test_the_422_shape_is_a_tracked_gap_and_byte_equal_probes_compare_spelling() -> None:
    config = load_config(EXAMPLE)
    for name in ("validator", "search"):
        (gap,) = config.surfaces[name].known_gaps
        assert gap.tracked, name
        spec = config.surfaces[name].compare
        steps = (*spec.normalize_left, *spec.normalize_right)
        assert [s.gap for s in steps] == [gap.reason] * 4  # one canonical form, both sides
    assert config.surfaces["search"].compare.params["unranked"] == "json"
    for name in ("session_log", "materializer"):
        assert config.surfaces[name].compare.params["spelling"] is True, name

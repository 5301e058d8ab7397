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
    assert (embed.compare.select_left, embed.compare.select_right) == (
        "/embeddings/0",
        "/vectors/0",
    )
    assert config.surfaces["session_log"].compare.ignore == ("/timestamp", "/daemon")
    assert config.surfaces["materializer"].compare.ignore == (
        "/*/provenance/recorded_at",
        "/provenance/recorded_at",
    )
    assert config.surfaces["validator"].known_gaps[0].category == "shape"

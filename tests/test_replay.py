"""Replay: each saved divergence is sent again and gets exactly one verdict.

The runtimes are in-process functions (tests/planted_replay.py) whose behaviour
a test switches between the moment a fixture is saved and the moment it is
replayed; the unreachable case uses a real HTTP transport to a closed port.
"""

from __future__ import annotations

import socket
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from difffuzz._config import Config, parse_config
from difffuzz._connect import open_transport
from difffuzz._corpus import Corpus, CorpusProblem, Fixture
from difffuzz._exceptions import ConfigError
from difffuzz._exit import replay_exit
from difffuzz._judge import Judge
from difffuzz._replay import ReplayCase, ReplayVerdict, replay_fixtures
from tests import (
    planted,  # noqa: F401  (registers the planted_text strategy)
    planted_replay,
)
from tests.support.records import fixture_of

RUNTIMES = ("rust", "go")


@pytest.fixture(autouse=True)
def default_behaviour(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every test starts from the defaults; monkeypatch restores them afterwards.
    monkeypatch.setitem(planted_replay.BEHAVIOUR, "left", "echo")
    monkeypatch.setitem(planted_replay.BEHAVIOUR, "right", "escape")


def replay_config(**surface: Any) -> Config:
    document = {
        "runtimes": {"rust": {}, "go": {}},
        "surfaces": {
            "planted": {
                "strategy": "planted_text",
                "transport": "python",
                "runtimes": {
                    "rust": {"target": "tests.planted_replay:left"},
                    "go": {"target": "tests.planted_replay:right"},
                },
                **surface,
            }
        },
    }
    return parse_config(document, source="replay.toml", base_dir=Path("."))


def saved_fixture(tmp_path: Path, config: Config, value: str = "a<b") -> Fixture:
    """Observe ``value`` on the runtimes as they are now and save it, as the engine would."""
    surface = config.surfaces["planted"]
    with (
        closing(open_transport(surface.requests["rust"], max_body_bytes=10_000)) as left,
        closing(open_transport(surface.requests["go"], max_body_bytes=10_000)) as right,
    ):
        observation = Judge(surface, RUNTIMES).judge(value, left.send(value), right.send(value))
    assert observation.signature is not None, "the fixture must record a divergence"
    fixture = fixture_of(
        surface="planted",
        signature=observation.signature,
        input=value,
        runtimes=RUNTIMES,
        left=observation.left,
        right=observation.right,
        differences=observation.comparison.differences,
        compare=surface.compare,
        collapse=surface.collapse,
        answer_status=surface.answer_status,
    )
    corpus = Corpus(tmp_path)
    corpus.save(fixture)
    (loaded,) = corpus.fetch("planted")
    return loaded


def replay_one(config: Config, fixture: Fixture, **options: Any) -> ReplayCase:
    (case,) = replay_fixtures(config, [fixture], **options).cases
    return case


def switch(monkeypatch: pytest.MonkeyPatch, side: str, mode: str) -> None:
    monkeypatch.setitem(planted_replay.BEHAVIOUR, side, mode)


# -- one verdict each ----------------------------------------------------------


def test_still_divergent(tmp_path: Path) -> None:
    config = replay_config()
    case = replay_one(config, saved_fixture(tmp_path, config))
    assert case.verdict is ReplayVerdict.STILL_DIVERGENT
    assert case.observation is not None
    assert case.observation.signature == case.fixture.signature
    assert case.fails


def test_fixed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = replay_config()
    fixture = saved_fixture(tmp_path, config)
    switch(monkeypatch, "right", "fixed")
    case = replay_one(config, fixture)
    assert case.verdict is ReplayVerdict.FIXED
    assert not case.fails


def test_diverges_differently_names_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = replay_config()
    fixture = saved_fixture(tmp_path, config)
    switch(monkeypatch, "right", "escape+note")
    case = replay_one(config, fixture)
    assert case.verdict is ReplayVerdict.DIVERGES_DIFFERENTLY
    assert case.detail == "now also: extra /note (answer changed on go)"
    assert case.fails
    assert case.to_json()["new_signature"]["parts"] == [
        ["extra", "/note", ""],
        ["value", "/text", ""],
    ]


def test_diverges_differently_when_a_side_now_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = replay_config()
    fixture = saved_fixture(tmp_path, config)
    switch(monkeypatch, "right", "refuse")
    case = replay_one(config, fixture)
    assert case.verdict is ReplayVerdict.DIVERGES_DIFFERENTLY
    assert "statuses [0, 0] -> [0, 1]" in case.detail
    assert "no longer: value /text" in case.detail
    assert "now also: status /" in case.detail
    assert case.detail.endswith("(answer changed on go)")


def test_flaky_when_a_runtime_alternates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = replay_config()
    fixture = saved_fixture(tmp_path, config)
    switch(monkeypatch, "right", "alternate")
    case = replay_one(config, fixture)
    assert case.verdict is ReplayVerdict.FLAKY
    assert case.detail.startswith("2 sends gave: ")
    assert "match" in case.detail
    assert f"divergence {fixture.signature.id}" in case.detail
    assert case.fails


def test_both_failing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = replay_config()
    fixture = saved_fixture(tmp_path, config)
    switch(monkeypatch, "left", "raise")
    switch(monkeypatch, "right", "raise")
    case = replay_one(config, fixture)
    assert case.verdict is ReplayVerdict.BOTH_FAILING
    assert case.detail.startswith("both answered crashed")
    assert not case.fails


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed on leaving the block: nothing listens there now


def test_unreachable_over_http_to_a_closed_port(tmp_path: Path) -> None:
    port = closed_port()
    document = {
        "campaign": {"timeout": 2},
        "runtimes": {
            "rust": {"base_url": f"http://127.0.0.1:{port}"},
            "go": {"base_url": f"http://127.0.0.1:{port}"},
        },
        "surfaces": {"planted": {"strategy": "planted_text", "transport": "http"}},
    }
    http_config = parse_config(document, source="http.toml", base_dir=tmp_path)
    fixture = saved_fixture(tmp_path, replay_config())
    result = replay_fixtures(http_config, [fixture])
    (case,) = result.cases
    assert case.verdict is ReplayVerdict.UNREACHABLE
    assert "cannot connect" in case.detail
    assert str(port) in case.detail
    assert replay_exit(result) == 3


def test_not_configured(tmp_path: Path) -> None:
    fixture = saved_fixture(tmp_path, replay_config())
    other = parse_config(
        {
            "runtimes": {"rust": {}, "go": {}},
            "surfaces": {
                "elsewhere": {
                    "strategy": "planted_text",
                    "transport": "python",
                    "target": "tests.planted:echo",
                }
            },
        },
        source="other.toml",
        base_dir=Path("."),
    )
    case = replay_one(other, fixture)
    assert case.verdict is ReplayVerdict.NOT_CONFIGURED
    assert "surface 'planted' is not in other.toml" in case.detail
    assert case.observation is None
    assert not case.fails


# -- known gaps, judging spec, results ---------------------------------------------


@pytest.mark.parametrize("gap", [{"paths": ["/text"]}, {"category": "value"}, {"statuses": [0, 0]}])
def test_a_config_known_gap_makes_the_case_a_gap(tmp_path: Path, gap: dict[str, Any]) -> None:
    fixture = saved_fixture(tmp_path, replay_config())
    config = replay_config(known_gaps=[{"reason": "tracked in LH-7", **gap}])
    case = replay_one(config, fixture)
    assert case.verdict is ReplayVerdict.STILL_DIVERGENT
    assert case.is_gap
    assert case.gap_reason == "tracked in LH-7"
    assert not case.fails


def test_a_gap_that_no_longer_matches_is_not_a_gap(tmp_path: Path) -> None:
    fixture = saved_fixture(tmp_path, replay_config())
    config = replay_config(known_gaps=[{"reason": "other", "paths": ["/note"]}])
    case = replay_one(config, fixture)
    assert not case.is_gap
    assert case.fails


def test_a_fixture_marked_as_a_gap_stays_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = replay_config()
    marked = Corpus(tmp_path).rewrite(saved_fixture(tmp_path, config), known_gap="accepted")
    case = replay_one(config, marked)
    assert case.is_gap
    assert case.gap_reason == "accepted"
    switch(monkeypatch, "right", "fixed")
    closed = replay_one(config, marked)
    assert closed.gap_closed


def test_a_known_gap_that_diverges_differently_is_a_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = replay_config()
    marked = Corpus(tmp_path).rewrite(saved_fixture(tmp_path, config), known_gap="accepted")
    switch(monkeypatch, "right", "refuse")
    case = replay_one(config, marked)
    assert case.verdict is ReplayVerdict.DIVERGES_DIFFERENTLY
    assert not case.is_gap
    assert case.fails


@pytest.mark.parametrize(
    ("gap", "mode", "covered"),
    [
        ({"paths": ["/text"]}, "escape+note", True),  # the new signature still has /text
        ({"statuses": [0, 0]}, "escape+note", True),
        ({"statuses": [0, 0]}, "refuse", False),  # the gap is for 0/0; now 0/1
        ({"category": "value"}, "escape+note", False),  # now a shape divergence
    ],
)
def test_a_config_gap_covers_a_changed_divergence_only_if_it_matches_the_new_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gap: dict[str, Any], mode: str, covered: bool
) -> None:
    fixture = saved_fixture(tmp_path, replay_config())
    config = replay_config(known_gaps=[{"reason": "tracked", **gap}])
    switch(monkeypatch, "right", mode)
    case = replay_one(config, fixture)
    assert case.verdict is ReplayVerdict.DIVERGES_DIFFERENTLY
    assert case.is_gap is covered
    assert case.fails is not covered


def test_the_fixture_is_judged_by_its_own_saved_rule_unless_asked(tmp_path: Path) -> None:
    fixture = saved_fixture(tmp_path, replay_config())
    # The config now ignores /text; the fixture was found when it did not.
    relaxed = replay_config(compare={"rule": "json", "ignore": ["/text"]})
    assert replay_one(relaxed, fixture).verdict is ReplayVerdict.STILL_DIVERGENT
    assert replay_one(relaxed, fixture, by_config=True).verdict is ReplayVerdict.FIXED


def test_result_counts_exit_code_and_callback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = replay_config()
    first = saved_fixture(tmp_path, config, "a<b")
    second = saved_fixture(tmp_path / "2", config, "<")
    seen: list[ReplayVerdict] = []
    problem = CorpusProblem(tmp_path / "broken.json", "is not valid JSON")
    result = replay_fixtures(
        config, [first, second], problems=[problem], on_case=lambda c: seen.append(c.verdict)
    )
    assert seen == [ReplayVerdict.STILL_DIVERGENT, ReplayVerdict.STILL_DIVERGENT]
    assert result.count(ReplayVerdict.STILL_DIVERGENT) == 2
    assert replay_exit(result) == 2  # an unreadable file outranks a divergence, as in ci
    assert replay_exit(replay_fixtures(config, [first, second])) == 1
    record = result.to_json()
    assert record["summary"]["still_divergent"] == 2
    assert record["problems"] == [str(problem)]

    switch(monkeypatch, "right", "fixed")
    assert replay_exit(replay_fixtures(config, [first, second])) == 0
    assert replay_exit(replay_fixtures(config, [first], problems=[problem])) == 2


def test_a_target_that_cannot_be_imported_is_a_config_error(tmp_path: Path) -> None:
    fixture = saved_fixture(tmp_path, replay_config())
    broken = replay_config(
        runtimes={
            "rust": {"target": "tests.planted_replay:left"},
            "go": {"target": "tests.planted_replay:gone"},
        }
    )
    with pytest.raises(ConfigError, match=r"'tests\.planted_replay:gone'.* has no attribute"):
        replay_fixtures(broken, [fixture])

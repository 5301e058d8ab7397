"""Quality tests for the engine, in the spirit of Hypothesis's tests/quality/.

A planted difference must be found, shrunk to its smallest trigger and saved; two
independent differences must stay two findings; a pair that never differs must
yield nothing. The runtimes are in-process functions (tests/planted.py).
"""

from __future__ import annotations

import importlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from difffuzz._config import Config, RequestSpec, parse_config
from difffuzz._corpus import Corpus
from difffuzz._engine import run_campaign
from difffuzz._exit import campaign_exit
from difffuzz._results import FindingStatus
from difffuzz._transports import MockTransport
from tests import planted
from tests.support.inputs import as_text


def planted_config(
    left: str, right: str, strategy: str, *, max_examples: int = 300, seed: int = 1, **surface: Any
) -> Config:
    document = {
        "campaign": {"max_examples": max_examples, "seed": seed, "learn_noise": 0},
        "runtimes": {"left": {}, "right": {}},
        "surfaces": {
            "planted": {
                "strategy": strategy,
                "transport": "python",
                "runtimes": {
                    "left": {"target": f"tests.planted:{left}"},
                    "right": {"target": f"tests.planted:{right}"},
                },
                **surface,
            }
        },
    }
    return parse_config(document, source="<test>", base_dir=Path("."))


def test_a_difference_on_lt_shrinks_to_exactly_lt(tmp_path: Path) -> None:
    config = planted_config("echo", "escaping_echo", "planted_text")
    corpus = Corpus(tmp_path)
    result = run_campaign(config, corpus=corpus)
    (finding,) = result.findings
    assert finding.input == "<"
    assert finding.shrunk
    (fixture,) = corpus.fetch("planted")
    assert fixture.input == "<"
    assert fixture.signature == finding.signature
    assert campaign_exit(result) == 1


def test_two_independent_differences_give_two_fixtures(tmp_path: Path) -> None:
    # st.integers() is closed under simplification, so the value-level polish may finish
    # what Hypothesis leaves (a non-monotone "negative multiple of 7").
    config = planted_config(
        "two_bugs_left", "two_bugs_right", "planted_numbers", max_examples=600, polish=True
    )
    corpus = Corpus(tmp_path)
    result = run_campaign(config, corpus=corpus)
    by_kind = {f.signature.parts: f.input for f in result.findings}
    assert len(by_kind) == 2, result.findings
    assert by_kind[(("value", "/doubled", ""),)] == 1001
    assert by_kind[(("extra", "/note", ""),)] == -7
    assert len(list(corpus.fetch("planted"))) == 2


def test_a_pair_that_never_differs_yields_nothing(tmp_path: Path) -> None:
    config = planted_config("echo", "echo", "planted_text", max_examples=2000)
    corpus = Corpus(tmp_path)
    result = run_campaign(config, corpus=corpus)
    (surface,) = result.surfaces
    assert surface.stats.examples >= 2000
    assert surface.stats.matches == surface.stats.examples
    assert result.findings == []
    assert list(corpus.fetch()) == []
    assert campaign_exit(result) == 0


def test_html_escaping_gives_one_signature_per_path_not_per_character(tmp_path: Path) -> None:
    # html.escape differs on '<', '>' and '&': three triggers, one signature (value at /text).
    config = planted_config("echo", "html_escaping_echo", "planted_text")
    result = run_campaign(config, corpus=Corpus(tmp_path))
    (finding,) = result.findings
    assert finding.input in ("<", ">", "&")


def test_a_known_fixture_is_not_saved_twice(tmp_path: Path) -> None:
    config = planted_config("echo", "escaping_echo", "planted_text")
    corpus = Corpus(tmp_path)
    run_campaign(config, corpus=corpus)
    second = run_campaign(config.override(seed=2), corpus=corpus)
    (finding,) = second.findings
    assert finding.status is FindingStatus.KNOWN
    assert len(corpus.files("planted")) == 1


def test_fixture_file_is_reviewable_json(tmp_path: Path) -> None:
    config = planted_config("echo", "escaping_echo", "planted_text")
    run_campaign(config, corpus=Corpus(tmp_path))
    (path,) = Corpus(tmp_path).files("planted")
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["input"] == "<"
    assert record["outcomes"]["left"]["body"] == '{"text": "<"}'
    assert record["outcomes"]["right"]["body"] == '{"text": "&lt;"}'
    assert [d["path"] for d in record["differences"]] == ["/text"]
    assert path.read_text(encoding="utf-8").startswith("{\n  ")


@pytest.mark.parametrize("gap", [{"paths": ["/text"]}, {"category": "value"}])
def test_a_known_gap_does_not_fail_the_run(tmp_path: Path, gap: dict[str, Any]) -> None:
    config = planted_config(
        "echo", "escaping_echo", "planted_text", known_gaps=[{"reason": "accepted", **gap}]
    )
    result = run_campaign(config, corpus=Corpus(tmp_path))
    (finding,) = result.findings
    assert finding.status is FindingStatus.KNOWN_GAP
    assert finding.gap_reason == "accepted"
    assert campaign_exit(result) == 0


def test_ctrl_c_keeps_what_was_found_and_stops_the_campaign(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real Ctrl-C reaches the main thread, where the mock transport runs the
    # handler (the python transport would run it in a worker thread).
    monkeypatch.setitem(planted.INTERRUPT_AFTER, "calls", 0)

    def in_main_thread(request: RequestSpec, *, max_body_bytes: int) -> MockTransport:
        module, _, name = request.target.partition(":")
        function = getattr(importlib.import_module(module), name)
        return MockTransport(lambda value: (0, function(value)), target=request.target)

    monkeypatch.setattr("difffuzz._plan.open_transport", in_main_thread)
    config = planted_config("echo", "escaping_echo_then_ctrl_c", "planted_text", max_examples=1000)
    after = planted_config("echo", "echo", "planted_text").surfaces["planted"]
    config = replace(config, surfaces={"planted": config.surfaces["planted"], "after": after})
    corpus = Corpus(tmp_path)
    result = run_campaign(config, corpus=corpus)
    assert campaign_exit(result) == 130
    assert [s.surface for s in result.surfaces] == ["planted"]  # "after" never ran
    (finding,) = result.findings
    assert "<" in as_text(finding.input)
    assert len(corpus.files("planted")) == 1


def test_a_runtime_failing_every_first_input_the_same_way_stops_the_surface(
    tmp_path: Path,
) -> None:
    config = planted_config("echo", "broken_helper", "planted_text", max_examples=300)
    corpus = Corpus(tmp_path)
    result = run_campaign(config, corpus=corpus)
    (surface,) = result.surfaces
    assert "runtime 'right' failed the same way on all of its first 20 inputs" in surface.aborted
    assert "session_lg" in surface.aborted
    assert surface.stats.examples == 20
    assert campaign_exit(result) == 3

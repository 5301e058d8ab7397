"""The engine under runtime faults: flaky verdicts, unsaved findings, broken helpers.

The fault suite with misbehaving loopback servers and helper processes is in
tests/faults/; these are the engine's own rules, on in-process runtimes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from difffuzz._corpus import Corpus
from difffuzz._engine import run_campaign
from difffuzz._exit import campaign_exit
from tests import planted
from tests.test_engine_quality import planted_config


def test_an_input_independent_fault_is_flaky_kept_apart_and_does_not_fail_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(planted.FLAKY_EVERY, "calls", 0)
    config = planted_config("echo", "echo_flaky", "planted_text", max_examples=200)
    corpus = Corpus(tmp_path)
    result = run_campaign(config, corpus=corpus)
    assert result.findings, "the fault must be seen"
    for finding in result.findings:
        assert finding.flaky
        reproduced, sent = finding.reproduced
        assert sent == 3
        assert reproduced < sent  # the runtimes agreed on a resend
    assert corpus.files("planted") == []  # nothing for the gate to replay
    assert len(corpus.files("planted", flaky=True)) == len(result.findings)
    assert campaign_exit(result) == 0


def test_fail_on_flaky_makes_flaky_findings_fail_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(planted.FLAKY_EVERY, "calls", 0)
    config = planted_config("echo", "echo_flaky", "planted_text", max_examples=200)
    config = config.override(fail_on_flaky=True)
    result = run_campaign(config, corpus=Corpus(tmp_path))
    assert result.findings
    assert campaign_exit(result) == 1


def test_a_reproducible_divergence_is_confirmed_every_time() -> None:
    config = planted_config("echo", "escaping_echo", "planted_text", max_examples=200)
    config = config.override(confirmations=5)
    (finding,) = run_campaign(config).findings
    assert finding.reproduced == (5, 5)
    assert not finding.flaky


def test_an_unwritable_corpus_keeps_the_finding_with_the_reason(tmp_path: Path) -> None:
    blocked = tmp_path / "corpus"
    blocked.write_text("a file where the corpus folder should be", encoding="utf-8")
    config = planted_config("echo", "escaping_echo", "planted_text")
    result = run_campaign(config, corpus=Corpus(blocked))
    (finding,) = result.findings
    assert finding.input == "<"
    assert finding.fixture_path is None
    assert "cannot write fixture" in finding.save_error
    assert result.unsaved == [finding]
    assert campaign_exit(result) == 2


def test_a_broken_helper_leaves_no_fixture_behind(tmp_path: Path) -> None:
    config = planted_config("echo", "broken_helper", "planted_text", max_examples=300)
    corpus = Corpus(tmp_path)
    result = run_campaign(config, corpus=corpus)
    (surface,) = result.surfaces
    assert "failed the same way on all of its first 20 inputs" in surface.aborted
    assert result.findings == []
    assert corpus.files() == []

"""Campaigns on several worker processes: the plan and the merge (``_shares.py``), real
runs in workers (``_workers.py``, ``_worker.py``), ci's reproducibility.

The runs here are real: ``spawn``-ed worker processes running the planted pairs
(``tests/planted.py``, in-process runtimes each worker imports), saving into a
real corpus folder.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from difffuzz._ci import run_ci
from difffuzz._config import Config, parse_config
from difffuzz._corpus import Corpus
from difffuzz._divergence import Divergence
from difffuzz._events import Event, SurfaceFinished, SurfaceStarted, ignore_events
from difffuzz._exit import campaign_exit
from difffuzz._inputs import input_sort_key, json_bytes
from difffuzz._judge import Judge
from difffuzz._outcome import Outcome
from difffuzz._results import CampaignResult, Finding
from difffuzz._shares import merge_findings, plan_shares, share_seed
from difffuzz._workers import _plugin_modules, run_with_workers
from tests.planted import RECORD_FOLDER
from tests.test_engine_quality import planted_config

PLANTED = planted_config("echo", "escaping_echo", "planted_text").surfaces["planted"]


def make_finding(value: str, *, category: str, occurrences: int = 1) -> Finding | None:
    """A finding on the planted surface: the text escaped ('value'), or a key more
    ('shape'); None when the two answers agree."""
    judge = Judge(PLANTED, ("left", "right"))
    right = {"text": value.replace("<", "&lt;")}
    if category == "shape":
        right["extra"] = value
    observation = judge.judge(
        value, Outcome(0, json_bytes({"text": value})), Outcome(0, json_bytes(right))
    )
    if observation.signature is None:
        return None
    divergence = Divergence(
        surface="planted",
        signature=observation.signature,
        input=value,
        runtimes=("left", "right"),
        left=observation.left,
        right=observation.right,
        comparison=observation.comparison,
        compare=PLANTED.compare,
    )
    return Finding(divergence, occurrences=occurrences, bucket=observation.bucket)


def two_surfaces(
    max_examples: int = 200, seed: int = 1, *, learn_noise: int = 0, recorded: bool = False
) -> Config:
    """Two planted surfaces: '<' escaped on one, two number bugs on the other
    (``recorded``: the left runtimes note every input, see ``tests/planted.py``)."""
    runtimes: dict[str, Any] = {"left": {}, "right": {}}
    prefix = "recorded_" if recorded else ""
    document = {
        "campaign": {"max_examples": max_examples, "seed": seed, "learn_noise": learn_noise},
        "runtimes": runtimes,
        "surfaces": {
            "text": {
                "strategy": "planted_text",
                "transport": "python",
                "runtimes": {
                    "left": {"target": f"tests.planted:{prefix}echo"},
                    "right": {"target": "tests.planted:escaping_echo"},
                },
            },
            "numbers": {
                "strategy": "planted_numbers",
                "transport": "python",
                "runtimes": {
                    "left": {"target": f"tests.planted:{prefix}two_bugs_left"},
                    "right": {"target": "tests.planted:two_bugs_right"},
                },
            },
        },
    }
    return parse_config(document, source="<test>", base_dir=Path("."))


def verdicts(result: CampaignResult) -> list[Any]:
    """What must not depend on the number of workers: per surface, every count and finding."""
    return [
        (
            surface.surface,
            surface.stats.examples,
            surface.stats.matches,
            surface.stats.divergent_examples,
            surface.stats.shrink_calls,
            [(f.input, f.signature.id, f.status) for f in surface.findings],
        )
        for surface in result.surfaces
    ]


# -- the plan --------------------------------------------------------------------------


@given(
    budget=st.integers(1, 5000),
    workers=st.integers(1, 16),
    seed=st.integers(0, 2**32 - 1),
)
def test_one_surface_is_shared_out_whole_and_from_disjoint_seeds(
    budget: int, workers: int, seed: int
) -> None:
    config = planted_config("echo", "escaping_echo", "planted_text", max_examples=budget)
    shares = plan_shares(config, seed, workers=workers, split=True)
    assert sum(share.max_examples for share in shares) == budget
    assert len(shares) == min(workers, budget)
    assert all(share.max_examples > 0 for share in shares)
    assert shares[0].seed == seed  # one worker is the single-process run
    assert len({share.seed for share in shares}) == len(shares)


@given(workers=st.integers(1, 16))
def test_without_splitting_every_surface_is_one_share_with_the_campaign_seed(workers: int) -> None:
    shares = plan_shares(two_surfaces(), 7, workers=workers, split=False)
    assert [(s.surface, s.index, s.shares, s.seed, s.max_examples) for s in shares] == [
        ("text", 0, 1, 7, 200),
        ("numbers", 0, 1, 7, 200),
    ]


def test_share_seeds_depend_on_the_surface_and_the_share() -> None:
    assert share_seed(1, "text", 1) != share_seed(1, "numbers", 1)
    assert share_seed(1, "text", 1) != share_seed(1, "text", 2)
    assert share_seed(1, "text", 1) == share_seed(1, "text", 1)


def test_a_surface_registered_by_main_stays_in_this_process() -> None:
    config = planted_config("echo", "escaping_echo", "planted_text")
    surface = config.surfaces["planted"]
    assert _plugin_modules(surface) == ("difffuzz._comparators.json_rules", "tests.planted")

    def main_strategy() -> st.SearchStrategy[str]:
        return st.text()

    main_strategy.__module__ = "__main__"
    import difffuzz

    difffuzz.strategy("test_workers_main_strategy")(main_strategy)
    assert _plugin_modules(replace(surface, strategy="test_workers_main_strategy")) is None


# -- merging findings ----------------------------------------------------------------------


@given(
    picks=st.lists(
        st.tuples(st.sampled_from(["<", "<<", "<a", "a<", "b<", "&", "b"]), st.integers(1, 5)),
        max_size=8,
    )
)
def test_merged_findings_are_one_per_cause_and_keep_the_smallest(
    picks: list[tuple[str, int]],
) -> None:
    # Deterministic runtimes: an input has one signature, whichever share met it.
    made = [
        make_finding(v, category="shape" if v[0] in "ab" else "value", occurrences=n)
        for v, n in picks
    ]
    findings = [f for f in made if f is not None]
    merged = merge_findings(findings)

    def cause(finding: Finding) -> Any:
        return (finding.bucket, finding.signature)

    assert len({cause(f) for f in merged}) == len(merged)
    assert sum(f.occurrences for f in merged) == sum(f.occurrences for f in findings)
    for kept in merged:
        same = [f for f in findings if cause(f) == cause(kept) or f.input == kept.input]
        assert input_sort_key(kept.input) == min(input_sort_key(f.input) for f in same)


# -- real runs --------------------------------------------------------------------------


def test_ci_sends_the_same_inputs_and_gives_the_same_verdicts_whatever_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``difffuzz ci``'s run (run_ci), seeded: every input each runtime was sent, in
    order (noise learning, exploring, shrinking, confirmations), and every verdict,
    the same in this process as in worker processes (one per surface)."""
    config = two_surfaces(max_examples=100, seed=11, learn_noise=4, recorded=True)
    runs: dict[int, tuple[dict[str, list[str]], list[Any]]] = {}
    events: list[Event] = []
    for workers in (1, 2):
        folder = tmp_path / f"workers-{workers}"
        folder.mkdir()
        monkeypatch.setenv(RECORD_FOLDER, str(folder))  # spawned workers inherit it
        # As `difffuzz ci` does: the gate's corpus as committed, new findings beside it.
        ci = run_ci(
            config,
            corpus=Corpus(tmp_path / "corpus"),
            save_to=Corpus(folder / "new-fixtures"),
            budget=100,
            seed=11,
            workers=workers,
            listener=events.append if workers == 2 else ignore_events,
        )
        assert ci.campaign is not None
        logs = folder.glob("*.txt")
        sent = {log.stem: log.read_text(encoding="utf-8").splitlines() for log in logs}
        runs[workers] = (sent, verdicts(ci.campaign))
    sent, found = runs[1]
    assert sorted(sent) == ["numbers", "text"]
    assert all(len(inputs) > 100 for inputs in sent.values())  # shrinking sent more
    # Findings on both surfaces, so the verdicts compared are not empty ones.
    assert [(surface[0], [f[0] for f in surface[-1]][:1]) for surface in found] == [
        ("text", ["<"]),
        ("numbers", [found[1][-1][0][0]]),
    ]
    assert runs[2] == runs[1]
    # One start (with the whole budget) and one end per surface, whoever ran it.
    assert sorted(
        (type(e).__name__, e.surface, getattr(e, "budget", None))
        for e in events
        if isinstance(e, SurfaceStarted | SurfaceFinished)
    ) == [
        ("SurfaceFinished", "numbers", None),
        ("SurfaceFinished", "text", None),
        ("SurfaceStarted", "numbers", 100),
        ("SurfaceStarted", "text", 100),
    ]


def test_one_surface_on_two_workers_finds_each_cause_once_and_saves_it_once(
    tmp_path: Path,
) -> None:
    config = planted_config("echo", "escaping_echo", "planted_text", max_examples=150)
    corpus = Corpus(tmp_path)
    result = run_with_workers(config, workers=2, corpus=corpus)
    (surface,) = result.surfaces
    assert surface.stats.examples == 150  # both shares' examples, the whole budget
    assert [f.input for f in surface.findings] == ["<"]
    assert len(corpus.files("planted")) == 1
    assert surface.findings[0].fixture_path == str(corpus.files("planted")[0])
    assert campaign_exit(result) == 1

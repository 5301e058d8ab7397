"""Every lakehouse surface, fuzzed end to end between the two sample runtimes.

Each surface runs one seeded campaign through :func:`difffuzz.run_campaign` with
the lakehouse config that ``difffuzz demo`` writes: real HTTP servers, real
helper processes, a real corpus on disk. The campaign must find a divergence,
save it as a fixture, and the fixture must replay as ``still_divergent``. The
campaigns are bounded by examples and shrink calls, not by time, so that a
loaded machine makes a test slower but never changes what it finds; the time
cap only stops a run that hangs.

Then the contract's particular promises: the validator's 422 body shape is a
known gap that does not fail a run on its own; the embed rule (cosine) agrees
on the team's probe texts; session_log learns its timestamp as noise.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from difffuzz import (
    CampaignResult,
    Config,
    Corpus,
    FileTree,
    Fixture,
    Transport,
    Verdict,
    encode_input,
    load_config,
    replay_fixtures,
    run_campaign,
)
from difffuzz._connect import open_transport
from difffuzz._engine import SurfaceCampaign, SurfaceSettings
from difffuzz._exit import campaign_exit
from difffuzz._inputs import Input
from difffuzz._judge import Judge
from difffuzz._registry import get_strategy
from difffuzz._replay import ReplayVerdict
from difffuzz._results import FindingStatus, Observation, SurfaceResult
from lakehouse_samples import SampleRuntimes
from lakehouse_samples.demo import write_sample_config

SEED = 3
#: Never reached on a quiet machine: it only stops a run that hangs.
CAP_SECONDS = 60.0


@dataclasses.dataclass(frozen=True)
class Budget:
    examples: int
    shrink_calls: int
    learn_noise: int
    #: The shrink calls suffice for every finding, so each must come out shrunk.
    shrinks_all: bool = False


#: The HTTP surfaces answer in about a millisecond and get a real campaign. The CLI
#: surfaces start two processes per call (about 0.1 s a pair), so they get few
#: examples and a few shrink calls; their probe fixtures run first and count as
#: examples (12 for extract_json, 4 for session_log, 1 for materializer).
BUDGETS = {
    "validator": Budget(examples=30, shrink_calls=300, learn_noise=8, shrinks_all=True),
    "embed": Budget(examples=30, shrink_calls=300, learn_noise=8, shrinks_all=True),
    "search": Budget(examples=30, shrink_calls=300, learn_noise=8, shrinks_all=True),
    # Its output has no producer field; learning noise would cost 32 process starts.
    "extract_json": Budget(examples=20, shrink_calls=4, learn_noise=0),
    "session_log": Budget(examples=10, shrink_calls=4, learn_noise=4),
    "materializer": Budget(examples=6, shrink_calls=4, learn_noise=2),
}
SURFACES = tuple(BUDGETS)


@dataclasses.dataclass(frozen=True)
class SurfaceRun:
    """One surface's campaign: the config it ran with, its results and its corpus."""

    config: Config
    campaign: CampaignResult
    corpus: Corpus

    @property
    def surface(self) -> SurfaceResult:
        (surface,) = self.campaign.surfaces
        return surface

    def fixtures(self) -> list[Fixture]:
        fixtures, problems = self.corpus.load()
        assert not problems, problems
        return fixtures


class Campaigns:
    """Runs each surface's campaign once per module, on first use."""

    def __init__(self, runtimes: SampleRuntimes, folder: Path) -> None:
        self.runtimes = runtimes
        self.folder = folder
        self.runs: dict[str, SurfaceRun] = {}

    def run(self, surface: str) -> SurfaceRun:
        if surface not in self.runs:
            budget = BUDGETS[surface]
            folder = self.folder / surface
            path = write_sample_config(self.runtimes, folder, max_seconds=CAP_SECONDS)
            config = (
                load_config(path)
                .select([surface])
                .override(
                    seed=SEED,
                    max_examples=budget.examples,
                    shrink_budget=budget.shrink_calls,
                    learn_noise=budget.learn_noise,
                )
            )
            corpus = Corpus(config.campaign.corpus)
            self.runs[surface] = SurfaceRun(config, run_campaign(config, corpus=corpus), corpus)
        return self.runs[surface]


@pytest.fixture(scope="module")
def campaigns(
    sample_runtimes: SampleRuntimes, tmp_path_factory: pytest.TempPathFactory
) -> Campaigns:
    return Campaigns(sample_runtimes, tmp_path_factory.mktemp("e2e"))


def stored(value: Input) -> Any:
    """The lossless stored form: compares NaN, bytes and file trees by value."""
    return encode_input(value)


@pytest.mark.parametrize("surface", SURFACES)
def test_campaign_finds_saves_and_replays_a_divergence(campaigns: Campaigns, surface: str) -> None:
    run = campaigns.run(surface)
    result = run.surface
    assert not result.aborted, result.aborted
    assert result.stats.examples >= BUDGETS[surface].examples
    assert result.findings, f"no divergence on {surface}: {result.stats.to_json()}"
    if BUDGETS[surface].shrinks_all:
        # Including causes first met while shrinking another one. A strategy's explicit
        # examples (contract probes) are reported as written: Hypothesis cannot shrink them.
        probes = [
            stored(value) for value in get_strategy(run.config.surfaces[surface].strategy).examples
        ]
        # A tracked gap is counted, with the smallest example seen: it is not shrunk.
        unshrunk = [
            f.signature.label
            for f in result.findings
            if not f.shrunk
            and stored(f.input) not in probes
            and f.status is not FindingStatus.KNOWN_GAP
        ]
        assert not unshrunk, unshrunk

    fixtures = run.fixtures()
    by_path = {str(fixture.path): fixture for fixture in fixtures}
    saved = [f for f in result.findings if not f.tracked]  # a tracked gap is counted, not saved
    assert len(fixtures) == len(saved)  # a fresh corpus: every finding is saved
    for finding in saved:
        assert finding.fixture_path in by_path, f"{finding.signature.label} was not saved"
        fixture = by_path[finding.fixture_path]
        assert fixture.signature == finding.signature
        assert stored(fixture.input) == stored(finding.input)

    replay = replay_fixtures(run.config, fixtures)
    flaky = [case for case in replay.cases if case.verdict is ReplayVerdict.FLAKY]
    if flaky:
        pytest.fail(
            f"{surface}: {len(flaky)} fixture(s) replayed flaky, a runtime answers the same "
            "input differently from one call to the next: "
            + "; ".join(f"{case.fixture.path}: {case.detail}" for case in flaky)
        )
    verdicts = {str(case.fixture.path): case.verdict.value for case in replay.cases}
    assert set(verdicts.values()) == {"still_divergent"}, verdicts


def gap_reason(config: Config) -> str:
    (gap,) = config.surfaces["validator"].known_gaps
    return gap.reason


def test_validator_422_shape_is_tracked_and_what_differs_inside_a_422_is_found(
    campaigns: Campaigns,
) -> None:
    run = campaigns.run("validator")
    findings = run.surface.findings
    labels = [f.signature.label for f in findings]
    # The gap carries its normalizer: no 422/422 shape divergence is left ...
    # (The gap's own tally is a finding too, judged without its steps: left out here.)
    divergences = [f for f in findings if not f.tracked]
    assert not [
        f
        for f in divergences
        if f.signature.category == "shape" and f.signature.statuses == (422, 422)
    ], labels
    # ... and the samples do differ inside their 422 bodies (the reason or the field
    # they name: serde's "missing field `kind`" against Go's 'unknown kind ""').
    inside = [f for f in divergences if f.signature.statuses == (422, 422)]
    assert inside, labels
    for finding in inside:
        assert finding.signature.category == "value"
        assert {path for _, path, _ in finding.signature.parts} <= {"/reason", "/field", "/kind"}
        assert finding.status is FindingStatus.NEW
    assert campaign_exit(run.campaign) == 1

    # Their fixtures record the gap's steps, and replay applies them.
    paths = {f.fixture_path for f in inside}
    fixtures = [f for f in run.fixtures() if str(f.path) in paths]
    assert fixtures
    assert all(f.compare.normalize_left[0].gap == gap_reason(run.config) for f in fixtures)
    replay = replay_fixtures(run.config, fixtures)
    assert {case.verdict for case in replay.cases} == {ReplayVerdict.STILL_DIVERGENT}
    assert not any(case.is_gap for case in replay.cases)


def test_validator_422_shape_is_reported_once_as_a_known_gap_with_its_count(
    campaigns: Campaigns,
) -> None:
    run = campaigns.run("validator")
    gaps = [f for f in run.surface.findings if f.status is FindingStatus.KNOWN_GAP]
    assert len(gaps) == 1
    (gap,) = gaps
    assert gap.gap_reason == gap_reason(run.config)
    # What the steps absorbed: the two error shapes (in 422/422 pairs, and in the
    # Rust-422 side of a 422/400 pair, whose status difference stays a finding).
    assert gap.signature.category == "shape"
    assert 422 in gap.signature.statuses
    assert gap.occurrences > 1


#: Bodies both sample validators reject with 422, each in its own error shape but
#: with the same field and reason, so that normalised they agree.
GAP_BODIES: list[Input] = [
    {"kind": "email", "payload": {"to": "not-an-email", "subject": "Shift", "body": "Monday"}},
    {"kind": "sms", "payload": {"to": "+13135550142", "body": "Your SSN 123-45-6789 is on file"}},
]


def run_gap_bodies(sample_config: Path) -> tuple[SurfaceResult, list[Observation]]:
    config = load_config(sample_config).select(["validator"])
    surface = config.surfaces["validator"]
    left_name, right_name = config.runtime_names
    left = open_transport(surface.requests[left_name], max_body_bytes=1_000_000)
    right = open_transport(surface.requests[right_name], max_body_bytes=1_000_000)
    try:
        # polish_budget=0: value-level polishing would drop keys from these bodies
        # and find the validator's other divergences, which are not the point here.
        runner = SurfaceCampaign(
            surface,
            runtimes=config.runtime_names,
            left=left,
            right=right,
            settings=SurfaceSettings(max_examples=10, seed=SEED, polish_budget=0),
        )
        result = runner.run(st.sampled_from(GAP_BODIES))
        result.findings = runner.findings(seed=SEED)
        observed = [runner.observe(body) for body in GAP_BODIES]
    finally:
        left.close()
        right.close()
    return result, observed


def test_the_known_gap_alone_does_not_fail_a_campaign(sample_config: Path) -> None:
    result, observed = run_gap_bodies(sample_config)
    campaign = CampaignResult(surfaces=[result], seed=SEED, started_at="")
    assert result.failing_findings == []
    assert campaign_exit(campaign) == 0
    # Not because nothing was compared: every answer was a 422 the gap normalised.
    assert result.stats.matches == result.stats.examples
    assert all(o.gap_hits and o.gap_hits[0].signature.category == "shape" for o in observed)


def test_the_known_gap_alone_is_listed_as_one_known_gap(sample_config: Path) -> None:
    result, _ = run_gap_bodies(sample_config)
    assert [f.status for f in result.findings] == [FindingStatus.KNOWN_GAP]
    assert result.findings[0].occurrences == result.stats.examples


@dataclasses.dataclass(frozen=True)
class Probe:
    """Sends one input to both runtimes of a surface and judges it by the config's rule,
    as the engine does for each example (without noise learning)."""

    judge: Judge
    left: Transport
    right: Transport

    def __call__(self, value: Input) -> Observation:
        return self.judge.judge(value, self.left.send(value), self.right.send(value))


@contextlib.contextmanager
def probe(config_path: Path, surface_name: str) -> Iterator[Probe]:
    config = load_config(config_path)
    surface = config.surfaces[surface_name]
    left_name, right_name = config.runtime_names
    left = open_transport(surface.requests[left_name], max_body_bytes=1_000_000)
    try:
        right = open_transport(surface.requests[right_name], max_body_bytes=1_000_000)
        try:
            yield Probe(Judge(surface, config.runtime_names), left, right)
        finally:
            right.close()
    finally:
        left.close()


@pytest.fixture
def embed(sample_config: Path) -> Iterator[Probe]:
    with probe(sample_config, "embed") as embed_probe:
        yield embed_probe


def test_embed_cosine_rule_matches_the_contract_probe_texts(embed: Probe) -> None:
    # The strategy's probes are the contract's 8 fixtures: five staffing texts, the
    # unicode string, "x" and a 200-word text.
    probes = get_strategy("embed_texts").examples
    assert len(probes) == 8
    assert "Café résumé ⭐ 你好" in probes
    for text in probes:
        observation = embed(text)
        assert observation.verdict is Verdict.MATCH, (text, observation.comparison.differences)
        # Not byte equality: Rust writes unit f64 vectors, Go raw f32 ones (norm ~20).
        assert observation.left.body != observation.right.body
        assert observation.comparison.distance is not None
        assert observation.comparison.distance <= 1e-5


def test_embed_cosine_rule_catches_a_text_the_runtimes_embed_differently(embed: Probe) -> None:
    # NFD: Rust normalises to NFC before embedding, Go does not (see the samples).
    observation = embed("Cafe\u0301 welder")
    assert observation.verdict is Verdict.DIVERGENCE
    assert observation.signature is not None
    assert observation.signature.category == "value"
    assert [d.qualifier for d in observation.comparison.differences] == ["cosine"]


def test_embed_cosine_rule_agrees_when_both_sides_are_the_same_runtime(twin_config: Path) -> None:
    with probe(twin_config, "embed") as twin_embed:
        observation = twin_embed("")
    assert observation.left.body == observation.right.body
    assert observation.verdict is Verdict.MATCH, observation.comparison.differences


def test_session_log_learns_its_timestamp_as_noise(campaigns: Campaigns) -> None:
    """``/timestamp`` is *listed* as learned noise, although the config ignores it too.

    The noise phase compares each runtime with itself by the plain JSON rule,
    without the config's ignore list, so the timestamp (a new value at every
    call: milliseconds on the rust side, nanoseconds on the go side) is learned
    and listed in every report; ``/daemon`` is constant per runtime, so only
    the config's ignore rule covers it. Either way neither can diverge.
    """
    run = campaigns.run("session_log")
    assert "/timestamp" in run.surface.learned_noise
    assert "/daemon" not in run.surface.learned_noise
    assert set(run.config.surfaces["session_log"].compare.ignore) == {"/timestamp", "/daemon"}
    for finding in run.surface.findings:
        assert {"/timestamp", "/daemon"} <= set(finding.compare_spec.ignore)
        assert not [p for _, p, _ in finding.signature.parts if p in ("/timestamp", "/daemon")]


def test_materializer_ignores_recorded_at_in_a_one_row_output(sample_config: Path) -> None:
    # Without noise learning (learn_noise = 0, or no one-row input among the
    # calibration inputs) only the config's ignore rule stands between the two
    # producers' clocks and a finding.
    with probe(sample_config, "materializer") as materializer:
        observation = materializer(FileTree.of({"a.jsonl": b'{"n": 1}\n'}))
    assert observation.verdict is Verdict.MATCH, observation.comparison.differences

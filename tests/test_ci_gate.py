"""CI mode: the corpus as a regression gate, then a seeded fuzz run that is deterministic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from difffuzz._ci import CIOutcome, CIResult, GateStatus, classify, run_ci
from difffuzz._comparators.base import CompareSpec, Comparison, Difference, DiffKind
from difffuzz._config import parse_config
from difffuzz._corpus import Corpus, CorpusProblem, Fixture
from difffuzz._exit import ci_exit
from difffuzz._outcome import Outcome
from difffuzz._replay import ReplayCase, ReplayResult, ReplayVerdict
from difffuzz._results import CampaignResult, FindingStatus, SurfaceResult
from difffuzz._signature import Signature
from tests.support.inputs import as_int
from tests.support.records import changed, finding_of, fixture_of
from tests.test_engine_quality import planted_config
from tests.test_replay import closed_port, replay_config, saved_fixture

SIGNATURE = Signature("planted", (0, 0), (("value", "/text", ""),))


def fixture(**marks: Any) -> Fixture:
    return fixture_of(
        surface="planted",
        signature=SIGNATURE,
        input="<",
        runtimes=("rust", "go"),
        left=Outcome(0, b'{"text": "<"}'),
        right=Outcome(0, b'{"text": "&lt;"}'),
        differences=(Difference(DiffKind.VALUE, "/text", "/text", "<", "&lt;"),),
        compare=CompareSpec(),
        **marks,
    )


OPEN = fixture()
FIXED_BEFORE = fixture(fixed_at="2024-06-01T00:00:00+00:00")
MARKED_GAP = fixture(known_gap="tracked in LH-7")

CLASSIFIED = [
    (OPEN, ReplayVerdict.STILL_DIVERGENT, "", GateStatus.OPEN),
    (OPEN, ReplayVerdict.FIXED, "", GateStatus.OK_FIXED),
    (OPEN, ReplayVerdict.DIVERGES_DIFFERENTLY, "", GateStatus.CHANGED),
    (FIXED_BEFORE, ReplayVerdict.STILL_DIVERGENT, "", GateStatus.REGRESSION),
    (FIXED_BEFORE, ReplayVerdict.FIXED, "", GateStatus.OK_FIXED),
    (FIXED_BEFORE, ReplayVerdict.DIVERGES_DIFFERENTLY, "", GateStatus.CHANGED),
    (MARKED_GAP, ReplayVerdict.STILL_DIVERGENT, "", GateStatus.GAP_OPEN),
    (MARKED_GAP, ReplayVerdict.FIXED, "", GateStatus.GAP_CLOSED),
    # A gap accepts the divergence it recorded; a new one is a change...
    (MARKED_GAP, ReplayVerdict.DIVERGES_DIFFERENTLY, "", GateStatus.CHANGED),
    # ...unless a config gap covers the new divergence (replay sets gap_reason then).
    (OPEN, ReplayVerdict.DIVERGES_DIFFERENTLY, "config gap", GateStatus.GAP_OPEN),
    (OPEN, ReplayVerdict.STILL_DIVERGENT, "config gap", GateStatus.GAP_OPEN),
    (OPEN, ReplayVerdict.FIXED, "config gap", GateStatus.GAP_CLOSED),
    (OPEN, ReplayVerdict.FLAKY, "", GateStatus.FLAKY),
    (MARKED_GAP, ReplayVerdict.FLAKY, "", GateStatus.FLAKY),
    (OPEN, ReplayVerdict.BOTH_FAILING, "", GateStatus.BOTH_FAILING),
    (OPEN, ReplayVerdict.UNREACHABLE, "", GateStatus.UNREACHABLE),
    (OPEN, ReplayVerdict.NOT_CONFIGURED, "", GateStatus.NOT_CONFIGURED),
]


@pytest.mark.parametrize(("saved", "verdict", "gap", "status"), CLASSIFIED)
def test_classify(saved: Fixture, verdict: ReplayVerdict, gap: str, status: GateStatus) -> None:
    assert classify(ReplayCase(saved, verdict, gap_reason=gap)) is status


def test_every_gate_status_and_every_verdict_is_covered() -> None:
    assert {status for *_, status in CLASSIFIED} == set(GateStatus)
    assert {verdict for _, verdict, *_ in CLASSIFIED} == set(ReplayVerdict)


def test_only_regressions_changes_and_closed_gaps_fail_the_gate() -> None:
    failing = {s for s in GateStatus if s.fails}
    assert failing == {GateStatus.REGRESSION, GateStatus.CHANGED, GateStatus.GAP_CLOSED}


# -- exit codes --------------------------------------------------------------


def gate_result(
    *statuses: GateStatus,
    problems: int = 0,
    new_findings: int = 0,
    known_findings: int = 0,
    aborted: bool = False,
) -> CIResult:
    cases = [ReplayCase(OPEN, ReplayVerdict.STILL_DIVERGENT) for _ in statuses]
    replay = ReplayResult(
        cases=cases,
        problems=[CorpusProblem(Path(f"p{i}.json"), "is not valid JSON") for i in range(problems)],
    )
    findings = [
        finding_of(
            surface="planted",
            signature=SIGNATURE,
            input="<",
            left=OPEN.left,
            right=OPEN.right,
            comparison=Comparison("json", OPEN.differences),
            compare_spec=CompareSpec(),
            runtimes=("rust", "go"),
            status=status,
        )
        for status in [FindingStatus.NEW] * new_findings + [FindingStatus.KNOWN] * known_findings
    ]
    surface = SurfaceResult(
        "planted",
        ("rust", "go"),
        CompareSpec(),
        findings=findings,
        aborted="runtime 'go' failed 5 calls in a row" if aborted else "",
    )
    campaign = CampaignResult(surfaces=[surface], seed=1, started_at="")
    return CIResult(
        replay=replay,
        gate=[CIOutcome(case, status) for case, status in zip(cases, statuses, strict=True)],
        campaign=campaign,
    )


@pytest.mark.parametrize(
    ("result", "code"),
    [
        (gate_result(), 0),
        (gate_result(GateStatus.OPEN, GateStatus.GAP_OPEN, GateStatus.FLAKY), 0),
        (gate_result(GateStatus.OK_FIXED, GateStatus.BOTH_FAILING, known_findings=2), 0),
        (gate_result(GateStatus.NOT_CONFIGURED), 0),
        (gate_result(GateStatus.REGRESSION), 1),
        (gate_result(GateStatus.CHANGED), 1),
        (gate_result(GateStatus.GAP_CLOSED), 1),
        (gate_result(new_findings=1), 1),
        (gate_result(problems=1), 2),
        (gate_result(GateStatus.REGRESSION, problems=1), 2),  # an unreadable file wins
        (gate_result(GateStatus.UNREACHABLE, GateStatus.REGRESSION), 3),
        (gate_result(aborted=True, new_findings=1), 3),
    ],
)
def test_exit_code(result: CIResult, code: int) -> None:
    assert ci_exit(result) == code
    # The policy is the CLI's: the record holds facts, not the code.
    assert "exit_code" not in result.to_json()


def test_counts_in_the_result() -> None:
    result = gate_result(
        GateStatus.REGRESSION, GateStatus.OPEN, GateStatus.CHANGED, new_findings=2, known_findings=1
    )
    assert result.new_findings == 2
    assert [o.status for o in result.regressions] == [GateStatus.REGRESSION, GateStatus.CHANGED]
    record = result.to_json()
    assert (record["new_findings"], record["regressions"]) == (2, 2)
    assert [g["gate"] for g in record["gate"]] == ["regression", "open", "changed"]
    assert CIResult(ReplayResult()).new_findings == 0


def test_a_fix_without_its_date_is_listed_as_unrecorded() -> None:
    cases = [
        ReplayCase(OPEN, ReplayVerdict.FIXED),
        ReplayCase(FIXED_BEFORE, ReplayVerdict.FIXED),
        ReplayCase(OPEN, ReplayVerdict.STILL_DIVERGENT),
        ReplayCase(MARKED_GAP, ReplayVerdict.FIXED),
    ]
    result = CIResult(ReplayResult(cases), gate=[CIOutcome(c, classify(c)) for c in cases])
    assert [o.case for o in result.unrecorded_fixes] == [cases[0]]
    assert ci_exit(result) == 1  # the closed gap; the unrecorded fix alone passes


# -- run_ci end to end -----------------------------------------------------------


def test_a_fixed_fixture_that_diverges_again_is_a_regression(tmp_path: Path) -> None:
    config = replay_config()
    corpus = Corpus(tmp_path)
    corpus.rewrite(saved_fixture(tmp_path, config), fixed_at="2024-06-01T00:00:00+00:00")
    result = run_ci(config, corpus=corpus, budget=10, seed=1, fuzz=False)
    (outcome,) = result.gate
    assert outcome.status is GateStatus.REGRESSION
    assert result.campaign is None
    assert ci_exit(result) == 1


def test_a_fixture_of_a_surface_outside_the_config_is_not_replayed(tmp_path: Path) -> None:
    config = replay_config()
    corpus = Corpus(tmp_path)
    saved_fixture(tmp_path, config)
    corpus.save(changed(fixture(), surface="elsewhere"))
    result = run_ci(config, corpus=corpus, budget=10, seed=1, fuzz=False)
    assert [o.case.fixture.surface for o in result.gate] == ["planted"]


def test_an_unreachable_runtime_skips_the_fuzz_run(tmp_path: Path) -> None:
    saved_fixture(tmp_path, replay_config())
    url = f"http://127.0.0.1:{closed_port()}"
    http = parse_config(
        {
            "runtimes": {"rust": {"base_url": url}, "go": {"base_url": url}},
            "surfaces": {"planted": {"strategy": "planted_text", "transport": "http"}},
        },
        source="http.toml",
        base_dir=tmp_path,
    )
    result = run_ci(http, corpus=Corpus(tmp_path), budget=10, seed=1)
    assert [o.status for o in result.gate] == [GateStatus.UNREACHABLE]
    assert result.campaign is None
    assert ci_exit(result) == 3


def _summary(result: CIResult) -> dict[str, Any]:
    assert result.campaign is not None
    # How often each signature was hit and the verdict counts depend on every
    # generated input, not just on the shrunk results: they show a change of seed.
    stats = [s.stats.to_json() for s in result.campaign.surfaces]
    for record in stats:
        del record["elapsed_s"], record["examples_per_s"]
    return {
        "findings": [
            (f.signature.id, json.dumps(f.to_json()["input"]), f.status.value, f.occurrences)
            for f in result.campaign.findings
        ],
        "gate": [(o.case.fixture.id, o.case.verdict.value, o.status.value) for o in result.gate],
        "stats": stats,
    }


def _without_timestamps(path: Path) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    del record["found_at"]
    for outcome in record["outcomes"].values():
        del outcome["elapsed"]
    return record


def test_run_ci_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    config = planted_config("two_bugs_left", "two_bugs_right", "planted_numbers", polish=True)
    runs = []
    for name in ("a", "b"):
        corpus = Corpus(tmp_path / name)
        found = run_ci(config, corpus=corpus, budget=300, seed=20240601)
        replayed = run_ci(config, corpus=corpus, budget=300, seed=20240601)
        saved = [_without_timestamps(path) for path in corpus.files()]
        runs.append((_summary(found), _summary(replayed), [p.name for p in corpus.files()], saved))
    assert runs[0] == runs[1]
    first, second, files, _ = runs[0]
    # The first run found and saved something; the second replayed it, found it again
    # as known, and saved nothing new.
    assert first["findings"]
    assert first["gate"] == []
    assert {finding[2] for finding in first["findings"]} == {"new"}
    assert {finding[2] for finding in second["findings"]} == {"known"}
    assert [g[2] for g in second["gate"]] == ["open"] * len(files)
    assert len(files) == len(first["findings"])


def test_the_determinism_check_would_see_another_seed(tmp_path: Path) -> None:
    # Guards the test above: its summary must differ between seeds, or "identical"
    # would prove nothing.
    config = planted_config("two_bugs_left", "two_bugs_right", "planted_numbers", polish=True)
    one = run_ci(config, corpus=Corpus(tmp_path / "a"), budget=300, seed=20240601)
    other = run_ci(config, corpus=Corpus(tmp_path / "b"), budget=300, seed=7)
    assert _summary(one) != _summary(other)
    assert one.campaign is not None
    assert sorted(as_int(f.input) for f in one.campaign.findings) == [-7, 1001]

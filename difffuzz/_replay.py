"""Replaying saved fixtures: is each divergence still there, gone, or changed?

Each fixture's input is sent again to both runtimes, as the *current* config
says to reach them (their answers redacted of the config's secrets, as the
fixture's stored ones are), and judged by the comparator spec saved *in the fixture*
(so a fixture keeps meaning what it meant when it was found), normalize steps
included, unless the caller asks to judge by the current config. Each fixture
is sent twice; two different verdicts make it ``flaky``.

A fixture whose divergence a *tracked* known gap of the config now normalises
away (the gap's steps absorb exactly the fixture's signature) is that gap's
fixture: reported as a known gap, like one matched by signature.

Verdicts::

    still_divergent        the same signature again
    fixed                  the runtimes now agree
    diverges_differently   they still disagree, differently (a new signature)
    flaky                  two sends, two different verdicts
    both_failing           both runtimes fail on it the same way
    unreachable            a runtime could not be reached
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from difffuzz._config import Config, SurfaceSpec
from difffuzz._corpus import CorpusProblem, Fixture
from difffuzz._exceptions import ConfigError, RegistryError
from difffuzz._judge import Judge
from difffuzz._plan import open_both, transports_of
from difffuzz._results import Observation, Verdict
from difffuzz._secrets import Redactor
from difffuzz._signature import Signature
from difffuzz._transports.base import Transport

__all__ = [
    "ReplayCase",
    "ReplayResult",
    "ReplayVerdict",
    "config_gap_reason",
    "replay_fixtures",
    "tracked_gap_reason",
]


class ReplayVerdict(StrEnum):
    STILL_DIVERGENT = "still_divergent"
    FIXED = "fixed"
    DIVERGES_DIFFERENTLY = "diverges_differently"
    FLAKY = "flaky"
    BOTH_FAILING = "both_failing"
    UNREACHABLE = "unreachable"
    NOT_CONFIGURED = "not_configured"


@dataclass(frozen=True)
class ReplayCase:
    fixture: Fixture
    verdict: ReplayVerdict
    observation: Observation | None = None
    #: What changed, in words, for diverges_differently / flaky / unreachable.
    detail: str = ""
    #: Why the divergence is accepted: from the fixture or the config's known_gaps
    #: (for diverges_differently: a config gap that covers the *new* divergence).
    gap_reason: str = ""

    @property
    def is_gap(self) -> bool:
        # A fixture's own marking accepts the divergence it recorded, not a new one:
        # a known gap whose behaviour changed is a change, like any other fixture.
        if self.verdict is ReplayVerdict.DIVERGES_DIFFERENTLY:
            return bool(self.gap_reason)
        return bool(self.gap_reason or self.fixture.known_gap)

    @property
    def fails(self) -> bool:
        """Does this case fail ``difffuzz replay``? (Known gaps never do.)"""
        if self.is_gap:
            return False
        return self.verdict in (
            ReplayVerdict.STILL_DIVERGENT,
            ReplayVerdict.DIVERGES_DIFFERENTLY,
            ReplayVerdict.FLAKY,
        )

    @property
    def gap_closed(self) -> bool:
        return self.is_gap and self.verdict is ReplayVerdict.FIXED

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "fixture": str(self.fixture.path) if self.fixture.path else self.fixture.id,
            "surface": self.fixture.surface,
            "signature": self.fixture.signature.id,
            "label": self.fixture.signature.label,
            "verdict": self.verdict.value,
            "known_gap": self.gap_reason or self.fixture.known_gap,
            "detail": self.detail,
        }
        if self.observation is not None and self.observation.signature is not None:
            record["new_signature"] = self.observation.signature.to_json()
        return record


@dataclass
class ReplayResult:
    cases: list[ReplayCase] = field(default_factory=list)
    problems: list[CorpusProblem] = field(default_factory=list)

    def count(self, verdict: ReplayVerdict) -> int:
        return sum(1 for case in self.cases if case.verdict is verdict)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": "difffuzz.replay/1",
            "summary": {v.value: self.count(v) for v in ReplayVerdict},
            "cases": [case.to_json() for case in self.cases],
            "problems": [str(problem) for problem in self.problems],
        }


def judge_for(
    fixture: Fixture, surface: SurfaceSpec, runtimes: tuple[str, str], *, by_config: bool
) -> Judge:
    """The judge a fixture is replayed with (its own saved spec, unless ``by_config``)."""
    if by_config:
        return Judge(surface, runtimes)
    saved = replace(
        surface,
        collapse=fixture.collapse,
        answer_status=fixture.answer_status,
    )
    return Judge(saved, runtimes, compare_override=fixture.compare)


def describe_change(old: Signature, new: Signature) -> str:
    """Say in words how a signature changed: which parts and statuses appeared or went."""
    pieces = []
    if old.statuses != new.statuses:
        pieces.append(f"statuses {list(old.statuses)} -> {list(new.statuses)}")
    gone = sorted(set(old.parts) - set(new.parts))
    came = sorted(set(new.parts) - set(old.parts))
    if gone:
        pieces.append("no longer: " + ", ".join(f"{k} {p or '/'}" for k, p, _ in gone))
    if came:
        pieces.append(
            "now also: "
            + ", ".join(
                f"{k} {p or '/'}" + (f" on {q}" if k == "property" else "") for k, p, q in came
            )
        )
    return "; ".join(pieces) or "the signature changed"


def _which_side(fixture: Fixture, observation: Observation) -> str:
    sides = []
    if observation.left.body != fixture.left.body or observation.left.status != fixture.left.status:
        sides.append(fixture.runtimes[0])
    if (
        observation.right.body != fixture.right.body
        or observation.right.status != fixture.right.status
    ):
        sides.append(fixture.runtimes[1])
    if not sides:
        return ""
    return " (answer changed on " + " and ".join(sides) + ")"


def replay_one(
    fixture: Fixture, judge: Judge, left: Transport, right: Transport, *, attempts: int = 2
) -> ReplayCase:
    observations = []
    for _ in range(attempts):
        first, second = left.send(fixture.input), right.send(fixture.input)
        observations.append(judge.judge(fixture.input, first, second))
    observation = observations[0]
    if any(o.verdict is Verdict.INFRA_ERROR for o in observations):
        broken = next(o for o in observations if o.verdict is Verdict.INFRA_ERROR)
        side = broken.left if broken.left.is_infrastructure_failure else broken.right
        return ReplayCase(
            fixture,
            ReplayVerdict.UNREACHABLE,
            broken,
            detail=side.detail or "a runtime did not answer",
        )
    keys = {(o.verdict, o.signature) for o in observations}
    if len(keys) > 1:
        verdicts = ", ".join(
            o.verdict.value + (f" {o.signature.id}" if o.signature else "") for o in observations
        )
        return ReplayCase(
            fixture, ReplayVerdict.FLAKY, observation, detail=f"{attempts} sends gave: {verdicts}"
        )
    if observation.verdict is Verdict.MATCH:
        return ReplayCase(fixture, ReplayVerdict.FIXED, observation)
    if observation.verdict is Verdict.BOTH_FAILED:
        return ReplayCase(
            fixture,
            ReplayVerdict.BOTH_FAILING,
            observation,
            detail=f"both answered {observation.left.summary()}",
        )
    assert observation.signature is not None
    if observation.signature == fixture.signature:
        return ReplayCase(fixture, ReplayVerdict.STILL_DIVERGENT, observation)
    return ReplayCase(
        fixture,
        ReplayVerdict.DIVERGES_DIFFERENTLY,
        observation,
        detail=describe_change(fixture.signature, observation.signature)
        + _which_side(fixture, observation),
    )


def _gap_reason(case: ReplayCase, surface: SurfaceSpec, runtimes: tuple[str, str]) -> str:
    """Why the case's divergence is accepted, or "" (see :attr:`ReplayCase.is_gap`)."""
    observed = case.observation.signature if case.observation is not None else None
    if case.verdict is ReplayVerdict.DIVERGES_DIFFERENTLY and observed is not None:
        gap = surface.known_gap(observed)
        return gap.reason if gap is not None else _tracked_gap(case, surface, runtimes, observed)
    gap = surface.known_gap(case.fixture.signature)
    if case.fixture.known_gap or gap is not None:
        return case.fixture.known_gap or (gap.reason if gap is not None else "")
    return _tracked_gap(case, surface, runtimes, case.fixture.signature)


def _tracked_gap(
    case: ReplayCase, surface: SurfaceSpec, runtimes: tuple[str, str], signature: Signature
) -> str:
    observation = case.observation
    if observation is None or observation.verdict is not Verdict.DIVERGENCE:
        return ""
    return tracked_gap_reason(surface, runtimes, signature, observation)


def tracked_gap_reason(
    surface: SurfaceSpec,
    runtimes: tuple[str, str],
    signature: Signature,
    answers: Observation | Fixture,
) -> str:
    """The reason of a tracked gap whose steps absorb exactly ``signature`` in these
    answers (judged again by the config's spec, without sending), or "".

    With a fixture's stored answers it tells, before anything runs, that the
    fixture stands for a gap the config now tracks (the pytest plugin marks it).
    """
    if not any(gap.tracked for gap in surface.known_gaps):
        return ""
    again = Judge(surface, runtimes).judge(answers.input, answers.left, answers.right)
    return next((hit.reason for hit in again.gap_hits if hit.signature == signature), "")


def config_gap_reason(config: Config, fixture: Fixture) -> str:
    """Why the config accepts what ``fixture`` recorded (a ``known_gaps`` entry, or a
    tracked gap whose steps absorb it), or "": what ``corpus list`` and the pytest
    plugin show before anything is sent, as replay would count it."""
    surface = config.surfaces.get(fixture.surface)
    if surface is None:
        return ""
    gap = surface.known_gap(fixture.signature)
    if gap is not None:
        return gap.reason
    return tracked_gap_reason(surface, config.runtime_names, fixture.signature, fixture)


def replay_fixtures(
    config: Config,
    fixtures: Iterable[Fixture],
    *,
    by_config: bool = False,
    problems: Sequence[CorpusProblem] = (),
    on_case: Callable[[ReplayCase], None] | None = None,
) -> ReplayResult:
    """Replay ``fixtures`` against the runtimes of ``config`` (one transport pair per surface)."""
    result = ReplayResult(problems=list(problems))
    transports: dict[str, tuple[Transport, Transport]] = {}
    redactor = Redactor(config.secrets)
    try:
        for fixture in fixtures:
            surface = config.surfaces.get(fixture.surface)
            if surface is None:
                case = ReplayCase(
                    fixture,
                    ReplayVerdict.NOT_CONFIGURED,
                    detail=f"surface {fixture.surface!r} is not in {config.path}; add it "
                    "to the config or delete the fixture",
                )
            else:
                if surface.name not in transports:
                    transports[surface.name] = open_both(transports_of(config, surface))
                left, right = transports[surface.name]
                try:
                    judge = judge_for(fixture, surface, config.runtime_names, by_config=by_config)
                    # A fixture saved before its secrets were redacted: set beside
                    # the live answers redacted, and rewritten so by --update.
                    fixture = replace(
                        fixture,
                        divergence=replace(
                            fixture.divergence,
                            left=redactor.outcome(fixture.left),
                            right=redactor.outcome(fixture.right),
                        ),
                    )
                    case = replay_one(fixture, judge, left, right)
                except (ConfigError, RegistryError) as error:
                    # One fixture whose saved spec cannot judge (an unknown rule, a bad
                    # parameter) is that file's problem, not the end of the replay.
                    where = fixture.path or Path(f"<{fixture.surface}/{fixture.id}>")
                    result.problems.append(
                        CorpusProblem(where, f"its saved compare spec cannot judge: {error}")
                    )
                    continue
                reason = _gap_reason(case, surface, config.runtime_names)
                if reason:
                    case = replace(case, gap_reason=reason)
            result.cases.append(case)
            if on_case is not None:
                on_case(case)
    finally:
        for left, right in transports.values():
            left.close()
            right.close()
    return result

"""From a surface's causes to the findings a campaign reports and saves.

One finding per cause, in the order found, each confirmed by resending its
minimal input; then the corpus's causes this run met again (known findings,
shown as the corpus holds them: the fixture's input and answers, with its own
seed beside its own date).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from difffuzz._bucket import Bucket
from difffuzz._comparators.base import CompareSpec
from difffuzz._config import SurfaceSpec
from difffuzz._corpus import Fixture
from difffuzz._divergence import Divergence
from difffuzz._engine.causes import Causes, KnownCauses
from difffuzz._engine.classify import classify
from difffuzz._engine.confirm import Confirmation, doubt_chance_faults
from difffuzz._inputs import input_sort_key
from difffuzz._results import Finding, Observation

__all__ = ["FindingMaker", "now_iso"]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class FindingMaker:
    """Builds the findings of one surface run."""

    surface: SurfaceSpec
    runtimes: tuple[str, str]
    compare_spec: CompareSpec
    #: Examples that hit each bucket while exploring (a finding's "seen N times").
    hits: Mapping[Bucket, int]

    def of_causes(
        self,
        causes: Causes,
        known: KnownCauses,
        *,
        confirm: Callable[[Observation], Confirmation],
        aborted: bool,
        seed: int | None,
        confirm_again: Callable[[Observation], Confirmation] | None = None,
    ) -> list[Finding]:
        """Every cause, confirmed (a fault in doubt by ``confirm_again`` too, see
        :func:`.confirm.doubt_chance_faults`); then the known causes met again."""
        findings = []
        matched: set[str] = set()
        judged = [(cause.best, confirm(cause.best)) for cause in causes]
        verdicts = (
            [confirmation for _, confirmation in judged]
            if confirm_again is None
            else doubt_chance_faults(judged, confirm_again)
        )
        for cause, confirmation in zip(causes, verdicts, strict=True):
            observation = cause.best
            fixture = known.match(observation)
            superseded = [f for f in known.superseded(observation) if f.path]
            shrunk = cause.shrunk and not aborted
            if fixture is None and superseded and shrunk:
                fixture = superseded[0]  # the unshrunk fixture of this cause, now shrunk
            if fixture is None:
                replaced = [str(f.path) for f in superseded]
            elif _improves(observation, fixture, shrunk=shrunk):
                replaced = [str(f.path) for f in (fixture, *superseded) if f.path]
                replaced = list(dict.fromkeys(replaced))
            else:
                replaced = []
            if fixture is not None and fixture.path is not None:
                matched.add(str(fixture.path))
            matched.update(replaced)
            stored = next((o for f, o in known.observations if f is fixture), observation)
            findings.append(
                self.finding(
                    observation if replaced else stored,
                    fixture,
                    seed=fixture.seed if fixture is not None and not replaced else seed,
                    flaky=confirmation.flaky,
                    reproduced=(confirmation.reproduced, confirmation.sent),
                    shrunk=shrunk,
                    bucket=cause.bucket,
                    shrink_calls=cause.shrink_calls,
                    merged=cause.merged,
                    replaces=tuple(replaced),
                )
            )
        for fixture, observation in known.observations:
            bucket = observation.bucket
            if bucket is None or bucket not in self.hits or str(fixture.path) in matched:
                continue
            matched.add(str(fixture.path))
            findings.append(
                self.finding(
                    observation,
                    fixture,
                    seed=fixture.seed,
                    flaky=fixture.flaky,
                    shrunk=fixture.shrunk,
                    bucket=bucket,
                )
            )
        return findings

    def finding(
        self,
        observation: Observation,
        fixture: Fixture | None,
        *,
        seed: int | None,
        flaky: bool,
        shrunk: bool,
        bucket: Bucket,
        shrink_calls: int = 0,
        merged: int = 0,
        replaces: tuple[str, ...] = (),
        reproduced: tuple[int, int] = (0, 0),
    ) -> Finding:
        assert observation.signature is not None
        verdict = classify(observation.signature, self.surface, fixture)
        return Finding(
            Divergence(
                surface=self.surface.name,
                signature=observation.signature,
                input=observation.input,
                runtimes=self.runtimes,
                left=observation.left,
                right=observation.right,
                comparison=observation.comparison,
                compare=self.compare_spec,
            ),
            status=verdict.status,
            shrunk=shrunk,
            flaky=flaky,
            occurrences=self.hits.get(bucket, 1),
            gap_reason=verdict.reason,
            fixture_path=str(fixture.path) if fixture and fixture.path else None,
            seed=seed,
            # "Since when": a known finding keeps the date its fixture was found.
            found_at=fixture.found_at if fixture and fixture.found_at else now_iso(),
            bucket=bucket,
            shrink_calls=shrink_calls,
            merged=merged,
            replaces=replaces,
            reproduced=reproduced,
        )


def _improves(observation: Observation, fixture: Fixture, *, shrunk: bool) -> bool:
    """Does a cause met again, shrunk to its end, improve on its unshrunk fixture?

    A fixture saved unshrunk (Ctrl-C, a time box) is not finished: the next campaign
    that meets its cause and shrinks it replaces it with the smaller input, keeping
    the fixture's date (the finding stays known: a CI run does not fail on it).
    """
    return (
        shrunk
        and not fixture.shrunk
        and input_sort_key(observation.input) < input_sort_key(fixture.input)
    )

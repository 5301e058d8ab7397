"""Is a runtime down or broken? Two checks that stop a surface instead of filling a corpus.

* :class:`InfraPolicy`: infrastructure failures (refused, timed out) in a row on
  one surface past ``infra_error_limit`` stop the surface; each failure is kept as
  an :class:`InfraEvent` for the report (never a finding).
* :class:`BrokenRuntimeCheck`: one runtime failing *the same way* on every one of
  its first ``BROKEN_AFTER`` inputs while the other answers is a broken helper or
  route (a typo in an argv, a missing module), not a divergence.

Both raise :class:`SurfaceAborted`, which the surface loop turns into
``SurfaceResult.aborted`` with its message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from difffuzz._outcome import Outcome
from difffuzz._results import InfraEvent, Observation

__all__ = ["BROKEN_AFTER", "BrokenRuntimeCheck", "InfraPolicy", "SurfaceAborted"]

#: A runtime failing identically on this many first inputs, while the other
#: answers, is taken for broken.
BROKEN_AFTER = 20
#: InfraEvents kept per surface for the report.
MAX_INFRA_EVENTS = 200


class SurfaceAborted(BaseException):
    """Stops a surface from inside a Hypothesis test (a runtime is down or broken).

    A ``BaseException`` so that Hypothesis does not take it for a failing example
    and try to shrink it, exactly as it lets ``KeyboardInterrupt`` through.
    """

    def __init__(self, reason: str, *, broken_runtime: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        #: One runtime failed identically on every input: no divergence seen is real.
        self.broken_runtime = broken_runtime


@dataclass
class InfraPolicy:
    """Counts infrastructure failures in a row; past the limit the surface stops."""

    surface: str
    runtimes: tuple[str, str]
    targets: tuple[str, str]
    limit: int
    in_a_row: int = 0
    events: list[InfraEvent] = field(default_factory=list)

    def note(self, observation: Observation) -> None:
        """Record a call judged ``infra_error``; raises SurfaceAborted past the limit."""
        self.in_a_row += 1
        sides = (observation.left, observation.right)
        for name, outcome, target in zip(self.runtimes, sides, self.targets, strict=True):
            if not outcome.is_infrastructure_failure:
                continue
            assert outcome.failure is not None
            if len(self.events) < MAX_INFRA_EVENTS:
                self.events.append(
                    InfraEvent(
                        surface=self.surface,
                        runtime=name,
                        target=target,
                        failure=outcome.failure.value,
                        detail=outcome.detail,
                        input=observation.input,
                    )
                )
            if self.in_a_row >= self.limit:
                raise SurfaceAborted(
                    f"runtime {name!r} failed {self.in_a_row} calls in a row "
                    f"({outcome.failure.value}: {outcome.detail or 'no detail'}) at "
                    f"{target}; check that it is running and answers within "
                    "the timeout, or raise [campaign] timeout / infra_error_limit"
                )

    def reset(self) -> None:
        """A call got through on both sides."""
        self.in_a_row = 0


@dataclass
class BrokenRuntimeCheck:
    """Watches the first inputs of a surface for a runtime that never answers.

    ``answered(index, outcome)`` says whether runtime ``index`` (0 left, 1 right)
    answered; it is the judge's rule, passed in so this check knows no surface.
    """

    surface: str
    runtimes: tuple[str, str]
    answered: Callable[[int, Outcome], bool]
    after: int = BROKEN_AFTER
    _first_failures: list[object] = field(default_factory=lambda: [None, None])
    _failure_runs: list[int] = field(default_factory=lambda: [0, 0])
    _other_answered: int = 0
    _seen: int = 0
    done: bool = False

    def check(self, observation: Observation) -> None:
        """Feed one explored (not shrinking) observation; raises SurfaceAborted if broken."""
        if self.done:
            return
        self._seen += 1
        sides = (observation.left, observation.right)
        for index, outcome in enumerate(sides):
            failed = not self.answered(index, outcome)
            key = (outcome.status, outcome.failure, outcome.body, outcome.stderr[-2000:])
            if failed and self._first_failures[index] in (None, key):
                self._first_failures[index] = key
                self._failure_runs[index] += 1
            else:
                self._first_failures[index] = ("answered",)
        self._other_answered += int(self.answered(0, sides[0]) or self.answered(1, sides[1]))
        for index, run in enumerate(self._failure_runs):
            if run >= self.after and run == self._seen and self._other_answered >= self.after // 2:
                outcome = sides[index]
                name = self.runtimes[index]
                said = (outcome.stderr or outcome.body).decode("utf-8", "replace").strip()
                raise SurfaceAborted(
                    f"runtime {name!r} failed the same way on all of its first {run} inputs "
                    f"({outcome.summary()}{': ' + said[-300:] if said else ''}) while the "
                    f"other runtime answered; its helper or route is probably broken: check "
                    f"surfaces.{self.surface}.runtimes.{name} in the config",
                    broken_runtime=True,
                )
        if self._seen >= self.after:
            self.done = True

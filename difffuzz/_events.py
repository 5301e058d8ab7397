"""Events the engine emits while it runs; the CLI's progress display consumes them.

The engine never prints: it calls a listener with these records, and whoever
sits on top (a rich progress bar, plain CI log lines, a test) decides what to show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from difffuzz._results import CampaignResult, SurfaceResult, Verdict

__all__ = [
    "CampaignFailed",
    "CausesResolved",
    "Event",
    "ExampleObserved",
    "FindingRecorded",
    "Listener",
    "ShrinkCalled",
    "ShrinkingStarted",
    "SurfaceFinished",
    "SurfaceStarted",
    "ignore_events",
]


@dataclass(frozen=True)
class SurfaceStarted:
    surface: str
    budget: int


@dataclass(frozen=True)
class ExampleObserved:
    surface: str
    verdict: Verdict


@dataclass(frozen=True)
class FindingRecorded:
    """A signature seen for the first time in this run."""

    surface: str
    signature_id: str
    label: str


@dataclass(frozen=True)
class ShrinkCalled:
    """One call made while shrinking (or polishing) a finding: not an example.

    Shrinking a slow surface can take minutes with no example explored; this
    is what lets a log show the surface is still at work.
    """

    surface: str
    calls: int  # shrink calls on this surface so far


@dataclass(frozen=True)
class ShrinkingStarted:
    """Hypothesis began shrinking this round's divergences (``origins`` of them).

    A live view shows "shrinking" from here until the next :class:`CausesResolved`.
    """

    surface: str
    origins: int


@dataclass(frozen=True)
class CausesResolved:
    """A round ended: its shrunk divergences were matched against the causes known.

    ``causes`` is the surface's count so far, ``new`` how many this round added
    (the live view's "causes found" and "time since the last new one").
    """

    surface: str
    causes: int
    new: int


@dataclass(frozen=True)
class SurfaceFinished:
    surface: str
    result: SurfaceResult


@dataclass(frozen=True)
class CampaignFailed:
    """A tool error stops the campaign: ``result`` holds the surfaces so far, their
    findings saved, and the error. Sent just before the error is raised, so that
    a command can still print and write the reports of what was found."""

    result: CampaignResult


Event = (
    SurfaceStarted
    | ExampleObserved
    | FindingRecorded
    | ShrinkCalled
    | ShrinkingStarted
    | CausesResolved
    | SurfaceFinished
    | CampaignFailed
)
Listener = Callable[[Event], None]


def ignore_events(event: Event) -> None:
    """The default listener."""

"""The events a live view needs: shrinking in progress, causes found per round."""

from __future__ import annotations

from hypothesis import strategies as st

from difffuzz._engine import SurfaceCampaign, SurfaceSettings
from difffuzz._events import CausesResolved, Event, ExampleObserved, ShrinkingStarted
from difffuzz._transports import MockTransport
from tests.planted import planted_text
from tests.test_engine_answers import RUNTIMES, SURFACE, escaping


def events_of(strategy: st.SearchStrategy[str], right: MockTransport) -> list[Event]:
    seen: list[Event] = []
    runner = SurfaceCampaign(
        SURFACE,
        runtimes=RUNTIMES,
        left=MockTransport(lambda value: (0, value)),
        right=right,
        settings=SurfaceSettings(max_examples=300, seed=1),
        listener=seen.append,
    )
    runner.run(strategy)
    runner.close()
    return seen


def test_shrinking_is_announced_before_the_round_resolves_its_causes() -> None:
    seen = [
        e
        for e in events_of(planted_text(), MockTransport(escaping))
        if not isinstance(e, ExampleObserved)
    ]
    shrinking = [i for i, e in enumerate(seen) if isinstance(e, ShrinkingStarted)]
    resolved = [(i, e) for i, e in enumerate(seen) if isinstance(e, CausesResolved)]
    assert shrinking
    assert resolved
    assert shrinking[0] < resolved[0][0]
    first = resolved[0][1]
    assert (first.surface, first.causes, first.new) == ("planted", 1, 1)
    # Later rounds find the same cause again: nothing new.
    assert all(e.new == 0 and e.causes == 1 for _, e in resolved[1:])


def test_nothing_to_shrink_announces_nothing() -> None:
    seen = events_of(st.text(alphabet="ab"), MockTransport(escaping))
    assert not [e for e in seen if isinstance(e, ShrinkingStarted | CausesResolved)]
    assert sum(isinstance(e, ExampleObserved) for e in seen) == 300

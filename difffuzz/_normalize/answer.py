"""An answer after its normalize steps: the raw bytes kept, the parsed value replaced.

The judge hands comparators a :class:`NormalizedOutcome`: ``json`` is the
normalised value, while ``body``, ``status`` and everything else are the raw
answer's, so the ``spelling`` mode can still read each token as the runtime
wrote it, and reports can show both.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cached_property
from typing import Any

from difffuzz._jsontypes import JSONValue
from difffuzz._normalize.registry import Pipeline
from difffuzz._outcome import NotJSON, Outcome

__all__ = ["NormalizedOutcome", "normalize_outcome"]


@dataclass(frozen=True)
class NormalizedOutcome(Outcome):
    """``raw`` with its parsed value replaced by ``normalized``."""

    normalized: Any = None
    raw: Outcome | None = None

    @cached_property
    def json(self) -> JSONValue | NotJSON:
        value: JSONValue | NotJSON = self.normalized
        return value


_OUTCOME_FIELDS = tuple(f.name for f in fields(Outcome))


def normalize_outcome(outcome: Outcome, pipeline: Pipeline) -> Outcome:
    """``outcome`` with ``pipeline`` applied to its parsed body (NormalizeError on failure).

    A body that is not JSON is left alone: the validity gate judges it.
    """
    if not pipeline or isinstance(outcome.json, NotJSON):
        return outcome
    if isinstance(outcome, NormalizedOutcome) and outcome.raw is not None:
        outcome = outcome.raw
    value = pipeline.apply(outcome.json)
    copied = {name: getattr(outcome, name) for name in _OUTCOME_FIELDS}
    return NormalizedOutcome(**copied, normalized=value, raw=outcome)

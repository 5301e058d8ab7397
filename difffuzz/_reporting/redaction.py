"""No report shows a secret: a campaign result with every secret value replaced.

Reproduction commands never hold secrets (they read them from the environment,
see :mod:`difffuzz._repro`). What else a report shows comes from the runtimes
and the transports: a runtime that echoes the ``Authorization`` header in its
error body, a helper that prints its token to stderr, a URL with a credential
in a failure message. Before any reporter sees a result, :func:`redact_campaign`
replaces each secret value in those places with its mark
(``[redacted $LAKEHOUSE_TOKEN]``). Inputs are left alone: they are generated,
and the reproductions are built from them. (The campaign's answers arrive
redacted already, see :mod:`difffuzz._transports.redacted`; this pass is for
whatever else a result carries, and for results built elsewhere.)
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from difffuzz._comparators.base import Comparison
from difffuzz._divergence import Divergence
from difffuzz._outcome import Outcome
from difffuzz._results import CampaignResult, Finding, InfraEvent, SurfaceResult
from difffuzz._secrets import Redactor

__all__ = ["redact_campaign", "redact_divergence", "redact_outcome"]


def redact_campaign(result: CampaignResult, redactor: Redactor) -> CampaignResult:
    """``result`` with every secret value replaced (the same object when there are none)."""
    if not redactor:
        return result
    return replace(result, surfaces=[_surface(s, redactor) for s in result.surfaces])


def _surface(surface: SurfaceResult, redactor: Redactor) -> SurfaceResult:
    return replace(
        surface,
        findings=[_finding(f, redactor) for f in surface.findings],
        infra_events=[_infra(e, redactor) for e in surface.infra_events],
        aborted=redactor.text(surface.aborted),
    )


def _finding(finding: Finding, redactor: Redactor) -> Finding:
    return replace(finding, divergence=redact_divergence(finding.divergence, redactor))


def redact_divergence(divergence: Divergence, redactor: Redactor) -> Divergence:
    """Both answers and every difference's values without a secret: what a finding
    and a fixture of it share, redacted once for either."""
    return replace(
        divergence,
        left=redact_outcome(divergence.left, redactor),
        right=redact_outcome(divergence.right, redactor),
        comparison=_comparison(divergence.comparison, redactor),
    )


def redact_outcome(outcome: Outcome, redactor: Redactor) -> Outcome:
    """An outcome whose body, stderr, headers and detail hold no secret value."""
    return redactor.outcome(outcome)


def _comparison(comparison: Comparison, redactor: Redactor) -> Comparison:
    differences = tuple(
        replace(
            d,
            left=_value(d.left, redactor),
            right=_value(d.right, redactor),
            detail=redactor.text(d.detail),
        )
        for d in comparison.differences
    )
    return replace(comparison, differences=differences)


def _value(value: Any, redactor: Redactor) -> Any:
    """A difference's excerpt (JSON value, text or bytes) with secrets replaced."""
    if isinstance(value, str):
        return redactor.text(value)
    if isinstance(value, bytes):
        return redactor.bytes(value)
    if isinstance(value, list):
        return [_value(item, redactor) for item in value]
    if isinstance(value, dict):
        return {redactor.text(str(k)): _value(v, redactor) for k, v in value.items()}
    return value


def _infra(event: InfraEvent, redactor: Redactor) -> InfraEvent:
    return replace(event, target=redactor.text(event.target), detail=redactor.text(event.detail))

"""One validated settings object per surface run, instead of copied keyword arguments."""

from __future__ import annotations

from dataclasses import dataclass

from difffuzz._config import CampaignSettings, SurfaceSpec

__all__ = ["SurfaceSettings"]


@dataclass(frozen=True)
class SurfaceSettings:
    """How long and how hard one surface is fuzzed (see :class:`difffuzz.Config`)."""

    max_examples: int = 200
    seed: int = 0
    #: Infrastructure failures in a row before the surface stops.
    infra_error_limit: int = 5
    #: Examples sent twice to each runtime to learn noise (0: off).
    learn_noise: int = 0
    #: Distinct signatures kept; past it, further ones are only counted.
    max_signatures: int = 40
    #: Seconds the surface may spend (exploring + shrinking); None: no limit.
    max_seconds: float | None = None
    #: Value-level polish calls per finding.
    polish_budget: int = 60
    #: Calls spent shrinking each finding, beyond the examples.
    shrink_budget: int = 500
    #: Candidates per known bucket that may turn out to be known causes, and
    #: candidates shrunk per surface (see ``surface``).
    candidates_per_bucket: int = 8
    max_candidates: int = 40
    #: Value-level polishing after Hypothesis (only for strategies closed under it).
    polish: bool = False
    #: Re-sends of each finding's minimal input that must reproduce it.
    confirmations: int = 3
    #: Both runtimes are called at once (False: left, then right).
    concurrent: bool = True
    #: While shrinking, an input sent before is judged from its first answers.
    reuse_answers: bool = False

    @classmethod
    def of(cls, campaign: CampaignSettings, surface: SurfaceSpec, *, seed: int) -> SurfaceSettings:
        """The settings for ``surface`` under ``campaign`` (a surface may set its own budget)."""
        return cls(
            max_examples=surface.max_examples or campaign.max_examples,
            seed=seed,
            infra_error_limit=campaign.infra_error_limit,
            learn_noise=campaign.learn_noise,
            max_signatures=campaign.max_signatures,
            max_seconds=campaign.max_seconds,
            shrink_budget=campaign.shrink_budget,
            candidates_per_bucket=campaign.candidates_per_bucket,
            max_candidates=campaign.max_candidates,
            polish=surface.polish,
            confirmations=campaign.confirmations,
            concurrent=campaign.concurrent,
            reuse_answers=campaign.reuse_answers,
        )

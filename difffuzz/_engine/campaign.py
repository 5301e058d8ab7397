"""A campaign: every surface of a config, one after another, findings saved as they come.

:func:`run_surface` is one compiled surface from start to findings, without
saving: what :func:`run_campaign` does for each surface in turn, and what a
worker process does for its share (:mod:`difffuzz._workers`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import hypothesis
from hypothesis.database import ExampleDatabase
from hypothesis.errors import FlakyStrategyDefinition

from difffuzz._config import Config, SurfaceSpec
from difffuzz._connect import check_reachable
from difffuzz._corpus import Corpus, Fixture
from difffuzz._engine.findings import now_iso
from difffuzz._engine.settings import SurfaceSettings
from difffuzz._engine.surface import SurfaceCampaign
from difffuzz._events import CampaignFailed, Listener, SurfaceFinished, ignore_events
from difffuzz._exceptions import ConfigError, CorpusError, DifffuzzError, RuntimeUnreachable
from difffuzz._plan import Plan, SurfacePlan, compile_config
from difffuzz._results import (
    INTERRUPTED,
    CampaignResult,
    Finding,
    FindingStatus,
    SurfaceResult,
)
from difffuzz._secrets import Redactor
from difffuzz._version import __version__

__all__ = [
    "campaign_seed",
    "explain_error",
    "fixture_from",
    "known_fixtures",
    "new_campaign_result",
    "run_campaign",
    "run_surface",
    "save_finding",
    "save_findings",
]


def run_campaign(
    config: Config,
    *,
    corpus: Corpus | None = None,
    save_to: Corpus | None = None,
    listener: Listener = ignore_events,
    check_runtimes: bool = True,
) -> CampaignResult:
    """Fuzz every surface of ``config``; save new findings to ``corpus``.

    Signatures already in ``corpus`` are known (not shrunk again, not saved
    again). New findings go to ``save_to`` when given (``ci`` keeps the gate's
    corpus unchanged that way), else to ``corpus``. Surfaces run one after
    another; the findings of each are saved as soon as it finishes, so a later
    failure loses nothing already found. A difffuzz or strategy bug inside a
    surface is raised only after that surface's findings are saved, and after a
    :class:`~difffuzz._events.CampaignFailed` event with the result so far. The
    config is compiled first (:func:`~difffuzz._plan.compile_config`): a mistake
    in any surface stops the campaign before the first one runs.
    """
    plan = compile_config(config)
    seed = campaign_seed(config)
    result = new_campaign_result(config, corpus, seed=seed)
    try:
        _run_surfaces(
            plan,
            result,
            seed=seed,
            corpus=corpus,
            save_to=save_to,
            listener=listener,
            check_runtimes=check_runtimes,
        )
    except Exception as error:
        # The surfaces so far are in `result`, their findings saved: say so before
        # the error goes up, so that the command can still report them.
        result.finished_at = now_iso()
        if isinstance(error, DifffuzzError):
            result.error, result.error_exit_code = str(error), error.exit_code
        else:  # a difffuzz bug: Python exits 1 on it
            result.error, result.error_exit_code = f"{type(error).__name__}: {error}", 1
        listener(CampaignFailed(result))
        raise
    result.finished_at = now_iso()
    return result


def campaign_seed(config: Config) -> int:
    """The seed a run uses: the config's, or a fresh one (printed in the report)."""
    seed = config.campaign.seed
    return seed if seed is not None else random.randrange(2**32)


def new_campaign_result(config: Config, corpus: Corpus | None, *, seed: int) -> CampaignResult:
    """An empty campaign result for ``config`` run with ``seed``."""
    return CampaignResult(
        surfaces=[],
        seed=seed,
        started_at=now_iso(),
        config_path=config.path,
        difffuzz_version=__version__,
        hypothesis_version=hypothesis.__version__,
        corpus_dir=str(corpus.root) if corpus else "",
        fail_on_flaky=config.campaign.fail_on_flaky,
    )


def _run_surfaces(
    plan: Plan,
    result: CampaignResult,
    *,
    seed: int,
    corpus: Corpus | None,
    save_to: Corpus | None,
    listener: Listener,
    check_runtimes: bool,
) -> None:
    """Run every surface of ``plan`` into ``result``, saving findings as each ends."""
    config = plan.config
    clock_start = time.monotonic()
    for compiled in plan.surfaces.values():
        surface = compiled.spec
        # Where the surface starts on the campaign's clock (the HTML charts' x-axis).
        offset = round(time.monotonic() - clock_start, 3)
        surface_result, errors = run_surface(
            plan,
            compiled,
            settings=SurfaceSettings.of(config.campaign, surface, seed=seed),
            known=known_fixtures(plan, corpus, surface.name),
            listener=listener,
            check_runtimes=check_runtimes,
        )
        surface_result.started_s = offset
        if corpus is not None:
            surface_result.findings = save_findings(save_to or corpus, surface, surface_result)
        result.surfaces.append(surface_result)
        listener(SurfaceFinished(surface.name, surface_result))
        if errors:
            raise explain_error(errors[0], surface)
        if surface_result.aborted == INTERRUPTED:
            break  # what was found is saved; the user asked to stop


def known_fixtures(plan: Plan, corpus: Corpus | None, surface: str) -> list[Fixture]:
    """The corpus's fixtures of ``surface``, as the engine sets them beside live answers.

    Fixtures saved before their runtime's secrets were redacted are judged
    redacted too, like the live answers they are set beside (the plan's
    transports redact as answers arrive: _transports/redacted.py).
    """
    redactor = Redactor(plan.config.secrets)
    return [
        replace(
            f,
            divergence=replace(
                f.divergence, left=redactor.outcome(f.left), right=redactor.outcome(f.right)
            ),
        )
        for f in (corpus.load(surface)[0] if corpus else [])
    ]


def run_surface(
    plan: Plan,
    compiled: SurfacePlan,
    *,
    settings: SurfaceSettings,
    known: Sequence[Fixture] = (),
    listener: Listener = ignore_events,
    check_runtimes: bool = True,
    database: ExampleDatabase | None = None,
) -> tuple[SurfaceResult, list[BaseException]]:
    """Fuzz one compiled surface; its result with the findings (not saved), and any
    tool errors.

    A runtime that cannot answer skips the surface (the result says why). The
    transports are opened here and closed before returning, whatever happened.
    """
    config, surface = plan.config, compiled.spec
    if check_runtimes:
        try:
            for runtime in config.runtimes:
                check_reachable(surface.name, surface.requests[runtime.name], runtime)
        except RuntimeUnreachable as unreachable:
            skipped = SurfaceResult(
                surface=surface.name,
                runtimes=config.runtime_names,
                compare_spec=surface.compare,
                aborted=str(unreachable),
            )
            return skipped, []
    left, right = compiled.open()
    runner: SurfaceCampaign | None = None
    try:
        runner = SurfaceCampaign(
            surface,
            runtimes=config.runtime_names,
            left=left,
            right=right,
            settings=settings,
            known=known,
            listener=listener,
            judge=compiled.judge,
            database=database,
        )
        surface_result = runner.run(compiled.strategy, compiled.examples)
        surface_result.findings = [
            replace(finding, config_path=config.path)
            for finding in runner.findings(seed=settings.seed)
        ]
    finally:
        if runner is not None:
            runner.close()
        left.close()
        right.close()
    return surface_result, runner.errors


def save_findings(corpus: Corpus, surface: SurfaceSpec, result: SurfaceResult) -> list[Finding]:
    """Save each new finding of ``result``; each comes back with its path or why it is unsaved."""
    return [_save_or_keep(corpus, surface, finding) for finding in result.findings]


def explain_error(error: BaseException, surface: SurfaceSpec) -> BaseException:
    """A user's broken strategy is a config problem with a fix; anything else is ours."""
    if isinstance(error, FlakyStrategyDefinition):
        return ConfigError(
            f"surfaces.{surface.name}: strategy {surface.strategy!r} does not draw the same "
            f"value for the same choices ({error}); make it deterministic (no random module, "
            "clock or global state inside the strategy; use Hypothesis's own draws)"
        )
    return error


def fixture_from(finding: Finding, surface: SurfaceSpec) -> Fixture:
    """The fixture a finding is saved as: the same divergence, with what the corpus keeps."""
    return Fixture(
        finding.divergence,
        collapse=surface.collapse,
        answer_status=surface.answer_status,
        shrunk=finding.shrunk,
        flaky=finding.flaky,
        # A gap from the config stays in the config: copied into the fixture it
        # would outlive the entry, and removing the entry would not clear it.
        known_gap="",
        seed=finding.seed,
        found_at=finding.found_at,
        difffuzz_version=__version__,
        hypothesis_version=hypothesis.__version__,
    )


def _save_or_keep(corpus: Corpus, surface: SurfaceSpec, finding: Finding) -> Finding:
    """Save a finding; when the corpus cannot take it, keep it with the reason (the
    campaign goes on, and the CLI prints every unsaved finding in full)."""
    try:
        return save_finding(corpus, surface, finding)
    except CorpusError as error:
        return replace(finding, save_error=str(error))


def save_finding(corpus: Corpus, surface: SurfaceSpec, finding: Finding) -> Finding:
    """Write a new finding (or an unrecorded gap) to the corpus; returns it with its path.

    A known finding is written only when it replaces its unshrunk fixture with the
    smaller input it was shrunk to (``replaces``; the fixture's date is kept).
    """
    improved = finding.status is FindingStatus.KNOWN and bool(finding.replaces)
    if not improved and (
        finding.status is FindingStatus.KNOWN or finding.fixture_path or finding.tracked
    ):
        return finding
    path, _written = corpus.save(fixture_from(finding, surface))
    for old in finding.replaces:
        # An unshrunk fixture of the same cause, now shown by a smaller one; the new
        # file is in place before the old one goes.
        if Path(old).resolve() != Path(path).resolve():
            Path(old).unlink(missing_ok=True)
    return replace(finding, fixture_path=str(path))

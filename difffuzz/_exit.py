"""Exit codes: the one place that chooses them, from what each command's result says.

The result records (:class:`~difffuzz._results.CampaignResult`,
:class:`~difffuzz._replay.ReplayResult`, :class:`~difffuzz._ci.CIResult`) hold
facts: a surface stopped because a runtime could not be reached, a fixture
could not be read, a finding could not be saved, new divergences. The README's
table turns them into a code, the same in every command; when more than one
row holds, the most serious wins, because a verdict with a runtime or a file
missing from it is not a verdict yet:

====  ===============================================================
130   interrupted (Ctrl-C); any stop by signal N is 128 + N (_signals)
2, 3  a tool error that stopped the campaign: its own code (3 for a runtime)
3     a runtime unreachable
2     incomplete: a fixture unreadable or unjudgeable, a finding unsaved
1     failing: new divergences, fixtures that fail, regressions
0     none of these
====  ===============================================================

Reports show the code they are given (the JSON ones under ``"exit_code"``):
the CLI decides it once, signals included, and hands it down.
"""

from __future__ import annotations

import signal

from difffuzz._ci import CIResult, GateStatus
from difffuzz._replay import ReplayResult, ReplayVerdict
from difffuzz._results import INTERRUPTED, CampaignResult

__all__ = [
    "CLEAN",
    "FAILING",
    "INCOMPLETE",
    "INTERRUPTED_CODE",
    "UNREACHABLE",
    "campaign_exit",
    "ci_exit",
    "exit_summary",
    "replay_exit",
    "replay_exit_line",
]

CLEAN, FAILING, INCOMPLETE, UNREACHABLE = 0, 1, 2, 3
INTERRUPTED_CODE = 130

#: What a run's (and ci's) exit code means, for its last line.
_RUN_MEANINGS = {
    CLEAN: "no new divergence",
    FAILING: "new divergences found",
    INCOMPLETE: "a config or corpus error, or findings the corpus could not take",
    UNREACHABLE: "a runtime was unreachable",
}
#: What a replay's exit code means.
_REPLAY_MEANINGS = {
    CLEAN: "no fixture fails",
    FAILING: "fixtures still diverge",
    INCOMPLETE: "corpus problems",
    UNREACHABLE: "a runtime was unreachable",
}


def _first(rows: tuple[tuple[bool, int], ...]) -> int:
    """The code of the first row that holds (the table's order), else 0."""
    return next((code for holds, code in rows if holds), CLEAN)


def campaign_exit(result: CampaignResult) -> int:
    """``difffuzz run``: stopped by a signal (128 + N; Ctrl-C 130), a tool error's own
    code (2, or 3 for a runtime), unreachable, a finding unsaved, new divergences."""
    if result.stopped_by is not None:
        return 128 + result.stopped_by
    return _first(
        (
            (any(s.aborted == INTERRUPTED for s in result.surfaces), INTERRUPTED_CODE),
            (bool(result.error), result.error_exit_code),
            (bool(result.aborted), UNREACHABLE),
            (bool(result.unsaved), INCOMPLETE),
            (bool(result.new_findings), FAILING),
        )
    )


def replay_exit(result: ReplayResult) -> int:
    """``difffuzz replay``: unreachable, a fixture unreadable or unjudgeable, one failing."""
    return _first(
        (
            (any(c.verdict is ReplayVerdict.UNREACHABLE for c in result.cases), UNREACHABLE),
            (bool(result.problems), INCOMPLETE),
            (any(c.fails for c in result.cases), FAILING),
        )
    )


def ci_exit(result: CIResult) -> int:
    """``difffuzz ci``: the gate and the seeded run together."""
    campaign = result.campaign
    if campaign is not None and campaign.interrupted:
        return campaign_exit(campaign)  # 128 + N: what the process exits with
    return _first(
        (
            (campaign is not None and bool(campaign.error), _error_code(campaign)),
            (any(o.status is GateStatus.UNREACHABLE for o in result.gate), UNREACHABLE),
            (campaign is not None and bool(campaign.aborted), UNREACHABLE),
            # The gate is incomplete until every fixture can be read and every finding saved.
            (bool(result.replay.problems), INCOMPLETE),
            (campaign is not None and bool(campaign.unsaved), INCOMPLETE),
            (bool(result.regressions) or bool(result.new_findings), FAILING),
        )
    )


def _error_code(campaign: CampaignResult | None) -> int:
    """The code of the tool error that stopped ``campaign`` (2 when there is none)."""
    return campaign.error_exit_code if campaign is not None and campaign.error else INCOMPLETE


def exit_summary(code: int, seed: int | None = None) -> str:
    """The last line of a run: the exit code and, in words, what it means.

    Codes above 128 are the shell's convention for "stopped by signal N".

    >>> exit_summary(130, seed=1)
    'exit 130: stopped by SIGINT (Ctrl-C); the findings so far are kept (seed 1)'
    >>> exit_summary(143)
    'exit 143: stopped by SIGTERM; the findings so far are kept'
    """
    meaning = _RUN_MEANINGS.get(code, "")
    if code > 128:
        try:
            name = signal.Signals(code - 128).name
        except ValueError:
            name = f"signal {code - 128}"
        ctrl_c = " (Ctrl-C)" if name == "SIGINT" else ""
        meaning = f"stopped by {name}{ctrl_c}; the findings so far are kept"
    suffix = f" (seed {seed})" if seed is not None else ""
    return f"exit {code}: {meaning}{suffix}"


def replay_exit_line(code: int) -> str:
    """The last line of a replay.

    >>> replay_exit_line(1)
    'exit 1: fixtures still diverge'
    """
    return f"exit {code}: {_REPLAY_MEANINGS.get(code, '')}"

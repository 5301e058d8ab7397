"""The campaign engine: generate, judge, and shrink every distinct divergence on its own.

The parts, each with one job (read them in this order):

* :mod:`.settings` — one ``SurfaceSettings`` per surface run;
* :mod:`.budget` — examples, time box and shrink calls, answering with a ``StopReason``;
* :mod:`.health` — the infrastructure-failure policy and the broken-runtime check;
* :mod:`.noise` — learned noise (paths that differ between two calls of one runtime);
* :mod:`.divergence` — one exception type per key, Hypothesis's notion of "a distinct bug";
* :mod:`.phase` — what Hypothesis is doing (exploring or shrinking), what its errors mean;
* :mod:`.candidates` — what a known cause accounts for, and which examples may hide a new one;
* :mod:`.causes` — one finding per root cause, identified by its shrunk input;
* :mod:`.answers` — answers an input sent again while shrinking is judged from;
* :mod:`.classify` — new, known or known gap: a pure function;
* :mod:`.gaps` — tracked gaps (a known gap with a normalizer), counted and reported once;
* :mod:`.origins` — which Hypothesis origin a divergent example raises for;
* :mod:`.reduction` — the reduction test an example passes before a candidate is spent on it;
* :mod:`.resolve` — after a round, shrunk origins become causes (padding test, polish);
* :mod:`.confirm` — a finding's input resent, and the verdict on flakiness (a fault is
  never confirmed by chance, a fault on a resend never costs a divergence its confirmation);
* :mod:`.findings` — from causes to the findings a campaign reports and saves;
* :mod:`.surface` — the round loop over one surface;
* :mod:`.campaign` — every surface of a config, findings saved as each surface ends.

Hypothesis lives here and only here (and in the strategies).
"""

from difffuzz._engine.budget import Budget, StopReason
from difffuzz._engine.campaign import fixture_from, run_campaign, save_finding
from difffuzz._engine.divergence import DivergenceFound
from difffuzz._engine.findings import now_iso
from difffuzz._engine.settings import SurfaceSettings
from difffuzz._engine.surface import SurfaceCampaign

__all__ = [
    "Budget",
    "DivergenceFound",
    "StopReason",
    "SurfaceCampaign",
    "SurfaceSettings",
    "fixture_from",
    "now_iso",
    "run_campaign",
    "save_finding",
]

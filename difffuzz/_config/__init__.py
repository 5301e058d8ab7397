"""The configuration file: two runtimes, the surfaces they share, and how to compare them.

A config is TOML, read once into frozen, validated records (:mod:`.records`)
and passed explicitly (CLI flags override the file through
:meth:`Config.override`). Every error names the file, the key path, the bad
value and the fix. The reference with a complete example is in the README;
``examples/lakehouse.toml`` configures every surface of the lakehouse contract.

Values in ``headers``, ``env`` and ``base_url`` may read the environment with
``${NAME}``; such values, credential headers and names listed under ``secret``
are secrets (see :mod:`difffuzz._secrets`). Runtimes must be on this machine
(loopback addresses) unless ``[campaign] allow_remote = true``.

The parts, one job each: :mod:`.reader` (typed access to a TOML table),
:mod:`.load` (the file, ``[campaign]``, ``[runtimes]``), :mod:`.surfaces`
(one surface), :mod:`.requests` (how it reaches one runtime), :mod:`.gaps`
(known gaps and normalize steps). Names a config refers to (strategies, rules,
properties) are resolved when it is compiled (:mod:`difffuzz._plan`).
"""

from difffuzz._config.load import is_loopback_url, load_config, parse_config
from difffuzz._config.records import (
    CampaignSettings,
    Config,
    KnownGap,
    PropertySpec,
    RequestSpec,
    RuntimeSpec,
    SurfaceSpec,
)

__all__ = [
    "CampaignSettings",
    "Config",
    "KnownGap",
    "PropertySpec",
    "RequestSpec",
    "RuntimeSpec",
    "SurfaceSpec",
    "is_loopback_url",
    "load_config",
    "parse_config",
]

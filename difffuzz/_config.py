"""The configuration file: two runtimes, the surfaces they share, and how to compare them.

A config is TOML, read once into frozen, validated records and passed explicitly
(CLI flags override the file through :meth:`Config.override`). Every error names
the file, the key path, the bad value and the fix. The reference with a complete
example is in the README; ``examples/lakehouse.toml`` configures every surface of
the lakehouse contract.

Values in ``headers``, ``env`` and ``base_url`` may read the environment with
``${NAME}``; such values, credential headers and names listed under ``secret``
are secrets (see :mod:`difffuzz._secrets`). Runtimes must be on this machine
(loopback addresses) unless ``[campaign] allow_remote = true``.
"""

from __future__ import annotations

import difflib
import fnmatch
import ipaddress
import os
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from difffuzz._comparators.base import CompareSpec
from difffuzz._exceptions import ConfigError, RegistryError
from difffuzz._normalize.spec import StepSpec, steps_from_config
from difffuzz._secrets import CREDENTIAL_HEADERS, Secret, expand_references, literal_secret
from difffuzz._signature import Signature
from difffuzz._wire.catalog import FAMILIES, WireSettings

__all__ = [
    "CampaignSettings",
    "Config",
    "KnownGap",
    "PropertySpec",
    "RequestSpec",
    "RuntimeSpec",
    "SurfaceSpec",
    "load_config",
    "parse_config",
]

TransportKind = Literal["http", "command", "python"]
_TRANSPORTS = ("http", "command", "python")

# Request keys a surface may set, and a runtime override may replace.
_REQUEST_KEYS = {
    "transport",
    "method",
    "path",
    "headers",
    "body",
    "template",
    "marker",
    "argv",
    "stdin",
    "target",
    "timeout",
    "env",
    "cwd",
    "secret",
}


@dataclass(frozen=True)
class RuntimeSpec:
    """One runtime: where its HTTP surfaces listen and how its helpers run."""

    name: str
    base_url: str = ""
    health: str = "/health"
    env: Mapping[str, str] = field(default_factory=dict)
    #: Header and env names whose values are secret on every surface of this runtime.
    secret: tuple[str, ...] = ()
    #: Secrets of base_url and env (``${NAME}`` values, env names under ``secret``).
    secrets: tuple[Secret, ...] = ()


@dataclass(frozen=True)
class RequestSpec:
    """How one surface's input reaches one runtime (after per-runtime overrides)."""

    transport: TransportKind
    runtime: str
    base_url: str = ""
    method: str = "POST"
    path: str = "/"
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Literal["json", "raw", "template"] = "json"
    template: Any = None
    marker: str = "$input"
    argv: tuple[str, ...] = ()
    stdin: Literal["input", "none"] = "input"
    target: str = ""
    timeout: float = 10.0
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str | None = None
    #: Values in base_url, headers and env that reports and reproductions must not show.
    secrets: tuple[Secret, ...] = ()

    @property
    def describe(self) -> str:
        """Where the requests go, for messages: a URL, an argv or a callable."""
        if self.transport == "http":
            return f"{self.method} {self.base_url.rstrip('/')}{self.path}"
        if self.transport == "command":
            return " ".join(self.argv)
        return self.target


@dataclass(frozen=True)
class KnownGap:
    """An accepted, still-open divergence: reported, but it does not fail a run.

    It matches a signature by ``signature`` id, or by any combination of
    ``category``, ``statuses`` and ``paths`` (glob patterns each of which must
    match one of the signature's paths).

    A gap that carries its *normalizer* (``normalize``: steps per runtime) is
    *tracked* instead: its steps map the known difference away before
    comparing, so every other difference in the same answers is still found,
    and the judge reports where the steps absorbed something. A tracked gap
    matches no signature; removing its normalizer re-opens the divergence.
    """

    reason: str
    signature: str = ""
    category: str = ""
    statuses: tuple[int | None, int | None] | None = None
    paths: tuple[str, ...] = ()
    #: runtime name -> the steps that map this gap away on that runtime's answers.
    normalize: Mapping[str, tuple[StepSpec, ...]] = field(default_factory=dict)

    @property
    def tracked(self) -> bool:
        """Does the gap carry a normalizer (tracked, never matched)?"""
        return any(self.normalize.values())

    def matches(self, candidate: Signature) -> bool:
        if self.tracked:
            return False
        if self.signature and candidate.id != self.signature:
            return False
        if self.category and candidate.category != self.category:
            return False
        if self.statuses is not None and tuple(candidate.statuses) != self.statuses:
            return False
        signature_paths = [path for _, path, _ in candidate.parts]
        return all(
            any(fnmatch.fnmatchcase(path, pattern) for path in signature_paths)
            for pattern in self.paths
        )


@dataclass(frozen=True)
class PropertySpec:
    """A single-runtime property checked on each side's answer."""

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    runtimes: tuple[str, ...] = ()  # empty: both


@dataclass(frozen=True)
class SurfaceSpec:
    name: str
    strategy: str
    strategy_params: Mapping[str, Any]
    requests: Mapping[str, RequestSpec]
    compare: CompareSpec
    #: Statuses that count as an answer; anything else is a failure for the both-failed rule.
    answer_status: tuple[int, ...] | None = None
    collapse: tuple[str, ...] = ()
    properties: tuple[PropertySpec, ...] = ()
    known_gaps: tuple[KnownGap, ...] = ()
    max_examples: int | None = None
    #: Value-level polishing after Hypothesis: only for a strategy closed under
    #: simplification (every shorter text, smaller number or dropped key is one
    #: it could have drawn), so a fixture never leaves the strategy's domain.
    polish: bool = False
    #: The wire-mutation layer's settings (``wire`` key; see difffuzz._wire).
    wire: WireSettings = field(default_factory=WireSettings)

    def answered(self, runtime: str, status: int | None) -> bool:
        """Did ``status`` count as an ordinary answer (not an error) for this surface?"""
        if status is None:
            return False
        if self.answer_status is not None:
            return status in self.answer_status
        if self.requests[runtime].transport == "http":
            return 200 <= status < 300
        return status == 0

    def known_gap(self, signature: Signature) -> KnownGap | None:
        return next((gap for gap in self.known_gaps if gap.matches(signature)), None)


@dataclass(frozen=True)
class CampaignSettings:
    max_examples: int = 200
    seed: int | None = None
    corpus: str = "corpus"
    reports: str = "reports"
    timeout: float = 10.0
    #: Infrastructure failures in a row on one surface before the run stops.
    infra_error_limit: int = 5
    max_body_bytes: int = 10_000_000
    #: Examples sent twice to each runtime to learn noisy paths (0 turns it off).
    learn_noise: int = 8
    #: Distinct signatures kept per surface; past it, further ones are only counted.
    max_signatures: int = 40
    #: Seconds one surface may spend (exploring + shrinking); None: no limit.
    max_seconds: float | None = None
    #: Calls spent shrinking each finding, beyond the examples.
    shrink_budget: int = 500
    #: Candidates (examples in a bucket that already has a cause, which may hide a
    #: new one) shrunk per bucket, and per surface.
    candidates_per_bucket: int = 8
    max_candidates: int = 40
    #: Times a finding's minimal input is sent again before it is saved: a divergence
    #: that does not come back every time is flaky, kept apart and never gates.
    confirmations: int = 3
    #: Flaky findings fail the run too (exit 1) when true.
    fail_on_flaky: bool = False
    #: Send to runtimes that are not on this machine (base_url not a loopback address).
    allow_remote: bool = False


@dataclass(frozen=True)
class Config:
    """A validated configuration. ``runtimes`` is ordered: (left, right)."""

    path: str
    campaign: CampaignSettings
    runtimes: tuple[RuntimeSpec, RuntimeSpec]
    surfaces: Mapping[str, SurfaceSpec]
    strategy_modules: tuple[str, ...] = ()

    @property
    def runtime_names(self) -> tuple[str, str]:
        return (self.runtimes[0].name, self.runtimes[1].name)

    @property
    def secrets(self) -> tuple[Secret, ...]:
        """Every secret value the config holds, for redacting reports."""
        found = [s for runtime in self.runtimes for s in runtime.secrets]
        for surface in self.surfaces.values():
            for request in surface.requests.values():
                found.extend(request.secrets)
        return tuple(dict.fromkeys(found))

    @property
    def folder(self) -> Path:
        """The config file's folder: relative paths and ``strategy_modules`` start here."""
        return Path(self.path).parent

    def select(self, names: Sequence[str]) -> Config:
        """Keep only the named surfaces; an unknown name is a ConfigError."""
        if not names:
            return self
        for name in names:
            if name not in self.surfaces:
                raise ConfigError(_unknown(f"surface {name!r}", name, self.surfaces, self.path))
        return replace(self, surfaces={n: s for n, s in self.surfaces.items() if n in names})

    def override(self, **settings: Any) -> Config:
        """Replace campaign settings (CLI flags); ``None`` values are left as they were."""
        given = {k: v for k, v in settings.items() if v is not None}
        return replace(self, campaign=replace(self.campaign, **given))


def load_config(path: str | Path, *, environ: Mapping[str, str] | None = None) -> Config:
    """Read and validate a config file; ``${NAME}`` reads ``environ`` (default: the process's)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"config file {str(path)!r} does not exist; pass --config with the path of a "
            "TOML file (see examples/lakehouse.toml, or `difffuzz demo serve` writes one)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {str(path)!r} cannot be read: {exc}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {str(path)!r} is not valid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        # The config may live in the project's pyproject.toml, as [tool.difffuzz].
        document = document.get("tool", {}).get("difffuzz")
        if not isinstance(document, dict):
            raise ConfigError(
                f"{path} has no [tool.difffuzz] table; add one (the same keys as a "
                "difffuzz.toml, under tool.difffuzz) or pass --config FILE"
            )
    return parse_config(document, source=str(path), base_dir=path.parent, environ=environ)


class _Reader:
    """Typed access to one TOML table that reports the key path on error."""

    def __init__(self, table: Mapping[str, Any], where: str, source: str) -> None:
        self.table = table
        self.where = where
        self.source = source

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.source}: {_join(self.where, key)}: {message}")

    def check_keys(self, allowed: set[str]) -> None:
        for key in self.table:
            if key not in allowed:
                raise ConfigError(
                    _unknown(f"key {_join(self.where, key)}", key, allowed, self.source)
                )

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        if key not in self.table:
            return default
        value = self.table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # bool is an int in Python; a config that says `timeout = true` is a mistake.
        if isinstance(value, bool) and bool not in kinds:
            raise self.fail(key, f"expected {_kind_names(kinds)}, got {value!r}")
        if not isinstance(value, kinds):
            raise self.fail(key, f"expected {_kind_names(kinds)}, got {value!r}")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.get(key, list, [])
        if not all(isinstance(v, str) for v in value):
            raise self.fail(key, f"expected a list of strings, got {value!r}")
        return tuple(value)

    def string_map(self, key: str) -> dict[str, str]:
        value = self.get(key, dict, {})
        if not all(isinstance(v, str) for v in value.values()):
            raise self.fail(key, f"expected a table of strings, got {value!r}")
        return dict(value)

    def sub(self, key: str) -> _Reader:
        return _Reader(self.get(key, dict, {}), _join(self.where, key), self.source)


def _join(where: str, key: str) -> str:
    """The dotted key path of ``key`` in the table at ``where`` ("" is the top level)."""
    return f"{where}.{key}" if where else key


def _kind_names(kinds: tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _unknown(what: str, name: str, known: Any, source: str) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    listing = ", ".join(sorted(known)) or "(none)"
    return f"{source}: unknown {what}{hint} (known: {listing})"


def parse_config(
    document: Mapping[str, Any],
    *,
    source: str,
    base_dir: Path,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Validate a parsed TOML document (see :func:`load_config`)."""
    environ = os.environ if environ is None else environ
    top = _Reader(document, "", source)
    top.check_keys({"campaign", "runtimes", "surfaces", "strategy_modules"})
    campaign = _parse_campaign(top.sub("campaign"), base_dir)

    runtimes_table = top.get("runtimes", dict, {})
    if len(runtimes_table) != 2:
        raise ConfigError(
            f"{source}: [runtimes] must name exactly two runtimes (left and right), "
            f"got {len(runtimes_table)}: {sorted(runtimes_table)}. Add e.g. [runtimes.rust] "
            "and [runtimes.go] with a base_url each."
        )
    runtimes = tuple(
        _parse_runtime(name, top.sub("runtimes").sub(name), campaign, environ)
        for name in runtimes_table
    )
    left, right = runtimes

    surfaces_table = top.get("surfaces", dict, {})
    if not surfaces_table:
        raise ConfigError(f"{source}: no [surfaces.NAME] table; a campaign needs at least one")
    modules = top.strings("strategy_modules")
    surfaces = {
        name: _parse_surface(
            name,
            top.sub("surfaces").sub(name),
            (left, right),
            campaign,
            base_dir,
            environ,
            modules,
        )
        for name in surfaces_table
    }
    for runtime in runtimes:
        _check_runtime_secret_names(
            runtime, surfaces.values(), top.sub("runtimes").sub(runtime.name)
        )
    return Config(
        path=source,
        campaign=campaign,
        runtimes=(left, right),
        surfaces=surfaces,
        strategy_modules=modules,
    )


def _parse_campaign(reader: _Reader, base_dir: Path) -> CampaignSettings:
    reader.check_keys(set(CampaignSettings.__dataclass_fields__))
    defaults = CampaignSettings()

    def positive(key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        value = reader.get(key, kind, default)
        if value is not None and value <= 0:
            raise reader.fail(key, f"must be positive, got {value!r}")
        return value

    learn_noise = reader.get("learn_noise", int, defaults.learn_noise)
    if learn_noise < 0:
        raise reader.fail("learn_noise", f"must be 0 (off) or positive, got {learn_noise}")
    corpus = reader.get("corpus", str, defaults.corpus)
    reports = reader.get("reports", str, defaults.reports)
    return CampaignSettings(
        max_examples=positive("max_examples", int, defaults.max_examples),
        seed=reader.get("seed", int, None),
        corpus=str(base_dir / corpus) if not Path(corpus).is_absolute() else corpus,
        reports=str(base_dir / reports) if not Path(reports).is_absolute() else reports,
        timeout=float(positive("timeout", (int, float), defaults.timeout)),
        infra_error_limit=positive("infra_error_limit", int, defaults.infra_error_limit),
        max_body_bytes=positive("max_body_bytes", int, defaults.max_body_bytes),
        learn_noise=learn_noise,
        max_signatures=positive("max_signatures", int, defaults.max_signatures),
        max_seconds=positive("max_seconds", (int, float), None),
        shrink_budget=positive("shrink_budget", int, defaults.shrink_budget),
        candidates_per_bucket=reader.get(
            "candidates_per_bucket", int, defaults.candidates_per_bucket
        ),
        max_candidates=reader.get("max_candidates", int, defaults.max_candidates),
        confirmations=positive("confirmations", int, defaults.confirmations),
        fail_on_flaky=reader.get("fail_on_flaky", bool, defaults.fail_on_flaky),
        allow_remote=reader.get("allow_remote", bool, defaults.allow_remote),
    )


def _expand(
    reader: _Reader, key: str, value: str, environ: Mapping[str, str]
) -> tuple[str, tuple[Secret, ...]]:
    where = f"{reader.source}: {_join(reader.where, key)}"
    try:
        return expand_references(value, environ, where=where)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _expand_map(
    reader: _Reader, key: str, environ: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, tuple[Secret, ...]]]:
    """A table of strings with its references expanded, and the secrets of each entry."""
    values: dict[str, str] = {}
    references: dict[str, tuple[Secret, ...]] = {}
    for name, raw in reader.string_map(key).items():
        values[name], references[name] = _expand(reader, f"{key}.{name}", raw, environ)
    return values, references


def is_loopback_url(url: str) -> bool:
    """Does ``url`` name this machine (127.0.0.0/8, ::1, localhost), without asking DNS?

    >>> is_loopback_url("http://127.0.0.1:3100"), is_loopback_url("http://10.0.0.1")
    (True, False)
    """
    host = urlsplit(url).hostname or ""
    # "localhost" and its subdomains are this machine whatever a resolver says (RFC 6761).
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _parse_runtime(
    name: str, reader: _Reader, campaign: CampaignSettings, environ: Mapping[str, str]
) -> RuntimeSpec:
    reader.check_keys({"base_url", "health", "env", "secret"})
    base_url, url_secrets = _expand(reader, "base_url", reader.get("base_url", str, ""), environ)
    if base_url and not base_url.startswith(("http://", "https://")):
        shown = reader.get("base_url", str, "")
        raise reader.fail("base_url", f"must start with http:// or https://, got {shown!r}")
    if base_url and not campaign.allow_remote and not is_loopback_url(base_url):
        host = urlsplit(base_url).hostname or "?"
        raise reader.fail(
            "base_url",
            f"names the host {host!r}, which is not this machine; difffuzz sends only to "
            "loopback addresses (127.0.0.1, ::1, localhost) unless told otherwise. If "
            "fuzzing a remote runtime is intended, set allow_remote = true under [campaign]",
        )
    env, references = _expand_map(reader, "env", environ)
    secret = reader.strings("secret")
    secrets = [*url_secrets, *(s for found in references.values() for s in found)]
    for key in secret:
        if key in env and not references[key] and env[key]:
            secrets.append(literal_secret(env[key], runtime=name, kind="env", name=key))
    return RuntimeSpec(
        name=name,
        base_url=base_url,
        health=reader.get("health", str, "/health"),
        env=env,
        secret=secret,
        secrets=tuple(dict.fromkeys(secrets)),
    )


def _unknown_secret(name: str, reader: _Reader, known: Iterable[str]) -> ConfigError:
    # A misspelt name would leave the real secret in clear without a word.
    where = _join(reader.where, "secret")
    return ConfigError(
        _unknown(f"header or env name {name!r} in {where}", name, known, reader.source)
    )


def _check_runtime_secret_names(
    runtime: RuntimeSpec, surfaces: Iterable[SurfaceSpec], reader: _Reader
) -> None:
    """A name under ``runtimes.NAME.secret`` must be an env or a header somewhere."""
    known = set(runtime.env)
    for surface in surfaces:
        request = surface.requests[runtime.name]
        known |= set(request.env) | set(request.headers)
    lowered = {name.lower() for name in known}
    for name in runtime.secret:
        if name not in known and name.lower() not in lowered:
            raise _unknown_secret(name, reader, known)


_SURFACE_KEYS = _REQUEST_KEYS | {
    "strategy",
    "strategy_params",
    "compare",
    "answer_status",
    "collapse",
    "properties",
    "known_gaps",
    "runtimes",
    "max_examples",
    "polish",
    "normalize",
    "wire",
}
_COMPARE_KEYS = {"rule", "ignore", "select"}


def _parse_surface(
    name: str,
    reader: _Reader,
    runtimes: tuple[RuntimeSpec, RuntimeSpec],
    campaign: CampaignSettings,
    base_dir: Path,
    environ: Mapping[str, str],
    modules: tuple[str, ...] = (),
) -> SurfaceSpec:
    reader.check_keys(_SURFACE_KEYS)
    # The name is the surface's corpus folder: it must be one plain path segment.
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ConfigError(
            f"{reader.source}: [{reader.where}]: the surface name {name!r} is also its corpus "
            "folder name; use letters, digits, '_' or '-' (no '/', '\\', or leading '.')"
        )
    strategy = reader.get("strategy", str)
    if strategy is None:
        raise reader.fail(
            "strategy",
            "is required: name a registered strategy (list them with `difffuzz strategies`)",
        )
    overrides = reader.sub("runtimes")
    names = {r.name for r in runtimes}
    for runtime_name in overrides.table:
        if runtime_name not in names:
            raise ConfigError(
                _unknown(
                    f"runtime {runtime_name!r} in {overrides.where}",
                    runtime_name,
                    names,
                    reader.source,
                )
            )
    requests = {
        runtime.name: _parse_request(
            reader, overrides.sub(runtime.name), runtime, campaign, base_dir, environ
        )
        for runtime in runtimes
    }

    compare_reader = reader.sub("compare")
    compare = compare_reader.table
    rule = compare_reader.get("rule", str, "json")
    select = compare_reader.string_map("select")
    for runtime_name in select:
        if runtime_name not in names:
            raise ConfigError(
                _unknown(
                    f"runtime {runtime_name!r} in {compare_reader.where}.select",
                    runtime_name,
                    names,
                    reader.source,
                )
            )
    # `select` may also sit in a runtime's own table ([surfaces.NAME.runtimes.rust]).
    for runtime in runtimes:
        own_table = overrides.sub(runtime.name)
        own = own_table.get("select", str)
        if own is None:
            continue
        if select.get(runtime.name, own) != own:
            raise own_table.fail(
                "select",
                f"{own!r} contradicts {compare_reader.where}.select.{runtime.name} = "
                f"{select[runtime.name]!r}; set it in one place",
            )
        select[runtime.name] = own
    params = {k: v for k, v in compare.items() if k not in _COMPARE_KEYS}
    known_gaps = tuple(_parse_gaps(reader, runtimes, modules))
    shared = _parse_steps(reader, reader.table.get("normalize", []), "normalize", modules)
    sides = []
    for runtime in runtimes:
        own_table = overrides.sub(runtime.name)
        own = _parse_steps(own_table, own_table.table.get("normalize", []), "normalize", modules)
        # A gap's steps first (they undo the known difference), then the runtime's
        # own, then the steps shared by both sides.
        from_gaps = tuple(
            step for gap in known_gaps for step in gap.normalize.get(runtime.name, ())
        )
        sides.append((*from_gaps, *own, *shared))
    if rule == "bytes" and any(sides):
        raise reader.fail(
            "normalize",
            "rule 'bytes' compares raw bodies, so nothing can be normalised first; "
            "use rule 'json' (or 'http') to normalise and compare parsed answers",
        )
    compare_spec = CompareSpec(
        rule=rule,
        ignore=compare_reader.strings("ignore"),
        select_left=select.get(runtimes[0].name, ""),
        select_right=select.get(runtimes[1].name, ""),
        params=params,
        normalize_left=sides[0],
        normalize_right=sides[1],
    )

    answer_status = reader.get("answer_status", list)
    if answer_status is not None and not all(
        isinstance(s, int) and not isinstance(s, bool) for s in answer_status
    ):
        raise reader.fail("answer_status", f"expected a list of integers, got {answer_status!r}")

    max_examples = reader.get("max_examples", int)
    if max_examples is not None and max_examples <= 0:
        raise reader.fail("max_examples", f"must be positive, got {max_examples}")

    return SurfaceSpec(
        name=name,
        strategy=strategy,
        strategy_params=_resolve_files(reader.get("strategy_params", dict, {}), base_dir),
        requests=requests,
        compare=compare_spec,
        answer_status=tuple(answer_status) if answer_status is not None else None,
        collapse=reader.strings("collapse"),
        properties=tuple(_parse_properties(reader, names)),
        known_gaps=known_gaps,
        max_examples=max_examples,
        polish=reader.get("polish", bool, False),
        wire=_parse_wire(reader),
    )


def _parse_wire(surface: _Reader) -> WireSettings:
    """``wire = "auto" | "on" | "off"``, or a table ``{ rate, http, families, weights }`` (on)."""
    value = surface.get("wire", (str, dict), "auto")
    if isinstance(value, str):
        if value not in ("auto", "on", "off"):
            raise surface.fail("wire", f"must be 'auto', 'on', 'off' or a table, got {value!r}")
        return WireSettings(mode=value)  # type: ignore[arg-type]  # checked just above
    reader = surface.sub("wire")
    reader.check_keys({"mode", "rate", "http", "families", "weights"})
    mode = reader.get("mode", str, "on")
    if mode not in ("auto", "on", "off"):
        raise reader.fail("mode", f"must be 'auto', 'on' or 'off', got {mode!r}")
    rate = reader.get("rate", (int, float), WireSettings.rate)
    if not 0 <= rate <= 1:
        raise reader.fail("rate", f"is the share of examples mutated, 0 to 1; got {rate!r}")
    families = reader.strings("families")
    for family in families:
        if family not in FAMILIES:
            raise ConfigError(
                _unknown(
                    f"family {family!r} in {reader.where}.families", family, FAMILIES, reader.source
                )
            )
    weights = reader.sub("weights")
    weights.check_keys(set(FAMILIES))
    for family, weight in weights.table.items():
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            raise weights.fail(family, f"must be a number >= 0 (0 turns it off), got {weight!r}")
    return WireSettings(
        mode=mode,
        rate=float(rate),
        weights=dict(weights.table),
        http=reader.get("http", bool, False),
        families=families,
    )


def _resolve_files(params: Mapping[str, Any], base_dir: Path) -> dict[str, Any]:
    """Strategy parameters named ``*_file`` are paths, read from the config's folder."""
    return {
        key: str(base_dir / value)
        if key.endswith("_file") and isinstance(value, str) and not Path(value).is_absolute()
        else value
        for key, value in params.items()
    }


def _parse_request(
    surface: _Reader,
    override: _Reader,
    runtime: RuntimeSpec,
    campaign: CampaignSettings,
    base_dir: Path,
    environ: Mapping[str, str],
) -> RequestSpec:
    override.check_keys(_REQUEST_KEYS | {"select", "normalize"})

    def source_of(key: str) -> _Reader:
        # The per-runtime table wins; errors must name the table the value came from.
        return override if key in override.table else surface

    def pick(key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        return source_of(key).get(key, kind, default)

    transport = pick("transport", str, "http")
    if transport not in _TRANSPORTS:
        raise source_of("transport").fail(
            "transport", f"must be one of {', '.join(_TRANSPORTS)}, got {transport!r}"
        )
    body = pick("body", str, None)
    template = pick("template", (dict, list, str), None)
    if body is None:
        body = "template" if template is not None else "json"
    if body not in ("json", "raw", "template"):
        raise source_of("body").fail("body", f"must be json, raw or template, got {body!r}")
    if body == "template" and template is None:
        raise source_of("body").fail(
            "template",
            "body = 'template' needs a template, e.g. template = { texts = [\"$input\"] }",
        )
    argv = pick("argv", list, [])
    if not all(isinstance(a, str) for a in argv):
        raise source_of("argv").fail("argv", f"expected a list of strings, got {argv!r}")
    stdin = pick("stdin", str, "input")
    if stdin not in ("input", "none"):
        raise source_of("stdin").fail("stdin", f"must be 'input' or 'none', got {stdin!r}")
    timeout = pick("timeout", (int, float), campaign.timeout)
    if timeout <= 0:
        raise source_of("timeout").fail(
            "timeout", f"must be a positive number of seconds, got {timeout!r}"
        )
    surface_headers, header_refs = _expand_map(surface, "headers", environ)
    own_headers, own_header_refs = _expand_map(override, "headers", environ)
    headers = {**surface_headers, **own_headers}
    surface_env, env_refs = _expand_map(surface, "env", environ)
    own_env, own_env_refs = _expand_map(override, "env", environ)
    env = {**runtime.env, **surface_env, **own_env}
    secrets = _request_secrets(
        (surface, override),
        runtime,
        headers,
        {**header_refs, **own_header_refs},
        env,
        {**env_refs, **own_env_refs},
    )
    cwd = pick("cwd", str, None)
    spec = RequestSpec(
        transport=transport,
        runtime=runtime.name,
        base_url=runtime.base_url,
        method=pick("method", str, "POST").upper(),
        path=pick("path", str, "/"),
        headers=headers,
        body=body,
        template=template,
        marker=pick("marker", str, "$input"),
        argv=tuple(argv),
        stdin=stdin,
        target=pick("target", str, ""),
        timeout=float(timeout),
        env=env,
        # A python target's module is imported from cwd first: the config's folder.
        cwd=str(base_dir / cwd) if cwd is not None else _python_root(transport, base_dir),
        secrets=secrets,
    )
    where = f"{surface.where} (runtime {runtime.name})"
    if spec.transport == "http" and not spec.base_url:
        raise ConfigError(
            f"{surface.source}: {where}: the http transport needs runtimes.{runtime.name}.base_url"
        )
    if spec.transport == "command" and not spec.argv:
        raise ConfigError(
            f"{surface.source}: {where}: the command transport needs argv, "
            f'e.g. [surfaces.NAME.runtimes.{runtime.name}] argv = ["helper"]'
        )
    if spec.transport == "python" and ":" not in spec.target:
        raise ConfigError(
            f"{surface.source}: {where}: the python transport needs "
            f'target = "module:function", got target = {spec.target!r}'
        )
    return spec


def _request_secrets(
    readers: tuple[_Reader, _Reader],
    runtime: RuntimeSpec,
    headers: Mapping[str, str],
    header_refs: Mapping[str, tuple[Secret, ...]],
    env: Mapping[str, str],
    env_refs: Mapping[str, tuple[Secret, ...]],
) -> tuple[Secret, ...]:
    """The secrets of one request: references, credential headers, names under ``secret``.

    A secret header or env value that holds references keeps only those secret
    (``Bearer ${TOKEN}`` reproduces as ``Bearer $TOKEN``); one written in clear
    is secret whole. ``readers`` are the surface's table and the runtime's
    override, each of which may list names under ``secret``.
    """
    marked = set(runtime.secret)
    lowered = {name.lower() for name in headers}
    for reader in readers:
        for name in reader.strings("secret"):
            if name not in env and name.lower() not in lowered:
                raise _unknown_secret(name, reader, [*headers, *env])
            marked.add(name)
    marked_headers = {name.lower() for name in marked} | CREDENTIAL_HEADERS
    found = [*runtime.secrets]
    for name, value in headers.items():
        refs = header_refs.get(name, ())
        found.extend(refs)
        if name.lower() in marked_headers and not refs and value:
            found.append(literal_secret(value, runtime=runtime.name, kind="header", name=name))
    known_values = {s.value for s in runtime.secrets}
    for name, value in env.items():
        refs = env_refs.get(name, ())
        found.extend(refs)
        if name in marked and not refs and value and value not in known_values:
            found.append(literal_secret(value, runtime=runtime.name, kind="env", name=name))
    return tuple(dict.fromkeys(found))


def _python_root(transport: str, base_dir: Path) -> str | None:
    return str(base_dir) if transport == "python" else None


def _parse_properties(reader: _Reader, runtime_names: set[str]) -> list[PropertySpec]:
    specs = []
    for index, entry in enumerate(reader.get("properties", list, [])):
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise reader.fail(f"properties[{index}]", "expected a name or a table with 'name'")
        sides = entry.get("runtimes", [])
        if not isinstance(sides, list) or any(s not in runtime_names for s in sides):
            raise reader.fail(
                f"properties[{index}].runtimes",
                f"expected a list among {sorted(runtime_names)}, got {sides!r}",
            )
        params = {k: v for k, v in entry.items() if k not in ("name", "runtimes")}
        specs.append(PropertySpec(name=entry["name"], params=params, runtimes=tuple(sides)))
    return specs


#: The values of :attr:`Signature.category`.
_CATEGORIES = ("status", "shape", "property", "value", "spelling")


def _parse_steps(
    reader: _Reader, entries: Any, key: str, modules: tuple[str, ...], *, gap: str = ""
) -> tuple[StepSpec, ...]:
    """Read and compile a list of normalize steps (errors name ``reader.where.key[i]``)."""
    from difffuzz._normalize.registry import compile_step

    try:
        steps = steps_from_config(entries, gap=gap)
    except ValueError as exc:
        raise reader.fail(key, str(exc)) from None
    for index, step in enumerate(steps):
        try:
            try:
                compile_step(step)
            except RegistryError:
                if not modules:
                    raise
                # A step registered by a user module: import the modules, then retry.
                from difffuzz._registry import load_strategy_modules

                load_strategy_modules(modules)
                compile_step(step)
        except (ConfigError, RegistryError) as exc:
            raise reader.fail(f"{key}[{index}]", str(exc)) from None
    return steps


_GAP_KEYS = {"reason", "signature", "category", "statuses", "paths", "normalize"}
_GAP_MATCHERS = ("signature", "category", "statuses", "paths")


def _parse_gap_steps(
    reader: _Reader,
    where: str,
    entry: Mapping[str, Any],
    runtimes: tuple[RuntimeSpec, RuntimeSpec],
    modules: tuple[str, ...],
) -> dict[str, tuple[StepSpec, ...]]:
    """A gap's ``normalize``: a list for both runtimes, or a table runtime -> list."""
    value = entry["normalize"]
    names = [runtime.name for runtime in runtimes]
    given = [key for key in _GAP_MATCHERS if key in entry]
    if given:
        raise reader.fail(
            where,
            f"a known gap that carries a normalizer is tracked through it, so {given} would "
            "only hide other divergences again; remove them (or remove normalize to match "
            "findings by them instead)",
        )
    reason = str(entry["reason"])
    key = f"{where}.normalize"
    if isinstance(value, dict) and not {"step", "jq", "hook"} & set(value):
        for name in value:
            if name not in names:
                raise ConfigError(
                    _unknown(f"runtime {name!r} in {key}", name, names, reader.source)
                )
        table = _Reader(value, _join(reader.where, key), reader.source)
        steps = {
            name: _parse_steps(table, value.get(name, []), name, modules, gap=reason)
            for name in names
        }
    else:
        both = _parse_steps(reader, value, key, modules, gap=reason)
        steps = dict.fromkeys(names, both)
    if not any(steps.values()):
        raise reader.fail(key, "is empty; give each runtime's steps, e.g. { rust = [...] }")
    return steps


def _parse_gaps(
    reader: _Reader, runtimes: tuple[RuntimeSpec, RuntimeSpec], modules: tuple[str, ...]
) -> list[KnownGap]:
    gaps = []
    for index, entry in enumerate(reader.get("known_gaps", list, [])):
        where = f"known_gaps[{index}]"
        if not isinstance(entry, dict):
            raise reader.fail(where, "expected a table with 'reason' and a matcher")
        unknown = set(entry) - _GAP_KEYS
        if unknown:
            raise reader.fail(
                where,
                f"unknown keys {sorted(unknown)}; use reason, signature, category, statuses, "
                "paths, normalize",
            )
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise reader.fail(
                f"{where}.reason",
                "every known gap needs a reason (why it is accepted, and who tracks it)",
            )
        statuses = entry.get("statuses")
        if statuses is not None and (
            not isinstance(statuses, list)
            or len(statuses) != 2
            or not all(isinstance(s, int) and not isinstance(s, bool) for s in statuses)
        ):
            raise reader.fail(
                f"{where}.statuses", f"expected [left, right] integers, got {statuses!r}"
            )
        # A wrong type or a misspelt category would make the gap silently match nothing
        # (and a string of paths would be read as one pattern per character).
        for key in ("signature", "category"):
            if not isinstance(entry.get(key, ""), str):
                raise reader.fail(f"{where}.{key}", f"expected a string, got {entry[key]!r}")
        category = entry.get("category", "")
        if category and category not in _CATEGORIES:
            raise ConfigError(
                _unknown(f"category {category!r} in {where}", category, _CATEGORIES, reader.source)
            )
        paths = entry.get("paths", [])
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise reader.fail(
                f"{where}.paths", f"expected a list of pointer patterns, got {paths!r}"
            )
        if "normalize" in entry:
            steps = _parse_gap_steps(reader, where, entry, runtimes, modules)
            gaps.append(KnownGap(reason=reason, normalize=steps))
            continue
        gap = KnownGap(
            reason=reason,
            signature=entry.get("signature", ""),
            category=category,
            statuses=(statuses[0], statuses[1]) if statuses else None,
            paths=tuple(paths),
        )
        if not (gap.signature or gap.category or gap.statuses or gap.paths):
            raise reader.fail(
                where,
                "a known gap must match something: give signature, category, statuses or "
                "paths, or carry a normalizer (normalize = { RUNTIME = [steps] })",
            )
        gaps.append(gap)
    return gaps

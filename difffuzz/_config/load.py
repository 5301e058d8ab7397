"""Reading a config file: the top level, ``[campaign]`` and ``[runtimes]``.

The surfaces are read by :mod:`.surfaces` (their requests by :mod:`.requests`,
their known gaps by :mod:`.gaps`).
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from difffuzz._config.reader import Table, expand, expand_map
from difffuzz._config.records import CampaignSettings, Config, RuntimeSpec, SurfaceSpec
from difffuzz._config.requests import unknown_secret
from difffuzz._config.surfaces import parse_surface
from difffuzz._exceptions import ConfigError
from difffuzz._secrets import literal_secret

__all__ = ["is_loopback_url", "load_config", "parse_config"]


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


def parse_config(
    document: Mapping[str, Any],
    *,
    source: str,
    base_dir: Path,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Validate a parsed TOML document (see :func:`load_config`)."""
    environ = os.environ if environ is None else environ
    top = Table(document, "", source)
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
        name: parse_surface(
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


def _parse_campaign(reader: Table, base_dir: Path) -> CampaignSettings:
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
    state = reader.get("state", str, defaults.state)
    shared_store = reader.get("shared_store", str, "")
    if shared_store and not shared_store.startswith(("redis://", "rediss://", "unix://")):
        raise reader.fail(
            "shared_store",
            f"must be a Redis URL like 'redis://127.0.0.1:6379/0', got {shared_store!r}",
        )
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
        concurrent=reader.get("concurrent", bool, defaults.concurrent),
        reuse_answers=reader.get("reuse_answers", bool, defaults.reuse_answers),
        shared_store=shared_store,
        shared_namespace=reader.get("shared_namespace", str, "") or Path(reader.source).stem,
        state=str(base_dir / state) if not Path(state).is_absolute() else state,
    )


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
    name: str, reader: Table, campaign: CampaignSettings, environ: Mapping[str, str]
) -> RuntimeSpec:
    reader.check_keys({"base_url", "health", "env", "secret"})
    base_url, url_secrets = expand(reader, "base_url", reader.get("base_url", str, ""), environ)
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
    env, references = expand_map(reader, "env", environ)
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


def _check_runtime_secret_names(
    runtime: RuntimeSpec, surfaces: Iterable[SurfaceSpec], reader: Table
) -> None:
    """A name under ``runtimes.NAME.secret`` must be an env or a header somewhere."""
    known = set(runtime.env)
    for surface in surfaces:
        request = surface.requests[runtime.name]
        known |= set(request.env) | set(request.headers)
    lowered = {name.lower() for name in known}
    for name in runtime.secret:
        if name not in known and name.lower() not in lowered:
            raise unknown_secret(name, reader, known)

"""How one surface's input reaches one runtime: a ``RequestSpec``, secrets included."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from difffuzz._config.reader import Table, expand_map, join_key, unknown_name
from difffuzz._config.records import CampaignSettings, RequestSpec, RuntimeSpec
from difffuzz._exceptions import ConfigError
from difffuzz._secrets import CREDENTIAL_HEADERS, Secret, literal_secret
from difffuzz._transports.kind import TRANSPORTS

__all__ = ["REQUEST_KEYS", "parse_request", "unknown_secret"]


# Request keys a surface may set, and a runtime override may replace.
REQUEST_KEYS = {
    "transport",
    "method",
    "path",
    "headers",
    "body",
    "template",
    "marker",
    "argv",
    "stdin",
    "mode",
    "target",
    "timeout",
    "env",
    "cwd",
    "secret",
}


def parse_request(
    surface: Table,
    override: Table,
    runtime: RuntimeSpec,
    campaign: CampaignSettings,
    base_dir: Path,
    environ: Mapping[str, str],
) -> RequestSpec:
    override.check_keys(REQUEST_KEYS | {"select", "normalize"})

    def source_of(key: str) -> Table:
        # The per-runtime table wins; errors must name the table the value came from.
        return override if key in override.table else surface

    def pick(key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        return source_of(key).get(key, kind, default)

    transport = pick("transport", str, "http")
    if transport not in TRANSPORTS:
        raise source_of("transport").fail(
            "transport", f"must be one of {', '.join(TRANSPORTS.names())}, got {transport!r}"
        )
    kind = TRANSPORTS.get(transport)
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
    mode = pick("mode", str, "spawn")
    if mode not in ("spawn", "lines"):
        raise source_of("mode").fail(
            "mode",
            f"must be 'spawn' (a process per input) or 'lines' (one process, one line per "
            f"input), got {mode!r}",
        )
    if mode == "lines" and stdin == "none":
        raise source_of("mode").fail(
            "mode", "mode = 'lines' sends every input on stdin; it cannot go with stdin = 'none'"
        )
    timeout = pick("timeout", (int, float), campaign.timeout)
    if timeout <= 0:
        raise source_of("timeout").fail(
            "timeout", f"must be a positive number of seconds, got {timeout!r}"
        )
    surface_headers, header_refs = expand_map(surface, "headers", environ)
    own_headers, own_header_refs = expand_map(override, "headers", environ)
    headers = {**surface_headers, **own_headers}
    surface_env, env_refs = expand_map(surface, "env", environ)
    own_env, own_env_refs = expand_map(override, "env", environ)
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
        mode=mode,
        target=pick("target", str, ""),
        timeout=float(timeout),
        env=env,
        # A python target's module is imported from cwd first: the config's folder.
        cwd=str(base_dir / cwd)
        if cwd is not None
        else (str(base_dir) if kind.cwd_is_config_folder else None),
        secrets=secrets,
    )
    where = f"{surface.where} (runtime {runtime.name})"
    problem = kind.problem(spec)
    if problem is not None:
        raise ConfigError(f"{surface.source}: {where}: {problem}")
    return spec


def _request_secrets(
    readers: tuple[Table, Table],
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
                raise unknown_secret(name, reader, [*headers, *env])
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


def unknown_secret(name: str, reader: Table, known: Iterable[str]) -> ConfigError:
    # A misspelt name would leave the real secret in clear without a word.
    where = join_key(reader.where, "secret")
    return ConfigError(
        unknown_name(f"header or env name {name!r} in {where}", name, known, reader.source)
    )

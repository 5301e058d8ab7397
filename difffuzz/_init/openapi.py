"""``difffuzz init openapi``: one surface per operation of an OpenAPI document.

For every operation that takes a JSON request body the starter writes a surface
whose inputs come from that body's schema (the ``from_schema`` strategy reads
the schema from the spec file itself, by JSON pointer, so ``$ref``s keep
working and the spec stays the one source), and whose comparison comes from the
operation's responses:

* a documented JSON response: ``rule = "http"`` (the status, then the JSON
  bodies); otherwise ``bytes``;
* ``answer_status`` lists the documented statuses below 500: a 422 the API
  promises is an answer whose body must agree, not a failure to skip;
* response fields marked ``readOnly`` with a ``date-time`` or ``uuid`` format
  (creation times, generated ids) are ignored: two deployments never agree on them.

Path parameters get one fixed value (their ``example``, else ``1``); operations
with no JSON body (most GETs) are listed in a comment as not fuzzed, with why.
OpenAPI 3.0 and 3.1 are read, and Swagger 2.0's ``in: body`` parameters.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from difffuzz._exceptions import ConfigError
from difffuzz._init.starters import Starter, campaign_block, split_url
from difffuzz._init.toml_text import toml_value
from difffuzz._strategies.generic import load_schema_document
from difffuzz._strategies.schema import resolve_pointer

__all__ = ["Operation", "openapi_operations", "openapi_starter"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_GENERATED_FORMATS = ("date-time", "uuid")


@dataclass(frozen=True)
class Operation:
    """One operation of the spec, as a surface sees it."""

    name: str
    method: str
    path: str  # path parameters filled in
    #: JSON pointer of the request body's schema in the spec, or "" (not fuzzed).
    body_pointer: str
    rule: str
    answer_status: tuple[int, ...]
    ignore: tuple[str, ...]
    why_not: str = ""


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _deref(spec: Any, node: Any, pointer: str) -> tuple[Any, str]:
    """Follow ``$ref``s from ``node`` (at ``pointer``): the node and where it really is."""
    hops = 0
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and hops < 32:
        pointer = node["$ref"].removeprefix("#")
        node = resolve_pointer(spec, pointer)
        hops += 1
    return node, pointer


def _surface_name(operation: Mapping[str, Any], method: str, path: str, taken: set[str]) -> str:
    raw = operation.get("operationId") or f"{method}_{path.strip('/')}"
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", str(raw)).strip("_") or method
    unique, n = name, 2
    while unique in taken:
        unique, n = f"{name}_{n}", n + 1
    taken.add(unique)
    return unique


def _filled_path(path: str, parameters: list[Any], spec: Any) -> str:
    values: dict[str, str] = {}
    for parameter in parameters:
        parameter, _ = _deref(spec, parameter, "")
        if isinstance(parameter, Mapping) and parameter.get("in") == "path":
            example = parameter.get("example")
            schema = parameter.get("schema", {})
            if example is None and isinstance(schema, Mapping):
                example = schema.get("example", schema.get("default"))
                if example is None and isinstance(schema.get("enum"), list) and schema["enum"]:
                    example = schema["enum"][0]
            values[str(parameter.get("name"))] = str(example if example is not None else 1)
    return re.sub(r"\{([^}]+)\}", lambda m: values.get(m.group(1), "1"), path)


def _json_media(content: Any) -> tuple[str, Any] | None:
    """The JSON media type entry of a ``content`` map (``application/json``, ``*+json``)."""
    if not isinstance(content, Mapping):
        return None
    for media, entry in content.items():
        base = str(media).split(";")[0].strip().lower()
        if base == "application/json" or base.endswith("+json"):
            return str(media), entry
    return None


def _request_pointer(
    spec: Any, operation: Mapping[str, Any], at: str, parameters: list[Any]
) -> tuple[str, str]:
    """(pointer of the JSON body schema, "") or ("", why the operation is not fuzzed)."""
    if "requestBody" in operation:
        body, where = _deref(spec, operation["requestBody"], f"{at}/requestBody")
        found = _json_media(body.get("content") if isinstance(body, Mapping) else None)
        if found is None:
            return "", "its request body is not JSON"
        media, entry = found
        if not isinstance(entry, Mapping) or "schema" not in entry:
            return "", "its JSON request body has no schema"
        return f"{where}/content/{_escape(media)}/schema", ""
    for index, parameter in enumerate(parameters):  # Swagger 2.0
        parameter, where = _deref(spec, parameter, f"{at}/parameters/{index}")
        if isinstance(parameter, Mapping) and parameter.get("in") == "body":
            return f"{where}/schema", ""
    return "", "it takes no JSON request body (query and header parameters are not generated)"


def _responses(
    spec: Any, operation: Mapping[str, Any], at: str
) -> tuple[str, tuple[int, ...], tuple[str, ...]]:
    responses = operation.get("responses", {})
    statuses: list[int] = []
    json_answer = False
    ignore: list[str] = []
    if not isinstance(responses, Mapping):
        return "http", (), ()
    for code, response in responses.items():
        response, _ = _deref(spec, response, f"{at}/responses/{_escape(str(code))}")
        if str(code).isdigit() and int(str(code)) < 500:
            statuses.append(int(str(code)))
        if not isinstance(response, Mapping):
            continue
        found = _json_media(response.get("content"))
        schema: Any = None
        if found is not None:
            json_answer = True
            schema = found[1].get("schema") if isinstance(found[1], Mapping) else None
        elif "schema" in response:  # Swagger 2.0
            json_answer = True
            schema = response["schema"]
        if str(code).startswith("2") and schema is not None:
            ignore += _generated_fields(spec, schema)
    rule = "http" if json_answer or not responses else "bytes"
    return rule, tuple(sorted(set(statuses))), tuple(dict.fromkeys(ignore))


def _generated_fields(spec: Any, schema: Any) -> list[str]:
    """Top-level response fields the server makes up itself (readOnly times and ids)."""
    fields = []
    for name, sub in _properties(spec, schema).items():
        sub, _ = _deref(spec, sub, "")
        if (
            isinstance(sub, Mapping)
            and sub.get("readOnly") is True
            and sub.get("format") in _GENERATED_FORMATS
        ):
            fields.append("/" + _escape(str(name)))
    return fields


def _properties(spec: Any, schema: Any, depth: int = 0) -> dict[str, Any]:
    """The properties a schema names, its ``allOf`` parts' included."""
    schema, _ = _deref(spec, schema, "")
    if not isinstance(schema, Mapping) or depth > 8:
        return {}
    found: dict[str, Any] = {}
    for part in schema.get("allOf", []):
        found.update(_properties(spec, part, depth + 1))
    found.update(schema.get("properties") or {})
    return found


def openapi_operations(spec: Any) -> Iterator[Operation]:
    """Every operation of ``spec``, in the spec's order."""
    if not isinstance(spec, Mapping) or not ("openapi" in spec or "swagger" in spec):
        raise ConfigError(
            "not an OpenAPI document: no 'openapi' (or 'swagger') key at the top; "
            "give the path of your openapi.yaml or openapi.json"
        )
    paths = spec.get("paths")
    if not isinstance(paths, Mapping) or not paths:
        raise ConfigError("the OpenAPI document has no paths: nothing to fuzz")
    taken: set[str] = set()
    for path, item in paths.items():
        item, where = _deref(spec, item, f"/paths/{_escape(str(path))}")
        if not isinstance(item, Mapping):
            continue
        shared = list(item.get("parameters", []))
        for method in _METHODS:
            operation = item.get(method)
            if not isinstance(operation, Mapping):
                continue
            at = f"{where}/{method}"
            parameters = shared + list(operation.get("parameters", []))
            pointer, why_not = _request_pointer(spec, operation, at, parameters)
            rule, statuses, ignore = _responses(spec, operation, at)
            yield Operation(
                name=_surface_name(operation, method, str(path), taken),
                method=method.upper(),
                path=_filled_path(str(path), parameters, spec),
                body_pointer=pointer,
                rule=rule,
                answer_status=statuses,
                ignore=ignore,
                why_not=why_not,
            )


def _base_path(spec: Mapping[str, Any], url_path: str) -> str:
    """The prefix of every path: the URL's own path, else the spec's first server's."""
    if url_path not in ("", "/"):
        return url_path.rstrip("/")
    servers = spec.get("servers")
    if isinstance(servers, list) and servers and isinstance(servers[0], Mapping):
        server_url = str(servers[0].get("url", ""))
        if server_url.startswith("/"):
            return server_url.rstrip("/")
        if server_url.startswith(("http://", "https://")):
            return split_url(server_url, "servers")[1].rstrip("/")
        return ""
    base = spec.get("basePath")  # Swagger 2.0
    return str(base).rstrip("/") if isinstance(base, str) else ""


def openapi_starter(
    spec_path: Path, left_url: str, right_url: str, *, output: Path, starter: Starter
) -> str:
    """A config with one surface per operation of the spec at ``spec_path``."""
    spec = load_schema_document(spec_path)
    operations = list(openapi_operations(spec))
    fuzzed = [op for op in operations if op.body_pointer]
    if not fuzzed:
        reasons = "; ".join(f"{op.method} {op.path}: {op.why_not}" for op in operations)
        raise ConfigError(
            f"{spec_path}: no operation takes a JSON request body, so there is nothing "
            f"to generate yet ({reasons}); `difffuzz init http` writes a config to fill in by hand"
        )
    left, right = starter.names
    left_base, left_path = split_url(left_url, "--left")
    right_base, right_path = split_url(right_url, "--right")
    left_prefix, right_prefix = _base_path(spec, left_path), _base_path(spec, right_path)
    relative = os.path.relpath(spec_path.resolve(), output.resolve().parent)
    title = (
        spec.get("info", {}).get("title", spec_path.name)
        if isinstance(spec.get("info"), Mapping)
        else spec_path.name
    )
    lines = [
        f"# difffuzz config for {title}: {left} ({left_url}) against {right} ({right_url}).",
        f"# Written by `difffuzz init openapi {spec_path}`: one surface per operation that",
        "# takes a JSON body, inputs drawn from its request schema in the spec (valid ones,",
        "# and with invalid = true one-mistake ones), the rule from its responses.",
        "# Run it with `difffuzz run` in this folder; `--surface NAME` runs one.",
        "",
        campaign_block(starter.max_examples),
        f"[runtimes.{left}]",
        f"base_url = {toml_value(left_base)}",
        'health = ""             # a path to GET before fuzzing (any answer below 500 is "up")',
        "",
        f"[runtimes.{right}]",
        f"base_url = {toml_value(right_base)}",
        'health = ""',
    ]
    for op in fuzzed:
        params = {"schema_file": relative, "pointer": op.body_pointer, "invalid": True}
        lines += [
            "",
            f"# {op.method} {op.path}",
            f"[surfaces.{op.name}]",
            'strategy = "from_schema"',
            f"strategy_params = {toml_value(params)}",
            'transport = "http"',
            f"method = {toml_value(op.method)}",
        ]
        if left_prefix == right_prefix:
            lines.append(f"path = {toml_value(left_prefix + op.path)}")
        if op.answer_status:
            lines.append(
                f"answer_status = {toml_value(list(op.answer_status))}   # documented, below 500"
            )
        if left_prefix != right_prefix:
            for name, prefix in ((left, left_prefix), (right, right_prefix)):
                lines += [
                    "",
                    f"[surfaces.{op.name}.runtimes.{name}]",
                    f"path = {toml_value(prefix + op.path)}",
                ]
        lines += ["", f"[surfaces.{op.name}.compare]", f"rule = {toml_value(op.rule)}"]
        if op.ignore:
            lines.append(f"ignore = {toml_value(list(op.ignore))}   # readOnly times and ids")
    skipped = [op for op in operations if not op.body_pointer]
    if skipped:
        lines += ["", "# Not fuzzed:"]
        lines += [f"#   {op.method} {op.path}: {op.why_not}" for op in skipped]
    return "\n".join(lines) + "\n"

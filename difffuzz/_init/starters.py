"""Starter configs for your own service: two HTTP URLs, two commands, two functions.

Each starter is a commented ``difffuzz.toml`` with one surface that runs as it
is: the runtimes are the ones named on the command line, the strategy is a
generic one (``from_schema``, ``text``, ``bytes``, ``regex``), and the comments
say what to change first. ``difffuzz init openapi`` (:mod:`.openapi`) writes one
surface per operation of a spec instead.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from difffuzz._exceptions import ConfigError
from difffuzz._init.toml_text import toml_key, toml_value

__all__ = [
    "DEFAULT_NAMES",
    "Starter",
    "campaign_block",
    "command_starter",
    "http_starter",
    "python_starter",
    "runtime_names",
    "split_url",
]

DEFAULT_NAMES = ("left", "right")


@dataclass(frozen=True)
class Starter:
    """What every starter shares: the runtimes' names and the budget."""

    names: tuple[str, str] = DEFAULT_NAMES
    max_examples: int = 200


def runtime_names(text: str | None) -> tuple[str, str]:
    """``"old,new"`` as the two runtime names (``left,right`` when not given)."""
    if not text:
        return DEFAULT_NAMES
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 2 or not all(parts) or parts[0] == parts[1]:
        raise ConfigError(
            f"--names {text!r}: give two different names separated by a comma, like --names old,new"
        )
    for part in parts:
        if toml_key(part) != part:
            raise ConfigError(
                f"--names: the runtime name {part!r} must be letters, digits, '_' or '-'"
            )
    return (parts[0], parts[1])


def split_url(url: str, option: str) -> tuple[str, str]:
    """``http://host:port/v1/parse`` as (``http://host:port``, ``/v1/parse``)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"{option} {url!r}: expected an http:// or https:// URL, like http://127.0.0.1:8000/v1/parse"
        )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return f"{parts.scheme}://{parts.netloc}", path


def campaign_block(max_examples: int) -> str:
    return f"""[campaign]
max_examples = {max_examples}     # generated inputs per surface (exact: the run says N/N)
# max_seconds = 60      # a time box per surface, exploring and shrinking
corpus = "corpus"       # one JSON file per minimal divergence: commit it, CI replays it
reports = "reports"     # Markdown, JSON, HTML and JUnit reports of each run
timeout = 10.0          # seconds per call
"""


def _strategy_lines(name: str, params: Mapping[str, Any]) -> str:
    lines = f"strategy = {toml_value(name)}\n"
    if params:
        lines += f"strategy_params = {toml_value(dict(params))}\n"
    return lines


_STRATEGY_HELP = """\
# What to send. Generic strategies: from_schema (a JSON Schema, inline or
# schema_file = "..."), text, bytes, regex (pattern = "..."); `difffuzz strategies`
# lists them all and `difffuzz sample NAME -n 5` shows what one draws. Your own:
# a module with @difffuzz.strategy, listed in strategy_modules (found beside this file)."""


def http_starter(left_url: str, right_url: str, *, method: str, starter: Starter) -> str:
    """Two HTTP services: one surface, the input as the JSON body."""
    left, right = starter.names
    left_base, left_path = split_url(left_url, "--left")
    right_base, right_path = split_url(right_url, "--right")
    same_path = left_path == right_path
    path_lines = f"path = {toml_value(left_path)}\n" if same_path else ""
    overrides = (
        ""
        if same_path
        else (
            f"\n[surfaces.api.runtimes.{left}]\npath = {toml_value(left_path)}\n"
            f"\n[surfaces.api.runtimes.{right}]\npath = {toml_value(right_path)}\n"
        )
    )
    strategy = _strategy_lines("from_schema", {"schema": {"type": "object"}, "invalid": True})
    return f"""# difffuzz config: {left} ({left_url}) against {right} ({right_url}).
# Written by `difffuzz init http`; run it with `difffuzz run` in this folder.
# Reference: the Configuration section of difffuzz's README.

{campaign_block(starter.max_examples)}
[runtimes.{left}]            # the first runtime is "left" in every report
base_url = {toml_value(left_base)}
health = "/health"       # GET before fuzzing: any answer below 500 is "up"; "" skips it

[runtimes.{right}]
base_url = {toml_value(right_base)}
health = "/health"

[surfaces.api]
{_STRATEGY_HELP}
# The default draws JSON objects; describe your body with schema = {{ ... }} (or
# schema_file = "body.schema.json"); invalid = true also sends one-mistake bodies.
{strategy}transport = "http"
method = {toml_value(method.upper())}
{path_lines}body = "json"            # the input as the JSON body ("raw": text/bytes as they are;
                         # "template": template = {{ field = "$input" }} puts it inside one)
# headers = {{ authorization = "Bearer ${{API_TOKEN}}" }}
{overrides}
[surfaces.api.compare]
rule = "http"            # the status, then the JSON bodies (json: bodies only; shape: keys
                         # and types only; bytes: the exact bytes)
# ignore = ["/timestamp", "/request_id"]   # fields that may differ (noise is also learned)
"""


def _argv(command: str, option: str) -> list[str]:
    try:
        argv = shlex.split(command)
    except ValueError as error:
        raise ConfigError(f"{option} {command!r}: not a shell command line ({error})") from None
    if not argv:
        raise ConfigError(f"{option} is empty; give the command that runs the helper")
    return argv


def command_starter(left_command: str, right_command: str, *, starter: Starter) -> str:
    """Two helper programs: one process per input, the input on stdin, stdout compared."""
    left, right = starter.names
    left_argv = _argv(left_command, "--left")
    right_argv = _argv(right_command, "--right")
    strategy = _strategy_lines("text", {})
    return f"""# difffuzz config: `{left_command}` ({left}) against `{right_command}` ({right}).
# Written by `difffuzz init command`; run it with `difffuzz run` in this folder.
# Each input starts each program once: the input on stdin, stdout and the exit
# status are the answer (0 is an answer, anything else a failure).

{campaign_block(starter.max_examples)}
[runtimes.{left}]

[runtimes.{right}]

[surfaces.cli]
{_STRATEGY_HELP}
{strategy}transport = "command"
# argv placeholders: {{input_file}} (a file holding the input), {{output_file}} (its
# content after exit is the answer), {{input_dir}} (for folder inputs); with them,
# stdin = "none" sends nothing on stdin. env = {{...}} and cwd = "..." are per call.

[surfaces.cli.runtimes.{left}]
argv = {toml_value(left_argv)}

[surfaces.cli.runtimes.{right}]
argv = {toml_value(right_argv)}

[surfaces.cli.compare]
rule = "bytes"           # the exact output; "json" if the programs print JSON
"""


def python_starter(left_target: str, right_target: str, *, starter: Starter) -> str:
    """Two functions in this interpreter: each is called with the input."""
    left, right = starter.names
    for option, target in (("--left", left_target), ("--right", right_target)):
        module, sep, function = target.partition(":")
        if not sep or not module or not function:
            raise ConfigError(
                f"{option} {target!r}: expected module:function, like mypkg.parser:parse"
            )
    strategy = _strategy_lines("text", {})
    return f"""# difffuzz config: {left_target} ({left}) against {right_target} ({right}).
# Written by `difffuzz init python`; run it with `difffuzz run` in this folder.
# Each function is called with the input; its return value is the answer (bytes
# and str as they are, anything else as JSON; (status, body) sets a status) and
# an exception is a failure. Modules are imported from this file's folder first.

{campaign_block(starter.max_examples)}
[runtimes.{left}]

[runtimes.{right}]

[surfaces.call]
{_STRATEGY_HELP}
{strategy}transport = "python"

[surfaces.call.runtimes.{left}]
target = {toml_value(left_target)}

[surfaces.call.runtimes.{right}]
target = {toml_value(right_target)}

[surfaces.call.compare]
rule = "json"            # the return values, compared as JSON ("bytes": exactly)
"""

"""The built-in transport kinds: ``http``, ``command`` and ``python``, one entry each.

Each :class:`~difffuzz._transports.kind.TransportKind` here knows everything its
requests need and mean (see that module); :data:`BUILTIN_TRANSPORTS` is the
table :func:`difffuzz._builtins.load_builtins` registers. A new transport is
one more entry: a subclass (its transport class in a module of its own) and a
line in the table.

The reproductions are bash: ``printf ... | curl ...`` for HTTP, the exact stdin
piped into the helper's argv (placeholders become files in a fresh ``mktemp
-d`` folder), a ``python3 -c`` line calling the target with the input literal.

>>> from difffuzz._transports.base import CommandRequest
>>> print(COMMAND.reproduce(CommandRequest(argv=("cat",), stdin=b"it's\\x00")))
printf 'it\\047s\\000' | cat
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import httpx

from difffuzz._exceptions import RuntimeUnreachable
from difffuzz._inputs import FileTree, input_literal
from difffuzz._transports.base import (
    CommandRequest,
    HTTPRequest,
    PythonRequest,
    Request,
    Transport,
)
from difffuzz._transports.command import CommandRenderer, CommandTransport, HelperParts
from difffuzz._transports.http import HTTPRenderer, HTTPRequestParts, HTTPTransport
from difffuzz._transports.kind import Renderer, TransportKind, WireTraits
from difffuzz._transports.lines import LinesTransport
from difffuzz._transports.python import PythonTransport, python_request
from difffuzz._transports.shell import ShellWords, quote_data, quote_word

if TYPE_CHECKING:
    from difffuzz._config.records import RequestSpec, RuntimeSpec

__all__ = ["BUILTIN_TRANSPORTS", "COMMAND", "HTTP", "PLACEHOLDERS", "PYTHON"]

R = TypeVar("R", HTTPRequest, CommandRequest, PythonRequest)


def _expect(request: Request, kind: type[R]) -> R:
    """``request`` as this kind's own request type (a reproduction needs its fields)."""
    if not isinstance(request, kind):
        raise TypeError(
            f"cannot build a reproduction for request {request!r} (type "
            f"{type(request).__name__}); expected a {kind.__name__}"
        )
    return request


def _http_parts(request: RequestSpec) -> HTTPRequestParts:
    """What an HTTP request is made of, read from the config once for the renderer
    (reports) and the transport (the campaign) alike, so both send the same request."""
    return HTTPRequestParts(
        method=request.method,
        path=request.path,
        headers=request.headers,
        body=request.body,
        template=request.template,
        marker=request.marker,
        secrets=request.secrets,
    )


def _helper_parts(request: RequestSpec) -> HelperParts:
    """How a helper runs, whether started per input or kept running, and in its
    reproduction: the same for the renderer and both command transports."""
    return HelperParts(env=request.env, cwd=request.cwd, secrets=request.secrets)


class HTTPKind(TransportKind):
    """An HTTP request per input (``method``, ``path``, ``headers``, ``body``, ``template``)."""

    name = "http"

    def problem(self, request: RequestSpec) -> str | None:
        if not request.base_url:
            return f"the http transport needs runtimes.{request.runtime}.base_url"
        return None

    def describe(self, request: RequestSpec) -> str:
        return f"{request.method} {request.base_url.rstrip('/')}{request.path}"

    def reach_key(self, request: RequestSpec) -> str:
        return request.base_url  # every path of one server is reachable or none is

    # An empty body (204 No Content) is a deliberate answer.
    empty_answers = True

    def answer_status(self, status: int) -> bool:
        return 200 <= status < 300

    def renderer(self, request: RequestSpec) -> Renderer:
        return HTTPRenderer.of(request.base_url, **_http_parts(request)).render

    def open(self, request: RequestSpec, *, max_body_bytes: int) -> Transport:
        return HTTPTransport(
            request.base_url,
            timeout=request.timeout,
            max_body_bytes=max_body_bytes,
            **_http_parts(request),
        )

    def reproduce(self, request: Request, *, python: str = "python3") -> str:
        """``printf ... | curl ... --data-binary @-`` with the method, headers and URL
        (curl's own default content type is suppressed when the request set none, so
        the runtime sees the same headers that matter).

        >>> print(HTTP.reproduce(HTTPRequest("POST", "http://127.0.0.1:3100/v1/validate",
        ...                                  {"content-type": "application/json"}, b"{}")))
        printf '{}' \\
          | curl --silent --show-error --include --globoff --write-out '\\n' --request POST \\
            --header 'content-type: application/json' \\
            --data-binary @- --url http://127.0.0.1:3100/v1/validate
        """
        request = _expect(request, HTTPRequest)
        words = ShellWords(request.secrets)
        return words.preamble(_curl_command(request, words))

    def check_reachable(self, surface: str, request: RequestSpec, runtime: RuntimeSpec) -> None:
        """The runtime must answer its health path (any status below 500)."""
        if not runtime.health:
            return
        url = request.base_url.rstrip("/") + runtime.health
        try:
            response = httpx.get(url, timeout=min(request.timeout, 5.0))
        except httpx.HTTPError as exc:
            raise RuntimeUnreachable(
                f"runtime {runtime.name!r} is unreachable at {url} ({type(exc).__name__}: "
                f"{exc}). Start it, or fix runtimes.{runtime.name}.base_url (set "
                f'runtimes.{runtime.name}.health = "" if it has no health route).',
                runtime=runtime.name,
                target=url,
            ) from None
        if response.status_code >= 500:
            raise RuntimeUnreachable(
                f"runtime {runtime.name!r} is not healthy: GET {url} answered "
                f"{response.status_code}. Fix the runtime before fuzzing it.",
                runtime=runtime.name,
                target=url,
            )

    def wire_traits(self, request: RequestSpec) -> WireTraits:
        return WireTraits(
            reads_json=request.body in ("json", "template"),
            prose=request.body == "raw",
            http=True,
        )


class CommandKind(TransportKind):
    """A helper process per input (``argv`` with placeholders, ``stdin``, ``env``, ``cwd``)."""

    name = "command"

    def problem(self, request: RequestSpec) -> str | None:
        if not request.argv:
            return (
                "the command transport needs argv, "
                f'e.g. [surfaces.NAME.runtimes.{request.runtime}] argv = ["helper"]'
            )
        return None

    def describe(self, request: RequestSpec) -> str:
        return " ".join(request.argv)

    def renderer(self, request: RequestSpec) -> Renderer:
        if request.mode == "lines":
            # The one request line a kept-running helper reads (its reproduction
            # pipes that line into the helper: it answers it, then sees the end).
            return self._lines(request, max_body_bytes=1).render
        return CommandRenderer.of(
            request.argv, stdin=request.stdin, **_helper_parts(request)
        ).render

    def open(self, request: RequestSpec, *, max_body_bytes: int) -> Transport:
        if request.mode == "lines":
            return self._lines(request, max_body_bytes=max_body_bytes)
        return CommandTransport(
            request.argv,
            stdin=request.stdin,
            timeout=request.timeout,
            max_output_bytes=max_body_bytes,
            **_helper_parts(request),
        )

    @staticmethod
    def _lines(request: RequestSpec, *, max_body_bytes: int) -> LinesTransport:
        """One helper kept running, a JSON line per input each way (_transports/lines.py);
        it starts no process until its first send."""
        return LinesTransport(
            request.argv,
            timeout=request.timeout,
            max_output_bytes=max_body_bytes,
            **_helper_parts(request),
        )

    def reproduce(self, request: Request, *, python: str = "python3") -> str:
        """The exact stdin piped into the helper's argv; placeholders (``{input_dir}``,
        ``{input_file}``, ``{output_file}``) become files in a fresh ``mktemp -d``
        folder, written first; the output file is printed last."""
        request = _expect(request, CommandRequest)
        words = ShellWords(request.secrets)
        return words.preamble(_helper_command(request, words))

    def check_reachable(self, surface: str, request: RequestSpec, runtime: RuntimeSpec) -> None:
        """The helper program must exist."""
        program = request.argv[0]
        found = shutil.which(program) if "/" not in program else program
        if found is None or not Path(found).exists():
            raise RuntimeUnreachable(
                f"surface {surface!r}: the helper {program!r} of runtime {runtime.name!r} "
                f"was not found. Fix surfaces.{surface}.runtimes.{runtime.name}.argv, or put "
                "the program on PATH.",
                runtime=runtime.name,
                target=" ".join(request.argv),
            )

    def wire_traits(self, request: RequestSpec) -> WireTraits:
        # Stdin, an input file or a folder of JSON Lines: JSON, often inside prose.
        return WireTraits(reads_json=True, prose=True)


class PythonKind(TransportKind):
    """An in-process call of ``target = "module:function"`` per input."""

    name = "python"
    # The target's module is imported from the config's folder first.
    cwd_is_config_folder = True

    def problem(self, request: RequestSpec) -> str | None:
        if ":" not in request.target:
            return (
                'the python transport needs target = "module:function", '
                f"got target = {request.target!r}"
            )
        return None

    def describe(self, request: RequestSpec) -> str:
        return request.target

    def renderer(self, request: RequestSpec) -> Renderer:
        target = request.target
        return lambda value: python_request(target, value)

    def open(self, request: RequestSpec, *, max_body_bytes: int) -> Transport:
        return PythonTransport(request.target, timeout=request.timeout, import_root=request.cwd)

    def reproduce(self, request: Request, *, python: str = "python3") -> str:
        """A ``python3 -c`` line calling the target with the input literal."""
        request = _expect(request, PythonRequest)
        return _python_command(request, python)

    def wire_traits(self, request: RequestSpec) -> WireTraits:
        # A function takes values: only with wire = "on", and then every value as bytes.
        return WireTraits(reads_json=False, prose=request.body == "raw", as_bytes=True)


HTTP = HTTPKind()
COMMAND = CommandKind()
PYTHON = PythonKind()

#: The kinds difffuzz brings, by the name a config gives them.
BUILTIN_TRANSPORTS: Mapping[str, TransportKind] = {
    kind.name: kind for kind in (HTTP, COMMAND, PYTHON)
}


#: Command placeholders the command transport expands, and the shell variable
#: each becomes in a reproduction script.
PLACEHOLDERS: Mapping[str, str] = {
    "{input_dir}": "input_dir",
    "{input_file}": "input_file",
    "{output_file}": "output_file",
}
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS))


def _curl_command(request: HTTPRequest, words: ShellWords) -> str:
    options = [
        # --write-out adds the newline a body rarely ends with, so the shell
        # prompt (or the other runtime's answer) starts on its own line.
        f"curl --silent --show-error --include --globoff --write-out '\\n' "
        f"--request {quote_word(request.method)}"
    ]
    # curl drops a header written "name:" with nothing after; "name;" sends it empty.
    for name, value in request.headers.items():
        header = words.word(value, prefix=f"{name}: ") if value.strip() else quote_word(f"{name};")
        options.append(f"--header {header}")
    names = {name.lower() for name in request.headers}
    if request.body and "content-type" not in names:
        options.append("--header 'Content-Type:'")
    if request.chunked:
        options.append("--header 'Transfer-Encoding: chunked'")
    if request.body:
        options.append(f"--data-binary @- --url {words.word(request.url)}")
        return quote_data(request.body) + " \\\n  | " + " \\\n    ".join(options)
    options.append(f"--url {words.word(request.url)}")
    return " \\\n    ".join(options)


def _helper_command(request: CommandRequest, words: ShellWords) -> str:
    used = {PLACEHOLDERS[m] for arg in request.argv for m in _PLACEHOLDER.findall(arg)}
    if request.tree is not None:
        used.add("input_dir")
    lines: list[str] = []
    if used:
        lines.append("work=$(mktemp -d)")
    if "input_dir" in used:
        lines.append('input_dir="$work/input" && mkdir -p "$input_dir"')
        lines.extend(_tree_lines(request.tree or FileTree(())))
    if "input_file" in used:
        lines.append('input_file="$work/input.bin"')
        lines.append(f'{quote_data(request.stdin)} > "$input_file"')
    if "output_file" in used:
        lines.append('output_file="$work/output"')
    argv = [_argv_word(arg) for arg in request.argv]
    if request.env:
        argv = [*_assignments(request.env, words), *argv]
    run = " ".join(argv)
    feeds = request.stdin and request.feeds_stdin
    run = f"{quote_data(request.stdin)} | {run}" if feeds else f"{run} </dev/null"
    if request.cwd is not None:
        run = f"(cd {quote_word(request.cwd)} && {run})"
    lines.append(run)
    if "output_file" in used:
        lines.append('cat "$output_file"')
    return "\n".join(lines)


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _assignments(env: Mapping[str, str], words: ShellWords) -> list[str]:
    """``NAME='value'`` prefixes, or ``env -- 'NAME=value'`` for names bash cannot assign."""
    if all(_IDENTIFIER.fullmatch(name) for name in env):
        return [f"{name}={words.word(value)}" for name, value in env.items()]
    return ["env", "--", *(words.word(value, prefix=f"{name}=") for name, value in env.items())]


def _tree_lines(tree: FileTree) -> list[str]:
    lines = []
    parents = sorted({path.rsplit("/", 1)[0] for path in tree.paths() if "/" in path})
    if parents:
        # "--": a folder named "-p" or "-0" is a folder, not an option.
        lines.append('(cd "$input_dir" && mkdir -p -- ' + " ".join(map(quote_word, parents)) + ")")
    for path, content in tree:
        lines.append(f'{quote_data(content)} > "$input_dir"/{quote_word(path)}')
    return lines


def _argv_word(arg: str) -> str:
    """Quote an argv item, turning placeholders into quoted variable expansions."""
    pieces: list[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(arg):
        if match.start() > position:
            pieces.append(quote_word(arg[position : match.start()]))
        pieces.append(f'"${PLACEHOLDERS[match.group()]}"')
        position = match.end()
    if position < len(arg) or not pieces:
        pieces.append(quote_word(arg[position:]) if arg[position:] else "''")
    return "".join(pieces)


_TARGET = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


def _python_command(request: PythonRequest, python: str) -> str:
    if not _TARGET.fullmatch(request.target):
        raise ValueError(
            f"python target {request.target!r} is not 'module:function' "
            "(dotted names only, e.g. 'json:dumps')"
        )
    module, function = request.target.split(":")
    literal = input_literal(request.argument)
    prelude = "from difffuzz import FileTree; " if "FileTree.of(" in literal else ""
    code = f"{prelude}import {module}; print(repr({module}.{function}({literal})))"
    return f"{quote_word(python)} -c {quote_word(code)}"

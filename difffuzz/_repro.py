"""Reproductions: copy-paste commands that send a finding's exact input again.

Every command targets **bash** (``$'...'`` quoting and the ``printf`` builtin's
octal escapes are bash behaviour; they also work in zsh, not in a plain POSIX
``sh``). Bytes are delivered exactly as the transport sent them, because they
are rendered from the transport's own :class:`~difffuzz._transports.base.Request`:

* data (a request body, a helper's stdin, a file's content) goes through
  ``printf '<format>'``: printable text stays readable, ``%`` ``\\`` and ``'``
  are escaped, and every other byte, NUL and invalid UTF-8 included, becomes a
  three-digit octal escape. A bash *string* cannot hold NUL, so ``$'...'``
  would silently truncate there; ``printf`` writes the byte itself.
* words (argv items, URLs, headers, paths) are quoted as a bare word, in
  single quotes, or as ``$'...'`` when they hold control or non-UTF-8 bytes.
* secrets (see :mod:`difffuzz._secrets`) are never written: a header, env
  value or URL that holds one reads it from an environment variable instead
  (``--header "authorization: Bearer $LAKEHOUSE_TOKEN"``), and a comment line
  first names the variables the command needs.

>>> from difffuzz._transports.base import CommandRequest
>>> print(shell_command(CommandRequest(argv=("cat",), stdin=b"it's\\x00")))
printf 'it\\047s\\000' | cat
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from difffuzz._inputs import FileTree, Input, WireInput
from difffuzz._results import Finding
from difffuzz._secrets import MIN_REDACTED_LENGTH, Secret
from difffuzz._transports.base import (
    CommandRequest,
    HTTPRequest,
    PythonRequest,
    Request,
    Transport,
)

__all__ = [
    "PLACEHOLDERS",
    "Reproduction",
    "RequestRenderer",
    "input_literal",
    "pytest_example",
    "quote_data",
    "quote_word",
    "renderer_for",
    "reproductions",
    "shell_command",
]

#: Renders one input of one surface into the (left, right) requests the
#: transports would send; ``None`` when the surface is unknown. The CLI builds
#: it from the surface's two transports' ``render`` methods.
RequestRenderer = Callable[[str, Input], tuple[Request, Request] | None]

#: Command placeholders the command transport expands, and the shell variable
#: each becomes in a reproduction script.
PLACEHOLDERS: Mapping[str, str] = {
    "{input_dir}": "input_dir",
    "{input_file}": "input_file",
    "{output_file}": "output_file",
}
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS))

_BARE = re.compile(rb"[A-Za-z0-9_@%+=:,./-]+")
_NAMED_ESCAPES = {ord("\n"): "\\n", ord("\t"): "\\t", ord("\r"): "\\r"}


def quote_word(word: str | bytes) -> str:
    """Quote one shell word for bash so that it arrives as exactly these bytes.

    ``str`` words are encoded as the OS does for argv (UTF-8, surrogateescape).

    >>> quote_word("plain/path.txt"), quote_word("it's"), quote_word("a\\tb")
    ('plain/path.txt', "'it'\\\\''s'", "$'a\\\\tb'")
    """
    raw = _word_bytes(word)
    if _BARE.fullmatch(raw):
        return raw.decode("ascii")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    else:
        if text.isprintable():
            return "'" + text.replace("'", "'\\''") + "'"
    pieces = []
    for byte in raw:
        if byte in _NAMED_ESCAPES:
            pieces.append(_NAMED_ESCAPES[byte])
        elif byte in (ord("\\"), ord("'")):
            pieces.append("\\" + chr(byte))
        elif 0x20 <= byte < 0x7F:
            pieces.append(chr(byte))
        else:
            pieces.append(f"\\x{byte:02x}")
    return "$'" + "".join(pieces) + "'"


def _word_bytes(word: str | bytes) -> bytes:
    if isinstance(word, str):
        try:
            raw = os.fsencode(word)
        except UnicodeEncodeError:
            raise ValueError(
                f"shell word {word!r} holds a lone surrogate the OS cannot pass in argv; "
                "use bytes for such an argument"
            ) from None
    else:
        raw = bytes(word)
    if b"\x00" in raw:
        raise ValueError(
            f"shell word {raw!r} contains a NUL byte, which no argv or header can carry; "
            "send such data on stdin or in the body instead"
        )
    return raw


def quote_data(data: bytes) -> str:
    """A ``printf`` command that writes exactly ``data`` to stdout (bash builtin).

    >>> quote_data(b"50% done\\n\\xff")
    "printf '50%% done\\\\n\\\\377'"
    """
    pieces: list[str] = []
    for char in data.decode("utf-8", "surrogateescape"):
        code = ord(char)
        if char == "%":
            pieces.append("%%")
        elif char == "\\":
            pieces.append("\\\\")
        elif code in _NAMED_ESCAPES:
            pieces.append(_NAMED_ESCAPES[code])
        elif char != "'" and char.isprintable() and not 0xD800 <= code <= 0xDFFF:
            pieces.append(char)
        else:
            encoded = char.encode("utf-8", "surrogateescape")
            pieces.append("".join(f"\\{byte:03o}" for byte in encoded))
    if pieces and pieces[0] == "-":
        pieces[0] = "\\055"  # a leading '-' would be read as a printf option
    return "printf '" + "".join(pieces) + "'"


def shell_command(request: Request, *, python: str = "python3") -> str:
    """A bash command that sends ``request`` again, byte for byte.

    * HTTP: ``printf ... | curl ... --data-binary @-`` with the method, headers
      and URL (curl's own default content type is suppressed when the request
      set none, so the runtime sees the same headers that matter).
    * Command: the exact stdin piped into the helper's argv. Placeholders
      (``{input_dir}``, ``{input_file}``, ``{output_file}``) become files in a
      fresh ``mktemp -d`` folder, written first; the output file is printed last.
    * Python: a ``python3 -c`` line calling the target with the input literal.

    >>> print(shell_command(HTTPRequest("POST", "http://127.0.0.1:3100/v1/validate",
    ...                                 {"content-type": "application/json"}, b"{}")))
    printf '{}' \\
      | curl --silent --show-error --include --globoff --write-out '\\n' --request POST \\
        --header 'content-type: application/json' \\
        --data-binary @- --url http://127.0.0.1:3100/v1/validate
    """
    if isinstance(request, HTTPRequest):
        words = _Words(request.secrets)
        return words.preamble(_curl_command(request, words))
    if isinstance(request, CommandRequest):
        words = _Words(request.secrets)
        return words.preamble(_helper_command(request, words))
    if isinstance(request, PythonRequest):
        return _python_command(request, python)
    raise TypeError(
        f"cannot build a reproduction for request {request!r} (type {type(request).__name__}); "
        "expected HTTPRequest, CommandRequest or PythonRequest"
    )


# Characters a double-quoted bash string would not keep as they are.
_DOUBLE_QUOTE_SAFE = re.compile(r'[^"\\$`!]*')


class _Words:
    """Quotes shell words, turning the secrets in them into variable expansions."""

    def __init__(self, secrets: Sequence[Secret]) -> None:
        ordered = sorted(dict.fromkeys(secrets), key=lambda s: -len(s.value))
        self.secrets = {s.value: s for s in ordered if s.value}
        # Short values are replaced only where they are a whole word's value: "1"
        # must not turn every digit of a URL into a variable.
        long_values = [re.escape(v) for v in self.secrets if len(v) >= MIN_REDACTED_LENGTH]
        self._pattern = re.compile("|".join(long_values)) if long_values else None
        self.used: dict[str, Secret] = {}

    def word(self, text: str, *, prefix: str = "") -> str:
        """``prefix + text`` as one word; secrets in ``text`` become ``$VARIABLE``."""
        pieces = self._split(text)
        if not any(isinstance(piece, Secret) for piece in pieces):
            return quote_word(prefix + text)
        if prefix:
            pieces.insert(0, prefix)
        for piece in pieces:
            if isinstance(piece, Secret):
                self.used.setdefault(piece.variable, piece)
        literals = [piece for piece in pieces if isinstance(piece, str)]
        if all(_DOUBLE_QUOTE_SAFE.fullmatch(p) and p.isprintable() for p in literals):
            return '"' + "".join(_expansion(pieces, i) for i in range(len(pieces))) + '"'
        return "".join(
            f'"${piece.variable}"' if isinstance(piece, Secret) else quote_word(piece)
            for piece in pieces
        )

    def _split(self, text: str) -> list[str | Secret]:
        if text in self.secrets:
            return [self.secrets[text]]
        if self._pattern is None:
            return [text]
        pieces: list[str | Secret] = []
        position = 0
        for match in self._pattern.finditer(text):
            if match.start() > position:
                pieces.append(text[position : match.start()])
            pieces.append(self.secrets[match.group()])
            position = match.end()
        if position < len(text) or not pieces:
            pieces.append(text[position:])
        return pieces

    def preamble(self, command: str) -> str:
        """``command``, after a comment naming the variables it reads, if any."""
        if not self.used:
            return command
        needed = ", ".join(
            f"{name} ({secret.origin})" if secret.origin else name
            for name, secret in self.used.items()
        )
        return f"# reads secrets from the environment: {needed}\n{command}"


def _expansion(pieces: Sequence[str | Secret], index: int) -> str:
    piece = pieces[index]
    if isinstance(piece, str):
        return piece
    after = pieces[index + 1] if index + 1 < len(pieces) else ""
    # "$TOKENx" would read the variable TOKENx; braces end the name.
    joined = isinstance(after, str) and after[:1] != "" and (after[0].isalnum() or after[0] == "_")
    return f"${{{piece.variable}}}" if joined else f"${piece.variable}"


def _curl_command(request: HTTPRequest, words: _Words) -> str:
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


def _helper_command(request: CommandRequest, words: _Words) -> str:
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


def _assignments(env: Mapping[str, str], words: _Words) -> list[str]:
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


def input_literal(value: Input) -> str:
    """Python source that evaluates to ``value`` (``FileTree`` needs importing).

    >>> input_literal({"k": [1.5, float("nan"), b"\\xff", "\\ud800"]})
    "{'k': [1.5, float('nan'), b'\\\\xff', '\\\\ud800']}"
    """
    if value is None or isinstance(value, bool | int | str):
        return repr(value)
    if isinstance(value, float):
        if value != value:
            return "float('nan')"
        if value in (float("inf"), float("-inf")):
            return "float('inf')" if value > 0 else "float('-inf')"
        return repr(value)
    if isinstance(value, bytes | bytearray):
        return repr(bytes(value))
    if isinstance(value, FileTree):
        files = ", ".join(f"{path!r}: {content!r}" for path, content in value)
        return f"FileTree.of({{{files}}})"
    if isinstance(value, WireInput):
        extra = f", headers={value.headers!r}" if value.headers else ""
        extra += ", chunked=True" if value.chunked else ""
        return (
            f"WireInput(sent={input_literal(value.sent)}, family={value.family!r}, "
            f"mutation={value.mutation!r}{extra})"
        )
    if isinstance(value, list):
        return "[" + ", ".join(map(input_literal, value)) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(map(input_literal, value))
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        items = (f"{input_literal(k)}: {input_literal(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    raise TypeError(
        f"cannot write input of type {type(value).__name__} as a Python literal: {value!r}; "
        "inputs must be None, bool, int, float, str, bytes, list, tuple, dict, FileTree "
        "or WireInput"
    )


def pytest_example(finding: Finding, *, argument: str | None = None) -> str:
    """A ready ``@example(...)`` line for a Hypothesis test, from a finding's input.

    Pass ``argument`` to name the test's parameter; a ``FileTree`` input needs
    ``from difffuzz import FileTree`` next to the test, a mutated one
    ``from difffuzz import WireInput``.
    """
    literal = input_literal(finding.input)
    return f"@example({argument}={literal})" if argument else f"@example({literal})"


def renderer_for(transports: Mapping[str, tuple[Transport, Transport]]) -> RequestRenderer:
    """A :data:`RequestRenderer` from each surface's (left, right) transports.

    ``render`` only builds the request; nothing is sent.

    >>> renderer = renderer_for({})
    >>> renderer("validator", "x") is None
    True
    """

    def render(surface: str, value: Input) -> tuple[Request, Request] | None:
        pair = transports.get(surface)
        if pair is None:
            return None
        return pair[0].render(value), pair[1].render(value)

    return render


@dataclass(frozen=True)
class Reproduction:
    """How to send a finding's input to one runtime again, by hand."""

    runtime: str
    command: str


def reproductions(
    surface: str, value: Input, runtimes: Sequence[str], render: RequestRenderer | None
) -> list[Reproduction]:
    """One shell command per runtime, or ``[]`` when no renderer is known.

    Rendering problems (an argv that cannot be quoted) become a visible note in
    place of the command, never an exception in the middle of a report.
    """
    if render is None:
        return []
    try:
        requests = render(surface, value)
    except Exception as exc:  # a report must not die on one surface's renderer
        return [Reproduction(runtime="?", command=f"# cannot render the requests: {exc!r}")]
    if requests is None:
        return []
    found = []
    for runtime, request in zip(runtimes, requests, strict=False):
        try:
            command = shell_command(request)
        except (TypeError, ValueError) as exc:
            command = f"# no shell reproduction: {exc}"
        found.append(Reproduction(runtime=runtime, command=command))
    return found

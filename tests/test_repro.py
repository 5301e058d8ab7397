"""Reproduction commands, run by a real bash: they must deliver the saved bytes exactly."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from difffuzz._comparators.base import CompareSpec, Comparison, Difference, DiffKind
from difffuzz._config import parse_config
from difffuzz._inputs import FileTree, Input, encode_input, input_literal, input_to_bytes
from difffuzz._outcome import Outcome
from difffuzz._repro import pytest_example, renderer_for, reproductions, shell_command
from difffuzz._results import Finding
from difffuzz._signature import Signature
from difffuzz._transports.base import CommandRequest, HTTPRequest, PythonRequest, Request
from difffuzz._transports.command import CommandTransport
from difffuzz._transports.shell import quote_data, quote_word
from tests.support.records import finding_of

BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="the reproductions target bash")

# Every character, lone surrogates included: the transports send them as the
# bytes input_to_bytes gives (surrogatepass), and so must the reproduction.
ANY_TEXT = st.text(st.characters(codec=None), max_size=40)
PAYLOADS = st.one_of(st.binary(max_size=200), ANY_TEXT.map(input_to_bytes))
FAST = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# Each example of these starts a Python process or two: fewer examples keep the module fast.
PROCESSES = settings(FAST, max_examples=20)
WRITE_STDIN = "import sys; open(sys.argv[1], 'wb').write(sys.stdin.buffer.read())"


def run_bash(command: str, *, locale: str = "C.UTF-8", cwd: Path | None = None) -> bytes:
    """Run ``command`` with ``bash -c`` as a user would paste it; return its stdout."""
    env = {**os.environ, "LC_ALL": locale}
    done = subprocess.run(
        [BASH or "bash", "-c", command],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=env,
        cwd=cwd,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, (command, done.stderr.decode("utf-8", "replace"))
    return done.stdout


@PROCESSES
@given(payload=PAYLOADS, locale=st.sampled_from(["C", "C.UTF-8"]))
@example(payload=b"it's 100%\x00\n\xff\\", locale="C")
def test_helper_stdin_arrives_byte_for_byte(tmp_path: Path, payload: bytes, locale: str) -> None:
    received = tmp_path / "stdin.bin"
    request = CommandRequest(argv=(sys.executable, "-c", WRITE_STDIN, str(received)), stdin=payload)
    run_bash(shell_command(request), locale=locale)
    assert received.read_bytes() == payload


# Bytes the shell or printf treat specially; random bytes rarely hit them alone.
AWKWARD = [
    b"'",
    b"%",
    b"%s%d%%",
    b"\\",
    b"\\n\\0\\x41",
    b"\x00",
    b"-n",
    b"--",
    b"\xff\xfe",
    b"$(id)`x`",
]


@FAST
@given(payload=PAYLOADS)
def test_quote_data_writes_exactly_the_bytes(payload: bytes) -> None:
    assert run_bash(quote_data(payload)) == payload


@pytest.mark.parametrize("payload", AWKWARD)
def test_quote_data_handles_shell_and_printf_syntax(payload: bytes) -> None:
    assert run_bash(quote_data(payload)) == payload


ARGV_TEXT = st.text(
    st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20
) | st.binary(max_size=12).filter(lambda b: b"\x00" not in b).map(os.fsdecode)


@PROCESSES
@given(arguments=st.lists(ARGV_TEXT, max_size=4))
def test_argv_words_arrive_exactly(arguments: list[str]) -> None:
    show = "import os, sys; sys.stdout.buffer.write(b'\\0'.join(map(os.fsencode, sys.argv[1:])))"
    request = CommandRequest(argv=(sys.executable, "-c", show, *arguments))
    assert run_bash(shell_command(request)) == b"\0".join(map(os.fsencode, arguments))


def test_a_word_with_nul_or_lone_surrogate_is_refused_with_the_fix() -> None:
    with pytest.raises(ValueError, match=r"NUL byte.*stdin"):
        quote_word("a\x00b")
    with pytest.raises(ValueError, match="lone surrogate"):
        quote_word("\ud800")


def test_empty_stdin_and_env_and_cwd(tmp_path: Path) -> None:
    show = "import os, sys; print(repr(sys.stdin.read()), os.environ['MODE'], os.getcwd())"
    request = CommandRequest(
        argv=(sys.executable, "-c", show), env={"MODE": "it's $HOME"}, cwd=str(tmp_path / "a b")
    )
    (tmp_path / "a b").mkdir()
    command = shell_command(request)
    assert "</dev/null" in command
    assert run_bash(command).decode() == f"'' it's $HOME {tmp_path / 'a b'}\n"


LIST_TREE = """
import base64, json, os, sys
root, out = sys.argv[1], sys.argv[2]
files = {}
for folder, _, names in os.walk(root):
    for name in names:
        path = os.path.join(folder, name)
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        files[rel] = base64.b64encode(open(path, "rb").read()).decode()
open(out, "w").write(json.dumps(files, sort_keys=True))
"""

SEGMENT = st.text(
    st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=8
).filter(lambda s: s not in (".", ".."))


def _valid_tree(files: dict[str, bytes]) -> bool:
    # A path cannot be both a file and a folder of another path.
    return not any(other.startswith(path + "/") for path in files for other in files)


@PROCESSES
@given(
    files=st.dictionaries(
        st.lists(SEGMENT, min_size=1, max_size=3).map("/".join), PAYLOADS, max_size=4
    ).filter(_valid_tree)
)
def test_file_tree_is_recreated_and_output_file_printed(files: dict[str, bytes]) -> None:
    tree = FileTree.of(files)
    request = CommandRequest(
        argv=(sys.executable, "-c", LIST_TREE, "{input_dir}", "{output_file}"), tree=tree
    )
    listing = json.loads(run_bash(shell_command(request)))
    assert {path: base64.b64decode(content) for path, content in listing.items()} == files


@settings(PROCESSES, max_examples=10)
@given(
    files=st.dictionaries(
        st.lists(SEGMENT, min_size=1, max_size=2).map("/".join), PAYLOADS, max_size=3
    ).filter(_valid_tree)
)
def test_reproduction_matches_the_real_command_transport(files: dict[str, bytes]) -> None:
    """Differential: the helper sees the same folder from the transport and from the script."""
    tree = FileTree.of(files)
    with CommandTransport([sys.executable, "-c", LIST_TREE, "{input_dir}", "{output_file}"]) as t:
        outcome = t.send(tree)
        command = shell_command(t.render(tree))
    assert outcome.status == 0, outcome
    assert run_bash(command) == outcome.body


def test_placeholders_inside_a_word_and_input_file(tmp_path: Path) -> None:
    script = (
        "import sys; src = sys.argv[1].split('=', 1)[1];"
        "sys.stdout.buffer.write(open(src, 'rb').read()[::-1])"
    )
    request = CommandRequest(
        argv=(sys.executable, "-c", script, "--in={input_file}"), stdin=b"a\x00'b\xff"
    )
    command = shell_command(request)
    assert '--in="$input_file"' in command
    assert run_bash(command) == b"\xffb'\x00a"


class _Recorder(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, str, dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length)
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.received.append((self.command, self.path, headers, body))
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_PUT = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def loopback() -> Iterator[tuple[str, list[tuple[str, str, dict[str, str], bytes]]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", _Recorder.received
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@FAST
@given(
    body=PAYLOADS.filter(bool), header=st.text(st.characters(min_codepoint=32, max_codepoint=126))
)
def test_curl_sends_the_exact_body_to_a_real_server(
    loopback: tuple[str, list[tuple[str, str, dict[str, str], bytes]]], body: bytes, header: str
) -> None:
    url, received = loopback
    received.clear()
    request = HTTPRequest(
        "PUT",
        f"{url}/v1/validate?q=[x]",
        {"content-type": "application/json", "x-probe": header},
        body,
    )
    assert run_bash(shell_command(request)).endswith(b"ok\n")
    ((method, path, headers, got),) = received
    assert (method, path, got) == ("PUT", "/v1/validate?q=[x]", body)
    assert headers["content-type"] == "application/json"
    # Surrounding whitespace is not part of an HTTP header value (RFC 9110, 5.5).
    assert headers["x-probe"].strip() == header.strip()


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_does_not_add_its_own_content_type(
    loopback: tuple[str, list[tuple[str, str, dict[str, str], bytes]]],
) -> None:
    url, received = loopback
    received.clear()
    run_bash(shell_command(HTTPRequest("POST", url + "/raw", {}, b"a=b")))
    assert "content-type" not in received[0][2]


@FAST
@given(body=PAYLOADS.filter(bool))
def test_curl_data_feed_without_curl(tmp_path: Path, body: bytes) -> None:
    """The part that feeds curl: with curl replaced by a stdin capture, the body is exact."""
    captured = tmp_path / "body.bin"
    command = shell_command(HTTPRequest("POST", "http://127.0.0.1:9/x", {}, body))
    run_bash(f"curl() {{ cat > {quote_word(str(captured))}; }}\n{command}")
    assert captured.read_bytes() == body


PLAIN_INPUTS: st.SearchStrategy[Input] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | ANY_TEXT | st.binary(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner)
        | st.dictionaries(ANY_TEXT, inner, max_size=3)
    ),
    max_leaves=8,
)
TREES = st.dictionaries(SEGMENT, st.binary(max_size=10), max_size=2).map(FileTree.of)
INPUTS = PLAIN_INPUTS | TREES


@settings(max_examples=200, deadline=None)
@given(value=INPUTS)
def test_input_literal_evaluates_to_the_input(value: Input) -> None:
    rebuilt = eval(input_literal(value), {"FileTree": FileTree})
    assert encode_input(rebuilt) == encode_input(value)


@PROCESSES
@given(value=PLAIN_INPUTS)
def test_python_command_calls_the_target_with_the_input(value: Input) -> None:
    command = shell_command(PythonRequest("builtins:ascii", value), python=sys.executable)
    assert run_bash(command).decode("ascii") == repr(ascii(value)) + "\n"


def test_python_command_with_a_file_tree_imports_it() -> None:
    # One example only: importing difffuzz in the child takes a noticeable fraction of a second.
    tree = FileTree.of({"a b/c'.jsonl": b"\x00{}\n", "-x": b""})
    command = shell_command(PythonRequest("builtins:ascii", tree), python=sys.executable)
    assert command.startswith(f"{quote_word(sys.executable)} -c 'from difffuzz import FileTree;")
    assert run_bash(command).decode("ascii") == repr(ascii(tree)) + "\n"


def test_python_target_must_be_module_colon_function() -> None:
    with pytest.raises(ValueError, match="module:function"):
        shell_command(PythonRequest("os; rm -rf /", 1))


def _finding(value: Input) -> Finding:
    difference = Difference(DiffKind.VALUE, "/a", "/a", 1, 2)
    return finding_of(
        surface="s",
        signature=Signature.of("s", (200, 200), [difference]),
        input=value,
        left=Outcome(200, b'{"a": 1}'),
        right=Outcome(200, b'{"a": 2}'),
        comparison=Comparison("json", (difference,)),
        compare_spec=CompareSpec(),
        runtimes=("rust", "go"),
    )


def test_pytest_example_line_is_valid_python() -> None:
    line = pytest_example(_finding({"to": "a'\"<\x00", "n": float("inf")}))
    assert line == "@example({'to': 'a\\'\"<\\x00', 'n': float('inf')})"
    tree_line = pytest_example(_finding(FileTree.of({"a.jsonl": b"{}\n"})), argument="tree")
    assert tree_line == "@example(tree=FileTree.of({'a.jsonl': b'{}\\n'}))"
    compile(f"{line}\ndef test(value): pass", "<example>", "exec")


def test_reproductions_use_the_renderer_and_survive_its_failures() -> None:
    def render(surface: str, value: Input) -> tuple[Request, Request] | None:
        if surface == "broken":
            raise RuntimeError("no transport for 'broken'")
        if surface == "unknown":
            return None
        body = input_to_bytes(value)
        return HTTPRequest("POST", "http://r/x", {}, body), CommandRequest(("helper",), stdin=body)

    left, right = reproductions("s", "x'", ("rust", "go"), render)
    assert (left.runtime, right.runtime) == ("rust", "go")
    assert "printf 'x\\047'" in left.command
    assert right.command == "printf 'x\\047' | helper"
    assert reproductions("unknown", "x", ("rust", "go"), render) == []
    (note,) = reproductions("broken", "x", ("rust", "go"), render)
    assert note.command.startswith("# cannot render")
    assert "broken" in note.command
    assert reproductions("s", "x", ("rust", "go"), None) == []


def test_renderer_for_renders_from_the_config_and_opens_nothing(tmp_path: Path) -> None:
    # A python target whose module does not exist: opening its transport would import
    # it and fail. A report renders its reproduction all the same, from the config.
    document = {
        "runtimes": {"rust": {}, "go": {}},
        "surfaces": {
            "extract_json": {
                "strategy": "text",
                "transport": "command",
                "runtimes": {"rust": {"argv": ["rust-helper"]}, "go": {"argv": ["go-helper"]}},
            },
            "inprocess": {
                "strategy": "text",
                "transport": "python",
                "runtimes": {
                    "rust": {"target": "no_such_module_anywhere:run"},
                    "go": {"target": "builtins:ascii"},
                },
            },
        },
    }
    config = parse_config(document, source="t.toml", base_dir=tmp_path)
    render = renderer_for(config)
    (left, right) = reproductions("extract_json", "{'a'", ("rust", "go"), render)
    assert left.command == "printf '{\\047a\\047' | rust-helper"
    assert right.command == "printf '{\\047a\\047' | go-helper"
    (python_left, _) = reproductions("inprocess", 7, ("rust", "go"), render)
    code = "import no_such_module_anywhere; print(repr(no_such_module_anywhere.run(7)))"
    assert python_left.command == f"python3 -c {quote_word(code)}"
    assert "no_such_module_anywhere" not in sys.modules
    assert reproductions("search", "q", ("rust", "go"), render) == []


def test_doctests() -> None:
    import doctest

    import difffuzz._repro

    assert doctest.testmod(difffuzz._repro).failed == 0

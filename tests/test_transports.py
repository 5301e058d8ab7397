"""The transports against real runtimes: a loopback server, real subprocesses.

First a conformance suite every transport runs against an echo runtime of its
own kind, then each transport's faults (refused, slow, dropped, garbage, too
large, killed) provoked for real.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from difffuzz import ConfigError, Failure, FileTree, Outcome
from difffuzz._inputs import Input, input_to_bytes, json_bytes
from difffuzz._stack import FREE_FRAMES
from difffuzz._transports import (
    CommandRequest,
    CommandTransport,
    HTTPRequest,
    HTTPTransport,
    LinesTransport,
    MockTransport,
    PythonRequest,
    PythonTransport,
    Transport,
)
from tests.support.loopback import LoopbackServer, RecordedRequest, Reply

PYTHON = [sys.executable, "-I", "-S", "-c"]
ECHO = "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read())"
LINES_HELPER = [sys.executable, "-I", str(Path(__file__).parent / "support" / "lines_helper.py")]
on_linux_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


class ContextTransport(Transport, Protocol):
    """A Transport that is also a context manager, as all five are."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


def echo(value: Input) -> Input:
    """The in-process echo runtime."""
    return value


# --- conformance: every transport, the same echo contract -------------------------------

# Text with lone surrogates (category Cs) mixed into ordinary text: byte-carrying
# transports must pass them through as the bytes input_to_bytes gives. Built from
# pieces because text() over a one_of of characters() never yields surrogates.
surrogate_text = st.lists(
    st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3) | st.text(max_size=20),
    max_size=8,
).map("".join)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=10,
)
echo_inputs = st.binary(max_size=4096) | surrogate_text | json_values


@pytest.fixture(scope="module")
def echo_server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as server:
        yield server


@pytest.fixture(scope="module", params=["http", "command", "lines", "python", "mock"])
def echo_runtime(
    request: pytest.FixtureRequest, echo_server: LoopbackServer
) -> Iterator[tuple[ContextTransport, int]]:
    """A transport wired to an echo runtime, and the status a success carries."""
    transports: dict[str, Callable[[], tuple[ContextTransport, int]]] = {
        "http": lambda: (HTTPTransport(echo_server.url, path="/echo", body="raw"), 200),
        "command": lambda: (CommandTransport([*PYTHON, ECHO]), 0),
        "lines": lambda: (LinesTransport(LINES_HELPER), 0),
        "python": lambda: (PythonTransport(f"{__name__}:echo"), 0),
        "mock": lambda: (MockTransport(lambda value: (0, value)), 0),
    }
    transport, status = transports[request.param]()
    with transport:
        yield transport, status


@settings(max_examples=40, deadline=None)
@given(value=echo_inputs)
def test_input_round_trips_byte_for_byte(
    echo_runtime: tuple[ContextTransport, int], value: Any
) -> None:
    transport, status = echo_runtime
    outcome = transport.send(value)
    assert outcome.failure is None, outcome.detail
    assert outcome.status == status
    assert outcome.body == input_to_bytes(value)
    assert outcome.elapsed > 0


def test_transport_satisfies_the_protocol(echo_runtime: tuple[ContextTransport, int]) -> None:
    transport, _ = echo_runtime
    assert isinstance(transport, Transport)
    assert transport.target
    rendered = transport.render("abc")
    assert isinstance(rendered, HTTPRequest | CommandRequest | PythonRequest)
    with transport as entered:
        assert entered is transport


def test_render_does_not_send(echo_server: LoopbackServer) -> None:
    with HTTPTransport(echo_server.url, path="/echo", body="raw") as transport:
        before = len(echo_server.requests)
        request = transport.render(b"\xff\x00")
    assert request == HTTPRequest(
        method="POST",
        url=f"{echo_server.url}/echo",
        headers={"content-type": "application/json"},
        body=b"\xff\x00",
    )
    assert len(echo_server.requests) == before


# --- HTTP -----------------------------------------------------------------------------


def serve(reply: Reply | Callable[[RecordedRequest], Reply]) -> LoopbackServer:
    handler = reply if callable(reply) else (lambda _request: reply)
    return LoopbackServer(handler)


@pytest.fixture
def refused_url() -> Iterator[str]:
    # Bound but not listening: the port is ours, and every connection is refused.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_refused_port_is_unreachable(refused_url: str) -> None:
    with HTTPTransport(refused_url, timeout=0.3) as transport:
        outcome = transport.send({"kind": "sms"})
    assert outcome.failure is Failure.UNREACHABLE
    assert outcome.status is None
    assert refused_url in outcome.detail


def test_slow_server_times_out_within_about_the_timeout() -> None:
    with serve(Reply(delay=5.0)) as server, HTTPTransport(server.url, timeout=0.3) as transport:
        outcome = transport.send("x")
    assert outcome.failure is Failure.TIMEOUT
    assert 0.25 <= outcome.elapsed < 1.5
    assert server.url in outcome.detail


def test_trickling_server_times_out_on_the_whole_answer() -> None:
    # Each piece arrives well within the read timeout; the answer as a whole does not.
    trickle = Reply(body=b"x", repeat=40, pause=0.05, chunked=True)
    with serve(trickle) as server, HTTPTransport(server.url, timeout=0.3) as transport:
        outcome = transport.send("x")
    assert outcome.failure is Failure.TIMEOUT
    assert outcome.elapsed < 1.0


@pytest.mark.parametrize(
    "reply",
    [
        Reply(body=b"x" * 1000, drop_after=10),
        Reply(raw=b"\x00\xff this is not HTTP\r\n\r\n"),
        Reply(raw=b""),
    ],
    ids=["dropped mid-answer", "garbage", "hung up"],
)
def test_broken_answers_are_crashes(reply: Reply) -> None:
    with serve(reply) as server, HTTPTransport(server.url, timeout=2) as transport:
        outcome = transport.send("x")
    assert outcome.failure is Failure.CRASHED
    assert outcome.status is None
    assert server.url in outcome.detail


@pytest.mark.parametrize(
    "reply",
    [Reply(body=b"x" * 1000, repeat=100_000), Reply(body=b"y" * 65536, repeat=1000, chunked=True)],
    ids=["declared 100 MB", "chunked 65 MB"],
)
def test_oversized_body_stops_early(reply: Reply) -> None:
    with (
        serve(reply) as server,
        HTTPTransport(server.url, max_body_bytes=1_000_000, timeout=5) as transport,
    ):
        outcome = transport.send("x")
    assert outcome.failure is Failure.TOO_LARGE
    assert "max_body_bytes=1000000" in outcome.detail
    assert outcome.elapsed < 2.0
    assert outcome.body == b""


def test_error_status_is_an_ordinary_answer() -> None:
    reply = Reply(status=422, body=b'{"Schema":{"field":"to"}}')
    with serve(reply) as server, HTTPTransport(server.url) as transport:
        outcome = transport.send({"kind": "email"})
    assert (outcome.status, outcome.failure) == (422, None)
    assert outcome.json == {"Schema": {"field": "to"}}


def test_keep_alive_reuses_one_connection_and_close_releases_it() -> None:
    with LoopbackServer() as server:
        with HTTPTransport(server.url) as transport:
            outcomes = [transport.send(n) for n in range(5)]
        assert [o.body for o in outcomes] == [b"0", b"1", b"2", b"3", b"4"]
        assert server.connections == 1
        assert {r.connection for r in server.requests} == {1}
        deadline = time.monotonic() + 2
        while server.open_connections and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.open_connections == 0


def test_surface_headers_method_and_path_are_sent() -> None:
    with (
        LoopbackServer() as server,
        HTTPTransport(
            server.url + "/api/",
            method="put",
            path="/v1/validate",
            headers={"X-Surface": "validator", "Content-Type": "text/plain"},
        ) as transport,
    ):
        transport.send({"kind": "sms"})
    (seen,) = server.requests
    assert (seen.method, seen.path) == ("PUT", "/api/v1/validate")
    assert seen.headers["x-surface"] == "validator"
    assert seen.headers["content-type"] == "text/plain"


def test_kept_headers_are_lower_cased_and_filtered() -> None:
    headers = {"Content-Type": "application/json", "X-Runtime": "rust", "X-Trace": "abc"}
    with (
        serve(Reply(body=b"{}", headers=headers)) as server,
        HTTPTransport(server.url, keep_headers=("Content-Type", "X-Runtime")) as transport,
    ):
        outcome = transport.send(None)
    assert outcome.headers == {"content-type": "application/json", "x-runtime": "rust"}


@pytest.fixture(scope="module")
def json_transport(echo_server: LoopbackServer) -> Iterator[HTTPTransport]:
    with HTTPTransport(echo_server.url, body="json") as transport:
        yield transport


@settings(max_examples=25, deadline=None)
@given(value=json_values | surrogate_text)
def test_json_body_is_what_the_runtime_receives(
    echo_server: LoopbackServer, json_transport: HTTPTransport, value: Any
) -> None:
    outcome = json_transport.send(value)
    assert outcome.body == json_bytes(value)
    assert echo_server.requests[-1].headers["content-type"] == "application/json"


TEMPLATE = {"kind": "sms", "payload": "$input", "tags": ["$input", "note: $input"], "n": 1}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            {"to": "+1 313 555 0100"},
            {
                "kind": "sms",
                "payload": {"to": "+1 313 555 0100"},
                "tags": [{"to": "+1 313 555 0100"}, "note: $input"],
                "n": 1,
            },
        ),
        ("hi", {"kind": "sms", "payload": "hi", "tags": ["hi", "note: hi"], "n": 1}),
    ],
    ids=["object", "text"],
)
def test_template_substitutes_the_input(
    echo_server: LoopbackServer, value: Any, expected: Any
) -> None:
    with HTTPTransport(echo_server.url, body="template", template=TEMPLATE) as transport:
        outcome = transport.send(value)
        assert transport.render(value).body == outcome.body
    assert json.loads(echo_server.requests[-1].body) == expected


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"base_url": "127.0.0.1:3100"}, "not an HTTP URL"),
        ({"base_url": "http://"}, "names no host"),
        ({"base_url": "http://h", "body": "xml"}, "body='xml'"),
        ({"base_url": "http://h", "body": "template", "template": {"a": 1}}, "contains the marker"),
        ({"base_url": "http://h", "timeout": 0}, "timeout=0"),
        ({"base_url": "http://h", "headers": {"X-Name": "caf\u00e9\u2615"}}, "x-name"),
    ],
)
def test_bad_http_config_is_a_config_error(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        HTTPTransport(**kwargs)


def test_json_body_sends_bytes_as_they_are() -> None:
    # A JSON surface's strategy sends malformed bodies as bytes: they have no JSON form.
    with HTTPTransport("http://127.0.0.1:9", body="json") as transport:
        assert transport.render(b"{\xff").body == b"{\xff"


def test_json_body_refuses_a_file_tree_and_names_the_fix() -> None:
    with (
        HTTPTransport("http://127.0.0.1:9", body="json") as transport,
        pytest.raises(ConfigError, match="body='raw'"),
    ):
        transport.send(FileTree.of({"a": b""}))


# --- commands -------------------------------------------------------------------------


def _group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes in a process group, read from /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(stat.parent.name))
    return members


def _wait_until_gone(pgid: int) -> list[int]:
    deadline = time.monotonic() + 2
    while (members := _group_members(pgid)) and time.monotonic() < deadline:
        time.sleep(0.02)
    return members


def test_exit_code_and_stderr_are_kept() -> None:
    script = "import sys; print('partial'); sys.stderr.write('bad input'); sys.exit(3)"
    outcome = CommandTransport([*PYTHON, script]).send("x")
    assert (outcome.status, outcome.failure) == (3, None)
    assert (outcome.body, outcome.stderr) == (b"partial\n", b"bad input")


@pytest.mark.parametrize("name", ["SIGSEGV", "SIGKILL"])
def test_killed_by_a_signal_is_a_crash(name: str) -> None:
    script = f"import os, signal; os.kill(os.getpid(), signal.{name})"
    outcome = CommandTransport([*PYTHON, script]).send("x")
    assert outcome.status is None
    assert outcome.failure is Failure.CRASHED
    assert name in outcome.detail


@on_linux_proc
def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    helper = CommandTransport(
        ["sh", "-c", f"echo $$ > {pidfile}; sleep 30 & sleep 30"], timeout=0.3
    )
    outcome = helper.send("")
    assert outcome.failure is Failure.TIMEOUT
    assert outcome.elapsed < 1.5
    assert "0.3s" in outcome.detail
    assert _wait_until_gone(int(pidfile.read_text())) == []


@on_linux_proc
def test_leftover_child_does_not_hold_the_answer(tmp_path: Path) -> None:
    # The helper exits at once; its background child keeps stdout open.
    pidfile = tmp_path / "pid"
    helper = CommandTransport(["sh", "-c", f"echo $$ > {pidfile}; sleep 30 & echo done"])
    outcome = helper.send("")
    assert (outcome.status, outcome.body) == (0, b"done\n")
    assert outcome.elapsed < 2.0
    assert _wait_until_gone(int(pidfile.read_text())) == []


LIST_TREE = """
import json, os, sys
root, out = sys.argv[1], sys.argv[2]
files = {}
for folder, _, names in os.walk(root):
    for name in names:
        path = os.path.join(folder, name)
        files[os.path.relpath(path, root)] = open(path, "rb").read().decode("latin-1")
json.dump({"root": root, "files": files}, open(out, "w"))
print("stdout is not the body")
"""


def test_input_dir_and_output_file_placeholders() -> None:
    tree = FileTree.of({"a.jsonl": b'{"x": 1}\n', "nested/deeper/b.jsonl": b"\xff\x00"})
    helper = CommandTransport([*PYTHON, LIST_TREE, "{input_dir}", "{output_file}"])
    outcome = helper.send(tree)
    assert outcome.status == 0, outcome.stderr
    answer = json.loads(outcome.body)
    assert answer["files"] == {"a.jsonl": '{"x": 1}\n', "nested/deeper/b.jsonl": "\xff\x00"}
    assert not Path(answer["root"]).exists()  # the temp folder is cleaned up
    assert helper.render(tree) == CommandRequest(argv=helper.argv, tree=tree, feeds_stdin=False)


def test_input_file_placeholder_and_literal_braces_untouched() -> None:
    script = "import sys; print(open(sys.argv[1]).read(), sys.argv[2])"
    helper = CommandTransport([*PYTHON, script, "{input_file}", "{literal} {}"], stdin="none")
    assert helper.send("hello").body == b"hello {literal} {}\n"


def test_missing_output_file_gives_an_empty_body() -> None:
    outcome = CommandTransport([*PYTHON, "pass", "{output_file}"]).send("x")
    assert (outcome.status, outcome.body, outcome.failure) == (0, b"", None)
    assert "without writing {output_file}" in outcome.detail


def test_missing_executable_is_unreachable_with_the_fix() -> None:
    outcome = CommandTransport(["difffuzz-no-such-helper", "--flag"]).send("x")
    assert outcome.failure is Failure.UNREACHABLE
    assert "'difffuzz-no-such-helper'" in outcome.detail
    assert "check the argv in the config" in outcome.detail


def test_file_that_is_not_executable_is_unreachable(tmp_path: Path) -> None:
    helper = tmp_path / "helper"
    helper.write_text("#!/bin/sh\necho hi\n")
    outcome = CommandTransport([str(helper)]).send("x")
    assert outcome.failure is Failure.UNREACHABLE
    assert "ermission denied" in outcome.detail


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_endless_output_is_too_large(stream: str) -> None:
    script = f"import sys\nwhile True: sys.{stream}.write('x' * 65536)"
    outcome = CommandTransport([*PYTHON, script], max_output_bytes=100_000, timeout=5).send("")
    assert outcome.failure is Failure.TOO_LARGE
    assert stream in outcome.detail
    assert outcome.elapsed < 2.0


def test_env_is_merged_over_the_environment() -> None:
    script = "import os; print(os.environ['DIFFFUZZ_PROBE'], 'PATH' in os.environ)"
    helper = CommandTransport([*PYTHON, script], env={"DIFFFUZZ_PROBE": "on"})
    assert helper.send("").body == b"on True\n"


def test_stdin_none_sends_nothing() -> None:
    script = "import sys; print(len(sys.stdin.buffer.read()))"
    assert CommandTransport([*PYTHON, script], stdin="none").send("abc").body == b"0\n"


def test_large_stdin_does_not_deadlock() -> None:
    value = bytes(range(256)) * 8192  # 2 MiB, far beyond a pipe buffer both ways
    assert CommandTransport([*PYTHON, ECHO]).send(value).body == value


def test_helper_that_ignores_stdin_still_answers() -> None:
    outcome = CommandTransport([*PYTHON, "print('ok')"]).send(b"x" * 1_000_000)
    assert (outcome.status, outcome.body, outcome.failure) == (0, b"ok\n", None)


@pytest.mark.parametrize(
    ("argv", "value", "message"),
    [
        (["helper"], FileTree.of({"a": b""}), "needs {input_dir}"),
        (["helper", "{input_dir}"], "text", "needs a FileTree"),
        (["helper", "{input_dir}", "{input_file}"], FileTree.of({"a": b""}), "cannot hold"),
    ],
)
def test_input_that_does_not_fit_the_argv(argv: list[str], value: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        CommandTransport(argv).send(value)


@pytest.mark.parametrize("argv", [[], "helper --flag"])
def test_argv_must_be_a_list(argv: Any) -> None:
    with pytest.raises(ConfigError, match="argv="):
        CommandTransport(argv)


# --- in-process and mock ----------------------------------------------------------------


class Boom(ValueError):
    pass


def answer_bytes(value: Input) -> bytes:
    return b"\xff"


def answer_pair(value: Input) -> tuple[int, dict[str, bool]]:
    return 422, {"valid": False}


def answer_object(value: Input) -> dict[str, Input]:
    return {"echo": value}


def answer_unserialisable(value: Input) -> object:
    return object()


def raise_boom(value: Input) -> None:
    raise Boom(f"no {value!s}")


def call_exit(value: Input) -> None:
    sys.exit(4)


def sleep_long(value: Input) -> None:
    time.sleep(1.0)


@pytest.mark.parametrize(
    ("function", "status", "body"),
    [
        ("answer_bytes", 0, b"\xff"),
        ("answer_pair", 422, b'{"valid":false}'),
        ("answer_object", 0, b'{"echo":"x"}'),
    ],
)
def test_return_values_become_outcomes(function: str, status: int, body: bytes) -> None:
    outcome = PythonTransport(f"{__name__}:{function}").send("x")
    assert (outcome.status, outcome.body, outcome.failure) == (status, body, None)


@pytest.mark.parametrize(
    ("function", "detail"),
    [
        ("raise_boom", "Boom: no x"),
        ("call_exit", "SystemExit: 4"),
        ("answer_unserialisable", "no JSON form"),
    ],
)
def test_failing_function_is_a_crash(function: str, detail: str) -> None:
    outcome = PythonTransport(f"{__name__}:{function}").send("x")
    assert (outcome.status, outcome.failure) == (None, Failure.CRASHED)
    assert detail in outcome.detail
    assert b"Traceback" in outcome.stderr


def test_slow_function_times_out() -> None:
    outcome = PythonTransport(f"{__name__}:sleep_long", timeout=0.2).send("x")
    assert outcome.failure is Failure.TIMEOUT
    assert outcome.elapsed < 0.8


def nest(depth: Input) -> int:
    """Recurses ``depth`` frames deep (a recursive-descent parser on nested input)."""
    assert isinstance(depth, int)
    return 0 if depth == 0 else 1 + nest(depth - 1)


def _called_from_depth(extra: int, call: Callable[[], Outcome]) -> Outcome:
    return call() if extra == 0 else _called_from_depth(extra - 1, call)


@pytest.mark.parametrize("timeout", [None, 5.0])
@pytest.mark.parametrize("depth", [900, 1500, 2100, 3000])
def test_a_python_target_answers_the_same_whatever_the_callers_stack(
    depth: int, timeout: float | None
) -> None:
    """Exploring (inside Hypothesis, which adds 2,000 free frames), confirming and
    replaying (the interpreter's own limit) must see one answer for one input: the
    target always gets FREE_FRAMES frames, and the caller's limit comes back."""
    transport = PythonTransport(f"{__name__}:nest", timeout=timeout)
    for late in threading.enumerate():  # a timed-out call of another test, still running
        if late.name.startswith("difffuzz "):
            late.join(5)
    limit = sys.getrecursionlimit()
    answers = {
        extra: _called_from_depth(extra, lambda: transport.send(depth)) for extra in (0, 50, 400)
    }

    @given(st.just(depth))
    @settings(max_examples=1, database=None)
    def inside_hypothesis(value: int) -> None:
        answers[-1] = transport.send(value)

    inside_hypothesis()
    assert sys.getrecursionlimit() == limit
    seen = {(a.status, a.body, a.failure) for a in answers.values()}
    assert len(seen) == 1, answers
    crashed = depth > FREE_FRAMES
    assert (next(iter(seen))[2] is Failure.CRASHED) == crashed


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("no_colon", "must be 'module:function'"),
        ("difffuzz_no_such_module:run", "cannot import module 'difffuzz_no_such_module'"),
        (f"{__name__}:no_such_function", "has no attribute 'no_such_function'"),
        (f"{__name__}:ECHO", "not a function"),
    ],
)
def test_bad_python_target_is_a_config_error(target: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        PythonTransport(target)
    assert repr(target) in str(caught.value)


def test_mock_answers_records_and_keeps_outcomes() -> None:
    planted = Outcome(status=None, failure=Failure.TIMEOUT, detail="planted")
    mock = MockTransport(lambda value: planted if value == "slow" else (200, "ok"))
    assert mock.send("slow").failure is Failure.TIMEOUT
    assert (mock.send("fast").status, mock.send("fast").body) == (200, b"ok")
    assert mock.sent == ["slow", "fast", "fast"]
    assert mock.render("x") == PythonRequest(target="mock", argument="x")


def test_mock_lets_a_broken_handler_fail_the_test() -> None:
    mock = MockTransport(lambda value: 1 / 0)  # type: ignore[arg-type,return-value]
    with pytest.raises(ZeroDivisionError):
        mock.send("x")

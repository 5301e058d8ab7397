"""The persistent helper mode (``mode = "lines"``) against real helper processes.

The echo contract is in the conformance suite of ``test_transports.py``; here are
the protocol's edges (status, stderr, any bytes), the faults a long-running helper
can show (dying, hanging, answering garbage, answering too much), each of which
must cost one outcome and a restart, never the campaign, and the sample helpers
answering alike in both modes.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from difffuzz import ConfigError, Failure, FileTree
from difffuzz._config import parse_config
from difffuzz._connect import open_transport
from difffuzz._transports import CommandTransport, LinesTransport
from difffuzz._transports.lines import answer_line, read_answer, request_line

HELPER = [sys.executable, "-I", str(Path(__file__).parent / "support" / "lines_helper.py")]


@pytest.fixture
def helper() -> Iterator[LinesTransport]:
    with LinesTransport(HELPER, timeout=5.0) as transport:
        yield transport


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); /proc says whether it is one.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"))


# --- the protocol -------------------------------------------------------------------


@given(payload=st.binary(max_size=512), status=st.integers(-(2**31), 2**31))
def test_request_and_answer_lines_are_one_line_and_lossless(payload: bytes, status: int) -> None:
    line = request_line(payload)
    assert line.endswith(b"\n")
    assert b"\n" not in line[:-1]
    answer = answer_line(status, payload, payload[::-1])
    assert b"\n" not in answer[:-1]
    assert read_answer(answer) == (status, payload, payload[::-1])


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"not json", "not JSON"),
        (b"[1]", "not an object"),
        (b'{"status": "0"}', "'status' must be an integer"),
        (b'{"status": true}', "'status' must be an integer"),
        (b'{"stdout": 3}', "'stdout' must be a string"),
        (b'{"stdout_base64": "***"}', "base64"),
    ],
)
def test_answers_outside_the_protocol_are_refused(line: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        read_answer(line)


# --- one process for every input ----------------------------------------------------


def test_one_process_answers_every_input(helper: LinesTransport) -> None:
    pids = {helper.send("pid").body for _ in range(5)}
    assert len(pids) == 1
    assert helper.started == 1
    assert helper.send(b"a\nb\r\n\xff").body == b"a\nb\r\n\xff"


def test_status_stdout_and_stderr_come_from_the_answer(helper: LinesTransport) -> None:
    outcome = helper.send("status:3:three")
    assert (outcome.status, outcome.body, outcome.stderr) == (3, b"three", b"err:three")
    assert outcome.failure is None


def test_close_ends_the_helper() -> None:
    transport = LinesTransport(HELPER)
    pid = int(transport.send("pid").body)
    assert _alive(pid)
    transport.close()
    assert not _alive(pid)


# --- faults: one outcome each, then a fresh helper -------------------------------------


def test_a_helper_that_dies_is_a_crash_and_the_next_input_restarts_it(
    helper: LinesTransport,
) -> None:
    first = int(helper.send("pid").body)
    outcome = helper.send("exit:7")
    assert outcome.failure is Failure.CRASHED
    assert "exited with 7 before answering" in outcome.detail
    assert "dying" in outcome.detail  # the tail of its own stderr
    again = int(helper.send("pid").body)
    assert again != first
    assert helper.started == 2


def test_a_hung_helper_times_out_and_its_group_is_killed() -> None:
    with LinesTransport(HELPER, timeout=0.5) as transport:
        pid = int(transport.send("pid").body)
        outcome = transport.send("hang")
        assert outcome.failure is Failure.TIMEOUT
        assert "0.5s" in outcome.detail
        assert not _alive(pid)
        assert transport.send("back").body == b"back"


def test_an_answer_outside_the_protocol_is_a_crash_naming_it(helper: LinesTransport) -> None:
    outcome = helper.send("garbage")
    assert outcome.failure is Failure.CRASHED
    assert "this is not json" in outcome.detail
    assert "difffuzz.lines/1" in outcome.detail
    assert helper.send("fine").body == b"fine"
    assert helper.started == 2


def test_an_endless_answer_is_too_large() -> None:
    with LinesTransport(HELPER, max_output_bytes=100_000) as transport:
        outcome = transport.send("big:500000")
        assert outcome.failure is Failure.TOO_LARGE
        assert "max_output_bytes" in outcome.detail
        assert transport.send("small").body == b"small"


def test_a_missing_program_is_unreachable() -> None:
    with LinesTransport(["difffuzz-no-such-helper"]) as transport:
        outcome = transport.send("x")
    assert outcome.failure is Failure.UNREACHABLE
    assert "'difffuzz-no-such-helper'" in outcome.detail


# --- what lines mode cannot do -----------------------------------------------------------


def test_a_file_tree_input_names_the_fix(helper: LinesTransport) -> None:
    with pytest.raises(ConfigError, match="mode = 'spawn'"):
        helper.render(FileTree.of({"a.jsonl": b"{}"}))


@pytest.mark.parametrize("placeholder", ["{input_dir}", "{input_file}", "{output_file}"])
def test_path_placeholders_are_refused(placeholder: str) -> None:
    with pytest.raises(ConfigError, match=f"uses {placeholder}"):
        LinesTransport(["helper", placeholder])


def _config(**request: str) -> dict[str, object]:
    """A parsed config document with one command surface, ``request`` keys added."""
    return {
        "runtimes": {"rust": {}, "go": {}},
        "surfaces": {
            "helper": {
                "strategy": "x",
                "transport": "command",
                "argv": ["helper", "--lines"],
                **request,
            }
        },
    }


def test_the_config_chooses_the_transport(tmp_path: Path) -> None:
    config = parse_config(_config(mode="lines"), source="t.toml", base_dir=tmp_path)
    request = config.surfaces["helper"].requests["rust"]
    assert request.mode == "lines"
    transport = open_transport(request, max_body_bytes=1000)
    assert isinstance(transport, LinesTransport)
    transport.close()
    config = parse_config(_config(), source="t.toml", base_dir=tmp_path)
    other = open_transport(config.surfaces["helper"].requests["go"], max_body_bytes=1000)
    assert isinstance(other, CommandTransport)


@pytest.mark.parametrize(
    ("request_keys", "message"),
    [
        ({"mode": "pipe"}, "must be 'spawn' .* or 'lines'"),
        ({"mode": "lines", "stdin": "none"}, "cannot go with stdin = 'none'"),
    ],
)
def test_bad_modes_are_config_errors(
    tmp_path: Path, request_keys: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(_config(**request_keys), source="t.toml", base_dir=tmp_path)


# --- the sample helpers answer alike in both modes ----------------------------------------


def _unstamped(body: bytes) -> bytes:
    """session_log stamps each record with the time it was written."""
    return re.sub(rb'"timestamp":"[^"]*"', b'"timestamp":""', body)


SAMPLE_HELPERS = [
    f"lakehouse_samples.{side}_style.{name}"
    for side in ("rust", "go")
    for name in ("extract_json", "session_log")
]


@pytest.fixture(scope="module", params=SAMPLE_HELPERS)
def both_modes(request: pytest.FixtureRequest) -> Iterator[tuple[LinesTransport, CommandTransport]]:
    argv = [sys.executable, "-m", request.param]
    with LinesTransport([*argv, "--lines"]) as lines, CommandTransport(argv) as spawn:
        yield lines, spawn


@settings(max_examples=6, deadline=None)
@given(
    raw=st.sampled_from(
        [
            b'Sure: {"count": 3} hope it helps',
            b'```json\n{"a": [1, 2.5]}\n```',
            b'{"trace_id": "t", "session_id": "s", "outcome": "infra_error", "error": ""}',
            b"\xff\xfe not utf-8 {}",
        ]
    )
    | st.binary(max_size=64)
)
def test_sample_helpers_answer_alike_in_both_modes(
    both_modes: tuple[LinesTransport, CommandTransport], raw: bytes
) -> None:
    lines, spawn = both_modes
    persistent, one_shot = lines.send(raw), spawn.send(raw)
    assert (persistent.status, persistent.failure) == (one_shot.status, one_shot.failure)

    assert _unstamped(persistent.body) == _unstamped(one_shot.body)
    assert lines.started == 1

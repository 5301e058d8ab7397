"""Secrets: ``${ENV}`` references, credential headers, ``secret`` names, and that no
reproduction or report shows one, while the reproductions still send the real value."""

from __future__ import annotations

import doctest
import importlib
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from difffuzz._comparators.base import CompareSpec, Comparison, Difference, DiffKind
from difffuzz._config import Config, parse_config
from difffuzz._engine import fixture_from
from difffuzz._exceptions import ConfigError, CorpusError
from difffuzz._fallback_corpus import FallbackCorpus
from difffuzz._outcome import Outcome
from difffuzz._reporting import render_html, render_junit, render_markdown
from difffuzz._reporting.json_report import dumps_report
from difffuzz._reporting.redaction import redact_campaign
from difffuzz._repro import shell_command
from difffuzz._results import CampaignResult, InfraEvent, SurfaceResult
from difffuzz._secrets import (
    MIN_REDACTED_LENGTH,
    Redactor,
    Secret,
    expand_references,
    literal_secret,
)
from difffuzz._session import _print_unsaved as print_unsaved
from difffuzz._signature import Signature
from difffuzz._transports.base import CommandRequest, HTTPRequest
from difffuzz._transports.mock import MockTransport
from difffuzz._transports.redacted import redacted
from tests.support.loopback import LoopbackServer, RecordedRequest, Reply
from tests.support.records import finding_of

BASH = shutil.which("bash")
TOKEN = "tok-3f9a2c7e"
ENVIRON = {"LAKEHOUSE_TOKEN": TOKEN, "GATEWAY_PORT": "3100", "EMPTY": ""}


def config(environ: dict[str, str] = ENVIRON, **keys: Any) -> Config:
    """Two HTTP runtimes and one surface; ``keys`` are merged into the top-level tables."""
    document: dict[str, Any] = {
        "campaign": keys.pop("campaign", {}),
        "runtimes": {
            "rust": {"base_url": "http://127.0.0.1:3100", **keys.pop("rust", {})},
            "go": {"base_url": "http://127.0.0.1:4110", **keys.pop("go", {})},
        },
        "surfaces": {"probe": {"strategy": "planted_text", **keys.pop("surface", {})}},
    }
    assert not keys, keys
    return parse_config(document, source="team.toml", base_dir=Path("."), environ=environ)


# -- ${ENV} references -------------------------------------------------------------


def test_a_reference_reads_the_environment_and_is_a_secret() -> None:
    text, secrets = expand_references("Bearer ${LAKEHOUSE_TOKEN}", ENVIRON, where="h")
    assert text == f"Bearer {TOKEN}"
    assert secrets == (Secret(TOKEN, "LAKEHOUSE_TOKEN"),)


def test_a_doubled_dollar_writes_a_literal_reference() -> None:
    assert expand_references("cost $${X} and $5", {}, where="h") == ("cost ${X} and $5", ())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${MISSING}", "refers to ${MISSING}, which is not set in the environment; export MISSING"),
        ("${not a name}", "${not a name} is not a variable reference"),
    ],
)
def test_a_bad_reference_names_the_key_and_the_fix(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        config(surface={"headers": {"authorization": text}})
    assert "team.toml: surfaces.probe.headers.authorization: " in str(raised.value)
    assert message in str(raised.value)


def test_references_work_in_headers_env_and_base_url() -> None:
    loaded = config(
        rust={"base_url": "http://127.0.0.1:${GATEWAY_PORT}", "env": {"T": "${LAKEHOUSE_TOKEN}"}},
        surface={"headers": {"x-token": "${LAKEHOUSE_TOKEN}"}, "env": {"U": "u-${EMPTY}"}},
    )
    rust = loaded.surfaces["probe"].requests["rust"]
    assert rust.base_url == "http://127.0.0.1:3100"
    assert rust.headers["x-token"] == TOKEN
    assert (rust.env["T"], rust.env["U"]) == (TOKEN, "u-")
    variables = {s.variable for s in rust.secrets}
    assert variables == {"GATEWAY_PORT", "LAKEHOUSE_TOKEN"}  # an empty value hides nothing
    assert {s.variable for s in loaded.secrets} == variables


# -- what is secret ----------------------------------------------------------------


@pytest.mark.parametrize("header", ["Authorization", "cookie", "Proxy-Authorization", "X-Api-Key"])
def test_a_credential_header_is_secret_without_being_marked(header: str) -> None:
    request = config(surface={"headers": {header: "Bearer abc123"}}).surfaces["probe"].requests
    (secret,) = request["go"].secrets
    assert secret == literal_secret("Bearer abc123", runtime="go", kind="header", name=header)
    assert secret.variable == f"DIFFFUZZ_GO_{header.upper().replace('-', '_')}"


def test_a_credential_header_with_a_reference_keeps_only_the_reference_secret() -> None:
    surface = {"headers": {"authorization": "Bearer ${LAKEHOUSE_TOKEN}"}}
    request = config(surface=surface).surfaces["probe"].requests["rust"]
    assert request.secrets == (Secret(TOKEN, "LAKEHOUSE_TOKEN"),)


def test_names_under_secret_make_headers_and_env_secret() -> None:
    loaded = config(
        rust={"env": {"API_KEY": "k-123456"}, "secret": ["API_KEY"]},
        surface={
            "headers": {"x-team": "parity", "x-signature": "sig-98765"},
            "env": {"DEBUG": "1"},
            "secret": ["X-Signature"],
        },
    )
    request = loaded.surfaces["probe"].requests["rust"]
    assert {s.value: s.variable for s in request.secrets} == {
        "k-123456": "DIFFFUZZ_RUST_API_KEY",
        "sig-98765": "DIFFFUZZ_RUST_X_SIGNATURE",
    }


@pytest.mark.parametrize(
    "keys",
    [
        {"surface": {"headers": {"x-token": "t"}, "secret": ["x-tokn"]}},
        {"rust": {"env": {"API_KEY": "k"}, "secret": ["API_KY"]}},
    ],
)
def test_a_misspelt_secret_name_is_an_error_not_a_secret_left_in_clear(
    keys: dict[str, Any],
) -> None:
    with pytest.raises(ConfigError, match=r"unknown header or env name .* did you mean"):
        config(**keys)


# -- loopback only ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:1", "http://127.8.0.3:1", "http://[::1]:1", "http://localhost:1"]
)
def test_loopback_runtimes_need_no_permission(url: str) -> None:
    assert config(go={"base_url": url}).runtimes[1].base_url == url


@pytest.mark.parametrize(
    "url", ["http://10.0.0.5:4110", "https://gateway.example.com", "http://0.0.0.0:1"]
)
def test_a_remote_runtime_is_refused_unless_allowed(url: str) -> None:
    with pytest.raises(ConfigError) as raised:
        config(go={"base_url": url})
    message = str(raised.value)
    assert message.startswith("team.toml: runtimes.go.base_url: names the host")
    assert "set allow_remote = true under [campaign]" in message
    allowed = config(go={"base_url": url}, campaign={"allow_remote": True})
    assert allowed.runtimes[1].base_url == url


def test_a_refused_url_from_a_reference_is_not_printed_whole() -> None:
    environ = {**ENVIRON, "REMOTE": "http://user:pw-secret@10.1.2.3:9"}
    with pytest.raises(ConfigError) as raised:
        config(environ, go={"base_url": "${REMOTE}"})
    assert "'10.1.2.3'" in str(raised.value)
    assert "pw-secret" not in str(raised.value)


# -- reproductions: the command reads the variable, and sends the real value --------

SECRET_TEXT = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=4, max_size=12)
AROUND = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=12)
PRINT_PROBE = "import os, sys; sys.stdout.write(os.environ['PROBE'])"


def run_bash(command: str, environ: dict[str, str]) -> bytes:
    done = subprocess.run(
        [BASH or "bash", "-c", command],
        capture_output=True,
        env={**os.environ, **environ},
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, (command, done.stderr)
    return done.stdout


@pytest.mark.skipif(BASH is None, reason="the reproductions target bash")
@settings(max_examples=25, deadline=None)
@given(before=AROUND, value=SECRET_TEXT, after=AROUND)
def test_an_env_secret_reproduces_from_the_variable_and_is_never_written(
    before: str, value: str, after: str
) -> None:
    secret = Secret(value, "PROBE_SECRET")
    request = CommandRequest(
        argv=(sys.executable, "-c", PRINT_PROBE),
        env={"PROBE": before + value + after},
        secrets=(secret,),
    )
    command = shell_command(request)
    assert value not in command
    assert command.startswith("# reads secrets from the environment: PROBE_SECRET\n")
    delivered = run_bash(command, {"PROBE_SECRET": value})
    assert delivered.decode() == before + value + after


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_a_header_secret_reaches_a_real_server_from_the_variable() -> None:
    secrets = (
        literal_secret("Bearer abc!$`x", runtime="rust", kind="header", name="authorization"),
        Secret("tok-12345", "LAKEHOUSE_TOKEN"),
    )

    def ok(request: RecordedRequest) -> Reply:
        return Reply(body=b"ok")

    with LoopbackServer(ok) as server:
        request = HTTPRequest(
            "POST",
            server.url + "/v1/x",
            {"authorization": "Bearer abc!$`x", "x-token": "t=tok-12345;"},
            b"{}",
            secrets=secrets,
        )
        command = shell_command(request)
        assert "abc" not in command
        assert "tok-12345" not in command
        assert '--header "x-token: t=$LAKEHOUSE_TOKEN;"' in command
        assert "DIFFFUZZ_RUST_AUTHORIZATION (header authorization of runtime rust)" in command
        run_bash(
            command,
            {"DIFFFUZZ_RUST_AUTHORIZATION": "Bearer abc!$`x", "LAKEHOUSE_TOKEN": "tok-12345"},
        )
        (received,) = server.requests
    assert received.headers["authorization"] == "Bearer abc!$`x"
    assert received.headers["x-token"] == "t=tok-12345;"


# -- reports: every other place a secret could show -----------------------------------


def test_the_redactor_replaces_long_values_longest_first() -> None:
    redactor = Redactor([Secret("abcd", "SHORT"), Secret("abcdef", "LONG"), Secret("x", "X")])
    assert redactor.text("abcdef abcd x") == "[redacted $LONG] [redacted $SHORT] x"
    assert redactor.bytes(b"\xffabcd") == b"\xff[redacted $SHORT]"
    assert not Redactor([Secret("x", "X")])


#: Secret values; the characters of the JSON around them are left out, so that a
#: match can only be the value itself.
secret_values = st.text(
    st.characters(codec="utf-8", exclude_characters='{}:" '), min_size=MIN_REDACTED_LENGTH
)


@given(secret_values, st.booleans(), st.sampled_from(["python", "go"]))
def test_a_secret_is_found_however_a_json_writer_spelled_it(
    value: str, ascii_only: bool, writer: str
) -> None:
    inside = json.dumps({"": value}, ensure_ascii=ascii_only)
    if writer == "go":  # encoding/json escapes <, > and & for HTML safety
        inside = inside.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    assert json.loads(inside) == {"": value}  # the premise: the body says the value
    redacted = Redactor([Secret(value, "TOKEN")]).bytes(inside.encode("utf-8"))
    # The answer stays JSON, and says which secret stood there.
    assert json.loads(redacted) == {"": "[redacted $TOKEN]"}


def test_an_outcome_is_redacted_everywhere_it_can_show_a_secret() -> None:
    redactor = Redactor([Secret(TOKEN, "LAKEHOUSE_TOKEN")])
    mark = "[redacted $LAKEHOUSE_TOKEN]"
    echo = Outcome(
        401,
        f'{{"error": "bad token {TOKEN}"}}'.encode(),
        headers={"www-authenticate": f"Bearer {TOKEN}"},
        detail=f"at http://127.0.0.1:1/{TOKEN}",
        stderr=f"token={TOKEN}\n".encode(),
    )
    shown = redactor.outcome(echo)
    assert shown.json == {"error": f"bad token {mark}"}
    assert shown.headers == {"www-authenticate": f"Bearer {mark}"}
    assert shown.detail == f"at http://127.0.0.1:1/{mark}"
    assert shown.stderr == f"token={mark}\n".encode()
    assert (shown.status, shown.elapsed) == (echo.status, echo.elapsed)
    clean = Outcome(200, b'{"ok": true}')
    assert redactor.outcome(clean) is clean
    assert Redactor().outcome(echo) is echo


def test_a_redacted_transport_redacts_every_answer_and_renders_as_its_own() -> None:
    inner = MockTransport(lambda value: (200, {"echo": f"{value} {TOKEN}"}), target="rust")
    transport = redacted(inner, Redactor([Secret(TOKEN, "LAKEHOUSE_TOKEN")]))
    assert transport.target == "rust"
    assert transport.render("x") == inner.render("x")
    assert transport.send("x").json == {"echo": "x [redacted $LAKEHOUSE_TOKEN]"}
    assert inner.sent == ["x"]
    assert redacted(inner, Redactor()) is inner


def echoing_campaign() -> CampaignResult:
    """A finding whose runtime echoed the token in its body, stderr and a failure detail."""
    echo = Outcome(401, f'{{"error": "bad token {TOKEN}"}}'.encode(), stderr=TOKEN.encode())
    other = Outcome(200, b'{"ok": true}')
    difference = Difference(DiffKind.VALUE, "/error", "/error", f"bad token {TOKEN}", None)
    comparison = Comparison(rule="http", differences=(difference,))
    finding = finding_of(
        surface="probe",
        signature=Signature.of("probe", (401, 200), comparison.differences),
        input="x",
        left=echo,
        right=other,
        comparison=comparison,
        compare_spec=CompareSpec("http"),
        runtimes=("rust", "go"),
    )
    event = InfraEvent("probe", "rust", f"POST http://127.0.0.1:1/{TOKEN}", "timeout", TOKEN, "x")
    surface = SurfaceResult(
        surface="probe",
        runtimes=("rust", "go"),
        compare_spec=CompareSpec("http"),
        findings=[finding],
        infra_events=[event],
        aborted=f"runtime 'rust' failed at http://127.0.0.1:1/{TOKEN}",
    )
    return CampaignResult(surfaces=[surface], seed=1, started_at="2026-01-01T00:00:00+00:00")


def test_no_report_format_shows_a_secret_a_runtime_echoed() -> None:
    result = echoing_campaign()
    assert TOKEN in dumps_report(result.to_json())  # the premise: it is there to leak
    shown = redact_campaign(result, Redactor([Secret(TOKEN, "LAKEHOUSE_TOKEN")]))
    documents = {
        "json": dumps_report(shown.to_json()),
        "markdown": render_markdown(shown),
        "html": render_html(shown),
        "junit": render_junit(shown),
    }
    ET.fromstring(documents["junit"])
    for name, document in documents.items():
        assert TOKEN not in document, name
        assert "redacted $LAKEHOUSE_TOKEN" in document, name
    assert shown.findings[0].input == "x"
    assert redact_campaign(result, Redactor()) is result


def test_a_fixture_printed_in_full_shows_no_secret_in_its_answers_or_differences(
    tmp_path: Path,
) -> None:
    # No folder could take it (tests/faults makes that happen for real): the CLI
    # prints it whole.
    corpus = FallbackCorpus(tmp_path)
    finding = echoing_campaign().findings[0]
    fixture = fixture_from(finding, config().surfaces["probe"])
    corpus.unsaved.append((fixture, CorpusError("cannot write the fixture")))
    console = Console(record=True, width=200)
    team = config(surface={"headers": {"authorization": "Bearer ${LAKEHOUSE_TOKEN}"}})
    print_unsaved(corpus, team, console)
    printed = console.export_text()
    assert "bad token" in printed  # the answer and its difference are shown...
    assert TOKEN not in printed  # ...without the token, in either


@pytest.mark.parametrize("module", ["difffuzz._secrets", "difffuzz._config"])
def test_doctests(module: str) -> None:
    assert doctest.testmod(importlib.import_module(module)).failed == 0

"""The judge: the team's probe discipline on two outcomes.

Both sides failing the same way is never parity; an infrastructure failure is
never a finding; a side that answered while the other failed is a divergence
even when the rule only reads bodies.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from difffuzz._comparators.base import CompareSpec, DiffKind
from difffuzz._config import SurfaceSpec, parse_config
from difffuzz._connect import open_transport
from difffuzz._exceptions import ConfigError
from difffuzz._inputs import Input
from difffuzz._judge import Judge
from difffuzz._outcome import Failure, Outcome
from difffuzz._properties import runtime_property
from difffuzz._results import Observation, Verdict

RUNTIMES = ("rust", "go")
TRANSPORT_KEYS: dict[str, dict[str, Any]] = {
    "http": {},
    "command": {"argv": ["helper"]},
    "python": {"target": "tests.planted:echo"},
}


@runtime_property("test-judge-no-ssn")
def no_ssn(outcome: Outcome, value: Input, params: Mapping[str, Any]) -> str | None:
    """A single-runtime rule for these tests: an answer must not show an SSN."""
    return "the answer shows an SSN" if b"123-45-6789" in outcome.body else None


def surface(transport: str = "python", **keys: Any) -> SurfaceSpec:
    document = {
        "runtimes": {
            "rust": {"base_url": "http://127.0.0.1:3100"},
            "go": {"base_url": "http://127.0.0.1:4110"},
        },
        "surfaces": {
            "probe": {
                "strategy": "planted_text",
                "transport": transport,
                **TRANSPORT_KEYS[transport],
                **keys,
            }
        },
    }
    return parse_config(document, source="<test>", base_dir=Path(".")).surfaces["probe"]


def judge(left: Outcome, right: Outcome, transport: str = "python", **keys: Any) -> Observation:
    return Judge(surface(transport, **keys), RUNTIMES).judge("input", left, right)


def parts(observation: Observation) -> list[tuple[str, str, str]]:
    assert observation.signature is not None, observation.verdict
    return list(observation.signature.parts)


OK = Outcome(0, b'{"text": "<"}')
ESCAPED = Outcome(0, b'{"text": "&lt;"}')


def test_equal_answers_match() -> None:
    observation = judge(OK, Outcome(0, b'{ "text" : "<" }'))
    assert observation.verdict is Verdict.MATCH
    assert observation.signature is None
    assert observation.comparison.equal


def test_different_answers_diverge_with_a_signature() -> None:
    observation = judge(OK, ESCAPED)
    assert observation.verdict is Verdict.DIVERGENCE
    assert parts(observation) == [("value", "/text", "")]
    assert observation.signature is not None
    assert observation.signature.statuses == (0, 0)
    assert observation.signature.surface == "probe"


# -- infrastructure ----------------------------------------------------------

UNREACHABLE = Outcome(None, failure=Failure.UNREACHABLE, detail="connection refused")
TIMEOUT = Outcome(None, failure=Failure.TIMEOUT, detail="no answer in 10s")
CRASHED = Outcome(None, failure=Failure.CRASHED, detail="killed by SIGSEGV")


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (UNREACHABLE, OK),
        (OK, UNREACHABLE),
        (TIMEOUT, OK),
        (OK, TIMEOUT),
        (TIMEOUT, TIMEOUT),
        (CRASHED, TIMEOUT),  # a crash beside a timeout still says nothing about the input
    ],
)
def test_an_unreachable_or_timed_out_side_is_infra_never_a_finding(
    left: Outcome, right: Outcome
) -> None:
    observation = judge(left, right)
    assert observation.verdict is Verdict.INFRA_ERROR
    assert observation.signature is None


def test_a_crash_is_not_infrastructure_but_a_difference() -> None:
    observation = judge(OK, CRASHED)
    assert observation.verdict is Verdict.DIVERGENCE
    assert ("status", "", "answered/failed") in parts(observation)


# -- both failed -------------------------------------------------------------


@pytest.mark.parametrize(
    ("transport", "left", "right"),
    [
        # Same HTTP error status, whatever the bodies say.
        ("http", Outcome(500, b"rust: panic"), Outcome(500, b'{"error": "go"}')),
        # Both helpers exit 0 and print nothing: "both printed nothing".
        ("command", Outcome(0, b""), Outcome(0, b"  \n")),
        # Both helpers refuse the input with the same exit code.
        ("command", Outcome(1, b'{"error": "a"}'), Outcome(1, b'{"error": "b"}')),
        # Both in-process runtimes raise.
        ("python", CRASHED, Outcome(None, failure=Failure.CRASHED, detail="ValueError")),
    ],
)
def test_both_failing_the_same_way_is_both_failed_never_a_match(
    transport: str, left: Outcome, right: Outcome
) -> None:
    observation = judge(left, right, transport)
    assert observation.verdict is Verdict.BOTH_FAILED
    assert observation.signature is None


def test_identical_error_answers_are_not_parity() -> None:
    error = Outcome(500, b'{"error": "internal"}')
    assert judge(error, error, "http").verdict is Verdict.BOTH_FAILED


def test_failing_differently_is_a_status_divergence() -> None:
    # Bodies equal and the rule reads only bodies: the failure itself must show.
    observation = judge(Outcome(1, b'{"e": 1}'), Outcome(2, b'{"e": 1}'), "command")
    assert observation.verdict is Verdict.DIVERGENCE
    assert parts(observation) == [("status", "", "failed differently")]
    assert observation.signature is not None
    assert observation.signature.category == "status"
    crash = judge(Outcome(1, b""), CRASHED, "command")
    assert ("status", "", "failed differently") in parts(crash)


# -- answered against failed -------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right", "qualifier"),
    [
        (Outcome(0, b'{"a": 1}'), Outcome(1, b'{"a": 1}'), "answered/failed"),
        (Outcome(3, b'{"a": 1}'), Outcome(0, b'{"a": 1}'), "failed/answered"),
    ],
)
def test_answered_against_failed_is_a_status_difference_even_for_a_body_rule(
    left: Outcome, right: Outcome, qualifier: str
) -> None:
    observation = judge(left, right, "command", compare={"rule": "json"})
    assert observation.verdict is Verdict.DIVERGENCE
    assert parts(observation) == [("status", "", qualifier)]


def test_a_rule_that_compares_statuses_is_not_given_a_second_status_part() -> None:
    observation = judge(Outcome(200, b"{}"), Outcome(500, b"{}"), "http", compare={"rule": "http"})
    status_parts = [p for p in parts(observation) if p[0] == "status"]
    assert status_parts == [("status", "/", "200/500")]


@pytest.mark.parametrize("transport", ["command", "python"])
def test_empty_output_of_a_helper_is_not_an_answer(transport: str) -> None:
    observation = judge(Outcome(0, b"\n"), Outcome(0, b'{"a": 1}'), transport)
    assert observation.verdict is Verdict.DIVERGENCE
    assert ("status", "", "failed/answered") in parts(observation)
    spec = surface(transport)
    assert not Judge(spec, RUNTIMES).answered("rust", Outcome(0, b" "))
    assert Judge(spec, RUNTIMES).answered("rust", Outcome(0, b"null"))


def test_empty_output_of_a_real_helper_process_is_not_an_answer() -> None:
    silent = [sys.executable, "-c", "import sys; sys.stdin.read()"]
    talking = [sys.executable, "-c", "import sys; sys.stdin.read(); print('{}')"]
    spec = surface("command", runtimes={"rust": {"argv": silent}, "go": {"argv": talking}})
    outcomes = []
    for name in RUNTIMES:
        with closing(open_transport(spec.requests[name], max_body_bytes=1000)) as transport:
            outcomes.append(transport.send("x"))
    observation = Judge(spec, RUNTIMES).judge("x", *outcomes)
    assert [o.status for o in outcomes] == [0, 0]
    assert observation.verdict is Verdict.DIVERGENCE
    assert ("status", "", "failed/answered") in parts(observation)


PROXY_PAGE = b"<html><body>502 Bad Gateway</body></html>"


@pytest.mark.parametrize("rule", ["json", "http", "shape", "cosine", "topk"])
@pytest.mark.parametrize(("transport", "status"), [("http", 200), ("command", 0)])
def test_the_same_answer_that_is_not_json_is_both_failed_on_a_json_rule(
    rule: str, transport: str, status: int
) -> None:
    # The validity gate: both sides answering the same garbage is not parity.
    garbage = Outcome(status, PROXY_PAGE)
    observation = judge(garbage, garbage, transport, compare={"rule": rule})
    assert observation.verdict is Verdict.BOTH_FAILED
    assert observation.signature is None


def test_the_gate_leaves_bytes_and_different_garbage_to_the_rule() -> None:
    garbage = Outcome(200, PROXY_PAGE)
    # The bytes rule reads no JSON: equal bytes are parity.
    assert judge(garbage, garbage, "http", compare={"rule": "bytes"}).verdict is Verdict.MATCH
    # Two different non-JSON answers differ: that is a divergence, as before.
    other = Outcome(200, b"<html>503</html>")
    assert judge(garbage, other, "http").verdict is Verdict.DIVERGENCE


def test_an_empty_http_answer_with_a_success_status_is_an_answer() -> None:
    # 204 No Content is a real answer over HTTP; the body rule judges it.
    assert judge(Outcome(204, b""), Outcome(204, b""), "http").verdict is Verdict.MATCH


# -- answer_status -------------------------------------------------------------


def test_answer_status_makes_a_422_an_answer_to_compare() -> None:
    rust = Outcome(422, b'{"Schema": {"field": "to"}}')
    go = Outcome(422, b'{"Kind": "schema", "Field": "to"}')
    compared = judge(rust, go, "http", answer_status=[200, 422], compare={"rule": "http"})
    assert compared.verdict is Verdict.DIVERGENCE
    assert compared.signature is not None
    assert compared.signature.category == "shape"
    # Without answer_status a 422 is an error, and two errors are both_failed.
    assert judge(rust, go, "http").verdict is Verdict.BOTH_FAILED


def test_a_status_outside_answer_status_is_a_failure() -> None:
    refused = Outcome(400, b'{"error": "not json"}')
    assert judge(refused, refused, "http", answer_status=[200, 422]).verdict is Verdict.BOTH_FAILED
    observation = judge(Outcome(200, b"{}"), refused, "http", answer_status=[200, 422])
    assert observation.verdict is Verdict.DIVERGENCE
    assert ("status", "", "answered/failed") in parts(observation)


# -- single-runtime properties --------------------------------------------------

LEAK = Outcome(0, b'{"to": "123-45-6789"}')


def test_a_property_violated_on_one_side_is_a_divergence_even_when_both_agree() -> None:
    properties = [{"name": "test-judge-no-ssn", "runtimes": ["go"]}]
    observation = judge(LEAK, LEAK, properties=properties)
    assert observation.verdict is Verdict.DIVERGENCE
    assert parts(observation) == [("property", "/test-judge-no-ssn", "go")]
    assert observation.signature is not None
    assert observation.signature.category == "property"
    (difference,) = observation.comparison.differences
    assert (difference.left, difference.right) == (None, "the answer shows an SSN")


def test_a_property_for_both_sides_reports_each_side() -> None:
    observation = judge(LEAK, LEAK, properties=["test-judge-no-ssn"])
    assert parts(observation) == [
        ("property", "/test-judge-no-ssn", "go"),
        ("property", "/test-judge-no-ssn", "rust"),
    ]
    assert judge(OK, OK, properties=["test-judge-no-ssn"]).verdict is Verdict.MATCH


def test_a_property_is_not_checked_on_a_side_that_failed() -> None:
    failed = Outcome(1, b'{"to": "123-45-6789"}')
    observation = judge(OK, failed, "command", properties=["test-judge-no-ssn"])
    # The failure is judged by the status rules; the leak on the failed side is not
    # a property finding of its own.
    assert parts(observation) == [
        ("extra", "/to", ""),
        ("missing", "/text", ""),
        ("status", "", "answered/failed"),
    ]


def test_status_in_is_checked_on_failed_sides_too() -> None:
    properties = [{"name": "status-in", "statuses": [200, 422]}]
    observation = judge(OK, Outcome(500, b"{}"), "http", properties=properties)
    assert ("property", "/status-in", "go") in parts(observation)
    assert ("property", "/status-in", "rust") in parts(observation)  # 0 is not 200 or 422


# -- noise and overrides -------------------------------------------------------


def test_learned_noise_is_ignored() -> None:
    spec = surface(compare={"rule": "json", "ignore": ["/daemon"]})
    left = Outcome(0, b'{"a": 1, "timestamp": 1, "daemon": "rust"}')
    right = Outcome(0, b'{"a": 1, "timestamp": 2, "daemon": "go"}')
    plain = Judge(spec, RUNTIMES)
    assert parts(plain.judge("x", left, right)) == [("value", "/timestamp", "")]
    noisy = plain.with_noise(["/timestamp"]).with_noise(["/timestamp"])
    assert noisy.learned_noise == ("/timestamp",)
    assert noisy.compare_spec.ignore == ("/daemon", "/timestamp")
    observation = noisy.judge("x", left, right)
    assert observation.verdict is Verdict.MATCH
    assert "/timestamp" in observation.comparison.ignored
    # Noise hides only its own path.
    changed = Outcome(0, b'{"a": 2, "timestamp": 3, "daemon": "go"}')
    assert parts(noisy.judge("x", left, changed)) == [("value", "/a", "")]


def test_a_compare_override_replaces_the_surface_rule() -> None:
    spec = surface()
    override = CompareSpec(rule="json", ignore=("/text",))
    assert Judge(spec, RUNTIMES).judge("x", OK, ESCAPED).verdict is Verdict.DIVERGENCE
    judged = Judge(spec, RUNTIMES, compare_override=override).judge("x", OK, ESCAPED)
    assert judged.verdict is Verdict.MATCH


def test_collapse_applies_to_the_signature() -> None:
    left, right = Outcome(0, b'{"value": {"k1": 1}}'), Outcome(0, b'{"value": {"k1": 2}}')
    observation = judge(left, right, collapse=["/value"])
    assert parts(observation) == [("value", "/value/**", "")]
    assert observation.comparison.differences[0].kind is DiffKind.VALUE


def _from_depth(extra: int, call: Any) -> Any:
    return call() if extra == 0 else _from_depth(extra - 1, call)


@pytest.mark.parametrize("depth", [990, 1500])
def test_deeply_nested_answers_get_one_verdict_whatever_the_callers_stack(depth: int) -> None:
    """The judge parses answers with a fixed number of free frames: inside Hypothesis
    (2,000 free) and in a confirmation or replay (the interpreter's limit) a 1,500-deep
    answer is the same JSON, not JSON on one and 'not JSON' on the other."""
    deep = Outcome(0, b"[" * depth + b"]" * depth)
    other = Outcome(0, b"[" * depth + b"1" + b"]" * depth)
    verdicts = {}
    before = sys.getrecursionlimit()
    # 1,200: a `difffuzz replay` process (the default limit); 6,000: deep inside Hypothesis.
    for limit in (1200, 6000):
        sys.setrecursionlimit(limit)
        try:
            for extra in (0, 200, 500):
                observed = _from_depth(extra, lambda: judge(deep, other, compare={"rule": "json"}))
                verdicts[limit, extra] = tuple(parts(observed))
        finally:
            sys.setrecursionlimit(before)
    assert len(set(verdicts.values())) == 1, verdicts
    (_kind, path, _), *_ = verdicts[1200, 0]
    assert path.count("/") == depth - 1  # read as JSON: the difference is in the innermost array


@pytest.mark.parametrize(
    ("keys", "where", "what"),
    [
        ({"compare": {"rule": "topk", "k": -1}}, "surfaces.probe.compare: ", "'k' must be"),
        (
            {"properties": [{"name": "status-in", "statuses": [200]}, {"name": "status-in"}]},
            "surfaces.probe.properties[1]: ",
            "needs parameter 'statuses'",
        ),
    ],
    ids=["rule", "property"],
)
def test_a_bad_rule_or_property_parameter_is_refused_naming_its_config_key(
    keys: dict[str, Any], where: str, what: str
) -> None:
    with pytest.raises(ConfigError) as error:
        Judge(surface(**keys), RUNTIMES)
    assert str(error.value).startswith(where)
    assert what in str(error.value)


def test_a_divergence_s_bucket_reads_the_input_it_judged() -> None:
    # The bucket loses the pieces of the input an error message echoes, and folds a
    # top-level field named after one of the input's keys: one cause, one bucket,
    # whatever input it was met through.
    judged = Judge(surface(), RUNTIMES)
    for pattern in ("\\h", "\\z"):
        refused = judged.judge(
            pattern,
            Outcome(0, b'{"ok": true}'),
            Outcome(0, json.dumps({"ok": False, "error": f"bad escape {pattern}"}).encode()),
        )
        assert refused.bucket is not None
        assert refused.bucket.errors == ("", "bad escape …")
    echoed = judged.judge({"zq": 1}, Outcome(0, b'{"zq": 1}'), Outcome(0, b'{"zq": 2}'))
    assert echoed.bucket is not None
    assert echoed.bucket.fields == ("/*",)
    schema = judged.judge({"other": 1}, Outcome(0, b'{"zq": 1}'), Outcome(0, b'{"zq": 2}'))
    assert schema.bucket is not None
    assert schema.bucket.fields == ("/zq",)

"""Normalize steps in the judge, and known gaps that carry their normalizer.

The validator's 422 is the running example: Rust writes serde's externally
tagged enum, Go a struct with exported fields. Normalised, the two shapes meet,
and what differs *inside* the error (the reason, the field) is found.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from difffuzz._comparators.base import DiffKind
from difffuzz._config import SurfaceSpec, parse_config
from difffuzz._exceptions import ConfigError
from difffuzz._judge import Judge
from difffuzz._outcome import Outcome
from difffuzz._results import Verdict

RUNTIMES = ("rust", "go")
UNTAG = {"step": "untag_enum", "case": "lower"}
LOWER = {"step": "rename_keys", "case": "lower"}
GAP_REASON = "422 body shape: serde enum against Go struct fields"


def surface(
    *,
    rust: list[Any] | None = None,
    go: list[Any] | None = None,
    gaps: list[dict[str, Any]] | None = None,
    **keys: Any,
) -> SurfaceSpec:
    runtimes: dict[str, Any] = {}
    if rust is not None:
        runtimes["rust"] = {"normalize": rust}
    if go is not None:
        runtimes["go"] = {"normalize": go}
    document = {
        "runtimes": {
            "rust": {"base_url": "http://127.0.0.1:3100"},
            "go": {"base_url": "http://127.0.0.1:4110"},
        },
        "surfaces": {
            "validator": {
                "strategy": "validator_requests",
                "answer_status": [200, 422],
                "compare": {"rule": "http"},
                "runtimes": runtimes,
                "known_gaps": gaps or [],
                **keys,
            }
        },
    }
    return parse_config(document, source="<test>", base_dir=Path(".")).surfaces["validator"]


def rust_error(field: str, reason: str, variant: str = "Schema") -> Outcome:
    return Outcome(422, json.dumps({variant: {"field": field, "reason": reason}}).encode())


def go_error(field: str, reason: str, kind: str = "schema") -> Outcome:
    body = {"Kind": kind, "Field": field, "Reason": reason}
    return Outcome(422, json.dumps(body).encode() + b"\n")


def parts(observation: Any) -> set[tuple[str, str]]:
    return {(d.kind.value, d.path) for d in observation.comparison.differences}


def test_without_normalizers_every_422_pair_is_one_shape_divergence() -> None:
    judge = Judge(surface(), RUNTIMES)
    same = judge.judge("i", rust_error("to", "bad"), go_error("to", "bad"))
    other = judge.judge("i", rust_error("to", "bad"), go_error("body", "worse"))
    assert same.verdict is other.verdict is Verdict.DIVERGENCE
    assert same.signature == other.signature  # the blindfold: the reason cannot be seen


def test_normalised_answers_meet_and_the_difference_inside_the_422_is_found() -> None:
    judge = Judge(surface(rust=[UNTAG], go=[LOWER]), RUNTIMES)
    assert judge.judge("i", rust_error("to", "bad"), go_error("to", "bad")).verdict is Verdict.MATCH
    inside = judge.judge("i", rust_error("to", "missing field `to`"), go_error("to", "bad"))
    assert inside.verdict is Verdict.DIVERGENCE
    assert parts(inside) == {("value", "/reason")}
    assert inside.signature is not None
    assert inside.signature.category == "value"
    policy = judge.judge("i", rust_error("body", "ssn", "Policy"), go_error("body", "ssn"))
    assert parts(policy) == {("value", "/kind")}


def test_observations_keep_the_raw_answers() -> None:
    rust, go = rust_error("to", "a"), go_error("to", "b")
    observation = Judge(surface(rust=[UNTAG], go=[LOWER]), RUNTIMES).judge("i", rust, go)
    assert (observation.left, observation.right) == (rust, go)


def test_ignore_rules_apply_after_normalising_in_its_coordinates() -> None:
    spec = surface(rust=[UNTAG], go=[LOWER], compare={"rule": "http", "ignore": ["/reason"]})
    observation = Judge(spec, RUNTIMES).judge("i", rust_error("to", "a"), go_error("to", "b"))
    assert observation.verdict is Verdict.MATCH
    assert observation.comparison.ignored == ("/reason",)


def test_shared_steps_run_after_each_runtime_s_own() -> None:
    spec = surface(
        rust=[{"jq": "{results: .hits}"}],
        normalize=[{"step": "sort_by", "key": "/id", "at": "/results"}],
    )
    assert [s.name for s in spec.compare.normalize_left] == ["jq", "sort_by"]
    assert [s.name for s in spec.compare.normalize_right] == ["sort_by"]
    rust = Outcome(200, b'{"hits": [{"id": "b"}, {"id": "a"}]}')
    go = Outcome(200, b'{"results": [{"id": "a"}, {"id": "b"}]}')
    assert Judge(spec, RUNTIMES).judge("i", rust, go).verdict is Verdict.MATCH


def test_properties_read_the_raw_answers() -> None:
    spec = surface(
        rust=[{"jq": "{}"}],
        properties=[{"name": "status-in", "statuses": [200], "runtimes": ["rust"]}],
    )
    observation = Judge(spec, RUNTIMES).judge("i", rust_error("to", "a"), rust_error("to", "a"))
    assert any(d.kind is DiffKind.PROPERTY for d in observation.comparison.differences)


def test_a_jq_step_that_fails_on_an_answer_is_a_config_error_naming_everything() -> None:
    spec = surface(go=[{"jq": ".Reason | ascii_downcase | {Reason: .} + 1"}])
    judge = Judge(spec, RUNTIMES)
    with pytest.raises(ConfigError) as failure:
        judge.judge("i", rust_error("to", "a"), go_error("to", "b"))
    message = str(failure.value)
    assert "surfaces.validator (runtime go)" in message
    assert ".Reason | ascii_downcase" in message
    assert "cannot be added" in message
    assert "if COND then" in message  # and the fix


# -- known gaps that carry their normalizer ---------------------------------

TRACKED = {"reason": GAP_REASON, "normalize": {"rust": [UNTAG], "go": [LOWER]}}


def test_a_tracked_gap_absorbs_its_shape_and_says_so() -> None:
    judge = Judge(surface(gaps=[TRACKED]), RUNTIMES)
    observation = judge.judge("i", rust_error("to", "bad"), go_error("to", "bad"))
    assert observation.verdict is Verdict.MATCH
    (hit,) = observation.gap_hits
    assert hit.reason == GAP_REASON
    assert hit.signature.category == "shape"
    assert ("missing", "/Schema") in {(k, p) for k, p, _ in hit.signature.parts}


def test_a_gap_that_normalises_one_runtime_only_is_tracked_with_both_statuses() -> None:
    # Only Go's answers need mapping here; the gap stands for what its step absorbed
    # on that one side, and its signature keeps which status each side gave.
    gap = {"reason": "go capitalises its error fields", "normalize": {"go": [LOWER]}}
    judge = Judge(surface(gaps=[gap]), RUNTIMES)
    rust = Outcome(400, json.dumps({"kind": "schema", "field": "to", "reason": "bad"}).encode())
    observation = judge.judge("i", rust, go_error("to", "bad"))
    assert {d.kind for d in observation.comparison.differences} == {DiffKind.STATUS}
    (hit,) = observation.gap_hits
    assert hit.reason == gap["reason"]
    assert hit.signature.statuses == (400, 422)
    assert {(d.kind, d.path) for d in hit.differences} >= {
        (DiffKind.MISSING, "/kind"),
        (DiffKind.EXTRA, "/Kind"),
    }
    # A gap listed before it that absorbed nothing here takes nothing from it.
    idle = {"reason": "rust pads its numbers", "normalize": {"rust": [{"jq": "."}]}}
    both = Judge(surface(gaps=[idle, gap]), RUNTIMES).judge("i", rust, go_error("to", "bad"))
    assert [h.reason for h in both.gap_hits] == [gap["reason"]]


def test_every_other_difference_in_the_same_answers_is_still_found() -> None:
    judge = Judge(surface(gaps=[TRACKED]), RUNTIMES)
    observation = judge.judge("i", rust_error("to", "missing field"), go_error("to", "bad"))
    assert observation.verdict is Verdict.DIVERGENCE
    assert parts(observation) == {("value", "/reason")}
    assert observation.signature is not None
    assert judge.surface.known_gap(observation.signature) is None  # not hidden by the gap
    assert [hit.reason for hit in observation.gap_hits] == [GAP_REASON]


def test_a_tracked_gap_does_not_count_answers_it_did_not_change() -> None:
    judge = Judge(surface(gaps=[TRACKED]), RUNTIMES)
    ok = Outcome(200, b'{"valid": true}')
    observation = judge.judge("i", ok, ok)
    assert observation.verdict is Verdict.MATCH
    assert observation.gap_hits == ()


def test_removing_the_normalizer_re_opens_the_gap() -> None:
    tracked = Judge(surface(gaps=[TRACKED]), RUNTIMES)
    reopened = Judge(surface(), RUNTIMES)
    rust, go = rust_error("to", "bad"), go_error("to", "bad")
    assert tracked.judge("i", rust, go).verdict is Verdict.MATCH
    observation = reopened.judge("i", rust, go)
    assert observation.verdict is Verdict.DIVERGENCE
    assert observation.signature == tracked.judge("i", rust, go).gap_hits[0].signature


@pytest.mark.parametrize("collapse", [[], ["/detail"]])
def test_a_gap_hit_has_the_signature_its_divergence_has_once_reopened(
    collapse: list[str],
) -> None:
    # The surface's collapse patterns shape both: the tracked gap's findings and
    # the divergences it turns into when its normalizer is removed join up.
    gap = {"reason": "go reports a stale count", "normalize": {"go": [{"jq": ".detail.count = 2"}]}}
    tracked = Judge(surface(gaps=[gap], collapse=collapse), RUNTIMES)
    reopened = Judge(surface(collapse=collapse), RUNTIMES)
    rust, go = Outcome(200, b'{"detail": {"count": 2}}'), Outcome(200, b'{"detail": {"count": 1}}')
    observation = tracked.judge("i", rust, go)
    assert observation.verdict is Verdict.MATCH
    (hit,) = observation.gap_hits
    assert hit.signature == reopened.judge("i", rust, go).signature
    assert [path for _kind, path, _ in hit.signature.parts] == (
        ["/detail/**"] if collapse else ["/detail/count"]
    )


def test_a_matching_gap_still_works_as_before() -> None:
    gap = {"reason": "open", "category": "shape", "statuses": [422, 422]}
    judge = Judge(surface(gaps=[gap]), RUNTIMES)
    observation = judge.judge("i", rust_error("to", "bad"), go_error("to", "worse"))
    assert observation.signature is not None
    matched = judge.surface.known_gap(observation.signature)
    assert matched is not None
    assert matched.reason == "open"


# -- config errors ----------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (
            {"rust": [{"jq": "if .Schema then"}]},
            r"surfaces\.validator\.runtimes\.rust\.normalize\[0\]: .*"
            r"jq expression 'if \.Schema then' does not compile",
        ),
        ({"go": [{"step": "untag"}]}, r"runtimes\.go\.normalize\[0\]: unknown normalize step"),
        (
            {"gaps": [{**TRACKED, "category": "shape"}]},
            "tracked through it, so \\['category'\\] would only hide",
        ),
        (
            {"gaps": [{"reason": "x", "normalize": {"rsut": [UNTAG]}}]},
            "unknown runtime 'rsut'.*did you mean 'rust'",
        ),
        (
            {"rust": [UNTAG], "compare": {"rule": "bytes"}},
            "rule 'bytes' compares raw bodies, so nothing can be normalised",
        ),
    ],
)
def test_bad_normalize_config_is_refused_with_the_key_path(
    keys: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        surface(**keys)


def test_one_jq_string_is_a_list_of_one_step() -> None:
    (step,) = surface(normalize=".").compare.normalize_left
    assert (step.name, dict(step.params)) == ("jq", {"expr": "."})

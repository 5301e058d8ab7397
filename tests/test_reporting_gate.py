"""Reports for replay, the CI gate and the corpus commands, on hostile fixtures.

Outcomes are judged by the real ``json`` comparator (unit tests) or by a real
replay through in-process runtimes defined at the bottom of this module (the
end-to-end test), so every signature and diff here is one difffuzz computed.
"""

from __future__ import annotations

import doctest
import io
import json
import os
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

import difffuzz._reporting.fixtures
import difffuzz._reporting.gate
import difffuzz._reporting.replay
from difffuzz._ci import CIOutcome, CIResult, GateStatus, classify, run_ci
from difffuzz._comparators.base import CompareSpec, get_comparator
from difffuzz._config import parse_config
from difffuzz._corpus import Corpus, CorpusProblem, Fixture
from difffuzz._exit import ci_exit, replay_exit, replay_exit_line
from difffuzz._inputs import FileTree, Input
from difffuzz._outcome import Failure, Outcome
from difffuzz._replay import ReplayCase, ReplayResult, ReplayVerdict, describe_change
from difffuzz._reporting import (
    render_fixture,
    render_fixture_list,
    render_gate,
    render_gate_markdown,
    render_junit,
    render_replay,
    write_gate_markdown,
    write_junit,
    write_replay_json,
)
from difffuzz._results import (
    CampaignResult,
    FindingStatus,
    Observation,
    SurfaceResult,
    Verdict,
)
from difffuzz._signature import Signature
from tests import planted  # noqa: F401  (registers the planted_text strategy)
from tests.support.records import changed, finding_of, fixture_of

HOSTILE = "<script>alert(1)</script>\x00\x1b[31m[bold]boom[/bold]\u202e\ud800"
RUNTIMES = ("rust", "go")
JSON_RULE = CompareSpec(rule="json", ignore=("/timestamp",))


def _body(record: Any) -> bytes:
    """A JSON body as a runtime might send it: non-ASCII raw, lone surrogates passed through."""
    return json.dumps(record, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _observe(surface: str, value: Input, left: Outcome, right: Outcome) -> Observation:
    comparison = get_comparator(JSON_RULE.rule)(left, right, JSON_RULE)
    signature = None
    if not comparison.equal:
        signature = Signature.of(surface, (left.status, right.status), comparison.differences)
    verdict = Verdict.MATCH if comparison.equal else Verdict.DIVERGENCE
    return Observation(surface, value, left, right, comparison, verdict, signature)


def _fixture(surface: str, value: Input, left: Outcome, right: Outcome, **extra: Any) -> Fixture:
    observation = _observe(surface, value, left, right)
    assert observation.signature is not None, "a fixture records a divergence"
    return fixture_of(
        surface=surface,
        signature=observation.signature,
        input=value,
        runtimes=RUNTIMES,
        left=left,
        right=right,
        differences=observation.comparison.differences,
        compare=JSON_RULE,
        **extra,
    )


def _case(
    fixture: Fixture,
    verdict: ReplayVerdict,
    left: Outcome | None = None,
    right: Outcome | None = None,
    detail: str = "",
) -> ReplayCase:
    observation = None
    if left is not None and right is not None:
        observation = _observe(fixture.surface, fixture.input, left, right)
        if verdict is ReplayVerdict.DIVERGES_DIFFERENTLY and not detail:
            assert observation.signature is not None
            detail = describe_change(fixture.signature, observation.signature)
    return ReplayCase(fixture, verdict, observation, detail)


def _console() -> Console:
    return Console(record=True, width=120, file=io.StringIO())


def _assert_shown_not_obeyed(text: str) -> None:
    """Hostile text is visible as escapes: no raw control, no surrogate, markup kept literal."""
    assert "\x00" not in text
    assert "\x1b" not in text
    assert "\u202e" not in text
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text)
    assert "[bold]" in text  # rich markup in a body is printed, not interpreted
    # Control characters show as escapes: Python-style in inputs, JSON-style in bodies.
    assert "\\x00" in text or "\\u0000" in text


AGREE = Outcome(200, b'{"valid": true}')


def replay_result(tmp_path: Path) -> ReplayResult:
    """Five validator fixtures: two still divergent, two fixed (one a known gap), one changed."""
    folder = tmp_path / "corpus" / "validator"
    rust_422 = Outcome(422, _body({"Schema": {"field": "to", "reason": HOSTILE}}))
    go_422 = Outcome(422, _body({"Kind": "schema", "Field": "to", "Reason": HOSTILE}))
    shape = _fixture(
        "validator",
        {"kind": "email", "payload": {"to": HOSTILE}},
        rust_422,
        go_422,
        path=folder / "shape.json",
        found_at="2024-05-01T10:00:00Z",
    )
    gap = _fixture(
        "validator",
        {"kind": "sms"},
        rust_422,
        go_422,
        known_gap="422 <b>shape</b>",
        path=folder / "gap.json",
    )
    fixed = _fixture(
        "validator", "plain", AGREE, Outcome(200, b'{"valid": false}'), path=folder / "fixed.json"
    )
    gap_fixed = _fixture(
        "validator",
        "gap2",
        AGREE,
        Outcome(400, b"\xff\xfe not json"),
        known_gap="body shape",
        path=folder / "gap2.json",
    )
    changed = _fixture(
        "validator",
        b"\xff\x00[bold]raw",
        AGREE,
        Outcome(200, b'{"valid": 1}'),
        path=folder / "changed.json",
    )
    new_go = Outcome(200, _body({"valid": True, "note": "NEW-GO-ANSWER"}))
    return ReplayResult(
        cases=[
            _case(
                shape,
                ReplayVerdict.STILL_DIVERGENT,
                rust_422,
                Outcome(422, _body({"Kind": "schema", "Field": "to", "Reason": "NEW-REASON"})),
            ),
            _case(gap, ReplayVerdict.STILL_DIVERGENT, rust_422, go_422),
            _case(fixed, ReplayVerdict.FIXED, AGREE, AGREE),
            _case(gap_fixed, ReplayVerdict.FIXED, AGREE, AGREE),
            _case(changed, ReplayVerdict.DIVERGES_DIFFERENTLY, AGREE, new_go),
        ]
    )


# ---------------------------------------------------------------- replay


def test_replay_console_shows_each_fixture_and_the_summary(tmp_path: Path) -> None:
    console = _console()
    result = replay_result(tmp_path)
    render_replay(result, console)
    text = console.export_text()
    lines = text.splitlines()
    assert (
        "replay: 5 fixtures — 2 still divergent, 2 fixed, 1 diverges differently (2 known gaps)"
        in lines
    )
    assert lines[-1].startswith("replay: 5 fixtures")  # the exit line is the CLI's:
    assert replay_exit_line(replay_exit(result)) == "exit 1: fixtures still diverge"
    # One headline per fixture, in the replay's order, with its signature id.
    heads = [line for line in lines if line.split(" ")[0] in ("still", "fixed", "diverges")]
    assert [h.split()[0] for h in heads] == ["still", "still", "fixed", "fixed", "diverges"]
    for case, head in zip(result.cases, heads, strict=True):
        assert case.fixture.signature.id in head
    assert str(tmp_path / "corpus" / "validator" / "shape.json") in text
    assert "known gap: 422 <b>shape</b>" in text
    assert text.count("gap closed: remove its known_gaps entry") == 1
    # diverges differently: what changed, and on which side.
    assert "changed: " in text
    assert "now also: extra /note" in text
    # The side-by-side diff is of the NEW observation, for divergent cases only.
    assert "NEW-REASON" in text
    assert "NEW-GO-ANSWER" in text
    assert text.count("rust: status 422") == 2
    assert "go: status 200, 40 bytes" in text
    _assert_shown_not_obeyed(text)


def test_replay_console_lists_corpus_problems_and_unreachable_runtimes(tmp_path: Path) -> None:
    fixture = _fixture("embed", "x", AGREE, Outcome(200, b"{}"), path=tmp_path / "e.json")
    down = Outcome(None, failure=Failure.UNREACHABLE, detail="connect to 127.0.0.1:4110 refused")
    result = ReplayResult(
        cases=[
            _case(
                fixture,
                ReplayVerdict.UNREACHABLE,
                AGREE,
                down,
                detail="connect to 127.0.0.1:4110 refused",
            )
        ],
        problems=[CorpusProblem(tmp_path / "bad\x1b.json", "is not valid JSON (line 1)")],
    )
    console = _console()
    render_replay(result, console)
    text = console.export_text()
    assert "unreachable" in text
    assert "connect to 127.0.0.1:4110 refused" in text
    assert "replay: 1 fixture — 1 unreachable; 1 corpus problem" in text
    assert f"{tmp_path}/bad\\x1b.json: is not valid JSON (line 1). Fix or delete the file" in text
    assert replay_exit_line(replay_exit(result)) == "exit 3: a runtime was unreachable"
    assert "\x1b" not in text


def test_replay_json_is_strict_pretty_and_written_atomically(tmp_path: Path) -> None:
    result = replay_result(tmp_path)
    target = tmp_path / "out" / "replay.json"
    assert write_replay_json(result, target, exit_code=replay_exit(result)) == target
    raw = target.read_text(encoding="utf-8")
    record = json.loads(raw, parse_constant=pytest.fail)  # no NaN / Infinity literals
    assert raw.startswith("{\n  ")
    assert record["schema"] == "difffuzz.replay/1"
    assert record["summary"]["still_divergent"] == 2
    assert record["exit_code"] == 1
    assert [c["verdict"] for c in record["cases"]][-1] == "diverges_differently"
    assert os.listdir(target.parent) == ["replay.json"]  # no temporary file left behind


def test_fixture_paths_under_the_working_directory_are_shown_relative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside = _fixture("embed", "x", AGREE, Outcome(200, b"{}"), path=tmp_path / "c" / "f.json")
    outside = replace(inside, path=Path("/elsewhere/f\x1b.json"))
    monkeypatch.chdir(tmp_path)
    location = difffuzz._reporting.replay.fixture_location
    assert location(inside) == "c/f.json"
    assert location(outside) == "/elsewhere/f\\x1b.json"
    assert location(replace(inside, path=None)) == inside.id


# ---------------------------------------------------------------- gate


def _table_rows(text: str) -> list[tuple[str, ...]]:
    """The rows of rich tables whose first column never wraps: cells joined, spaces dropped."""
    rows: list[list[str]] = []
    for line in text.splitlines():
        if not line.startswith("│"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("│").split("│")]
        if cells[0]:
            rows.append(cells)
        else:
            rows[-1] = [a + b for a, b in zip(rows[-1], cells, strict=True)]
    return [tuple(cell.replace(" ", "") for cell in row) for row in rows]


def ci_result(tmp_path: Path, *, campaign: CampaignResult | None = None) -> CIResult:
    """One fixture per gate status (classified by _ci.classify), and one corpus problem."""
    folder = tmp_path / "corpus"
    diverge = (AGREE, Outcome(200, _body({"valid": HOSTILE})))
    cases = [
        _case(
            _fixture("validator", "open", *diverge, path=folder / "open.json"),
            ReplayVerdict.STILL_DIVERGENT,
            *diverge,
        ),
        _case(
            _fixture(
                "validator",
                {"to": HOSTILE},
                *diverge,
                fixed_at="2024-05-02T00:00:00Z",
                path=folder / "regression.json",
            ),
            ReplayVerdict.STILL_DIVERGENT,
            *diverge,
        ),
        _case(
            _fixture(
                "validator",
                "gap",
                *diverge,
                known_gap="422 body shape " + HOSTILE,
                path=folder / "gap.json",
            ),
            ReplayVerdict.STILL_DIVERGENT,
            *diverge,
        ),
        _case(
            _fixture("embed", "fixed", *diverge, path=folder / "fixed.json"),
            ReplayVerdict.FIXED,
            AGREE,
            AGREE,
        ),
        _case(
            _fixture(
                "embed", "gap-closed", *diverge, known_gap="cosine", path=folder / "gap-closed.json"
            ),
            ReplayVerdict.FIXED,
            AGREE,
            AGREE,
        ),
        _case(
            _fixture("embed", b"\xff\xfe", *diverge, path=folder / "changed.json"),
            ReplayVerdict.DIVERGES_DIFFERENTLY,
            AGREE,
            Outcome(500, b"<html>oops</html>"),
        ),
        _case(
            _fixture("embed", "flaky", *diverge, path=folder / "flaky.json"),
            ReplayVerdict.FLAKY,
            *diverge,
            detail="2 sends gave: match, divergence",
        ),
        _case(
            _fixture("search", "both", *diverge, path=folder / "both.json"),
            ReplayVerdict.BOTH_FAILING,
            detail="both answered status 500, 0 bytes",
        ),
        _case(
            _fixture("search", "down", *diverge, path=folder / "down.json"),
            ReplayVerdict.UNREACHABLE,
            detail="connection refused",
        ),
        _case(
            _fixture("gone", "x", *diverge, path=folder / "gone.json"),
            ReplayVerdict.NOT_CONFIGURED,
            detail="surface 'gone' is not in difffuzz.toml",
        ),
    ]
    problems = [CorpusProblem(folder / "broken.json", "is not valid JSON")]
    replay = ReplayResult(cases=cases, problems=problems)
    return CIResult(
        replay=replay, gate=[CIOutcome(c, classify(c)) for c in cases], campaign=campaign
    )


def test_every_gate_status_is_covered_once(tmp_path: Path) -> None:
    statuses = Counter(o.status for o in ci_result(tmp_path).gate)
    assert statuses == Counter(set(GateStatus))


def test_gate_console_puts_failing_rows_first_then_counts(tmp_path: Path) -> None:
    result = ci_result(tmp_path)
    console = _console()
    render_gate(result, console)
    text = console.export_text()
    rows = _table_rows(text)
    first_words = [row[0] for row in rows]
    assert first_words[:2] == ["regression", "changed"]
    assert first_words.index("knowngapclosed") < first_words.index("open")
    assert first_words[-1] == "fixed"
    assert (
        "gate: 10 fixtures — 1 regression, 1 changed, 1 open, 1 fixed, 1 known gap open, "
        "1 known gap closed, 1 flaky, 1 both failing, 1 unreachable, 1 not configured" in text
    )
    assert "fuzz run: skipped, a runtime was unreachable during the replay" in text
    assert "broken.json: is not valid JSON. Fix or delete the file" in text
    assert rows[0][1:] == (
        "validator",
        result.gate[1].case.fixture.signature.id + "shape:type/valid(boolean/string)[200/200]",
        f"{tmp_path}/corpus/regression.json",
        "fixedat2024-05-02T00:00:00Z,divergesagain",
    )
    assert "\x00" not in text
    assert "\x1b" not in text


def test_gate_console_counts_new_findings_of_the_fuzz_run(tmp_path: Path) -> None:
    finding = finding_of(
        "validator",
        Signature("validator", (200, 422), (("status", "", ""),)),
        "x",
        AGREE,
        Outcome(422),
        get_comparator("json")(AGREE, Outcome(422), JSON_RULE),
        JSON_RULE,
        RUNTIMES,
    )
    surface = SurfaceResult(
        "validator",
        RUNTIMES,
        JSON_RULE,
        findings=[finding, replace(finding, status=FindingStatus.KNOWN)],
    )
    campaign = CampaignResult(surfaces=[surface], seed=7, started_at="now")
    result = ci_result(tmp_path, campaign=campaign)
    console = _console()
    render_gate(result, console)
    assert "fuzz run: 1 new finding (1 already in the corpus), seed 7" in console.export_text()


def test_the_gate_names_what_fails_it_with_the_fixture_paths(tmp_path: Path) -> None:
    new_path = tmp_path / "reports" / "new-fixtures" / "validator" / "abc-123.json"
    finding = finding_of(
        "validator",
        Signature("validator", (200, 422), (("status", "", ""),)),
        "x",
        AGREE,
        Outcome(422),
        get_comparator("json")(AGREE, Outcome(422), JSON_RULE),
        JSON_RULE,
        RUNTIMES,
        fixture_path=str(new_path),
    )
    surface = SurfaceResult("validator", RUNTIMES, JSON_RULE, findings=[finding])
    campaign = CampaignResult(surfaces=[surface], seed=7, started_at="now")
    result = ci_result(tmp_path, campaign=campaign)
    document = render_gate_markdown(result)
    failing = document.split("## What fails the gate\n\n", 1)[1].split("\n\n", 1)[0]
    lines = failing.splitlines()
    assert lines[0].startswith(f"- **new finding**: validator {finding.signature.id} status")
    assert lines[0].endswith(f"`{new_path}`")
    kinds = [line.split("**")[1] for line in lines]
    assert kinds == ["new finding", "regression", "changed", "known gap closed"]
    for name in ("regression.json", "changed.json", "gap-closed.json"):
        assert sum(name in line for line in lines) == 1, name
    # A surface with a new finding is not "ok", whatever its fixtures say.
    assert "- **validator: 3 fixtures — 1 new finding, 1 regression" in document
    console = _console()
    render_gate(result, console)
    text = console.export_text()
    assert f"new finding: validator {finding.signature.id}" in text
    assert str(new_path) in " ".join(text.split())


def test_gate_markdown_headlines_table_and_failing_fixtures(tmp_path: Path) -> None:
    result = ci_result(tmp_path)
    document = render_gate_markdown(result, exit_code=ci_exit(result))
    assert "- **validator: 3 fixtures — 1 regression, 1 open, 1 known gap open**" in document
    assert "known gap: 422 body shape \\<script\\>alert(1)\\</script\\>\\\\x00" in document
    assert "- **search: 2 fixtures — ok (1 both failing, 1 unreachable)**" in document
    assert "exit code `3`" in document
    assert "| **regression** | validator |" in document
    sections = document.split("\n### ")[1:]
    assert [s.split(":")[0] for s in sections] == ["regression", "changed", "known gap closed"]
    regression = sections[0]
    assert "Input (dict, 1 keys):" in regression
    assert "New observation, side by side:" in regression
    assert f"`{tmp_path}/corpus/regression.json`" in regression
    assert "difffuzz replay --config difffuzz.toml" in regression
    changed = sections[1]
    assert "<html>oops</html>" in changed  # inside the fenced diff: literal
    assert "- now: shape: parse / (json/not-json) \\[200/500\\]" in changed
    # Outside code blocks, runtime text cannot become markup or HTML.
    prose = "\n".join(part for n, part in enumerate(document.split("```")) if n % 2 == 0)
    assert "<script>" not in prose
    assert "\\[bold\\]" in prose
    assert "\x00" not in document
    assert "\x1b" not in document
    assert "## Corpus problems" in document


def test_gate_markdown_is_written_atomically_into_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "reports" / "ci"
    result = ci_result(tmp_path)
    path = write_gate_markdown(result, folder)
    assert path == folder / "difffuzz-gate.md"
    assert path.read_text(encoding="utf-8") == render_gate_markdown(result)
    # A write that dies before the rename leaves the previous report whole.
    before = path.read_bytes()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", broken_replace)
        with pytest.raises(OSError, match="disk full"):
            write_gate_markdown(CIResult(replay=ReplayResult()), folder)
    assert path.read_bytes() == before
    assert os.listdir(folder) == ["difffuzz-gate.md"]


def _suite(root: ET.Element, name: str) -> ET.Element:
    (suite,) = [s for s in root.iter("testsuite") if s.get("name") == name]
    return suite


def _result_of(case: ET.Element) -> tuple[str, str, str]:
    """(kind, type, message) of a JUnit testcase; kind is "pass" when it has no result child."""
    for kind in ("failure", "skipped", "error"):
        element = case.find(kind)
        if element is not None:
            return kind, element.get("type", ""), element.get("message", "")
    return "pass", "", ""


def test_junit_gate_suite_counts_and_messages(tmp_path: Path) -> None:
    result = ci_result(tmp_path)
    root = ET.fromstring(render_junit(None, gate=result).encode("utf-8"))
    suite = _suite(root, "difffuzz.gate")
    cases = suite.findall("testcase")
    kinds = Counter(_result_of(case)[0] for case in cases)
    assert kinds == {"failure": 3, "skipped": 5, "error": 2, "pass": 1}
    totals = tuple(suite.get(key) for key in ("tests", "failures", "skipped", "errors"))
    assert totals == ("11", "3", "5", "2")
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("11", "3", "2")
    by_status = {
        outcome.status: _result_of(case)
        for outcome, case in zip(result.gate, cases[: len(result.gate)], strict=True)
    }
    assert by_status[GateStatus.GAP_CLOSED] == (
        "failure",
        "gate.gap_closed",
        "known gap closed: remove the known_gaps entry",
    )
    assert by_status[GateStatus.REGRESSION][:2] == ("failure", "gate.regression")
    assert by_status[GateStatus.CHANGED][:2] == ("failure", "gate.changed")
    assert by_status[GateStatus.UNREACHABLE] == (
        "error",
        "runtime_unreachable",
        "connection refused",
    )
    assert by_status[GateStatus.OK_FIXED][0] == "pass"
    assert by_status[GateStatus.FLAKY] == ("skipped", "", "flaky: 2 sends gave: match, divergence")
    assert by_status[GateStatus.GAP_OPEN][2].startswith("known gap open: known gap: 422 body shape")
    for outcome, case in zip(result.gate, cases[: len(result.gate)], strict=True):
        fixture = outcome.case.fixture
        assert case.get("name") == f"{fixture.surface}/{fixture.signature.id}"
    assert cases[-1].get("name") == "corpus/broken.json"
    assert _result_of(cases[-1])[:2] == ("error", "corpus_problem")


def test_junit_with_a_campaign_and_a_gate_sums_both(tmp_path: Path) -> None:
    surface = SurfaceResult("embed", RUNTIMES, JSON_RULE)
    campaign = CampaignResult(surfaces=[surface], seed=1, started_at="now")
    plain = ET.fromstring(render_junit(campaign).encode("utf-8"))
    assert [s.get("name") for s in plain.iter("testsuite")] == ["difffuzz.embed"]
    target = tmp_path / "junit" / "ci.xml"
    write_junit(campaign, target, gate=ci_result(tmp_path, campaign=campaign))
    both = ET.parse(target).getroot()
    assert [s.get("name") for s in both.iter("testsuite")] == ["difffuzz.gate", "difffuzz.embed"]
    assert both.get("tests") == "12"  # 11 gate cases + the surface's examples case


# ---------------------------------------------------------------- corpus


def corpus_fixtures(tmp_path: Path) -> list[Fixture]:
    rust = Outcome(422, _body({"Schema": {"field": "to", "reason": HOSTILE}}))
    go = Outcome(422, b'{"Kind":"schema","Reason":"\xff\xfe <script>"}')
    return [
        _fixture(
            "validator",
            {"to": HOSTILE * 3},
            rust,
            go,
            found_at="2024-05-01T10:00:00Z",
            path=tmp_path / "validator" / "a.json",
            seed=42,
            difffuzz_version="0.1.0",
            hypothesis_version="6.100.0",
        ),
        _fixture(
            "validator",
            "fixed one",
            AGREE,
            Outcome(200, b"{}"),
            fixed_at="2024-05-03T00:00:00Z",
            path=tmp_path / "validator" / "b.json",
        ),
        _fixture(
            "embed",
            "x",
            AGREE,
            Outcome(200, b"[1]"),
            known_gap="go keeps float32 [bold]\x1b",
            flaky=True,
            shrunk=False,
            path=tmp_path / "embed" / "c.json",
        ),
        _fixture(
            "materializer",
            FileTree.of({"a.jsonl": b"\x00\n"}),
            AGREE,
            Outcome(0, b""),
            path=tmp_path / "materializer" / "d.json",
        ),
    ]


def test_corpus_list_groups_by_surface_with_status_and_preview(tmp_path: Path) -> None:
    fixtures = corpus_fixtures(tmp_path)
    problem = CorpusProblem(tmp_path / "validator" / "bad.json", "is not a difffuzz fixture")
    console = _console()
    render_fixture_list(fixtures, [problem], console)
    text = console.export_text()
    titles = [text.index(f"{name} — ") for name in ("embed", "materializer", "validator")]
    assert titles == sorted(titles)
    rows = {row[0]: row for row in _table_rows(text) if row[0] != "fixture"}
    assert list(rows) == [fixtures[2].id, fixtures[3].id, fixtures[0].id, fixtures[1].id]
    assert text.index(fixtures[0].id) > titles[2] > text.index(fixtures[3].id) > titles[1]
    expected = {
        fixtures[0].id: ("shape", "open", "2024-05-01T10:00:00Z"),
        fixtures[1].id: ("shape", "fixedsince2024-05-03T00:00:00Z", "—"),
        fixtures[2].id: ("shape", "knowngap:gokeepsfloat32[bold]\\x1b,flaky,unshrunk", "—"),
        fixtures[3].id: ("shape", "open", "—"),
    }
    for fixture_id, (category, status, found) in expected.items():
        assert rows[fixture_id][1:2] + rows[fixture_id][3:5] == (category, status, found)
    signature = rows[fixtures[1].id][2]
    assert signature == "missing/valid[200/200]"  # the label, less the category column
    preview = difffuzz._reporting.fixtures.input_preview(fixtures[0].input)
    assert len(preview) == 40
    assert preview.endswith("…")
    assert "\\x00" in preview
    assert rows[fixtures[0].id][5] == preview.replace(" ", "")
    assert "corpus: 4 fixtures in 3 surfaces — 2 open, 1 fixed, 1 known gap" in text
    assert "bad.json: is not a difffuzz fixture. Fix or delete the file" in text
    _assert_shown_not_obeyed(text)


def test_corpus_show_has_everything_about_one_fixture(tmp_path: Path) -> None:
    spec = CompareSpec(
        rule="json", ignore=("/timestamp",), select_left="/Schema", params={"tolerance": 0.5}
    )
    fixture = changed(corpus_fixtures(tmp_path)[0], compare=spec)
    console = _console()
    render_fixture(fixture, console, config="examples/lake house.toml")
    text = console.export_text()
    for expected in (
        fixture.signature.id,
        "category: shape",
        "status: open",
        "runtimes: rust vs go",
        "found at: 2024-05-01T10:00:00Z",
        "versions: difffuzz 0.1.0, hypothesis 6.100.0",
        "seed: 42",
        "input (dict, 1 keys):",
        "rule: json",
        "ignored paths: /timestamp",
        "compared: /Schema (rust) with / (go)",
        "tolerance: 0.5",
        "saved outcomes, side by side:",
        "rust: status 422",
        "\\xff\\xfe <script>",  # the invalid UTF-8 of the saved go body, escaped
        f"difffuzz replay --config 'examples/lake house.toml' {tmp_path}/validator/a.json",
    ):
        assert expected in text, expected
    _assert_shown_not_obeyed(text)


# ---------------------------------------------------------------- end to end


_FLAKY_CALLS = Counter[str]()


def left_runtime(value: str) -> Any:
    if value == "both":
        return (2, "boom")
    return json.dumps({"text": value})


def right_runtime(value: str) -> Any:
    """Escapes '<' (a value divergence), adds a field on "changed", flips on "flaky"."""
    if value == "both":
        return (2, "boom")
    if value == "down":
        return Outcome(None, failure=Failure.UNREACHABLE, detail="connection refused")
    if value == "changed":
        return json.dumps({"text": value, "extra": 1})
    if value == "flaky":
        _FLAKY_CALLS[value] += 1
        return json.dumps({"text": value * (_FLAKY_CALLS[value] % 2 + 1)})
    return json.dumps({"text": value.replace("<", "&lt;")})


def test_a_real_replay_classifies_and_reports_every_gate_status(tmp_path: Path) -> None:
    settings = {
        "campaign": {"max_examples": 10, "seed": 1, "learn_noise": 0},
        "runtimes": {"rust": {}, "go": {}},
        "surfaces": {
            "gate": {
                "strategy": "planted_text",
                "transport": "python",
                "runtimes": {
                    "rust": {"target": f"{__name__}:left_runtime"},
                    "go": {"target": f"{__name__}:right_runtime"},
                },
            }
        },
    }
    config = parse_config(settings, source="<test>", base_dir=tmp_path)
    corpus = Corpus(tmp_path / "corpus")
    # What each runtime answered when the fixture was found (then judged like a campaign).
    old_go = {
        "plain": '{"text": "PLAIN"}',
        "gap-closed": '{"text": "X"}',
        "changed": '{"t": 1}',
        "flaky": '{"text": "f"}',
        "both": '{"text": "BOTH"}',
        "down": '{"text": "d"}',
    }
    marks: dict[str, dict[str, str]] = {
        "<b": {"fixed_at": "2024-05-02T00:00:00Z"},
        "<c": {"known_gap": "accepted <c>"},
        "gap-closed": {"known_gap": "closed by now"},
    }
    inputs = [HOSTILE, "<b", "<c", "plain", "gap-closed", "changed", "flaky", "both", "down"]
    for value in inputs:
        left = Outcome(0, _body({"text": value}))
        right = Outcome(
            0, old_go.get(value, json.dumps({"text": value.replace("<", "&lt;")})).encode()
        )
        corpus.save(_fixture("gate", value, left, right, **marks.get(value, {})))
    result = run_ci(config, corpus=corpus, budget=1, seed=0, fuzz=False)
    status = {o.case.fixture.input: o.status for o in result.gate}
    assert status == {
        HOSTILE: GateStatus.OPEN,
        "<b": GateStatus.REGRESSION,
        "<c": GateStatus.GAP_OPEN,
        "plain": GateStatus.OK_FIXED,
        "gap-closed": GateStatus.GAP_CLOSED,
        "changed": GateStatus.CHANGED,
        "flaky": GateStatus.FLAKY,
        "both": GateStatus.BOTH_FAILING,
        "down": GateStatus.UNREACHABLE,
    }
    assert ci_exit(result) == 3
    console = _console()
    render_gate(result, console)
    text = console.export_text()
    assert "gate: 9 fixtures — 1 regression, 1 changed, 1 open, 1 fixed" in text
    root = ET.fromstring(render_junit(None, gate=result).encode("utf-8"))
    assert (root.get("failures"), root.get("skipped"), root.get("errors")) == ("3", "4", "1")
    path = write_gate_markdown(result, tmp_path / "reports")
    document = path.read_text("utf-8")
    assert "- **gate: 9 fixtures — 1 regression, 1 changed, 1 open" in document
    assert (
        "diverges differently: no longer: extra /t, missing /text; now also: extra /extra "
        "(answer changed on go)" in document
    )
    assert "2 sends gave: divergence" in document
    assert replay_exit_line(replay_exit(result.replay)) == "exit 3: a runtime was unreachable"


def test_doctests_of_the_new_reporters_pass() -> None:
    for module in (
        difffuzz._reporting.replay,
        difffuzz._reporting.gate,
        difffuzz._reporting.fixtures,
    ):
        failures, tried = doctest.testmod(module)
        assert tried > 0, module.__name__
        assert failures == 0, module.__name__

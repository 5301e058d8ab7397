"""Every reporter on one synthetic campaign full of hostile content."""

from __future__ import annotations

import doctest
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

import difffuzz._reporting.console
import difffuzz._reporting.diffview
import difffuzz._reporting.finding
import difffuzz._reporting.json_report
import difffuzz._reporting.junit
import difffuzz._reporting.markdown
from difffuzz._comparators.base import CompareSpec, Comparison, Difference, DiffKind
from difffuzz._inputs import FileTree, Input, input_to_bytes
from difffuzz._outcome import Failure, Outcome
from difffuzz._reporting import (
    ProgressReporter,
    build_diff,
    diff_text,
    escape_text,
    render_campaign,
    render_html,
    render_junit,
    render_markdown,
    view_finding,
    write_json,
    write_reports,
)
from difffuzz._reporting.junit import xml_safe
from difffuzz._repro import shell_command
from difffuzz._results import (
    CampaignResult,
    Finding,
    FindingStatus,
    InfraEvent,
    SurfaceResult,
    SurfaceStats,
    Verdict,
)
from difffuzz._signature import Signature
from difffuzz._transports.base import CommandRequest, HTTPRequest, Request
from tests.support.records import finding_of

HOSTILE = '<script>alert("x")</script>\x00\x1b[31m[bold red]boom[/]\u202e\ud800'
RUNTIMES = ("rust", "go")


def _finding(
    surface: str,
    value: Input,
    left: Outcome,
    right: Outcome,
    differences: tuple[Difference, ...],
    spec: CompareSpec,
    **extra: object,
) -> Finding:
    comparison = Comparison(spec.rule, differences, ignored=tuple(spec.ignore[:1]))
    return finding_of(
        surface=surface,
        signature=Signature.of(surface, (left.status, right.status), differences),
        input=value,
        left=left,
        right=right,
        comparison=comparison,
        compare_spec=spec,
        runtimes=RUNTIMES,
        **extra,
    )


def campaign() -> CampaignResult:
    """Three surfaces: two divergences (one a known gap), a clean run, an aborted CLI surface."""
    http_spec = CompareSpec(rule="shape", ignore=("/timestamp",))
    shape = (
        Difference(DiffKind.MISSING, "/Schema", "/Schema", {"field": "to"}, None),
        Difference(DiffKind.EXTRA, "/Kind", "/Kind", None, "schema"),
    )
    rust_body = json.dumps(
        {"Schema": {"field": "to", "reason": HOSTILE}, "timestamp": 1}, ensure_ascii=False
    ).encode("utf-8", "surrogatepass")
    go_body = b'{"Kind":"schema","Field":"to","Reason":"</pre><script>x</script>","timestamp":2}'
    validator = SurfaceResult(
        surface="validator",
        runtimes=RUNTIMES,
        compare_spec=http_spec,
        stats=SurfaceStats(
            examples=412, matches=370, divergent_examples=40, both_failed=2, elapsed=4.0
        ),
        learned_noise=["/trace_id"],
        timeline=[(0.0, 0, 0), (1.0, 100, 1), (2.5, 300, 2), (4.0, 412, 2)],
    )
    validator.findings.append(
        _finding(
            "validator",
            {"kind": "email", "payload": {"to": HOSTILE}},
            Outcome(422, rust_body),
            Outcome(422, go_body),
            shape,
            http_spec,
            fixture_path="corpus/validator/it's a <fixture>.json",
            seed=7,
        )
    )
    validator.findings.append(
        _finding(
            "validator",
            b"\xff\xfe]]>\x1b",
            Outcome(400, b"\xff\x00oops <script>", stderr=b"panic: \x07bell"),
            Outcome(200, b'{"valid": true}'),
            (Difference(DiffKind.STATUS, "", "", 400, 200, qualifier="400/200"),),
            http_spec,
            status=FindingStatus.KNOWN_GAP,
            gap_reason="422 body shape left open <b>by the team</b>",
            flaky=True,
        )
    )
    embed = SurfaceResult(
        surface="embed",
        runtimes=RUNTIMES,
        compare_spec=CompareSpec(
            rule="cosine",
            select_left="/embeddings/0",
            select_right="/vectors/0",
            params={"min": 0.99999},
        ),
        stats=SurfaceStats(examples=412, matches=412, elapsed=2.0),
        timeline=[(0.0, 0, 0), (2.0, 412, 0)],
    )
    materializer = SurfaceResult(
        surface="materializer",
        runtimes=RUNTIMES,
        compare_spec=CompareSpec(rule="json", ignore=("/*/provenance/recorded_at",)),
        stats=SurfaceStats(
            examples=3, matches=1, divergent_examples=1, infra_errors=1, elapsed=1.0
        ),
        aborted="runtime 'go' unreachable: python3 -m go_style.materializer <missing>",
        infra_events=[
            InfraEvent("materializer", "go", "argv <x>", "unreachable", "no such file \x00", b"")
        ],
    )
    materializer.findings.append(
        _finding(
            "materializer",
            FileTree.of(
                {"a/b'.jsonl": b'{"x": 0}\n', "c.jsonl": HOSTILE.encode("utf-8", "surrogatepass")}
            ),
            Outcome(0, b'[{"provenance": {"line_offset": 0}}]'),
            Outcome(0, b'[{"provenance": {}}]'),
            (
                Difference(
                    DiffKind.MISSING, "/*/provenance/line_offset", "/0/provenance/line_offset", 0
                ),
            ),
            materializer.compare_spec,
            status=FindingStatus.KNOWN,
        )
    )
    return CampaignResult(
        surfaces=[validator, embed, materializer],
        seed=1234,
        started_at="2024-05-01T10:15:00.5+00:00",
        finished_at="2024-05-01T10:15:07+00:00",
        config_path="examples/lakehouse.toml",
        difffuzz_version="0.1.0",
        hypothesis_version="6.100.0",
        corpus_dir="corpus",
    )


def render(surface: str, value: Input) -> tuple[Request, Request] | None:
    """A renderer like the CLI's: the requests each runtime's transport would send."""
    if surface == "validator":
        body = input_to_bytes(value)
        headers = {"content-type": "application/json"}
        return (
            HTTPRequest("POST", "http://127.0.0.1:3100/v1/validate", headers, body),
            HTTPRequest("POST", "http://127.0.0.1:4110/v1/validate", headers, body),
        )
    if surface == "materializer" and isinstance(value, FileTree):
        argv = ("materialize", "{input_dir}", "{output_file}")
        return CommandRequest(("rust-" + argv[0], *argv[1:]), tree=value), CommandRequest(
            argv, tree=value
        )
    return None


def _forbidden_controls(text: str) -> list[str]:
    return [c for c in text if (ord(c) < 0x20 and c not in "\n") or 0xD800 <= ord(c) <= 0xDFFF]


def test_markdown_headlines_tables_rules_and_findings() -> None:
    text = render_markdown(campaign(), render=render)
    assert "- **embed: 412/412 examples match**" in text
    assert (
        "validator: 40/412 examples diverge (2 distinct divergences, 1 known gap), 2 both failed"
        in text
    )
    assert "| validator | rust vs go | 412 | 370 | 2 (1 known gap) | 2 | 0 | 103.0 |" in text
    assert "- ignored paths: `/timestamp`" in text
    assert "learned noise (differs between two calls of one runtime, ignored): `/trace_id`" in text
    assert "- compared: `/embeddings/0` (left) with `/vectors/0` (right)" in text
    assert "ignored by the rule: /timestamp" in text
    assert "- status: **known gap: 422 body shape left open \\<b\\>by the team\\</b\\>**" in text
    assert "--data-binary @- --url http://127.0.0.1:4110/v1/validate" in text
    replay = "difffuzz replay --config difffuzz.toml 'corpus/validator/it'\\''s a <fixture>.json'"
    assert replay in text
    assert _forbidden_controls(text) == []
    # Hostile HTML only ever appears inside fenced code blocks, where Markdown shows it as text.
    outside = re.sub(r"^(`{3,})[^\n]*\n.*?^\1$", "", text, flags=re.S | re.M)
    assert "<script" not in outside
    assert "```" in text


def test_markdown_fence_outgrows_backticks_in_the_input() -> None:
    result = campaign()
    finding = result.surfaces[0].findings[0]
    result.surfaces[0].findings[0] = replace(
        finding, divergence=replace(finding.divergence, input="````x")
    )
    text = render_markdown(result)
    assert "`````python\n'````x'\n`````" in text


def test_json_report_round_trips_strictly(tmp_path: Path) -> None:
    result = campaign()
    finding = result.surfaces[0].findings[0]
    nan = Comparison("shape", (), float("nan"))
    result.surfaces[0].findings[0] = replace(
        finding, divergence=replace(finding.divergence, comparison=nan)
    )
    path = write_json(result, tmp_path / "nested" / "report.json", exit_code=3)

    def refuse(name: str) -> None:
        raise AssertionError(f"non-standard JSON constant {name}")

    loaded = json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)
    assert loaded["schema"] == "difffuzz.campaign/1"
    assert loaded["exit_code"] == 3
    assert [s["surface"] for s in loaded["surfaces"]] == ["validator", "embed", "materializer"]
    first = loaded["surfaces"][0]["findings"][0]
    assert first["distance"] == "NaN"
    left = result.surfaces[0].findings[0].left
    assert Outcome.from_json(first["left"]) == left  # the invalid UTF-8 body survives
    assert first["input"]["payload"]["to"] == {
        "$str_escaped": HOSTILE.encode("unicode_escape").decode()
    }
    assert loaded["surfaces"][1] == json.loads(json.dumps(result.surfaces[1].to_json()))
    assert sorted(p.name for p in path.parent.iterdir()) == ["report.json"]  # no temp file left
    assert path.stat().st_mode & 0o644 == 0o644


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_and_escapes_everything() -> None:
    page = render_html(campaign(), render=render)
    assert "<script" not in page.lower()
    assert "script-src" not in page
    assert "default-src 'none'" in page  # the CSP forbids scripts
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # nothing fetched
    parser = _Tags()
    parser.feed(page)
    assert "script" not in parser.tags
    assert parser.tags.count("svg") == 5
    assert parser.tags.count("section") == 3  # one card per finding
    text = "".join(parser.text)
    assert '<script>alert("x")</script>' in text  # shown as text, after unescaping
    assert "embed: 412/412 examples match" in text
    assert "learned noise" in text
    assert "/trace_id" in text
    assert _forbidden_controls(page) == []


def test_commands_survive_every_format_exactly() -> None:
    """A command copied out of any report is the command _repro built, byte for byte."""
    result = campaign()
    finding = result.surfaces[2].findings[0]  # a FileTree: a multi-line script
    requests = render(finding.surface, finding.input)
    assert requests is not None
    command = shell_command(requests[1])
    assert command.count("\n") >= 5
    page = render_html(result, render=render)
    blocks = [html.unescape(b) for b in re.findall(r"<pre>(.*?)</pre>", page, re.S)]
    assert any(
        f"# go\n{command}\n" in block or block.endswith(f"# go\n{command}") for block in blocks
    )
    assert f"# go\n{command}\n" in render_markdown(result, render=render)
    junit = ET.fromstring(render_junit(result, render=render))
    bodies = [e.text or "" for e in junit.iter("failure")]
    assert any(f"# go\n{command}\n" in body for body in bodies)
    console = Console(record=True, width=60, file=io.StringIO())
    render_campaign(result, console, render=render, verbose=True)
    assert command in console.export_text()  # not hard-wrapped, even on a narrow console


def test_junit_parses_and_counts(tmp_path: Path) -> None:
    document = render_junit(campaign(), render=render)
    root = ET.fromstring(document.encode("utf-8"))
    assert (root.get("tests"), root.get("failures"), root.get("skipped"), root.get("errors")) == (
        "6",
        "2",
        "1",
        "1",
    )
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert list(suites) == ["difffuzz.validator", "difffuzz.embed", "difffuzz.materializer"]
    validator = suites["difffuzz.validator"]
    cases = validator.findall("testcase")
    assert cases[0].get("name") == "examples"
    assert cases[0].find("failure") is None
    failure = cases[1].find("failure")
    assert failure is not None
    assert failure.get("type") == "divergence.new"
    assert "printf" in (failure.text or "")
    assert "\\x00" in (failure.text or "")  # the NUL shown as an escape, not dropped
    skipped = cases[2].find("skipped")
    assert skipped is not None
    assert "422 body shape" in (skipped.get("message") or "")
    assert suites["difffuzz.materializer"].findall("testcase")[0].find("error") is not None
    assert suites["difffuzz.embed"].get("tests") == "1"


@given(st.text(st.characters(codec=None)))
def test_xml_safe_always_parses(text: str) -> None:
    element = ET.Element("failure", message=xml_safe(text))
    element.text = xml_safe(text)
    ET.fromstring(ET.tostring(element, encoding="unicode"))


@given(st.text(st.characters(codec=None)))
def test_escape_text_leaves_only_printable_characters(text: str) -> None:
    escaped = escape_text(text)
    assert escaped.isprintable()
    escaped.encode("utf-8")
    assert escape_text(escaped) == escaped


def test_console_report_is_a_block_per_new_finding_and_a_line_per_known_one() -> None:
    console = Console(record=True, width=120)
    result = campaign()
    render_campaign(result, console, render=render)
    text = console.export_text()
    new = [f for f in result.findings if f.status.value == "new"]
    listed = [f for f in result.findings if f.status.value != "new"]
    assert new
    assert listed
    for finding in new:
        assert f"new {finding.surface} {finding.signature.label}" in text
        assert f"[{finding.signature.id}]" in text
    for finding in listed:
        line = next(line for line in text.splitlines() if finding.signature.label in line)
        assert line.startswith(finding.status.value.replace("_", " "))
    for expected in (
        "  input    {'kind': 'email'",
        "  fixture  corpus/validator/it's a <fixture>.json",
        "  replay   difffuzz replay --config",
        "[bold red]boom[/]",  # markup in an input is shown, never interpreted
        "known gap validator",
        "full diffs and reproduction commands: -v, or the reports",
    ):
        assert expected in text, expected
    assert "exit " not in text.splitlines()[-1]  # the exit line is the CLI's (difffuzz._exit)
    for only_verbose in ("reproduce (bash):", "minimal input (", "@example("):
        assert only_verbose not in text
    assert len(text.splitlines()) < 40
    assert "\x1b" not in text


def test_console_report_shows_the_key_lines_in_full_with_verbose() -> None:
    console = Console(record=True, width=120)
    render_campaign(campaign(), console, render=render, verbose=True)
    text = console.export_text()
    for expected in (
        "distinct divergences",
        "validator",
        "shape: extra /Kind, missing /Schema [422/422]",
        campaign().surfaces[0].findings[0].signature.id,
        "category shape · status new",
        "known gap: 422 body shape left open <b>by the team</b>",
        "minimal input (dict, 2 keys):",
        "[bold red]boom[/]",  # markup in an input is shown, never interpreted
        "fixture: corpus/validator/it's a <fixture>.json",
        "reproduce (bash):",
        "--data-binary @- --url http://127.0.0.1:3100/v1/validate",
        "@example({'kind': 'email'",
        "stopped early: runtime 'go' unreachable",
    ):
        assert expected in text, expected
    assert "\x1b" not in text
    assert "\x00" not in text


def test_diff_marks_reported_paths_and_tolerated_text() -> None:
    left = {f"k{n:03}": n for n in range(300)} | {"timestamp": "t1", "value": 1}
    right = {f"k{n:03}": n for n in range(300)} | {"timestamp": "t2", "value": 2}
    comparison = Comparison(
        "json", (Difference(DiffKind.VALUE, "/value", "/value", 1, 2),), ignored=("/timestamp",)
    )
    view = build_diff(
        Outcome(200, json.dumps(left).encode()),
        Outcome(200, json.dumps(right).encode()),
        comparison,
        RUNTIMES,
    )
    marked = {row.marker: row for row in view.rows if row.marker in "!~"}
    assert marked["!"].left == '  "value": 1'
    assert marked["!"].right == '  "value": 2'
    assert marked["~"].left == '  "timestamp": "t1",'
    assert len(view.rows) < 20  # 300 unchanged keys cut down to the context
    assert view.rows[0].left == "⋯ 298 lines not shown ⋯"
    text = diff_text(view, width=80)
    assert "! " in text
    assert "value at /value: rust=1 · go=2" in text
    assert "ignored by the rule: /timestamp" in text


def test_diff_marks_only_the_selected_value() -> None:
    """embed: the rule compares /embeddings/0 with /vectors/0; only those lines are marked."""
    spec = CompareSpec(rule="cosine", select_left="/embeddings/0", select_right="/vectors/0")
    comparison = Comparison("cosine", (Difference(DiffKind.VALUE, "", "", detail="cos 0.2"),), 0.8)
    view = build_diff(
        Outcome(200, b'{"embeddings": [[1.0, 0.0]], "dimensions": 2}'),
        Outcome(200, b'{"vectors": [[0.0, 1.0]], "dimension": 2}'),
        comparison,
        RUNTIMES,
        spec,
    )
    marked = [(row.left, row.right) for row in view.rows if row.marker == "!"]
    assert marked[0] == ("    [", "    [")  # the selected vectors, not their parents
    assert len(marked) == 5
    assert all("dimension" not in (left or "") + (right or "") for left, right in marked)
    assert "distance (cosine): 0.8" in view.notes


def test_diff_of_a_huge_body_says_where_it_was_cut() -> None:
    body = json.dumps(list(range(10_000))).encode()
    view = build_diff(Outcome(200, body), Outcome(200, body), Comparison("json"), RUNTIMES)
    assert view.rows[-1].left == "⋯ body cut after 3000 lines ⋯"
    assert len(view.rows) < 20


def test_diff_of_failures_and_non_json_bodies() -> None:
    view = build_diff(
        Outcome(None, failure=Failure.TIMEOUT, detail="no answer in 5.0s"),
        Outcome(0, b"line one\n\xff\xfe\x00"),
        Comparison("bytes", (Difference(DiffKind.VALUE, "/", "/"),)),
        RUNTIMES,
    )
    assert view.statuses[0] == "timeout: no answer in 5.0s"
    assert [row.right for row in view.rows] == ["line one", "\\xff\\xfe\\x00"]
    assert {row.marker for row in view.rows} == {"!"}


def test_progress_reporter_logs_plain_lines_when_not_a_terminal() -> None:
    console = Console(record=True, width=120)
    now = [0.0]
    with ProgressReporter(console, log_every=5.0, clock=lambda: now[0]) as progress:
        progress.surface_started("validator\x1b[2J", budget=100)
        for n in range(12):
            now[0] = n * 1.0
            progress.example_done(
                "validator\x1b[2J", Verdict.DIVERGENCE if n % 10 == 0 else Verdict.MATCH
            )
        progress.finding("validator\x1b[2J")  # counted, not printed
        # Shrinking: no example for 20 s, a line every 5 s all the same.
        for call in range(1, 21):
            now[0] = 11.0 + call
            progress.shrinking("validator\x1b[2J", call)
        progress.surface_finished("validator\x1b[2J")
    lines = console.export_text().splitlines()
    name = "validator\\x1b[2J"
    assert lines[0] == f"{name}: started, 100 examples"
    assert lines[1].startswith(f"{name}: 6/100 examples, 0 kinds of divergence")
    assert lines[2].startswith(f"{name}: 11/100 examples")
    shrinking = [line for line in lines if "shrinking" in line]
    assert len(shrinking) == 4  # 20 s of shrinking, a line every 5 s
    assert shrinking[-1].endswith(
        "1 kind of divergence, 0 both failed, 0 infra errors, shrinking (19 calls)"
    )
    assert lines[-1] == (
        f"{name}: done, 12/100 examples, 1 kind of divergence, 0 both failed, 0 infra errors"
        " in 31.0s (0.4 examples/s)"
    )
    assert len(lines) == 3 + 4 + 1


def test_progress_reporter_draws_bars_on_a_terminal() -> None:
    console = Console(record=True, width=100, force_terminal=True)
    progress = ProgressReporter(console)
    assert progress.live
    with progress:
        progress.surface_started("embed", budget=5)
        for _ in range(5):
            progress.example_done("embed", Verdict.MATCH)
        progress.surface_finished("embed")
    text = console.export_text()
    assert "5/5" in text
    assert "0 kinds of divergence, 0 both failed, 0 infra errors" in text
    assert "done" not in text  # the live line is the surface's one line


def test_write_reports_writes_all_four(tmp_path: Path) -> None:
    paths = write_reports(campaign(), tmp_path, render=render)
    assert {p.name for p in paths.values()} == {
        "difffuzz-20240501T101500.json",
        "difffuzz-20240501T101500.md",
        "difffuzz-20240501T101500.html",
        "difffuzz-20240501T101500.junit.xml",
    }
    assert all(p.stat().st_size > 0 for p in paths.values())


def test_view_finding_without_a_renderer_still_offers_replay_and_example() -> None:
    view = view_finding(campaign().surfaces[2].findings[0])
    assert view.reproductions == ()
    assert view.replay is None
    assert view.example.startswith("@example(FileTree.of({")
    assert view.input_type == "FileTree, 2 files"


def test_a_huge_input_does_not_bloat_the_report() -> None:
    result = campaign()
    finding = result.surfaces[0].findings[1]
    huge = replace(finding.divergence, input=b"\x01" * 100_000)
    result.surfaces[0].findings[1] = replace(finding, divergence=huge)
    view = view_finding(result.surfaces[0].findings[1], render)
    assert view.example.startswith("# the @example line is 400013 characters long")
    assert all(r.command.startswith("# the command is") for r in view.reproductions)
    assert view.input_text.endswith("(+396003 characters)")
    assert len(render_markdown(result, render=render)) < 100_000


@pytest.mark.parametrize(
    "module",
    [
        difffuzz._reporting.console,
        difffuzz._reporting.diffview,
        difffuzz._reporting.finding,
        difffuzz._reporting.json_report,
        difffuzz._reporting.junit,
        difffuzz._reporting.markdown,
    ],
)
def test_doctests(module: object) -> None:
    assert doctest.testmod(module).failed == 0  # type: ignore[arg-type]


def _with_cause_figures() -> tuple[CampaignResult, Finding]:
    """The campaign with figures on validator's first cause and its candidates."""
    result = campaign()
    validator = result.surfaces[0]
    first = replace(validator.findings[0], occurrences=7, shrink_calls=123, merged=2)
    validator.findings[0] = first
    validator.candidates_examined, validator.candidates_merged = 9, 4
    return result, first


def test_markdown_says_per_cause_its_examples_shrink_cost_and_merged_candidates() -> None:
    result, first = _with_cause_figures()
    text = render_markdown(result, render=render)
    section = text.split("## validator", 1)[1].split("\n## ", 1)[0]
    row = next(line for line in section.splitlines() if first.signature.id in line and "|" in line)
    assert row.endswith(f"| {first.status.value} | 7 | 123 | 2 | yes |")
    assert "9 examined, 4 turned out to be a known cause" in section
    assert "Causes:" not in text.split("## embed", 1)[1].split("\n## ", 1)[0]  # nothing found


def test_html_has_the_same_table_of_causes_and_infrastructure_errors_as_markdown() -> None:
    result, first = _with_cause_figures()
    page = render_html(result, render=render)
    section = page.split('<h2 id="s-validator">', 1)[1].split("<h2 ", 1)[0]
    row = re.search(rf'<tr><td><a href="#f-{first.signature.id}">.*?</tr>', section)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row.group(0))
    assert cells[-5:] == [first.status.value, "7", "123", "2", "yes"]
    assert f'id="f-{first.signature.id}"' in section  # the link lands on its card
    assert "9 examined, 4 turned out to be a known cause" in section
    assert "causes" not in page.split('<h2 id="s-embed">', 1)[1].split("<h2 ", 1)[0]
    materializer = page.split('<h2 id="s-materializer">', 1)[1]
    assert "Infrastructure errors (first 1)" in materializer
    assert "go at <code>argv &lt;x&gt;</code>: unreachable: no such file" in materializer
    assert _forbidden_controls(page) == []  # the NUL of the error text is not copied raw

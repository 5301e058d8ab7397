"""JUnit XML for CI: a testsuite per surface, a testcase per finding.

New and known findings are failures (with the diff and the reproduction in the
body), known gaps are skipped with their reason, and each surface has one
summary testcase for its examples (an error when the surface stopped early
because a runtime was unreachable). XML 1.0 cannot hold most C0 controls even
as character references, so every text goes through :func:`xml_safe`, which
shows them as visible ``\\xNN`` escapes.

With ``gate=`` (the ``ci`` command) a ``difffuzz.gate`` testsuite is added, one
testcase per replayed fixture (:func:`gate_suite`, built on the gate's words in
:mod:`difffuzz._reporting.gate`); ``result`` may then be ``None`` when CI only
replayed the corpus.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from difffuzz._ci import CIOutcome, CIResult, GateStatus
from difffuzz._reporting.diffview import diff_text, escape_text
from difffuzz._reporting.finding import FindingView, describe_input, view_finding
from difffuzz._reporting.fixtures import replay_command
from difffuzz._reporting.gate import STATUS_WORDS, config_path, gate_detail
from difffuzz._reporting.json_report import write_text_atomic
from difffuzz._reporting.markdown import headline
from difffuzz._reporting.replay import fixture_location, observation_diff
from difffuzz._repro import RequestRenderer
from difffuzz._results import CampaignResult, Finding, FindingStatus, SurfaceResult

__all__ = ["finding_text", "gate_suite", "render_junit", "write_junit", "xml_safe"]

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """Text that XML 1.0 can carry: forbidden characters become ``\\xNN`` / ``\\uXXXX``.

    >>> xml_safe("a\\x00b\\x1b[31m\\ufffe")
    'a\\\\x00b\\\\x1b[31m\\\\ufffe'
    """
    return _NOT_XML.sub(lambda m: escape_text(m.group()), escape_text(text, keep_newlines=True))


def finding_text(view: FindingView) -> str:
    """The plain-text body of a finding: facts, input, diff and reproduction."""
    lines = [
        f"{view.surface}: {view.label} [{view.signature_id}]",
        f"category: {view.category}; status: {view.status}",
        *view.notes,
        f"minimal input ({view.input_type}):",
        view.input_text,
        "",
        diff_text(view.diff, width=120),
        "",
    ]
    if view.fixture:
        lines.append(f"fixture: {view.fixture}")
    if view.reproductions or view.replay:
        lines.append("reproduce (bash):")
        lines += [f"# {r.runtime}\n{r.command}" for r in view.reproductions]
        lines += [view.replay] if view.replay else []
    lines.append(view.example)
    return "\n".join(lines)


def _summary_text(surface: SurfaceResult) -> str:
    spec = surface.compare_spec
    lines = [
        headline(surface),
        f"rule: {spec.rule}",
        "ignored paths: " + (", ".join(spec.ignore) or "none"),
    ]
    if spec.select_left or spec.select_right:
        lines.append(
            f"compared: {spec.select_left or '/'} (left) with {spec.select_right or '/'} (right)"
        )
    if surface.learned_noise:
        lines.append("learned noise: " + ", ".join(surface.learned_noise))
    for event in surface.infra_events[:5]:
        lines.append(f"infra: {event.runtime} at {event.target}: {event.failure}: {event.detail}")
    return "\n".join(lines)


def _fails(finding: Finding, *, gated: bool) -> bool:
    """Known gaps never fail; under the CI gate, neither do findings the corpus holds."""
    if finding.status is FindingStatus.KNOWN_GAP:
        return False
    return not (gated and finding.status is FindingStatus.KNOWN)


def _suite(
    surface: SurfaceResult, render: RequestRenderer | None, *, gated: bool = False
) -> ET.Element:
    name = xml_safe(surface.surface)
    failures = sum(_fails(f, gated=gated) for f in surface.findings)
    skipped = len(surface.findings) - failures
    suite = ET.Element(
        "testsuite",
        name=f"difffuzz.{name}",
        tests=str(len(surface.findings) + 1),
        failures=str(failures),
        errors="1" if surface.aborted else "0",
        skipped=str(skipped),
        time=f"{surface.stats.elapsed:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    for key, value in (
        ("runtimes", " vs ".join(surface.runtimes)),
        ("rule", surface.compare_spec.rule),
    ):
        ET.SubElement(properties, "property", name=key, value=xml_safe(value))
    summary = ET.SubElement(
        suite,
        "testcase",
        classname=f"difffuzz.{name}",
        name="examples",
        time=f"{surface.stats.elapsed:.3f}",
    )
    if surface.aborted:
        ET.SubElement(
            summary, "error", message=xml_safe(surface.aborted), type="runtime_unreachable"
        )
    ET.SubElement(summary, "system-out").text = xml_safe(_summary_text(surface))
    for finding in surface.findings:
        view = view_finding(finding, render)
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"difffuzz.{name}",
            name=xml_safe(f"{view.signature_id} {view.label}"),
            time="0",
        )
        if not _fails(finding, gated=gated):
            if finding.status is FindingStatus.KNOWN_GAP:
                reason = f"known gap: {finding.gap_reason or 'no reason given'}"
            else:
                reason = f"already in the corpus ({finding.fixture_path}): gated by its fixture"
            ET.SubElement(case, "skipped", message=xml_safe(reason))
            ET.SubElement(case, "system-out").text = xml_safe(finding_text(view))
        else:
            failure = ET.SubElement(
                case,
                "failure",
                message=xml_safe(view.label),
                type=f"divergence.{finding.status.value}",
            )
            failure.text = xml_safe(finding_text(view))
    return suite


def render_junit(
    result: CampaignResult | None,
    *,
    render: RequestRenderer | None = None,
    gate: CIResult | None = None,
) -> str:
    """The campaign (and the CI gate, if given) as a JUnit XML document with an XML declaration."""
    surfaces = result.surfaces if result is not None else []
    suites = [_suite(surface, render, gated=gate is not None) for surface in surfaces]
    if gate is not None:
        suites.insert(0, gate_suite(gate))
    root = ET.Element(
        "testsuites",
        name="difffuzz",
        tests=str(sum(int(s.get("tests", "0")) for s in suites)),
        failures=str(sum(int(s.get("failures", "0")) for s in suites)),
        errors=str(sum(int(s.get("errors", "0")) for s in suites)),
        skipped=str(sum(int(s.get("skipped", "0")) for s in suites)),
        time=f"{sum(s.stats.elapsed for s in surfaces):.3f}",
    )
    root.extend(suites)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(
    result: CampaignResult | None,
    path: str | os.PathLike[str],
    *,
    render: RequestRenderer | None = None,
    gate: CIResult | None = None,
) -> Path:
    """Write :func:`render_junit` to ``path`` atomically; returns the path."""
    return write_text_atomic(path, render_junit(result, render=render, gate=gate))


# -- the CI gate ----------------------------------------------------------------------


def _outcome_text(outcome: CIOutcome, config: str | None) -> str:
    case, fixture = outcome.case, outcome.case.fixture
    input_type, input_text = describe_input(fixture.input)
    lines = [
        f"{escape_text(fixture.surface)}: {escape_text(fixture.signature.label)} "
        f"[{fixture.signature.id}]",
        f"gate: {outcome.status.value}; {gate_detail(outcome)}",
        f"fixture: {fixture_location(fixture)}",
        f"input ({input_type}):",
        input_text,
    ]
    view = observation_diff(case)
    if view is not None:
        lines += ["", "new observation:", diff_text(view, width=120)]
    lines += ["", f"replay: {replay_command(fixture, config)}"]
    return "\n".join(lines)


def gate_suite(result: CIResult) -> ET.Element:
    """A JUnit ``testsuite`` named ``difffuzz.gate``: one testcase per replayed fixture.

    Regression and changed are failures; a known gap that closed is a failure
    too (strict xfail, as in the pytest plugin: the entry must go); open,
    known-gap, flaky, not-configured and both-failing fixtures are skipped with
    their reason; an unreachable runtime is an error; a fixed fixture passes.
    Each corpus file that could not be read is one more error testcase.
    """
    config = config_path(result)
    suite = ET.Element("testsuite", name="difffuzz.gate")
    failures = errors = skipped = 0
    for outcome in result.gate:
        fixture, status = outcome.case.fixture, outcome.status
        case = ET.SubElement(
            suite,
            "testcase",
            classname=xml_safe(f"difffuzz.gate.{fixture.surface}"),
            name=xml_safe(f"{fixture.surface}/{fixture.signature.id}"),
            time="0",
        )
        text = xml_safe(_outcome_text(outcome, config))
        if status.fails or status is GateStatus.GAP_CLOSED:
            failures += 1
            message = (
                "known gap closed: remove the known_gaps entry"
                if status is GateStatus.GAP_CLOSED
                else f"{STATUS_WORDS[status][0]}: {gate_detail(outcome)}"
            )
            element = ET.SubElement(
                case, "failure", message=xml_safe(message), type=f"gate.{status.value}"
            )
            element.text = text
        elif status is GateStatus.UNREACHABLE:
            errors += 1
            element = ET.SubElement(
                case, "error", message=xml_safe(gate_detail(outcome)), type="runtime_unreachable"
            )
            element.text = text
        elif status is GateStatus.OK_FIXED:
            ET.SubElement(case, "system-out").text = text
        else:
            skipped += 1
            reason = f"{STATUS_WORDS[status][0]}: {gate_detail(outcome)}"
            ET.SubElement(case, "skipped", message=xml_safe(reason))
            ET.SubElement(case, "system-out").text = text
    for problem in result.replay.problems:
        errors += 1
        case = ET.SubElement(
            suite,
            "testcase",
            classname="difffuzz.gate.corpus",
            name=xml_safe(f"corpus/{problem.path.name}"),
            time="0",
        )
        ET.SubElement(case, "error", message=xml_safe(str(problem)), type="corpus_problem")
    suite.set("tests", str(len(result.gate) + len(result.replay.problems)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", str(skipped))
    suite.set("time", "0.000")
    return suite

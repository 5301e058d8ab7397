"""JUnit XML for CI: a testsuite per surface, a testcase per finding.

New and known findings are failures (with the diff and the reproduction in the
body), known gaps are skipped with their reason, and each surface has one
summary testcase for its examples (an error when the surface stopped early
because a runtime was unreachable). XML 1.0 cannot hold most C0 controls even
as character references, so every text goes through :func:`xml_safe`, which
shows them as visible ``\\xNN`` escapes.

With ``gate=`` (the ``ci`` command) a ``difffuzz.gate`` testsuite is added, one
testcase per replayed fixture (see :func:`difffuzz._reporting.gate.gate_suite`);
``result`` may then be ``None`` when CI only replayed the corpus.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

from difffuzz._reporting.diffview import diff_text, escape_text
from difffuzz._reporting.finding import FindingView, view_finding
from difffuzz._reporting.json_report import write_text_atomic
from difffuzz._reporting.markdown import headline
from difffuzz._repro import RequestRenderer
from difffuzz._results import CampaignResult, Finding, FindingStatus, SurfaceResult

if TYPE_CHECKING:
    from difffuzz._ci import CIResult

__all__ = ["finding_text", "render_junit", "write_junit", "xml_safe"]

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
        # Imported here: gate.py builds on this module (xml_safe), not the other way round.
        from difffuzz._reporting.gate import gate_suite

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

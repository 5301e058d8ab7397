"""Mutation testing of difffuzz's core with mutmut: the score per module.

A line of code that can be changed without any test failing is a line the suite
does not check. mutmut (PyPI, 3.x) rewrites each function of a module into
many *mutants* (``<`` for ``<=``, ``0`` for ``1``, ``None`` for a value, a call
dropped) and runs the tests that call that function against each; a mutant no
test kills is a *survivor*. The target is >= 85% killed on every core module.

Each module is run on its own, in a scratch copy of this checkout (nothing is
written here), against only the test files that exercise it (``MODULES``), with
the CI profile (``CI=1``: derandomised Hypothesis, no example database), so a
score is reproducible and a module finishes in minutes. mutmut itself then runs,
for each mutant, only the tests that call the mutated function. Mutmut rewrites
code inside functions only: module constants (``ROUND_SIZE``, ``EXPLORE_SHARE``)
are pinned by dedicated tests instead (``tests/test_engine_budgets.py``). Mutants
run in processes forked after the tests ran once (mutmut's default, eight times
faster here than its fork server), so a module-level cache filled by that run
hides its mutants from every test that reuses a key: ``exception_for``'s unit
test uses fresh keys for that reason.

Run it (slow: several minutes per module on two busy cores; not part of CI)::

    pip install -e '.[test]' -e ./samples mutmut==3.8.1
    python benchmarks/mutation.py                       # every core module
    python benchmarks/mutation.py _engine/budget.py     # one module
    python benchmarks/mutation.py --survivors _judge.py # and the diff of each survivor
    python benchmarks/mutation.py --rev main            # the baseline: main's code and tests

It prints one line per module: mutants, killed, survived, no tests, timeouts and
the score (killed + timeouts over all mutants that ran). ``--keep`` leaves the
scratch copies (``mutmut results`` / ``mutmut show NAME`` work inside them).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Engine tests: in-process planted runtimes, no servers.
_ENGINE = [
    "tests/test_engine_parts.py",
    "tests/test_engine_health.py",
    "tests/test_engine_budgets.py",
    "tests/test_engine_faults.py",
    "tests/test_engine_identity.py",
    "tests/test_engine_quality.py",
    "tests/test_engine_statistics.py",
    "tests/test_engine_origins_confirm.py",
    "tests/test_engine_confirm.py",
    "tests/test_engine_causes.py",
    "tests/test_engine_findings.py",
    "tests/test_engine_noise.py",
    "tests/test_gap_tally.py",
]
_COMPARATORS = [
    "tests/test_comparators_json.py",
    "tests/test_comparators_http.py",
    "tests/test_comparators_ranked.py",
    "tests/test_comparators_vectors.py",
]

#: Core module (under difffuzz/) -> the test files run against its mutants.
MODULES: dict[str, list[str]] = {
    "_engine/budget.py": ["tests/test_engine_parts.py", "tests/test_engine_budgets.py"],
    "_engine/health.py": ["tests/test_engine_health.py", "tests/test_engine_parts.py"],
    "_engine/divergence.py": ["tests/test_engine_parts.py"],
    "_engine/classify.py": ["tests/test_engine_parts.py"],
    "_engine/settings.py": ["tests/test_engine_budgets.py"],
    "_engine/noise.py": [
        "tests/test_engine_noise.py",
        "tests/test_engine_statistics.py",
        "tests/test_engine_quality.py",
    ],
    # The shrink phase's re-run of a failure must count as shrinking, or it is one more
    # explored example: test_engine_phase.py shows it (the identity tests did not).
    "_engine/phase.py": [
        "tests/test_engine_phase.py",
        "tests/test_engine_parts.py",
        "tests/test_engine_identity.py",
    ],
    "_engine/causes.py": [
        "tests/test_engine_causes.py",
        "tests/test_engine_identity.py",
        "tests/test_engine_quality.py",
        "tests/test_engine_statistics.py",
    ],
    "_engine/candidates.py": [
        "tests/test_engine_candidates.py",
        "tests/test_engine_origins_confirm.py",
        "tests/test_engine_causes.py",
    ],
    "_engine/gaps.py": ["tests/test_gap_tally.py", "tests/test_engine_parts.py"],
    "_engine/origins.py": _ENGINE,
    "_engine/reduction.py": [
        "tests/test_engine_origins_confirm.py",
        "tests/test_engine_identity.py",
    ],
    "_engine/resolve.py": _ENGINE,
    "_engine/confirm.py": [
        "tests/test_engine_confirm.py",
        "tests/test_engine_origins_confirm.py",
        "tests/test_engine_faults.py",
    ],
    "_engine/answers.py": ["tests/test_engine_answers.py"],
    "_engine/findings.py": _ENGINE,
    "_engine/surface.py": _ENGINE,
    "_engine/campaign.py": _ENGINE,
    "_judge.py": [
        "tests/test_judge.py",
        "tests/test_judge_normalize.py",
        "tests/test_judge_observation.py",
    ],
    # The last value-level shrink (polish) and the candidates' reductions: unit-tested
    # on their own, and run by the identity tests through resolve and candidates.
    "_polish.py": [
        "tests/test_polish.py",
        "tests/test_engine_candidates.py",
        "tests/test_engine_causes.py",
    ],
    "_signature.py": ["tests/test_signature.py", "tests/test_signature_format.py"],
    "_bucket.py": ["tests/test_bucket.py", "tests/test_judge.py"],
    "_corpus.py": [
        "tests/test_corpus.py",
        "tests/test_corpus_durability.py",
        "tests/test_corpus_normalize.py",
    ],
    # The fixture record, split out of _corpus.py (h/tidy4): read and written by the store.
    "_fixture.py": [
        "tests/test_corpus.py",
        "tests/test_corpus_durability.py",
        "tests/test_corpus_normalize.py",
    ],
    # base.py holds the records' serialisation (to_json/from_json, excerpts), checked
    # whole by test_comparators_records.py; the corpus and the reports read them too.
    "_comparators/base.py": [
        "tests/test_comparators_records.py",
        "tests/test_corpus.py",
        "tests/test_corpus_durability.py",
        "tests/test_corpus_normalize.py",
        "tests/test_reporting.py",
        "tests/test_registry.py",
    ],
    "_comparators/http.py": ["tests/test_comparators_http.py"],
    "_comparators/json_rules.py": [
        *_COMPARATORS,
        "tests/test_comparators_details.py",
        "tests/test_comparators_spelling.py",
    ],
    "_comparators/numeric.py": ["tests/test_comparators_json.py", "tests/test_signature_format.py"],
    "_comparators/params.py": _COMPARATORS,
    "_comparators/ranked.py": ["tests/test_comparators_ranked.py"],
    "_comparators/spelling.py": ["tests/test_comparators_spelling.py"],
    # The walk behind the json rule: the http, spelling and details tests reach it too.
    "_comparators/structure.py": [
        "tests/test_comparators_structure.py",
        *_COMPARATORS,
        "tests/test_comparators_details.py",
        "tests/test_comparators_spelling.py",
    ],
    "_comparators/vectors.py": ["tests/test_comparators_vectors.py"],
}


@dataclass
class Score:
    """One module's mutants by mutmut's verdict (``mutmut.stats.status_by_exit_code``)."""

    module: str
    counts: Counter[str]
    seconds: float
    survivors: list[str]

    @property
    def mutants(self) -> int:
        return sum(self.counts.values())

    @property
    def score(self) -> float:
        """Killed (or timed out) over every mutant that was run or had no test: a
        function no test calls is not tested, so "no tests" counts against."""
        ran = self.mutants - self.counts["skipped"] - self.counts["not checked"]
        caught = self.counts["killed"] + self.counts["timeout"]
        return 100.0 * caught / ran if ran else 0.0

    def line(self) -> str:
        c = self.counts
        return (
            f"{self.module:26} {self.mutants:7} {c['killed']:7} {c['survived']:8} "
            f"{c['no tests']:8} {c['timeout']:8} {self.score:6.1f}% {self.seconds:7.0f}s"
        )


HEADER = (
    f"{'module':26} {'mutants':>7} {'killed':>7} {'survived':>8} {'no tests':>8} "
    f"{'timeouts':>8} {'score':>7} {'time':>8}"
)


def _scratch_copy(module: str, tests: Sequence[str], into: Path, rev: str | None) -> None:
    """This checkout's files (working copies, or those of commit ``rev``), plus mutmut's config."""
    if rev is not None:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", rev], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    else:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        for name in listed:
            source = ROOT / name
            if source.is_file():
                target = into / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
    present = [test for test in tests if (into / test).is_file()]
    if not present:
        # An older checkout (--rev) without this module's own tests: the engine's.
        present = [test for test in _ENGINE if (into / test).is_file()]
        print(f"  ({module}: none of {list(tests)} here; using {present})", flush=True)
    config = (
        "\n[tool.mutmut]\n"
        'source_paths = ["difffuzz"]\n'
        # Tests read the repository's own corpus and example configs beside tests/.
        'also_copy = ["corpus", "examples", "strategies"]\n'
        f'only_mutate = ["difffuzz/{module}"]\n'
        f"pytest_add_cli_args_test_selection = {json.dumps(present)}\n"
        # -p no:cacheprovider: nothing written beside the copy; the CI profile is
        # chosen by the environment below.
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]\n'
    )
    with (into / "pyproject.toml").open("a", encoding="utf-8") as stream:
        stream.write(config)


def _read_results(scratch: Path, module: str, seconds: float) -> Score:
    from mutmut.stats import status_by_exit_code

    meta = scratch / "mutants" / "difffuzz" / f"{module}.meta"
    if not meta.is_file():
        raise SystemExit(f"mutation: mutmut wrote no results for {module} ({meta} is missing)")
    codes: dict[str, int | None] = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    counts: Counter[str] = Counter()
    survivors = []
    for name, code in sorted(codes.items()):
        status = status_by_exit_code[code]
        counts[status] += 1
        if status in ("survived", "no tests", "suspicious"):
            survivors.append(f"{name} ({status})")
    return Score(module, counts, seconds, survivors)


def run_module(module: str, *, children: int, keep: bool, show: bool, rev: str | None) -> Score:
    scratch = Path(tempfile.mkdtemp(prefix="difffuzz-mutation-"))
    try:
        _scratch_copy(module, MODULES[module], scratch, rev)
        environment = {**os.environ, "CI": "1", "PYTHONDONTWRITEBYTECODE": "1"}
        started = time.monotonic()
        run = subprocess.run(
            ["mutmut", "run", "--max-children", str(children)],
            cwd=scratch,
            env=environment,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )
        seconds = time.monotonic() - started
        if run.returncode != 0:
            tail = (run.stdout + run.stderr)[-3000:]
            raise SystemExit(
                f"mutation: mutmut failed on {module} (exit {run.returncode}):\n{tail}"
            )
        score = _read_results(scratch, module, seconds)
        if show:
            for survivor in score.survivors:
                name = survivor.split(" ", 1)[0]
                diff = subprocess.run(
                    ["mutmut", "show", name],
                    cwd=scratch,
                    env=environment,
                    capture_output=True,
                    text=True,
                ).stdout
                print(diff.rstrip(), flush=True)
        return score
    finally:
        if keep:
            print(f"  (scratch copy kept: {scratch})", flush=True)
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "modules", nargs="*", help=f"modules under difffuzz/ (default: {len(MODULES)})"
    )
    parser.add_argument("--children", type=int, default=1, help="mutants run at once (default 1)")
    parser.add_argument("--survivors", action="store_true", help="print each survivor's diff")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copies")
    parser.add_argument(
        "--rev", help="test this commit's code and tests (a baseline) instead of the working tree"
    )
    parser.add_argument("--json", type=Path, help="also write the scores to this file")
    options = parser.parse_args(argv)
    if shutil.which("mutmut") is None:
        parser.error("mutmut is not installed: pip install mutmut==3.8.1")
    if importlib.util.find_spec("lakehouse_samples") is None:
        # tests/conftest.py imports them: without them mutmut's first test run fails
        # with a bare "Failed to run pytest" and no word of why.
        parser.error("the tests need the sample runtimes: pip install -e ./samples")
    modules = [m.removeprefix("difffuzz/") for m in options.modules] or list(MODULES)
    unknown = [m for m in modules if m not in MODULES]
    if unknown:
        parser.error(f"not a core module: {', '.join(unknown)}; choose from {', '.join(MODULES)}")
    print(HEADER, flush=True)
    scores = []
    for module in modules:
        score = run_module(
            module,
            children=options.children,
            keep=options.keep,
            show=options.survivors,
            rev=options.rev,
        )
        scores.append(score)
        print(score.line(), flush=True)
    total = Score("all", sum((s.counts for s in scores), Counter()), 0.0, [])
    total.seconds = sum(s.seconds for s in scores)
    print(total.line())
    below = [s.module for s in scores if s.score < 85.0]
    print(f"below 85%: {', '.join(below) if below else 'none'}")
    if options.json:
        options.json.write_text(
            json.dumps(
                [
                    {
                        "module": s.module,
                        "counts": dict(s.counts),
                        "score": round(s.score, 1),
                        "seconds": round(s.seconds),
                        "survivors": s.survivors,
                    }
                    for s in scores
                ],
                indent=2,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

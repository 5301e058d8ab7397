"""CI: the committed corpus may not hold a fix that nobody recorded.

``difffuzz demo ci`` passes a fixture whose runtimes agree now: that is the
gate's rule for any project. This repository commits its corpus, so here a
fixture that turned "fixed" without ``fixed_at`` fails CI: without the date, the
gate cannot tell a later divergence (a regression) from one still open.

Usage (from the checkout, with difffuzz and the samples installed)::

    python .ci/fixes_recorded.py corpus
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import difffuzz
from difffuzz._ci import run_ci
from lakehouse_samples.demo import running_samples, write_sample_config


def main(corpus_dir: str) -> int:
    corpus = difffuzz.Corpus(Path(corpus_dir))
    with tempfile.TemporaryDirectory() as scratch, running_samples() as runtimes:
        config_path = write_sample_config(
            runtimes, Path(scratch), max_seconds=None, corpus=str(corpus.root.resolve())
        )
        config = difffuzz.load_config(config_path)
        result = run_ci(config, corpus=corpus, budget=1, seed=0, fuzz=False)
    unrecorded = result.unrecorded_fixes
    for outcome in unrecorded:
        print(f"ci: fixed but not recorded: {outcome.case.fixture.path}", file=sys.stderr)
    if unrecorded:
        print(
            f"ci: {len(unrecorded)} committed fixture(s) agree now but have no fixed_at; "
            "record the fix with `difffuzz demo serve` and then `difffuzz replay --update "
            "--config <the config it writes>`, and commit the updated fixtures",
            file=sys.stderr,
        )
        return 1
    print(f"ci: {len(result.gate)} committed fixtures, every fix recorded")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "corpus"))

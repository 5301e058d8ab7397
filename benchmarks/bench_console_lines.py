"""How much a run prints: lines of console output, compact (default) against -v.

Starts two small loopback JSON services that differ on one-character keys
(``tests/support/json_echo.py``), writes the ``difffuzz init http`` starter for
them (drawing with ``json_documents``), and runs ``difffuzz run`` with a fixed
seed, piped (as in CI), once as is and once with ``-v`` (every finding a full
panel, as every run printed before the compact blocks). Prints the line counts
and the findings each run reported.

    python benchmarks/bench_console_lines.py [--max-examples N] [--seed S]

The baseline, a checkout from before the compact output (which has no ``-v``:
it printed every finding in full), runs the same script with that checkout first
on ``PYTHONPATH``: ``PYTHONPATH=../old:../old/samples python benchmarks/...``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from difffuzz._init.starters import Starter, http_starter  # noqa: E402
from tests.support.json_echo import echo_json, echo_json_dropping_short_keys  # noqa: E402
from tests.support.loopback import LoopbackServer  # noqa: E402

DIFFFUZZ = Path(sys.executable).parent / "difffuzz"


def _run(folder: Path, *args: str) -> tuple[int, str]:
    done = subprocess.run(
        [str(DIFFFUZZ), "run", "--config", "difffuzz.toml", "--no-reports", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    with (
        LoopbackServer(echo_json) as left,
        LoopbackServer(echo_json_dropping_short_keys) as right,
        tempfile.TemporaryDirectory() as scratch,
    ):
        budget = ["--max-examples", str(options.max_examples), "--seed", str(options.seed)]
        print(f"{'mode':<10} {'exit':>4} {'lines':>6} {'new findings':>13}")
        for mode, extra in (("compact", []), ("-v", ["-v"])):
            folder = Path(scratch) / mode.strip("-")
            folder.mkdir()
            # The init http starter, drawing with json_documents: a strategy the
            # baseline (a checkout before this change, on PYTHONPATH) has too.
            text = http_starter(left.url, right.url, method="POST", starter=Starter())
            start = text.index("strategy = ")
            end = text.index("transport = ", start)
            text = text[:start] + 'strategy = "json_documents"\n' + text[end:]
            (folder / "difffuzz.toml").write_text(text, encoding="utf-8")
            code, output = _run(folder, *budget, *extra)
            lines = output.splitlines()
            if code == 2 and mode == "-v":
                print(f"{mode:<10} (no -v in this checkout: it prints every finding in full)")
                continue
            if code == 2:
                raise SystemExit(f"difffuzz run failed:\n{output}")
            new = sum(1 for line in lines if line.startswith("new api ")) or sum(
                1 for line in lines if "status new" in line
            )
            print(f"{mode:<10} {code:>4} {len(lines):>6} {new:>13}")


if __name__ == "__main__":
    main()

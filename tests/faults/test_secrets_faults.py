"""Secrets in the config of a real campaign: none reaches the console or a report.

The HTTP runtimes echo the ``Authorization`` header into their answers, the way
an error page sometimes does; the helpers get a token in their ``env``. The
planted bug gives a finding on each surface, so every report shows bodies and
reproduction commands. The reproduction, run with the variables it names set,
still sends the real header.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.faults.scenarios import FaultServer, helper_argv, run_cli

pytestmark = pytest.mark.faults

CLEAR = "Bearer clear-text-token-8c1f"
REFERENCED = "ref-token-77d2e9"
HELPER_KEY = "helper-key-5b3a0c"


def _config(faulty: str, correct: str) -> str:
    echo = ["--echo-header", "authorization"]
    return f"""\
[campaign]
max_examples = 40
seed = 1
learn_noise = 0

[runtimes.faulty]
base_url = "{faulty}"
env = {{ LAKEHOUSE_KEY = "{HELPER_KEY}" }}
secret = ["LAKEHOUSE_KEY"]

[runtimes.correct]
base_url = "{correct}"

[surfaces.length]
strategy = "unicode_text"
path = "/v1/length"
template = {{ text = "$input" }}
headers = {{ authorization = "{CLEAR}", x-lakehouse-token = "${{FAULT_TOKEN}}" }}

[surfaces.length_cli]
strategy = "unicode_text"
transport = "command"
max_examples = 10
[surfaces.length_cli.runtimes.faulty]
argv = {helper_argv("--plant", *echo)!r}
[surfaces.length_cli.runtimes.correct]
argv = {helper_argv(*echo)!r}
""".replace("'", '"')


def _reproduction(output: str, surface: str) -> str:
    """The faulty runtime's reproduction command of the first finding on ``surface``."""
    start = output.index("difffuzz replay --config")  # the first finding's block ends here
    block = output[output.rindex("reproduce (bash):", 0, start) : start]
    assert f"/{surface}/" in output[start : output.index("\n", start)]
    lines = block.splitlines()[1:]
    return "\n".join(lines[1 : lines.index("# correct")])


def test_no_secret_reaches_the_console_or_a_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAULT_TOKEN", REFERENCED)
    echo = ("--echo-header", "authorization")
    with FaultServer("--plant", *echo) as faulty, FaultServer(*echo) as correct:
        config = tmp_path / "difffuzz.toml"
        config.write_text(_config(faulty.url, correct.url), encoding="utf-8")
        # -v: the full finding panels, reproduction commands included (the compact
        # default output shows none).
        run = run_cli(["run", "-v", "--config", str(config)])
        assert run.exit_code == 1, run.output[-3000:]
        reports = sorted((tmp_path / "reports").iterdir())
        assert {p.suffix for p in reports} == {".json", ".md", ".html", ".xml"}
        for secret in (CLEAR, REFERENCED, HELPER_KEY, "clear-text-token-8c1f"):
            assert secret not in run.output
            for report in reports:
                assert secret not in report.read_text(encoding="utf-8"), report.name
        # Where the runtime echoed it, the report says which secret it was.
        (markdown,) = [p for p in reports if p.suffix == ".md"]
        assert "[redacted $DIFFFUZZ_FAULTY_AUTHORIZATION]" in markdown.read_text(encoding="utf-8")
        assert '--header "authorization: $DIFFFUZZ_FAULTY_AUTHORIZATION"' in run.output
        assert '--header "x-lakehouse-token: $FAULT_TOKEN"' in run.output
        assert 'LAKEHOUSE_KEY="$DIFFFUZZ_FAULTY_LAKEHOUSE_KEY"' in run.output

        if shutil.which("curl") is None:
            pytest.skip("curl is not installed: the reproduction cannot be run")
        command = _reproduction(run.output, "length")
        sent = subprocess.run(
            ["bash", "-c", command],
            capture_output=True,
            env={**os.environ, "DIFFFUZZ_FAULTY_AUTHORIZATION": CLEAR},
            timeout=30,
            check=True,
        )
    # The runtime echoes the header it received: the real one, read from the variable.
    assert f'"header": "{CLEAR}"' in sent.stdout.decode()

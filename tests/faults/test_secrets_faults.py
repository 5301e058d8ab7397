"""Secrets in the config of a real campaign: none reaches the console or a report.

The HTTP runtimes echo the ``Authorization`` header into their answers, the way
an error page sometimes does; the helpers get a token in their ``env``. The
planted bug gives a finding on each surface, so every report shows bodies and
reproduction commands. The reproduction, run with the variables it names set,
still sends the real header.
"""

from __future__ import annotations

import json
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


# -- the corpus ------------------------------------------------------------------


def _corpus_config(faulty: str, correct: str, authorization: str) -> str:
    """Both runtimes get the same credentials; the faulty side has the planted bug.

    The HTTP runtimes echo the ``Authorization`` header, the helpers their
    token (in the answer and on stderr); a normalize step makes each HTTP fixture
    store normalised answers too.
    """
    return f"""\
[campaign]
max_examples = 40
seed = 1
learn_noise = 0

[runtimes.faulty]
base_url = "{faulty}"

[runtimes.correct]
base_url = "{correct}"

[surfaces.length]
strategy = "unicode_text"
path = "/v1/length"
template = {{ text = "$input" }}
headers = {{ authorization = "{authorization}" }}
normalize = [{{ step = "rename_keys", map = {{ chars = "characters" }} }}]

[surfaces.length_cli]
strategy = "unicode_text"
transport = "command"
max_examples = 10
env = {{ LAKEHOUSE_KEY = "{HELPER_KEY}" }}
secret = ["LAKEHOUSE_KEY"]
[surfaces.length_cli.runtimes.faulty]
argv = {helper_argv("--plant", "--echo-env", "LAKEHOUSE_KEY")!r}
[surfaces.length_cli.runtimes.correct]
argv = {helper_argv("--echo-env", "LAKEHOUSE_KEY")!r}
""".replace("'", '"')


@pytest.mark.parametrize(
    ("authorization", "mark"),
    [
        (CLEAR, "[redacted $DIFFFUZZ_FAULTY_AUTHORIZATION]"),
        ("Bearer ${FAULT_TOKEN}", "Bearer [redacted $FAULT_TOKEN]"),
    ],
    ids=["written in clear", "from ${ENV}"],
)
def test_a_secret_a_runtime_echoes_never_reaches_a_fixture_and_replay_still_judges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, authorization: str, mark: str
) -> None:
    monkeypatch.setenv("FAULT_TOKEN", REFERENCED)
    monkeypatch.chdir(tmp_path)
    echo = ("--echo-header", "authorization")
    secrets = (CLEAR.split()[1], REFERENCED, HELPER_KEY)
    config = tmp_path / "difffuzz.toml"
    with FaultServer("--plant", *echo) as faulty, FaultServer(*echo) as correct:
        config.write_text(_corpus_config(faulty.url, correct.url, authorization), "utf-8")
        run = run_cli(["run", "--config", str(config)])
        assert run.exit_code == 1, run.output[-3000:]
        files = sorted((tmp_path / "corpus").rglob("*.json"))
        assert {p.parent.name for p in files} == {"length", "length_cli"}, files
        for path in files:
            text = path.read_text(encoding="utf-8")
            for secret in secrets:
                assert secret not in text, path
        # Where the runtimes echoed them, the fixtures name the secret instead:
        # in both answers, raw and normalised, and in the helper's stderr.
        fixtures = {p.parent.name: json.loads(p.read_text(encoding="utf-8")) for p in files}
        http = fixtures["length"]
        for side in ("faulty", "correct"):
            assert json.loads(http["outcomes"][side]["body"])["header"] == mark
            assert http["normalized"][side]["header"] == mark
        helper = fixtures["length_cli"]["outcomes"]["faulty"]
        assert json.loads(helper["body"])["env"] == "[redacted $DIFFFUZZ_FAULTY_LAKEHOUSE_KEY]"
        assert helper["stderr"] == "using LAKEHOUSE_KEY=[redacted $DIFFFUZZ_FAULTY_LAKEHOUSE_KEY]\n"

        # The live answers are redacted the same way before they are set beside the
        # stored ones: a second run knows every finding, a replay finds them as saved.
        again = run_cli(["run", "--config", str(config)])
        assert again.exit_code == 0, again.output[-3000:]
        assert sorted((tmp_path / "corpus").rglob("*.json")) == files
        replay = run_cli(["replay", "--config", str(config), "--report-json", "replay.json"])
        assert replay.exit_code == 1, replay.output[-3000:]
        cases = json.loads((tmp_path / "replay.json").read_text(encoding="utf-8"))["cases"]
        assert {c["verdict"] for c in cases} == {"still_divergent"}
        for output in (again.output, replay.output):
            for secret in secrets:
                assert secret not in output

    # The faulty runtime now fails with a 500: which side's answer changed is told
    # by comparing each live answer with its stored one, secrets included.
    with FaultServer("--fault", "error500", *echo) as faulty, FaultServer(*echo) as correct:
        config.write_text(_corpus_config(faulty.url, correct.url, authorization), "utf-8")
        path = next(p for p in files if p.parent.name == "length")
        changed = run_cli(["replay", "--config", str(config), str(path), "--report-json", "r.json"])
    (case,) = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["cases"]
    assert case["verdict"] == "diverges_differently", changed.output[-3000:]
    assert case["detail"].endswith("(answer changed on faulty)"), case["detail"]

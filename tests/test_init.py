"""``difffuzz init http|command|python|openapi``: each writes a config that runs as is.

Every starter is written by the real command into a fresh folder and run with
``difffuzz run`` from that folder *without* ``--config`` (the config is found
there), against real runtimes the test starts: two loopback HTTP servers, two
helper processes, two Python functions, and an OpenAPI service. Each pair
differs in one planted way, which the run must find (exit 1, a fixture saved);
the same program on both sides must give exit 0.
"""

from __future__ import annotations

import json
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from difffuzz import Corpus, load_config
from difffuzz._cli import cli
from difffuzz._discovery import find_config
from difffuzz._exceptions import ConfigError
from difffuzz._init.openapi import openapi_operations
from difffuzz._init.toml_text import toml_value
from difffuzz._registry import STRATEGIES
from tests.support.json_echo import echo_json, echo_json_dropping_short_keys, json_reply
from tests.support.loopback import LoopbackServer, RecordedRequest, Reply

EXAMPLES = "25"


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


@pytest.fixture
def servers() -> Iterator[tuple[LoopbackServer, LoopbackServer, LoopbackServer]]:
    """Two faithful echo servers and one that drops one-character keys."""
    with (
        LoopbackServer(echo_json) as left,
        LoopbackServer(echo_json) as twin,
        LoopbackServer(echo_json_dropping_short_keys) as right,
    ):
        yield left, twin, right


def saved(folder: Path) -> list[Any]:
    fixtures, problems = Corpus(folder / "corpus").load()
    assert not problems
    return fixtures


def test_init_http_runs_as_written(
    servers: tuple[LoopbackServer, LoopbackServer, LoopbackServer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    left, _twin, right = servers
    monkeypatch.chdir(tmp_path)
    result = invoke("init", "http", "--left", f"{left.url}/echo", "--right", f"{right.url}/echo")
    assert result.exit_code == 0, result.output
    assert "next: difffuzz run" in result.output
    config = load_config(tmp_path / "difffuzz.toml")
    assert config.runtime_names == ("left", "right")

    run = invoke("run", "--max-examples", EXAMPLES, "--seed", "1", "--no-reports")
    assert run.exit_code == 1, run.output
    # The budget is exact, and the log says so.
    assert f"api: done, {EXAMPLES}/{EXAMPLES} examples" in run.output
    (fixture,) = [f for f in saved(tmp_path) if f.surface == "api"][:1]
    assert isinstance(fixture.input, dict)
    assert any(len(key) == 1 for key in fixture.input)
    assert {r.path for r in right.requests} >= {"/echo", "/health"}


def test_init_http_between_twins_finds_nothing(
    servers: tuple[LoopbackServer, LoopbackServer, LoopbackServer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    left, twin, _ = servers
    monkeypatch.chdir(tmp_path)
    args = ("init", "http", "--left", left.url, "--right", twin.url, "--names", "old,new")
    assert invoke(*args).exit_code == 0
    run = invoke("run", "--max-examples", EXAMPLES, "--seed", "1", "--no-reports", "-q")
    assert run.exit_code == 0, run.output
    assert saved(tmp_path) == []


def test_init_command_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Two small programs (fast to start): one copies its input, one keeps 3 bytes of it.
    monkeypatch.chdir(tmp_path)
    result = invoke("init", "command", "--left", "cat", "--right", "head -c 3")
    assert result.exit_code == 0, result.output
    config = load_config(tmp_path / "difffuzz.toml")
    assert config.surfaces["cli"].requests["right"].argv == ("head", "-c", "3")
    run = invoke("run", "--max-examples", "15", "--seed", "2", "--no-reports")
    assert run.exit_code == 1, run.output
    (fixture, *_) = saved(tmp_path)
    assert len(fixture.input.encode("utf-8")) > 3


def test_init_python_imports_from_the_configs_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The module lives beside the config; the run starts from another folder, and
    # the module's folder is on no path: the config's folder is searched first.
    project = tmp_path / "project"
    project.mkdir()
    module = f"parsers_{uuid.uuid4().hex[:8]}"
    (project / f"{module}.py").write_text(
        "def strict(text):\n    return text.strip()\n\n"
        "def lenient(text):\n    return text.strip(' ')\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    output = project / "difffuzz.toml"
    result = invoke(
        "init", "python", "--left", f"{module}:strict", "--right", f"{module}:lenient",
        "-o", output,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    run = invoke("run", "--config", output, "--max-examples", EXAMPLES, "--seed", "3", "-q")
    assert run.exit_code == 1, run.output
    (fixture, *_) = saved(project)
    assert fixture.input.strip() != fixture.input.strip(" ")


def test_strategy_modules_are_found_beside_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    module = f"shouts_{uuid.uuid4().hex[:8]}"
    (project / f"{module}.py").write_text(
        "from hypothesis import strategies as st\n"
        "import difffuzz\n\n"
        f"@difffuzz.strategy('{module}')\n"
        "def shouts():\n"
        "    return st.text(alphabet='ABC', min_size=1, max_size=4)\n",
        encoding="utf-8",
    )
    output = project / "difffuzz.toml"
    written = invoke(
        "init", "python", "--left", "builtins:str", "--right", "builtins:str", "-o", output, "-q"
    )
    assert written.exit_code == 0, written.output
    text = output.read_text(encoding="utf-8").replace('strategy = "text"', f'strategy = "{module}"')
    output.write_text(f'strategy_modules = ["{module}"]\n' + text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # not the config's folder, and not on sys.path
    run = invoke("run", "--config", output, "--max-examples", "10", "--no-reports", "-q")
    assert run.exit_code == 0, run.output
    assert module in STRATEGIES  # imported from the config's folder, and used
    assert STRATEGIES.origin(module) == f"{module}.shouts"


SPEC = """\
openapi: 3.0.3
info: {title: Inventory, version: "1"}
servers: [{url: /api}]
paths:
  /items:
    post:
      operationId: createItem
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/NewItem'}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Item'}
        "422":
          description: refused
          content:
            application/json:
              schema: {type: object, properties: {error: {type: string}}}
  /items/{id}:
    get:
      operationId: getItem
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer, example: 7}}
      responses:
        "200": {description: the item}
components:
  schemas:
    NewItem:
      type: object
      required: [name, count]
      additionalProperties: false
      properties:
        name: {type: string, minLength: 1, maxLength: 20}
        count: {type: integer, minimum: 1, maximum: 100}
    Item:
      allOf:
        - $ref: '#/components/schemas/NewItem'
        - type: object
          properties:
            id: {type: string, format: uuid, readOnly: true}
"""


def inventory(strict: bool) -> Any:
    """The spec's service: 201 with a fresh id, or 422. The lenient one accepts any count."""

    def handle(request: RecordedRequest) -> Reply:
        if request.path == "/health":
            return json_reply(200, {"ok": True})
        if request.path != "/api/items" or request.method != "POST":
            return json_reply(404, {"error": "no route"})
        try:
            item = json.loads(request.body)
        except (ValueError, RecursionError):  # the wire layer sends deep and broken JSON
            return json_reply(400, {"error": "not JSON"})
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            return json_reply(422, {"error": "name"})
        count = item.get("count")
        if not isinstance(count, int) or isinstance(count, bool):
            return json_reply(422, {"error": "count"})
        if strict and not 1 <= count <= 100:
            return json_reply(422, {"error": "count out of range"})
        return json_reply(201, {**item, "id": str(uuid.uuid4())})

    return handle


def test_init_openapi_writes_one_surface_per_operation_and_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "openapi.yaml").write_text(SPEC, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with LoopbackServer(inventory(True)) as left, LoopbackServer(inventory(False)) as right:
        result = invoke("init", "openapi", "openapi.yaml", "--left", left.url, "--right", right.url)
        assert result.exit_code == 0, result.output
        text = (tmp_path / "difffuzz.toml").read_text(encoding="utf-8")
        config = load_config(tmp_path / "difffuzz.toml")
        assert list(config.surfaces) == ["createItem"]
        surface = config.surfaces["createItem"]
        assert surface.requests["left"].path == "/api/items"
        assert surface.compare.rule == "http"
        assert surface.compare.ignore == ("/id",)  # readOnly uuid: made up by each server
        assert surface.answer_status == (201, 422)
        assert "GET /items/7: it takes no JSON request body" in text
        assert surface.strategy_params["schema_file"] == str(tmp_path / "openapi.yaml")

        run = invoke("run", "--max-examples", "60", "--seed", "4", "--no-reports")
    assert run.exit_code == 1, run.output
    found = saved(tmp_path)
    assert found
    # The planted difference: the lenient side takes a count out of range.
    assert any(
        f.signature.statuses == (422, 201)
        and isinstance(f.input, dict)
        and not 1 <= f.input.get("count", 1) <= 100
        for f in found
    )


def test_openapi_operations_read_swagger_2_bodies() -> None:
    spec = {
        "swagger": "2.0",
        "basePath": "/v2",
        "paths": {
            "/pets": {
                "post": {
                    "parameters": [{"in": "body", "name": "pet", "schema": {"type": "object"}}],
                    "responses": {"200": {"description": "ok", "schema": {"type": "object"}}},
                }
            }
        },
    }
    (operation,) = openapi_operations(spec)
    assert operation.name == "post_pets"
    assert operation.body_pointer == "/paths/~1pets/post/parameters/0/schema"
    assert operation.rule == "http"


def test_init_refuses_what_it_cannot_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    bad_url = invoke("init", "http", "--left", "127.0.0.1:8000", "--right", "http://127.0.0.1:1")
    assert bad_url.exit_code == 2
    assert "expected an http:// or https:// URL" in bad_url.output
    bad_target = invoke("init", "python", "--left", "mod", "--right", "mod:f")
    assert bad_target.exit_code == 2
    assert "expected module:function" in bad_target.output
    (tmp_path / "empty.yaml").write_text("openapi: 3.0.0\npaths: {}\n", encoding="utf-8")
    no_paths = invoke("init", "openapi", "empty.yaml", "--left", "http://a", "--right", "http://b")
    assert no_paths.exit_code == 2
    assert "no paths" in no_paths.output
    assert not (tmp_path / "difffuzz.toml").exists()
    invoke("init", "lakehouse", "-q")
    again = invoke("init", "http", "--left", "http://a:1", "--right", "http://b:1")
    assert again.exit_code == 2
    assert "exists; pass --force" in again.output


def test_the_config_is_found_in_the_current_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no config: --config was not given"):
        find_config(tmp_path)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[project]\nname = 'x'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"pyproject.toml with \[tool.difffuzz\]"):
        find_config(tmp_path)
    pyproject.write_text(
        "[tool.difffuzz.runtimes.a]\n[tool.difffuzz.runtimes.b]\n"
        "[tool.difffuzz.surfaces.call]\nstrategy = 'text'\ntransport = 'python'\n"
        "[tool.difffuzz.surfaces.call.runtimes.a]\ntarget = 'str:upper'\n"
        "[tool.difffuzz.surfaces.call.runtimes.b]\ntarget = 'str:lower'\n",
        encoding="utf-8",
    )
    assert find_config(tmp_path) == pyproject
    assert list(load_config(pyproject).surfaces) == ["call"]
    (tmp_path / "difffuzz.toml").write_text("", encoding="utf-8")
    assert find_config(tmp_path) == tmp_path / "difffuzz.toml"  # difffuzz.toml first


def test_a_command_without_a_config_says_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for command in (("run",), ("replay",), ("ci",)):
        result = invoke(*command)
        assert result.exit_code == 2, (command, result.output)
        assert "difffuzz init http|command|python|openapi" in result.output


_TOML_KEYS = st.text(min_size=1, max_size=6)
_TOML_VALUES = st.recursive(
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TOML_KEYS, inner, max_size=3),
    max_leaves=8,
)


@given(st.dictionaries(_TOML_KEYS, _TOML_VALUES, max_size=4))
def test_toml_values_read_back_as_written(table: dict[str, Any]) -> None:
    text = f"value = {toml_value(table)}\n"
    assert tomllib.loads(text)["value"] == table

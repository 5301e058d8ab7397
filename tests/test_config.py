"""The config file: every mistake is a ConfigError that names the file, the key, the value
and the fix; what validates is merged and resolved the way the reference says."""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from difffuzz._comparators.base import get_comparator
from difffuzz._config import Config, KnownGap, SurfaceSpec, load_config, parse_config
from difffuzz._exceptions import ConfigError
from difffuzz._judge import Judge
from difffuzz._lakehouse import LakehouseTargets, lakehouse_config
from difffuzz._outcome import Outcome
from difffuzz._signature import Signature

SOURCE = "team/difffuzz.toml"


def document(**surface: Any) -> dict[str, Any]:
    """A valid document: two in-process runtimes and one surface (keys in ``surface`` added)."""
    return {
        "campaign": {"max_examples": 10},
        "runtimes": {"left": {}, "right": {}},
        "surfaces": {
            "planted": {
                "strategy": "planted_text",
                "transport": "python",
                "runtimes": {
                    "left": {"target": "tests.planted:echo"},
                    "right": {"target": "tests.planted:escaping_echo"},
                },
                **surface,
            }
        },
    }


def parse(doc: dict[str, Any], base_dir: Path = Path("/team")) -> Config:
    return parse_config(doc, source=SOURCE, base_dir=base_dir)


def edited(path: str, value: Any, **surface: Any) -> dict[str, Any]:
    """``document(**surface)`` with the value at dotted ``path`` set (``...`` deletes it)."""
    doc = copy.deepcopy(document(**surface))
    *parents, last = path.split(".")
    table = doc
    for key in parents:
        table = table.setdefault(key, {})
    if value is ...:
        del table[last]
    else:
        table[last] = value
    return doc


HTTP = {"transport": "http", "runtimes": {}}

# (document, fragments the message must hold: the key path, the bad value, the fix)
ERRORS: dict[str, tuple[dict[str, Any], list[str]]] = {
    "unknown top-level key": (
        edited("campain", {}),
        ["unknown key campain", "did you mean 'campaign'?"],
    ),
    "unknown campaign key": (
        edited("campaign.max_example", 5),
        ["unknown key campaign.max_example", "did you mean 'max_examples'?"],
    ),
    "unknown surface key": (
        edited("surfaces.planted.stratgy", "x"),
        ["unknown key surfaces.planted.stratgy", "did you mean 'strategy'?"],
    ),
    "unknown runtime-override key": (
        edited("surfaces.planted.runtimes.left.targte", "m:f"),
        ["unknown key surfaces.planted.runtimes.left.targte", "did you mean 'target'?"],
    ),
    "unknown runtime key": (
        edited("runtimes.left.base_ulr", "http://x"),
        ["unknown key runtimes.left.base_ulr", "did you mean 'base_url'?"],
    ),
    "string for int": (
        edited("campaign.max_examples", "100"),
        ["campaign.max_examples", "expected an integer", "'100'"],
    ),
    "bool for int": (
        edited("campaign.max_examples", True),
        ["campaign.max_examples", "expected an integer", "True"],
    ),
    "bool for number": (
        edited("campaign.timeout", False),
        ["campaign.timeout", "expected an integer or a number", "False"],
    ),
    "float for int": (
        edited("campaign.seed", 1.5),
        ["campaign.seed", "expected an integer", "1.5"],
    ),
    "bool in answer_status": (
        edited("surfaces.planted.answer_status", [200, True]),
        ["surfaces.planted.answer_status", "expected a list of integers", "[200, True]"],
    ),
    "zero examples": (
        edited("campaign.max_examples", 0),
        ["campaign.max_examples", "must be positive, got 0"],
    ),
    "negative learn_noise": (
        edited("campaign.learn_noise", -1),
        ["campaign.learn_noise", "must be 0 (off) or positive, got -1"],
    ),
    "one runtime": (
        edited("runtimes", {"rust": {}}),
        ["[runtimes] must name exactly two", "got 1: ['rust']", "[runtimes.rust]"],
    ),
    "three runtimes": (
        edited("runtimes", {"a": {}, "b": {}, "c": {}}),
        ["[runtimes] must name exactly two", "got 3: ['a', 'b', 'c']"],
    ),
    "runtime not a table": (
        edited("runtimes", {"left": {}, "right": "http://x"}),
        ["runtimes.right", "expected a table", "'http://x'"],
    ),
    "base_url without scheme": (
        edited("runtimes.left.base_url", "127.0.0.1:3100"),
        ["runtimes.left.base_url", "must start with http://", "'127.0.0.1:3100'"],
    ),
    "non-string env": (
        edited("runtimes.left.env", {"PORT": 1}),
        ["runtimes.left.env", "expected a table of strings", "{'PORT': 1}"],
    ),
    "no surfaces": (
        edited("surfaces", {}),
        ["no [surfaces.NAME] table"],
    ),
    "missing strategy": (
        edited("surfaces.planted.strategy", ...),
        ["surfaces.planted.strategy", "is required", "difffuzz strategies"],
    ),
    "http without base_url": (
        edited("surfaces.planted.runtimes", {}, transport="http"),
        ["surfaces.planted (runtime left)", "needs runtimes.left.base_url"],
    ),
    "command without argv": (
        edited("surfaces.planted.runtimes", {}, transport="command"),
        ["surfaces.planted (runtime left)", "needs argv", 'argv = ["helper"]'],
    ),
    "python target without colon": (
        edited("surfaces.planted.runtimes.right.target", "tests.planted.echo"),
        [
            "surfaces.planted (runtime right)",
            'target = "module:function"',
            "'tests.planted.echo'",
        ],
    ),
    "unknown transport in a runtime's table": (
        edited("surfaces.planted.runtimes.left.transport", "grpc"),
        ["surfaces.planted.runtimes.left.transport", "http, command, python", "'grpc'"],
    ),
    "unknown body": (
        edited("surfaces.planted.body", "form"),
        ["surfaces.planted.body", "json, raw or template", "'form'"],
    ),
    "template body without template": (
        edited("surfaces.planted.body", "template", **HTTP),
        ["surfaces.planted.template", "needs a template", 'template = { texts = ["$input"] }'],
    ),
    "argv not strings": (
        edited("surfaces.planted.runtimes.left.argv", ["helper", 3], transport="command"),
        ["surfaces.planted.runtimes.left.argv", "list of strings", "['helper', 3]"],
    ),
    "stdin unknown": (
        edited("surfaces.planted.stdin", "file"),
        ["surfaces.planted.stdin", "'input' or 'none'", "'file'"],
    ),
    "known gap without reason": (
        edited("surfaces.planted.known_gaps", [{"category": "shape"}]),
        ["surfaces.planted.known_gaps[0].reason", "needs a reason"],
    ),
    "known gap with a blank reason": (
        edited("surfaces.planted.known_gaps", [{"category": "shape", "reason": "  "}]),
        ["surfaces.planted.known_gaps[0].reason", "needs a reason"],
    ),
    "known gap without matcher": (
        edited("surfaces.planted.known_gaps", [{"reason": "accepted"}]),
        ["surfaces.planted.known_gaps[0]", "must match something", "signature, category"],
    ),
    "known gap with an unknown key": (
        edited("surfaces.planted.known_gaps", [{"reason": "r", "path": ["/a"]}]),
        ["surfaces.planted.known_gaps[0]", "unknown keys ['path']", "paths"],
    ),
    "known gap with a misspelt category": (
        edited("surfaces.planted.known_gaps", [{"reason": "r", "category": "shapes"}]),
        ["category 'shapes' in known_gaps[0]", "did you mean 'shape'?"],
    ),
    "known gap with paths as one string": (
        edited("surfaces.planted.known_gaps", [{"reason": "r", "paths": "/text"}]),
        ["surfaces.planted.known_gaps[0].paths", "expected a list", "'/text'"],
    ),
    "known gap with statuses as text": (
        edited("surfaces.planted.known_gaps", [{"reason": "r", "statuses": ["422", "422"]}]),
        ["surfaces.planted.known_gaps[0].statuses", "[left, right]", "['422', '422']"],
    ),
    "known gap with a numeric signature": (
        edited("surfaces.planted.known_gaps", [{"reason": "r", "signature": 490}]),
        ["surfaces.planted.known_gaps[0].signature", "expected a string", "490"],
    ),
    "property for an unknown runtime": (
        edited("surfaces.planted.properties", [{"name": "parses", "runtimes": ["rust"]}]),
        ["surfaces.planted.properties[0].runtimes", "['left', 'right']", "['rust']"],
    ),
    "property without a name": (
        edited("surfaces.planted.properties", [{"runtimes": ["left"]}]),
        ["surfaces.planted.properties[0]", "a table with 'name'"],
    ),
    "select naming an unknown runtime": (
        edited("surfaces.planted.compare", {"select": {"lft": "/a", "right": "/b"}}),
        ["runtime 'lft' in surfaces.planted.compare.select", "did you mean 'left'?"],
    ),
    "select given twice, differently": (
        edited("surfaces.planted.runtimes.left.select", "/b", compare={"select": {"left": "/a"}}),
        [
            "surfaces.planted.runtimes.left.select",
            "'/b' contradicts",
            "'/a'",
            "set it in one place",
        ],
    ),
    "surface name that is not a folder name": (
        {**document(), "surfaces": {"a/b": document()["surfaces"]["planted"]}},
        ["the surface name 'a/b'", "corpus folder", "letters, digits"],
    ),
    "zero timeout for a surface": (
        edited("surfaces.planted.timeout", 0),
        ["surfaces.planted.timeout", "positive number of seconds", "got 0"],
    ),
    "negative timeout in a runtime's table": (
        edited("surfaces.planted.runtimes.right.timeout", -1.5),
        ["surfaces.planted.runtimes.right.timeout", "positive number of seconds", "got -1.5"],
    ),
    "override naming an unknown runtime": (
        edited("surfaces.planted.runtimes.rigth", {"target": "m:f"}),
        ["runtime 'rigth' in surfaces.planted.runtimes", "did you mean 'right'?"],
    ),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_every_config_error_names_file_key_value_and_fix(case: str) -> None:
    doc, fragments = ERRORS[case]
    with pytest.raises(ConfigError) as raised:
        parse(doc)
    message = str(raised.value)
    assert message.startswith(f"{SOURCE}: "), message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    # Key paths are written as in TOML: no stray leading dot from the top-level table.
    assert not re.search(r"(^|[ (]|: )\.\w", message), message


def test_the_base_document_is_valid() -> None:
    # The error cases above are single edits of this document: it must parse.
    config = parse(document())
    assert config.runtime_names == ("left", "right")
    assert config.surfaces["planted"].requests["right"].target == "tests.planted:escaping_echo"


def test_load_config_names_a_missing_file_and_how_to_make_one(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match=re.escape(f"{str(missing)!r} does not exist")):
        load_config(missing)


def test_load_config_names_a_file_that_is_not_toml(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[campaign\nmax_examples = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(f"{str(broken)!r} is not valid TOML")):
        load_config(broken)


# -- what valid configs mean ---------------------------------------------------


def test_per_runtime_overrides_merge_headers_and_env() -> None:
    doc = document(
        transport="command",
        argv=["helper"],
        headers={"Accept": "application/json", "X-Team": "lakehouse"},
        env={"MODE": "probe", "LEVEL": "surface"},
        runtimes={
            "left": {"headers": {"X-Team": "rust"}, "env": {"LEVEL": "rust"}},
            "right": {"argv": ["go-helper", "--json"], "timeout": 2},
        },
    )
    doc["runtimes"] = {
        "left": {"env": {"RUST_LOG": "warn", "MODE": "runtime"}},
        "right": {"env": {"GOFLAGS": "-x"}},
    }
    config = parse(doc)
    left, right = (config.surfaces["planted"].requests[n] for n in ("left", "right"))
    assert left.headers == {"Accept": "application/json", "X-Team": "rust"}
    assert right.headers == {"Accept": "application/json", "X-Team": "lakehouse"}
    # runtime env < surface env < the surface's per-runtime env
    assert left.env == {"RUST_LOG": "warn", "MODE": "probe", "LEVEL": "rust"}
    assert right.env == {"GOFLAGS": "-x", "MODE": "probe", "LEVEL": "surface"}
    assert (left.argv, right.argv) == (("helper",), ("go-helper", "--json"))
    assert (left.timeout, right.timeout) == (10.0, 2.0)


def test_relative_folders_resolve_against_the_config_folder(tmp_path: Path) -> None:
    folder = tmp_path / "team"
    folder.mkdir()
    path = folder / "difffuzz.toml"
    path.write_text(
        "[campaign]\n"
        'corpus = "fixtures"\n'
        f'reports = "{tmp_path / "out"}"\n'
        "[runtimes.rust]\n"
        "[runtimes.go]\n"
        "[surfaces.helper]\n"
        'strategy = "planted_text"\n'
        'transport = "command"\n'
        'argv = ["helper"]\n'
        'cwd = "bin"\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert Path(config.campaign.corpus) == folder / "fixtures"
    assert Path(config.campaign.reports) == tmp_path / "out"  # absolute: kept as written
    assert config.surfaces["helper"].requests["go"].cwd == str(folder / "bin")
    assert config.path == str(path)


def test_per_runtime_select_is_honoured() -> None:
    doc = document(compare={"rule": "json", "select": {"right": "/vectors/0"}})
    doc["surfaces"]["planted"]["runtimes"]["left"]["select"] = "/embeddings/0"
    compare = parse(doc).surfaces["planted"].compare
    assert (compare.select_left, compare.select_right) == ("/embeddings/0", "/vectors/0")


def test_compare_parameters_pass_through() -> None:
    doc = document(compare={"rule": "cosine", "min": 0.5, "ignore": ["/t"]})
    compare = parse(doc).surfaces["planted"].compare
    assert (compare.rule, compare.ignore, dict(compare.params)) == ("cosine", ("/t",), {"min": 0.5})


def test_answered_follows_answer_status_then_the_transport_default() -> None:
    def answered(surface: SurfaceSpec, status: int | None) -> bool:
        return Judge(surface, ("left", "right")).answered("left", Outcome(status, b"{}"))

    default = parse(document()).surfaces["planted"]
    assert answered(default, 0)
    assert not answered(default, 1)
    assert not answered(default, None)
    listed = parse(document(answer_status=[200, 422])).surfaces["planted"]
    assert answered(listed, 422)
    assert not answered(listed, 0)


# -- select / override -------------------------------------------------------


def two_surfaces() -> Config:
    doc = document()
    doc["surfaces"]["other"] = copy.deepcopy(doc["surfaces"]["planted"])
    return parse(doc)


def test_select_keeps_only_the_named_surfaces() -> None:
    config = two_surfaces()
    assert list(config.select(["other"]).surfaces) == ["other"]
    assert config.select([]) is config
    assert list(config.surfaces) == ["planted", "other"]  # the original is unchanged


def test_select_of_an_unknown_surface_suggests_the_right_one() -> None:
    with pytest.raises(ConfigError, match="unknown surface 'plante'; did you mean 'planted'"):
        two_surfaces().select(["plante"])


def test_override_replaces_only_the_settings_given() -> None:
    config = parse(document())
    changed = config.override(seed=7, max_examples=None, timeout=2.5)
    assert (changed.campaign.seed, changed.campaign.timeout) == (7, 2.5)
    assert changed.campaign.max_examples == 10
    assert config.campaign.seed is None


# -- known gaps --------------------------------------------------------------

SHAPE = Signature("validator", (422, 422), (("extra", "/Kind", ""), ("missing", "/Schema", "")))


@pytest.mark.parametrize(
    ("gap", "matches"),
    [
        (KnownGap("r", signature=SHAPE.id), True),
        (KnownGap("r", signature="0000000000"), False),
        (KnownGap("r", category="shape"), True),
        (KnownGap("r", category="value"), False),
        (KnownGap("r", statuses=(422, 422)), True),
        (KnownGap("r", statuses=(422, 200)), False),
        (KnownGap("r", paths=("/Schema",)), True),
        (KnownGap("r", paths=("/Sch*", "/K?nd")), True),
        (KnownGap("r", paths=("/Schema", "/Reason")), False),  # every pattern must match
        (KnownGap("r", paths=("/schema",)), False),  # case matters in JSON keys
        (KnownGap("r", category="shape", statuses=(422, 422)), True),
        (KnownGap("r", category="shape", statuses=(200, 422)), False),  # all must hold
    ],
)
def test_known_gap_matches(gap: KnownGap, matches: bool) -> None:
    assert gap.matches(SHAPE) is matches


# -- the lakehouse config ------------------------------------------------------


def lakehouse() -> Config:
    return parse_config(
        tomllib.loads(lakehouse_config()), source="lakehouse.toml", base_dir=Path("/repo")
    )


def test_lakehouse_config_has_all_six_surfaces_against_the_contract_addresses() -> None:
    config = lakehouse()
    assert config.runtime_names == ("rust", "go")
    assert [r.base_url for r in config.runtimes] == [
        "http://127.0.0.1:3100",
        "http://127.0.0.1:4110",
    ]
    assert set(config.surfaces) == {
        "validator",
        "embed",
        "extract_json",
        "session_log",
        "materializer",
        "search",
    }
    assert config.campaign.corpus == "/repo/corpus"


def test_lakehouse_config_carries_each_surface_rule_from_the_contract() -> None:
    surfaces = lakehouse().surfaces
    validator = surfaces["validator"]
    assert validator.compare.rule == "http"
    assert validator.answer_status == (200, 422)
    assert validator.requests["rust"].path == validator.requests["go"].path == "/v1/validate"

    embed = surfaces["embed"]
    assert (embed.requests["rust"].path, embed.requests["go"].path) == ("/ai/embed", "/v1/embed")
    assert embed.compare.rule == "cosine"
    assert embed.compare.params["min"] == 0.99999
    # Rust's field names are normalised to Go's before selecting.
    assert (embed.compare.select_left, embed.compare.select_right) == ("/vectors/0", "/vectors/0")
    assert embed.requests["go"].body == "template"

    for name in ("extract_json", "session_log", "materializer"):
        assert {r.transport for r in surfaces[name].requests.values()} == {"command"}
    assert surfaces["extract_json"].compare.rule == "json"
    assert surfaces["extract_json"].requests["rust"].argv == ("parity_extract_json",)
    assert surfaces["extract_json"].requests["go"].argv == ("extract_json_helper",)
    assert surfaces["session_log"].compare.ignore == ("/timestamp", "/daemon")
    materializer = surfaces["materializer"]
    assert materializer.compare.ignore == (
        "/*/provenance/recorded_at",
        "/provenance/recorded_at",
    )
    assert materializer.requests["rust"].stdin == "none"
    assert "{input_dir}" in materializer.requests["go"].argv

    search = surfaces["search"]
    assert (search.requests["rust"].path, search.requests["go"].path) == (
        "/vectors/hybrid",
        "/v1/matrix/retrieve",
    )
    assert search.compare.rule == "topk"
    assert "excludes-honoured" in {p.name for p in search.properties}


def test_lakehouse_validator_gap_tracks_the_422_shape_and_not_what_differs_inside() -> None:
    validator = lakehouse().surfaces["validator"]
    (gap,) = validator.known_gaps
    assert gap.reason.startswith("422 body shape")
    judge = Judge(validator, ("rust", "go"))
    rust = Outcome(422, b'{"Schema":{"field":"to","reason":"not an email"}}')
    go = Outcome(422, b'{"Kind":"schema","Field":"to","Reason":"not an email"}')
    observation = judge.judge({"kind": "email"}, rust, go)
    assert observation.signature is None  # normalised, the two shapes agree
    assert [hit.reason for hit in observation.gap_hits] == [gap.reason]
    other = Outcome(422, b'{"Kind":"schema","Field":"to","Reason":"bad address"}')
    inside = judge.judge({"kind": "email"}, rust, other)
    assert inside.signature is not None
    assert validator.known_gap(inside.signature) is None  # a different reason is a finding
    # A status disagreement on the same surface is not covered by the gap.
    accepted = judge.judge({"kind": "email"}, Outcome(200, b'{"valid": true}'), go)
    assert accepted.signature is not None
    assert validator.known_gap(accepted.signature) is None


def test_lakehouse_config_rules_are_registered_comparators() -> None:
    for surface in lakehouse().surfaces.values():
        get_comparator(surface.compare.rule)  # raises RegistryError if not


def test_lakehouse_config_follows_other_targets() -> None:
    targets = LakehouseTargets(rust_url="http://127.0.0.2:1", max_examples=7, max_seconds=3)
    config = parse_config(tomllib.loads(lakehouse_config(targets)), source="x", base_dir=Path("."))
    assert config.runtimes[0].base_url == "http://127.0.0.2:1"
    assert (config.campaign.max_examples, config.campaign.max_seconds) == (7, 3)

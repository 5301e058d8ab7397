"""Transport kinds: a new transport is one registry entry, and nothing else switches on it.

The kind below (``test-inline``: each runtime is a function of this module, named by
``target``) is registered from outside difffuzz, the way a plugin or a new built-in
would be, and then used end to end: the config accepts and checks it, the plan
opens it, the judge asks it what an answer is, the wire layer what reaches the
wire, and a report renders its reproduction without opening it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest

from difffuzz import ConfigError, Corpus, Outcome, RegistryError
from difffuzz._builtins import BUILTIN_ORIGIN
from difffuzz._config import Config, RequestSpec, parse_config
from difffuzz._engine import run_campaign
from difffuzz._inputs import Input, WireInput, input_literal
from difffuzz._judge import Judge
from difffuzz._plan import compile_config
from difffuzz._repro import renderer_for, reproductions
from difffuzz._transports.base import Request, Transport
from difffuzz._transports.kind import TRANSPORTS, Renderer, TransportKind, WireTraits
from difffuzz._transports.kinds import BUILTIN_TRANSPORTS
from difffuzz._transports.mock import MockTransport
from difffuzz._transports.shell import quote_word
from difffuzz._wire import surface_context
from tests.support.inputs import as_text

RUNTIMES: dict[str, Callable[[Input], Any]] = {
    "same": lambda value: value,
    "shout": lambda value: value.upper() if isinstance(value, str) else value,
}
OPENED: list[str] = []


@dataclass(frozen=True)
class InlineRequest:
    kind: ClassVar[str] = "test-inline"

    target: str
    argument: Input


class InlineKind(TransportKind):
    name = "test-inline"

    def problem(self, request: RequestSpec) -> str | None:
        if request.target not in RUNTIMES:
            return f"the test-inline transport needs target = one of {sorted(RUNTIMES)}"
        return None

    def describe(self, request: RequestSpec) -> str:
        return f"inline {request.target}"

    def open(self, request: RequestSpec, *, max_body_bytes: int) -> Transport:
        OPENED.append(request.target)
        function = RUNTIMES[request.target]

        def answer(value: Input) -> tuple[int, Any]:
            # The wire layer is on (the kind says it reads JSON): a mutated document
            # arrives as the bytes it is.
            return 0, function(value.sent if isinstance(value, WireInput) else value)

        return MockTransport(answer, target=request.target)

    def renderer(self, request: RequestSpec) -> Renderer:
        target = request.target
        return lambda value: InlineRequest(target, value)

    def reproduce(self, request: Request, *, python: str = "python3") -> str:
        assert isinstance(request, InlineRequest)
        return f"inline {quote_word(request.target)} {quote_word(input_literal(request.argument))}"

    def wire_traits(self, request: RequestSpec) -> WireTraits:
        return WireTraits(reads_json=True)


@pytest.fixture(scope="module", autouse=True)
def registered() -> None:
    if "test-inline" not in TRANSPORTS:
        TRANSPORTS.register("test-inline", InlineKind(), origin=__name__)


def config(left: str = "same", right: str = "shout", **surface: Any) -> Config:
    document = {
        "campaign": {"max_examples": 60, "seed": 3, "learn_noise": 0},
        "runtimes": {"left": {}, "right": {}},
        "surfaces": {
            "inline": {
                "strategy": "text",
                "transport": "test-inline",
                "runtimes": {"left": {"target": left}, "right": {"target": right}},
                **surface,
            }
        },
    }
    return parse_config(document, source="t.toml", base_dir=Path("."))


def test_the_builtin_kinds_are_registered_from_their_table() -> None:
    for name, kind in BUILTIN_TRANSPORTS.items():
        assert TRANSPORTS.get(name) is kind
        assert TRANSPORTS.origin(name) == BUILTIN_ORIGIN
    assert TRANSPORTS.names()[:3] == ["http", "command", "python"]


def test_a_taken_kind_name_is_refused() -> None:
    with pytest.raises(RegistryError, match="'http' is already registered"):
        TRANSPORTS.register("http", InlineKind(), origin=__name__)


def test_the_config_accepts_a_registered_kind_and_asks_it_what_a_request_lacks() -> None:
    assert config().surfaces["inline"].requests["left"].transport == "test-inline"
    with pytest.raises(ConfigError, match=r"\(runtime right\): the test-inline transport needs"):
        config(right="missing")


def test_a_new_kind_runs_a_campaign_and_renders_its_reproduction(tmp_path: Path) -> None:
    OPENED.clear()
    plan = compile_config(config())
    assert OPENED == []  # compiling opens nothing; the campaign opens each side once
    result = run_campaign(plan.config, corpus=Corpus(tmp_path))
    assert OPENED == ["same", "shout"]
    finding = result.findings[0]
    assert (
        as_text(finding.input) != as_text(finding.input).upper()
    )  # a lower-case letter, found and shrunk
    render = renderer_for(plan.config)
    left, right = reproductions("inline", finding.input, ("left", "right"), render)
    assert left.command == f"inline same {quote_word(input_literal(finding.input))}"
    assert right.command.startswith("inline shout ")
    assert OPENED == ["same", "shout"]  # reports open nothing


def test_the_judge_and_the_wire_layer_ask_the_kind() -> None:
    surface = config().surfaces["inline"]
    judge = Judge(surface, ("left", "right"))
    assert judge.answered("left", Outcome(0, b"x"))
    assert not judge.answered("left", Outcome(0, b" "))  # the default: empty is no answer
    assert not judge.answered("left", Outcome(1, b"x"))
    context = surface_context(surface)
    assert context is not None
    assert not context.http
    assert not context.as_bytes

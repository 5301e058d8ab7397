"""Steps written outside difffuzz: a jq expression, or a Python hook ``module:function``.

jq is what the team's probes already speak, so difffuzz runs real jq (the
``jq`` package, libjq) rather than an imitation. An expression is compiled once,
when the config loads; a syntax error is a config error then, not a surprise
mid-campaign. At run time the expression must give exactly one value for every
answer: an error (``.a + 1`` on a string) or zero or several outputs raise
:class:`NormalizeError`, which the judge reports naming the surface, runtime and
expression. jq's numbers are IEEE doubles: ``1.0`` comes back as ``1`` and NaN
as ``null``.
"""

from __future__ import annotations

import importlib
from typing import Any

from difffuzz._normalize.registry import Factory, NormalizeError, Transform

__all__ = ["EXTERNAL_STEPS"]


def jq_expression(*, expr: str) -> Transform:
    """A jq expression, e.g. ``if .Schema then {kind: "schema"} + .Schema else . end``."""
    import jq  # deferred: only configs with jq steps load libjq (typing/jq.pyi)

    if not isinstance(expr, str) or not expr.strip():
        raise ValueError(f"a jq step needs a non-empty expression, got {expr!r}")
    try:
        program = jq.compile(expr)
    except ValueError as exc:
        detail = " ".join(str(exc).split())
        raise ValueError(f"jq expression {expr!r} does not compile: {detail}") from None

    def run(value: Any) -> Any:
        try:
            outputs = program.input_value(value).all()
        except ValueError as exc:
            raise NormalizeError(f"failed on this answer: {exc}") from None
        if len(outputs) != 1:
            raise NormalizeError(
                f"gave {len(outputs)} values for one answer (it must give exactly one; "
                "wrap a stream in [...] or use first(...))"
            )
        return outputs[0]

    return run


def python_hook(*, target: str) -> Transform:
    """A Python function ``module:function``: the parsed answer in, normalised out."""
    if not isinstance(target, str) or target.count(":") != 1:
        raise ValueError(f"a hook is 'module:function', got {target!r}")
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(
            f"hook {target!r}: module {module_name!r} cannot be imported ({exc}); "
            "check the name and that its folder is on PYTHONPATH"
        ) from None
    function = getattr(module, attribute, None)
    if not callable(function):
        raise ValueError(f"hook {target!r}: {module_name} has no function {attribute!r}")
    hook: Transform = function
    return hook


#: The steps that run code written outside difffuzz, by name.
EXTERNAL_STEPS: dict[str, Factory] = {"jq": jq_expression, "hook": python_hook}

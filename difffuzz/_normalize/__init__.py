"""Normalize steps: map a known, deliberate difference away before comparing.

A port renames fields, writes an enum another way, drops zero values or keeps
32-bit floats on purpose. Each runtime's answer can be run through a list of
steps (``normalize`` in the config, per surface and per runtime) before the
comparator sees it; ignore rules and learned noise apply after. A step is a
jq expression, a built-in (:mod:`.builtins`), a Python hook ``module:function``,
or any step registered with :func:`normalizer`.

Steps are plain data (:class:`StepSpec`) inside the surface's
:class:`~difffuzz.CompareSpec`, so every finding and fixture records the steps
that were in force and a replay applies the same ones. They compile once per
distinct list (:func:`compile_pipeline`). A step that fails on an answer raises
:class:`NormalizeError`; the judge reports it as a config error naming the
surface, the runtime and the step: never a silent divergence.
"""

from __future__ import annotations

from difffuzz._normalize.answer import NormalizedOutcome, normalize_outcome
from difffuzz._normalize.builtins import BUILTIN_STEPS
from difffuzz._normalize.external import EXTERNAL_STEPS
from difffuzz._normalize.registry import (
    NORMALIZERS,
    NormalizeError,
    Pipeline,
    Transform,
    compile_pipeline,
    compile_step,
    get_normalizer,
    normalizer,
    normalizer_entry,
    registered,
)
from difffuzz._normalize.spec import StepSpec, step_from_config, steps_from_config

__all__ = [
    "BUILTIN_STEPS",
    "EXTERNAL_STEPS",
    "NORMALIZERS",
    "NormalizeError",
    "NormalizedOutcome",
    "Pipeline",
    "StepSpec",
    "Transform",
    "compile_pipeline",
    "compile_step",
    "get_normalizer",
    "normalize_outcome",
    "normalizer",
    "normalizer_entry",
    "registered",
    "step_from_config",
    "steps_from_config",
]

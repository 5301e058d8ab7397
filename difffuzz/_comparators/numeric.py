"""When two JSON numbers count as equal.

Exact by default: ``1 == 1.0``, big integers compared exactly, NaN equal to NaN
(both runtimes producing NaN is agreement, not a divergence), infinities equal
only to themselves. A :class:`Tolerance` widens that; any one of its bounds
passing is enough.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from difffuzz._comparators.params import int_param, number_param

__all__ = ["TOLERANCE_PARAMS", "Tolerance", "is_number", "ulp_distance"]

TOLERANCE_PARAMS = frozenset({"abs_tol", "rel_tol", "ulps"})

Number = int | float


def is_number(value: Any) -> bool:
    """JSON numbers only: ``True`` is a boolean, not 1."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _ordered_bits(value: float) -> int:
    # Map IEEE-754 doubles onto integers so that adjacent floats are adjacent integers.
    bits: int = struct.unpack("<q", struct.pack("<d", value))[0]
    return bits if bits >= 0 else -(bits & 0x7FFF_FFFF_FFFF_FFFF)


def ulp_distance(a: float, b: float) -> int:
    """How many representable doubles lie between ``a`` and ``b`` (0.0 and -0.0: 0).

    >>> ulp_distance(1.0, math.nextafter(1.0, 2.0))
    1
    """
    return abs(_ordered_bits(a) - _ordered_bits(b))


@dataclass(frozen=True)
class Tolerance:
    """Numeric tolerance: ``abs_tol``, ``rel_tol`` and ``ulps``, each optional.

    >>> Tolerance(rel_tol=1e-6).close(1.0, 1.0000001)
    True
    >>> Tolerance().close(1, 1.0), Tolerance().close(2**53 + 1, 2.0**53)
    (True, False)
    """

    abs_tol: float | None = None
    rel_tol: float | None = None
    ulps: int | None = None

    @classmethod
    def from_params(cls, rule: str, params: Mapping[str, Any]) -> Tolerance:
        return cls(
            abs_tol=number_param(rule, params, "abs_tol", None, low=0.0),
            rel_tol=number_param(rule, params, "rel_tol", None, low=0.0),
            ulps=int_param(rule, params, "ulps", None),
        )

    @property
    def exact(self) -> bool:
        return self.abs_tol is None and self.rel_tol is None and self.ulps is None

    def delta(self, a: Number, b: Number) -> float:
        """``|a - b|`` as a float: 0.0 for NaN/NaN, ``inf`` when only one is NaN."""
        a_nan, b_nan = _is_nan(a), _is_nan(b)
        if a_nan or b_nan:
            return 0.0 if a_nan and b_nan else math.inf
        if a == b:
            return 0.0
        if isinstance(a, float) and isinstance(b, float):
            return abs(a - b)
        if _is_inf(a) or _is_inf(b):
            return math.inf
        try:
            return float(abs(Fraction(a) - Fraction(b)))
        except OverflowError:
            return math.inf

    def close(self, a: Number, b: Number) -> bool:
        """Whether ``a`` and ``b`` are equal under this tolerance."""
        if _is_nan(a) or _is_nan(b):
            return _is_nan(a) and _is_nan(b)
        if a == b:  # exact, also across int/float, and for equal infinities
            return True
        if self.exact or _is_inf(a) or _is_inf(b):
            return False
        # Fractions keep big integers exact where float arithmetic would overflow.
        gap = abs(Fraction(a) - Fraction(b))
        if self.abs_tol is not None and gap <= Fraction(self.abs_tol):
            return True
        if self.rel_tol is not None:
            scale = max(abs(Fraction(a)), abs(Fraction(b)))
            if gap <= Fraction(self.rel_tol) * scale:
                return True
        if self.ulps is not None:
            try:
                fa, fb = float(a), float(b)
            except OverflowError:
                return False
            if ulp_distance(fa, fb) <= self.ulps:
                return True
        return False


def _is_nan(value: Number) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _is_inf(value: Number) -> bool:
    return isinstance(value, float) and math.isinf(value)

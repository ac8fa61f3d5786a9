"""Independent numerical cross-checks of the claims, evaluated with mpmath at 50 digits.

A :class:`NumericCheck` restates a claim as a predicate written directly with mpmath (never
lambdified from the SymPy expression the prover uses), so that a slip in one formulation is not
copied into the other. Tests draw points in ``variables`` with hypothesis and require
``predicate`` to hold (``expect="holds"``), or require it to fail at ``counterexample``
(``expect="fails"``).

Reference: F. Johansson et al., mpmath: a Python library for arbitrary-precision floating-point
arithmetic, version 1.3 (2023), https://mpmath.org.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

import mpmath

__all__ = ["DPS", "NumericCheck", "approx_eq", "approx_le", "evaluate", "in_domain", "to_mpf"]

DPS = 50
# Relative slack for comparisons at DPS digits: far above rounding error (1e-50), far below any
# genuine discrepancy the claims could have.
_TOL_EXP = -35


@dataclass(frozen=True)
class NumericCheck:
    """A claim restated in mpmath.

    Attributes:
        variables: name -> (lo, hi), the closed box of the domain (ints, Fractions or strings).
        predicate: point (name -> mpf) -> bool, written with mpmath only.
        expect: ``"holds"`` if the claim is true (predicate holds on the domain), ``"fails"`` if
            false as written (predicate fails at ``counterexample``).
        counterexample: for ``expect="fails"``, the point at which the statement fails.
        where: optional extra domain restriction (point -> bool) for assumptions that are not a box,
            e.g. ``x > y`` or ``alpha * mu < 2``.
    """

    variables: Mapping[str, tuple[int | Fraction | str, int | Fraction | str]]
    predicate: Callable[[dict[str, mpmath.mpf]], bool]
    expect: Literal["holds", "fails"] = "holds"
    counterexample: Mapping[str, Fraction | int | str] | None = None
    where: Callable[[dict[str, mpmath.mpf]], bool] | None = field(default=None)

    def __post_init__(self) -> None:
        if self.expect not in ("holds", "fails"):
            raise ValueError(f"expect must be 'holds' or 'fails', got {self.expect!r}")
        if not callable(self.predicate):
            raise TypeError("predicate must be callable")
        for name, bounds in self.variables.items():
            if len(bounds) != 2 or Fraction(str(bounds[0])) > Fraction(str(bounds[1])):
                raise ValueError(
                    f"variables[{name!r}] must be (lo, hi) with lo <= hi, got {bounds}"
                )
        if self.expect == "fails":
            if not self.counterexample:
                raise ValueError("expect='fails' needs a counterexample point")
            missing = set(self.variables) - set(self.counterexample)
            if missing:
                raise ValueError(f"counterexample lacks variables {sorted(missing)}")


def to_mpf(value: int | Fraction | str | mpmath.mpf) -> mpmath.mpf:
    """Exact-as-possible conversion at the current precision (Fractions divide in mpmath)."""
    if isinstance(value, Fraction):
        return mpmath.mpf(value.numerator) / value.denominator
    if isinstance(value, str) and "/" in value:
        return to_mpf(Fraction(value))
    return mpmath.mpf(value)


def evaluate(check: NumericCheck, point: Mapping[str, int | Fraction | str | float]) -> bool:
    """Evaluate ``check.predicate`` at ``point`` with ``mp.dps = DPS``."""
    with mpmath.workdps(DPS):
        return bool(check.predicate({k: to_mpf(v) for k, v in point.items()}))


def in_domain(check: NumericCheck, point: Mapping[str, int | Fraction | str | float]) -> bool:
    """Whether ``point`` meets ``check.where`` (the domain box itself is not re-checked)."""
    if check.where is None:
        return True
    with mpmath.workdps(DPS):
        return bool(check.where({k: to_mpf(v) for k, v in point.items()}))


def _tol(*values: mpmath.mpf) -> mpmath.mpf:
    scale = max([mpmath.mpf(1), *(abs(v) for v in values)])
    return scale * mpmath.mpf(10) ** _TOL_EXP


def approx_eq(a: mpmath.mpf, b: mpmath.mpf) -> bool:
    """``a == b`` up to a relative slack of 1e-35 (rounding at 50 digits is ~1e-50)."""
    return abs(a - b) <= _tol(a, b)


def approx_le(a: mpmath.mpf, b: mpmath.mpf) -> bool:
    """``a <= b`` up to the same slack, so that equality cases are not lost to rounding."""
    return a <= b + _tol(a, b)

r"""Number backends of the evaluator (:mod:`verify.evaluate`): one tree, two kinds of numbers.

* :class:`SympyOps`: exact SymPy numbers, or SymPy symbols for a symbolic instance (the provers
  then decide the resulting scalar statement). ``f''`` is ``sympy.diff``.
* :class:`MpmathOps`: mpmath at 50 digits, the numeric cross-check. ``f''`` is ``mpmath.diff``
  (numerical differentiation), never SymPy's.

Exact signs of the values at a rational point are decided in :mod:`verify.instances` (exactly
for rationals, else by an interval enclosure).

Reference: F. Johansson et al., mpmath 1.3 (2023), https://mpmath.org.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import sympy

__all__ = ["DPS", "MpmathOps", "SympyOps"]

DPS = 50


class SympyOps:
    """Exact or symbolic SymPy arithmetic."""

    name = "sympy"

    def num(self, value: Fraction):
        return sympy.Rational(value.numerator, value.denominator)

    def cast(self, value):
        return sympy.sympify(value)

    exp = staticmethod(sympy.exp)
    log = staticmethod(sympy.log)
    sqrt = staticmethod(sympy.sqrt)
    abs = staticmethod(sympy.Abs)

    def max(self, *args):
        return sympy.Max(*args)

    def min(self, *args):
        return sympy.Min(*args)

    def factorial(self, x):
        return sympy.factorial(x)

    def diff(self, fn, at, order: int):
        x = sympy.Dummy("x", real=True)
        return sympy.diff(fn(x), x, order).subs(x, at)

    def series(self, fn, lo, hi):
        k = sympy.Dummy("k", integer=True)
        upper = sympy.oo if hi is None else hi
        return sympy.Sum(fn(k), (k, lo, upper))


class MpmathOps:
    """mpmath floating point at :data:`DPS` digits (use inside ``mpmath.workdps(DPS)``)."""

    name = "mpmath"

    def num(self, value: Fraction):
        return mpmath.mpf(value.numerator) / value.denominator

    def cast(self, value):
        if isinstance(value, sympy.Rational):
            return mpmath.mpf(int(value.p)) / int(value.q)
        if isinstance(value, Fraction):
            return self.num(value)
        if isinstance(value, sympy.Expr) and value.is_number:  # an exact irrational: sqrt(2)
            return mpmath.mpf(str(sympy.N(value, mpmath.mp.dps + 10)))
        return mpmath.mpf(value) if not isinstance(value, mpmath.mpf) else value

    exp = staticmethod(mpmath.exp)
    log = staticmethod(mpmath.log)
    sqrt = staticmethod(mpmath.sqrt)

    def abs(self, x):
        return abs(x)

    def max(self, *args):
        return max(args)

    def min(self, *args):
        return min(args)

    def factorial(self, x):
        return mpmath.factorial(x)

    def diff(self, fn, at, order: int):
        return mpmath.diff(fn, at, order)

    def series(self, fn, lo, hi):
        if hi is None:
            return mpmath.nsum(fn, [lo, mpmath.inf])
        return mpmath.fsum(fn(k) for k in range(int(lo), int(hi) + 1))

r"""Number backends of the evaluator (:mod:`verify.evaluate`): one tree, three kinds of numbers.

* :class:`SympyOps`: exact SymPy numbers, or SymPy symbols for a symbolic instance (the provers
  then decide the resulting scalar statement). ``f''`` is ``sympy.diff``.
* :class:`MpmathOps`: mpmath at 50 digits, the numeric cross-check. ``f''`` is ``mpmath.diff``
  (numerical differentiation), never SymPy's.
* :class:`IntervalOps`: mpmath interval arithmetic (outward rounding), a proved enclosure of a
  value at a rational point: a counterexample is confirmed when the enclosures of the two sides
  are separated.

Reference: F. Johansson et al., mpmath 1.3 (2023), https://mpmath.org (``mpmath.iv``).
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import sympy

__all__ = ["DPS", "IntervalOps", "MpmathOps", "SympyOps"]

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


class IntervalOps:
    """Interval arithmetic with outward rounding: every result encloses the exact value."""

    name = "interval"
    iv = mpmath.iv

    def num(self, value: Fraction):
        return self.iv.mpf(value.numerator) / value.denominator

    def cast(self, value):
        if isinstance(value, sympy.Rational):
            return self.iv.mpf(int(value.p)) / int(value.q)
        if isinstance(value, Fraction):
            return self.num(value)
        raise TypeError(f"interval values come from exact rationals, got {value!r}")

    def exp(self, x):
        return self.iv.exp(x)

    def log(self, x):
        return self.iv.log(x)

    def sqrt(self, x):
        return self.iv.sqrt(x)

    def abs(self, x):
        return abs(x)

    def max(self, *args):
        return self.iv.mpf([max(a.a for a in args), max(a.b for a in args)])

    def min(self, *args):
        return self.iv.mpf([min(a.a for a in args), min(a.b for a in args)])

    def factorial(self, x):
        raise TypeError("no interval factorial")

    def diff(self, fn, at, order: int):
        raise TypeError("derivatives are confirmed with SymPy, not intervals")

    def series(self, fn, lo, hi):
        if hi is None:
            raise TypeError("no interval enclosure of an infinite series")
        total = self.iv.mpf(0)
        for k in range(int(lo), int(hi) + 1):
            total += fn(k)
        return total

"""Boundary cases of exact evaluation (found by mutation testing): Karr's convention for a sum
whose upper limit is below its lower limit by two or more, the enclosure of a negative power of an
irrational number, an enclosure that touches zero, and the test for algebraic numbers that guards
the exact-zero argument."""

from __future__ import annotations

import sympy as sp

from verify import _exact

k = sp.Symbol("k", integer=True)


def test_reversed_limits_follow_karrs_convention_like_sympy():
    # sum_{k=3}^{1} k = -sum_{k=2}^{2} k and prod_{k=4}^{1} k = 1 / prod_{k=2}^{3} k (Karr 1981).
    for e in (sp.Sum(k, (k, 3, 1)), sp.Product(k, (k, 4, 1)), sp.Sum(k, (k, 3, 2))):
        assert _exact.value(e, {}) == e.doit()
    assert _exact.value(sp.Sum(k, (k, 3, 1)), {}) == -2
    assert _exact.value(sp.Product(k, (k, 4, 1)), {}) == sp.Rational(1, 6)


def test_a_negative_power_of_an_irrational_number_is_enclosed():
    e = 1 / (1 + sp.sqrt(2))  # about 0.414; kept by SymPy as (1 + sqrt(2))**(-1)
    assert e.is_Pow and e.exp == -1
    assert _exact.sign(e - sp.Rational(1, 2)) == -1
    assert _exact.sign(e - sp.Rational(2, 5)) == 1


def test_only_rational_powers_of_algebraic_numbers_are_algebraic():
    assert _exact._is_algebraic(sp.sqrt(2) + 1)
    assert not _exact._is_algebraic(sp.Pow(2, sp.pi, evaluate=False))


def test_an_enclosure_that_touches_zero_decides_no_sign():
    # [0, 0] neither excludes 0 from above nor from below: the sign is 0 only by an exact argument.
    for e in (sp.Min(0, sp.sqrt(2), evaluate=False), sp.Max(0, -sp.sqrt(2), evaluate=False)):
        box = _exact._enclosure(e, 64)
        assert box.a == box.b == 0
        assert _exact.sign(e) == 0

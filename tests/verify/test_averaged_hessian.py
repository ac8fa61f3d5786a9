"""The vector mean value counterexample and the averaged-Hessian repair."""

from __future__ import annotations

import sympy as sp

from verify import averaged_hessian as ah
from verify import provers

R = sp.Rational


def test_mean_value_counterexample_by_exact_substitution():
    u, s = sp.symbols("u s", real=True)
    phi2, psi2 = 1 + u**2, 1 + u**4  # the Hessian entries on |u| <= 1
    grad = (sp.integrate(phi2, (u, 0, 1)), sp.integrate(psi2, (u, 0, 1)))  # w_t = (1, 1), w* = 0
    assert grad == (R(4, 3), R(6, 5))
    # Every zeta = s (1, 1) on the segment: the first coordinate pins s; the second then fails.
    roots = [r for r in sp.solve(sp.Eq(phi2.subs(u, s), grad[0]), s) if 0 <= r <= 1]
    assert roots == [1 / sp.sqrt(3)]
    assert psi2.subs(u, roots[0]) != grad[1]
    assert sp.solve([sp.Eq(phi2.subs(u, s), grad[0]), sp.Eq(psi2.subs(u, s), grad[1])], s) == []


def test_mean_value_would_hold_for_identical_coordinates():
    # With psi = phi the common s = 1/sqrt(3) exists: the prover must not claim a failure then.
    s = sp.Symbol("s", real=True)
    check = provers.implies([s >= 0, s <= 1, sp.Eq(1 + s**2, R(4, 3))], sp.Ne(1 + s**2, R(4, 3)))
    assert not check.holds
    assert check.counterexample == {"s": 1 / sp.sqrt(3)}  # exact (algebraic) witness
    same = provers.implies([s >= 0, s <= 1, sp.Eq(s, R(1, 2))], sp.Ne(1 + s**2, R(5, 4)))
    assert not same.holds
    assert same.counterexample == {"s": R(1, 2)}


def test_repair_and_counterexample_checks_are_proved():
    assert all(c.holds for c in ah.averaged_hessian_checks())
    assert all(c.holds for c in ah.mean_value_counterexample()[0])
    assert "averaged-Hessian" in ah.MVT_METHOD

"""Slides "Gradient Descent" and "Gradient Descent Converges" (with its continuation), by line."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

import verify
from verify import gradient_descent as gd
from verify import provers

EXPECTED = {
    "gd.update-fixed-points": "true",
    "gd.optimum": "gap",
    "gd.line1": "true",
    "gd.line2": "gap",
    "gd.line3": "true",
    "gd.norm-product": "true",
    "gd.norm-bound": "true",
    "gd.step-rate": "true",
    "gd.step-optimal": "true",
    "gd.recursion": "true",
    "gd.linear-rate": "true",
}
R = sp.Rational


@pytest.mark.parametrize(("claim_id", "expected"), EXPECTED.items())
def test_verdict(claim_id, expected):
    claim = verify.get(claim_id)
    assert claim.recorded == expected
    assert verify.run(claim).verdict == expected


def test_table_covers_the_module():
    assert {c.id for c in verify.all_claims() if c.check.__module__ == gd.__name__} == set(EXPECTED)


def test_slide_headings_as_written():
    slides = {verify.get(i).slide for i in EXPECTED}
    assert slides == {gd.SLIDE_GD, gd.SLIDE_CONV, gd.SLIDE_CONT}
    assert gd.SLIDE_CONT == "Gradient Descent Converges (continued)"


# ----------------------------------------------------------------------------- the gap in line 2
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
    assert not check.holds  # no rational witness: s irrational
    assert check.counterexample is None
    same = provers.implies([s >= 0, s <= 1, sp.Eq(s, R(1, 2))], sp.Ne(1 + s**2, R(5, 4)))
    assert not same.holds
    assert same.counterexample == {"s": R(1, 2)}


def test_line2_repair_is_proved():
    out = verify.run("gd.line2")
    assert "averaged" in out.gap or "mean value" in out.gap
    assert r"\bar H_t" in out.correction
    assert all(c.holds for c in gd.averaged_hessian_checks())
    assert all(c.holds for c in gd.mean_value_counterexample()[0])


def test_optimum_gap_counterexample_has_no_minimiser():
    x = sp.Symbol("x", real=True)
    f = sp.log(1 + sp.exp(x))
    assert sp.solve(sp.Eq(sp.diff(f, x), 0), x) == []
    assert sp.limit(sp.diff(f, x, 2), x, 0) == R(1, 4)  # the largest value of f''
    out = verify.run("gd.optimum")
    assert "mu > 0" in out.gap
    assert "x^*" in out.correction


# ----------------------------------------------------------------------------- bounds and steps
def _contraction(alpha, mu, L):
    return max(abs(1 - alpha * mu), abs(1 - alpha * L))


@given(
    mu=st.fractions(Fraction(1, 100), 10, max_denominator=1000),
    dL=st.fractions(0, 10, max_denominator=1000),
    alpha=st.fractions(-1, 10, max_denominator=1000),
    t=st.fractions(0, 1, max_denominator=1000),
)
@example(mu=Fraction(1), dL=Fraction(0), alpha=Fraction(1), t=Fraction(1, 2))  # mu = L
@example(mu=Fraction(1), dL=Fraction(3), alpha=Fraction(1, 2), t=Fraction(1))  # alpha = 2/(L+mu)
def test_eigenvalue_bound_and_optimal_step_exactly(mu, dL, alpha, t):
    L = mu + dL
    lam = mu + t * dL
    assert abs(1 - alpha * lam) <= _contraction(alpha, mu, L)
    best = Fraction(2) / (L + mu)
    assert _contraction(best, mu, L) == (L - mu) / (L + mu) <= _contraction(alpha, mu, L)


def test_step_rate_is_attained_by_a_quadratic():
    # f = (mu w1^2 + L w2^2)/2 with mu = 1, L = 3, alpha = 1/2: both axes contract by exactly 1/2.
    H = sp.diag(1, 3)
    step = sp.eye(2) - R(1, 2) * H
    assert [abs(step[k, k]) for k in range(2)] == [R(1, 2), R(1, 2)] == [R(3 - 1, 3 + 1)] * 2


def test_a_wrong_rate_is_rejected():
    mu, L = gd.mu, gd.L
    wrong = gd.eigenvalue_bound((L - mu) / (L + 2 * mu), step=2 / (L + mu))
    assert not wrong.holds
    assert wrong.counterexample is not None
    assert gd.eigenvalue_bound((L - mu) / (L + mu), step=2 / (L + mu)).holds


def test_a_better_step_than_two_over_l_plus_mu_is_rejected():
    mu, L, a, m = gd.mu, gd.L, gd.alpha, sp.Symbol("m", real=True)
    facts = [m >= sp.Abs(1 - a * mu), m >= sp.Abs(1 - a * L)]
    # Claiming some step does better than (L - mu)/(L + mu) is refuted for mu < L.
    check = provers.implies(
        facts, m >= (L - mu) / (L + mu) + R(1, 100), assumptions=[mu > 0, L > mu]
    )
    assert not check.holds


def test_wrong_recursion_step_is_rejected():
    e0, e, e1, P, rho = sp.symbols("e0 e e1 P rho", real=True)
    # Without rho >= 0 the induction step is false (multiplying e <= P e0 by a negative rho).
    check = provers.implies([e1 <= rho * e, e <= P * e0, e >= 0], e1 <= rho * P * e0)
    assert not check.holds
    assert check.counterexample["rho"] < 0


def test_wrong_distributivity_is_rejected():
    w, ws, g, gs, a = sp.symbols("w w_star g g_star alpha", real=True)
    check = provers.identity((w - a * g) - ws, w - ws - a * (g + gs), assumptions=[sp.Ne(gs, 0)])
    assert not check.holds
    assert check.counterexample is not None


def test_linear_rate_needs_mu_positive():
    assert gd._RHO.subs({gd.mu: 0}) == 1
    assert gd._RHO.subs({gd.mu: 1, gd.L: 3}) == R(1, 2)

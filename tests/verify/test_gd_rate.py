"""Slide "Gradient Descent Converges (continued)": step size 2/(L + mu) and the linear rate."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

import verify
from verify import gd_rate
from verify import gradient_descent as gd
from verify import provers

EXPECTED = {
    "gd.recursion": "true",
}
R = sp.Rational


@pytest.mark.parametrize(("claim_id", "expected"), EXPECTED.items())
def test_verdict(claim_id, expected):
    claim = verify.get(claim_id)
    assert claim.recorded == expected
    assert verify.run(claim).verdict == expected


def test_table_covers_the_module():
    assert {c.id for c in _hand_written() if c.check.__module__ == gd_rate.__name__} == set(
        EXPECTED
    )


def test_slide_headings_as_written():
    assert {verify.get(i).slide for i in EXPECTED} == {gd.SLIDE_CONT}


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


def test_linear_rate_needs_mu_positive():
    assert gd_rate.RHO.subs({gd.mu: 0}) == 1
    assert gd_rate.RHO.subs({gd.mu: 1, gd.L: 3}) == R(1, 2)


def _hand_written():
    """Claims still judged by a check function (not yet read from the lecture data)."""
    return [c for c in verify.all_claims() if hasattr(c, "check")]

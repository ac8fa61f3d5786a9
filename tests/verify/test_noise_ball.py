"""Third "Stochastic Gradient Descent Convergence" slide: the noise ball."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

import verify
from verify import provers
from verify.rule import Unrepaired
from verify._sgd_common import path_distribution

FRAC = {"max_denominator": 200}
M, mu, alpha = sp.symbols("M mu alpha", real=True)
IDS = ("sgd.noise-ball.fixed-point", "sgd.noise-ball.convergence", "sgd.noise-ball.limit",
       "sgd.noise-ball.tight")


def test_claims_keep_the_slide_heading():
    assert {verify.get(i).slide for i in IDS} == {"Stochastic Gradient Descent Convergence"}


def test_the_data_claim_rejects_a_wrong_fixed_point():
    claim = verify.get("sgd.noise-ball.fixed-point")
    ball, smaller = r"\frac{\alpha M}{2\mu - \alpha\mu^2}", r"\frac{\alpha M}{2\mu}"
    wrong = claim.statement.replace(ball, smaller)
    assert wrong != claim.statement
    with pytest.raises(Unrepaired):
        verify.judge(dataclasses.replace(claim, statement=wrong))


def test_fixed_point_accepts_the_slide_and_rejects_a_wrong_one():
    b, a = sp.Symbol("b", real=True), alpha
    update = (1 - a * mu) ** 2 * b + a**2 * M
    assumptions = [mu > 0, a > 0, a * mu < 2]
    assert provers.fixed_point(
        update, b, a * M / (2 * mu - a * mu**2), assumptions=assumptions
    ).holds
    wrong = provers.fixed_point(update, b, a * M / (2 * mu), assumptions=[*assumptions, M > 0])
    assert not wrong.holds
    assert wrong.counterexample is not None


@given(
    mu=st.fractions(Fraction(1, 10), 3, **FRAC),
    s=st.fractions(Fraction(1, 100), Fraction(99, 100), **FRAC),
    M=st.fractions(0, 5, **FRAC),
    b0=st.fractions(0, 10, **FRAC),
)
@example(mu=Fraction(1), s=Fraction(1, 2), M=Fraction(0), b0=Fraction(3))  # M = 0: GD, ball = {w*}
def test_comparison_recursion_closed_form_and_contraction(mu, s, M, b0):
    alpha = 2 * s / mu  # 0 < alpha < 2/mu
    star = alpha * M / (2 * mu - alpha * mu**2)
    rho = (1 - alpha * mu) ** 2
    assert 0 <= rho < 1
    b = b0
    for t in range(1, 6):
        b = rho * b + alpha**2 * M
        assert b - star == rho**t * (b0 - star)
    if M == 0:
        assert star == 0


def test_noise_ball_is_attained_by_exact_enumeration():
    # f(w; x) = mu (w - x)^2 / 2, x = +-sigma: E[w_t^2] = b*(1 - rho^t) exactly.
    mu, sigma, alpha = Fraction(1), Fraction(1), Fraction(1, 2)
    laws = path_distribution(
        lambda w, x: mu * (w - x), (sigma, -sigma), step=alpha, w0=Fraction(0), steps=6
    )
    star = alpha * mu**2 * sigma**2 / (2 * mu - alpha * mu**2)
    rho = (1 - alpha * mu) ** 2
    for t, law in enumerate(laws):
        assert sum(p * w * w for w, p in law.items()) == star * (1 - rho**t)


def test_limit_gap_names_the_missing_existence_of_the_limit():
    out = verify.run("sgd.noise-ball.limit")
    assert r"\text{ exists}" in out.correction
    assert "no limit" in out.counterexample



def test_tight_is_a_gap_repaired_by_the_exact_example():
    out = verify.judge(verify.get("sgd.noise-ball.tight"))
    assert out.verdict == "gap" and "x_t = 0" in out.counterexample
    assert "tight noise ball" in out.method

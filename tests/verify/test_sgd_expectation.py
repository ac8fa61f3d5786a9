"""Slide "Stochastic Gradient Descent": unbiasedness, cost, the mean recursion."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import verify
from verify import sgd_expectation as se

EXPECTED = {
    "sgd.unbiased": "true",
    "sgd.step-cost": "true",
}
R = sp.Rational
FRAC = {"max_denominator": 200}


@pytest.mark.parametrize(("claim_id", "expected"), EXPECTED.items())
def test_verdict(claim_id, expected):
    claim = verify.get(claim_id)
    assert claim.recorded == expected
    assert verify.run(claim).verdict == expected


def test_table_covers_the_module():
    assert {c.id for c in _hand_written() if c.check.__module__ == se.__name__} == set(EXPECTED)


def test_claims_keep_the_slide_heading():
    assert {verify.get(i).slide for i in EXPECTED} == {"Stochastic Gradient Descent"}


def _example_laws():
    return se.path_distribution(
        lambda w, x: se.phi_prime(w - x), (0, 1), step=R(1, 2), w0=sp.Integer(0), steps=2
    )


def test_expectation_line2_counterexample_by_exact_substitution():
    laws = _example_laws()
    assert laws[1] == {0: R(1, 2), R(2, 3): R(1, 2)}
    lhs = sum(p * w for w, p in laws[2].items())
    assert lhs == R(145, 324)
    mean1 = sum(p * w for w, p in laws[1].items())
    grad_h = {w: (se.phi_prime(w) + se.phi_prime(w - 1)) / 2 for w in laws[1]}
    rhs = {mean1 - R(1, 2) * g for g in grad_h.values()}
    assert rhs == {R(2, 3), R(37, 162)}
    assert lhs not in rhs
    # The correction: E[w_2] = E[w_1] - alpha E[grad h(w_1)].
    assert lhs == mean1 - R(1, 2) * sum(laws[1][w] * g for w, g in grad_h.items())


def test_gd_path_counterexample_by_exact_substitution():
    w = sp.Integer(0)
    for _ in range(2):
        w = w - R(1, 2) * (se.phi_prime(w) + se.phi_prime(w - 1)) / 2
    assert w == R(71, 162) != sum(p * v for v, p in _example_laws()[2].items())


@given(
    a=st.fractions(Fraction(1, 10), 3, **FRAC),
    data=st.lists(st.fractions(-3, 3, **FRAC), min_size=1, max_size=3),
    step=st.fractions(Fraction(1, 100), Fraction(1, 2), **FRAC),
    steps=st.integers(0, 3),
)
def test_corrected_statement_affine_gradients_follow_gd(a, data, step, steps):
    # f(w; x) = a (w - x)^2 / 2: grad h is affine, so E[w_t] is exactly the GD iterate.
    laws = se.path_distribution(
        lambda w, x: a * (w - x), data, step=step, w0=Fraction(0), steps=steps
    )
    w = Fraction(0)
    for law in laws:
        assert sum(p * v for v, p in law.items()) == w
        w = w - step * sum(a * (w - x) for x in data) / len(data)


def test_path_distribution_rejects_negative_steps():
    with pytest.raises(ValueError, match="steps"):
        se.path_distribution(lambda w, x: w, [0], step=1, w0=0, steps=-1)


def _hand_written():
    """Claims still judged by a check function (not yet read from the lecture data)."""
    return [c for c in verify.all_claims() if hasattr(c, "check")]

"""Second "Stochastic Gradient Descent Convergence" slide: the step-size condition, and the facts
the second-moment chain rests on (the chain itself is judged from the slide's text, see
tests/verify/test_data_claims.py)."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

import verify
from verify import provers
from verify.sgd_expectation import phi_prime
from verify import sgd_second_moment as sm

EXPECTED = {
    "sgd.second-moment.small-alpha": "true",
}
FRAC = {"max_denominator": 200}


@pytest.mark.parametrize(("claim_id", "expected"), EXPECTED.items())
def test_verdict(claim_id, expected):
    claim = verify.get(claim_id)
    assert claim.recorded == expected
    assert verify.run(claim).verdict == expected


def test_table_covers_the_module():
    assert {c.id for c in _hand_written() if c.check.__module__ == sm.__name__} == set(EXPECTED)


def test_claims_keep_the_slide_heading():
    assert {verify.get(i).slide for i in EXPECTED} == {"Stochastic Gradient Descent Convergence"}


@given(
    pairs=st.lists(
        st.tuples(st.fractions(-5, 5, **FRAC), st.fractions(-5, 5, **FRAC)), min_size=1, max_size=4
    ),
    alpha=st.fractions(0, 2, **FRAC),
)
def test_corrected_expansion_holds_for_any_law(pairs, alpha):
    n = len(pairs)
    lhs = sum((x - alpha * y) ** 2 for x, y in pairs) / n
    rhs = sum(x * x for x, _ in pairs) / n - 2 * alpha * sum(x * y for x, y in pairs) / n
    assert lhs == rhs + alpha**2 * sum(y * y for _, y in pairs) / n


@given(
    data=st.lists(st.fractions(-2, 2, **FRAC), min_size=1, max_size=5),
    w=st.fractions(-2, 2, **FRAC),
)
def test_noise_has_mean_zero_for_uniform_sampling(data, w):
    grads = [phi_prime(sp.Rational(w - x)) for x in data]
    mean = sum(grads) / len(grads)
    assert sum(g - mean for g in grads) == 0


@given(
    mu=st.fractions(Fraction(1, 10), 5, **FRAC),
    dL=st.fractions(0, 5, **FRAC),
    alpha=st.fractions(Fraction(1, 200), 5, **FRAC),
)
@example(mu=Fraction(1), dL=Fraction(2), alpha=Fraction(1, 2))  # alpha = 2/(L + mu)
@example(mu=Fraction(1), dL=Fraction(0), alpha=Fraction(3))  # mu = L: any alpha
def test_exact_step_condition(mu, dL, alpha):
    L = mu + dL
    holds = (1 - alpha * L) ** 2 <= (1 - alpha * mu) ** 2
    assert holds == (mu == L or alpha * (L + mu) <= 2)


def test_a_wrong_step_condition_is_rejected():
    # alpha <= 2/L is not enough for (1 - alpha lam)^2 <= (1 - alpha mu)^2 on [mu, L].
    mu, L, a, lam = sm.mu, sm.L, sm.alpha, sm.lam
    check = provers.implies(
        [lam >= mu, lam <= L, a > 0, a * L <= 2],
        (1 - a * lam) ** 2 <= (1 - a * mu) ** 2,
        assumptions=[mu > 0, L >= mu],
    )
    assert not check.holds
    assert check.counterexample is not None


def _hand_written():
    """Claims still judged by a check function (not yet read from the lecture data)."""
    return [c for c in verify.all_claims() if hasattr(c, "check")]

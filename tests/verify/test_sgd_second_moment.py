"""Second "Stochastic Gradient Descent Convergence" slide: the step-size condition, and the facts
the second-moment chain rests on (the claims are judged from the slide's text, see
tests/verify/test_data_claims.py)."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

import verify
from verify import provers
from verify._sgd_common import phi_prime
from verify import gradient_descent as gd
from verify.rule import Unrepaired

FRAC = {"max_denominator": 200}


def test_the_step_condition_is_judged_from_its_text_and_rejects_a_wrong_one():
    claim = verify.get("sgd.second-moment.small-alpha")
    assert claim.restated and verify.judge(claim).verdict == "true"
    wrong = claim.statement.replace(r"\frac{2}{L + \mu}", r"\frac{2}{L}")
    assert wrong != claim.statement
    with pytest.raises(Unrepaired):  # alpha <= 2/L is not enough
        verify.judge(dataclasses.replace(claim, statement=wrong))


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
    mu, L, a, lam = gd.mu, gd.L, gd.alpha, gd.lam
    check = provers.implies(
        [lam >= mu, lam <= L, a > 0, a * L <= 2],
        (1 - a * lam) ** 2 <= (1 - a * mu) ** 2,
        assumptions=[mu > 0, L >= mu],
    )
    assert not check.holds
    assert check.counterexample is not None


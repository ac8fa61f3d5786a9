"""Slides "The Problem with Gradient Descent" and "Gradient Descent with More Data"."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

import verify
from verify import large_scale as ls
from verify import provers

EXPECTED = {
    "large-scale.gradient-average": "true",
    "large-scale.gradient-cost": "true",
    "large-scale.duplicated-gradient": "true",
    "large-scale.same-objective": "true",
    "large-scale.double-cost": "true",
}


@pytest.mark.parametrize(("claim_id", "expected"), EXPECTED.items())
def test_verdict(claim_id, expected):
    claim = verify.get(claim_id)
    assert claim.recorded == expected
    assert verify.run(claim).verdict == expected


def test_table_covers_the_module():
    assert {c.id for c in _hand_written() if c.check.__module__ == ls.__name__} == set(EXPECTED)


def _grad(w, x):
    return 4 * (w - x) ** 3  # f(w; x) = (w - x)^4


@given(
    data=st.lists(st.fractions(-5, 5, max_denominator=50), min_size=1, max_size=12),
    w=st.fractions(-5, 5, max_denominator=50),
)
@example(data=[Fraction(0)], w=Fraction(0))  # n = 1
def test_full_gradient_counts_and_duplicates_exactly(data, w):
    g, calls = ls.full_gradient(_grad, w, data)
    assert calls == len(data)
    assert g == sum(_grad(w, x) for x in data) / len(data)
    g2, calls2 = ls.full_gradient(_grad, w, data + data)
    assert g2 == g
    assert calls2 == 2 * len(data)
    g3, calls3 = ls.full_gradient(_grad, w, data + data, cache=True)
    assert g3 == g
    assert calls3 == len(set(data))


def test_duplicated_objective_matches_symbolically():
    w = sp.Symbol("w", real=True)
    xs = sp.symbols("x1:5", real=True)
    h = sum((w - x) ** 4 for x in xs) / 4
    h_dup = sum((w - x) ** 4 for x in xs + xs) / 8
    assert sp.expand(h - h_dup) == 0
    assert sp.expand(sp.diff(h_dup, w) - (sum(sp.diff((w - x) ** 4, w) for x in xs) / 8) * 2) == 0


def test_a_wrong_duplicated_gradient_is_rejected():
    # Forgetting the 1/2 (dividing the 2n-term sum by n) doubles the gradient (n = 3 examples).
    gs = sp.symbols("g1:4", real=True)
    check = provers.identity(sum(gs + gs) / 3, sum(gs) / 3)
    assert not check.holds
    point = {sp.Symbol(k, real=True): v for k, v in check.counterexample.items()}
    assert (sum(gs + gs) / 3 - sum(gs) / 3).xreplace(point) != 0


def test_empty_data_is_rejected():
    with pytest.raises(ValueError, match="data"):
        ls.full_gradient(_grad, 0, [])


def test_cost_outcome_states_theta_n():
    assert "Theta(n)" in verify.run("large-scale.gradient-cost").method


def _hand_written():
    """Claims still judged by a check function (not yet read from the lecture data)."""
    return [c for c in verify.all_claims() if hasattr(c, "check")]

"""Second-order examples: quadratic, exponential and the logistic slide, line by line."""

from __future__ import annotations

import pytest
import sympy as sp

import verify
from verify import derivatives as dv
from verify import provers

EXPECTED = {
    "quadratic.second-derivative": "true",
    "quadratic.second-derivative-nonneg": "true",
    "exp.second-derivative": "true",
    "exp.second-derivative-nonneg": "true",
    "logistic.first-derivative": "true",
    "logistic.first-derivative-rewrite": "true",
    "logistic.second-derivative": "true",
    "logistic.second-derivative-rewrite": "true",
    "logistic.second-derivative-nonneg": "true",
}


@pytest.mark.parametrize(("claim_id", "expected"), EXPECTED.items())
def test_verdict(claim_id, expected):
    claim = verify.get(claim_id)
    assert claim.recorded == expected
    assert verify.run(claim).verdict == expected


def test_table_covers_the_module():
    assert {c.id for c in verify.all_claims() if c.check.__module__ == dv.__name__} == set(EXPECTED)


@pytest.mark.parametrize(
    "wrong",
    [
        sp.exp(-dv.x) / (1 + sp.exp(-dv.x)),  # dropped square
        -sp.exp(-dv.x) / (1 + sp.exp(-dv.x)) ** 2,  # lost one minus sign
        1 / ((1 + sp.exp(dv.x)) ** 2),
    ],
)
def test_wrong_logistic_second_derivatives_are_rejected(wrong):
    check = provers.derivative(dv.LOGISTIC, dv.x, wrong, order=2)
    assert not check.holds
    x0 = check.counterexample["x"]
    assert sp.N((sp.diff(dv.LOGISTIC, dv.x, 2) - wrong).subs(dv.x, x0), 30) != 0


def test_logistic_second_derivative_peaks_at_one_quarter():
    assert dv.F2_B.subs(dv.x, 0) == sp.Rational(1, 4)

"""Slides "Properties of convex functions" (and continued) and the alternative definitions."""

from __future__ import annotations

import pytest
import sympy as sp

import verify
from verify import conditions as cd
from verify import provers

EXPECTED = {
    "properties.segment-above": "true",
    "properties.local-global": "true",
    "properties.nonnegative-combination": "true",
    "properties.affine": "true",
    "properties.composition": "true",
    "conditions.first-order": "gap",
    "conditions.second-order": "gap",
    "conditions.psd": "true",
}


@pytest.mark.parametrize(("claim_id", "expected"), EXPECTED.items())
def test_verdict(claim_id, expected):
    claim = verify.get(claim_id)
    assert claim.recorded == expected
    assert verify.run(claim).verdict == expected


def test_table_covers_the_module():
    assert {c.id for c in verify.all_claims() if c.check.__module__ == cd.__name__} == set(EXPECTED)


def test_composition_counterexample_is_exact():
    x = sp.Symbol("x", real=True)
    f = lambda u: (u - 1) ** 2  # noqa: E731
    h = f(x**2)
    assert sp.diff(f(x), x, 2) == 2
    assert sp.diff(x**2, x, 2) == 2
    assert h.subs(x, 0) > (h.subs(x, 1) + h.subs(x, -1)) / 2
    assert sp.diff(h, x, 2).subs(x, 0) == -4


def test_first_order_gap_is_differentiability():
    out = verify.run("conditions.first-order")
    assert "differentiable" in out.gap
    assert "|x|" in out.counterexample


def test_psd_quadratic_form_sees_only_the_symmetric_part():
    x, y = sp.symbols("x y", real=True)
    v = sp.Matrix([x, y])
    rotation = sp.Matrix([[0, 1], [-1, 0]])
    assert provers.identity((v.T * rotation * v)[0], sp.Integer(0)).holds
    assert set(rotation.eigenvals()) == {sp.I, -sp.I}


def test_negative_combination_is_rejected():
    x, y, a = sp.symbols("x y alpha", real=True)
    h = -(x**2)
    check = provers.inequality(
        h.subs(x, a * x + (1 - a) * y),
        "<=",
        a * h + (1 - a) * h.subs(x, y),
        assumptions=(a >= 0, a <= 1),
    )
    assert not check.holds

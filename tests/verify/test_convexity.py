"""Slides "Convex Functions" and the quadratic, abs and exponential examples, line by line."""

from __future__ import annotations

import pytest
import sympy as sp

import verify
from verify import convexity as cv
from verify import provers

EXPECTED = {
    "types.linear-regression": "true",
    "types.logistic-regression": "true",
    "types.svm": "true",
    "convexity.definition-symmetry": "true",
    "quadratic.line1": "true",
    "quadratic.line2": "false",
    "quadratic.line3": "true",
    "quadratic.proof": "gap",
    "abs.line1": "true",
    "abs.line2": "true",
    "abs.proof": "true",
    "exp.line1": "true",
    "exp.line1-series": "true",
    "exp.line2": "true",
    "exp.line3": "true",
    "exp.line4": "true",
    "exp.proof": "gap",
}


@pytest.mark.parametrize(("claim_id", "expected"), EXPECTED.items())
def test_verdict(claim_id, expected):
    claim = verify.get(claim_id)
    assert claim.recorded == expected
    assert verify.run(claim).verdict == expected


def test_table_covers_the_module():
    assert {c.id for c in verify.all_claims() if c.check.__module__ == cv.__name__} == set(EXPECTED)


def _point(text: str) -> dict:
    """Parse ``"alpha = 1/2, x = 1"`` back into exact SymPy values by symbol name."""
    return {k.strip(): sp.Rational(v.strip()) for k, v in (kv.split("=") for kv in text.split(","))}


def test_quadratic_line2_counterexample_reproduces_exactly():
    out = verify.run("quadratic.line2")
    point = _point(out.counterexample)
    subs = {s: point[s.name] for s in (cv.a, cv.x, cv.y)}
    assert (cv.QUAD_L1 - cv.QUAD_L2).xreplace(subs) != 0
    assert "(x - y)^2" in out.correction


def test_quadratic_line2_is_off_by_the_cross_term_only():
    # The slide's line 2 differs from line 1 by exactly -4 alpha (1 - alpha) x y.
    assert provers.identity(cv.QUAD_L2 - cv.QUAD_L1, -4 * cv.a * (1 - cv.a) * cv.x * cv.y).holds
    assert (cv.QUAD_L1 - cv.QUAD_L2).subs({cv.a: sp.Rational(1, 2), cv.x: 1, cv.y: 1}) == 1


def test_abs_line2_needs_alpha_in_unit_interval():
    check = provers.identity(cv.ABS_L1, cv.ABS_L2, assumptions=(cv.a > 1,))
    assert not check.holds
    assert check.counterexample["alpha"] > 1


def test_exp_gap_names_the_missing_case():
    out = verify.run("exp.proof")
    assert "x < y" in out.gap
    assert "x = y" in out.gap


def test_exp_termwise_bound_fails_for_x_below_y():
    # The termwise step alpha^n (x - y)^n <= alpha (x - y)^n is what breaks for x < y (odd n).
    t = cv.x - cv.y
    check = provers.inequality(
        cv.a**3 * t**3, "<=", cv.a * t**3, assumptions=(*cv.UNIT, cv.x < cv.y)
    )
    assert not check.holds
    assert provers.inequality(
        cv.a**3 * t**3, "<=", cv.a * t**3, assumptions=(*cv.UNIT, cv.x > cv.y)
    ).holds

"""Slide "Example: Quadratic", line by line."""

from __future__ import annotations

import pytest
import sympy as sp

import verify
from verify import example_quadratic as eq
from verify import provers
from verify.convexity import a, x, y

EXPECTED = {
    "quadratic.line1": "true",
    "quadratic.line2": "false",
    "quadratic.line3": "true",
    "quadratic.proof": "gap",
}


@pytest.mark.parametrize(("claim_id", "expected"), EXPECTED.items())
def test_verdict(claim_id, expected):
    claim = verify.get(claim_id)
    assert claim.recorded == expected
    assert verify.run(claim).verdict == expected


def test_table_covers_the_module():
    assert {c.id for c in verify.all_claims() if c.check.__module__ == eq.__name__} == set(EXPECTED)


def _point(text: str) -> dict:
    """Parse ``"alpha = 1/2, x = 1"`` back into exact SymPy values by symbol name."""
    return {k.strip(): sp.Rational(v.strip()) for k, v in (kv.split("=") for kv in text.split(","))}


def test_quadratic_line2_counterexample_reproduces_exactly():
    out = verify.run("quadratic.line2")
    point = _point(out.counterexample)
    subs = {s: point[s.name] for s in (a, x, y)}
    assert (eq.QUAD_L1 - eq.QUAD_L2).xreplace(subs) != 0
    assert "(x - y)^2" in out.correction


def test_quadratic_line2_is_off_by_the_cross_term_only():
    # The slide's line 2 differs from line 1 by exactly -4 alpha (1 - alpha) x y.
    assert provers.identity(eq.QUAD_L2 - eq.QUAD_L1, -4 * a * (1 - a) * x * y).holds
    assert (eq.QUAD_L1 - eq.QUAD_L2).subs({a: sp.Rational(1, 2), x: 1, y: 1}) == 1

"""Slide "Gradient Descent Converges (continued)": the contraction chain, line by line."""

from __future__ import annotations

import pytest
import sympy as sp

import verify
from verify import gd_contraction as gc
from verify import provers
from verify.gradient_descent import SLIDE_CONT

EXPECTED = {
    "gd.line1": "true",
    "gd.line2": "gap",
    "gd.line3": "true",
    "gd.norm-product": "true",
    "gd.norm-bound": "true",
}
R = sp.Rational


@pytest.mark.parametrize(("claim_id", "expected"), EXPECTED.items())
def test_verdict(claim_id, expected):
    claim = verify.get(claim_id)
    assert claim.recorded == expected
    assert verify.run(claim).verdict == expected


def test_table_covers_the_module():
    assert {c.id for c in verify.all_claims() if c.check.__module__ == gc.__name__} == set(EXPECTED)


def test_slide_headings_as_written():
    assert SLIDE_CONT == "Gradient Descent Converges (continued)"
    assert {verify.get(i).slide for i in EXPECTED} == {SLIDE_CONT}


def test_line2_repair_is_proved():
    out = verify.run("gd.line2")
    assert "averaged" in out.gap or "mean value" in out.gap
    assert r"\bar H_t" in out.correction


def test_wrong_distributivity_is_rejected():
    w, ws, g, gs, a = sp.symbols("w w_star g g_star alpha", real=True)
    check = provers.identity((w - a * g) - ws, w - ws - a * (g + gs), assumptions=[sp.Ne(gs, 0)])
    assert not check.holds
    assert check.counterexample is not None

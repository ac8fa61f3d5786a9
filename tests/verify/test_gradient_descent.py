"""Slides "Gradient Descent" and "Gradient Descent Converges": the update and the setting."""

from __future__ import annotations

import pytest
import sympy as sp

import verify
from verify import gradient_descent as gd
from verify import lecture, records
from verify.claims import UndecidedError

EXPECTED = {
    "gd.optimum": "gap",
}
R = sp.Rational


@pytest.mark.parametrize(("claim_id", "expected"), EXPECTED.items())
def test_verdict(claim_id, expected):
    claim = verify.get(claim_id)
    assert claim.recorded == expected
    assert verify.run(claim).verdict == expected


def test_table_covers_the_module():
    assert {c.id for c in _hand_written() if c.check.__module__ == gd.__name__} == set(EXPECTED)


def test_slide_headings_as_written():
    assert gd.SLIDE_CONV == "Gradient Descent Converges"
    assert {verify.get(i).slide for i in EXPECTED} == {gd.SLIDE_CONV}
    assert f"# {gd.SLIDE_CONV}\n" in lecture.lecture_text()


def test_optimum_gap_counterexample_has_no_minimiser():
    x = sp.Symbol("x", real=True)
    f = sp.log(1 + sp.exp(x))
    assert sp.solve(sp.Eq(sp.diff(f, x), 0), x) == []
    assert sp.limit(sp.diff(f, x, 2), x, 0) == R(1, 4)  # the largest value of f''
    out = verify.run("gd.optimum")
    assert "mu > 0" in out.gap
    assert "x^*" in out.correction


def _hand_written():
    """Claims still judged by a check function (not yet read from the lecture data)."""
    return [c for c in verify.all_claims() if hasattr(c, "check")]


def test_the_record_says_why_the_optimum_is_not_parsed():
    rec = records.provenance(verify.get("gd.optimum"))
    assert rec["parsed"] is False
    assert "existence" in rec["parse_error"] and "quantifier" in rec["parse_error"]


def test_the_optimum_verdict_follows_its_evidence(monkeypatch):
    # If the logistic counterexample were not established, there would be no verdict at all.
    real = gd.provers.inequality

    def weakened(lhs, op, rhs, **kw):
        if op == ">":  # ask for f' > 1 instead of f' > 0: false for the logistic loss
            return real(lhs, op, 1, **kw)
        return real(lhs, op, rhs, **kw)

    monkeypatch.setattr(gd.provers, "inequality", weakened)
    with pytest.raises(UndecidedError, match="mu = 0"):
        verify.run("gd.optimum")

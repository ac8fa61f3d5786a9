"""Slide "Example: Abs", line by line."""

from __future__ import annotations

import pytest

import verify
from verify import example_abs as ea
from verify import provers
from verify.convexity import a

EXPECTED = {
    "abs.line1": "true",
    "abs.line2": "true",
    "abs.proof": "true",
}


@pytest.mark.parametrize(("claim_id", "expected"), EXPECTED.items())
def test_verdict(claim_id, expected):
    claim = verify.get(claim_id)
    assert claim.recorded == expected
    assert verify.run(claim).verdict == expected


def test_table_covers_the_module():
    assert {c.id for c in _hand_written() if c.check.__module__ == ea.__name__} == set(EXPECTED)


def test_abs_line2_needs_alpha_in_unit_interval():
    check = provers.identity(ea.ABS_L1, ea.ABS_L2, assumptions=(a > 1,))
    assert not check.holds
    assert check.counterexample["alpha"] > 1


def _hand_written():
    """Claims still judged by a check function (not yet read from the lecture data)."""
    return [c for c in verify.all_claims() if hasattr(c, "check")]

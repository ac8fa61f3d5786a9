"""Slides "Types of Optimization" and "Convex Functions"."""

from __future__ import annotations

import pytest

import verify
from verify import convexity as cv

EXPECTED = {
    "convexity.definition-symmetry": "true",
}


@pytest.mark.parametrize(("claim_id", "expected"), EXPECTED.items())
def test_verdict(claim_id, expected):
    claim = verify.get(claim_id)
    assert claim.recorded == expected
    assert verify.run(claim).verdict == expected


def test_table_covers_the_module():
    assert {c.id for c in _hand_written() if c.check.__module__ == cv.__name__} == set(EXPECTED)


def _hand_written():
    """Claims still judged by a check function (not yet read from the lecture data)."""
    return [c for c in verify.all_claims() if hasattr(c, "check")]

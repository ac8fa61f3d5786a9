"""First "Stochastic Gradient Descent Convergence" slide: the one-step decomposition."""

from __future__ import annotations

import pytest

import verify
from verify import sgd_decomposition

EXPECTED = {
    "sgd.decomposition.line1": "true",
    "sgd.decomposition.line2": "gap",
}


@pytest.mark.parametrize(("claim_id", "expected"), EXPECTED.items())
def test_verdict(claim_id, expected):
    claim = verify.get(claim_id)
    assert claim.recorded == expected
    assert verify.run(claim).verdict == expected


def test_table_covers_the_module():
    assert {
        c.id for c in _hand_written() if c.check.__module__ == sgd_decomposition.__name__
    } == set(EXPECTED)


def test_claims_keep_the_slide_heading():
    assert {verify.get(i).slide for i in EXPECTED} == {"Stochastic Gradient Descent Convergence"}


def _hand_written():
    """Claims still judged by a check function (not yet read from the lecture data)."""
    return [c for c in verify.all_claims() if hasattr(c, "check")]

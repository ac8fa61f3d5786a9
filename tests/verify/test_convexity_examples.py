"""The convexity examples judged from the slides' text ("Example: Abs", "Example: Exponential",
"Types of Optimization", "Convex Functions"): what each link needs, and what a wrong text gives."""

from __future__ import annotations

import dataclasses

import pytest

import verify
from verify import lecture
from verify.judge import judge
from verify.rule import Unrepaired


def _without_hypotheses(claim_id):
    return dataclasses.replace(verify.get(claim_id), hypotheses=())


def test_abs_claims_are_read_from_the_slide():
    for claim_id in ("abs.line1", "abs.line2", "abs.proof"):
        claim = verify.get(claim_id)
        assert isinstance(claim, lecture.Claim) and claim.source.block == "chain"


def test_the_triangle_inequality_needs_no_restriction_on_alpha():
    assert judge(_without_hypotheses("abs.line1")).verdict == "true"


@pytest.mark.parametrize("claim_id", ["abs.line2", "abs.proof"])
def test_abs_homogeneity_needs_alpha_in_the_unit_interval(claim_id):
    with pytest.raises(Unrepaired, match="alpha = (2|-1)"):
        judge(_without_hypotheses(claim_id))


def test_abs_line2_with_a_wrong_coefficient_is_refuted():
    claim = verify.get("abs.line2")
    with pytest.raises(Unrepaired):
        judge(dataclasses.replace(claim, statement=claim.statement.replace(
            r"= \alpha|x|", r"= 2\alpha|x|")))

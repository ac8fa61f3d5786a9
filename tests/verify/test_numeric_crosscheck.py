"""Independent numerical cross-checks of every registered claim (mpmath, 50 digits).

For each claim with a NumericCheck: a true (or gap) claim's predicate, written directly in mpmath,
must hold at every hypothesis-drawn point of its domain and at the corners of the domain box; a
false claim's predicate must fail at its recorded counterexample, which must lie in the domain.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import verify
from verify.numeric import NumericCheck, evaluate, in_domain

CHECKED = [c for c in verify.all_claims() if c.numeric is not None]
# Each of the ~80 claims gets its own search; capping each at 30 examples (or the profile's count
# if lower) keeps the whole cross-check within the CI time budget.
EXAMPLES = min(30, settings.default.max_examples)
HOLDS = [c for c in CHECKED if c.numeric.expect == "holds"]
FAILS = [c for c in CHECKED if c.numeric.expect == "fails"]


def _frac(v) -> Fraction:
    return Fraction(str(v)) if not isinstance(v, Fraction) else v


def _points(check: NumericCheck):
    return st.fixed_dictionaries(
        {
            name: st.fractions(_frac(lo), _frac(hi), max_denominator=10**6)
            for name, (lo, hi) in check.variables.items()
        }
    )


CORE_TOPICS = (
    "verify.convexity",
    "verify.example_quadratic",
    "verify.example_abs",
    "verify.example_exponential",
    "verify.properties",
    "verify.conditions",
    "verify.derivatives",
    "verify.strong_convexity",
)


def test_every_convexity_claim_has_a_numeric_cross_check():
    missing = [
        c.id for c in verify.all_claims() if c.check.__module__ in CORE_TOPICS and c.numeric is None
    ]
    assert not missing


@pytest.mark.parametrize("claim", HOLDS, ids=lambda c: c.id)
def test_true_claims_hold_at_random_points(claim):
    @settings(max_examples=EXAMPLES)
    @given(_points(claim.numeric))
    def run(point):
        assume(in_domain(claim.numeric, point))
        assert evaluate(claim.numeric, point), f"{claim.id} fails numerically at {point}"

    run()


@pytest.mark.parametrize("claim", HOLDS, ids=lambda c: c.id)
def test_true_claims_hold_at_box_corners(claim):
    names = list(claim.numeric.variables)
    for corner in itertools.product(*(claim.numeric.variables[n] for n in names)):
        point = {n: _frac(v) for n, v in zip(names, corner, strict=True)}
        if in_domain(claim.numeric, point):
            assert evaluate(claim.numeric, point), f"{claim.id} fails numerically at {point}"


@pytest.mark.parametrize("claim", FAILS, ids=lambda c: c.id)
def test_false_claims_counterexamples_reproduce(claim):
    check = claim.numeric
    point = {k: _frac(v) for k, v in check.counterexample.items()}
    for name, (lo, hi) in check.variables.items():
        assert _frac(lo) <= point[name] <= _frac(hi)
    assert in_domain(check, point)
    assert not evaluate(check, point)
    assert claim.recorded == "false"
    assert verify.run(claim).verdict == "false"


def test_a_wrong_statement_is_caught_numerically():
    # Quadratic line 2 as written, wrongly declared to hold: the harness must find it false.
    check = verify.get("quadratic.line2").numeric
    wrong = NumericCheck(check.variables, check.predicate)
    assert not evaluate(wrong, {"alpha": Fraction(1, 2), "x": 1, "y": 1})
    assert evaluate(wrong, {"alpha": Fraction(1, 2), "x": 1, "y": 0})  # holds where xy = 0

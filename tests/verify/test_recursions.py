r"""Bounds on the limit of a sequence bounded by a linear recursion (verify.recursions), and the
numeric cross-check of such bounds and of equivalences."""

from __future__ import annotations

import dataclasses

import pytest

import verify
from verify import crosscheck, library, recursions, strategies
from verify import terms as t
from verify.instances import Undecided
from verify.judge import JudgeError
from verify.parse import parse
from verify.rule import Unrepaired

LIMIT = verify.get("sgd.noise-ball.limit")
SMALLER = r"\frac{\alpha M}{3\mu - \alpha\mu^2}"
BALL = r"\frac{\alpha M}{2\mu - \alpha\mu^2}"


def _with(claim, **changes):
    return dataclasses.replace(claim, **changes)


def _problem(claim, *, added=False):
    hyps = claim.hypotheses + (tuple(a.statement for a in claim.hypotheses_added) if added else ())
    return strategies.problem(claim.symbols, claim.definitions, hyps, claim.statement)


def test_shift_reads_the_subscript_one_step_later():
    node = recursions.shift(parse(r"\|w_t - w^* - x_i\|^2 + t"), "t")
    assert t.latex(node) == r"\|w_{t + 1} - w^* - x_i\|^2 + t"


def test_lim_is_a_gap_limsup_is_true():
    judged = verify.judge(LIMIT)
    assert judged.verdict == "gap" and "0, c, 0, c" in judged.counterexample
    limsup = LIMIT.statement.replace(r"\lim_", r"\limsup_")
    assert verify.judge(_with(LIMIT, statement=limsup, hypotheses_added=())).verdict == "true"


def test_a_smaller_bound_is_refuted_by_the_constant_sequence():
    wrong = LIMIT.statement.replace(BALL, SMALLER)
    assert wrong != LIMIT.statement
    with pytest.raises(Unrepaired, match="constant sequence"):
        verify.judge(_with(LIMIT, statement=wrong))


def test_a_lower_bound_is_refuted_by_the_zero_sequence():
    wrong = LIMIT.statement.replace(r"\leq", r"\geq")
    with pytest.raises(Unrepaired, match="x_t = 0"):
        verify.judge(_with(LIMIT, statement=wrong))


def test_without_the_recursion_nothing_is_decided():
    with pytest.raises(JudgeError, match="no hypothesis"):
        verify.judge(_with(LIMIT, hypotheses=LIMIT.hypotheses[1:]))


def test_a_contraction_factor_that_may_reach_one_is_not_a_proof():
    unbounded = tuple(h for h in LIMIT.hypotheses if "frac{2}{L" not in h and "mu > 0" not in h)
    with pytest.raises(Undecided, match="rho < 1"):
        strategies.evidence(_problem(_with(LIMIT, hypotheses=unbounded)))


def test_a_factor_that_can_be_one_is_not_a_contraction():
    weak = tuple(r"\mu \geq 0" if h == r"\mu > 0" else h for h in LIMIT.hypotheses)
    assert weak != LIMIT.hypotheses  # mu = 0 allows rho = 1: no limit bound follows
    with pytest.raises(Undecided, match="rho < 1"):
        strategies.evidence(_problem(_with(LIMIT, hypotheses=weak)))


def test_a_lower_bound_that_zero_meets_is_not_refuted_by_the_zero_sequence():
    positive = LIMIT.statement.replace(r"\leq", r"\geq").replace(BALL, r"\frac{1}{2}")
    with pytest.raises(Unrepaired, match="x_t = 0"):
        verify.judge(_with(LIMIT, statement=positive))
    zero = LIMIT.statement.replace(r"\leq", r"\geq").replace(BALL, "0")
    with pytest.raises(Undecided, match="lower bound"):
        strategies.evidence(_problem(_with(LIMIT, statement=zero)))


def test_the_comparison_theorem_has_exact_checks():
    assert all(c.holds for c in library.theorem("linear recursive bound").results)


def _points(p):
    return [i for i in (crosscheck.sample(p, seed=s, d=1, n=2, tries=150) for s in range(6)) if i]


def test_the_cross_check_evaluates_the_limit_on_the_recursion():
    good = _problem(LIMIT, added=True)
    assert all(crosscheck.holds(good, inst) for inst in _points(good))
    bad = _problem(_with(LIMIT, statement=LIMIT.statement.replace(BALL, SMALLER)), added=True)
    points = _points(bad)
    assert points and not all(crosscheck.holds(bad, inst) for inst in points)


def test_the_cross_check_rejects_a_wrong_equivalence():
    claim = verify.get("sgd.second-moment.small-alpha")
    wrong = claim.statement.replace(r"\alpha \leq \frac", r"\alpha \geq \frac")
    assert wrong != claim.statement
    p = _problem(_with(claim, statement=wrong))
    points = _points(p)
    assert points and not all(crosscheck.holds(p, inst) for inst in points)

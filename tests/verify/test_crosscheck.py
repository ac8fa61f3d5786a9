"""The mpmath cross-check of every data claim evaluates its parsed statement (no transcription):
true claims (and gaps, with their added hypotheses) hold at exact points drawn inside their
hypotheses; false claims (and refuted gaps) fail at the judge's counterexample."""

from __future__ import annotations

import dataclasses

import pytest

import verify
from verify import classes, crosscheck, induction, lecture, strategies
from verify.judge import judge

DATA = [c for c in verify.all_claims() if isinstance(c, lecture.Claim)]
SEEDS = range(6)
WANTED = 3  # sampled points per claim


def _problem(claim, *, added: bool):
    hyps = claim.hypotheses + (tuple(a.statement for a in claim.hypotheses_added) if added else ())
    if induction.variable(claim.symbols) is not None:  # the induction step, numerically
        return induction.instance(claim.symbols, claim.definitions, hyps, claim.statement)
    return strategies.problem(claim.symbols, claim.definitions, hyps, claim.statement)


def _points(p):
    found = []
    for seed in SEEDS:
        inst = crosscheck.sample(p, seed=seed, d=1 if p.scalar else 2, n=2, tries=150)
        if inst is not None:
            found.append(inst)
        if len(found) == WANTED:
            break
    return found


@pytest.mark.parametrize("claim", [c for c in DATA if c.recorded in ("true", "gap")
                                   and not classes.applies(c.symbols, c.hypotheses, c.statement)],
                         ids=lambda c: c.id)  # claims about function classes: test_classes.py
def test_true_statements_hold_numerically_inside_their_hypotheses(claim):
    p = _problem(claim, added=claim.recorded == "gap")
    points = _points(p)
    assert points, f"{claim.id}: no point satisfies the hypotheses"
    for inst in points:
        assert crosscheck.holds(p, inst), f"{claim.id} fails numerically at {inst.assign}"


def test_the_judges_counterexamples_fail_numerically():
    """Every false claim has a counterexample, and so have the gaps refuted as written; each
    fails numerically. (One test: which gaps have one is known only once they are judged, and
    judging at collection would cost every worker the whole lecture.)"""
    checked = []
    for claim in (c for c in DATA if c.recorded in ("false", "gap")):
        witness = judge(claim).witness
        if not witness:  # None, or () for a refutation with no point
            assert claim.recorded == "gap", f"{claim.id}: false, and no counterexample"
            continue
        p = _problem(claim, added=False)
        assert not crosscheck.holds(p, crosscheck.at_witness(p, witness)), claim.id
        checked.append(claim.id)
    assert len(checked) >= sum(c.recorded == "false" for c in DATA) > 0


def test_the_cross_check_rejects_a_wrong_statement():
    claim = verify.get("logistic.second-derivative")
    wrong = dataclasses.replace(claim, statement=r"f''(x) = \frac{e^{-x}}{1+e^{-x}}")
    p = _problem(wrong, added=False)
    assert not all(crosscheck.holds(p, inst) for inst in _points(p))


def test_the_cross_check_rejects_a_wrong_vector_statement():
    claim = verify.get("sgd.second-moment.line3")
    left, right = claim.statement.rsplit("+ \\alpha^2", 1)  # the noise term of the right side
    wrong = dataclasses.replace(claim, statement=f"{left}+ 2\\alpha^2{right}")
    p = _problem(wrong, added=False)
    assert not all(crosscheck.holds(p, inst) for inst in _points(p))

"""Side conditions of the typed encoding: a solved hypothesis's divisor, the spectrum of a bounded
Hessian, the example count without a random index. Each test shows the wrong statement rejected."""

from __future__ import annotations

import pytest

from verify.judge import judge
from verify.lecture import Added, Claim, Source
from verify.rule import Unrepaired

GD = (("alpha", "real"), ("mu", "real"), ("L", "real"), ("f", "objective"), ("w", "vector"),
      ("I", "identity matrix"), ("x", "any point"))
SUM = (("n", "positive integer"), ("f", "per-example objective"), ("h", "objective"),
       ("x", "examples"), ("w", "vector"))
H_DEF = (r"h(w) = \frac{1}{n} \sum_{i=1}^n f(w; x_i)",)


def make(statement, symbols=GD, hypotheses=(), definitions=(), added=()):
    source = Source("test", "S", "display", statement)
    return Claim("test.claim", "S", statement, "", "true", source, symbols, definitions,
                 tuple(hypotheses), tuple(added))


def test_solving_a_hypothesis_by_a_coefficient_that_may_vanish_is_no_proof():
    # w - alpha grad f(w) = w gives grad f(w) = 0 only when alpha != 0: alpha = 0 refutes it.
    claim = make(r"\nabla f(w) = 0", hypotheses=[r"w - \alpha \nabla f(w) = w"])
    with pytest.raises(Unrepaired, match="alpha = 0"):
        judge(claim)
    added = (Added("a nonzero step", r"\alpha \neq 0"),)
    out = judge(make(r"\nabla f(w) = 0", hypotheses=[r"w - \alpha \nabla f(w) = w"], added=added))
    assert out.verdict == "gap"
    assert "alpha = 0" in out.counterexample


def test_a_bounded_hessian_orders_its_bounds():
    spectral = [r"\mu I \preceq \nabla^2 f(x) \preceq L I"]
    assert judge(make(r"\mu \leq L", hypotheses=spectral)).verdict == "true"
    with pytest.raises(Unrepaired):  # mu = L is allowed: the strict order is refuted
        judge(make(r"\mu < L", hypotheses=spectral))
    with pytest.raises(Unrepaired):  # and nothing orders them without the hypothesis
        judge(make(r"\mu \leq L"))


def test_sums_over_the_examples_without_a_random_index():
    assert judge(make(r"\nabla h(w) = \frac{1}{n} \sum_{i=1}^n \nabla f(w; x_i)", SUM,
                      definitions=H_DEF)).verdict == "true"
    with pytest.raises(Unrepaired, match="n = 1"):
        judge(make(r"\nabla h(w) = \frac{1}{2n} \sum_{i=1}^n \nabla f(w; x_i)", SUM,
                   definitions=H_DEF))


def test_the_cross_check_casts_exact_irrationals_at_working_precision():
    import mpmath
    import sympy

    from verify.numbers import DPS, MpmathOps

    with mpmath.workdps(DPS):
        value = MpmathOps().cast(sympy.sqrt(2) / 3)
        assert abs(value - mpmath.sqrt(2) / 3) < mpmath.mpf(10) ** (-DPS + 2)
        assert abs(value - mpmath.mpf(sympy.N(sympy.sqrt(2) / 3, 15))) > mpmath.mpf(10) ** -30

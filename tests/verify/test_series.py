"""Infinite series in scalar statements (verify/series.py): convergence by the ratio test,
closed forms, termwise comparison with induction facts on powers; and rejections of each."""

from __future__ import annotations

import pytest
import sympy

from verify import series
from verify.instances import Undecided
from verify.judge import JudgeError, judge
from verify.lecture import Claim, Source
from verify.rule import Unrepaired

a, x = sympy.symbols("alpha x", real=True)
k = sympy.Symbol("k", integer=True)


def _claim(statement, hypotheses=(), symbols=(("alpha", "real"), ("x", "real"), ("y", "real"))):
    return Claim(id="t.series", slide="S", statement=statement, assumptions="", recorded="true",
                 source=Source("demo", "S", "display", statement), symbols=symbols,
                 hypotheses=tuple(hypotheses))


def test_the_exponential_series_converges_by_the_ratio_test():
    out = series.convergence(sympy.Sum(x**k / sympy.factorial(k), (k, 0, sympy.oo)))
    assert "tends to 0" in out and "x" in out


@pytest.mark.parametrize("term", [1 / (k + 1), x**k, k * x**k])
def test_series_without_a_vanishing_ratio_are_refused(term):
    with pytest.raises(Undecided, match="converges"):
        series.convergence(sympy.Sum(term, (k, 0, sympy.oo)))


def test_a_series_from_a_symbolic_index_is_refused():
    n0 = sympy.Symbol("m", integer=True)
    with pytest.raises(Undecided, match="fixed index"):
        series.convergence(sympy.Sum(x**k / sympy.factorial(k), (k, n0, sympy.oo)))


def test_powers_get_the_invariants_that_induction_proves():
    facts, p = series._invariants(a, 1, [a >= 0, a <= 1])
    assert set(facts) == {p >= 0, p <= a, p <= 1}
    facts, p = series._invariants(x, 1, [x > 0])
    assert set(facts) == {p > 0, p >= 0}
    facts, p = series._invariants(x, 0, [x > 1])  # P <= x holds at n = 0, 1 but not at n = 2
    assert set(facts) == {p > 0, p >= 0, p >= 1}


def test_a_closed_form_identity_is_proved():
    out = judge(_claim(r"\sum_{n=0}^{\infty} \frac{x^n}{n!} = e^x", symbols=(("x", "real"),)))
    assert out.verdict == "true" and "closed form" in out.method


def test_a_wrong_closed_form_is_refuted_exactly():
    with pytest.raises(Unrepaired, match="x = "):
        judge(_claim(r"\sum_{n=0}^{\infty} \frac{x^n}{n!} = e^{2x}", symbols=(("x", "real"),)))


def test_a_termwise_inequality_is_proved_and_its_reverse_refuted():
    text = r"\sum_{n=0}^{\infty} \frac{1}{n!} \alpha^n x^n \leq 1 + \alpha \sum_{n=1}^{\infty} \frac{1}{n!} x^n"
    hyps = (r"\alpha \in [0, 1]", "x > 0")
    syms = (("alpha", "real"), ("x", "real"))
    assert "termwise" in judge(_claim(text, hyps, syms)).method
    with pytest.raises(Unrepaired):
        judge(_claim(text.replace(r"\leq", r"\geq"), hyps, syms))


def test_a_termwise_bound_that_fails_for_one_term_is_not_proved():
    # alpha^n <= alpha fails for alpha > 1; the statement is false there and is refuted.
    text = r"\sum_{n=0}^{\infty} \frac{1}{n!} \alpha^n x^n \leq 1 + \alpha \sum_{n=1}^{\infty} \frac{1}{n!} x^n"
    with pytest.raises((Unrepaired, JudgeError)):
        judge(_claim(text, (r"\alpha \in [1, 2]", "x > 0"), (("alpha", "real"), ("x", "real"))))

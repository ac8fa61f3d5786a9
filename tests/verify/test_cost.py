"""``\\operatorname{cost}``: per-example gradient evaluations read from the parsed formula. Each
count is compared with the one done by hand, and a wrong count is refuted exactly."""

from __future__ import annotations

import pytest
import sympy

from verify import terms as t
from verify.cost import CostError, evaluations
from verify.elaborate import elaborate
from verify.judge import JudgeError, judge
from verify.lecture import Claim, Source
from verify.parse import parse
from verify.rule import Unrepaired
from verify.scope import Scope

SYMBOLS = (("n", "positive integer"), ("f", "per-example objective"), ("h", "objective"),
           ("g", "objective"), ("x", "examples"), ("w", "vector"), ("alpha", "real"),
           ("j", "integer"))
H_DEF = r"h(w) = \frac{1}{n} \sum_{i=1}^n f(w; x_i)"
N = sympy.Symbol("n")


def count(text, definitions=(H_DEF,)):
    scope = Scope(dict(SYMBOLS), [parse(d) for d in definitions])
    node = elaborate(parse(text), scope)
    return sympy.sympify(evaluations(node, lambda b: N if isinstance(b, t.Sym) else
                                     sympy.Integer(int(b.value))))


def make(statement, definitions=(H_DEF,)):
    return Claim("test.cost", "S", statement, "", "true", Source("test", "S", "display", statement),
                 SYMBOLS, tuple(definitions))


def test_the_notation_round_trips():
    node = parse(r"\operatorname{cost}(\nabla h(w)) = 2 \operatorname{cost}(\nabla g(w))")
    assert isinstance(node.items[0], t.Cost)
    assert parse(t.latex(node)) == node


@pytest.mark.parametrize(("text", "expected"), [
    (r"\nabla f(w; x_j)", 1),
    (r"\nabla h(w)", N),                                  # the definition's sum: n gradients
    (r"\nabla h(w) - \alpha \nabla h(w)", 2 * N),         # each written occurrence is evaluated
    (r"\sum_{i=1}^n \sum_{j=1}^n \nabla f(w; x_i)", N**2),
    (r"\sum_{i=2}^n \nabla f(w; x_i)", N - 1),
    (r"\alpha w", 0),
])
def test_counts_match_a_count_by_hand(text, expected):
    assert sympy.expand(count(text) - expected) == 0


def test_an_undefined_gradient_or_a_hessian_has_no_cost():
    with pytest.raises(CostError, match="not defined"):
        count(r"\nabla g(w)")
    with pytest.raises(CostError, match="not defined"):
        count(r"\nabla^2 g(w)")


def test_statements_about_cost_are_judged_and_a_wrong_count_is_refuted():
    assert judge(make(r"\operatorname{cost}(\nabla h(w)) = n")).verdict == "true"
    with pytest.raises(Unrepaired, match="n = 1"):
        judge(make(r"\operatorname{cost}(\nabla h(w)) = 2 n"))
    with pytest.raises(Unrepaired):
        judge(make(r"\operatorname{cost}(\nabla h(w)) \leq 1"))
    with pytest.raises(JudgeError, match="not defined"):
        judge(make(r"\operatorname{cost}(\nabla g(w)) = n"))

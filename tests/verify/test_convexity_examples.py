"""The convexity examples judged from the slides' text ("Example: Abs", "Example: Exponential",
"Types of Optimization", "Convex Functions"): what each link needs, and what a wrong text gives."""

from __future__ import annotations

import dataclasses

import pytest

import verify
from verify import lecture
from verify.judge import JudgeError, judge
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


# ------------------------------------------------------------------------ Example: Exponential
EXP_LINKS = ["exp.line1", "exp.line1-series", "exp.line2", "exp.line3", "exp.line4"]


def test_exp_links_are_the_links_of_the_slides_chain():
    claims = [verify.get(i) for i in EXP_LINKS]
    assert [c.source.link for c in claims] == [1, 2, 3, 4, 5]
    assert {c.source.block for c in claims} == {"chain"}


def test_the_termwise_step_is_judged_under_the_slides_condition():
    line2 = verify.get("exp.line2")
    assert "x > y" in line2.hypotheses
    out = judge(line2)
    assert out.verdict == "true" and "termwise" in out.method


def test_without_x_greater_than_y_the_termwise_argument_does_not_go_through():
    # The statement is still true (it is the convexity of exp), but the terms
    # (alpha - alpha^n)(x - y)^n / n! of odd n are negative when x < y: no termwise proof,
    # and no counterexample either, so the judge reports an error, never a verdict.
    line2 = verify.get("exp.line2")
    with pytest.raises(JudgeError, match="undecided"):
        judge(dataclasses.replace(line2, hypotheses=(r"\alpha \in [0, 1]",)))


def test_a_wrong_series_is_refuted():
    line = verify.get("exp.line1-series")
    wrong = line.statement.replace(r"\frac{1}{n!}", r"\frac{1}{(n+1)!}")
    with pytest.raises(Unrepaired):
        judge(dataclasses.replace(line, statement=wrong))


def test_the_conclusion_is_a_gap_the_slide_argues_only_for_x_greater_than_y():
    out = judge(verify.get("exp.proof"))
    assert out.verdict == "gap"
    assert "link 3" in out.gap and "only if x > y" in out.gap
    assert out.hypotheses_added == (next(a for a in out.hypotheses_added if "$x > y$" in a),)
    assert "transitivity" in out.method


def test_the_conclusion_with_x_greater_than_y_stated_is_true():
    claim = verify.get("exp.proof")
    out = judge(dataclasses.replace(claim, hypotheses=(*claim.hypotheses, "x > y")))
    assert out.verdict == "true"


def test_a_wrong_conclusion_is_not_rescued_by_the_chain():
    claim = verify.get("exp.proof")
    with pytest.raises(Unrepaired):
        judge(dataclasses.replace(claim, statement=claim.statement.replace(
            r"(1-\alpha)e^y", r"(1-\alpha)e^{2y}")))


def test_the_chain_gives_no_evidence_when_a_link_is_wrong():
    from verify import chains

    claim = verify.get("exp.proof")
    broken = claim.source.quote.replace(r"\alpha e^{x-y}", r"\alpha e^{y-x}")
    wrong = dataclasses.replace(claim, source=dataclasses.replace(claim.source, quote=broken))
    assert chains.conclusion_evidence(wrong, (*claim.hypotheses, "x > y"),
                                      claim.statement) is None


# ------------------------------------------------------------------------ Types of Optimization
TYPES = ["types.linear-regression", "types.logistic-regression", "types.svm"]


@pytest.mark.parametrize("claim_id", TYPES)
def test_types_are_restated_from_the_slides_words(claim_id):
    claim = verify.get(claim_id)
    assert claim.restated and claim.source.quote == (
        "Includes logistic regression, linear regression, SVM")
    assert judge(claim).verdict == "true"


@pytest.mark.parametrize(("loss", "verdict"), [
    (r"f(w) = \max(0, 1 - y_i w^T x_i) + \lambda (w^T x_i)^2", "true"),
    (r"f(w) = -(w^T x_i - y_i)^2", "refuted"),  # concave: not convex
    (r"f(w) = \min(0, 1 - y_i w^T x_i)", "refuted"),  # a concave hinge
])
def test_the_convexity_inequality_tells_convex_losses_apart(loss, verdict):
    claim = verify.get("types.svm")
    symbols = (*claim.symbols, ("lambda", "real"))
    hyps = (*claim.hypotheses, r"\lambda \geq 0")
    changed = dataclasses.replace(claim, definitions=(loss,), symbols=symbols, hypotheses=hyps)
    if verdict == "true":
        assert judge(changed).verdict == "true"
    else:
        with pytest.raises(Unrepaired):
            judge(changed)


def test_a_wrong_second_derivative_bound_of_the_logistic_loss_is_false():
    claim = verify.get("types.logistic-regression")
    out = judge(dataclasses.replace(claim, statement=r"\phi''(s) \geq \frac{1}{2}"))
    assert out.verdict == "false" and out.counterexample  # phi'' <= 1/4 everywhere


# ----------------------------------------------------------------------------- Convex Functions
def _any_function(statement, hypotheses=()):
    return lecture.Claim(id="t.f", slide="S", statement=statement, assumptions="", recorded="true",
                         source=lecture.Source("demo", "S", "display", statement),
                         symbols=(("x", "real"), ("y", "real"), ("f", "any function")),
                         hypotheses=tuple(hypotheses))


def test_the_definition_is_symmetric_under_the_exchange():
    claim = verify.get("convexity.definition-symmetry")
    assert claim.restated and r"\forall \alpha \in [0, 1]" in claim.source.quote
    assert judge(claim).verdict == "true"


def test_an_exchange_that_keeps_alpha_is_refuted():
    claim = verify.get("convexity.definition-symmetry")
    wrong = r"f(\alpha y + (1 - \alpha) x) \leq \alpha f(y) + (1 - \alpha) f(x)"
    with pytest.raises(Unrepaired, match="f\\("):
        judge(dataclasses.replace(claim, statement=wrong))


def test_values_of_any_function_are_keyed_by_the_argument_value():
    assert judge(_any_function("f(x + y) = f(y + x)")).verdict == "true"
    assert judge(_any_function("f(x) = f(y)", ["x = y"])).verdict == "true"
    with pytest.raises(Unrepaired, match="x = .*y = "):
        judge(_any_function("f(x) = f(y)"))


def test_a_point_where_one_function_takes_two_values_at_one_argument_is_inconsistent():
    import sympy

    from verify import strategies
    from verify.evaluate import Instance, relations
    from verify.instances import functions_consistent

    p = strategies.problem((("x", "real"), ("y", "real"), ("f", "any function")), (), (),
                           "f(x) = f(y)")
    inst = Instance(p.scope)
    relations(p.statement, inst)
    fx, fy = (inst.values[k] for k in sorted(inst.values, key=str) if k[0] == "apply")
    x, y = (inst.values[("scalar", n)] for n in ("x", "y"))
    point = {x: sympy.Integer(1), y: sympy.Integer(1)}
    same = dataclasses.replace(inst, assign={**point, fx: 2, fy: 2})
    two = dataclasses.replace(inst, assign={**point, fx: 2, fy: 3})
    assert functions_consistent(same) and not functions_consistent(two)
    apart = dataclasses.replace(inst, assign={x: 1, y: 2, fx: 2, fy: 3})
    assert functions_consistent(apart)

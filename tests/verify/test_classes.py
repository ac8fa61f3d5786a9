"""Statements about function classes (verify.classes): the slides "Properties of convex
functions", "Convex Functions: Alternative Definitions", "Strongly Convex Functions", "Which of
the functions ...?" and "Concave functions", judged from their text; and rejections of wrong
statements, each by an exact witness or a missing premise."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

import verify
from verify import classes as C
from verify import class_theorems, provers
from verify import terms as t
from verify.judge import JudgeError, judge, parse_status
from verify.parse import parse
from verify.rule import Unrepaired

EXPECTED = {
    "properties.segment-above": "true",
    "properties.local-global": "true",
    "properties.nonnegative-combination": "true",
    "properties.affine": "true",
    "properties.composition": "true",
    "conditions.first-order": "gap",
    "conditions.second-order": "gap",
    "conditions.psd": "true",
    "strong.first-order": "gap",
    "strong.second-order": "gap",
    "strong.h-convex": "true",
    "strong.which-quadratic": "true",
    "strong.which-abs": "true",
    "strong.which-exp": "true",
    "strong.which-logistic": "true",
    "strong.which-log": "true",
    "concave.definition": "true",
    "concave.log-second-derivative": "true",
    "concave.log-nonpos": "true",
}


@pytest.mark.parametrize(("claim_id", "expected"), EXPECTED.items())
def test_verdict_is_judged_from_the_text(claim_id, expected):
    claim = verify.get(claim_id)
    assert not hasattr(claim, "check")  # no hand-written check is left
    assert claim.recorded == expected
    assert parse_status(claim) == (True, None)
    assert judge(claim).verdict == expected


def _with(claim_id, **changes):
    return dataclasses.replace(verify.get(claim_id), **changes)


def _refuted(claim) -> str:
    with pytest.raises(Unrepaired) as info:
        judge(claim)
    return info.value.counterexample


# ------------------------------------------------------------------------- rejections (power)
def test_a_negative_combination_is_refuted_by_an_exact_witness():
    text = _refuted(_with("properties.nonnegative-combination",
                          statement=r"h(x) = af(x) - bg(x) \text{ is convex}"))
    assert "g = " in text and "the statement fails" in text


def test_without_the_sign_hypothesis_a_combination_is_refuted():
    claim = verify.get("properties.nonnegative-combination")
    text = _refuted(dataclasses.replace(claim, hypotheses=claim.hypotheses[:3]))  # no b >= 0
    assert "b = -1" in text


def test_the_negation_of_an_affine_scaling_is_refuted():
    _refuted(_with("properties.affine", statement=r"h(x) = -f(Ax + b) \text{ is convex}"))


def test_composition_with_an_affine_map_is_convex_so_the_negation_is_refuted():
    claim = _with("properties.composition",
                  statement=r"h(x) = f(2x + 1) \text{ is not generally convex}")
    assert _refuted(claim).startswith("none exists")


def test_composition_witness_is_exact():
    out = judge(verify.get("properties.composition"))
    assert "f = x^2, g = x^2 - 1" in out.method
    # (x^2 - 1)^2 at the midpoint of -1 and 0 is above the chord: 9/16 > 1/2.
    h = lambda v: (v**2 - 1) ** 2  # noqa: E731
    assert h(sp.Rational(-1, 2)) > (h(-1) + h(0)) / 2


def test_a_chord_below_the_graph_is_refuted():
    _refuted(_with("properties.segment-above",
                   statement=r"f(\alpha x + (1 - \alpha)y) \geq \alpha f(x) + (1 - \alpha)f(y)"))


@pytest.mark.parametrize("drop", [1, 2], ids=["no local minimum", "alpha may be 0"])
def test_local_to_global_needs_each_hypothesis(drop):
    claim = verify.get("properties.local-global")
    hyps = tuple(h for i, h in enumerate(claim.hypotheses) if i != drop)
    _refuted(dataclasses.replace(claim, hypotheses=hyps))


def test_negation_is_not_concave_the_same_function():
    wrong = r"f \text{ is convex} \Leftrightarrow h(x) = f(x) \text{ is concave}"
    text = _refuted(_with("concave.definition", statement=wrong))
    assert "the two sides of the equivalence differ" in text


def test_first_order_condition_needs_differentiability_and_then_holds():
    claim = verify.get("conditions.first-order")
    out = judge(claim)
    assert out.verdict == "gap" and "|x|" in out.counterexample
    assert "one-sided derivatives at 0 are -1 and 1" in out.counterexample
    proved = dataclasses.replace(claim, hypotheses=(r"f \text{ is differentiable}",))
    assert judge(proved).verdict == "true"
    twice = dataclasses.replace(claim, hypotheses=(r"f \text{ is twice differentiable}",))
    assert judge(twice).verdict == "true"  # twice differentiable implies differentiable


@pytest.mark.parametrize(("claim_id", "statement"), [
    ("conditions.first-order",
     r"f \text{ is convex} \Leftrightarrow \langle x - y, \nabla f(x) - \nabla f(y) \rangle "
     r"\leq 0"),
    ("conditions.second-order", r"f \text{ is convex} \Leftrightarrow \nabla^2 f(x) \preceq 0"),
    ("strong.first-order", r"h(x) = f(x) - \frac{\mu}{2} \|x\|^2 \text{ is convex} \Leftrightarrow "
                           r"\langle x - y, \nabla f(x) - \nabla f(y) \rangle \geq "
                           r"2 \mu \|x - y\|^2"),
    ("strong.second-order", r"h(x) = f(x) - \frac{\mu}{2} \|x\|^2 \text{ is convex} "
                            r"\Leftrightarrow \nabla^2 f(x) \succeq 2 \mu I"),
    ("strong.h-convex", r"f(\alpha x + (1 - \alpha)y) \leq \alpha f(x) + (1 - \alpha)f(y) - \mu "
                        r"\alpha (1 - \alpha) \|x - y\|^2 \Leftrightarrow h(x) = f(x) - "
                        r"\frac{\mu}{2} \|x\|^2 \text{ is convex}"),
    ("conditions.psd", r"A \succeq 0 \Leftrightarrow \forall x, \langle x, Ax \rangle \geq 1"),
], ids=["first-order", "second-order", "strong-first", "strong-second", "h-convex", "psd"])
def test_a_wrong_condition_is_refuted(claim_id, statement):
    claim = _with(claim_id, statement=statement)
    with pytest.raises(Unrepaired):
        judge(claim)


# ------------------------------------------------------------------------------ the machinery
X = sp.Symbol("x", real=True)


def test_witnesses_are_in_the_classes_they_claim():
    by_name = {w.name: w for w in C.WITNESSES}
    assert by_name["x^2"].classes == {"convex", "C1", "C2"}
    assert by_name["x"].classes >= {"convex", "concave"}
    assert by_name["|x|"].classes == {"convex"}
    assert by_name["-x^2"].classes == {"concave", "C1", "C2"}
    assert by_name["|x|"].kink() == "its one-sided derivatives at 0 are -1 and 1"
    assert by_name["x^2"].kink() is None
    assert by_name["x^3"].classes == {"C1", "C2"}


def _setting(**extra):
    symbols = {"f": "any function", "h": "function", "x": "vector", "y": "vector",
               "alpha": "weight", "mu": "real", "A": "matrix", "b": "vector", **extra}
    return C.Setting(tuple(symbols.items()), ())


def test_affine_arguments_are_compared_as_linear_maps():
    conv = C.Conv(_setting())
    a = sp.Symbol("alpha", real=True)
    x, y, A, b = (conv.sym(t.Sym(n), {}) for n in ("x", "y", "A", "b"))
    first = conv.apply("f", A * (a * x + (1 - a) * y) + b)
    again = conv.apply("f", a * (A * x + b) + (1 - a) * (A * y + b))
    assert first == again and len(conv.apps) == 1
    assert conv.apply("f", x * A) != conv.apply("f", A * x)  # A x is not x A


def test_norms_expand_into_gram_entries():
    conv = C.Conv(_setting())
    node = parse(r"\|\alpha x + (1 - \alpha)y\|^2")
    got = conv.ev(node, {})
    a = sp.Symbol("alpha", real=True)
    xx, xy, yy = (sp.Symbol(n, real=True) for n in ("<x, x>", "<x, y>", "<y, y>"))
    assert sp.expand(got - (a**2 * xx + 2 * a * (1 - a) * xy + (1 - a) ** 2 * yy)) == 0


def test_gradients_of_a_definition_are_computed_by_linearity():
    conv = C.Conv(_setting())
    conv.defs["h"] = ("x", parse(r"f(x) - \frac{\mu}{2} \|x\|^2"))
    x = conv.sym(t.Sym("x"), {})
    grad = conv.ev(parse(r"\nabla h(x)"), {})
    nabla_f = sp.Symbol(r"\nabla f(x)", commutative=False)
    mu = sp.Symbol("mu", real=True)
    assert sp.expand(grad - (nabla_f - mu * x)) == 0
    assert sp.expand(conv.ev(parse(r"\nabla^2 h(x)"), {})
                     - (sp.Symbol(r"\nabla^2 f(x)", commutative=False) - mu)) == 0


def test_what_cannot_be_differentiated_or_read_is_an_error():
    conv = C.Conv(_setting())
    conv.defs["h"] = ("x", parse(r"\log(f(x)) + 1"))
    with pytest.raises(C.ClassError, match="cannot differentiate"):
        conv.ev(parse(r"\nabla h(x)"), {})
    with pytest.raises(C.ClassError, match="unknown predicate"):
        C.Setting((("f", "any function"),), (r"f \text{ is smooth}",))
    with pytest.raises(C.ClassError, match="not declared"):
        C.Conv(_setting()).ev(parse("z"), {})


def test_a_predicate_needs_points_and_a_weight():
    setting = C.Setting((("f", "any function"), ("x", "vector")), ())
    with pytest.raises(C.ClassError, match="two points"):
        C.formula(C.Conv(setting), parse(r"f \text{ is convex}"))


def test_class_theorems_check_their_proof_steps():
    for thm in class_theorems.CLASS_THEOREMS.values():
        assert thm.results and all(c.holds for c in thm.results)
        assert thm.reference in thm.method()
    broken = class_theorems.ClassTheorem(
        "broken", "predicate", "x = x", (), "none",
        lambda: (provers.identity(X**2, X),))
    with pytest.raises(RuntimeError, match="broken"):
        broken.method()


def test_applies_only_to_class_statements():
    f = (("f", "any function"),)
    assert C.applies(f, (), r"f \text{ is convex} \Leftrightarrow h(x) = -f(x) \text{ is concave}")
    assert C.applies(f, (r"f \text{ is convex}",), r"f(x) \leq f(y)")
    assert not C.applies(f, (r"x > 0",), r"f''(x) < 0")
    # an equivalence about iterates, with no function of a class declared, is not one
    assert not C.applies((("alpha", "real"),), (), r"\alpha > 0 \Leftrightarrow 0 < \alpha")


# ------------------------------------------------------------------------ numeric cross-check
CLASS_CLAIMS = [c for c in verify.all_claims() if not hasattr(c, "check")
                and C.applies(c.symbols, c.hypotheses, c.statement)]


@pytest.mark.parametrize("claim", CLASS_CLAIMS, ids=lambda c: c.id)
def test_true_statements_hold_numerically_for_every_witness(claim):
    hyps = claim.hypotheses + tuple(a.statement for a in claim.hypotheses_added)
    assert C.numeric_holds(claim.symbols, hyps, claim.statement)


@pytest.mark.parametrize(("claim_id", "statement"), [
    ("properties.segment-above",
     r"f(\alpha x + (1 - \alpha)y) \geq \alpha f(x) + (1 - \alpha)f(y)"),
    ("conditions.first-order",
     r"f \text{ is convex} \Leftrightarrow \langle x - y, \nabla f(x) - \nabla f(y) \rangle "
     r"\leq 0"),
    ("conditions.first-order",
     r"f \text{ is convex} \Leftrightarrow \langle x - y, \nabla f(x) - \nabla f(y) \rangle "
     r"\geq 1"),
], ids=["chord below", "gradient antitone", "gradient too steep"])
def test_the_numeric_cross_check_rejects_a_wrong_statement(claim_id, statement):
    claim = verify.get(claim_id)
    hyps = claim.hypotheses + tuple(a.statement for a in claim.hypotheses_added)
    assert not C.numeric_holds(claim.symbols, hyps, statement)


def test_a_convexity_hypothesis_is_used_only_at_convex_combinations():
    # 2x - y is an extrapolation, not a convex combination of x and y: nothing bounds f there.
    claim = _with("properties.segment-above", statement=r"f(2x - y) \leq 2 f(x) - f(y)")
    assert "f = x^2" in _refuted(claim)


def test_a_concave_hypothesis_reverses_the_chord():
    claim = _with("properties.segment-above", hypotheses=(r"f \text{ is concave}",))
    assert _refuted(claim).startswith("f = -x^2, x = -1, y = 0, alpha = 1/2")


def test_gram_entries_obey_cauchy_schwarz():
    # mu/2 ||x||^2 is convex for mu >= 0: it needs ||x - y||^2 >= 0, i.e. <x, y>^2 <= <x,x><y,y>.
    claim = _with("properties.nonnegative-combination",
                  statement=r"h(x) = f(x) + \frac{a}{2} \|x\|^2 \text{ is convex}",
                  hypotheses=(r"f \text{ is convex}", r"a \geq 0"))
    assert judge(claim).verdict == "true"
    negative = dataclasses.replace(claim, hypotheses=(r"f \text{ is convex}", r"a \leq -1"))
    _refuted(negative)


def test_an_equivalence_that_is_true_but_not_pointwise_is_not_refuted():
    # f convex <=> f(x + 1) convex holds, but not point by point (for f = x^3 the two defining
    # inequalities differ at some points): the judge must not invent a refutation from sides that
    # differ at one point unless one of them is proved everywhere.
    claim = _with("concave.definition",
                  statement=r"f \text{ is convex} \Leftrightarrow h(x) = f(x + 1) \text{ is convex}")
    with pytest.raises(JudgeError, match="neither proved nor refuted"):
        judge(claim)


def test_a_product_of_two_dependent_factors_is_not_differentiated():
    conv = C.Conv(_setting())
    conv.defs["h"] = ("x", parse(r"\|x\|^2 \|x\|^2"))
    with pytest.raises(C.ClassError, match="cannot differentiate"):
        conv.ev(parse(r"\nabla h(x)"), {})

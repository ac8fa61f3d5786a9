"""The exact deciders: proofs, rejections with exact counterexamples, and bad input."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp

from verify import provers

a, b, x, y, mu, M = sp.symbols("alpha b x y mu M", real=True)
UNIT = (a >= 0, a <= 1)


def _at(expr, point):
    """Exact value of ``expr`` at a counterexample given by symbol name."""
    return sp.simplify(expr.xreplace({s: point[s.name] for s in expr.free_symbols}))


def _holds(rel, point) -> bool:
    return bool(rel.xreplace({s: point[s.name] for s in rel.free_symbols if s.name in point}))


def test_identity_proves_expansion():
    check = provers.identity(
        (a * x + (1 - a) * y) ** 2, a**2 * x**2 + 2 * a * (1 - a) * x * y + (1 - a) ** 2 * y**2
    )
    assert check.holds
    assert check.counterexample is None


def test_false_identity_rejected_with_exact_counterexample():
    lhs, rhs = (x + y) ** 2, x**2 + y**2
    check = provers.identity(lhs, rhs)
    assert not check.holds
    assert not check.undecided
    point = check.counterexample
    assert all(isinstance(v, sp.Rational) for v in point.values())
    assert _at(lhs - rhs, point) != 0


def test_identity_respects_assumptions():
    lhs, rhs = sp.Abs(a * x), a * sp.Abs(x)
    assert provers.identity(lhs, rhs, assumptions=UNIT).holds
    check = provers.identity(lhs, rhs)
    assert not check.holds
    assert check.counterexample["alpha"] < 0
    assert _at(lhs - rhs, check.counterexample) != 0


def test_inequality_factorisation_certificate():
    check = provers.inequality(
        (a * x + (1 - a) * y) ** 2, "<=", a * x**2 + (1 - a) * y**2, assumptions=UNIT
    )
    assert check.holds
    assert "factor" in check.method


def test_inequality_z3_certificate_with_exp_atom():
    check = provers.inequality(1 / ((1 + sp.exp(x)) * (1 + sp.exp(-x))), ">", sp.Integer(0))
    assert check.holds


def test_false_inequality_rejected_with_exact_counterexample():
    lhs, rhs = x**2, x
    check = provers.inequality(lhs, "<=", rhs, assumptions=(x > 0,))
    assert not check.holds
    point = check.counterexample
    assert point["x"] > 0
    assert _at(lhs - rhs, point) > 0


def test_strict_inequality_fails_at_equality_case():
    check = provers.inequality(
        (a * x + (1 - a) * y) ** 2, "<", a * x**2 + (1 - a) * y**2, assumptions=UNIT
    )
    assert not check.holds
    assert _at(a * x**2 + (1 - a) * y**2 - (a * x + (1 - a) * y) ** 2, check.counterexample) == 0


def test_wrong_derivative_rejected_with_exact_counterexample():
    f = sp.log(1 + sp.exp(x))
    wrong = sp.exp(x) / (1 + sp.exp(x))  # that is f', not f''
    check = provers.derivative(f, x, wrong, order=2)
    assert not check.holds
    assert _at(sp.diff(f, x, 2) - wrong, check.counterexample) != 0
    assert provers.derivative(f, x, 1 / ((1 + sp.exp(x)) * (1 + sp.exp(-x))), order=2).holds


def test_wrong_fixed_point_rejected_with_exact_counterexample():
    bb = sp.Symbol("b", real=True)
    update = (1 - a * mu) ** 2 * bb + a**2 * M
    hyp = (a > 0, mu > 0, M > 0, a * mu < 1)
    assert provers.fixed_point(update, bb, a * M / (2 * mu - a * mu**2), assumptions=hyp).holds
    wrong = a * M / (2 * mu)
    check = provers.fixed_point(update, bb, wrong, assumptions=hyp)
    assert not check.holds
    point = check.counterexample
    assert all(_holds(h, point) for h in hyp)
    assert _at(update.subs(bb, wrong) - wrong, point) != 0


def test_implies_proves_and_refutes():
    assert provers.implies((x > 1,), x**2 > 1).holds
    check = provers.implies((x > 1,), x > 2)
    assert not check.holds
    assert 1 < check.counterexample["x"] <= 2


def test_undecided_is_not_a_verdict():
    assert provers.Check(False, "m").undecided
    assert not provers.Check(False, "m", {"x": sp.Integer(1)}).undecided
    assert not provers.Check(True, "m").undecided


@pytest.mark.parametrize("bad", [1.5, "x", None, [x]])
def test_non_sympy_input_raises_type_error(bad):
    with pytest.raises(TypeError, match="lhs"):
        provers.identity(bad, x)


def test_exact_python_numbers_are_accepted():
    assert provers.identity(Fraction(1, 2) + x, x + sp.Rational(1, 2)).holds
    assert provers.inequality(2, ">=", 0).holds


def test_contradictory_assumptions_raise_value_error():
    with pytest.raises(ValueError, match="vacuous hypotheses"):
        provers.identity(x, x, assumptions=(x > 1, x < 0))
    with pytest.raises(ValueError, match="vacuous hypotheses"):
        provers.inequality(x, "<=", x + 1, assumptions=(x**2 < 0,))


def test_bad_parameters_raise_clear_errors():
    with pytest.raises(ValueError, match="rel"):
        provers.inequality(x, "=<", y)
    for order in (0, True, 2.0):
        with pytest.raises(ValueError, match="^order must be an integer >= 1"):
            provers.derivative(x**2, x, 2 * x, order=order)
    with pytest.raises(TypeError, match="^var must be a SymPy Symbol, got str$"):
        provers.derivative(x**2, "x", 2 * x)
    with pytest.raises(TypeError, match="state"):
        provers.fixed_point(x, x + 1, x)
    with pytest.raises(TypeError, match=r"^assumptions\[0\] must be"):
        provers.identity(x, x, assumptions=(x,))
    with pytest.raises(TypeError, match="conclusion"):
        provers.implies((x > 0,), 3)


def test_transcendental_counterexample_is_confirmed_exactly():
    # e^x >= 1 + x + x^2 fails at x = 1 (e < 3); the z3 relaxation only proposes candidates.
    check = provers.inequality(sp.exp(x), ">=", 1 + x + x**2)
    assert not check.holds
    assert sp.N(_at(sp.exp(x) - 1 - x - x**2, check.counterexample), 30) < 0
    assert provers.inequality(sp.exp(x), ">=", 1 + x).holds


def test_max_and_sqrt_atoms():
    L = sp.Symbol("L", real=True)
    rate = sp.Max(sp.Abs(1 - a * mu), sp.Abs(1 - a * L))
    hyp = (mu > 0, L >= mu, a > 0)
    assert provers.inequality(rate, "<", 1, assumptions=(*hyp, a < 2 / L)).holds
    check = provers.inequality(rate, "<", 1, assumptions=hyp)
    assert not check.holds
    assert check.counterexample["alpha"] * check.counterexample["L"] >= 2
    assert provers.inequality(sp.sqrt(x), "<=", (1 + x) / 2, assumptions=(x >= 0,)).holds


def test_symbol_assumptions_are_premises_and_bound_counterexamples():
    n = sp.Symbol("n", integer=True, positive=True)
    assert provers.inequality(n, ">=", 1).holds  # false over the reals, true over positive integers
    check = provers.inequality(n**2, ">=", 3 * n)  # fails at n = 1, 2 only
    assert not check.holds
    assert check.counterexample["n"] in (1, 2)


def test_true_but_unprovable_statement_is_undecided_not_refuted():
    # e^x >= 1 + x + x^2/2 on x >= 0 is true but beyond the exp facts the relaxation knows: the
    # relaxation's models must not be passed off as counterexamples.
    check = provers.inequality(sp.exp(x), ">=", 1 + x + x**2 / 2, assumptions=(x >= 0,))
    assert check.undecided
    assert check.detail.startswith("undecided")


def test_sum_limit_counterexample_is_an_integer():
    # A sum is defined for integer limits only: the counterexample to sum_{i<=n} 1/i! = 1 + n
    # must be an integer n (n = 2: 5/2 != 3), never a grid fraction such as n = 1/2.
    i, n = sp.Symbol("i", integer=True), sp.Symbol("n", real=True)
    partial = sp.Sum(1 / sp.factorial(i), (i, 0, n))
    check = provers.identity(partial, 1 + n, assumptions=[n >= 0])
    assert not check.holds
    assert not check.undecided
    point = check.counterexample["n"]
    assert point.is_integer
    assert point >= 0
    assert partial.subs(n, point).doit() != 1 + point


def test_sum_of_unknown_terms_is_undecided_not_an_error():
    # sum_{i<=n} g(i) = n g(1) is false, but no value of an undefined g can be computed: the
    # search must stay on integer limits (a fractional one sends SymPy into endless recursion).
    i, n, g = sp.Symbol("i", integer=True), sp.Symbol("n"), sp.Function("g")
    check = provers.identity(sp.Sum(g(i), (i, 1, n)), n * g(1))
    assert not check.holds
    assert check.undecided
    assert check.counterexample is None


# ------------------------------------------------------------------- methods, details, messages
def test_methods_say_how_each_decision_was_made():
    assert provers.identity(x + x, 2 * x).method == "expand(lhs - rhs) == 0"
    assert provers.identity(sp.Abs(x), x, assumptions=[x >= 0]).method == (
        "z3 (QF_NRA): assumptions and lhs != rhs is unsat"
    )
    assert provers.inequality(x**2 + x, ">", x, assumptions=[x > 0]).method == (
        "z3 (QF_NRA), denominators cleared"
    )
    assert provers.implies([x > 1], x > 0).method == (
        "z3 (QF_NRA): assumptions, premises and not(conclusion) is unsat"
    )
    check = provers.derivative(x**3, x, 3 * x**2)
    assert check.method == (
        "diff(f, x, 1) = 3*x**2 compared with the claim: expand(lhs - rhs) == 0"
    )
    assert provers.fixed_point(x / 2, x, 0).method.startswith(
        "update at the candidate compared with the candidate: "
    )


def test_strict_factorisation_certificate_lists_the_factors():
    check = provers.inequality((x + 1) * (x + 2), ">", 0, assumptions=[x > 0])
    assert check.method == "factorisation into factors of known sign"
    assert check.detail == (
        "1 * (x + 1) * (x + 2); each factor of known sign under the assumptions"
    )
    squared = provers.inequality((x - 1) ** 2 * (x + 2) ** 3, ">=", 0, assumptions=[x > 0])
    assert "(x - 1)**2" in squared.detail
    assert "(x + 2)**3" in squared.detail
    divided = provers.inequality((x + 1) / (x + 2), ">", 0, assumptions=[x > 0])
    assert divided.detail == (
        "1 * (x + 1) / (x + 2); each factor of known sign under the assumptions; "
        "defined wherever the hypotheses hold (z3: undefined is unsat)"
    )


def test_factor_signs_use_the_integer_typing_of_sum_limits():
    # 2n - 1 > 0 needs n >= 1, which n > 0 gives only for the integer n of a sum's limit.
    n, i = sp.Symbol("n", real=True), sp.Symbol("i", integer=True)
    total = sp.Sum(1, (i, 1, n))
    check = provers.inequality((2 * n - 1) * (n + 3) * (total**2 + 1), ">", 0, assumptions=[n > 0])
    assert check.holds
    assert check.method == "factorisation into factors of known sign"


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: provers.identity(0.5, x), "^lhs must be an exact SymPy expression, got float$"),
        (lambda: provers.identity(x, "x"), "^rhs must be a SymPy expression, got str$"),
        (lambda: provers.inequality(0.5, "<", x), "^lhs"),
        (lambda: provers.inequality(x, "<", 0.5), "^rhs"),
        (lambda: provers.inequality(x, "<", 1, assumptions=[x]), r"assumptions\[0\]"),
        (lambda: provers.implies([x > 0], x > 0, assumptions=[x]), r"assumptions\[0\]"),
        (lambda: provers.implies([x], x > 0), r"premises\[0\]"),
        (lambda: provers.implies(3, x > 0), "premises"),
        (lambda: provers.derivative(0.5, x, x), "^f must"),
        (lambda: provers.derivative(x, x, 0.5), "^claimed must"),
        (lambda: provers.fixed_point(0.5, x, x), "^update"),
        (lambda: provers.fixed_point(x, x, 0.5), "candidate"),
        (lambda: provers.identity(x, x + sp.Float(0.5)), "rhs must be exact"),
        (lambda: provers.implies([x > sp.Float(0.5)], x > 0), r"^premises\[0\] must be exact"),
        (lambda: provers.implies([x > 0], x > sp.Float(0.5)), "^conclusion must be exact"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(TypeError, match=name):
        call()


def test_a_single_relation_is_accepted_as_hypotheses():
    assert provers.implies(x > 1, x > 0).holds
    assert provers.identity(sp.Abs(x), x, assumptions=x >= 0).holds


def test_cancel_and_z3_proofs_are_named():
    check = provers.identity((x**2 - 1) / (x - 1), x + 1, assumptions=[sp.Ne(x, 1)])
    assert check.method == "cancel(lhs - rhs) == 0"
    check = provers.implies([x > 1], x > 0)
    assert check.detail == "unsat"


def test_zero_difference_is_weak_only():
    assert provers.inequality(x, "<=", x).detail == "difference is 0"
    check = provers.inequality(x, "<", x)
    assert not check.holds
    assert check.counterexample is not None


def test_a_strictly_negative_factor_keeps_a_strict_certificate():
    check = provers.inequality((x - 5) * (x + 1), "<", 0, assumptions=[x > 0, x < 1])
    assert check.method == "factorisation into factors of known sign"


def test_counterexample_methods_name_their_source():
    # A z3 model for a polynomial; the grid when z3 cannot translate (sin).
    assert provers.identity((x + y) ** 2, x**2 + y**2).method == (
        "z3 model, confirmed by exact evaluation"
    )
    check = provers.inequality(sp.sin(x), "<=", x)
    assert check.method == "rational grid search, confirmed by exact evaluation"
    assert check.counterexample["x"] < 0


def test_untranslatable_true_statement_is_undecided_with_the_reason():
    check = provers.inequality(sp.sin(x) ** 2, "<=", 1)
    assert check.detail == "undecided: z3: unknown; no exact point on the rational grid"
    assert check.method == "lhs <= rhs"


def test_simplify_proofs_are_named():
    check = provers.identity(sp.sin(x) ** 2 + sp.cos(x) ** 2, 1)
    assert check.method == "simplify(lhs - rhs) == 0"


def test_a_weak_factor_cannot_certify_a_strict_inequality():
    # x (x + 1) > 0 fails at x = 0: x >= 0 is a weak sign only.
    check = provers.inequality(x * (x + 1), ">", 0, assumptions=[x >= 0])
    assert not check.holds
    assert check.counterexample == {"x": 0}


def test_refutation_details_name_the_point():
    check = provers.inequality(x**2, "<=", x, assumptions=[x > 0])
    assert check.detail == f"lhs <= rhs fails at {check.counterexample}"
    check = provers.implies([x > 1], x > 2)
    assert check.detail == f"premises hold, conclusion fails at {check.counterexample}"
    assert list(check.counterexample) == sorted(check.counterexample)
    check = provers.identity((x + y) ** 2 + a, x**2 + y**2 + a)
    assert list(check.counterexample) == sorted(check.counterexample)


def test_undecided_implication_is_named_for_its_conclusion():
    check = provers.implies([x >= 0], sp.exp(x) >= 1 + x + x**2 / 2)
    assert check.undecided
    assert check.method == "conclusion"


def test_exact_python_fractions_are_converted():
    assert provers.identity(Fraction(1, 2), sp.Rational(1, 2)).holds
    assert not provers.identity(Fraction(1, 3), sp.Rational(1, 2)).holds


def test_an_odd_power_of_a_negative_factor_flips_the_sign():
    check = provers.inequality((x - 5) ** 3 * (x + 1), "<", 0, assumptions=[x > 0, x < 1])
    assert check.method == "factorisation into factors of known sign"

"""Boundary cases of the exact deciders: the limits and constants that steer a decision.

Each test pins one choice that the other prover tests leave free (found by mutation testing):
where the simplifier's size limit falls, and which factorisations count as certificates.
"""

from __future__ import annotations

import sympy as sp

from verify import _z3, provers

x, y = sp.symbols("x y", real=True)
TRIG = sp.sin(x) ** 2 + sp.cos(x) ** 2  # equal to 1, but only simplify shows it (z3 lacks sin)


def test_a_difference_at_the_size_limit_is_simplified_and_one_above_is_not(monkeypatch):
    size = sp.count_ops(TRIG - 1)
    monkeypatch.setattr(provers, "_SIMPLIFY_MAX_OPS", size)
    check = provers.identity(TRIG, sp.Integer(1))
    assert check.holds and check.method == "simplify(lhs - rhs) == 0"
    assert check.detail == "difference is identically 0"
    monkeypatch.setattr(provers, "_SIMPLIFY_MAX_OPS", size - 1)
    check = provers.identity(TRIG, sp.Integer(1))
    assert check.undecided and check.detail.startswith("undecided")


def test_a_positive_fractional_coefficient_keeps_the_factor_certificate():
    check = provers.inequality(x**2 * y**2 / 2, ">=", 0)
    assert check.holds
    assert check.method == "factorisation into factors of known sign"
    assert check.detail.startswith("1/2 * (x)**2 * (y)**2")


def test_a_negative_fractional_power_is_undefined_at_zero():
    # x**(-1/2) needs x > 0, not x >= 0: at x = 0 the statement is undefined, hence not proved.
    check = provers.inequality(x ** sp.Rational(-1, 2), ">=", 0, assumptions=(x >= 0,))
    assert not check.holds
    assert check.counterexample == {"x": 0}
    assert check.undefined == "1/sqrt(x): base 0 is not positive"
    assert provers.inequality(x ** sp.Rational(-1, 2), ">=", 0, assumptions=(x > 0,)).holds
    # Inside exp the power is no denominator of the relation: its own domain must exclude x = 0.
    check = provers.inequality(sp.exp(x ** sp.Rational(-1, 2)), ">", 0, assumptions=(x >= 0,))
    assert (check.holds, check.counterexample) == (False, {"x": 0})
    assert check.undefined == "1/sqrt(x): base 0 is not positive"


def test_two_undefined_functions_of_one_arity_are_different_functions():
    g, h = sp.Function("g"), sp.Function("h")
    check = provers.identity(g(x), h(x))
    assert not check.holds
    point = check.counterexample
    assert point[f"g({point['x']})"] != point[f"h({point['x']})"]


def test_z3_answers_unknown_for_an_untranslatable_query_and_an_exhausted_resource_limit(
        monkeypatch):
    assert _z3._solve((sp.sin(x) > 0,)) == ("unknown", None)
    monkeypatch.setattr(_z3, "_RLIMIT", 1)  # the limit is set on the solver: nothing is decided
    assert _z3._solve((x**2 > 2,)) == ("unknown", None)
    monkeypatch.undo()
    assert _z3._solve((x**2 > 2,))[0] == "sat"

"""The provers' soundness rules, one rejection test per way a false statement could be "proved".

1. a symbol is its name and its assumptions (a clash is an error, assumptions are facts);
2. contradictory hypotheses are an error, never a proof; "unknown" is not consistency;
3. domain conditions bind the sub-term where they arise, never the hypotheses;
4. counterexample signs are proved (exact rationals, interval enclosures), never read off floats.
"""

from __future__ import annotations

import pytest
import sympy as sp

from verify import _counterexamples, _exact, _z3, provers
from verify.errors import (
    HypothesesError,
    SymbolClashError,
    UndecidedHypothesesError,
    UnsupportedSymbolError,
    VacuousHypothesesError,
)

x, y, z, u = sp.symbols("x y z u", real=True)
R = sp.Rational


def _refuted_exactly(check, statement, hypotheses=()):
    """The counterexample satisfies the hypotheses and falsifies the statement, exactly."""
    assert not check.holds
    point = {s: check.counterexample[s.name] for s in statement.free_symbols}
    for h in hypotheses:
        assert _exact.truth(h, {s: check.counterexample[s.name] for s in h.free_symbols}) is True
    return _exact.truth(statement, point)


# ---------------------------------------------------------------------- 1. symbols and clashes
def test_same_name_different_assumptions_is_a_clash_not_a_proof():
    with pytest.raises(SymbolClashError, match="'x' names 2 different symbols"):
        provers.identity(sp.Symbol("x", positive=True), sp.Symbol("x", real=True))


@pytest.mark.parametrize(
    "decide",
    [
        lambda a, b: provers.inequality(a, ">", 0, assumptions=[b > 1]),
        lambda a, b: provers.implies([a > 1], b > 0),
        lambda a, b: provers.derivative(a**2, b, 2 * a),
        lambda a, b: provers.fixed_point(a / 2, a, b),
        lambda a, b: provers.identity(a, a, assumptions=[sp.Eq(b, 1)]),
    ],
    ids=["inequality", "implies", "derivative", "fixed_point", "identity"],
)
def test_clash_anywhere_in_a_decision_is_raised_before_any_work(decide, monkeypatch):
    def no_work(*args, **kwargs):
        raise AssertionError("a prover ran before the clash was reported")

    monkeypatch.setattr(_z3, "solve", no_work)
    monkeypatch.setattr(_counterexamples, "require_consistent", no_work)
    with pytest.raises(SymbolClashError, match="symbol clash"):
        decide(sp.Symbol("t", positive=True), sp.Symbol("t", integer=True))


def test_clash_message_shows_both_declarations():
    with pytest.raises(SymbolClashError) as info:
        provers.inequality(sp.Symbol("x", positive=True), "<", sp.Symbol("x", integer=True))
    assert "x {'integer': True}, x {'positive': True}" in str(info.value)


def test_clash_inside_the_differentiated_function_is_raised():
    # d^2/dy^2 (x y) = 0 loses x: the clash with the assumption's x must still be seen.
    xp, yy = sp.Symbol("x", positive=True), sp.Symbol("y", real=True)
    with pytest.raises(SymbolClashError):
        provers.derivative(xp * yy, yy, 0, order=2, assumptions=[x > 0])


def test_clash_with_an_undeclared_symbol_shows_empty_assumptions():
    with pytest.raises(SymbolClashError, match=r"\(x \{'real': True\}, x \{\}\)"):
        provers.identity(sp.Symbol("x"), x)


def test_clash_between_state_and_update_is_raised():
    with pytest.raises(SymbolClashError):
        provers.fixed_point(sp.Symbol("w", real=True) + 1, sp.Symbol("w", positive=True), 0)


def test_dummy_and_symbol_with_one_name_clash():
    with pytest.raises(SymbolClashError):
        provers.identity(sp.Dummy("x") + 1, sp.Symbol("x") + 1)


def test_the_translator_refuses_a_clash_too():
    with pytest.raises(SymbolClashError):
        _z3.solve((sp.Symbol("w", positive=True) + sp.Symbol("w", negative=True) > 1,))


@pytest.mark.parametrize(
    ("declared", "statement"),
    [
        ({"positive": True}, lambda t: t > 0),
        ({"negative": True}, lambda t: t < 0),
        ({"nonnegative": True}, lambda t: t >= 0),
        ({"nonpositive": True}, lambda t: t <= 0),
        ({"nonzero": True}, lambda t: sp.Ne(t, 0)),
        ({"zero": True}, lambda t: sp.Eq(t, 0)),
        ({"integer": True}, lambda t: sp.Or(t <= 0, t >= 1)),
        ({"even": True}, lambda t: sp.Or(t <= 0, t >= 2)),
        ({"odd": True}, lambda t: sp.Ne(t, 2)),
        ({"prime": True}, lambda t: t >= 1),
        ({"extended_positive": True}, lambda t: t > 0),
    ],
    ids=lambda v: ",".join(v) if isinstance(v, dict) else "",
)
def test_declared_assumptions_are_facts(declared, statement):
    # Through t = s, so that SymPy cannot settle the statement on the symbol by itself.
    t = sp.Symbol("t", real=True)
    assert provers.implies([sp.Eq(sp.Symbol("s", **declared), t)], statement(t)).holds
    refuted = provers.implies([sp.Eq(sp.Symbol("s", real=True), t)], statement(t))
    assert refuted.counterexample is not None  # without the declaration it fails


def test_a_declaration_beyond_the_facts_is_undecided_not_refuted():
    # prime: z3 knows "positive integer" only; t = 1 would refute t >= 2 but is not prime.
    t = sp.Symbol("t", real=True)
    check = provers.implies([sp.Eq(sp.Symbol("s", prime=True), t)], t >= 2)
    assert check.undecided


def test_counterexamples_respect_declared_assumptions():
    p = sp.Symbol("p", prime=True)
    check = provers.inequality(p, ">=", 3)
    assert check.counterexample == {"p": 2}
    e = sp.Symbol("e", even=True, positive=True)
    check = provers.inequality(e**2, "<=", 3 * e)
    assert check.counterexample["e"] % 2 == 0
    assert check.counterexample["e"] > 3


@pytest.mark.parametrize(
    "symbol",
    [sp.Symbol("c", real=False), sp.Symbol("c", commutative=False), sp.Symbol("c", infinite=True),
     sp.Symbol("c", imaginary=True)],
)
def test_symbols_that_cannot_be_real_are_rejected(symbol):
    with pytest.raises(UnsupportedSymbolError, match="statements over finite real numbers$"):
        provers.identity(symbol, symbol)


# --------------------------------------------------------------------- 2. vacuous hypotheses
def test_contradictory_premises_are_an_error_not_a_proof():
    with pytest.raises(VacuousHypothesesError) as info:
        provers.implies([y > 1, y < 0], sp.Eq(y, 42))
    assert str(info.value) == (
        "vacuous hypotheses: y > 1, y < 0 [declared y: real] have no common real solution where "
        "they are defined (z3: unsat), so every statement would follow from them"
    )


@pytest.mark.parametrize(
    ("assumptions", "symbol"),
    [
        ([x > 1, x < 0], x),  # explicit assumptions
        ([sp.Symbol("p", positive=True) < 0], sp.Symbol("p", positive=True)),  # declared + explicit
        ([sp.log(x) > 0, x < 1], x),  # a hypothesis' own domain and log facts
        ([sp.Symbol("k", integer=True) > 0, sp.Symbol("k", integer=True) < 1],
         sp.Symbol("k", integer=True)),
        ([sp.sqrt(x) < 0], x),
        ([x**2 < 0], x),
    ],
)
def test_vacuous_hypotheses_raise_for_every_decider(assumptions, symbol):
    for decide in (
        lambda: provers.identity(symbol, symbol + 1, assumptions=assumptions),
        lambda: provers.inequality(symbol, "<", symbol, assumptions=assumptions),
        lambda: provers.implies(assumptions, sp.Eq(symbol, 42)),
        lambda: provers.derivative(symbol**2, symbol, 0, assumptions=assumptions),
        lambda: provers.fixed_point(symbol + 1, symbol, 0, assumptions=assumptions),
    ):
        with pytest.raises(VacuousHypothesesError, match="vacuous hypotheses"):
            decide()


def test_sum_limits_are_integers_in_the_hypotheses_too():
    i, n = sp.Symbol("i", integer=True), sp.Symbol("n", real=True)
    with pytest.raises(VacuousHypothesesError):
        provers.implies([n > 0, n < 1], sp.Sum(i, (i, 1, n)) > 5)
    with pytest.raises(VacuousHypothesesError):
        provers.implies([n > 0, n < 1], sp.Product(i, (i, 1, n)) > 5)


def test_every_limit_symbol_is_typed_integer():
    # n + m < 2 with n, m > 0 has real solutions but no integer ones.
    i, n, m = sp.Symbol("i", integer=True), *sp.symbols("n m", real=True)
    goal = sp.Sum(i, (i, 1, n)) + sp.Sum(i, (i, 1, m)) > 0
    with pytest.raises(VacuousHypothesesError):
        provers.implies([n > 0, m > 0, n + m < 2], goal)


def test_counterexamples_give_limit_symbols_integer_values():
    # Sum_{i<=2n} 1 = 2n >= 2 for every integer n >= 1; n = 1/2 would make it 1, but n is an
    # integer there: no counterexample may be reported.
    i, n = sp.Symbol("i", integer=True), sp.Symbol("n", real=True)
    check = provers.inequality(sp.Sum(1, (i, 1, 2 * n)), ">=", 2, assumptions=[n > 0])
    assert check.counterexample is None


def test_literal_false_hypothesis_is_vacuous():
    with pytest.raises(VacuousHypothesesError, match=r"premises\[1\] is False"):
        provers.implies([x > 0, sp.false], x > 1)
    assert issubclass(VacuousHypothesesError, HypothesesError)
    assert issubclass(HypothesesError, ValueError)
    assert issubclass(SymbolClashError, ValueError)


def test_unknown_is_never_consistency(monkeypatch):
    # x^2 = 2 is consistent, but if z3 only says "unknown" no rational grid point is a witness.
    monkeypatch.setattr(_counterexamples._z3, "solve", lambda *a, **k: ("unknown", None))
    _counterexamples.require_consistent.cache_clear()
    try:
        with pytest.raises(UndecidedHypothesesError, match="could not show the hypotheses"):
            provers.implies([sp.Eq(x**2, 2)], x > 0)
    finally:
        _counterexamples.require_consistent.cache_clear()


def test_a_relaxed_model_is_not_a_witness():
    # exp(x) = 3 has the solution log 3, but no rational point satisfies it exactly: the z3
    # relaxation's model is only a candidate, so consistency is not shown.
    with pytest.raises(UndecidedHypothesesError) as info:
        provers.implies([sp.Eq(sp.exp(x), 3)], x > 1)
    assert str(info.value) == (
        "could not show the hypotheses consistent: Eq(exp(x), 3) [declared x: real] (z3: sat; "
        "no exact witness on the rational grid)"
    )
    # Vacuous beyond the exp facts z3 knows (e^x >= 1 + x + x^2/2 on x >= 0): not shown consistent.
    with pytest.raises(UndecidedHypothesesError):
        provers.implies([x >= 0, sp.exp(x) < 1 + x + x**2 / 2], sp.Eq(x, 42))


def test_the_declared_assumptions_are_shown_in_the_error():
    q = sp.Symbol("q", positive=True, integer=False)
    shown = r"\[declared q: not integer, positive; x: real\]"
    with pytest.raises(VacuousHypothesesError, match=shown):
        provers.implies([q + x < 0, x > 0], q > 1)


def test_a_symbol_without_rational_values_cannot_be_witnessed():
    w = sp.Symbol("w", irrational=True)
    with pytest.raises(UndecidedHypothesesError) as info:
        provers.implies([], w > 0)
    assert str(info.value) == (
        "could not show the hypotheses consistent: no explicit hypotheses [declared w: "
        "irrational] (z3: sat; no exact witness on the rational grid)"
    )


def test_a_model_witness_covers_symbols_the_model_does_not_mention():
    # Only z3's model (x = sqrt 2) satisfies x^2 = 2; y, absent from it, takes a grid value.
    check = provers.implies([sp.Eq(x**2, 2)], y > 0)
    assert check.counterexample["y"] <= 0


def test_irrational_witnesses_are_exact_algebraic_numbers():
    check = provers.implies([sp.Eq(x**2, 2), x > 0], sp.Ne(x**3, 3))
    assert check.holds
    found = _counterexamples.require_consistent((sp.Eq(x**5 + x**3, 2 * x + 1),), frozenset({x}),
                                                frozenset())
    assert _exact.truth(sp.Eq(x**5 + x**3, 2 * x + 1), {x: found.point["x"]}) is True


# ------------------------------------------------------------------------ 3. domain conditions
def test_domain_of_the_goal_does_not_empty_the_hypotheses():
    check = provers.implies([z < 0], sp.sqrt(z) >= 5)
    assert not check.holds
    assert check.counterexample["z"] < 0
    assert check.detail.startswith("undefined at")
    assert "negative" in check.undefined


@pytest.mark.parametrize(
    ("decide", "reason"),
    [
        (lambda: provers.identity((z**2 - 1) / (z - 1), z + 1), "division by zero"),
        (lambda: provers.inequality(sp.log(z), "<=", z - 1), "log"),
        (lambda: provers.inequality(1 / z**2, ">", 0), "division by zero"),
        (lambda: provers.derivative(sp.log(z), z, 1 / z), "log"),  # f itself must be defined
        (lambda: provers.fixed_point(z, z, 1 / u), "division by zero"),
        (lambda: provers.implies([u < 0], sp.And(u < 0, sp.log(u) > 0)), "log"),
    ],
)
def test_undefined_somewhere_is_refuted_there(decide, reason):
    check = decide()
    assert check.holds is False
    assert check.undefined is not None and reason in check.undefined
    assert check.detail.startswith("undefined at")
    assert not check.undecided


def test_the_same_statements_hold_where_they_are_defined():
    assert provers.identity((z**2 - 1) / (z - 1), z + 1, assumptions=[sp.Ne(z, 1)]).holds
    assert provers.inequality(sp.log(z), "<=", z - 1, assumptions=[z > 0]).holds
    assert provers.inequality(1 / z**2, ">", 0, assumptions=[z > 0]).holds
    assert provers.derivative(sp.log(z), z, 1 / z, assumptions=[z > 0]).holds


def test_undefined_points_are_found_on_the_grid_too():
    # sin is beyond z3: the point x = 0, where sin(x)/x is undefined, comes from the grid.
    check = provers.inequality(sp.sin(x) / x, "<=", 1)
    assert check.counterexample == {"x": 0}
    assert check.undefined == "division by zero in 1/x"
    assert check.method == (
        "rational grid search, confirmed by exact evaluation: the statement is undefined there"
    )


def test_a_false_point_is_preferred_to_an_undefined_one():
    check = provers.identity(1 / z, 2 / z)
    assert check.undefined is None
    assert check.counterexample["z"] != 0
    assert check.detail.startswith("lhs - rhs")


def test_domain_conditions_of_a_premise_bind_that_premise():
    assert provers.implies([sp.log(u) > 0], u > 1).holds
    # The disjunct u < 0 carries no condition: the hypothesis holds at u = -1.
    check = provers.implies([sp.Or(u < 0, sp.log(u) > 0)], u > 1)
    assert not check.holds
    assert check.counterexample["u"] < 0
    assert check.undefined is None


def test_conditions_inside_a_branch_bind_that_branch():
    pw = sp.Piecewise((sp.log(u), u > 0), (u - 1, True))
    assert provers.inequality(pw, "<=", u - 1).holds
    assert provers.implies([u < 0], pw < 0).holds
    assert provers.implies([u < 0], sp.Or(u < 0, sp.log(u) > 0)).holds
    check = provers.inequality(pw, "<", u - 1)
    assert check.counterexample is not None and check.undefined is None


def test_a_taken_branch_must_be_defined():
    pw = sp.Piecewise((sp.log(x), x < 5), (0, True))
    check = provers.inequality(pw, "<=", 4)
    assert check.undefined is not None
    assert check.counterexample["x"] <= 0


def test_both_searches_are_reported_when_undecided():
    d = sp.exp(x) - 1 - x - x**2 / 2
    check = provers.inequality(1 / d, ">", 0, assumptions=[x > 0])
    assert check.detail == (
        "undecided: z3: sat; no exact point on the rational grid; "
        "definedness: z3: sat; no exact point on the rational grid"
    )


def test_definedness_uses_the_integer_typing_of_limits():
    # 2n - 1 != 0 for the integer n of a sum's limit (n = 1/2 is not a value of n).
    i, n = sp.Symbol("i", integer=True), sp.Symbol("n", real=True)
    term = sp.Sum(1, (i, 1, n)) / (2 * n - 1)
    assert provers.identity(term, term, assumptions=[n > 0]).holds


def test_an_undefined_function_at_an_irrational_point_has_no_value():
    g = sp.Function("g")
    check = provers.implies([sp.Eq(x**2, 2)], g(x) > 0)
    assert check.undecided


def test_literal_conclusions():
    assert provers.implies([x > 0], sp.true).holds
    check = provers.implies([x > 0], sp.false)
    assert not check.holds
    assert check.counterexample["x"] > 0


def test_definedness_beyond_the_facts_is_undecided():
    # e^x - 1 - x - x^2/2 > 0 for x > 0, but not from the exp facts z3 knows, and it has no zero
    # to show: the identity holds where defined, and its definedness stays undecided.
    d = sp.exp(x) - 1 - x - x**2 / 2
    check = provers.identity(1 / d + 1, (1 + d) / d, assumptions=[x > 0])
    assert check.undecided
    assert check.detail.startswith("undecided: definedness: z3: sat")
    assert check.method == "lhs == rhs"


def test_piecewise_without_a_branch_is_undefined_there():
    pw = sp.Piecewise((1, u > 0), (-1, u < 0))
    check = provers.inequality(pw**2, ">=", 1)
    assert check.counterexample == {"u": 0}
    assert "no branch" in check.undefined


# ------------------------------------------------------------------ 4. exact counterexamples
def test_counterexample_below_sixty_digits_is_confirmed_exactly():
    # log(1 + x) > x - x^2/2 for x > 0; the failure margin at x < 1e-20 is below 1e-60.
    hyps = (x > 0, x < R(1, 10**20))
    statement = sp.log(1 + x) <= x - x**2 / 2
    check = provers.inequality(sp.log(1 + x), "<=", x - x**2 / 2, assumptions=hyps)
    assert not check.undecided
    assert isinstance(check.counterexample["x"], sp.Rational)
    assert _refuted_exactly(check, statement, hyps) is False


def test_rational_counterexample_is_checked_in_rational_arithmetic():
    hyps = (x > 0, x < R(1, 10**100))
    check = provers.inequality(x**3 + x, "<=", x, assumptions=hyps)
    value = check.counterexample["x"]
    assert isinstance(value, sp.Rational)
    assert 0 < value < R(1, 10**100)
    assert value**3 + value - value > 0


def test_undecidable_sign_gives_no_counterexample():
    # The difference at every candidate is 0 in exact arithmetic only symbolically: nothing is
    # refuted on a float's say-so (true statement, beyond the relaxation): undecided.
    check = provers.inequality(sp.exp(x), ">=", 1 + x + x**2 / 2, assumptions=(x >= 0,))
    assert check.undecided

"""The SymPy -> z3 translation: each fact about an atom is needed for some proof, and none of them
restricts the variables outside the atom's domain."""

from __future__ import annotations

import pytest
import sympy as sp

from verify import _domain, _z3, provers

x, y, u = sp.symbols("x y u", real=True)
R = sp.Rational


def _unsat(*formulas):
    return _z3.solve(tuple(formulas))[0] == "unsat"


def _sat(*formulas):
    return _z3.solve(tuple(formulas))[0] == "sat"


@pytest.mark.parametrize(
    "contradiction",
    [
        sp.And(y <= 0, sp.exp(x) <= y),  # exp(u) > 0
        sp.exp(x) < 1 + x,  # exp(u) >= 1 + u
        sp.And(x <= 0, sp.exp(x) > 1),  # exp(u) <= 1 for u <= 0
        sp.And(x < 0, sp.exp(x) >= 1),  # exp(u) < 1 for u < 0
        sp.And(x > 0, sp.log(x) > x - 1),  # log(u) <= u - 1
        sp.And(x >= 1, sp.log(x) < 0),  # log(u) >= 0 for u >= 1
        sp.And(x > 1, sp.log(x) <= 0),  # log(u) > 0 for u > 1
        sp.And(y <= 0, sp.Abs(x) < y),
        sp.And(sp.Ne(sp.Abs(x), x), sp.Ne(sp.Abs(x), -x)),
        sp.Max(x, y) < x,
        sp.Max(x, y) < y,
        sp.And(sp.Ne(sp.Max(x, y), x), sp.Ne(sp.Max(x, y), y)),
        sp.Min(x, y) > x,
        sp.Min(x, y) > y,
        sp.And(sp.Ne(sp.Min(x, y), x), sp.Ne(sp.Min(x, y), y)),
        sp.And(x >= 0, sp.sqrt(x) < 0),  # the root is nonnegative
        sp.And(x >= 0, sp.Eq(y, sp.sqrt(x)), sp.Ne(y**2, x)),  # and squares to its argument
        sp.And(x > 1, sp.log(1 / x) >= 0),  # 1/x inside an atom: d * x = 1
        sp.And(x > 0, x ** R(3, 2) < 0),
        sp.And(x > 0, x ** R(-1, 2) <= 0),
        sp.And(sp.Eq(y, sp.E), y < 2),
    ],
)
def test_each_atom_fact_refutes_its_contradiction(contradiction):
    assert _unsat(contradiction)


@pytest.mark.parametrize(
    "consistent",
    [
        # Outside the domain an atom's facts must not bind: these hold at x = -1 or x = 0.
        sp.And(x < 0, sp.Eq(y, 1)),
        sp.Or(x < 0, sp.log(x) > 0),
        sp.Or(x < 0, sp.sqrt(x) > 1),
        sp.Or(sp.Eq(x, 0), 1 / x > 1),
        sp.Or(x <= 0, x ** R(-1, 2) > 1),
        sp.Not(sp.log(x) > 0),  # defined and false: 0 < x <= 1
        sp.exp(x) > 1000,  # a relaxation must not refute what is true somewhere
        sp.log(x) < -1000,
    ],
)
def test_facts_do_not_restrict_outside_the_domain(consistent):
    assert _sat(consistent)


@pytest.mark.parametrize(
    "point",
    [
        # Atom facts must admit every real value of the atom: its boundary values included.
        sp.And(sp.Eq(x, 0), sp.Eq(sp.Abs(x), 0)),
        sp.And(sp.Eq(x, 1), sp.Eq(sp.log(x), 0)),
        sp.And(sp.Eq(x, 0), sp.Eq(sp.exp(x), 1)),
        sp.And(sp.Eq(x, 0), sp.Eq(sp.sqrt(x), 0)),
        sp.And(sp.Eq(x, R(1, 4)), sp.Eq(sp.sqrt(x), R(1, 2))),
        sp.And(sp.Eq(x, R(1, 2)), sp.log(1 / x**2) > 1),  # log 4 = 1.38...
        sp.And(sp.Eq(y, sp.E), y < 3),
        sp.And(sp.Eq(x, y), sp.Eq(sp.Max(x, y), x), sp.Eq(sp.Min(x, y), y)),
    ],
)
def test_facts_admit_boundary_values(point):
    assert _sat(point)


def test_undefined_is_neither_true_nor_false():
    # log(u) > 0 at u <= 0: "undefined" is satisfiable, "false" only inside the domain.
    status, model = _z3.solve((u <= 0,), sp.log(u) > 0, "undefined")
    assert status == "sat"
    assert dict(model.symbols)[u] <= 0
    assert _z3.solve((u <= 0,), sp.log(u) > 0, "false")[0] == "unsat"
    assert _z3.solve((u <= 0,), sp.log(u) > 0, "not-true")[0] == "sat"
    assert _z3.solve((u > 0,), sp.log(u) > 0, "undefined")[0] == "unsat"


def test_want_must_be_known():
    with pytest.raises(ValueError, match="want"):
        _z3.solve((x > 0,), x > 1, "maybe")


@pytest.mark.parametrize(
    ("premises", "conclusion"),
    [
        ([sp.Implies(x > 0, y > 0), x > 1], y > 0),
        ([sp.Not(x <= 1)], x > 1),
        ([sp.Or(x > 2, x < -2)], x**2 > 4),
        ([sp.And(x > 0, y > 0)], x * y > 0),
        ([x > 0], sp.Implies(y > 0, x * y > 0)),
        ([x > 0], sp.Or(x > 1, x <= 1)),
        ([x > 0], sp.Not(x < 0)),
        ([x > 0, sp.Eq(y, x)], y / (1 - sp.sqrt(2)) < 0),  # negative numeric denominator
        ([x > 0, sp.Eq(y, x)], y / sp.sqrt(2) > 0),
        ([x > 0], sp.Eq(x / (x + 1) + 1 / (x + 1), 1)),
        ([x > 1], sp.log(1 / x) < 0),
        ([sp.Eq(x, 0)], sp.Eq(sp.exp(x), 1)),
        ([sp.Eq(x, 1)], sp.Eq(sp.log(x), 0)),
        ([x > 0], sp.exp(-x) < 1),
        ([x >= 0], sp.Eq(sp.Abs(x), x)),
        ([x <= 0], sp.Eq(sp.Abs(x), -x)),
        ([x >= y], sp.Eq(sp.Max(x, y), x)),
        ([x >= y], sp.Eq(sp.Min(x, y), y)),
        ([x > 0], sp.Piecewise((x, x > 0), (-x, True)) > 0),
        ([x < 0], sp.Piecewise((x, x > 0), (-x, True)) > 0),
        ([x > 1], x ** R(1, 3) > 1),
    ],
)
def test_connectives_and_atoms_prove_what_they_should(premises, conclusion):
    assert provers.implies(premises, conclusion).holds


@pytest.mark.parametrize(
    ("premises", "conclusion"),
    [
        ([sp.Implies(x > 0, y > 0)], y > 0),
        ([x > 0], sp.Implies(y > 0, x * y > 1)),
        ([x > 0], sp.Eq(sp.Max(x, y), x)),
        ([x > 0], sp.Piecewise((x, x > 1), (-x, True)) > 0),
        ([sp.Or(x > 2, x < -3)], x > 0),
    ],
)
def test_connectives_refute_what_they_should(premises, conclusion):
    check = provers.implies(premises, conclusion)
    assert not check.holds
    assert check.counterexample is not None


def test_opaque_terms_are_unknown_reals():
    i, n = sp.Symbol("i", integer=True), sp.Symbol("n", integer=True, positive=True)
    g = sp.Function("g")
    total = sp.Sum(g(i), (i, 1, n))
    assert provers.identity(total / (2 * n) + total / (2 * n), total / n).holds
    # Nothing is known about the value of an opaque term: no proof that it is positive.
    assert _z3.solve((), total > 0, "false")[0] == "sat"
    assert provers.implies([sp.Eq(g(1), 2)], g(1) > 1).holds


@pytest.mark.parametrize(
    ("item", "is_total"),
    [
        (x**2 + sp.exp(x) + sp.Abs(x) + sp.Max(x, 1), True),
        (sp.sin(x) * sp.cos(x), True),
        (sp.Function("g")(x), True),
        (1 / x, False),
        (sp.sqrt(x), False),
        (sp.log(x), False),
        (sp.Piecewise((x, x > 0), (0, True)), False),
        (sp.Sum(x, (sp.Symbol("i"), 1, sp.Symbol("n"))), True),
        (sp.Sum(x, (sp.Symbol("i"), 1, sp.Symbol("n") ** 2 + 2 * sp.Symbol("n"))), True),
        (sp.Sum(x, (sp.Symbol("i"), 1, sp.Symbol("n") / 2)), False),
        (sp.Sum(x, (sp.Symbol("i"), 1, sp.Symbol("n") ** -1)), False),
        (sp.Sum(1 / sp.Symbol("i"), (sp.Symbol("i"), 1, sp.Symbol("n"))), False),
        (sp.Sum(x, (sp.Symbol("i"), 1, sp.sqrt(sp.Symbol("n")))), False),
        (x > 0, True),
        (sp.gamma(x), False),
    ],
)
def test_total_marks_every_domain_condition(item, is_total):
    assert _domain.total(item) is is_total


def test_symbol_facts_follow_the_declaration():
    v = sp.Symbol("v", integer=True)
    facts = _z3._symbol_facts(v, __import__("z3").Real("v"), False)
    assert len(facts) == 1
    typed = _z3._symbol_facts(y, __import__("z3").Real("y"), True)
    assert len(typed) == 1
    assert _z3._symbol_facts(y, __import__("z3").Real("y"), False) == []


def test_algebraic_model_values_are_exact_roots():
    status, model = _z3.solve((sp.Eq(x**2, 2), x < 0))
    assert status == "sat"
    assert dict(model.symbols)[x] == -sp.sqrt(2)
    status, model = _z3.solve((sp.Eq(x**3, 2),))
    assert dict(model.symbols)[x] ** 3 == 2


def test_undefined_functions_get_values_in_counterexamples():
    g = sp.Function("g")
    check = provers.identity(g(x) + g(y), 2 * g(x))
    point = check.counterexample
    table = {g(sp.Integer(int(k[2:-1]))): v for k, v in point.items() if k.startswith("g(")}
    at = {g(point["x"]): table[g(point["x"])], g(point["y"]): table[g(point["y"])]}
    assert at[g(point["x"])] != at[g(point["y"])]
    # Functional consistency: the same argument, the same value.
    assert provers.implies([g(x) > 0, sp.Eq(x, y)], g(y) > 0).holds
    check = provers.implies([g(1) > 0], g(2) > 0)
    assert check.counterexample["g(1)"] > 0 >= check.counterexample["g(2)"]


def test_a_model_is_read_out_whole_and_keeps_no_z3_object():
    """The view of a model holds exact SymPy values only, not the query's z3 context."""
    import z3

    g, h = sp.Function("g"), sp.Function("h")
    status, model = _z3.solve((sp.Eq(g(1), 2), g(x) > 3, sp.Eq(x, sp.Rational(5, 2)),
                               sp.Eq(h(x, 1), 7), sp.Eq(h(1, x), -7), sp.Eq(h(1, 1), 0)))
    assert status == "sat"
    assert model.apply(g(1)) == 2
    assert model.apply(g(sp.Rational(5, 2))) > 3
    assert model.apply(h(sp.Rational(5, 2), 1)) == 7
    assert model.apply(h(1, sp.Rational(5, 2))) == -7
    assert model.apply(h(1, 1)) == 0
    default = model.apply(g(7))
    assert default is not None and default.is_Rational
    assert model.apply(g(x)) is None  # not an exact point
    assert model.apply(sp.Function("k")(1)) is None  # a function the query never saw
    held = [model.symbols, *model.__dict__.values()]
    assert not any(isinstance(v, z3.Z3PPObject) for v in held)


def test_every_query_has_a_z3_context_of_its_own():
    """Nothing an earlier query built (terms, numbering, solver state) is seen by a later one."""
    import z3

    first, second = _z3._Translator(frozenset()), _z3._Translator(frozenset())
    assert first.ctx is not second.ctx
    assert z3.main_ctx() not in (first.ctx, second.ctx)
    assert first.term(x + 1).ctx is first.ctx


@pytest.mark.parametrize(("hypotheses", "goals", "expected"), [
    ((x > 1,), (x < 0, x > 0, x >= 5), 1),
    ((x > 1,), (x < 0, x <= 1), None),
    ((x >= 0, y >= 0), (x * y > 0, x * y >= 0, x + y >= 0), 1),
    ((), (x**2 + 1 > 0,), 0),
    ((x > 0,), (sp.log(x) < 0, sp.log(x) <= x - 1), 1),
])
def test_first_proved_is_the_first_goal_each_query_proves(hypotheses, goals, expected):
    """One translation for several goals answers as one query per goal would."""
    alone = [_z3._solve(hypotheses, g, "false")[0] == "unsat" for g in goals]
    assert _z3._first_proved(hypotheses, goals) == expected
    assert expected == (alone.index(True) if True in alone else None)


def test_first_proved_of_an_untranslatable_goal_is_none():
    assert _z3._first_proved((x > 0,), (sp.sin(x) <= 1,)) is None


@pytest.mark.parametrize(("assumption", "implied", "allowed"), [
    ("positive", lambda s: s > 0, ("1/100",)),
    ("negative", lambda s: s < 0, ("-1/100",)),
    ("nonnegative", lambda s: s >= 0, ("0", "1/100")),
    ("nonpositive", lambda s: s <= 0, ("0", "-1/100")),
    ("zero", lambda s: sp.Eq(s, 0), ("0",)),
    ("nonzero", lambda s: sp.Ne(s, 0), ("1/100", "-1/100")),
])
def test_each_declared_sign_is_a_fact_z3_uses(assumption, implied, allowed):
    """The declaration proves its own sign about a plain symbol equal to it (asked of the
    declared symbol itself, SymPy would answer before z3 is asked), and no more: values the
    declaration allows, even close to 0, remain possible."""
    s = sp.Symbol("s", real=True, **{assumption: True})
    assert _z3._solve((sp.Eq(u, s),), implied(u), "false")[0] == "unsat"
    assert _z3._solve((), implied(u), "false")[0] == "sat"
    for value in allowed:
        assert _z3._solve((sp.Eq(u, s), sp.Eq(u, sp.Rational(value))))[0] == "sat", value


@pytest.mark.parametrize(("assumption", "only"), [("even", 3), ("odd", 4), ("integer", "1/2")])
def test_each_declared_parity_excludes_the_other_values(assumption, only):
    """Between only - 1/2 and only + 1/2 lies one value of the wrong parity (an interval, since
    SymPy would itself settle ``Eq(s, 4)`` for an odd ``s``); the right one is found."""
    s = sp.Symbol("s", **{assumption: True})
    only = sp.Rational(only)
    assert _z3._solve((s > only - sp.Rational(1, 2), s < only + sp.Rational(1, 2)))[0] == "unsat"
    status, model = _z3._solve((s > only, s < only + 2))
    assert status == "sat" and dict(model.symbols)[s].is_integer


def test_definedness_keeps_every_condition_of_a_term():
    """log(x) + log(y) needs x > 0 and y > 0: with x > 0 given, it is undefined at some y."""
    assert _z3._solve((x > 0,), sp.log(x) + sp.log(y) > 0, "undefined")[0] == "sat"
    assert _z3._solve((x > 0, y > 0), sp.log(x) + sp.log(y) > 0, "undefined")[0] == "unsat"
    three = sp.log(x) + sp.log(y) + sp.log(u)
    assert _z3._solve((x > 0, y > 0), three > 0, "undefined")[0] == "sat"


def test_a_function_default_that_is_not_a_number_is_evaluated_in_the_kept_model(monkeypatch):
    """z3 may give an interpretation whose default is a term, not a number; the view then keeps
    the z3 model and evaluates the function there, at exact arguments."""
    g = sp.Function("g")
    hypotheses = (sp.Eq(g(1), 2), sp.Eq(g(sp.Rational(1, 2)), 5), g(x) > 3)
    status, table_model = _z3._solve(hypotheses)
    monkeypatch.setattr(_z3, "_is_number", lambda val: False)
    status, kept = _z3._solve(hypotheses)
    assert status == "sat" and kept._model is not None and not kept._tables
    assert kept.apply(g(1)) == 2 == table_model.apply(g(1))
    assert kept.apply(g(sp.Rational(1, 2))) == 5
    assert kept.apply(g(7)) == table_model.apply(g(7))
    assert kept.apply(g(x)) is None
    assert kept.apply(sp.Function("k")(1)) is None


class _FakeSolver:
    """A z3 solver that answers ``answer`` for the reason ``reason`` (a Ctrl-C that z3 took
    reads as ``unknown``, "canceled" or "interrupted from keyboard")."""

    def __init__(self, answer, reason):
        self.answer, self.reason = answer, reason

    def set(self, *_):
        pass

    def add(self, *_):
        pass

    def check(self):
        return self.answer

    def reason_unknown(self):
        return self.reason


@pytest.mark.parametrize("reason", ["canceled", "interrupted from keyboard"])
def test_a_ctrl_c_that_z3_took_is_handed_back(monkeypatch, reason):
    import z3

    monkeypatch.setattr(_z3.z3, "SolverFor", lambda *a, **k: _FakeSolver(z3.unknown, reason))
    with pytest.raises(KeyboardInterrupt):
        _z3._solve((x > 0,), x > 1)
    with pytest.raises(KeyboardInterrupt):
        _z3._first_proved((x > 0,), (x > 1, x > 2))


def test_other_unknown_answers_are_unknown_not_interrupts(monkeypatch):
    import z3

    monkeypatch.setattr(_z3.z3, "SolverFor",
                        lambda *a, **k: _FakeSolver(z3.unknown, "max. resource limit exceeded"))
    assert _z3._solve((x > 0,), x > 1) == ("unknown", None)
    assert _z3._first_proved((x > 0,), (x > 1, x > 2)) is None
    monkeypatch.setattr(_z3.z3, "SolverFor", lambda *a, **k: _FakeSolver(z3.sat, "canceled"))
    assert _z3._first_proved((x > 0,), (x > 1, x > 2)) is None


@pytest.mark.parametrize(("hypotheses", "goal", "false", "true"), [
    # (hypotheses, goal, can the goal be false, can it be true)
    ((), sp.And(x > 0, y > 0), True, True),
    ((x > 0, y > 0), sp.And(x > 0, y > 0), False, True),
    ((x > 0,), sp.And(x > 0, y > 0), True, True),
    ((), sp.Or(x > 0, y > 0), True, True),
    ((x > 0,), sp.Or(x > 0, y > 0), False, True),
    ((), sp.Not(sp.And(x > 0, y > 0)), True, True),
    ((x > 0, y > 0), sp.Not(sp.And(x > 0, y > 0)), True, False),
    ((x <= 0,), sp.Not(sp.And(x > 0, y > 0)), False, True),
    ((x > 0,), sp.Not(sp.Or(x > 0, y > 1)), True, False),
])
def test_connectives_are_true_and_false_where_they_should_be(hypotheses, goal, false, true):
    """Both sides of every connective: ``want="false"`` asks whether the goal can be false,
    and the negated goal whether it can be true."""
    assert (_z3._solve(hypotheses, goal, "false")[0] == "sat") is false
    assert (_z3._solve((*hypotheses, goal))[0] == "sat") is true

"""Exact evaluation: proved signs (never a float comparison), definedness, three-valued truth."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

from verify import _exact
from verify._exact import Undefined, admissible, sign, truth, value

x, u = sp.symbols("x u", real=True)
i, n = sp.symbols("i n", integer=True)
R = sp.Rational
TINY = R(1, 10**50)

rationals = st.fractions(min_value=-50, max_value=50, max_denominator=60).map(
    lambda f: R(f.numerator, f.denominator)
)
positives = st.fractions(min_value=R(1, 60), max_value=50, max_denominator=60).map(
    lambda f: R(f.numerator, f.denominator)
)


def test_rational_signs_are_exact():
    assert sign(R(1, 10**300)) == 1
    assert sign(-R(1, 10**300)) == -1
    assert sign(sp.Integer(0)) == 0


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        # log(1 + t) - t = -t^2/2 + ...: about -5e-101, far below what 60 digits separate from 0.
        (sp.log(1 + TINY) - TINY, -1),
        (sp.exp(TINY) - 1 - TINY, 1),
        # Ramanujan's near-integer: e^(pi sqrt 163) = 640320^3 + 744 - 7.5e-13.
        (sp.exp(sp.pi * sp.sqrt(163)) - 640320**3 - 744, -1),
        (sp.pi - R(355, 113), -1),
        (sp.sqrt(2) - R(1414213562373095, 10**15), 1),
    ],
)
def test_tiny_nonzero_signs_are_decided_by_enclosures(number, expected):
    assert sign(number) == expected


@pytest.mark.parametrize(
    "zero",
    [
        sp.log(6) - sp.log(2) - sp.log(3),
        sp.sqrt(2) + sp.sqrt(3) - sp.sqrt(5 + 2 * sp.sqrt(6)),
        sp.sqrt(2) * sp.sqrt(3) - sp.sqrt(6),
        # (2 + sqrt 2)^3 = 20 + 14 sqrt 2: zero by its minimal polynomial; simplify cannot see it.
        (20 + 14 * sp.sqrt(2)) ** R(1, 3) + (20 - 14 * sp.sqrt(2)) ** R(1, 3) - 4,
        sp.CRootOf(x**5 + x**3 - 2 * x - 1, 0) ** 5
        + sp.CRootOf(x**5 + x**3 - 2 * x - 1, 0) ** 3
        - 2 * sp.CRootOf(x**5 + x**3 - 2 * x - 1, 0)
        - 1,
    ],
)
def test_zero_is_proved_exactly(zero):
    assert sign(zero) == 0


def test_a_sign_beyond_every_enclosure_is_unknown_not_guessed():
    # About -5e-801: no enclosure up to 1024 bits separates it from 0, and it is not 0.
    t = R(1, 10**400)
    assert sign(sp.log(1 + t) - t) is None


def test_sign_never_reads_a_float(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("sign() evaluated a float")

    numbers = [sp.log(1 + TINY) - TINY, sp.exp(sp.pi * sp.sqrt(163)) - 640320**3 - 744]
    monkeypatch.setattr(sp.Expr, "evalf", refuse)
    monkeypatch.setattr(sp.Expr, "n", refuse)
    assert [sign(v) for v in numbers] == [-1, -1]


def test_signs_of_non_numbers_are_unknown():
    assert sign(x) is None
    assert sign(sp.zoo) is None
    assert sign(sp.I) is None


@given(rationals, rationals)
def test_sign_of_exp_difference_matches_order(a, b):
    assert sign(sp.exp(a) - sp.exp(b)) == sign(a - b)


@given(positives, positives)
@example(R(2), R(2))
def test_sign_of_root_and_log_differences_match_order(a, b):
    assert sign(sp.sqrt(a) - sp.sqrt(b)) == sign(a - b)
    assert sign(sp.log(a) - sp.log(b)) == sign(a - b)


# ------------------------------------------------------------------------------- definedness
@pytest.mark.parametrize(
    ("expr", "point", "reason"),
    [
        (sp.log(x), {x: -1}, "log"),
        (sp.log(x), {x: 0}, "log"),
        (1 / x, {x: 0}, "division by zero"),
        (sp.sqrt(x), {x: -4}, "negative"),
        (sp.Abs(sp.sqrt(x)), {x: -4}, "negative"),  # SymPy would give |2i| = 2
        (sp.log(x) ** 2, {x: -1}, "log"),  # SymPy would give -pi^2, a real number
        (x ** R(-1, 2), {x: 0}, "not positive"),
        (sp.Sum(i, (i, 0, n)), {n: R(1, 2)}, "not integers"),
        (sp.Piecewise((x, x > 1), (1 / x, x < 1)), {x: 1}, "no branch"),
        (sp.Piecewise((x, sp.log(x) > 0), (0, True)), {x: -1}, "Piecewise condition"),
    ],
)
def test_undefined_points_are_reported_with_the_reason(expr, point, reason):
    result = value(expr, point)
    assert isinstance(result, Undefined)
    assert reason in result.reason


@pytest.mark.parametrize(
    ("expr", "point", "expected"),
    [
        (sp.Piecewise((sp.log(x), x > 0), (0, True)), {x: -1}, 0),
        (sp.Sum(1 / sp.factorial(i), (i, 0, n)), {n: 3}, R(8, 3)),
        (sp.Sum(i, (i, 0, n)), {n: -5}, sp.Sum(i, (i, 0, -5)).doit()),  # Karr's convention
        (sp.Product(i, (i, 1, n)), {n: 4}, 24),
        (sp.Product(i, (i, 1, n)), {n: -2}, sp.Product(i, (i, 1, -2)).doit()),
        (sp.Sum(sp.Sum(1, (i, 1, n)), (n, 1, 3)), {}, 6),
        (sp.Max(sp.sqrt(2), R(7, 5)), {}, sp.sqrt(2)),
        (sp.Min(sp.sqrt(2), R(7, 5)), {}, R(7, 5)),
        (sp.Abs(R(7, 5) - sp.sqrt(2)), {}, sp.sqrt(2) - R(7, 5)),
        (sp.Abs(R(-3, 2)), {}, R(3, 2)),
        (x ** R(3, 2), {x: 4}, 8),
        (x ** R(1, 2), {x: 0}, 0),
        (sp.factorial(n), {n: 4}, 24),
        (sp.exp(x) * sp.cos(x), {x: 0}, 1),
    ],
)
def test_defined_values_are_exact(expr, point, expected):
    assert value(expr, point) == expected


def test_unknown_values_are_none():
    g = sp.Function("g")
    assert value(g(n), {n: 1}) is None  # no value for an undefined function
    assert value(x, {}) is None  # unassigned symbol
    assert value(sp.factorial(n), {n: -1}) is None  # SymPy gives zoo: no exact rational value
    assert value(sp.Sum(i, (i, 0, n)), {n: 10**6}) is None  # too many terms to sum one by one
    assert value(sp.Integral(x, (x, 0, 1)), {}) is None


# ------------------------------------------------------------------------------ truth values
def test_disjunct_and_branch_conditions_bind_only_their_branch():
    assert truth(sp.Or(u < 0, sp.log(u) > 0), {u: -1}) is True
    assert isinstance(truth(sp.And(u < 0, sp.log(u) > 0), {u: -1}), Undefined)
    assert truth(sp.And(u > 0, sp.log(u) > 0), {u: -1}) is False
    assert isinstance(truth(sp.Or(u > 0, sp.log(u) > 0), {u: -1}), Undefined)
    assert truth(sp.Implies(u > 0, sp.log(u) >= 0), {u: -1}) is True
    assert isinstance(truth(sp.Not(sp.log(u) > 0), {u: -1}), Undefined)
    assert truth(sp.Not(u > 0), {u: -1}) is True


@pytest.mark.parametrize(
    ("rel", "expected"),
    [(x < 1, True), (x <= 1, True), (x > 1, False), (x >= 1, False),
     (sp.Eq(x, 1), False), (sp.Ne(x, 1), True)],
)
def test_relations_at_a_point(rel, expected):
    # 1 - 10^-50: every relation decided exactly.
    assert truth(rel, {x: 1 - TINY}) is expected


def test_unknown_truth_is_none_and_is_never_decisive():
    g = sp.Function("g")
    assert truth(g(n) > 0, {n: 1}) is None
    assert truth(sp.And(g(n) > 0, n > 0), {n: 1}) is None
    assert truth(sp.And(g(n) > 0, n > 5), {n: 1}) is False
    assert truth(sp.Or(g(n) > 0, n > 0), {n: 1}) is True
    assert truth(sp.Or(g(n) > 0, sp.log(n - 2) > 0), {n: 1}) is None
    assert truth(sp.true, {}) is True
    assert truth(sp.false, {}) is False


def test_admissible_checks_every_declared_assumption():
    p = sp.Symbol("p", prime=True)
    assert admissible(p, sp.Integer(5))
    assert not admissible(p, sp.Integer(4))
    assert not admissible(sp.Symbol("q", positive=True), sp.Integer(0))
    assert admissible(sp.Symbol("q", positive=True), R(1, 2))
    assert not admissible(sp.Symbol("r", real=True), R(1, 2), integer=True)
    assert admissible(sp.Symbol("r", real=True), sp.sqrt(2))


def test_enclosure_of_an_unsupported_function_is_none():
    assert _exact._enclosure(sp.gamma(R(1, 3)), 64) is None


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1 / (sp.pi - 3) - 7, 1),  # 7.06...: a negative power of an interval
        (sp.Max(sp.pi, sp.E, evaluate=False) - 3, 1),
        (sp.Min(sp.pi, sp.E, evaluate=False) - 3, -1),
        (sp.Abs(sp.E - sp.pi, evaluate=False) - R(2, 5), 1),
        (sp.sin(1) - R(84, 100), 1),
        (sp.cos(1) - R(54, 100), 1),
        (sp.log(sp.pi) - R(114, 100), 1),
        (sp.pi ** sp.E - 22, 1),  # 22.46...: a non-integer power through exp and log
        (sp.E - R(2718281828, 10**9), 1),
    ],
)
def test_enclosures_of_each_operation(number, expected):
    assert sign(number) == expected


def test_enclosures_refuse_what_they_cannot_bound():
    assert _exact._enclosure(sp.log(sp.Integer(-1), evaluate=False), 64) is None
    assert _exact._enclosure(sp.Pow(-sp.pi, R(1, 2), evaluate=False), 64) is None
    assert _exact._enclosure(sp.Pow(sp.pi - sp.pi * 1, -1, evaluate=False), 64) is None


def test_empty_and_nested_series():
    k = sp.Symbol("k", integer=True)
    assert value(sp.Product(i, (i, 1, n)), {n: 0}) == 1
    assert value(sp.Sum(i, (i, 1, n)), {n: 0}) == 0
    assert value(sp.Sum(1, (i, 1, n), (k, 1, 2), (x, 1, 3)), {n: 2}) == 12
    assert value(sp.Sum(i * k, (i, 1, k), (k, 1, n)), {n: 3}) == 1 + 2 * 3 + 3 * 6


def test_algebraic_root_enclosures_are_rigorous():
    # The root of t^5 + t - 3 to 50 digits (mpmath, independently of SymPy's CRootOf); a rational
    # 1e-25 either side of it must get the right sign: the enclosure must be as narrow as claimed.
    t = sp.Symbol("t")
    root = sp.CRootOf(t**5 + t - 3, 0)
    with mpmath.workdps(50):
        reference = sp.Rational(mpmath.nstr(mpmath.findroot(lambda v: v**5 + v - 3, 1.1), 45))
    for gap in (R(1, 10**25), R(1, 10**20)):  # 1e-20: inside the 64-bit enclosure's width
        assert sign(root - (reference + gap)) == -1
        assert sign(root - (reference - gap)) == 1


def test_a_power_of_a_base_below_one():
    assert sign(R(1, 2) ** sp.pi - R(1, 9)) == 1  # 0.1133 > 0.1111


def test_max_min_abs_at_a_point_are_decided_by_proved_signs():
    a, b = sp.symbols("a b", real=True)
    point = {a: sp.sqrt(2), b: R(7, 5)}
    assert value(sp.Max(a, b), point) == sp.sqrt(2)
    assert value(sp.Min(a, b), point) == R(7, 5)
    assert value(sp.Max(b, a), point) == sp.sqrt(2)
    assert value(sp.Min(b, a), point) == R(7, 5)
    assert value(sp.Abs(a - 2), point) == 2 - sp.sqrt(2)
    assert value(sp.Abs(a - 1), point) == sp.sqrt(2) - 1


def test_negation_keeps_undefined_and_unknown():
    g = sp.Function("g")
    assert truth(sp.Not(sp.And(u > 0, sp.log(u) > 0)), {u: 2}) is False
    assert truth(sp.Not(sp.And(u < 0, sp.log(u) > 0)), {u: -1}).reason.startswith("log")
    assert truth(sp.Not(sp.And(g(n) > 0, n > 0)), {n: 1}) is None


def test_power_domains():
    assert isinstance(value(x ** R(-1, 2), {x: 0}), Undefined)
    assert value(x ** R(1, 2), {x: 0}) == 0
    assert value(x ** R(1, 3), {x: -8}).reason == "x**(1/3): base -8 is negative"
    assert value(x ** R(-1, 2), {x: 4}) == R(1, 2)
    assert isinstance(value(x**-2, {x: 0}), Undefined)
    assert value(x**-2, {x: 2}) == R(1, 4)
    assert value(x**u, {x: 4, u: R(1, 2)}) == 2
    assert isinstance(value(x**u, {x: 0, u: R(-1, 2)}), Undefined)


def test_a_transcendental_near_zero_is_unknown():
    # sqrt(pi + t) - sqrt(pi), t = 1e-400: not algebraic, below every enclosure, and not zero.
    assert sign(sp.sqrt(sp.pi + R(1, 10**400)) - sp.sqrt(sp.pi)) is None


def test_series_limits_and_the_term_cap():
    assert value(sp.Sum(i, (i, n, 3)), {n: 1}) == 6
    assert value(sp.Sum(1, (i, 1, n)), {n: _exact._MAX_TERMS}) == _exact._MAX_TERMS
    assert value(sp.Sum(1, (i, 1, n)), {n: _exact._MAX_TERMS + 1}) is None


def test_algebraic_root_enclosures_contain_the_root():
    t = sp.Symbol("t")
    root = sp.CRootOf(t**5 + t - 5, 0)
    with mpmath.workdps(60):
        reference = mpmath.findroot(lambda v: v**5 + v - 5, 1.3)
        for prec in (64, 128):
            box = _exact._enclosure(root, prec)
            assert mpmath.mpf(box.a) < reference < mpmath.mpf(box.b)


def test_zero_to_the_zero_is_one_and_undecidable_relations_are_unknown():
    assert value(x**n, {x: 0, n: 0}) == 1
    tiny = sp.sqrt(sp.pi + R(1, 10**400)) - sp.sqrt(sp.pi)
    assert truth(sp.Eq(x, 0), {x: tiny}) is None


def test_points_are_named_in_order():
    z = sp.Symbol("z", real=True)
    from verify import _counterexamples

    named, reason = _counterexamples._confirm(
        {z: R(1), n: R(2), x: R(3)}, (), None, frozenset(), want="false"
    )
    assert list(named) == ["n", "x", "z"]
    assert reason is None

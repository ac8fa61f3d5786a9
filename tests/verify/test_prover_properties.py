"""Property tests: statements true by construction are proved; perturbed ones are refuted with a
counterexample that re-checks in exact rational arithmetic, independently of the provers."""

from __future__ import annotations

import sympy as sp
from hypothesis import assume, given
from hypothesis import strategies as st

from verify import provers

x, y, a, s = sp.symbols("x y alpha s", real=True)
small = st.integers(-3, 3)
nonzero = small.filter(bool)
rationals = st.fractions(min_value=-4, max_value=4, max_denominator=5).map(
    lambda f: sp.Rational(f.numerator, f.denominator)
)
linear = st.tuples(small, small, small).map(lambda c: c[0] * x + c[1] * y + c[2])
products = st.lists(linear, min_size=1, max_size=3).map(lambda fs: sp.Mul(*fs, evaluate=False))
monomials = st.tuples(nonzero, st.integers(0, 2), st.integers(0, 2)).map(
    lambda m: m[0] * x ** m[1] * y ** m[2]
)


def _at(expr, point):
    """Exact value at a counterexample (names -> rationals); SymPy rational arithmetic only."""
    value = expr.xreplace({sym: point[sym.name] for sym in expr.free_symbols}).doit()
    assert value.is_Rational, value
    return value


@given(products)
def test_expanded_products_are_proved(product):
    assert provers.identity(product, sp.expand(product)).holds


@given(products, monomials)
def test_perturbed_expansions_are_refuted_exactly(product, monomial):
    wrong = sp.expand(product) + monomial
    check = provers.identity(product, wrong)
    assert not check.holds
    assert check.undefined is None
    assert _at(product - wrong, check.counterexample) != 0


@given(products, monomials)
def test_z3_proves_and_refutes_the_same_identities_as_premises(product, monomial):
    t = sp.Symbol("t", real=True)
    assert provers.implies([sp.Eq(t, product)], sp.Eq(t, sp.expand(product))).holds
    check = provers.implies([sp.Eq(t, product)], sp.Eq(t, sp.expand(product) + monomial))
    assert not check.holds
    point = check.counterexample
    assert _at(t - product, point) == 0
    assert _at(t - sp.expand(product) - monomial, point) != 0


@given(linear, linear, st.integers(0, 3), rationals, rationals)
def test_sums_of_squares_are_nonnegative_and_shifted_bounds_fail(p, q, k, x0, y0):
    sos = p**2 + q**2 + k
    assert provers.inequality(sos, ">=", 0).holds
    # Above its value at (x0, y0): false there, so some exact counterexample must exist.
    bound = sos.xreplace({x: x0, y: y0}) + sp.Rational(1, 7)
    check = provers.inequality(sos, ">=", bound)
    assert not check.holds
    assert _at(sos - bound, check.counterexample) < 0


@given(st.lists(small, min_size=1, max_size=4), nonzero, st.integers(0, 3))
def test_derivatives_of_polynomials_times_exponentials(coeffs, c, j):
    f = sum(k * x**i for i, k in enumerate(coeffs)) * sp.exp(2 * x)
    assert provers.derivative(f, x, sp.diff(f, x)).holds
    check = provers.derivative(f, x, sp.diff(f, x) + c * x**j)
    assert not check.holds
    # d f/dx - claimed = -c x^j exactly: nonzero at the counterexample.
    assert _at(-c * x**j, check.counterexample) != 0


@given(rationals, st.integers(1, 4).map(lambda n: sp.Rational(1, n)), nonzero)
def test_fixed_points_of_contractions(c, step, shift):
    update = (1 - step) * s + step * c
    assert provers.fixed_point(update, s, c).holds
    wrong = c + sp.Rational(shift, 3)
    check = provers.fixed_point(update, s, wrong)
    assert not check.holds
    assert update.xreplace({s: wrong}) != wrong


@given(rationals)
def test_removable_singularity_is_undefined_exactly_there(r):
    assume(r != 0)  # SymPy itself turns x**2 / x into x on construction
    lhs = (x**2 - r**2) / (x - r)
    check = provers.identity(lhs, x + r)
    assert check.counterexample == {"x": r}
    assert "division by zero" in check.undefined
    assert provers.identity(lhs, x + r, assumptions=[sp.Ne(x, r)]).holds


@given(rationals, rationals)
def test_interval_hypotheses_bound_every_counterexample(lo, width):
    assume(width > 0)
    hi = lo + width
    check = provers.inequality(x, "<=", lo + width / 2, assumptions=[x >= lo, x <= hi])
    assert not check.holds
    assert lo + width / 2 < check.counterexample["x"] <= hi

r"""Claims of the slides "The Problem with Gradient Descent" and "Gradient Descent with More Data".

Cost is counted in calls of a per-example gradient oracle :math:`(w, x) \mapsto \nabla f(w; x)`,
each costing :math:`O(d)` independently of :math:`n` (plus :math:`O(d)` per addition); the counts
are taken from an instrumented full-gradient routine, not asserted.

References:
    L. Bottou, F. E. Curtis, J. Nocedal, "Optimization methods for large-scale machine
    learning", SIAM Review 60(2), 2018, Sec. 3.3.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import mpmath
import sympy as sp

from verify import provers
from verify.claims import Outcome, claim, proved
from verify.numeric import NumericCheck, approx_eq

__all__ = ["full_gradient"]

SLIDE_PROBLEM = "The Problem with Gradient Descent"
SLIDE_MORE = "Gradient Descent with More Data"

n = sp.Symbol("n", integer=True, positive=True)
i = sp.Symbol("i", integer=True, positive=True)
w = sp.Symbol("w", real=True)
_f = sp.Function("f")
_x = sp.IndexedBase("x")


def full_gradient(grad: Callable, w, data: Sequence, *, cache: bool = False):
    r""":math:`\frac1n\sum_i \nabla f(w; x_i)` and the number of oracle calls it made.

    Args:
        grad: the per-example gradient oracle ``grad(w, x)``.
        w: the point.
        data: the examples :math:`x_1, \dots, x_n` (``n >= 1``).
        cache: evaluate each distinct example once ("cheating" on duplicated data).

    Returns:
        ``(gradient, calls)``.
    """
    if len(data) == 0:
        raise ValueError("data must hold at least one example")
    calls = 0
    seen: dict = {}
    total = 0
    for x in data:
        if cache and x in seen:
            g = seen[x]
        else:
            calls += 1
            g = grad(w, x)
            seen[x] = g
        total = total + g
    return total / len(data), calls


def _logistic_grad(w, x):
    return -x / (1 + mpmath.exp(x * w))  # d/dw log(1 + e^{-x w})


def _logistic_h(data):
    return lambda v: sum(mpmath.log(1 + mpmath.exp(-x * v)) for x in data) / len(data)


_DATA = {"x1": (-3, 3), "x2": (-3, 3), "x3": (-3, 3), "w": (-4, 4)}


def _points(p):
    return [p["x1"], p["x2"], p["x3"]]


@claim(
    "large-scale.gradient-average",
    slide=SLIDE_PROBLEM,
    statement=r"\nabla h(w) = \frac{1}{n} \sum_{i=1}^n \nabla f(w; x_i)",
    assumptions=r"h(w) = \frac1n \sum_{i=1}^n f(w; x_i), each f(\cdot; x_i) differentiable; any n",
    recorded="true",
    numeric=NumericCheck(
        variables=_DATA,
        predicate=lambda p: approx_eq(
            mpmath.diff(_logistic_h(_points(p)), p["w"]),
            sum(
                mpmath.diff(lambda v, x=x: mpmath.log(1 + mpmath.exp(-x * v)), p["w"])
                for x in _points(p)
            )
            / 3,
        ),
    ),
)
def _gradient_average() -> Outcome:
    h = sp.Sum(_f(w, _x[i]), (i, 1, n)) / n
    check = provers.identity(
        sp.simplify(sp.diff(h, w) - sp.Sum(sp.diff(_f(w, _x[i]), w), (i, 1, n)) / n), 0
    )
    return Outcome("true", proved(check, what="linearity of the gradient") + " (symbolic n)")


@claim(
    "large-scale.gradient-cost",
    slide=SLIDE_PROBLEM,
    statement=r"\text{Computing the gradient takes } O(n) \text{ time}",
    assumptions=r"one per-example gradient costs c > 0 and one vector addition a >= 0, "
    r"both independent of n (e.g. O(d))",
    recorded="true",
    numeric=NumericCheck(
        variables={"n": (1, 60), "w": (-2, 2)},
        predicate=lambda p: (
            full_gradient(_logistic_grad, p["w"], [mpmath.mpf(k) / 7 for k in range(int(p["n"]))])[
                1
            ]
            == int(p["n"])
        ),
    ),
)
def _gradient_cost() -> Outcome:
    c, a = sp.symbols("c a", positive=True)
    counted = [
        provers.identity(sp.Integer(full_gradient(lambda v, x: v - x, 0, list(range(k)))[1]), k)
        for k in range(1, 9)
    ]
    # n oracle calls, n - 1 additions, one scaling: T(n) / n -> c + a, a finite positive limit.
    T = n * c + (n - 1) * a + a
    linear = provers.identity(sp.limit(T / n, n, sp.oo), c + a)
    lower = provers.inequality(T, ">=", n * c, assumptions=[c > 0, a >= 0, n >= 1])
    return Outcome(
        "true",
        proved(*counted, linear, lower, what="cost of the full gradient")
        + "; T(n) = n c + (n - 1) a + a = Theta(n)",
    )


def _dup_sides(p):
    data = _points(p)
    grad = lambda v, x: mpmath.diff(lambda u: mpmath.log(1 + mpmath.exp(-x * u)), v)  # noqa: E731
    halves = sum(grad(p["w"], x) for x in data) / 6 + sum(grad(p["w"], x) for x in data) / 6
    return halves, full_gradient(grad, p["w"], data + data)[0], full_gradient(grad, p["w"], data)[0]


@claim(
    "large-scale.duplicated-gradient",
    slide=SLIDE_MORE,
    statement=r"\nabla h(w) = \frac{1}{2n} \sum_{i=1}^n \nabla f(w; x_i) + \frac{1}{2n} "
    r"\sum_{i=1}^n \nabla f(w; x_i)",
    assumptions=r"the data set x_1, \dots, x_n, x_1, \dots, x_n (every example twice); any n",
    recorded="true",
    numeric=NumericCheck(
        variables=_DATA,
        predicate=lambda p: (
            approx_eq(_dup_sides(p)[0], _dup_sides(p)[1])
            and approx_eq(_dup_sides(p)[1], _dup_sides(p)[2])
        ),
    ),
)
def _duplicated_gradient() -> Outcome:
    g = sp.Function("g")  # g(i) = grad f(w; x_i) in one coordinate
    S = sp.Sum(g(i), (i, 1, n))
    # Splitting the 2n-term sum at n: the second half repeats the first.
    split = provers.identity(S / (2 * n) + S / (2 * n), S / n)
    concrete = []
    for k in range(1, 7):
        xs = sp.symbols(f"x1:{k + 1}", real=True)
        dup = xs + xs
        lhs = sum(sp.diff((w - x) ** 4, w) for x in dup) / (2 * k)
        concrete.append(provers.identity(lhs, sum(sp.diff((w - x) ** 4, w) for x in xs) / k))
    return Outcome("true", proved(split, *concrete, what="duplicated-data gradient"))


@claim(
    "large-scale.same-objective",
    slide=SLIDE_MORE,
    statement=r"\text{Same objective function: } \frac{1}{2n}\sum_{j=1}^{2n} f(w; x_j) = "
    r"\frac{1}{n}\sum_{i=1}^{n} f(w; x_i)",
    assumptions=r"x_{n+i} = x_i for i = 1, \dots, n; any n",
    recorded="true",
    numeric=NumericCheck(
        variables=_DATA,
        predicate=lambda p: approx_eq(
            _logistic_h(_points(p) * 2)(p["w"]), _logistic_h(_points(p))(p["w"])
        ),
    ),
)
def _same_objective() -> Outcome:
    F = sp.Function("F")  # F(i) = f(w; x_i)
    S = sp.Sum(F(i), (i, 1, n))
    check = provers.identity((S + S) / (2 * n), S / n)
    return Outcome(
        "true",
        proved(check, what="duplicated-data objective")
        + "; hence the same minimiser, mu, L and GD iterates",
    )


@claim(
    "large-scale.double-cost",
    slide=SLIDE_MORE,
    statement=r"\text{gradients take 2x the time to compute (unless we cheat)}",
    assumptions="cost counted in per-example gradient calls; 'cheating' evaluates each distinct "
    "example once",
    recorded="true",
    numeric=NumericCheck(
        variables={"n": (1, 40), "w": (-2, 2)},
        predicate=lambda p: (
            lambda data: (
                full_gradient(_logistic_grad, p["w"], data + data)[1] == 2 * len(data)
                and full_gradient(_logistic_grad, p["w"], data + data, cache=True)[1] == len(data)
            )
        )([mpmath.mpf(k) / 5 for k in range(int(p["n"]))]),
    ),
)
def _double_cost() -> Outcome:
    checks = []
    for k in range(1, 9):
        data = list(range(k))
        plain = full_gradient(lambda v, x: v - x, sp.Integer(0), data + data)[1]
        cached = full_gradient(lambda v, x: v - x, sp.Integer(0), data + data, cache=True)[1]
        checks.append(provers.identity(sp.Rational(plain, k), sp.Integer(2)))
        checks.append(provers.identity(sp.Integer(cached), sp.Integer(k)))
    return Outcome("true", proved(*checks, what="oracle calls on duplicated data"))

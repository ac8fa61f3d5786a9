r"""Claims of the slides "Stochastic Gradient Descent" and "... Convergence" (three slides).

The heading "Stochastic Gradient Descent Convergence" titles three slides; claim ids tell them
apart: ``sgd.decomposition.*`` (the one-step decomposition), ``sgd.second-moment.*`` (the
expectation chain) and ``sgd.noise-ball.*`` (the fixed point and the noise ball).

Setting: :math:`h(w) = \frac1n\sum_i f(w; x_i)`, :math:`i_t` uniform on :math:`\{1..n\}` and
independent of :math:`i_0, \dots, i_{t-1}` (hence of :math:`w_t`),
:math:`w_{t+1} = w_t - \alpha\nabla f(w_t; x_{i_t})`, :math:`\mu I \preceq \nabla^2 h \preceq L I`,
:math:`0 < \mu \le L`, noise :math:`B_t = \nabla f(w_t; x_{i_t}) - \nabla h(w_t)` with
:math:`\mathbf E[\|\nabla f(w; x_i) - \nabla h(w)\|^2] \le M` for every :math:`w`. Expectations over
finitely many paths are computed exactly by enumeration (:func:`path_distribution`).

References:
    E. Moulines, F. Bach, "Non-asymptotic analysis of stochastic approximation algorithms for
    machine learning", NeurIPS 2011.
    L. Bottou, F. E. Curtis, J. Nocedal, SIAM Review 60(2), 2018, Thm. 4.6 (constant step size).
"""

from __future__ import annotations

import dataclasses
import itertools

import mpmath
import sympy as sp

from verify import provers
from verify.claims import Outcome, claim, decide, proved
from verify.gradient_descent import (
    MVT_METHOD,
    alpha,
    averaged_hessian_checks,
    lam,
    mean_value_counterexample,
    rotated_spd,
    mu,
    L,
)
from verify.large_scale import full_gradient
from verify.numeric import NumericCheck, approx_eq, approx_le

__all__ = ["path_distribution", "phi_prime"]

SLIDE_SGD = "Stochastic Gradient Descent"
SLIDE_CONV = "Stochastic Gradient Descent Convergence"
_R = sp.Rational
_STRONG = (mu > 0, L >= mu)
M = sp.Symbol("M", real=True)
_BALL = alpha * M / (2 * mu - alpha * mu**2)


def phi_prime(u):
    r""":math:`\phi'` for :math:`\phi'' = 1 + \min(u^2, 1)`, :math:`\phi'(0) = 0` (exact SymPy)."""
    u = sp.sympify(u)
    if abs(u) <= 1:
        return u + u**3 / 3
    return sp.sign(u) * (_R(4, 3) + 2 * (abs(u) - 1))


def path_distribution(grad, data, *, step, w0, steps):
    """Exact law of SGD iterates: list over t of ``{w_t: probability}`` (uniform i_t)."""
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    laws = [{w0: sp.Integer(1)}]
    for _ in range(steps):
        nxt: dict = {}
        for w, p in laws[-1].items():
            for x in data:
                v = w - step * grad(w, x)
                nxt[v] = nxt.get(v, 0) + p / len(data)
        laws.append(nxt)
    return laws


def _mean(law, fn=lambda w: w):
    return sum(p * fn(w) for w, p in law.items())


# The example: f(w; x) = phi(w - x), data {0, 1} (mu = 1, L = 2), w_0 = 0, alpha = 1/2.
_DATA, _STEP = (sp.Integer(0), sp.Integer(1)), _R(1, 2)


def _grad(w, x):
    return phi_prime(w - x)


def _grad_h(w):
    return sum(_grad(w, x) for x in _DATA) / len(_DATA)


def _mp_phi1(u):  # phi' written again in mpmath for the numeric cross-checks
    return u + u**3 / 3 if abs(u) <= 1 else mpmath.sign(u) * (mpmath.mpf(4) / 3 + 2 * (abs(u) - 1))


def _mp_laws(a, steps=2):
    laws = [{mpmath.mpf(0): mpmath.mpf(1)}]
    for _ in range(steps):
        nxt: dict = {}
        for w, p in laws[-1].items():
            for x in (0, 1):
                v = w - a * _mp_phi1(w - x)
                nxt[v] = nxt.get(v, 0) + p / 2
        laws.append(nxt)
    return laws


def _mp_phi(u):  # phi itself, for numeric differentiation
    r = abs(u) - 1
    return u**2 / 2 + u**4 / 12 if r <= 0 else mpmath.mpf(7) / 12 + mpmath.mpf(4) / 3 * r + r**2


def _mp_phi1_2(w, x):
    return _mp_phi1(w - x)


# ----------------------------------------------------------------------------- Stochastic GD
@claim(
    "sgd.unbiased",
    slide=SLIDE_SGD,
    statement=r"\mathbf{E}_{i_t}[\nabla f(w, x_{i_t})] = \frac1n \sum_{i=1}^n \nabla f(w, x_i) "
    r"= \nabla h(w)",
    assumptions=r"w fixed, i_t uniform on \{1, \dots, n\} ('an example selected uniformly at "
    r"random'); any n",
    recorded="true",
    numeric=NumericCheck(
        variables={"w": (-3, 3), "x1": (-2, 2), "x2": (-2, 2), "x3": (-2, 2)},
        predicate=lambda p: approx_eq(
            sum(mpmath.mpf(1) / 3 * _mp_phi1(p["w"] - p[k]) for k in ("x1", "x2", "x3")),
            mpmath.diff(lambda v: sum(_mp_phi(v - p[k]) for k in ("x1", "x2", "x3")) / 3, p["w"]),
        ),
    ),
)
def _unbiased() -> Outcome:
    n, i = sp.symbols("n i", integer=True, positive=True)
    g = sp.Function("g")  # g(i) = grad f(w, x_i), one coordinate
    expectation = sp.Sum(g(i) / n, (i, 1, n))  # each index has probability 1/n
    check = provers.identity(sp.simplify(expectation - sp.Sum(g(i), (i, 1, n)) / n), 0)
    return Outcome("true", proved(check, what="unbiasedness") + " (symbolic n)")


@claim(
    "sgd.step-cost",
    slide=SLIDE_SGD,
    statement=r"w_{t+1} = w_t - \alpha \nabla f(w_t, x_{i_t}) \text{ is super fast to compute}",
    assumptions="cost in per-example gradient calls: 1 per SGD step against n per GD step",
    recorded="true",
    numeric=NumericCheck(
        variables={"n": (1, 50), "w": (-2, 2)},
        predicate=lambda p: (
            lambda data: (
                full_gradient(_mp_phi1_2, p["w"], data)[1] == len(data)
                and full_gradient(_mp_phi1_2, p["w"], data[:1])[1] == 1
            )
        )([mpmath.mpf(k) / 3 for k in range(int(p["n"]))]),
    ),
)
def _step_cost() -> Outcome:
    calls = []

    def oracle(w, x):
        calls.append(x)
        return w - x

    for k in range(1, 9):
        path_distribution(oracle, [sp.Integer(k)], step=_R(1, 2), w0=sp.Integer(0), steps=1)
    check = provers.identity(sp.Integer(len(calls)), sp.Integer(8))
    return Outcome("true", proved(check, what="one oracle call per step") + "; a GD step makes n")


@claim(
    "sgd.expectation.line1",
    slide=SLIDE_SGD,
    statement=r"\mathbf{E}[w_{t+1}] = \mathbf{E}[w_t] - \alpha \cdot "
    r"\mathbf{E}[\nabla f(w_t, x_{i_t})]",
    assumptions="linearity of expectation; w_t and the gradient integrable",
    recorded="true",
    numeric=NumericCheck(
        variables={"a": (_R(1, 20), _R(1, 2))},
        predicate=lambda p: approx_eq(
            sum(q * w for w, q in _mp_laws(p["a"])[2].items()),
            sum(q * w for w, q in _mp_laws(p["a"])[1].items())
            - p["a"]
            * sum(q * (_mp_phi1(w) + _mp_phi1(w - 1)) / 2 for w, q in _mp_laws(p["a"])[1].items()),
        ),
    ),
)
def _expectation_line1() -> Outcome:
    laws = path_distribution(_grad, _DATA, step=_STEP, w0=sp.Integer(0), steps=2)
    # E over (w_1, i_1) of grad f(w_1, x_{i_1}): each pair has probability P(w_1) / n.
    pair_mean = sum(p * _grad(w, x) / len(_DATA) for w, p in laws[1].items() for x in _DATA)
    K, k = sp.symbols("K k", integer=True, positive=True)
    prob, w, g = sp.Function("p"), sp.Function("w"), sp.Function("g")  # a law on K outcomes
    checks = (
        provers.identity(
            sp.Sum(prob(k) * (w(k) - alpha * g(k)), (k, 1, K)),
            sp.Sum(prob(k) * w(k), (k, 1, K)) - alpha * sp.Sum(prob(k) * g(k), (k, 1, K)),
        ),
        provers.identity(_mean(laws[2]), _mean(laws[1]) - _STEP * pair_mean),
    )
    return Outcome("true", proved(*checks, what="linearity of expectation"))


def _tower_checks():
    """E[grad f(w_t, x_{i_t})] = E[grad h(w_t)]: i_t uniform and independent of w_t.

    Checked on the general law of w_t with K = 3 values and n = 4 examples (all probabilities and
    gradients symbolic); the same distributivity holds for every K and n.
    """
    K, n = 3, 4
    prob = sp.symbols(f"p1:{K + 1}", real=True)
    g = sp.Matrix(K, n, lambda k, i: sp.Symbol(f"g{k + 1}_{i + 1}", real=True))
    joint = sum(prob[k] * g[k, i] / n for k in range(K) for i in range(n))  # P(w^(k), i) = p_k / n
    marginal = sum(prob[k] * sum(g[k, i] for i in range(n)) / n for k in range(K))
    return provers.identity(joint, marginal)


def _mp_line2_holds(p) -> bool:
    """Is E[w_2] = E[w_1] - a * grad h(w_1) for every value w_1 can take?"""
    laws = _mp_laws(p["a"])
    lhs = sum(q * w for w, q in laws[2].items())
    mean1 = sum(q * w for w, q in laws[1].items())
    return all(
        approx_eq(lhs, mean1 - p["a"] * (_mp_phi1(w) + _mp_phi1(w - 1)) / 2) for w in laws[1]
    )


@claim(
    "sgd.expectation.line2",
    slide=SLIDE_SGD,
    statement=r"= \mathbf{E}[w_t] - \alpha \cdot \frac{1}{n} \sum_{i=1}^n \nabla f(w_t, x_i)",
    assumptions=r"t \ge 1, so w_t is random; i_t uniform and independent of w_t",
    recorded="false",
    numeric=NumericCheck(
        variables={"a": (_R(1, 20), _R(1, 2))},
        predicate=_mp_line2_holds,
        expect="fails",
        counterexample={"a": "1/2"},
    ),
)
def _expectation_line2() -> Outcome:
    laws = path_distribution(_grad, _DATA, step=_STEP, w0=sp.Integer(0), steps=2)
    lhs, mean1 = _mean(laws[2]), _mean(laws[1])
    values = {w: mean1 - _STEP * _grad_h(w) for w in laws[1]}
    refuted = [provers.inequality((lhs - v) ** 2, ">", 0) for v in values.values()]
    repaired = (_tower_checks(), provers.identity(lhs, mean1 - _STEP * _mean(laws[1], _grad_h)))
    shown = ", ".join(f"{v} (if w_1 = {w})" for w, v in values.items())
    return Outcome(
        "false",
        "exact laws of w_1, w_2 by enumeration; the right-hand side differs from E[w_2] at "
        "every value of w_1; correction by the tower property: "
        + proved(*refuted, *repaired, what="SGD mean recursion"),
        counterexample=f"f(w; x) = phi(w - x), phi'' = 1 + min(u^2, 1), data {{0, 1}}, w_0 = 0, "
        f"alpha = 1/2, t = 1: E[w_2] = {lhs}, while the right-hand side is the random variable "
        f"{shown}",
        correction=r"\mathbf{E}[w_{t+1}] = \mathbf{E}[w_t] - \alpha\,\mathbf{E}[\nabla h(w_t)]",
    )


@claim(
    "sgd.expectation.gd-path",
    slide=SLIDE_SGD,
    statement=r"\text{In expectation, it's just gradient descent}",
    assumptions=r"read with the displayed equations: \mathbf E[w_t] is the gradient-descent "
    r"sequence from w_0, i.e. \mathbf E[w_{t+1}] = \mathbf E[w_t] - \alpha\nabla h(\mathbf E[w_t])",
    recorded="false",
    numeric=NumericCheck(
        variables={"a": (_R(1, 20), _R(1, 2))},
        predicate=lambda p: approx_eq(
            sum(q * w for w, q in _mp_laws(p["a"])[2].items()),
            (lambda v: v - p["a"] * (_mp_phi1(v) + _mp_phi1(v - 1)) / 2)(
                (lambda v: v - p["a"] * (_mp_phi1(v) + _mp_phi1(v - 1)) / 2)(mpmath.mpf(0))
            ),
        ),
        expect="fails",
        counterexample={"a": "1/2"},
    ),
)
def _gd_path() -> Outcome:
    laws = path_distribution(_grad, _DATA, step=_STEP, w0=sp.Integer(0), steps=2)
    gd = [sp.Integer(0)]
    for _ in range(2):
        gd.append(gd[-1] - _STEP * _grad_h(gd[-1]))
    refuted = provers.inequality((_mean(laws[2]) - gd[2]) ** 2, ">", 0)
    K, k = sp.symbols("K k", integer=True, positive=True)
    prob, w = sp.Function("p"), sp.Function("w")
    a, b = sp.symbols("a b", real=True)
    affine = provers.identity(  # grad h(w) = a w + b commutes with E (sum of p is 1)
        sp.Sum(prob(k) * (a * w(k) + b), (k, 1, K)),
        a * sp.Sum(prob(k) * w(k), (k, 1, K)) + b * sp.Sum(prob(k), (k, 1, K)),
    )
    return Outcome(
        "false",
        "exact law of w_2 against the GD iterate; correction: tower property, affine case: "
        + proved(refuted, _tower_checks(), affine, what="SGD mean versus GD path"),
        counterexample=f"same example as sgd.expectation.line2: E[w_2] = {_mean(laws[2])}, "
        f"gradient descent gives w_2 = {gd[2]}",
        correction=r"\mathbf{E}[w_{t+1} \mid w_t] = w_t - \alpha \nabla h(w_t); \mathbf{E}[w_t] "
        r"follows gradient descent for every t when \nabla h is affine (quadratic h)",
    )


def _mp_hbar(w):
    """Averaged Hessian of h = (phi(w) + phi(w - 1))/2 on [1/2, w] (no kink for 0 <= w <= 1)."""
    return mpmath.quad(
        lambda s: (
            sum(
                1 + min((mpmath.mpf(1) / 2 + s * (w - mpmath.mpf(1) / 2) - x) ** 2, 1)
                for x in (0, 1)
            )
            / 2
        ),
        [0, 1],
        method="gauss-legendre",  # polynomial integrand here: exact up to rounding
    )


def _mp_decomposition_holds(p) -> bool:
    """w_{t+1} - w^* = (1 - alpha Hbar)(w_t - w^*) - alpha B_t on the data {0, 1}, w^* = 1/2."""
    w, a, x = p["w"], p["alpha"], int(p["i"] >= mpmath.mpf(1) / 2)
    grad_h = (_mp_phi1(w) + _mp_phi1(w - 1)) / 2
    star = mpmath.mpf(1) / 2
    lhs = w - a * _mp_phi1(w - x) - star
    return approx_eq(lhs, (1 - a * _mp_hbar(w)) * (w - star) - a * (_mp_phi1(w - x) - grad_h))


# ----------------------------------------------------------------------------- convergence (1)
@claim(
    "sgd.decomposition.line1",
    slide=SLIDE_CONV,
    statement=r"w_{t+1} - w^* = w_t - w^* - \alpha (\nabla h(w_t) - \nabla h(w^*)) - "
    r"\alpha (\nabla f(w_t; x_{i_t}) - \nabla h(w_t))",
    assumptions=r"w_{t+1} = w_t - \alpha\nabla f(w_t; x_{i_t}), \nabla h(w^*) = 0; per coordinate",
    recorded="true",
    numeric=NumericCheck(
        variables={"w": (-3, 3), "ws": (-3, 3), "g": (-3, 3), "gh": (-3, 3), "alpha": (0, 2)},
        predicate=lambda p: approx_eq(
            p["w"] - p["alpha"] * p["g"] - p["ws"],
            p["w"] - p["ws"] - p["alpha"] * p["gh"] - p["alpha"] * (p["g"] - p["gh"]),
        ),
    ),
)
def _decomposition_line1() -> Outcome:
    w, ws, g, gh, ghs = sp.symbols("w w_star g g_h g_h_star", real=True)
    check = provers.identity(
        (w - alpha * g) - ws,
        w - ws - alpha * (gh - ghs) - alpha * (g - gh),
        assumptions=[sp.Eq(ghs, 0)],
    )
    return decide(check, what="SGD decomposition")


_HBAR_CORRECTION = (
    r"w_{t+1} - w^* = (I - \alpha \bar H_t)(w_t - w^*) - \alpha(\nabla f(w_t; x_{i_t}) - "
    r"\nabla h(w_t)),\ \bar H_t = \int_0^1 \nabla^2 h(w^* + s(w_t - w^*))\,ds,\ "
    r"\mu I \preceq \bar H_t \preceq L I"
)
_MVT_GAP = (
    "The mean value theorem does not hold for grad h: R^d -> R^d (d >= 2): no single "
    "zeta_t need exist; the averaged Hessian of h on the segment does the job"
)


@claim(
    "sgd.decomposition.line2",
    slide=SLIDE_CONV,
    statement=r"= (I - \alpha \nabla^2 h(\zeta_t)) (w_t - w^*) - \alpha (\nabla f(w_t; x_{i_t}) - "
    r"\nabla h(w_t))",
    assumptions=r"\zeta_t on the segment [w^*, w_t], d \ge 2",
    recorded="gap",
    numeric=NumericCheck(
        variables={"w": (0, 1), "alpha": (0, 1), "i": (0, 1)},
        predicate=lambda p: _mp_decomposition_holds(p),
    ),
)
def _decomposition_line2() -> Outcome:
    fails, text = mean_value_counterexample()
    return Outcome(
        "gap",
        MVT_METHOD + proved(*fails, *averaged_hessian_checks(), what="averaged Hessian"),
        counterexample=f"n = 1 (h = f(.; x_1)): {text}",
        correction=_HBAR_CORRECTION,
        gap=_MVT_GAP,
    )


# ----------------------------------------------------------------------------- convergence (2)
def _mp_second_moment(p, fn):
    """E over i in {0, 1} of fn(w_{t+1} - w^*, Hbar, B_i) on the data {0, 1} example."""
    w, a, star = p["w"], p["alpha"], mpmath.mpf(1) / 2
    grad_h, hbar = (_mp_phi1(w) + _mp_phi1(w - 1)) / 2, _mp_hbar(w)
    return (
        sum(fn(w - a * _mp_phi1(w - x) - star, hbar, _mp_phi1(w - x) - grad_h) for x in (0, 1)) / 2
    )


@claim(
    "sgd.second-moment.line1",
    slide=SLIDE_CONV,
    statement=r"\mathbf{E}\left[\|w_{t+1} - w^*\|^2\right] = \mathbf{E}\left[\left\|(I - \alpha "
    r"\nabla^2 h(\zeta_t))(w_t - w^*) - \alpha(\nabla f(w_t; x_{i_t}) - \nabla h(w_t))"
    r"\right\|^2\right]",
    assumptions=r"\zeta_t on the segment [w^*, w_t], d \ge 2",
    recorded="gap",
    numeric=NumericCheck(
        variables={"w": (0, 1), "alpha": (0, 1)},
        predicate=lambda p: approx_eq(
            _mp_second_moment(p, lambda e, hb, b: e**2),
            _mp_second_moment(
                p,
                lambda e, hb, b: (
                    ((1 - p["alpha"] * hb) * (p["w"] - mpmath.mpf(1) / 2) - p["alpha"] * b) ** 2
                ),
            ),
        ),
    ),
)
def _second_moment_line1() -> Outcome:
    fails, text = mean_value_counterexample()
    return Outcome(
        "gap",
        MVT_METHOD + proved(*fails, *averaged_hessian_checks(), what="averaged Hessian"),
        counterexample=f"inherited from sgd.decomposition.line2 (n = 1): {text}",
        correction=r"\mathbf{E}\|w_{t+1} - w^*\|^2 = \mathbf{E}\|(I - \alpha\bar H_t)(w_t - w^*) - "
        r"\alpha(\nabla f(w_t; x_{i_t}) - \nabla h(w_t))\|^2",
        gap=_MVT_GAP,
    )


_TWO_POINT = {"a1": (-3, 3), "a2": (-3, 3), "b1": (-3, 3), "b2": (-3, 3), "alpha": (-2, 2)}


def _mp_expansion_as_written(p) -> bool:
    """E||A - alpha B||^2 == E||A||^2 - alpha E[B A] + alpha^2 E||B||^2, (A, B) two equally likely
    scalar outcomes."""
    pairs, a = ((p["a1"], p["b1"]), (p["a2"], p["b2"])), p["alpha"]
    lhs = sum((x - a * y) ** 2 for x, y in pairs) / 2
    rhs = sum(x**2 - a * y * x + a**2 * y**2 for x, y in pairs) / 2
    return approx_eq(lhs, rhs)


@claim(
    "sgd.second-moment.line2",
    slide=SLIDE_CONV,
    statement=r"= \mathbf{E}\left[\left\|A\right\|^2\right] - \alpha \mathbf{E}\left[B^T A\right] "
    r"+ "
    r"\alpha^2 \mathbf{E}\left[\|B\|^2\right],\ A = (I - \alpha \nabla^2 h(\zeta_t))(w_t - w^*),\ "
    r"B = \nabla f(w_t; x_{i_t}) - \nabla h(w_t)",
    assumptions="judged as the expansion of the square it performs, for any random A, B; "
    "per coordinate, so the scalar case decides it",
    recorded="false",
    numeric=NumericCheck(
        variables=_TWO_POINT,
        predicate=_mp_expansion_as_written,
        expect="fails",
        counterexample={"a1": 1, "a2": 1, "b1": 1, "b2": 1, "alpha": 1},
    ),
)
def _second_moment_line2() -> Outcome:
    a, b = sp.symbols("a b", real=True)
    as_written = provers.identity(
        (a - alpha * b) ** 2, a**2 - alpha * b * a + alpha**2 * b**2, assumptions=[alpha > 0]
    )
    fix = provers.identity((a - alpha * b) ** 2, a**2 - 2 * alpha * b * a + alpha**2 * b**2)
    outcome = decide(
        as_written,
        what="expansion of the square",
        correction=r"\mathbf{E}\|A - \alpha B\|^2 = \mathbf{E}\|A\|^2 - 2\alpha\,\mathbf{E}[B^T A] "
        r"+ \alpha^2\,\mathbf{E}\|B\|^2",
        repaired=(fix,),
    )
    return dataclasses.replace(
        outcome,
        counterexample=f"{outcome.counterexample} (scalars A = a, B = b, deterministic); "
        "for the SGD quantities the two sides agree only because E[B^T A] = 0 (next line)",
    )


@claim(
    "sgd.second-moment.line3",
    slide=SLIDE_CONV,
    statement=r"= \mathbf{E}\left[\left\|(I - \alpha \nabla^2 h(\zeta_t))(w_t - w^*)"
    r"\right\|^2\right] "
    r"+ \alpha^2 \mathbf{E}\left[\|\nabla f(w_t; x_{i_t}) - \nabla h(w_t)\|^2\right]",
    assumptions=r"i_t uniform and independent of w_t; \zeta_t (or \bar H_t) a function of w_t",
    recorded="true",
    numeric=NumericCheck(
        variables={"w": (-3, 3), "x1": (-2, 2), "x2": (-2, 2), "x3": (-2, 2), "A": (-5, 5)},
        predicate=lambda p: approx_eq(
            mpmath.mpf(0),
            sum(
                (
                    _mp_phi1(p["w"] - p[k])
                    - mpmath.diff(
                        lambda v: sum(_mp_phi(v - p[j]) for j in ("x1", "x2", "x3")) / 3, p["w"]
                    )
                )
                * p["A"]
                for k in ("x1", "x2", "x3")
            )
            / 3,
        ),
    ),
)
def _second_moment_line3() -> Outcome:
    n, i = sp.symbols("n i", integer=True, positive=True)
    g, a, b, c = sp.Function("g"), *sp.symbols("a b c", real=True)  # g(i): one coordinate
    mean = sp.Sum(g(i), (i, 1, n)) / n
    # E[B^T A | w_t] = sum_k A_k E[B_k | w_t], and each E[B_k | w_t] vanishes:
    noise_mean = sp.Sum((g(i) - mean) / n, (i, 1, n)).expand().doit()
    checks = (
        provers.identity(sp.simplify(noise_mean), 0),
        provers.identity(
            (a - alpha * b) ** 2,
            a**2 - 2 * alpha * c + alpha**2 * b**2,
            assumptions=[sp.Eq(c, a * b)],
        ),
    )
    return Outcome(
        "true",
        proved(*checks, what="vanishing cross term") + "; with the corrected "
        "expansion and E[B^T A] = E[A^T E[B | w_t]] = 0",
    )


_SMALL = (alpha > 0, alpha * (L + mu) <= 2)


def _contraction_checks() -> tuple[provers.Check, ...]:
    """Sufficiency and necessity of 0 < alpha <= 2/(L+mu) for (1 - alpha lam)^2 <= (1 - alpha mu)^2
    on [mu, L] (the per-eigenvalue form of ||(I - alpha Hbar) v|| <= (1 - alpha mu) ||v||)."""
    c, q, r = sp.symbols("c q r", real=True)
    return (
        provers.implies(
            [lam >= mu, lam <= L, *_SMALL],
            (1 - alpha * lam) ** 2 <= (1 - alpha * mu) ** 2,
            assumptions=_STRONG,
        ),
        # Summing the coordinates of v in the eigenbasis of Hbar:
        provers.implies([q <= r], q * c**2 <= r * c**2),
        provers.implies(
            [mu < L, alpha > 0, (1 - alpha * L) ** 2 <= (1 - alpha * mu) ** 2],
            alpha * (L + mu) <= 2,
            assumptions=_STRONG,
        ),
    )


def _mp_noisy_quadratic(p) -> bool:
    """f(w; x) = (w - x)^T H (w - x)/2, x = +-(x1, x2), w^* = 0, M = ||H x||^2:
    E||w_{t+1}||^2 <= (1 - a mu)^2 ||w||^2 + a^2 M."""
    H, a = rotated_spd(p), p["alpha"]
    x, w = mpmath.matrix([p["x1"], p["x2"]]), mpmath.matrix([p["w1"], p["w2"]])
    second = sum(mpmath.norm(w - a * (H * (w - sign * x))) ** 2 for sign in (1, -1)) / 2
    return approx_le(
        second, (1 - a * p["mu"]) ** 2 * mpmath.norm(w) ** 2 + a**2 * mpmath.norm(H * x) ** 2
    )


@claim(
    "sgd.second-moment.line4",
    slide=SLIDE_CONV,
    statement=r"\leq (1 - \alpha \mu)^2 \cdot \mathbf{E}\left[\|w_t - w^*\|^2\right] + \alpha^2 M "
    r"\text{ assuming small enough } \alpha",
    assumptions=r"\mathbf{E}_i\|\nabla f(w; x_i) - \nabla h(w)\|^2 \le M for every w; "
    r"\mu I \preceq \nabla^2 h \preceq L I, 0 < \mu \le L",
    recorded="gap",
    numeric=NumericCheck(
        variables={
            "mu": (_R(1, 10), 3),
            "dL": (0, 5),
            "t1": (0, 1),
            "t2": (0, 1),
            "theta": (0, 4),
            "x1": (-2, 2),
            "x2": (-2, 2),
            "w1": (-3, 3),
            "w2": (-3, 3),
            "alpha": (0, 2),
        },
        predicate=_mp_noisy_quadratic,
        where=lambda p: p["alpha"] * (2 * p["mu"] + p["dL"]) <= 2,
    ),
)
def _second_moment_line4() -> Outcome:
    B2 = sp.Symbol("B2", real=True)  # E||B||^2
    noise = provers.implies([B2 <= M, B2 >= 0], alpha**2 * B2 <= alpha**2 * M)
    # mu = 1, L = 3, alpha = 1, M = 0, h = (w1^2 + 3 w2^2)/2, w_t - w^* = (0, 1): 4 > 0.
    inst = {mu: 1, L: 3, alpha: 1, M: 0}
    violated = provers.inequality(
        ((1 - alpha * L) ** 2).subs(inst), ">", ((1 - alpha * mu) ** 2 + alpha**2 * M).subs(inst)
    )
    # The uniform noise bound is restrictive: f(w; x_i) = a_i w^2/2, a = (1, 3), gives noise w^2.
    w = sp.Symbol("w", real=True)
    growth = provers.identity(sum((a_i * w - 2 * w) ** 2 for a_i in (1, 3)) / 2, w**2)
    return Outcome(
        "gap",
        "per-eigenvalue contraction iff alpha <= 2/(L + mu) (z3, both directions), noise term, "
        "violation at alpha = 1: "
        + proved(*_contraction_checks(), noise, violated, growth, what="second-moment bound"),
        counterexample="alpha = 1 with mu = 1, L = 3, M = 0 (n = 1, h = (w1^2 + 3 w2^2)/2, "
        "w_t - w* = (0, 1)): E||w_{t+1} - w*||^2 = 4 > 0 = right-hand side",
        correction=r"For 0 < \alpha \le 2/(L + \mu):\ \mathbf{E}\|w_{t+1} - w^*\|^2 \le "
        r"(1 - \alpha\mu)^2\,\mathbf{E}\|w_t - w^*\|^2 + \alpha^2 M",
        gap="'small enough alpha' is not quantified: the step needs ||I - alpha Hbar_t||_2 <= "
        "|1 - alpha mu|, i.e. |1 - alpha L| <= |1 - alpha mu|, which is exactly "
        "alpha <= 2/(L + mu) (mu < L); the noise bound must hold for every w (then "
        "E||B_t||^2 = E[E[||B_t||^2 | w_t]] <= M), which excludes e.g. f(w; x_i) = a_i w^2/2 with "
        "a = (1, 3), whose noise is exactly w^2; zeta_t must be replaced by Hbar_t",
    )


@claim(
    "sgd.second-moment.small-alpha",
    slide=SLIDE_CONV,
    statement=r"\text{small enough } \alpha \iff 0 < \alpha \le \frac{2}{L + \mu} \ (\mu < L)",
    assumptions=r"\alpha > 0, 0 < \mu < L; the bound must hold for every instance of the class "
    r"(for \mu = L every \alpha works)",
    recorded="true",
    numeric=NumericCheck(
        variables={"mu": (_R(1, 10), 3), "dL": (0, 5), "alpha": (_R(1, 1000), 5)},
        predicate=lambda p: (
            approx_le((1 - p["alpha"] * (p["mu"] + p["dL"])) ** 2, (1 - p["alpha"] * p["mu"]) ** 2)
            if p["alpha"] * (2 * p["mu"] + p["dL"]) <= 2
            else (1 - p["alpha"] * (p["mu"] + p["dL"])) ** 2 > (1 - p["alpha"] * p["mu"]) ** 2
            or p["dL"] == 0
        ),
    ),
)
def _small_alpha() -> Outcome:
    r = sp.Symbol("r", real=True)  # ||w_t - w^*||, deterministic, along the L-eigenvector
    gap = (1 - alpha * L) ** 2 - (1 - alpha * mu) ** 2
    # With M > 0 the slack alpha^2 M is beaten by a large enough ||w_t - w^*||.
    scaled = provers.implies(
        [mu < L, alpha > 0, alpha * (L + mu) > 2, M >= 0, r**2 * gap > alpha**2 * M],
        r**2 * (1 - alpha * L) ** 2 > r**2 * (1 - alpha * mu) ** 2 + alpha**2 * M,
        assumptions=_STRONG,
    )
    positive = provers.implies(
        [mu < L, alpha > 0, alpha * (L + mu) > 2], gap > 0, assumptions=_STRONG
    )
    return Outcome(
        "true", proved(*_contraction_checks(), scaled, positive, what="step-size condition")
    )


# ----------------------------------------------------------------------------- convergence (3)
_RHO2 = (1 - alpha * mu) ** 2
_RECURSION = (mu > 0, alpha > 0, alpha * mu < 2)


@claim(
    "sgd.noise-ball.fixed-point",
    slide=SLIDE_CONV,
    statement=r"b \mapsto (1 - \alpha\mu)^2 b + \alpha^2 M \text{ has the fixed point } "
    r"\frac{\alpha M}{2\mu - \alpha\mu^2}",
    assumptions=r"\mu > 0, 0 < \alpha < 2/\mu",
    recorded="true",
    numeric=NumericCheck(
        variables={"mu": (_R(1, 10), 5), "s": (_R(1, 100), _R(99, 100)), "M": (0, 10)},
        # alpha = 2 s / mu covers 0 < alpha < 2/mu.
        predicate=lambda p: (
            lambda a: approx_eq(
                (1 - a * p["mu"]) ** 2 * (a * p["M"] / (2 * p["mu"] - a * p["mu"] ** 2))
                + a**2 * p["M"],
                a * p["M"] / (2 * p["mu"] - a * p["mu"] ** 2),
            )
        )(2 * p["s"] / p["mu"]),
    ),
)
def _fixed_point() -> Outcome:
    b = sp.Symbol("b", real=True)
    checks = (
        provers.fixed_point(_RHO2 * b + alpha**2 * M, b, _BALL, assumptions=_RECURSION),
        provers.identity(alpha**2 * M / (1 - _RHO2), _BALL, assumptions=_RECURSION),
    )
    return Outcome("true", proved(*checks, what="noise-ball fixed point"))


def _mp_comparison(p, t):
    """b_t by iterating b -> (1 - a mu)^2 b + a^2 M from b_0, a = 2 s / mu."""
    a = 2 * p["s"] / p["mu"]
    b = p["b0"]
    for _ in range(t):
        b = (1 - a * p["mu"]) ** 2 * b + a**2 * p["M"]
    return b, a


@claim(
    "sgd.noise-ball.limit",
    slide=SLIDE_CONV,
    statement=r"\lim_{t \rightarrow \infty} \mathbf{E}\left[\|w_t - w^*\|^2\right] \leq "
    r"\frac{\alpha M}{2\mu - \alpha\mu^2}",
    assumptions=r"e_{t+1} \le (1 - \alpha\mu)^2 e_t + \alpha^2 M for "
    r"e_t = \mathbf E\|w_t - w^*\|^2, "
    r"0 < \alpha \le 2/(L + \mu), M > 0",
    recorded="gap",
    numeric=NumericCheck(
        variables={
            "mu": (_R(1, 10), 5),
            "s": (_R(1, 100), _R(99, 100)),
            "M": (0, 10),
            "b0": (0, 20),
            "t": (0, 40),
        },
        # The comparison sequence has the closed form rho^t (b_0 - b*) + b*.
        predicate=lambda p: (
            lambda b, a: approx_eq(
                b,
                (1 - a * p["mu"]) ** (2 * int(p["t"]))
                * (p["b0"] - a * p["M"] / (2 * p["mu"] - a * p["mu"] ** 2))
                + a * p["M"] / (2 * p["mu"] - a * p["mu"] ** 2),
            )
        )(*_mp_comparison(p, int(p["t"]))),
    ),
)
def _limit() -> Outcome:
    e, e1, b, b0, P, rho = sp.symbols("e e1 b b0 P rho", real=True)  # P stands for rho^t
    closed = P * (b0 - _BALL) + _BALL
    checks = (
        # Induction: e_t <= b_t, since b -> rho b + alpha^2 M is nondecreasing (rho >= 0).
        provers.implies(
            [e <= b, rho >= 0, e1 <= rho * e + alpha**2 * M], e1 <= rho * b + alpha**2 * M
        ),
        # b_t = rho^t (b_0 - b*) + b* solves the recursion.
        provers.identity(
            _RHO2 * closed + alpha**2 * M,
            (_RHO2 * P) * (b0 - _BALL) + _BALL,
            assumptions=_RECURSION,
        ),
        # rho = (1 - alpha mu)^2 < 1 for the step sizes allowed by the previous slide.
        provers.implies(list(_SMALL), _RHO2 < 1, assumptions=_STRONG),
        # The inequality alone allows e_t = 0, alpha^2 M, 0, ... (no limit): both steps satisfy it.
        provers.implies(
            [M > 0, alpha > 0],
            sp.And(
                0 <= _RHO2 * alpha**2 * M + alpha**2 * M, alpha**2 * M <= _RHO2 * 0 + alpha**2 * M
            ),
        ),
    )
    return Outcome(
        "gap",
        "comparison by induction, closed form of b_t, rho < 1, oscillating witness: "
        + proved(*checks, what="limsup bound"),
        counterexample="the recursive inequality is satisfied by e_t = 0, alpha^2 M, 0, alpha^2 M, "
        "... (M > 0), which has no limit",
        correction=r"\limsup_{t\to\infty} \mathbf{E}\|w_t - w^*\|^2 \le \lim_{t\to\infty} b_t = "
        r"\frac{\alpha M}{2\mu - \alpha\mu^2},\ b_t = (1 - \alpha\mu)^{2t}(b_0 - b^*) + b^*",
        gap="The derivation bounds E||w_t - w*||^2 by the comparison sequence b_t; it does not "
        "show that E||w_t - w*||^2 converges, so only the limsup is bounded",
    )


@claim(
    "sgd.noise-ball.convergence",
    slide=SLIDE_CONV,
    statement=r"\text{this converges to a fixed point of } b \mapsto (1 - \alpha\mu)^2 b "
    r"+ \alpha^2 M "
    r"\text{ (for every } b_0) \iff 0 < \alpha < 2/\mu",
    assumptions=r"\mu > 0, M \ge 0; implied by 0 < \alpha \le 2/(L + \mu)",
    recorded="true",
    numeric=NumericCheck(
        variables={
            "mu": (_R(1, 10), 5),
            "s": (_R(1, 100), _R(99, 100)),
            "M": (0, 10),
            "b0": (0, 20),
            "t": (0, 40),
        },
        predicate=lambda p: (
            lambda b, a: approx_le(
                abs(b - a * p["M"] / (2 * p["mu"] - a * p["mu"] ** 2)),
                abs(p["b0"] - a * p["M"] / (2 * p["mu"] - a * p["mu"] ** 2)),
            )
        )(*_mp_comparison(p, int(p["t"]))),
    ),
)
def _convergence() -> Outcome:
    checks = (
        provers.implies(
            [alpha > 0, alpha * mu < 2], sp.And(_RHO2 >= 0, _RHO2 < 1), assumptions=[mu > 0]
        ),
        # Conversely rho >= 1 outside (0, 2/mu): |b_t - b*| = rho^t |b_0 - b*| does not tend to 0.
        provers.implies([sp.Or(alpha <= 0, alpha * mu >= 2)], _RHO2 >= 1, assumptions=[mu > 0]),
        provers.implies(list(_SMALL), alpha * mu < 2, assumptions=_STRONG),
    )
    return Outcome("true", proved(*checks, what="convergence of the comparison recursion"))


def _mp_exact_second_moment(p, steps):
    """E[w_t^2] for f(w; x) = mu (w - x)^2/2, x = +-sx, w_0 = 0, by enumerating all 2^t paths."""
    a = 2 * p["s"] / p["mu"]
    total = mpmath.mpf(0)
    for signs in itertools.product((1, -1), repeat=steps):
        w = mpmath.mpf(0)
        for sign in signs:
            w = w - a * p["mu"] * (w - sign * p["sx"])
        total += w**2
    return total / 2**steps, a


@claim(
    "sgd.noise-ball.tight",
    slide=SLIDE_CONV,
    statement=r"\text{SGD (constant step) converges to a noise ball, not to the optimum}",
    assumptions=r"example: d = 1, f(w; x) = \mu (w - x)^2/2, x = \pm\sigma, so L = \mu, w^* = 0, "
    r"M = \mu^2\sigma^2 exactly; 0 < \alpha < 2/\mu",
    recorded="true",
    numeric=NumericCheck(
        variables={"mu": (_R(1, 10), 3), "s": (_R(1, 100), _R(99, 100)), "sx": (0, 2), "t": (0, 8)},
        predicate=lambda p: (
            lambda e, a: approx_eq(
                e,
                a
                * (p["mu"] * p["sx"]) ** 2
                / (2 * p["mu"] - a * p["mu"] ** 2)
                * (1 - (1 - a * p["mu"]) ** (2 * int(p["t"]))),
            )
        )(*_mp_exact_second_moment(p, int(p["t"]))),
    ),
)
def _tight() -> Outcome:
    w, sigma = sp.symbols("w sigma", real=True)
    step = {x: w - alpha * mu * (w - x) for x in (sigma, -sigma)}
    noise = [(mu * (w - x) - mu * w) ** 2 for x in (sigma, -sigma)]  # ||grad f - grad h||^2
    checks = (
        provers.identity(sum(noise) / 2, mu**2 * sigma**2),
        # E[w_{t+1}^2 | w_t = w] = (1 - alpha mu)^2 w^2 + alpha^2 M: the slide's bound, with "=".
        provers.identity(
            sum(v**2 for v in step.values()) / 2, _RHO2 * w**2 + alpha**2 * mu**2 * sigma**2
        ),
        provers.inequality(
            _BALL.subs(M, mu**2 * sigma**2), ">", 0, assumptions=[*_RECURSION, sp.Ne(sigma, 0)]
        ),
        provers.identity(sp.limit(_BALL, alpha, 0, "+"), sp.Integer(0)),
    )
    return Outcome(
        "true",
        proved(*checks, what="noise ball of a quadratic") + "; so E[w_t^2] -> "
        "alpha M/(2 mu - alpha mu^2) > 0 for sigma != 0, and the ball shrinks as alpha -> 0",
    )

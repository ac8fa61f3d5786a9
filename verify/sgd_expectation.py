r"""Claims of the slide "Stochastic Gradient Descent": the mean recursion.

Setting as in :mod:`verify._sgd_common`: :math:`h(w) = \frac1n\sum_i f(w; x_i)`, :math:`i_t`
uniform on :math:`\{1..n\}` and independent of :math:`w_t`,
:math:`w_{t+1} = w_t - \alpha\nabla f(w_t; x_{i_t})`. The expectation chain is judged on the exact
laws of :math:`w_1, w_2` for :math:`f(w; x) = \phi(w - x)`, data :math:`\{0, 1\}`, :math:`w_0 = 0`,
:math:`\alpha = 1/2` (enumeration of all paths): :math:`\mathbf E[w_{t+1}] = \mathbf E[w_t] -
\alpha\,\mathbf E[\nabla h(w_t)]` (tower property), which is gradient descent only when
:math:`\nabla h` is affine.

References:
    E. Moulines, F. Bach, "Non-asymptotic analysis of stochastic approximation algorithms for
    machine learning", NeurIPS 2011.
    L. Bottou, F. E. Curtis, J. Nocedal, SIAM Review 60(2), 2018, Sec. 4.
"""

from __future__ import annotations

import mpmath
import sympy as sp

from verify import provers
from verify._sgd_common import SLIDE_SGD, mp_phi1, path_distribution, phi_prime
from verify.claims import Outcome, claim, proved
from verify.gradient_descent import alpha
from verify.numeric import NumericCheck, approx_eq

__all__ = ["path_distribution", "phi_prime"]

_R = sp.Rational


def _mean(law, fn=lambda w: w):
    return sum(p * fn(w) for w, p in law.items())


# The example: f(w; x) = phi(w - x), data {0, 1} (mu = 1, L = 2), w_0 = 0, alpha = 1/2.
_DATA, _STEP = (sp.Integer(0), sp.Integer(1)), _R(1, 2)


def _grad(w, x):
    return phi_prime(w - x)


def _grad_h(w):
    return sum(_grad(w, x) for x in _DATA) / len(_DATA)


def _mp_laws(a, steps=2):
    laws = [{mpmath.mpf(0): mpmath.mpf(1)}]
    for _ in range(steps):
        nxt: dict = {}
        for w, p in laws[-1].items():
            for x in (0, 1):
                v = w - a * mp_phi1(w - x)
                nxt[v] = nxt.get(v, 0) + p / 2
        laws.append(nxt)
    return laws


def _mp_phi1_2(w, x):
    return mp_phi1(w - x)


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
            * sum(q * (mp_phi1(w) + mp_phi1(w - 1)) / 2 for w, q in _mp_laws(p["a"])[1].items()),
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
    return all(approx_eq(lhs, mean1 - p["a"] * (mp_phi1(w) + mp_phi1(w - 1)) / 2) for w in laws[1])


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
            (lambda v: v - p["a"] * (mp_phi1(v) + mp_phi1(v - 1)) / 2)(
                (lambda v: v - p["a"] * (mp_phi1(v) + mp_phi1(v - 1)) / 2)(mpmath.mpf(0))
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

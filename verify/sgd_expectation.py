r"""Claims of the slide "Stochastic Gradient Descent": unbiasedness and the cost of a step.

Setting as in :mod:`verify._sgd_common`: :math:`h(w) = \frac1n\sum_i f(w; x_i)`, :math:`i_t`
uniform on :math:`\{1..n\}` and independent of :math:`w_t`,
:math:`w_{t+1} = w_t - \alpha\nabla f(w_t; x_{i_t})`. The mean recursion of the same slide is
judged from the slide's text (``claims/sgd_mean.toml``).

References:
    E. Moulines, F. Bach, "Non-asymptotic analysis of stochastic approximation algorithms for
    machine learning", NeurIPS 2011.
    L. Bottou, F. E. Curtis, J. Nocedal, SIAM Review 60(2), 2018, Sec. 4.
"""

from __future__ import annotations

import mpmath
import sympy as sp

from verify import provers
from verify._sgd_common import SLIDE_SGD, mp_phi, mp_phi1, path_distribution, phi_prime
from verify.claims import Outcome, claim, proved
from verify.large_scale import full_gradient
from verify.numeric import NumericCheck, approx_eq

__all__ = ["path_distribution", "phi_prime"]

_R = sp.Rational


def _mp_phi1_2(w, x):
    return mp_phi1(w - x)


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
            sum(mpmath.mpf(1) / 3 * mp_phi1(p["w"] - p[k]) for k in ("x1", "x2", "x3")),
            mpmath.diff(lambda v: sum(mp_phi(v - p[k]) for k in ("x1", "x2", "x3")) / 3, p["w"]),
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

r"""Claims of the first "Stochastic Gradient Descent Convergence" slide: the one-step decomposition.

:math:`w_{t+1} - w^* = w_t - w^* - \alpha(\nabla h(w_t) - \nabla h(w^*)) - \alpha B_t` is exact
(:math:`\nabla h(w^*) = 0`). The next line's mean value form
:math:`\nabla h(w_t) - \nabla h(w^*) = \nabla^2 h(\zeta_t)(w_t - w^*)` fails for :math:`d \ge 2`;
the averaged Hessian :math:`\bar H_t = \int_0^1 \nabla^2 h(w^* + s(w_t - w^*))\,ds`, with
:math:`\mu I \preceq \bar H_t \preceq L I`, repairs it. Claim ids ``sgd.decomposition.*``.

References:
    L. Bottou, F. E. Curtis, J. Nocedal, SIAM Review 60(2), 2018, Thm. 4.6 (constant step size).
    J. M. Ortega, W. C. Rheinboldt, "Iterative Solution of Nonlinear Equations in Several
    Variables", SIAM 2000, 3.2.3 (no mean value theorem for vector-valued maps).
"""

from __future__ import annotations

import mpmath
import sympy as sp

from verify import provers
from verify._sgd_common import MVT_GAP, SLIDE_CONV, mp_hbar, mp_phi1
from verify.claims import Outcome, claim, decide, proved
from verify.averaged_hessian import MVT_METHOD, averaged_hessian_checks, mean_value_counterexample
from verify.gradient_descent import alpha
from verify.numeric import NumericCheck, approx_eq

__all__: list[str] = []


def _mp_decomposition_holds(p) -> bool:
    """w_{t+1} - w^* = (1 - alpha Hbar)(w_t - w^*) - alpha B_t on the data {0, 1}, w^* = 1/2."""
    w, a, x = p["w"], p["alpha"], int(p["i"] >= mpmath.mpf(1) / 2)
    grad_h = (mp_phi1(w) + mp_phi1(w - 1)) / 2
    star = mpmath.mpf(1) / 2
    lhs = w - a * mp_phi1(w - x) - star
    return approx_eq(lhs, (1 - a * mp_hbar(w)) * (w - star) - a * (mp_phi1(w - x) - grad_h))


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
        gap=MVT_GAP,
    )

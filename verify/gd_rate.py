r"""Claims of "Gradient Descent Converges (continued)": step size 2/(L + mu) and the linear rate.

With :math:`\alpha = 2/(L + \mu)` both extreme eigenvalues give :math:`|1 - \alpha\lambda| =
(L - \mu)/(L + \mu) =: \rho`, the smallest possible value of
:math:`\max(|1 - \alpha\mu|, |1 - \alpha L|)` (attained only there when :math:`\mu < L`); the
recursion :math:`\|w_{t+1} - w^*\| \le \rho\,\|w_t - w^*\|` gives
:math:`\|w_t - w^*\| \le \rho^t \|w_0 - w^*\|`, linear convergence since :math:`0 \le \rho < 1`.

References:
    Y. Nesterov, *Lectures on Convex Optimization*, 2nd ed., Springer 2018, Thm. 2.1.15 and
    Sec. 1.2.3 (step 2/(L+mu), rate (L-mu)/(L+mu)).
"""

from __future__ import annotations

import mpmath
import sympy as sp

from verify import provers
from verify.claims import Outcome, claim, proved
from verify.gradient_descent import (
    SLIDE_CONT,
    STRONG,
    L,
    alpha,
    eigenvalue_bound,
    max_facts,
    mu,
    rotated_spd,
)
from verify.numeric import NumericCheck, approx_eq, approx_le

__all__ = ["RHO"]

_R = sp.Rational
RHO = (L - mu) / (L + mu)
_MU_L = {"mu": (_R(1, 10), 5), "dL": (0, 10)}


def _rate(p):
    return (p["dL"]) / (2 * p["mu"] + p["dL"])  # (L - mu)/(L + mu) with L = mu + dL


@claim(
    "gd.recursion",
    slide=SLIDE_CONT,
    statement=r"\|w_K - w^*\| \leq \left( \frac{L - \mu}{L + \mu} \right)^K \cdot \|w_0 - w^*\|",
    assumptions=r"0 < \mu \le L, \alpha = 2/(L + \mu), K \ge 0 an integer; induction on K",
    recorded="true",
    numeric=NumericCheck(
        variables={**_MU_L, "theta": (0, 4), "K": (0, 25)},
        predicate=lambda p: _gd_quadratic_holds(p),
    ),
)
def _recursion() -> Outcome:
    e0, e, e1, P, rho = sp.symbols("e0 e e1 P rho", real=True)  # P stands for rho^t
    step = provers.implies([e1 <= rho * e, e <= P * e0, rho >= 0, e >= 0], e1 <= rho * P * e0)
    nonneg = provers.inequality(RHO, ">=", 0, assumptions=STRONG)
    base = provers.identity(e0, sp.Integer(1) * e0)
    return Outcome("true", proved(base, step, nonneg, what="induction on K"))


def _gd_quadratic_holds(p) -> bool:
    """K steps of GD, alpha = 2/(L+mu), on f(w) = w^T H w / 2, testing the bound at every step."""
    H = rotated_spd({**p, "t1": 0, "t2": 1})
    step = 2 / (2 * p["mu"] + p["dL"])
    w0 = mpmath.matrix([1, mpmath.mpf(1) / 3])
    w = w0
    for k in range(1, int(p["K"]) + 1):
        w = w - step * (H * w)
        if not approx_le(mpmath.norm(w), _rate(p) ** k * mpmath.norm(w0)):
            return False
    return True

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
    "gd.step-rate",
    slide=SLIDE_CONT,
    statement=r"\alpha = 2/(L + \mu) \Rightarrow \|w_{t+1} - w^*\| \leq \frac{L - \mu}{L + \mu} "
    r"\cdot \|w_t - w^*\|",
    assumptions=r"0 < \mu \le L and the (repaired) bound of gd.norm-bound",
    recorded="true",
    numeric=NumericCheck(
        variables=_MU_L,
        predicate=lambda p: approx_eq(
            max(
                abs(1 - 2 * p["mu"] / (2 * p["mu"] + p["dL"])),
                abs(1 - 2 * (p["mu"] + p["dL"]) / (2 * p["mu"] + p["dL"])),
            ),
            _rate(p),
        ),
    ),
)
def _step_rate() -> Outcome:
    step = 2 / (L + mu)
    checks = [provers.identity(sp.Abs(1 - step * x), RHO, assumptions=STRONG) for x in (mu, L)]
    checks.append(eigenvalue_bound(RHO, step=step))
    return Outcome("true", proved(*checks, what="rate at alpha = 2/(L + mu)"))


@claim(
    "gd.step-optimal",
    slide=SLIDE_CONT,
    statement=r"\alpha = 2/(L + \mu) \text{ minimises } \max(|1 - \alpha\mu|, |1 - \alpha L|) "
    r"\text{ over } \alpha \in \mathbb{R}",
    assumptions=r"0 < \mu \le L; unique minimiser when \mu < L",
    recorded="true",
    numeric=NumericCheck(
        variables={**_MU_L, "alpha": (-2, 20)},
        predicate=lambda p: approx_le(
            _rate(p), max(abs(1 - p["alpha"] * p["mu"]), abs(1 - p["alpha"] * (p["mu"] + p["dL"])))
        ),
    ),
)
def _step_optimal() -> Outcome:
    bound = sp.Symbol("bound", real=True)
    facts = max_facts(bound, sp.Abs(1 - alpha * mu), sp.Abs(1 - alpha * L))
    lower = provers.implies(facts, bound >= RHO, assumptions=STRONG)
    unique = provers.implies(
        [*facts, sp.Eq(bound, RHO), mu < L], sp.Eq(alpha, 2 / (L + mu)), assumptions=STRONG
    )
    # Tight: on f = (mu w1^2 + L w2^2)/2 the two eigen-directions contract by exactly these factors,
    # so no step gives a smaller worst-case factor over the class.
    return Outcome("true", proved(lower, unique, what="optimality of alpha = 2/(L + mu)"))


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


@claim(
    "gd.linear-rate",
    slide=SLIDE_CONT,
    statement=r"\text{convergence at a linear rate: } 0 \le \frac{L - \mu}{L + \mu} < 1",
    assumptions=r"0 < \mu \le L; then \log\|w_K - w^*\| \le K \log\rho + \log\|w_0 - w^*\|",
    recorded="true",
    numeric=NumericCheck(variables=_MU_L, predicate=lambda p: 0 <= _rate(p) < 1),
)
def _linear_rate() -> Outcome:
    checks = (
        provers.inequality(RHO, "<", 1, assumptions=STRONG),
        provers.inequality(RHO, ">=", 0, assumptions=STRONG),
        # mu = 0 is excluded for a reason: the factor is then exactly 1.
        provers.identity(RHO.subs(mu, 0), sp.Integer(1), assumptions=[L > 0]),
    )
    return Outcome("true", proved(*checks, what="linear rate"))

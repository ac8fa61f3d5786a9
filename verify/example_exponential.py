r"""Slide "Example: Exponential": :math:`f(x) = e^x` is convex, line by line.

:math:`e^{\alpha x + (1-\alpha)y} = e^y e^{\alpha(x - y)} = e^y\sum_{n \ge 0}\alpha^n (x-y)^n/n!
\le e^y(1 + \alpha\sum_{n \ge 1}(x-y)^n/n!) = (1-\alpha)e^y + \alpha e^x`, the inequality using
:math:`\alpha^n \le \alpha` term by term, valid for :math:`x > y` (all terms nonnegative). The
slide argues only that case; :math:`x < y` follows by applying it to :math:`(y, x, 1 - \alpha)`
(recorded as a gap of ``exp.proof``). Series are summed in closed form by SymPy and, for the
numeric cross-checks, term by term with mpmath.

Reference: Boyd & Vandenberghe, *Convex Optimization*, 2004, Sec. 3.1.5 (e^{ax} is convex).
"""

from __future__ import annotations

import mpmath
import sympy as sp

from verify import provers
from verify.claims import Outcome, claim, decide, proved
from verify.convexity import BOX, UNIT, UNIT_TEXT, a, mix, t, x, y
from verify.numeric import NumericCheck, approx_eq, approx_le


n = sp.Symbol("n", integer=True, nonnegative=True)
p_, q_, k_ = sp.symbols("p q k", real=True)  # p = alpha**n, q = (x - y)**n, k = 1/n!
EXP_X = {**BOX, "x": (-5, 5), "y": (-5, 5)}


def _series(coeff, start: int):
    """``sum_{n >= start} coeff(n) (x - y)^n / n!`` evaluated in closed form by SymPy.

    SymPy's closed form divides by ``x - y`` (and ``alpha``); the series is entire, so its value
    everywhere is the form with those removable singularities cancelled.
    """
    return sp.cancel(sp.Sum(coeff * (x - y) ** n / sp.factorial(n), (n, start, sp.oo)).doit())


def _mp_series(p, alpha_power: bool, start: int):
    # Summed term by term with mpmath, independently of exp.
    al, d = p["alpha"], p["x"] - p["y"]
    return mpmath.nsum(
        lambda m: (al**m if alpha_power else 1) * d**m / mpmath.factorial(m), [start, mpmath.inf]
    )


@claim(
    "exp.proof",
    slide="Example: Exponential",
    statement=r"e^{\alpha x + (1-\alpha)y} \leq (1-\alpha)e^y + \alpha e^x "
    r"\text{ (the conclusion, for all } x, y \text{, argued only for } x > y)",
    assumptions=UNIT_TEXT,
    recorded="gap",
    numeric=NumericCheck(
        EXP_X,
        lambda p: approx_le(
            mpmath.exp(mix(p)),
            (1 - p["alpha"]) * mpmath.exp(p["y"]) + p["alpha"] * mpmath.exp(p["x"]),
        ),
    ),
)
def _exp_proof() -> Outcome:
    lhs, rhs = sp.exp(a * x + (1 - a) * y), (1 - a) * sp.exp(y) + a * sp.exp(x)
    swap = {x: y, y: x, a: 1 - a}
    method = proved(
        provers.identity(lhs.xreplace(swap), lhs),
        provers.identity(rhs.xreplace(swap), rhs),
        provers.identity(lhs.subs(y, x), rhs.subs(y, x)),
        provers.implies((x < y,), sp.And(y > x, 1 - a >= 0, 1 - a <= 1), assumptions=UNIT),
        what="repaired exponential derivation",
    )
    return Outcome(
        "gap",
        "case x > y: exp.line1-line4; case x = y: both sides equal e^x; case x < y: the statement "
        "is "
        "invariant under (x, y, alpha) -> (y, x, 1 - alpha), which maps it to the case x > y. "
        + method,
        gap="The inequality step is argued only for x > y (for x < y the terms (x - y)^n of odd n "
        "are "
        "negative, so the termwise bound alpha^n (x-y)^n <= alpha (x-y)^n fails); the cases x < y "
        "and "
        "x = y, needed for convexity, are not addressed.",
        correction=r"For x = y both sides equal e^x; for x < y apply the x > y case to "
        r"(x', y', \alpha') = (y, x, 1 - \alpha): e^{\alpha x + (1-\alpha)y} \leq (1-\alpha)e^y + "
        r"\alpha e^x "
        r"\ \forall x, y \in \mathbb{R}, \alpha \in [0, 1]",
    )

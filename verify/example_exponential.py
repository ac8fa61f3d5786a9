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
    "exp.line1",
    slide="Example: Exponential",
    statement=r"e^{\alpha x + (1-\alpha)y} = e^y e^{\alpha(x-y)}",
    assumptions=r"$x, y, \alpha \in \mathbb{R}$",
    recorded="true",
    numeric=NumericCheck(
        EXP_X,
        lambda p: approx_eq(
            mpmath.exp(mix(p)), mpmath.exp(p["y"]) * mpmath.exp(p["alpha"] * (p["x"] - p["y"]))
        ),
    ),
)
def _exp_line1() -> Outcome:
    lhs = sp.exp(a * x + (1 - a) * y)
    return decide(provers.identity(lhs, sp.exp(y) * sp.exp(a * (x - y))), what="exp line 1")


@claim(
    "exp.line1-series",
    slide="Example: Exponential",
    statement=r"e^y e^{\alpha(x-y)} = e^y \sum_{n=0}^{\infty} \frac{1}{n!} \alpha^n (x-y)^n",
    assumptions=r"$x, y, \alpha \in \mathbb{R}$ (the exponential series converges everywhere)",
    recorded="true",
    numeric=NumericCheck(
        EXP_X,
        lambda p: approx_eq(
            mpmath.exp(p["y"]) * mpmath.exp(p["alpha"] * (p["x"] - p["y"])),
            mpmath.exp(p["y"]) * _mp_series(p, True, 0),
        ),
    ),
)
def _exp_line1_series() -> Outcome:
    out = decide(
        provers.identity(sp.exp(y) * sp.exp(a * (x - y)), sp.exp(y) * _series(a**n, 0)),
        what="exp series",
    )
    return Outcome(out.verdict, "series summed in closed form by SymPy, then " + out.method)


@claim(
    "exp.line2",
    slide="Example: Exponential",
    statement=r"e^y \sum_{n=0}^{\infty} \frac{1}{n!} \alpha^n (x-y)^n \leq e^y \left( 1 + \alpha "
    r"\sum_{n=1}^{\infty} \frac{1}{n!} (x-y)^n \right) \quad (\text{if } x > y)",
    assumptions=UNIT_TEXT + r", $x > y$ (as written)",
    recorded="true",
    numeric=NumericCheck(
        EXP_X,
        lambda p: approx_le(
            mpmath.exp(p["y"]) * _mp_series(p, True, 0),
            mpmath.exp(p["y"]) * (1 + p["alpha"] * _mp_series(p, False, 1)),
        ),
        where=lambda p: p["x"] > p["y"],
    ),
)
def _exp_line2() -> Outcome:
    # Term n >= 1 of (right - left) is (alpha - alpha^n) (x - y)^n / n!; the n = 0 terms agree.
    split = provers.identity(_series(a - a**n, 1), a * _series(1, 1) - (_series(a**n, 0) - 1))
    base = provers.identity(a - a**1, sp.Integer(0))
    step = provers.implies((p_ >= 0, p_ <= a), sp.And(a * p_ >= 0, a * p_ <= a), assumptions=UNIT)
    power = provers.implies((q_ > 0,), t * q_ > 0, assumptions=(t > 0,))
    term = provers.implies((p_ <= a, q_ > 0, k_ > 0), (a - p_) * q_ * k_ >= 0, assumptions=UNIT)
    method = proved(split, base, step, power, term, what="termwise comparison in exp line 2")
    return Outcome(
        "true",
        "right - left = e^y sum_{n>=1} (alpha - alpha^n)(x - y)^n / n!, every term >= 0 when x > "
        "y: "
        "alpha^n <= alpha and (x - y)^n > 0 by induction on n; both series converge absolutely. "
        + method,
    )


@claim(
    "exp.line3",
    slide="Example: Exponential",
    statement=r"e^y \left( 1 + \alpha \sum_{n=1}^{\infty} \frac{1}{n!} (x-y)^n \right) = e^y "
    r"((1-\alpha) + \alpha e^{x-y})",
    assumptions=r"$x, y, \alpha \in \mathbb{R}$",
    recorded="true",
    numeric=NumericCheck(
        EXP_X,
        lambda p: approx_eq(
            mpmath.exp(p["y"]) * (1 + p["alpha"] * _mp_series(p, False, 1)),
            mpmath.exp(p["y"]) * ((1 - p["alpha"]) + p["alpha"] * mpmath.exp(p["x"] - p["y"])),
        ),
    ),
)
def _exp_line3() -> Outcome:
    lhs = sp.exp(y) * (1 + a * _series(1, 1))
    return decide(
        provers.identity(lhs, sp.exp(y) * ((1 - a) + a * sp.exp(x - y))), what="exp line 3"
    )


@claim(
    "exp.line4",
    slide="Example: Exponential",
    statement=r"e^y ((1-\alpha) + \alpha e^{x-y}) = (1-\alpha)e^y + \alpha e^x",
    assumptions=r"$x, y, \alpha \in \mathbb{R}$",
    recorded="true",
    numeric=NumericCheck(
        EXP_X,
        lambda p: approx_eq(
            mpmath.exp(p["y"]) * ((1 - p["alpha"]) + p["alpha"] * mpmath.exp(p["x"] - p["y"])),
            (1 - p["alpha"]) * mpmath.exp(p["y"]) + p["alpha"] * mpmath.exp(p["x"]),
        ),
    ),
)
def _exp_line4() -> Outcome:
    lhs = sp.exp(y) * ((1 - a) + a * sp.exp(x - y))
    return decide(provers.identity(lhs, (1 - a) * sp.exp(y) + a * sp.exp(x)), what="exp line 4")


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

r"""Slide "Example: Abs": :math:`f(x) = |x|` is convex, line by line.

Triangle inequality :math:`|\alpha x + (1-\alpha)y| \le |\alpha x| + |(1-\alpha)y|`, then
homogeneity :math:`|\alpha x| = \alpha|x|` for :math:`\alpha \in [0, 1]`
(Boyd & Vandenberghe, *Convex Optimization*, 2004, Sec. 3.1.5: every norm is convex).
"""

from __future__ import annotations

import sympy as sp

from verify import provers
from verify.claims import Outcome, claim, decide, format_point
from verify.convexity import BOX, UNIT, UNIT_TEXT, a, mix, x, y
from verify.numeric import NumericCheck, approx_eq, approx_le


ABS_L0 = sp.Abs(a * x + (1 - a) * y)
ABS_L1 = sp.Abs(a * x) + sp.Abs((1 - a) * y)
ABS_L2 = a * sp.Abs(x) + (1 - a) * sp.Abs(y)


@claim(
    "abs.line1",
    slide="Example: Abs",
    statement=r"|\alpha x + (1 - \alpha)y| \leq |\alpha x| + |(1 - \alpha)y|",
    assumptions=r"$x, y, \alpha \in \mathbb{R}$ (the triangle inequality needs no restriction on "
    r"$\alpha$)",
    recorded="true",
    numeric=NumericCheck(
        {"alpha": (-3, 3), "x": (-10, 10), "y": (-10, 10)},
        lambda p: approx_le(abs(mix(p)), abs(p["alpha"] * p["x"]) + abs((1 - p["alpha"]) * p["y"])),
    ),
)
def _abs_line1() -> Outcome:
    return decide(provers.inequality(ABS_L0, "<=", ABS_L1), what="abs line 1")


@claim(
    "abs.line2",
    slide="Example: Abs",
    statement=r"|\alpha x| + |(1 - \alpha)y| = \alpha|x| + (1 - \alpha)|y|",
    assumptions=UNIT_TEXT
    + r" (used: $\alpha \ge 0$ and $1 - \alpha \ge 0$; it fails outside $[0, 1]$)",
    recorded="true",
    numeric=NumericCheck(
        BOX,
        lambda p: approx_eq(
            abs(p["alpha"] * p["x"]) + abs((1 - p["alpha"]) * p["y"]),
            p["alpha"] * abs(p["x"]) + (1 - p["alpha"]) * abs(p["y"]),
        ),
    ),
)
def _abs_line2() -> Outcome:
    inside = provers.identity(ABS_L1, ABS_L2, assumptions=UNIT)
    outside = provers.identity(ABS_L1, ABS_L2, assumptions=(a < 0,))
    out = decide(inside, what="abs line 2")
    if outside.counterexample is None:
        return out
    note = f"; outside [0, 1] it fails, e.g. at {format_point(outside.counterexample)}"
    return Outcome(out.verdict, out.method + note)


@claim(
    "abs.proof",
    slide="Example: Abs",
    statement=r"|\alpha x + (1 - \alpha)y| \leq \alpha|x| + (1 - \alpha)|y|",
    assumptions=UNIT_TEXT,
    recorded="true",
    numeric=NumericCheck(
        BOX,
        lambda p: approx_le(abs(mix(p)), p["alpha"] * abs(p["x"]) + (1 - p["alpha"]) * abs(p["y"])),
    ),
)
def _abs_proof() -> Outcome:
    return decide(provers.inequality(ABS_L0, "<=", ABS_L2, assumptions=UNIT), what="abs conclusion")

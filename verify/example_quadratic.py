r"""Slide "Example: Quadratic": :math:`f(x) = x^2` is convex, line by line.

The slide expands :math:`(\alpha x + (1-\alpha)y)^2` and rewrites it as
:math:`\alpha x^2 + (1-\alpha)y^2 - \alpha(1-\alpha)(x - y)^2`; the second line as written has
:math:`+2xy` for :math:`-2xy`, so the derivation as written does not prove the (true)
conclusion. The corrected identity gives it since :math:`\alpha(1-\alpha)(x - y)^2 \ge 0` on
:math:`\alpha \in [0, 1]`
(Boyd & Vandenberghe, *Convex Optimization*, 2004, Sec. 3.1.1 and 3.1.5).
"""

from __future__ import annotations

from fractions import Fraction as Fr


from verify import provers
from verify.claims import Outcome, claim, decide, format_point, proved
from verify.convexity import BOX, UNIT, UNIT_TEXT, a, mix, x, y
from verify.numeric import NumericCheck, approx_eq, approx_le


QUAD_L0 = (a * x + (1 - a) * y) ** 2
QUAD_L1 = a**2 * x**2 + 2 * a * (1 - a) * x * y + (1 - a) ** 2 * y**2
QUAD_L2 = a * x**2 + (1 - a) * y**2 - a * (1 - a) * (x**2 + 2 * x * y + y**2)
QUAD_L2_FIXED = a * x**2 + (1 - a) * y**2 - a * (1 - a) * (x**2 - 2 * x * y + y**2)
QUAD_L3 = a * x**2 + (1 - a) * y**2


@claim(
    "quadratic.line1",
    slide="Example: Quadratic",
    statement=r"(\alpha x + (1 - \alpha)y)^2 = \alpha^2 x^2 + 2\alpha(1 - \alpha)xy + (1 - "
    r"\alpha)^2 y^2",
    assumptions=r"$x, y, \alpha \in \mathbb{R}$",
    recorded="true",
    numeric=NumericCheck(
        BOX,
        lambda p: approx_eq(
            mix(p) ** 2,
            p["alpha"] ** 2 * p["x"] ** 2
            + 2 * p["alpha"] * (1 - p["alpha"]) * p["x"] * p["y"]
            + (1 - p["alpha"]) ** 2 * p["y"] ** 2,
        ),
    ),
)
def _quadratic_line1() -> Outcome:
    return decide(provers.identity(QUAD_L0, QUAD_L1), what="quadratic line 1")


def _quad_line2_numeric(p) -> bool:
    al, u, v = p["alpha"], p["x"], p["y"]
    lhs = al**2 * u**2 + 2 * al * (1 - al) * u * v + (1 - al) ** 2 * v**2
    return approx_eq(lhs, al * u**2 + (1 - al) * v**2 - al * (1 - al) * (u**2 + 2 * u * v + v**2))


@claim(
    "quadratic.line2",
    slide="Example: Quadratic",
    statement=r"\alpha^2 x^2 + 2\alpha(1 - \alpha)xy + (1 - \alpha)^2 y^2 = "
    r"\alpha x^2 + (1 - \alpha)y^2 - \alpha(1 - \alpha)(x^2 + 2xy + y^2)",
    assumptions=UNIT_TEXT,
    recorded="false",
    numeric=NumericCheck(
        BOX, _quad_line2_numeric, expect="fails", counterexample={"alpha": Fr(1, 2), "x": 1, "y": 1}
    ),
)
def _quadratic_line2() -> Outcome:
    return decide(
        provers.identity(QUAD_L1, QUAD_L2, assumptions=UNIT),
        what="quadratic line 2",
        correction=r"\alpha^2 x^2 + 2\alpha(1 - \alpha)xy + (1 - \alpha)^2 y^2 = "
        r"\alpha x^2 + (1 - \alpha)y^2 - \alpha(1 - \alpha)(x - y)^2",
        repaired=(provers.identity(QUAD_L1, QUAD_L2_FIXED),),
    )


@claim(
    "quadratic.line3",
    slide="Example: Quadratic",
    statement=r"\alpha x^2 + (1 - \alpha)y^2 - \alpha(1 - \alpha)(x^2 + 2xy + y^2) "
    r"\leq \alpha x^2 + (1 - \alpha)y^2",
    assumptions=UNIT_TEXT,
    recorded="true",
    numeric=NumericCheck(
        BOX,
        lambda p: approx_le(
            p["alpha"] * p["x"] ** 2
            + (1 - p["alpha"]) * p["y"] ** 2
            - p["alpha"] * (1 - p["alpha"]) * (p["x"] + p["y"]) ** 2,
            p["alpha"] * p["x"] ** 2 + (1 - p["alpha"]) * p["y"] ** 2,
        ),
    ),
)
def _quadratic_line3() -> Outcome:
    return decide(
        provers.inequality(QUAD_L2, "<=", QUAD_L3, assumptions=UNIT), what="quadratic line 3"
    )


@claim(
    "quadratic.proof",
    slide="Example: Quadratic",
    statement=r"(\alpha x + (1 - \alpha)y)^2 \leq \alpha x^2 + (1 - \alpha)y^2 "
    r"\text{ (the conclusion of the three-line derivation)}",
    assumptions=UNIT_TEXT,
    recorded="gap",
    numeric=NumericCheck(
        BOX,
        lambda p: approx_le(mix(p) ** 2, p["alpha"] * p["x"] ** 2 + (1 - p["alpha"]) * p["y"] ** 2),
    ),
)
def _quadratic_proof() -> Outcome:
    broken = provers.identity(QUAD_L1, QUAD_L2, assumptions=UNIT)
    if broken.holds:
        return Outcome("true", broken.method)
    repair = proved(
        provers.identity(QUAD_L1, QUAD_L2_FIXED),
        provers.inequality(QUAD_L2_FIXED, "<=", QUAD_L3, assumptions=UNIT),
        provers.inequality(QUAD_L0, "<=", QUAD_L3, assumptions=UNIT),
        what="repaired quadratic derivation",
    )
    return Outcome(
        "gap",
        repair,
        counterexample=f"line 2 fails at {format_point(broken.counterexample)}",
        gap="The chain passes through line 2, which is false (sign of the 2xy term), so the "
        "derivation as written does not prove the conclusion; the conclusion itself is true.",
        correction=r"(\alpha x + (1 - \alpha)y)^2 = \alpha x^2 + (1 - \alpha)y^2 - "
        r"\alpha(1 - \alpha)(x - y)^2 \leq \alpha x^2 + (1 - \alpha)y^2",
    )

r"""Slides "Properties of convex functions" (and "(continued)").

A chord between two points of the graph lies above the curve; a local minimum is global;
nonnegative combinations and composition with an affine map preserve convexity; a composition of
convex functions need not be convex (:math:`(x^2 - 1)^2`). Abstract function
values are real symbols (``f_x`` for :math:`f(x)`, ...); a property that holds for every value of
such symbols satisfying the stated premises holds for every function. Vector statements are
reduced to one coordinate when they are sums of identical per-coordinate terms.

Reference:
    S. Boyd, L. Vandenberghe, *Convex Optimization*, 2004, Sec. 3.1 and 3.2 (operations that
    preserve convexity).
"""

from __future__ import annotations

from fractions import Fraction as Fr

import mpmath
import sympy as sp

from verify import provers
from verify.claims import Outcome, UndecidedError, claim, format_point, proved, require
from verify.numeric import NumericCheck, approx_eq

a, b, x, y, u = sp.symbols("alpha b x y u", real=True)
fx, fy, fz, gx, gy, gz, c1, c2 = sp.symbols("f_x f_y f_z g_x g_y g_z a_1 b_1", real=True)
UNIT = (a >= 0, a <= 1)
mpf = mpmath.mpf


@claim(
    "properties.segment-above",
    slide="Properties of convex functions",
    statement=r"\text{Any line segment we draw between two points lies above the curve}",
    assumptions=r"$f$ convex, $x \ne y$, $\alpha \in [0, 1]$; 'above' read as 'on or above' "
    r"(an affine $f$ is convex and its chords lie on the curve)",
    recorded="true",
    numeric=NumericCheck(
        {"alpha": (0, 1), "x": (-5, 5), "y": (-5, 5), "f_x": (-5, 5), "f_y": (-5, 5)},
        lambda p: approx_eq(
            p["f_y"]
            + (p["f_x"] - p["f_y"])
            * (p["alpha"] * p["x"] + (1 - p["alpha"]) * p["y"] - p["y"])
            / (p["x"] - p["y"]),
            p["alpha"] * p["f_x"] + (1 - p["alpha"]) * p["f_y"],
        ),
        where=lambda p: p["x"] != p["y"],
    ),
)
def _segment_above() -> Outcome:
    # The chord through (y, f(y)), (x, f(x)) evaluated at alpha x + (1 - alpha) y is the right-hand
    # side of the definition, so "chord above graph" and the definition are the same inequality.
    z = a * x + (1 - a) * y
    chord = fy + (fx - fy) * (z - y) / (x - y)
    check = provers.identity(chord, a * fx + (1 - a) * fy, assumptions=(sp.Ne(x, y),))
    strict = provers.implies(
        (sp.Eq(fx, x), sp.Eq(fy, y), sp.Eq(fz, z)),
        fz < a * fx + (1 - a) * fy,
        assumptions=(a > 0, a < 1, sp.Ne(x, y)),
    )
    note = (
        ""
        if strict.counterexample is None
        else (
            f"; strictly above fails for affine f(x) = x at {format_point(strict.counterexample)}"
        )
    )
    return Outcome("true", proved(check, what="chord identity") + note)


@claim(
    "properties.local-global",
    slide="Properties of convex functions",
    statement=r"\text{Corollary: every local minimum is a global minimum}",
    assumptions=r"$f$ convex on $\mathbb{R}^d$; $x$ a local minimum; suppose $f(y) < f(x)$",
    recorded="true",
    numeric=NumericCheck(
        {"alpha": (Fr(1, 1000), 1), "f_x": (-5, 5), "f_y": (-5, 5)},
        lambda p: (1 - p["alpha"]) * p["f_x"] + p["alpha"] * p["f_y"] < p["f_x"],
        where=lambda p: p["f_y"] < p["f_x"],
    ),
)
def _local_global() -> Outcome:
    # f(x + alpha (y - x)) <= (1 - alpha) f(x) + alpha f(y) < f(x) for every alpha in (0, 1]:
    # points arbitrarily close to x are strictly better, contradicting local minimality.
    step = provers.implies(
        (fz <= (1 - a) * fx + a * fy, fy < fx), fz < fx, assumptions=(a > 0, a <= 1)
    )
    near = provers.identity((x + a * (y - x)) - x, a * (y - x))
    return Outcome(
        "true",
        "if f(y) < f(x), then f(x + alpha(y - x)) < f(x) for all alpha in (0, 1], and "
        "|alpha (y - x)| -> 0; " + proved(step, near, what="local-to-global step"),
    )


@claim(
    "properties.nonnegative-combination",
    slide="Properties of convex functions (continued)",
    statement=r"\text{Non-negative combinations of convex functions are convex: } h(x) = af(x) + "
    r"bg(x)",
    assumptions=r"$f, g$ convex, $a, b \ge 0$, $\alpha \in [0, 1]$",
    recorded="true",
    numeric=NumericCheck(
        {"alpha": (0, 1), "a": (0, 5), "b": (0, 5), "x": (-5, 5), "y": (-5, 5)},
        # f = x^2, g = e^x as instances.
        lambda p: (
            p["a"] * (p["alpha"] * p["x"] + (1 - p["alpha"]) * p["y"]) ** 2
            + p["b"] * mpmath.exp(p["alpha"] * p["x"] + (1 - p["alpha"]) * p["y"])
            <= p["alpha"] * (p["a"] * p["x"] ** 2 + p["b"] * mpmath.exp(p["x"]))
            + (1 - p["alpha"]) * (p["a"] * p["y"] ** 2 + p["b"] * mpmath.exp(p["y"]))
            + mpf(10) ** -30
        ),
    ),
)
def _nonnegative_combination() -> Outcome:
    hz, hx, hy = c1 * fz + c2 * gz, c1 * fx + c2 * gx, c1 * fy + c2 * gy
    premises = (fz <= a * fx + (1 - a) * fy, gz <= a * gx + (1 - a) * gy)
    check = provers.implies(
        premises, hz <= a * hx + (1 - a) * hy, assumptions=(*UNIT, c1 >= 0, c2 >= 0)
    )
    # Without the sign condition: a = -1, f = x^2 gives h = -x^2, concave.
    neg = -(x**2)
    signs = provers.inequality(
        neg.subs(x, a * x + (1 - a) * y),
        "<=",
        a * neg + (1 - a) * neg.subs(x, y),
        assumptions=(sp.Eq(a, sp.Rational(1, 2)), sp.Eq(x, 1), sp.Eq(y, -1)),
    )
    note = (
        ""
        if signs.counterexample is None
        else (f"; without a, b >= 0 it fails: h = -x^2 at {format_point(signs.counterexample)}")
    )
    return Outcome("true", proved(check, what="non-negative combination") + note)


@claim(
    "properties.affine",
    slide="Properties of convex functions (continued)",
    statement=r"\text{Affine scalings of convex functions are convex: } h(x) = f(Ax + b)",
    assumptions=r"$f$ convex on $\mathbb{R}^m$, $A \in \mathbb{R}^{m \times d}$, $b \in "
    r"\mathbb{R}^m$",
    recorded="true",
    numeric=NumericCheck(
        {"alpha": (0, 1), "A": (-3, 3), "b": (-3, 3), "x": (-3, 3), "y": (-3, 3)},
        lambda p: approx_eq(
            p["A"] * (p["alpha"] * p["x"] + (1 - p["alpha"]) * p["y"]) + p["b"],
            p["alpha"] * (p["A"] * p["x"] + p["b"]) + (1 - p["alpha"]) * (p["A"] * p["y"] + p["b"]),
        ),
    ),
)
def _affine() -> Outcome:
    # Coordinate i of A z + b is sum_j A_ij z_j + b_i; each term commutes with convex combinations,
    # so A(alpha x + (1-alpha) y) + b = alpha (Ax + b) + (1-alpha)(Ay + b) and the definition of
    # convexity of f at the points Ax + b, Ay + b gives that of h.
    aij = sp.Symbol("A_ij", real=True)
    term = provers.identity(aij * (a * x + (1 - a) * y), a * aij * x + (1 - a) * aij * y)
    shift = provers.identity(b, a * b + (1 - a) * b)
    return Outcome("true", "per-coordinate: " + proved(term, shift, what="affine map"))


def _composition_h(v):
    return (v**2 - 1) ** 2


@claim(
    "properties.composition",
    slide="Properties of convex functions (continued)",
    statement=r"\text{Compositions of convex functions are NOT generally convex: } h(x) = f(g(x))",
    assumptions=r"counterexample $f(u) = (u - 1)^2$, $g(x) = x^2$, both convex",
    recorded="true",
    numeric=NumericCheck(
        {"x": (-1, 1)},
        # h(0) > (h(1) + h(-1)) / 2 and h''(0) < 0 with h = (x^2 - 1)^2 (mpmath derivative).
        lambda p: (
            _composition_h(mpf(0)) > (_composition_h(mpf(1)) + _composition_h(mpf(-1))) / 2
            and mpmath.diff(_composition_h, 0, 2) < 0
        ),
    ),
)
def _composition() -> Outcome:
    f, g = (u - 1) ** 2, x**2
    h = f.subs(u, g)
    pieces = (
        provers.derivative(f, u, sp.Integer(2), order=2),
        provers.derivative(g, x, sp.Integer(2), order=2),
        provers.inequality(sp.Integer(2), ">=", sp.Integer(0)),
    )
    # The convexity inequality of h at x = 1, y = -1, alpha = 1/2, stated as "<=", must be refuted.
    mid = h.subs(x, a * x + (1 - a) * y)
    fails = provers.inequality(
        mid,
        "<=",
        a * h + (1 - a) * h.subs(x, y),
        assumptions=(sp.Eq(a, sp.Rational(1, 2)), sp.Eq(x, 1), sp.Eq(y, -1)),
    )
    curvature = provers.derivative(h, x, 12 * x**2 - 4, order=2)
    require(fails, "convexity of the composition at x = 1, y = -1, alpha = 1/2")
    if fails.holds:
        raise UndecidedError("the composition counterexample does not violate convexity")
    return Outcome(
        "true",
        f"f'' = 2 >= 0 and g'' = 2 >= 0 ({proved(*pieces, what='f, g convex')}); h = (x^2 - 1)^2 "
        f"violates the definition at {format_point(fails.counterexample)}: h(0) = 1 > 0 = "
        f"(h(1) + h(-1))/2 ({fails.method}); "
        f"h''(0) = -4 ({proved(curvature, what='h second derivative')})",
    )

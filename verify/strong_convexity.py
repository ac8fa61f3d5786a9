r"""Slides "Strongly Convex Functions", "Which of the functions we've looked at are strongly
convex?" and "Concave functions" (which follows them in the lecture).

:math:`f` is :math:`\mu`-strongly convex (:math:`\mu > 0`) iff :math:`h = f - \frac{\mu}{2}\|x\|^2`
is convex. For twice differentiable :math:`f` on :math:`\mathbb{R}` the best constant is
:math:`\mu^* = \inf_x f''(x)`; :math:`f` is strongly convex iff :math:`\mu^* > 0`.

References:
    Y. Nesterov, *Lectures on Convex Optimization*, 2nd ed., 2018, Def. 2.1.3, Thm. 2.1.10-2.1.11.
    S. Boyd, L. Vandenberghe, *Convex Optimization*, 2004, Sec. 9.1.2.
"""

from __future__ import annotations

import mpmath
import sympy as sp

from verify import provers
from verify.claims import Outcome, UndecidedError, claim, decide, format_point, proved, require
from verify.numeric import NumericCheck, approx_eq

x, y, a, mu, t = sp.symbols("x y alpha mu t", real=True)
gxi, gyi, xi, yi, vi, hv = sp.symbols("g_i h_i x_i y_i v_i Hv_i", real=True)
fx, fy, fz = sp.symbols("f_x f_y f_z", real=True)
UNIT = (a >= 0, a <= 1)
MU = (mu > 0,)
SLIDE = "Strongly Convex Functions"
WHICH = "Which of the functions we've looked at are strongly convex?"
NEEDS = (
    "The {form} form is equivalent to the others only for f {degree}differentiable and mu > 0; "
    "the slide states neither (mu = 0 is plain convexity). Nonsmooth strongly convex functions "
    "such as x^2 + |x| satisfy the h-convex form but have no gradient at 0."
)


def _nonsmooth_example() -> str:
    """x^2 + |x| is 2-strongly convex (h = |x| is convex) with one-sided derivatives -1, 1 at 0."""
    s = sp.Symbol("s", real=True)
    f = x**2 + sp.Abs(x)
    h = provers.identity(f - sp.Integer(2) / 2 * x**2, sp.Abs(x))
    right = sp.limit((f.subs(x, s) - f.subs(x, 0)) / s, s, 0, "+")
    left = sp.limit((f.subs(x, s) - f.subs(x, 0)) / s, s, 0, "-")
    proved(h, what="h of x^2 + |x|")
    return (
        f"f(x) = x^2 + |x|: h = f - x^2 = |x| is convex (abs.proof), so f is 2-strongly convex, "
        f"but its one-sided derivatives at 0 are {left} and {right}"
    )


@claim(
    "strong.first-order",
    slide=SLIDE,
    statement=r"\langle x - y, \nabla f(x) - \nabla f(y) \rangle \geq \mu \|x - y\|^2",
    assumptions=r"equivalent to $h(x) = f(x) - \frac{\mu}{2}\|x\|^2$ convex, with $\mu > 0$",
    recorded="gap",
    numeric=NumericCheck(
        {"x": (-5, 5), "y": (-5, 5)},
        # Instance f = x^2 + x^4/12 (f'' = 2 + x^2 >= 2, mu = 2).
        lambda p: (
            (p["x"] - p["y"]) * ((2 * p["x"] + p["x"] ** 3 / 3) - (2 * p["y"] + p["y"] ** 3 / 3))
            >= 2 * (p["x"] - p["y"]) ** 2 - mpmath.mpf(10) ** -30
        ),
    ),
)
def _first_order() -> Outcome:
    # grad h = grad f - mu x: per coordinate, h's monotonicity gap is f's minus mu (x_i - y_i)^2.
    per_coordinate = provers.identity(
        (xi - yi) * ((gxi - mu * xi) - (gyi - mu * yi)),
        (xi - yi) * (gxi - gyi) - mu * (xi - yi) ** 2,
    )
    method = proved(per_coordinate, what="strong first-order form")
    return Outcome(
        "gap",
        "<x - y, grad h(x) - grad h(y)> = <x - y, grad f(x) - grad f(y)> - mu ||x - y||^2 "
        "(per coordinate), so the form is the first-order condition for h "
        "(conditions.first-order). " + method,
        counterexample=_nonsmooth_example(),
        gap=NEEDS.format(form="first-order", degree=""),
        correction=r"f \text{ differentiable}, \mu > 0: \forall x, y\ \langle x - y, \nabla f(x) - "
        r"\nabla f(y) \rangle \geq \mu \|x - y\|^2 \Leftrightarrow f - \tfrac{\mu}{2}\|\cdot\|^2 "
        r"\text{ convex}",
    )


@claim(
    "strong.second-order",
    slide=SLIDE,
    statement=r"\nabla^2 f(x) \succeq \mu I",
    assumptions=r"equivalent to $h(x) = f(x) - \frac{\mu}{2}\|x\|^2$ convex, with $\mu > 0$",
    recorded="gap",
    numeric=NumericCheck(
        {"x": (-5, 5)},
        lambda p: mpmath.diff(lambda v: v**2 + v**4 / 12, p["x"], 2) >= 2 - mpmath.mpf(10) ** -15,
    ),
)
def _second_order() -> Outcome:
    # Hess h = Hess f - mu I, and <v, (H - mu I) v> = <v, H v> - mu ||v||^2 (per coordinate).
    per_coordinate = provers.identity(vi * (hv - mu * vi), vi * hv - mu * vi**2)
    hess = provers.derivative(mu / 2 * x**2, x, mu, order=2)
    return Outcome(
        "gap",
        "Hess h = Hess f - mu I and <v, (Hess f - mu I) v> = <v, Hess f v> - mu ||v||^2, so the "
        "form "
        "is the second-order condition for h (conditions.second-order). "
        + proved(per_coordinate, hess, what="strong second-order form"),
        counterexample=_nonsmooth_example(),
        gap=NEEDS.format(form="second-order", degree="twice "),
        correction=r"f \text{ twice differentiable}, \mu > 0: \forall x\ \nabla^2 f(x) \succeq "
        r"\mu I "
        r"\Leftrightarrow f - \tfrac{\mu}{2}\|\cdot\|^2 \text{ convex}",
    )


@claim(
    "strong.h-convex",
    slide=SLIDE,
    statement=r"h(x) = f(x) - \frac{\mu}{2} \|x\|^2 \text{ is convex}",
    assumptions=r"$\mu > 0$; checked: equivalent to $f(\alpha x + (1-\alpha) y) \le \alpha f(x) + "
    r"(1-\alpha) f(y) - \frac{\mu}{2}\alpha(1-\alpha)\|x - y\|^2$ (the standard definition)",
    recorded="true",
    numeric=NumericCheck(
        {"alpha": (0, 1), "x": (-5, 5), "y": (-5, 5)},
        lambda p: approx_eq(
            (p["alpha"] * p["x"] + (1 - p["alpha"]) * p["y"]) ** 2
            - p["alpha"] * p["x"] ** 2
            - (1 - p["alpha"]) * p["y"] ** 2,
            -p["alpha"] * (1 - p["alpha"]) * (p["x"] - p["y"]) ** 2,
        ),
    ),
)
def _h_convex() -> Outcome:
    z = a * xi + (1 - a) * yi
    norm_gap = provers.identity(z**2 - a * xi**2 - (1 - a) * yi**2, -a * (1 - a) * (xi - yi) ** 2)
    hz, hx, hy = fz - mu / 2 * z**2, fx - mu / 2 * xi**2, fy - mu / 2 * yi**2
    standard = fz <= a * fx + (1 - a) * fy - mu / 2 * a * (1 - a) * (xi - yi) ** 2
    both = (
        provers.implies((hz <= a * hx + (1 - a) * hy,), standard),
        provers.implies((standard,), hz <= a * hx + (1 - a) * hy),
    )
    return Outcome("true", "per coordinate: " + proved(norm_gap, *both, what="h-convex form"))


# ---------------------------------------------------------------------------- Concave functions
@claim(
    "concave.definition",
    slide="Concave functions",
    statement=r"f \text{ is convex} \Leftrightarrow h(x) = -f(x) \text{ is concave}",
    assumptions=r"concave: $h(\alpha x + (1-\alpha)y) \ge \alpha h(x) + (1-\alpha) h(y)$, $\alpha "
    r"\in [0, 1]$",
    recorded="true",
    numeric=NumericCheck(
        {"f_x": (-5, 5), "f_y": (-5, 5), "f_z": (-5, 5), "alpha": (0, 1)},
        lambda p: (
            (p["f_z"] <= p["alpha"] * p["f_x"] + (1 - p["alpha"]) * p["f_y"])
            == (-p["f_z"] >= p["alpha"] * -p["f_x"] + (1 - p["alpha"]) * -p["f_y"])
        ),
    ),
)
def _concave_definition() -> Outcome:
    convex = fz <= a * fx + (1 - a) * fy
    concave = -fz >= a * (-fx) + (1 - a) * (-fy)
    both = (provers.implies((convex,), concave), provers.implies((concave,), convex))
    return Outcome("true", proved(*both, what="convex <=> negation concave"))

r"""Slide "Convex Functions: Alternative Definitions": first- and second-order conditions, PSD.

For differentiable :math:`f`, convexity is monotonicity of the gradient,
:math:`\langle x - y, \nabla f(x) - \nabla f(y)\rangle \ge 0`; for twice differentiable :math:`f`
on an open convex domain, :math:`\nabla^2 f(x) \succeq 0`; a symmetric :math:`A` is PSD iff
:math:`\langle x, Ax\rangle \ge 0` for all :math:`x`. The slide states the first two without the
differentiability they need (:math:`|x|` is convex with no derivative at 0).
Abstract function values are real symbols (``f_x`` for :math:`f(x)`, ...).

References:
    S. Boyd, L. Vandenberghe, *Convex Optimization*, 2004: Sec. 3.1.3-3.1.4 (first- and
    second-order conditions).
    Y. Nesterov, *Lectures on Convex Optimization*, 2nd ed., 2018, Thm. 2.1.3 (monotone gradient).
"""

from __future__ import annotations

import mpmath
import sympy as sp

from verify import provers
from verify.claims import Outcome, claim, proved
from verify.numeric import NumericCheck

a, x, y, t, s = sp.symbols("alpha x y t s", real=True)
fx, fy, fz = sp.symbols("f_x f_y f_z", real=True)
UNIT = (a >= 0, a <= 1)
mpf = mpmath.mpf

ALT = "Convex Functions: Alternative Definitions"
gxi, gyi, xi, yi = sp.symbols(
    "g_i h_i x_i y_i", real=True
)  # coordinates of grad f(x), grad f(y), x, y
d1, d2, p0, pa, p1 = sp.symbols("D_1 D_2 phi_0 phi_alpha phi_1", real=True)
NONSMOOTH = (
    "f(x) = |x| is convex (Example: Abs) but has no gradient at 0: its one-sided derivatives there "
    "are {right} and {left}"
)


def _abs_kink() -> tuple[sp.Expr, sp.Expr]:
    h = sp.Symbol("h", real=True)
    return sp.limit(sp.Abs(h) / h, h, 0, "+"), sp.limit(sp.Abs(h) / h, h, 0, "-")


def _convex_from_monotone_derivative() -> tuple:
    """phi(alpha) - phi(0) = alpha phi'(xi_1), phi(1) - phi(alpha) = (1 - alpha) phi'(xi_2) with
    xi_1 <= xi_2 (mean value theorem) and phi' nondecreasing give the definition on the segment."""
    mvt = provers.implies(
        (sp.Eq(pa - p0, a * d1), sp.Eq(p1 - pa, (1 - a) * d2), d1 <= d2),
        pa <= a * p1 + (1 - a) * p0,
        assumptions=UNIT,
    )
    segment = provers.identity(y + a * (x - y), a * x + (1 - a) * y)
    return mvt, segment


@claim(
    "conditions.first-order",
    slide=ALT,
    statement=r"\langle x - y, \nabla f(x) - \nabla f(y) \rangle \geq 0",
    assumptions=r"as an alternative definition: $f$ convex $\Leftrightarrow$ the inequality for "
    r"all $x, y$",
    recorded="gap",
    numeric=NumericCheck(
        {"x": (-5, 5), "y": (-5, 5)},
        # Instance f = e^x (convex, differentiable): (x - y)(e^x - e^y) >= 0.
        lambda p: (p["x"] - p["y"]) * (mpmath.exp(p["x"]) - mpmath.exp(p["y"])) >= 0,
    ),
)
def _first_order() -> Outcome:
    right, left = _abs_kink()
    method = proved(
        # convex => f(y) >= f(x) + <grad f(x), y - x>: bound the difference quotient, alpha > 0.
        provers.implies(
            (fz <= (1 - a) * fx + a * fy,), (fz - fx) / a <= fy - fx, assumptions=(a > 0, a <= 1)
        ),
        # adding it to the same inequality with x, y swapped gives monotonicity (per coordinate).
        provers.implies((d1 <= fy - fx, d2 <= fx - fy), d1 + d2 <= 0),
        provers.identity((xi - yi) * (gxi - gyi), -(gxi * (yi - xi) + gyi * (xi - yi))),
        # monotone => phi(t) = f(y + t(x - y)) has nondecreasing phi'(t) = <x - y, grad f(z_t)>.
        provers.identity(
            (xi - yi) * (gxi - gyi),
            ((y + t * (x - y)) - (y + s * (x - y))).subs({x: xi, y: yi}) * (gxi - gyi) / (t - s),
            assumptions=(sp.Ne(t, s),),
        ),
        *_convex_from_monotone_derivative(),
        what="first-order characterisation for differentiable f",
    )
    return Outcome(
        "gap",
        "(=>) difference quotient of the definition, alpha -> 0, then add the swapped inequality; "
        "(<=) phi' nondecreasing along segments and the mean value theorem. " + method,
        counterexample=NONSMOOTH.format(right=right, left=left),
        gap="The equivalence with the definition needs f differentiable on an open convex domain, "
        "which the slide does not state; for nonsmooth convex f (e.g. |x|) the condition must be "
        "stated with subgradients.",
        correction=r"f \text{ differentiable on } \mathbb{R}^d: f \text{ convex} \Leftrightarrow "
        r"\forall x, y,\ \langle x - y, \nabla f(x) - \nabla f(y) \rangle \geq 0",
    )


@claim(
    "conditions.second-order",
    slide=ALT,
    statement=r"\nabla^2 f(x) \succeq 0",
    assumptions=r"as an alternative definition: $f$ convex $\Leftrightarrow \nabla^2 f(x) \succeq "
    r"0$ for all $x$",
    recorded="gap",
    numeric=NumericCheck(
        {"x": (-5, 5)},
        # Instance f = log(1 + e^x): second derivative by mpmath's numerical differentiation.
        lambda p: mpmath.diff(lambda v: mpmath.log(1 + mpmath.exp(v)), p["x"], 2) >= 0,
    ),
)
def _second_order() -> Outcome:
    y1, y2, v1, v2, c, e = sp.symbols("y_1 y_2 v_1 v_2 c e", real=True)
    f = sp.Function("f")
    phi = f(y1 + t * v1, y2 + t * v2)
    hessian = sp.hessian(f(c, e), (c, e)).subs({c: y1 + t * v1, e: y2 + t * v2})
    v = sp.Matrix([v1, v2])
    dphi, ddphi = sp.symbols("dphi ddphi", real=True)
    right, left = _abs_kink()
    method = proved(
        # phi''(t) = v^T Hess f(y + t v) v (chain rule, generic C^2 f, d = 2).
        provers.identity(sp.diff(phi, t, 2), (v.T * hessian * v)[0]),
        # phi'' >= 0 => phi' nondecreasing (mean value theorem); conversely (difference quotient).
        provers.implies(
            (sp.Eq(dphi, ddphi * (t - s)), ddphi >= 0), dphi >= 0, assumptions=(t > s,)
        ),
        provers.implies((dphi >= 0,), dphi / (t - s) >= 0, assumptions=(t > s,)),
        *_convex_from_monotone_derivative(),
        what="second-order characterisation for twice differentiable f",
    )
    return Outcome(
        "gap",
        "restriction phi(t) = f(y + t v): phi'' = v^T Hess f v, phi'' >= 0 <=> phi' nondecreasing "
        "<=> phi convex (first-order case). " + method,
        counterexample=NONSMOOTH.format(right=right, left=left) + ", so no Hessian at 0",
        gap="The equivalence needs f twice differentiable on an open convex domain, which the "
        "slide does not state (|x| is convex with no second derivative at 0).",
        correction=r"f \text{ twice differentiable on } \mathbb{R}^d: f \text{ convex} "
        r"\Leftrightarrow "
        r"\forall x,\ \nabla^2 f(x) \succeq 0",
    )


@claim(
    "conditions.psd",
    slide=ALT,
    statement=r"A \succeq 0 \Leftrightarrow \forall x, \langle x, Ax \rangle \geq 0",
    assumptions=r"$A$ symmetric (as a Hessian of a $C^2$ function is); checked against the "
    r"eigenvalue "
    r"characterisation for $A = \begin{pmatrix} p & q \\ q & r \end{pmatrix}$",
    recorded="true",
    numeric=NumericCheck(
        {"p": (0, 5), "q": (-5, 5), "r": (0, 5), "x": (-5, 5), "y": (-5, 5)},
        lambda p: (
            p["p"] * p["x"] ** 2 + 2 * p["q"] * p["x"] * p["y"] + p["r"] * p["y"] ** 2
            >= -(mpf(10) ** -30)
        ),
        where=lambda p: p["p"] * p["r"] >= p["q"] ** 2,
    ),
)
def _psd() -> Outcome:
    pp, qq, rr, l1, l2 = sp.symbols("p q r lambda_1 lambda_2", real=True)
    quad = lambda v1, v2: pp * v1**2 + 2 * qq * v1 * v2 + rr * v2**2  # noqa: E731
    lam = list(sp.Matrix([[pp, qq], [qq, rr]]).eigenvals(multiple=True))
    det = pp * rr - qq**2
    method = proved(
        provers.identity(lam[0] * lam[1], det),
        provers.identity(lam[0] + lam[1], pp + rr),
        # eigenvalues >= 0 <=> trace >= 0 and det >= 0
        provers.implies((l1 * l2 >= 0, l1 + l2 >= 0), sp.And(l1 >= 0, l2 >= 0)),
        # <= : trace, det >= 0 => the quadratic form is >= 0 everywhere
        provers.implies((pp + rr >= 0, det >= 0), quad(x, y) >= 0),
        # => : the form at e_1, e_2, (q, -p), (-r, q), (1, -1), (1, 1) forces p, r >= 0, det >= 0
        provers.implies(
            tuple(quad(*v) >= 0 for v in ((1, 0), (0, 1), (qq, -pp), (-rr, qq), (1, -1), (1, 1))),
            sp.And(pp >= 0, rr >= 0, det >= 0),
        ),
        what="PSD characterisation",
    )
    v = sp.Matrix([x, y])
    rotation = provers.identity((v.T * sp.Matrix([[0, 1], [-1, 0]]) * v)[0], sp.Integer(0))
    return Outcome(
        "true",
        "for symmetric A the quadratic-form condition is equivalent to nonnegative eigenvalues; "
        + method
        + "; (for non-symmetric A only (A + A^T)/2 is seen: [[0, 1], [-1, 0]] has "
        "<x, Ax> = 0, " + rotation.method + ")",
    )

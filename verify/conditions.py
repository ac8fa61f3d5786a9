r"""Slides "Properties of convex functions" (and "(continued)") and "Convex Functions: Alternative
Definitions".

Abstract function values are real symbols (``f_x`` for :math:`f(x)`, ...); a property that holds
for every value of such symbols satisfying the stated premises holds for every function. Vector
statements are reduced to one coordinate when they are sums of identical per-coordinate terms.

References:
    S. Boyd, L. Vandenberghe, *Convex Optimization*, 2004: Sec. 3.1.3-3.1.4 (first- and
    second-order conditions), Sec. 3.2 (operations that preserve convexity).
    Y. Nesterov, *Lectures on Convex Optimization*, 2nd ed., 2018, Thm. 2.1.3 (monotone gradient).
"""

from __future__ import annotations

from fractions import Fraction as Fr

import mpmath
import sympy as sp

from verify import provers
from verify.claims import Outcome, UndecidedError, claim, format_point, proved, require
from verify.numeric import NumericCheck, approx_eq

a, b, x, y, t, s, u = sp.symbols("alpha b x y t s u", real=True)
fx, fy, fz, gx, gy, gz, c1, c2 = sp.symbols("f_x f_y f_z g_x g_y g_z a_1 b_1", real=True)
UNIT = (a >= 0, a <= 1)
mpf = mpmath.mpf


# ----------------------------------------------------------------------------------- Properties
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


# ---------------------------------------------------------------------- Alternative Definitions
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

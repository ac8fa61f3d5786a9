r"""Claims of the slide "Gradient Descent Converges (continued)": the contraction chain.

Line by line, :math:`w_{t+1} - w^* = w_t - w^* - \alpha(\nabla f(w_t) - \nabla f(w^*))
= (I - \alpha\nabla^2 f(\zeta_t))(w_t - w^*)`, then
:math:`\|w_{t+1} - w^*\| \le \|I - \alpha H\|_2\,\|w_t - w^*\|` and
:math:`\|I - \alpha H\|_2 \le \max(|1 - \alpha\mu|, |1 - \alpha L|)` for
:math:`\mu I \preceq H \preceq L I` (per eigenvalue,
:func:`verify.gradient_descent.eigenvalue_bound`).
The mean value step fails for :math:`d \ge 2` and is repaired by the averaged Hessian
(:mod:`verify.averaged_hessian`).

References:
    Y. Nesterov, *Lectures on Convex Optimization*, 2nd ed., Springer 2018, Thm. 2.1.15.
    R. A. Horn, C. R. Johnson, *Matrix Analysis*, 2nd ed., Cambridge 2013, 5.6 (operator norm).
"""

from __future__ import annotations

import mpmath
import sympy as sp

from verify import provers
from verify.averaged_hessian import MVT_METHOD, averaged_hessian_checks, mean_value_counterexample
from verify.claims import Outcome, claim, decide, proved
from verify.gradient_descent import (
    SLIDE_CONT,
    STRONG,
    L,
    alpha,
    lam,
    max_facts,
    mu,
    rotated_spd,
)
from verify.numeric import NumericCheck, approx_eq, approx_le

__all__: list[str] = []

_R = sp.Rational
_GL = "gauss-legendre"  # the quadratures below integrate polynomials: exact up to rounding


def _quadratic_sides(p):
    """w_{t+1} - w^* for f = w^T A w / 2 - b^T w, computed two ways with mpmath matrices."""
    A = mpmath.matrix([[p["a"], p["c"]], [p["c"], p["d"]]])
    b = mpmath.matrix([p["b1"], p["b2"]])
    w = mpmath.matrix([p["w1"], p["w2"]])
    star = mpmath.lu_solve(A, b)
    step = w - p["alpha"] * (A * w - b) - star
    return A, w, star, step


_QUAD_VARS = {
    "a": (2, 5),
    "c": (-1, 1),
    "d": (2, 5),
    "b1": (-3, 3),
    "b2": (-3, 3),
    "w1": (-3, 3),
    "w2": (-3, 3),
    "alpha": (0, 1),
}


@claim(
    "gd.line1",
    slide=SLIDE_CONT,
    statement=r"w_{t+1} - w^* = w_t - w^* - \alpha (\nabla f(w_t) - \nabla f(w^*))",
    assumptions=r"w_{t+1} = w_t - \alpha \nabla f(w_t), \nabla f(w^*) = 0; checked per coordinate",
    recorded="true",
    numeric=NumericCheck(
        variables=_QUAD_VARS,
        predicate=lambda p: all(
            approx_eq(x, y)
            for x, y in zip(
                _quadratic_sides(p)[3],
                (lambda A, w, s, _: w - s - p["alpha"] * (A * w - A * s))(*_quadratic_sides(p)),
                strict=True,
            )
        ),
    ),
)
def _line1() -> Outcome:
    w, ws, g, gs = sp.symbols("w w_star g g_star", real=True)
    check = provers.identity(
        (w - alpha * g) - ws, w - ws - alpha * (g - gs), assumptions=[sp.Eq(gs, 0)]
    )
    return decide(check, what="GD line 1")


def _phi1(u):
    return u + u**3 / 3  # phi'(u) on |u| <= 1


def _psi1(u):
    return u + u**5 / 5  # psi'(u) on |u| <= 1


@claim(
    "gd.line2",
    slide=SLIDE_CONT,
    statement=r"= w_t - w^* - \alpha \nabla^2 f(\zeta_t) (w_t - w^*)",
    assumptions=r"\zeta_t on the segment [w^*, w_t] (mean value theorem), d \ge 2, "
    r"\mu I \preceq \nabla^2 f \preceq L I",
    recorded="gap",
    numeric=NumericCheck(
        variables={"w1": (-1, 1), "w2": (-1, 1)},
        # Repaired form on the counterexample: grad f(w) - grad f(0) = Hbar w, Hbar by quadrature.
        predicate=lambda p: (
            approx_eq(
                _phi1(p["w1"]),
                p["w1"] * mpmath.quad(lambda s: 1 + min((s * p["w1"]) ** 2, 1), [0, 1], method=_GL),
            )
            and approx_eq(
                _psi1(p["w2"]),
                p["w2"] * mpmath.quad(lambda s: 1 + min((s * p["w2"]) ** 4, 1), [0, 1], method=_GL),
            )
        ),
    ),
)
def _line2() -> Outcome:
    fails, text = mean_value_counterexample()
    method = MVT_METHOD + proved(*fails, *averaged_hessian_checks(), what="averaged Hessian")
    return Outcome(
        "gap",
        method,
        counterexample=text,
        correction=r"\nabla f(w_t) - \nabla f(w^*) = \bar H_t (w_t - w^*),\ "
        r"\bar H_t = \int_0^1 \nabla^2 f(w^* + s(w_t - w^*))\,ds,\ "
        r"\mu I \preceq \bar H_t \preceq L I",
        gap="The mean value theorem holds for real-valued functions, not for grad f: R^d -> R^d "
        "(d >= 2); no single zeta_t need exist. The rest of the proof only needs a symmetric "
        "matrix between mu I and L I, which the averaged Hessian supplies",
    )


def _sym(p):
    return mpmath.matrix([[p["a"], p["c"]], [p["c"], p["d"]]])


def _opnorm(A):
    eigenvalues, _ = mpmath.eigsy(A)
    return max(abs(e) for e in eigenvalues)


_SYM_VARS = {
    "a": (-5, 5),
    "c": (-5, 5),
    "d": (-5, 5),
    "v1": (-3, 3),
    "v2": (-3, 3),
    "alpha": (-2, 2),
}


@claim(
    "gd.line3",
    slide=SLIDE_CONT,
    statement=r"= (I - \alpha \nabla^2 f(\zeta_t)) (w_t - w^*)",
    assumptions=r"any d \times d matrix H = \nabla^2 f(\zeta_t) and vector v = w_t - w^*",
    recorded="true",
    numeric=NumericCheck(
        variables=_SYM_VARS,
        predicate=lambda p: all(
            approx_eq(x, y)
            for x, y in zip(
                (mpmath.eye(2) - p["alpha"] * _sym(p)) * mpmath.matrix([p["v1"], p["v2"]]),
                mpmath.matrix([p["v1"], p["v2"]])
                - p["alpha"] * _sym(p) * mpmath.matrix([p["v1"], p["v2"]]),
                strict=True,
            )
        ),
    ),
)
def _line3() -> Outcome:
    n = sp.Symbol("n", integer=True, positive=True)
    H, v = sp.MatrixSymbol("H", n, n), sp.MatrixSymbol("v", n, 1)
    # provers.identity takes scalars; distributivity of matrix products is checked on the
    # symbolic-dimension expressions directly.
    residual = sp.simplify(((sp.Identity(n) - alpha * H) * v).expand() - (v - alpha * H * v))
    check = provers.Check(
        residual == sp.ZeroMatrix(n, 1) or residual == 0,
        "expand((I - alpha H) v) - (v - alpha H v) == 0 for symbolic n x n H",
        detail=f"residual {residual}",
    )
    return Outcome("true", proved(check, what="GD line 3"))


@claim(
    "gd.norm-product",
    slide=SLIDE_CONT,
    statement=r"\|w_{t+1} - w^*\| \leq \|I - \alpha \nabla^2 f(\zeta_t)\|_2 \cdot \|w_t - w^*\|",
    assumptions=r"I - \alpha H symmetric (H a Hessian); \|\cdot\|_2 the spectral norm",
    recorded="true",
    numeric=NumericCheck(
        variables=_SYM_VARS,
        predicate=lambda p: approx_le(
            mpmath.norm((mpmath.eye(2) - p["alpha"] * _sym(p)) * mpmath.matrix([p["v1"], p["v2"]])),
            _opnorm(mpmath.eye(2) - p["alpha"] * _sym(p))
            * mpmath.norm(mpmath.matrix([p["v1"], p["v2"]])),
        ),
    ),
)
def _norm_product() -> Outcome:
    a, c, rho = sp.symbols("a c rho", real=True)
    # Eigen-coordinates: ||A v||^2 = sum a_k^2 c_k^2 <= rho^2 sum c_k^2 with rho = max |a_k|.
    per_coordinate = provers.implies([a**2 <= rho**2], a**2 * c**2 <= rho**2 * c**2)
    # Cross-check on the general symmetric 2x2 [[p, q], [q, s]] with its exact eigenvalues.
    P, Q, S, v1, v2, r, top = sp.symbols("P Q S v1 v2 r top", real=True)
    hi, lo = (P + S + r) / 2, (P + S - r) / 2
    general = provers.implies(
        [r >= 0, sp.Eq(r**2, (P - S) ** 2 + 4 * Q**2), *max_facts(top, hi**2, lo**2)],
        (P * v1 + Q * v2) ** 2 + (Q * v1 + S * v2) ** 2 <= top * (v1**2 + v2**2),
    )
    return Outcome("true", proved(per_coordinate, general, what="operator-norm bound"))


@claim(
    "gd.norm-bound",
    slide=SLIDE_CONT,
    statement=r"\leq \max(|1 - \alpha\mu|, |1 - \alpha L|) \cdot \|w_t - w^*\|",
    assumptions=r"H symmetric, \mu I \preceq H \preceq L I, 0 < \mu \le L, \alpha real",
    recorded="true",
    numeric=NumericCheck(
        variables={
            "mu": (_R(1, 10), 5),
            "dL": (0, 5),
            "t1": (0, 1),
            "t2": (0, 1),
            "theta": (0, 4),
            "alpha": (-1, 3),
        },
        predicate=lambda p: approx_le(
            _opnorm(mpmath.eye(2) - p["alpha"] * rotated_spd(p)),
            max(abs(1 - p["alpha"] * p["mu"]), abs(1 - p["alpha"] * (p["mu"] + p["dL"]))),
        ),
    ),
)
def _norm_bound() -> Outcome:
    bound = sp.Symbol("bound", real=True)
    facts = max_facts(bound, sp.Abs(1 - alpha * mu), sp.Abs(1 - alpha * L))
    check = provers.implies(
        [lam >= mu, lam <= L, *facts], sp.Abs(1 - alpha * lam) <= bound, assumptions=STRONG
    )
    return decide(check, what="eigenvalue bound of I - alpha H")

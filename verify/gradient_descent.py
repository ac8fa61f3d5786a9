r"""Claims of the slides "Gradient Descent" and "Gradient Descent Converges" (and its continuation).

The convergence proof is judged line by line. Matrix statements are reduced to scalars by the
spectral theorem: a symmetric :math:`H` with :math:`\mu I \preceq H \preceq L I` has an orthonormal
eigenbasis with eigenvalues :math:`\lambda_k \in [\mu, L]`, and :math:`p(H)` acts on the
:math:`k`-th coordinate as multiplication by :math:`p(\lambda_k)`; an inequality that holds for
every coordinate and every :math:`\lambda \in [\mu, L]` holds for the sum of squares, i.e. in norm.

The one step that fails as written is the vector mean value theorem. The repair used here and in
:mod:`verify.sgd` is the averaged Hessian

.. math:: \bar H_t = \int_0^1 \nabla^2 f(w^* + s(w_t - w^*))\,ds,\qquad
          \nabla f(w_t) - \nabla f(w^*) = \bar H_t (w_t - w^*),\qquad
          \mu I \preceq \bar H_t \preceq L I,

(fundamental theorem of calculus along the segment; an average of matrices in the convex set
:math:`[\mu I, L I]` stays in it).

References:
    Y. Nesterov, *Lectures on Convex Optimization*, 2nd ed., Springer 2018, Thm. 2.1.15 and
    Sec. 1.2.3 (step 2/(L+mu), rate (L-mu)/(L+mu)).
    C. De Sa, CS6787 Lecture 1, Cornell (the slides).
"""

from __future__ import annotations

import functools
import itertools

import mpmath
import sympy as sp

from verify import provers
from verify.claims import Outcome, claim, decide, proved
from verify.numeric import NumericCheck, approx_eq, approx_le

__all__ = ["MVT_METHOD", "averaged_hessian_checks", "eigenvalue_bound", "mean_value_counterexample"]

mu, L, alpha, lam, m = sp.symbols("mu L alpha lambda m", real=True)
_STRONG = (mu > 0, L >= mu)
SLIDE_GD = "Gradient Descent"
SLIDE_CONV = "Gradient Descent Converges"
SLIDE_CONT = "Gradient Descent Converges (continued)"
_R = sp.Rational
_GL = "gauss-legendre"  # the quadratures below integrate polynomials: exact up to rounding


def _max_facts(value, *candidates):
    """``value == max(candidates)`` as relationals (z3 has no Max)."""
    return [*(value >= c for c in candidates), sp.Or(*(sp.Eq(value, c) for c in candidates))]


@functools.cache
def mean_value_counterexample() -> tuple[tuple[provers.Check, ...], str]:
    r"""No :math:`\zeta` on the segment satisfies the vector mean value formula.

    :math:`f(w) = \phi(w_1) + \psi(w_2)` with :math:`\phi'' = 1 + \min(u^2, 1)`,
    :math:`\psi'' = 1 + \min(u^4, 1)`, :math:`\phi'(0) = \psi'(0) = 0` (so :math:`w^* = 0`,
    :math:`\mu = 1`, :math:`L = 2`, :math:`f \in C^2`), :math:`w_t = (1, 1)`. On the segment
    :math:`\zeta = s(1, 1)`, :math:`0 \le s \le 1`, the formula needs
    :math:`1 + s^2 = \phi'(1) = 4/3` and :math:`1 + s^4 = \psi'(1) = 6/5` at once:
    :math:`s^2 = 1/3` forces :math:`s^4 = 1/9 \ne 1/5`.
    """
    u, s = sp.symbols("u s", real=True)
    inner = (u >= -1, u <= 1)
    checks = (
        provers.inequality(1 + u**2, "<=", 2, assumptions=inner),  # mu = 1, L = 2 on |u| <= 1,
        provers.inequality(1 + u**4, "<=", 2, assumptions=inner),  # and the clip is 2 outside
        provers.identity(sp.integrate(1 + u**2, (u, 0, 1)), _R(4, 3)),
        provers.identity(sp.integrate(1 + u**4, (u, 0, 1)), _R(6, 5)),
        provers.implies([s >= 0, s <= 1, sp.Eq(1 + s**2, _R(4, 3))], sp.Ne(1 + s**4, _R(6, 5))),
    )
    text = (
        "f(w) = phi(w1) + psi(w2), phi'' = 1 + min(u^2, 1), psi'' = 1 + min(u^4, 1), "
        "phi'(0) = psi'(0) = 0 (mu = 1, L = 2, w* = 0), w_t = (1, 1): grad f(w_t) = (4/3, 6/5) "
        "needs Hessian diag(1 + s^2, 1 + s^4) at zeta = s(1, 1) with s^2 = 1/3 and s^4 = 1/5 "
        "at once"
    )
    return checks, text


MVT_METHOD = (
    "counterexample: Hessian bounds, gradient integrals and 'no common s on the segment' proved; "
    "repair: averaged-Hessian identity exact for the general bivariate quartic: "
)


@functools.cache
def averaged_hessian_checks() -> tuple[provers.Check, ...]:
    r"""Exact checks of :math:`\nabla f(p + v) - \nabla f(p) = \bar H v` and of its bounds.

    For the general quartic in two variables (15 symbolic coefficients) the averaged Hessian is
    integrated exactly and the identity reduces to 0; for the counterexample of
    :func:`mean_value_counterexample`, :math:`\bar H = \operatorname{diag}(4/3, 6/5)` lies in
    :math:`[1, 2]`.
    """
    x, y, s = sp.symbols("x y s", real=True)
    p, v = sp.symbols("p1 p2", real=True), sp.symbols("v1 v2", real=True)
    f = sum(
        sp.Symbol(f"c{i}{j}") * x**i * y**j
        for i, j in itertools.product(range(5), repeat=2)
        if i + j <= 4
    )
    grad = sp.Matrix([f.diff(x), f.diff(y)])
    seg = {x: p[0] + s * v[0], y: p[1] + s * v[1]}
    hbar = (
        sp.hessian(f, (x, y)).subs(seg).applyfunc(lambda e: sp.integrate(sp.expand(e), (s, 0, 1)))
    )
    jump = grad.subs({x: p[0] + v[0], y: p[1] + v[1]}) - grad.subs({x: p[0], y: p[1]})
    residual = jump - hbar * sp.Matrix(v)
    checks = [provers.identity(residual[k], 0) for k in range(2)]
    checks += [provers.inequality(_R(1), "<=", h) for h in (_R(4, 3), _R(6, 5))]
    checks += [provers.inequality(h, "<=", _R(2)) for h in (_R(4, 3), _R(6, 5))]
    return tuple(checks)


def eigenvalue_bound(bound, *, step=alpha) -> provers.Check:
    r"""Every eigenvalue :math:`1 - \mathrm{step}\,\lambda`, :math:`\lambda \in [\mu, L]`, of
    :math:`I - \mathrm{step}\,H` has modulus at most ``bound`` (SymPy, in mu, L, alpha)."""
    return provers.implies(
        [lam >= mu, lam <= L], sp.Abs(1 - step * lam) <= bound, assumptions=_STRONG
    )


# ----------------------------------------------------------------------------- Gradient Descent
@claim(
    "gd.update-fixed-points",
    slide=SLIDE_GD,
    statement=r"w \leftarrow w - \alpha \nabla f(w)",
    assumptions=r"f differentiable, \alpha \ne 0; judged: w is left unchanged iff \nabla f(w) = 0",
    recorded="true",
    numeric=NumericCheck(
        variables={
            "a": (_R(1, 10), 10),
            "c": (-5, 5),
            "d": (_R(1, 10), 5),
            "alpha": (_R(1, 100), 2),
        },
        # f(w) = a (w - c)^2 / 2 + (w - c)^4: the minimiser c stays, a point c + d moves.
        predicate=lambda p: (
            approx_eq(
                p["c"]
                - p["alpha"]
                * mpmath.diff(lambda w: p["a"] * (w - p["c"]) ** 2 / 2 + (w - p["c"]) ** 4, p["c"]),
                p["c"],
            )
            and not approx_eq(
                p["c"]
                + p["d"]
                - p["alpha"]
                * mpmath.diff(
                    lambda w: p["a"] * (w - p["c"]) ** 2 / 2 + (w - p["c"]) ** 4, p["c"] + p["d"]
                ),
                p["c"] + p["d"],
            )
        ),
    ),
)
def _update_fixed_points() -> Outcome:
    w, w_new, g = sp.symbols("w w_new g", real=True)  # one coordinate of w and of grad f(w)
    step = sp.Eq(w_new, w - alpha * g)
    checks = (
        provers.implies([step, sp.Eq(w_new, w)], sp.Eq(g, 0), assumptions=[sp.Ne(alpha, 0)]),
        provers.implies([step, sp.Eq(g, 0)], sp.Eq(w_new, w)),
    )
    return Outcome("true", proved(*checks, what="fixed points of the update"))


# ----------------------------------------------------------------------------- assumptions
@claim(
    "gd.optimum",
    slide=SLIDE_CONV,
    statement=r"\text{Global optimum is } x^*;\ \mu I \preceq \nabla^2 f(x) \preceq L I",
    assumptions=r"f \in C^2(\mathbb{R}^d); the proof below uses w^* with \nabla f(w^*) = 0",
    recorded="gap",
    numeric=NumericCheck(
        variables={"x": (-30, 30)},
        # log(1 + e^x): 0 <= f'' <= 1/4 (mu = 0) yet f' > 0, so no minimiser exists.
        predicate=lambda p: (
            mpmath.diff(lambda t: mpmath.log(1 + mpmath.exp(t)), p["x"]) > 0
            and 0
            <= mpmath.diff(lambda t: mpmath.log(1 + mpmath.exp(t)), p["x"], 2)
            <= mpmath.mpf(1) / 4
        ),
    ),
)
def _optimum() -> Outcome:
    x, E = sp.symbols("x E", real=True)
    f = sp.log(1 + sp.exp(x))
    d1, d2 = (sp.diff(f, x, k).subs(sp.exp(x), E) for k in (1, 2))
    no_minimiser = (  # E stands for e^x > 0
        provers.inequality(d1, ">", 0, assumptions=[E > 0]),
        provers.inequality(d2, ">=", 0, assumptions=[E > 0]),
        provers.inequality(d2, "<=", _R(1, 4), assumptions=[E > 0]),
    )
    G, r, sq = sp.symbols("G r sq", real=True)
    repaired = (
        # Strong convexity: f(w) >= f(0) - G r + mu r^2 / 2 > f(0) once r = ||w|| > 2G/mu, with
        # G = ||grad f(0)||; so a minimiser exists in the closed ball of radius 2G/mu.
        provers.implies([G >= 0, r > 2 * G / mu], -G * r + mu * r**2 / 2 > 0, assumptions=[mu > 0]),
        # Two stationary points x, y: 0 = <x - y, grad f(x) - grad f(y)> >= mu ||x - y||^2 = mu sq.
        provers.implies([sq >= 0, 0 >= mu * sq], sp.Eq(sq, 0), assumptions=[mu > 0]),
    )
    return Outcome(
        "gap",
        "logistic loss with E = e^x: f' > 0 and 0 <= f'' <= 1/4; repair: coercivity and "
        "uniqueness under mu > 0: "
        + proved(*no_minimiser, *repaired, what="existence and uniqueness of the optimum"),
        counterexample="mu = 0, L = 1/4: f(x) = log(1 + e^x) has 0 <= f'' <= 1/4 and f' > 0, "
        "so it has no global optimum",
        correction=r"If 0 < \mu \le L, f has exactly one global minimiser w^* (the slide's x^*), "
        r"and \nabla f(w^*) = 0",
        gap="The slide names the optimum x^* but the proof uses w^*, and it never states mu > 0: "
        "with mu = 0 the optimum need not exist, and existence, uniqueness and grad f(w*) = 0 are "
        "used without proof",
    )


# ----------------------------------------------------------------------------- the chain
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
        [r >= 0, sp.Eq(r**2, (P - S) ** 2 + 4 * Q**2), *_max_facts(top, hi**2, lo**2)],
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
    facts = _max_facts(bound, sp.Abs(1 - alpha * mu), sp.Abs(1 - alpha * L))
    check = provers.implies(
        [lam >= mu, lam <= L, *facts], sp.Abs(1 - alpha * lam) <= bound, assumptions=_STRONG
    )
    return decide(check, what="eigenvalue bound of I - alpha H")


def rotated_spd(p):
    """R diag(l1, l2) R^T with l_k = mu + t_k (L - mu): a symmetric H with mu I <= H <= L I."""
    cos, sin = mpmath.cos(p["theta"]), mpmath.sin(p["theta"])
    R = mpmath.matrix([[cos, -sin], [sin, cos]])
    lams = [p["mu"] + p[k] * p["dL"] for k in ("t1", "t2")]
    return R * mpmath.diag(lams) * R.T


_RHO = (L - mu) / (L + mu)
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
    checks = [provers.identity(sp.Abs(1 - step * x), _RHO, assumptions=_STRONG) for x in (mu, L)]
    checks.append(eigenvalue_bound(_RHO, step=step))
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
    facts = _max_facts(bound, sp.Abs(1 - alpha * mu), sp.Abs(1 - alpha * L))
    lower = provers.implies(facts, bound >= _RHO, assumptions=_STRONG)
    unique = provers.implies(
        [*facts, sp.Eq(bound, _RHO), mu < L], sp.Eq(alpha, 2 / (L + mu)), assumptions=_STRONG
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
    nonneg = provers.inequality(_RHO, ">=", 0, assumptions=_STRONG)
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
        provers.inequality(_RHO, "<", 1, assumptions=_STRONG),
        provers.inequality(_RHO, ">=", 0, assumptions=_STRONG),
        # mu = 0 is excluded for a reason: the factor is then exactly 1.
        provers.identity(_RHO.subs(mu, 0), sp.Integer(1), assumptions=[L > 0]),
    )
    return Outcome("true", proved(*checks, what="linear rate"))

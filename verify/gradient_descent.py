r"""Claims of the slides "Gradient Descent" and "Gradient Descent Converges": update and setting.

Gradient descent :math:`w_{t+1} = w_t - \alpha\nabla f(w_t)` has exactly the stationary points of
:math:`f` as fixed points (:math:`\alpha \ne 0`); the convergence slides assume a unique optimum
:math:`w^*` with :math:`\nabla f(w^*) = 0` and :math:`\mu I \preceq \nabla^2 f \preceq L I`,
:math:`0 < \mu \le L`. The proof itself is judged in :mod:`verify.gd_contraction` (the chain of
equalities and norm bounds) and :mod:`verify.gd_rate` (step size :math:`2/(L + \mu)` and the
linear rate :math:`(L - \mu)/(L + \mu)`).

Matrix statements are reduced to scalars by the spectral theorem: a symmetric :math:`H` with
:math:`\mu I \preceq H \preceq L I` has an orthonormal eigenbasis with eigenvalues
:math:`\lambda_k \in [\mu, L]`, and :math:`p(H)` acts on the :math:`k`-th coordinate as
multiplication by :math:`p(\lambda_k)`; an inequality that holds for every coordinate and every
:math:`\lambda \in [\mu, L]` holds for the sum of squares, i.e. in norm
(:func:`eigenvalue_bound`).

References:
    Y. Nesterov, *Lectures on Convex Optimization*, 2nd ed., Springer 2018, Thm. 2.1.15 and
    Sec. 1.2.3 (step 2/(L+mu), rate (L-mu)/(L+mu)).
    C. De Sa, CS6787 Lecture 1, Cornell (the slides).
"""

from __future__ import annotations

import mpmath
import sympy as sp

from verify import provers
from verify.claims import Outcome, claim, proved
from verify.numeric import NumericCheck, approx_eq

__all__ = ["STRONG", "eigenvalue_bound", "max_facts", "rotated_spd"]

mu, L, alpha, lam, m = sp.symbols("mu L alpha lambda m", real=True)
STRONG = (mu > 0, L >= mu)
SLIDE_GD = "Gradient Descent"
SLIDE_CONV = "Gradient Descent Converges"
SLIDE_CONT = "Gradient Descent Converges (continued)"
_R = sp.Rational


def max_facts(value, *candidates):
    """``value == max(candidates)`` as relationals (z3 has no Max)."""
    return [*(value >= c for c in candidates), sp.Or(*(sp.Eq(value, c) for c in candidates))]


def eigenvalue_bound(bound, *, step=alpha) -> provers.Check:
    r"""Every eigenvalue :math:`1 - \mathrm{step}\,\lambda`, :math:`\lambda \in [\mu, L]`, of
    :math:`I - \mathrm{step}\,H` has modulus at most ``bound`` (SymPy, in mu, L, alpha)."""
    return provers.implies(
        [lam >= mu, lam <= L], sp.Abs(1 - step * lam) <= bound, assumptions=STRONG
    )


def rotated_spd(p):
    """R diag(l1, l2) R^T with l_k = mu + t_k (L - mu): a symmetric H with mu I <= H <= L I."""
    cos, sin = mpmath.cos(p["theta"]), mpmath.sin(p["theta"])
    R = mpmath.matrix([[cos, -sin], [sin, cos]])
    lams = [p["mu"] + p[k] * p["dL"] for k in ("t1", "t2")]
    return R * mpmath.diag(lams) * R.T


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

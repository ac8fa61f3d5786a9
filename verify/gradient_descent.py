r"""Claim of the slide "Gradient Descent Converges": the global optimum the proof relies on.

"Global optimum is x^*" with :math:`\mu I \preceq \nabla^2 f \preceq L I` is an existence
statement about every such f: the grammar has no existential quantifier and the typed encoding
no function values, so it is judged here by hand (``parsed: false``). With :math:`\mu = 0` a
minimiser need not exist (:math:`\log(1 + e^x)`); with :math:`\mu > 0` strong convexity gives
exactly one, where the gradient vanishes. The other claims of these slides are read from the
lecture data (``claims/gradient_descent.toml``, ``claims/gd_rate.toml``). The symbols below are
shared with the hand-written checks of the SGD slides.

References:
    Y. Nesterov, *Lectures on Convex Optimization*, 2nd ed., Springer 2018, Thm. 2.1.8 and
    Sec. 2.1.3 (existence and uniqueness of the minimiser of a strongly convex function).
    C. De Sa, CS6787 Lecture 1, Cornell (the slides).
"""

from __future__ import annotations

import mpmath
import sympy as sp

from verify import provers, rule
from verify.claims import Outcome, claim, proved
from verify.numeric import NumericCheck

__all__ = ["STRONG"]

mu, L, alpha, lam, m = sp.symbols("mu L alpha lambda m", real=True)
STRONG = (mu > 0, L >= mu)
SLIDE_CONV = "Gradient Descent Converges"
_R = sp.Rational


# ----------------------------------------------------------------------------- assumptions
@claim(
    "gd.optimum",
    slide=SLIDE_CONV,
    statement=r"\text{Global optimum is } x^*;\ \mu I \preceq \nabla^2 f(x) \preceq L I",
    assumptions=r"f \in C^2(\mathbb{R}^d); the proof below uses w^* with \nabla f(w^*) = 0",
    recorded="gap",
    parse_error="an existence statement ('Global optimum is x^*': some point minimises every f "
    "with mu I <= Hess f <= L I): the grammar has no existential quantifier and the typed "
    "encoding no function values, so it is judged by a hand-written check",
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
    # The verdict is the rule's, from this evidence: the statement without mu > 0 is refuted by
    # the logistic loss (every check above must hold), and it is proved once mu > 0 is added.
    shown = proved(*no_minimiser, what="a function with mu = 0 and no minimiser")
    repair = proved(*repaired, what="existence and uniqueness of the optimum under mu > 0")
    judged = rule.decide(
        rule.Evidence("refuted", f"logistic loss with E = e^x: {shown}",
                      counterexample="mu = 0, L = 1/4: f(x) = log(1 + e^x) has 0 <= f'' <= 1/4 "
                      "and f' > 0, so it has no global optimum (the slide's x^*, the proof's w^*)"),
        with_added=rule.Evidence("proved", f"coercivity and uniqueness: {repair}"),
        added=(r"strong convexity, mu > 0 (not stated on the slides): $\mu > 0$",),
        added_text=r"If 0 < \mu \le L, f has exactly one global minimiser w^* (the slide's x^*), "
        r"and \nabla f(w^*) = 0")
    return Outcome(judged.verdict, judged.method, counterexample=judged.counterexample,
                   correction=judged.correction, gap=judged.gap)

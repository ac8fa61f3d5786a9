r"""Claims of the third "Stochastic Gradient Descent Convergence" slide: the noise ball.

The comparison recursion :math:`b_{t+1} = (1 - \alpha\mu)^2 b_t + \alpha^2 M` has the fixed point
:math:`b^* = \alpha M/(2\mu - \alpha\mu^2)` and the closed form
:math:`b_t = (1 - \alpha\mu)^{2t}(b_0 - b^*) + b^*`; it converges for every :math:`b_0` iff
:math:`0 < \alpha < 2/\mu`. By induction :math:`\mathbf E\|w_t - w^*\|^2 \le b_t`, so the
:math:`\limsup` (not the limit) is at most :math:`b^*`, and the bound is attained by a
one-dimensional quadratic with two-point noise. Claim ids ``sgd.noise-ball.*``.

References:
    L. Bottou, F. E. Curtis, J. Nocedal, SIAM Review 60(2), 2018, Thm. 4.6 (constant step size).
    E. Moulines, F. Bach, NeurIPS 2011.
"""

from __future__ import annotations

import itertools

import mpmath
import sympy as sp

from verify import provers
from verify._sgd_common import SLIDE_CONV, SMALL, STRONG, M
from verify.claims import Outcome, claim, proved
from verify.gradient_descent import alpha, mu
from verify.numeric import NumericCheck, approx_eq, approx_le

__all__ = ["BALL"]

_R = sp.Rational
BALL = alpha * M / (2 * mu - alpha * mu**2)
_RHO2 = (1 - alpha * mu) ** 2
_RECURSION = (mu > 0, alpha > 0, alpha * mu < 2)


def _mp_comparison(p, t):
    """b_t by iterating b -> (1 - a mu)^2 b + a^2 M from b_0, a = 2 s / mu."""
    a = 2 * p["s"] / p["mu"]
    b = p["b0"]
    for _ in range(t):
        b = (1 - a * p["mu"]) ** 2 * b + a**2 * p["M"]
    return b, a


def _mp_exact_second_moment(p, steps):
    """E[w_t^2] for f(w; x) = mu (w - x)^2/2, x = +-sx, w_0 = 0, by enumerating all 2^t paths."""
    a = 2 * p["s"] / p["mu"]
    total = mpmath.mpf(0)
    for signs in itertools.product((1, -1), repeat=steps):
        w = mpmath.mpf(0)
        for sign in signs:
            w = w - a * p["mu"] * (w - sign * p["sx"])
        total += w**2
    return total / 2**steps, a


@claim(
    "sgd.noise-ball.tight",
    slide=SLIDE_CONV,
    statement=r"\text{SGD (constant step) converges to a noise ball, not to the optimum}",
    assumptions=r"example: d = 1, f(w; x) = \mu (w - x)^2/2, x = \pm\sigma, so L = \mu, w^* = 0, "
    r"M = \mu^2\sigma^2 exactly; 0 < \alpha < 2/\mu",
    recorded="true",
    numeric=NumericCheck(
        variables={"mu": (_R(1, 10), 3), "s": (_R(1, 100), _R(99, 100)), "sx": (0, 2), "t": (0, 8)},
        predicate=lambda p: (
            lambda e, a: approx_eq(
                e,
                a
                * (p["mu"] * p["sx"]) ** 2
                / (2 * p["mu"] - a * p["mu"] ** 2)
                * (1 - (1 - a * p["mu"]) ** (2 * int(p["t"]))),
            )
        )(*_mp_exact_second_moment(p, int(p["t"]))),
    ),
)
def _tight() -> Outcome:
    w, sigma = sp.symbols("w sigma", real=True)
    step = {x: w - alpha * mu * (w - x) for x in (sigma, -sigma)}
    noise = [(mu * (w - x) - mu * w) ** 2 for x in (sigma, -sigma)]  # ||grad f - grad h||^2
    checks = (
        provers.identity(sum(noise) / 2, mu**2 * sigma**2),
        # E[w_{t+1}^2 | w_t = w] = (1 - alpha mu)^2 w^2 + alpha^2 M: the slide's bound, with "=".
        provers.identity(
            sum(v**2 for v in step.values()) / 2, _RHO2 * w**2 + alpha**2 * mu**2 * sigma**2
        ),
        provers.inequality(
            BALL.subs(M, mu**2 * sigma**2), ">", 0, assumptions=[*_RECURSION, sp.Ne(sigma, 0)]
        ),
        provers.identity(sp.limit(BALL, alpha, 0, "+"), sp.Integer(0)),
    )
    return Outcome(
        "true",
        proved(*checks, what="noise ball of a quadratic") + "; so E[w_t^2] -> "
        "alpha M/(2 mu - alpha mu^2) > 0 for sigma != 0, and the ball shrinks as alpha -> 0",
    )

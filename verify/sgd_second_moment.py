r"""The step-size condition of the second "Stochastic Gradient Descent Convergence" slide.

The chain itself (lines 1-4) is judged from the slide's text (``claims/sgd_second_moment.toml``).
With :math:`A = (I - \alpha\bar H_t)(w_t - w^*)` and :math:`B = B_t`:
:math:`\mathbf E\|A - \alpha B\|^2 = \mathbf E\|A\|^2 - 2\alpha\,\mathbf E[B^T A] +
\alpha^2\mathbf E\|B\|^2`, the cross term vanishes since :math:`\mathbf E[B_t \mid w_t] = 0`, and
:math:`\|I - \alpha\bar H_t\|_2 \le 1 - \alpha\mu` for every :math:`\mu \preceq \bar H_t \preceq L`
exactly when :math:`0 < \alpha \le 2/(L + \mu)` (:math:`\mu < L`), giving
:math:`\mathbf E\|w_{t+1} - w^*\|^2 \le (1 - \alpha\mu)^2\mathbf E\|w_t - w^*\|^2 + \alpha^2 M`.
Claim id ``sgd.second-moment.small-alpha``.

References:
    L. Bottou, F. E. Curtis, J. Nocedal, SIAM Review 60(2), 2018, Thm. 4.6 (constant step size).
    E. Moulines, F. Bach, NeurIPS 2011 (uniformly bounded noise variance).
"""

from __future__ import annotations

import sympy as sp

from verify import provers
from verify._sgd_common import SLIDE_CONV, SMALL, STRONG, M
from verify.claims import Outcome, claim, proved
from verify.gradient_descent import L, alpha, lam, mu
from verify.numeric import NumericCheck, approx_le

__all__ = ["contraction_checks"]

_R = sp.Rational


def contraction_checks() -> tuple[provers.Check, ...]:
    """Sufficiency and necessity of 0 < alpha <= 2/(L+mu) for (1 - alpha lam)^2 <= (1 - alpha mu)^2
    on [mu, L] (the per-eigenvalue form of ||(I - alpha Hbar) v|| <= (1 - alpha mu) ||v||)."""
    c, q, r = sp.symbols("c q r", real=True)
    return (
        provers.implies(
            [lam >= mu, lam <= L, *SMALL],
            (1 - alpha * lam) ** 2 <= (1 - alpha * mu) ** 2,
            assumptions=STRONG,
        ),
        # Summing the coordinates of v in the eigenbasis of Hbar:
        provers.implies([q <= r], q * c**2 <= r * c**2),
        provers.implies(
            [mu < L, alpha > 0, (1 - alpha * L) ** 2 <= (1 - alpha * mu) ** 2],
            alpha * (L + mu) <= 2,
            assumptions=STRONG,
        ),
    )


@claim(
    "sgd.second-moment.small-alpha",
    slide=SLIDE_CONV,
    statement=r"\text{small enough } \alpha \iff 0 < \alpha \le \frac{2}{L + \mu} \ (\mu < L)",
    assumptions=r"\alpha > 0, 0 < \mu < L; the bound must hold for every instance of the class "
    r"(for \mu = L every \alpha works)",
    recorded="true",
    numeric=NumericCheck(
        variables={"mu": (_R(1, 10), 3), "dL": (0, 5), "alpha": (_R(1, 1000), 5)},
        predicate=lambda p: (
            approx_le((1 - p["alpha"] * (p["mu"] + p["dL"])) ** 2, (1 - p["alpha"] * p["mu"]) ** 2)
            if p["alpha"] * (2 * p["mu"] + p["dL"]) <= 2
            else (1 - p["alpha"] * (p["mu"] + p["dL"])) ** 2 > (1 - p["alpha"] * p["mu"]) ** 2
            or p["dL"] == 0
        ),
    ),
)
def _small_alpha() -> Outcome:
    r = sp.Symbol("r", real=True)  # ||w_t - w^*||, deterministic, along the L-eigenvector
    gap = (1 - alpha * L) ** 2 - (1 - alpha * mu) ** 2
    # With M > 0 the slack alpha^2 M is beaten by a large enough ||w_t - w^*||.
    scaled = provers.implies(
        [mu < L, alpha > 0, alpha * (L + mu) > 2, M >= 0, r**2 * gap > alpha**2 * M],
        r**2 * (1 - alpha * L) ** 2 > r**2 * (1 - alpha * mu) ** 2 + alpha**2 * M,
        assumptions=STRONG,
    )
    positive = provers.implies(
        [mu < L, alpha > 0, alpha * (L + mu) > 2], gap > 0, assumptions=STRONG
    )
    return Outcome(
        "true", proved(*contraction_checks(), scaled, positive, what="step-size condition")
    )

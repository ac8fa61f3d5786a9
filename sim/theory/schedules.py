"""Decaying step sizes: the exact recursion for any schedule, the exact 1/t law, and the θ/t bound.

Setting (state-independent noise). :math:`w_{t+1} = w_t - \\alpha_t (\\nabla h(w_t) + \\xi_t)`
with :math:`\\nabla h(w) = H(w-w^*)`, the :math:`\\xi_t` independent of each other and of
:math:`w_0`, :math:`\\mathbf E\\xi_t = 0` and :math:`\\operatorname{Cov}\\xi_t = C` (so
:math:`\\mathbf E\\|\\xi_t\\|^2 = M = \\operatorname{tr} C`). Quadratic finite sums with a common
Hessian (:class:`sim.QuadraticProblem`) are exactly this, with :math:`C` the per-sample covariance.

References:
    [1] A. Nemirovski, A. Juditsky, G. Lan, A. Shapiro (2009). Robust stochastic approximation
        approach to stochastic programming. SIAM J. Optim. 19(4):1574-1609, Section 2.1,
        eqs. (2.8)-(2.10).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from sim.theory._args import (
    spectrum,
    int_at_least,
    nonneg,
    positive_float,
    step_sizes,
    times,
)

__all__ = [
    "inverse_time_isotropic",
    "nemirovski_bound",
    "nemirovski_bound_repaired",
    "schedule_mean_sq_dist",
]


def schedule_mean_sq_dist(
    eigvals: np.ndarray,
    noise_var: np.ndarray,
    alpha: float | np.ndarray | Callable[[int], float],
    e0_eig: np.ndarray,
    steps: int,
) -> np.ndarray:
    """Exact :math:`\\mathbf E\\|w_t-w^*\\|^2`, ``t = 0..steps``, for any step schedule.

    .. math::

        \\mathbf E z_{t+1,k}^2 = (1-\\alpha_t\\lambda_k)^2\\,\\mathbf E z_{t,k}^2
        + \\alpha_t^2 c_k, \\qquad \\mathbf E\\|w_t-w^*\\|^2 = \\sum_k \\mathbf E z_{t,k}^2,

    in the eigenbasis :math:`H = Q\\,\\mathrm{diag}(\\lambda)Q^T`, :math:`z_t = Q^T(w_t-w^*)`,
    :math:`c_k = (Q^TCQ)_{kk}`. Derivation: :math:`z_{t+1,k} = (1-\\alpha_t\\lambda_k)z_{t,k} -
    \\alpha_t(Q^T\\xi_t)_k`; square and take expectations; the cross term vanishes because
    :math:`\\xi_t` is independent of :math:`z_t` with mean zero. With :math:`H=\\mu I` and a
    constant step this is the lecture's recursion with equality.

    Args:
        eigvals: ``(d,)`` eigenvalues :math:`\\lambda_k > 0` of :math:`H`.
        noise_var: ``(d,)`` :math:`c_k \\ge 0` (for a minibatch, already scaled by
            :func:`sim.theory.minibatch_noise_factor`).
        alpha: a float, a ``(steps,)`` array or a callable ``t -> alpha_t``.
        e0_eig: ``(d,)`` :math:`z_0 = Q^T(w_0 - w^*)`.
    """
    lam, c, z0 = spectrum(eigvals, noise_var, e0_eig)
    a = step_sizes(alpha, steps)
    second = z0 * z0
    out = np.empty(a.size + 1)
    out[0] = second.sum()
    # Beyond the float range a moment is +inf; a step with 1 - alpha_t lambda_k = 0 exactly erases
    # coordinate k, so times() keeps 0 * inf = 0 there (the exact value is alpha_t^2 c_k again).
    with np.errstate(over="ignore", invalid="ignore"):
        for t, at in enumerate(a):
            second = times((1 - at * lam) ** 2, second) + at * at * c
            out[t + 1] = second.sum()
    return out


def inverse_time_isotropic(mu: float, M: float, steps: int) -> np.ndarray:
    """:math:`\\mathbf E\\|w_t-w^*\\|^2 = M/(\\mu^2 t)` for :math:`t \\ge 1` under
    :math:`\\alpha_t = 1/(\\mu(t+1))`, whatever :math:`w_0` (entry ``t = 0`` is NaN: it is
    :math:`\\|w_0-w^*\\|^2`, which the formula does not fix).

    Hypotheses: :math:`H = \\mu I`, state-independent noise with
    :math:`\\mathbf E\\|\\xi_t\\|^2 = M` (module docstring); the schedule starts at
    :math:`\\alpha_0 = 1/\\mu`.

    Derivation. :math:`1-\\alpha_t\\mu = t/(t+1)`, so with :math:`b_t = \\mathbf E\\|w_t-w^*\\|^2`,
    :math:`b_{t+1} = \\frac{t^2}{(t+1)^2}b_t + \\frac{M}{\\mu^2(t+1)^2}`, i.e.
    :math:`(t+1)^2 b_{t+1} = t^2 b_t + M/\\mu^2`. Telescoping from :math:`0^2 b_0 = 0`:
    :math:`t^2 b_t = tM/\\mu^2`. The first step :math:`w_1 = w_0 - \\frac1\\mu(\\mu(w_0-w^*) +
    \\xi_0) = w^* - \\xi_0/\\mu` erases :math:`e_0` entirely; from then on the iterate is
    :math:`w^*` minus the running mean of the noise divided by :math:`\\mu`:
    :math:`w_t - w^* = -\\frac{1}{\\mu t}\\sum_{s<t}\\xi_s`. With a bound
    :math:`\\mathbf E\\|\\xi_t\\|^2 \\le M` the equality becomes :math:`\\le`. It does not hold
    for :math:`H \\ne \\mu I` (then :math:`1-\\lambda/\\mu \\ne 0` along other eigenvectors).
    """
    mu = positive_float("mu", mu)
    M = nonneg("M", M)
    steps = int_at_least("steps", steps, 0)
    t = np.arange(steps + 1, dtype=np.float64)
    out = np.full(steps + 1, np.nan)
    out[1:] = M / (mu * mu * t[1:])
    return out


def _njls_args(c, theta, M, x1_dist_sq, steps):
    c, theta = positive_float("c", c), positive_float("theta", theta)
    M, r1 = nonneg("M", M), nonneg("x1_dist_sq", x1_dist_sq)
    steps = int_at_least("steps", steps, 0)
    if not 2 * c * theta > 1:
        raise ValueError(f"theta must be > 1/(2c) = {1 / (2 * c)}, got {theta}")
    return c, theta, M, r1, steps


def nemirovski_bound(*, c: float, theta: float, M: float, x1_dist_sq: float, steps: int):
    """The θ/t bound as published ([1] (2.9)-(2.10)): :math:`\\mathbf E\\|x_j-x^*\\|^2 \\le
    Q(\\theta)/j`, :math:`Q(\\theta) = \\max\\{\\theta^2M^2(2c\\theta-1)^{-1}, \\|x_1-x^*\\|^2\\}`.

    In the paper's symbols ([1] Sec. 2.1): iterates :math:`x_{j+1} = \\Pi_X(x_j -
    \\gamma_j G(x_j,\\xi_j))`, :math:`j = 1, 2, \\dots`, steps :math:`\\gamma_j = \\theta/j` with
    :math:`\\theta > 1/(2c)`; :math:`f` differentiable and strongly convex on the convex compact
    :math:`X` with constant :math:`c > 0`; :math:`\\mathbf E\\|G(x,\\xi)\\|^2 \\le M^2` for all
    :math:`x \\in X` (a bound on the whole stochastic gradient, not on its noise). Their proof:
    with :math:`a_j = \\frac12\\mathbf E\\|x_j-x^*\\|^2`, nonexpansiveness of :math:`\\Pi_X` and
    strong convexity give (2.8) :math:`a_{j+1} \\le (1-2c\\gamma_j)a_j + \\frac12\\gamma_j^2M^2`,
    "and by induction" (2.9).

    **False as written for large** :math:`\\theta`: the induction step needs
    :math:`1 - 2c\\theta/j \\ge 0`, which fails for :math:`j < 2c\\theta` (always at
    :math:`j = 1`). Exact counterexample: :math:`X = [-1, 1]`, :math:`f(x) = x^2/2` (:math:`c = 1`),
    :math:`G = \\nabla f` (no noise, :math:`M = 1`), :math:`x_1 = 1`, :math:`\\theta = 2`: then
    :math:`x_2 = \\Pi_X(1 - 2) = -1` and :math:`\\|x_2-x^*\\|^2 = 1 > Q(2)/2 = 2/3`. It is valid
    for :math:`\\theta \\le 3/(4c)` (only the step :math:`j = 1` has a negative coefficient, and
    :math:`a_2 \\le \\frac12\\theta^2M^2 \\le Q/4` there). :func:`nemirovski_bound_repaired`
    holds for every :math:`\\theta > 1/(2c)`.

    Map to this project: :math:`x_j = w_{j-1}` (so ``t = j - 1``),
    :math:`\\gamma_j = \\alpha_{j-1}`, i.e. :math:`\\alpha_t = \\theta/(t+1)`; :math:`c = \\mu`;
    :math:`X = \\mathbb R^d`,
    :math:`\\Pi_X = I`; their :math:`M^2` bounds :math:`\\mathbf E\\|\\nabla f(w_t; x_{i_t})\\|^2 =
    \\mathbf E\\|\\nabla h(w_t)\\|^2 + \\mathbf E\\|\\xi_t\\|^2`, finite on an unbounded domain only
    along a given path (the proof uses the bound at the iterates only). At
    :math:`\\theta = 1/\\mu`: :math:`Q = \\max\\{M^2/\\mu^2, \\|w_0-w^*\\|^2\\}` against the exact
    :math:`M_{\\text{lecture}}/(\\mu^2 t)` of :func:`inverse_time_isotropic`.

    Args:
        c: strong-convexity constant ``> 0``. theta: ``> 1/(2c)``. M: their :math:`M \\ge 0`.
        x1_dist_sq: :math:`\\|x_1-x^*\\|^2 \\ge 0`. steps: ``T >= 0``.

    Returns:
        ``(T + 1,)`` array, entry ``t`` the bound on :math:`\\mathbf E\\|w_t-w^*\\|^2 =
        \\mathbf E\\|x_{t+1}-x^*\\|^2`, i.e. :math:`Q(\\theta)/(t+1)`.
    """
    c, theta, M, r1, steps = _njls_args(c, theta, M, x1_dist_sq, steps)
    q = max(theta * theta * M * M / (2 * c * theta - 1), r1)
    return q / np.arange(1, steps + 2, dtype=np.float64)


def nemirovski_bound_repaired(
    *, c: float, theta: float, M: float, x1_dist_sq: float, steps: int
) -> np.ndarray:
    """The θ/t bound with a constant that makes the induction valid for every
    :math:`\\theta > 1/(2c)`:

    .. math::

        \\mathbf E\\|x_j-x^*\\|^2 \\le \\tilde Q(\\theta)/j, \\qquad
        \\tilde Q(\\theta) = \\max\\{\\theta^2M^2(2c\\theta-1)^{-1},\\ \\|x_1-x^*\\|^2,\\
        \\lceil 2c\\theta\\rceil M^2/c^2\\}.

    Hypotheses: those of :func:`nemirovski_bound`, with :math:`G` unbiased
    (:math:`\\mathbf EG(x,\\xi) = \\nabla f(x)`) and :math:`x^*` the minimiser of :math:`f` on
    :math:`X`. Proof. (i) A priori: strong convexity and optimality of :math:`x^*` give
    :math:`c\\|x-x^*\\|^2 \\le \\langle\\nabla f(x), x-x^*\\rangle
    \\le \\|\\nabla f(x)\\|\\,\\|x-x^*\\|` and
    :math:`\\|\\nabla f(x)\\|^2 = \\|\\mathbf EG\\|^2 \\le M^2`, so
    :math:`\\|x_j-x^*\\|^2 \\le M^2/c^2` for every :math:`j`; hence the claim for
    :math:`j \\le j_0 = \\lceil 2c\\theta\\rceil`, since :math:`M^2/c^2 \\le j_0M^2/(c^2j)`.
    (ii) For :math:`j \\ge j_0` the coefficient :math:`1-2c\\theta/j` of (2.8) is
    :math:`\\ge 0`, and the paper's induction step goes through: :math:`(1-\\frac{2c\\theta}{j})
    \\frac{\\tilde Q}{j} + \\frac{\\theta^2M^2}{j^2} \\le \\frac{\\tilde Q}{j+1}` is equivalent to
    :math:`\\theta^2M^2(j+1) \\le \\tilde Q(j(2c\\theta-1)+2c\\theta)`, true as
    :math:`\\tilde Q(2c\\theta-1) \\ge \\theta^2M^2` and :math:`2c\\theta > 2c\\theta-1`.
    On :math:`X = \\mathbb R^d` with :math:`M^2 \\ge \\mathbf E\\|G(x_j,\\xi_j)\\|^2` along the
    path, (i) reads
    :math:`c^2\\mathbf E\\|x_j-x^*\\|^2 \\le \\mathbf E\\|\\nabla f(x_j)\\|^2 \\le M^2`.

    Returns:
        ``(T + 1,)`` array, entry ``t`` the bound :math:`\\tilde Q(\\theta)/(t+1)`.
    """
    c, theta, M, r1, steps = _njls_args(c, theta, M, x1_dist_sq, steps)
    q = max(
        theta * theta * M * M / (2 * c * theta - 1), r1, math.ceil(2 * c * theta) * M * M / c**2
    )
    return q / np.arange(1, steps + 2, dtype=np.float64)

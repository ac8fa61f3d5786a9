"""Almost-sure bounds on :math:`\\|w_t - w^*\\|^2` along every SGD path, computable from the data.

A confidence bound with a finite-sample guarantee (:mod:`sim.bernstein`, :mod:`sim.betting`)
needs a variable with a known range. The squared distance is not bounded for SGD in general,
but on the problems of this package it is, path by path, with a bound computed from the data.

**Theorem (quadratic finite sums).** Let :math:`H = Q\\Lambda Q^\\top \\succ 0` with eigenvalues
:math:`\\lambda_1, \\dots, \\lambda_d`, let :math:`x_1, \\dots, x_n \\in \\mathbb R^d`,
:math:`\\bar x = \\frac1n\\sum_i x_i = w^*` and :math:`c_i = Q^\\top(x_i - \\bar x)`. Let
:math:`\\alpha > 0`, :math:`B \\ge 1`, :math:`w_0 \\in \\mathbb R^d` and let
:math:`w_{t+1} = w_t - \\frac{\\alpha}{B}\\sum_{b=1}^B H(w_t - x_{i_{t,b}})` for an arbitrary
sequence of indices :math:`i_{t,b} \\in \\{1..n\\}` (random or not, with or without replacement).
Put :math:`r_k = 1 - \\alpha\\lambda_k`, :math:`\\rho = \\max_k |r_k| = \\|I - \\alpha H\\|_2`,
:math:`g_k = \\max_i |c_{ik}|`, :math:`G = \\max_i \\|H(x_i - \\bar x)\\|`,
:math:`z_0 = Q^\\top(w_0 - w^*)` and :math:`S_t(q) = \\sum_{s=0}^{t-1} q^s`. Then for every
:math:`t \\ge 0`, surely,

.. math::

    \\|w_t - w^*\\|^2 \\le U_t := \\min\\Bigl(a_t^2,\\ \\sum_{k=1}^d \\beta_{t,k}^2\\Bigr),\\quad
    a_t = \\rho^t \\|w_0 - w^*\\| + \\alpha G\\, S_t(\\rho),\\quad
    \\beta_{t,k} = |r_k|^t |z_{0,k}| + \\alpha\\lambda_k g_k\\, S_t(|r_k|).

If moreover :math:`0 < \\alpha \\le 2/(L+\\mu)` (:math:`\\mu = \\min_k\\lambda_k`,
:math:`L = \\max_k\\lambda_k`), then :math:`\\rho = 1 - \\alpha\\mu < 1` and
:math:`U_t \\le (\\|w_0 - w^*\\| + G/\\mu)^2` for all :math:`t`: the squared distance is bounded
uniformly in time, and so are its mean and variance.

*Proof.* :math:`\\nabla f(w; x_i) = H(w - x_i)`, so with :math:`z_t = Q^\\top(w_t - \\bar x)` and
:math:`\\bar c_t = \\frac1B\\sum_b c_{i_{t,b}}` the step reads
:math:`z_{t+1} = (I - \\alpha\\Lambda) z_t + \\alpha\\Lambda \\bar c_t`. (i) Coordinatewise,
:math:`|\\bar c_{t,k}| \\le \\frac1B\\sum_b |c_{i_{t,b},k}| \\le g_k`, hence
:math:`|z_{t+1,k}| \\le |r_k|\\,|z_{t,k}| + \\alpha\\lambda_k g_k`; by induction on :math:`t`,
:math:`|z_{t,k}| \\le \\beta_{t,k}` (the case :math:`t = 0` is an equality, and
:math:`|r_k|\\beta_{t,k} + \\alpha\\lambda_k g_k = \\beta_{t+1,k}`). Squaring and summing over
:math:`k` gives :math:`\\|z_t\\|^2 \\le \\sum_k \\beta_{t,k}^2`. (ii) In norm, by the triangle
inequality and convexity of the norm,
:math:`\\|\\Lambda\\bar c_t\\| \\le \\frac1B\\sum_b \\|\\Lambda c_{i_{t,b}}\\| \\le G` (as
:math:`\\|\\Lambda c_i\\| = \\|Q\\Lambda Q^\\top(x_i - \\bar x)\\|`), so
:math:`\\|z_{t+1}\\| \\le \\rho\\|z_t\\| + \\alpha G` and by induction :math:`\\|z_t\\| \\le a_t`.
Since :math:`Q` is orthogonal, :math:`\\|w_t - w^*\\| = \\|z_t\\|`, and both bounds hold, so their
minimum does. For the last claim, :math:`\\alpha \\le 2/(L+\\mu)` gives
:math:`\\alpha L - 1 \\le 1 - \\alpha\\mu` and :math:`\\alpha\\mu \\le 2\\mu/(L+\\mu) \\le 1`, so
:math:`\\rho = 1-\\alpha\\mu \\in [0, 1)`, :math:`\\rho^t \\le 1` and
:math:`\\alpha G S_t(\\rho) \\le \\alpha G/(1-\\rho) = G/\\mu`; then
:math:`U_t \\le a_t^2 \\le (\\|w_0-w^*\\| + G/\\mu)^2`. :math:`\\square`

The bound is attained in the one-dimensional two-point case (:math:`x_i = \\bar x \\pm c`,
:math:`0 < \\alpha\\lambda \\le 1`, :math:`z_0 \\ge 0`) by the path that always draws
:math:`\\bar x + c`.

**Theorem (L2-regularised logistic regression).** For :math:`h` twice differentiable with
:math:`\\mu I \\preceq \\nabla^2 h \\preceq L I` everywhere (:mod:`sim.logistic`), with
:math:`\\nabla f(w; i) - \\nabla h(w) = g_i(w) - \\bar g(w)`,
:math:`g_i(w) = -y_i\\sigma(-y_i a_i^\\top w) a_i`, :math:`\\|g_i\\| \\le \\|a_i\\|`, one has
:math:`\\|g_i - \\bar g\\| = \\|(1-\\tfrac1n) g_i - \\tfrac1n\\sum_{j\\ne i} g_j\\| \\le
(1 - \\tfrac2n)\\|a_i\\| + \\tfrac1n\\sum_j \\|a_j\\| =: G_i`. With :math:`\\hat w` the computed
minimiser, :math:`e_t = w_t - \\hat w` and the averaged Hessian
:math:`\\bar H_t = \\int_0^1 \\nabla^2 h(\\hat w + s e_t)\\,ds`,
:math:`e_{t+1} = (I - \\alpha\\bar H_t)e_t - \\alpha\\nabla h(\\hat w) - \\alpha\\xi_t` with
:math:`\\|\\xi_t\\| \\le \\max_i G_i`, and :math:`\\|I - \\alpha\\bar H_t\\|_2 \\le
\\rho = \\max(|1-\\alpha\\mu|, |1-\\alpha L|)`. So the norm bound :math:`a_t` above holds with
:math:`G = \\max_i G_i + \\|\\nabla h(\\hat w)\\|` (the second term, of order :math:`10^{-15}`,
accounts for :math:`\\hat w \\ne w^*`).

Rounding. The engines compute in float64; a simulated value may exceed the exact bound by
accumulated rounding, far below :data:`ROUNDING` relative (see :func:`exceeds`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.validation import finite_array, int_at_least, positive_float

ROUNDING = 1e-9
"""Relative allowance for float64 rounding when comparing simulated values with a bound: each
step rounds a few operations of relative size :math:`2^{-53}`, so :math:`10^4` steps accumulate
well under :math:`10^{-11}`."""


def _geometric_sums(q: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """``(q**t, S_t(q))`` for ``t = 0..steps``, shapes ``(steps + 1, *q.shape)``."""
    q = np.asarray(q, dtype=np.float64)
    power = np.empty((steps + 1, *q.shape))
    total = np.empty((steps + 1, *q.shape))
    power[0], total[0] = 1.0, 0.0
    with np.errstate(over="ignore"):
        for t in range(steps):
            total[t + 1] = total[t] + power[t]
            power[t + 1] = power[t] * q
    return power, total


def _times(growth: np.ndarray, factor: Any) -> np.ndarray:
    """``growth * factor`` with ``inf * 0 = 0`` (a zero factor stays zero however large the
    geometric growth)."""
    factor = np.asarray(factor, dtype=np.float64)
    with np.errstate(invalid="ignore"):  # inf * 0, replaced by 0; callers ignore overflow
        return np.where(factor == 0, 0.0, growth * factor)


def norm_bound(rho: float, e0: float, noise: float, alpha: float, steps: int) -> np.ndarray:
    """:math:`a_t = \\rho^t e_0 + \\alpha G S_t(\\rho)` for ``t = 0..steps`` (``noise`` is G)."""
    power, total = _geometric_sums(np.asarray(rho), steps)
    with np.errstate(over="ignore"):
        return _times(power, e0) + _times(total, alpha * noise)


def _start(problem: Any, w0: Any) -> np.ndarray:
    w = np.zeros(problem.dim) if w0 is None else finite_array("w0", w0, ndim=1)
    if w.shape != (problem.dim,):
        raise ValueError(f"w0 must have shape ({problem.dim},), got {w.shape}")
    return w - np.asarray(problem.w_star, dtype=np.float64)


def quadratic_bound(problem: Any, *, alpha: float, steps: int, w0: Any = None) -> np.ndarray:
    """:math:`U_t`, ``t = 0..steps``, for a :class:`sim.QuadraticProblem` (module docstring).

    The minibatch size does not enter: the bound holds for every batch and every index sequence.
    """
    alpha = positive_float("alpha", alpha)
    steps = int_at_least("steps", steps, 0)
    e0 = _start(problem, w0)
    lam = np.asarray(problem.eigvals, dtype=np.float64)
    c = np.asarray(problem.centered, dtype=np.float64)
    r = np.abs(1.0 - alpha * lam)
    z0 = np.abs(np.asarray(problem.eigvecs).T @ e0)
    power, total = _geometric_sums(r, steps)
    with np.errstate(over="ignore"):
        beta = _times(power, z0) + _times(total, alpha * lam * np.max(np.abs(c), axis=0))
    noise = float(np.max(np.linalg.norm(c * lam, axis=1)))
    a = norm_bound(float(np.max(r)), float(np.linalg.norm(e0)), noise, alpha, steps)
    with np.errstate(over="ignore"):
        return np.minimum(a * a, np.sum(beta * beta, axis=1))


def logistic_bound(problem: Any, *, alpha: float, steps: int, w0: Any = None) -> np.ndarray:
    """:math:`a_t^2`, ``t = 0..steps``, for a :class:`sim.LogisticRegressionProblem`."""
    alpha = positive_float("alpha", alpha)
    steps = int_at_least("steps", steps, 0)
    e0 = _start(problem, w0)
    norms = np.linalg.norm(np.asarray(problem.features, dtype=np.float64), axis=1)
    n = norms.shape[0]
    noise = float(np.max((1 - 2 / n) * norms + norms.mean()))
    noise += float(np.linalg.norm(problem.gradient(problem.w_star)))
    rho = max(abs(1 - alpha * problem.mu), abs(1 - alpha * problem.L))
    a = norm_bound(rho, float(np.linalg.norm(e0)), noise, alpha, steps)
    with np.errstate(over="ignore"):
        return a * a


def sq_dist_bound(problem: Any, *, alpha: float, steps: int, w0: Any = None) -> np.ndarray:
    """The almost-sure bound of ``problem``'s kind (quadratic or logistic), ``(steps + 1,)``."""
    from sim.logistic import LogisticRegressionProblem
    from sim.quadratic import QuadraticProblem

    if isinstance(problem, QuadraticProblem):
        return quadratic_bound(problem, alpha=alpha, steps=steps, w0=w0)
    if isinstance(problem, LogisticRegressionProblem):
        return logistic_bound(problem, alpha=alpha, steps=steps, w0=w0)
    raise TypeError(
        f"no almost-sure bound is known for {type(problem).__name__}; "
        "expected a QuadraticProblem or a LogisticRegressionProblem"
    )


def exceeds(maximum: Any, bound: Any, *, rtol: float = ROUNDING) -> np.ndarray:
    """Steps where an observed maximum exceeds the bound beyond the rounding allowance.

    A non-finite maximum (a diverged trajectory) always exceeds.
    """
    mx = np.asarray(maximum, dtype=np.float64)
    b = np.asarray(bound, dtype=np.float64)
    return np.flatnonzero(~(mx <= b * (1 + rtol)))  # NaN compares False: it exceeds

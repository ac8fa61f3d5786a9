"""Random reshuffling (RR) and shuffle-once (SO): the bound of Mishchenko, Khaled and Richtárik and
their shuffling radius, computed exactly for finite sums of quadratics.

Setting ([1], Algorithm 1; [2], Algorithm 1 with :math:`\\psi = 0`):
:math:`f = \\frac1n\\sum_{i=1}^n f_i`; each epoch :math:`t` draws a permutation :math:`\\pi` of
:math:`\\{1..n\\}` (RR: a fresh one
every epoch; SO: one for all epochs) and runs :math:`x_t^{i+1} = x_t^i - \\gamma\\nabla
f_{\\pi_i}(x_t^i)`, :math:`i = 0..n-1`, from :math:`x_t^0 = x_t`, then :math:`x_{t+1} = x_t^n`.
In this project's notation :math:`\\gamma = \\alpha`, and the epoch-:math:`T` iterate is
:math:`w_{nT}` (sampling ``"reshuffle"`` / ``"shuffle-once"``, batch 1).

Definitions ([2] Definition 1 and eq. (3)): :math:`x_*^i = x_* - \\gamma\\sum_{j=0}^{i-1}\\nabla
f_{\\pi_j}(x_*)`, and the **shuffling radius**

.. math::

    \\sigma_{\\mathrm{rad}}^2 = \\max_{i=0,\\dots,n-1}\\frac{1}{\\gamma^2}
    \\mathbf E_\\pi\\big[D_{f_{\\pi_i}}(x_*^i, x_*)\\big], \\qquad
    D_g(x, y) = g(x) - g(y) - \\langle\\nabla g(y), x-y\\rangle .

The **shuffling variance** of [1] (Definition 2 there) is the same maximum with :math:`1/\\gamma`
in place of :math:`1/\\gamma^2`, i.e. :math:`\\sigma_{\\mathrm{Shuffle}}^2 =
\\gamma\\,\\sigma_{\\mathrm{rad}}^2` ([2], Sec. 3: "related by a multiplicative factor in the
stepsize").

References:
    [1] K. Mishchenko, A. Khaled, P. Richtárik (2020). Random Reshuffling: Simple Analysis with
        Vast Improvements. NeurIPS 2020. arXiv:2006.05988.
    [2] K. Mishchenko, A. Khaled, P. Richtárik (2022). Proximal and Federated Random
        Reshuffling. ICML 2022. arXiv:2102.06704. Definition 1, Theorem 1, Theorem 2.
    [3] A. Sadiev et al. (2022). Federated Optimization Algorithms with Random Reshuffling and
        Gradient Compression. Lemma 2.1 (the sandwich of [1] in the radius normalisation).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.theory._args import finite_array, int_at_least, nonneg, positive_float

__all__ = [
    "least_squares_shuffling_radius",
    "reshuffling_bound",
    "shuffling_radius",
    "shuffling_radius_bounds",
    "shuffling_variance",
]


def _quadratic_sum(hessians: Any, grads: Any) -> tuple[np.ndarray, np.ndarray]:
    g = finite_array("grads", grads, ndim=2)
    n, d = g.shape
    a = np.asarray(hessians, dtype=np.float64)
    if a.shape == (d, d):
        a = np.broadcast_to(a, (n, d, d))
    if a.shape != (n, d, d) or not np.all(np.isfinite(a)):
        raise ValueError(f"hessians must be finite with shape ({d}, {d}) or ({n}, {d}, {d})")
    if n < 2:
        raise ValueError(f"grads must have n >= 2 rows (one per f_i), got {n}")
    # Only quadratic forms of the A_k enter, so their symmetric parts are what counts.
    return a, g


def shuffling_radius(hessians: Any, grads: Any) -> float:
    """Exact :math:`\\sigma_{\\mathrm{rad}}^2` for quadratic :math:`f_i` (Hessians :math:`A_i`,
    gradients at the optimum :math:`g_i = \\nabla f_i(x_*)`), by a closed form in :math:`O(n d^2)`.

    For a quadratic, :math:`D_{f_k}(x, x_*) = \\frac12(x-x_*)^TA_k(x-x_*)` exactly, so with
    :math:`S_i = \\sum_{j<i}g_{\\pi_j}` and :math:`x_*^i - x_* = -\\gamma S_i`,

    .. math::

        \\sigma_{\\mathrm{rad}}^2 = \\max_{0\\le i<n}\\frac1{2n}\\sum_{k=1}^n
        \\operatorname{tr}\\big(A_k\\,\\mathbf E[S_iS_i^T\\mid\\pi_i = k]\\big)

    (independent of :math:`\\gamma`). Given :math:`\\pi_i = k`, :math:`\\{\\pi_0..\\pi_{i-1}\\}`
    is a uniform :math:`i`-subset of the other :math:`n-1` indices, so with
    :math:`G_k = \\sum_{j\\ne k}g_jg_j^T` and :math:`s_k = \\sum_{j\\ne k}g_j`:
    :math:`\\mathbf E[S_iS_i^T\\mid\\pi_i=k] = \\frac{i}{n-1}G_k + \\frac{i(i-1)}{(n-1)(n-2)}
    (s_ks_k^T - G_k)` (inclusion probabilities :math:`i/(n-1)` and
    :math:`i(i-1)/((n-1)(n-2))`; the second term is absent for :math:`i \\le 1`).

    Args:
        hessians: ``(d, d)`` common Hessian or ``(n, d, d)`` per-sample Hessians.
        grads: ``(n, d)`` per-sample gradients at the minimiser :math:`x_*` of :math:`f`.
    """
    a, g = _quadratic_sum(hessians, grads)
    n = g.shape[0]
    total = g.sum(axis=0)
    big_g = g.T @ g
    # tr(A_k G_k), tr(A_k s_k s_k^T) and tr(A_k g_k g_k^T) for every k.
    tr_all = np.einsum("kij,ij->k", a, big_g)
    tr_own = np.einsum("ki,kij,kj->k", g, a, g)
    s = total[None, :] - g
    tr_s = np.einsum("ki,kij,kj->k", s, a, s)
    tr_gk = tr_all - tr_own
    best = 0.0
    for i in range(1, n):
        p1 = i / (n - 1)
        p2 = i * (i - 1) / ((n - 1) * (n - 2)) if i >= 2 else 0.0
        value = float(np.mean(p1 * tr_gk + p2 * (tr_s - tr_gk))) / 2
        best = max(best, value)
    return best


def shuffling_variance(hessians: Any, grads: Any, gamma: float) -> float:
    """:math:`\\sigma_{\\mathrm{Shuffle}}^2 = \\gamma\\,\\sigma_{\\mathrm{rad}}^2` in the
    normalisation of [1] (Definition 2 there, :math:`\\frac1\\gamma\\mathbf E[D]`)."""
    return positive_float("gamma", gamma) * shuffling_radius(hessians, grads)


def shuffling_radius_bounds(
    mu: float, L_max: float, n: int, sigma_star_sq: float
) -> tuple[float, float]:
    """The sandwich :math:`\\frac{\\mu n}{8}\\sigma_*^2 \\le \\sigma_{\\mathrm{rad}}^2 \\le
    \\frac{L_{\\max}n}{4}\\sigma_*^2`, :math:`\\sigma_*^2 = \\frac1n\\sum_i\\|\\nabla f_i(x_*)\\|^2`
    ([1], restated in the radius normalisation as [3] Lemma 2.1; the upper half is also [2]
    Theorem 1 with :math:`\\nabla f(x_*) = 0`). Hypotheses: each :math:`f_i` is
    :math:`\\mu`-strongly convex and :math:`L_{\\max}`-smooth. Derivation:
    :math:`\\frac\\mu2\\|x\\|^2 \\le D \\le \\frac{L}2\\|x\\|^2` and
    :math:`\\mathbf E\\|S_i\\|^2 = \\frac{i(n-i)}{n-1}\\sigma_*^2` (sampling without replacement),
    whose maximum over :math:`i` lies in :math:`[n/4, n/2]`."""
    mu, L_max = positive_float("mu", mu), positive_float("L_max", L_max)
    n = int_at_least("n", n, 2)
    s2 = nonneg("sigma_star_sq", sigma_star_sq)
    return mu * n * s2 / 8, L_max * n * s2 / 4


def reshuffling_bound(
    mu: float, L_max: float, gamma: float, n: int, epochs: int, r0_sq: float, radius: float
) -> np.ndarray:
    """The RR/SO bound ([2] Theorem 2 with :math:`\\psi = 0`, which [2] notes recovers the RR/SO
    result of [1], Theorem 1 there):

    .. math::

        \\mathbf E\\|x_T-x_*\\|^2 \\le (1-\\gamma\\mu)^{nT}\\|x_0-x_*\\|^2
        + \\frac{2\\gamma^2\\sigma_{\\mathrm{rad}}^2}{\\mu}
        = (1-\\gamma\\mu)^{nT}\\|x_0-x_*\\|^2 + \\frac{2\\gamma\\sigma_{\\mathrm{Shuffle}}^2}{\\mu}.

    Hypotheses: every :math:`f_i` is :math:`\\mu`-strongly convex and :math:`L_i`-smooth (not
    only :math:`f`: for least squares :math:`\\frac12(a_i^Tw-b_i)^2 + \\frac\\lambda2\\|w\\|^2` in
    :math:`d \\ge 2` this :math:`\\mu` is :math:`\\lambda`), :math:`0 < \\gamma \\le 1/L_{\\max}`,
    constant step. Derivation ([1], [2]): compare :math:`x_t^i` with the reference points
    :math:`x_*^i`; one step is a contraction by :math:`1-\\gamma\\mu` up to a Bregman term,
    whose expectation the radius bounds; unroll over the :math:`nT` steps and sum the geometric
    series :math:`\\sum_j(1-\\gamma\\mu)^j \\le 1/(\\gamma\\mu)`.

    Returns:
        ``(epochs + 1,)`` array, entry :math:`T` the bound after :math:`T` epochs.
    """
    mu, L_max = positive_float("mu", mu), positive_float("L_max", L_max)
    gamma = positive_float("gamma", gamma)
    if mu > L_max:
        raise ValueError(f"mu must be <= L_max, got mu={mu}, L_max={L_max}")
    if not gamma * L_max <= 1:
        raise ValueError(f"gamma must be in (0, 1/L_max] = (0, {1 / L_max}], got {gamma}")
    n = int_at_least("n", n, 1)
    epochs = int_at_least("epochs", epochs, 0)
    r0, rad = nonneg("r0_sq", r0_sq), nonneg("radius", radius)
    t = np.arange(epochs + 1, dtype=np.float64)
    return (1 - gamma * mu) ** (n * t) * r0 + 2 * gamma * gamma * rad / mu


def least_squares_shuffling_radius(features: Any, targets: Any, l2: float) -> float:
    """:math:`\\sigma_{\\mathrm{rad}}^2` for :math:`f_i(w) = \\frac12(a_i^Tw-b_i)^2 +
    \\frac\\lambda2\\|w\\|^2`: Hessians :math:`a_ia_i^T+\\lambda I`, gradients
    :math:`a_i(a_i^Tw_*-b_i)+\\lambda w_*` at the ridge solution
    :math:`w_* = (A^TA/n+\\lambda I)^{-1}A^Tb/n` (:func:`shuffling_radius`)."""
    a = finite_array("features", features, ndim=2)
    b = finite_array("targets", targets, ndim=1)
    n, d = a.shape
    if b.shape != (n,):
        raise ValueError(f"targets must have shape ({n},) to match features, got {b.shape}")
    lam = nonneg("l2", l2)
    gram = a.T @ a / n + lam * np.eye(d)
    w_star = np.linalg.solve(gram, a.T @ b / n)
    grads = a * (a @ w_star - b)[:, None] + lam * w_star
    hessians = np.einsum("ki,kj->kij", a, a) + lam * np.eye(d)
    return shuffling_radius(hessians, grads)

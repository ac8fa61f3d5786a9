"""Exact first and second moments of SGD when every per-sample gradient is affine in w.

Setting. Write :math:`e = w - w^*` and suppose :math:`\\nabla f(w; i) = P_i e + q_i` for fixed
:math:`d\\times d` matrices :math:`P_i` and vectors :math:`q_i` (quadratics, least squares). With
a minibatch :math:`S_t` and :math:`P_S, q_S` the means over it, SGD with heavy-ball momentum
:math:`\\beta` and Polyak-Ruppert averaging from step :math:`k` is the random affine map

.. math::

    e_{t+1} &= e_t - \\alpha_t (P_{S_t} e_t + q_{S_t}) + \\beta (e_t - e_{t-1}),
    \\qquad e_{-1} = e_0, \\\\
    \\bar e_{t+1} &= (1 - \\gamma_{t+1}) \\bar e_t + \\gamma_{t+1} e_{t+1}, \\qquad
    \\gamma_s = 0 \\ (s < k), \\quad \\gamma_s = 1/(s - k + 1) \\ (s \\ge k),

on the augmented state :math:`x_t = (e_t, e_{t-1}, \\bar e_t)` (only the blocks in use), so that
:math:`\\bar e_t` is the mean of :math:`e_k, \\dots, e_t`. In homogeneous coordinates
:math:`y = (x, 1)` the step is :math:`y_{t+1} = \\hat G_t y_t` and we propagate
:math:`\\hat S_t = \\mathbf E[y_t y_t^\\top]` (which holds the mean and the second moment).

Independent steps (``"with-replacement"``, ``"without-replacement"``). Split
:math:`P_S = \\bar P + \\Delta_S`, :math:`q_S = \\bar q + \\delta_S`. Given :math:`x_t`, the
noise :math:`\\zeta = -\\alpha_t(\\Delta_S e_t + \\delta_S)` is the mean over :math:`S` of the
centred vectors :math:`v_i = -\\alpha_t((P_i - \\bar P)e_t + q_i - \\bar q)`, so it has mean zero
and covariance :math:`c_B\\,\\frac1n\\sum_i v_i v_i^\\top`, with :math:`c_B = 1/B` for
:math:`B` independent uniform indices and :math:`c_B = (n-B)/(B(n-1))` for a uniform
:math:`B`-subset (the finite-population correction). It enters :math:`e_{t+1}` and
:math:`\\gamma_{t+1}\\times` it enters :math:`\\bar e_{t+1}`. Hence, exactly,

.. math::

    \\hat S_{t+1} = \\hat F_t \\hat S_t \\hat F_t^\\top + \\alpha_t^2 c_B\\, u_t\\,
    \\tfrac1n \\textstyle\\sum_i \\bigl(D_i S_{ee} D_i^\\top + D_i m_e \\delta_i^\\top
    + \\delta_i m_e^\\top D_i^\\top + \\delta_i \\delta_i^\\top\\bigr)\\, u_t^\\top ,

where :math:`\\hat F_t` is the step with :math:`P_S, q_S` replaced by :math:`\\bar P, \\bar q`,
:math:`D_i = P_i - \\bar P`, :math:`\\delta_i = q_i - \\bar q`, :math:`m_e = \\mathbf E e_t`,
:math:`S_{ee} = \\mathbf E[e_t e_t^\\top]` and :math:`u_t = (I, 0, \\gamma_{t+1} I)`. Exact for
any step sizes, batch, momentum and averaging, for finite sums.

Permutation schemes (``"reshuffle"``, ``"shuffle-once"``). Steps inside an epoch are dependent,
so the expectation is taken over the permutation by enumeration: every ordered prefix of length
:math:`EB` (:math:`E = \\lfloor n/B\\rfloor`) of a uniform permutation is equally likely. For
shuffle-once the whole path is a deterministic function of the one permutation; for reshuffle
the epochs are independent, and :math:`\\hat S` at the end of an epoch is
:math:`\\frac{1}{|\\Pi|}\\sum_\\pi \\hat\\Phi_\\pi \\hat S \\hat\\Phi_\\pi^\\top` with
:math:`\\hat\\Phi_\\pi` the product of the epoch's steps. There are :math:`n!/(n - EB)!`
prefixes, so this is offered for :math:`n \\le` :data:`MAX_ENUMERATION_N` only; no exact value is
available for larger :math:`n`.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np

MAX_ENUMERATION_N = 7
"""Largest ``n`` for which the permutation schemes are enumerated (7! = 5040 orderings)."""


class AffineSamples(NamedTuple):
    """Per-sample gradients :math:`\\nabla f(w; i) = P_i (w - w^*) + q_i`.

    Attributes:
        P: ``(n, d, d)``. q: ``(n, d)`` (their mean is 0 when :math:`w^*` minimises the mean).
    """

    P: np.ndarray
    q: np.ndarray


class ExactMoments(NamedTuple):
    """Exact moments of the SGD error, ``t = 0..T``.

    Attributes:
        mean_sq_dist: ``(T+1,)`` :math:`\\mathbf E\\|w_t - w^*\\|^2`.
        mean_e: ``(T+1, d)`` :math:`\\mathbf E[w_t - w^*]`.
        averaged_mean_sq_dist: ``(T+1,)`` :math:`\\mathbf E\\|\\bar w_t - w^*\\|^2` (NaN before
            ``average_from``), or None without averaging.
        averaged_mean_e: ``(T+1, d)`` :math:`\\mathbf E[\\bar w_t - w^*]`, or None.
    """

    mean_sq_dist: np.ndarray
    mean_e: np.ndarray
    averaged_mean_sq_dist: np.ndarray | None
    averaged_mean_e: np.ndarray | None


def batch_factor(sampling: str, n: int, batch: int) -> float:
    """:math:`c_B`: covariance of a minibatch mean over the population covariance."""
    if sampling == "with-replacement":
        return 1.0 / batch
    if n == 1:
        return 0.0
    return (n - batch) / (batch * (n - 1))


def _gamma(s: int, k: int | None) -> float:
    return 0.0 if k is None or s < k else 1.0 / (s - k + 1)


class _Layout(NamedTuple):
    d: int
    momentum: float
    average_from: int | None

    @property
    def blocks(self) -> int:
        return 1 + (self.momentum != 0) + (self.average_from is not None)

    def step(self, y: np.ndarray, P: np.ndarray, q: np.ndarray, alpha: float, gamma: float
             ) -> np.ndarray:
        """Apply one step to the homogeneous columns ``y`` (``(..., D + 1, cols)``)."""
        d, beta = self.d, self.momentum
        e, h = y[..., :d, :], y[..., -1:, :]
        new_e = e - alpha * (P @ e + q[..., :, None] * h)
        parts = [None]
        if beta != 0:
            prev = y[..., d:2 * d, :]
            new_e = new_e + beta * (e - prev)
            parts.append(e)
        if self.average_from is not None:
            bar = y[..., -d - 1:-1, :]
            parts.append((1 - gamma) * bar + gamma * new_e)
        parts[0] = new_e
        return np.concatenate([*parts, h], axis=-2)

    def initial(self, e0: np.ndarray) -> np.ndarray:
        """:math:`y_0 = (e_0, e_{-1} = e_0, \\bar e_0, 1)`; :math:`\\bar e_0 = e_0` iff k = 0."""
        parts = [e0] + ([e0] if self.momentum != 0 else [])
        if self.average_from is not None:
            parts.append(e0 if self.average_from == 0 else np.zeros_like(e0))
        return np.concatenate([*parts, [1.0]])

    def read(self, S: np.ndarray) -> tuple[float, np.ndarray, float, np.ndarray]:
        """``(E|e|^2, E e, E|ebar|^2, E ebar)`` from a homogeneous second moment ``S``."""
        d = self.d
        bar = slice(-d - 1, -1)
        return (float(np.trace(S[:d, :d])), S[:d, -1].copy(),
                float(np.trace(S[bar, bar])), S[bar, -1].copy())


def exact_moments(samples: AffineSamples, *, alpha: np.ndarray, e0: np.ndarray, batch: int = 1,
                  sampling: str = "with-replacement", momentum: float = 0.0,
                  average_from: int | None = None) -> ExactMoments:
    """Exact :math:`\\mathbf E\\|w_t - w^*\\|^2` (and more) for affine per-sample gradients.

    Args:
        samples: the :math:`P_i, q_i` of the problem.
        alpha: ``(T,)`` step sizes :math:`\\alpha_0..\\alpha_{T-1}` (validated by the caller).
        e0: ``(d,)`` the start :math:`w_0 - w^*`.
        batch, sampling, momentum, average_from: as in :func:`sim.simulate`.

    Raises:
        ValueError: a permutation scheme with ``n >`` :data:`MAX_ENUMERATION_N`.
    """
    P, q = np.asarray(samples.P, dtype=np.float64), np.asarray(samples.q, dtype=np.float64)
    n, d = q.shape
    alpha = np.asarray(alpha, dtype=np.float64)
    layout = _Layout(d, float(momentum), average_from)
    y0 = layout.initial(np.asarray(e0, dtype=np.float64))
    if sampling in ("with-replacement", "without-replacement"):
        moments = _independent(layout, P, q, alpha, y0, batch_factor(sampling, n, batch))
    elif n > MAX_ENUMERATION_N:
        raise ValueError(f"exact moments for sampling={sampling!r} enumerate the n! "
                         f"permutations and are available for n <= {MAX_ENUMERATION_N} only, "
                         f"got n={n}")
    else:
        moments = _permutations(layout, P, q, alpha, y0, batch, sampling == "reshuffle")
    sq, mean, bar_sq, bar_mean = (np.asarray(a) for a in zip(*moments, strict=True))
    if average_from is None:
        return ExactMoments(sq, mean, None, None)
    bar_sq, bar_mean = bar_sq.astype(np.float64), bar_mean.astype(np.float64)
    bar_sq[:average_from], bar_mean[:average_from] = np.nan, np.nan
    return ExactMoments(sq, mean, bar_sq, bar_mean)


def _independent(layout: _Layout, P: np.ndarray, q: np.ndarray, alpha: np.ndarray,
                 y0: np.ndarray, c_b: float) -> list:
    d, k = layout.d, layout.average_from
    P_bar, q_bar = P.mean(axis=0), q.mean(axis=0)
    D, delta = P - P_bar, q - q_bar
    delta_outer = delta.T @ delta / len(q)
    S = np.outer(y0, y0)
    out = [layout.read(S)]
    for t, a in enumerate(alpha):
        g = _gamma(t + 1, k)
        m_e, S_ee = S[:d, -1], S[:d, :d]
        Dm = D @ m_e
        cross = Dm.T @ delta / len(q)
        noise = (D @ S_ee @ D.transpose(0, 2, 1)).mean(axis=0) + cross + cross.T + delta_outer
        noise *= a * a * c_b
        FS = layout.step(S, P_bar, q_bar, a, g)
        S = layout.step(FS.T, P_bar, q_bar, a, g)
        S[:d, :d] += noise
        if k is not None:
            bar = slice(-d - 1, -1)
            S[:d, bar] += g * noise
            S[bar, :d] += g * noise
            S[bar, bar] += g * g * noise
        S = (S + S.T) / 2
        out.append(layout.read(S))
    return out


def _permutations(layout: _Layout, P: np.ndarray, q: np.ndarray, alpha: np.ndarray,
                  y0: np.ndarray, batch: int, reshuffle: bool) -> list:
    n, k = len(q), layout.average_from
    epoch = n // batch
    orders = np.array(list(itertools.permutations(range(n), epoch * batch)), dtype=np.int64)
    batches = orders.reshape(len(orders), epoch, batch)
    P_s = P[batches].mean(axis=2)  # (orderings, E, d, d)
    q_s = q[batches].mean(axis=2)
    size = y0.shape[0]
    S = np.outer(y0, y0)
    out = [layout.read(S)]
    # shuffle-once: one homogeneous column per ordering, the path is deterministic given it;
    # reshuffle: the epoch's product of steps, applied to the second moment at its start.
    Y = np.broadcast_to(np.eye(size) if reshuffle else y0[:, None],
                        (len(orders), size, size if reshuffle else 1)).copy()
    S_start = S
    for t, a in enumerate(alpha):
        s = t % epoch
        if reshuffle and s == 0 and t > 0:
            S_start = S
            Y = np.broadcast_to(np.eye(size), Y.shape).copy()
        Y = layout.step(Y, P_s[:, s], q_s[:, s], a, _gamma(t + 1, k))
        if reshuffle:
            S = np.einsum("pab,bc,pdc->ad", Y, S_start, Y, optimize=True) / len(orders)
        else:
            S = np.einsum("pa,pb->ab", Y[..., 0], Y[..., 0]) / len(orders)
        out.append(layout.read(S))
    return out

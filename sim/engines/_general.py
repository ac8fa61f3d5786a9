"""The array engine's general path: any problem, step-size schedules, momentum, averaging, dtype.

A *gradient model* computes the minibatch-mean gradient :math:`g_t` at the state, in the
engine's coordinates (the state is a ``(d, N)`` array of errors :math:`e = w - w^*`, or of the
eigen-coordinates :math:`z = Q^\\top e` for a quadratic, which leave every norm and the update
below unchanged because :math:`Q` is orthogonal). The update, in this order of operations:

.. math::

    e_{t+1} = e_t - \\alpha_t g_t + \\beta (e_t - e_{t-1}) \\quad (e_{-1} = e_0), \\qquad
    \\bar e_{t+1} = \\bar e_t + (e_{t+1} - \\bar e_t) / (t + 2 - k) \\quad (t + 1 \\ge k),

with :math:`\\bar e` starting at :math:`e_0` when :math:`k = 0` and at 0 otherwise (the first
averaged step has weight 1, so :math:`\\bar e_k = e_k` exactly); the incremental mean is the
numerically stable form of :math:`\\bar e_t = \\frac{1}{t-k+1}\\sum_{s=k}^t e_s`. Everything is
elementwise per trajectory, so each trajectory is the same sequence of roundings whatever the
chunk it runs in. Written against the array namespace ``xp``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


class QuadraticGradient:
    """:math:`g = \\lambda \\odot z - \\frac1B\\sum_b \\lambda \\odot c_{i_b}` in the eigenbasis."""

    def __init__(self, xp: Any, spec: Any, dtype: Any) -> None:
        lam = np.asarray(spec.eigvals, dtype=np.float64)
        self.xp, self.basis = xp, np.asarray(spec.eigvecs, dtype=np.float64)
        self.lam = xp.asarray(lam[:, None].astype(dtype))
        self.table = xp.asarray(np.ascontiguousarray((lam * spec.centered).T).astype(dtype))

    def initial(self, e0: np.ndarray) -> np.ndarray:
        return self.basis.T @ e0

    def bind(self, state: Any) -> Callable[[Any, Any], None]:
        """``fn(rows, out)``: the mean gradient at ``state`` into ``out`` (own buffers)."""
        xp, buf = self.xp, self.xp.empty_like(state)

        def gradient(rows: Any, out: Any) -> None:
            xp.take(self.table, rows[0], axis=1, out=out)
            for b in range(1, rows.shape[0]):
                xp.add(out, xp.take(self.table, rows[b], axis=1, out=buf), out=out)
            if rows.shape[0] > 1:
                xp.multiply(out, 1.0 / rows.shape[0], out=out)
            xp.multiply(state, self.lam, out=buf)
            xp.subtract(buf, out, out=out)

        return gradient


class LogisticGradient:
    """:math:`g = \\lambda w - \\frac1B\\sum_b \\sigma(-y_{i_b} a_{i_b}^\\top w)\\,y_{i_b}a_{i_b}`,
    :math:`w = e + w^*`, with :math:`\\sigma(-m) = \\frac12 - \\frac12\\tanh(m/2)`."""

    def __init__(self, xp: Any, spec: Any, dtype: Any) -> None:
        ya = np.asarray(spec.labels, dtype=np.float64)[:, None] * spec.features
        self.xp, self.basis, self.l2 = xp, None, float(spec.l2)
        self.table = xp.asarray(np.ascontiguousarray(ya.T).astype(dtype))
        self.w_star = xp.asarray(np.asarray(spec.w_star, dtype=np.float64)[:, None].astype(dtype))

    def initial(self, e0: np.ndarray) -> np.ndarray:
        return e0

    def bind(self, state: Any) -> Callable[[Any, Any], None]:
        """``fn(rows, out)``: the mean gradient at ``state`` into ``out`` (own buffers)."""
        xp = self.xp
        w, ya = xp.empty_like(state), xp.empty_like(state)

        def gradient(rows: Any, out: Any) -> None:
            xp.add(state, self.w_star, out=w)
            out.fill(0.0)
            for b in range(rows.shape[0]):
                xp.take(self.table, rows[b], axis=1, out=ya)
                weight = xp.tanh(0.5 * (ya * w).sum(axis=0))
                xp.multiply(weight, -0.5, out=weight)
                xp.add(weight, 0.5, out=weight)
                xp.multiply(ya, weight, out=ya)
                xp.add(out, ya, out=out)
            xp.multiply(out, -1.0 / rows.shape[0], out=out)
            xp.multiply(w, self.l2, out=w)
            xp.add(out, w, out=out)

        return gradient


class ProtocolGradient:
    """:math:`g = \\frac1B\\sum_b` ``problem.sample_gradients(w, idx_b, xp)``, transposed.

    Before each call the C-contiguous ``(N, d)`` argument ``w = e + w^*`` (state's dtype) is
    rebuilt from the state, so a problem that writes into it cannot change the simulation.
    """

    def __init__(self, xp: Any, problem: Any, dtype: Any) -> None:
        self.xp, self.basis, self.problem = xp, None, problem
        self.w_star = xp.asarray(np.asarray(problem.w_star, dtype=np.float64).astype(dtype))

    def initial(self, e0: np.ndarray) -> np.ndarray:
        return e0

    def bind(self, state: Any) -> Callable[[Any, Any], None]:
        """``fn(rows, out)``: the mean gradient at ``state`` into ``out`` (own buffers)."""
        xp, problem = self.xp, self.problem
        d, count = state.shape
        w = xp.empty((count, d), dtype=state.dtype)
        acc = xp.empty((count, d), dtype=state.dtype)

        def call(idx: Any) -> Any:
            xp.add(state.T, self.w_star[None, :], out=w)
            g = problem.sample_gradients(w, idx, xp)
            if tuple(g.shape) != (count, d):
                raise ValueError(f"problem.sample_gradients must return shape (N, d) = "
                                 f"({count}, {d}), got {tuple(g.shape)}")
            return g

        def gradient(rows: Any, out: Any) -> None:
            if rows.shape[0] == 1:
                out[...] = call(rows[0]).T
                return
            acc[...] = call(rows[0])
            for b in range(1, rows.shape[0]):
                xp.add(acc, call(rows[b]), out=acc)
            xp.multiply(acc.T, 1.0 / rows.shape[0], out=out)

        return gradient


def stepper(xp: Any, gradient: Any, state: Any, alphas: np.ndarray, momentum: float,
            average_from: int | None, averaged: Any) -> Callable[[int, Any], None]:
    """The update of the module docstring for ``state`` (and ``averaged``, when averaging)."""
    g = xp.empty_like(state)
    gradient = gradient.bind(state)
    alphas = [float(a) for a in alphas]
    beta = float(momentum)
    prev = vel = None
    if beta != 0:
        prev, vel = state.copy(), xp.empty_like(state)

    def advance(t: int, rows: Any) -> None:
        gradient(rows, g)
        xp.multiply(g, alphas[t], out=g)
        if prev is not None:
            xp.subtract(state, prev, out=vel)
            prev[...] = state
            xp.subtract(state, g, out=state)
            xp.multiply(vel, beta, out=vel)
            xp.add(state, vel, out=state)
        else:
            xp.subtract(state, g, out=state)
        if averaged is not None and t + 1 >= average_from:
            xp.subtract(state, averaged, out=g)
            xp.multiply(g, 1.0 / (t + 2 - average_from), out=g)
            xp.add(averaged, g, out=averaged)

    return advance

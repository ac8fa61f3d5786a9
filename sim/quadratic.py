"""Quadratic finite sums, the problem on which every constant of the lecture is exact.

.. math::

    f(w; x_i) = \\tfrac12 (w - x_i)^T H (w - x_i), \\qquad
    h(w) = \\frac1n \\sum_{i=1}^n f(w; x_i), \\qquad H \\succ 0 .

Exact constants ("Gradient Descent Converges", "Stochastic Gradient Descent Convergence"):
:math:`\\nabla h(w) = H (w - \\bar x)`, so :math:`w^* = \\bar x`; :math:`\\nabla^2 h = H`, so
:math:`\\mu = \\lambda_{\\min}(H)` and :math:`L = \\lambda_{\\max}(H)`; the gradient noise
:math:`\\nabla f(w; x_i) - \\nabla h(w) = -H (x_i - \\bar x)` does not depend on :math:`w`, so

.. math::

    M = \\frac1n \\sum_i \\|H (x_i - \\bar x)\\|^2

is the exact (attained) noise second moment, and a minibatch of :math:`B` indices drawn with
replacement averages :math:`B` independent copies, giving :math:`M / B`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from sim.protocol import on_device
from sim.validation import finite_array, int_at_least, positive_float


class QuadraticSpec(NamedTuple):
    """A quadratic problem in the eigenbasis of ``H = Q diag(eigvals) Q^T``.

    With :math:`z = Q^T (w - w^*)` and :math:`c_i = Q^T (x_i - \\bar x)` (the rows of
    ``centered``), one SGD step with indices :math:`i_1..i_B` is
    :math:`z \\leftarrow (1 - \\alpha\\lambda) \\odot z
    + \\alpha\\lambda \\odot \\tfrac1B\\sum_b c_{i_b}`.
    """

    eigvals: np.ndarray
    eigvecs: np.ndarray
    centered: np.ndarray
    w_star: np.ndarray


class QuadraticProblem:
    """The finite sum :math:`h(w) = \\frac1n\\sum_i \\tfrac12 (w - x_i)^T H (w - x_i)`.

    Args:
        hessian: ``(d, d)`` symmetric positive definite matrix ``H``.
        data: ``(n, d)`` points ``x_i``.

    Attributes:
        mu, L, M: exact strong-convexity, smoothness and gradient-noise constants.
        w_star: ``(d,)`` the minimiser :math:`\\bar x`.
        dim, n: dimension and number of examples.
    """

    def __init__(self, *, hessian: Any, data: Any) -> None:
        h = finite_array("hessian", hessian, ndim=2)
        x = finite_array("data", data, ndim=2)
        d = h.shape[0]
        if h.shape != (d, d):
            raise ValueError(f"hessian must be square (d, d), got shape {h.shape}")
        if x.shape[1] != d:
            raise ValueError(f"data must have shape (n, {d}) to match hessian, got {x.shape}")
        scale = float(np.max(np.abs(h)))
        if float(np.max(np.abs(h - h.T))) > 1e-12 * scale:
            raise ValueError(
                "hessian must be symmetric positive definite; it is not symmetric "
                "(max |H - H^T| exceeds 1e-12 max |H|)"
            )
        h = (h + h.T) / 2
        eigvals, eigvecs = np.linalg.eigh(h)
        # Below d * eps * lambda_max the smallest eigenvalue is not resolved by float64.
        if not eigvals[0] > d * np.finfo(np.float64).eps * eigvals[-1]:
            raise ValueError(
                "hessian must be symmetric positive definite; its smallest "
                f"eigenvalue is {eigvals[0]:.3g} (must be > 0, and resolvable "
                f"relative to the largest, {eigvals[-1]:.3g})"
            )
        self.hessian = h
        self.data = x
        self.eigvals = eigvals
        self.eigvecs = eigvecs
        self.w_star = x.mean(axis=0)
        self.centered = (x - self.w_star) @ eigvecs
        self.dim = d
        self.n = x.shape[0]
        self.mu = float(eigvals[0])
        self.L = float(eigvals[-1])
        self._noise = np.mean(self.centered**2, axis=0)  # S_k = (1/n) sum_i c_ik^2
        self.M = float(np.sum(eigvals**2 * self._noise))

    def __repr__(self) -> str:
        return (
            f"QuadraticProblem(dim={self.dim}, n={self.n}, mu={self.mu:.6g}, "
            f"L={self.L:.6g}, M={self.M:.6g})"
        )

    def spec(self) -> QuadraticSpec:
        """The picklable numerical description used by the simulation engines."""
        return QuadraticSpec(
            self.eigvals.copy(), self.eigvecs.copy(), self.centered.copy(), self.w_star.copy()
        )

    def __getstate__(self) -> dict:
        # device copies made by sample_gradients are a cache, rebuilt where they are used
        return {k: v for k, v in self.__dict__.items() if k != "_device"}

    def sample_gradients(self, w: Any, idx: Any, xp: Any) -> Any:
        """:math:`\\nabla f(w_k; x_{i_k}) = H (w_k - x_{i_k})` for ``(N, d)`` ``w`` (protocol of
        :class:`sim.Problem`), row by row in ``w``'s dtype on ``xp``'s device."""
        h, x = on_device(self, xp, w.dtype, hessian=self.hessian, data=self.data)
        diff = w - xp.take(x, idx, axis=0)
        out = diff[:, :1] * h[0][None, :]
        for j in range(1, self.dim):
            out += diff[:, j:j + 1] * h[j][None, :]
        return out

    def gradient(self, w: Any) -> np.ndarray:
        """:math:`\\nabla h(w) = H (w - \\bar x)`."""
        return self.hessian @ (np.asarray(w, dtype=np.float64) - self.w_star)

    def _e0(self, w0: Any) -> np.ndarray:
        if w0 is None:
            return -self.w_star
        w = finite_array("w0", w0, ndim=1)
        if w.shape != (self.dim,):
            raise ValueError(f"w0 must have shape ({self.dim},), got {w.shape}")
        return w - self.w_star

    def eigen_moments(
        self, *, alpha: float, steps: int, w0: Any = None, batch: int = 1
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact first and second moments of each eigen-coordinate of the SGD error.

        Derivation. With :math:`z_t = Q^T(w_t - w^*)`, :math:`r_k = 1 - \\alpha\\lambda_k` and
        :math:`\\bar c_t = \\frac1B\\sum_b c_{i_{t,b}}` (indices uniform, with replacement,
        independent of :math:`z_t`), each coordinate evolves independently:
        :math:`z_{t+1,k} = r_k z_{t,k} + \\alpha\\lambda_k \\bar c_{t,k}`. Since
        :math:`\\mathbf E \\bar c_{t,k} = 0` and :math:`\\mathbf E \\bar c_{t,k}^2 = S_k / B`
        with :math:`S_k = \\frac1n\\sum_i c_{ik}^2`,

        .. math::

            \\mathbf E z_{t+1,k} = r_k \\mathbf E z_{t,k}, \\qquad
            \\mathbf E z_{t+1,k}^2 = r_k^2\\, \\mathbf E z_{t,k}^2 + \\alpha^2\\lambda_k^2 S_k / B ,

        (the cross term vanishes by independence), from :math:`z_{0,k} = (Q^T(w_0 - w^*))_k`.
        Summing over :math:`k` gives :meth:`exact_mean_sq_dist`; it equals the lecture's
        recursion when :math:`H = \\mu I`, since then
        :math:`\\sum_k\\alpha^2\\lambda_k^2 S_k = \\alpha^2 M`.

        Returns:
            ``(mean, second)``, each of shape ``(steps + 1, d)``.
        """
        alpha = positive_float("alpha", alpha)
        steps = int_at_least("steps", steps, 0)
        batch = int_at_least("batch", batch, 1)
        z = self.eigvecs.T @ self._e0(w0)
        r = 1.0 - alpha * self.eigvals
        noise = (alpha * self.eigvals) ** 2 * self._noise / batch
        mean = np.empty((steps + 1, self.dim))
        second = np.empty((steps + 1, self.dim))
        mean[0], second[0] = z, z * z
        with np.errstate(over="ignore", invalid="ignore"):
            for t in range(steps):
                mean[t + 1] = r * mean[t]
                second[t + 1] = r * r * second[t] + noise
        return mean, second

    def exact_mean_sq_dist(
        self, *, alpha: float, steps: int, w0: Any = None, batch: int = 1
    ) -> np.ndarray:
        """Exact :math:`\\mathbf E\\|w_t - w^*\\|^2`, ``t = 0..steps`` (:meth:`eigen_moments`)."""
        return self.eigen_moments(alpha=alpha, steps=steps, w0=w0, batch=batch)[1].sum(axis=1)

    def gd_path(self, *, alpha: float, steps: int, w0: Any = None) -> np.ndarray:
        """Gradient descent: :math:`w_t - w^* = Q\\,\\mathrm{diag}(1-\\alpha\\lambda)^t Q^T e_0`.

        By the slide "Stochastic Gradient Descent" ("in expectation, it's just gradient
        descent") this is also :math:`\\mathbf E[w_t]` for SGD on a quadratic.
        Here :math:`e_0 = w_0 - w^*`; shape ``(steps + 1, d)``.
        """
        mean, _ = self.eigen_moments(alpha=alpha, steps=steps, w0=w0)
        with np.errstate(over="ignore", invalid="ignore"):
            return self.w_star + mean @ self.eigvecs.T


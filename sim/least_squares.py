"""Per-sample least squares with a ridge term: SGD with state-dependent gradient noise.

.. math::

    f(w; i) = \\tfrac12 (a_i^\\top w - b_i)^2 + \\tfrac\\lambda2 \\|w\\|^2, \\qquad
    h(w) = \\frac1n \\sum_i f(w; i) = \\frac1{2n}\\|Aw - b\\|^2 + \\tfrac\\lambda2\\|w\\|^2 .

Exact constants. :math:`\\nabla^2 h = H = A^\\top A/n + \\lambda I`, so
:math:`w^* = H^{-1} A^\\top b / n`, :math:`\\mu = \\lambda_{\\min}(H)`,
:math:`L = \\lambda_{\\max}(H)`
(both exact; :math:`H \\succ 0` is required). Each :math:`f(\\cdot; i)` is
:math:`(\\|a_i\\|^2 + \\lambda)`-smooth; ``L_max`` is the largest of these.

Gradient noise. With :math:`e = w - w^*` and the residuals at the optimum
:math:`\\rho_i = a_i^\\top w^* - b_i`, the per-sample gradient is affine in :math:`e`,

.. math::

    \\nabla f(w; i) = P_i e + q_i, \\qquad P_i = a_i a_i^\\top + \\lambda I, \\quad
    q_i = \\rho_i a_i + \\lambda w^*, \\quad \\textstyle\\frac1n\\sum_i q_i = \\nabla h(w^*) = 0,

so the noise :math:`\\xi_i(w) = \\nabla f(w; i) - \\nabla h(w) = D_i e + q_i` with
:math:`D_i = a_i a_i^\\top - A^\\top A/n` has the exact covariance (:meth:`noise_covariance`)

.. math::

    C(w) = \\frac1n\\sum_i (D_i e + q_i)(D_i e + q_i)^\\top, \\qquad
    \\mathbf E\\|\\xi\\|^2 = \\operatorname{tr} C(w) = e^\\top K e + 2 e^\\top r + \\sigma_*^2,

:math:`K = \\frac1n\\sum_i D_i^2`, :math:`r = \\frac1n\\sum_i D_i q_i`,
:math:`\\sigma_*^2 = \\frac1n\\sum_i\\|q_i\\|^2` (the noise at the optimum). Unlike the quadratic
of :mod:`sim.quadratic`, this grows without bound in :math:`w` unless :math:`K = 0`, i.e. unless
every :math:`a_i a_i^\\top` equals :math:`A^\\top A/n` (all :math:`a_i` equal up to sign). So the
lecture's :math:`M = \\sup_w \\mathbf E\\|\\xi\\|^2` is ``math.inf`` in general (and the finite
:math:`\\sigma_*^2` when :math:`K = 0`); ``M`` holds that value, ``sigma_star_sq`` the noise at
the optimum, and :meth:`noise_covariance` the whole function. The lecture's bound needs a finite
:math:`M`, so it does not apply here; the exact second moment (:meth:`exact_moments`, from the
mean/covariance recursion of the random affine map in :mod:`sim.affine`) is the reference.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim import affine
from sim.protocol import on_device
from sim.schedules import as_array
from sim.validation import finite_array, int_at_least


class LeastSquaresProblem:
    """Ridge-regularised least squares, one example per sample (see the module docstring).

    Args:
        features: ``(n, d)`` matrix ``A`` with rows :math:`a_i`.
        targets: ``(n,)`` vector ``b``.
        l2: ridge weight :math:`\\lambda \\ge 0`; with 0, ``A`` must have full column rank.

    Attributes:
        mu, L: exact extreme eigenvalues of :math:`\\nabla^2 h`. L_max: largest per-sample
        smoothness :math:`\\max_i \\|a_i\\|^2 + \\lambda`. M: :math:`\\sup_w` of the noise second
        moment (``inf`` unless all :math:`a_i` agree up to sign). sigma_star_sq: the noise
        second moment at :math:`w^*`. w_star, dim, n.
    """

    def __init__(self, *, features: Any, targets: Any, l2: float = 0.0) -> None:
        a = finite_array("features", features, ndim=2)
        b = finite_array("targets", targets, ndim=1)
        if b.shape[0] != a.shape[0]:
            raise ValueError(f"targets must have shape ({a.shape[0]},) to match features, "
                             f"got {b.shape}")
        if isinstance(l2, bool) or not isinstance(l2, (int, float, np.floating, np.integer)):
            raise TypeError(f"l2 must be a real number, got {type(l2).__name__}")
        if not (np.isfinite(l2) and l2 >= 0):
            raise ValueError(f"l2 must be a finite number >= 0, got {l2}")
        self.features, self.targets, self.l2 = a, b, float(l2)
        self.n, self.dim = a.shape
        gram = a.T @ a / self.n
        hessian = gram + self.l2 * np.eye(self.dim)
        eig = np.linalg.eigvalsh(hessian)
        if not eig[0] > self.dim * np.finfo(np.float64).eps * eig[-1]:
            raise ValueError(f"A^T A / n + l2 I must be positive definite; its smallest "
                             f"eigenvalue is {eig[0]:.3g} (raise l2 or use features of full "
                             "column rank)")
        self.hessian = hessian
        self.mu, self.L = float(eig[0]), float(eig[-1])
        self.L_max = float(np.max(np.sum(a * a, axis=1))) + self.l2
        self.w_star = np.linalg.solve(hessian, a.T @ b / self.n)
        self._gram = gram
        self._q = (a @ self.w_star - b)[:, None] * a + self.l2 * self.w_star
        self.sigma_star_sq = float(np.mean(np.sum(self._q**2, axis=1)))
        D = a[:, :, None] * a[:, None, :] - gram
        self._K = np.einsum("iab,ibc->ac", D, D) / self.n
        scale = float(np.max(np.abs(a))) ** 4 + 1e-300
        flat = bool(np.max(np.abs(self._K)) <= 1e-12 * scale)
        self.M = self.sigma_star_sq if flat else math.inf
        self._device: dict = {}

    def __repr__(self) -> str:
        return (f"LeastSquaresProblem(dim={self.dim}, n={self.n}, l2={self.l2:.6g}, "
                f"mu={self.mu:.6g}, L={self.L:.6g}, M={self.M:.6g})")

    def __getstate__(self) -> dict:
        # device copies are a cache, rebuilt where the problem is used
        return {**self.__dict__, "_device": {}}

    def sample_gradients(self, w: Any, idx: Any, xp: Any) -> Any:
        """:math:`\\nabla f(w_k; i_k) = a_{i_k}(a_{i_k}^\\top w_k - b_{i_k}) + \\lambda w_k`.

        Row-wise (no matrix product across rows), in ``w``'s dtype, on ``xp``'s device.
        """
        a, b = on_device(self, xp, w.dtype, features=self.features, targets=self.targets)
        rows = xp.take(a, idx, axis=0)
        residual = (rows * w).sum(axis=1) - xp.take(b, idx)
        return rows * residual[:, None] + self.l2 * w

    def gradient(self, w: Any) -> np.ndarray:
        """:math:`\\nabla h(w) = H (w - w^*)`."""
        return self.hessian @ (np.asarray(w, dtype=np.float64) - self.w_star)

    def noise_covariance(self, w: Any) -> np.ndarray:
        """Exact :math:`C(w)`, the covariance of one sample's gradient at ``w`` (``(d, d)``)."""
        e = np.asarray(w, dtype=np.float64) - self.w_star
        a = self.features
        v = a * (a @ e)[:, None] - self._gram @ e + self._q
        return v.T @ v / self.n

    def affine_samples(self) -> affine.AffineSamples:
        """:math:`P_i = a_i a_i^\\top + \\lambda I` and :math:`q_i` (module docstring)."""
        a = self.features
        P = a[:, :, None] * a[:, None, :] + self.l2 * np.eye(self.dim)
        return affine.AffineSamples(P, self._q.copy())

    def exact_moments(self, *, alpha: Any, steps: int, w0: Any = None, batch: int = 1,
                      sampling: str = "with-replacement", momentum: float = 0.0,
                      average_from: int | None = None) -> affine.ExactMoments:
        """Exact moments of SGD with these options (:func:`sim.affine.exact_moments`).

        Exact for finite sums, for every ``alpha`` schedule, batch, momentum and averaging with
        ``"with-replacement"`` and ``"without-replacement"``; for ``"reshuffle"`` and
        ``"shuffle-once"`` by enumerating permutations, available for ``n <= 7`` only.
        Arguments as in :func:`sim.simulate`.
        """
        from sim.options import check_options

        steps = int_at_least("steps", steps, 0)
        opts = check_options(n=self.n, steps=steps, batch=batch, sampling=sampling,
                             momentum=momentum, average_from=average_from)
        w0 = np.zeros(self.dim) if w0 is None else finite_array("w0", w0, ndim=1)
        if w0.shape != (self.dim,):
            raise ValueError(f"w0 must have shape ({self.dim},), got {w0.shape}")
        return affine.exact_moments(self.affine_samples(), alpha=as_array(alpha, steps),
                                    e0=w0 - self.w_star, **opts)

    def exact_mean_sq_dist(self, **kwargs: Any) -> np.ndarray:
        """Exact :math:`\\mathbf E\\|w_t - w^*\\|^2`, ``t = 0..steps`` (:meth:`exact_moments`)."""
        return self.exact_moments(**kwargs).mean_sq_dist

"""L2-regularised logistic regression with valid (provable) constants mu, L, M.

.. math::

    f(w; i) = \\log\\bigl(1 + e^{-y_i a_i^T w}\\bigr) + \\tfrac{\\lambda}{2}\\|w\\|^2, \\qquad
    h(w) = \\frac1n \\sum_i f(w; i), \\qquad y_i \\in \\{-1, +1\\},\\ \\lambda > 0 .

Labels. Any two classes are accepted and mapped once, at construction, to :math:`\\pm1`
(:func:`binary_labels`): values in :math:`\\{-1, +1\\}` are kept; :math:`\\{0, 1\\}` and
booleans map 0/False to -1 and 1/True to +1; any other two values (numbers or strings) map the
smaller in sorted order to -1 and the larger to +1. ``classes`` records the original
(negative, positive) pair.

Constants (slide "Gradient Descent Converges": :math:`\\mu I \\preceq \\nabla^2 h \\preceq L I`):
with :math:`\\sigma(s) = 1/(1+e^{-s})`,
:math:`\\nabla^2 h(w) = \\frac1n\\sum_i \\sigma(m_i)(1-\\sigma(m_i))\\, a_i a_i^T + \\lambda I`
and :math:`0 < \\sigma(1-\\sigma) \\le 1/4`, hence :math:`\\mu = \\lambda` and
:math:`L = \\lambda + \\lambda_{\\max}(A^T A)/(4n)` are valid for every :math:`w`.

Noise bound (slide "Stochastic Gradient Descent Convergence": :math:`\\mathbf E\\|\\nabla f(w;x_i) -
\\nabla h(w)\\|^2 \\le M`). The regulariser's gradient :math:`\\lambda w` is the same in every
:math:`\\nabla f(w; i)` and cancels in :math:`g_i - \\bar g`, leaving
:math:`g_i = -y_i\\,\\sigma(-y_i a_i^T w)\\, a_i` with :math:`\\|g_i\\| \\le \\|a_i\\|` since
:math:`0 < \\sigma < 1`. For the uniform index, variance is at most the second moment, so

.. math::

    \\mathbf E\\|g_i - \\bar g\\|^2 = \\mathbf E\\|g_i\\|^2 - \\|\\bar g\\|^2
    \\le \\frac1n\\sum_i \\|a_i\\|^2 =: M \\quad\\text{for all } w .

A minibatch of :math:`B` indices drawn with replacement divides the bound by :math:`B`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from sim.protocol import on_device
from sim.validation import finite_array, int_at_least, positive_float


class LogisticSpec(NamedTuple):
    """Numerical description: ``features`` (n, d), ``labels`` (n,) in {-1, +1}, ``l2``, w*."""

    features: np.ndarray
    labels: np.ndarray
    l2: float
    w_star: np.ndarray


def binary_labels(labels: Any) -> tuple[np.ndarray, tuple]:
    """``(y, classes)``: the labels as float64 :math:`\\pm1` and the original (negative, positive)
    values, by the rule of the module docstring."""
    y = np.asarray(labels)
    if y.dtype.kind not in "biufUS":
        raise TypeError(f"labels must be numbers, booleans or strings, got dtype {y.dtype}")
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"labels must be a non-empty 1-dimensional array, got shape {y.shape}")
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise ValueError("labels must contain only finite values (no NaN or inf)")
    values = np.unique(y)
    if values.size > 2:
        raise ValueError(f"labels must take at most two values (two classes), got "
                         f"{values.size}: {values[:5].tolist()}")
    numeric = y.dtype.kind in "biuf"
    if numeric and set(values.tolist()) <= {-1, 1}:
        classes = (-1, 1)
    elif numeric and set(values.tolist()) <= {0, 1}:
        classes = (False, True) if y.dtype.kind == "b" else (0, 1)
    elif values.size == 2:
        classes = (values[0].item(), values[1].item())
    else:
        raise ValueError(f"labels with a single value must be -1, +1, 0 or 1 (which class it "
                         f"is is otherwise unknown), got {values[0].item()!r}")
    return np.where(y == classes[1], 1.0, -1.0), classes


def _sigmoid(s: np.ndarray) -> np.ndarray:
    # tanh form: no overflow for any finite s.
    return 0.5 * (1.0 + np.tanh(0.5 * s))


class LogisticRegressionProblem:
    """L2-regularised logistic regression on a fixed data set.

    Args:
        features: ``(n, d)`` feature matrix ``A``.
        labels: ``(n,)`` labels of two classes: -1/+1, 0/1, booleans or any two values
            (mapped once to -1/+1, see the module docstring).
        l2: regularisation strength ``lambda > 0``.

    Attributes:
        mu, L, M: valid constants (see the module docstring); w_star: the minimiser to float64
        accuracy (damped Newton); dim, n. labels: the labels as -1.0/+1.0; classes: the
        original (negative, positive) values.
    """

    def __init__(self, *, features: Any, labels: Any, l2: float) -> None:
        a = finite_array("features", features, ndim=2)
        y, self.classes = binary_labels(labels)
        if y.shape[0] != a.shape[0]:
            raise ValueError(
                f"labels must have shape ({a.shape[0]},) to match features, got {y.shape}"
            )
        self.l2 = positive_float("l2", l2)
        self.features = a
        self.labels = y
        self.n, self.dim = a.shape
        self._ya = y[:, None] * a
        self.mu = self.l2
        top = np.linalg.svd(a, compute_uv=False)[0]
        self.L = self.l2 + float(top) ** 2 / (4 * self.n)
        self.M = float(np.mean(np.sum(a * a, axis=1)))
        self.w_star = self._newton()

    def __repr__(self) -> str:
        return (
            f"LogisticRegressionProblem(dim={self.dim}, n={self.n}, mu={self.mu:.6g}, "
            f"L={self.L:.6g}, M={self.M:.6g})"
        )

    def spec(self) -> LogisticSpec:
        """The picklable numerical description used by the simulation engines."""
        return LogisticSpec(self.features.copy(), self.labels.copy(), self.l2, self.w_star.copy())

    def __getstate__(self) -> dict:
        # device copies made by sample_gradients are a cache, rebuilt where they are used
        return {k: v for k, v in self.__dict__.items() if k != "_device"}

    def sample_gradients(self, w: Any, idx: Any, xp: Any) -> Any:
        """:math:`\\nabla f(w_k; i_k) = -\\sigma(-y a^\\top w_k)\\, y a + \\lambda w_k` with
        :math:`(a, y)` example :math:`i_k`, for ``(N, d)`` ``w`` (protocol of
        :class:`sim.Problem`), row by row in ``w``'s dtype on ``xp``'s device."""
        (ya,) = on_device(self, xp, w.dtype, ya=self._ya)
        rows = xp.take(ya, idx, axis=0)
        weight = 0.5 - 0.5 * xp.tanh(0.5 * (rows * w).sum(axis=1))
        return self.l2 * w - rows * weight[:, None]

    def objective(self, w: Any) -> float:
        """:math:`h(w)`, with :math:`\\log(1+e^{-m}) = \\mathrm{logaddexp}(0, -m)` (no overflow)."""
        w = np.asarray(w, dtype=np.float64)
        return float(np.mean(np.logaddexp(0.0, -(self._ya @ w))) + 0.5 * self.l2 * (w @ w))

    def gradient(self, w: Any) -> np.ndarray:
        """:math:`\\nabla h(w) = -\\frac1n\\sum_i \\sigma(-y_i a_i^T w)\\, y_i a_i + \\lambda w`."""
        w = np.asarray(w, dtype=np.float64)
        s = _sigmoid(-(self._ya @ w))
        return -(s @ self._ya) / self.n + self.l2 * w

    def hessian(self, w: Any) -> np.ndarray:
        """:math:`\\nabla^2 h(w)`."""
        s = _sigmoid(self._ya @ np.asarray(w, dtype=np.float64))
        return (self.features.T * (s * (1 - s))) @ self.features / self.n + self.l2 * np.eye(
            self.dim
        )

    def _newton(self, max_iter: int = 200) -> np.ndarray:
        """Damped Newton with Armijo backtracking from 0, stopped on the gradient norm.

        Stops when :math:`\\|\\nabla h(w)\\|` reaches the float64 noise floor of its own
        evaluation, :math:`32\\,\\epsilon\\,(\\frac1n\\sum_i\\|a_i\\| + \\lambda\\|w\\|)`, or after
        three full Newton steps taken inside the quadratic-convergence region (gradient below
        :math:`10^{-8}` of that scale), where each step squares the error; then
        :math:`\\|w - w^*\\| \\le \\|\\nabla h(w)\\| / \\mu` by strong convexity.
        """
        w = np.zeros(self.dim)
        eps = np.finfo(np.float64).eps
        row_norm = float(np.mean(np.linalg.norm(self.features, axis=1)))
        polish = 0
        for _ in range(max_iter):
            g = self.gradient(w)
            scale = row_norm + self.l2 * float(np.linalg.norm(w)) + 1e-300
            gnorm = float(np.linalg.norm(g))
            if gnorm <= 32 * eps * scale or polish >= 3:
                return w
            step = np.linalg.solve(self.hessian(w), -g)
            h0, slope, t = self.objective(w), float(g @ step), 1.0
            while t > 1e-12 and self.objective(w + t * step) > h0 + 1e-4 * t * slope:
                t *= 0.5
            if gnorm <= 1e-8 * scale:
                t, polish = 1.0, polish + 1  # objective differences are below rounding here
            w = w + t * step
        raise RuntimeError(
            f"Newton's method did not converge in {max_iter} iterations "
            f"(|grad| = {np.linalg.norm(self.gradient(w)):.3g})"
        )

    def gd_path(self, *, alpha: float, steps: int, w0: Any = None) -> np.ndarray:
        """Full-gradient descent :math:`w_{t+1} = w_t - \\alpha\\nabla h(w_t)`, ``(steps+1, d)``."""
        alpha = positive_float("alpha", alpha)
        steps = int_at_least("steps", steps, 0)
        w = np.zeros(self.dim) if w0 is None else finite_array("w0", w0, ndim=1)
        if w.shape != (self.dim,):
            raise ValueError(f"w0 must have shape ({self.dim},), got {w.shape}")
        path = np.empty((steps + 1, self.dim))
        path[0] = w
        with np.errstate(over="ignore", invalid="ignore"):
            for t in range(steps):
                path[t + 1] = path[t] - alpha * self.gradient(path[t])
        return path

"""Argument checks shared by the theory modules: one clear line naming the parameter and range."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from sim.validation import finite_array, int_at_least, positive_float

__all__ = [
    "diverged",
    "eigen_noise",
    "finite_array",
    "int_at_least",
    "mu_L",
    "nonneg",
    "positive_float",
    "spectrum",
    "step_sizes",
    "symmetric_psd",
    "times",
]


def nonneg(name: str, value: Any) -> float:
    """A finite real number ``>= 0``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    x = float(value)
    if not (np.isfinite(x) and x >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return x


def mu_L(mu: Any, L: Any) -> tuple[float, float]:
    """``0 < mu <= L``."""
    mu, L = positive_float("mu", mu), positive_float("L", L)
    if mu > L:
        raise ValueError(f"mu must be <= L, got mu={mu}, L={L}")
    return mu, L


def step_sizes(alpha: float | np.ndarray | Callable[[int], float], steps: int) -> np.ndarray:
    """The steps :math:`\\alpha_0..\\alpha_{T-1}` from a float, a length-``T`` array or a callable
    ``t -> alpha_t`` (step ``t`` maps :math:`w_t` to :math:`w_{t+1}`); each finite and > 0."""
    steps = int_at_least("steps", steps, 0)
    if callable(alpha):
        values = np.array([float(alpha(t)) for t in range(steps)], dtype=np.float64)
    elif np.ndim(alpha) == 0:
        values = np.full(steps, positive_float("alpha", alpha))
    else:
        values = np.asarray(alpha, dtype=np.float64)
        if values.shape != (steps,):
            raise ValueError(f"alpha must be a number or have shape ({steps},), got {values.shape}")
    if not np.all(np.isfinite(values) & (values > 0)):
        raise ValueError("alpha must be finite and > 0 at every step")
    return values


def symmetric_psd(name: str, value: Any, *, definite: bool) -> np.ndarray:
    """A symmetric (positive semi)definite ``(d, d)`` matrix, symmetrised."""
    a = finite_array(name, value, ndim=2)
    d = a.shape[0]
    if a.shape != (d, d):
        raise ValueError(f"{name} must be square (d, d), got shape {a.shape}")
    scale = max(float(np.max(np.abs(a))), np.finfo(np.float64).tiny)
    if float(np.max(np.abs(a - a.T))) > 1e-12 * scale:
        raise ValueError(f"{name} must be symmetric (max |A - A^T| exceeds 1e-12 max |A|)")
    a = (a + a.T) / 2
    low = float(np.linalg.eigvalsh(a)[0])
    tol = d * np.finfo(np.float64).eps * scale
    if definite and not low > tol:
        raise ValueError(f"{name} must be positive definite; its smallest eigenvalue is {low:.3g}")
    if not definite and low < -tol:
        raise ValueError(
            f"{name} must be positive semidefinite; its smallest eigenvalue is {low:.3g}"
        )
    return a


def spectrum(eigvals: Any, noise_var: Any, e0_eig: Any = None) -> tuple[np.ndarray, ...]:
    """``(lambda, c)`` or ``(lambda, c, z0)``: eigenvalues ``> 0``, noise variances ``>= 0`` and
    the initial error in the eigenbasis, finite ``(d,)`` arrays of one shape."""
    arrays = [
        finite_array("eigvals", eigvals, ndim=1),
        finite_array("noise_var", noise_var, ndim=1),
    ]
    names = "eigvals (> 0) and noise_var (>= 0)"
    if e0_eig is not None:
        arrays.append(finite_array("e0_eig", e0_eig, ndim=1))
        names = "eigvals (> 0), noise_var (>= 0) and e0_eig"
    lam, c = arrays[0], arrays[1]
    if np.any(lam <= 0) or np.any(c < 0) or any(a.shape != lam.shape for a in arrays):
        raise ValueError(f"{names} must be (d,) arrays alike")
    return tuple(arrays)


def eigen_noise(hessian: Any, noise_cov: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(lambda, Q, c)``: eigenpairs of ``H`` and the noise variances ``c_k = (Q^T C Q)_kk``."""
    h = symmetric_psd("hessian", hessian, definite=True)
    c = symmetric_psd("noise_cov", noise_cov, definite=False)
    if c.shape != h.shape:
        raise ValueError(f"noise_cov must have shape {h.shape} to match hessian, got {c.shape}")
    lam, q = np.linalg.eigh(h)
    return lam, q, np.einsum("ik,ij,jk->k", q, c, q)


def times(a: Any, b: Any) -> np.ndarray:
    """Entrywise product with :math:`0\\cdot\\infty = 0`: a term with an exactly zero factor stays
    absent when the other factor overflowed (callers silence the overflow)."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    return np.where((a == 0) | (b == 0), 0.0, a * b)


def diverged(values: np.ndarray) -> np.ndarray:
    """Moments past the float range: every entry from the first non-finite one on is
    :math:`+\\infty` (for recursions that subtract, where ``inf - inf`` would give NaN)."""
    bad = ~np.isfinite(values)
    if bad.any():
        values = values.copy()
        values[int(np.argmax(bad)) :] = np.inf
    return values

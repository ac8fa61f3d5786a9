"""Statistical checks of a simulation against a bound or an exact value, at every step.

Basis. At step :math:`t` the estimate :math:`\\hat m_t` is the mean of :math:`N` i.i.d. copies
of :math:`\\|w_t - w^*\\|^2` and :math:`s_t` its estimated standard error. By the central limit
theorem (with Slutsky for the estimated :math:`s_t`), :math:`(\\hat m_t - m_t)/s_t` is
approximately standard normal. Testing all :math:`T+1` steps with the per-step threshold

.. math::

    z = \\Phi^{-1}\\bigl(1 - \\delta / (T+1)\\bigr) \\quad\\text{(one-sided)}, \\qquad
    z = \\Phi^{-1}\\bigl(1 - \\delta / (2(T+1))\\bigr) \\quad\\text{(two-sided)}

keeps the family-wise false-alarm probability at most :math:`\\delta` (Bonferroni; no
independence between steps is needed). The level is nominal under the normal approximation:
it is accurate when :math:`N` is large compared with the kurtosis of :math:`\\|w_t-w^*\\|^2`.
:math:`\\Phi^{-1}` is evaluated with mpmath at 50 digits,
:math:`\\Phi^{-1}(1-p) = \\sqrt2\\,\\mathrm{erfinv}(1 - 2p)`.

Rounding. A step whose estimate and reference agree to within ``rtol`` (relative, default
:math:`10^{-9}`, far above accumulated float64 rounding of :math:`10^{-12}` for :math:`10^3`
steps in dimension 10 and far below any statistical effect tested) counts as agreeing; beyond it
only the excess over that allowance is standardized. This handles steps with zero standard
error exactly (e.g. :math:`t = 0`, or noise-free problems where every trajectory is the same):
there the estimate must obey the reference up to ``rtol``, else the standardized excess is
infinite. ``atol`` (scalar or per step, default 0) adds an absolute allowance for references
that are exactly 0 but reached through rounding. A step at or after ``result.diverged_at``
counts as an infinite estimate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np


def normal_quantile_upper(p: float) -> float:
    """:math:`\\Phi^{-1}(1 - p)` for ``0 < p < 1``, via mpmath (50 significant digits)."""
    if not 0 < p < 1:
        raise ValueError(f"p must be in (0, 1), got {p}")
    with mpmath.workdps(50):
        return float(mpmath.sqrt(2) * mpmath.erfinv(1 - 2 * mpmath.mpf(p)))


def z_threshold(delta: float, tests: int, *, two_sided: bool = False) -> float:
    """Per-test threshold for family-wise false-alarm probability ``delta`` over ``tests`` tests."""
    if not 0 < delta < 1:
        raise ValueError(f"delta must be in (0, 1), got {delta}")
    if tests < 1:
        raise ValueError(f"tests must be >= 1, got {tests}")
    return normal_quantile_upper(delta / (tests * (2 if two_sided else 1)))


@dataclass(frozen=True)
class BoundCheck:
    """Outcome of :func:`check_upper_bound`.

    Attributes:
        passed: no step's standardized excess exceeds ``z_threshold``.
        delta: family-wise false-alarm probability. z_threshold: per-step threshold.
        worst_z, worst_z_step: largest standardized excess :math:`(\\hat m_t - b_t)/s_t`
            (after the rounding allowance) and its step.
        worst_ratio, worst_ratio_step: largest :math:`\\hat m_t / b_t` and its step.
        failing_steps: steps whose excess exceeds the threshold.
        estimate, stderr, bound: the compared arrays. rtol: rounding allowance.
    """

    passed: bool
    delta: float
    z_threshold: float
    worst_z: float
    worst_z_step: int
    worst_ratio: float
    worst_ratio_step: int
    failing_steps: np.ndarray
    estimate: np.ndarray = field(repr=False)
    stderr: np.ndarray = field(repr=False)
    bound: np.ndarray = field(repr=False)
    rtol: float


@dataclass(frozen=True)
class ExactCheck:
    """Outcome of :func:`check_exact` (two-sided); fields as in :class:`BoundCheck`, with
    ``worst_abs_z`` the largest :math:`|\\hat m_t - m_t|/s_t` and ``worst_step`` its step."""

    passed: bool
    delta: float
    z_threshold: float
    worst_abs_z: float
    worst_step: int
    worst_ratio: float
    worst_ratio_step: int
    failing_steps: np.ndarray
    estimate: np.ndarray = field(repr=False)
    stderr: np.ndarray = field(repr=False)
    exact: np.ndarray = field(repr=False)
    rtol: float


def standardized_excess(
    estimate: Any, stderr: Any, reference: Any, *, rtol: float = 1e-9, atol: Any = 0.0
) -> np.ndarray:
    """:math:`(\\hat m - r)/s` per step beyond a rounding allowance ``rtol * max(|r|, |m|) + atol``.

    Zero inside the allowance; ``+-inf`` outside it when :math:`s = 0`; ``+inf`` where the
    estimate is not finite (a diverged step) unless the reference is the same infinity.
    """
    est = np.asarray(estimate, dtype=np.float64)
    se = np.asarray(stderr, dtype=np.float64)
    ref = np.asarray(reference, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        diff = est - ref
        allow = rtol * np.maximum(np.abs(ref), np.abs(est)) + np.asarray(atol, dtype=np.float64)
        beyond = np.sign(diff) * np.maximum(np.abs(diff) - allow, 0.0)
        z = np.where(beyond == 0, 0.0, np.where(se > 0, beyond / se, np.sign(beyond) * np.inf))
    same_inf = np.isinf(est) & (est == ref)
    z = np.where(same_inf, 0.0, z)
    return np.where(np.isnan(z) | (~np.isfinite(est) & ~same_inf), np.inf, z)


def _ratio(est: np.ndarray, ref: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        r = np.where(ref > 0, est / np.where(ref > 0, ref, 1.0), np.where(est <= 0, 1.0, np.inf))
    return np.where(np.isnan(r), np.inf, r)


def _inputs(result: Any, reference: Any, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    est = np.array(result.mean_sq_dist, dtype=np.float64)
    se = np.array(result.stderr, dtype=np.float64)
    ref = np.asarray(reference, dtype=np.float64)
    if ref.shape != est.shape:
        raise ValueError(
            f"{name} must have shape {est.shape} (one value per step), got {ref.shape}"
        )
    if result.diverged_at is not None:
        est[result.diverged_at :] = np.inf
    return est, se, ref


def check_upper_bound(
    result: Any, bound: Any, *, delta: float = 1e-9, rtol: float = 1e-9, atol: Any = 0.0
) -> BoundCheck:
    """One-sided test that :math:`\\mathbf E\\|w_t-w^*\\|^2 \\le b_t` at every step ``t``.

    Rejects when some step has :math:`(\\hat m_t - b_t)/s_t > \\Phi^{-1}(1 - \\delta/(T+1))`
    (see the module docstring). A true bound is rejected with probability at most ``delta``.
    """
    est, se, ref = _inputs(result, bound, "bound")
    thr = z_threshold(delta, est.shape[0])
    z = standardized_excess(est, se, ref, rtol=rtol, atol=atol)
    ratio = _ratio(est, ref)
    return BoundCheck(
        passed=bool(np.all(z <= thr)),
        delta=delta,
        z_threshold=thr,
        worst_z=float(z.max()),
        worst_z_step=int(z.argmax()),
        worst_ratio=float(ratio.max()),
        worst_ratio_step=int(ratio.argmax()),
        failing_steps=np.flatnonzero(z > thr),
        estimate=est,
        stderr=se,
        bound=ref,
        rtol=rtol,
    )


def check_exact(
    result: Any, exact: Any, *, delta: float = 1e-9, rtol: float = 1e-9, atol: Any = 0.0
) -> ExactCheck:
    """Two-sided test that :math:`\\mathbf E\\|w_t-w^*\\|^2 = m_t` at every step ``t``.

    Rejects when some step has :math:`|\\hat m_t - m_t|/s_t > \\Phi^{-1}(1 - \\delta/(2(T+1)))`.
    """
    est, se, ref = _inputs(result, exact, "exact")
    thr = z_threshold(delta, est.shape[0], two_sided=True)
    z = np.abs(standardized_excess(est, se, ref, rtol=rtol, atol=atol))
    ratio = _ratio(est, ref)
    return ExactCheck(
        passed=bool(np.all(z <= thr)),
        delta=delta,
        z_threshold=thr,
        worst_abs_z=float(z.max()),
        worst_step=int(z.argmax()),
        worst_ratio=float(ratio.max()),
        worst_ratio_step=int(ratio.argmax()),
        failing_steps=np.flatnonzero(z > thr),
        estimate=est,
        stderr=se,
        exact=ref,
        rtol=rtol,
    )

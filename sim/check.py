"""Statistical checks of a simulation against exact values or a bound, with a verdict and a power.

Data. At step :math:`t` the estimate :math:`\\hat m_t` is the mean of :math:`N` i.i.d. copies of
:math:`X_t = \\|w_t - w^*\\|^2`, :math:`s_t` its estimated standard error and
:math:`\\hat\\sigma_t^2 = N s_t^2` the unbiased sample variance. A check tests the steps
:math:`t \\in S` (all steps by default); Bonferroni over them keeps the family-wise false-alarm
probability at most :math:`\\delta` without any independence between steps: each of the
:math:`K` sides tested (:math:`K = |S|` one-sided, :math:`2|S|` two-sided) gets
:math:`\\delta' = \\delta / K`.

Basis. The critical half-width :math:`h_t` at level :math:`\\delta'` is

- ``"finite-sample"`` when every value is known to lie in :math:`[0, U_t]`
  (``range_bound``, e.g. :mod:`sim.almost_sure`): the empirical Bernstein deviation
  :math:`h_t = \\sqrt{2\\hat\\sigma_t^2\\ln(2/\\delta')/N} + 7U_t\\ln(2/\\delta')/(3(N-1))`
  (:mod:`sim.bernstein`), valid for every :math:`N \\ge 2`. The sample maximum is compared with
  :math:`U_t` first; a value above it contradicts the hypothesis and fails the check outright.
- ``"clt"`` otherwise: :math:`h_t = \\Phi^{-1}(1-\\delta')\\, s_t`, nominal under the normal
  approximation (central limit theorem with Slutsky for the estimated :math:`s_t`). It is not
  trusted below :data:`CLT_MIN_COUNT` trajectories, where the verdict is "inconclusive".

A step rejects when its excess beyond the rounding allowance exceeds :math:`h_t`:
:math:`|\\hat m_t - r_t| - a_t > h_t` (two-sided) or :math:`\\hat m_t - r_t - a_t > h_t`
(one-sided), with :math:`a_t = \\mathrm{rtol}\\max(|r_t|, |\\hat m_t|) + \\mathrm{atol}`
(``rtol`` :math:`10^{-9}` by default, far above float64 rounding accumulated over :math:`10^3`
steps and far below any statistical effect; it also makes steps with :math:`s_t = 0`, such as
:math:`t = 0`, exact comparisons). A step at or after ``diverged_at`` counts as an infinite
estimate.

Power. The minimum detectable error (mde) is the smallest relative error :math:`\\varepsilon`
such that if the true mean at any one tested step is :math:`m_t = r_t(1 \\pm \\varepsilon)`
(beyond the reference, on a side the check tests), that step rejects with probability at least
:data:`POWER`:

.. math::

    \\mathrm{mde}_t = \\frac{h_t + z_{\\beta}\\, s_t + a_t}{|r_t|}, \\qquad
    \\mathrm{mde} = \\max_{t \\in S,\\ r_t \\ne 0} \\mathrm{mde}_t, \\qquad
    z_\\beta = \\Phi^{-1}(0.99) \\approx 2.326 .

Derivation: the step rejects when :math:`\\hat m_t - r_t > h_t + a_t`; under the alternative
:math:`\\hat m_t - r_t = \\varepsilon |r_t| + (\\hat m_t - m_t)`, and
:math:`\\Pr[\\hat m_t - m_t \\ge -z_\\beta s_t] \\ge 0.99`, so
:math:`\\varepsilon |r_t| \\ge h_t + a_t + z_\\beta s_t` suffices. The power statement is to
first order: it uses the normal approximation of :math:`\\hat m_t` and the estimated
:math:`s_t`, :math:`h_t` in place of their values under the alternative.

Verdict. "fail" when a step is certainly wrong (a diverged estimate, or a value above
:math:`U_t`), or when a tested step rejects on a basis that holds at this sample size (any
:math:`N` for finite-sample, :math:`N \\ge` :data:`CLT_MIN_COUNT` for clt): the false-alarm
probability is then at most :math:`\\delta`, whatever the power. Otherwise "inconclusive" when
the mde exceeds ``tolerance`` or the basis does not hold (too little data is evidence neither
way), and "pass" when nothing rejects with mde within ``tolerance``. ``passed`` is "no step
rejects", whatever the power.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from typing import Any

import mpmath
import numpy as np

from sim import almost_sure, bernstein

POWER = 0.99
"""Probability with which an error of the size of the mde is detected."""

CLT_MIN_COUNT = 1000
"""Fewest trajectories for which a check on the normal approximation gives a verdict."""

DEFAULT_TOLERANCE = 0.05
"""Default largest mde (relative) for which a check decides."""


@functools.lru_cache(maxsize=1024)
def normal_quantile_upper(p: float) -> float:
    """:math:`\\Phi^{-1}(1 - p)` for ``0 < p < 1``, via mpmath (50 significant digits; cached)."""
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
class Sample:
    """Per-step summary of ``count`` i.i.d. values: what every check needs (NumPy arrays).

    Attributes:
        estimate: ``(T+1,)`` sample means. stderr: ``(T+1,)`` standard errors of the means.
        count: number of values per step. maximum: ``(T+1,)`` largest value per step (needed
        for a finite-sample check). diverged_at: first step whose estimate is infinite, or None.
    """

    estimate: np.ndarray
    stderr: np.ndarray
    count: int
    maximum: np.ndarray | None = None
    diverged_at: int | None = None

    @classmethod
    def of(cls, result: Any) -> Sample:
        """The sample of a :class:`sim.SimulationResult`, a :class:`sim.result.Trace` (the
        averaged iterates' statistics) or anything with their fields."""
        if isinstance(result, Sample):
            return result
        count = getattr(result, "trajectories", None)
        if count is None and hasattr(result, "moments"):
            count = result.moments.count
        if count is None:
            raise TypeError(f"{type(result).__name__} has no trajectories count; pass a Sample")
        mx = getattr(result, "max_sq_dist", None)
        return cls(np.asarray(result.mean_sq_dist, dtype=np.float64),
                   np.asarray(result.stderr, dtype=np.float64), int(count),
                   None if mx is None else np.asarray(mx, dtype=np.float64),
                   getattr(result, "diverged_at", None))


@dataclass(frozen=True)
class Check:
    """Outcome of a check (fields shared by every kind).

    Attributes:
        kind: "exact", "upper-bound" or "violation". passed: no tested step rejects.
        verdict: "pass", "fail" or "inconclusive" (module docstring).
        basis: "finite-sample" or "clt"; method: "empirical-bernstein" or "normal".
        mde, mde_step: minimum detectable relative error and the step that sets it.
        tolerance: largest mde for which the check decides. delta: family-wise false-alarm
        probability. count: values per step. z_threshold: the normal quantile at the per-side
        level (the clt threshold, shown for every basis).
        worst_score, worst_score_step: largest excess / half-width (a step rejects above 1).
        worst_ratio, worst_ratio_step: largest :math:`\\hat m_t / r_t` over the tested steps.
        failing_steps: tested steps that reject. range_exceeded_steps: steps whose maximum
        exceeds the range bound. tested_steps, halfwidth, mde_steps, estimate, stderr,
        reference: the arrays compared. rtol: rounding allowance.
    """

    kind: str
    passed: bool
    verdict: str
    basis: str
    method: str
    mde: float
    mde_step: int
    tolerance: float
    delta: float
    count: int
    z_threshold: float
    worst_score: float
    worst_score_step: int
    worst_ratio: float
    worst_ratio_step: int
    failing_steps: np.ndarray
    range_exceeded_steps: np.ndarray
    tested_steps: np.ndarray = field(repr=False)
    halfwidth: np.ndarray = field(repr=False)
    mde_steps: np.ndarray = field(repr=False)
    estimate: np.ndarray = field(repr=False)
    stderr: np.ndarray = field(repr=False)
    reference: np.ndarray = field(repr=False)
    rtol: float


@dataclass(frozen=True)
class BoundCheck(Check):
    """Outcome of :func:`check_upper_bound` / :func:`check_violation`; ``worst_z`` is the
    largest standardized excess :math:`(\\hat m_t - b_t)/s_t` beyond the allowance."""

    worst_z: float = 0.0
    worst_z_step: int = 0

    @property
    def bound(self) -> np.ndarray:
        return self.reference


@dataclass(frozen=True)
class ExactCheck(Check):
    """Outcome of :func:`check_exact`; ``worst_abs_z`` is the largest
    :math:`|\\hat m_t - m_t|/s_t` beyond the allowance, at ``worst_step``."""

    worst_abs_z: float = 0.0
    worst_step: int = 0

    @property
    def exact(self) -> np.ndarray:
        return self.reference


def standardized_excess(
    estimate: Any, stderr: Any, reference: Any, *, rtol: float = 1e-9, atol: Any = 0.0
) -> np.ndarray:
    """:math:`(\\hat m - r)/s` per step beyond a rounding allowance ``rtol * max(|r|, |m|) + atol``.

    Zero inside the allowance; ``+-inf`` outside it when :math:`s = 0`; ``+inf`` where the
    estimate is not finite (a diverged step) unless the reference is the same infinity.
    """
    est, ref = np.asarray(estimate, dtype=np.float64), np.asarray(reference, dtype=np.float64)
    se = np.asarray(stderr, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        beyond = _beyond(est, ref, rtol, atol)
        z = np.where(beyond == 0, 0.0, np.where(se > 0, beyond / se, np.sign(beyond) * np.inf))
    # A non-finite estimate gives a NaN excess (inf - inf) unless it equals the reference.
    z = np.where(np.isinf(est) & (est == ref), 0.0, z)
    return np.where(np.isnan(z), np.inf, z)


def _beyond(est: np.ndarray, ref: np.ndarray, rtol: float, atol: Any) -> np.ndarray:
    diff = est - ref
    allow = rtol * np.maximum(np.abs(ref), np.abs(est)) + np.asarray(atol, dtype=np.float64)
    return np.sign(diff) * np.maximum(np.abs(diff) - allow, 0.0)


def _ratio(est: np.ndarray, ref: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", over="ignore"):  # inf / inf, huge / tiny
        r = np.where(ref > 0, est / np.where(ref > 0, ref, 1.0), np.where(est <= 0, 1.0, np.inf))
    return np.where(np.isnan(r), np.inf, r)


def _tested(steps: Any, size: int) -> np.ndarray:
    if steps is None:
        return np.arange(size)
    idx = np.unique(np.asarray(steps, dtype=np.int64).ravel())
    if idx.size == 0 or idx[0] < 0 or idx[-1] >= size:
        raise ValueError(f"steps must be a non-empty set of steps in [0, {size - 1}]")
    return idx


def _run(sample: Any, reference: Any, *, kind: str, two_sided: bool, delta: float,
         tolerance: float, steps: Any, range_bound: Any, rtol: float,
         atol: Any) -> tuple[dict, np.ndarray, np.ndarray]:
    """The computation shared by every check: the fields of :class:`Check`, the standardized
    excess at the tested steps, and the tested steps."""
    s = Sample.of(sample)
    est, se = np.array(s.estimate, dtype=np.float64), np.asarray(s.stderr, dtype=np.float64)
    ref = np.asarray(reference, dtype=np.float64)
    if ref.shape != est.shape:
        raise ValueError(f"reference must have shape {est.shape} (one value per step), "
                         f"got {ref.shape}")
    if not 0 < delta < 1:
        raise ValueError(f"delta must be in (0, 1), got {delta}")
    if not tolerance > 0:
        raise ValueError(f"tolerance must be > 0, got {tolerance}")
    if s.count < 2:
        raise ValueError(f"count must be >= 2, got {s.count}")
    if s.diverged_at is not None:
        est[s.diverged_at:] = np.inf
    tested = _tested(steps, est.shape[0])
    level = delta / (tested.size * (2 if two_sided else 1))
    z_thr = normal_quantile_upper(level)
    if range_bound is None:
        basis, method = "clt", "normal"
        half = z_thr * se
        exceeded = np.empty(0, dtype=np.int64)
    else:
        basis, method = "finite-sample", "empirical-bernstein"
        upper = np.broadcast_to(np.asarray(range_bound, dtype=np.float64), est.shape)
        if s.maximum is None:
            raise ValueError("a finite-sample check needs the sample maximum of every step")
        with np.errstate(over="ignore", invalid="ignore"):  # steps of a diverging run
            half = bernstein.deviation(se * se * s.count, s.count, upper, level)
        exceeded = almost_sure.exceeds(s.maximum, upper)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        beyond = _beyond(est, ref, rtol, atol)
        excess = np.abs(beyond) if two_sided else beyond
        excess = np.where(np.isfinite(est), excess, np.inf)
        score = np.where(excess <= 0, 0.0, excess / half)
        score = np.where(np.isnan(score), np.inf, score)
        allow = rtol * np.abs(ref) + np.asarray(atol, dtype=np.float64)
        mde_steps = (half + normal_quantile_upper(1 - POWER) * se + allow) / np.abs(ref)
    z = standardized_excess(est, se, ref, rtol=rtol, atol=atol)
    sub = score[tested]
    usable = tested[(ref[tested] != 0) & np.isfinite(mde_steps[tested])]
    mde_step = int(usable[np.argmax(mde_steps[usable])]) if usable.size else -1
    mde = float(mde_steps[mde_step]) if usable.size else float("inf")
    rejected = bool(np.any(sub > 1))
    certain = exceeded.size > 0 or not np.all(np.isfinite(est[tested]))
    valid = basis == "finite-sample" or s.count >= CLT_MIN_COUNT
    if certain or (rejected and valid):
        verdict = "fail"
    elif not valid or not mde <= tolerance:
        verdict = "inconclusive"
    else:
        verdict = "pass"
    ratio = _ratio(est, ref)[tested]
    return dict(
        kind=kind, passed=not rejected and not certain, verdict=verdict, basis=basis,
        method=method, mde=mde, mde_step=mde_step, tolerance=float(tolerance),
        delta=float(delta), count=int(s.count), z_threshold=z_thr,
        worst_score=float(sub.max()), worst_score_step=int(tested[np.argmax(sub)]),
        worst_ratio=float(ratio.max()), worst_ratio_step=int(tested[np.argmax(ratio)]),
        failing_steps=tested[sub > 1], range_exceeded_steps=exceeded, tested_steps=tested,
        halfwidth=half, mde_steps=mde_steps, estimate=est, stderr=se, reference=ref, rtol=rtol,
    ), z[tested], tested


def check_upper_bound(sample: Any, bound: Any, *, delta: float = 1e-9,
                      tolerance: float = DEFAULT_TOLERANCE, steps: Any = None,
                      range_bound: Any = None, rtol: float = 1e-9,
                      atol: Any = 0.0) -> BoundCheck:
    """One-sided test that :math:`\\mathbf E\\|w_t-w^*\\|^2 \\le b_t` at every tested step.

    Args:
        sample: a :class:`Sample` or a simulation result.
        bound: ``(T+1,)`` the bound :math:`b_t`.
        delta: family-wise false-alarm probability. tolerance: largest mde that decides.
        steps: steps to test (default all).
        range_bound: ``(T+1,)`` almost-sure upper bound on every value (finite-sample basis);
            None for the clt basis.
        rtol, atol: rounding allowance (module docstring).
    """
    fields, z, tested = _run(sample, bound, kind="upper-bound", two_sided=False, delta=delta,
                             tolerance=tolerance, steps=steps, range_bound=range_bound,
                             rtol=rtol, atol=atol)
    return BoundCheck(**fields, worst_z=float(z.max()), worst_z_step=int(tested[np.argmax(z)]))


def check_exact(sample: Any, exact: Any, *, delta: float = 1e-9,
                tolerance: float = DEFAULT_TOLERANCE, steps: Any = None,
                range_bound: Any = None, rtol: float = 1e-9, atol: Any = 0.0) -> ExactCheck:
    """Two-sided test that :math:`\\mathbf E\\|w_t-w^*\\|^2 = m_t` at every tested step.

    Arguments as in :func:`check_upper_bound`, with ``exact`` the values :math:`m_t`.
    """
    fields, z, tested = _run(sample, exact, kind="exact", two_sided=True, delta=delta,
                             tolerance=tolerance, steps=steps, range_bound=range_bound,
                             rtol=rtol, atol=atol)
    z = np.abs(z)
    return ExactCheck(**fields, worst_abs_z=float(z.max()), worst_step=int(tested[np.argmax(z)]))


def check_violation(sample: Any, bound: Any, predicted: Any, *, delta: float = 1e-9,
                    steps: Any = None, range_bound: Any = None, rtol: float = 1e-9,
                    atol: Any = 0.0) -> BoundCheck:
    """Test that a bound is violated where theory predicts it: the one-sided check must reject.

    ``predicted`` is the true :math:`\\mathbf E\\|w_t-w^*\\|^2` (e.g. exact, for a quadratic).
    Verdict: "pass" when the bound is rejected (at family-wise level ``delta``); otherwise
    "fail" when the check had the power to see the predicted violation, i.e. some tested step has
    predicted relative excess :math:`(m_t - b_t)/b_t \\ge \\mathrm{mde}_t`, and "inconclusive"
    when it had not (or a clt check has fewer than :data:`CLT_MIN_COUNT` trajectories).
    ``tolerance`` is the largest predicted relative excess over the tested steps.
    """
    b = np.asarray(bound, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        excess = (np.asarray(predicted, dtype=np.float64) - b) / b
    out = check_upper_bound(sample, b, delta=delta, steps=steps, range_bound=range_bound,
                            rtol=rtol, atol=atol)
    tested = out.tested_steps
    visible = bool(np.any(excess[tested] >= out.mde_steps[tested]))
    if out.range_exceeded_steps.size:
        verdict = "fail"
    elif out.basis == "clt" and out.count < CLT_MIN_COUNT:
        verdict = "inconclusive"
    elif not out.passed:
        verdict = "pass"
    else:
        verdict = "fail" if visible else "inconclusive"
    largest = excess[tested][np.isfinite(excess[tested])]
    return replace(out, kind="violation", verdict=verdict,
                   tolerance=float(largest.max()) if largest.size else 0.0)

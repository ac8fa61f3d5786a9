"""The outcome of :func:`sim.simulate`: Monte Carlo estimates with their standard errors."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from sim.stats import Moments


@dataclass(frozen=True, eq=False)
class Trace:
    """Per-step statistics of one sequence of iterates (NumPy arrays, ``t = 0..steps``).

    Attributes:
        mean_sq_dist: ``(T+1,)`` estimate of :math:`\\mathbf E\\|v_t - w^*\\|^2`.
        stderr: ``(T+1,)`` its standard error :math:`\\hat\\sigma_t/\\sqrt N`.
        mean_w: ``(T+1, d)`` estimate of :math:`\\mathbf E[v_t]`.
        max_sq_dist: ``(T+1,)`` largest :math:`\\|v_t - w^*\\|^2` over the trajectories.
        moments: the merged raw moments (:class:`sim.stats.Moments`).
        diverged_at: first step from which the statistics are NaN because a trajectory
            diverged, or None.
        final_sq_dist: ``(N,)`` each trajectory's :math:`\\|v_T - w^*\\|^2` in trajectory order
            (``keep_final=True``; all NaN after a divergence), else None.
        first_step: the step of the first entry (0, or ``k`` after :meth:`since`).
    """

    mean_sq_dist: np.ndarray
    stderr: np.ndarray
    mean_w: np.ndarray
    max_sq_dist: np.ndarray
    moments: Moments = field(repr=False)
    diverged_at: int | None = None
    final_sq_dist: np.ndarray | None = field(default=None, repr=False)
    first_step: int = 0

    def since(self, step: int) -> Trace:
        """The statistics of steps ``step..T`` (e.g. from the first averaged step), with
        ``diverged_at`` counted from there, for :func:`sim.check.check_exact` and friends."""
        if not 0 <= step - self.first_step < self.mean_sq_dist.shape[0]:
            raise ValueError(f"step must be in [{self.first_step}, "
                             f"{self.first_step + self.mean_sq_dist.shape[0] - 1}], got {step}")
        k = step - self.first_step
        m = self.moments
        return replace(
            self, mean_sq_dist=self.mean_sq_dist[k:], stderr=self.stderr[k:],
            mean_w=self.mean_w[k:], max_sq_dist=self.max_sq_dist[k:],
            moments=Moments(m.count, m.mean_sq[k:], m.m2_sq[k:], m.mean_w[k:], m.max_sq[k:]),
            diverged_at=None if self.diverged_at is None else max(0, self.diverged_at - k),
            first_step=step)


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Per-step Monte Carlo statistics of SGD trajectories (NumPy arrays, ``t = 0..steps``).

    Attributes:
        mean_sq_dist: ``(T+1,)`` estimate of :math:`\\mathbf E\\|w_t - w^*\\|^2`.
        stderr: ``(T+1,)`` its standard error :math:`\\hat\\sigma_t/\\sqrt N`.
        mean_w: ``(T+1, d)`` estimate of the mean iterate :math:`\\mathbf E[w_t]`.
        max_sq_dist: ``(T+1,)`` largest :math:`\\|w_t - w^*\\|^2` over the trajectories.
        moments: the merged raw moments (:class:`sim.stats.Moments`).
        diverged_at: first step at which some trajectory became non-finite or exceeded the
            overflow guard (:data:`sim.engines.OVERFLOW_GUARD`); every statistic from that step
            on is NaN. None when all trajectories stayed finite.
        averaged: with ``average_from=k``, the :class:`Trace` of the Polyak-Ruppert average
            :math:`\\bar w_t = \\frac{1}{t-k+1}\\sum_{s=k}^t w_s` (NaN before ``k``); else None.
        final_sq_dist: ``(N,)`` each trajectory's final :math:`\\|w_T - w^*\\|^2`
            (``keep_final=True``), else None.
        alpha: the step size (a float) or the ``(T,)`` schedule actually used.
        trajectories, steps, batch, seed, w0, sampling, momentum, average_from, dtype,
        backend, engine, device, elapsed_s: the run's parameters and provenance.
        problem: the problem object (None after :meth:`load`); problem_info: its type, repr,
        dim, n, w_star and whichever of mu, L, M it has (kept by :meth:`save`).
    """

    mean_sq_dist: np.ndarray
    stderr: np.ndarray
    mean_w: np.ndarray
    max_sq_dist: np.ndarray
    moments: Moments
    trajectories: int
    steps: int
    alpha: float | np.ndarray
    batch: int
    seed: int
    w0: np.ndarray
    backend: str
    engine: str
    device: str
    diverged_at: int | None
    elapsed_s: float
    problem: Any
    sampling: str = "with-replacement"
    momentum: float = 0.0
    average_from: int | None = None
    dtype: str = "float64"
    averaged: Trace | None = None
    final_sq_dist: np.ndarray | None = None
    problem_info: dict = field(default_factory=dict)

    @property
    def diverged(self) -> bool:
        """True when some trajectory diverged (see ``diverged_at``)."""
        return self.diverged_at is not None

    @property
    def trace(self) -> Trace:
        """The iterates' statistics as a :class:`Trace` (the same arrays as the attributes)."""
        return Trace(self.mean_sq_dist, self.stderr, self.mean_w, self.max_sq_dist,
                     self.moments, self.diverged_at, self.final_sq_dist)

    def save(self, path: Any) -> None:
        """Write the result to ``path`` (an ``.npz`` archive with a JSON header; no pickle).

        Written to a temporary file beside ``path`` and renamed, so an interrupted save leaves
        any previous file intact. See :mod:`sim.result_io` for the format.
        """
        from sim.result_io import save

        save(self, path)

    @classmethod
    def load(cls, path: Any) -> SimulationResult:
        """Read a result written by :meth:`save` (``problem`` is None; see ``problem_info``)."""
        from sim.result_io import load

        return load(path)

    def plot(self, *, reference: Any = None, ax: Any = None, z: float = 1.96) -> Any:
        """Draw :math:`\\mathbf E\\|w_t - w^*\\|^2` with a pointwise band of ``z`` standard
        errors, the averaged iterate when present, and ``reference`` curves.

        Args:
            reference: None, a ``(T+1,)`` array, or a mapping label -> ``(T+1,)`` array (exact
                values or bounds), drawn dashed.
            ax: a matplotlib Axes to draw into; default a new Figure (no pyplot state).
            z: half-width of the band in standard errors (1.96: 95% pointwise).

        Returns:
            The matplotlib Figure.
        """
        from sim.result_plot import plot

        return plot(self, reference=reference, ax=ax, z=z)

    def _alpha_text(self) -> str:
        if np.ndim(self.alpha) == 0:
            return f"{float(self.alpha):.6g}"
        a = np.asarray(self.alpha)
        return f"schedule {a[0]:.3g}..{a[-1]:.3g}" if a.size else "schedule (empty)"

    def __repr__(self) -> str:
        tail = f", diverged_at={self.diverged_at}" if self.diverged else ""
        extra = "" if self.sampling == "with-replacement" else f", sampling={self.sampling!r}"
        if self.momentum:
            extra += f", momentum={self.momentum:g}"
        if self.average_from is not None:
            extra += f", average_from={self.average_from}"
        if self.dtype != "float64":
            extra += f", dtype={self.dtype!r}"
        return (
            f"SimulationResult(trajectories={self.trajectories}, steps={self.steps}, "
            f"alpha={self._alpha_text()}, batch={self.batch}{extra}, engine={self.engine!r}, "
            f"backend={self.backend!r}, final E|w-w*|^2={self.mean_sq_dist[-1]:.6g} "
            f"+- {self.stderr[-1]:.2g}{tail})"
        )

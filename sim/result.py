"""The outcome of :func:`sim.simulate`: Monte Carlo estimates with their standard errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.stats import Moments


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
        trajectories, steps, alpha, batch, seed, w0, backend, engine, device, elapsed_s,
        problem: the run's parameters and provenance.
    """

    mean_sq_dist: np.ndarray
    stderr: np.ndarray
    mean_w: np.ndarray
    max_sq_dist: np.ndarray
    moments: Moments
    trajectories: int
    steps: int
    alpha: float
    batch: int
    seed: int
    w0: np.ndarray
    backend: str
    engine: str
    device: str
    diverged_at: int | None
    elapsed_s: float
    problem: Any

    @property
    def diverged(self) -> bool:
        """True when some trajectory diverged (see ``diverged_at``)."""
        return self.diverged_at is not None

    def __repr__(self) -> str:
        tail = f", diverged_at={self.diverged_at}" if self.diverged else ""
        return (
            f"SimulationResult(trajectories={self.trajectories}, steps={self.steps}, "
            f"alpha={self.alpha:.6g}, batch={self.batch}, engine={self.engine!r}, "
            f"backend={self.backend!r}, final E|w-w*|^2={self.mean_sq_dist[-1]:.6g} "
            f"+- {self.stderr[-1]:.2g}{tail})"
        )

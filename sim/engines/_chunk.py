"""Argument handling shared by the engines that take a problem spec directly (numba, CuPy)."""

from __future__ import annotations

import numpy as np

from sim import rng
from sim.logistic import LogisticSpec
from sim.quadratic import QuadraticSpec
from sim.stats import BLOCK
from sim.validation import int_at_least, positive_float


def spec_kind(spec) -> str:
    """``"quadratic"`` or ``"logistic"`` for a problem spec; TypeError otherwise."""
    if isinstance(spec, QuadraticSpec):
        return "quadratic"
    if isinstance(spec, LogisticSpec):
        return "logistic"
    raise TypeError(f"spec must be a QuadraticSpec or LogisticSpec, got {type(spec).__name__}")


def check_chunk(spec, *, alpha, steps, start, count, batch, e0) -> np.ndarray:
    """Validate the arguments shared by the fused engines; return ``e0`` as float64 ``(d,)``."""
    positive_float("alpha", alpha)
    int_at_least("steps", steps, 0)
    int_at_least("count", count, 1)
    int_at_least("batch", batch, 1)
    if int_at_least("start", start, 0) % BLOCK:
        raise ValueError(f"start must be a multiple of BLOCK={BLOCK}, got {start}")
    d = np.shape(spec.w_star)[0]
    e0 = np.asarray(e0, dtype=np.float64)
    if e0.shape != (d,):
        raise ValueError(f"e0 must have shape ({d},), got {e0.shape}")
    n = (spec.centered if spec_kind(spec) == "quadratic" else spec.features).shape[0]
    if not 1 <= n <= rng.MAX_N:
        raise ValueError(f"number of data points must be in [1, {rng.MAX_N}], got {n}")
    return e0

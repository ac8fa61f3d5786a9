"""Simulation engines: interchangeable kernels that advance one chunk of trajectories.

An engine module exposes ``available() -> bool`` and
``run_chunk(spec, *, alpha, steps, seed, start, count, batch, e0) -> ChunkResult`` for the
trajectories ``start .. start + count - 1`` (``start`` a multiple of :data:`sim.stats.BLOCK`);
its per-block statistics follow :func:`sim.stats.block_reduce`. Modules are imported lazily, so
an engine whose dependency is missing simply reports itself unavailable.

An engine may declare ``SUPPORTS``, the set of :data:`FEATURES` it runs beyond constant-step,
with-replacement, float64 SGD on the built-in problems' specs; it then receives the matching
keyword arguments of ``run_chunk`` (``alpha`` as an array for a schedule). Without ``SUPPORTS``
an engine runs only that base case.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import NamedTuple

import numpy as np

ENGINES: dict[str, str] = {
    "array": "sim.engines.array",
    "numba": "sim.engines.numba_cpu",
    "cupy-fused": "sim.engines.cupy_fused",
}

FEATURES = ("protocol", "schedule", "sampling", "momentum", "average_from", "dtype", "keep_final")
"""What a run may need beyond the base case: a protocol problem (no ``spec()``), a step-size
schedule, a sampling other than with replacement, momentum, averaging, float32, final values."""

OVERFLOW_GUARD = 1e150
"""A trajectory with :math:`\\|w_t - w^*\\|^2` above this (or non-finite) has diverged; squaring
its error again could overflow float64, so the step is reported instead."""


class ChunkResult(NamedTuple):
    """Per-block statistics of one chunk (NumPy arrays; ``nb`` blocks, ``T + 1`` steps).

    Attributes:
        count: ``(nb,)`` trajectories per block.
        mean, m2, max: ``(T + 1, nb)`` mean, sum of squared deviations and maximum of
            :math:`\\|w_t - w^*\\|^2` per block.
        mean_e: ``(T + 1, nb, d)`` mean of :math:`w_t - w^*` in the original coordinates.
        diverged_at: first step at which a trajectory of the chunk became non-finite or
            exceeded :data:`OVERFLOW_GUARD`, else None; statistics from that step on are NaN.
        averaged: the same statistics of the Polyak-Ruppert average (NaN before its first
            step), or None without averaging.
        final: ``(count,)`` the final :math:`\\|w_T - w^*\\|^2` of each trajectory (NaN after a
            divergence), or None unless asked for.
    """

    count: np.ndarray
    mean: np.ndarray
    m2: np.ndarray
    mean_e: np.ndarray
    max: np.ndarray
    diverged_at: int | None
    averaged: ChunkResult | None = None
    final: np.ndarray | None = None


def load_engine(name: str) -> ModuleType | None:
    """The engine module, or None when it is missing, fails to import, or is unavailable."""
    if name not in ENGINES:
        raise ValueError(f"engine must be one of {('auto', *ENGINES)}, got {name!r}")
    try:
        module = importlib.import_module(ENGINES[name])
    except ImportError:
        return None
    try:
        ok = bool(module.available())
    except Exception:  # noqa: BLE001 - a broken optional engine counts as unavailable
        ok = False
    return module if ok else None


def available_engines(backend: str = "numpy") -> list[str]:
    """Engines usable with ``backend``: ``"cupy-fused"`` needs CuPy, ``"numba"`` needs NumPy."""
    wanted = {"numpy": ("array", "numba"), "cupy": ("array", "cupy-fused")}[backend]
    return [name for name in wanted if load_engine(name) is not None]


def supports(module: ModuleType) -> frozenset[str]:
    """The :data:`FEATURES` an engine module declares it runs (its ``SUPPORTS``)."""
    return frozenset(getattr(module, "SUPPORTS", ()))


def resolve_engine(name: str, backend: str, needs: dict[str, str] | None = None
                   ) -> tuple[str, ModuleType]:
    """Pick the engine for ``name`` (``"auto"`` or a key of :data:`ENGINES`) on ``backend``.

    ``needs`` maps each feature the run needs (a key of :data:`FEATURES`) to how it was asked
    for (for the error message). ``"auto"`` prefers the fused kernel of the backend
    (``"cupy-fused"`` on CuPy, ``"numba"`` on NumPy) when it supports every need, and falls
    back to ``"array"``. Naming an engine that is unavailable, one that does not run on
    ``backend``, or one that lacks a needed feature raises ValueError.
    """
    if backend not in ("numpy", "cupy"):
        raise ValueError(f"backend must be 'numpy' or 'cupy', got {backend!r}")
    needs = needs or {}
    if name == "auto":
        preferred = "cupy-fused" if backend == "cupy" else "numba"
        module = load_engine(preferred)
        if module is not None and set(needs) <= supports(module):
            return preferred, module
        return "array", load_engine("array")
    if name not in ENGINES:
        raise ValueError(f"engine must be one of {('auto', *ENGINES)}, got {name!r}")
    if (name, backend) in (("numba", "cupy"), ("cupy-fused", "numpy")):
        raise ValueError(f"engine {name!r} does not run on backend {backend!r}")
    module = load_engine(name)
    if module is None:
        raise ValueError(
            f"engine {name!r} is not available on this machine "
            f"(available: {available_engines(backend)})"
        )
    lacking = [f for f in FEATURES if f in needs and f not in supports(module)]
    if lacking:
        asked = ", ".join(needs[f] for f in lacking)
        raise ValueError(f"engine {name!r} does not support {asked}; use engine='array' or "
                         "engine='auto'")
    return name, module

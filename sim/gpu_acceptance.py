"""The first run on a GPU: launch plans, the GPU tests, throughput, agreement with the CPU.

Pieces of ``sgd-suite gpu-check``, each usable alone:

- :func:`launch_report`: the launch plan of each kernel on the current device, with the
  registers, spilled local memory and static shared memory of the compiled kernels;
- :func:`run_gpu_tests`: ``pytest -m gpu`` on the checkout's tests;
- :func:`fused_ratio`: throughput of the fused kernel over the unfused CuPy array engine, from
  :func:`sim.bench.run_benchmark` rows;
- :func:`agreement`: every engine against the NumPy array engine on the same run. All engines
  draw the same sample indices and apply the same IEEE operations (for logistic regression up
  to the last bits of ``tanh``, which differs between math libraries), so their estimates of
  :math:`E\\|w_t - w^*\\|^2` must agree far inside the Monte Carlo error:
  :math:`|\\Delta_t| \\le z\\,\\mathrm{se}_t + r\\,|m_t|` at every step, with
  :math:`z` = :data:`AGREEMENT_Z` and :math:`r` = :data:`AGREEMENT_REL` (the relative part
  covers steps where the standard error vanishes, such as step 0, and is far above the
  :math:`\\approx 2 \\cdot 1024\\,u` of a different summation order). An engine that simulated
  different trajectories would differ by about one standard error.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

AGREEMENT_Z = 1e-3
"""Allowed difference of the estimates between engines, in standard errors."""
AGREEMENT_REL = 1e-9
"""Allowed difference of the estimates between engines, relative to the estimate."""

TESTS = Path(__file__).resolve().parent.parent / "tests"


def launch_report(*, dim: int, n: int) -> list[dict[str, Any]]:
    """Plan and compiled footprint of both kernels for a ``(dim, n)`` table on this device."""
    from sim.engines import cupy_fused

    rows = []
    for kind in ("quadratic", "logistic"):
        launch = cupy_fused.launch_for(kind, dim, n)
        plan = launch.plan
        rows.append({
            "kind": kind, "d": dim, "n": n, "threads": plan.threads, "parts": plan.parts,
            "table_in_shared": plan.table_in_shared, "dynamic_shared": plan.dynamic_shared,
            "opt_in": plan.opt_in, "resident_blocks": plan.resident_blocks,
            "registers": int(launch.attributes["num_regs"]),
            "static_shared": int(launch.attributes["shared_size_bytes"]),
            "local_bytes": int(launch.attributes["local_size_bytes"]),
        })
    return rows


def run_gpu_tests(tests: Path = TESTS) -> int | None:
    """Exit code of ``pytest -m gpu`` on ``tests`` (None when there is no such folder)."""
    if not tests.is_dir():
        return None
    return subprocess.run([sys.executable, "-m", "pytest", "-m", "gpu", "-q", str(tests)],
                          check=False).returncode


def fused_ratio(rows: list[dict[str, Any]]) -> float | None:
    """Throughput of ``cupy-fused`` over the array engine on CuPy (None if either is missing)."""
    rate = {row["key"]: row.get("traj_steps_per_s") for row in rows}
    fused, unfused = rate.get("cupy-fused/cupy"), rate.get("array/cupy")
    return fused / unfused if fused and unfused else None


def compare(result, reference) -> dict[str, Any]:
    """The worst ``|Delta_t| / (z se_t + r |m_t|)`` (at most 1 to pass), with the largest
    difference in standard errors and relative to the estimate."""
    delta = np.abs(result.mean_sq_dist - reference.mean_sq_dist)
    scale = np.abs(reference.mean_sq_dist)
    allowed = AGREEMENT_Z * reference.stderr + AGREEMENT_REL * scale
    with np.errstate(divide="ignore", invalid="ignore"):
        worst = float(np.max(np.where(delta > 0, delta / allowed, 0.0)))
        z = float(np.max(np.where(delta > 0, delta / reference.stderr, 0.0)))
        rel = float(np.max(np.where(delta > 0, delta / scale, 0.0)))
    return {"worst": worst, "max_z": z, "max_rel": rel, "passed": bool(worst <= 1.0)}


def agreement(problem, *, runs: list[tuple[str, str]], alpha: float, steps: int,
              trajectories: int, seed: int = 0, w0=None) -> list[dict[str, Any]]:
    """Each ``(engine, backend)`` of ``runs`` against the array engine on NumPy."""
    from sim import simulate

    kw = {"alpha": alpha, "steps": steps, "trajectories": trajectories, "seed": seed, "w0": w0}
    reference = simulate(problem, engine="array", backend="numpy", **kw)
    return [{"engine": engine, "backend": backend,
             **compare(simulate(problem, engine=engine, backend=backend, **kw), reference)}
            for engine, backend in runs]

"""Saving and loading :class:`sim.SimulationResult`: an ``.npz`` archive with a JSON header.

Format (version :data:`VERSION`). A NumPy ``.npz`` (zip) archive read with
``allow_pickle=False``:

- ``header``: a 0-d unicode array holding one JSON object ``{"format": FORMAT, "version",
  "parameters": {...}, "problem": {...}, "arrays": [...]}``. ``parameters`` are the run's
  scalars (trajectories, steps, alpha when constant, batch, seed, sampling, momentum,
  average_from, dtype, backend, engine, device, diverged_at, elapsed_s); ``problem`` is
  ``result.problem_info``; ``arrays`` lists the other members. Non-finite floats are written
  as the strings ``"inf"``, ``"-inf"``, ``"nan"`` (JSON has no such numbers).
- one float64 array per member: ``w0``, ``alpha`` (a schedule only), ``mean_sq_dist``,
  ``stderr``, ``mean_w``, ``max_sq_dist``, ``m2_sq``, ``final_sq_dist`` (if kept) and the same
  under ``averaged.`` for the averaged iterate.

Every array round-trips bit for bit. The problem object itself is not stored (that would need
pickle); a loaded result has ``problem=None`` and keeps ``problem_info``.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from sim.result import SimulationResult, Trace
from sim.stats import Moments

FORMAT = "sgd-lecture-suite/simulation-result"
VERSION = 1
_TRACE = ("mean_sq_dist", "stderr", "mean_w", "max_sq_dist", "m2_sq", "final_sq_dist")
_SCALARS = ("trajectories", "steps", "batch", "seed", "sampling", "momentum", "average_from",
            "dtype", "backend", "engine", "device", "diverged_at", "elapsed_s")


def _encode(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if value in ("inf", "-inf", "nan"):
        return float(value)
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _trace_arrays(trace: Trace, prefix: str) -> dict[str, np.ndarray]:
    arrays = {f"{prefix}{name}": getattr(trace, name) for name in _TRACE[:4]}
    arrays[f"{prefix}m2_sq"] = trace.moments.m2_sq
    if trace.final_sq_dist is not None:
        arrays[f"{prefix}final_sq_dist"] = trace.final_sq_dist
    return arrays


def save(result: SimulationResult, path: Any) -> None:
    """Write ``result`` to ``path`` atomically (temporary file in the same folder, renamed)."""
    path = Path(path)
    arrays = {"w0": np.asarray(result.w0, dtype=np.float64)}
    parameters = {name: getattr(result, name) for name in _SCALARS}
    if np.ndim(result.alpha) == 0:
        parameters["alpha"] = float(result.alpha)
    else:
        arrays["alpha"] = np.asarray(result.alpha, dtype=np.float64)
    arrays.update(_trace_arrays(result.trace, ""))
    if result.averaged is not None:
        arrays.update(_trace_arrays(result.averaged, "averaged."))
    header = {"format": FORMAT, "version": VERSION, "parameters": parameters,
              "problem": result.problem_info, "arrays": sorted(arrays)}
    text = json.dumps(_encode(header), allow_nan=False, sort_keys=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, header=np.array(text), **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(path: Any) -> SimulationResult:
    """Read a result written by :func:`save`.

    Raises:
        ValueError: not a saved simulation result, or a format version this code does not read.
    """
    with np.load(Path(path), allow_pickle=False) as archive:
        if "header" not in archive.files:
            raise ValueError(f"{path} is not a saved SimulationResult (no header)")
        header = _decode(json.loads(str(archive["header"][()])))
        if header.get("format") != FORMAT:
            raise ValueError(f"{path} is not a saved SimulationResult (format "
                             f"{header.get('format')!r})")
        if header.get("version") != VERSION:
            raise ValueError(f"{path} has format version {header.get('version')!r}; this "
                             f"version of sim reads version {VERSION}")
        arrays = {name: archive[name] for name in header["arrays"]}
    p = header["parameters"]

    def trace(prefix: str) -> Trace:
        mean, mean_w = arrays[f"{prefix}mean_sq_dist"], arrays[f"{prefix}mean_w"]
        top = arrays[f"{prefix}max_sq_dist"]
        moments = Moments(p["trajectories"], mean, arrays[f"{prefix}m2_sq"], mean_w, top)
        return Trace(mean, arrays[f"{prefix}stderr"], mean_w, top, moments, p["diverged_at"],
                     arrays.get(f"{prefix}final_sq_dist"))

    main = trace("")
    averaged = trace("averaged.") if "averaged.mean_sq_dist" in arrays else None
    return SimulationResult(
        mean_sq_dist=main.mean_sq_dist, stderr=main.stderr, mean_w=main.mean_w,
        max_sq_dist=main.max_sq_dist, moments=main.moments, trajectories=p["trajectories"],
        steps=p["steps"], alpha=p["alpha"] if "alpha" in p else arrays["alpha"],
        batch=p["batch"], seed=p["seed"], w0=arrays["w0"], backend=p["backend"],
        engine=p["engine"], device=p["device"], diverged_at=p["diverged_at"],
        elapsed_s=p["elapsed_s"], problem=None, sampling=p["sampling"],
        momentum=p["momentum"], average_from=p["average_from"], dtype=p["dtype"],
        averaged=averaged, final_sq_dist=main.final_sq_dist, problem_info=header["problem"])

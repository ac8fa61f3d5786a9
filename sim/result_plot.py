"""``SimulationResult.plot``: the Monte Carlo curve with its band and reference curves.

Uses :class:`matplotlib.figure.Figure` directly (no pyplot), so no global figure state is
created or changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np


def plot(result: Any, *, reference: Any = None, ax: Any = None, z: float = 1.96) -> Any:
    """See :meth:`sim.SimulationResult.plot`."""
    from matplotlib.figure import Figure

    if not (np.isfinite(z) and z >= 0):
        raise ValueError(f"z must be a finite number >= 0, got {z}")
    steps = result.mean_sq_dist.shape[0]
    if reference is None:
        references: dict[str, np.ndarray] = {}
    elif isinstance(reference, Mapping):
        references = {str(k): np.asarray(v, dtype=np.float64) for k, v in reference.items()}
    else:
        references = {"reference": np.asarray(reference, dtype=np.float64)}
    for label, values in references.items():
        if values.shape != (steps,):
            raise ValueError(f"reference {label!r} must have shape ({steps},), got "
                             f"{values.shape}")
    if ax is None:
        fig = Figure(figsize=(6.4, 4.0), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    t = np.arange(steps)
    curves = [("Monte Carlo $E\\|w_t - w^*\\|^2$", result)]
    if result.averaged is not None:
        curves.append(("averaged $E\\|\\bar w_t - w^*\\|^2$", result.averaged))
    for label, trace in curves:
        (line,) = ax.plot(t, trace.mean_sq_dist, label=label)
        ax.fill_between(t, trace.mean_sq_dist - z * trace.stderr,
                        trace.mean_sq_dist + z * trace.stderr, color=line.get_color(),
                        alpha=0.25, linewidth=0)
    for label, values in references.items():
        ax.plot(t, values, linestyle="--", label=label)
    shown = np.concatenate([result.mean_sq_dist, *references.values()])
    shown = shown[np.isfinite(shown)]
    if shown.size and np.all(shown > 0):
        ax.set_yscale("log")
    ax.set_xlabel("step t")
    ax.set_ylabel("squared distance to $w^*$")
    info = getattr(result, "problem_info", {}) or {}
    ax.set_title(f"{info.get('type', 'problem')}: N = {result.trajectories}, "
                 f"band ±{z:g} standard errors", fontsize="medium")
    ax.legend(fontsize="small")
    return fig

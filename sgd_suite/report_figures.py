"""The report's figures from its records: which runs feed which figure, titles and captions.

The records are those of :mod:`sgd_suite.runs` (or read back from ``verification.json``); the
drawing itself is in :mod:`sgd_suite.figures`, which takes plain arrays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from sgd_suite.figures import (
    gd_linear_rate,
    mean_iterate_vs_gd,
    mean_sq_dist_panels,
    noise_ball_sweep,
    step_size_violation,
)


def _params(p: Mapping, *, alpha: bool = True) -> str:
    s = f"d={p['dim']}, n={p['n']}, μ={p['mu']:.3g}, L={p['L']:.3g}, M={p['M']:.3g}"
    if alpha:
        s += f", α={p['alpha']:.4g}"
    if p["batch"] != 1:
        s += f", batch={p['batch']}"
    return s + f", N={p['trajectories']} runs"


def draw_all(sims: Sequence[Mapping], gd: Sequence[Mapping], folder: Path, *,
             relative_to: Path, noise_curve: Mapping | None = None) -> list[dict]:
    """Draw every figure the records allow; return their titles, relative paths and captions."""
    folder = Path(folder)
    by_group: dict[str, list[Mapping]] = {}
    for s in sims:
        by_group.setdefault(s["group"], []).append(s)
    figs: list[dict] = []

    def add(path: Path, title: str, caption: str) -> None:
        figs.append({"path": path.relative_to(relative_to).as_posix(), "title": title,
                     "caption": caption})

    def curve(s: Mapping, title: str) -> dict:
        a = s["arrays"]
        est = np.asarray(a["mean_sq_dist"], dtype=float)
        return {"t": np.arange(est.size), "estimate": est,
                "stderr": np.asarray(a["stderr"], dtype=float),
                "bound": np.asarray(a["bound"], dtype=float),
                "exact": None if a.get("exact") is None else np.asarray(a["exact"], dtype=float),
                "noise_ball": s["noise_ball"], "title": title,
                "threshold": (s["exact_check"] or s["bound_check"])["z_threshold"]}

    if runs := by_group.get("bound"):
        path = mean_sq_dist_panels([curve(s, f"{s['id']}\n{_params(s['parameters'])}")
                                    for s in runs], folder / "mean_sq_dist.png")
        add(path, "Mean squared distance against the bound",
            "Monte Carlo estimate of E‖w_t − w*‖², the lecture's recursion bound, the exact "
            "value and the noise-ball level, for several (μ, L, α) inside the step-size "
            "condition; under each, the standardised residual (estimate − exact)/se per step, "
            "with the pointwise 95% range ±1.96 (grey) and the check's family-wise threshold "
            "(dashed). The estimate stays under the bound at every step and agrees with the "
            "exact value within Monte Carlo error; where H = μI (one dimension, or "
            "isotropic) the bound is the exact value, so there the curves coincide.")
    if (runs := by_group.get("noise-ball")) and noise_curve:
        p = runs[0]["parameters"]
        title = (f"quadratic d={p['dim']}, n={p['n']}, μ={p['mu']:.3g}, L={p['L']:.3g}, "
                 f"M={p['M']:.3g}\nstart at w*, value at the last step, after mixing, "
                 f"N ≥ {min(s['parameters']['trajectories'] for s in runs)} runs per step size")
        path = noise_ball_sweep(
            [s["parameters"]["alpha"] for s in runs],
            [s["arrays"]["mean_sq_dist"][-1] for s in runs],
            [s["arrays"]["stderr"][-1] for s in runs],
            curve_alpha=noise_curve["alpha"], exact_curve=noise_curve["exact_limit"],
            lecture_curve=noise_curve["lecture_limit"], max_step=p["max_step"], title=title,
            path=folder / "noise_ball.png",
            level_exact=None if any(s["arrays"].get("exact") is None for s in runs)
            else [s["arrays"]["exact"][-1] for s in runs])
        add(path, "Noise ball against the step size",
            "Level reached by E‖w_t − w*‖² after the transient, against α: Monte Carlo, the "
            "exact limit, and the lecture's limit αM/(2μ − αμ²); below, each run's "
            "standardised residual against its exact value. The lecture's limit bounds "
            "the exact one for every α ≤ 2/(L + μ) and equals it at α = 2/(L + μ) when the "
            "spectrum is {μ, L}; for smaller α it is loose by the spread of the spectrum.")
    if gd:
        path = gd_linear_rate([{"t": np.arange(len(g["dist"])), "dist": np.asarray(g["dist"]),
                                "rate": np.asarray(g["rate"]), "label": g["label"]}
                               for g in gd], folder / "gd_rate.png",
                              subtitle=f"quadratics in d={gd[0]['dim']}, spectrum evenly spaced "
                                       f"in [μ, L], ‖w₀ − w*‖ = {gd[0]['dist'][0]:.3g}")
        add(path, "Gradient descent's linear rate",
            "Distance of gradient descent (α = 2/(L + μ)) to the optimum on a log scale, "
            "against the lecture's rate ((L − μ)/(L + μ))^t ‖w_0 − w*‖ (dashed), for "
            "several condition numbers.")
    if runs := by_group.get("step-size"):
        path = step_size_violation([curve(s, f"{s['id']}: α={s['parameters']['alpha']:.3g}, "
                                             f"2/(L+μ)={s['parameters']['max_step']:.4g}\n"
                                             f"{_params(s['parameters'], alpha=False)}")
                                    for s in runs],
                                   folder / "step_size.png")
        add(path, "The step-size condition is needed",
            "Same quadratic and start (along the eigenvector of L) with α just inside and just "
            "outside 2/(L + μ). Outside, the error in the stiff direction contracts by "
            "|1 − αL| > 1 − αμ per step, and E‖w_t − w*‖² rises above the bound (shaded) while "
            "still agreeing with its exact value (residual panels).")
    if runs := by_group.get("logistic"):
        s = runs[0]
        a = s["arrays"]
        path = mean_iterate_vs_gd(np.arange(len(a["mean_sq_dist"])), np.asarray(a["mean_w"]),
                                  np.asarray(a["gd_path"]), np.asarray(a["w_star"]),
                                  title=f"logistic regression, {_params(s['parameters'])}, "
                                        f"λ={s['parameters']['l2']:g}",
                                  mean_w_stderr=np.sqrt(np.asarray(a["mean_sq_dist"], dtype=float)
                                                        / s["parameters"]["trajectories"]),
                                  path=folder / "logistic_mean_iterate.png")
        add(path, "Mean SGD iterate against gradient descent (logistic regression)",
            "The Monte Carlo mean of the SGD iterates and the gradient-descent path from the "
            "same start with the same α. On a quadratic they coincide (the gradient is "
            "linear). On logistic regression it is not: E[∇h(w_t)] ≠ ∇h(E[w_t]), so E[w_t] "
            "leaves the GD path and settles at a small distance from w*, where GD converges; "
            "the shaded Monte Carlo error scale shows the gap is real, not sampling noise. The "
            "paths are drawn with equal axes.")
    return figs

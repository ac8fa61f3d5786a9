"""Figures of the "Beyond the lecture" section, drawn from its records (:mod:`sgd_suite.beyond`).

Every curve labelled "exact" or "theory" is an array of the record computed from the problem's
data by :mod:`sim.theory`; the Monte Carlo points carry ±1.96 standard errors. The figures over
time have a residual panel, (estimate − exact)/se per tested step, with the band ±1.96 and the
check's family-wise threshold (dashed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from sgd_suite.figures import Z95, _save, standardized_residuals

_COLOURS = ("C0", "C1", "C2", "C3", "C4", "C5", "C6")


def _arr(rec: Mapping, key: str) -> np.ndarray:
    return np.asarray([np.nan if v is None else v for v in rec["arrays"][key]], dtype=float)


def _residual(ax, rec: Mapping, colour: str) -> None:
    est, se, exact = _arr(rec, "mean_sq_dist"), _arr(rec, "stderr"), _arr(rec, "exact")
    z = standardized_residuals(est, se, exact, rtol=rec["check"]["rtol"])
    tested = np.arange(est.size) >= rec["check"]["tested_from"]
    z = np.where(tested, z, np.nan)
    ax.plot(np.arange(est.size), z, color=colour, linewidth=0.9)
    thr = rec["check"]["z_threshold"]
    for s in (-1, 1):
        ax.axhline(s * thr, color="grey", linestyle="--", linewidth=0.8)
    ax.axhspan(-Z95, Z95, color="grey", alpha=0.15, linewidth=0)
    finite = np.abs(z[np.isfinite(z)])
    top = max(thr, float(finite.max()) if finite.size else 0.0) * 1.15
    ax.set_ylim(min(ax.get_ylim()[0], -top), max(ax.get_ylim()[1], top))


def _panel(fig: Figure, recs: Sequence[Mapping], labels: Sequence[str], *, title: str,
           extra=None) -> tuple:
    grid = fig.add_gridspec(2, 1, height_ratios=[2.4, 1])
    top = fig.add_subplot(grid[0])
    bottom = fig.add_subplot(grid[1], sharex=top)
    for rec, label, colour in zip(recs, labels, _COLOURS, strict=False):
        est, exact = _arr(rec, "mean_sq_dist"), _arr(rec, "exact")
        t = np.arange(est.size)
        top.plot(t, est, color=colour, linewidth=3, alpha=0.45,
                 label=f"{label}: Monte Carlo ({rec['verdict']}, mde {rec['mde']:.3f})")
        top.plot(t, exact, color="k", linestyle=(0, (1, 1.5)), linewidth=1.1)
        _residual(bottom, rec, colour)
    top.plot([], [], color="k", linestyle=(0, (1, 1.5)), label="exact (sim.theory)")
    if extra is not None:
        extra(top)
    top.set_yscale("log")
    top.set_ylabel(r"$E\,\|w_t-w^*\|^2$ (log)")
    top.grid(True, alpha=0.3)
    top.legend(fontsize=7.5, loc="best")
    top.set_title(title, fontsize=9)
    bottom.set_xlabel("step $t$")
    bottom.set_ylabel("(est − exact)/se")
    bottom.grid(True, alpha=0.3)
    return top, bottom


def _params(p: Mapping) -> str:
    return f"d={p['dim']}, n={p['n']}, μ={p['mu']:.3g}, L={p['L']:.3g}, M={p['M']:.4g}"


def draw(records: Sequence[Mapping], folder: Path, *, relative_to: Path) -> list[dict]:
    """Draw the section's figures; return their titles, relative paths and captions."""
    folder = Path(folder)
    by = {g: [r for r in records if r["group"] == g] for g in
          ("schedule", "averaging", "minibatch", "momentum")}
    figs: list[dict] = []

    def add(fig: Figure, name: str, title: str, caption: str) -> None:
        path = _save(fig, folder / name)
        figs.append({"path": path.relative_to(relative_to).as_posix(), "title": title,
                     "caption": caption})

    if runs := by["schedule"]:
        p = runs[0]["parameters"]
        fig = Figure(figsize=(7.4, 6.2), layout="constrained")
        const = [r for r in runs if r["level"] is not None]

        def floor(ax):
            for r in const:
                ax.axhline(r["level"], color="C2", linewidth=5, alpha=0.3,
                           label=f"noise floor αM/(2μ − αμ²), α = {r['parameters']['alpha']:g}")
        _panel(fig, runs, [("α_t = 1/(μ(t+1))" if r["level"] is None
                            else f"α = {r['parameters']['alpha']:g}") for r in runs],
               title=f"Step-size schedule vs constant step, H = μI, {_params(p)}", extra=floor)
        add(fig, "beyond_schedule.png", "A decaying step size against the noise floor",
            "α_t = 1/(μ(t+1)) on H = μI: exactly E‖w_t − w*‖² = M/(μ²t) for t ≥ 1, which falls "
            "below the floor αM/(2μ − αμ²) that a constant step levels off at.")
    if runs := by["averaging"]:
        r = runs[0]
        p = r["parameters"]
        fig = Figure(figsize=(7.4, 6.2), layout="constrained")
        last = _arr(r, "last_iterate_mean_sq_dist")

        def limit(ax):
            t = np.arange(1, last.size)
            ax.plot(t, r["level"] / (t + 1), color="C3", linestyle="--", linewidth=1,
                    label="tr(H⁻¹CH⁻¹)/(t+1) (Polyak–Juditsky limit)")
            ax.plot(np.arange(last.size), last, color="C1", linewidth=1, alpha=0.8,
                    label="last iterate w_t (Monte Carlo)")
        _panel(fig, runs, ["average of w_0..w_t"], extra=limit,
               title=f"Polyak–Ruppert averaging, α={p['alpha']:g}, {_params(p)}")
        add(fig, "beyond_averaging.png", "Polyak–Ruppert averaging",
            "The average of w_0..w_t against its exact second moment; it approaches "
            "tr(H⁻¹CH⁻¹)/(t+1) while the last iterate stays at the noise floor.")
    if runs := by["minibatch"]:
        fig = Figure(figsize=(7.4, 4.6), layout="constrained")
        ax = fig.add_subplot()
        for k, (sampling, marker) in enumerate((("with-replacement", "o"),
                                                ("without-replacement", "s"))):
            sel = [r for r in runs if r["parameters"]["sampling"] == sampling
                   or (r["parameters"]["batch"] == 1)]
            if not sel:
                continue
            b = np.array([r["parameters"]["batch"] for r in sel])
            est = np.array([_arr(r, "mean_sq_dist")[-1] for r in sel])
            se = np.array([_arr(r, "stderr")[-1] for r in sel])
            ax.errorbar(b + 0.06 * (2 * k - 1), est, yerr=Z95 * se, fmt=marker, color=f"C{k}",
                        label=f"{sampling}: Monte Carlo at the last step")
            curve = sel[0]["theory_curve"]
            ax.plot(curve["batch"], curve[sampling], color=f"C{k}", linestyle=":", marker=".",
                    label=("exact stationary level, noise σ²/b" if k == 0 else
                           "exact stationary level, noise σ²(n − b)/(b(n − 1))"))
        p = runs[0]["parameters"]
        ax.set_xlabel("batch b")
        ax.set_ylabel(r"$E\,\|w_T-w^*\|^2$")
        ax.set_yscale("log")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7.5)
        ax.set_title(f"Minibatch noise, α={p['alpha']:g}, from w*, {_params(p)}", fontsize=9)
        add(fig, "beyond_minibatch.png", "Minibatch and sampling noise",
            "The level SGD settles at against the batch size b, drawn with and without "
            "replacement, against the exact stationary level for every b = 1..n (without "
            "replacement, b = n leaves no noise: level 0, off the log scale); each run is also "
            "checked against its exact curve at every step.")
    if runs := by["momentum"]:
        fig = Figure(figsize=(7.4, 4.6), layout="constrained")
        ax = fig.add_subplot()
        beta = np.array([r["parameters"]["momentum"] for r in runs])
        est = np.array([_arr(r, "mean_sq_dist")[-1] for r in runs])
        se = np.array([_arr(r, "stderr")[-1] for r in runs])
        ax.errorbar(beta, est, yerr=Z95 * se, fmt="o", color="C0",
                    label="Monte Carlo at the last step (±1.96 se)")
        curve = runs[0]["theory_curve"]
        ax.plot(curve["beta"], curve["level"], color="k", linestyle=":",
                label="exact stationary level (AR(2) per eigen-coordinate)")
        p = runs[0]["parameters"]
        ax.axhline(curve["level"][0], color="C2", alpha=0.4, linewidth=4,
                   label="β = 0 (plain SGD)")
        ax.set_yscale("log")
        ax.set_xlabel("momentum β")
        ax.set_ylabel(r"$E\,\|w_T-w^*\|^2$")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7.5)
        ax.set_title(f"Heavy ball, α={p['alpha']:g}, from w*, {_params(p)}", fontsize=9)
        add(fig, "beyond_momentum.png", "Heavy-ball momentum's stationary level",
            "The level heavy ball settles at against β, with the exact stationary level "
            "(1+β)αc_k/((1−β)λ_k(2(1+β) − αλ_k)) summed over k; each run is also checked "
            "against its exact transient at every step.")
    return figs

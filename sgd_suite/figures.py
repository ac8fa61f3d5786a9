"""Figures of the report, drawn from plain arrays (matplotlib, Agg backend, no pyplot state).

Every function takes NumPy arrays and numbers only, writes one PNG and returns its path, so the
figures can be redrawn from ``verification.json`` without re-running anything. Each figure
states its parameters in the title or legend so that it reads without the surrounding text,
and has one legend for all its panels.

A Monte Carlo mean sits within a few parts in a thousand of its target, far less than a line's
width on a log scale, so agreement is shown where it can be seen: under each curve panel, the
standardised residual :math:`(\\hat m_t - m_t)/\\widehat{\\mathrm{se}}_t` per step against the
exact value (or the bound), with the pointwise 95% range :math:`\\pm 1.96` and the check's
family-wise threshold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatter

Z95 = 1.959963984540054
"""Two-sided 95% normal quantile used for the plotted bands."""

_DPI = 110


def _save(fig: Figure, path: str | Path) -> Path:
    path = Path(path)
    fig.savefig(path, dpi=_DPI)
    return path


class _PlainLogFormatter(LogFormatter):
    """matplotlib's choice of which log ticks to label, written as plain numbers (60, 0.2)."""

    def __call__(self, x, pos=None):
        return f"{x:g}" if super().__call__(x, pos) else ""


def _plain_log_ticks(ax) -> None:
    """Plain-number labels on a log y axis, including the minor ticks matplotlib labels when
    the range spans less than about two decades."""
    ax.yaxis.set_major_formatter(_PlainLogFormatter())
    ax.yaxis.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False,
                                                    minor_thresholds=(2, 0.5)))


def _curves(ax, p: Mapping) -> None:
    """Estimate, bound and exact value on a log scale, drawn so that none hides another: the
    estimate wide and pale, the bound dashed, the exact value dotted on top."""
    t = np.asarray(p["t"])
    ax.plot(t, p["estimate"], color="C0", linewidth=3.0, alpha=0.55,
            label="Monte Carlo mean of $\\|w_t-w^*\\|^2$", zorder=2)
    ax.plot(t, p["bound"], color="C3", linestyle=(0, (5, 3)), linewidth=1.6,
            label=r"lecture's bound $b_{t+1}=(1-\alpha\mu)^2 b_t+\alpha^2 M$", zorder=3)
    if p.get("exact") is not None:
        ax.plot(t, p["exact"], color="k", linestyle=(0, (1, 1.5)), linewidth=1.3,
                label="exact $E\\,\\|w_t-w^*\\|^2$", zorder=4)
    ax.set_yscale("log")
    _plain_log_ticks(ax)
    ax.set_ylabel(r"$E\,\|w_t-w^*\|^2$ (log)")
    ax.set_title(p["title"], fontsize=9.5)
    ax.grid(True, which="major", alpha=0.3)
    ax.tick_params(labelbottom=False)


def standardized_residuals(estimate, stderr, reference, *, rtol: float = 1e-9) -> np.ndarray:
    """:math:`(\\hat m_t - r_t)/\\widehat{\\mathrm{se}}_t` beyond the rounding allowance
    ``rtol`` (as the checks compute it, :func:`sim.check.standardized_excess`), NaN where the
    standard error is 0 (the fixed start) or the estimate is not finite."""
    from sim.check import standardized_excess

    est, se = np.asarray(estimate, dtype=float), np.asarray(stderr, dtype=float)
    z = standardized_excess(est, se, reference, rtol=rtol)
    return np.where((se > 0) & np.isfinite(z), z, np.nan)


def _residuals(ax, p: Mapping) -> None:
    """Standardised residuals against the exact value (or the bound, one-sided) per step."""
    t = np.asarray(p["t"])
    exact = p.get("exact")
    z = standardized_residuals(p["estimate"], p["stderr"], p["bound"] if exact is None
                               else exact)
    thr = p.get("threshold")
    if exact is not None:
        ax.axhspan(-Z95, Z95, color="0.85", linewidth=0, label=r"$\pm 1.96$: 95% of steps")
    if thr is not None:
        for y in (thr,) if exact is None else (-thr, thr):
            ax.axhline(y, color="C3", linewidth=1.0, linestyle=(0, (2, 2)))
        ax.plot([], [], color="C3", linewidth=1.0, linestyle=(0, (2, 2)),
                label="the check's threshold (all steps together)")
    ax.axhline(0, color="k", linewidth=0.8)
    ax.plot(t, z, color="C0", marker=".", markersize=2.5, linewidth=0.7,
            label="standardised residual (estimate − exact)/se" if exact is not None else
            "standardised excess (estimate − bound)/se (no exact value known)")
    finite = z[np.isfinite(z)]
    top = max([3.0, *(np.abs(finite).tolist() or [0.0])]) * 1.15
    if thr is not None and np.all(np.abs(finite) <= thr):
        top = max(top, thr * 1.15)
    ax.set_ylim(-top, top)
    ax.set_xlabel("step $t$")
    ax.set_ylabel("(est − exact)/se" if exact is not None else "(est − bound)/se")
    ax.grid(True, alpha=0.3)


def _legend(fig: Figure, axes) -> None:
    """One legend for the whole figure, below the panels, each entry once."""
    seen: dict[str, object] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            seen.setdefault(label, handle)
    columns = max(1, min(3, len(seen), int(fig.get_figwidth() // 3.8)))
    fig.legend(list(seen.values()), list(seen), loc="outside lower center", ncols=columns,
               fontsize=8, frameon=False)


def mean_sq_dist_panels(panels: Sequence[Mapping], path: str | Path, *,
                        suptitle: str = "SGD on quadratics: Monte Carlo mean squared distance "
                                         "vs the lecture's bound") -> Path:
    r"""Per (mu, L, alpha): :math:`E\|w_t-w^*\|^2` against :math:`t` over its residual panel.

    Args:
        panels: mappings with ``t``, ``estimate``, ``stderr``, ``bound`` (arrays of length T+1),
            ``exact`` (array or None), ``title`` (str), optionally ``noise_ball`` (float, drawn
            as a wide pale line under the curves) and ``threshold`` (the check's two-sided
            family-wise z threshold, drawn in the residual panel).
        path: the PNG to write.
        suptitle: the heading above the panels.
    """
    cols = min(2, len(panels))
    rows = -(-len(panels) // cols)
    fig = Figure(figsize=(6.2 * cols if cols > 1 else 7.6, 4.6 * rows + 0.6),
                 layout="constrained")
    grid = fig.add_gridspec(2 * rows, cols, height_ratios=[2.2, 1] * rows)
    used = []
    for k, p in enumerate(panels):
        r, c = divmod(k, cols)
        top = fig.add_subplot(grid[2 * r, c])
        bottom = fig.add_subplot(grid[2 * r + 1, c], sharex=top)
        if p.get("noise_ball") is not None:
            top.axhline(p["noise_ball"], color="C2", linewidth=5, alpha=0.3, zorder=1,
                        label=r"noise ball $\alpha M/(2\mu-\alpha\mu^2)$")
        _curves(top, p)
        over = np.asarray(p["estimate"]) > np.asarray(p["bound"])
        if p.get("shade_excess") and over.any():
            top.fill_between(p["t"], p["bound"], p["estimate"], where=over, color="C3",
                             alpha=0.25, linewidth=0, label="estimate above the bound")
        _residuals(bottom, p)
        used += [top, bottom]
    _legend(fig, used)
    fig.suptitle(suptitle)
    return _save(fig, path)


def noise_ball_sweep(
    alphas, level, level_stderr, *, curve_alpha, exact_curve, lecture_curve, max_step: float,
    title: str, path: str | Path, level_exact=None,
) -> Path:
    r"""Stationary level of :math:`E\|w_t-w^*\|^2` against the step size.

    Args:
        alphas, level, level_stderr: step sizes of the Monte Carlo runs, their estimate at the
            last step (after the transient) and its standard error.
        curve_alpha: a fine grid of step sizes for the two curves.
        exact_curve: the exact limit on that grid (None if unknown).
        lecture_curve: the lecture's limit :math:`\alpha M/(2\mu-\alpha\mu^2)` on that grid.
        max_step: :math:`2/(L+\mu)`, marked by a vertical line.
        title: parameters of the runs, shown above the plot.
        path: the PNG to write.
        level_exact: the exact value at each run's last step; when given, a panel below shows
            the standardised residuals (estimate − exact)/se, which the error bars (a few
            parts in a thousand) are too short to show.
    """
    fig = Figure(figsize=(7.6, 6.2 if level_exact is not None else 4.9), layout="constrained")
    if level_exact is not None:
        ax, low = fig.subplots(2, 1, sharex=True, height_ratios=[2.4, 1])
    else:
        ax, low = fig.subplots(), None
    ax.plot(curve_alpha, lecture_curve, color="C3", linestyle="--",
            label=r"lecture's limit $\alpha M/(2\mu-\alpha\mu^2)$")
    if exact_curve is not None:
        ax.plot(curve_alpha, exact_curve, color="k", linestyle=":",
                label=r"exact limit of $E\,\|w_t-w^*\|^2$ as $t\to\infty$")
    ax.errorbar(alphas, level, yerr=Z95 * np.asarray(level_stderr), fmt="o", color="C0",
                capsize=3, label="Monte Carlo at the last step (95% interval)")
    for a in (ax,) if low is None else (ax, low):
        a.axvline(max_step, color="0.4", linewidth=1.0, linestyle="-.",
                  label=r"step-size condition $\alpha = 2/(L+\mu)$")
        a.grid(True, alpha=0.3)
    ax.set_ylabel(r"noise-ball level of $E\,\|w_t-w^*\|^2$")
    ax.set_title(title, fontsize=10)
    if low is not None:
        z = standardized_residuals(level, level_stderr, level_exact)
        low.axhspan(-Z95, Z95, color="0.85", linewidth=0, label=r"$\pm 1.96$: 95% of runs")
        low.axhline(0, color="k", linewidth=0.8)
        low.plot(alphas, z, "o", color="C0", label="(estimate − exact)/se at the last step")
        top = max([3.0, *np.abs(z[np.isfinite(z)]).tolist()]) * 1.15
        low.set_ylim(-top, top)
        low.set_ylabel("(est − exact)/se")
    (low or ax).set_xlabel(r"step size $\alpha$")
    _legend(fig, (ax,) if low is None else (ax, low))
    return _save(fig, path)


def gd_linear_rate(curves: Sequence[Mapping], path: str | Path, *, subtitle: str = "") -> Path:
    r"""Gradient descent's distance to the optimum against the rate :math:`((L-\mu)/(L+\mu))^t`.

    Args:
        curves: mappings with ``t``, ``dist`` (:math:`\|w_t-w^*\|`), ``rate`` (the lecture's
            bound :math:`((L-\mu)/(L+\mu))^t\|w_0-w^*\|`) and ``label``.
        path: the PNG to write.
        subtitle: the runs' common parameters, shown under the title.
    """
    fig = Figure(figsize=(9.5, 4.6), layout="constrained")
    ax = fig.subplots()
    floor = np.finfo(float).tiny
    for i, c in enumerate(curves):
        color = f"C{i}"
        ax.plot(c["t"], np.maximum(c["dist"], floor), color=color, linewidth=1.6,
                label=f"GD, {c['label']}")
        ax.plot(c["t"], np.maximum(c["rate"], floor), color=color, linestyle="--", linewidth=1.2)
    ax.plot([], [], color="0.3", linestyle="--",
            label=r"dashed: bound $((L-\mu)/(L+\mu))^t\,\|w_0-w^*\|$")
    ax.set_yscale("log")
    ax.set_xlabel("iteration $t$")
    ax.set_ylabel(r"$\|w_t-w^*\|$ (log scale)")
    ax.set_title(r"Gradient descent with $\alpha=2/(L+\mu)$ converges at a linear rate"
                 + (f"\n{subtitle}" if subtitle else ""))
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _save(fig, path)


def step_size_violation(
    panels: Sequence[Mapping], path: str | Path, *,
    suptitle: str = r"The bound needs the step-size condition $\alpha \leq 2/(L+\mu)$",
) -> Path:
    r"""The bound inside and just outside the step-size condition :math:`\alpha\le 2/(L+\mu)`,
    side by side; the steps where the estimate exceeds the bound are shaded.

    Args:
        panels: mappings as for :func:`mean_sq_dist_panels`.
        path: the PNG to write.
        suptitle: the heading above the panels.
    """
    return mean_sq_dist_panels([{**p, "shade_excess": True} for p in panels], path,
                               suptitle=suptitle)


def mean_iterate_vs_gd(
    t, mean_w, gd_path, w_star, *, title: str, path: str | Path, mean_w_stderr=None,
) -> Path:
    r"""SGD's mean iterate :math:`E[w_t]` against the gradient-descent path on the same problem.

    Args:
        t: steps, length T+1.
        mean_w: Monte Carlo mean iterate, shape (T+1, d); the first two coordinates are drawn.
        gd_path: gradient descent iterates with the same step size and start, shape (T+1, d).
        w_star: the minimiser.
        title: parameters of the run.
        path: the PNG to write.
        mean_w_stderr: optional scale of the Monte Carlo error of the mean iterate, length
            T+1, drawn as a band in the right panel; :math:`\sqrt{E\|w_t-w^*\|^2/N}` bounds
            it, because the trace of the covariance of :math:`w_t` is at most
            :math:`E\|w_t-w^*\|^2`.
    """
    t = np.asarray(t)
    mean_w, gd_path = np.asarray(mean_w), np.asarray(gd_path)
    fig = Figure(figsize=(12.0, 5.4), layout="constrained")
    left, right = fig.subplots(1, 2)
    left.plot(gd_path[:, 0], gd_path[:, 1], color="C3", linestyle="--", marker=".", markersize=3,
              label="gradient descent $w^{GD}_t$")
    left.plot(mean_w[:, 0], mean_w[:, 1], color="C0", linewidth=1.4,
              label=r"SGD mean iterate $E[w_t]$ (Monte Carlo)")
    left.plot(*w_star[:2], marker="*", color="k", markersize=12, linestyle="none",
              label="minimiser $w^*$")
    left.plot(*gd_path[0, :2], marker="o", color="0.3", linestyle="none", label="start $w_0$")
    # one unit is one unit on both axes, so that distances and angles read true
    left.set_aspect("equal", adjustable="datalim")
    left.set_xlabel("coordinate 1 of $w$")
    left.set_ylabel("coordinate 2 of $w$")
    left.set_title("paths in the plane of the first two coordinates (equal axes)", fontsize=10)
    left.grid(True, alpha=0.3)
    gap = np.linalg.norm(mean_w - gd_path, axis=1)
    right.plot(t, np.linalg.norm(gd_path - w_star, axis=1), color="C3", linestyle="--",
               label=r"$\|w^{GD}_t-w^*\|$ (for scale)")
    if mean_w_stderr is not None:
        s = np.asarray(mean_w_stderr)
        right.fill_between(t, np.clip(gap - Z95 * s, 0, None), gap + Z95 * s, color="C0",
                           alpha=0.3, linewidth=0,
                           label=r"gap $\pm 1.96\sqrt{E\|w_t-w^*\|^2/N}$ (Monte Carlo error "
                                 "scale)")
    right.plot(t, gap, color="C0", linewidth=1.6, label=r"gap $\|E[w_t]-w^{GD}_t\|$")
    right.set_xlabel("step $t$")
    right.set_ylabel("distance (same units as $w$)")
    right.set_title("gap between the mean iterate and gradient descent", fontsize=10)
    right.grid(True, alpha=0.3)
    _legend(fig, (left, right))
    fig.suptitle(title)
    return _save(fig, path)

"""Figures of the report, drawn from plain arrays (matplotlib, Agg backend, no pyplot state).

Every function takes NumPy arrays and numbers only, writes one PNG and returns its path, so the
figures can be redrawn from ``verification.json`` without re-running anything. Each figure
states its parameters in the title or legend so that it reads without the surrounding text.
Confidence bands are pointwise 95% normal intervals, estimate :math:`\\pm 1.96` standard errors.
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


def _band(ax, t, estimate, stderr, *, color, label):
    lo = np.clip(estimate - Z95 * stderr, np.finfo(float).tiny, None)
    ax.fill_between(t, lo, estimate + Z95 * stderr, color=color, alpha=0.25, linewidth=0,
                    label=f"{label}: 95% band")
    ax.plot(t, estimate, color=color, linewidth=1.4, label=f"{label}: Monte Carlo mean")


def mean_sq_dist_panels(panels: Sequence[Mapping], path: str | Path) -> Path:
    r"""Grid of :math:`E\|w_t-w^*\|^2` against :math:`t`, one panel per (mu, L, alpha).

    Args:
        panels: mappings with ``t``, ``estimate``, ``stderr``, ``bound`` (arrays of length T+1),
            ``exact`` (array or None), ``noise_ball`` (float) and ``title`` (str).
        path: the PNG to write.
    """
    cols = min(2, len(panels))
    rows = -(-len(panels) // cols)
    fig = Figure(figsize=(6.2 * cols, 4.2 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    for ax, p in zip(axes, panels, strict=False):
        t = np.asarray(p["t"])
        _band(ax, t, np.asarray(p["estimate"]), np.asarray(p["stderr"]), color="C0", label="SGD")
        ax.plot(t, p["bound"], color="C3", linestyle="--", linewidth=1.6,
                label=r"bound $b_{t+1}=(1-\alpha\mu)^2 b_t+\alpha^2 M$")
        if p.get("exact") is not None:
            ax.plot(t, p["exact"], color="k", linestyle=":", linewidth=1.6, label="exact value")
        ax.axhline(p["noise_ball"], color="C2", linewidth=1.0,
                   label=r"noise ball $\alpha M/(2\mu-\alpha\mu^2)$")
        ax.set_yscale("log")
        _plain_log_ticks(ax)
        ax.set_title(p["title"], fontsize=10)
        ax.set_xlabel("step $t$")
        ax.set_ylabel(r"$E\,\|w_t-w^*\|^2$ (log scale)")
        ax.grid(True, which="major", alpha=0.3)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    axes[0].legend(fontsize=8, loc="upper right")
    fig.suptitle("SGD on quadratics: Monte Carlo mean squared distance vs the lecture's bound")
    return _save(fig, path)


def noise_ball_sweep(
    alphas, level, level_stderr, *, curve_alpha, exact_curve, lecture_curve, max_step: float,
    title: str, path: str | Path,
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
    """
    fig = Figure(figsize=(7.0, 4.6), layout="constrained")
    ax = fig.subplots()
    ax.plot(curve_alpha, lecture_curve, color="C3", linestyle="--",
            label=r"lecture's limit $\alpha M/(2\mu-\alpha\mu^2)$")
    if exact_curve is not None:
        ax.plot(curve_alpha, exact_curve, color="k", linestyle=":",
                label=r"exact limit of $E\,\|w_t-w^*\|^2$ as $t\to\infty$")
    ax.errorbar(alphas, level, yerr=Z95 * np.asarray(level_stderr), fmt="o", color="C0",
                capsize=3, label="Monte Carlo at the last step (95% interval)")
    ax.axvline(max_step, color="0.4", linewidth=1.0, linestyle="-.",
               label=r"step-size condition $\alpha = 2/(L+\mu)$")
    ax.set_xlabel(r"step size $\alpha$")
    ax.set_ylabel(r"noise-ball level of $E\,\|w_t-w^*\|^2$")
    ax.set_title(title, fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
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
    r"""The bound inside and just outside the step-size condition :math:`\alpha\le 2/(L+\mu)`.

    Args:
        panels: mappings as for :func:`mean_sq_dist_panels` (without ``noise_ball``), each with
            a ``title``; the steps where the estimate exceeds the bound are shaded.
        path: the PNG to write.
        suptitle: the heading above the panels.
    """
    fig = Figure(figsize=(6.2 * len(panels), 4.4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(panels), squeeze=False)).ravel()
    for ax, p in zip(axes, panels, strict=True):
        t = np.asarray(p["t"])
        est, bound = np.asarray(p["estimate"]), np.asarray(p["bound"])
        _band(ax, t, est, np.asarray(p["stderr"]), color="C0", label="SGD")
        ax.plot(t, bound, color="C3", linestyle="--", linewidth=1.6, label="recursion bound")
        if p.get("exact") is not None:
            ax.plot(t, p["exact"], color="k", linestyle=":", linewidth=1.6, label="exact value")
        over = est > bound
        if over.any():
            ax.fill_between(t, bound, est, where=over, color="C3", alpha=0.3,
                            label="estimate above the bound")
        ax.set_yscale("log")
        _plain_log_ticks(ax)
        ax.set_xlabel("step $t$")
        ax.set_ylabel(r"$E\,\|w_t-w^*\|^2$ (log scale)")
        ax.set_title(p["title"], fontsize=10)
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=8, loc="upper right")
    fig.suptitle(suptitle)
    return _save(fig, path)


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
    fig = Figure(figsize=(12.0, 4.6), layout="constrained")
    left, right = fig.subplots(1, 2)
    left.plot(gd_path[:, 0], gd_path[:, 1], color="C3", linestyle="--", marker=".", markersize=3,
              label="gradient descent $w^{GD}_t$")
    left.plot(mean_w[:, 0], mean_w[:, 1], color="C0", linewidth=1.4,
              label=r"SGD mean iterate $E[w_t]$ (Monte Carlo)")
    left.plot(*w_star[:2], marker="*", color="k", markersize=12, linestyle="none",
              label="minimiser $w^*$")
    left.plot(*gd_path[0, :2], marker="o", color="0.3", linestyle="none", label="start $w_0$")
    left.set_xlabel("coordinate 1 of $w$")
    left.set_ylabel("coordinate 2 of $w$")
    left.set_title("paths in the plane of the first two coordinates", fontsize=10)
    left.grid(True, alpha=0.3)
    left.legend(fontsize=8)
    gap = np.linalg.norm(mean_w - gd_path, axis=1)
    right.plot(t, gap, color="C0", label=r"$\|E[w_t]-w^{GD}_t\|$")
    if mean_w_stderr is not None:
        s = np.asarray(mean_w_stderr)
        right.fill_between(t, np.clip(gap - Z95 * s, 0, None), gap + Z95 * s, color="C0",
                           alpha=0.25, linewidth=0,
                           label=r"$\pm 1.96\sqrt{E\|w_t-w^*\|^2/N}$ (Monte Carlo error scale)")
    right.plot(t, np.linalg.norm(gd_path - w_star, axis=1), color="C3", linestyle="--",
               label=r"$\|w^{GD}_t-w^*\|$ (for scale)")
    right.set_xlabel("step $t$")
    right.set_ylabel("distance (same units as $w$)")
    right.set_title("gap between the mean iterate and gradient descent", fontsize=10)
    right.grid(True, alpha=0.3)
    right.legend(fontsize=8)
    fig.suptitle(title)
    return _save(fig, path)

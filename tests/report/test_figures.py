"""Figures drawn from plain arrays (sgd_suite.figures): each writes a readable PNG."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.image import imread

from sgd_suite import figures


def _curve(T=30, with_exact=True):
    t = np.arange(T + 1)
    bound = 9 * 0.9 ** (2 * t) + 0.1
    return {"t": t, "estimate": bound * 0.95, "stderr": 0.01 * bound, "bound": bound,
            "exact": bound * 0.95 if with_exact else None, "noise_ball": 0.1, "title": "panel"}


def _png(path):
    img = imread(path)
    assert img.ndim == 3
    assert img.shape[0] > 200
    assert img.shape[1] > 300
    # Not a blank canvas: a plot has many distinct colours.
    assert len(np.unique(img.reshape(-1, img.shape[2]), axis=0)) > 20


@pytest.mark.parametrize("n_panels", [3])
def test_mean_sq_dist_panels(tmp_path, n_panels):
    _png(figures.mean_sq_dist_panels([_curve(with_exact=i % 2 == 0) for i in range(n_panels)],
                                     tmp_path / "a.png"))


def test_noise_ball_sweep(tmp_path):
    a = np.array([0.05, 0.1, 0.2])
    grid = np.linspace(0.01, 0.4, 40)
    _png(figures.noise_ball_sweep(a, a, 0.01 * a, curve_alpha=grid, exact_curve=grid,
                                  lecture_curve=2 * grid, max_step=0.4, title="t",
                                  path=tmp_path / "b.png"))


def test_gd_linear_rate_handles_underflow(tmp_path):
    t = np.arange(40)
    _png(figures.gd_linear_rate([{"t": t, "dist": 0.5**t * (t < 30), "rate": 0.5**t,
                                  "label": "x"}], tmp_path / "c.png"))


def test_step_size_violation_shades_excess(tmp_path):
    over = _curve()
    over["estimate"] = over["bound"] * 1.5
    _png(figures.step_size_violation([_curve(), over], tmp_path / "d.png"))


def test_mean_iterate_vs_gd(tmp_path):
    t = np.arange(21)
    gd = np.stack([0.9**t, 0.8**t], axis=1)
    _png(figures.mean_iterate_vs_gd(t, gd + 0.01, gd, np.zeros(2), title="t",
                                    path=tmp_path / "e.png", mean_w_stderr=0.001 + 0 * t))


@pytest.fixture
def drawn(monkeypatch):
    """The matplotlib Figures the functions build, captured instead of only saved."""
    figs = []
    real = figures._save

    def keep(fig, path):
        figs.append(fig)
        return real(fig, path)

    monkeypatch.setattr(figures, "_save", keep)
    return figs


def _all_figures(tmp_path):
    t = np.arange(21)
    gd = np.stack([0.9**t, 0.8**t], axis=1)
    a = np.array([0.05, 0.1])
    figures.mean_sq_dist_panels([_curve(), _curve(with_exact=False)], tmp_path / "a.png")
    figures.noise_ball_sweep(a, a, 0.01 * a, curve_alpha=a, exact_curve=a, lecture_curve=2 * a,
                             max_step=0.4, title="t", path=tmp_path / "b.png", level_exact=a)
    figures.gd_linear_rate([{"t": t, "dist": 0.5**t, "rate": 0.6**t, "label": "x"}],
                           tmp_path / "c.png")
    figures.step_size_violation([_curve(), _curve()], tmp_path / "d.png")
    figures.mean_iterate_vs_gd(t, gd + 0.01, gd, np.zeros(2), title="t",
                               path=tmp_path / "e.png", mean_w_stderr=0.001 + 0 * t)


def test_one_legend_for_the_whole_figure(tmp_path, drawn):
    _all_figures(tmp_path)
    assert len(drawn) == 5
    for fig in drawn:
        legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
        assert len(legends) == 1, fig
        labels = [t.get_text() for t in legends[0].get_texts()]
        assert len(labels) == len(set(labels))  # each entry once


def test_iterate_paths_are_drawn_with_equal_axes(tmp_path, drawn):
    t = np.arange(11)
    path = np.stack([10 * 0.9**t, 0.1 * 0.8**t], axis=1)  # very unequal ranges
    figures.mean_iterate_vs_gd(t, path, path, np.zeros(2), title="t", path=tmp_path / "e.png")
    left = drawn[0].axes[0]
    assert left.get_aspect() == 1.0
    assert drawn[0].axes[1].get_aspect() == "auto"


def test_residual_panel_plots_the_standardized_residuals(tmp_path, drawn):
    """The lower panel shows (estimate - exact)/se per step: here 2 at t >= 1, less the
    checks' rounding allowance 1e-9 * estimate / se (about 1e-7)."""
    c = _curve()
    c["estimate"] = c["exact"] + 2 * c["stderr"]
    c["stderr"] = c["stderr"].copy()
    c["stderr"][0] = 0.0
    c["threshold"] = 6.5
    figures.mean_sq_dist_panels([c], tmp_path / "a.png")
    curves, residuals = drawn[0].axes[:2]
    line = next(ln for ln in residuals.get_lines() if "residual" in ln.get_label())
    z = np.asarray(line.get_ydata(), dtype=float)
    assert np.isnan(z[0])
    expected = (2 * c["stderr"][1:] - 1e-9 * c["estimate"][1:]) / c["stderr"][1:]
    np.testing.assert_allclose(z[1:], expected, rtol=1e-12)
    assert {round(abs(y), 9) for ln in residuals.get_lines() for y in ln.get_ydata()
            if ln.get_linestyle() not in ("-", "None")} >= {6.5}
    lo, hi = residuals.get_ylim()
    assert lo <= -6.5 and hi >= 6.5  # the threshold is in view when every step is within it


def test_curves_do_not_hide_one_another(tmp_path, drawn):
    figures.mean_sq_dist_panels([_curve()], tmp_path / "a.png")
    lines = {ln.get_label(): ln for ln in drawn[0].axes[0].get_lines()}
    est = next(v for k, v in lines.items() if k.startswith("Monte Carlo"))
    exact = next(v for k, v in lines.items() if k.startswith("exact"))
    bound = next(v for k, v in lines.items() if k.startswith("lecture's bound"))
    # the exact value is dotted on top of a wider estimate; the bound is dashed
    assert est.get_linewidth() > exact.get_linewidth()
    assert exact.get_zorder() > bound.get_zorder() > est.get_zorder()
    assert exact.get_linestyle() != "-" and bound.get_linestyle() != "-"


def test_standardized_residuals():
    est = np.array([1.0, 1.5, 2.0, 3.0, np.nan])
    se = np.array([0.0, 0.25, 0.5, 0.0, 1.0])
    ref = np.array([1.0, 1.0, 1.0, 3.0 * (1 + 1e-12), 1.0])
    z = figures.standardized_residuals(est, se, ref)
    assert np.isnan(z[0]) and np.isnan(z[3]) and np.isnan(z[4])
    np.testing.assert_allclose(z[1:3], [2.0, 2.0])
    # a difference within the checks' rounding allowance is no residual at all
    assert figures.standardized_residuals([1.0], [1e-20], [1.0 + 1e-12])[0] == 0.0

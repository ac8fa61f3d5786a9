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

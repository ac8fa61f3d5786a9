"""Results you can keep: save/load round trips bit for bit; plot() draws without global state."""

from __future__ import annotations

import dataclasses
import json
import zipfile

import matplotlib
import numpy as np
import pytest

from sim import LeastSquaresProblem, QuadraticProblem, SimulationResult, schedules, simulate
from sim.result_io import FORMAT, VERSION

matplotlib.use("Agg")

P = LeastSquaresProblem(features=np.random.default_rng(0).normal(size=(5, 2)),
                        targets=np.arange(5.0), l2=0.1)


def _trace_arrays(t, prefix=""):
    out = {"mean_sq_dist": t.mean_sq_dist, "stderr": t.stderr, "mean_w": t.mean_w,
           "max_sq_dist": t.max_sq_dist, "m2": t.moments.m2_sq, "mw": t.moments.mean_w,
           "mean_sq": t.moments.mean_sq, "max_sq": t.moments.max_sq}
    if t.final_sq_dist is not None:
        out["final"] = t.final_sq_dist
    return {prefix + k: v for k, v in out.items()}


def _arrays(r):
    out = {"w0": r.w0} | _trace_arrays(r)
    if np.ndim(r.alpha):
        out["alpha"] = r.alpha
    if r.averaged is not None:
        out |= _trace_arrays(r.averaged, "avg.")
    return out


@pytest.mark.parametrize(
    "kwargs",
    [
        {"alpha": 0.2},
        {"alpha": schedules.inverse(2.0, 5.0), "average_from": 3, "keep_final": True,
         "sampling": "reshuffle", "momentum": 0.25, "dtype": "float32"},
        {"alpha": 5.0, "steps": 300, "keep_final": True, "average_from": 0},  # diverges
    ],
)
def test_save_load_round_trips_bit_for_bit(tmp_path, kwargs):
    r = simulate(P, **({"steps": 12, "trajectories": 3000, "seed": 4, "w0": [1.0, -1.0],
                        "backend": "numpy"} | kwargs))
    path = tmp_path / "run.npz"
    r.save(path)
    back = SimulationResult.load(path)
    got, want = _arrays(back), _arrays(r)
    assert got.keys() == want.keys()
    for key in want:
        np.testing.assert_array_equal(got[key], want[key], err_msg=key)
    for name in ("trajectories", "steps", "batch", "seed", "sampling", "momentum",
                 "average_from", "dtype", "backend", "engine", "device", "diverged_at",
                 "elapsed_s"):
        assert getattr(back, name) == getattr(r, name), name
    assert back.moments.count == r.moments.count == r.trajectories
    assert back.problem is None and back.problem_info == r.problem_info
    assert back.problem_info["type"] == "LeastSquaresProblem"
    assert back.problem_info["M"] == float("inf")  # non-finite numbers survive the JSON header
    assert repr(back) == repr(r)
    if np.ndim(r.alpha) == 0:
        assert isinstance(back.alpha, float) and back.alpha == r.alpha
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_the_file_is_a_self_describing_npz_without_pickles(tmp_path):
    r = simulate(QuadraticProblem(hessian=np.eye(2), data=np.eye(2)), alpha=0.1, steps=3,
                 trajectories=8, backend="numpy")
    path = tmp_path / "quadratic.result"  # any name: nothing is appended
    r.save(path)
    with zipfile.ZipFile(path) as z:
        assert all(name.endswith(".npy") for name in z.namelist())
    with np.load(path, allow_pickle=False) as archive:
        header = json.loads(str(archive["header"][()]))
    assert header["format"] == FORMAT and header["version"] == VERSION
    assert header["parameters"]["alpha"] == 0.1
    assert header["problem"]["mu"] == 1.0 and header["problem"]["M"] == 0.5
    assert set(header["arrays"]) == {"w0", "mean_sq_dist", "stderr", "mean_w", "max_sq_dist",
                                     "m2_sq"}


def _rewrite_header(path, change):
    with np.load(path, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    header = json.loads(str(arrays["header"][()]))
    change(header)
    arrays["header"] = np.array(json.dumps(header))
    with open(path, "wb") as f:
        np.savez(f, **arrays)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda h: h.update(version=99), "has format version 99; this version of sim reads "
                                         "version 1"),
        (lambda h: h.update(format="something else"),
         "is not a saved SimulationResult \\(format 'something else'\\)"),
    ],
)
def test_foreign_or_future_files_are_refused(tmp_path, change, match):
    path = tmp_path / "r.npz"
    simulate(P, alpha=0.1, steps=2, trajectories=4, backend="numpy").save(path)
    _rewrite_header(path, change)
    with pytest.raises(ValueError, match=match):
        SimulationResult.load(path)
    other = tmp_path / "plain.npz"
    np.savez(other, x=np.ones(2))
    with pytest.raises(ValueError, match="no header"):
        SimulationResult.load(other)


def test_a_failed_save_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "r.npz"
    r = simulate(P, alpha=0.1, steps=2, trajectories=4, backend="numpy")
    r.save(path)
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken)
    with pytest.raises(OSError, match="disk full"):
        r.save(path)
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]


def test_plot_returns_a_figure_and_leaves_pyplot_alone():
    import matplotlib.pyplot as plt

    r = simulate(P, alpha=0.2, steps=20, trajectories=2048, average_from=4, backend="numpy")
    exact = P.exact_moments(alpha=0.2, steps=20, average_from=4)
    before = plt.get_fignums()
    fig = r.plot(reference={"exact": exact.mean_sq_dist, "exact, averaged":
                            exact.averaged_mean_sq_dist})
    assert plt.get_fignums() == before
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["Monte Carlo $E\\|w_t - w^*\\|^2$", "averaged $E\\|\\bar w_t - w^*\\|^2$",
                      "exact", "exact, averaged"]
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), r.mean_sq_dist)
    np.testing.assert_array_equal(ax.get_lines()[2].get_xdata(), np.arange(21))
    assert ax.get_yscale() == "log"
    assert ax.get_title().startswith("LeastSquaresProblem: N = 2048, band ±1.96 standard errors")
    assert len(ax.collections) == 2  # the two bands, each mean -+ 1.96 stderr in the line's color
    for line, band, trace in zip(ax.get_lines(), ax.collections, (r, r.averaged), strict=False):
        y = band.get_paths()[0].vertices[:, 1]
        finite = np.isfinite(trace.mean_sq_dist)
        assert np.nanmin(y) == pytest.approx(np.min((trace.mean_sq_dist - 1.96 * trace.stderr)
                                                    [finite]), rel=1e-12)
        assert np.nanmax(y) == pytest.approx(np.max((trace.mean_sq_dist + 1.96 * trace.stderr)
                                                    [finite]), rel=1e-12)
        np.testing.assert_allclose(band.get_facecolor()[0][:3],
                                   matplotlib.colors.to_rgb(line.get_color()))
        assert band.get_alpha() == 0.25 and list(band.get_linewidth()) == [0.0]
    untyped = dataclasses.replace(r, problem_info={}).plot()
    assert untyped.axes[0].get_title().startswith("problem: N = 2048")
    fig2, ax2 = plt.subplots()
    try:
        assert r.plot(reference=exact.mean_sq_dist, ax=ax2) is fig2
        assert [line.get_label() for line in ax2.get_lines()][-1] == "reference"
    finally:
        plt.close(fig2)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"reference": np.ones(3)}, r"reference 'reference' must have shape \(21,\)"),
        ({"reference": {"bound": np.ones(4)}}, r"reference 'bound' must have shape"),
        ({"z": -1.0}, "z must be a finite number >= 0"),
    ],
)
def test_plot_rejects_bad_arguments(kwargs, match):
    r = simulate(P, alpha=0.2, steps=20, trajectories=16, backend="numpy")
    with pytest.raises(ValueError, match=match):
        r.plot(**kwargs)

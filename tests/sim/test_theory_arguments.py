"""Argument checks of every sim.theory function: each bad value is refused before any work with
one line that starts with the parameter's name and states the allowed range; the edges of each
range are accepted; diverging recursions return +inf, never NaN, and never warn."""

from __future__ import annotations

import numpy as np
import pytest

from sim import theory

EIG, NOISE, E0 = [1.0, 2.0], [0.5, 0.0], [1.0, -1.0]
H, C = np.diag(EIG), np.diag([0.5, 0.1])

# (call with keyword arguments, good arguments)
FUNCTIONS = {
    "sgd_bound": (theory.sgd_bound, {"mu": 1.0, "M": 1.0, "alpha": 0.1, "e0_sq": 1.0, "steps": 3}),
    "noise_ball": (theory.noise_ball, {"mu": 1.0, "M": 1.0, "alpha": 0.1}),
    "gd_contraction": (theory.gd_contraction, {"mu": 1.0, "L": 2.0, "alpha": 0.1}),
    "minibatch_noise": (theory.minibatch_noise, {"sigma2": 1.0, "n": 5, "batch": 2}),
    "schedule_mean_sq_dist": (
        theory.schedule_mean_sq_dist,
        {"eigvals": EIG, "noise_var": NOISE, "alpha": 0.1, "e0_eig": E0, "steps": 3},
    ),
    "inverse_time_isotropic": (theory.inverse_time_isotropic, {"mu": 1.0, "M": 1.0, "steps": 3}),
    "nemirovski_bound": (
        theory.nemirovski_bound,
        {"c": 1.0, "theta": 1.0, "M": 1.0, "x1_dist_sq": 1.0, "steps": 3},
    ),
    "nemirovski_bound_repaired": (
        theory.nemirovski_bound_repaired,
        {"c": 1.0, "theta": 1.0, "M": 1.0, "x1_dist_sq": 1.0, "steps": 3},
    ),
    "polyak_ruppert_isotropic": (
        theory.polyak_ruppert_isotropic,
        {"mu": 1.0, "M": 1.0, "alpha": 0.1, "e0_sq": 1.0, "n": 3},
    ),
    "averaged_mean_sq_dist": (
        theory.averaged_mean_sq_dist,
        {"eigvals": EIG, "noise_var": NOISE, "alpha": 0.1, "e0_eig": E0, "steps": 3, "start": 1},
    ),
    "polyak_juditsky_limit": (theory.polyak_juditsky_limit, {"hessian": H, "noise_cov": C}),
    "stationary_covariance": (
        theory.stationary_covariance,
        {"hessian": H, "noise_cov": C, "alpha": 0.1},
    ),
    "stationary_covariance_lyapunov": (
        theory.stationary_covariance_lyapunov,
        {"hessian": H, "noise_cov": C, "alpha": 0.1},
    ),
    "stationary_mean_sq_dist": (
        theory.stationary_mean_sq_dist,
        {"eigvals": EIG, "noise_var": NOISE, "alpha": 0.1},
    ),
    "heavy_ball_matrix": (theory.heavy_ball_matrix, {"hessian": H, "alpha": 0.1, "beta": 0.5}),
    "heavy_ball_stable": (theory.heavy_ball_stable, {"alpha": 0.1, "beta": 0.5, "L": 2.0}),
    "heavy_ball_stationary_covariance": (
        theory.heavy_ball_stationary_covariance,
        {"hessian": H, "noise_cov": C, "alpha": 0.1, "beta": 0.5},
    ),
    "heavy_ball_stationary_mean_sq_dist": (
        theory.heavy_ball_stationary_mean_sq_dist,
        {"eigvals": EIG, "noise_var": NOISE, "alpha": 0.1, "beta": 0.5},
    ),
    "heavy_ball_mean_sq_dist": (
        theory.heavy_ball_mean_sq_dist,
        {"eigvals": EIG, "noise_var": NOISE, "alpha": 0.1, "beta": 0.5, "e0_eig": E0, "steps": 3},
    ),
    "shuffling_variance": (
        theory.shuffling_variance,
        {"hessians": H, "grads": [[1.0, 0.0], [-1.0, 0.0]], "gamma": 0.1},
    ),
    "shuffling_radius_bounds": (
        theory.shuffling_radius_bounds,
        {"mu": 1.0, "L_max": 2.0, "n": 3, "sigma_star_sq": 1.0},
    ),
    "reshuffling_bound": (
        theory.reshuffling_bound,
        {"mu": 1.0, "L_max": 2.0, "gamma": 0.1, "n": 3, "epochs": 2, "r0_sq": 1.0, "radius": 1.0},
    ),
    "least_squares_shuffling_radius": (
        theory.least_squares_shuffling_radius,
        {"features": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], "targets": [1.0, 0.0, 2.0], "l2": 0.1},
    ),
}

POSITIVE = ("mu", "alpha", "c", "theta", "gamma", "L_max", "L")
NONNEG = ("M", "e0_sq", "x1_dist_sq", "sigma2", "r0_sq", "radius", "l2", "sigma_star_sq")
VECTORS = ("eigvals", "noise_var", "e0_eig")


def _bad_cases():
    """(id, function name, parameter, bad value, exception, message regex)."""
    cases = []
    for fname, (_, good) in FUNCTIONS.items():
        for p in good:
            if p in POSITIVE:
                cases.append((fname, p, 0.0, ValueError, rf"^{p} must be a finite number > 0"))
                cases.append((fname, p, "1", TypeError, rf"^{p} must be a real number, got str"))
            elif p in NONNEG:
                cases.append((fname, p, -1.0, ValueError, rf"^{p} must be a finite number >= 0"))
                cases.append((fname, p, True, TypeError, rf"^{p} must be a real number, got bool"))
            elif p in ("steps", "epochs"):
                cases.append((fname, p, -1, ValueError, rf"^{p} must be an integer >= 0"))
                cases.append((fname, p, 2.0, TypeError, rf"^{p} must be an integer"))
            elif p == "n" and fname != "minibatch_noise":
                low = 2 if fname == "shuffling_radius_bounds" else 1
                cases.append((fname, p, low - 1, ValueError, rf"^n must be an integer >= {low}"))
            elif p in ("grads", "features"):
                cases.append((fname, p, [1.0, 2.0], ValueError, rf"^{p} must have 2 dimension"))
            elif p == "targets":
                cases.append((fname, p, [[1.0, 0.0, 2.0]], ValueError, "^targets must have 1 dim"))
            elif p in VECTORS:
                cases.append((fname, p, [[1.0, 2.0]], ValueError, rf"^{p} must have 1 dimension"))
                cases.append((fname, p, [1.0, np.nan], ValueError, rf"^{p} must contain only"))
            elif p in ("hessian", "noise_cov"):
                cases.append((fname, p, [1.0, 2.0], ValueError, rf"^{p} must have 2 dimension"))
                cases.append((fname, p, np.ones((2, 3)), ValueError, rf"^{p} must be square"))
                cases.append(
                    (fname, p, [[1.0, 1.0], [0.0, 1.0]], ValueError, rf"^{p} must be symmetric")
                )
    return [pytest.param(*case, id=f"{case[0]}-{case[1]}-{case[2]!r}") for case in cases]


@pytest.mark.parametrize(("fname", "param", "value", "exc", "match"), _bad_cases())
def test_a_bad_value_is_named_in_one_line(fname, param, value, exc, match):
    fn, good = FUNCTIONS[fname]
    with pytest.raises(exc, match=match) as info:
        fn(**{**good, param: value})
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("fname", "overrides", "match"),
    [
        # eigvals must be > 0, noise_var >= 0, all three alike in shape: each alone triggers it.
        *[
            (f, {"eigvals": [0.0, 2.0]}, r"^eigvals \(> 0\)")
            for f in ("schedule_mean_sq_dist", "averaged_mean_sq_dist", "heavy_ball_mean_sq_dist")
        ],
        *[
            (f, {"noise_var": [-0.1, 1.0]}, r"^eigvals \(> 0\)")
            for f in ("schedule_mean_sq_dist", "averaged_mean_sq_dist", "heavy_ball_mean_sq_dist")
        ],
        *[
            (f, {"e0_eig": [1.0]}, r"^eigvals \(> 0\)")
            for f in ("schedule_mean_sq_dist", "averaged_mean_sq_dist", "heavy_ball_mean_sq_dist")
        ],
        ("heavy_ball_stationary_mean_sq_dist", {"eigvals": [0.0, 2.0]}, r"^eigvals \(> 0\)"),
        ("heavy_ball_stationary_mean_sq_dist", {"noise_var": [-0.1, 1.0]}, r"^eigvals \(> 0\)"),
        ("heavy_ball_stationary_mean_sq_dist", {"noise_var": [1.0]}, r"^eigvals \(> 0\)"),
        ("stationary_mean_sq_dist", {"eigvals": [0.0, 2.0]}, r"^eigvals \(> 0\) and noise_var"),
        ("stationary_mean_sq_dist", {"noise_var": [1.0]}, r"^eigvals \(> 0\) and noise_var"),
        ("stationary_mean_sq_dist", {"noise_var": [-0.1, 1.0]}, r"^eigvals \(> 0\) and noise"),
        ("stationary_mean_sq_dist", {"noise_var": [np.inf, 1.0]}, r"^noise_var must contain only"),
        ("stationary_covariance", {"alpha": 1.0}, r"^alpha must be in \(0, 2/L\) = \(0, 1.0\)"),
        ("stationary_covariance_lyapunov", {"hessian": np.diag([1.0, 0.0])}, "^hessian must be p"),
        ("stationary_covariance", {"noise_cov": -np.eye(2)}, r"^noise_cov must be positive semi"),
        ("stationary_covariance", {"noise_cov": np.eye(3)}, r"^noise_cov must have shape \(2, 2\)"),
        ("noise_ball", {"mu": 4.0, "alpha": 0.5}, r"^alpha must be < 2/mu = 0.5 for a noise ball"),
        ("gd_contraction", {"mu": 3.0}, r"^mu must be <= L, got mu=3.0, L=2.0"),
        ("reshuffling_bound", {"mu": 3.0}, r"^mu must be <= L_max, got mu=3.0, L_max=2.0"),
        ("reshuffling_bound", {"gamma": 0.6}, r"^gamma must be in \(0, 1/L_max\] = \(0, 0.5\]"),
        ("heavy_ball_matrix", {"beta": -1.0}, r"^beta must be a number in \(-1, 1\), got -1.0"),
        ("heavy_ball_stationary_covariance", {"beta": 1.0}, r"^beta must be a number in \(-1, 1\)"),
        ("nemirovski_bound", {"c": 2.0, "theta": 0.25}, r"^theta must be > 1/\(2c\) = 0.25, got"),
        ("nemirovski_bound_repaired", {"theta": 0.5}, r"^theta must be > 1/\(2c\)"),
        ("schedule_mean_sq_dist", {"alpha": [0.1, 0.0, 0.1]}, "^alpha must be finite and > 0"),
        ("schedule_mean_sq_dist", {"alpha": [0.1, 0.1]}, r"^alpha must be a number or have shape"),
        ("least_squares_shuffling_radius", {"targets": [1.0, 2.0]}, r"^targets must have shape"),
        ("least_squares_shuffling_radius", {"features": [1.0, 2.0]}, "^features must have 2 dim"),
        ("shuffling_variance", {"hessians": np.eye(3)}, r"^hessians must be finite with shape"),
        ("shuffling_variance", {"grads": [[1.0, 2.0]]}, r"^grads must have n >= 2 rows"),
        ("averaged_mean_sq_dist", {"start": -1}, r"^start must be an integer >= 0"),
    ],
)
def test_each_range_condition_is_named(fname, overrides, match):
    fn, good = FUNCTIONS[fname]
    with pytest.raises(ValueError, match=match):
        fn(**{**good, **overrides})


def test_stability_messages_name_the_largest_eigenvalue():
    h = np.diag([0.5, 1.0, 4.0])
    # 2(1 + beta)/4 = 0.75 < alpha = 1 < 2(1 + beta)/1: unstable only through lambda_max = 4.
    with pytest.raises(ValueError, match=r"outside the stability region .* with L = 4$"):
        theory.heavy_ball_stationary_covariance(h, np.eye(3), 1.0, 0.5)
    with pytest.raises(ValueError, match=r"with L = 4$"):
        theory.heavy_ball_stationary_mean_sq_dist([0.5, 4.0, 1.0], [1.0] * 3, 1.0, 0.5)
    with pytest.raises(ValueError, match=r"= \(0, 0.5\) for a stationary law"):
        theory.stationary_covariance(h, np.eye(3), 0.6)


@pytest.mark.parametrize(
    ("fname", "overrides"),
    [
        ("sgd_bound", {"steps": 0, "M": 0.0, "e0_sq": 0.0}),
        ("schedule_mean_sq_dist", {"steps": 0}),
        ("schedule_mean_sq_dist", {"noise_var": [0.0, 0.0], "alpha": np.array([0.1, 0.2, 0.3])}),
        ("inverse_time_isotropic", {"steps": 0, "M": 0.0}),
        ("nemirovski_bound", {"steps": 0, "M": 0.0, "x1_dist_sq": 0.0}),
        ("polyak_ruppert_isotropic", {"n": 1, "M": 0.0, "e0_sq": 0.0}),
        ("averaged_mean_sq_dist", {"steps": 0, "start": 0}),
        ("heavy_ball_mean_sq_dist", {"steps": 0, "beta": -0.999}),
        ("heavy_ball_matrix", {"beta": -0.999}),
        ("stationary_covariance", {"noise_cov": np.zeros((2, 2))}),
        ("stationary_covariance", {"noise_cov": np.diag([1.0, 0.0])}),
        ("stationary_mean_sq_dist", {"noise_var": [0.0, 0.0]}),
        ("reshuffling_bound", {"gamma": 0.5, "n": 1, "epochs": 0, "radius": 0.0}),
        ("least_squares_shuffling_radius", {"l2": 0.0}),
        ("minibatch_noise", {"sigma2": 0.0}),
    ],
)
def test_the_edges_of_each_range_are_accepted(fname, overrides):
    fn, good = FUNCTIONS[fname]
    out = np.asarray(fn(**{**good, **overrides}))
    if fname == "inverse_time_isotropic":  # entry t = 0 is NaN by design: the law starts at t = 1
        assert out.shape == (1,)
    else:
        assert not np.any(np.isnan(out))


def test_hessian_checks_are_relative_to_its_scale():
    # A 1e-7 asymmetry in a matrix of size 1e6 is rounding (relative 1e-13): accepted.
    h = np.diag([1e6, 2e6])
    h[0, 1] += 1e-7
    assert theory.stationary_covariance(h, np.eye(2), 1e-7).shape == (2, 2)
    # An eigenvalue below d * eps * 1e6 is not resolved: not positive definite.
    with pytest.raises(ValueError, match="^hessian must be positive definite"):
        theory.heavy_ball_matrix(np.diag([1e6, 1e-12]), 1e-7, 0.5)


def test_stability_boundary_is_excluded():
    assert theory.heavy_ball_stable(0.5, 0.0, 3.0)
    assert not theory.heavy_ball_stable(1.0, 0.0, 2.0)  # alpha L = 2 (1 + beta) exactly
    assert not theory.heavy_ball_stable(0.1, -1.0, 1.0)
    assert theory.heavy_ball_stable(0.001, -0.999, 1.0)
    assert not theory.heavy_ball_stable(0.1, 1.0, 1.0)


def test_sandwich_bounds_are_the_formulas():
    low, high = theory.shuffling_radius_bounds(2.0, 4.0, 6, 3.0)
    assert (low, high) == (2.0 * 6 * 3.0 / 8, 4.0 * 6 * 3.0 / 4)


def test_averaging_from_the_last_step_has_one_entry():
    out = theory.averaged_mean_sq_dist(EIG, NOISE, 0.1, E0, steps=4, start=4)
    assert np.all(np.isnan(out[:4]))
    assert out[4] == pytest.approx(theory.schedule_mean_sq_dist(EIG, NOISE, 0.1, E0, 4)[4])
    assert np.all(np.isnan(theory.averaged_mean_sq_dist(EIG, NOISE, 0.1, E0, steps=3, start=4)))


@pytest.mark.parametrize(
    ("call", "first"),
    [
        (lambda: theory.sgd_bound(1.0, 1.0, 3.0, 1.0, 2000), 1.0),
        (lambda: theory.schedule_mean_sq_dist([1.0, 2.0], [0.0, 1.0], 50.0, E0, 600), 2.0),
        (lambda: theory.polyak_ruppert_isotropic(1.0, 0.0, 3.5, 1.0, 3000), None),
        (lambda: theory.polyak_ruppert_isotropic(1.0, 1.0, 3.5, 0.0, 3000), None),
        (lambda: theory.averaged_mean_sq_dist([1.0, 1.0], [0.0, 1.0], 3.5, [0.0, 1.0], 2000), 1.0),
        (lambda: theory.heavy_ball_mean_sq_dist([1.0], [1.0], 10.0, 0.5, [1.0], 3000), 1.0),
    ],
    ids=["sgd_bound", "schedule", "PR bias", "PR noise", "averaged", "heavy ball"],
)
def test_divergence_is_plus_infinity_not_nan_and_silent(call, first):
    """filterwarnings = error turns any overflow or invalid-value warning into a failure."""
    out = np.atleast_1d(call())
    assert out[-1] == np.inf
    assert not np.any(np.isnan(out))
    if first is not None:  # the start is untouched
        assert out[0] == first


def test_a_step_that_zeroes_a_coordinate_erases_its_overflow():
    """1 - alpha lambda = 0 exactly: e_{t+1} = -alpha xi_t whatever e_t, even past the float range;
    the exact second moment is alpha^2 c again (0 * inf must count as 0)."""
    alpha = [3.0] * 700 + [1.0]
    out = theory.schedule_mean_sq_dist([1.0], [2.0], alpha, [1.0], 701)
    assert out[699] == np.inf
    assert out[701] == 2.0

"""Exact theory and bounds for SGD, one module per topic, all re-exported here.

* :mod:`sim.theory.lecture`: the lecture's statements (GD contraction, step-size condition,
  the unrolled SGD recursion, the noise ball).
* :mod:`sim.theory.minibatch`: minibatch noise with and without replacement.
* :mod:`sim.theory.schedules`: any step schedule exactly; :math:`\\alpha_t = 1/(\\mu(t+1))`;
  the θ/t bound of Nemirovski, Juditsky, Lan and Shapiro.
* :mod:`sim.theory.averaging`: Polyak-Ruppert averaging, exact and its limit.
* :mod:`sim.theory.stationary`: the stationary covariance of constant-step SGD on a quadratic.
* :mod:`sim.theory.momentum`: heavy ball: stability region, transient and stationary moments.
* :mod:`sim.theory.reshuffling`: random reshuffling / shuffle-once bound and shuffling radius.

Every function is pure (numbers in, numbers out) and validates its arguments before any work.
"""

from sim.theory.averaging import (
    averaged_mean_sq_dist,
    polyak_juditsky_limit,
    polyak_ruppert_isotropic,
)
from sim.theory.lecture import gd_contraction, max_step, noise_ball, optimal_step, sgd_bound
from sim.theory.minibatch import minibatch_noise, minibatch_noise_factor, per_sample_noise
from sim.theory.momentum import (
    heavy_ball_matrix,
    heavy_ball_mean_sq_dist,
    heavy_ball_stable,
    heavy_ball_stationary_covariance,
    heavy_ball_stationary_mean_sq_dist,
)
from sim.theory.reshuffling import (
    least_squares_shuffling_radius,
    reshuffling_bound,
    shuffling_radius,
    shuffling_radius_bounds,
    shuffling_variance,
)
from sim.theory.schedules import (
    inverse_time_isotropic,
    nemirovski_bound,
    nemirovski_bound_repaired,
    schedule_mean_sq_dist,
)
from sim.theory.stationary import (
    eigen_noise,
    stationary_covariance,
    stationary_covariance_lyapunov,
    stationary_mean_sq_dist,
)

__all__ = [
    "averaged_mean_sq_dist",
    "eigen_noise",
    "gd_contraction",
    "heavy_ball_matrix",
    "heavy_ball_mean_sq_dist",
    "heavy_ball_stable",
    "heavy_ball_stationary_covariance",
    "heavy_ball_stationary_mean_sq_dist",
    "inverse_time_isotropic",
    "least_squares_shuffling_radius",
    "max_step",
    "minibatch_noise",
    "minibatch_noise_factor",
    "nemirovski_bound",
    "nemirovski_bound_repaired",
    "noise_ball",
    "optimal_step",
    "per_sample_noise",
    "polyak_juditsky_limit",
    "polyak_ruppert_isotropic",
    "reshuffling_bound",
    "schedule_mean_sq_dist",
    "sgd_bound",
    "shuffling_radius",
    "shuffling_radius_bounds",
    "shuffling_variance",
    "stationary_covariance",
    "stationary_covariance_lyapunov",
    "stationary_mean_sq_dist",
]

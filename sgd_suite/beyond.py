"""Beyond the lecture: step schedules, averaging, minibatch sampling and momentum, each by Monte
Carlo against its exact theory.

Every run is SGD on a quadratic finite sum :math:`f(w; x_i) = \\tfrac12(w-x_i)^\\top H(w-x_i)`
(:class:`sim.QuadraticProblem`), whose gradient noise :math:`-H(x_i-\\bar x)` does not depend on
:math:`w`, so the exact :math:`\\mathbf E\\|w_t-w^*\\|^2` of every option is known in closed
form or by an exact recursion (:mod:`sim.theory`). The reference of each check is computed from
the problem's data alone (its Hessian and the per-sample gradients at :math:`w^*`), never from
the simulation:

* ``schedule``: :math:`\\alpha_t = 1/(\\mu(t+1))` on :math:`H = \\mu I` gives exactly
  :math:`M/(\\mu^2 t)` for :math:`t \\ge 1` (:func:`sim.theory.inverse_time_isotropic`); a
  constant step follows the exact recursion (:func:`sim.theory.schedule_mean_sq_dist`) to the
  noise floor :math:`\\alpha M/(2\\mu-\\alpha\\mu^2)` (:func:`sim.theory.noise_ball`).
* ``averaging``: the Polyak-Ruppert average of :math:`w_0..w_t`
  (:func:`sim.theory.averaged_mean_sq_dist`), against the limit
  :math:`\\operatorname{tr}(H^{-1}CH^{-1})/(t+1)` (:func:`sim.theory.polyak_juditsky_limit`).
* ``minibatch``: the exact recursion with the noise scaled by
  :math:`1/b` (with replacement) or :math:`(n-b)/(b(n-1))` (without;
  :func:`sim.theory.minibatch_noise_factor`).
* ``momentum``: heavy ball's exact transient (:func:`sim.theory.heavy_ball_mean_sq_dist`),
  which tends to the stationary level :func:`sim.theory.heavy_ball_stationary_mean_sq_dist`.

Each run is checked two-sided at every step with :func:`sim.check.check_exact` (family-wise
false-alarm probability ``delta``). The basis is finite-sample where an almost-sure range is
known: :func:`sim.almost_sure.quadratic_bound` covers constant-step runs with any batch and any
sampling (and momentum 0); it does not cover a schedule or momentum, which use the normal
approximation (clt). For the average :math:`\\bar w_t` of :math:`w_0..w_t` a valid range is
:math:`\\max_{s \\le t} U_s`, since :math:`\\|\\bar w_t - w^*\\| \\le \\frac{1}{t+1}\\sum_s
\\|w_s - w^*\\| \\le \\max_s \\sqrt{U_s}` (triangle inequality); but it stays near
:math:`(G/\\mu)^2` while the mean falls like :math:`1/t`, so the empirical Bernstein half-width
it gives is about ten times the clt one at these sample sizes (mde near 10%), and the average is
checked on the clt basis.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sgd_suite.experiments import experiment_seed, quadratic_problem

TOLERANCE = 0.02
"""Largest minimum detectable relative error for which a check of this section decides; the
sample sizes below are chosen to meet it."""

GROUPS = ("schedule", "averaging", "minibatch", "momentum")


@dataclass(frozen=True)
class Run:
    """One Monte Carlo run of the section.

    Attributes:
        id, group, purpose: name, figure (one of :data:`GROUPS`) and what it shows.
        dim, n, mu, L: the quadratic (spectrum evenly spaced in [mu, L], data seed 0).
        alpha: a constant step, or None for the schedule :math:`1/(\\mu(t+1))`.
        steps, trajectories: run length and sample size.
        batch, sampling, momentum, average_from: the options of :func:`sim.simulate`.
        r0: distance of the start from :math:`w^*` (0: start at the optimum).
        quick: part of the quick report.
    """

    id: str
    group: str
    purpose: str
    alpha: float | None
    steps: int
    trajectories: int
    dim: int = 4
    n: int = 16
    mu: float = 1.0
    L: float = 1.0
    batch: int = 1
    sampling: str = "with-replacement"
    momentum: float = 0.0
    average_from: int | None = None
    r0: float = 3.0
    quick: bool = False


def _runs() -> list[Run]:
    runs = [
        Run("schedule-inverse-time", "schedule", "α_t = 1/(μ(t+1)) on H = μI: exactly M/(μ²t)",
            None, 100, 3 * 2**16, quick=True),
        Run("schedule-constant", "schedule", "constant α = 0.1 from the same start: the exact "
            "recursion, which levels off at αM/(2μ − αμ²)", 0.1, 100, 2**19, quick=True),
        Run("averaging", "averaging", "Polyak-Ruppert average of w_0..w_t, α = 0.5: exact, "
            "and tr(H⁻¹CH⁻¹)/(t+1) in the limit", 0.5, 150, 3 * 2**16, average_from=0,
            quick=True),
    ]
    for b, sampling in ((1, "with-replacement"), (2, "with-replacement"),
                        (2, "without-replacement"), (4, "with-replacement"),
                        (4, "without-replacement")):
        short = "with" if sampling == "with-replacement" else "without"
        runs.append(Run(f"minibatch-{short}-b{b}", "minibatch",
                        f"minibatch of {b} drawn {short} replacement, n = 8, α = 0.5, from w*",
                        0.5, 40, 2**19, n=8, L=2.0, batch=b, sampling=sampling, r0=0.0,
                        quick=b == 4))
    for beta in (0.0, 0.25, 0.5, 0.75):
        runs.append(Run(f"momentum-beta-{beta:g}", "momentum",
                        f"heavy ball β = {beta:g}, α = 0.1, from w*", 0.1, 160,
                        # beta = 0 is plain SGD, checked on the finite-sample basis (more runs)
                        2**20 if beta == 0 else 2**17, L=2.0,
                        momentum=beta, r0=0.0, quick=beta == 0.5))
    return runs


def catalogue(*, quick: bool = False) -> list[Run]:
    """The section's runs (with ``quick``, its quick subset, same parameters)."""
    return [r for r in _runs() if r.quick or not quick]


def build(run: Run):
    """``(problem, w0, alpha)``: the quadratic, the start and the step (a float or an array)."""
    problem, q = quadratic_problem(dim=run.dim, n=run.n, mu=run.mu, L=run.L, spread=1.0,
                                   data_seed=0)
    w0 = np.asarray(problem.w_star) + run.r0 * q.sum(axis=1) / np.sqrt(run.dim)
    if run.alpha is None:
        alpha = 1.0 / (problem.mu * (np.arange(run.steps) + 1.0))
    else:
        alpha = run.alpha
    return problem, w0, alpha


def eigen_data(problem, w0):
    """``(eigvals, noise_var, e0_eig)`` from the problem's data: the Hessian and the covariance
    :math:`C` of the per-sample gradients at :math:`w^*` (:func:`sim.theory.per_sample_noise`)."""
    from sim.theory import eigen_noise, per_sample_noise

    grads = problem.sample_gradients(np.tile(problem.w_star, (problem.n, 1)),
                                     np.arange(problem.n), np)
    _, cov = per_sample_noise(grads)
    lam, q, c = eigen_noise(problem.hessian, cov)
    return lam, c, q.T @ (np.asarray(w0) - problem.w_star), cov


def reference(run: Run, problem, w0) -> dict:
    """The exact theory of ``run``: the per-step ``exact`` values, the ``tested`` steps, the
    almost-sure ``range_bound`` (or None), the ``level`` the run tends to (or None), ``M`` and a
    ``curve`` of stationary levels over the option's range (momentum: over beta; minibatch: over
    b = 1..n, both samplings; else None), all from :mod:`sim.theory` and the problem's data."""
    from sim import theory
    from sim.almost_sure import quadratic_bound

    lam, c, z0, cov = eigen_data(problem, w0)
    mu, M = float(problem.mu), float(np.sum(c))
    tested = np.arange(run.steps + 1)
    rng = level = curve = None
    if run.group == "schedule" and run.alpha is None:
        exact = theory.inverse_time_isotropic(mu, M, run.steps)
        tested = tested[1:]  # the formula fixes E|w_t - w*|^2 from t = 1 on
        exact[0] = float(z0 @ z0)
    elif run.group == "averaging":
        exact = theory.averaged_mean_sq_dist(lam, c, run.alpha, z0, run.steps, run.average_from)
        level = theory.polyak_juditsky_limit(problem.hessian, cov)  # times 1/(t + 1)
    elif run.group == "momentum":
        exact = theory.heavy_ball_mean_sq_dist(lam, c, run.alpha, run.momentum, z0, run.steps)
        level = theory.heavy_ball_stationary_mean_sq_dist(lam, c, run.alpha, run.momentum)
        grid = np.linspace(0.0, 0.9, 91)
        curve = {"beta": grid, "level": [theory.heavy_ball_stationary_mean_sq_dist(
            lam, c, run.alpha, float(b)) for b in grid]}
        if run.momentum == 0:  # plain SGD: the almost-sure range holds
            rng = quadratic_bound(problem, alpha=run.alpha, steps=run.steps, w0=w0)
    else:
        factor = theory.minibatch_noise_factor(problem.n, run.batch, run.sampling)
        exact = theory.schedule_mean_sq_dist(lam, c * factor, run.alpha, z0, run.steps)
        if run.group == "schedule":  # the lecture's noise floor (exact here, H = mu I)
            level = theory.noise_ball(mu, M, run.alpha)
        else:
            level = theory.stationary_mean_sq_dist(lam, c * factor, run.alpha)
            b = np.arange(1, problem.n + 1)
            curve = {"batch": b, **{s: [theory.stationary_mean_sq_dist(
                lam, c * theory.minibatch_noise_factor(problem.n, int(k), s), run.alpha)
                for k in b] for s in ("with-replacement", "without-replacement")}}
        rng = quadratic_bound(problem, alpha=run.alpha, steps=run.steps, w0=w0)
    return {"exact": np.asarray(exact, dtype=float), "tested": tested, "range_bound": rng,
            "level": level, "M": M, "curve": curve}


def simulate_run(run: Run, *, seed: int, backend: str = "numpy", engine: str = "auto",
                 trajectories: int | None = None):
    """``(problem, w0, result)``: ``run`` simulated with Monte Carlo seed ``seed``.

    A run with options the fused engines do not take (a schedule, sampling without replacement,
    momentum, averaging) uses ``engine="auto"``, which picks the array engine for them.
    """
    from sim import simulate

    problem, w0, alpha = build(run)
    plain = (run.alpha is not None and run.sampling == "with-replacement" and run.momentum == 0
             and run.average_from is None)
    result = simulate(problem, alpha=alpha, steps=run.steps,
                      trajectories=trajectories or run.trajectories, seed=seed, backend=backend,
                      w0=w0, batch=run.batch, sampling=run.sampling, momentum=run.momentum,
                      average_from=run.average_from, engine=engine if plain else "auto")
    return problem, w0, result


def check(run: Run, result, ref: dict, *, exact=None, delta: float = 1e-9,
          tolerance: float = TOLERANCE):
    """:func:`sim.check.check_exact` of ``result`` (its averaged iterate for an averaging run)
    against ``exact`` (default ``ref["exact"]``) at ``ref["tested"]``."""
    from sim.check import check_exact

    sample = result.averaged if run.average_from is not None else result
    return check_exact(sample, ref["exact"] if exact is None else exact, delta=delta,
                       tolerance=tolerance, steps=ref["tested"], range_bound=ref["range_bound"])


def record(run: Run, problem, result, ref: dict, chk, *, seed: int) -> dict:
    """The JSON record of one run (NumPy arrays allowed)."""
    from sgd_suite.runs import _check_dict

    sample = result.averaged if run.average_from is not None else result
    arrays = {"mean_sq_dist": sample.mean_sq_dist, "stderr": sample.stderr,
              "exact": ref["exact"]}
    if run.average_from is not None:
        arrays["last_iterate_mean_sq_dist"] = result.mean_sq_dist
    return {
        "id": run.id, "group": run.group, "purpose": run.purpose,
        "parameters": {
            "dim": run.dim, "n": run.n, "mu": float(problem.mu), "L": float(problem.L),
            "M": ref["M"], "alpha": "1/(mu (t+1))" if run.alpha is None else run.alpha,
            "steps": run.steps, "trajectories": int(result.trajectories), "seed": seed,
            "batch": run.batch, "sampling": run.sampling, "momentum": run.momentum,
            "average_from": run.average_from, "r0": run.r0, "engine": result.engine,
        },
        "level": ref["level"],
        "theory_curve": ref["curve"],
        "verdict": chk.verdict, "basis": chk.basis, "mde": chk.mde, "tolerance": chk.tolerance,
        "check": _check_dict(chk),
        "passed": chk.verdict == "pass",
        "arrays": arrays,
    }


def run_all(*, root_seed: int, quick: bool = False, backend: str = "numpy",
            engine: str = "auto", delta: float = 1e-9,
            trajectories: int | None = None) -> list[dict]:
    """Simulate and check every run of the section; seeds from ``root_seed`` and each id."""
    out = []
    for run in catalogue(quick=quick):
        seed = experiment_seed(root_seed, run.id)
        problem, w0, result = simulate_run(run, seed=seed, backend=backend, engine=engine,
                                           trajectories=trajectories)
        ref = reference(run, problem, w0)
        out.append(record(run, problem, result, ref, check(run, result, ref, delta=delta),
                          seed=seed))
    return out

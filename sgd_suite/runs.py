"""Running the catalogue: simulate each experiment, check it against the theory, record it.

Each function returns a JSON-shaped record (NumPy arrays allowed; the report converts them)
holding the Monte Carlo numbers and the theoretical values they are checked against side by
side: the lecture's recursion bound (``sim.theory.sgd_bound``), the exact curve where known
(quadratics), and the statistical verdicts of ``sim.check``. Deterministic companions (the
gradient-descent rate and the exact noise-ball curve) are here too.
"""

from __future__ import annotations

import numpy as np

from sgd_suite.experiments import (
    GD_RATE_CLAIMS,
    TOLERANCE,
    Experiment,
    build,
    catalogue,
    quadratic_problem,
)


def _check_dict(check) -> dict:
    """The fields of a sim.check result that the report records (NumPy scalars to Python)."""
    out = {}
    for key, value in vars(check).items():
        if key in ("failing_steps", "range_exceeded_steps"):
            out[key.replace("_steps", "_steps_count")] = int(np.size(value))
        if key == "tested_steps":
            out["tested_from"], out["tested_to"] = int(value[0]), int(value[-1])
        if isinstance(value, np.ndarray):
            continue
        out[key] = value.item() if isinstance(value, np.generic) else value
    return out


def combined_verdict(*verdicts: str) -> str:
    """"fail" if any check fails, else "inconclusive" if any is, else "pass"."""
    if "fail" in verdicts:
        return "fail"
    return "inconclusive" if "inconclusive" in verdicts else "pass"


def run(exp: Experiment, *, seed: int, backend: str, engine: str, delta: float,
        trajectories: int | None = None, progress: bool = False,
        tolerance: float | None = None) -> dict:
    """Simulate ``exp`` with Monte Carlo seed ``seed`` and check it (:func:`evaluate`)."""
    from sim import simulate

    problem, w0 = build(exp)
    result = simulate(problem, alpha=exp.alpha, steps=exp.steps,
                      trajectories=trajectories or exp.trajectories, seed=seed, backend=backend,
                      w0=w0, batch=exp.batch, engine=engine, progress=progress)
    return evaluate(exp, problem, w0, result, delta=delta, tolerance=tolerance)


def evaluate(exp: Experiment, problem, w0, result, *, delta: float,
             tolerance: float | None = None) -> dict:
    """Check a simulation of ``exp`` against the lecture's bound and the exact value.

    Quadratic runs use the finite-sample basis, with the almost-sure range of
    :func:`sim.almost_sure.quadratic_bound`; logistic runs the normal approximation. The main
    check is ``exp.check``; the record's verdict combines every check of the run.

    Returns:
        The JSON record of the run: parameters (with the problem's exact mu, L, M), the
        one-sided check (against the bound, or, for a violation run, expected to reject it),
        the two-sided check against the exact value where it is known, the verdict, basis and
        mde of the main check, and the per-step arrays.
    """
    from sim.almost_sure import quadratic_bound
    from sim.check import check_exact, check_upper_bound, check_violation
    from sim.theory import max_step, noise_ball, sgd_bound

    tol = TOLERANCE if tolerance is None else tolerance
    mu, L, M = float(problem.mu), float(problem.L), float(problem.M)
    m_eff = M / exp.batch
    e0_sq = float(np.sum((w0 - np.asarray(problem.w_star)) ** 2))
    bound = np.asarray(sgd_bound(mu, m_eff, exp.alpha, e0_sq, exp.steps))
    level = float(noise_ball(mu, m_eff, exp.alpha)) if exp.alpha * mu < 2 else None
    upper = bound if exp.reference == "recursion" else np.full(exp.steps + 1, level)
    tested = np.arange(exp.test_from, exp.steps + 1)
    exact = range_bound = None
    if exp.problem == "quadratic":
        exact = np.asarray(problem.exact_mean_sq_dist(alpha=exp.alpha, steps=exp.steps, w0=w0,
                                                      batch=exp.batch))
        range_bound = quadratic_bound(problem, alpha=exp.alpha, steps=exp.steps, w0=w0)
    common = {"delta": delta, "steps": tested, "range_bound": range_bound}
    if exp.check == "violation":
        bound_check = check_violation(result, upper, exact, **common)
    else:
        bound_check = check_upper_bound(result, upper, tolerance=tol, **common)
    exact_check = None
    if exact is not None:
        exact_check = check_exact(result, bound if exp.tight else exact, tolerance=tol, **common)
    main = exact_check if exp.check == "exact" else bound_check
    verdict = combined_verdict(*(c.verdict for c in (bound_check, exact_check) if c))
    # The start is deterministic (zero spread at t = 0), so tightness is read from t >= 1.
    with np.errstate(divide="ignore", invalid="ignore"):
        est, se = result.mean_sq_dist[1:], result.stderr[1:]
        z_after = np.where(se > 0, (est - bound[1:]) / se, np.nan)
        tightness = {"max_z_after_start": float(np.nanmax(z_after)) if np.any(se > 0) else None,
                     "max_ratio_after_start": float(np.nanmax(est / bound[1:]))}
    arrays = {"mean_sq_dist": result.mean_sq_dist, "stderr": result.stderr, "bound": bound,
              "exact": exact, "range_bound": range_bound}
    if exp.group == "logistic":
        arrays["mean_w"] = result.mean_w
        arrays["gd_path"] = problem.gd_path(alpha=exp.alpha, steps=exp.steps, w0=w0)
        arrays["w_star"] = np.asarray(problem.w_star)
    return {
        "id": exp.id,
        "group": exp.group,
        "purpose": exp.purpose,
        "claims": list(exp.claims),
        "parameters": {
            "problem": exp.problem, "dim": exp.dim, "n": exp.n, "mu": mu, "L": L, "M": M,
            "M_batch": m_eff, "alpha": exp.alpha, "max_step": float(max_step(mu, L)),
            "batch": exp.batch, "steps": exp.steps, "trajectories": int(result.trajectories),
            "seed": int(result.seed), "data_seed": exp.data_seed, "spread": exp.spread,
            "l2": exp.l2, "start": exp.start, "r0": exp.r0, "points": exp.points,
            "test_from": exp.test_from, "reference": exp.reference, "tight": exp.tight,
            "backend": result.backend, "engine": result.engine, "device": result.device,
        },
        "noise_ball": level,
        "check": exp.check,
        "verdict": verdict,
        "basis": main.basis,
        "mde": main.mde,
        "tolerance": tol,
        "bound_check": {**_check_dict(bound_check), **tightness},
        "exact_check": None if exact_check is None else _check_dict(exact_check),
        "expected": exp.expect,
        "expectation_met": verdict == "pass",
        "diverged_at": result.diverged_at,
        "elapsed_s": float(result.elapsed_s),
        "arrays": arrays,
    }


def noise_ball_curve(*, points: int = 60, tol: float = 1e-12) -> dict:
    """Exact and lecture's noise-ball level on a grid of step sizes in (0, 2/(L+mu)].

    On the problem of the "noise-ball" runs of the catalogue.

    The exact limit is ``exact_mean_sq_dist`` from the optimum after enough steps that the
    remaining transient factor :math:`(1-\\alpha\\mu)^{2T}` is below ``tol``; the lecture's is
    :math:`\\alpha M/(2\\mu-\\alpha\\mu^2)` (``sim.theory.noise_ball``).
    """
    from sim.theory import max_step, noise_ball

    problem, _ = build(next(e for e in catalogue() if e.group == "noise-ball"))
    alphas = np.linspace(0, max_step(problem.mu, problem.L), points + 1)[1:]
    exact = []
    for a in alphas:
        steps = int(np.ceil(np.log(tol) / (2 * np.log1p(-a * problem.mu))))
        exact.append(problem.exact_mean_sq_dist(alpha=a, steps=steps, w0=problem.w_star)[-1])
    return {"alpha": alphas, "exact_limit": np.asarray(exact),
            "lecture_limit": np.array([noise_ball(problem.mu, problem.M, a) for a in alphas])}


def within_rate(dist, rate, *, rtol: float = 1e-9) -> bool:
    """Whether :math:`\\|w_t-w^*\\| \\le` rate at every step, up to relative rounding ``rtol``."""
    return bool(np.all(np.asarray(dist) <= np.asarray(rate) * (1 + rtol)))


GD_CASES = ((1.0, 3.0), (1.0, 10.0), (1.0, 50.0))
"""(mu, L) of the gradient-descent rate figure: rates 1/2, 9/11 and 49/51."""


def gd_rate_runs(*, dim: int = 5, max_steps: int = 120, floor: float = 1e-11) -> list[dict]:
    """Gradient descent with :math:`\\alpha = 2/(L+\\mu)` against :math:`((L-\\mu)/(L+\\mu))^t`.

    Slide "Gradient Descent Converges (continued)":
    :math:`\\|w_K-w^*\\| \\le ((L-\\mu)/(L+\\mu))^K \\|w_0-w^*\\|`. The start has equal
    components along every eigenvector of a quadratic with spectrum in [mu, L]; those of mu
    and L contract by exactly the rate, so the ratio tends to a constant and the rate is sharp.
    Each path stops before the rate falls below ``floor`` (relative), where ``w_t - w*`` is no
    longer resolved in float64; the comparison allows a relative slack of
    ``1e-9`` for the rounding accumulated over the steps.
    """
    runs = []
    for mu, L in GD_CASES:
        kappa = (L - mu) / (L + mu)
        steps = min(max_steps, int(np.log(floor) / np.log(kappa)))
        problem, q = quadratic_problem(dim=dim, n=16, mu=mu, L=L, spread=1.0, data_seed=1)
        w0 = problem.w_star + 3.0 * q.sum(axis=1) / np.sqrt(dim)
        path = problem.gd_path(alpha=2 / (L + mu), steps=steps, w0=w0)
        dist = np.linalg.norm(path - problem.w_star, axis=1)
        rate = kappa ** np.arange(steps + 1) * dist[0]
        runs.append({
            "mu": mu, "L": L, "alpha": 2 / (L + mu), "dim": dim, "steps": steps,
            "claims": list(GD_RATE_CLAIMS),
            "label": f"μ={mu:g}, L={L:g}, rate (L−μ)/(L+μ)={kappa:.3g}",
            "worst_ratio_after_start": float(np.max(dist[1:] / rate[1:])),
            "passed": within_rate(dist, rate),
            "dist": dist, "rate": rate,
        })
    return runs

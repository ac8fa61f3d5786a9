"""``sgd-suite simulate``: one Monte Carlo experiment from flags, checked against the bound.

Prints the estimate of :math:`E\\|w_t-w^*\\|^2`, its standard error, the lecture's bound, the
exact value (quadratics) and the standardised excess :math:`z=(\\hat m_t-b_t)/\\widehat{se}_t` at
a spread of steps, then the verdict of the one-sided check. Exit status 1 when the step size
satisfies :math:`\\alpha\\le 2/(L+\\mu)` (so the bound must hold) and the check rejects it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sgd_suite.cli import UsageError
from sim.check import DEFAULT_TOLERANCE
from sgd_suite.experiments import Experiment, build
from sgd_suite.runs import run as run_experiment


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "simulate", help="run one SGD Monte Carlo experiment and check it against the bound",
        description=__doc__.split("\n\n")[0].split(": ", 1)[1],
    )
    p.add_argument("--problem", choices=("quadratic", "logistic"), default="quadratic",
                   help="finite sum to run on (default: quadratic)")
    p.add_argument("--dim", type=int, default=5, help="dimension d >= 1 (default: 5)")
    p.add_argument("--n", type=int, default=64, help="number of training examples >= 1 "
                   "(default: 64)")
    p.add_argument("--mu", type=float, default=1.0, help="quadratic: smallest Hessian "
                   "eigenvalue mu > 0 (default: 1)")
    p.add_argument("--L", type=float, default=4.0, help="quadratic: largest Hessian eigenvalue "
                   "L >= mu; the spectrum is evenly spaced in [mu, L] (default: 4)")
    p.add_argument("--l2", type=float, default=0.1, help="logistic: ridge weight lambda > 0, "
                   "which is mu (default: 0.1)")
    p.add_argument("--spread", type=float, default=1.0, help="standard deviation of the "
                   "examples (quadratic) or features (logistic) (default: 1)")
    p.add_argument("--data-seed", type=int, default=0, help="seed of the problem's data "
                   "(default: 0)")
    p.add_argument("--alpha", type=float, default=0.1, help="step size alpha > 0; the bound "
                   "is guaranteed for alpha <= 2/(L+mu) (default: 0.1)")
    p.add_argument("--steps", type=int, default=100, help="SGD steps T >= 1 (default: 100)")
    p.add_argument("--trajectories", type=int, default=4096, help="independent runs N >= 2 "
                   "(default: 4096)")
    p.add_argument("--batch", type=int, default=1, help="minibatch size B >= 1, indices drawn "
                   "with replacement; the bound uses M/B (default: 1)")
    p.add_argument("--r0", type=float, default=3.0, help="distance of w0 from w* (default: 3)")
    p.add_argument("--seed", type=int, default=0, help="Monte Carlo seed (default: 0)")
    p.add_argument("--backend", default="numpy", help="array backend: numpy, cupy or auto "
                   "(default: numpy)")
    p.add_argument("--engine", default="auto", help="simulation engine: array, numba, "
                   "cupy-fused or auto (default: auto)")
    p.add_argument("--delta", type=float, default=1e-9, help="family-wise false-alarm "
                   "probability of the check, in (0, 1) (default: 1e-9)")
    p.add_argument("--figure", metavar="PATH", default=None, help="also draw the curves to "
                   "this PNG")
    p.add_argument("--json", metavar="PATH", default=None, help="also write the run's record "
                   "(parameters, checks, per-step arrays; non-finite numbers as null) as JSON "
                   "to PATH, atomically")
    p.set_defaults(func=run)


def _validate(args) -> None:
    for name, low in (("dim", 1), ("n", 1), ("steps", 1), ("trajectories", 2), ("batch", 1)):
        if getattr(args, name) < low:
            raise UsageError(f"--{name} must be an integer >= {low}, got {getattr(args, name)}")
    for name in ("alpha", "mu", "L", "l2", "spread"):
        value = getattr(args, name)
        if not np.isfinite(value) or value <= 0:
            raise UsageError(f"--{name} must be a finite number > 0, got {value}")
    if args.problem == "quadratic" and args.L < args.mu:
        raise UsageError(f"--L must be >= --mu, got L={args.L}, mu={args.mu}")
    if args.problem == "quadratic" and args.dim == 1 and args.L != args.mu:
        raise UsageError("a one-dimensional quadratic has one eigenvalue: give --L equal to --mu")
    if not 0 < args.delta < 1:
        raise UsageError(f"--delta must be in (0, 1), got {args.delta}")
    if args.r0 < 0:
        raise UsageError(f"--r0 must be >= 0, got {args.r0}")
    if args.json is not None and Path(args.json).is_dir():
        raise UsageError(f"--json must be a file path, got the folder {args.json}")


def table_steps(steps: int, extra: int | None = None, *, rows: int = 12) -> list[int]:
    """About ``rows`` steps spread over 0..steps on a square-root scale, plus ``extra``."""
    t = np.unique(np.round(np.linspace(0, np.sqrt(steps), rows) ** 2).astype(int))
    picked = set(t.tolist()) | ({extra} if extra is not None else set())
    return sorted(picked)


def format_table(rec: dict) -> str:
    """Steps spread over the run; z is the check's standardised excess over the bound."""
    from sim.check import standardized_excess

    a = rec["arrays"]
    est, se, bound = a["mean_sq_dist"], a["stderr"], a["bound"]
    exact = a["exact"]
    chk = rec["bound_check"]
    z_all = standardized_excess(est, se, bound, rtol=chk["rtol"])
    worst = chk["worst_z_step"] if chk["worst_z"] > 0 else None
    lines = [f"{'t':>6} {'estimate':>12} {'stderr':>10} {'bound':>12} {'exact':>12} {'z':>8}"]
    for t in table_steps(len(est) - 1, worst):
        z = z_all[t]
        ex = f"{exact[t]:12.5g}" if exact is not None else f"{'—':>12}"
        mark = "  <- worst z" if t == worst else ""
        lines.append(f"{t:>6} {est[t]:12.5g} {se[t]:10.3g} {bound[t]:12.5g} {ex} {z:8.2f}{mark}")
    return "\n".join(lines)


def run(args) -> int:
    _validate(args)
    exp = Experiment(id="cli", group="cli", purpose="command line", problem=args.problem,
                     dim=args.dim, n=args.n, mu=args.mu, L=args.L, l2=args.l2,
                     spread=args.spread, data_seed=args.data_seed, alpha=args.alpha,
                     steps=args.steps, trajectories=args.trajectories, batch=args.batch,
                     r0=args.r0)
    problem, _ = build(exp)
    inside = args.alpha <= 2.0 / (problem.L + problem.mu)
    exp = Experiment(**{**exp.as_dict(), "expect": "pass" if inside else "violate"})
    rec = run_experiment(exp, seed=args.seed, backend=args.backend, engine=args.engine,
                         delta=args.delta, progress=True, tolerance=DEFAULT_TOLERANCE)
    p, chk = rec["parameters"], rec["bound_check"]
    print(f"{args.problem}: d={p['dim']}, n={p['n']}, mu={p['mu']:.6g}, L={p['L']:.6g}, "
          f"M={p['M']:.6g}, alpha={p['alpha']:.6g} (2/(L+mu)={p['max_step']:.6g}), "
          f"batch={p['batch']}, N={p['trajectories']}, seed={p['seed']}, "
          f"backend={p['backend']}, engine={p['engine']}, device={p['device']}")
    print(format_table(rec))
    exact = rec["exact_check"]
    print(f"bound check: worst z = {chk['worst_z']:.3f} at t = {chk['worst_z_step']}, "
          f"over t >= 1: {chk['max_z_after_start']:.3f} (threshold {chk['z_threshold']:.3f}, "
          f"delta = {chk['delta']:g}): " + ("passed" if chk["passed"] else "REJECTED")
          + f"; {chk['verdict']} (basis {chk['basis']}, mde {chk['mde']:.3g})")
    if exact is not None:
        print(f"exact check: worst |z| = {exact['worst_abs_z']:.3f} (threshold "
              f"{exact['z_threshold']:.3f}): " + ("agrees" if exact["passed"] else "DISAGREES")
              + f"; {exact['verdict']} (basis {exact['basis']}, mde {exact['mde']:.3g})")
    print(f"verdict: {rec['verdict']} ({rec['check']} check, basis {rec['basis']}, "
          f"mde {rec['mde']:.3g}, tolerance {rec['tolerance']:g})")
    if not inside:
        print("alpha > 2/(L+mu): outside the step-size condition, the bound is not guaranteed "
              "(a rejection here is expected, not a failure).")
    if args.figure:
        from sgd_suite.figures import step_size_violation

        arrays = rec["arrays"]
        path = step_size_violation([{
            "t": np.arange(p["steps"] + 1), "estimate": arrays["mean_sq_dist"],
            "stderr": arrays["stderr"], "bound": arrays["bound"], "exact": arrays["exact"],
            "title": f"{args.problem}: d={p['dim']}, μ={p['mu']:.3g}, L={p['L']:.3g}, "
                     f"α={p['alpha']:.3g}, N={p['trajectories']}"}], args.figure,
            suptitle="SGD: Monte Carlo mean squared distance against the lecture's bound")
        print(f"figure: {path}")
    if args.json:
        import json

        from sgd_suite.atomic import write_text_atomic
        from sgd_suite.report import jsonable

        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(args.json, json.dumps(jsonable(rec), indent=1, allow_nan=False) + "\n")
        print(f"json: {args.json}")
    return 1 if rec["verdict"] == "fail" and inside else 0

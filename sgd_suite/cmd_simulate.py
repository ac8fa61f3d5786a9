"""``sgd-suite simulate``: one Monte Carlo experiment from flags, checked against the bound.

Prints the estimate of :math:`E\\|w_t-w^*\\|^2`, its standard error, the lecture's bound, the
exact value (quadratics) and the standardised excess :math:`z=(\\hat m_t-b_t)/\\widehat{se}_t` at
a spread of steps, then the verdict of the one-sided check. Exit status 1 when the step size
satisfies :math:`\\alpha\\le 2/(L+\\mu)` (so the bound must hold) and the check rejects it.
"""

from __future__ import annotations

import sys

from sgd_suite.argtypes import integer, real
from sgd_suite.cli import UsageError
from sgd_suite.verdicts import bound_words, exact_words, verdict
from sim.check import DEFAULT_TOLERANCE

MAX_CONDITION = 1e12
"""Largest L/mu accepted: the smallest eigenvalue must stay resolvable in float64."""
MAX_R0 = 1e6
"""Largest distance of the start from w* accepted (its square must stay far from overflow)."""
LONG_RUN_S = 60.0
"""Runs estimated to take longer than this show their estimate before starting."""
FIGURE_SUFFIXES = (".png", ".pdf", ".svg")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "simulate", help="run one SGD Monte Carlo experiment and check it against the bound",
        description=__doc__.split("\n\n")[0].split(": ", 1)[1],
    )
    p.add_argument("--problem", choices=("quadratic", "logistic"), default="quadratic",
                   help="finite sum to run on (default: quadratic)")
    p.add_argument("--dim", type=integer(1), default=5, help="dimension d >= 1 (default: 5)")
    p.add_argument("--n", type=integer(1, 2**31 - 1), default=64,
                   help="number of training examples, in [1, 2^31 - 1] (default: 64)")
    p.add_argument("--mu", type=real(0), default=1.0, help="quadratic: smallest Hessian "
                   "eigenvalue mu > 0 (default: 1)")
    p.add_argument("--L", type=real(0), default=4.0, help="quadratic: largest Hessian "
                   f"eigenvalue, mu <= L <= {MAX_CONDITION:.0e} mu; the spectrum is evenly "
                   "spaced in [mu, L] (default: 4)")
    p.add_argument("--l2", type=real(0), default=0.1, help="logistic: ridge weight lambda > 0, "
                   "which is mu (default: 0.1)")
    p.add_argument("--spread", type=real(0), default=1.0, help="standard deviation > 0 of the "
                   "examples (quadratic) or features (logistic) (default: 1)")
    p.add_argument("--data-seed", type=integer(0), default=0, help="seed >= 0 of the "
                   "problem's data (default: 0)")
    p.add_argument("--alpha", type=real(0), default=0.1, help="step size, 0 < alpha < 2/mu "
                   "(beyond, the recursion has no noise ball); the bound is guaranteed for "
                   "alpha <= 2/(L+mu) (default: 0.1)")
    p.add_argument("--steps", type=integer(1), default=100, help="SGD steps T >= 1 "
                   "(default: 100)")
    p.add_argument("--trajectories", type=integer(2), default=262_144, help="independent runs "
                   "N >= 2; a check whose minimum detectable error exceeds 5%% is inconclusive "
                   "(default: 262144)")
    p.add_argument("--batch", type=integer(1), default=1, help="minibatch size B >= 1, indices "
                   "drawn with replacement; the bound uses M/B (default: 1)")
    p.add_argument("--r0", type=real(0, MAX_R0, low_open=False), default=3.0,
                   help="distance of w0 from w*, in [0, 1e6] (default: 3)")
    p.add_argument("--seed", type=integer(0, 2**64 - 1), default=0,
                   help="Monte Carlo seed, in [0, 2^64) (default: 0)")
    p.add_argument("--backend", default="numpy", choices=("numpy", "cupy", "auto"),
                   help="array backend (default: numpy)")
    p.add_argument("--engine", default="auto", choices=("array", "numba", "cupy-fused", "auto"),
                   help="simulation engine; auto picks numba on NumPy when it is installed "
                        "and cupy-fused on CuPy (default: auto)")
    p.add_argument("--delta", type=real(0, 1, high_open=True), default=1e-9,
                   help="family-wise false-alarm probability of the checks, in (0, 1) "
                        "(default: 1e-9)")
    p.add_argument("--figure", metavar="PATH", default=None,
                   help="also draw the curves to PATH (.png, .pdf or .svg; its folder must "
                        "exist)")
    p.add_argument("--json", metavar="PATH", default=None,
                   help="also write the run's record (parameters, checks with verdict, basis "
                        "and mde, per-step arrays; non-finite numbers as null) as JSON to PATH, "
                        "atomically (its folder must exist)")
    p.set_defaults(func=run, kept=kept)


def kept(args) -> str:
    """What an interruption leaves: the figure and the JSON are written only at the end."""
    return "nothing was written"


def _mu(args) -> float:
    return args.mu if args.problem == "quadratic" else args.l2


def validate(args) -> None:
    """Constraints between flags (each flag's own range is checked while parsing)."""
    from sim.validation import number

    if args.problem == "quadratic":
        if args.L < args.mu:
            raise UsageError(f"--L must be >= --mu, got L={number(args.L)}, "
                             f"mu={number(args.mu)}")
        if args.L > MAX_CONDITION * args.mu:
            raise UsageError(f"--L/--mu must be <= {MAX_CONDITION:.0e} (the smallest "
                             f"eigenvalue must be resolvable in float64), got "
                             f"{number(args.L / args.mu)}")
        if args.dim == 1 and args.L != args.mu:
            raise UsageError("a one-dimensional quadratic has one eigenvalue: give --L equal "
                             "to --mu")
    _check_alpha(args.alpha, _mu(args))


def _check_alpha(alpha: float, mu: float) -> None:
    from sim.validation import number

    if not alpha * mu < 2:
        raise UsageError(f"--alpha must be < 2/mu = {number(2 / mu)} (beyond it the lecture's "
                         f"recursion has no noise ball), got {number(alpha)}")


def table_steps(steps: int, extra: int | None = None, *, rows: int = 12) -> list[int]:
    """About ``rows`` steps spread over 0..steps on a square-root scale, plus ``extra``."""
    import numpy as np

    t = np.unique(np.round(np.linspace(0, np.sqrt(steps), rows) ** 2).astype(int))
    picked = set(t.tolist()) | ({extra} if extra is not None else set())
    return sorted(picked)


def format_table(rec: dict) -> str:
    """Steps spread over the run (before any divergence); z is the check's standardised excess
    over the bound."""
    from sim.check import standardized_excess

    a = rec["arrays"]
    est, se, bound = a["mean_sq_dist"], a["stderr"], a["bound"]
    exact = a["exact"]
    chk = rec["bound_check"]
    z_all = standardized_excess(est, se, bound, rtol=chk["rtol"])
    last = len(est) - 1 if rec["diverged_at"] is None else rec["diverged_at"] - 1
    worst = chk["worst_z_step"] if chk["worst_z"] > 0 and chk["worst_z_step"] <= last else None
    lines = [f"{'t':>6} {'estimate':>12} {'stderr':>10} {'bound':>12} {'exact':>12} {'z':>8}"]
    for t in table_steps(last, worst):
        z = z_all[t]
        ex = f"{exact[t]:12.5g}" if exact is not None else f"{'—':>12}"
        mark = "  <- worst z" if t == worst else ""
        lines.append(f"{t:>6} {est[t]:12.5g} {se[t]:10.3g} {bound[t]:12.5g} {ex} {z:8.2f}{mark}")
    return "\n".join(lines)


def _preflight(args) -> str:
    """Refuse a run that cannot fit in memory, show a long one's estimate; return the engine."""
    from sim import preflight
    from sim.backend import resolve_backend
    from sim.engines import resolve_engine

    backend = resolve_backend(args.backend).name
    engine, _ = resolve_engine(args.engine, backend)
    est = preflight.estimate(kind=args.problem, dim=args.dim, n=args.n, steps=args.steps,
                             trajectories=args.trajectories, batch=args.batch, engine=engine,
                             backend=backend, build_problem=True)
    preflight.require(est)
    if est.seconds > LONG_RUN_S:
        print(f"sgd-suite simulate: estimated {est.describe()} ({engine} engine); Ctrl-C "
              "stops it", file=sys.stderr)
    return engine


def run(args) -> int:
    import numpy as np

    from sgd_suite.experiments import Experiment, build
    from sgd_suite.outputs import output_file
    from sgd_suite.runs import run as run_experiment

    validate(args)
    if args.figure:
        output_file("--figure", args.figure, suffixes=FIGURE_SUFFIXES)
    if args.json:
        output_file("--json", args.json)
    engine = _preflight(args)
    exp = Experiment(id="cli", group="cli", purpose="command line", problem=args.problem,
                     dim=args.dim, n=args.n, mu=args.mu, L=args.L, l2=args.l2,
                     spread=args.spread, data_seed=args.data_seed, alpha=args.alpha,
                     steps=args.steps, trajectories=args.trajectories, batch=args.batch,
                     r0=args.r0)
    with np.errstate(over="ignore", invalid="ignore"):
        problem, _ = build(exp)
    if not all(np.isfinite([problem.mu, problem.L, problem.M])):
        raise UsageError("the problem's constants overflow float64; use a smaller --spread, "
                         "--L or --mu")
    _check_alpha(args.alpha, problem.mu)
    inside = args.alpha <= 2.0 / (problem.L + problem.mu)
    exp = Experiment(**{**exp.as_dict(), "expect": "pass" if inside else "violate"})
    rec = run_experiment(exp, seed=args.seed, backend=args.backend, engine=engine,
                         delta=args.delta, progress=True,
                         tolerance=DEFAULT_TOLERANCE)
    p = rec["parameters"]
    print(f"{args.problem}: d={p['dim']}, n={p['n']}, mu={p['mu']:.6g}, L={p['L']:.6g}, "
          f"M={p['M']:.6g}, alpha={p['alpha']:.6g} (2/(L+mu)={p['max_step']:.6g}), "
          f"batch={p['batch']}, N={p['trajectories']}, seed={p['seed']}, "
          f"backend={p['backend']}, engine={p['engine']}, device={p['device']}")
    print(format_table(rec))
    code = report_checks(rec, inside=inside)
    if args.figure:
        print(f"figure: {draw(rec, args)}")
    if args.json:
        print(f"json: {write_json(rec, args.json)}")
    return code


def report_checks(rec: dict, *, inside: bool) -> int:
    """Print the divergence (if any) and each check's verdict; return the exit code."""
    p, chk, exact = rec["parameters"], rec["bound_check"], rec["exact_check"]
    n = p["trajectories"]
    failed = False
    if rec["diverged_at"] is not None:
        t = rec["diverged_at"]
        print(f"diverged at step {t} (result.diverged_at = {t}): some trajectory's "
              "||w_t - w*||^2 exceeded 1e150 or stopped being finite; no statistics exist "
              "from that step on, so the bound (finite at every step) fails there")
        failed = inside
    else:
        v = verdict(chk, n)
        print(f"bound check: worst z = {chk['worst_z']:.3f} at t = {chk['worst_z_step']}, "
              f"over t >= 1: {chk['max_z_after_start']:.3f} (threshold "
              f"{chk['z_threshold']:.3f}, delta = {chk['delta']:g}): {bound_words(v, chk, n)}"
              + _power(chk))
        failed = inside and v == "fail"
        if exact is not None:
            ve = verdict(exact, n)
            print(f"exact check: worst |z| = {exact['worst_abs_z']:.3f} (threshold "
                  f"{exact['z_threshold']:.3f}): {exact_words(ve, exact, n)}"
                  + _power(exact))
            failed = failed or (inside and ve == "fail")
    if not inside:
        print("alpha > 2/(L+mu): outside the step-size condition, the bound is not guaranteed "
              "(a rejection here is expected, not a failure).")
    return 1 if failed else 0


def draw(rec: dict, args) -> str:
    """The run's curves (up to any divergence) drawn to ``args.figure``."""
    import numpy as np

    from sgd_suite.figures import step_size_violation

    p, arrays = rec["parameters"], rec["arrays"]
    stop = p["steps"] + 1 if rec["diverged_at"] is None else rec["diverged_at"]
    exact = arrays["exact"]
    path = step_size_violation([{
        "t": np.arange(stop), "estimate": arrays["mean_sq_dist"][:stop],
        "stderr": arrays["stderr"][:stop], "bound": arrays["bound"][:stop],
        "exact": None if exact is None else exact[:stop],
        "threshold": (rec["exact_check"] or rec["bound_check"])["z_threshold"],
        "noise_ball": rec["noise_ball"],
        "title": f"{args.problem}: d={p['dim']}, μ={p['mu']:.3g}, L={p['L']:.3g}, "
                 f"α={p['alpha']:.3g}, N={p['trajectories']}"
                 + (f", diverged at t={rec['diverged_at']}" if stop <= p["steps"] else "")}],
        args.figure,
        suptitle="SGD: Monte Carlo mean squared distance against the lecture's bound")
    return str(path)


def _power(check: dict) -> str:
    """The check's basis and minimum detectable error, when it states them."""
    if check.get("mde") is None:
        return ""
    return f" (basis {check['basis']}, mde {check['mde']:.3g})"


def write_json(rec: dict, path: str) -> str:
    """The run's record as JSON at ``path``, written atomically (non-finite numbers as null)."""
    import json

    from sgd_suite.atomic import write_text_atomic
    from sgd_suite.report import jsonable

    write_text_atomic(path, json.dumps(jsonable(rec), indent=1, allow_nan=False) + "\n")
    return str(path)

"""``sgd-suite report``: every step's verdict and the Monte Carlo evidence, as Markdown, JSON, PNG.

The report is built in a temporary sibling of ``--out`` and moved into place at the end, so an
interrupted run leaves the previous report intact. Exit status 1 when a claim's computed
verdict differs from its record, or a Monte Carlo confirmation that should pass fails.
"""

from __future__ import annotations

from pathlib import Path

from sgd_suite.cli import UsageError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "report", help="write the verification report (Markdown, JSON, figures)",
        description="Check every step of the lecture and run the Monte Carlo experiments; "
                    "write verification.md, verification.json and figures/ to --out.",
    )
    p.add_argument("--out", default="reports", metavar="DIR",
                   help="folder to write (replaced as a whole; default: reports)")
    p.add_argument("--quick", action="store_true",
                   help="run only the quick subset of experiments (same parameters as in the "
                        "full report); all claims are still checked")
    p.add_argument("--seed", type=int, default=0, help="root Monte Carlo seed; each experiment "
                   "derives its own from it and its id (default: 0; the problems' data are "
                   "fixed)")
    p.add_argument("--backend", default="numpy", help="array backend: numpy, cupy or auto "
                   "(default: numpy)")
    p.add_argument("--engine", default="auto", help="simulation engine: array, numba, "
                   "cupy-fused or auto (default: auto, the fused kernel of the backend when it "
                   "is installed, else array)")
    p.add_argument("--trajectories", type=int, default=None, metavar="N",
                   help="override every experiment's number of trajectories (N >= 2)")
    p.add_argument("--delta", type=float, default=1e-9, help="family-wise false-alarm "
                   "probability of each statistical check, in (0, 1) (default: 1e-9)")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (it is off anyway when stderr is not a terminal)")
    p.set_defaults(func=run)


def run(args) -> int:
    from sgd_suite.report import Options, check_replaceable, generate

    if args.trajectories is not None and args.trajectories < 2:
        raise UsageError(f"--trajectories must be an integer >= 2, got {args.trajectories}")
    if not 0 < args.delta < 1:
        raise UsageError(f"--delta must be in (0, 1), got {args.delta}")
    # Fail on a bad backend or engine now, not after every claim has been checked.
    from sim.backend import resolve_backend
    from sim.engines import resolve_engine

    resolve_engine(args.engine, resolve_backend(args.backend).name)
    out = Path(args.out)
    check_replaceable(out)
    result = generate(out, Options(quick=args.quick, seed=args.seed, backend=args.backend,
                                   engine=args.engine, trajectories=args.trajectories,
                                   delta=args.delta, progress=not args.no_progress))
    rec = result.record
    verdicts = [c["verdict"] for c in rec["claims"]]
    sims = rec["simulations"]
    print(f"wrote {out / 'verification.md'}, {out / 'verification.json'} and "
          f"{out / 'figures'} in {rec['meta']['run_time_s']:.1f} s")
    print(f"claims: {len(verdicts)} checked: {verdicts.count('true')} true, "
          f"{verdicts.count('false')} false as written, {verdicts.count('gap')} with a gap"
          + (f", {verdicts.count('error')} errors" if "error" in verdicts else ""))
    print(f"simulations: {sum(s['expectation_met'] for s in sims)} of {len(sims)} "
          "experiments as expected")
    for cid in result.mismatched_claims:
        print(f"MISMATCH: claim {cid} computed a verdict different from its record")
    for sid in result.unmet_experiments:
        print(f"FAILED: experiment {sid} did not behave as expected")
    return 0 if result.ok else 1

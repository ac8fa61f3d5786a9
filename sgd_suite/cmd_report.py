"""``sgd-suite report``: every step's verdict and the Monte Carlo evidence, as Markdown, JSON, PNG.

The report is built in a temporary sibling of ``--out`` and moved into place at the end, so an
interrupted run leaves the previous report intact. Exit status 1 when a claim's computed
verdict differs from its record, or a Monte Carlo confirmation that should pass fails.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sgd_suite.argtypes import integer, real
from sgd_suite.cli import UsageError

LONG_RUN_S = 60.0
"""Runs estimated to take longer than this show their estimate before starting."""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "report", help="write the verification report (Markdown, JSON, figures)",
        description="Check every step of the lecture and run the Monte Carlo experiments; "
                    "write verification.md, verification.json, figures/ and run-info.json "
                    "(timings, machine, versions) to --out.",
    )
    p.add_argument("--out", default="reports", metavar="DIR",
                   help="folder to write (replaced as a whole; default: reports)")
    p.add_argument("--quick", action="store_true",
                   help="run only the quick subset of experiments (same parameters as in the "
                        "full report); all claims are still checked")
    p.add_argument("--seed", type=integer(0, 2**64 - 1), default=0,
                   help="root Monte Carlo seed, in [0, 2^64); each experiment derives its own "
                        "from it and its id (default: 0; the problems' data are fixed)")
    p.add_argument("--backend", default="numpy", choices=("numpy", "cupy", "auto"),
                   help="array backend (default: numpy)")
    p.add_argument("--engine", default="auto", choices=("array", "numba", "cupy-fused", "auto"),
                   help="simulation engine (default: auto, the fused kernel of the backend when "
                        "it is installed, else array)")
    p.add_argument("--trajectories", type=integer(2), default=None, metavar="N",
                   help="override every experiment's number of trajectories (N >= 2)")
    p.add_argument("--delta", type=real(0, 1, high_open=True), default=1e-9,
                   help="family-wise false-alarm probability of each statistical check, in "
                        "(0, 1) (default: 1e-9)")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (it is off anyway when stderr is not a terminal)")
    p.set_defaults(func=run, kept=kept)


def kept(args) -> str:
    """What an interruption leaves: the report is swapped in only at the very end."""
    out = Path(args.out)
    if (out / "verification.json").exists():
        return f"the previous report in {out} is unchanged"
    return f"nothing was written to {out}"


def preflight(args, engine: str, backend: str):
    """The largest memory and the total time of the report's experiments (sim.preflight)."""
    from sgd_suite.experiments import catalogue
    from sim import preflight as pf

    estimates = [pf.estimate(kind=e.problem, dim=e.dim, n=e.n, steps=e.steps, batch=e.batch,
                             trajectories=args.trajectories or e.trajectories, engine=engine,
                             backend=backend, build_problem=True)
                 for e in catalogue(quick=args.quick)]
    if not estimates:
        return 0, 0.0
    biggest = max(estimates, key=lambda e: e.bytes)
    pf.require(biggest)
    return biggest.bytes, sum(e.seconds for e in estimates)


def run(args) -> int:
    from sgd_suite.outputs import output_folder

    # Everything that can be refused is refused before the first claim is checked.
    out = output_folder("--out", args.out, replaced=True)
    from sgd_suite.report import Options, check_replaceable, generate
    from sim.backend import resolve_backend
    from sim.engines import resolve_engine
    from sim.preflight import format_bytes, format_seconds

    backend = resolve_backend(args.backend).name
    engine, _ = resolve_engine(args.engine, backend)
    try:
        check_replaceable(out)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    memory, seconds = preflight(args, engine, backend)
    if seconds > LONG_RUN_S:
        print(f"sgd-suite report: estimated about {format_seconds(seconds)}, "
              f"{format_bytes(memory)} of memory at most ({engine} engine); Ctrl-C stops it "
              "and keeps the previous report", file=sys.stderr)
    result = generate(out, Options(quick=args.quick, seed=args.seed, backend=args.backend,
                                   engine=args.engine, trajectories=args.trajectories,
                                   delta=args.delta, progress=not args.no_progress))
    rec = result.record
    verdicts = [c["verdict"] for c in rec["claims"]]
    sims = rec["simulations"]
    print(f"wrote {out / 'verification.md'}, {out / 'verification.json'} and "
          f"{out / 'figures'} in {result.run_info['run_time_s']:.1f} s (run facts: "
          f"{out / 'run-info.json'})")
    print(f"claims: {len(verdicts)} checked: {verdicts.count('true')} true, "
          f"{verdicts.count('false')} false as written, {verdicts.count('gap')} with a gap"
          + (f", {verdicts.count('error')} errors" if "error" in verdicts else ""))
    print(f"simulations: {sum(s['expectation_met'] for s in sims)} of {len(sims)} "
          "experiments as expected")
    if extra := result.record.get("beyond"):
        print(f"beyond the lecture: {sum(b['passed'] for b in extra)} of {len(extra)} runs "
              "agree with their exact theory")
    for cid in result.mismatched_claims:
        print(f"MISMATCH: claim {cid} computed a verdict different from its record")
    for sid in result.unmet_experiments:
        print(f"FAILED: experiment {sid} did not behave as expected")
    return 0 if result.ok else 1

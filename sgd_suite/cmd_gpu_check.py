"""``sgd-suite gpu-check``: the acceptance run for a machine with a CUDA device.

One command: the device's limits and the launch plans with the compiled kernels' registers and
spills, the GPU tests (``pytest -m gpu``), the benchmark on the GPU engines (throughput and the
fused/unfused ratio), and the agreement of every engine with the NumPy array engine.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from sgd_suite.argtypes import integer

FUSED_TARGET = 2e10
"""Target throughput of the fused kernel on an H100, trajectory-steps per second."""
RATIO_TARGET = 20.0
"""Target throughput of the fused kernel over the unfused CuPy array engine."""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "gpu-check",
        help="acceptance run on a CUDA device: plans, GPU tests, throughput, agreement",
        description="On a machine with CuPy and a CUDA device: print the device's limits and "
        "the kernels' launch plans (registers, spills, shared memory), run the GPU tests, "
        "time the GPU engines against the CPU ones, and check that every engine agrees with "
        "the NumPy array engine. Exits 1 if a test, a benchmark row or an agreement check "
        "fails; throughput targets are reported, not enforced.",
    )
    parser.add_argument("--trajectories", type=integer(1), default=1_000_000,
                        help="trajectories of the benchmark, >= 1 (default: 1000000)")
    parser.add_argument("--steps", type=integer(1), default=1000,
                        help="steps of the benchmark, >= 1 (default: 1000)")
    parser.add_argument("--dim", type=integer(1), default=10,
                        help="dimension d of the problems, >= 1 (default: 10)")
    parser.add_argument("--n", type=integer(1, 2**31 - 1), default=256,
                        help="number of data points, in [1, 2^31 - 1] (default: 256)")
    parser.add_argument("--repeats", type=integer(1), default=3,
                        help="timed runs per implementation, >= 1; the best counts (default: 3)")
    parser.add_argument("--no-tests", action="store_true", help="skip pytest -m gpu")
    parser.add_argument("--json", default=None, metavar="PATH",
                        help="also write every measurement as JSON to PATH (its folder must "
                             "exist)")
    parser.set_defaults(func=run, kept=kept)


def kept(args: argparse.Namespace) -> str:
    """What an interruption leaves: the measurements are written only at the end."""
    return "no measurements were written" if args.json else "nothing was written"


def _print_plans(rows) -> None:
    print(f"{'kernel':<10}{'d':>4}{'n':>7}{'threads':>8}{'parts':>6}{'table':>8}"
          f"{'dyn B':>8}{'opt-in':>8}{'regs':>6}{'spill B':>8}{'static B':>9}{'blocks/SM':>10}")
    for r in rows:
        print(f"{r['kind']:<10}{r['d']:>4}{r['n']:>7}{r['threads']:>8}{r['parts']:>6}"
              f"{'shared' if r['table_in_shared'] else 'global':>8}{r['dynamic_shared']:>8}"
              f"{r['opt_in'] or '-':>8}{r['registers']:>6}{r['local_bytes']:>8}"
              f"{r['static_shared']:>9}{r['resident_blocks']:>10}")


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from sim import LogisticRegressionProblem
    from sim.backend import resolve_backend
    from sim.bench import format_table, run_benchmark, workload
    from sim.engines import available_engines
    from sim.engines.cupy_fused import device_limits
    from sim.gpu_acceptance import (AGREEMENT_REL, AGREEMENT_Z, agreement, fused_ratio,
                                    launch_report, run_gpu_tests)

    from sim.backend import _cupy_or_reason

    if args.json is not None:
        from sgd_suite.outputs import output_file

        output_file("--json", args.json, suffixes=(".json",))
    _, reason = _cupy_or_reason()
    if reason is not None:  # one line and exit 2 through the CLI
        raise ValueError(f"gpu-check needs CuPy and a CUDA device, but {reason}")
    device = resolve_backend("cupy").device
    limits = device_limits()
    print(f"device: {device}, compute capability {limits.compute_capability}; shared memory "
          f"per block {limits.shared_per_block} B (opt-in {limits.shared_per_block_optin} B), "
          f"per SM {limits.shared_per_sm} B; registers per block {limits.regs_per_block}; "
          f"threads per block {limits.max_threads_per_block}, per SM {limits.max_threads_per_sm}")
    plans = launch_report(dim=args.dim, n=args.n)
    _print_plans(plans)

    tests = None if args.no_tests else run_gpu_tests()
    bench = run_benchmark(trajectories=args.trajectories, steps=args.steps, dim=args.dim,
                          n=args.n, repeats=args.repeats,
                          keys=["cupy-fused/cupy", "array/cupy", "numba/numpy", "array/numpy"])
    print(format_table(bench))
    ratio = fused_ratio(bench["rows"])
    fused = next((r.get("traj_steps_per_s") for r in bench["rows"]
                  if r["key"] == "cupy-fused/cupy"), None)

    problem, alpha, w0 = workload(dim=args.dim, n=args.n)
    features = np.random.default_rng(1).standard_normal((args.n, args.dim))
    logistic = LogisticRegressionProblem(features=features,
                                         labels=np.where(features[:, 0] > 0, 1.0, -1.0), l2=0.1)
    runs = [("cupy-fused", "cupy"), ("array", "cupy")]
    runs += [("numba", "numpy")] if "numba" in available_engines("numpy") else []
    checks = {name: agreement(p, runs=runs, alpha=a, steps=200, trajectories=20_000, w0=w)
              for name, p, a, w in (("quadratic", problem, alpha, w0),
                                    ("logistic", logistic, 1 / logistic.L, None))}
    print(f"agreement with the NumPy array engine (|difference| <= {AGREEMENT_Z:g} standard "
          f"errors + {AGREEMENT_REL:g} x estimate at every step):")
    for name, rows in checks.items():
        for r in rows:
            print(f"  {name:<10} {r['engine']:<11} {r['backend']:<6} "
                  f"max {r['max_z']:.1e} se, max rel {r['max_rel']:.1e}  "
                  f"{'ok' if r['passed'] else 'FAILED'}")
    met = "met" if fused and fused >= FUSED_TARGET else "not met"
    print(f"fused throughput: {fused or float('nan'):.3e} trajectory-steps/s "
          f"(target {FUSED_TARGET:.0e} on an H100: {met})")
    met = "met" if ratio and ratio >= RATIO_TARGET else "not met"
    print(f"fused / unfused CuPy: {ratio or float('nan'):.1f}x (target {RATIO_TARGET:g}x: {met})")
    print(f"GPU tests: {'not run' if tests is None else 'passed' if tests == 0 else 'FAILED'}")

    if args.json is not None:
        from sgd_suite.atomic import write_text_atomic

        record = {"device": device, "limits": asdict(limits), "plans": plans,
                  "gpu_tests_exit_code": tests, "benchmark": bench, "fused_ratio": ratio,
                  "agreement": checks}
        write_text_atomic(args.json, json.dumps(record, indent=2) + "\n")
    failed = (tests not in (None, 0) or any("error" in r for r in bench["rows"])
              or not all(r["passed"] for rows in checks.values() for r in rows))
    return 1 if failed else 0

"""``sgd-suite bench``: throughput of the simulator's engines against JAX and a Python loop."""

from __future__ import annotations

import argparse
import sys

from sgd_suite.argtypes import integer

LONG_RUN_S = 60.0
"""Benchmarks estimated to take longer than this show their estimate before starting."""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="time the simulator engines against JAX and a per-trajectory Python loop",
        description="Time every available simulator engine, a JAX jit+vmap+scan peer (when JAX "
        "imports) and a per-trajectory Python loop on one SGD workload (quadratic, "
        "float64). Best of --repeats after a warm-up run that absorbs compilation.",
    )
    parser.add_argument("--trajectories", type=integer(1), default=10_000,
                        help="SGD trajectories advanced together, >= 1 (default: 10000)")
    parser.add_argument("--steps", type=integer(1), default=1000,
                        help="SGD steps per trajectory, >= 1 (default: 1000)")
    parser.add_argument("--dim", type=integer(1), default=10,
                        help="dimension d of the quadratic problem, >= 1 (default: 10)")
    parser.add_argument("--n", type=integer(1, 2**31 - 1), default=256,
                        help="number of data points, in [1, 2^31 - 1] (default: 256)")
    parser.add_argument("--repeats", type=integer(1), default=3,
                        help="timed runs per implementation, >= 1; the best is reported "
                             "(default: 3)")
    parser.add_argument("--json", default=None, metavar="PATH",
                        help="also write the measurements as JSON to PATH (its folder must "
                             "exist)")
    parser.set_defaults(func=run, kept=kept)


def kept(args: argparse.Namespace) -> str:
    """What an interruption leaves: the measurements are written only at the end."""
    return "no measurements were written" if args.json else "nothing was written"


def estimate(*, trajectories: int, steps: int, dim: int, n: int, repeats: int):
    """Memory (every implementation runs at once, in its own process) and total seconds."""
    from sim import preflight as pf
    from sim.engines import available_engines

    sizes = {"kind": "quadratic", "dim": dim, "n": n, "steps": steps,
             "trajectories": trajectories, "build_problem": True}
    each = [pf.estimate(engine=e, **sizes) for e in available_engines("numpy")]
    # JAX holds every trajectory at once (state, update, gathered rows, indices) plus the
    # per-step keys and outputs, at about the array engine's speed; the Python loop times 64
    # trajectories at about a microsecond per step.
    jax_bytes = (4 * trajectories * dim + 2 * trajectories + 3 * steps) * pf.FLOAT
    seconds = (repeats + 2) * (sum(e.seconds for e in each) + each[0].seconds
                               + 64 * steps * 1e-6)
    return sum(e.bytes for e in each) + jax_bytes, seconds


def preflight(args: argparse.Namespace):
    """Refuse a benchmark that cannot fit in memory; return its (bytes, seconds) estimate."""
    from sgd_suite.cli import UsageError
    from sim import preflight as pf

    sizes = {k: getattr(args, k) for k in ("trajectories", "steps", "dim", "n", "repeats")}
    memory, seconds = estimate(**sizes)
    available = pf.available_memory()
    if available is not None and memory > available:
        fits = [f"--{k} {v}" for k in ("dim", "steps", "trajectories")
                if (v := pf.largest(lambda x, k=k: estimate(**{**sizes, k: x})[0] <= available,
                                  sizes[k])) is not None]
        raise UsageError(f"the benchmark needs about {pf.format_bytes(memory)} of memory "
                         f"(every implementation runs at once) but "
                         f"{pf.format_bytes(available)} are available; "
                         + ("what would fit: " + " or ".join(fits) if fits else
                            "reduce --dim, --steps and --trajectories"))
    return memory, seconds


def run(args: argparse.Namespace) -> int:
    import json

    from sgd_suite.outputs import output_file
    from sim.bench import format_table, run_benchmark
    from sim.preflight import format_bytes, format_seconds

    if args.json is not None:
        output_file("--json", args.json, suffixes=(".json",))
    memory, seconds = preflight(args)
    if seconds > LONG_RUN_S:
        print(f"sgd-suite bench: estimated about {format_seconds(seconds)}, "
              f"{format_bytes(memory)} of memory; Ctrl-C stops it", file=sys.stderr)
    report = run_benchmark(
        trajectories=args.trajectories,
        steps=args.steps,
        dim=args.dim,
        n=args.n,
        repeats=args.repeats,
    )
    print(format_table(report))
    if args.json is not None:
        from sgd_suite.atomic import write_text_atomic

        write_text_atomic(args.json, json.dumps(report, indent=2) + "\n")
    return 1 if any("error" in row for row in report["rows"]) else 0

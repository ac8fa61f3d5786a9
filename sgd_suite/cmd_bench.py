"""``sgd-suite bench``: throughput of the simulator's engines against JAX and a Python loop."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {value}")
    return value


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="time the simulator engines against JAX and a per-trajectory Python loop",
        description="Time every available simulator engine, a JAX jit+vmap+scan peer (when JAX "
        "imports) and a per-trajectory Python loop on one SGD workload (quadratic, "
        "float64). Best of --repeats after a warm-up run that absorbs compilation.",
    )
    parser.add_argument("--trajectories", type=_positive, default=10_000,
                        help="SGD trajectories advanced together (default: 10000)")
    parser.add_argument("--steps", type=_positive, default=1000,
                        help="SGD steps per trajectory (default: 1000)")
    parser.add_argument("--dim", type=_positive, default=10,
                        help="dimension d of the quadratic problem (default: 10)")
    parser.add_argument("--n", type=_positive, default=256,
                        help="number of data points (default: 256)")
    parser.add_argument("--repeats", type=_positive, default=3,
                        help="timed runs per implementation; the best is reported (default: 3)")
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        metavar="PATH",
        help="also write the measurements as JSON to PATH",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sim.bench import format_table, run_benchmark

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

        args.json.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(args.json, json.dumps(report, indent=2) + "\n")
    return 1 if any("error" in row for row in report["rows"]) else 0

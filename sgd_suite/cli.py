"""The ``sgd-suite`` console script: one entry point, one subcommand per module.

Each subcommand lives in its own module exposing ``register(subparsers)``, which adds a parser
and sets ``func`` (called with the parsed namespace, returning the exit code).
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Subcommand modules, in the order they are listed by ``--help``.
COMMANDS: tuple[str, ...] = ("cmd_verify", "cmd_simulate", "cmd_report", "cmd_bench",
                             "cmd_gpu_check")


class UsageError(Exception):
    """Bad user input that should be reported as one line, not a traceback."""


class _Parser(argparse.ArgumentParser):
    """Report a bad command line in one line (``prog: error: ...``) and exit with 2.

    Subcommand parsers inherit the class (``add_subparsers`` uses the parent's type).
    """

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sgd-suite",
        description="Verify every step of the SGD lecture and confirm its bounds by Monte Carlo.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"sgd_suite.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except UsageError as exc:
        print(f"sgd-suite {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        # Parameter validation in the library raises ValueError naming the parameter and its range.
        print(f"sgd-suite {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

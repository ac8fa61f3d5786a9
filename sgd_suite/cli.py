"""The ``sgd-suite`` console script: one entry point, one subcommand per module.

Each subcommand lives in its own module exposing ``register(subparsers)``, which adds a parser
and sets ``func`` (called with the parsed namespace, returning the exit code) and ``kept``
(what an interruption leaves behind, in words).

Exit codes: 0 success; 1 a check failed (a verdict differs from its record, a confirmation that
should pass did not); 2 a bad command line (one line on stderr, before any work starts);
130 interrupted (Ctrl-C; one line saying what was kept).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from sgd_suite import interrupt

# Subcommand modules, in the order they are listed by ``--help``.
COMMANDS: tuple[str, ...] = ("cmd_verify", "cmd_simulate", "cmd_report", "cmd_bench",
                             "cmd_gpu_check")

EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130


class UsageError(Exception):
    """Bad user input that should be reported as one line, not a traceback."""


class _Parser(argparse.ArgumentParser):
    """Report a bad command line in one line (``prog: error: ...``) and exit with 2.

    Subcommand parsers inherit the class (``add_subparsers`` uses the parent's type).
    """

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def version() -> str:
    """The installed distribution's version, else the package's own."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("sgd-lecture-suite")
    except PackageNotFoundError:
        from sgd_suite import __version__

        return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sgd-suite",
        description="Verify every step of the SGD lecture and confirm its bounds by Monte Carlo.",
    )
    parser.add_argument("--version", action="version", version=f"sgd-suite {version()}",
                        help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"sgd_suite.{name}").register(sub)
    return parser


def _say(args, text: str) -> None:
    """One line on stderr, ``sgd-suite COMMAND: text`` (line breaks in ``text`` folded)."""
    command = getattr(args, "command", None)
    text = " ".join(text.split())
    print(f"sgd-suite{' ' + command if command else ''}: {text}", file=sys.stderr)


def _quiet_destructors() -> None:
    """Drop errors raised by destructors from here on.

    An interruption can leave objects half built (a z3 context whose ``__init__`` was cut
    short, say); their ``__del__`` then fails when they are freed, on the way out, and Python
    would print a traceback after the one line that reports the interruption.
    """
    sys.unraisablehook = lambda unraisable: None


def main(argv: list[str] | None = None) -> int:
    args = None
    interrupt.install()
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args))
    except (UsageError, ValueError) as exc:
        # UsageError from the commands' own checks; ValueError from the library's parameter
        # validation, which names the parameter and its range.
        _say(args, f"error: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        kept = args.kept(args) if args is not None and hasattr(args, "kept") else "nothing written"
        _say(args, f"interrupted; {kept}")
        _quiet_destructors()
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # stdout closed early (``sgd-suite verify | head``); as the signal module's docs advise,
        # point stdout at devnull so that the interpreter's final flush stays quiet
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED
    except OSError as exc:
        _say(args, f"error: {exc.strerror or exc}"
             + (f": {exc.filename}" if getattr(exc, "filename", None) else ""))
        return EXIT_FAILED
    finally:
        interrupt.uninstall()


if __name__ == "__main__":
    sys.exit(main())

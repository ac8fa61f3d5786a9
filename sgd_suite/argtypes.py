"""Value types for the command line: a bad value is refused while the flags are parsed.

Each factory returns a function for ``argparse``'s ``type=``; it raises
``argparse.ArgumentTypeError`` with the allowed range, which the parser prints as one line
(``sgd-suite simulate: error: argument --dim: must be an integer >= 1, got 0``) and exit code 2.
Integers may be written in scientific notation when the value is a whole number (``1e6``).
"""

from __future__ import annotations

import argparse
import decimal
import math
from collections.abc import Callable


def _show(x) -> str:
    """A range end: powers of two (less one) as such, other numbers by ``number``."""
    from sim.validation import number  # here, so that building the parser stays light

    for offset, text in ((0, ""), (1, " - 1")):
        if isinstance(x, int) and x > 2**20 and ((x + offset) & (x + offset - 1)) == 0:
            return f"2^{(x + offset).bit_length() - 1}{text}"
    return number(x)


def _interval(low, high, low_open: bool, high_open: bool) -> str:
    if high is None:
        return f"{'>' if low_open else '>='} {_show(low)}"
    if low is None:
        return f"{'<' if high_open else '<='} {_show(high)}"
    return (f"in {'(' if low_open else '['}{_show(low)}, {_show(high)}"
            f"{')' if high_open else ']'}")


def integer(low: int | None = None, high: int | None = None) -> Callable[[str], int]:
    """An integer in ``[low, high]`` (either end may be None)."""
    def rule() -> str:
        return "an integer" + ("" if low is None and high is None
                               else " " + _interval(low, high, False, False))

    def parse(text: str) -> int:
        try:
            value = decimal.Decimal(text.strip())
            if not value.is_finite() or value != value.to_integral_value():
                raise ValueError
            value = int(value)
        except (ValueError, ArithmeticError):
            raise argparse.ArgumentTypeError(f"must be {rule()}, got {text!r}") from None
        if (low is not None and value < low) or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be {rule()}, got {text}")
        return value

    parse.__name__ = "integer"
    return parse


def real(low: float | None = None, high: float | None = None, *, low_open: bool = True,
         high_open: bool = False) -> Callable[[str], float]:
    """A finite real number in the interval from ``low`` to ``high`` (open ends by default at
    ``low``, closed at ``high``; either end may be None)."""
    def rule() -> str:
        return "a finite number" + ("" if low is None and high is None
                                    else " " + _interval(low, high, low_open, high_open))

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {rule()}, got {text!r}") from None
        bad = not math.isfinite(value)
        if low is not None:
            bad = bad or value < low or (low_open and value == low)
        if high is not None:
            bad = bad or value > high or (high_open and value == high)
        if bad:
            raise argparse.ArgumentTypeError(f"must be {rule()}, got {text}")
        return value

    parse.__name__ = "real"
    return parse

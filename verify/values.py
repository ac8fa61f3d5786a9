"""Values of the evaluator: column and row vectors and matrices as tuples, over any numbers.

The arithmetic is written once for SymPy and mpmath numbers alike (``+``, ``*``); a scalar is
any number that is not a :class:`Vec`, :class:`Row` or :class:`Mat`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

__all__ = ["EvaluationError", "Mat", "Row", "Vec", "add", "as_int", "dot", "mul", "scalar",
           "scale", "vmap"]


class EvaluationError(ValueError):
    """The statement cannot be evaluated on a concrete instance (one line)."""


@dataclass(frozen=True)
class Vec:
    c: tuple


@dataclass(frozen=True)
class Row:
    c: tuple


@dataclass(frozen=True)
class Mat:
    rows: tuple


def vmap(value, fn):
    if isinstance(value, Vec):
        return Vec(tuple(fn(x) for x in value.c))
    if isinstance(value, Row):
        return Row(tuple(fn(x) for x in value.c))
    if isinstance(value, Mat):
        return Mat(tuple(tuple(fn(x) for x in r) for r in value.rows))
    return fn(value)


def as_int(v) -> int | None:
    """An integer value (SymPy or mpmath), or None for a symbol or a non-integer."""
    try:
        if isinstance(v, sympy.Basic):
            return int(v) if v.is_Integer else None
        return int(v) if int(v) == v else None
    except (TypeError, ValueError):
        return None


def scalar(v) -> bool:
    return not isinstance(v, (Vec, Row, Mat))


def dot(a, b):
    total = a[0] * b[0]
    for x, y in zip(a[1:], b[1:], strict=True):
        total = total + x * y
    return total


def add(a, b):
    if scalar(a) and scalar(b):
        return a + b
    if type(a) is not type(b):
        raise EvaluationError(f"cannot add {type(a).__name__} and {type(b).__name__}")
    if isinstance(a, Mat):
        return Mat(tuple(tuple(x + y for x, y in zip(r, s, strict=True))
                         for r, s in zip(a.rows, b.rows, strict=True)))
    return type(a)(tuple(x + y for x, y in zip(a.c, b.c, strict=True)))


def scale(c, v):
    return vmap(v, lambda x: c * x)


def mul(a, b):
    if scalar(a):
        return scale(a, b)
    if scalar(b):
        return scale(b, a)
    if isinstance(a, Mat) and isinstance(b, Vec):
        return Vec(tuple(dot(r, b.c) for r in a.rows))
    if isinstance(a, Mat) and isinstance(b, Mat):
        cols = list(zip(*b.rows, strict=True))
        return Mat(tuple(tuple(dot(r, c) for c in cols) for r in a.rows))
    if isinstance(a, Row) and isinstance(b, Vec):
        return dot(a.c, b.c)
    if isinstance(a, Row) and isinstance(b, Mat):
        cols = list(zip(*b.rows, strict=True))
        return Row(tuple(dot(a.c, c) for c in cols))
    raise EvaluationError(f"cannot multiply {type(a).__name__} by {type(b).__name__}")



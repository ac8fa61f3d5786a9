"""Argument checks shared by the problems and the simulator; errors name the parameter and range.

Numbers in messages are written by :func:`number`: six significant digits, so that a limit
computed in floating point reads ``2``, not ``1.9999999999999991``.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def number(x: Any) -> str:
    """``x`` for a message: integers in full, other reals to six significant digits."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return repr(x)
    if isinstance(x, numbers.Integral):
        return str(int(x))
    return f"{float(x):.6g}"


def finite_array(name: str, value: Any, *, ndim: int) -> np.ndarray:
    """``value`` as a float64 array with ``ndim`` dimensions and only finite entries."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a real array, got {type(value).__name__}") from exc
    if arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values (no NaN or inf)")
    return arr


def positive_float(name: str, value: Any) -> float:
    """A finite real number ``> 0``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    x = float(value)
    if not (np.isfinite(x) and x > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {number(value)}")
    return x


def int_at_least(name: str, value: Any, low: int) -> int:
    """An integer ``>= low``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if int(value) < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value}")
    return int(value)

"""Validation of the algorithm options shared by :func:`sim.simulate` and the exact recursions.

Each check raises one line naming the parameter and its allowed range, before any work.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from sim.sampling import check_sampling
from sim.validation import int_at_least

DTYPES = ("float64", "float32")
"""The accepted values of ``dtype``."""


def check_momentum(momentum: Any) -> float:
    """Heavy-ball coefficient :math:`0 \\le \\beta < 1`."""
    if isinstance(momentum, bool) or not isinstance(momentum, numbers.Real):
        raise TypeError(f"momentum must be a real number, got {type(momentum).__name__}")
    beta = float(momentum)
    if not 0 <= beta < 1:
        raise ValueError(f"momentum must be a number in [0, 1), got {momentum}")
    return beta


def check_average_from(average_from: Any, steps: int) -> int | None:
    """None (no averaging) or the first averaged step :math:`0 \\le k \\le T`."""
    if average_from is None:
        return None
    if isinstance(average_from, bool) or not isinstance(average_from, numbers.Integral):
        raise TypeError(f"average_from must be an integer or None, got "
                        f"{type(average_from).__name__}")
    if not 0 <= average_from <= steps:
        raise ValueError(f"average_from must be an integer in [0, steps] = [0, {steps}], got "
                         f"{average_from}")
    return int(average_from)


def check_dtype(dtype: Any) -> str:
    """``"float64"`` or ``"float32"`` (NumPy dtype objects and types are accepted too)."""
    try:
        name = np.dtype(dtype).name
    except TypeError:
        name = None
    if name not in DTYPES or isinstance(dtype, bool) or dtype is None:
        raise ValueError(f"dtype must be one of {DTYPES}, got {dtype!r}")
    return name


def check_options(*, n: int, steps: int, batch: Any, sampling: Any, momentum: Any,
                  average_from: Any) -> dict[str, Any]:
    """The validated ``batch``, ``sampling``, ``momentum`` and ``average_from``."""
    batch = int_at_least("batch", batch, 1)
    return {
        "batch": batch,
        "sampling": check_sampling(sampling, batch, n),
        "momentum": check_momentum(momentum),
        "average_from": check_average_from(average_from, steps),
    }

"""The one way the report's JSON files are written (``verification.json``, ``run-info.json``).

``sgd-suite verify`` and ``sgd-suite report`` both write through :func:`dumps`, so a file one
of them wrote is rewritten byte for byte by the other when nothing changed: one-space indent,
keys in the order the records give them, UTF-8 text (no ``\\uXXXX`` escapes), a final newline,
and every float rounded to :data:`SIGNIFICANT` significant digits. The rounding keeps the
committed report stable where two machines differ only in the last bits of a float (BLAS,
LAPACK and SIMD kernels may round differently); it is far below any Monte Carlo error the
report shows. JSON has no NaN or infinity: non-finite floats are written as ``null``.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

SIGNIFICANT = 10
"""Significant digits kept of every float."""


def round_float(x: float) -> float:
    """``x`` rounded to :data:`SIGNIFICANT` significant digits (written by ``json`` as the
    shortest decimal that reads back as that float); ``x`` itself where rounding would
    overflow (within 5e-10 of the largest float)."""
    r = float(f"{x:.{SIGNIFICANT}g}")
    return r if math.isfinite(r) else x


def jsonable(x: Any) -> Any:
    """Arrays to nested lists, NumPy scalars to Python ones, floats rounded, non-finite floats
    to None."""
    if isinstance(x, dict):
        return {k: jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return jsonable(x.tolist())
    if isinstance(x, np.generic):
        return jsonable(x.item())
    if isinstance(x, float):
        return round_float(x) if math.isfinite(x) else None
    return x


def dumps(document: Any) -> str:
    """The text of a report JSON file holding ``document``."""
    return json.dumps(jsonable(document), indent=1, ensure_ascii=False, allow_nan=False) + "\n"

"""The problem protocol: what :func:`sim.simulate` needs from a finite-sum problem.

A problem is the finite sum :math:`h(w) = \\frac1n\\sum_{i=0}^{n-1} f(w; i)` on
:math:`\\mathbb R^d` with minimiser :math:`w^*`. The simulator needs only

- ``dim`` (:math:`d \\ge 1`) and ``n`` (:math:`1 \\le n \\le 2^{31}-1`), integers;
- ``w_star``, the minimiser, a ``(d,)`` array of finite reals (the statistics are about
  :math:`\\|w_t - w^*\\|^2`, so it must be accurate to the precision wanted);
- ``sample_gradients(w, idx, xp)``: for a ``(N, d)`` array ``w`` of the array namespace ``xp``
  (NumPy or CuPy) and a ``(N,)`` integer array ``idx`` with entries in ``[0, n)``, the ``(N, d)``
  array whose row ``k`` is :math:`\\nabla f(w_k; \\mathrm{idx}_k)`, in ``w``'s dtype.

``mu``, ``L`` and ``M`` (strong convexity, smoothness, gradient-noise bound) are optional; theory
and checks use them when present. A minibatch of size :math:`B` calls ``sample_gradients`` ``B``
times with ``(N,)`` index arrays and averages the results.

Contract for reproducibility. :func:`sim.simulate` promises bit-identical results for a seed
under any chunking and scheduler. For a protocol problem this holds when ``sample_gradients`` is
*row-wise pure*: row ``k`` of the result depends only on row ``k`` of ``w`` and on ``idx[k]``
(no randomness, no state, no reduction across rows such as a matrix product whose rounding
depends on ``N``), and it is safe to call from several threads at once (the NumPy array engine
advances whole blocks of trajectories on a thread per core). ``w`` is a fresh array the problem
may not keep; writing into it does not change the simulation.

The built-in :class:`sim.QuadraticProblem`, :class:`sim.LogisticRegressionProblem` and
:class:`sim.LeastSquaresProblem` satisfy the protocol; the first two also have fused kernels
(``engine="numba"``, ``"cupy-fused"``) that recognise them through ``spec()``.
"""

from __future__ import annotations

import numbers
from typing import Any, Protocol, runtime_checkable

import numpy as np

from sim.rng import MAX_N


@runtime_checkable
class Problem(Protocol):
    """A finite-sum problem that :func:`sim.simulate` can run (see the module docstring)."""

    dim: int
    n: int
    w_star: Any

    def sample_gradients(self, w: Any, idx: Any, xp: Any) -> Any:
        """Per-sample gradients :math:`\\nabla f(w_k; \\mathrm{idx}_k)`, shape ``(N, d)``."""
        ...


REQUIRED = ("dim", "n", "w_star", "sample_gradients")
"""The attributes a problem must have, in the order they are reported when missing."""


def check_problem(problem: Any) -> tuple[int, int, np.ndarray]:
    """Check that ``problem`` satisfies :class:`Problem`; return ``(dim, n, w_star)``.

    Raises:
        TypeError: an attribute is missing (all missing ones are named) or has the wrong type.
        ValueError: ``dim``, ``n`` or ``w_star`` is out of range.
    """
    missing = [name for name in REQUIRED if not hasattr(problem, name)]
    if missing:
        raise TypeError(
            f"problem must have {', '.join(REQUIRED[:-1])} and {REQUIRED[-1]}(w, idx, xp) "
            f"(see sim.Problem); {type(problem).__name__} lacks {', '.join(missing)}"
        )
    if not callable(problem.sample_gradients):
        raise TypeError(
            f"problem.sample_gradients must be callable, got "
            f"{type(problem.sample_gradients).__name__}"
        )
    dim, n = _count("dim", problem.dim, 1, None), _count("n", problem.n, 1, MAX_N)
    try:
        w_star = np.asarray(problem.w_star, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"problem.w_star must be a real array, got {type(problem.w_star).__name__}"
        ) from None
    if w_star.shape != (dim,):
        raise ValueError(f"problem.w_star must have shape ({dim},), got {w_star.shape}")
    if not np.all(np.isfinite(w_star)):
        raise ValueError("problem.w_star must contain only finite values")
    return dim, n, w_star


def _count(name: str, value: Any, low: int, high: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"problem.{name} must be an integer, got {type(value).__name__}")
    if value < low or (high is not None and value > high):
        allowed = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"problem.{name} must be an integer {allowed}, got {value}")
    return int(value)


def on_device(owner: Any, xp: Any, dtype: Any, **arrays: np.ndarray) -> tuple:
    """``arrays`` converted to ``xp`` and ``dtype``, cached on ``owner`` (a problem object).

    Lets a problem's ``sample_gradients`` move its data to the device once per
    ``(namespace, dtype)`` instead of once per call. The cache lives in ``owner._device``
    (a dict); problems drop it when pickled.
    """
    cache = owner.__dict__.setdefault("_device", {})
    key = (id(xp), np.dtype(dtype).str, tuple(arrays))
    if key not in cache:
        cache[key] = tuple(xp.asarray(np.asarray(a).astype(dtype)) for a in arrays.values())
    return cache[key]


def check_gradients(problem: Any, xp: Any, dtype: Any, w0: np.ndarray) -> None:
    """Call ``sample_gradients`` once on two rows and check the shape, dtype and finiteness.

    Run by :func:`sim.simulate` before any simulation work, so that a wrong ``(N, d)``
    convention is one clear error instead of a failure deep inside a chunk.
    """
    d, n = int(problem.dim), int(problem.n)
    w = xp.asarray(np.stack([w0, np.asarray(problem.w_star, dtype=np.float64)]).astype(dtype))
    idx = xp.asarray(np.array([0, n - 1], dtype=np.int64))
    g = problem.sample_gradients(w, idx, xp)
    shape = tuple(getattr(g, "shape", ()))
    if shape != (2, d):
        raise ValueError(
            f"problem.sample_gradients(w, idx, xp) must return shape (N, d) = (2, {d}) for w "
            f"of shape (2, {d}) and idx of shape (2,), got {shape}"
        )
    values = np.asarray(g.get() if hasattr(g, "get") and not isinstance(g, np.ndarray) else g)
    if values.dtype.kind != "f":
        raise TypeError(
            f"problem.sample_gradients must return real floating-point values, got dtype "
            f"{values.dtype}"
        )
    if not np.all(np.isfinite(values)):
        raise ValueError(
            "problem.sample_gradients returned non-finite values at w0 or w_star "
            "(indices 0 and n-1)"
        )

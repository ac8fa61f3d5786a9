"""Step-size schedules: pure functions of the step number ``t = 0, 1, ...``.

Step ``t`` maps :math:`w_t` to :math:`w_{t+1}` with step size :math:`\\alpha_t`. A schedule is
any callable ``t -> alpha_t``; the factories here return small immutable callables that accept
an integer or an integer array (so ``schedule(np.arange(T))`` is the whole schedule at once) and
have a readable ``repr``. :func:`as_array` turns what :func:`sim.simulate` accepts for ``alpha``
(a number, an array of length ``steps`` or a callable) into the validated ``(steps,)`` array.

The shapes follow optax's schedule factories (``optax.schedules``) and the classical decays of
stochastic approximation: :math:`a/(t + t_0)` [1]_, :math:`c\\,(t + t_0)^{-p}` with
:math:`1/2 < p < 1` for Polyak-Ruppert averaging [2]_, and piecewise-constant step decay.

References:
    .. [1] H. Robbins, S. Monro, "A stochastic approximation method", Ann. Math. Statist. 22(3),
       1951.
    .. [2] B. T. Polyak, A. B. Juditsky, "Acceleration of stochastic approximation by averaging",
       SIAM J. Control Optim. 30(4), 1992.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

Schedule = Callable[[Any], Any]
"""A step-size schedule: step number (int or integer array) to step size (float or array)."""


def _real(name: str, value: Any, *, low: float, strict: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    x = float(value)
    ok = x > low if strict else x >= low
    if not (np.isfinite(x) and ok):
        raise ValueError(f"{name} must be a finite number {'>' if strict else '>='} {low:g}, "
                         f"got {value}")
    return x


def _apply(formula: Callable[[float], float], t: Any) -> Any:
    """``formula`` at each step number in ``t`` (an int or an integer array).

    Evaluated one Python float at a time, so a vectorised call gives exactly the values of the
    scalar calls (NumPy's SIMD ``power`` may differ from the scalar one in the last bit).
    """
    arr = np.asarray(t)
    if arr.dtype.kind not in "iu" or np.any(arr < 0):
        raise ValueError(f"step numbers must be integers >= 0, got {t!r}")
    if arr.ndim == 0:
        return float(formula(float(arr)))
    values = [float(formula(float(x))) for x in arr.ravel().tolist()]
    return np.asarray(values, dtype=np.float64).reshape(arr.shape)


@dataclass(frozen=True)
class InverseDecay:
    """:math:`\\alpha_t = a / (t + t_0)`; with :math:`a = 1/\\mu`, :math:`t_0 = 1` this is
    :math:`1/(\\mu(t+1))`."""

    a: float
    t0: float

    def __call__(self, t: Any) -> Any:
        return _apply(lambda s: self.a / (s + self.t0), t)


@dataclass(frozen=True)
class PowerDecay:
    """:math:`\\alpha_t = c\\,(t + t_0)^{-p}`."""

    c: float
    p: float
    t0: float

    def __call__(self, t: Any) -> Any:
        return _apply(lambda s: self.c * math.pow(s + self.t0, -self.p), t)


@dataclass(frozen=True)
class StepDecay:
    """:math:`\\alpha_t = \\alpha_0\\,\\gamma^{\\lfloor t / k\\rfloor}` (multiply by
    :math:`\\gamma` every :math:`k` steps)."""

    alpha0: float
    factor: float
    every: int

    def __call__(self, t: Any) -> Any:
        return _apply(lambda s: self.alpha0 * math.pow(self.factor, s // self.every), t)


def inverse(a: float, t0: float = 1.0) -> InverseDecay:
    """:math:`a/(t + t_0)` for ``a > 0`` and ``t0 > 0``."""
    return InverseDecay(_real("a", a, low=0.0, strict=True), _real("t0", t0, low=0.0, strict=True))


def power(c: float, p: float, t0: float = 1.0) -> PowerDecay:
    """:math:`c\\,(t + t_0)^{-p}` for ``c > 0``, ``p >= 0`` and ``t0 > 0``."""
    return PowerDecay(_real("c", c, low=0.0, strict=True), _real("p", p, low=0.0, strict=False),
                      _real("t0", t0, low=0.0, strict=True))


def step_decay(alpha0: float, factor: float, every: int) -> StepDecay:
    """:math:`\\alpha_0\\gamma^{\\lfloor t/k\\rfloor}` for ``alpha0 > 0``, ``0 < factor <= 1``
    and an integer ``every >= 1``."""
    alpha0 = _real("alpha0", alpha0, low=0.0, strict=True)
    factor = _real("factor", factor, low=0.0, strict=True)
    if factor > 1:
        raise ValueError(f"factor must be in (0, 1], got {factor}")
    if isinstance(every, bool) or not isinstance(every, numbers.Integral) or every < 1:
        raise ValueError(f"every must be an integer >= 1, got {every!r}")
    return StepDecay(alpha0, factor, int(every))


def as_array(alpha: Any, steps: int) -> np.ndarray:
    """The step sizes :math:`\\alpha_0, \\dots, \\alpha_{T-1}` as a float64 ``(steps,)`` array.

    Args:
        alpha: a real number (constant step), a sequence or array of length ``steps``, or a
            callable ``t -> alpha_t`` evaluated at ``t = 0, ..., steps - 1`` (one Python call
            per step, so any callable works, vectorised or not).
        steps: the number of steps ``T >= 0``.

    Raises:
        TypeError, ValueError: one line naming ``alpha`` and the allowed range (each
        :math:`\\alpha_t` finite and ``> 0``), with the first offending step.
    """
    if isinstance(alpha, bool):
        raise TypeError("alpha must be a real number, got bool")
    if callable(alpha):
        values = []
        for t in range(steps):
            v = alpha(t)
            if isinstance(v, bool) or not isinstance(v, (numbers.Real, np.ndarray)) or np.ndim(v):
                raise TypeError(f"alpha(t) must return a real number, got {type(v).__name__} "
                                f"at t={t}")
            values.append(float(v))
        out = np.asarray(values, dtype=np.float64)
        what = "alpha(t)"
    elif isinstance(alpha, numbers.Real) and not isinstance(alpha, bool):
        out = np.full(steps, _real("alpha", alpha, low=0.0, strict=True))
        what = "alpha"
    else:
        try:
            out = np.asarray(alpha, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"alpha must be a real number, an array of length steps or a "
                            f"callable t -> alpha_t, got {type(alpha).__name__}") from None
        if out.shape != (steps,):
            raise ValueError(f"alpha as an array must have shape (steps,) = ({steps},), got "
                             f"{out.shape}")
        what = "alpha[t]"
    bad = np.flatnonzero(~(np.isfinite(out) & (out > 0)))
    if bad.size:
        t = int(bad[0])
        raise ValueError(f"{what} must be a finite number > 0 for every step, got {out[t]!r} "
                         f"at t={t}")
    return out

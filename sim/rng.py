"""Counter-based sample indices, identical on every backend and under any chunking.

The array API has no random-number generator, and the generators of NumPy and CuPy produce
different streams. SGD only needs uniform sample indices, so we derive them from a
counter-based generator built on the SplitMix64 finaliser [1]_:

.. math::

    \\operatorname{mix}(z) = \\text{Stafford variant 13 of the MurmurHash3 finaliser},

    k_j = \\operatorname{mix}(s + (j + 1)\\gamma), \\qquad
    c_m = \\operatorname{mix}(s' + (m + 1)\\gamma), \\qquad
    u_{j,m} = \\operatorname{mix}(k_j + c_m) \\in [0, 2^{64}),

where :math:`s = \\operatorname{mix}(\\text{seed})`,
:math:`s' = \\operatorname{mix}(s \\oplus \\texttt{0x5851F42D4C957F2D})`,
:math:`\\gamma` is the golden-ratio increment of SplitMix64, :math:`j` the global trajectory
number and :math:`m = tB + b` the draw number (step :math:`t`, slot :math:`b` of a minibatch
of size :math:`B`). Both :math:`j \\mapsto k_j` and :math:`m \\mapsto c_m` are SplitMix64
sequences (bijections of the counter), so stream keys and draw keys are distinct for distinct
counters. The draw depends only on (seed, j, m), never on how trajectories are grouped into
chunks, launches or threads; a fused kernel that evaluates the same formula reproduces the
NumPy indices exactly.

The index in ``range(n)`` is :math:`\\lfloor u n / 2^{64} \\rfloor`, computed exactly with
32-bit limbs, so each index has probability within :math:`n / 2^{64}` of :math:`1/n`
(the multiply-shift reduction of [2]_ without rejection).

References:
    .. [1] G. L. Steele, D. Lea, C. H. Flood, "Fast splittable pseudorandom number
       generators", OOPSLA 2014.
    .. [2] D. Lemire, "Fast random integer generation in an interval", ACM TOMACS 29(1), 2019.
"""

from __future__ import annotations

from typing import Any

import numpy as np

GAMMA = 0x9E3779B97F4A7C15
_MUL1 = 0xBF58476D1CE4E5B9
_MUL2 = 0x94D049BB133111EB
_STREAM_SALT = 0x5851F42D4C957F2D
_MASK32 = 0xFFFFFFFF
MAX_N = 2**31 - 1


def mix64(xp: Any, z: Any) -> Any:
    """SplitMix64 finaliser on a uint64 array (wrapping arithmetic)."""
    z = (z ^ (z >> 30)) * xp.uint64(_MUL1)
    z = (z ^ (z >> 27)) * xp.uint64(_MUL2)
    return z ^ (z >> 31)


def _mix64_int(z: int) -> int:
    """The same finaliser on a Python int, for scalar keys (no overflow warnings)."""
    z &= 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * _MUL1) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * _MUL2) & 0xFFFFFFFFFFFFFFFF
    return z ^ (z >> 31)


def seed_keys(seed: int) -> tuple[int, int]:
    """Return ``(s, s')``, the stream and draw keys for a non-negative integer seed."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__}")
    if not 0 <= int(seed) < 2**64:
        raise ValueError(f"seed must be in [0, 2**64), got {seed}")
    s = _mix64_int(int(seed))
    return s, _mix64_int(s ^ _STREAM_SALT)


def trajectory_keys(xp: Any, seed: int, start: int, count: int) -> Any:
    """Stream keys :math:`k_j` for trajectories ``start, ..., start + count - 1`` (uint64)."""
    s, _ = seed_keys(seed)
    j = xp.arange(start + 1, start + count + 1, dtype=xp.uint64)
    return mix64(xp, xp.uint64(s) + j * xp.uint64(GAMMA))


def draw_key(seed: int, m: int) -> int:
    """Draw key :math:`c_m` for draw number ``m`` (a Python int in [0, 2**64))."""
    _, s2 = seed_keys(seed)
    return _mix64_int(s2 + (m + 1) * GAMMA)


def draw_keys(xp: Any, seed: int, start: int, count: int) -> Any:
    """Draw keys :math:`c_m` for ``m = start, ..., start + count - 1`` (uint64 array).

    The same values as :func:`draw_key`, computed in one vectorised pass (wrapping uint64
    arithmetic is arithmetic modulo :math:`2^{64}`, as in the scalar version).
    """
    _, s2 = seed_keys(seed)
    m = xp.arange(start + 1, start + count + 1, dtype=xp.uint64)
    return mix64(xp, xp.uint64(s2) + m * xp.uint64(GAMMA))


def index_from_u64(xp: Any, u: Any, n: int) -> Any:
    """Exact :math:`\\lfloor u n / 2^{64} \\rfloor` for uint64 ``u`` and ``1 <= n <= 2**31 - 1``."""
    hi = u >> 32
    lo = u & xp.uint64(_MASK32)
    nn = xp.uint64(n)
    return (hi * nn + ((lo * nn) >> 32)) >> 32


def sample_indices(xp: Any, keys: Any, seed: int, step: int, n: int, batch: int = 1) -> Any:
    """Indices drawn at ``step`` for the trajectories whose stream keys are ``keys``.

    Args:
        xp: array namespace (``numpy`` or ``cupy``).
        keys: uint64 array of shape ``(N,)`` from :func:`trajectory_keys`.
        seed: the seed the keys were made with.
        step: iteration number ``t >= 0``.
        n: number of data points, ``1 <= n <= 2**31 - 1``.
        batch: minibatch size ``B >= 1``; draws are with replacement.

    Returns:
        int64 array of shape ``(N, batch)`` with entries in ``range(n)``.
    """
    if not 1 <= n <= MAX_N:
        raise ValueError(f"n must be in [1, {MAX_N}], got {n}")
    if batch < 1:
        raise ValueError(f"batch must be >= 1, got {batch}")
    c = draw_keys(xp, seed, step * batch, batch)
    u = mix64(xp, keys[:, None] + c[None, :])
    return index_from_u64(xp, u, n).astype(xp.int64)

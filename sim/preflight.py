"""Memory and time of a simulation, estimated before it starts, and the chunks it runs in.

:func:`estimate` is a pure function of the run's sizes: trajectories ``N``, steps ``T``,
dimension ``d``, data points ``n``, minibatch ``B``, engine, backend and chunk size ``C``.
With 8-byte floats, ``T1 = T + 1`` and ``nb = ceil(min(C, N) / 1024)`` blocks per chunk, the
peak is the sum of

- *problem* (only when the caller still has to build it): ``7 d^2 + 6 n d`` floats for a
  quadratic (random basis, QR, Hessian, ``eigh``), ``3 d^2 + 8 n d`` for logistic regression
  (features, SVD, Newton's Hessian and solve);
- *chunk state*: the trajectories of one chunk and the engine's work buffers: ``3 d C``
  floats (``(5 d + 3) C`` for logistic regression, whose step makes temporaries), ``4 C`` for
  the trajectories' keys, and ``(2 + 2B) G C`` for the squared norms and sample indices of a
  group of ``G`` steps (array engine, one group per core's piece); ``4 C``, the ``T B`` draw
  keys and one block per core (numba); on CuPy this part lives on the device;
- *chunk statistics*: every step's per-block moments of one chunk, ``(9 + 3d) T1 nb`` floats
  (the engine's buffers, the rotated block means and the per-block copies made while folding);
- *run statistics*: the merged per-step moments, the result, and the bound and exact curves
  the checks compare with, ``(18 + 7d) T1`` floats;
- *tables of the problem* (``4 n d + 2 d^2`` floats: the spec the engines receive and their
  precomputed tables) and 512 KiB of bookkeeping.

The estimate is on the high side of what ``tracemalloc`` measures, by a factor between 1 and 3
(tested). Time is ``N T (c_0 + c_1 d B)`` nanoseconds per CPU core, with ``c_0, c_1`` per engine
and problem measured on a 2-core x86-64 machine (the GPU rates are design targets, not
measurements), plus the per-step Python loops of the theory and the ``O(d^3)`` factorisations:
an order of magnitude, not a promise.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

from sim.stats import BLOCK

FLOAT = 8
"""Bytes per float64 (and per uint64 index)."""

DEFAULT_CHUNK = {"numpy": 64 * BLOCK, "cupy": 1024 * BLOCK}
"""Trajectories per chunk when the caller gives none (as :func:`sim.simulate`)."""

_GROUP_ELEMENTS = {"numpy": 1 << 16, "cupy": 1 << 24}
"""Elements of the array engine's ``(steps x trajectories)`` buffers reduced at once."""

# Nanoseconds per trajectory-step on one CPU core (per GPU for the CuPy engines): c0 + c1 d B.
_COST_NS = {
    ("array", "numpy", "quadratic"): (6.0, 6.4),
    ("array", "numpy", "logistic"): (10.0, 24.0),
    ("numba", "numpy", "quadratic"): (4.0, 2.2),
    ("numba", "numpy", "logistic"): (20.0, 3.2),
    ("array", "cupy", "quadratic"): (0.4, 0.1),
    ("array", "cupy", "logistic"): (0.8, 0.4),
    ("cupy-fused", "cupy", "quadratic"): (0.02, 0.005),
    ("cupy-fused", "cupy", "logistic"): (0.05, 0.02),
}
_OVERHEAD = 512 * 1024
"""Bytes of Python-side bookkeeping per run (threads, futures, small arrays)."""
_PER_STEP_S = 3e-6
"""Python-level work per step outside the engine (theory recursions, folding)."""
_FLOP_S = 2e-10
"""Seconds per ``d^3`` unit of a dense factorisation (QR, ``eigh``, solve)."""

MEMORY_ENV = "SGD_SUITE_MAX_MEMORY"
"""Environment variable that sets the memory a run may use (e.g. ``16GiB``), overriding the
memory the system reports as available."""


@dataclass(frozen=True)
class Estimate:
    """Predicted peak memory and wall time of one run.

    Attributes:
        parts: ``(name, bytes)`` of host memory, largest first.
        device_bytes: peak memory on the GPU (0 on NumPy).
        seconds: wall time.
        sizes: the arguments of :func:`estimate` that produced it.
    """

    parts: tuple[tuple[str, int], ...]
    device_bytes: int
    seconds: float
    sizes: dict

    @property
    def bytes(self) -> int:
        """Peak host memory."""
        return sum(b for _, b in self.parts)

    def describe(self) -> str:
        """``about 3 min, 1.2 GiB of memory`` (plus the GPU's share on CuPy)."""
        text = f"about {format_seconds(self.seconds)}, {format_bytes(self.bytes)} of memory"
        if self.device_bytes:
            text += f" and {format_bytes(self.device_bytes)} on the GPU"
        return text


class InsufficientMemory(ValueError, MemoryError):
    """A run refused before it starts because its estimate exceeds the memory available.

    A ``ValueError`` (the arguments cannot run here) and a ``MemoryError``.
    """


def problem_kind(problem) -> str:
    """``"quadratic"`` for a :class:`sim.QuadraticProblem`, else ``"logistic"`` (the costlier
    model, used for every other problem)."""
    from sim.quadratic import QuadraticProblem

    return "quadratic" if isinstance(problem, QuadraticProblem) else "logistic"


def chunk_ranges(trajectories: int, chunk_size: int) -> Iterator[tuple[int, int]]:
    """``(start, count)`` of each chunk, generated lazily (never a list of all chunks)."""
    for start in range(0, trajectories, chunk_size):
        yield start, min(chunk_size, trajectories - start)


def chunk_count(trajectories: int, chunk_size: int) -> int:
    """Number of chunks :func:`chunk_ranges` yields."""
    return -(-trajectories // chunk_size)


def estimate(*, kind: str, dim: int, n: int, steps: int, trajectories: int, batch: int = 1,
             engine: str = "array", backend: str = "numpy", chunk_size: int | None = None,
             cores: int | None = None, build_problem: bool = False) -> Estimate:
    """Estimate the peak memory and the time of one run (see the module docstring).

    Args:
        kind: ``"quadratic"`` or ``"logistic"``; any other problem is costed as logistic.
        dim, n, steps, trajectories, batch: the run's sizes.
        engine: the resolved engine (``"array"``, ``"numba"`` or ``"cupy-fused"``).
        backend: ``"numpy"`` or ``"cupy"``.
        chunk_size: trajectories per chunk (default as :func:`sim.simulate`).
        cores: CPU cores the engine runs on (default: those this process may use).
        build_problem: include building the problem from its sizes (the command line does).
    """
    sizes = {"kind": kind, "dim": dim, "n": n, "steps": steps, "trajectories": trajectories,
             "batch": batch, "engine": engine, "backend": backend, "chunk_size": chunk_size,
             "cores": cores, "build_problem": build_problem}
    if kind not in ("quadratic", "logistic"):
        kind = "logistic"
    d, t1, b = dim, steps + 1, batch
    c = min(chunk_size or DEFAULT_CHUNK[backend], trajectories)
    nb = -(-c // BLOCK)
    keys = 4 * c  # the trajectories' keys and the temporaries of their hash
    if engine == "numba":
        state = keys + steps * b + _usable_cores(cores) * BLOCK * (d + 2)
    elif engine == "cupy-fused":
        state = keys + d * c + steps * b
    else:
        # on NumPy the chunk runs as one piece of whole blocks per core, each with its buffers
        pieces = min(nb, _usable_cores(cores)) if backend == "numpy" else 1
        group = max(1, min(max(steps, 1), _GROUP_ELEMENTS[backend] // -(-c // pieces)))
        # the logistic step makes temporaries: the iterate, the products, margins and weights
        logistic = (2 * d + 3) * c if kind == "logistic" else 0
        state = 3 * d * c + logistic + keys + (2 + 2 * b) * group * c
    chunk_stats = (9 + 3 * d) * t1 * nb
    parts = {"chunk statistics": chunk_stats * FLOAT, "run statistics": (18 + 7 * d) * t1 * FLOAT,
             "tables of the problem": (4 * n * d + 2 * d * d) * FLOAT,
             "bookkeeping": _OVERHEAD}
    device = 0
    if backend == "cupy":
        device = (state + (3 + 2 * d) * t1 * nb) * FLOAT
    else:
        parts["chunk state"] = state * FLOAT
    if build_problem:
        parts["building the problem"] = ((7 * d * d + 6 * n * d) if kind == "quadratic"
                                         else (3 * d * d + 8 * n * d)) * FLOAT
    c0, c1 = _COST_NS[(engine, backend, kind)]
    per_core = trajectories * steps * (c0 + c1 * d * b) * 1e-9
    seconds = per_core / (1 if backend == "cupy" else _usable_cores(cores))
    seconds += steps * _PER_STEP_S * (1 + d / 100) + (_FLOP_S * d**3 if build_problem else 0.0)
    ordered = tuple(sorted(parts.items(), key=lambda kv: -kv[1]))
    return Estimate(ordered, device, seconds, sizes)


def require(est: Estimate, available: int | None = None) -> None:
    """Raise :class:`InsufficientMemory` when ``est`` needs more host memory than ``available``.

    Args:
        est: from :func:`estimate`.
        available: bytes the run may use; default :func:`available_memory` (None: no check).

    The message names the largest parts and what would fit: fewer steps, a smaller chunk, a
    GPU or Dask for the chunk's state, or a smaller dimension.
    """
    if available is None:
        available = available_memory()
    if available is None or est.bytes <= available:
        return
    shown = ", ".join(f"{name} {format_bytes(b)}" for name, b in est.parts[:3])
    fixes = remedies(est, available)
    raise InsufficientMemory(
        f"this run needs about {format_bytes(est.bytes)} of memory ({shown}) but "
        f"{format_bytes(available)} are available; "
        + ("what would fit: " + "; or ".join(fixes) if fixes else "nothing smaller in the "
           "same dimension fits; set " + MEMORY_ENV + " if more memory is free than reported"))


def remedies(est: Estimate, available: int) -> list[str]:
    """Changes to the run that bring ``est`` under ``available`` bytes, in words."""
    s = est.sizes
    out = []

    def fits(**change) -> bool:
        return estimate(**{**s, **change}).bytes <= available

    if (s["chunk_size"] or DEFAULT_CHUNK[s["backend"]]) > BLOCK and fits(chunk_size=BLOCK):
        out.append(f"chunks of {BLOCK} trajectories (sim.simulate(..., chunk_size={BLOCK}), "
                   f"about {format_bytes(estimate(**{**s, 'chunk_size': BLOCK}).bytes)})")
    steps = largest(lambda v: fits(steps=v), s["steps"])
    if steps is not None:
        out.append(f"at most {steps:,} steps (statistics are kept for every step)")
    parts = dict(est.parts)
    if parts.get("chunk state", 0) >= max(parts.values()) and s["backend"] == "numpy":
        out.append("a GPU (backend cupy) or Dask workers (scheduler=) to hold the chunk state")
    dim = largest(lambda v: fits(dim=v), s["dim"])
    if dim is not None and "building the problem" in parts:
        out.append(f"a dimension of at most {dim:,}")
    return out


def largest(ok, upper: int) -> int | None:
    """The largest ``v`` in ``[1, upper)`` with ``ok(v)``, else None (``ok`` must be true up
    to some value and false above it: a bisection)."""
    if upper <= 1 or not ok(1):
        return None
    lo, hi = 1, upper
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return lo


def _usable_cores(cores: int | None) -> int:
    if cores is not None:
        return max(1, cores)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


_UNITS = {"": 1, "b": 1, "k": 2**10, "kb": 10**3, "kib": 2**10, "m": 2**20, "mb": 10**6,
          "mib": 2**20, "g": 2**30, "gb": 10**9, "gib": 2**30, "t": 2**40, "tb": 10**12,
          "tib": 2**40}


def parse_bytes(text: str) -> int:
    """``"16GiB"``, ``"500 MB"``, ``"1e9"`` as a number of bytes (ValueError otherwise)."""
    m = re.fullmatch(r"\s*([0-9.]+(?:e[0-9]+)?)\s*([a-z]*)\s*", text.lower())
    if not m or m.group(2) not in _UNITS:
        raise ValueError(f"{MEMORY_ENV} must be a size such as 16GiB or 500MB, got {text!r}")
    return int(float(m.group(1)) * _UNITS[m.group(2)])


def available_memory() -> int | None:
    """Bytes a run may use: :data:`MEMORY_ENV` if set, else the smaller of the system's
    available memory (``MemAvailable``) and the room left under a cgroup limit; None if
    neither can be read."""
    if text := os.environ.get(MEMORY_ENV):
        return parse_bytes(text)
    found = []
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        with open("/sys/fs/cgroup/memory.max", encoding="ascii") as fh:
            limit = fh.read().strip()
        with open("/sys/fs/cgroup/memory.current", encoding="ascii") as fh:
            used = int(fh.read().strip())
        if limit != "max":
            found.append(int(limit) - used)
    except (OSError, ValueError):
        pass
    return min(found) if found else None


def format_bytes(n: float) -> str:
    """``1.5 GiB``, ``320 MiB``, ``12 KiB`` (binary units, three significant digits)."""
    for unit, size in (("PiB", 2**50), ("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20),
                       ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{int(n)} B"


def format_seconds(s: float) -> str:
    """``40 s``, ``3 min``, ``2.5 h``, ``1 day``, ``16 days``, ``3e+03 years`` (two significant
    digits)."""
    for unit, size in (("year", 365.25 * 86400), ("day", 86400), ("h", 3600), ("min", 60)):
        if s >= size:
            value = f"{s / size:.2g}"
            plural = unit in ("day", "year") and value != "1"
            return f"{value} {unit}{'s' if plural else ''}"
    return f"{s:.2g} s"


__all__ = ["Estimate", "InsufficientMemory", "available_memory", "chunk_count", "chunk_ranges",
           "estimate", "format_bytes", "format_seconds", "largest", "parse_bytes", "problem_kind",
           "remedies", "require"]

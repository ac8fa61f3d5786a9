"""Choice of array namespace (NumPy or CuPy) and of the device it runs on.

The simulator is written once against an array namespace ``xp``; this module is the one place
that decides which namespace that is. CuPy is used when it imports *and* a CUDA device answers;
otherwise NumPy. Results always come back as NumPy arrays (:func:`to_numpy`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

BACKENDS = ("auto", "numpy", "cupy")


class Backend(NamedTuple):
    """A resolved array backend.

    Attributes:
        name: ``"numpy"`` or ``"cupy"``.
        xp: the array namespace module.
        device: ``"cpu"`` or the name of the CUDA device.
    """

    name: str
    xp: Any
    device: str


def _cupy_or_reason() -> tuple[Any, str | None]:
    """Return ``(cupy, None)`` when CuPy imports and a device answers, else ``(None, reason)``."""
    try:
        import cupy
    except Exception as exc:  # noqa: BLE001 - a broken install is "unavailable", with its reason
        return None, f"CuPy does not import ({exc.__class__.__name__}: {exc})"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # noqa: BLE001 - no driver / no device
        return None, f"no CUDA device answers ({exc.__class__.__name__}: {exc})"
    if count < 1:
        return None, "no CUDA device is visible"
    return cupy, None


def cupy_available() -> bool:
    """True when CuPy imports and at least one CUDA device answers."""
    return _cupy_or_reason()[0] is not None


def resolve_backend(backend: str = "auto") -> Backend:
    """Resolve ``"auto"``, ``"numpy"`` or ``"cupy"`` to a :class:`Backend`.

    Raises:
        ValueError: unknown name, or ``"cupy"`` requested without a usable device.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if backend in ("auto", "cupy"):
        cp, reason = _cupy_or_reason()
        if cp is not None:
            props = cp.cuda.runtime.getDeviceProperties(cp.cuda.Device().id)
            name = props["name"]
            name = name.decode() if isinstance(name, bytes) else str(name)
            return Backend("cupy", cp, name)
        if backend == "cupy":
            raise ValueError(
                f"backend='cupy' needs CuPy and a CUDA device, but {reason}; "
                "use backend='numpy' or 'auto'"
            )
    return Backend("numpy", np, "cpu")


def namespace_of(name: str) -> Any:
    """The array namespace of a backend name (``"numpy"`` or ``"cupy"``)."""
    return resolve_backend(name).xp


def to_numpy(a: Any) -> np.ndarray:
    """Copy an array of either namespace to a NumPy array (no copy for NumPy input)."""
    if isinstance(a, np.ndarray):
        return a
    get = getattr(a, "get", None)
    return np.asarray(get() if get is not None else a)

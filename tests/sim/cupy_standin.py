"""A NumPy-backed stand-in for the ``cupy`` module, so that CuPy code paths run on the CPU.

:func:`standin` returns a module object named ``cupy`` that is *not* ``numpy`` (so code that
branches on ``xp is np`` takes its CuPy branch) and forwards every attribute it does not define
to NumPy. What it defines mirrors CuPy where CuPy differs from NumPy:

- arrays are :class:`DeviceArray` (an ``ndarray`` with CuPy's ``.get()``), and ``asarray`` of a
  host array *copies*, as a host-to-device transfer does, so that code relying on aliasing
  between host and device arrays fails here as it would on a GPU;
- ``asnumpy`` copies back; ``take`` has CuPy's signature (no ``mode``);
- ``cuda.runtime`` answers ``getDeviceCount`` and ``getDeviceProperties`` with the attributes
  of a chosen device of :data:`sim.engines.launch.KNOWN_DEVICES`; ``cuda.Device().id`` is 0;
- there is no ``RawModule`` or ``RawKernel``: compiling CUDA code fails with AttributeError
  (tests substitute the kernels themselves).
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np

from sim.engines.launch import KNOWN_DEVICES, DeviceLimits


class DeviceArray(np.ndarray):
    """A NumPy array standing in for a CuPy one (``.get()`` copies to the host)."""

    def get(self) -> np.ndarray:
        return np.array(self)


def properties(limits: DeviceLimits) -> dict[str, Any]:
    """``limits`` as ``cupy.cuda.runtime.getDeviceProperties`` reports them."""
    return {
        "name": limits.name.encode(),
        "major": limits.compute_capability[0],
        "minor": limits.compute_capability[1],
        "warpSize": limits.warp_size,
        "maxThreadsPerBlock": limits.max_threads_per_block,
        "maxThreadsPerMultiProcessor": limits.max_threads_per_sm,
        "regsPerBlock": limits.regs_per_block,
        "regsPerMultiprocessor": limits.regs_per_sm,
        "sharedMemPerBlock": limits.shared_per_block,
        "sharedMemPerBlockOptin": limits.shared_per_block_optin,
        "sharedMemPerMultiprocessor": limits.shared_per_sm,
        "reservedSharedMemPerBlock": limits.reserved_shared_per_block,
    }


class _Device:
    def __init__(self, device: int = 0) -> None:
        self.id = device


class CupyStandIn(types.ModuleType):
    """See the module docstring."""

    def __init__(self, device: str = "sm_90") -> None:
        super().__init__("cupy")
        props = properties(KNOWN_DEVICES[device])
        runtime = types.SimpleNamespace(getDeviceCount=lambda: 1,
                                        getDeviceProperties=lambda device: dict(props))
        self.cuda = types.SimpleNamespace(runtime=runtime, Device=_Device)

    def __getattr__(self, name: str) -> Any:
        if name in ("RawModule", "RawKernel", "ElementwiseKernel", "ReductionKernel"):
            raise AttributeError(f"the NumPy stand-in for cupy cannot compile CUDA ({name})")
        return getattr(np, name)

    @staticmethod
    def _device(a: np.ndarray) -> DeviceArray:
        return a.view(DeviceArray)

    def asarray(self, a: Any, dtype: Any = None) -> DeviceArray:
        if isinstance(a, DeviceArray) and (dtype is None or a.dtype == dtype):
            return a
        return self._device(np.array(a, dtype=dtype))  # a host-to-device copy

    def asnumpy(self, a: Any) -> np.ndarray:
        return np.array(a)

    def empty(self, shape: Any, dtype: Any = np.float64) -> DeviceArray:
        return self._device(np.empty(shape, dtype))

    def zeros(self, shape: Any, dtype: Any = np.float64) -> DeviceArray:
        return self._device(np.zeros(shape, dtype))

    def full(self, shape: Any, fill_value: Any, dtype: Any = None) -> DeviceArray:
        return self._device(np.full(shape, fill_value, dtype))

    def zeros_like(self, a: Any, dtype: Any = None) -> DeviceArray:
        return self._device(np.zeros_like(a, dtype))

    def empty_like(self, a: Any, dtype: Any = None) -> DeviceArray:
        return self._device(np.empty_like(a, dtype))

    def arange(self, *args: Any, **kwargs: Any) -> DeviceArray:
        return self._device(np.arange(*args, **kwargs))

    def take(self, a: Any, indices: Any, axis: Any = None, out: Any = None) -> Any:
        return np.take(a, indices, axis=axis, out=out)


def standin(device: str = "sm_90") -> CupyStandIn:
    """A fresh stand-in whose device has the limits of ``KNOWN_DEVICES[device]``."""
    return CupyStandIn(device)

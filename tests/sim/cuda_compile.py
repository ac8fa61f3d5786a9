"""Compile-time facts of the CUDA kernels without a GPU: NVRTC (ctypes) and nvcc, with ptxas -v.

NVRTC is the compiler CuPy uses at run time; it is found in the ``nvidia-cuda-nvrtc`` wheel
(``nvidia/cu*/lib``) or on the library path. ``ptxas -v`` reports, per kernel entry, the
registers per thread, the bytes spilled to local memory and the static shared memory; these are
parsed into :class:`Footprint` records.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

NVCC = shutil.which("nvcc")


class Footprint(NamedTuple):
    """ptxas -v facts of one kernel entry."""

    registers: int
    spill_stores: int
    spill_loads: int
    static_shared: int


_ENTRY = re.compile(r"Compiling entry function '(\w+)' for '(sm_\d+)'")
_SPILL = re.compile(r"(\d+) bytes spill stores, (\d+) bytes spill loads")
_USED = re.compile(r"Used (\d+) registers(?:.*?(\d+) bytes smem)?")


def parse_ptxas(log: str) -> dict[str, Footprint]:
    """``{mangled entry name: Footprint}`` from a ``ptxas -v`` log (nvcc or NVRTC)."""
    found: dict[str, Footprint] = {}
    name, spill = None, (0, 0)
    for line in log.splitlines():
        if m := _ENTRY.search(line):
            name, spill = m.group(1), (0, 0)
        elif (m := _SPILL.search(line)) and name:
            spill = (int(m.group(1)), int(m.group(2)))
        elif (m := _USED.search(line)) and name:
            found[name] = Footprint(int(m.group(1)), *spill, int(m.group(2) or 0))
            name = None
    return found


def kernel_parameters(name: str, source: str) -> list[tuple[str, str]]:
    """``(C type, name)`` of each parameter of a kernel, read from the CUDA source."""
    found = re.search(rf"^{name}\((.*?)\)\s*\{{", source, re.S | re.M)
    assert found, name
    words = [p.replace("__restrict__", "").split() for p in found.group(1).split(",")]
    return [(" ".join(w[:-1]), w[-1]) for w in words]


def instantiations(names: list[str], source: str) -> list[str]:
    """Explicit instantiation lines for name expressions like ``sgd_quadratic<10, 512>``."""
    lines = []
    for expr in names:
        kernel = expr.split("<")[0]
        types = ", ".join(t for t, _ in kernel_parameters(kernel, source))
        lines.append(f"template __global__ void {expr}({types});")
    return lines


def mangled(kernel: str, d: int, threads: int) -> str:
    """The Itanium-mangled prefix of ``kernel<d, threads>`` (parameters follow)."""
    return f"_Z{len(kernel)}{kernel}ILi{d}ELi{threads}EE"


def _nvrtc_library() -> ctypes.CDLL | None:
    candidates: list[str] = []
    spec = importlib.util.find_spec("nvidia")
    for base in (spec.submodule_search_locations or []) if spec else []:
        candidates += sorted(glob.glob(os.path.join(base, "cu*", "lib", "libnvrtc.so*")),
                             reverse=True)
    system = ctypes.util.find_library("nvrtc")
    if system:
        candidates.append(system)
    for path in candidates:
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


NVRTC = _nvrtc_library()


class NvrtcResult(NamedTuple):
    ok: bool
    log: str
    lowered: dict[str, str]


def nvrtc_compile(source: str, names: list[str], options: list[str]) -> NvrtcResult:
    """Compile ``source`` with NVRTC, instantiating ``names`` (name expressions, as CuPy does)."""
    assert NVRTC is not None
    lib = NVRTC
    prog = ctypes.c_void_p()
    rc = lib.nvrtcCreateProgram(ctypes.byref(prog), source.encode(), b"cupy_fused.cu", 0,
                                None, None)
    assert rc == 0, f"nvrtcCreateProgram failed ({rc})"
    try:
        for name in names:
            assert lib.nvrtcAddNameExpression(prog, name.encode()) == 0, name
        opts = (ctypes.c_char_p * len(options))(*(o.encode() for o in options))
        ok = lib.nvrtcCompileProgram(prog, len(options), opts) == 0
        size = ctypes.c_size_t()
        lib.nvrtcGetProgramLogSize(prog, ctypes.byref(size))
        log = ctypes.create_string_buffer(size.value + 1)
        lib.nvrtcGetProgramLog(prog, log)
        lowered = {}
        if ok:
            for name in names:
                out = ctypes.c_char_p()
                assert lib.nvrtcGetLoweredName(prog, name.encode(), ctypes.byref(out)) == 0
                lowered[name] = out.value.decode()
        return NvrtcResult(ok, log.value.decode(errors="replace"), lowered)
    finally:
        lib.nvrtcDestroyProgram(ctypes.byref(prog))


def nvrtc_version() -> str:
    major, minor = ctypes.c_int(), ctypes.c_int()
    NVRTC.nvrtcVersion(ctypes.byref(major), ctypes.byref(minor))
    return f"{major.value}.{minor.value}"


def nvcc_cubin(source: str, instantiations: list[str], arch: str, folder: Path,
               extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """``nvcc -cubin -Xptxas -v`` of ``source`` plus explicit instantiation lines."""
    src = folder / "kernels.cu"
    src.write_text("\n".join([source, *instantiations]) + "\n")
    return subprocess.run(
        [NVCC, f"-arch={arch}", "-std=c++17", "-cubin", "-Xptxas", "-v", *extra, "-o",
         str(folder / "kernels.cubin"), str(src)], capture_output=True, text=True, check=False)

"""The kernel source compiles as the engine compiles it, and does not spill where it must not.

Two compilers, each when present: NVRTC (the one CuPy uses; the ``nvidia-cuda-nvrtc`` wheel or
the system library), given the exact source string, options and name expressions of
:func:`sim.engines.cupy_fused._kernels`; and nvcc (warnings are errors), given the same source
with explicit instantiations, for the ``d`` at the ends of each block size's range. Both
compile to sm_90 machine code with ``ptxas -v``, whose
register, spill and shared-memory counts are checked: no spills for ``d <= 16`` at the block
size the launch plan chooses, and the static shared memory equal to the formula the launch
plan uses. The table for every compiled ``d`` is printed (``pytest -rP`` shows it); NVRTC also
compiles a few larger ``d``, whose spills are reported.
"""

from __future__ import annotations

import pytest
from cuda_compile import (NVCC, NVRTC, instantiations, mangled, nvcc_cubin, nvrtc_compile,
                          nvrtc_version, parse_ptxas)

from sim.engines import cupy_fused
from sim.engines.launch import block_threads, static_shared_bytes

ARCH = "sm_90"
NO_SPILL_UP_TO = 16
REPORTED = (32, 64)  # larger d: spills are reported, not asserted (NVRTC only)
# nvcc cross-checks the d at the ends of each block size's range (NVRTC checks every d)
NVCC_DIMS = (1, 4, 5, 6, 12, 13, 16)


def _cases(dims) -> list[tuple[str, int, int]]:
    return [(kind, d, block_threads(kind, d)) for kind in ("quadratic", "logistic") for d in dims]


CASES = _cases(range(1, NO_SPILL_UP_TO + 1))
NVCC_CASES = _cases(NVCC_DIMS)
SOURCE = cupy_fused.SOURCE.read_text()


def _names(source_cases=CASES) -> list[str]:
    names = []
    for kind, d, threads in source_cases:
        quadratic, logistic = cupy_fused.kernel_names(d, threads)
        names.append(quadratic if kind == "quadratic" else logistic)
    return names


def _table(compiler: str, footprints: dict) -> str:
    lines = [f"ptxas -v, {ARCH}, {compiler}: registers / spill stores / spill loads (bytes) / "
             "static shared (bytes)",
             f"{'kind':<10}{'d':>4}{'threads':>8}{'regs':>6}{'stores':>8}{'loads':>7}{'smem':>7}"]
    for (kind, d, threads), fp in footprints.items():
        lines.append(f"{kind:<10}{d:>4}{threads:>8}{fp.registers:>6}{fp.spill_stores:>8}"
                     f"{fp.spill_loads:>7}{fp.static_shared:>7}")
    return "\n".join(lines)


def _check(footprints: dict) -> None:
    spilled = [(kind, d, fp) for (kind, d, _), fp in footprints.items()
               if d <= NO_SPILL_UP_TO and (fp.spill_stores or fp.spill_loads)]
    assert not spilled, f"spills at d <= {NO_SPILL_UP_TO}: {spilled}"
    for (_, d, threads), fp in footprints.items():
        assert fp.static_shared == static_shared_bytes(threads, d), (d, threads, fp)
        assert fp.registers <= min(255, 65536 // threads), (d, threads, fp)


@pytest.fixture(scope="module")
def nvrtc_sm90():
    if NVRTC is None:
        pytest.skip("NVRTC is not available")
    options = [*cupy_fused.COMPILE_OPTIONS, f"--gpu-architecture={ARCH}", "--ptxas-options=-v"]
    cases = CASES + _cases(REPORTED)
    result = nvrtc_compile(SOURCE, _names(cases), options)
    assert result.ok, result.log
    found = parse_ptxas(result.log)
    return {case: found[result.lowered[name]] for case, name in zip(cases, _names(cases),
                                                                  strict=True)}


@pytest.fixture(scope="module")
def nvcc_sm90(tmp_path_factory):
    if NVCC is None:
        pytest.skip("nvcc is not on PATH")
    done = nvcc_cubin(SOURCE, instantiations(_names(NVCC_CASES), SOURCE), ARCH,
                      tmp_path_factory.mktemp("nvcc"), extra=("-Werror", "all-warnings"))
    assert done.returncode == 0, done.stderr
    found = parse_ptxas(done.stderr)
    footprints = {}
    for kind, d, threads in NVCC_CASES:
        prefix = mangled(f"sgd_{kind}", d, threads)
        (entry,) = [name for name in found if name.startswith(prefix)]
        footprints[kind, d, threads] = found[entry]
    return footprints


def test_nvrtc_compiles_the_exact_source_without_spills_up_to_d16(nvrtc_sm90):
    print(_table(f"NVRTC {nvrtc_version()}", nvrtc_sm90))
    assert len(nvrtc_sm90) == len(CASES) + len(_cases(REPORTED))
    _check(nvrtc_sm90)


def test_nvcc_compiles_the_source_without_spills_up_to_d16(nvcc_sm90):
    print(_table("nvcc", nvcc_sm90))
    assert len(nvcc_sm90) == len(NVCC_CASES)
    _check(nvcc_sm90)


def test_spill_check_rejects_the_old_layout(nvcc_sm90):
    """The check can fail: the same source at 1024 threads for every d spills at d = 10."""
    from cuda_compile import Footprint

    old = {("quadratic", 10, 1024): Footprint(64, 64, 48, static_shared_bytes(1024, 10))}
    with pytest.raises(AssertionError, match="spills"):
        _check(old)
    with pytest.raises(AssertionError):
        _check({("quadratic", 10, 512): Footprint(100, 0, 0, 1792 + 512 * 10)})


def test_nvrtc_rejects_a_broken_kernel():
    """The compile check can fail: the update calling an undeclared function."""
    if NVRTC is None:
        pytest.skip("NVRTC is not available")
    broken = SOURCE.replace("__dmul_rn(z[a], decay[a])", "__dmul_rn(z[a], undeclared(a))")
    assert broken != SOURCE
    result = nvrtc_compile(broken, _names([("quadratic", 3, 1024)]),
                           [*cupy_fused.COMPILE_OPTIONS, f"--gpu-architecture={ARCH}"])
    assert not result.ok and "undeclared" in result.log


def test_nvcc_rejects_a_broken_kernel(tmp_path):
    if NVCC is None:
        pytest.skip("nvcc is not on PATH")
    broken = SOURCE.replace("__dmul_rn(z[a], decay[a])", "__dmul_rn(z[a], undeclared(a))")
    names = _names([("quadratic", 3, 1024)])
    assert nvcc_cubin(broken, instantiations(names, broken), ARCH, tmp_path).returncode != 0

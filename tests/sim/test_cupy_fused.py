"""The fused CUDA engine: host code and emulated kernels without a GPU; equality on a GPU.

Without a GPU: the host launches are recorded and checked against each kernel's C signature
(read from the source); the partial statistics of the CUDA blocks merge into those of a
statistics block; and the kernel source, compiled for the CPU (``emulation.py``: one thread per
CUDA thread, CUDA's launch rules for block size and shared memory), runs under the real host
code and a NumPy stand-in for CuPy (``cupy_standin.py``) against the array engine, at small and
large ``D``, across the shared-memory windows, on the limits of several devices. The compile
checks are in ``test_cupy_fused_compile.py``.

Every comparison gives the reference engine the kernel's own ``tanh`` (the C library's in the
emulation, CUDA's on a GPU), so trajectories are the same roundings and the tolerances of
``chunk_compare.py`` are derived from the summation order of the reductions alone.
"""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest
from chunk_compare import tolerances
from cuda_compile import kernel_parameters
from cupy_standin import standin
from fused_cases import problem_of, quadratic

from sim import rng as sim_rng
from sim.engines import cupy_fused
from sim.engines.launch import KNOWN_DEVICES, block_threads, plan_launch
from sim.stats import BLOCK

KERNELS = ("sgd_quadratic", "sgd_logistic")
SOURCE = cupy_fused.SOURCE.read_text()


def test_module_imports_and_is_unavailable_without_cupy():
    if importlib.util.find_spec("cupy") is None:
        assert cupy_fused.available() is False
    assert cupy_fused.SOURCE.is_file()


@pytest.mark.parametrize(("count", "expected"), [(1, True), (0, False), (None, False)])
def test_available_needs_a_device_that_answers(monkeypatch, count, expected):
    fake = standin()

    def device_count():
        if count is None:
            raise RuntimeError("cudaErrorNoDevice")
        return count

    fake.cuda.runtime.getDeviceCount = device_count
    monkeypatch.setitem(sys.modules, "cupy", fake)
    assert cupy_fused.available() is expected


# ---------------------------------------------------------------------------------------------
# Host launches against the kernels' C signatures.

_DTYPES = {"double": np.float64, "int": np.int32, "long long": np.int64, "u64": np.uint64}


class _RecordingKernel:
    """Checks every launch against the kernel's C signature, then records it."""

    def __init__(self, name: str, static_shared: int = 0) -> None:
        self.name = name
        self.params = kernel_parameters(name, SOURCE)
        self.launches: list[tuple] = []
        self.attributes = {"num_regs": 64, "shared_size_bytes": static_shared,
                           "local_size_bytes": 0}
        self.max_dynamic_shared_size_bytes = 48 * 1024 - static_shared

    def __call__(self, grid, block, args, *, shared_mem=0):
        assert len(args) == len(self.params), (self.name, len(args), len(self.params))
        for (ctype, pname), arg in zip(self.params, args, strict=True):
            base = ctype.replace("const", "").replace("*", "").strip()
            if ctype.endswith("*"):
                assert isinstance(arg, np.ndarray), (pname, type(arg))
                assert arg.flags.c_contiguous, pname
            else:
                assert isinstance(arg, np.generic), (pname, type(arg))
            assert arg.dtype == _DTYPES[base], (pname, ctype, arg.dtype)
        named = dict(zip([pname for _, pname in self.params], args, strict=True))
        for output in ("out_sum", "out_m2", "out_max", "out_vec"):
            if output in named:
                named[output][...] = 1.0  # what a kernel writes, so the merge reads no garbage
        self.launches.append((grid, block, named, shared_mem))


@pytest.mark.parametrize(("kind", "d"), [("quadratic", 3), ("logistic", 3), ("quadratic", 40)])
def test_host_launches_match_the_kernel_signature(monkeypatch, kind, d):
    """Without a GPU: the host passes each kernel exactly its C parameter types, covers the
    steps with consecutive launches, and sizes grid, block, shared memory and buffers as the
    launch plan says (several CUDA blocks per statistics block at d = 40)."""
    threads = block_threads(kind, d)
    plan = plan_launch(KNOWN_DEVICES["sm_90"], kind=kind, d=d, n=40)
    kernels = {name: _RecordingKernel(name, plan.static_shared) for name in KERNELS}
    monkeypatch.setitem(sys.modules, "cupy", standin("sm_90"))
    monkeypatch.setattr(cupy_fused, "_kernels", lambda dim, t: tuple(kernels.values()))
    monkeypatch.setattr(cupy_fused, "STEPS_PER_LAUNCH", 7)
    n, steps, count, start, seed = 40, 20, 2 * BLOCK + 5, 4 * BLOCK, 17
    out = cupy_fused.run_chunk(problem_of(kind, d, n, 0).spec(), alpha=0.1, steps=steps,
                               seed=seed, start=start, count=count, batch=2, e0=np.ones(d))
    launches = kernels[f"sgd_{kind}"].launches
    assert not kernels["sgd_logistic" if kind == "quadratic" else "sgd_quadratic"].launches
    assert [(a["t0"], a["t1"]) for _, _, a, _ in launches] == [(0, 7), (7, 14), (14, 20)]
    for grid, block, args, shared in launches:
        assert grid == (3 * BLOCK // threads,)
        assert block == (threads,)
        assert (args["n"], args["batch"], args["count"], args["start"]) == (n, 2, count, start)
        assert args["stream_key"] == sim_rng.seed_keys(seed)[0]
        assert args["state"].shape == (d, count)
        assert args["draws"].shape == (steps * 2,)
        assert args["out_sum"].shape == (8, grid[0])
        assert args["out_vec"].shape == (8, grid[0], d)
        assert shared == d * n * 8 == plan.dynamic_shared
        assert args["use_shared"] == 1
    assert out.mean_e.shape == (steps + 1, 3, d)
    np.testing.assert_array_equal(out.count, [BLOCK, BLOCK, 5])


@pytest.mark.parametrize(
    ("d", "count", "match"), [(cupy_fused.MAX_DIM + 1, 5, "dimension"), (2, 2**31, "count")]
)
def test_sizes_beyond_the_kernels_are_rejected(monkeypatch, d, count, match):
    monkeypatch.setitem(sys.modules, "cupy", standin())
    with pytest.raises(ValueError, match=match):
        cupy_fused.run_chunk(quadratic(d, 3, 0).spec(), alpha=0.1, steps=1, seed=0, start=0,
                             count=count, batch=1, e0=np.zeros(d))


def _valid_quadratic_args() -> list:
    return [np.zeros((2, 5)), np.zeros(2), np.zeros(4, np.uint64), np.zeros((2, 3)),
            np.int32(5), np.int32(1), np.uint64(1), np.int64(0), np.int32(3), np.int32(0),
            np.int32(4), np.int32(1), np.zeros((5, 1)), np.zeros((5, 1)), np.zeros((5, 1)),
            np.zeros((5, 1, 2)), np.zeros(1, np.int32)]


@pytest.mark.parametrize(
    "mutate",
    [
        lambda a: a[:-1],                                    # a parameter missing
        lambda a: [*a[:4], np.int64(5), *a[5:]],             # n as int64, the kernel takes int
        lambda a: [*a[:2], np.zeros(4, np.int64), *a[3:]],   # draws not uint64
        lambda a: [*a[:3], np.zeros((3, 2)).T, *a[4:]],      # state not C-contiguous
    ],
)
def test_signature_check_rejects_a_wrong_launch(mutate):
    kernel = _RecordingKernel("sgd_quadratic")
    kernel((1,), (BLOCK,), tuple(_valid_quadratic_args()))
    with pytest.raises(AssertionError):
        kernel((1,), (BLOCK,), tuple(mutate(_valid_quadratic_args())))


# ---------------------------------------------------------------------------------------------
# Merging the partial statistics of the CUDA blocks of a statistics block.

def _partials(sq: np.ndarray, vec: np.ndarray, counts: np.ndarray):
    """What the kernels write for one step: per CUDA block the sum, M2 about its own mean,
    the max and the coordinate sums (computed here directly, in one order)."""
    out_sum, out_m2, out_max, out_vec, at = [], [], [], [], 0
    for c in counts.ravel():
        part, v = sq[at : at + c], vec[at : at + c]
        at += c
        out_sum.append(part.sum())
        out_m2.append(((part - part.mean()) ** 2).sum() if c else 0.0)
        out_max.append(part.max() if c else -1.0)
        out_vec.append(v.sum(axis=0))
    return (np.array(out_sum)[None], np.array(out_m2)[None], np.array(out_max)[None],
            np.array(out_vec)[None])


@pytest.mark.parametrize(("threads", "count"), [(256, 2 * BLOCK + 300), (512, BLOCK + 1),
                                                (1024, 3 * BLOCK - 7), (256, 100)])
def test_merged_partials_are_the_statistics_block(threads, count):
    """Empty and partial CUDA blocks included: the merge gives each statistics block's mean,
    M2 about its mean, maximum and mean vector, within the derived rounding tolerances."""
    r = np.random.default_rng(threads + count)
    vec = r.standard_normal((count, 3)) * np.array([1.0, 10.0, 0.1])
    sq = (vec**2).sum(axis=1)
    counts = cupy_fused.part_counts(count, threads, BLOCK // threads)
    assert counts.sum() == count and counts.shape == (-(-count // BLOCK), BLOCK // threads)
    mean, m2, top, mean_v = cupy_fused.merge_parts(np, *_partials(sq, vec, counts), counts)
    sizes = counts.sum(axis=1)
    edges = np.concatenate([[0], np.cumsum(sizes)])
    blocks = [slice(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True)]
    ref_mean = np.array([sq[b].mean() for b in blocks])
    ref_m2 = np.array([((sq[b] - sq[b].mean()) ** 2).sum() for b in blocks])
    ref_top = np.array([sq[b].max() for b in blocks])
    np.testing.assert_array_equal(top[0], ref_top)
    mean_tol, m2_tol, vec_tol = tolerances(sizes, ref_mean[None], ref_m2[None], ref_top[None], 3)
    assert np.all(np.abs(mean[0] - ref_mean) <= mean_tol[0])
    assert np.all(np.abs(m2[0] - ref_m2) <= m2_tol[0])
    ref_v = np.array([vec[b].mean(axis=0) for b in blocks])
    assert np.all(np.abs(mean_v[0] - ref_v) <= vec_tol[0][:, None])


def test_merge_of_one_part_passes_the_kernel_numbers_through():
    """P = 1 (1024 threads): M2 is the kernel's own, bit for bit; the mean is sum / count."""
    counts = np.array([[BLOCK], [17]])
    part_sum, part_m2 = np.array([[3.5, 0.25]]), np.array([[1.0 / 3.0, 2.0 / 7.0]])
    mean, m2, top, mean_v = cupy_fused.merge_parts(
        np, part_sum, part_m2, np.array([[9.0, 1.0]]), np.ones((1, 2, 2)), counts)
    np.testing.assert_array_equal(m2, part_m2)
    np.testing.assert_array_equal(mean, part_sum / np.array([BLOCK, 17]))
    np.testing.assert_array_equal(mean_v, np.ones((1, 2, 2)) / np.array([BLOCK, 17])[:, None])


def test_merge_adds_the_spread_of_the_part_means():
    """Two parts with equal M2 but different means: M2 grows by n_a n_b (m_a - m_b)^2 / n."""
    counts = np.array([[2, 2]])
    mean, m2, _, _ = cupy_fused.merge_parts(np, np.array([[2.0, 6.0]]), np.array([[0.5, 0.5]]),
                                            np.array([[1.5, 3.5]]), np.zeros((1, 2, 1)), counts)
    assert mean[0, 0] == 2.0
    assert m2[0, 0] == 1.0 + 2 * 2 * (1.0 - 3.0) ** 2 / 4

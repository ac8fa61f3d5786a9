"""The preflight estimate (sim.preflight): memory against what tracemalloc measures, refusals
with what would fit, the lazy chunk iterator, and simulate() refusing before any work."""

from __future__ import annotations

import importlib
import itertools
import tracemalloc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sgd_suite.experiments import logistic_problem, quadratic_problem
from sim import preflight, simulate
from sim.engines import available_engines

simulate_module = importlib.import_module("sim.simulate")  # `sim.simulate` is the function

MIB = 2**20


def _problem(kind: str, d: int):
    if kind == "quadratic":
        return quadratic_problem(dim=d, n=64, mu=1.0, L=4.0, spread=1.0, data_seed=0)[0]
    return logistic_problem(dim=d, n=100, spread=1.0, l2=0.1, data_seed=0)


@given(st.integers(1, 10**6), st.sampled_from([1024, 2048, 65536]))
def test_chunk_ranges_cover_every_trajectory_once(n, chunk):
    chunks = list(preflight.chunk_ranges(n, chunk))
    assert len(chunks) == preflight.chunk_count(n, chunk)
    assert chunks[0][0] == 0
    assert sum(c for _, c in chunks) == n
    for (s0, c0), (s1, _) in itertools.pairwise(chunks):
        assert s1 == s0 + c0
        assert c0 == chunk
    assert 1 <= chunks[-1][1] <= chunk


def test_chunk_ranges_are_lazy():
    """10^15 trajectories: the first chunks come at once and nothing is materialised."""
    tracemalloc.start()
    it = preflight.chunk_ranges(10**15, 65536)
    first = list(itertools.islice(it, 3))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert first == [(0, 65536), (65536, 65536), (131072, 65536)]
    assert peak < 64 * 1024
    assert preflight.chunk_count(10**15, 65536) == -(-(10**15) // 65536)


CASES = [  # (d, steps, trajectories, chunk_size, batch): long runs, many chunks, the default
    (2, 2000, 8192, None, 1),  # chunk with minibatches, several chunks of one block each
    (10, 200, 9216, 4096, 1),
    (5, 12, 66560, None, 4),
    (20, 1000, 4096, 1024, 1),
]


@pytest.mark.parametrize("engine", available_engines("numpy"))
@pytest.mark.parametrize("kind", ["quadratic", "logistic"])
@pytest.mark.parametrize(("d", "steps", "trajectories", "chunk", "batch"), CASES)
def test_memory_estimate_bounds_the_traced_peak(engine, kind, d, steps, trajectories, chunk,
                                                batch):
    """The estimate is at least the peak tracemalloc sees in simulate(), and at most 3x it.

    tracemalloc counts every NumPy buffer (NumPy reports its allocations to it), in every
    thread. A missing term in the model (a buffer per core, a copy while folding) shows up as
    an estimate below the peak; a grossly inflated one as a ratio above 3.
    """
    problem = _problem(kind, d)
    simulate(problem, alpha=0.05, steps=2, trajectories=2048, engine=engine, backend="numpy")
    tracemalloc.start()
    simulate(problem, alpha=0.05, steps=steps, trajectories=trajectories, engine=engine,
             backend="numpy", batch=batch, chunk_size=chunk)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    est = preflight.estimate(kind=kind, dim=d, n=problem.n, steps=steps,
                             trajectories=trajectories, batch=batch, engine=engine,
                             chunk_size=chunk)
    assert peak <= est.bytes <= 3 * peak, (peak / MIB, est.bytes / MIB, est.parts)


def test_estimate_grows_with_every_size():
    base = {"kind": "quadratic", "dim": 5, "n": 64, "steps": 100, "trajectories": 4096}
    e0 = preflight.estimate(**base)
    for key, bigger in (("dim", 50), ("n", 10**5), ("steps", 10**4), ("trajectories", 10**6)):
        e1 = preflight.estimate(**{**base, key: bigger})
        assert e1.bytes > e0.bytes, key
        if key != "n":  # the data size costs memory, not time per step
            assert e1.seconds > e0.seconds, key
    # time is linear in the trajectory-steps once they dominate
    a = preflight.estimate(**{**base, "trajectories": 10**9}, cores=1)
    b = preflight.estimate(**{**base, "trajectories": 2 * 10**9}, cores=1)
    assert b.seconds == pytest.approx(2 * a.seconds, rel=1e-3)
    two = preflight.estimate(**{**base, "trajectories": 10**9}, cores=2)
    assert two.seconds == pytest.approx(a.seconds / 2, rel=1e-3)
    built = preflight.estimate(**base, build_problem=True)
    assert "building the problem" in dict(built.parts)
    assert built.bytes > e0.bytes


def test_require_refuses_with_what_would_fit():
    est = preflight.estimate(kind="quadratic", dim=5, n=64, steps=10**8, trajectories=4096)
    available = 16 * 2**30
    with pytest.raises(preflight.InsufficientMemory) as info:
        preflight.require(est, available)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, MemoryError)
    msg = str(info.value)
    assert "16 GiB are available" in msg
    assert "\n" not in msg
    steps = int(msg.split("at most ")[1].split(" steps")[0].replace(",", ""))
    sizes = {**est.sizes, "chunk_size": None}
    assert preflight.estimate(**{**sizes, "steps": steps}).bytes <= available
    assert preflight.estimate(**{**sizes, "steps": steps + 1}).bytes > available
    preflight.require(est, est.bytes)  # exactly enough is enough
    with pytest.raises(preflight.InsufficientMemory):
        preflight.require(est, est.bytes - 1)


def test_remedies_name_the_dimension_and_the_chunk():
    est = preflight.estimate(kind="quadratic", dim=100_000, n=64, steps=100, trajectories=4096,
                             build_problem=True)
    fixes = preflight.remedies(est, 16 * 2**30)
    dim = next(f for f in fixes if "dimension" in f)
    d = int(dim.rsplit(" ", 1)[1].replace(",", ""))
    fits = preflight.estimate(**{**est.sizes, "dim": d}).bytes
    assert fits <= 16 * 2**30 < preflight.estimate(**{**est.sizes, "dim": d + 1}).bytes
    # many blocks per chunk with long runs: a chunk of one block fits where the default does not
    wide = preflight.estimate(kind="quadratic", dim=10, n=64, steps=10**6, trajectories=10**6)
    assert any("chunk_size=1024" in f for f in preflight.remedies(wide, 2 * 2**30))
    # a chunk's state too large for the host: a GPU or Dask is named
    state = preflight.estimate(kind="quadratic", dim=5000, n=64, steps=1, trajectories=10**6,
                               chunk_size=10**6)
    assert "a GPU (backend cupy) or Dask workers (scheduler=) to hold the chunk state" in (
        preflight.remedies(state, state.bytes // 2))


def test_largest_is_a_bisection():
    assert preflight.largest(lambda v: v <= 37, 1000) == 37
    assert preflight.largest(lambda v: v <= 999, 1000) == 999
    assert preflight.largest(lambda v: v <= 1, 1000) == 1
    assert preflight.largest(lambda v: True, 2) == 1
    assert preflight.largest(lambda v: False, 1000) is None
    assert preflight.largest(lambda v: True, 1) is None


def test_remedies_offer_only_what_fits():
    """Each remedy is offered exactly when it brings the estimate under the memory available."""
    long_run = preflight.estimate(kind="quadratic", dim=5, n=64, steps=10**8, trajectories=4096)
    fixes = preflight.remedies(long_run, 16 * 2**30)
    assert not any("chunk" in f for f in fixes)  # one-block chunks would still not fit
    assert not any("GPU" in f for f in fixes)  # the chunk's state is not what is large
    assert not any("dimension" in f for f in fixes)  # nothing is built
    # an amount that fits some number of steps exactly: that number is the answer
    k = 12_345_678
    exactly = preflight.estimate(**{**long_run.sizes, "steps": k}).bytes
    assert preflight.remedies(long_run, exactly) == [
        f"at most {k:,} steps (statistics are kept for every step)"]
    # chunks already of one block: no chunk remedy
    small_chunks = preflight.estimate(kind="quadratic", dim=10, n=64, steps=10**6,
                                      trajectories=10**6, chunk_size=1024)
    assert not any("chunk" in f for f in preflight.remedies(small_chunks, 2 * 2**30))
    # on CuPy the chunk's state lives on the device: no GPU remedy, and no error
    cupy = preflight.estimate(kind="quadratic", dim=5, n=64, steps=10**8, trajectories=4096,
                              backend="cupy", engine="cupy-fused")
    assert not any("GPU" in f for f in preflight.remedies(cupy, 2**30))
    # building the problem where no dimension fits: no dimension remedy
    hopeless = preflight.estimate(kind="quadratic", dim=100, n=10**9, steps=10, trajectories=2,
                                  build_problem=True)
    assert not any("dimension" in f for f in preflight.remedies(hopeless, 2**30))


@pytest.mark.parametrize(("text", "value"), [("16GiB", 16 * 2**30), ("500MB", 500 * 10**6),
                                             ("1e9", 10**9), ("2 tib", 2 * 2**40),
                                             ("64k", 64 * 1024)])
def test_parse_bytes(text, value):
    assert preflight.parse_bytes(text) == value


@pytest.mark.parametrize("text", ["", "lots", "16 GX", "-5GiB"])
def test_parse_bytes_rejects(text):
    with pytest.raises(ValueError, match="SGD_SUITE_MAX_MEMORY"):
        preflight.parse_bytes(text)


def test_available_memory_honours_the_environment(monkeypatch):
    monkeypatch.setenv(preflight.MEMORY_ENV, "3GiB")
    assert preflight.available_memory() == 3 * 2**30
    monkeypatch.delenv(preflight.MEMORY_ENV)
    found = preflight.available_memory()
    assert found is None or found > 0


@pytest.mark.parametrize(("n", "text"), [
    (512, "512 B"), (1023, "1023 B"), (1024, "1 KiB"), (1536, "1.5 KiB"),
    (2**20 - 1, "1.02e+03 KiB"), (2**20, "1 MiB"), (2**30, "1 GiB"), (3 * 2**30, "3 GiB"), (2**40, "1 TiB"), (2**50, "1 PiB"),
    (5 * 2**50, "5 PiB"), (2**60, "1.02e+03 PiB")])
def test_format_bytes(n, text):
    assert preflight.format_bytes(n) == text


@pytest.mark.parametrize(("s", "text"), [
    (0.5, "0.5 s"), (42, "42 s"), (59.9, "60 s"), (60, "1 min"), (150, "2.5 min"), (3600, "1 h"),
    (7200, "2 h"), (86400, "1 day"), (86400 * 16, "16 days"), (365.25 * 86400, "1 year"),
    (365.25 * 86400 * 30, "30 years")])
def test_format_seconds(s, text):
    assert preflight.format_seconds(s) == text


def test_describe():
    est = preflight.Estimate((("a", 2**30), ("b", 2**29)), 0, 150.0, {})
    assert est.bytes == 3 * 2**29
    assert est.describe() == "about 2.5 min, 1.5 GiB of memory"
    gpu = preflight.Estimate((("a", 2**20),), 2 * 2**30, 30.0, {})
    assert gpu.describe() == "about 30 s, 1 MiB of memory and 2 GiB on the GPU"


def test_simulate_refuses_before_any_chunk_runs(monkeypatch):
    monkeypatch.setenv(preflight.MEMORY_ENV, "64MiB")

    def never(*_):
        raise AssertionError("a chunk ran")

    monkeypatch.setattr(simulate_module, "_run_range", never)
    problem = _problem("quadratic", 3)
    with pytest.raises(preflight.InsufficientMemory, match="at most"):
        simulate(problem, alpha=0.1, steps=10**7, trajectories=4096, engine="array",
                 backend="numpy")


def test_simulate_streams_chunks_lazily(monkeypatch):
    """With 10^12 trajectories, simulate() starts at once: the chunks are not listed first."""
    monkeypatch.setenv(preflight.MEMORY_ENV, "1TiB")
    ran = []

    def stop(engine, spec, options, chunk):
        ran.append(chunk)
        raise KeyboardInterrupt

    monkeypatch.setattr(simulate_module, "_run_range", stop)
    tracemalloc.start()
    with pytest.raises(KeyboardInterrupt):
        simulate(_problem("quadratic", 2), alpha=0.1, steps=10, trajectories=10**12,
                 engine="array", backend="numpy")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert ran == [(0, 65536)]
    assert peak < 16 * MIB


def test_problem_kind():
    assert preflight.problem_kind(_problem("quadratic", 2)) == "quadratic"
    assert preflight.problem_kind(_problem("logistic", 2)) == "logistic"
    assert preflight.problem_kind(object()) == "logistic"
    assert np.isfinite(preflight.estimate(kind="least-squares", dim=3, n=10, steps=5,
                                          trajectories=10).seconds)

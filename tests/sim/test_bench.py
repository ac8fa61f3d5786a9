"""The benchmark's peers compute the same SGD statistic as the simulator (no timing asserted)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from sgd_suite.cli import main
from sim import simulate
from sim.bench import (
    _engine_runner,
    _jax_runner,
    _python_runner,
    format_table,
    run_benchmark,
    workload,
)
from sim.check import z_threshold

ROOT = Path(__file__).resolve().parents[2]

DELTA = 1e-9


@pytest.mark.parametrize(("runner", "trajectories"), [("jax", 4096), ("python", 256)])
def test_peer_implementations_estimate_the_exact_second_moment(runner, trajectories):
    """Each peer's per-step mean of |w_t - w*|^2 agrees with the exact value.

    The peer reports no standard error, so it is taken from a simulator run of the same size
    (same distribution, hence the same standard error up to sampling noise of the estimate
    itself); two-sided z-test with Bonferroni over the steps, family-wise delta = 1e-9, with the
    standard error inflated by 1.5 to absorb that noise (sd of a sample sd is ~ 1/sqrt(2N)).
    """
    if runner == "jax":
        pytest.importorskip("jax")
    problem, alpha, w0 = workload(dim=4, n=32)
    steps = 15
    make = _jax_runner if runner == "jax" else _python_runner
    estimate = make(problem, alpha, w0, trajectories, steps)()
    if runner == "jax":
        estimate = np.concatenate([[np.sum((w0 - problem.w_star) ** 2)], estimate])
    ref = simulate(
        problem,
        alpha=alpha,
        steps=steps,
        trajectories=trajectories,
        w0=w0,
        backend="numpy",
        engine="array",
    )
    exact = problem.exact_mean_sq_dist(alpha=alpha, steps=steps, w0=w0)
    zthr = z_threshold(DELTA, steps, two_sided=True)
    assert estimate.shape == exact.shape
    np.testing.assert_allclose(estimate[0], exact[0], rtol=1e-12)
    assert np.all(np.abs(estimate[1:] - exact[1:]) <= 1.5 * zthr * ref.stderr[1:])


def test_protocol_row_runs_the_general_path_on_the_same_problem():
    """The benchmark's protocol row: the quadratic through sample_gradients only, on the array
    engine's general path. Same seed, same indices: the same trajectories as the fused-table
    path up to rounding (but not bit for bit: another order of operations)."""
    problem, alpha, w0 = workload(dim=4, n=32)
    estimate = _engine_runner(problem, alpha, w0, 4096, 15, "protocol", "numpy")()
    ref = simulate(problem, alpha=alpha, steps=15, trajectories=4096, w0=w0, backend="numpy",
                   engine="array")
    np.testing.assert_allclose(estimate, ref.mean_sq_dist, rtol=1e-10)
    assert not np.array_equal(estimate, ref.mean_sq_dist)


@pytest.mark.slow
def test_bench_command_writes_a_table_and_json(tmp_path, capsys):
    out = tmp_path / "bench.json"
    code = main(
        [
            "bench",
            "--trajectories",
            "128",
            "--steps",
            "5",
            "--dim",
            "3",
            "--n",
            "8",
            "--repeats",
            "1",
            "--json",
            str(out),
        ]
    )
    assert code == 0
    report = json.loads(out.read_text())
    keys = [row["key"] for row in report["rows"]]
    assert "array/numpy" in keys
    assert "protocol/numpy" in keys
    assert "python" in keys
    for row in report["rows"]:
        assert row["seconds"] > 0
        assert row["traj_steps_per_s"] > 0
    if "jax" in keys:
        assert next(r for r in report["rows"] if r["key"] == "jax")["ratio_vs_jax"] == 1.0
    printed = capsys.readouterr().out
    assert printed.strip() == format_table(report).strip()


def test_bench_rejects_bad_flags(capsys):
    with pytest.raises(SystemExit):
        main(["bench", "--steps", "0"])
    assert "argument --steps: must be an integer >= 1, got 0" in capsys.readouterr().err


def test_run_benchmark_signature_is_keyword_only():
    with pytest.raises(TypeError):
        run_benchmark(10)  # type: ignore[misc]


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as fh:
            out |= {int(c) for c in fh.read().split()}
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl and /proc are Linux's")
def test_measuring_processes_die_with_a_killed_parent():
    """SIGKILL the benchmarking process during a run of hours: its measuring processes end too
    (they would otherwise run on as orphans)."""
    code = ("from sim.bench import run_benchmark; "
            "run_benchmark(trajectories=10**6, steps=10**6, dim=4, n=8, repeats=1, "
            "keys=['array/numpy'])")
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        kids: set[int] = set()
        while not kids and time.monotonic() < deadline:
            time.sleep(0.2)
            kids = {k for k in _children(parent.pid) if _alive(k)}
        assert kids, "no measuring process started"
        time.sleep(2)  # past the child's start-up, inside its run
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 60
    while any(_alive(k) for k in kids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(k) for k in kids)


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signal masks")
def test_a_ctrl_c_while_starting_is_held_not_lost():
    """Third-party code that swallows KeyboardInterrupt cannot lose a Ctrl-C held by the block.

    ``implementations()`` and ``Process.start`` run inside the block; an import that catches
    every exception would otherwise drop the interruption (seen with one library's import).
    """
    from sim.bench import _ctrl_c_held

    swallowed = []
    with pytest.raises(KeyboardInterrupt):  # noqa: PT012 - raised on leaving the inner block
        with _ctrl_c_held():
            os.kill(os.getpid(), signal.SIGINT)
            try:
                time.sleep(0.05)  # a signal is acted on here at the latest
            except BaseException as exc:  # noqa: BLE001 - the library that swallows it
                swallowed.append(exc)
            assert signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    assert swallowed == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, set())


def test_no_ctrl_c_no_interruption():
    from sim.bench import _ctrl_c_held

    with _ctrl_c_held():
        pass
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_an_interrupted_benchmark_stops_its_processes(monkeypatch):
    import multiprocessing

    import sim.bench

    def interrupted(workers, options):
        assert all(w["proc"].is_alive() for w in workers)
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.bench, "_measure", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_benchmark(trajectories=8, steps=2, dim=2, n=4, repeats=1, keys={"array/numpy"})
    assert multiprocessing.active_children() == []

"""The pieces of ``sgd-suite gpu-check`` that run without a GPU, and its refusal without one."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from cupy_standin import standin
from fused_cases import quadratic

from sgd_suite.cli import main
from sim import gpu_acceptance
from sim.engines import cupy_fused
from sim.engines.launch import KNOWN_DEVICES, plan_launch, static_shared_bytes


def test_gpu_check_without_a_device_is_one_error_line(capsys):
    if cupy_fused.available():
        pytest.skip("a CUDA device is present")
    assert main(["gpu-check", "--no-tests"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("sgd-suite gpu-check: error:") and "CUDA device" in err
    assert "\n" not in err and "Traceback" not in err


def test_fused_ratio_reads_the_two_cupy_rows():
    rows = [{"key": "cupy-fused/cupy", "traj_steps_per_s": 3e10},
            {"key": "array/cupy", "traj_steps_per_s": 1e9}, {"key": "array/numpy"}]
    assert gpu_acceptance.fused_ratio(rows) == 30.0
    assert gpu_acceptance.fused_ratio(rows[:1]) is None
    assert gpu_acceptance.fused_ratio([{**rows[0], "traj_steps_per_s": None}, rows[1]]) is None


def test_agreement_passes_engines_that_simulate_the_same_trajectories():
    pytest.importorskip("numba")
    problem = quadratic(3, 40, 2)
    rows = gpu_acceptance.agreement(problem, runs=[("numba", "numpy"), ("array", "numpy")],
                                    alpha=0.5 / problem.L, steps=30, trajectories=3000)
    assert [r["passed"] for r in rows] == [True, True]
    assert rows[0]["max_rel"] < 1e-13 and rows[1]["worst"] == 0.0


def test_agreement_rejects_different_trajectories():
    """The check can fail: another seed gives other trajectories, about one standard error
    away, far above the allowed 1e-3."""
    from sim import simulate

    problem = quadratic(3, 40, 2)
    kw = {"alpha": 0.5 / problem.L, "steps": 30, "trajectories": 3000, "engine": "array",
          "backend": "numpy"}
    verdict = gpu_acceptance.compare(simulate(problem, seed=1, **kw),
                                     simulate(problem, seed=0, **kw))
    assert not verdict["passed"] and verdict["max_z"] > 0.1 and verdict["worst"] > 100


def test_gpu_tests_are_not_run_without_a_tests_folder(tmp_path):
    assert gpu_acceptance.run_gpu_tests(tmp_path / "absent") is None


class _Compiled:
    def __init__(self, threads, d, regs):
        self.attributes = {"num_regs": regs, "local_size_bytes": 0,
                           "shared_size_bytes": static_shared_bytes(threads, d)}
        self.max_dynamic_shared_size_bytes = 0


def test_launch_report_lists_both_kernels_with_their_footprint(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", standin("sm_86"))
    monkeypatch.setattr(cupy_fused, "_kernels",
                        lambda d, threads: (_Compiled(threads, d, 120), _Compiled(threads, d, 128)))
    rows = gpu_acceptance.launch_report(dim=10, n=600)
    assert [r["kind"] for r in rows] == ["quadratic", "logistic"]
    for r, regs in zip(rows, (120, 128), strict=True):
        plan = plan_launch(KNOWN_DEVICES["sm_86"], kind=r["kind"], d=10, n=600, registers=regs)
        assert (r["threads"], r["table_in_shared"], r["opt_in"], r["registers"]) == (
            plan.threads, plan.table_in_shared, plan.opt_in, regs)
        assert r["opt_in"] == 48_000 and np.isclose(r["static_shared"], 3456)


@pytest.mark.parametrize("agree", [True, False])
def test_gpu_check_reports_plans_throughput_and_agreement(monkeypatch, tmp_path, capsys, agree):
    """The command's glue on the CuPy stand-in, with the measurements stubbed: it prints the
    plan, the ratio and the verdicts, writes the JSON, and exits 1 when an engine disagrees."""
    import json

    import sim.bench

    monkeypatch.setitem(sys.modules, "cupy", standin("sm_90"))
    monkeypatch.setattr(cupy_fused, "_kernels",
                        lambda d, threads: (_Compiled(threads, d, 100), _Compiled(threads, d, 120)))
    rows = [{"key": "cupy-fused/cupy", "label": "fused", "seconds": 0.05,
             "traj_steps_per_s": 2.5e10, "ratio_vs_jax": None, "peak_rss_growth_mib": 1.0,
             "peak_traced_mib": 1.0},
            {"key": "array/cupy", "label": "array", "seconds": 1.0, "traj_steps_per_s": 1e9,
             "ratio_vs_jax": None, "peak_rss_growth_mib": 1.0, "peak_traced_mib": 1.0}]
    monkeypatch.setattr(sim.bench, "run_benchmark",
                        lambda **kw: {"workload": {"dim": 10, "n": 256, "trajectories": 10,
                                                   "steps": 10, "repeats": 1}, "rows": rows})
    verdict = {"worst": 0.0 if agree else 5.0, "max_z": 0.0, "max_rel": 0.0, "passed": agree}
    monkeypatch.setattr(gpu_acceptance, "agreement",
                        lambda problem, runs, **kw: [{"engine": e, "backend": b, **verdict}
                                                     for e, b in runs])
    monkeypatch.setattr(gpu_acceptance, "run_gpu_tests", lambda: 0)
    out = tmp_path / "gpu.json"
    assert main(["gpu-check", "--json", str(out)]) == (0 if agree else 1)
    text = capsys.readouterr().out
    assert "fused / unfused CuPy: 25.0x (target 20x: met)" in text
    assert "2.500e+10 trajectory-steps/s" in text and "GPU tests: passed" in text
    assert ("FAILED" in text) != agree
    record = json.loads(out.read_text())
    assert record["fused_ratio"] == 25.0 and record["plans"][0]["threads"] == 512
    assert record["limits"]["shared_per_block_optin"] == 232448

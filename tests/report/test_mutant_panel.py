"""The mutant panel: wrong simulators that the report's checks must reject at the report's N.

Each mutant wraps the engine the report runs (numba when installed, else the array engine), so
the report's own code path (``runs.run``: simulate, the almost-sure range, the finite-sample
checks at delta = 1e-9 and the report's tolerance) sees it:

- ``alpha x 1.01``: every step uses 1.01 alpha;
- ``noise x 1.02``: the examples' spread around w* is 1.02 times larger (M x 1.0404);
- ``w* shifted``: the simulated finite sum has its minimiser moved by 1% of ||w0 - w*|| (along
  w0 - w*), while the error is still measured from the true w*;
- ``all-zero output``: the chunk statistics are all zero;
- ``noise halved``: the noise second moment M is halved (spread / sqrt 2).

A mutant is rejected when the run's verdict is "fail". The runs use the report's seeds (root 0).
"""

from __future__ import annotations

import numpy as np
import pytest

from sgd_suite import experiments as ex
from sgd_suite import runs
from sim.engines import resolve_engine

ENGINE, MODULE = resolve_engine("auto", "numpy")


def _alpha_up(run, spec, *, alpha, **kw):
    return run(spec, alpha=1.01 * alpha, **kw)


def _noise(factor):
    def mutant(run, spec, **kw):
        return run(spec._replace(centered=factor * spec.centered), **kw)
    return mutant


def _shifted(run, spec, *, e0, **kw):
    shift = 0.01 * np.asarray(e0)
    return run(spec._replace(centered=spec.centered - spec.eigvecs.T @ shift), e0=e0, **kw)


def _zeros(run, spec, **kw):
    c = run(spec, **kw)
    return c._replace(mean=np.zeros_like(c.mean), m2=np.zeros_like(c.m2),
                      max=np.zeros_like(c.max), mean_e=np.zeros_like(c.mean_e))


MUTANTS = {
    "alpha x 1.01": _alpha_up,
    "noise x 1.02": _noise(1.02),
    "w* shifted": _shifted,
    "all-zero output": _zeros,
    "noise halved": _noise(1 / np.sqrt(2)),
}

# mutant: (experiment, checks of the run that reject it). One run per mutant; the two-point run
# checks the lecture's bound two-sided, so there the one-sided bound check rejects too.
PANEL = {
    "alpha x 1.01": ("quad-d1-two-point", ("exact", "bound")),
    "noise x 1.02": ("quad-d1-two-point", ("exact", "bound")),
    "w* shifted": ("quad-d1-two-point", ("exact", "bound")),
    "all-zero output": ("quad-d5", ("exact",)),
    "noise halved": ("quad-d5", ("exact",)),
}


def _run(exp_id, monkeypatch, mutant):
    exp = next(e for e in ex.catalogue() if e.id == exp_id)
    real = MODULE.run_chunk
    monkeypatch.setattr(MODULE, "run_chunk", lambda spec, **kw: mutant(real, spec, **kw))
    return runs.run(exp, seed=ex.experiment_seed(0, exp_id), backend="numpy", engine=ENGINE,
                    delta=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("name", PANEL)
def test_mutant_is_rejected_at_the_reports_sample_size(monkeypatch, name):
    exp_id, checks = PANEL[name]
    rec = _run(exp_id, monkeypatch, MUTANTS[name])
    assert rec["verdict"] == "fail", (name, exp_id)
    for which in checks:
        assert rec[f"{which}_check"]["verdict"] == "fail", (name, exp_id, which)

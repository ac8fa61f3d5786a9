"""The statistical checks on hand-made results: thresholds, zero-variance steps, rejections."""

from __future__ import annotations

import math
from types import SimpleNamespace

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.check import check_exact, check_upper_bound, normal_quantile_upper, z_threshold


def _result(mean, se, diverged_at=None):
    return SimpleNamespace(
        mean_sq_dist=np.asarray(mean, float), stderr=np.asarray(se, float), diverged_at=diverged_at
    )


@given(st.floats(1e-15, 0.4))
def test_quantile_inverts_the_normal_tail(p):
    """Phi(z) = 1 - p, checked with mpmath's ncdf (a different function from erfinv)."""
    z = normal_quantile_upper(p)
    with mpmath.workdps(40):
        tail = 1 - mpmath.ncdf(z)
    assert float(tail) == pytest.approx(p, rel=1e-9)


def test_threshold_is_bonferroni():
    assert z_threshold(1e-9, 101) == normal_quantile_upper(1e-9 / 101)
    assert z_threshold(1e-9, 101, two_sided=True) == normal_quantile_upper(1e-9 / 202)
    # Bonferroni over more steps needs a larger threshold.
    assert z_threshold(1e-9, 1000) > z_threshold(1e-9, 10)
    with pytest.raises(ValueError, match="delta must be in"):
        z_threshold(0.0, 3)


def test_upper_bound_standardizes_the_excess():
    thr = z_threshold(1e-9, 3)
    ok = check_upper_bound(
        _result([1.0, 2.0, 3.0], [0.0, 0.1, 0.1]), [1.0, 2.0, 3.0 - thr * 0.1 * 0.99]
    )
    assert ok.passed
    assert ok.worst_z_step == 2
    assert ok.worst_z == pytest.approx(0.99 * thr, rel=1e-6)
    bad = check_upper_bound(
        _result([1.0, 2.0, 3.0], [0.0, 0.1, 0.1]), [1.0, 2.0, 3.0 - thr * 0.1 * 1.01]
    )
    assert not bad.passed
    assert list(bad.failing_steps) == [2]
    assert bad.worst_ratio == pytest.approx(3.0 / (3.0 - thr * 0.101), rel=1e-12)


def test_zero_stderr_steps_are_exact_comparisons():
    """With stderr 0 the estimate must obey the bound up to rtol; any larger excess fails."""
    within = check_upper_bound(_result([1.0 + 1e-12, 0.5], [0.0, 0.0]), [1.0, 0.5])
    assert within.passed
    assert within.worst_z == 0.0
    beyond = check_upper_bound(_result([1.0 + 1e-6, 0.5], [0.0, 0.0]), [1.0, 0.5])
    assert not beyond.passed
    assert math.isinf(beyond.worst_z)
    assert beyond.worst_z_step == 0
    below = check_upper_bound(_result([0.5, 0.25], [0.0, 0.0]), [1.0, 0.5])
    assert below.passed
    assert not check_exact(_result([0.5, 0.25], [0.0, 0.0]), [1.0, 0.5]).passed
    assert check_exact(_result([1.0, 0.5 * (1 + 1e-13)], [0.0, 0.0]), [1.0, 0.5]).passed


def test_exact_check_is_two_sided():
    thr = z_threshold(1e-9, 2, two_sided=True)
    for sign in (-1.0, 1.0):
        res = _result([1.0, 1.0 + sign * 1.01 * thr * 0.01], [0.0, 0.01])
        out = check_exact(res, [1.0, 1.0])
        assert not out.passed
        assert out.worst_step == 1
        assert out.worst_abs_z == pytest.approx(1.01 * thr, rel=1e-6)


def test_diverged_steps_fail_both_checks():
    res = _result([1.0, np.nan, np.nan], [0.0, np.nan, np.nan], diverged_at=1)
    up = check_upper_bound(res, [1.0, 1e300, 1e300])
    assert not up.passed
    assert up.worst_z_step == 1
    assert math.isinf(up.worst_z)
    assert not check_exact(res, [1.0, 1.0, 1.0]).passed


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="bound must have shape"):
        check_upper_bound(_result([1.0, 2.0], [0.0, 1.0]), [1.0])

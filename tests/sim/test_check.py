"""The statistical checks on hand-made samples: half-widths, mde, verdicts and rejections."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from binomial import allowed_count
from hypothesis import given
from hypothesis import strategies as st

from sim import bernstein
from sim.check import (
    CLT_MIN_COUNT,
    POWER,
    Sample,
    check_exact,
    check_upper_bound,
    check_violation,
    normal_quantile_upper,
    standardized_excess,
    z_threshold,
)

Z_POWER = normal_quantile_upper(1 - POWER)


def _sample(mean, se, *, count=10_000, maximum=None, diverged_at=None):
    mean = np.asarray(mean, float)
    return Sample(mean, np.asarray(se, float), count,
                  None if maximum is None else np.asarray(maximum, float), diverged_at)


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
    assert z_threshold(1e-9, 1000) > z_threshold(1e-9, 10)
    with pytest.raises(ValueError, match="delta must be in"):
        z_threshold(0.0, 3)
    with pytest.raises(ValueError, match="tests must be"):
        z_threshold(0.1, 0)
    assert Z_POWER == pytest.approx(2.3263478740408408, rel=1e-12)


def test_upper_bound_standardizes_the_excess():
    thr = z_threshold(1e-9, 3)
    ok = check_upper_bound(_sample([1.0, 2.0, 3.0], [0.0, 0.1, 0.1]),
                           [1.0, 2.0, 3.0 - thr * 0.1 * 0.99], tolerance=1.0)
    assert ok.passed and ok.verdict == "pass" and ok.basis == "clt"
    assert ok.worst_z_step == 2 and ok.worst_score_step == 2
    assert ok.worst_z == pytest.approx(0.99 * thr, rel=1e-6)
    assert ok.worst_score == pytest.approx(0.99, rel=1e-6)
    bad = check_upper_bound(_sample([1.0, 2.0, 3.0], [0.0, 0.1, 0.1]),
                            [1.0, 2.0, 3.0 - thr * 0.1 * 1.01])
    assert not bad.passed and bad.verdict == "fail"
    assert list(bad.failing_steps) == [2]
    assert bad.worst_ratio == pytest.approx(3.0 / (3.0 - thr * 0.101), rel=1e-12)
    assert bad.bound is bad.reference


def test_zero_stderr_steps_are_exact_comparisons():
    """With stderr 0 the estimate must obey the bound up to rtol; any larger excess fails."""
    within = check_upper_bound(_sample([1.0 + 1e-12, 0.5], [0.0, 0.0]), [1.0, 0.5])
    assert within.passed and within.worst_z == 0.0 and within.worst_score == 0.0
    beyond = check_upper_bound(_sample([1.0 + 1e-6, 0.5], [0.0, 0.0]), [1.0, 0.5])
    assert not beyond.passed
    assert math.isinf(beyond.worst_z) and math.isinf(beyond.worst_score)
    assert beyond.worst_z_step == 0
    below = check_upper_bound(_sample([0.5, 0.25], [0.0, 0.0]), [1.0, 0.5])
    assert below.passed
    assert not check_exact(_sample([0.5, 0.25], [0.0, 0.0]), [1.0, 0.5]).passed
    assert check_exact(_sample([1.0, 0.5 * (1 + 1e-13)], [0.0, 0.0]), [1.0, 0.5]).passed


def test_exact_check_is_two_sided():
    thr = z_threshold(1e-9, 2, two_sided=True)
    for sign in (-1.0, 1.0):
        out = check_exact(_sample([1.0, 1.0 + sign * 1.01 * thr * 0.01], [0.0, 0.01]), [1.0, 1.0])
        assert not out.passed and out.verdict == "fail"
        assert out.worst_step == 1
        assert out.worst_abs_z == pytest.approx(1.01 * thr, rel=1e-6)
        assert out.exact is out.reference


def test_diverged_steps_fail_both_checks():
    res = _sample([1.0, np.nan, np.nan], [0.0, np.nan, np.nan], diverged_at=1)
    up = check_upper_bound(res, [1.0, 1e300, 1e300])
    assert not up.passed and up.verdict == "fail"
    assert up.worst_z_step == 1 and math.isinf(up.worst_z)
    assert check_exact(res, [1.0, 1.0, 1.0]).verdict == "fail"


def test_bad_arguments_are_errors():
    s = _sample([1.0, 2.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="reference must have shape"):
        check_upper_bound(s, [1.0])
    with pytest.raises(ValueError, match="steps must be"):
        check_exact(s, [1.0, 2.0], steps=[2])
    with pytest.raises(ValueError, match="steps must be"):
        check_exact(s, [1.0, 2.0], steps=[])
    with pytest.raises(ValueError, match="delta must be"):
        check_exact(s, [1.0, 2.0], delta=1.0)
    with pytest.raises(ValueError, match="tolerance must be"):
        check_exact(s, [1.0, 2.0], tolerance=0.0)
    with pytest.raises(ValueError, match="count must be"):
        check_exact(_sample([1.0], [0.0], count=1), [1.0])
    with pytest.raises(ValueError, match="sample maximum"):
        check_exact(s, [1.0, 2.0], range_bound=[5.0, 5.0])
    with pytest.raises(TypeError, match="trajectories"):
        check_exact(object(), [1.0])


def test_clt_half_width_and_mde_follow_their_formulas():
    """h_t = z(delta/K) s_t and mde_t = (h_t + z_0.99 s_t + rtol |r_t|)/|r_t|, max over tested."""
    est, se, ref = np.array([2.0, 1.0, 4.0]), np.array([0.0, 0.01, 0.05]), np.array([2.0, 1.0, 4.0])
    out = check_exact(_sample(est, se), ref, steps=[1, 2])
    z = normal_quantile_upper(1e-9 / 4)
    assert out.z_threshold == z
    np.testing.assert_allclose(out.halfwidth, z * se)
    mde = (z * se + Z_POWER * se + 1e-9 * ref) / ref
    np.testing.assert_allclose(out.mde_steps, mde)
    assert out.mde == pytest.approx(max(mde[1], mde[2]))
    assert out.mde_step == int(np.argmax(mde[1:]) + 1)
    assert list(out.tested_steps) == [1, 2]
    up = check_upper_bound(_sample(est, se), ref, steps=[1, 2])
    np.testing.assert_allclose(up.halfwidth, normal_quantile_upper(1e-9 / 2) * se)


def test_finite_sample_half_width_is_empirical_bernstein():
    n, se, upper = 50_000, np.array([0.0, 0.02, 0.03]), np.array([3.0, 5.0, 6.0])
    est = np.array([3.0, 1.0, 1.2])
    out = check_exact(_sample(est, se, count=n, maximum=upper), est, range_bound=upper)
    assert out.basis == "finite-sample" and out.method == "empirical-bernstein"
    level = 1e-9 / 6
    expected = (np.sqrt(2 * se**2 * n * np.log(2 / level) / n)
                + 7 * upper * np.log(2 / level) / (3 * (n - 1)))
    np.testing.assert_allclose(out.halfwidth, expected, rtol=1e-12)
    np.testing.assert_allclose(out.halfwidth, bernstein.deviation(se**2 * n, n, upper, level))


def test_only_tested_steps_can_fail():
    s = _sample([1.0, 5.0, 1.0], [0.0, 0.001, 0.001])
    assert not check_exact(s, [1.0, 1.0, 1.0]).passed
    skip = check_exact(s, [1.0, 1.0, 1.0], steps=[0, 2])
    assert skip.passed and skip.verdict == "pass"


def test_too_little_data_is_inconclusive_not_fail():
    """An mde above the tolerance gives "inconclusive", whether or not a step rejects on the clt
    basis below CLT_MIN_COUNT; with the finite-sample basis two values can never reject."""
    noisy = _sample([1.0, 1.3], [0.0, 0.1])
    out = check_exact(noisy, [1.0, 1.0], tolerance=0.05)
    assert out.passed and out.mde > 0.05 and out.verdict == "inconclusive"
    few = _sample([1.0, 9.0], [0.0, 0.01], count=CLT_MIN_COUNT - 1)
    rejected_but_few = check_exact(few, [1.0, 1.0])
    assert not rejected_but_few.passed and rejected_but_few.verdict == "inconclusive"
    assert check_exact(_sample([1.0, 9.0], [0.0, 0.01], count=CLT_MIN_COUNT),
                       [1.0, 1.0]).verdict == "fail"
    two = _sample([9.0, 0.0], [0.0, 0.0], count=2, maximum=[9.0, 0.0])
    out = check_exact(two, [9.0, 3.0], range_bound=[9.0, 20.0])
    assert out.passed and out.verdict == "inconclusive" and out.mde > 1


def test_finite_sample_rejection_fails_whatever_the_power():
    s = _sample([1.0, 3.0], [0.0, 0.01], count=500, maximum=[1.0, 3.5])
    out = check_upper_bound(s, [1.0, 1.0], range_bound=[1.0, 4.0], tolerance=1e-6)
    assert not out.passed and out.mde > 1e-6 and out.verdict == "fail"


def test_value_above_the_range_bound_fails_outright():
    s = _sample([1.0, 1.0], [0.0, 1e-3], count=10**7, maximum=[1.0, 4.0 * (1 + 1e-8)])
    out = check_exact(s, [1.0, 1.0], range_bound=[1.0, 4.0])
    assert not out.passed and out.verdict == "fail" and list(out.range_exceeded_steps) == [1]
    assert out.failing_steps.size == 0  # no statistical rejection: the range alone fails it
    ok = check_exact(_sample([1.0, 1.0], [0.0, 1e-3], count=10**7,
                             maximum=[1.0, 4.0 * (1 + 1e-10)]), [1.0, 1.0], range_bound=[1.0, 4.0])
    assert ok.verdict == "pass" and ok.range_exceeded_steps.size == 0


def test_violation_verdicts():
    """Rejected: pass; not rejected though the predicted excess was visible: fail; not visible:
    inconclusive."""
    bound = np.array([1.0, 1.0])
    seen = check_violation(_sample([1.0, 1.5], [0.0, 0.01]), bound, [1.0, 1.5])
    assert seen.kind == "violation" and seen.verdict == "pass" and not seen.passed
    missed = check_violation(_sample([1.0, 1.0], [0.0, 0.01]), bound, [1.0, 1.5])
    assert missed.verdict == "fail" and missed.tolerance == pytest.approx(0.5)
    blind = check_violation(_sample([1.0, 1.0], [0.0, 0.5]), bound, [1.0, 1.5])
    assert blind.verdict == "inconclusive"
    few = check_violation(_sample([1.0, 1.5], [0.0, 0.01], count=10), bound, [1.0, 1.5])
    assert few.verdict == "inconclusive"
    broken = check_violation(_sample([1.0, 1.5], [0.0, 0.01], maximum=[1.0, 9.0]), bound,
                             [1.0, 1.5], range_bound=[1.0, 4.0])
    assert broken.verdict == "fail"


def test_mde_is_detected_with_the_stated_power():
    """Draw sample means exactly normal around r(1 + mde) at the step that sets the mde; the
    one-step check must reject in at least POWER of the draws, up to a binomial margin that a
    correct mde exceeds with probability <= 1e-9. At half the mde, the power is far lower."""
    rng = np.random.default_rng(2024)
    draws, se, ref = 4000, 0.02, 1.0
    template = check_exact(_sample([ref], [se]), [ref])
    shifted = ref * (1 + template.mde)
    misses = sum(check_exact(_sample([shifted + se * rng.standard_normal()], [se]), [ref]).passed
                 for _ in range(draws))
    assert misses <= allowed_count(draws, 1 - POWER)
    half = ref * (1 + template.mde / 2)
    misses_half = sum(check_exact(_sample([half + se * rng.standard_normal()], [se]), [ref]).passed
                      for _ in range(400))
    assert misses_half > 200


def test_sample_of_a_simulation_result():
    from sim import QuadraticProblem, simulate

    p = QuadraticProblem(hessian=np.eye(2), data=[[0.0, 1.0], [1.0, 0.0]])
    r = simulate(p, alpha=0.3, steps=3, trajectories=2048, seed=0, backend="numpy",
                 engine="array", w0=np.ones(2))
    s = Sample.of(r)
    assert s.count == 2048 and s.diverged_at is None
    np.testing.assert_array_equal(s.estimate, r.mean_sq_dist)
    np.testing.assert_array_equal(s.maximum, r.max_sq_dist)
    assert Sample.of(s) is s


def test_violation_check_details():
    """Relative excess is (m - b)/b (bound != 1), only tested steps count, delta and rtol reach
    the one-sided check, and a zero bound or an all-undefined excess is handled."""
    bound = np.array([0.0, 2.0, 2.0])
    s = _sample([0.0, 2.0, 2.0], [0.0, 0.01, 0.01])
    # predicted excess 0.5 at t = 1 only: visible there, not at t = 2
    assert check_violation(s, bound, [0.0, 3.0, 2.0]).verdict == "fail"
    assert check_violation(s, bound, [0.0, 3.0, 2.0], steps=[0, 2]).verdict == "inconclusive"
    # excess (m - b) * b would be 2 at t = 2 though the relative excess is 0.01 < mde
    assert check_violation(s, bound, [0.0, 2.0, 2.02]).verdict == "inconclusive"
    up = check_violation(_sample([1.0, 2.06], [0.0, 0.01]), [1.0, 2.0], [1.0, 2.06], delta=0.1)
    assert up.delta == 0.1 and up.verdict == "pass"
    assert check_violation(_sample([1.0, 2.06], [0.0, 0.01]), [1.0, 2.0],
                           [1.0, 2.06]).verdict == "inconclusive"  # at delta = 1e-9
    loose = check_violation(_sample([1.0, 2.0 + 1e-7], [0.0, 0.0]), [1.0, 2.0], [1.0, 3.0],
                            rtol=1e-6)
    assert loose.rtol == 1e-6 and loose.passed
    nothing = check_violation(_sample([0.0, 0.0], [0.0, 0.0]), [0.0, 0.0], [0.0, 0.0])
    assert nothing.tolerance == 0.0
    at_min = check_violation(_sample([1.0, 1.5], [0.0, 0.01], count=CLT_MIN_COUNT),
                             [1.0, 1.0], [1.0, 1.5])
    assert at_min.verdict == "pass"


def test_kinds_and_threshold_edges():
    s = _sample([1.0, 1.0], [0.0, 0.001])
    assert check_upper_bound(s, [1.0, 1.0]).kind == "upper-bound"
    assert check_exact(s, [1.0, 1.0]).kind == "exact"
    assert z_threshold(0.5, 1) == 0.0
    with pytest.raises(ValueError, match=r"^delta must be in \(0, 1\), got 1$"):
        z_threshold(1, 3)
    with pytest.raises(ValueError, match=r"^p must be in \(0, 1\), got 0$"):
        normal_quantile_upper(0)


def test_every_field_of_a_check():
    s = _sample([1.0, 2.0, 0.5], [0.0, 0.01, 0.002], count=5000)
    out = check_exact(s, [1.0, 2.0, 0.49], delta=1e-6, tolerance=0.2, steps=[1, 2], rtol=1e-12,
                      atol=0.0)
    assert (out.kind, out.basis, out.method, out.delta, out.tolerance, out.count, out.rtol) == (
        "exact", "clt", "normal", 1e-6, 0.2, 5000, 1e-12)
    assert out.worst_ratio_step == 2 and out.worst_ratio == pytest.approx(0.5 / 0.49)
    assert out.worst_step == 2 and out.worst_score_step == 2 and out.mde_step == 1
    np.testing.assert_array_equal(out.estimate, [1.0, 2.0, 0.5])
    np.testing.assert_array_equal(out.stderr, [0.0, 0.01, 0.002])
    np.testing.assert_array_equal(out.reference, [1.0, 2.0, 0.49])
    assert out.range_exceeded_steps.dtype.kind == "i" and out.range_exceeded_steps.size == 0
    assert out.worst_abs_z == pytest.approx(0.01 / 0.002, rel=1e-9)


def test_boundaries_are_inclusive_where_stated():
    """A score of exactly 1 does not reject; an mde exactly at the tolerance decides."""
    z = normal_quantile_upper(1e-9)
    edge = check_upper_bound(_sample([z * 0.5], [0.5]), [0.0], rtol=0.0)
    assert edge.worst_score == 1.0 and edge.passed and edge.failing_steps.size == 0
    s = _sample([1.0, 1.0], [0.0, 0.001])
    first = check_exact(s, [1.0, 1.0])
    assert check_exact(s, [1.0, 1.0], tolerance=first.mde).verdict == "pass"
    assert check_exact(s, [1.0, 1.0], tolerance=first.mde * (1 - 1e-12)).verdict == "inconclusive"


def test_rounding_allowance_and_extreme_values():
    # rtol is relative to the larger of |r| and |m|; atol is added.
    assert standardized_excess([100 * (1 + 5e-10)], [0.0], [100.0])[0] == 0.0
    assert standardized_excess([100 * (1 + 2e-9)], [0.0], [100.0])[0] == np.inf
    assert standardized_excess([1.1], [0.0], [1.0], atol=0.2)[0] == 0.0
    assert standardized_excess([1.5], [0.1], [1.0])[0] == pytest.approx(5.0, rel=1e-8)
    # inf equal to the reference is no excess; a NaN standard error is an infinite one.
    assert standardized_excess([np.inf], [0.0], [np.inf])[0] == 0.0
    assert standardized_excess([2.0], [np.nan], [1.0])[0] == np.inf
    assert standardized_excess([1e300], [1e-300], [0.0])[0] == np.inf  # overflow, silently
    out = check_exact(_sample([1.0, 2.0], [0.0, np.nan]), [1.0, 1.0])
    assert not out.passed and out.worst_score == np.inf
    huge = check_upper_bound(_sample([1e300, 1.0], [1e-300, 0.0]), [0.0, 1e-300])
    assert huge.worst_score == np.inf and not huge.passed
    z = check_exact(_sample([1.0, 1.3], [0.0, 0.1]), [1.0, 1.0], rtol=0.1, atol=0.05)
    assert z.worst_abs_z == pytest.approx((0.3 - 0.1 * 1.3 - 0.05) / 0.1)
    wide = check_exact(_sample([1.0, 1.0], [0.0, 0.001]), [1.0, 1.0], atol=0.1)
    assert wide.mde_steps[1] == pytest.approx((wide.halfwidth[1] + Z_POWER * 0.001 + 0.1 + 1e-9))


def test_ratios_where_the_reference_is_zero_or_infinite():
    out = check_upper_bound(_sample([0.0, 0.5, 0.3, np.inf], [0.0, 0.0, 0.0, 0.0]),
                            [0.0, 0.0, 0.5, np.inf])
    # 0/0 counts as 1, a positive estimate over 0 as inf, inf/inf as inf.
    ratios = [check_upper_bound(_sample([e], [0.0]), [r]).worst_ratio
              for e, r in ((0.0, 0.0), (0.5, 0.0), (0.3, 0.5), (np.inf, np.inf), (0.6, 0.25))]
    assert ratios == [1.0, np.inf, pytest.approx(0.6), np.inf, pytest.approx(2.4)]
    assert out.worst_ratio == np.inf


def test_mde_ignores_zero_references_and_is_inf_without_any():
    s = _sample([0.0, 1.0], [0.0, 0.001])
    out = check_exact(s, [0.0, 1.0])
    assert out.mde_step == 1 and np.isfinite(out.mde)
    none = check_exact(_sample([0.0, 0.0], [0.0, 0.0]), [0.0, 0.0])
    assert none.mde == np.inf and none.mde_step == -1 and none.verdict == "inconclusive"


def test_integer_estimates_and_divergence():
    s = Sample(np.array([1, 2, 3]), np.array([0, 1, 1]), 5000, None, diverged_at=1)
    out = check_exact(s, [1.0, 2.0, 3.0])
    assert out.verdict == "fail" and list(out.failing_steps) == [1, 2]


def test_sample_of_partial_results():
    from types import SimpleNamespace

    bare = SimpleNamespace(mean_sq_dist=[1.0], stderr=[0.0], trajectories=10)
    s = Sample.of(bare)
    assert s.maximum is None and s.diverged_at is None and s.count == 10
    np.testing.assert_array_equal(s.stderr, [0.0])
    full = SimpleNamespace(mean_sq_dist=[1.0, 2.0], stderr=[0.0, 1.0], trajectories=10,
                           max_sq_dist=[1.0, 5.0], diverged_at=1)
    assert Sample.of(full).diverged_at == 1
    with pytest.raises(TypeError, match=r"^object has no trajectories count; pass a Sample$"):
        Sample.of(object())


def test_check_messages():
    s = _sample([1.0, 2.0], [0.0, 1.0])
    with pytest.raises(ValueError, match=r"^steps must be a non-empty set of steps in \[0, 1\]$"):
        check_exact(s, [1.0, 2.0], steps=[5])
    with pytest.raises(ValueError, match=r"^delta must be in \(0, 1\), got 0$"):
        check_exact(s, [1.0, 2.0], delta=0)
    with pytest.raises(ValueError, match=r"^a finite-sample check needs the sample maximum of "
                                         r"every step$"):
        check_exact(s, [1.0, 2.0], range_bound=[3.0, 3.0])


def test_more_edges():
    # Diverged steps show an infinite estimate.
    out = check_exact(_sample([1.0, np.nan], [0.0, np.nan], diverged_at=1), [1.0, 1.0])
    assert out.estimate[1] == np.inf
    # A NaN standard error at one step does not make the mde undefined.
    nan_se = check_exact(_sample([1.0, 1.0, 2.0], [0.0, 0.001, np.nan]), [1.0, 1.0, 1.0])
    assert np.isfinite(nan_se.mde) and nan_se.mde_step == 1
    # Ratios of huge over tiny overflow to inf silently.
    assert check_upper_bound(_sample([1e300], [0.0]), [1e-300]).worst_ratio == np.inf
    # A violation check forwards atol, and a zero bound with a nonzero prediction is handled.
    tol = check_violation(_sample([1.0, 1.5], [0.0, 0.0]), [1.0, 1.0], [1.0, 1.5], atol=1.0)
    assert tol.passed and tol.verdict == "inconclusive"  # the allowance hides the excess
    zero = check_violation(_sample([1.0, 1.0], [0.0, 0.0]), [0.0, 1.0], [1.0, 1.0])
    assert zero.verdict == "pass" and zero.tolerance == 0.0

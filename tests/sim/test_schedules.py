"""Step-size schedules against their closed forms, and the validation of ``alpha``."""

from __future__ import annotations

import pickle
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from sim import schedules

positive = st.floats(1e-3, 1e3)


@given(a=positive, t0=positive, t=st.integers(0, 10**6))
@example(a=1.0, t0=1.0, t=0)  # 1/(mu (t + 1)) with mu = 1: alpha_0 = 1
def test_inverse_is_a_over_t_plus_t0(a, t0, t):
    s = schedules.inverse(a, t0)
    assert s(t) == pytest.approx(float(Fraction(a) / (t + Fraction(t0))), rel=1e-15)


@given(c=positive, p=st.floats(0.0, 2.0), t0=positive, t=st.integers(0, 10**6))
@example(c=2.0, p=0.0, t0=1.0, t=7)  # p = 0: constant
def test_power_is_c_times_t_plus_t0_to_minus_p(c, p, t0, t):
    assert schedules.power(c, p, t0)(t) == pytest.approx(c * (t + t0) ** -p, rel=1e-13)


def test_step_decay_multiplies_every_k_steps():
    s = schedules.step_decay(0.8, 0.5, 3)
    np.testing.assert_array_equal(s(np.arange(8)), [0.8] * 3 + [0.4] * 3 + [0.2] * 2)


@pytest.mark.parametrize(
    "schedule",
    [schedules.inverse(2.0, 5.0), schedules.power(0.3, 0.6), schedules.step_decay(1.0, 0.9, 4)],
)
def test_vectorised_call_equals_scalar_calls_and_as_array(schedule):
    t = np.arange(50)
    values = schedule(t)
    assert isinstance(values, np.ndarray) and values.dtype == np.float64
    np.testing.assert_array_equal(values, [schedule(int(k)) for k in t])
    np.testing.assert_array_equal(schedules.as_array(schedule, 50), values)
    assert isinstance(schedule(3), float)
    assert pickle.loads(pickle.dumps(schedule)) == schedule
    assert type(schedule).__name__ in repr(schedule)


def test_as_array_accepts_numbers_arrays_and_plain_callables():
    np.testing.assert_array_equal(schedules.as_array(0.5, 3), [0.5, 0.5, 0.5])
    np.testing.assert_array_equal(schedules.as_array([0.3, 0.2], 2), [0.3, 0.2])
    assert schedules.as_array([1, 2], 2).dtype == np.float64
    assert schedules.step_decay(0.5, 1.0, 3)(10) == 0.5  # factor 1: a constant step
    np.testing.assert_array_equal(schedules.as_array(lambda t: 1 / (t + 2), 3),
                                  [1 / 2, 1 / 3, 1 / 4])
    assert schedules.as_array(lambda t: 1 / 0, 0).shape == (0,)  # never called for T = 0


@pytest.mark.parametrize(
    ("alpha", "steps", "error", "match"),
    [
        (0.0, 3, ValueError, "alpha must be a finite number > 0, got 0.0"),
        (-1.0, 0, ValueError, "alpha must be a finite number > 0"),  # checked even for T = 0
        (np.nan, 3, ValueError, "alpha must be"),
        (True, 3, TypeError, "alpha must be a real number"),
        ("0.1", 3, ValueError, "alpha as an array must have shape"),
        ([0.1, 0.2], 3, ValueError, r"alpha as an array must have shape \(steps,\) = \(3,\)"),
        ([0.1, 0.0, 0.2], 3, ValueError, r"alpha\[t\] must be a finite number > 0 .* at t=1"),
        ([0.1, np.inf], 2, ValueError, r"alpha\[t\] must be .* at t=1"),
        (lambda t: 0.1 - 0.05 * t, 4, ValueError, r"alpha\(t\) must be .* at t=2"),
        (lambda t: "x", 2, TypeError, r"alpha\(t\) must return a real number, got str at t=0"),
        (lambda t: np.ones(2), 2, TypeError, r"alpha\(t\) must return a real number"),
        (object(), 2, TypeError, "alpha must be a real number, an array of length steps or a "
                                 "callable"),
    ],
)
def test_bad_alpha_is_one_clear_error(alpha, steps, error, match):
    with pytest.raises(error, match=match):
        schedules.as_array(alpha, steps)


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: schedules.inverse(0.0), ValueError, "a must be a finite number > 0"),
        (lambda: schedules.inverse(1.0, 0.0), ValueError, "t0 must be a finite number > 0"),
        (lambda: schedules.power(1.0, -0.5), ValueError, "p must be a finite number >= 0"),
        (lambda: schedules.power(1.0, 0.5, 0.0), ValueError, "t0 must be a finite number > 0"),
        (lambda: schedules.step_decay(0.0, 0.5, 3), ValueError, "alpha0 must be a finite"),
        (lambda: schedules.power("1", 0.5), TypeError, "c must be a real number"),
        (lambda: schedules.step_decay(1.0, 1.5, 3), ValueError, r"factor must be in \(0, 1\]"),
        (lambda: schedules.step_decay(1.0, 0.5, 0), ValueError, "every must be an integer >= 1"),
        (lambda: schedules.step_decay(1.0, 0.5, 2.0), ValueError, "every must be an integer"),
        (lambda: schedules.inverse(1.0)(-1), ValueError, "step numbers must be integers >= 0"),
        (lambda: schedules.inverse(1.0)(0.5), ValueError, "step numbers must be integers"),
    ],
)
def test_bad_schedule_parameters(make, error, match):
    with pytest.raises(error, match=match):
        make()

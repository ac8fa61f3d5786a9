"""PEPit worst cases (SDP, Clarabel) against the closed forms of the lecture's GD and SGD steps."""

from __future__ import annotations

import sys

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

pytest.importorskip("PEPit")
pytest.importorskip("clarabel")

from sim import worst_case  # noqa: E402

REL = 1e-6  # the agreement required; Clarabel at 1e-10 tolerances gives about 1e-8 here

mus = st.floats(0.01, 1.0)
kappas = st.floats(1.1, 1000.0)  # at kappa = 1 and alpha = 2/(L+mu) the rate is 0: no relative test


@given(mus, kappas)
@example(1.0, 2.0).via("L = 2 mu: rate 1/3")
@settings(max_examples=8)
def test_gd_contraction_at_the_optimal_step(mu, kappa):
    L = mu * kappa
    pepit, theory = worst_case.gd_contraction_worst_case(mu, L, 2 / (L + mu))
    assert theory == pytest.approx((L - mu) / (L + mu), rel=1e-14)
    assert pepit == pytest.approx(theory, rel=REL)


@given(mus, kappas, st.floats(0.02, 1.98))
@settings(max_examples=6)
def test_gd_contraction_at_any_stable_step(mu, kappa, alpha_L):
    L = mu * kappa
    pepit, theory = worst_case.gd_contraction_worst_case(mu, L, alpha_L / L)
    assert pepit == pytest.approx(theory, rel=REL)


# The SDP's accuracy is relative to the larger of the two parts R^2 and alpha^2 M of the worst
# case; their ratio rho = alpha^2 M / R^2 is drawn in [1e-3, 1e3] (measured: error below 1e-7
# for rho in [1e-4, 1e4] over 500 random instances, 1e-6 is the requirement).
@given(
    mus,
    kappas,
    st.floats(0.02, 1.98),
    st.floats(0.01, 100.0),
    st.floats(1e-3, 1e3),
    st.integers(2, 4),
)
@example(0.5, 4.0, 1.6, 1.0, 1.0, 2).via("alpha = 2/(L+mu): the edge of the lecture's condition")
@settings(max_examples=8)
def test_sgd_step_matches_the_lecture_recursion(mu, kappa, alpha_L, R2, rho, n):
    L = mu * kappa
    alpha = alpha_L / L
    M = rho * R2 / alpha**2
    pepit, theory = worst_case.sgd_step_worst_case(mu, L, alpha, M, R2, n)
    assert pepit == pytest.approx(theory, rel=REL)
    if alpha <= 2 / (L + mu):  # inside the condition the max is the lecture's (1 - alpha mu)^2
        assert theory == pytest.approx((1 - alpha * mu) ** 2 * R2 + alpha**2 * M, rel=1e-14)


def test_no_noise_and_no_distance_edges():
    # R^2 + alpha^2 M = 1 exactly: no special case may fire there.
    assert worst_case.sgd_step_worst_case(0.5, 1.0, 1.0, 0.0, 1.0)[0] == pytest.approx(
        0.25, rel=REL
    )
    assert worst_case.sgd_step_worst_case(0.5, 1.0, 1.0, 3.0, 0.0)[0] == pytest.approx(3.0, rel=REL)
    assert worst_case.sgd_step_worst_case(0.5, 1.0, 1.0, 0.0, 0.0) == (0.0, 0.0)


def test_the_number_of_samples_does_not_matter():
    values = [worst_case.sgd_step_worst_case(0.2, 1.0, 0.9, 0.7, 2.0, n=n)[0] for n in (2, 3, 5)]
    assert values == pytest.approx([values[0]] * 3, rel=REL)


def test_pepit_rejects_the_lecture_expression_outside_the_step_condition():
    """alpha > 2/(L+mu): (1 - alpha mu)^2 R^2 + alpha^2 M is below the true worst case."""
    mu, L, M, R2 = 0.1, 1.0, 0.5, 1.0
    alpha = 1.9  # 2/(L+mu) = 1.82 < 1.9 < 2/L
    pepit, _ = worst_case.sgd_step_worst_case(mu, L, alpha, M, R2)
    lecture = (1 - alpha * mu) ** 2 * R2 + alpha**2 * M
    assert pepit > lecture * (1 + 1e-3)


@pytest.mark.parametrize(
    "wrong",
    [
        lambda mu, L: ((L - mu) / (L + mu)) ** 2,  # squared rate
        lambda mu, L: (L - mu) / L,  # 1 - 1/kappa, the rate of alpha = 1/L
        lambda mu, L: 1 - 2 * mu / (L + mu) ** 2,
    ],
    ids=["rate squared", "1 - mu/L", "garbled"],
)
def test_pepit_rejects_a_wrong_rate(wrong):
    mu, L = 0.3, 2.0
    pepit, _ = worst_case.gd_contraction_worst_case(mu, L, 2 / (L + mu))
    assert pepit != pytest.approx(wrong(mu, L), rel=1e-3)


def test_pepit_rejects_half_the_noise_term():
    pepit, theory = worst_case.sgd_step_worst_case(0.5, 1.0, 1.0, 2.0, 1.0)
    assert pepit == pytest.approx(theory, rel=REL)
    assert pepit != pytest.approx(0.25 * 1.0 + 0.5 * 2.0, rel=1e-3)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: worst_case.gd_contraction_worst_case(2.0, 1.0, 0.5), "mu must be <= L"),
        (lambda: worst_case.gd_contraction_worst_case(0.5, 1.0, 0.0), "alpha must be"),
        (lambda: worst_case.sgd_step_worst_case(0.5, 1.0, 0.5, -1.0), "M must be"),
        (lambda: worst_case.sgd_step_worst_case(0.5, 1.0, 0.5, 1.0, n=1), "n must be"),
    ],
)
def test_bad_worst_case_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_missing_pepit_is_one_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "PEPit", None)
    with pytest.raises(
        ImportError,
        match=r"^the worst-case cross-checks need PEPit and Clarabel: "
        r"pip install \"sgd-lecture-suite\[pepit\]\"$",
    ):
        worst_case.gd_contraction_worst_case(0.5, 1.0, 1.0)


def test_a_solve_without_an_optimal_status_is_an_error(monkeypatch):
    """One interior-point iteration cannot certify optimality: the caller gets the statuses."""
    monkeypatch.setattr(worst_case, "SETTINGS", ({"max_iter": 1},))
    with pytest.raises(RuntimeError, match=r"^the SDP solver did not reach an optimal solution"):
        worst_case.gd_contraction_worst_case(0.3, 2.0, 0.5)

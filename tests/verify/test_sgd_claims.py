"""Slides "Stochastic Gradient Descent" and the three "Stochastic Gradient Descent Convergence"."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

import verify
from verify import provers
from verify import sgd

EXPECTED = {
    "sgd.unbiased": "true",
    "sgd.step-cost": "true",
    "sgd.expectation.line1": "true",
    "sgd.expectation.line2": "false",
    "sgd.expectation.gd-path": "false",
    "sgd.decomposition.line1": "true",
    "sgd.decomposition.line2": "gap",
    "sgd.second-moment.line1": "gap",
    "sgd.second-moment.line2": "false",
    "sgd.second-moment.line3": "true",
    "sgd.second-moment.line4": "gap",
    "sgd.second-moment.small-alpha": "true",
    "sgd.noise-ball.fixed-point": "true",
    "sgd.noise-ball.limit": "gap",
    "sgd.noise-ball.convergence": "true",
    "sgd.noise-ball.tight": "true",
}
R = sp.Rational
FRAC = {"max_denominator": 200}


@pytest.mark.parametrize(("claim_id", "expected"), EXPECTED.items())
def test_verdict(claim_id, expected):
    claim = verify.get(claim_id)
    assert claim.recorded == expected
    assert verify.run(claim).verdict == expected


def test_table_covers_the_module():
    assert {c.id for c in verify.all_claims() if c.check.__module__ == sgd.__name__} == set(
        EXPECTED
    )


def test_three_convergence_slides_keep_their_heading():
    conv = [
        i for i in EXPECTED if i.split(".")[1] in ("decomposition", "second-moment", "noise-ball")
    ]
    assert {verify.get(i).slide for i in conv} == {"Stochastic Gradient Descent Convergence"}


# ----------------------------------------------------------------------------- in expectation
def _example_laws():
    return sgd.path_distribution(
        lambda w, x: sgd.phi_prime(w - x), (0, 1), step=R(1, 2), w0=sp.Integer(0), steps=2
    )


def test_expectation_line2_counterexample_by_exact_substitution():
    laws = _example_laws()
    assert laws[1] == {0: R(1, 2), R(2, 3): R(1, 2)}
    lhs = sum(p * w for w, p in laws[2].items())
    assert lhs == R(145, 324)
    mean1 = sum(p * w for w, p in laws[1].items())
    grad_h = {w: (sgd.phi_prime(w) + sgd.phi_prime(w - 1)) / 2 for w in laws[1]}
    rhs = {mean1 - R(1, 2) * g for g in grad_h.values()}
    assert rhs == {R(2, 3), R(37, 162)}
    assert lhs not in rhs
    # The correction: E[w_2] = E[w_1] - alpha E[grad h(w_1)].
    assert lhs == mean1 - R(1, 2) * sum(laws[1][w] * g for w, g in grad_h.items())


def test_gd_path_counterexample_by_exact_substitution():
    w = sp.Integer(0)
    for _ in range(2):
        w = w - R(1, 2) * (sgd.phi_prime(w) + sgd.phi_prime(w - 1)) / 2
    assert w == R(71, 162) != sum(p * v for v, p in _example_laws()[2].items())


@given(
    a=st.fractions(Fraction(1, 10), 3, **FRAC),
    data=st.lists(st.fractions(-3, 3, **FRAC), min_size=1, max_size=3),
    step=st.fractions(Fraction(1, 100), Fraction(1, 2), **FRAC),
    steps=st.integers(0, 3),
)
def test_corrected_statement_affine_gradients_follow_gd(a, data, step, steps):
    # f(w; x) = a (w - x)^2 / 2: grad h is affine, so E[w_t] is exactly the GD iterate.
    laws = sgd.path_distribution(
        lambda w, x: a * (w - x), data, step=step, w0=Fraction(0), steps=steps
    )
    w = Fraction(0)
    for law in laws:
        assert sum(p * v for v, p in law.items()) == w
        w = w - step * sum(a * (w - x) for x in data) / len(data)


def test_path_distribution_rejects_negative_steps():
    with pytest.raises(ValueError, match="steps"):
        sgd.path_distribution(lambda w, x: w, [0], step=1, w0=0, steps=-1)


# ----------------------------------------------------------------------------- second moment
def _point(text: str) -> dict:
    """``"a = -1, alpha = 2, b = 1 (...)"`` -> exact values by name."""
    head = text.split(" (")[0]
    return {k.strip(): sp.Rational(v.strip()) for k, v in (kv.split("=") for kv in head.split(","))}


def test_cross_term_counterexample_by_exact_substitution():
    point = _point(verify.run("sgd.second-moment.line2").counterexample)
    a, b, al = point["a"], point["b"], point["alpha"]
    assert al > 0
    assert (a - al * b) ** 2 != a**2 - al * b * a + al**2 * b**2
    assert (a - al * b) ** 2 == a**2 - 2 * al * b * a + al**2 * b**2


@given(
    pairs=st.lists(
        st.tuples(st.fractions(-5, 5, **FRAC), st.fractions(-5, 5, **FRAC)), min_size=1, max_size=4
    ),
    alpha=st.fractions(0, 2, **FRAC),
)
def test_corrected_expansion_holds_for_any_law(pairs, alpha):
    n = len(pairs)
    lhs = sum((x - alpha * y) ** 2 for x, y in pairs) / n
    rhs = sum(x * x for x, _ in pairs) / n - 2 * alpha * sum(x * y for x, y in pairs) / n
    assert lhs == rhs + alpha**2 * sum(y * y for _, y in pairs) / n


@given(
    data=st.lists(st.fractions(-2, 2, **FRAC), min_size=1, max_size=5),
    w=st.fractions(-2, 2, **FRAC),
)
def test_noise_has_mean_zero_for_uniform_sampling(data, w):
    grads = [sgd.phi_prime(sp.Rational(w - x)) for x in data]
    mean = sum(grads) / len(grads)
    assert sum(g - mean for g in grads) == 0


@given(
    mu=st.fractions(Fraction(1, 10), 5, **FRAC),
    dL=st.fractions(0, 5, **FRAC),
    alpha=st.fractions(Fraction(1, 200), 5, **FRAC),
)
@example(mu=Fraction(1), dL=Fraction(2), alpha=Fraction(1, 2))  # alpha = 2/(L + mu)
@example(mu=Fraction(1), dL=Fraction(0), alpha=Fraction(3))  # mu = L: any alpha
def test_exact_step_condition(mu, dL, alpha):
    L = mu + dL
    holds = (1 - alpha * L) ** 2 <= (1 - alpha * mu) ** 2
    assert holds == (mu == L or alpha * (L + mu) <= 2)


def test_a_wrong_step_condition_is_rejected():
    # alpha <= 2/L is not enough for (1 - alpha lam)^2 <= (1 - alpha mu)^2 on [mu, L].
    mu, L, a, lam = sgd.mu, sgd.L, sgd.alpha, sgd.lam
    check = provers.implies(
        [lam >= mu, lam <= L, a > 0, a * L <= 2],
        (1 - a * lam) ** 2 <= (1 - a * mu) ** 2,
        assumptions=[mu > 0, L >= mu],
    )
    assert not check.holds
    assert check.counterexample is not None


def test_line4_counterexample_and_repair():
    out = verify.run("sgd.second-moment.line4")
    assert "2/(L + mu)" in out.gap
    assert all(c.holds for c in sgd._contraction_checks())
    mu, L, alpha = 1, 3, 1  # the recorded counterexample, M = 0, w_t - w* = (0, 1)
    assert (1 - alpha * L) ** 2 == 4 > (1 - alpha * mu) ** 2 == 0


# ----------------------------------------------------------------------------- noise ball
def test_fixed_point_accepts_the_slide_and_rejects_a_wrong_one():
    b, M, mu, a = sp.Symbol("b", real=True), sgd.M, sgd.mu, sgd.alpha
    update = (1 - a * mu) ** 2 * b + a**2 * M
    assumptions = [mu > 0, a > 0, a * mu < 2]
    assert provers.fixed_point(
        update, b, a * M / (2 * mu - a * mu**2), assumptions=assumptions
    ).holds
    wrong = provers.fixed_point(update, b, a * M / (2 * mu), assumptions=[*assumptions, M > 0])
    assert not wrong.holds
    assert wrong.counterexample is not None


@given(
    mu=st.fractions(Fraction(1, 10), 3, **FRAC),
    s=st.fractions(Fraction(1, 100), Fraction(99, 100), **FRAC),
    M=st.fractions(0, 5, **FRAC),
    b0=st.fractions(0, 10, **FRAC),
)
@example(mu=Fraction(1), s=Fraction(1, 2), M=Fraction(0), b0=Fraction(3))  # M = 0: GD, ball = {w*}
def test_comparison_recursion_closed_form_and_contraction(mu, s, M, b0):
    alpha = 2 * s / mu  # 0 < alpha < 2/mu
    star = alpha * M / (2 * mu - alpha * mu**2)
    rho = (1 - alpha * mu) ** 2
    assert 0 <= rho < 1
    b = b0
    for t in range(1, 6):
        b = rho * b + alpha**2 * M
        assert b - star == rho**t * (b0 - star)
    if M == 0:
        assert star == 0


def test_noise_ball_is_attained_by_exact_enumeration():
    # f(w; x) = mu (w - x)^2 / 2, x = +-sigma: E[w_t^2] = b*(1 - rho^t) exactly.
    mu, sigma, alpha = Fraction(1), Fraction(1), Fraction(1, 2)
    laws = sgd.path_distribution(
        lambda w, x: mu * (w - x), (sigma, -sigma), step=alpha, w0=Fraction(0), steps=6
    )
    star = alpha * mu**2 * sigma**2 / (2 * mu - alpha * mu**2)
    rho = (1 - alpha * mu) ** 2
    for t, law in enumerate(laws):
        assert sum(p * w * w for w, p in law.items()) == star * (1 - rho**t)


def test_limit_gap_names_limsup():
    out = verify.run("sgd.noise-ball.limit")
    assert r"\limsup" in out.correction
    assert "no limit" in out.counterexample

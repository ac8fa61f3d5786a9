"""Gradient descent, large-scale and SGD-step claims read from the slides' text: each verdict is
computed from the quoted statement, and changing what the slide says changes what is proved."""

from __future__ import annotations

import dataclasses

import pytest

import verify
from verify import lecture
from verify.judge import JudgeError, judge
from verify.rule import Unrepaired

EXPECTED = {
    "gd.update-fixed-points": "gap",
    "gd.step-rate": "gap",
    "gd.step-optimal": "gap",
    "gd.recursion": "true",
    "gd.linear-rate": "gap",
    "large-scale.gradient-average": "true",
    "large-scale.gradient-cost": "true",
    "large-scale.duplicated-gradient": "true",
    "large-scale.same-objective": "true",
    "large-scale.double-cost": "true",
    "sgd.unbiased": "true",
    "sgd.step-cost": "true",
}


def _with(claim_id, **changes):
    return dataclasses.replace(verify.get(claim_id), **changes)


@pytest.mark.parametrize(("claim_id", "expected"), EXPECTED.items())
def test_verdicts_are_computed_from_the_data(claim_id, expected):
    claim = verify.get(claim_id)
    assert isinstance(claim, lecture.Claim)
    assert claim.recorded == expected
    assert judge(claim).verdict == expected


@pytest.mark.parametrize("claim_id", ["gd.step-rate", "gd.step-optimal", "gd.linear-rate"])
def test_the_rate_claims_need_mu_positive_and_are_refuted_with_mu_negative(claim_id):
    out = judge(verify.get(claim_id))
    assert any(r"\mu > 0" in a for a in out.hypotheses_added)
    assert "mu = -1" in out.counterexample
    # With mu > 0 stated as a hypothesis of the slide, the same text is proved outright.
    claim = verify.get(claim_id)
    assert judge(dataclasses.replace(claim, hypotheses=(*claim.hypotheses, r"\mu > 0"),
                                     hypotheses_added=())).verdict == "true"


def test_a_faster_rate_than_the_slide_is_refuted_even_with_mu_positive():
    faster = r"\|w_{t+1} - w^*\| \leq \frac{L - \mu}{L + 2\mu} \cdot \|w_t - w^*\|"
    with pytest.raises(Unrepaired):
        judge(_with("gd.step-rate", statement=faster))


def test_a_better_step_than_the_slide_is_refuted():
    claim = verify.get("gd.step-optimal")
    better = r"\max(|1 - \alpha\mu|, |1 - \alpha L|) \geq \frac{L - \mu}{L + \mu} + \frac{1}{100}"
    with pytest.raises(Unrepaired):
        judge(dataclasses.replace(claim, statement=better,
                                  hypotheses=(*claim.hypotheses, r"\mu > 0")))


def test_a_fixed_point_is_stationary_only_for_a_nonzero_step():
    out = judge(verify.get("gd.update-fixed-points"))
    assert "alpha = 0" in out.counterexample
    assert any(r"\alpha \neq 0" in a for a in out.hypotheses_added)


def test_the_uniform_average_comes_from_the_random_index_not_from_the_text():
    # Without declaring i_t a uniform random index the expectation has nothing to average.
    claim = verify.get("sgd.unbiased")
    symbols = tuple((k, "vector" if k == "i_t" else v) for k, v in claim.symbols)
    with pytest.raises(JudgeError, match="i_t"):
        judge(dataclasses.replace(claim, symbols=symbols))
    with pytest.raises(Unrepaired):  # and a wrong weight is refuted exactly
        judge(_with("sgd.unbiased", statement=r"\mathbf{E}[\nabla f(w, x_{i_t})] = "
                    r"\frac{1}{n + 1} \sum_{i=1}^n \nabla f(w, x_i)"))


def test_the_cost_follows_the_formula_of_the_objective():
    # A sum over pairs of examples costs n^2, not n: the count is read from the definition.
    pairs = (r"h(w) = \frac{1}{n} \sum_{i=1}^n \sum_{j=1}^n f(w; x_i)",)
    claim = _with("large-scale.gradient-cost", definitions=pairs,
                  symbols=(*verify.get("large-scale.gradient-cost").symbols, ("j", "integer")))
    with pytest.raises(Unrepaired):
        judge(claim)
    assert judge(dataclasses.replace(claim, statement=r"\operatorname{cost}(\nabla h(w)) = n n")
                 ).verdict == "true"


def test_without_the_copies_the_cost_does_not_double():
    claim = verify.get("large-scale.double-cost")
    once = (r"h(w) = \frac{1}{n} \sum_{i=1}^n f(w; x_i)", claim.definitions[1])
    with pytest.raises(Unrepaired):
        judge(dataclasses.replace(claim, definitions=once))


def test_the_duplicated_objective_must_halve_each_sum():
    claim = verify.get("large-scale.duplicated-gradient")
    unhalved = (r"h(w) = \frac{1}{n} \sum_{i=1}^n f(w; x_i) + \frac{1}{n} \sum_{i=1}^n f(w; x_i)",)
    with pytest.raises(Unrepaired):
        judge(dataclasses.replace(claim, definitions=unhalved))


def test_the_recursion_is_proved_by_induction_from_the_one_step_bound():
    out = judge(verify.get("gd.recursion"))
    assert out.method.startswith("induction on K: base K = 0")
    assert "step t -> t + 1" in out.method


def test_the_recursion_needs_its_one_step_bound():
    claim = verify.get("gd.recursion")
    with pytest.raises(Unrepaired, match="K = 1"):  # unrolled: w_1 is unconstrained
        judge(dataclasses.replace(claim, hypotheses=claim.hypotheses[1:]))


@pytest.mark.parametrize("statement", [
    r"\|w_K - w^*\| \leq \left( \frac{L - \mu}{L + \mu} \right)^{K + 1} \cdot \|w_0 - w^*\|",
    r"\|w_K - w^*\| \leq \left( \frac{L - \mu}{L + \mu} \right)^K \cdot \|w_1 - w^*\|",
    r"\|w_K - w^*\| \leq \frac{L - \mu}{L + \mu} \cdot \|w_0 - w^*\|",
])
def test_a_wrong_unrolled_bound_is_refuted_at_a_small_k(statement):
    claim = verify.get("gd.recursion")
    symbols = (*claim.symbols, ("w_1", "random vector"))
    with pytest.raises(Unrepaired, match="K = [012]"):
        judge(dataclasses.replace(claim, statement=statement, symbols=symbols))


def test_an_unrolled_counterexample_must_continue_at_the_minimiser():
    from verify import induction

    claim = verify.get("gd.recursion")
    texts = induction._Texts(claim.symbols, claim.hypotheses, claim.statement, "K", "t")
    assert texts.continuation(1) == [
        r"\|w^* - w^*\| \leq \frac{L - \mu}{L + \mu} \|w_1 - w^*\|",
        r"\|w^* - w^*\| \leq \frac{L - \mu}{L + \mu} \|w^* - w^*\|",
    ]

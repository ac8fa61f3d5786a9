"""The typed encoding and the judging strategies, on small statements: each proves what holds in
every dimension and rejects a wrong statement with an exact counterexample on a small instance."""

from __future__ import annotations

import pytest

from verify.judge import JudgeError, judge
from verify.lecture import Added, Claim, Source
from verify.rule import RuleError, Unrepaired

VECTORS = (("alpha", "real"), ("mu", "real"), ("L", "real"), ("n", "positive integer"),
           ("u", "vector"), ("v", "vector"), ("w", "vector"), ("A", "symmetric matrix"),
           ("B", "symmetric matrix"), ("I", "identity matrix"), ("f", "per-example objective"),
           ("h", "objective"), ("x", "examples"), ("i_t", "random index over n"))
H_DEF = (r"h(w) = \frac{1}{n} \sum_{i=1}^n f(w; x_i)",)
SPECTRAL = (r"\mu I \preceq A \preceq L I",)


def make(statement, symbols=VECTORS, hypotheses=(), definitions=H_DEF, added=(), correction=None):
    source = Source("test", "S", "display", statement)
    return Claim("test.claim", "S", statement, "", "true", source, symbols, definitions,
                 tuple(hypotheses), tuple(added), correction)


@pytest.mark.parametrize("statement", [
    r"(I - \alpha A)(u + v) = u + v - \alpha A u - \alpha A v",
    r"\|u + v\|^2 = \|u\|^2 + 2 \langle u, v \rangle + \|v\|^2",
    r"(A u)^T v = \langle u, A v \rangle",
    r"\|A u\|^2 = \langle u, A A u \rangle",
])
def test_identities_in_every_dimension_are_proved(statement):
    out = judge(make(statement))
    assert out.verdict == "true"
    assert "every dimension" in out.method


@pytest.mark.parametrize(("statement", "size"), [
    (r"(I - \alpha A) u = u - A u", "d = 1"),
    (r"\|u + v\|^2 = \|u\|^2 + \langle u, v \rangle + \|v\|^2", "d = 1"),
    (r"(A u)^T v = \langle u, u \rangle", "d = 1"),
])
def test_wrong_identities_are_refuted_on_a_small_instance(statement, size):
    with pytest.raises(Unrepaired, match=size):
        judge(make(statement))


def test_expectation_over_a_uniform_index_is_the_exact_average():
    out = judge(make(r"\mathbf{E}[\langle \nabla f(w; x_{i_t}), u \rangle] = "
                     r"\langle \nabla h(w), u \rangle"))
    assert out.verdict == "true" and "n symbolic" in out.method
    # Without the expectation the two sides differ as soon as there are two examples.
    with pytest.raises(Unrepaired, match="n = 2"):
        judge(make(r"\langle \nabla f(w; x_{i_t}), u \rangle = \langle \nabla h(w), u \rangle"))


def test_a_vanishing_cross_term_is_equal_in_expectation_only():
    noise = r"(\nabla f(w; x_{i_t}) - \nabla h(w))"
    out = judge(make(rf"\mathbf{{E}}[\|u - \alpha {noise}\|^2] = "
                     rf"\|u\|^2 + \alpha^2 \mathbf{{E}}[\|{noise}\|^2]"))
    assert out.verdict == "true"
    assert out.note.startswith("equal in expectation only")


def test_spectral_reduction_proves_the_norm_bound_and_rejects_a_wrong_one():
    good = r"\|(I - \alpha A) v\| \leq \max(|1 - \alpha\mu|, |1 - \alpha L|) \|v\|"
    out = judge(make(good, hypotheses=SPECTRAL))
    assert out.verdict == "true" and "spectral reduction" in out.method
    with pytest.raises(Unrepaired, match="d = 1"):
        judge(make(r"\|(I - \alpha A) v\| \leq |1 - \alpha\mu| \|v\|", hypotheses=SPECTRAL))


def test_the_operator_norm_bounds_the_vector_norm():
    out = judge(make(r"\|(I - \alpha A) v\| \leq \|I - \alpha A\|_2 \cdot \|v\|"))
    assert out.verdict == "true"
    with pytest.raises(Unrepaired):
        judge(make(r"\|(I - \alpha A) v\| \leq \|I - \alpha A\|_2 \cdot \|v\| - 1"))


def test_spectral_reduction_needs_a_single_matrix():
    with pytest.raises(JudgeError, match="single matrix"):
        judge(make(r"\|A B v\| \leq L^2 \|v\|",
                   hypotheses=(*SPECTRAL, r"\mu I \preceq B \preceq L I", r"0 \leq \mu")))


MV = (*VECTORS, ("w_t", "random vector"), ("w^*", "minimiser of h"),
      ("zeta_t", "mean value point of h between w^* and w_t"))
MV_STATEMENT = r"\nabla h(w_t) = \nabla^2 h(\zeta_t) (w_t - w^*)"


def test_a_step_resting_on_the_vector_mean_value_theorem_is_a_gap():
    relation = Added("mean value relation",
                     r"\nabla h(w_t) - \nabla h(w^*) = \nabla^2 h(\zeta_t) (w_t - w^*)",
                     "averaged hessian")
    out = judge(make(MV_STATEMENT, symbols=MV, added=(relation,)))
    assert out.verdict == "gap"
    assert "fails in d = 2" in out.counterexample
    assert "averaged hessian" in out.method
    with pytest.raises(RuleError, match="unsupported"):
        judge(make(MV_STATEMENT, symbols=MV))


SCALARS = (("x", "real"), ("f", "function"))


def test_derivatives_come_from_the_definition():
    assert judge(make("f'(x) = 2x", SCALARS, definitions=("f(x) = x^2",))).verdict == "true"
    out = judge(make("f'(x) = x", SCALARS, definitions=("f(x) = x^2",)))
    assert (out.verdict, out.correction) == ("false", "f'(x) = 2 x")


@pytest.mark.parametrize(("claim", "message"), [
    (make("u < v"), "compare"),
    (make("e^{u} = 1"), "number"),
    (make("y = 1", SCALARS), "not declared"),
    (make(r"\nabla h(u + v) = 0"), "compound point"),
    (make("f'(x) = 1", SCALARS, definitions=()), "definition"),
])
def test_ill_typed_statements_are_errors(claim, message):
    with pytest.raises(JudgeError, match=message):
        judge(claim)

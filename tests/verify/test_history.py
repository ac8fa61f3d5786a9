"""A random history: instances where w_t takes two equally likely values (the law of w_1 for
n = 2), so that E[grad h(w_t)] and grad h(E[w_t]) or grad h(w_t) can differ."""

from __future__ import annotations

import sympy

from verify import instances, strategies
from verify.evaluate import FIXED, HISTORY, Instance, evaluate
from verify.parse import parse
from verify.elaborate import elaborate

SYMBOLS = {"alpha": "real", "n": "positive integer", "f": "per-example objective",
           "h": "objective", "x": "examples", "i_t": "random index over n",
           "i": "random index over n", "w_t": "random vector", "w_{t+1}": "random vector"}
DEFINITIONS = (r"h(w) = \frac{1}{n} \sum_{i=1}^n f(w; x_i)",)
UPDATE = (r"w_{t+1} = w_t - \alpha \nabla f(w_t, x_{i_t})",)
MEAN_OF_GRADIENTS = (r"\mathbf{E}[w_{t+1}] = \mathbf{E}[w_t] - \alpha \cdot \frac{1}{n} "
                     r"\sum_{i=1}^n \nabla f(w_t, x_i)")
TOWER = r"\mathbf{E}[w_{t+1}] = \mathbf{E}[w_t] - \alpha \mathbf{E}[\nabla h(w_t)]"


def _problem(statement):
    return strategies.problem(SYMBOLS, DEFINITIONS, UPDATE, statement)


def _instance(p, outcomes):
    defs, diagonal, _ = instances._split(p)
    return Instance(p.scope, 1, 2, "n", defs, diagonal, outcomes=outcomes)


def test_a_random_history_refutes_what_a_fixed_history_cannot():
    p = _problem(MEAN_OF_GRADIENTS)
    fixed, methods = instances._search(p, _instance(p, 1), vector=True)
    assert fixed is None and methods  # with w_t deterministic the statement holds
    found = instances.refute(p)
    assert found.status == "refuted"
    assert "2 equally likely outcomes" in found.counterexample
    assert found.witness[3] == 2


def test_the_tower_property_survives_a_random_history():
    p = _problem(TOWER)
    found, methods = instances._search(p, _instance(p, 2), vector=True)
    assert found is None and methods
    assert strategies.evidence(p).status == "proved"


def test_an_expectation_averages_the_outcomes_and_a_hypothesis_does_not():
    p = _problem(TOWER)
    inst = _instance(p, 2)
    mean = evaluate(elaborate(parse(r"\mathbf{E}[w_t]"), p.scope), inst).c[0]
    one = evaluate(elaborate(parse("w_t"), p.scope), inst, ctx={HISTORY: 1}).c[0]
    two = evaluate(elaborate(parse("w_t"), p.scope), inst, ctx={HISTORY: 2}).c[0]
    assert one != two
    assert sympy.expand(mean - (one + two) / 2) == 0
    fixed = evaluate(elaborate(parse(r"\mathbf{E}[w_t]"), p.scope), inst,
                     ctx={HISTORY: 2, FIXED: True}).c[0]
    assert fixed == two


def test_a_gradient_at_the_mean_is_the_gradient_at_w_t_only_for_a_fixed_history():
    p = _problem(TOWER)
    node = elaborate(parse(r"\nabla h(\mathbf{E}[w_t]) - \nabla h(w_t)"), p.scope)
    assert sympy.expand(evaluate(node, _instance(p, 1)).c[0]) == 0
    assert sympy.expand(evaluate(node, _instance(p, 2)).c[0]) != 0


def test_the_outcomes_of_a_random_vector_are_kept_apart():
    p = _problem(TOWER)
    inst = _instance(p, 2)
    evaluate(elaborate(parse(r"\mathbf{E}[w_t]"), p.scope), inst)
    ((a, op, b),) = instances._apart(inst)
    assert op == "neq" and {str(a), str(b)} == {"w_t|@1[0]", "w_t|@2[0]"}
    assert instances._apart(_instance(p, 1)) == []


def test_a_wrong_mean_recursion_is_refuted_and_the_counterexample_is_exact():
    wrong = TOWER.replace(r"- \alpha", r"- 2 \alpha")
    found = strategies.evidence(_problem(wrong))
    assert found.status == "refuted"


def test_a_history_the_update_cannot_produce_is_never_a_counterexample():
    # With alpha = 0 the iterates never move, so E[grad h(w_t)] = grad h(E[w_t]) for every
    # history SGD can produce; a two-outcome history would refute it, but is not realisable.
    p = strategies.problem(SYMBOLS, DEFINITIONS, (*UPDATE, r"\alpha = 0"),
                           r"\nabla h(\mathbf{E}[w_t]) = \mathbf{E}[\nabla h(w_t)]")
    assert instances.refute(p) is None
    free = strategies.problem(SYMBOLS, DEFINITIONS, UPDATE,
                              r"\nabla h(\mathbf{E}[w_t]) = \mathbf{E}[\nabla h(w_t)]")
    assert instances.refute(free).status == "refuted"


def test_a_hypothesis_holds_at_every_outcome_of_the_history():
    # grad h(w_t) = 0 at every outcome: then E[grad h(w_t)] = 0 = grad h(w_t) and the
    # statement holds for every history; refuting it would need the hypothesis at one outcome only.
    p = strategies.problem(SYMBOLS, DEFINITIONS, (*UPDATE, r"\nabla h(w_t) = 0"),
                           MEAN_OF_GRADIENTS)
    assert instances.refute(p) is None


def test_a_mean_value_point_is_random_when_its_segment_ends_at_w_t():
    scope = strategies.problem({**SYMBOLS, "w^*": "vector", "u": "vector",
                                "zeta_t": "mean value point of h between w^* and w_t",
                                "xi": "mean value point of h between w^* and u"},
                               DEFINITIONS, UPDATE, TOWER).scope
    random, fixed = Instance(scope, outcomes=2), Instance(scope)
    assert random.history_atom(("hess", "h", "zeta_t"))
    assert not random.history_atom(("hess", "h", "xi"))
    assert not random.history_atom(("vector", "w^*"))
    assert not fixed.history_atom(("hess", "h", "zeta_t"))

"""The claim registry: lecture order, lookup, validation of claims and outcomes."""

from __future__ import annotations

import pytest

import verify
from verify import claims
from verify.numeric import NumericCheck

# Slide headings of the lecture, in order, as written (a heading may recur, e.g. the second
# "Example: Quadratic" after the alternative definitions). Claims of modules not yet written simply
# do not appear; the order check only needs every claim's slide to occur, in nondecreasing order.
LECTURE_SLIDES = (
    "Optimization",
    "Types of Optimization",
    "Convex Functions",
    "Example: Quadratic",
    "Example: Abs",
    "Example: Exponential",
    "Properties of convex functions",
    "Properties of convex functions (continued)",
    "Convex Functions: Alternative Definitions",
    "Example: Quadratic",
    "Example: Exponential",
    "Example: Logistic Loss",
    "Strongly Convex Functions",
    "Which of the functions we've looked at are strongly convex?",
    "Concave functions",
    "Convex Optimization",
    "Gradient Descent",
    "Gradient Descent Converges",
    "Gradient Descent Converges (continued)",
    "The Problem with Gradient Descent",
    "Gradient Descent with More Data",
    "Stochastic Gradient Descent",
    "Stochastic Gradient Descent Convergence",
)


def test_claims_follow_lecture_order():
    position = 0
    for c in verify.all_claims():
        assert c.slide in LECTURE_SLIDES, f"{c.id}: unknown slide heading {c.slide!r}"
        while LECTURE_SLIDES[position] != c.slide:
            position += 1
            assert position < len(LECTURE_SLIDES), f"{c.id} ({c.slide!r}) is out of lecture order"


def test_ids_are_unique_and_namespaced():
    ids = [c.id for c in verify.all_claims()]
    assert len(ids) == len(set(ids))
    assert all("." in i for i in ids)


def test_every_claim_states_something():
    for c in verify.all_claims():
        assert c.statement.strip()
        assert c.assumptions.strip()
        assert c.recorded in ("true", "false", "gap")


def test_unknown_id_raises_key_error_with_close_ids():
    with pytest.raises(KeyError, match=r"quadratic\.line2"):
        verify.get("quadratic.line-2")
    with pytest.raises(KeyError, match="unknown claim id"):
        verify.run("no.such-claim")


def test_run_accepts_claim_or_id_and_rejects_other_types():
    assert verify.run("quadratic.line1") == verify.run(verify.get("quadratic.line1"))
    with pytest.raises(TypeError):
        verify.run(42)


def test_duplicate_registration_is_rejected():
    with pytest.raises(ValueError, match="already registered"):
        claims.claim("quadratic.line1", slide="s", statement="s", assumptions="s", recorded="true")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"recorded": "maybe"}, ValueError),
        ({"slide": ""}, ValueError),
        ({"numeric": "not a check"}, TypeError),
        ({"numeric": NumericCheck({"x": (0, 1)}, lambda p: True), "recorded": "false"}, ValueError),
    ],
)
def test_bad_claim_declarations_are_rejected(kwargs, error):
    base = {"slide": "s", "statement": "s", "assumptions": "s", "recorded": "true"}
    with pytest.raises(error):
        claims.claim("test.bad-declaration", **{**base, **kwargs})
    assert "test.bad-declaration" not in {c.id for c in verify.all_claims()}


def test_bad_id_is_rejected():
    with pytest.raises(ValueError, match="topic"):
        claims.claim("nodot", slide="s", statement="s", assumptions="s", recorded="true")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"verdict": "yes", "method": "m"}, "verdict"),
        ({"verdict": "true", "method": ""}, "method"),
        ({"verdict": "false", "method": "m", "counterexample": "x = 1"}, "correction"),
        ({"verdict": "false", "method": "m", "correction": "c"}, "counterexample"),
        ({"verdict": "gap", "method": "m", "correction": "c"}, "gap"),
    ],
)
def test_incomplete_outcomes_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        claims.Outcome(**kwargs)


def test_decide_refuses_a_refutation_without_a_proved_correction():
    import sympy as sp

    from verify import provers

    x = sp.Symbol("x", real=True)
    wrong = provers.identity((x + 1) ** 2, x**2 + 1)
    with pytest.raises(claims.UndecidedError):
        claims.decide(wrong, what="test")
    with pytest.raises(claims.UndecidedError):
        claims.decide(wrong, what="test", correction="c", repaired=(wrong,))
    out = claims.decide(
        wrong,
        what="test",
        correction="(x+1)^2 = x^2 + 2x + 1",
        repaired=(provers.identity((x + 1) ** 2, x**2 + 2 * x + 1),),
    )
    assert out.verdict == "false"
    assert "x = " in out.counterexample


def test_numeric_check_validation():
    with pytest.raises(ValueError, match="expect"):
        NumericCheck({"x": (0, 1)}, lambda p: True, expect="maybe")
    with pytest.raises(ValueError, match="lo <= hi"):
        NumericCheck({"x": (1, 0)}, lambda p: True)
    with pytest.raises(ValueError, match="counterexample"):
        NumericCheck({"x": (0, 1)}, lambda p: True, expect="fails")
    with pytest.raises(ValueError, match="lacks"):
        NumericCheck(
            {"x": (0, 1), "y": (0, 1)}, lambda p: True, expect="fails", counterexample={"x": 0}
        )
